"""Benchmark: size and time-to-interactive of a big offline map.

Builds a map of the 12 towns, all water sections and N synthetic emission
points (default 100,000; fixed seed; points drawn at random inside the
towns), writes it offline, opens it in headless Chromium (Playwright, every
non-file request aborted) and prints:

- the HTML size (MB),
- build + write time (s),
- time from navigation to the 'load' event (s),
- time from navigation until the map has answered a zoom and a click on an
  emission point (popup shown) (s): "interactive".

Goal (issue 7): < 20 MB and interactive within 3 s.

    python benchmarks/maps.py [--points 100000] [--out /tmp/bench_map.html]
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from playwright.sync_api import sync_playwright

from hn_geo.core.settings import STORAGE_CRS
from hn_geo.ground.inputs import Inputs
from hn_geo.render import maps
from hn_geo.workflows.maps import catalog_spec

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def synthetic_points(towns, n, seed=20240601):
    """``n`` emission points uniformly inside the towns, lognormal loads (t/a)."""
    rng = np.random.default_rng(seed)
    union = shapely.union_all(np.asarray(towns.geometry.values))
    minx, miny, maxx, maxy = union.bounds
    shapely.prepare(union)
    parts = []
    while sum(len(p) for p in parts) < n:
        p = shapely.points(rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n))
        parts.append(p[shapely.contains(union, p)])
    geom = np.concatenate(parts)[:n]
    names = towns["name"].to_numpy()
    return gpd.GeoDataFrame({
        "point_id": [f"BM{i:06d}" for i in range(n)],
        "name": [f"示例企业{i:06d}" for i in range(n)],
        "industry_code": rng.choice(["C17", "C18", "C26", "C29", "C33", "C39"], n),
        "town": rng.choice(names, n),
        "nox_t": np.round(rng.lognormal(-1, 1.6, n), 3),
        "vocs_t": np.round(rng.lognormal(-0.5, 1.5, n), 3),
        "cod_t": np.round(rng.lognormal(-1.5, 1.2, n), 3),
        "nh3n_t": np.round(rng.lognormal(-3.5, 1.0, n), 4),
        "source": "benchmark: synthetic points (seeded)",
        "approximate": True,
    }, geometry=geom, crs=STORAGE_CRS)


INTERACT_JS = """async (pvar) => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const pts = window[pvar];
    await new Promise(res => { map.once('zoomend', res); map.setZoom(map.getZoom() + 1, {animate: false}); });
    await new Promise(res => requestAnimationFrame(() => res()));
    const i = pts.count - 1;  // the biggest load is drawn last
    map.setView([pts._lat[i], pts._lon[i]], map.getZoom(), {animate: false});
    const cp = map.latLngToContainerPoint([pts._lat[i], pts._lon[i]]);
    const r = map.getContainer().getBoundingClientRect();
    return [cp.x + r.left, cp.y + r.top, pts.drawn];
}"""


def open_and_click(browser, out, pvar, run):
    """Open the map, zoom, click the biggest point; print the times; return time-to-interactive (s)."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors, blocked = [], []

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/*", route)
    t0 = time.perf_counter()
    page.goto(out.as_uri(), wait_until="load")
    t_load = time.perf_counter() - t0
    # interactive: the map zooms in, redraws the points and opens a point's popup
    answer = page.evaluate(INTERACT_JS, pvar)
    page.mouse.click(answer[0], answer[1])
    page.wait_for_selector(".leaflet-popup-content", timeout=5000)
    t_inter = time.perf_counter() - t0
    nav = page.evaluate("() => { const e = performance.getEntriesByType('navigation')[0];"
                        " return [e.domContentLoadedEventEnd / 1000, e.loadEventEnd / 1000]; }")
    print(f"run {run + 1}: load event {t_load:.2f} s (in-page: DOMContentLoaded {nav[0]:.2f} s, "
          f"load {nav[1]:.2f} s); interactive (zoom + point popup) {t_inter:.2f} s; "
          f"points drawn after zoom {answer[2]}; console errors {len(errors)}; "
          f"blocked requests {len(blocked)}")
    page.close()
    return t_inter


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--out", default=None, help="keep the HTML here (default: a temp file)")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = ap.parse_args()

    inputs = Inputs()  # the embedded layers, as a run reads them
    layers = [s for n in ("boundary", "towns", "sections") if (s := catalog_spec(inputs, n)) is not None]
    towns = next((s.gdf for s in layers if s.name == "towns"), None)
    if towns is None:
        raise SystemExit("the embedded towns layer is missing (layers/towns.gpkg)")
    layers.append(maps.LayerSpec("emission_points", synthetic_points(towns, args.points)))

    out = Path(args.out) if args.out else Path(tempfile.mkdtemp()) / "bench_map.html"
    t0 = time.perf_counter()
    m = maps.make_map(layers, title="基准测试")
    maps.save_map(m, out)
    build_s = time.perf_counter() - t0
    size_mb = out.stat().st_size / 1e6
    counts = ", ".join(f"{i['name']} {i['features']}" for i in m.hn_geo["layers"])
    print(f"layers: {counts}")
    print(f"size: {size_mb:.2f} MB   build+write: {build_s:.2f} s")

    pvar = next(i["var"] for i in m.hn_geo["layers"] if i["name"] == "emission_points")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=LAUNCH_ARGS)
        for run in range(2):  # the first run also warms the disk cache
            t_inter = open_and_click(browser, out, pvar, run)
        browser.close()
    goal = "OK" if size_mb < 20 and t_inter < 3 else "MISSED"
    print(f"goal (< 20 MB, interactive < 3 s): {goal}  [{size_mb:.1f} MB, {t_inter:.2f} s]")


if __name__ == "__main__":
    main()
