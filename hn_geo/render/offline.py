"""Self-contained HTML: inline every script and stylesheet a Folium map loads.

Folium writes ``<script src=...>`` and ``<link href=...>`` tags pointing at
CDNs. :func:`inline_assets` replaces each one by the same file read from an
installed XStatic package (PyPI wheels listed in ``setup.py``: Leaflet 1.9.3,
Leaflet.markercluster, jQuery, Font Awesome), with the images and fonts the
CSS refers to turned into ``data:`` URIs, so the written file makes no
request to any other origin. hn_geo's own controls (``hn_geo/assets``) are
always inlined. A remote asset with no local copy is an error, never left
behind silently; :func:`remote_references` lists what is left (an empty list
is the offline guarantee, checked before writing).
"""
from __future__ import annotations

import base64
import importlib
import mimetypes
import re
from functools import cache
from importlib import resources
from pathlib import Path

from hn_geo.core.errors import HnGeoError

# CDN file name (last path part of the URL) -> (xstatic module, file inside BASE_DIR)
_XSTATIC = {
    "leaflet.js": ("xstatic.pkg.leaflet", "leaflet.js"),
    "leaflet.css": ("xstatic.pkg.leaflet", "leaflet.css"),
    "leaflet.markercluster.js": ("xstatic.pkg.leaflet_markercluster", "leaflet.markercluster.js"),
    "MarkerCluster.css": ("xstatic.pkg.leaflet_markercluster", "MarkerCluster.css"),
    "MarkerCluster.Default.css": ("xstatic.pkg.leaflet_markercluster", "MarkerCluster.Default.css"),
    "jquery-3.7.1.min.js": ("xstatic.pkg.jquery", "jquery.min.js"),
    "jquery.min.js": ("xstatic.pkg.jquery", "jquery.min.js"),
    "all.min.css": ("xstatic.pkg.font_awesome", "css/all.min.css"),
}

# Folium's default template loads these for Bootstrap popups/awesome-markers; hn_geo maps
# use none of them, so in offline mode they are dropped (no package ships awesome-markers).
DROPPABLE = ("bootstrap", "glyphicons", "awesome-markers", "awesome_markers",
             "leaflet.awesome.rotate", "fontawesome", "font-awesome")

# CDN URLs used in online mode (the versions the XStatic packages carry)
CDN = {
    "leaflet.js": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    "leaflet.css": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
}

_TAG = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["'](?P<js>[^"']+)["'][^>]*>\s*</script>"""
    r"""|<link\b[^>]*\bhref\s*=\s*["'](?P<css>[^"']+)["'][^>]*?/?>""",
    re.IGNORECASE)
_REMOTE = re.compile(r"^(https?:)?//", re.IGNORECASE)
_SOURCEMAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)  # no source-map fetch
_CSS_URL = re.compile(r"""url\(\s*["']?(?P<u>[^"')]+)["']?\s*\)""")


def xstatic_file(module, name):
    """Path of ``name`` inside an installed XStatic package's ``BASE_DIR``."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - the packages are install_requires
        raise HnGeoError(f"offline maps need the Python package for {module} "
                         f"(pip install {module.replace('xstatic.pkg.', 'xstatic-').replace('_', '-')})"
                         ) from exc
    path = Path(mod.BASE_DIR) / name
    if not path.exists():
        raise HnGeoError(f"{module} does not contain {name}", path=path)
    return path


def own_asset(name):
    """Text of one of hn_geo's own assets (``hn_geo/assets/NAME``)."""
    return resources.files("hn_geo").joinpath("assets", name).read_text(encoding="utf-8")


def data_uri(path):
    """``data:`` URI of a file (images, fonts)."""
    path = Path(path)
    mime = mimetypes.guess_type(path.name)[0]
    if mime is None:
        mime = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf"}.get(
            path.suffix, "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


@cache
def _css_inlined(path):
    """CSS text with every relative ``url()`` replaced by a data URI."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")

    def repl(m):
        url = m.group("u").strip()
        if url.startswith(("data:", "#")):
            return m.group(0)
        if _REMOTE.match(url):
            raise HnGeoError(f"stylesheet refers to a remote file {url}", path=path)
        target = (path.parent / url.split("?")[0].split("#")[0]).resolve()
        if not target.exists():
            raise HnGeoError(f"stylesheet refers to {url}, which is not in the package", path=path)
        return f'url("{data_uri(target)}")'

    return _CSS_URL.sub(repl, text)


def script_tag(js):
    """An inline ``<script>`` element (a ``</script`` inside the code is escaped)."""
    return "<script>\n" + js.replace("</script", "<\\/script") + "\n</script>"


def style_tag(css):
    """An inline ``<style>`` element."""
    return "<style>\n" + css.replace("</style", "<\\/style") + "\n</style>"


def local_copy(url):
    """Inline HTML for a CDN URL from the XStatic packages, or None if unknown."""
    name = url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    if name not in _XSTATIC:
        return None
    module, rel = _XSTATIC[name]
    path = xstatic_file(module, rel)
    if name.endswith(".css"):
        return style_tag(_css_inlined(str(path)))
    js = path.read_text(encoding="utf-8")
    return script_tag(_SOURCEMAP.sub("", js))


def inline_assets(html, drop=DROPPABLE):
    """Replace every remote ``<script src>``/``<link href>`` by inline content.

    Parameters
    ----------
    html : str
        A rendered Folium page.
    drop : tuple of str
        URL fragments of assets that are not needed and are removed.

    Returns
    -------
    str
        The page with no remote script or stylesheet.

    Raises
    ------
    HnGeoError
        A remote asset that no installed package carries (e.g. a Folium
        plugin hn_geo does not replace): the map cannot be made offline.
    """
    done = set()

    def repl(m):
        url = m.group("js") or m.group("css")
        if not _REMOTE.match(url):
            return m.group(0)
        tag = m.group(0).lower()
        if m.group("css") and "stylesheet" not in tag:
            return ""  # preconnect/icon links are not needed offline
        if url in done:
            return ""
        inline = local_copy(url)
        if inline is None:
            if any(d in url.lower() for d in drop):
                return ""
            raise HnGeoError(f"offline map: no local copy of {url}; use offline=False "
                             "(--online) or leave out the element that needs it")
        done.add(url)
        return inline

    out = _TAG.sub(repl, html)
    left = remote_references(out)
    if left:
        raise HnGeoError(f"offline map still refers to remote files: {', '.join(left[:5])}")
    return out


_ATTR = re.compile(r"""<(script|link|img|iframe|source|embed|object)\b[^>]*?\b(src|href|data)\s*=\s*["']"""
                   r"""(?P<u>(https?:)?//[^"']+)["']""", re.IGNORECASE)
_IMPORT = re.compile(r"""@import\s+(url\()?["']?(?P<u>(https?:)?//[^"')]+)""", re.IGNORECASE)
_CSSREMOTE = re.compile(r"""url\(\s*["']?(?P<u>(https?:)?//[^"')]+)""", re.IGNORECASE)


def remote_references(html):
    """URLs of other origins that a page would load by itself (scripts, styles, images, CSS).

    Links in ``<a href>`` are not loads and are not listed; tile URL
    templates inside scripts are not listed either (basemaps are opt-in).
    """
    found = [m.group("u") for m in _ATTR.finditer(html)]
    found += [m.group("u") for m in _IMPORT.finditer(html)]
    found += [m.group("u") for m in _CSSREMOTE.finditer(html)]
    return found
