"""The maps of a run answer clicks: every generated map, in headless Chromium, with the city
boundary drawn.

The run's four analyses are computed once on the embedded data (module fixture); the five
maps a run writes (overview, water, zoning, solar, targets) are written from them as
``hn-geo run`` writes them, and every town's middle is clicked on each: the popup must be
that town's, not the boundary's (an unfilled polygon on the shared canvas used to answer
every click and hover inside Haining). Every basemap, AMap's GCJ-02 shift included, must
build.
"""
from __future__ import annotations

import re
import warnings

import pytest

from hn_geo.core.settings import METRIC_CRS
from hn_geo.ground.inputs import Inputs
from hn_geo.render import maps
from hn_geo.render.labels import layer_title
from hn_geo.render.maps.basemaps import BASEMAPS
from hn_geo.workflows import maps as wf_maps
from tests.render.test_maps import click_latlng, map_var, open_map

pytestmark = pytest.mark.slow
MAPS = ("overview", "water", "zoning", "solar", "targets")


@pytest.fixture(scope="module")
def run_results(tmp_path_factory):
    """The four analyses of a run on the embedded data (as the pipeline calls them)."""
    from hn_geo.workflows import solar, targets, water, zoning

    out = tmp_path_factory.mktemp("run")
    inputs = Inputs()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = [mod.run(inputs, out / mod.__name__.rsplit(".", 1)[1]).result
                   for mod in (water, zoning, solar, targets)]
    return inputs, results, out


class _quiet(warnings.catch_warnings):
    """Warnings of the embedded data (known, counted elsewhere) ignored."""

    def __enter__(self):
        super().__enter__()
        warnings.simplefilter("ignore")


@pytest.fixture(scope="module")
def run_maps(run_results):
    inputs, results, out = run_results
    with _quiet():
        files = wf_maps.run(inputs, out / "maps", results=results).files
    by_name = {p.stem: p for p in files}
    assert sorted(by_name) == sorted(MAPS)
    return by_name


def close_popup(page, mvar):
    """Close the open popup and wait for its fade-out (until then it still catches clicks)."""
    page.evaluate(f"() => {{ {mvar}.closePopup(); }}")
    page.wait_for_function("() => !document.querySelector('.leaflet-popup')", timeout=5000)


def town_middles(inputs):
    """Each town's name and a point well inside it (WGS84 lat, lon)."""
    towns = inputs.layer("towns")
    pts = towns.to_crs(METRIC_CRS).geometry.representative_point().to_crs("EPSG:4326")
    return [(name, p.y, p.x) for name, p in zip(towns["name"], pts)]


@pytest.mark.parametrize("name", MAPS)
def test_browser_click_in_every_town_gets_that_towns_popup(browser, run_results, run_maps, name):
    inputs = run_results[0]
    path = run_maps[name]
    page = open_map(browser, path)
    try:
        assert page.errors == [] and page.blocked == []
        mvar = map_var(page)
        # the boundary is drawn (ticked in the layer control)
        ticked = page.eval_on_selector_all(".leaflet-control-layers-overlays label",
                                           "els => els.filter(e => e.querySelector('input').checked)"
                                           ".map(e => e.innerText.trim())")
        assert layer_title("boundary", "zh") in ticked, ticked
        hits = {}
        for town, lat, lon in town_middles(inputs):
            page.evaluate(f"([a, b]) => {{ {mvar}.setView([a, b], {mvar}.getZoom(), {{animate: false}}); }}", [lat, lon])
            text = click_latlng(page, mvar, lat, lon)
            hits[town] = text is not None and town in text
            if text is not None:
                close_popup(page, mvar)
        missed = [t for t, ok in hits.items() if not ok]
        assert not missed, f"{name}: clicks in {missed} did not get the town's popup"
        assert page.errors == []
    finally:
        page.close()


def test_browser_hover_names_the_town_not_the_city(browser, run_results, run_maps):
    inputs = run_results[0]
    page = open_map(browser, run_maps["water"])
    try:
        mvar = map_var(page)
        for town, lat, lon in town_middles(inputs)[:4]:
            page.evaluate(f"([a, b]) => {{ {mvar}.setView([a, b], {mvar}.getZoom(), {{animate: false}}); }}", [lat, lon])
            pt = page.evaluate(f"([a, b]) => {{ const p = {mvar}.latLngToContainerPoint([a, b]);"
                               f" const r = {mvar}.getContainer().getBoundingClientRect();"
                               " return [p.x + r.left, p.y + r.top]; }", [lat, lon])
            page.mouse.move(pt[0] - 3, pt[1] - 3)
            page.mouse.move(pt[0], pt[1])
            page.wait_for_timeout(150)
            tip = page.evaluate("() => [...document.querySelectorAll('.leaflet-tooltip')].map(e => e.innerText).join('|')")
            assert town in tip and "海宁市" not in tip, (town, tip)
    finally:
        page.close()


@pytest.mark.parametrize("name", MAPS)
def test_pages_have_a_title_and_a_metric_scale(browser, run_maps, name):
    page = open_map(browser, run_maps[name])
    try:
        title = page.title()
        assert title and "html" not in title.lower()
        scale = page.eval_on_selector_all(".leaflet-control-scale-line", "els => els.map(e => e.innerText)")
        assert scale and all(re.fullmatch(r"\d+ k?m", s.strip()) for s in scale), scale
    finally:
        page.close()


def test_every_basemap_builds_each_map(run_results, tmp_path):
    """AMap (GCJ-02-shifted data) and every other basemap: every map of a run is written."""
    inputs, results, _ = run_results
    for basemap in BASEMAPS:
        with _quiet():
            files = wf_maps.run(inputs, tmp_path / basemap, results=results, basemap=basemap,
                                tianditu_key="test-key" if basemap.startswith("tianditu") else None).files
        assert sorted(p.stem for p in files) == sorted(MAPS), basemap
        page = files[0].read_text(encoding="utf-8")
        assert "<title>" in page
    m = maps.overview_map({"boundary": inputs.layer("boundary"), "water_source": inputs.layer("water_source")},
                          basemap="amap")
    assert m.hn_geo["gcj02"] is True


def test_browser_online_map_without_network_says_so(browser, run_results, tmp_path):
    """An --online map opened with no network shows a message, not a blank page."""
    inputs = run_results[0]
    m = maps.make_map({"towns": inputs.layer("towns")}, offline=False)
    path = maps.save_map(m, tmp_path / "online.html")
    page = open_map(browser, path)
    try:
        assert page.blocked  # Leaflet was asked for from the CDN and refused
        text = page.inner_text("body")
        assert "联网" in text and "--offline" in text
    finally:
        page.close()


def _point_px(page, mvar, lat, lon):
    return page.evaluate(f"([a, b]) => {{ const p = {mvar}.latLngToContainerPoint([a, b]);"
                         f" const r = {mvar}.getContainer().getBoundingClientRect();"
                         " return [p.x + r.left, p.y + r.top]; }", [lat, lon])


def _popup(page):
    return page.evaluate("() => { const p = [...document.querySelectorAll('.leaflet-popup-content')].pop();"
                         " return p ? p.innerText : null; }")


COLOURS_JS = "() => { const out = []; %s.eachLayer(l => { if (l.feature && l.options && l.options.color) out.push(l.options.color); }); return out; }"


def test_browser_search_clicked_with_the_mouse_keeps_its_popup_and_highlights(browser, run_maps):
    page = open_map(browser, run_maps["overview"])
    try:
        page.fill(".hn-search-input", "硖石")
        page.wait_for_timeout(100)
        page.click(".hn-search-list li")
        page.wait_for_timeout(400)  # a popup closed at once would have faded out by now
        text = _popup(page)
        assert text is not None and "硖石街道" in text
        mvar = map_var(page)
        colours = page.evaluate(COLOURS_JS % mvar)
        assert "#00a2ff" in colours  # the found town is outlined
        page.evaluate(f"() => {{ {mvar}.closePopup(); }}")
        page.wait_for_timeout(300)
        colours = page.evaluate(COLOURS_JS % mvar)
        assert "#00a2ff" not in colours  # and back to its style once the popup closes
    finally:
        page.close()


def test_browser_search_matches_the_other_languages_name(browser, run_results, tmp_path):
    inputs = run_results[0]
    for lang, query, want in (("en", "Xiashi", "Xiashi"), ("zh", "Xiashi", "硖石街道")):
        with _quiet():
            path = wf_maps.overview_map(inputs, tmp_path / f"o_{lang}.html", lang=lang)
        page = open_map(browser, path)
        try:
            page.fill(".hn-search-input", query)
            page.wait_for_timeout(100)
            items = page.eval_on_selector_all(".hn-search-list li", "els => els.map(e => e.innerText)")
            assert items and want in items[0], (lang, items)
            if lang == "en":
                labels = page.eval_on_selector_all(".hn-label-towns", "els => els.map(e => e.innerText)")
                assert "Xiashi Subdistrict" in " ".join(labels) or any("Xiashi" in t for t in labels), labels
        finally:
            page.close()


def test_browser_ticking_a_layer_keeps_the_drawing_order(browser, run_results, run_maps):
    """Control units ticked on the overview are drawn under the rivers: a click on a river
    still gets the river."""
    inputs = run_results[0]
    rivers = inputs.layer("rivers").to_crs(METRIC_CRS)
    reach = rivers.iloc[int(rivers.length.to_numpy().argmax())]
    mid = gpd_point(reach.geometry.interpolate(0.5, normalized=True), rivers.crs)
    page = open_map(browser, run_maps["overview"])
    try:
        mvar = map_var(page)
        page.evaluate(f"([a, b]) => {{ {mvar}.setView([a, b], 14, {{animate: false}}); }}", [mid.y, mid.x])
        unit_title = layer_title("control_units", "zh")
        page.click(f".leaflet-control-layers-overlays label:has-text('{unit_title}') input")
        page.wait_for_timeout(300)
        xy = _point_px(page, mvar, mid.y, mid.x)
        page.mouse.click(*xy)
        page.wait_for_timeout(200)
        text = _popup(page)
        assert text is not None and reach["name"] in text and "河流名称" in text, text
        assert page.errors == []
    finally:
        page.close()


def gpd_point(p, crs):
    import geopandas as gpd

    return gpd.GeoSeries([p], crs=crs).to_crs("EPSG:4326").iloc[0]


def test_browser_zoning_map_rings_legends_and_colours(browser, run_results, run_maps):
    from hn_geo.render import palette

    assert len({palette.status_colour(c) for c in ("pass", "fail", "warn", "review")}) == 4
    page = open_map(browser, run_maps["zoning"])
    try:
        titles = page.eval_on_selector_all(".hn-legend-title", "els => els.map(e => e.innerText.trim())")
        assert len(titles) == len(set(titles)) and all(titles), titles
        assert any(t.startswith("建设项目") and "审查结论" in t for t in titles), titles
        # the violation ring is above the project dot and answers its own clicks
        results = run_results[1]
        zoning = next(r for r in results if r.name == "zoning")
        v = zoning.layers["violations"]
        pt = v[v.geom_type == "Point"].to_crs("EPSG:4326").iloc[0]
        mvar = map_var(page)
        page.evaluate(f"([a, b]) => {{ {mvar}.setView([a, b], 16, {{animate: false}}); }}",
                      [pt.geometry.y, pt.geometry.x])
        x, y = _point_px(page, mvar, pt.geometry.y, pt.geometry.x)
        page.mouse.click(x + 12, y)
        page.wait_for_timeout(200)
        text = _popup(page)
        assert text is not None and "不符合准入要求的项目" in text and pt["name"] in text, text
        page.evaluate(f"() => {{ {mvar}.closePopup(); }}")
        page.wait_for_function("() => !document.querySelector('.leaflet-popup')", timeout=5000)
        x, y = _point_px(page, mvar, pt.geometry.y, pt.geometry.x)  # the popup panned the map
        page.mouse.click(x, y)
        page.wait_for_timeout(200)
        text = _popup(page)
        assert text is not None and text.startswith("建设项目") and pt["name"] in text, text
    finally:
        page.close()


def test_browser_targets_map_tooltip_search_and_plain_years(browser, run_results, run_maps):
    inputs = run_results[0]
    town, lat, lon = town_middles(inputs)[0]
    page = open_map(browser, run_maps["targets"])
    try:
        assert page.locator(".hn-search-input").count() == 1
        mvar = map_var(page)
        page.evaluate(f"([a, b]) => {{ {mvar}.setView([a, b], {mvar}.getZoom(), {{animate: false}}); }}", [lat, lon])
        x, y = _point_px(page, mvar, lat, lon)
        page.mouse.move(x - 3, y - 3)
        page.mouse.move(x, y)
        page.wait_for_timeout(150)
        tip = page.evaluate("() => [...document.querySelectorAll('.leaflet-tooltip')].map(e => e.innerText).join('|')")
        assert town in tip, tip
        page.mouse.click(x, y)
        page.wait_for_timeout(200)
        text = _popup(page)
        assert text is not None and town in text
        assert not re.search(r"\b2,0\d\d\b", text), text  # years as years
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text  # no raw column names
    finally:
        page.close()
