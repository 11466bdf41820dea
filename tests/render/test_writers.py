"""Layers written valid: GeoJSON snap-rounded to 7 decimals, invalid input geometries repaired with
a counted warning (issue 12).

Before: rounding each coordinate to 7 decimals turned 7 of the 42 embedded control units into
invalid polygons (self-intersections, rings with too few points) in ``hn-geo layers export``
and the share package, GEOS wrote coordinates such as ``30.584615199999998``, and ``hn-geo
export`` of a user file carried bow-ties into the package unrepaired. The checks use shapely
and GDAL's own ``ST_IsValid`` (``ogrinfo -dialect sqlite``).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.settings import STORAGE_CRS
from hn_geo.ground.catalog import default_path
from hn_geo.render import writers

OGRINFO = shutil.which("ogrinfo")
_DECIMALS = re.compile(r"-?\d+\.(\d+)")


def geojson_problems(path):
    """(invalid features in shapely, null geometries, most decimals of a coordinate) of a file."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    invalid = nulls = decimals = 0
    for f in data["features"]:
        if f["geometry"] is None:
            nulls += 1
            continue
        text = json.dumps(f["geometry"]["coordinates"])
        decimals = max([decimals] + [len(d) for d in _DECIMALS.findall(text)])
        invalid += not shapely.from_geojson(json.dumps(f["geometry"])).is_valid
    return invalid, nulls, decimals


def gdal_invalid(path, layer=None):
    """Features GDAL's own check (SpatiaLite ST_IsValid through ogrinfo) finds invalid."""
    layer = layer or Path(path).stem
    geom = "geom" if Path(path).suffix == ".gpkg" else "geometry"
    res = subprocess.run([OGRINFO, "-q", "-ro", "-dialect", "sqlite", "-sql",
                          f'SELECT count(*) AS n, sum(ST_IsValid({geom}) = 0) AS bad FROM "{layer}"', str(path)],
                         capture_output=True, text=True, check=True)
    found = dict(re.findall(r"(n|bad) \(Integer\) = (\d+)", res.stdout))
    assert "n" in found, res.stdout + res.stderr
    return int(found.get("bad", 0))


def test_snap_rounding_keeps_a_polygon_valid_that_rounding_breaks(tmp_path):
    # a notch whose tip lies 4e-8 degrees above the bottom edge: rounding puts it on the edge
    x, y = 120.68, 30.51
    notch = shapely.Polygon([(x, y), (x + 0.01, y), (x + 0.005, y + 4e-8), (x + 0.005, y + 0.01), (x, y + 0.01)])
    assert notch.is_valid
    naive = shapely.transform(notch, lambda c: np.round(c, 7))
    assert not naive.is_valid  # what the writer did before
    path = writers.write_geojson(gpd.GeoDataFrame({"k": [1]}, geometry=[notch], crs=STORAGE_CRS), tmp_path / "n.geojson")
    invalid, nulls, decimals = geojson_problems(path)
    assert (invalid, nulls) == (0, 0) and decimals <= 7  # GDAL's check: the slow tests below


def test_coordinates_have_at_most_7_decimals():
    gs = [shapely.Point(120.584615199999998, 30.584615199999998), shapely.LineString([(120.1, 30.0000001), (120.2, 1e-8)]),
          shapely.box(120.00000001, 30.00000004, 121.123456789, 31), None]
    texts = writers.geometry_json(writers.snap_round(gs))
    assert texts[0] == '{"type":"Point","coordinates":[120.5846152,30.5846152]}'
    assert texts[-1] is None
    for t in texts[:-1]:
        assert max(len(d) for d in _DECIMALS.findall(t)) <= 7 and "e-" not in t
        json.loads(t)


@pytest.mark.slow
def test_embedded_control_units_export_valid(tmp_path):
    units = gpd.read_file(default_path("control_units"))
    path = writers.write_geojson(units, tmp_path / "control_units.geojson")
    invalid, nulls, decimals = geojson_problems(path)
    assert (invalid, nulls) == (0, 0) and decimals <= 7
    assert len(json.loads(path.read_text(encoding="utf-8"))["features"]) == len(units)
    if OGRINFO:
        assert gdal_invalid(path) == 0


def _user_file(tmp_path):
    x, y = 120.60, 30.50
    g = gpd.GeoDataFrame({"name": ["bow", "ok", "nul", "spike"]}, geometry=[
        shapely.Polygon([(x, y), (x + .02, y + .02), (x + .02, y), (x, y + .02)]),
        shapely.box(x + .03, y, x + .04, y + .01), None,
        shapely.Polygon([(x + .05, y), (x + .06, y), (x + .06, y + .01), (x + .055, y + .01), (x + .055, y + .03),
                         (x + .055, y + .01), (x + .05, y + .01)])], crs=STORAGE_CRS)
    path = tmp_path / "plots.gpkg"
    g.to_file(path, driver="GPKG", layer="plots")
    return path


def test_invalid_geometries_repaired_with_a_counted_warning(tmp_path):
    g = gpd.read_file(_user_file(tmp_path))
    with pytest.warns(HnGeoWarning) as rec:
        path = writers.write_geojson(g, tmp_path / "plots.geojson")
    texts = [w.message.render("en") for w in rec]
    assert any("2 of 4 feature(s) had an invalid geometry and were repaired" in t and "1 (bow)" in t
               and "4 (spike)" in t for t in texts), texts
    assert any("1 of 4 feature(s) have no geometry" in t and "3 (nul)" in t for t in texts), texts
    assert geojson_problems(path) == (0, 1, 3)  # the null kept (a record of the data), the rest valid


@pytest.mark.slow
@pytest.mark.skipif(OGRINFO is None, reason="GDAL's ogrinfo (Debian gdal-bin) is not installed")
def test_export_of_a_user_file_writes_a_valid_package(tmp_path):
    """`hn-geo export` of a user file: bow-tie and spike repaired, counted, valid in GDAL too."""
    from hn_geo.cli import main

    src = _user_file(tmp_path)
    out = tmp_path / "pkg.zip"
    r = CliRunner().invoke(main, ["export", str(src), "--out", str(out), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "2 of 4 feature(s) had an invalid geometry and were repaired" in r.output
    assert r.output.count("had an invalid geometry") == 1  # one warning per layer, not one per file
    root = tmp_path / "pkg"
    zipfile.ZipFile(out).extractall(root)
    gj = next(root.glob("*.geojson"))
    assert geojson_problems(gj)[:2] == (0, 1)
    assert gdal_invalid(gj) == 0
    assert gdal_invalid(next(root.glob("*.gpkg")), layer=gj.stem) == 0


def _all_geojson_valid(folder):
    problems = {}
    for p in sorted(Path(folder).glob("*.geojson")):
        invalid, _, decimals = geojson_problems(p)
        bad = gdal_invalid(p) if OGRINFO else 0
        if invalid or bad or decimals > 7:
            problems[p.name] = (invalid, bad, decimals)
    return problems


@pytest.mark.slow
def test_every_embedded_layer_exports_valid(tmp_path):
    from hn_geo.cli import main
    from hn_geo.ground.catalog import SCHEMAS

    names = []
    for n in SCHEMAS:
        try:
            default_path(n)
        except KeyError:
            continue
        names.append(n)
    with warnings.catch_warnings():
        warnings.simplefilter("error", HnGeoWarning)  # the embedded layers need no repair
        r = CliRunner().invoke(main, ["layers", "export", *names, "--format", "geojson", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert len(list(tmp_path.glob("*.geojson"))) == len(names) >= 11
    assert _all_geojson_valid(tmp_path) == {}


@pytest.mark.slow
def test_every_layer_of_a_run_share_package_is_valid(tmp_path):
    """The share package of a whole run: the embedded layers and every analysis' result layers."""
    from hn_geo.pipeline import run_pipeline

    rep = run_pipeline(None, tmp_path / "out", quiet=True)
    zp = next((tmp_path / "out" / "share").glob("*.zip"))
    root = tmp_path / "pkg"
    zipfile.ZipFile(zp).extractall(root)
    meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    assert rep.ok and len(meta["layers"]) >= 14
    assert any(lyr["name"].startswith(("water_", "zoning_", "solar_", "targets_")) for lyr in meta["layers"])
    assert _all_geojson_valid(root) == {}


@pytest.mark.parametrize("dtype", ["str", object])
def test_nul_in_text_columns_becomes_the_replacement_character(tmp_path, dtype):
    """NUL would cut the text in GDAL: it is written as U+FFFD, in text and mixed columns."""
    g = gpd.GeoDataFrame({"name": pd.Series(["a\x00b", "ok", None], dtype=dtype),
                          "mixed": pd.Series([1, "x\x00", None], dtype=object),
                          "clean": pd.Series(["a", "b", "c"], dtype=dtype)},
                         geometry=[shapely.Point(120.6, 30.5)] * 3, crs="EPSG:4490")
    path = writers.write_gpkg(g, tmp_path / "nul.gpkg")
    back = pyogrio.read_dataframe(path)
    assert back["name"].tolist()[:2] == ["a\ufffdb", "ok"] and pd.isna(back["name"].iloc[2])
    assert back["mixed"].tolist()[:2] == ["1", "x\ufffd"]
    assert back["clean"].tolist() == ["a", "b", "c"]


def test_an_equivalent_crs_is_relabelled_not_reprojected(tmp_path):
    """A layer whose CRS is EPSG:4490 spelt otherwise (a GeoParquet's PROJJSON) is written with
    its coordinates as they are, and the caller's frame keeps its own CRS object and values."""
    import pyproj

    crs = pyproj.CRS.from_json(pyproj.CRS("EPSG:4490").to_json())
    poly = shapely.Polygon([(120.61234567, 30.51234567), (120.6124, 30.5123), (120.6124, 30.5124)])
    g = gpd.GeoDataFrame({"name": ["a"]}, geometry=[poly], crs=crs)
    assert not g.crs.is_exact_same(pyproj.CRS(STORAGE_CRS)) and g.crs.equals(STORAGE_CRS)
    out = writers.in_crs(g, STORAGE_CRS)
    assert out.crs.is_exact_same(pyproj.CRS(STORAGE_CRS)) and g.crs is crs
    assert shapely.equals_exact(out.geometry.iloc[0], poly, tolerance=0)
    back = gpd.read_parquet(writers.write_parquet(g, tmp_path / "a.parquet"))
    assert shapely.equals_exact(back.geometry.iloc[0], poly, tolerance=0)
    back = pyogrio.read_dataframe(writers.write_gpkg(g, tmp_path / "a.gpkg"))
    assert shapely.equals_exact(back.geometry.iloc[0], poly, tolerance=0) and back.crs.equals(STORAGE_CRS)
    assert g.crs is crs and list(g.columns) == ["name", "geometry"]


def test_a_no_op_transformation_relabels_with_the_same_coordinates():
    """CGCS2000 to WGS84 lon/lat is PROJ's no-op: relabelling gives what to_crs computes."""
    g = gpd.read_file(default_path("towns")).to_crs(STORAGE_CRS)
    assert writers.is_noop(g.crs.to_wkt(), "EPSG:4326") and not writers.is_noop(g.crs.to_wkt(), "EPSG:4549")
    fast, slow = writers.in_crs(g, "EPSG:4326"), g.to_crs("EPSG:4326")
    assert fast.crs.equals("EPSG:4326")
    assert bool(np.all(shapely.equals_exact(np.asarray(fast.geometry.values), np.asarray(slow.geometry.values),
                                            tolerance=0)))
    metric = writers.in_crs(g, "EPSG:4549")  # a real projection is computed
    assert metric.crs.equals("EPSG:4549") and metric.total_bounds[0] > 1000


def test_geojson_properties_are_what_json_writes_of_each_row(tmp_path):
    """The column-at-a-time property writer gives, byte for byte, ``json.dumps`` of each row's
    values as the GeoJSON writer documents them (missing -> null, dates -> ISO text, NUL ->
    U+FFFD, numbers as numbers)."""
    n = 6
    df = pd.DataFrame({
        "名称": ["硖石街道", 'a "quoted"\nline', None, "x\x00y", "硖石街道", "=1+2"],
        "f": [1.5, np.nan, -0.0, 1e-9, 123456789.125, 2.0],
        "i": np.arange(n, dtype="int64") * 10 ** 12,
        "ni": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
        "b": [True, False, True, True, False, True],
        "t": pd.to_datetime(["2024-01-02 03:04:05", None, "2025-12-31 00:00:00", "2020-01-01 00:00:00", "2020-01-01 00:00:00",
                             "2021-06-30 12:00:00"]),
        "tz": pd.to_datetime(["2024-01-02T03:04:05+08:00"] * n),
        "o": [[1, 2], {"k": "值"}, np.int64(7), np.float64(2.5), None, "text"],
        3: ["int key"] * n,
    })
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(120.6 + np.arange(n) / 100, [30.5] * n),
                           crs="EPSG:4326")
    p = writers.write_geojson(gdf, tmp_path / "p.geojson")
    text = Path(p).read_text(encoding="utf-8")
    got = [json.loads(line.rstrip(","))["properties"] for line in text.splitlines() if line.startswith('{"type": "Feature"')]
    assert got[0] == {"名称": "硖石街道", "f": 1.5, "i": 0, "ni": 1, "b": True, "t": "2024-01-02T03:04:05",
                      "tz": "2024-01-01T19:04:05", "o": [1, 2], "3": "int key"}
    assert got[1]["名称"] == 'a "quoted"\nline' and got[1]["f"] is None and got[1]["ni"] is None
    assert got[1]["t"] is None and got[1]["o"] == {"k": "值"} and got[1]["b"] is False
    assert got[2]["名称"] is None and got[2]["o"] == 7 and got[3]["o"] == 2.5 and got[4]["o"] is None
    assert got[3]["名称"] == "x\ufffdy" and got[5]["名称"] == "=1+2" and got[4]["i"] == 4 * 10 ** 12
    for line, props in zip([ln for ln in text.splitlines() if ln.startswith('{"type": "Feature"')], got):
        assert json.dumps(props, ensure_ascii=False) in line  # the same text json writes


def test_geopackages_are_written_without_sqlite_fsync_and_the_setting_restored(tmp_path, monkeypatch):
    monkeypatch.delenv(writers.SQLITE_SYNC, raising=False)
    seen = []
    real = pyogrio.write_dataframe

    def spy(*args, **kwargs):
        seen.append(pyogrio.get_gdal_config_option(writers.SQLITE_SYNC))
        return real(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", spy)
    gdf = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(120.6, 30.5)], crs=STORAGE_CRS)
    pyogrio.set_gdal_config_options({writers.SQLITE_SYNC: "NORMAL"})
    try:
        writers.write_gpkg(gdf, tmp_path / "one.gpkg")
        writers.write_gpkg_layers({"a": gdf, "b": gdf}, tmp_path / "two.gpkg")
        assert seen == [False, False, False]  # pyogrio reads OFF as False
        assert pyogrio.get_gdal_config_option(writers.SQLITE_SYNC) == "NORMAL"  # restored
        monkeypatch.setenv(writers.SQLITE_SYNC, "FULL")  # the user's own setting is left alone
        writers.write_gpkg(gdf, tmp_path / "three.gpkg")
        assert seen[-1] == "NORMAL"
    finally:
        pyogrio.set_gdal_config_options({writers.SQLITE_SYNC: None})
    assert [len(pyogrio.read_dataframe(tmp_path / "two.gpkg", layer=n)) for n in ("a", "b")] == [1, 1]
