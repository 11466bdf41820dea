"""Schema validation and repair (hn_geo.validate), mostly through real files and load_layer."""
from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from layer_factory import tiny_layer

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground.catalog import get_schema, load_layer
from hn_geo.ground.validate import coerce_column, validate


def _write(gdf, path, **kw):
    pyogrio.write_dataframe(gdf, path, **kw)
    return path


def test_valid_layer_round_trips_types_and_crs(tmp_path):
    src = tiny_layer("towns").to_crs("EPSG:4549")
    src["code"] = [330481001.0, 330481002.0, 330481003.0]  # codes stored as numbers by Excel/GIS
    p = _write(src, tmp_path / "towns.gpkg")
    with warnings.catch_warnings():
        warnings.simplefilter("error", HnGeoWarning)
        gdf = load_layer("towns", p)
    assert gdf.crs.to_epsg() == 4490
    assert list(gdf["code"]) == ["330481001", "330481002", "330481003"]  # no trailing '.0'
    assert gdf["target_basic"].dtype == np.float64
    assert gdf.attrs["hn_geo_layer"] == "towns"
    np.testing.assert_allclose(gdf.total_bounds, tiny_layer("towns").total_bounds, atol=1e-8)


def test_missing_required_columns_lists_missing_and_found(tmp_path):
    src = tiny_layer("towns").drop(columns=["kind", "target_basic"])
    p = _write(src, tmp_path / "towns.geojson", driver="GeoJSON")
    with pytest.raises(HnGeoError) as exc:
        load_layer("towns", p)
    msg = str(exc.value)
    assert str(p) in msg
    assert "missing required column(s) kind, target_basic" in msg
    assert "columns found: code, name, name_en, target_incentive" in msg


def test_duplicate_ids_named_with_positions(tmp_path):
    src = tiny_layer("sections", n=4)
    src.loc[3, "section_id"] = "section_id_1"
    p = _write(src, tmp_path / "sections.gpkg")
    with pytest.raises(HnGeoError) as exc:
        load_layer("sections", p)
    err = exc.value
    assert err.field == "section_id" and err.row == 2
    assert "duplicate id value(s) section_id_1 at" in str(err)
    assert "#2 (section_id=section_id_1), #4 (section_id=section_id_1)" in str(err)
    assert str(p) in str(err)


def test_wrong_geometry_type(tmp_path):
    src = tiny_layer("towns")
    src = src.set_geometry(shapely.centroid(src.geometry.values), crs=src.crs)  # points where polygons are expected
    p = _write(src, tmp_path / "towns.gpkg")
    with pytest.raises(HnGeoError, match=r"3 feature\(s\) have geometry type Point, layer 'towns' takes "
                                         r"\['Polygon', 'MultiPolygon'\]: #1 \(code=code_0\)") as exc:
        load_layer("towns", p)
    assert exc.value.field == "geometry" and str(p) in str(exc.value)


def test_missing_geometry_is_an_error(tmp_path):
    src = tiny_layer("sections")
    src.loc[1, "geometry"] = None
    p = _write(src, tmp_path / "s.gpkg")
    with pytest.raises(HnGeoError, match=r"1 feature\(s\) have no geometry \(missing, empty or unreadable\): #2 \(section_id=section_id_1\)"):
        load_layer("sections", p)


def test_non_numeric_value_in_numeric_field_names_row_and_field(tmp_path):
    src = tiny_layer("emission_points", n=5).drop(columns="geometry")
    src["lon"], src["lat"] = 120.6, 30.5
    src["nox_t"] = src["nox_t"].astype(str)
    src.loc[3, "nox_t"] = "约12吨"
    p = tmp_path / "points.csv"
    src.to_csv(p, index=False, encoding="utf-8-sig")
    with pytest.raises(HnGeoError) as exc:
        load_layer("emission_points", p)
    err = exc.value
    # tables report the row as a spreadsheet shows it (header = row 1)
    assert err.field == "nox_t" and err.row == 5
    assert "'约12吨'" in str(err) and "row 5 (point_id=point_id_3)" in str(err) and str(p) in str(err)


def test_value_outside_choices(tmp_path):
    src = tiny_layer("control_units")
    src.loc[2, "unit_type"] = "重点控制"
    p = _write(src, tmp_path / "units.gpkg")
    with pytest.raises(HnGeoError) as exc:
        load_layer("control_units", p)
    assert exc.value.field == "unit_type" and exc.value.row == 3
    assert "not among priority, key, general (first: '重点控制'" in str(exc.value)


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_required_value_empty(tmp_path, blank):
    src = tiny_layer("parks")
    src["name"] = src["name"].astype(object)
    src.loc[1, "name"] = blank
    p = _write(src, tmp_path / "parks.gpkg")
    with pytest.raises(HnGeoError, match="1 empty value") as exc:
        load_layer("parks", p)
    assert exc.value.field == "name" and exc.value.row == 2 and str(p) in str(exc.value)


def test_optional_nullable_fields_may_be_empty(tmp_path):
    src = tiny_layer("parks")
    src["town"] = [None, "", "许村镇"]
    gdf = validate(src, get_schema("parks"))
    assert gdf["town"].isna().tolist() == [True, True, False]


def test_bow_tie_repaired_with_counted_warning(tmp_path):
    src = tiny_layer("parks", n=3)
    x, y = 120.60, 30.45
    bow_tie = shapely.Polygon([(x, y), (x + 0.01, y + 0.01), (x + 0.01, y), (x, y + 0.01), (x, y)])
    assert not bow_tie.is_valid
    src.loc[1, "geometry"] = bow_tie
    p = _write(src, tmp_path / "parks.gpkg")
    with pytest.warns(HnGeoWarning, match=r"repaired 1 invalid geometry with make_valid \(#2 \(park_id=park_id_1\)\)"):
        gdf = load_layer("parks", p)
    assert len(gdf) == 3 and list(gdf["park_id"]) == list(src["park_id"])  # nothing dropped
    fixed = gdf.geometry.iloc[1]
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon" and len(fixed.geoms) == 2
    # the two triangles of the bow-tie: each 1/4 of the 0.01 x 0.01 square
    assert fixed.area == pytest.approx(0.5 * 0.01 * 0.01, rel=1e-9)
    assert gdf.geometry.is_valid.all()


def test_columns_found_under_labels_or_truncated_shapefile_names(tmp_path):
    # a Shapefile cuts field names to 10 characters: target_incentive -> target_inc
    with pytest.warns(RuntimeWarning, match="laundered field name"):
        p = _write(tiny_layer("towns"), tmp_path / "towns.shp", encoding="UTF-8")
    assert "target_inc" in pyogrio.read_info(p)["fields"]
    with pytest.warns(HnGeoWarning, match=r"renamed 3 column\(s\).*'target_bas' -> 'target_basic', "
                                            r"'target_inc' -> 'target_incentive'"):
        gdf = load_layer("towns", p)
    assert gdf["target_incentive"].tolist() == tiny_layer("towns")["target_incentive"].tolist()
    # Chinese headers (labels) from a spreadsheet
    src = tiny_layer("sections").drop(columns="geometry")
    schema = get_schema("sections")
    src = src.rename(columns={f.name: f.zh for f in schema.fields})
    src["经度"], src["纬度"] = [120.5, 120.6, 120.7], 30.45
    q = tmp_path / "断面.csv"
    src.to_csv(q, index=False, encoding="gbk")
    with pytest.warns(HnGeoWarning, match="renamed 10 column"):
        gdf = load_layer("sections", q)
    assert gdf["section_type"].tolist() == ["provincial", "municipal", "handover"]


def test_single_part_multipoints_become_points(tmp_path):
    src = tiny_layer("sections")
    src["geometry"] = [shapely.MultiPoint([g]) for g in src.geometry]
    with pytest.warns(HnGeoWarning, match=r"converted 3 single-part MultiPoint"):
        gdf = validate(src, get_schema("sections"))
    assert (gdf.geom_type == "Point").all()
    src.loc[0, "geometry"] = shapely.MultiPoint([(120.6, 30.4), (120.7, 30.4)])
    with pytest.raises(HnGeoError, match="geometry type MultiPoint"), \
            pytest.warns(HnGeoWarning, match="converted 2 single-part"):
        validate(src, get_schema("sections"))


def test_empty_layer_and_no_crs():
    schema = get_schema("towns")
    with pytest.raises(HnGeoError, match="empty"):
        validate(tiny_layer("towns").iloc[:0], schema, path="x.gpkg")
    with pytest.raises(HnGeoError, match="no CRS"):
        validate(tiny_layer("towns").set_crs(None, allow_override=True), schema, path="x.gpkg")


def test_extra_columns_and_order_kept():
    src = tiny_layer("red_line", n=4).iloc[::-1]
    src["备注"] = ["a", "b", "c", "d"]
    gdf = validate(src, get_schema("red_line"))
    assert list(gdf["zone_id"]) == list(src["zone_id"])
    assert list(gdf["备注"]) == ["a", "b", "c", "d"]


@pytest.mark.parametrize("values, dtype, expected, bad", [
    (["1,234.5", " 7 ", None, ""], "float", [1234.5, 7.0, np.nan, np.nan], [False] * 4),
    (["1,5", "1.2.3"], "float", [np.nan, np.nan], [True, True]),
    (["3", "4.0", "2.5"], "int", [3, 4, None], [False, False, True]),
    (["是", "否", "TRUE", "0", "maybe"], "bool", [True, False, True, False, None],
     [False, False, False, False, True]),
    ([330481001.0, np.nan, 1.5], "str", ["330481001", None, "1.5"], [False] * 3),
])
def test_coerce_column(values, dtype, expected, bad):
    out, got_bad = coerce_column(pd.Series(values, dtype=object), dtype)
    assert got_bad.tolist() == bad
    for o, e in zip(out.tolist(), expected):
        if e is None or (isinstance(e, float) and np.isnan(e)):
            assert pd.isna(o)
        else:
            assert o == e


def test_validate_does_not_modify_input():
    src = tiny_layer("towns").to_crs("EPSG:4549")
    before = src.copy()
    validate(src, get_schema("towns"))
    pd.testing.assert_frame_equal(pd.DataFrame(src.drop(columns="geometry")),
                                  pd.DataFrame(before.drop(columns="geometry")))
    assert src.crs == before.crs
    assert isinstance(src, gpd.GeoDataFrame)
