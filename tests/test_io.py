"""Readers and writers of hn_geo.io, on real files written by GDAL (pyogrio) and pandas."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import warnings
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from hn_geo.core import files as io_f
from hn_geo.core.crs import gcj02_to_wgs84
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground import readers as io_r
from hn_geo.render import writers as io_w

NAMES = ["海宁市许村镇", "长安镇（高新区）", "硖石街道"]
LON = [120.4510, 120.5612, 120.6813]
LAT = [30.4003, 30.4631, 30.5102]


def _points(crs="EPSG:4490"):
    return gpd.GeoDataFrame({"name": NAMES, "code": ["330481101", "330481102", "330481001"],
                             "value": [1.5, 2.0, 3.25]},
                            geometry=gpd.points_from_xy(LON, LAT), crs=crs)


def _no_hngeo_warnings(record):
    return [w for w in record if issubclass(w.category, HnGeoWarning)] == []


# ----------------------------------------------------------------------------- readers
def test_read_geojson_written_by_gdal(tmp_path):
    p = tmp_path / "pts.geojson"
    pyogrio.write_dataframe(_points().to_crs("EPSG:4326"), p, driver="GeoJSON")
    gdf = io_r.read_file(p)
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf["name"]) == NAMES
    np.testing.assert_allclose(gdf.geometry.x, LON)


def test_read_gpkg_chooses_layer_default_first_and_lists_layers(tmp_path):
    p = tmp_path / "multi.gpkg"
    pyogrio.write_dataframe(_points(), p, layer="first_pts")
    second = _points().iloc[:2].assign(name=["甲", "乙"])
    pyogrio.write_dataframe(second, p, layer="第二层", append=True)

    with pytest.warns(HnGeoWarning, match=r"2 layers found.*reading the first with geometries, 'first_pts'"):
        gdf = io_r.read_file(p)
    assert list(gdf["name"]) == NAMES

    gdf2 = io_r.read_file(p, layer="第二层")
    assert list(gdf2["name"]) == ["甲", "乙"]
    assert gdf2.crs.to_epsg() == 4490

    with pytest.raises(HnGeoError, match=r"no layer 'roads'; layers found: \['first_pts', '第二层'\]") as exc:
        io_r.read_file(p, layer="roads")
    assert exc.value.path == str(p)


def test_read_gpkg_skips_attribute_tables(tmp_path):
    p = tmp_path / "mixed.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"说明": ["属性表"]}), p, layer="readme", driver="GPKG")
    pyogrio.write_dataframe(_points(), p, layer="pts", append=True)
    with pytest.warns(HnGeoWarning, match="reading the first with geometries, 'pts'"):
        assert list(io_r.read_file(p)["name"]) == NAMES
    with pytest.raises(HnGeoError, match=r"layer 'readme' has no geometries.*\['pts'\]"):
        io_r.read_file(p, layer="readme")


def test_read_shapefile_with_utf8_cpg(tmp_path):
    p = tmp_path / "utf8.shp"
    pyogrio.write_dataframe(_points(), p, encoding="UTF-8")
    assert p.with_suffix(".cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        gdf = io_r.read_file(p)
    assert _no_hngeo_warnings(rec)
    assert list(gdf["name"]) == NAMES
    assert gdf.crs.to_epsg() == 4490


@pytest.fixture
def gbk_shapefile(tmp_path):
    """A Shapefile whose DBF GDAL wrote in GBK (with a .cpg saying so)."""
    p = tmp_path / "gbk.shp"
    pyogrio.write_dataframe(_points(), p, encoding="GBK")
    raw = p.with_suffix(".dbf").read_bytes()
    assert "海宁市许村镇".encode("gbk") in raw  # really GBK bytes on disk
    return p


def test_read_gbk_shapefile_with_cpg(gbk_shapefile):
    assert gbk_shapefile.with_suffix(".cpg").read_text().strip().upper() == "GBK"
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        gdf = io_r.read_file(gbk_shapefile)
    assert _no_hngeo_warnings(rec)
    assert list(gdf["name"]) == NAMES


def test_read_gbk_shapefile_without_cpg_is_detected(gbk_shapefile):
    gbk_shapefile.with_suffix(".cpg").unlink()
    # what GDAL alone does: ISO-8859-1 mojibake
    assert pyogrio.read_dataframe(gbk_shapefile)["name"].iloc[0] != NAMES[0]
    with pytest.warns(HnGeoWarning, match=r"no \.cpg file; attribute encoding detected as GB18030"):
        gdf = io_r.read_file(gbk_shapefile)
    assert list(gdf["name"]) == NAMES
    assert list(gdf["code"]) == ["330481101", "330481102", "330481001"]


def test_read_gbk_shapefile_with_explicit_encoding(gbk_shapefile):
    gbk_shapefile.with_suffix(".cpg").unlink()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        gdf = io_r.read_file(gbk_shapefile, encoding="GBK")
    assert _no_hngeo_warnings(rec)
    assert list(gdf["name"]) == NAMES
    # a wrong explicit encoding is the user's word: no guessing, garbled text
    assert io_r.read_file(gbk_shapefile, encoding="ISO-8859-1")["name"].iloc[0] != NAMES[0]


def test_read_gbk_shapefile_whose_cpg_wrongly_says_utf8(gbk_shapefile):
    gbk_shapefile.with_suffix(".cpg").write_text("UTF-8")
    with pytest.warns(HnGeoWarning, match=r"do not read as UTF-8, the encoding named by gbk\.cpg; decoded as GB18030"):
        gdf = io_r.read_file(gbk_shapefile)
    assert list(gdf["name"]) == NAMES


def test_read_zipped_gbk_shapefile_with_chinese_field_names(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    src = _points().rename(columns={"name": "名称"})
    pyogrio.write_dataframe(src, folder / "乡镇.shp", encoding="GBK")
    (folder / "乡镇.cpg").unlink()
    z = tmp_path / "towns.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f.name)
    with pytest.warns(HnGeoWarning, match="detected as GB18030"):
        gdf = io_r.read_file(z)
    assert list(gdf["名称"]) == NAMES
    # a folder of Shapefiles is a multi-layer source too
    with pytest.warns(HnGeoWarning, match="detected as GB18030"):
        assert list(io_r.read_file(folder, layer="乡镇")["名称"]) == NAMES


def test_read_geoparquet(tmp_path):
    p = tmp_path / "pts.parquet"
    _points().to_crs("EPSG:4549").to_parquet(p)
    gdf = io_r.read_file(p)
    assert gdf.crs.to_epsg() == 4549
    assert list(gdf["name"]) == NAMES


def test_read_plain_parquet_with_lon_lat(tmp_path):
    p = tmp_path / "table.parquet"
    pd.DataFrame({"name": NAMES, "经度": LON, "纬度": LAT}).to_parquet(p)
    gdf = io_r.read_file(p)
    assert gdf.crs.to_epsg() == 4326 and list(gdf["name"]) == NAMES
    np.testing.assert_allclose(gdf.geometry.x, LON)
    q = tmp_path / "nocoords.parquet"
    pd.DataFrame({"name": NAMES}).to_parquet(q)
    with pytest.raises(HnGeoError, match=r"not GeoParquet.*no longitude/latitude columns.*\['name'\]"):
        io_r.read_file(q)


@pytest.mark.parametrize("lon_col, lat_col, encoding", [
    ("lon", "lat", "utf-8"),
    ("经度", "纬度", "utf-8-sig"),
    ("经度", "纬度", "gbk"),
    ("Longitude", " LAT ", "utf-8"),
])
def test_read_csv_with_lon_lat(tmp_path, lon_col, lat_col, encoding):
    p = tmp_path / "pts.csv"
    df = pd.DataFrame({"名称": NAMES, lon_col: LON, lat_col: LAT, "code": ["0330", "0331", "0332"]})
    p.write_bytes(df.to_csv(index=False).encode(encoding))
    gdf = io_r.read_file(p)
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf["名称"]) == NAMES
    assert list(gdf["code"]) == ["0330", "0331", "0332"]  # text stays text: leading zeros kept
    np.testing.assert_allclose(gdf.geometry.x, LON)
    np.testing.assert_allclose(gdf.geometry.y, LAT)
    assert lon_col.strip() not in gdf.columns


def test_read_xlsx_with_lon_lat_and_sheet(tmp_path):
    p = tmp_path / "pts.xlsx"
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"x": [1]}).to_excel(xw, sheet_name="说明", index=False)
        pd.DataFrame({"名称": NAMES, "lon": LON, "lat": LAT}).to_excel(xw, sheet_name="点位", index=False)
    gdf = io_r.read_file(p, layer="点位")
    assert list(gdf["名称"]) == NAMES
    np.testing.assert_allclose(gdf.geometry.y, LAT)
    with pytest.raises(HnGeoError, match=r"no sheet 'foo'; sheets found: \['说明', '点位'\]"):
        io_r.read_file(p, layer="foo")
    with pytest.raises(HnGeoError, match="no longitude/latitude columns found.*columns found: x$"):
        io_r.read_file(p)  # first sheet has no coordinates


def test_read_csv_bad_coordinate_names_row_and_field(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("name,lon,lat\na,120.5,30.4\nb,120.6,30.4\nc,东经120度,30.5\n", encoding="utf-8")
    with pytest.raises(HnGeoError) as exc:
        io_r.read_file(p)
    err = exc.value
    assert err.path == str(p) and err.field == "lon" and err.row == 4  # spreadsheet row 4
    assert "东经120度" in str(err) and str(p) in str(err)


def test_read_csv_projected_xy_needs_assume_crs(tmp_path):
    metres = _points().to_crs("EPSG:4549")
    p = tmp_path / "xy.csv"
    pd.DataFrame({"name": NAMES, "X": metres.geometry.x, "Y": metres.geometry.y}).to_csv(p, index=False)
    with pytest.raises(HnGeoError, match="look projected"):
        io_r.read_file(p)
    gdf = io_r.read_file(p, assume_crs="EPSG:4549")
    np.testing.assert_allclose(gdf.to_crs("EPSG:4490").geometry.x, LON, atol=1e-8)


def test_read_csv_with_degree_signs(tmp_path):
    p = tmp_path / "deg.csv"
    p.write_text("名称,经度,纬度\n许村,120.4510°, 30.4003° \n", encoding="utf-8-sig")
    gdf = io_r.read_file(p)
    assert (gdf.geometry.x.iloc[0], gdf.geometry.y.iloc[0]) == (120.451, 30.4003)


def test_read_csv_swapped_lon_lat(tmp_path):
    p = tmp_path / "swapped.csv"
    p.write_text("name,lon,lat\na,30.4,120.5\n", encoding="utf-8")
    with pytest.raises(HnGeoError, match="look swapped"):
        io_r.read_file(p)


# ----------------------------------------------------------------------------- bad input
def test_missing_crs_is_an_error_unless_assumed(tmp_path):
    p = tmp_path / "noprj.shp"
    pyogrio.write_dataframe(_points(), p, encoding="UTF-8")
    p.with_suffix(".prj").unlink()
    with pytest.raises(HnGeoError, match="declares no CRS.*--assume-crs") as exc:
        io_r.read_file(p)
    assert str(p) in str(exc.value)
    gdf = io_r.read_file(p, assume_crs="EPSG:4490")
    assert gdf.crs.to_epsg() == 4490


def test_assume_crs_ignored_when_declared_crs_fits(tmp_path):
    p = tmp_path / "pts.gpkg"
    pyogrio.write_dataframe(_points(), p)
    with pytest.warns(HnGeoWarning, match="declares CRS EPSG:4490.*stated CRS EPSG:4549 is ignored"):
        gdf = io_r.read_file(p, assume_crs="EPSG:4549")
    assert gdf.crs.to_epsg() == 4490
    with warnings.catch_warnings():
        warnings.simplefilter("error", HnGeoWarning)
        io_r.read_file(p, assume_crs="EPSG:4490")  # same CRS: nothing to say


def test_projected_coordinates_declared_geographic(tmp_path):
    metres = _points().to_crs("EPSG:4549")
    mislabelled = metres.set_crs("EPSG:4326", allow_override=True)
    p = tmp_path / "metres.geojson"  # GeoJSON without "crs" always reads as WGS84
    pyogrio.write_dataframe(mislabelled, p, driver="GeoJSON")
    with pytest.raises(HnGeoError, match="outside the longitude/latitude range.*look projected") as exc:
        io_r.read_file(p)
    assert str(p) in str(exc.value)
    # the user states the real CRS: accepted, with a warning
    with pytest.warns(HnGeoWarning, match="do not fit the declared CRS EPSG:4326; using the stated CRS EPSG:4549"):
        gdf = io_r.read_file(p, assume_crs="EPSG:4549")
    np.testing.assert_allclose(gdf.to_crs("EPSG:4490").geometry.x, LON, atol=1e-7)


def test_geographic_coordinates_declared_projected(tmp_path):
    p = tmp_path / "degrees.gpkg"
    pyogrio.write_dataframe(_points().set_crs("EPSG:4549", allow_override=True), p)
    with pytest.raises(HnGeoError, match="look like longitude/latitude degrees but the CRS EPSG:4549 is projected"):
        io_r.read_file(p)


def test_from_gcj02_converts_amap_coordinates(tmp_path):
    # GCJ-02 coordinates of the eviltransform Shanghai pair (see test_crs.py)
    p = tmp_path / "amap.csv"
    p.write_text("name,lng,lat\n浦东,121.531541859215,31.17530398364597\n", encoding="utf-8")
    gdf = io_r.read_file(p, from_gcj02=True)
    assert gdf.geometry.x.iloc[0] == pytest.approx(121.5272106, abs=1e-7)
    assert gdf.geometry.y.iloc[0] == pytest.approx(31.1774276, abs=1e-7)
    raw = io_r.read_file(p)
    assert raw.geometry.x.iloc[0] == pytest.approx(121.531541859215)


@pytest.mark.parametrize("name, content", [
    ("empty.csv", b""),
    ("empty.geojson", b""),
    ("header_only.csv", "名称,lon,lat\n".encode()),
    ("no_features.geojson", b'{"type": "FeatureCollection", "features": []}'),
])
def test_empty_files(tmp_path, name, content):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(HnGeoError, match="empty|no rows|no features") as exc:
        io_r.read_file(p)
    assert exc.value.path == str(p)


def test_unclosed_rings_are_closed_and_unbuildable_geometries_reported(tmp_path):
    p = tmp_path / "rings.geojson"
    feats = [
        {"type": "Feature", "properties": {"id": "ok"}, "geometry": {"type": "Polygon", "coordinates": [
            [[120.5, 30.4], [120.6, 30.4], [120.6, 30.5], [120.5, 30.4]]]}},
        {"type": "Feature", "properties": {"id": "unclosed"}, "geometry": {"type": "Polygon", "coordinates": [
            [[120.5, 30.4], [120.6, 30.4], [120.6, 30.5]]]}},
        {"type": "Feature", "properties": {"id": "two points"}, "geometry": {"type": "Polygon", "coordinates": [
            [[120.5, 30.4], [120.6, 30.4]]]}},
    ]
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    with pytest.warns(HnGeoWarning, match="repaired 2 geometries with unclosed rings"):
        gdf = io_r.read_file(p)
    assert list(gdf["id"]) == ["ok", "unclosed", "two points"]  # nothing dropped
    assert gdf.geometry.iloc[1].equals(gdf.geometry.iloc[0])
    # a closed two-point ring is no polygon: validation reports it by feature and id
    assert not gdf.geometry.iloc[2].is_valid
    from hn_geo.ground.catalog import get_schema
    from hn_geo.ground.validate import validate

    with pytest.raises(HnGeoError, match=r"geometry type LineString.*#3 \(zone_id=two points\)"), \
            pytest.warns(HnGeoWarning, match="repaired 1 invalid geometry"):
        validate(gdf.rename(columns={"id": "zone_id"}).assign(name="x"), get_schema("red_line"), path=p)


def test_missing_file_and_garbage(tmp_path):
    with pytest.raises(HnGeoError, match="file not found"):
        io_r.read_file(tmp_path / "nope.gpkg")
    p = tmp_path / "garbage.gpkg"
    p.write_bytes(b"this is not a geopackage" * 10)
    with pytest.raises(HnGeoError, match="cannot open as a vector file") as exc:
        io_r.read_file(p)
    assert exc.value.path == str(p)


# ----------------------------------------------------------------------------- writers
GEOJSON_SCHEMA = {
    # compact JSON schema of RFC 7946 FeatureCollections (geometry rules of sections 3.1.1-3.1.8)
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        "position": {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"}},
        "ring": {"type": "array", "minItems": 4, "items": {"$ref": "#/$defs/position"}},
        "line": {"type": "array", "minItems": 2, "items": {"$ref": "#/$defs/position"}},
        "geometry": {"oneOf": [
            {"type": "object", "required": ["type", "coordinates"],
             "properties": {"type": {"const": "Point"}, "coordinates": {"$ref": "#/$defs/position"}}},
            {"type": "object", "required": ["type", "coordinates"],
             "properties": {"type": {"const": "LineString"}, "coordinates": {"$ref": "#/$defs/line"}}},
            {"type": "object", "required": ["type", "coordinates"],
             "properties": {"type": {"const": "Polygon"},
                            "coordinates": {"type": "array", "items": {"$ref": "#/$defs/ring"}}}},
            {"type": "object", "required": ["type", "coordinates"],
             "properties": {"type": {"const": "MultiPoint"},
                            "coordinates": {"type": "array", "items": {"$ref": "#/$defs/position"}}}},
            {"type": "object", "required": ["type", "coordinates"],
             "properties": {"type": {"const": "MultiLineString"},
                            "coordinates": {"type": "array", "items": {"$ref": "#/$defs/line"}}}},
            {"type": "object", "required": ["type", "coordinates"],
             "properties": {"type": {"const": "MultiPolygon"},
                            "coordinates": {"type": "array",
                                            "items": {"type": "array", "items": {"$ref": "#/$defs/ring"}}}}},
        ]},
    },
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": {
            "type": "object", "required": ["type", "properties", "geometry"],
            "properties": {"type": {"const": "Feature"},
                           "properties": {"type": ["object", "null"]},
                           "geometry": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/geometry"}]}}}},
    },
}


@pytest.fixture
def polygons_metric():
    """Two polygons in EPSG:4549 metres: exterior rings clockwise, one with a hole."""
    pts = _points().to_crs("EPSG:4549")
    x, y = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    cw = shapely.box(x[0], y[0], x[0] + 1234.5678, y[0] + 987.6543, ccw=False)
    hole = shapely.box(x[1] + 100, y[1] + 100, x[1] + 200, y[1] + 200, ccw=True)  # CCW hole: wrong too
    outer = shapely.box(x[1], y[1], x[1] + 1000, y[1] + 1000, ccw=False)
    with_hole = shapely.Polygon(outer.exterior.coords, [hole.exterior.coords])
    return gpd.GeoDataFrame({"name": NAMES[:2], "note": ["含“引号”与\\反斜杠", None]},
                            geometry=[cw, with_hole], crs="EPSG:4549")


def test_write_geojson_is_rfc7946(tmp_path, polygons_metric):
    jsonschema = pytest.importorskip("jsonschema")
    p = io_w.write_geojson(polygons_metric, tmp_path / "out.geojson")
    raw = p.read_bytes()
    text = raw.decode("utf-8")  # valid UTF-8
    doc = json.loads(text)
    jsonschema.validate(doc, GEOJSON_SCHEMA)
    assert "crs" not in doc
    assert [f["properties"]["name"] for f in doc["features"]] == NAMES[:2]
    assert doc["features"][0]["properties"]["note"] == "含“引号”与\\反斜杠"
    assert "海宁市许村镇" in text  # Chinese written as is, not \u escapes
    # <= 7 decimals on every coordinate number
    coords_text = [json.dumps(f["geometry"]["coordinates"]) for f in doc["features"]]
    decimals = [len(m) for c in coords_text for m in re.findall(r"\.(\d+)", c)]
    assert decimals and max(decimals) <= 7
    # WGS84 lon/lat matching the source after reprojection (within the 7-decimal rounding)
    back = polygons_metric.to_crs("EPSG:4326")
    for feat, geom in zip(doc["features"], back.geometry):
        got = shapely.geometry.shape(feat["geometry"])
        assert 120 < got.centroid.x < 121 and 30 < got.centroid.y < 31
        assert got.hausdorff_distance(geom) < 1e-7  # 7 decimals: rounding <= 5e-8 per axis
        # right-hand rule: exterior counter-clockwise, holes clockwise
        assert got.exterior.is_ccw
        assert all(not r.is_ccw for r in got.interiors)
    assert len(shapely.geometry.shape(doc["features"][1]["geometry"]).interiors) == 1


def test_geojson_output_is_read_by_ogrinfo(tmp_path, polygons_metric):
    if shutil.which("ogrinfo") is None:
        pytest.skip("ogrinfo (gdal-bin) not installed")
    p = io_w.write_geojson(polygons_metric, tmp_path / "out.geojson")
    res = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(p)], capture_output=True, text=True,
                         check=True)
    assert "Feature Count: 2" in res.stdout
    assert "WGS 84" in res.stdout and "Polygon" in res.stdout


def test_write_gpkg_records_cgcs2000(tmp_path, polygons_metric):
    p = io_w.write_gpkg(polygons_metric, tmp_path / "out.gpkg", layer="面")
    info = pyogrio.read_info(p, layer="面")
    assert info["crs"] == "EPSG:4490"
    gdf = pyogrio.read_dataframe(p)
    assert list(gdf["name"]) == NAMES[:2]
    np.testing.assert_allclose(gdf.total_bounds, polygons_metric.to_crs(4490).total_bounds, atol=1e-9)
    with sqlite3.connect(p) as con:
        rows = con.execute("select organization, organization_coordsys_id from gpkg_spatial_ref_sys "
                           "join gpkg_geometry_columns using (srs_id)").fetchall()
    assert rows == [("EPSG", 4490)]
    if shutil.which("ogrinfo"):
        res = subprocess.run(["ogrinfo", "-ro", "-so", str(p), "面"], capture_output=True,
                             text=True, check=True)
        assert 'ID["EPSG",4490]' in res.stdout
        assert "China Geodetic Coordinate System 2000" in res.stdout


def test_write_gpkg_layers_and_parquet_round_trip(tmp_path, polygons_metric):
    p = io_w.write_gpkg_layers({"polys": polygons_metric, "点": _points()}, tmp_path / "two.gpkg")
    assert io_r.list_layers(p) == ["polys", "点"]
    q = io_w.write_parquet(polygons_metric, tmp_path / "polys.parquet")
    back = gpd.read_parquet(q)
    assert back.crs.to_epsg() == 4490
    assert list(back["name"]) == NAMES[:2]
    assert back.geometry.geom_equals_exact(polygons_metric.to_crs(4490).geometry, 1e-12).all()
    assert io_r.read_file(q).crs.to_epsg() == 4490


def test_write_layer_dispatch_and_odd_columns(tmp_path):
    gdf = _points().assign(tags=[["a", "b"], {"k": "值"}, None],
                           when=pd.to_datetime(["2024-01-01"] * 3).tz_localize("Asia/Shanghai"))
    p = io_w.write_layer(gdf, tmp_path / "x.gpkg")
    back = pyogrio.read_dataframe(p)
    assert list(back["tags"].iloc[:2]) == ['["a", "b"]', '{"k": "值"}']
    assert back["tags"].isna().iloc[2]
    assert io_w.write_layer(gdf, tmp_path / "x.json").exists()
    with pytest.raises(HnGeoError, match="unknown output format"):
        io_w.write_layer(gdf, tmp_path / "x.kml")
    with pytest.raises(HnGeoError, match="no CRS"):
        io_w.write_geojson(gdf.set_crs(None, allow_override=True), tmp_path / "y.geojson")


# ----------------------------------------------------------------------------- atomic writes
def test_atomic_path_failure_leaves_target_and_no_temp(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("old content", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with io_f.atomic_path(target) as tmp:
            tmp.write_text("half a fi", encoding="utf-8")
            raise RuntimeError("the writer crashed")
    assert target.read_text(encoding="utf-8") == "old content"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["report.csv"]


def test_writer_failing_midway_leaves_nothing(tmp_path, polygons_metric):
    target = tmp_path / "result.gpkg"
    # a multi-layer write whose second layer fails after the first was written
    with pytest.raises(HnGeoError, match="no CRS"):
        io_w.write_gpkg_layers({"ok": polygons_metric,
                              "bad": polygons_metric.set_crs(None, allow_override=True)}, target)
    assert list(tmp_path.iterdir()) == []
    # with an existing target: untouched, byte for byte
    io_w.write_gpkg(_points(), target)
    before = target.read_bytes()
    with pytest.raises(HnGeoError):
        io_w.write_gpkg_layers({"ok": polygons_metric,
                              "bad": polygons_metric.set_crs(None, allow_override=True)}, target)
    assert target.read_bytes() == before
    assert [x.name for x in tmp_path.iterdir()] == ["result.gpkg"]


def test_writer_that_creates_nothing_is_an_error(tmp_path):
    with pytest.raises(OSError, match="created no file"):
        with io_f.atomic_path(tmp_path / "a.txt"):
            pass
    assert list(tmp_path.iterdir()) == []


def test_successful_write_replaces_target(tmp_path):
    target = io_f.write_text("旧", tmp_path / "t.txt")
    io_f.write_text("新内容", target)
    assert target.read_text(encoding="utf-8") == "新内容"
    assert [x.name for x in tmp_path.iterdir()] == ["t.txt"]


def test_gcj02_helper_is_consistent_with_reader(tmp_path):
    # reader output equals the vectorised inverse applied by hand
    p = tmp_path / "amap.csv"
    pd.DataFrame({"lon": LON, "lat": LAT}).to_csv(p, index=False)
    gdf = io_r.read_file(p, from_gcj02=True)
    lon, lat = gcj02_to_wgs84(LON, LAT)
    np.testing.assert_allclose(gdf.geometry.x, lon)
    np.testing.assert_allclose(gdf.geometry.y, lat)
