"""QGIS styles of share layers (no QGIS needed): the maps' symbology as QGIS renderers, QML and SLD.

The real-QGIS checks (project loads, every layer styled, rendered) are in ``test_share_qgis.py``.
"""
from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hn_geo import vocabulary
from hn_geo.core.results import AnalysisResult
from hn_geo.core.settings import STORAGE_CRS
from hn_geo.render import outputs, palette, qgis_styles, qgis_xml, share
from hn_geo.render.maps.layers import LayerSpec
from hn_geo.render.maps.registry import POINT_CLASS_COLORS, style_for


def _styles(layer, lang="zh"):
    shown = share._in_words(layer, lang)
    fd = share.field_dictionary(layer, lang=lang, gdf=shown)
    aliases = dict(zip(fd.iloc[:, 0], fd.iloc[:, 1]))
    return shown, qgis_styles.layer_styles(layer, shown, title=share.title_of(layer, lang), lang=lang,
                                           aliases=aliases)


def _flat(classes):
    return [c for c in classes if c.symbol is not None] + [ch for c in classes for ch in _flat(c.children)]


def _matches(cls, row):
    """Whether a row of the written layer meets a class's conditions (as QGIS evaluates them)."""
    for c in cls.conds:
        v = row[c.field]
        if c.op == "null":
            if v is not None and not (isinstance(v, float) and np.isnan(v)):
                return False
        elif c.op == "eq" and v != c.value:
            return False
        elif c.op == "ge" and not v >= c.value:
            return False
        elif c.op == "lt" and not v < c.value:
            return False
        elif c.op == "le" and not v <= c.value:
            return False
    return True


def test_water_sections_filled_by_class_outlined_by_status(water_result):
    """The water map's two codes: a rule per (class, status), fill from the 22号 palette,
    outline from the status table, thick where the target is missed; words as written."""
    layer = share.result_layers(water_result)[0]
    shown, (st,) = _styles(layer)
    assert st.renderer == "rules" and st.field == "water_class" and st.geom == "point"
    leaves = _flat(st.classes)
    for i, row in shown.iterrows():
        hits = [c for c in leaves if _matches(c, row)]
        assert len(hits) == 1, (i, [c.label for c in hits])  # every feature drawn, by one rule
        code, status = water_result.layers["sections"].iloc[i][["water_class", "status"]]
        sym = hits[0].symbol
        assert sym.fill == palette.FAMILY_COLOURS["water_class"][code]
        assert sym.stroke == palette.status_colour(status)
        assert sym.width_mm > 0.5 if status == "not_met" else sym.width_mm < 0.5
    parents = [c.label for c in st.classes]
    assert parents[0].startswith(vocabulary.word("water_class", "II", "zh", "water"))  # legend order: II first
    assert "重度污染" in parents[-1]  # 劣V 重度污染 last
    assert st.aliases["water_class"] == "水质类别"


def test_status_codes_categorised_with_their_words_and_colours(zoning_result):
    layer = share.result_layers(zoning_result)[0]  # projects: pass, fail, warn, review
    shown, (st,) = _styles(layer, "en")
    assert st.renderer == "categorized" and st.field == "status"
    got = {c.value: c.symbol.fill for c in st.classes}
    assert got == {vocabulary.word("status", s, "en"): palette.status_colour(s) for s in ("pass", "fail", "warn",
                                                                                         "review")}
    assert [c.value for c in st.classes] == ["pass", "warning", "needs review", "fail"]  # best first


def test_single_look_layers_keep_the_maps_colours(frames):
    towns = share.ShareLayer("towns", frames["towns"], scope="ground", table="towns")
    _, (st,) = _styles(towns)
    expected = style_for(LayerSpec("towns", frames["towns"]), frames["towns"], "zh").styles[0]
    assert st.renderer == "single" and st.label_field == "name"
    assert st.classes[0].symbol.fill == expected["fillColor"] and st.classes[0].symbol.stroke == expected["color"]
    rivers = share.ShareLayer("rivers", frames["rivers"], scope="ground", table="rivers")
    _, (st,) = _styles(rivers)
    assert st.renderer == "categorized" and st.field == "sea_entry"  # sea-entry rivers drawn thicker
    widths = {c.value: c.symbol.width_mm for c in st.classes}
    assert widths["true"] > widths["false"]


def test_emission_points_as_the_maps_graduated_circles(frames):
    pts = share.ShareLayer("emission_points", frames["emission_points"], scope="ground", table="emission_points")
    _, (st,) = _styles(pts)
    assert st.renderer == "graduated" and st.field == "vocs_t"
    assert [c.symbol.fill for c in st.classes] == list(POINT_CLASS_COLORS)
    sizes = [c.symbol.size_mm for c in st.classes]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    v = frames["emission_points"]["vocs_t"]
    assert st.classes[0].lower <= v.min() and st.classes[-1].upper == pytest.approx(v.max())


def test_numeric_ramp_becomes_graduated_classes_in_the_ramp_colours(frames):
    rng = np.random.default_rng(1)
    boxes = shapely.box(*np.array([[120.5 + i * 1e-3, 30.4, 120.5005 + i * 1e-3, 30.4005] for i in range(300)]).T)
    roofs = gpd.GeoDataFrame({"building_id": [f"B{i}" for i in range(300)], "kwh_per_kwp": rng.uniform(830, 1000, 300),
                              "kwp": rng.uniform(5, 200, 300)}, geometry=boxes, crs=STORAGE_CRS)
    layer = share.result_layers(AnalysisResult("solar", layers={"buildings": roofs}))[0]
    _, (st,) = _styles(layer)
    assert st.renderer == "graduated" and st.field == "kwp"  # as the solar map: what differs between roofs
    assert 2 <= len(st.classes) <= qgis_styles.MAX_CLASSES
    lows = [c.lower for c in st.classes]
    assert lows == sorted(lows)
    fills = [c.symbol.fill for c in st.classes]
    assert len(set(fills)) == len(fills)  # the ramp's colours, one per class


def test_mixed_geometry_layer_gets_a_style_per_geometry_type(zoning_result):
    projects = zoning_result.layers["projects"].copy()
    projects.loc[1, "geometry"] = shapely.box(120.61, 30.49, 120.62, 30.50)
    layer = share.result_layers(AnalysisResult("zoning", layers={"projects": projects},
                                               codes=zoning_result.codes))[0]
    _, styles = _styles(layer)
    assert [(s.geom, s.geometry_type) for s in styles] == [("point", "Point"), ("polygon", "Polygon")]
    assert all(s.field == "status" for s in styles)


def test_qml_and_sld_are_well_formed_and_escape_data(tmp_path, zoning_result):
    projects = zoning_result.layers["projects"].copy()
    projects["status"] = ["pass", "fail", "warn", "review"]
    projects["name"] = ['<b>"甲"</b> & 乙', "乙", "丙", "丁"]
    layer = share.result_layers(AnalysisResult("zoning", layers={"projects": projects}, codes=zoning_result.codes))[0]
    shown, (st,) = _styles(layer)
    st.label_field = "name"
    columns = [c for c in shown.columns if c != "geometry"]
    q = ET.fromstring(qgis_xml.qml(st, columns).split("\n", 1)[1])
    assert q.find("renderer-v2").get("type") == "categorizedSymbol" and q.find("renderer-v2").get("attr") == "status"
    assert q.find("labeling/settings/text-style").get("fieldName") == "name"
    assert {a.get("field"): a.get("name") for a in q.iter("alias")}["status"] == "审查结论"
    colours = [o.get("value") for o in q.iter("Option") if o.get("name") == "color"]
    fail_rgb = qgis_xml.rgba(palette.status_colour("fail")).rsplit(",", 1)[0]
    assert any(c.rsplit(",", 1)[0] == fail_rgb for c in colours)  # the maps' status colour, at the map's opacity
    s = ET.fromstring(qgis_xml.sld(st).split("\n", 1)[1])
    ns = {"se": "http://www.opengis.net/se", "ogc": "http://www.opengis.net/ogc"}
    rules = s.findall(".//se:Rule", ns)
    assert len(rules) == 5  # four verdicts and the labels
    literals = [e.text for e in s.iter("{http://www.opengis.net/ogc}Literal")]
    assert set(literals) == {"通过", "不通过", "警示", "待核实"}
    assert qgis_xml.expression([qgis_styles.Cond('a"b', "eq", "it's")]) == '"a""b" = \'it\'\'s\''


def test_package_geopackage_carries_styles_and_reads_without_gdal36_warnings(tmp_path, water_result):
    out = tmp_path / "w.zip"
    share.write_share_package(share.result_layers(water_result), out, lang="en")
    root = tmp_path / "x"
    zipfile.ZipFile(out).extractall(root)
    con = sqlite3.connect(root / "w.gpkg")
    assert con.execute("pragma application_id").fetchone()[0] == 0x47504B47  # 'GPKG'
    assert con.execute("pragma user_version").fetchone()[0] == 10200         # GeoPackage 1.2
    rows = con.execute("select f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, "
                       "useAsDefault, styleQML, styleSLD from layer_styles").fetchall()
    kinds = dict(con.execute("select table_name, data_type from gpkg_contents").fetchall())
    con.close()
    assert kinds == {"water_sections": "features", "layer_styles": "attributes"}
    (cat, schema, table, geom, name, default, q, s), = rows
    assert (cat, schema, table, geom, default) == ("", "", "water_sections", "geom", 1)
    assert name == vocabulary.title("layers", "sections", "en", "water") and "RuleRenderer" in q and "<se:Rule>" in s
    assert not vocabulary.has_cjk(q.replace("断面", ""))  # an English package: English aliases and legend
    with zipfile.ZipFile(out) as zf:
        assert {"w.qgz", "styles/water_sections.qml", "styles/water_sections.sld"} <= set(zf.namelist())
        assert zf.read("styles/water_sections.qml").decode() == q
    if shutil.which("ogrinfo") is None:
        pytest.skip("gdal-bin (ogrinfo) not installed")
    res = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(root / "w.gpkg")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "Warning" not in res.stderr + res.stdout and "partially supported" not in res.stderr + res.stdout
    assert "layer_styles" in res.stdout
    # an analysis' own GeoPackage (write_result) too
    (gpkg,) = [p for p in outputs.write_result(water_result, tmp_path / "out", formats=("gpkg",))]
    res = subprocess.run(["ogrinfo", "-ro", "-so", str(gpkg), "sections"], capture_output=True, text=True)
    assert res.returncode == 0 and "Warning" not in res.stderr + res.stdout, res.stderr


def test_styled_geopackage_of_an_analysis(water_result, tmp_path):
    """An analysis' own GeoPackage (the site finder's) with the share package's styles: one default
    style per layer in layer_styles, the layers as given; an empty layer is written unstyled."""
    layer = share.result_layers(water_result)[0]
    shown = share._in_words(layer, "zh")
    empty = share.ShareLayer("nothing", layer.gdf.iloc[:0], scope="water", table="sections",
                             codes=dict(water_result.codes))
    path = share.write_styled_gpkg([layer, empty], tmp_path / "a.gpkg", lang="zh", shown={layer.name: shown})
    con = sqlite3.connect(path)
    rows = con.execute("select f_table_name, useAsDefault, styleQML, styleSLD from layer_styles").fetchall()
    assert con.execute("pragma user_version").fetchone()[0] == 10200
    con.close()
    (table, default, q, s), = rows
    assert (table, default) == (layer.name, 1) and "RuleRenderer" in q and "<se:Rule>" in s
    aliases = dict(re.findall(r'<alias [^>]*?field="([^"]+)"[^>]*?name="([^"]*)"', q))
    assert set(aliases) - {"fid"} == set(shown.columns) - {"geometry"} and vocabulary.has_cjk(aliases["section_id"])
    back = gpd.read_file(path, layer=layer.name)
    assert list(back.columns) == list(shown.columns) and len(back) == len(shown)
    assert len(gpd.read_file(path, layer="nothing")) == 0
