"""Tests of the spatial join of the zoning check (hn_geo.zoning.spatial)."""
from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from zoning_world import X0, Y0

from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.ground.catalog import load_layer
from hn_geo.zoning import existing_loads, locate


def test_locate_matches_geopandas_sjoin():
    units = load_layer("control_units")
    rng = np.random.default_rng(3)
    minx, miny, maxx, maxy = units.total_bounds
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(rng.uniform(minx, maxx, 3000),
                                                       rng.uniform(miny, maxy, 3000)), crs=STORAGE_CRS)
    # add points exactly on unit vertices (shared edges): both units must be reported
    verts = shapely.get_coordinates(units.geometry.values[:3])[:50]
    pts = pd.concat([pts, gpd.GeoDataFrame(geometry=gpd.points_from_xy(verts[:, 0], verts[:, 1]),
                                           crs=STORAGE_CRS)], ignore_index=True)
    pi, ui = locate(pts, units)
    j = gpd.sjoin(pts, units, predicate="intersects")
    assert sorted(zip(pi, ui)) == sorted(zip(j.index, j["index_right"]))


def test_existing_loads_charge_one_unit_and_count_points_outside(world):
    units, _, _, points = world
    edge = gpd.GeoDataFrame({"point_id": ["EDGE", "FAR"], "vocs_t": [5.0, 7.0]},
                            geometry=[shapely.Point(X0 + 1000, Y0 + 500), shapely.Point(X0 - 9e3, Y0)],
                            crs=METRIC_CRS)
    pts = pd.concat([points, edge], ignore_index=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HnGeoWarning)
        loads, counts = existing_loads(pts, units)
    assert counts.tolist() == [1, 2, 0]            # the edge point goes to the first unit only
    assert loads[:, 1].tolist() == pytest.approx([5.0, 90.0, 0.0])  # vocs_t
    (w,) = [w.message for w in caught]
    assert w.code == "zoning.points_outside" and w.params["n"] == 1 and w.params["ids"] == ["FAR"]
    assert existing_loads(None, units)[0].sum() == 0
