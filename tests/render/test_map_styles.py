"""Map pieces without a browser: scale and simplification, popup values, styles by codes, offline assets."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.render import maps, offline, palette
from hn_geo.render.maps import registry, styles, values
from hn_geo.render.maps.layers import LayerSpec


def _wc(code, lang="zh"):
    """The water block's word for a water class code."""
    from hn_geo import vocabulary

    return vocabulary.word("water_class", code, lang, "water")


def _sections_title(lang="zh"):
    from hn_geo import vocabulary

    return vocabulary.title("layers", "sections", lang, "water")



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
    assert f"{_wc('III')} 良好" in st.legend and f"{_wc('inferior_V')} 重度污染" in st.legend and "无数据" in st.legend
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




def test_bare_catalog_layers_show_words_of_their_codes():
    """A catalog layer handed to make_map as a frame: conventional coded columns show words,
    columns still holding words keep them (nothing is guessed from text)."""
    g = gpd.GeoDataFrame({"name": ["a", "b"], "unit_type": ["key", "general"], "target_class": ["III", "IV"],
                          "sub_type": ["x", "y"]}, geometry=[shapely.box(0, 0, 1, 1)] * 2, crs=STORAGE_CRS)
    spec = LayerSpec("control_units", g)
    shown = values.shown_values(g, ["unit_type", "target_class", "sub_type"], spec, "zh")
    assert shown["unit_type"].tolist() == ["重点管控", "一般管控"]
    assert shown["target_class"].tolist() == [_wc("III"), _wc("IV")]  # the water block's words, from the ground scope
    assert shown["sub_type"].tolist() == ["x", "y"]
    words = g.assign(unit_type=["重点管控", "一般管控"])
    assert values.shown_values(words, ["unit_type"], spec, "en")["unit_type"].tolist() == ["重点管控", "一般管控"]
