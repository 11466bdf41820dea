"""Partitioned GeoParquet datasets: parts in natural order, footers, per-part validation."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from click.testing import CliRunner

from hn_geo.cli import main
from hn_geo.core.errors import HnGeoError
from hn_geo.ground import datasets
from hn_geo.ground.catalog import default_path
from hn_geo.ground.inputs import Inputs, LayerSource


@pytest.fixture(scope="module")
def raw():
    return gpd.read_parquet(default_path("buildings")).iloc[:1200]


def _write(raw, folder, n, names=None):
    folder.mkdir(parents=True, exist_ok=True)
    for i, idx in enumerate(np.array_split(np.arange(len(raw)), n)):
        raw.iloc[idx].to_parquet(folder / (names[i] if names else f"part.{i}.parquet"))
    return folder


def test_parts_in_natural_order_and_footers(raw, tmp_path):
    ds = _write(raw, tmp_path / "ds", 12)
    parts = datasets.describe(ds)
    assert [p.path.name for p in parts][:3] == ["part.0.parquet", "part.1.parquet", "part.2.parquet"]
    assert parts[-1].path.name == "part.11.parquet"  # not after part.1 (natural order)
    assert sum(p.rows for p in parts) == 1200 and parts[5].offset == sum(p.rows for p in parts[:5])
    assert all(p.bbox is not None for p in parts)
    assert datasets.is_dataset(ds) and datasets.is_dataset(str(ds / "part.*.parquet"))
    assert not datasets.is_dataset(default_path("towns"))


def test_read_all_is_the_file_in_row_order(raw, tmp_path):
    ds = _write(raw, tmp_path / "ds", 3)
    gdf = Inputs(layers={"buildings": LayerSource(ds)}).layer("buildings")
    assert gdf["building_id"].tolist() == raw["building_id"].tolist()
    assert list(gdf.index) == list(range(1200)) and gdf.crs.to_epsg() == 4490
    glob = datasets.read_all(str(ds / "part.[01].parquet"), "buildings")
    assert len(glob) == sum(p.rows for p in datasets.describe(ds)[:2])


@pytest.mark.slow  # the Hilbert shuffle: ~5 s
def test_lazy_frame_has_row_divisions_and_spatial_partitions(raw, tmp_path):
    ds = _write(raw, tmp_path / "ds", 3)
    ddf, parts = datasets.open_dataset(ds, "buildings")
    assert ddf.npartitions == 3 and ddf.known_divisions and ddf.divisions[1] == parts[1].offset
    assert len(ddf.spatial_partitions) == 3
    assert ddf.partitions[2].compute()["building_id"].tolist() == raw["building_id"].iloc[800:].tolist()
    shuffled = datasets.open_dataset(ds, "buildings", shuffle="hilbert")[0]
    back = shuffled.compute().sort_index()
    assert back["building_id"].tolist() == raw["building_id"].tolist()  # the row number travels in the index


def test_validation_reports_each_part_by_file_name(raw, tmp_path):
    bad = raw.copy()
    bad.loc[bad.index[450], "building_type"] = "spaceship"
    bad.loc[bad.index[900], "building_id"] = bad["building_id"].iloc[10]
    ds = _write(bad, tmp_path / "ds", 3, names=["a.parquet", "b.parquet", "c.parquet"])
    reports, across = datasets.validate_dataset(ds, "buildings")
    assert [r.error is None for r in reports] == [True, False, True]
    err = reports[1].error
    assert err.path.endswith("b.parquet") and err.field == "building_type" and err.row == 451 - 400
    assert across is not None and across.params["parts"] == ["a.parquet", "c.parquet"]
    with pytest.raises(HnGeoError) as exc:
        datasets.read_all(ds / "b.parquet", "buildings")
    assert exc.value.path.endswith("b.parquet")
    res = CliRunner().invoke(main, ["layers", "validate", str(ds), "--as", "buildings", "--lang", "en"])
    assert res.exit_code == 1
    assert "a.parquet: 400 features, OK" in res.output and "b.parquet: file" in res.output
    assert "1 of 3" not in res.output and "2 of 3 part(s) have problems" in res.output


def test_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(HnGeoError) as exc:
        datasets.parts(tmp_path)
    assert exc.value.code == "ground.dataset_empty"
