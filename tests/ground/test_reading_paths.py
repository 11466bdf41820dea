"""The fast paths of reading (issue 17): no identity reprojection, Arrow reads, bounds,
building-type aliases -- each must give what the slow path gave."""
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.settings import STORAGE_CRS
from hn_geo.ground import readers
from hn_geo.ground.buildings import normalise_building_types
from hn_geo.ground.catalog import default_path, get_schema, load_layer
from hn_geo.ground.validate import validate


def _buildings(crs="EPSG:4490"):
    x = 120.68 + 0.001 * np.arange(4)
    geoms = shapely.polygons([[(a, 30.51), (a + 3e-4, 30.51), (a + 3e-4, 30.5102), (a + 1e-4, 30.5103),
                               (a, 30.5103)] for a in x])
    gdf = gpd.GeoDataFrame({"building_id": [f"b{i}" for i in range(4)], "building_type": "residential"},
                           geometry=geoms, crs="EPSG:4490")
    return gdf.to_crs(crs)


def test_geoparquet_in_storage_crs_is_not_reprojected(tmp_path):
    p = tmp_path / "b.parquet"
    _buildings().to_parquet(p)
    read = readers.read_file(p)
    assert read.crs == STORAGE_CRS and not read.crs.is_exact_same(STORAGE_CRS)  # PROJJSON: equal, not same
    out = validate(read, get_schema("buildings"), path=p)
    assert out.crs.is_exact_same(gpd.GeoSeries(crs=STORAGE_CRS).crs)
    # the very same geometry objects: no coordinate was transformed
    assert all(a is b for a, b in zip(out.geometry.values, read.geometry.values))


def test_other_crs_is_still_reprojected(tmp_path):
    p = tmp_path / "b.parquet"
    _buildings("EPSG:4549").to_parquet(p)
    out = load_layer("buildings", p)
    assert out.crs.to_epsg() == 4490
    np.testing.assert_allclose(shapely.get_coordinates(out.geometry.values),
                               shapely.get_coordinates(_buildings().geometry.values), atol=1e-9)


@pytest.mark.parametrize("name", ["towns", "sections", "rivers"])
def test_arrow_read_gives_the_classic_reader_s_layer(name):
    path = default_path(name)
    classic = validate(pyogrio.read_dataframe(path, use_arrow=False), get_schema(name), path=path)
    fast = load_layer(name)
    pd.testing.assert_frame_equal(pd.DataFrame(fast.drop(columns="geometry")),
                                  pd.DataFrame(classic.drop(columns="geometry")))
    assert shapely.equals_exact(fast.geometry.values, classic.geometry.values, 0).all()


def test_bounds_ignore_missing_and_empty_geometries():
    gdf = gpd.GeoDataFrame(geometry=[None, shapely.Point(), shapely.box(120.1, 30.2, 120.3, 30.4)],
                           crs="EPSG:4490")
    assert readers._bounds(gdf) == pytest.approx((120.1, 30.2, 120.3, 30.4))
    assert readers._bounds(gdf.iloc[:2]) is None
    far = gdf.assign(geometry=[None, shapely.Point(), shapely.Point(568000, 3377000)])
    with pytest.raises(HnGeoError, match="outside the longitude/latitude range"):
        readers.check_coordinates(far)


def test_building_type_aliases_keep_missing_values_and_unmapped_frames():
    gdf = _buildings().assign(building_type=["住宅", " Factory ", None, "residential"])
    with pytest.warns(HnGeoWarning) as rec:
        out = normalise_building_types(gdf)
    assert rec[0].message.params["n"] == 2 and rec[0].message.params["values"] == ["Factory", "住宅"]
    assert out["building_type"].tolist()[:2] == ["residential", "industrial"]
    assert pd.isna(out["building_type"].iloc[2]) and out["building_type"].iloc[3] == "residential"
    plain = _buildings()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert normalise_building_types(plain) is plain
