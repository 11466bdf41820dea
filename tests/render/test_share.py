"""Share packages: RFC 7946 GeoJSON, GeoPackage in EPSG:4490, metadata, checksums, atomic writes."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from hn_geo import vocabulary
from hn_geo.cli import main
from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import AnalysisResult
from hn_geo.ground import catalog
from hn_geo.ground.inputs import Inputs
from hn_geo.render import share
from hn_geo.workflows import share as wf

# The core structure of RFC 7946 (sections 3.1-3.3) as a JSON Schema.
_POS = {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"}}
_RING = {"type": "array", "minItems": 4, "items": _POS}
_LINE = {"type": "array", "minItems": 2, "items": _POS}


def _geom(kind, coords):
    return {"type": "object", "required": ["type", "coordinates"],
            "properties": {"type": {"const": kind}, "coordinates": coords}}


GEOJSON_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["type", "features"],
    "not": {"required": ["crs"]},  # RFC 7946 4: no crs member
    "properties": {
        "type": {"const": "FeatureCollection"},
        "bbox": {"type": "array", "minItems": 4},
        "features": {"type": "array", "items": {
            "type": "object",
            "required": ["type", "properties", "geometry"],
            "properties": {
                "type": {"const": "Feature"},
                "properties": {"type": ["object", "null"]},
                "geometry": {"oneOf": [
                    {"type": "null"},
                    _geom("Point", _POS),
                    _geom("MultiPoint", {"type": "array", "items": _POS}),
                    _geom("LineString", _LINE),
                    _geom("MultiLineString", {"type": "array", "items": _LINE}),
                    _geom("Polygon", {"type": "array", "items": _RING}),
                    _geom("MultiPolygon", {"type": "array", "items": {"type": "array", "items": _RING}}),
                ]},
            }}},
    },
}


def _sample_layer():
    """Mixed geometries and types, a clockwise exterior ring, a hole, Chinese text, in a metric CRS."""
    cw = shapely.Polygon([(120.60, 30.40), (120.60, 30.45), (120.65, 30.45), (120.65, 30.40)])  # clockwise
    holed = shapely.Polygon([(120.50, 30.30), (120.58, 30.30), (120.58, 30.36), (120.50, 30.36)],
                            [[(120.52, 30.32), (120.54, 30.32), (120.54, 30.34), (120.52, 30.34)]])
    multi = shapely.MultiPolygon([shapely.box(120.40, 30.20, 120.42, 30.22), shapely.box(120.45, 30.25, 120.47, 30.27)])
    geoms = [cw, holed, multi]
    gdf = gpd.GeoDataFrame({
        "zone_id": ["Z1", "Z2", "Z3"],
        "name": ["硖石街道“红线”区", "盐官镇·水源地", "Zone, with comma"],
        "count": [1, 2, 300000],
        "area_km2": [1.234567891, np.nan, 0.5],
        "approximate": [True, False, True],
        "surveyed": pd.to_datetime(["2024-01-02", "2023-12-31", "2025-06-30"]),
        "source": ["合成数据 (seed 1)", "测试", "test"],
    }, geometry=geoms, crs=catalog.STORAGE_CRS)
    return gdf.to_crs(catalog.METRIC_CRS)  # the writer must reproject


def _points_layer(n=50):
    rng = np.random.default_rng(7)
    lon = 120.4 + rng.random(n) * 0.4 + 1e-9  # more decimals than 7
    lat = 30.3 + rng.random(n) * 0.2
    return gpd.GeoDataFrame({"point_id": [f"P{i:03d}" for i in range(n)],
                             "name": [f"企业{i}" for i in range(n)],
                             "nox_t": rng.random(n) * 10},
                            geometry=gpd.points_from_xy(lon, lat), crs=catalog.STORAGE_CRS)


@pytest.fixture()
def package(tmp_path):
    src = tmp_path / "demo_layers.gpkg"
    _sample_layer().to_file(src, layer="zones", driver="GPKG")
    _points_layer().to_file(src, layer="points", driver="GPKG")
    out = tmp_path / "pkg" / "share.zip"
    res = CliRunner().invoke(main, ["export", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out, src


def _extract(zip_path, dest):
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(dest)
    return dest


def test_package_contents(package):
    out, _ = package
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        meta = json.loads(zf.read("metadata.json"))
    assert names == {"demo_zones.geojson", "demo_points.geojson", "share.gpkg", "metadata.json", "SOURCES.md",
                     "README.txt", "SHA256SUMS", "fields/demo_zones_fields.csv", "fields/demo_points_fields.csv",
                     "share.qgz", "styles/demo_zones.qml", "styles/demo_zones.sld", "styles/demo_points.qml",
                     "styles/demo_points.sld"}
    by_name = {m["name"]: m for m in meta["layers"]}
    assert by_name["demo_zones"]["feature_count"] == 3
    assert by_name["demo_points"]["feature_count"] == 50
    minx, miny, maxx, maxy = by_name["demo_zones"]["bbox"]
    assert minx == pytest.approx(120.40, abs=1e-6) and maxy == pytest.approx(30.45, abs=1e-6)
    assert by_name["demo_zones"]["crs"]["geopackage"] == "EPSG:4490"
    assert by_name["demo_zones"]["crs"]["source"] == "EPSG:4549"
    assert "合成数据 (seed 1)" in by_name["demo_zones"]["source"]
    assert by_name["demo_zones"]["source"].startswith("文件 demo_layers.gpkg，图层 zones")
    assert "3 个要素中 2 个为近似或合成数据" in by_name["demo_zones"]["source"]  # a zh run: zh words
    assert meta["lang"] == "zh"
    assert meta["hn_geo_version"] and dt.datetime.fromisoformat(meta["created"]).tzinfo is not None


def test_round_trip_every_feature_and_attribute(package):
    out, src = package
    # what the source file holds (GDAL stores the mixed Polygon/MultiPolygon layer as MultiPolygon)
    originals = {"demo_zones": pyogrio.read_dataframe(src, layer="zones"),
                 "demo_points": pyogrio.read_dataframe(src, layer="points")}
    assert originals["demo_zones"].crs.to_epsg() == 4549
    for fmt, crs, tol in (("geojson", catalog.WGS84, 1e-7), ("gpkg", catalog.STORAGE_CRS, 1e-9)):
        back = share.read_share_package(out, fmt=fmt)
        assert set(back) == set(originals)
        for name, orig in originals.items():
            got = back[name]
            assert got.crs.to_epsg() == int(crs.split(":")[1])
            orig = orig.to_crs(crs)
            assert len(got) == len(orig)
            a = shapely.normalize(np.asarray(orig.geometry.values))
            b = shapely.normalize(np.asarray(got.geometry.values))
            assert shapely.equals_exact(a, b, tolerance=tol).all(), name
            cols = [c for c in orig.columns if c != "geometry"]
            assert [c for c in got.columns if c != "geometry"] == cols
            pd.testing.assert_frame_equal(
                pd.DataFrame(got[cols]).reset_index(drop=True),
                pd.DataFrame(orig[cols]).reset_index(drop=True),
                check_dtype=False, check_exact=True)
            if "name" in cols:
                assert got["name"].tolist() == orig["name"].tolist()  # Chinese intact


def _all_positions(coords):
    if isinstance(coords[0], (int, float)):
        yield coords
    else:
        for c in coords:
            yield from _all_positions(c)


def _signed_area(ring):
    x = np.array([p[0] for p in ring])
    y = np.array([p[1] for p in ring])
    return 0.5 * float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))


def test_geojson_is_rfc7946(package, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    out, _ = package
    root = _extract(out, tmp_path / "x")
    for path in root.glob("*.geojson"):
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8")
        doc = json.loads(text)
        jsonschema.validate(doc, GEOJSON_SCHEMA)
        assert "crs" not in doc
        # at most 7 decimals anywhere in the coordinates
        for feat in doc["features"]:
            coord_text = json.dumps(feat["geometry"]["coordinates"])
            assert not re.search(r"\.\d{8,}", coord_text), path.name
            for lon, lat, *_ in _all_positions(feat["geometry"]["coordinates"]):
                assert 120 < lon < 121.5 and 30 < lat < 31  # lon, lat order (WGS84)
            g = feat["geometry"]
            polys = [g["coordinates"]] if g["type"] == "Polygon" else (
                g["coordinates"] if g["type"] == "MultiPolygon" else [])
            for poly in polys:  # right-hand rule: exterior counter-clockwise, holes clockwise
                assert _signed_area(poly[0]) > 0
                for hole in poly[1:]:
                    assert _signed_area(hole) < 0
        if path.stem == "demo_zones":
            assert "硖石街道“红线”区" in text  # raw UTF-8, not \u escapes
            rings = [len(poly) for f in doc["features"] for poly in f["geometry"]["coordinates"]]
            assert 2 in rings  # the hole survived


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="gdal-bin (ogrinfo) not installed")
def test_ogrinfo_reads_each_geojson_and_gpkg_crs(package, tmp_path):
    out, _ = package
    root = _extract(out, tmp_path / "x")
    for path in root.glob("*.geojson"):
        res = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        n = 3 if path.stem == "demo_zones" else 50
        assert f"Feature Count: {n}" in res.stdout
        assert "ERROR" not in res.stderr
    res = subprocess.run(["ogrinfo", "-ro", "-so", str(root / "share.gpkg"), "demo_zones"],
                         capture_output=True, text=True)
    assert res.returncode == 0 and 'ID["EPSG",4490]' in res.stdout


def test_gpkg_has_every_layer_in_cgcs2000(package, tmp_path):
    out, _ = package
    root = _extract(out, tmp_path / "x")
    layers = {row[0] for row in pyogrio.list_layers(root / "share.gpkg")} - {"layer_styles"}  # QGIS' styles
    assert layers == {"demo_zones", "demo_points"}
    for lyr in layers:
        assert pyogrio.read_info(root / "share.gpkg", layer=lyr)["crs"] == "EPSG:4490"


def test_checksums_match_and_detect_tampering(package, tmp_path):
    out, _ = package
    root = _extract(out, tmp_path / "x")
    lines = (root / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == 13  # every file but SHA256SUMS itself
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((root / name).read_bytes()).hexdigest() == digest
    if shutil.which("sha256sum"):
        res = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=root, capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr
    assert share.verify_checksums(out) == 13
    # tamper with one GeoJSON: the package no longer verifies
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.namelist():
            data = zin.read(item)
            if item == "demo_points.geojson":
                data = data.replace("企业1".encode(), "企业X".encode(), 1)
            zout.writestr(item, data)
    with pytest.raises(HnGeoError) as exc:
        share.read_share_package(bad)
    assert "checksum mismatch for 'demo_points.geojson'" in exc.value.render("en")


def test_field_dictionary_from_catalog_and_result_labels(tmp_path):
    """Result fields take the analysis' words, catalog fields the catalog's."""
    pts = _points_layer(5)
    res = AnalysisResult("solar", layers={"roofs": pts.assign(kwp=[1.0, 2, 3, 4, 5])})
    out = tmp_path / "s.zip"
    meta = share.write_share_package(share.result_layers(res), out, lang="en")
    assert meta["layers"][0]["name"] == "solar_roofs" and "Rooftop PV potential" in meta["layers"][0]["title"]
    with zipfile.ZipFile(out) as zf:
        raw = zf.read("fields/solar_roofs_fields.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    fd = pd.read_csv(pd.io.common.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False)
    assert list(fd.columns) == ["field", "label", "unit", "type"]
    rows = fd.set_index("field")
    assert rows.loc["kwp"].tolist() == ["capacity", "kWp", "decimal"]
    assert rows.loc["nox_t"].tolist() == ["NOx", "t/a", "decimal"]  # from the catalog
    assert rows.loc["point_id", "type"] == "text"


def _sections_title(lang="zh"):
    from hn_geo import vocabulary

    return vocabulary.title("layers", "sections", lang, "water")


def test_result_layers_in_the_run_language(tmp_path, water_result):
    """New-style result layers: labels from the analysis' words, codes written as words, in one language."""
    for lang in ("zh", "en"):
        out = tmp_path / f"w_{lang}.zip"
        meta = share.write_share_package(share.result_layers(water_result), out, lang=lang)
        lyr = meta["layers"][0]
        assert lyr["name"] == "water_sections"
        back = share.read_share_package(out)["water_sections"]
        with zipfile.ZipFile(out) as zf:
            fd = pd.read_csv(pd.io.common.BytesIO(zf.read("fields/water_sections_fields.csv")),
                             encoding="utf-8-sig", keep_default_na=False)
            readme = zf.read("README.txt").decode("utf-8-sig")
        if lang == "zh":
            assert lyr["title"] == _sections_title("zh")
            assert back["status"].tolist() == ["达标", "未达标", "达标", "未达标"]
            assert back["section_type"].tolist()[:2] == ["省控", "市控"]
            assert list(fd.columns) == ["字段名", "名称", "单位", "类型"]
            assert fd.set_index("字段名").loc["water_class"].tolist() == ["水质类别", "", "文本"]
            assert fd.set_index("字段名").loc["name", "名称"] == "断面名称"  # the catalog's word
            assert "数据共享包" in readme and "Created" not in readme
            assert lyr["source"] == "hn_geo 分析结果：水环境质量评价"
        else:
            assert lyr["title"] == _sections_title("en")
            assert back["status"].tolist()[:2] == ["met", "not met"]
            assert back["water_class"].tolist()[-1] == "worse than V"
            assert not vocabulary.has_cjk(readme.replace(lyr["title"], ""))
            assert not any(vocabulary.has_cjk(v) for v in fd.to_numpy().ravel())
    assert not hasattr(share, "analysis_labels")  # no analysis module is imported by the outputs


def test_failure_midway_leaves_no_partial_package(package, tmp_path, monkeypatch):
    out, src = package
    before = out.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full (injected)")

    from hn_geo.render import writers as hio_w

    monkeypatch.setattr(hio_w, "add_gpkg_layer", boom)  # fails after the first GeoJSON is written
    with pytest.raises(OSError, match="injected"):
        share.write_share_package(wf.file_layers(src), out)
    assert out.read_bytes() == before  # the old package is untouched
    fresh = tmp_path / "pkg" / "new.zip"
    with pytest.raises(OSError):
        share.write_share_package(wf.file_layers(src), fresh)
    assert not fresh.exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["share.zip"]  # no temp files left

    # a failure while zipping (after the temp zip is opened) leaves nothing either
    monkeypatch.undo()
    real_write = zipfile.ZipFile.write
    calls = {"n": 0}

    def flaky(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("I/O error (injected)")
        return real_write(self, *a, **k)

    monkeypatch.setattr(zipfile.ZipFile, "write", flaky)
    with pytest.raises(OSError, match="injected"):
        share.write_share_package(wf.file_layers(src), fresh)
    assert not fresh.exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["share.zip"]


def test_unknown_layer_is_a_clean_cli_error(tmp_path):
    res = CliRunner().invoke(main, ["export", "no_such_layer", "--out", str(tmp_path / "x.zip")])
    assert res.exit_code != 0
    assert "no_such_layer" in res.output and "既不是目录中的图层" in res.output
    res = CliRunner().invoke(main, ["export", "no_such_layer", "--out", str(tmp_path / "x.zip"), "--lang", "en"])
    assert "neither a catalog layer" in res.output
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.skipif(not wf.available(Inputs()), reason="no embedded layers present yet")
def test_embedded_layers_export_round_trip(tmp_path):
    names = wf.available(Inputs())
    out = tmp_path / "all.zip"
    res = CliRunner().invoke(main, ["export", "--out", str(out), "--lang", "en"])
    assert res.exit_code == 0, res.output
    back = share.read_share_package(out)
    assert set(back) == set(names)
    for name in names:
        orig = catalog.load_layer(name)
        assert len(back[name]) == len(orig)
        a = shapely.normalize(np.asarray(orig.to_crs(catalog.WGS84).geometry.values))
        b = shapely.normalize(np.asarray(back[name].geometry.values))
        same = shapely.equals_exact(a, b, tolerance=1e-7)
        # a polygon that rounding alone would break is snap-rounded (output safety, issue 12): valid, and
        # off by no more than a 1e-7 degree band along its boundary (collapsed slivers removed)
        moved = shapely.area(shapely.symmetric_difference(a[~same], b[~same]))
        assert shapely.is_valid(b).all() and (moved <= shapely.length(a[~same]) * 1e-7).all(), name
        idf = catalog.get_schema(name).id_field
        assert back[name][idf].tolist() == orig[idf].astype(str).tolist()


def test_coordinates_rounded_exactly_to_seven_decimals(tmp_path):
    # GDAL's GeoJSON writer turns 120.6999994 into 120.7 (1e-6 off); the package writer must not
    xs = np.array([120.6999994, 120.69999987, 120.1000004, 120.12345675])
    gdf = gpd.GeoDataFrame({"k": range(4)}, geometry=gpd.points_from_xy(xs, np.full(4, 30.5)),
                           crs=catalog.WGS84)
    path = share.write_rfc7946(gdf, tmp_path / "p.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    got = np.array([f["geometry"]["coordinates"][0] for f in doc["features"]])
    assert np.abs(got - xs).max() <= 0.5e-7 + 1e-12
    assert got[0] == 120.6999994


def test_infinite_values_become_null_with_a_counted_warning(tmp_path):
    from hn_geo.core.errors import HnGeoWarning

    gdf = gpd.GeoDataFrame({"v": [1.0, np.inf, -np.inf, np.nan]},
                           geometry=gpd.points_from_xy([120.5] * 4, [30.4] * 4), crs=catalog.WGS84)
    with pytest.warns(HnGeoWarning) as rec:
        path = share.write_rfc7946(gdf, tmp_path / "inf.geojson")
    assert [(w.message.code, w.message.params) for w in rec] == [("render.infinite_blank", {"column": "v", "n": 2})]
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert [f["properties"]["v"] for f in doc["features"]] == [1.0, None, None, None]


def test_result_layer_without_a_layer_title_is_named_as_its_table():
    gdf = gpd.GeoDataFrame({"town": ["许村镇"]}, geometry=[shapely.Point(120.6, 30.5)], crs="EPSG:4490")
    lyr = share.ShareLayer("targets_reductions_town", gdf, scope="targets", table="targets_reductions_town")
    assert share.title_of(lyr, "zh") == "规划目标进度·重点工程减排量（分镇街道）"  # not the raw table name
    assert share.title_of(lyr, "en").endswith("Key-project reductions by town")
