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

import numpy as np
import pytest
import shapely
from click.testing import CliRunner

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.render import maps, offline, palette
from hn_geo.render.maps.layers import LayerSpec
from tests.render.pages import open_page


def _wc(code, lang="zh"):
    """The water block's word for a water class code."""
    from hn_geo import vocabulary

    return vocabulary.word("water_class", code, lang, "water")


def _sections_title(lang="zh"):
    from hn_geo import vocabulary

    return vocabulary.title("layers", "sections", lang, "water")



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
    assert _sections_title("en") in html


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
    assert "镇（街道）（12）" in r.output and f"{_sections_title()}（30）" in r.output and "离线" in r.output
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
def open_map(browser, path):
    return open_page(browser, path, settle_ms=300)


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
    assert {"省控", "交接", _wc("inferior_V"), "未达标"} <= words
    assert not ({"provincial", "inferior_V", "not_met"} & words)  # no raw code reaches the map
    assert m.hn_geo["layers"] and "水环境质量评价" in page


def test_browser_data_values_are_escaped(browser, frames, tmp_path):
    """Names with markup are shown as text in popups and search results, never run."""
    evil = frames["towns"].copy()
    name = "</script><script>window.pwned=1</script><b>x</b>"
    evil.loc[evil.index[0], "name"] = name
    path = maps.save_map(maps.make_map({"towns": evil}, title="<i>t</i>"), tmp_path / "evil.html")
    text = path.read_text(encoding="utf-8")
    assert "</script><script>window.pwned" not in text and "\\u0026lt;i\\u0026gt;t" in text  # HTML text, in JSON
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
