"""Large polygon layers (the solar map's buildings) go to the page in the compact encoding.

The encoding (:mod:`hn_geo.render.maps.compact`) is decoded here in Python as the page
decodes it, and a solar map of a sample of the embedded buildings (above the compact
threshold, drawn as the 1M-building map is) is opened in headless Chromium: a click on a
building at street zoom shows that building's popup, the city zoom shows the aggregate.
"""
from __future__ import annotations

import base64
import gzip
import json
import re

import numpy as np
import pytest
import shapely

from hn_geo.core.results import AnalysisResult
from hn_geo.ground.inputs import Inputs
from hn_geo.render import maps
from hn_geo.render.maps import compact
from hn_geo.render.maps.layers import SHAPES_MIN
from hn_geo.render.maps.values import format_number
from tests.render.test_maps import map_var, open_map

N_SAMPLE = 6000


def _unvarints(b64text):
    raw = gzip.decompress(base64.b64decode(b64text))
    out, v, shift = [], 0, 0
    for b in raw:
        v |= (b & 0x7F) << shift
        if b & 0x80:
            shift += 7
            continue
        out.append((v >> 1) ^ -(v & 1))
        v, shift = 0, 0
    return np.array(out, dtype=np.int64)


def decode(data):
    """Rings (lon/lat arrays) of every feature, as hn_geo_shapes.js decodes them."""
    fr, rn, d = _unvarints(data["fr"]), _unvarints(data["rn"]), _unvarints(data["d"])
    x = np.cumsum(d[0::2]) * data["q"] + data["x0"]
    y = np.cumsum(d[1::2]) * data["q"] + data["y0"]
    lon = np.degrees(x / compact.R_EARTH)
    lat = np.degrees(2 * np.arctan(np.exp(y / compact.R_EARTH)) - np.pi / 2)
    starts = np.concatenate([[0], np.cumsum(rn)])
    feats, ring = [], 0
    for k in fr:
        feats.append([np.column_stack([lon[starts[r]:starts[r + 1]], lat[starts[r]:starts[r + 1]]])
                      for r in range(ring, ring + k)])
        ring += k
    return feats


def test_varints_round_trip_small_and_large_steps():
    values = np.array([0, 1, -1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31)], dtype=np.int64)
    assert (_unvarints(compact.b64(compact.varints(values))) == values).all()
    assert len(compact.varints(np.array([5, -5, 60]))) == 3  # one byte per small step


def test_geometry_round_trips_within_the_quantum(sample_buildings):
    g = sample_buildings.geometry.to_crs("EPSG:4326")
    geoms = np.asarray(g.values)
    # a polygon with a hole and a multipolygon survive too
    hole = shapely.Polygon(shapely.box(120.6, 30.5, 120.601, 30.501).exterior.coords,
                           [shapely.box(120.6004, 30.5004, 120.6006, 30.5006).exterior.coords])
    multi = shapely.MultiPolygon([shapely.box(120.61, 30.5, 120.611, 30.501), shapely.box(120.612, 30.5, 120.613, 30.501)])
    geoms = np.concatenate([geoms[:500], [hole, multi]])
    data = compact.encode_geometry(geoms)
    feats = decode(data)
    assert len(feats) == len(geoms) == data["n"]
    assert [len(f) for f in feats[-2:]] == [2, 2]
    for geom, rings in zip(geoms, feats):
        back = shapely.MultiPolygon([shapely.Polygon(r) for r in rings]) if len(rings) > 1 else shapely.Polygon(rings[0])
        # every decoded vertex within a metre of the original outline (quantum 0.5 m)
        d_deg = shapely.hausdorff_distance(shapely.boundary(geom), shapely.boundary(shapely.make_valid(back)))
        assert d_deg * 111_000 < 1.0
    # a few bytes per vertex, not the ~40 of GeoJSON text
    n_vertices = int(shapely.get_num_coordinates(geoms).sum())
    assert len(base64.b64decode(data["d"])) / n_vertices < 4


@pytest.fixture(scope="module")
def sample_buildings():
    b = Inputs().layer("buildings")
    b = b.iloc[np.linspace(0, len(b) - 1, N_SAMPLE).astype(int)].reset_index(drop=True)
    area = b.to_crs("EPSG:4549").area.to_numpy()
    rng = np.random.default_rng(7)
    kwp = np.round(area * 0.12, 1)
    spec = rng.uniform(833, 1002, len(b))
    return b.assign(kwp=kwp, kwh_per_kwp=np.round(spec, 1), kwh_year=np.round(kwp * spec))


@pytest.fixture(scope="module")
def solar_map(sample_buildings, tmp_path_factory):
    result = AnalysisResult("solar", layers={"buildings": sample_buildings})
    towns = Inputs().layer("towns")
    m = maps.result_map(result, [maps.LayerSpec("towns", towns, scope="ground")])
    path = maps.save_map(m, tmp_path_factory.mktemp("solar") / "solar.html")
    return m, path


@pytest.mark.slow
def test_big_building_layer_is_written_compact(solar_map, sample_buildings):
    assert N_SAMPLE > SHAPES_MIN
    m, path = solar_map
    info = next(i for i in m.hn_geo["layers"] if i["name"] == "buildings")
    assert info["kind"] == "shapes" and info["features"] == N_SAMPLE
    page = path.read_text(encoding="utf-8")
    var = info["var"]
    assert re.search(rf"var {var} = L\.hnGeo\.shapes\(", page)
    block = re.search(rf'<script type="application/json" id="{var}_data">(.*?)</script>', page, re.S).group(1)
    data = json.loads(block)
    # the arrays are in the page's octet-stream block (bytes, not words of the JSON data)
    blobs = re.search(rf'<script type="application/octet-stream" id="{var}_bin">(.*?)</script>', page, re.S)
    blobs = blobs.group(1).split()
    assert isinstance(data["d"], int) and isinstance(data["cls"]["b"], int)
    data = {**data, "fr": blobs[data["fr"]], "rn": blobs[data["rn"]], "d": blobs[data["d"]],
            "cls": {**data["cls"], "b": blobs[data["cls"]["b"]]}}
    assert len(decode(data)) == N_SAMPLE
    assert set(data) >= {"n", "x0", "y0", "q", "fr", "rn", "d", "cls", "cols"} and "fc" not in data
    assert data["n"] == N_SAMPLE
    # no GeoJSON coordinates of the buildings anywhere in the page
    first = sample_buildings.geometry.to_crs("EPSG:4326").iloc[0].exterior.coords[0]
    assert f"{first[0]:.5f}" not in page
    # colour classes: quantiles of annual yield (what differs between roofs), 7 classes
    cls = np.frombuffer(gzip.decompress(base64.b64decode(data["cls"]["b"])), dtype=np.uint8)
    counts = np.bincount(cls, minlength=7)
    assert len(counts) == 7 and counts.min() > 0.1 * N_SAMPLE
    labels = [c["l"] for c in data["cols"]]
    assert any("kWh/kWp" in lab for lab in labels)  # specific yield in the popup
    assert len(block) / N_SAMPLE < 160  # bytes per building, popup columns included


def test_browser_click_on_a_building_at_street_zoom(browser, solar_map, sample_buildings):
    m, path = solar_map
    var = next(i["var"] for i in m.hn_geo["layers"] if i["name"] == "buildings")
    page = open_map(browser, path)
    try:
        page.wait_for_function(f"() => window.{var}._decoded === true", timeout=20000)
        assert page.errors == [] and page.blocked == []
        mvar = map_var(page)
        # city zoom: drawn as the aggregate, and a click there opens no building popup
        assert page.evaluate(f"() => {mvar}.getZoom() < {var}.options.detailZoom")
        assert page.evaluate(f"() => {var}.drawn") > 0.9 * N_SAMPLE
        big = sample_buildings.to_crs("EPSG:4549").area.sort_values().index[-20]
        b = sample_buildings.iloc[big]
        p = shapely.Point(b.geometry.representative_point())
        zoom = page.evaluate(f"() => {var}.options.detailZoom") + 2
        page.evaluate(f"([a, c, z]) => {{ {mvar}.setView([a, c], z, {{animate: false}}); }}", [p.y, p.x, zoom])
        page.wait_for_timeout(200)
        xy = page.evaluate(f"([a, c]) => {{ const q = {mvar}.latLngToContainerPoint([a, c]);"
                           f" const r = {mvar}.getContainer().getBoundingClientRect(); return [q.x + r.left, q.y + r.top]; }}",
                           [p.y, p.x])
        page.mouse.click(*xy)
        page.wait_for_timeout(200)
        text = page.evaluate("() => { const p = [...document.querySelectorAll('.leaflet-popup-content')].pop();"
                             " return p ? p.innerText : null; }")
        assert text is not None and b["building_id"] in text, text
        assert format_number(b["kwh_per_kwp"]) in text
        # the hover/click redraw drew what is on the screen, not every building of the city
        assert 0 < page.evaluate(f"() => {var}.drawn") < N_SAMPLE / 5
        assert page.errors == []
    finally:
        page.close()


def _id_column_per_text(texts):
    """The per-text reading of ``prefix + number`` ids (Python's re), as the fast path must answer."""
    prefix, width, nums = None, None, []
    for t in texts:
        if t is None:
            return None
        m = compact._ID_RE.match(t)
        if m is None or (prefix is not None and (m["prefix"] != prefix or len(m["num"]) != width)):
            return None
        prefix, width = m["prefix"], len(m["num"])
        nums.append(int(m["num"]))
    return {"k": "id", "p": prefix or "", "w": width or 0, "a": compact.typed(np.array(nums, dtype=np.int64))}


@pytest.mark.parametrize("texts", [
    ["B000001", "B000002", "B123456"],             # the buildings' ids
    ["楼0001", "楼0002"],                           # a Chinese prefix
    ["0001", "0002"],                              # no prefix
    ["１２", "３４"],                                # full-width digits: Python's \d reads them
    ["B01", "B001"],                               # two widths: not one id column
    ["B01", "C02"],                                # two prefixes
    ["B01", None],                                 # a missing id
    ["B01", "B0x"],                                # not a number
    ["B01\n", "B02"],                              # Python's $ lets a final newline through
    ["B1234567890", "B1234567891"],                # more than 9 digits
    ["第1栋", "第2栋"],                               # the number is not at the end
])
def test_id_columns_read_as_the_per_text_pattern_reads_them(texts):
    assert compact._id_column(texts) == _id_column_per_text(texts)


def test_text_columns_encode_as_the_display_text_says():
    import pandas as pd

    shown = pd.Series(["住宅", None, "", "工业", "住宅", np.nan] * 3, dtype=object)
    col = compact.encode_column(shown, shown, "类型")
    assert col["k"] == "dict" and col["d"] == ["住宅", "工业", None]
    codes = np.frombuffer(gzip.decompress(base64.b64decode(col["a"]["b"])), dtype=np.uint8)
    assert [col["d"][c] for c in codes[:6]] == ["住宅", None, None, "工业", "住宅", None]
    # a numeric column needs no display text
    num = compact.encode_column(pd.Series([1.5, 2.0, np.nan]), None, "面积")
    assert num["k"] == "num"


def test_display_values_of_numbers_and_texts_as_per_value():
    import pandas as pd

    from hn_geo.render.maps import values

    floats = pd.Series([0.0, -0.0, 1234.5, 12.345, 0.5, 0.004, np.nan, 1234.5, 1.0])
    ints = pd.Series([1, 1000, 1000, -5], dtype="int64")
    texts = pd.Series(["a", "", None, "b", np.nan, "a"], dtype=object)
    strings = pd.Series(["a", "", None, "b"], dtype="string")
    mixed = pd.Series([1, 1.0, "x", None], dtype=object)  # 1 and 1.0 are told apart
    for s in (floats, ints, texts, strings, mixed):
        assert values.display_values(s).tolist() == [values._text(v) for v in s.tolist()]


def test_projected_bounds_are_those_of_the_reprojected_layer(sample_buildings):
    from hn_geo.render.maps.layers import projected_bounds

    g = sample_buildings.to_crs("EPSG:4326")
    expected = shapely.bounds(np.asarray(g.to_crs("EPSG:4549").geometry.values))
    got = projected_bounds(np.asarray(g.geometry.values), g.crs, "EPSG:4549")
    assert np.array_equal(got, expected)


def test_ring_counts_of_polygons_with_and_without_holes_are_those_of_their_rings():
    hole = shapely.Polygon(shapely.box(120.6, 30.5, 120.601, 30.501).exterior.coords,
                           [shapely.box(120.6004, 30.5004, 120.6005, 30.5005).exterior.coords,
                            shapely.box(120.6006, 30.5006, 120.6007, 30.5007).exterior.coords])
    polys = np.array([shapely.box(120.61, 30.5, 120.611, 30.501), hole,
                      shapely.Polygon([(120.62, 30.5), (120.621, 30.5), (120.6205, 30.501)])], dtype=object)
    rings = shapely.get_rings(polys)
    xy, counts = compact._ring_coordinates(polys, shapely.get_num_interior_rings(polys))
    assert counts.tolist() == shapely.get_num_coordinates(rings).tolist() == [5, 5, 5, 5, 4]
    assert np.array_equal(xy, shapely.get_coordinates(rings))
    # the same rings whether the polygons come alone or beside a multipolygon (its parts read)
    mixed = np.concatenate([polys, [shapely.MultiPolygon([shapely.box(120.63, 30.5, 120.631, 30.501)])]])
    alone, beside = decode(compact.encode_geometry(polys)), decode(compact.encode_geometry(mixed))
    assert len(beside) == 4 and all(len(r1) == len(r2) and all(np.allclose(x, y) for x, y in zip(r1, r2))
                                    for r1, r2 in zip(alone, beside[:3]))


def test_varints_in_chunks_are_the_same_bytes(monkeypatch):
    from hn_geo.render.maps import compact

    rng = np.random.default_rng(5)
    values = np.concatenate([rng.integers(-2 ** 40, 2 ** 40, 1000), rng.integers(-300, 300, 5000),
                             [0, -1, 1, 2 ** 62, -2 ** 62]])
    whole = compact.varints(values)
    monkeypatch.setattr(compact, "VARINT_CHUNK", 7)  # many chunks, the last one short
    assert compact.varints(values) == whole and compact.varints([]) == b""
    # one value decoded by hand: zig-zag 300 -> 600 -> LEB128 0xD8 0x04
    assert compact.varints([300]) == bytes([0xD8, 0x04])
