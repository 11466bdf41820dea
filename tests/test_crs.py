"""GCJ-02 <-> WGS84 conversion (hn_geo.crs)."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from hn_geo.core.crs import from_gcj02, gcj02_to_wgs84, to_gcj02, wgs84_to_gcj02

# Published WGS84 -> GCJ-02 pairs from the test suite of the reference implementation
# eviltransform (googollee/eviltransform, python/test.py, TESTS list; the same three pairs
# are in its C, Go, JavaScript and PHP tests): (wgs_lat, wgs_lng, gcj_lat, gcj_lng).
EVILTRANSFORM_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]
GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize("wlat, wlon, glat, glon", EVILTRANSFORM_PAIRS)
def test_forward_matches_published_pairs(wlat, wlon, glat, glon):
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    # eviltransform asserts 6 decimals; the formula is deterministic, so we hold it to 1e-9 deg
    assert lon == pytest.approx(glon, abs=1e-9)
    assert lat == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize("wlat, wlon, glat, glon", EVILTRANSFORM_PAIRS)
def test_inverse_recovers_published_wgs84(wlat, wlon, glat, glon):
    lon, lat = gcj02_to_wgs84(glon, glat)
    # eviltransform's exact inverse is held to 0.5 m; ours iterates to about 1e-9 deg
    assert lon == pytest.approx(wlon, abs=1e-8)
    assert lat == pytest.approx(wlat, abs=1e-8)


def test_round_trip_over_haining_better_than_1e6_deg():
    rng = np.random.default_rng(7)
    lon = rng.uniform(120.3, 120.95, 2000)
    lat = rng.uniform(30.25, 30.65, 2000)
    glon, glat = wgs84_to_gcj02(lon, lat)
    blon, blat = gcj02_to_wgs84(glon, glat)
    assert np.abs(blon - lon).max() < 1e-6
    assert np.abs(blat - lat).max() < 1e-6
    assert glon.shape == lon.shape


def test_shift_near_haining_is_about_500_m():
    # Haining city seat (Xiashi) and two corners of the county
    lon = np.array([120.68, 120.33, 120.90])
    lat = np.array([30.51, 30.30, 30.60])
    glon, glat = wgs84_to_gcj02(lon, lat)
    _, _, dist = GEOD.inv(lon, lat, glon, glat)
    assert np.all((dist > 400) & (dist < 600)), dist
    # around Haining the GCJ-02 offset points eastwards
    assert np.all(glon > lon)


def test_points_outside_china_are_unchanged():
    lon, lat = wgs84_to_gcj02([2.35, -74.0], [48.85, 40.7])
    np.testing.assert_array_equal(lon, [2.35, -74.0])
    np.testing.assert_array_equal(lat, [48.85, 40.7])
    lon, lat = gcj02_to_wgs84([2.35], [48.85])
    np.testing.assert_array_equal(lon, [2.35])


def test_geodataframe_round_trip_keeps_shape_and_attributes():
    poly = shapely.Polygon([(120.6, 30.4), (120.7, 30.4), (120.7, 30.5), (120.6, 30.4)])
    gdf = gpd.GeoDataFrame({"name": ["海宁"]}, geometry=[poly], crs="EPSG:4490")
    shifted = to_gcj02(gdf)
    assert shifted.crs.to_epsg() == 4326
    assert shifted.geometry.iloc[0].centroid.distance(poly.centroid) > 0.003  # ~ 500 m moved
    back = from_gcj02(shifted)
    assert back["name"].iloc[0] == "海宁"
    np.testing.assert_allclose(shapely.get_coordinates(back.geometry.values),
                               shapely.get_coordinates(gdf.geometry.values), atol=1e-8)
