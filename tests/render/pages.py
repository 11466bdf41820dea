"""Pages opened in headless Chromium for the render tests: offline (every request that is not a
file or ``data:`` URL is blocked and recorded in ``page.blocked``), console errors and page
errors recorded in ``page.errors``."""
from __future__ import annotations

from pathlib import Path


def open_page(browser, path, *, viewport=(1280, 800), settle_ms=0):
    """A new page of ``browser`` (a Playwright Chromium) showing the file ``path``."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.errors, page.blocked = [], []
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))

    def route(r):
        if r.request.url.startswith(("file://", "data:")):
            r.continue_()
        else:
            page.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(Path(path).as_uri(), wait_until="load")
    if settle_ms:
        page.wait_for_timeout(settle_ms)
    return page
