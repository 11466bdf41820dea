"""Tests of hn_geo.render.maps / offline and `hn-geo map`, with real maps opened in Chromium.

The browser tests open the written HTML in headless Debian Chromium through
Playwright with every request that is not a file:// or data: URL aborted and
recorded, and look at what Leaflet drew. They skip only when no browser can
be launched.
"""
from __future__ import annotations

import json
import math
import re
import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.render import maps, offline, palette
from hn_geo.render.maps import registry, styles, values
from hn_geo.render.maps.layers import LayerSpec

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


# ----------------------------------------------------------------------------- test data
def grid_towns(nx=4, ny=3, size_m=6000.0):
    """12 square 'towns' tiling a block near Haining (a clean coverage), in EPSG:4490."""
    x0, y0 = 520000.0, 3372000.0  # EPSG:4549 metres, about 120.2E 30.5N
    cells, rows = [], []
    for j in range(ny):
        for i in range(nx):
            k = j * nx + i
            # a wiggly shared edge so simplification has work to do
            xs = np.linspace(0, size_m, 60)
            bottom = [(x0 + i * size_m + x, y0 + j * size_m + 40 * math.sin(x / 300 + j)) for x in xs]
            top = [(x0 + i * size_m + x, y0 + (j + 1) * size_m + 40 * math.sin(x / 300 + j + 1))
                   for x in xs[::-1]]
            cells.append(shapely.Polygon(bottom + top))
            rows.append({"code": f"33048110{k:02d}", "name": f"测试镇{k + 1}", "kind": "镇",
                         "target_basic": 15.0 + k, "target_incentive": 16.0 + k,
                         "approximate": True, "source": "synthetic test grid"})
    return gpd.GeoDataFrame(rows, geometry=cells, crs=METRIC_CRS).to_crs(STORAGE_CRS)


def sample_points(towns, n, seed):
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = towns.total_bounds
    x = rng.uniform(minx + 0.002, maxx - 0.002, n)
    y = rng.uniform(miny + 0.002, maxy - 0.002, n)
    return shapely.points(x, y)


def water_sections(towns, n=30):
    rng = np.random.default_rng(7)
    classes = np.array(["I", "II", "III", "IV", "V", "inferior_V"])
    wc = classes[np.arange(n) % 6]
    cod = rng.uniform(5, 30, n)
    cod[::5] = np.nan
    return gpd.GeoDataFrame({
        "section_id": [f"S{i:03d}" for i in range(n)], "name": [f"断面{i}" for i in range(n)],
        "river": "长山河", "section_type": "municipal", "water_body": "river", "target_class": "III",
        "water_class": wc, "status": np.where(np.isin(wc, ["I", "II", "III"]), "met", "not_met"),
        "sampled": pd.date_range("2025-01-05", periods=n, freq="7D"),
        "cod_mg_l": cod, "approximate": False,
    }, geometry=sample_points(towns, n, 3), crs=STORAGE_CRS)


def emission_points(towns, n=5000):
    rng = np.random.default_rng(11)
    nox = rng.lognormal(0, 1.5, n)
    nox[::3] = 0.0
    return gpd.GeoDataFrame({
        "point_id": [f"E{i:06d}" for i in range(n)], "name": [f"企业{i}" for i in range(n)],
        "industry_code": rng.choice(["C17", "C26", "C39"], n),
        "town": rng.choice(towns["name"].to_numpy(), n),
        "nox_t": nox, "vocs_t": rng.lognormal(0, 1.2, n), "cod_t": rng.lognormal(-1, 1, n),
        "nh3n_t": rng.lognormal(-3, 1, n), "approximate": True,
    }, geometry=sample_points(towns, n, 5), crs=STORAGE_CRS)


def rivers(towns):
    minx, miny, maxx, maxy = towns.total_bounds
    lines = [shapely.LineString([(minx, miny + f * (maxy - miny)), (maxx, miny + (f + 0.1) * (maxy - miny))])
             for f in (0.2, 0.5, 0.8)]
    return gpd.GeoDataFrame({"river_id": ["R1", "R2", "R3"], "name": ["长山河", "洛塘河", "上塘河"],
                             "sea_entry": [True, False, False]}, geometry=lines, crs=STORAGE_CRS)


def has_text(page, text):
    """Text is in the page, as is or JSON-escaped (Folium writes non-ASCII as \\uXXXX)."""
    return text in page or json.dumps(text)[1:-1] in page


def attributions(page):
    return [json.loads(m) for m in re.findall(r'"attribution":\s*("(?:[^"\\]|\\.)*")', page)]


def layer_data(page, var):
    """The data block and the options of a FeatureLayer/PointsLayer in a written page."""
    data = re.search(rf'<script type="application/json" id="{var}_data">(.*?)</script>', page, re.S)
    opts = re.search(rf'var {var} = L\.hnGeo\.\w+\(\s*JSON\.parse\([^)]*\)\.textContent\),\s*(\{{.*?\}})\);',
                     page, re.S)
    return json.loads(data.group(1)), json.loads(opts.group(1))


SECTION_LABELS = {"cod_mg_l": ("化学需氧量 (mg/L)", "COD (mg/L)")}
SECTION_CODES = {"water_class": "water_class", "target_class": "water_class", "status": "status",
                 "section_type": "section_type", "water_body": "water_body"}


def section_spec(gdf):
    """The sections as a water result layer: its words from the water block, its codes declared."""
    return LayerSpec("sections", gdf, scope="water", codes=SECTION_CODES)


@pytest.fixture(scope="module")
def frames():
    towns = grid_towns()
    return {"towns": towns, "rivers": rivers(towns), "sections": water_sections(towns),
            "emission_points": emission_points(towns)}


# ----------------------------------------------------------------------------- pure functions
def test_scale_params_follow_zoom():
    b = (120.3, 30.26, 120.86, 30.59)
    p = maps.scale_params(b)
    assert 9 <= p["fit_zoom"] <= 12
    assert p["detail_zoom"] == p["fit_zoom"] + 4
    closer = maps.scale_params(b, detail_zoom=p["detail_zoom"] + 2)
    assert closer["tolerance_m"] == pytest.approx(p["tolerance_m"] / 4)
    assert closer["decimals"] >= p["decimals"]
    # half a pixel at the detail zoom is resolved by the decimals kept
    assert 10 ** -p["decimals"] * 111_320 <= p["tolerance_m"]
    assert maps.pixel_size_m(0, 0) == pytest.approx(156543.03, rel=1e-6)


def test_simplify_keeps_shared_borders_and_cuts_vertices(frames):
    towns = frames["towns"]
    tol = 30.0
    out = maps.simplify_for_map(towns, tol, 5)
    before = shapely.get_num_coordinates(np.asarray(towns.geometry.values)).sum()
    after = shapely.get_num_coordinates(np.asarray(out.geometry.values)).sum()
    assert after < before / 2
    # coverage simplification: no gaps or overlaps appear between neighbours
    m = out.to_crs(METRIC_CRS)
    union_area = shapely.union_all(np.asarray(m.geometry.values)).area
    assert abs(m.area.sum() - union_area) < 1e-3 * union_area
    # each border moved by at most the tolerance plus the rounding grid (~1 m)
    orig = towns.to_crs(METRIC_CRS).geometry.values
    hd = shapely.hausdorff_distance(np.asarray(orig), np.asarray(m.geometry.values))
    assert hd.max() <= tol + 2
    # coordinates are cut to 5 decimals
    xy = shapely.get_coordinates(np.asarray(out.geometry.values))
    assert np.allclose(xy, np.round(xy, 5), atol=1e-9)


def test_popup_values_are_presented_words_dates_and_short_numbers():
    gdf = gpd.GeoDataFrame({
        "when": pd.to_datetime(["2025-03-01", None, "2025-03-02 10:30"], format="ISO8601"),
        "x": [1.23456, np.nan, 12345.6],
        "ok": [True, False, None],
        "status": ["met", "not_met", None],
        "s": pd.array(["a", None, "b"], dtype="string[pyarrow]"),
        "build_type": ["new", "existing", "expansion"],
    }, geometry=shapely.points([[0, 0]] * 3), crs=STORAGE_CRS)
    spec = LayerSpec("projects", gdf, scope="zoning", codes={"status": "status", "build_type": "project_status"})
    fields = [c for c in gdf.columns if c != "geometry"]
    out = {c: v.tolist() for c, v in values.shown_values(gdf, fields, spec, "zh").items()}
    json.dumps(out, ensure_ascii=False)  # everything is JSON text or null
    assert out["when"] == ["2025-03-01", None, "2025-03-02 10:30"]
    assert out["x"][1] is None and out["x"][2] == "12,346"
    assert out["ok"] == ["是", "否", None]
    assert out["status"] == ["达标", "未达标", None]
    assert out["s"] == ["a", None, "b"]
    assert out["build_type"] == ["新建", "现有", "改扩建"]
    en = values.shown_values(gdf, ["status", "build_type"], spec, "en")
    assert en["status"].tolist() == ["met", "not met", None] and en["build_type"].tolist()[0] == "new"


def test_graduated_classes_put_zero_loads_lowest():
    v = np.r_[np.zeros(50), np.arange(1, 101, dtype=float), np.nan]
    cls, breaks = registry.graduated_classes(v)
    assert cls[:50].max() == 0 and cls[-1] == 0
    assert cls[-2] == 4  # the largest load is in the top class
    assert np.all(np.diff(cls[50:-1]) >= 0)  # classes grow with the load
    assert breaks[0] == 0 and breaks[-1] == 100
    assert np.bincount(cls[50:-1], minlength=5)[4] <= 2  # top class ~ the top 1 %


def test_water_class_colours_and_names():
    g = gpd.GeoDataFrame({"water_class": ["III", "inferior_V", "II", None],
                          "status": ["met", "not_met", "met", None]},
                         geometry=shapely.points([[0, 0]] * 4), crs=STORAGE_CRS)
    st = styles.water_class_style(g, "water_class", "水质类别", "zh", status="status", status_title="达标情况",
                                  scope="water")
    fills = [s["fillColor"] for s in st.styles]
    r, gr, b = (int(fills[1][k:k + 2], 16) for k in (1, 3, 5))
    assert r > 200 and gr < 60 and b < 60  # 劣V red
    r, gr, b = (int(fills[0][k:k + 2], 16) for k in (1, 3, 5))
    assert gr > r and gr > b  # III green
    r, gr, b = (int(fills[2][k:k + 2], 16) for k in (1, 3, 5))
    assert b > r and b > gr  # II blue
    assert fills[3] == palette.NO_DATA
    assert "Ⅲ类 良好" in st.legend and "劣Ⅴ类 重度污染" in st.legend and "无数据" in st.legend
    # the outline is the status colour of the same table as everywhere
    assert st.styles[1]["color"] == palette.status_colour("not_met") and st.styles[1]["weight"] == 3
    assert st.styles[0]["color"] == palette.status_colour("met")
    assert "未达标（粗边框）" in st.legend
    en = styles.water_class_style(g, "water_class", "water class", "en", scope="water")
    assert "worse than V heavily polluted" in en.legend and not vocabulary.has_cjk(en.legend)


def test_control_unit_and_choropleth_styles():
    g = gpd.GeoDataFrame({"unit_type": ["priority", "key", "general"], "v": [1.0, np.nan, 3.0]},
                         geometry=[shapely.box(0, 0, 1, 1)] * 3, crs=STORAGE_CRS)
    spec = LayerSpec("control_units", g, codes={"unit_type": "unit_type"})
    st = registry.style_for(spec, g)
    assert [s["fillColor"] for s in st.styles] == [palette.FAMILY_COLOURS["unit_type"][k] for k in g["unit_type"]]
    assert "优先保护" in st.legend and "重点管控" in st.legend
    # a catalog layer still holding words is read like the readers read it: same colours
    words = g.assign(unit_type=["优先保护", "重点管控", "一般管控"])
    st2 = registry.style_for(LayerSpec("control_units", words), words)
    assert [s["fillColor"] for s in st2.styles] == [s["fillColor"] for s in st.styles]
    towns = LayerSpec("towns", g, color_by="v")
    ch = registry.style_for(towns, g)
    assert ch.styles[1]["fillColor"] == palette.NO_DATA
    assert ch.styles[0]["fillColor"] != ch.styles[2]["fillColor"]
    assert "hn-ramp" in ch.legend
    with pytest.raises(HnGeoError) as exc:
        registry.style_for(LayerSpec("towns", g, color_by="nope"), g)
    assert exc.value.code == "render.no_column" and "no column 'nope'" in exc.value.render("en")


def test_offline_inlines_folium_defaults_and_refuses_unknown_remote():
    import folium

    page = folium.Map(tiles=None).get_root().render()
    assert offline.remote_references(page)  # folium's default page loads from CDNs
    out = offline.inline_assets(page)
    assert offline.remote_references(out) == []
    assert "L.version" in out or "Leaflet" in out
    assert "url(images/" not in out  # leaflet.css images became data: URIs
    bad = page.replace("</head>", '<script src="https://example.org/plugin.js"></script></head>')
    with pytest.raises(HnGeoError, match="no local copy of https://example.org/plugin.js"):
        offline.inline_assets(bad)


def test_map_html_offline_has_everything_inline(frames, tmp_path):
    m = maps.make_map([LayerSpec("towns", frames["towns"]), section_spec(frames["sections"])],
                      labels=SECTION_LABELS)
    path = maps.save_map(m, tmp_path / "m.html")
    page = path.read_text(encoding="utf-8")
    assert offline.remote_references(page) == []
    assert "L.hnGeo" in page and "bootstrap" not in page.lower()
    assert "示意数据" in page  # towns are approximate
    assert has_text(page, "采样日期") and has_text(page, "水质类别") and has_text(page, "化学需氧量 (mg/L)")
    online = maps.map_html(maps.make_map({"towns": frames["towns"]}, offline=False))
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in online
    with pytest.raises(HnGeoError) as exc:
        maps.save_map(m, tmp_path / "m.png")
    assert exc.value.code == "render.not_html" and "html" in exc.value.render("en")


def test_basemaps_set_urls_attribution_and_gcj02_shift(frames, monkeypatch):
    towns = frames["towns"]
    osm = maps.map_html(maps.make_map({"towns": towns}, basemap="osm"))
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in osm
    assert any("OpenStreetMap</a> contributors" in a for a in attributions(osm))
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(HnGeoError) as exc:
        maps.make_map({"towns": towns}, basemap="tianditu-vec")
    assert "Tianditu basemaps need a key" in exc.value.render("en") and "天地图" in str(exc.value)
    monkeypatch.setenv("TIANDITU_KEY", "abc123")
    tdt = maps.map_html(maps.make_map({"towns": towns}, basemap="tianditu-img"))
    assert "img_w/wmts" in tdt and "cia_w/wmts" in tdt and "tk=abc123" in tdt
    assert all("天地图" in a for a in attributions(tdt)) and len(attributions(tdt)) == 2
    # AMap: the drawn coordinates are GCJ-02, about 500 m off WGS84 here
    plain = maps.make_map({"sections": frames["sections"]})
    amap = maps.make_map({"sections": frames["sections"]}, basemap="amap")
    amap_html = maps.map_html(amap)
    assert "autonavi.com" in amap_html and any("Gaode.com" in a for a in attributions(amap_html))

    def first_point(m):
        html = maps.map_html(m)
        pt = re.search(r'"coordinates":\s*\[\s*([\d.]+),\s*([\d.]+)\s*\]', html)
        return float(pt.group(1)), float(pt.group(2))

    (x0, y0), (x1, y1) = first_point(plain), first_point(amap)
    shift_m = math.hypot((x1 - x0) * 96_000, (y1 - y0) * 111_000)
    assert 300 < shift_m < 800


def test_english_labels(frames):
    html = maps.map_html(maps.make_map([section_spec(frames["sections"])], lang="en", labels=SECTION_LABELS))
    assert "water class" in html and "sampling date" in html and "Search towns" in html
    assert "not met" in html and "worse than V" in html
    assert not has_text(html, "水质类别") and not has_text(html, "未达标")
    assert "Water monitoring sections" in html


def test_bad_input_errors(frames):
    def code(exc):
        return exc.value.code

    with pytest.raises(HnGeoError) as exc:
        maps.make_map({"towns": frames["towns"]}, color_by={"rivers": "name"})
    assert code(exc) == "render.color_by_not_on_map" and "not on the map" in exc.value.render("en")
    with pytest.raises(HnGeoError) as exc:
        maps.make_map({"towns": frames["towns"].iloc[:0]})
    assert "no features" in exc.value.render("en")
    with pytest.raises(HnGeoError) as exc:
        maps.make_map({"towns": frames["towns"]}, basemap="google")
    assert "unknown basemap" in exc.value.render("en") and "未知底图" in exc.value.render("zh")
    holes = frames["sections"].copy()
    holes.loc[holes.index[:3], "geometry"] = None
    with pytest.warns(HnGeoWarning) as rec:
        m = maps.make_map({"sections": holes})
    assert "3 of 30 feature" in rec[0].message.render("en")
    assert m.hn_geo["layers"][0]["features"] == 27


def test_offline_inlines_markercluster_for_other_folium_maps(frames):
    import folium
    from folium.plugins import MarkerCluster

    m = maps.make_map({"towns": frames["towns"]})
    cluster = MarkerCluster(name="cluster").add_to(m)
    for pt in frames["sections"].geometry.iloc[:5]:
        folium.CircleMarker([pt.y, pt.x], radius=4).add_to(cluster)
    page = maps.map_html(m)
    assert offline.remote_references(page) == []
    assert "L.MarkerClusterGroup" in page and ".marker-cluster-small" in page


# ----------------------------------------------------------------------------- CLI
def test_cli_user_files_color_by_and_errors(frames, tmp_path):
    from hn_geo.cli import main
    from hn_geo.render.writers import write_geojson, write_gpkg

    towns = tmp_path / "my_towns.geojson"
    write_geojson(frames["towns"], towns)
    res = tmp_path / "water_layers.gpkg"
    write_gpkg(frames["sections"], res, layer="sections")
    out = tmp_path / "maps" / "t.html"
    r = CliRunner().invoke(main, ["map", "--file", f"towns:{towns}", "--result", f"sections:{res}",
                                  "--color-by", "towns:target_basic", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "镇（街道）（12）" in r.output and "水质监测断面（30）" in r.output and "离线" in r.output
    page = out.read_text(encoding="utf-8")
    assert offline.remote_references(page) == [] and has_text(page, "能耗强度降低基本目标")
    r = CliRunner().invoke(main, ["map", "--file", f"towns:{towns}", "--color-by", "towns:nope",
                                  "--out", str(out), "--lang", "en"])
    assert r.exit_code != 0 and "no column 'nope'" in r.output
    r = CliRunner().invoke(main, ["map", "--layers", "towns,lakes", "--out", str(out)])
    assert r.exit_code != 0 and "lakes" in r.output and "未知图层" in r.output
    r = CliRunner().invoke(main, ["map", "--help"])
    assert "Offline (the default)" in r.output


# ----------------------------------------------------------------------------- in the browser
@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    except Exception as exc:  # no Chromium on this machine
        pw.stop()
        pytest.skip(f"no headless Chromium can be launched at {CHROMIUM}: {exc}")
    yield b
    b.close()
    pw.stop()


def open_map(browser, path):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
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
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    return page


COUNT_JS = """
(v) => {
  const lyr = window[v];
  if (lyr instanceof L.hnGeo.Points) return {drawn: lyr.drawn, svg: 0};
  let drawn = 0, svg = 0;
  lyr.eachLayer(l => {
    if (!l._map) return;
    if (l._renderer instanceof L.Canvas) {
      if (l._renderer._layers[L.stamp(l)] && !(l._empty && l._empty())) drawn++;
    } else if (l._path && l._path.isConnected && l._path.getAttribute('d')) { drawn++; svg++; }
  });
  return {drawn, svg};
}
"""


def map_var(page):
    return page.evaluate("() => Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)")


def click_latlng(page, mvar, lat, lon):
    pt = page.evaluate(f"([a, b]) => {{ const p = {mvar}.latLngToContainerPoint([a, b]);"
                       f" const r = {mvar}.getContainer().getBoundingClientRect();"
                       " return [p.x + r.left, p.y + r.top]; }", [lat, lon])
    page.mouse.click(pt[0], pt[1])
    page.wait_for_timeout(150)
    # the newest popup (a closed one fades out for 200 ms before it leaves the page)
    return page.evaluate("() => { const p = [...document.querySelectorAll('.leaflet-popup-content')].pop();"
                         " return p ? p.innerText : null; }")


def close_popup(page, mvar):
    """Close the open popup and let its 200 ms fade-out end (until then it still catches clicks)."""
    page.evaluate(f"() => {mvar}.closePopup()")
    page.wait_for_function("() => !document.querySelector('.leaflet-popup')", timeout=5000)


def test_browser_map_draws_everything_offline(browser, frames, tmp_path):
    specs = [section_spec(frames["sections"]) if n == "sections" else LayerSpec(n, g) for n, g in frames.items()]
    m = maps.make_map(specs, labels=SECTION_LABELS, title="测试")
    path = maps.save_map(m, tmp_path / "full.html")
    page = open_map(browser, path)
    try:
        assert page.errors == []
        assert page.blocked == []
        listed = page.eval_on_selector_all(".leaflet-control-layers-overlays input + span",
                                           "els => els.map(e => e.textContent.trim())")
        titles = [i["title"] for i in m.hn_geo["layers"]]
        assert sorted(listed) == sorted(titles)
        for info in m.hn_geo["layers"]:
            n = page.evaluate(COUNT_JS, info["var"])
            assert n["drawn"] == len(frames[info["name"]]), info["name"]
            if info["name"] == "sections":
                assert n["svg"] == len(frames["sections"])
        mvar = map_var(page)
        # a town: click inside a cell away from points -> popup with the Chinese schema fields
        town = frames["towns"].iloc[5]
        rp = shapely.Point(town.geometry.centroid.x, town.geometry.centroid.y)
        pts = np.asarray(frames["emission_points"].geometry.values)
        dist = shapely.distance(pts, rp)
        assert dist.min() > 0  # sanity
        page.evaluate(f"() => {{ {mvar}.setView([{rp.y}, {rp.x}], 15, {{animate: false}}); }}")
        page.evaluate("(v) => window[v].remove()", next(i["var"] for i in m.hn_geo["layers"]
                                                      if i["name"] == "emission_points"))
        text = click_latlng(page, mvar, rp.y, rp.x)
        assert text is not None and "镇（街道）" in text and town["name"] in text
        assert "能耗强度降低基本目标 (%)" in text
        # a section (SVG circle above the canvas)
        sec = frames["sections"].iloc[4]
        close_popup(page, mvar)
        page.evaluate(f"() => {mvar}.setView([{sec.geometry.y}, {sec.geometry.x}], 16, {{animate: false}})")
        text = click_latlng(page, mvar, sec.geometry.y, sec.geometry.x)
        assert "断面名称" in text and sec["name"] in text and "水质类别" in text and "未达标" in text
        assert "采样日期" in text and "2025-" in text
        assert page.errors == [] and page.blocked == []
    finally:
        page.close()


def test_browser_points_popup_search_measure_fullscreen(browser, frames, tmp_path):
    m = maps.make_map({"towns": frames["towns"], "emission_points": frames["emission_points"]})
    path = maps.save_map(m, tmp_path / "pts.html")
    page = open_map(browser, path)
    try:
        mvar = map_var(page)
        pvar = next(i["var"] for i in m.hn_geo["layers"] if i["name"] == "emission_points")
        # the largest emitter: zoom to it and click it
        ep = frames["emission_points"]
        big = ep.loc[ep["vocs_t"].idxmax()]
        page.evaluate(f"() => {mvar}.setView([{big.geometry.y}, {big.geometry.x}], 17, {{animate: false}})")
        page.wait_for_timeout(100)
        text = click_latlng(page, mvar, big.geometry.y, big.geometry.x)
        assert text is not None and "企业名称" in text and big["name"] in text
        assert "挥发性有机物排放量 (t/a)" in text
        assert page.evaluate(f"() => window['{pvar}'].drawn") >= 1
        # search a town by name -> the view moves there and its popup opens
        close_popup(page, mvar)
        page.fill(".hn-search-input", "测试镇7")
        page.wait_for_timeout(100)
        assert page.eval_on_selector_all(".hn-search-list li", "els => els.length") >= 1
        page.press(".hn-search-input", "Enter")
        page.wait_for_timeout(200)
        text = page.evaluate("() => [...document.querySelectorAll('.leaflet-popup-content')].pop().innerText")
        assert "测试镇7" in text
        c = page.evaluate(f"() => {mvar}.getCenter()")
        t7 = frames["towns"].iloc[6].geometry
        assert t7.contains(shapely.Point(c["lng"], c["lat"]))
        # measure: two clicks 0.01 degree of latitude apart -> about 1.11 km
        close_popup(page, mvar)
        page.evaluate(f"() => {mvar}.setView([{t7.centroid.y}, {t7.centroid.x}], 14, {{animate: false}})")
        page.click(".hn-measure a")
        click_latlng(page, mvar, t7.centroid.y - 0.005, t7.centroid.x)
        click_latlng(page, mvar, t7.centroid.y + 0.005, t7.centroid.x)
        result = page.inner_text(".hn-measure-result")
        found = re.search(r"([\d.]+) km", result)
        assert found, result
        km = float(found.group(1))
        assert km == pytest.approx(1.11, abs=0.02)
        page.keyboard.press("Escape")
        # full screen (real API or the CSS fallback)
        page.click(".hn-fullscreen a")
        page.wait_for_timeout(200)
        assert page.evaluate(f"() => document.fullscreenElement === {mvar}.getContainer() || "
                             f"{mvar}.getContainer().classList.contains('hn-pseudo-fullscreen')")
        assert page.errors == [] and page.blocked == []
    finally:
        page.close()


def test_browser_overview_cli_map(browser, tmp_path):
    from hn_geo.cli import main
    from hn_geo.ground.catalog import default_path

    if not default_path("towns").exists():
        pytest.skip("embedded layers not present")
    out = tmp_path / "overview.html"
    r = CliRunner().invoke(main, ["map", "--out", str(out)])
    assert r.exit_code == 0, r.output
    page = open_map(browser, out)
    try:
        assert page.errors == [] and page.blocked == []
        listed = page.eval_on_selector_all(".leaflet-control-layers-overlays input + span",
                                           "els => els.map(e => e.textContent.trim())")
        assert "镇（街道）" in listed and "海宁市行政边界" in listed
        assert "示意数据" in page.inner_text(".hn-caption")
        assert page.eval_on_selector_all(".leaflet-control-scale-line", "els => els.length") >= 1
        page.screenshot(path=str(tmp_path / "overview.png"))
    finally:
        page.close()


def test_result_map_colours_status_and_mixed_geometries(frames, zoning_result):
    towns = frames["towns"]
    c = towns.to_crs(METRIC_CRS).geometry.centroid.to_crs(STORAGE_CRS).to_numpy()
    projects = zoning_result.layers["projects"].copy()
    projects["geometry"] = [c[0], c[1], towns.geometry.iloc[2].buffer(-0.01), c[3]]
    zoning_result.layers["projects"] = projects
    m = maps.result_map(zoning_result)
    titles = {i["name"]: i["title"] for i in m.hn_geo["layers"]}
    assert titles["violations"] == "不符合准入要求的项目"
    page = maps.map_html(m)
    # the status colours: from the codes, through the vocabulary's one table
    var = next(i["var"] for i in m.hn_geo["layers"] if i["name"] == "projects")
    data, options = layer_data(page, var)
    status = next(c for c in data["cols"] if c["l"] == "审查结论")

    def cell(col, i):
        return col["d"][col["c"][i]] if "c" in col else col["v"][i]

    colour = {cell(status, f["properties"]["_i"]): options["styles"][f["properties"]["_s"]]["fillColor"]
              for f in data["fc"]["features"]}
    assert colour == {vocabulary.word("status", k, "zh"): palette.status_colour(k)
                      for k in ("pass", "fail", "warn", "review")}
    build = next(c for c in data["cols"] if c["l"] == "建设性质")
    assert {cell(build, i) for i in range(4)} == {"新建", "改扩建", "现有"}
    # points of a mixed layer are circle markers, never Leaflet's default image markers
    kinds = {f["geometry"]["type"] for f in data["fc"]["features"]}
    assert kinds == {"Point", "Polygon"} and options["markerPane"] == maps.MARKER_PANE


def test_context_layers_keep_their_own_labels(frames, water_result):
    """A towns layer on the water map is labelled as towns, the sections as sections."""
    context = [LayerSpec("towns", frames["towns"])]
    m = maps.result_map(water_result, context, lang="zh")
    page = maps.map_html(m)
    by_name = {i["name"]: i for i in m.hn_geo["layers"]}
    towns, _ = layer_data(page, by_name["towns"]["var"])
    sections, _ = layer_data(page, by_name["sections"]["var"])
    assert [c["l"] for c in towns["cols"]][:2] == ["乡镇代码", "镇（街道）"]
    assert [c["l"] for c in sections["cols"]][:2] == ["断面编号", "断面名称"]
    assert "断面类型" in [c["l"] for c in sections["cols"]]
    words = {v for c in sections["cols"] for v in (c.get("d") or c.get("v") or []) if v}
    assert {"省控", "交接", "劣Ⅴ类", "未达标"} <= words
    assert not ({"provincial", "inferior_V", "not_met"} & words)  # no raw code reaches the map
    assert m.hn_geo["layers"] and "水环境质量评价" in page


def test_browser_data_values_are_escaped(browser, frames, tmp_path):
    """Names with markup are shown as text in popups and search results, never run."""
    evil = frames["towns"].copy()
    name = "</script><script>window.pwned=1</script><b>x</b>"
    evil.loc[evil.index[0], "name"] = name
    path = maps.save_map(maps.make_map({"towns": evil}, title="<i>t</i>"), tmp_path / "evil.html")
    text = path.read_text(encoding="utf-8")
    assert "</script><script>window.pwned" not in text and "&lt;i&gt;t&lt;/i&gt;" in text
    page = open_map(browser, path)
    try:
        assert page.errors == [] and page.evaluate("() => window.pwned") is None
        mvar = map_var(page)
        town = evil.iloc[0].geometry.representative_point()
        page.evaluate(f"() => {mvar}.setView([{town.y}, {town.x}], 14, {{animate: false}})")
        shown = click_latlng(page, mvar, town.y, town.x)
        assert shown is not None and "<b>x</b>" in shown
        assert page.evaluate("() => document.querySelectorAll('.leaflet-popup-content b').length") == 0
        assert page.inner_text(".hn-title") == "<i>t</i>"
        assert page.evaluate("() => window.pwned") is None
    finally:
        page.close()
