"""Benchmark: size, time-to-interactive and zoom/pan answer of big offline maps, hn_geo
against what a competent folium user would write.

Two layers, each on the embedded boundary, towns and sections:

* ``--points N`` synthetic emission points (seeded, uniform inside the towns, lognormal
  loads): hn_geo's canvas points (``L.hnGeo.Points``) against folium's
  ``FastMarkerCluster``;
* ``--buildings N`` synthetic building footprints (seeded L-shapes, 6 vertices, 8-40 m,
  inside the towns) with a solar result's columns (kWp, kWh, kWh/kWp): hn_geo's compact
  encoding (``L.hnGeo.shapes``, quantised delta-coded typed arrays, grid index, aggregate
  at city zoom) against ``folium.GeoJson`` of the same polygons.

Every page is written offline (folium's own scripts inlined by :mod:`hn_geo.render.offline`)
and opened in headless Chromium with every non-file request aborted. Printed per page:
HTML size (MB), build + write (s), load event (s), interactive (s: loaded, decoded and a
click at street zoom answered with a popup), zoom answer (s: a zoom at city view until the
next frame) and pan answer (s: a pan at city zoom until the next frame). The baseline
is skipped above ``--baseline-max`` features (folium's GeoJson of 1M polygons is a
~300 MB page).

    python benchmarks/maps.py --points 100000
    python benchmarks/maps.py --buildings 100000 --buildings 1000000 --baseline-max 100000
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import shapely
from folium.plugins import FastMarkerCluster
from playwright.sync_api import sync_playwright

from hn_geo.core.results import AnalysisResult
from hn_geo.core.settings import STORAGE_CRS
from hn_geo.ground.inputs import Inputs
from hn_geo.render import maps, offline
from hn_geo.workflows.maps import catalog_spec

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
SEED = 20240601


def _inside(towns, n, rng):
    union = shapely.union_all(np.asarray(towns.to_crs("EPSG:4549").geometry.values))
    minx, miny, maxx, maxy = union.bounds
    shapely.prepare(union)
    xs, ys, have = [], [], 0
    while have < n:
        x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
        ok = shapely.contains_xy(union, x, y)
        xs.append(x[ok])
        ys.append(y[ok])
        have += int(ok.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def synthetic_points(towns, n, seed=SEED):
    """``n`` emission points uniformly inside the towns, lognormal loads (t/a)."""
    rng = np.random.default_rng(seed)
    x, y = _inside(towns, n, rng)
    geom = gpd.GeoSeries(shapely.points(x, y), crs="EPSG:4549").to_crs(STORAGE_CRS)
    return gpd.GeoDataFrame({
        "point_id": [f"BM{i:07d}" for i in range(n)],
        "name": [f"示例企业{i:07d}" for i in range(n)],
        "industry_code": rng.choice(["C17", "C18", "C26", "C29", "C33", "C39"], n),
        "town": rng.choice(towns["name"].to_numpy(), n),
        "nox_t": np.round(rng.lognormal(-1, 1.6, n), 3),
        "vocs_t": np.round(rng.lognormal(-0.5, 1.5, n), 3),
        "source": "benchmark: synthetic points (seeded)",
        "approximate": True,
    }, geometry=geom.values, crs=STORAGE_CRS)


def synthetic_buildings(towns, n, seed=SEED):
    """``n`` L-shaped footprints (6 vertices, rotated, 8-40 m) inside the towns, with the
    columns of a solar result."""
    rng = np.random.default_rng(seed)
    cx, cy = _inside(towns, n, rng)
    w, h = rng.uniform(8, 40, n), rng.uniform(8, 40, n)
    a, b = w * rng.uniform(0.4, 0.7, n), h * rng.uniform(0.4, 0.7, n)
    # an L: (0,0) (w,0) (w,b) (a,b) (a,h) (0,h), centred
    px = np.stack([0 * w, w, w, a, a, 0 * w], 1) - w[:, None] / 2
    py = np.stack([0 * h, 0 * h, b, b, h, h], 1) - h[:, None] / 2
    t = rng.uniform(0, math.pi, n)[:, None]
    x = cx[:, None] + px * np.cos(t) - py * np.sin(t)
    y = cy[:, None] + px * np.sin(t) + py * np.cos(t)
    coords = np.stack([np.concatenate([x, x[:, :1]], 1), np.concatenate([y, y[:, :1]], 1)], 2)
    geom = gpd.GeoSeries(shapely.polygons(coords), crs="EPSG:4549")
    area = geom.area.to_numpy()
    kwp = np.round(area * 0.6 * 0.2, 1)
    spec = np.round(rng.uniform(833, 1002, n), 1)
    return gpd.GeoDataFrame({
        "building_id": [f"B{i:07d}" for i in range(n)],
        "town": rng.choice(towns["name"].to_numpy(), n),
        "kwp": kwp, "kwh_year": np.round(kwp * spec), "kwh_per_kwp": spec,
        "approximate": True,
    }, geometry=geom.to_crs(STORAGE_CRS).values, crs=STORAGE_CRS)


# ----------------------------------------------------------------------------- pages
def hn_geo_page(context, name, gdf, out):
    t0 = time.perf_counter()
    if name == "buildings":
        m = maps.result_map(AnalysisResult("solar", layers={"buildings": gdf}), context)
    else:
        m = maps.make_map(context + [maps.LayerSpec(name, gdf)], title="基准测试")
    maps.save_map(m, out)
    var = next(i["var"] for i in m.hn_geo["layers"] if i["name"] == name)
    return time.perf_counter() - t0, var


CLUSTER_CALLBACK = """function (row) {
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {radius: 5});
    marker.bindPopup(String(row[2]));
    return marker;
}"""


def folium_page(context, name, gdf, out):
    """What a folium user writes: FastMarkerCluster of the points, GeoJson of the polygons
    (with a popup of the attributes), over the context layers as GeoJson."""
    t0 = time.perf_counter()
    b = gdf.total_bounds
    m = folium.Map(location=[(b[1] + b[3]) / 2, (b[0] + b[2]) / 2], zoom_start=11, tiles=None, prefer_canvas=True)
    m.options["maxZoom"] = 19  # no tile layer gives one; MarkerCluster needs it
    for s in context:
        folium.GeoJson(s.gdf.to_crs(4326)[[s.gdf.geometry.name]].to_json(), name=s.name).add_to(m)
    g = gdf.to_crs(4326)
    if name == "buildings":
        fields = [c for c in g.columns if c not in (g.geometry.name, "approximate")]
        folium.GeoJson(g.drop(columns="approximate"), name=name,
                       popup=folium.GeoJsonPopup(fields=fields)).add_to(m)
    else:
        data = [[y, x, nm] for y, x, nm in zip(g.geometry.y.tolist(), g.geometry.x.tolist(), g["name"].tolist())]
        FastMarkerCluster(data, name=name, callback=CLUSTER_CALLBACK).add_to(m)
    html = offline.inline_assets(m.get_root().render())
    Path(out).write_text(html, encoding="utf-8")
    return time.perf_counter() - t0, None


# ----------------------------------------------------------------------------- browser
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"
FRAME_JS = """async (what) => {
    const map = FIND_MAP;
    const frame = () => new Promise(res => requestAnimationFrame(() => setTimeout(res, 0)));
    await frame();
    const t0 = performance.now();
    if (what === 'zoom') map.setZoom(map.getZoom() + 1, {animate: false});
    else map.panBy([300, 120], {animate: false});
    await frame();
    return (performance.now() - t0) / 1000;
}""".replace("FIND_MAP", FIND_MAP)

TARGET_JS = """async ([v, lat, lon, street]) => {
    const map = FIND_MAP, l = v ? window[v] : null;
    if (l && l.ready) await l.ready;  // the compact layer decodes in the background
    map.setView([lat, lon], street, {animate: false});
    await new Promise(res => requestAnimationFrame(() => setTimeout(res, 0)));
    const cp = map.latLngToContainerPoint([lat, lon]), r = map.getContainer().getBoundingClientRect();
    return [cp.x + r.left, cp.y + r.top];
}""".replace("FIND_MAP", FIND_MAP)


def target(name, gdf):
    """Where the click goes: the biggest emitter (drawn on top), or a big building's inside."""
    g = gdf.to_crs(4326)
    if name == "buildings":
        i = int(np.argsort(gdf.to_crs("EPSG:4549").area.to_numpy())[-len(gdf) // 50])
        p = g.geometry.iloc[i].representative_point()
    else:
        p = g.geometry.iloc[int(np.argmax(g["vocs_t"].to_numpy()))]
    return p.y, p.x


def measure(browser, out, var, street_zoom, at):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    blocked, errors = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
               else (blocked.append(r.request.url), r.abort()))
    t0 = time.perf_counter()
    page.goto(out.as_uri(), wait_until="load", timeout=600_000)
    t_load = time.perf_counter() - t0
    if var:  # the compact layer decodes after the load event: interactive from then on
        page.evaluate("async (v) => { const l = window[v]; if (l && l.ready) await l.ready; }", var)
    t_ready = time.perf_counter() - t0
    page.evaluate(f"() => {{ const m = {FIND_MAP}; m.setView(m.getCenter(), 11, {{animate: false}}); }}")
    zoom_s = page.evaluate(FRAME_JS, "zoom")
    page.evaluate(f"() => {{ const m = {FIND_MAP}; m.setZoom(11, {{animate: false}}); }}")
    pan_s = page.evaluate(FRAME_JS, "pan")
    xy = page.evaluate(TARGET_JS, [var, at[0], at[1], street_zoom])
    page.mouse.click(*xy)
    popup = True
    try:
        page.wait_for_selector(".leaflet-popup-content", timeout=20_000)
    except Exception:  # noqa: BLE001 -- a baseline that shows no popup is reported, not fatal
        popup = False
    t_inter = time.perf_counter() - t0
    if errors:
        print("    page errors:", errors[:2])
    page.close()
    return {"load": t_load, "ready": t_ready, "interactive": t_inter, "zoom": zoom_s, "pan": pan_s, "popup": popup,
            "blocked": len(blocked), "errors": len(errors)}


def run_case(browser, context, name, gdf, tmp, baseline_max):
    n = len(gdf)
    rows, at = [], target(name, gdf)
    for who, make in (("hn_geo", hn_geo_page), ("folium", folium_page)):
        if who == "folium" and n > baseline_max:
            print(f"  {who:7s} {name} {n:>9,}: skipped (above --baseline-max {baseline_max:,})")
            continue
        out = Path(tmp) / f"{who}_{name}_{n}.html"
        build, var = make(context, name, gdf, out)
        size = out.stat().st_size / 1e6
        r = measure(browser, out, var, 18, at)
        rows.append((who, size, build, r))
        print(f"  {who:7s} {name} {n:>9,}: {size:8.1f} MB  build+write {build:6.1f} s  load {r['load']:6.2f} s  "
              f"decoded {r['ready']:6.2f} s  interactive {r['interactive']:6.2f} s  zoom {r['zoom']:5.2f} s  pan {r['pan']:5.2f} s  "
              f"popup {'yes' if r['popup'] else 'NO'}  blocked {r['blocked']}  errors {r['errors']}", flush=True)
        out.unlink()
    if len(rows) == 2:
        (_, s1, _, r1), (_, s2, _, r2) = rows
        print(f"  ratio folium/hn_geo: size {s2 / s1:.1f}x  interactive {r2['interactive'] / r1['interactive']:.1f}x  "
              f"zoom {r2['zoom'] / max(r1['zoom'], 1e-3):.1f}x")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, action="append", default=[])
    ap.add_argument("--buildings", type=int, action="append", default=[])
    ap.add_argument("--baseline-max", type=int, default=100_000)
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = ap.parse_args()
    if not args.points and not args.buildings:
        args.points = [100_000]
    inputs = Inputs()
    context = [s for n in ("boundary", "towns") if (s := catalog_spec(inputs, n)) is not None]
    towns = next(s.gdf for s in context if s.name == "towns")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"{os.cpu_count()} cores; Chromium {args.chromium}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=LAUNCH_ARGS)
        for n in args.points:
            run_case(browser, context, "emission_points", synthetic_points(towns, n), tmp, args.baseline_max)
        for n in args.buildings:
            run_case(browser, context, "buildings", synthetic_buildings(towns, n), tmp, args.baseline_max)
        browser.close()
    print(f"load average at the end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
