"""`hn-geo layers ...`, `--version` and `--help` through click's CliRunner, on files made here."""
from __future__ import annotations

import json

import geopandas as gpd
import pyogrio
import pytest
import shapely
from click.testing import CliRunner
from layer_factory import tiny_layer

import hn_geo
from hn_geo.cli import main
from hn_geo.core.crs import wgs84_to_gcj02
from hn_geo.ground.catalog import SCHEMAS
from hn_geo.render import writers as io_w


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def embedded(tmp_layers_dir):
    """Embedded-layers folder holding tiny valid 'towns' and 'sections' layers."""
    io_w.write_gpkg(tiny_layer("towns"), tmp_layers_dir / "towns.gpkg")
    io_w.write_gpkg(tiny_layer("sections", n=4), tmp_layers_dir / "sections.gpkg")
    return tmp_layers_dir


def test_version_and_help(runner):
    res = runner.invoke(main, ["--version"])
    assert res.exit_code == 0 and hn_geo.__version__ in res.output and "hn-geo" in res.output
    res = runner.invoke(main, ["--help"])
    assert res.exit_code == 0 and "layers" in res.output
    res = runner.invoke(main, ["layers", "--help"])
    assert res.exit_code == 0
    for sub in ("list", "info", "validate", "export"):
        assert sub in res.output
    res = runner.invoke(main, ["layers", "validate", "-h"])
    assert res.exit_code == 0
    for opt in ("--as", "--layer", "--encoding", "--assume-crs", "--from-gcj02"):
        assert opt in res.output
    res = runner.invoke(main, ["layers", "export", "--help"])
    assert res.exit_code == 0 and "geojson|gpkg|parquet" in res.output


def test_list(runner, embedded):
    res = runner.invoke(main, ["layers", "list", "--lang", "en"])
    assert res.exit_code == 0, res.output
    lines = {ln.split()[0]: ln for ln in res.output.splitlines()}
    assert set(lines) == set(SCHEMAS)
    assert lines["towns"].endswith("towns.gpkg")
    assert lines["rivers"].endswith("rivers.gpkg (missing)")


def test_info(runner, embedded):
    res = runner.invoke(main, ["layers", "info", "--lang", "en", "towns"])
    assert res.exit_code == 0, res.output
    assert "target_incentive" in res.output and "intensity cut, incentive target" in res.output
    assert "能耗强度降低激励目标" not in res.output  # one language per run
    assert "3 features, CRS EPSG:4490" in res.output
    res = runner.invoke(main, ["layers", "info", "towns"])
    assert "能耗强度降低激励目标" in res.output and "3 个要素" in res.output
    res = runner.invoke(main, ["layers", "info", "--lang", "en", "nosuch"])
    assert res.exit_code == 2 and "known layers" in res.output and "towns" in res.output


def test_validate_good_file(runner, embedded, tmp_path):
    p = io_w.write_geojson(tiny_layer("towns"), tmp_path / "my_towns.geojson")
    res = runner.invoke(main, ["layers", "validate", "--lang", "en", str(p), "--as", "towns"])
    assert res.exit_code == 0, res.output
    assert "OK" in res.output and "3 features" in res.output and "EPSG:4490" in res.output


def test_validate_bad_file_names_file_and_field(runner, tmp_path):
    src = tiny_layer("sections")
    src.loc[2, "water_body"] = "海洋"
    p = tmp_path / "sections_bad.gpkg"
    pyogrio.write_dataframe(src, p)
    res = runner.invoke(main, ["layers", "validate", "--lang", "en", str(p), "--as", "sections"])
    assert res.exit_code == 1
    assert str(p) in res.output and "field 'water_body'" in res.output and "row/feature 3" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(main, ["layers", "validate", "--lang", "en", str(p), "--as", "lakes"])
    assert res.exit_code == 2 and "unknown layer 'lakes'" in res.output


def test_validate_options(runner, tmp_path):
    # --assume-crs for a Shapefile without .prj, --encoding for GBK text without .cpg
    shp = tmp_path / "towns_gbk.shp"
    src = tiny_layer("towns")
    src["name"] = ["许村镇", "长安镇", "周王庙镇"]
    with pytest.warns(RuntimeWarning, match="laundered"):
        pyogrio.write_dataframe(src.to_crs("EPSG:4549"), shp, encoding="GBK")
    shp.with_suffix(".prj").unlink()
    shp.with_suffix(".cpg").unlink()
    res = runner.invoke(main, ["layers", "validate", "--lang", "en", str(shp), "--as", "towns"])
    assert res.exit_code == 1 and "--assume-crs" in res.output
    res = runner.invoke(main, ["layers", "validate", "--lang", "en", str(shp), "--as", "towns",
                               "--assume-crs", "EPSG:4549", "--encoding", "GBK"])
    assert res.exit_code == 0, res.output
    assert "detected as" not in res.stderr  # the stated encoding is used, nothing guessed
    res = runner.invoke(main, ["layers", "validate", "--lang", "en", str(shp), "--as", "towns",
                               "--assume-crs", "EPSG:4549"])
    assert res.exit_code == 0 and "encoding detected as GB18030" in res.stderr
    assert "renamed 3 column(s)" in res.stderr

    # --layer in a two-layer GeoPackage
    gpkg = tmp_path / "two.gpkg"
    io_w.write_gpkg_layers({"junk": tiny_layer("rivers"), "断面": tiny_layer("sections")}, gpkg)
    res = runner.invoke(main, ["layers", "validate", "--lang", "en", str(gpkg), "--as", "sections"])
    assert res.exit_code == 1 and "layers found" in res.stderr  # first layer is the rivers
    res = runner.invoke(main, ["layers", "validate", "--lang", "en", str(gpkg), "--as", "sections", "--layer", "断面"])
    assert res.exit_code == 0, res.output

    # --from-gcj02 on an Amap-style CSV: bounds printed are the WGS84 positions
    pts = tiny_layer("sections").drop(columns="geometry")
    wlon, wlat = 120.60, 30.45
    glon, glat = wgs84_to_gcj02(wlon, wlat)
    pts["lng"], pts["lat"] = float(glon), float(glat)
    csv = tmp_path / "amap.csv"
    pts.to_csv(csv, index=False, encoding="utf-8-sig")
    res = runner.invoke(main, ["layers", "validate", "--lang", "en", str(csv), "--as", "sections", "--from-gcj02"])
    assert res.exit_code == 0, res.output
    assert f"bounds {wlon:.4f},{wlat:.4f}" in res.output
    res = runner.invoke(main, ["layers", "validate", "--lang", "en", str(csv), "--as", "sections"])
    assert f"bounds {float(glon):.4f}" in res.output


def test_validate_repair_warning_echoed(runner, tmp_path):
    src = tiny_layer("red_line")
    x, y = 120.6, 30.45
    src.loc[0, "geometry"] = shapely.Polygon([(x, y), (x + .01, y + .01), (x + .01, y), (x, y + .01)])
    p = tmp_path / "red.gpkg"
    pyogrio.write_dataframe(src, p)
    res = runner.invoke(main, ["layers", "validate", "--lang", "en", str(p), "--as", "red_line"])
    assert res.exit_code == 0
    assert "warning:" in res.stderr and "repaired 1 invalid geometry" in res.stderr


def test_error_with_library_warnings_pending_terminates(runner, tmp_path, monkeypatch):
    # regression: echoing recorded warnings inside catch_warnings re-recorded them forever
    import warnings

    import hn_geo.cli.layers as cli_layers
    from hn_geo.core.errors import HnGeoError, HnGeoWarning

    def failing_load(name, path, **kw):
        warnings.warn("GDAL said something", RuntimeWarning)
        warnings.warn("repaired 2 things", HnGeoWarning)
        raise HnGeoError("bad value", path=path, row=3, field="name")

    monkeypatch.setattr(cli_layers, "load_layer", failing_load)
    p = tmp_path / "x.geojson"
    p.write_text("{}", encoding="utf-8")
    with pytest.warns(RuntimeWarning, match="GDAL said something"):
        res = runner.invoke(main, ["layers", "validate", "--lang", "en", str(p), "--as", "red_line"])
    assert res.exit_code == 1
    assert f"file {p}; row/feature 3; field 'name': bad value" in res.output
    assert res.stderr.count("warning: repaired 2 things") == 1


def test_export_formats(runner, embedded, tmp_path):
    out = tmp_path / "towns.geojson"
    res = runner.invoke(main, ["layers", "export", "--lang", "en", "towns", "--out", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert len(doc["features"]) == 3 and "crs" not in doc

    folder = tmp_path / "pq"
    res = runner.invoke(main, ["layers", "export", "towns", "sections", "--format", "parquet",
                               "--out", str(folder)])
    assert res.exit_code == 0, res.output
    back = gpd.read_parquet(folder / "sections.parquet")
    assert len(back) == 4 and back.crs.to_epsg() == 4490

    both = tmp_path / "both.gpkg"
    res = runner.invoke(main, ["layers", "export", "towns", "sections", "--out", str(both)])
    assert res.exit_code == 0, res.output
    assert [n for n, _ in pyogrio.list_layers(both)] == ["towns", "sections"]
    assert pyogrio.read_info(both, layer="towns")["crs"] == "EPSG:4490"

    one = tmp_path / "gpkgs"
    res = runner.invoke(main, ["layers", "export", "towns", "--format", "gpkg", "--out", str(one)])
    assert res.exit_code == 0 and pyogrio.list_layers(one / "towns.gpkg")[0][0] == "towns"


def test_export_errors(runner, embedded, tmp_path):
    res = runner.invoke(main, ["layers", "export", "towns", "--format", "geojson",
                               "--out", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 2 and "suffix" in res.output
    res = runner.invoke(main, ["layers", "export", "towns", "sections", "--out", str(tmp_path / "x.geojson")])
    assert res.exit_code == 2 and "only with gpkg" in res.output
    res = runner.invoke(main, ["layers", "export", "lakes", "--out", str(tmp_path / "x.gpkg")])
    assert res.exit_code == 2 and "unknown layer" in res.output
    res = runner.invoke(main, ["layers", "export", "rivers", "--out", str(tmp_path / "r.gpkg")])
    assert res.exit_code == 1 and "file not found" in res.output and "rivers.gpkg" in res.output
    assert list(tmp_path.glob("*.gpkg")) == []


def test_validate_speaks_chinese_by_default(runner, tmp_path):
    p = tmp_path / "towns.gpkg"
    pyogrio.write_dataframe(tiny_layer("towns"), p)
    res = runner.invoke(main, ["layers", "validate", str(p), "--as", "towns"])
    assert res.exit_code == 0, res.output
    assert "通过" in res.output and "个要素" in res.output and "is a valid" not in res.output
