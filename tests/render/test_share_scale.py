"""Share packages that scale: a layer whose GeoJSON would be over the limit goes as GeoParquet.

Synthetic roofs (L-shaped footprints with the attributes of the solar result) stand in for a
city of buildings; the fast tests use a small limit, the slow one the default limit and
enough roofs to pass it.
"""
from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner

from hn_geo.cli import main
from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import AnalysisResult
from hn_geo.core.settings import STORAGE_CRS
from hn_geo.pipeline.config import load_config
from hn_geo.render import share


def roofs(n, seed=3):
    """``n`` L-shaped roofs (6 corners) near Haining with solar-like attributes."""
    rng = np.random.default_rng(seed)
    x = 120.45 + rng.random(n) * 0.35
    y = 30.30 + rng.random(n) * 0.25
    w, h = (8 + rng.random(n) * 30) * 1e-5, (8 + rng.random(n) * 30) * 1e-5
    cx, cy = 0.5 + 0.3 * rng.random(n), 0.5 + 0.3 * rng.random(n)
    rings = np.stack([np.stack([x, y], 1), np.stack([x + w, y], 1), np.stack([x + w, y + cy * h], 1),
                      np.stack([x + cx * w, y + cy * h], 1), np.stack([x + cx * w, y + h], 1),
                      np.stack([x, y + h], 1), np.stack([x, y], 1)], axis=1)
    geoms = shapely.polygons(rings)
    kwp = rng.uniform(3, 300, n)
    return gpd.GeoDataFrame({
        "building_id": [f"B{i:07d}" for i in range(n)],
        "town": rng.choice(["许村镇", "长安镇", "黄湾镇", "海昌街道"], n),
        "building_type": rng.choice(["residential", "industrial", "public", "commercial"], n),
        "roof_area_m2": rng.uniform(40, 4000, n), "kwp": kwp, "kwh_year": kwp * rng.uniform(830, 1000, n),
        "kwh_per_kwp": rng.uniform(830, 1000, n), "status": "pv_possible", "approximate": True,
    }, geometry=geoms, crs=STORAGE_CRS)


def _result(n):
    return AnalysisResult("solar", layers={"buildings": roofs(n)},
                          codes={"building_type": "building_type", "status": "solar.pv_status"})


def test_geojson_size_estimate_is_close_to_the_written_size(tmp_path):
    gdf = roofs(6_000)
    est = share.geojson_mb(gdf, tmp_path)
    path = share.write_rfc7946(gdf, tmp_path / "all.geojson")
    real = path.stat().st_size / 1e6
    assert abs(est - real) / real < 0.03, (est, real)
    assert not (tmp_path / ".size_probe.geojson").exists()


def test_layer_over_the_limit_goes_as_geoparquet_and_the_readme_says_so(tmp_path):
    big = share.result_layers(_result(3_000))[0]
    small = share.ShareLayer("towns_demo", roofs(20, seed=1)[["building_id", "geometry"]], scope="ground")
    out = tmp_path / "p.zip"
    meta = share.write_share_package([big, small], out, lang="en", geojson_max_mb=0.5)
    by = {m["name"]: m for m in meta["layers"]}
    assert by["solar_buildings"]["files"]["geojson"] is None
    assert by["solar_buildings"]["files"]["geoparquet"] == "solar_buildings.parquet"
    assert by["solar_buildings"]["files"]["geojson_estimated_mb"] > 0.5
    assert by["towns_demo"]["files"]["geojson"] == "towns_demo.geojson"
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        readme = zf.read("README.txt").decode("utf-8-sig")
        assert zf.getinfo("solar_buildings.parquet").compress_type == zipfile.ZIP_STORED
        zf.extract("solar_buildings.parquet", tmp_path)
        assert json.loads(zf.read("metadata.json"))["geojson_max_mb"] == 0.5
    assert "solar_buildings.geojson" not in names and "towns_demo.geojson" in names
    assert "solar_buildings: its GeoJSON would be about" in readme and "over the 0.5 MB limit" in readme
    assert "solar_buildings.parquet (GeoParquet)" in readme
    back = gpd.read_parquet(tmp_path / "solar_buildings.parquet")
    assert len(back) == 3_000 and back.crs.to_epsg() == 4490
    assert back["building_type"].iloc[0] in {"residential", "industrial", "public", "commercial"}
    assert shapely.equals_exact(np.asarray(back.geometry.values), np.asarray(big.gdf.geometry.values), 1e-12).all()
    # read back as GeoJSON-like frames: the layer without a GeoJSON comes from the GeoPackage, in WGS84
    frames = share.read_share_package(out)
    assert len(frames["solar_buildings"]) == 3_000 and frames["solar_buildings"].crs.to_epsg() == 4326
    assert share.verify_checksums(out) == len(names) - 1


def test_no_limit_and_bad_limits(tmp_path):
    layer = share.result_layers(_result(300))[0]
    meta = share.write_share_package([layer], tmp_path / "a.zip", geojson_max_mb=None)
    assert meta["layers"][0]["files"]["geojson"] == "solar_buildings.geojson" and meta["geojson_max_mb"] is None
    with pytest.raises(HnGeoError) as exc:
        share.write_share_package([layer], tmp_path / "b.zip", geojson_max_mb=-1)
    assert exc.value.code == "render.bad_geojson_limit"


def test_cli_export_geojson_max_mb(tmp_path):
    src = tmp_path / "roofs.gpkg"
    roofs(3_000).to_file(src, layer="roofs", driver="GPKG")
    res = CliRunner().invoke(main, ["export", str(src), "--out", str(tmp_path / "r.zip"), "--geojson-max-mb", "0.5",
                                    "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "roofs: its GeoJSON would be about" in res.output and "roofs.parquet" in res.output
    with zipfile.ZipFile(tmp_path / "r.zip") as zf:
        assert "roofs.parquet" in zf.namelist() and "roofs.geojson" not in zf.namelist()
    res = CliRunner().invoke(main, ["export", str(src), "--out", str(tmp_path / "s.zip"), "--geojson-max-mb", "-1"])
    assert res.exit_code != 0 and "--geojson-max-mb" in res.output


def test_config_key_export_geojson_max_mb(tmp_path):
    cfg = tmp_path / "run.yaml"
    cfg.write_text("export: {geojson_max_mb: 200}\n", encoding="utf-8")
    assert load_config(cfg).export["geojson_max_mb"] == 200
    cfg.write_text("export: {geojson_max_mb: -5}\n", encoding="utf-8")
    with pytest.raises(HnGeoError) as exc:
        load_config(cfg)
    assert exc.value.field == "export.geojson_max_mb"


@pytest.mark.slow
def test_a_city_of_roofs_at_the_default_limit(tmp_path):
    """150,000 roofs (~75 MB of GeoJSON) pass the default 50 MB limit: GeoParquet and the
    GeoPackage hold them, the QGIS project styles them, the package stays small."""
    layer = share.result_layers(_result(150_000))[0]
    out = tmp_path / "city.zip"
    meta = share.write_share_package([layer], out, lang="zh")
    files = meta["layers"][0]["files"]
    assert files["geojson"] is None and files["geojson_estimated_mb"] > share.GEOJSON_MAX_MB
    with zipfile.ZipFile(out) as zf:
        sizes = {i.filename: i.compress_size for i in zf.infolist()}
    assert "city.qgz" in sizes and "styles/solar_buildings.qml" in sizes
    assert sum(sizes.values()) < files["geojson_estimated_mb"] * 1e6  # smaller than the GeoJSON alone


def test_very_large_files_are_stored_in_the_zip_and_read_back(tmp_path, monkeypatch):
    """Files over ``STORE_ZIP_BYTES`` go in as they are (no deflate); over 1 MB at level 1."""
    big = share.result_layers(_result(3_000))[0]
    monkeypatch.setattr(share, "STORE_ZIP_BYTES", 512 << 10)  # the test's GeoPackage is ~1 MB
    out = tmp_path / "p.zip"
    share.write_share_package([big], out, lang="en", geojson_max_mb=0.1)
    with zipfile.ZipFile(out) as zf:
        gpkg = next(i for i in zf.infolist() if i.filename.endswith(".gpkg"))
        assert gpkg.file_size > 512 << 10 and gpkg.compress_type == zipfile.ZIP_STORED
        small = [i for i in zf.infolist() if i.file_size < 512 << 10 and not i.filename.endswith(share.STORED_SUFFIXES)]
        assert small and all(i.compress_type == zipfile.ZIP_DEFLATED for i in small)
        assert zf.testzip() is None
    assert len(share.read_share_package(out)["solar_buildings"]) == 3_000
    assert share.verify_checksums(out) > 0
