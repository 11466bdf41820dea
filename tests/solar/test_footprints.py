"""Real-shaped synthetic footprints (scripts/build_buildings.py) and the long-axis geometry of
non-rectangular roofs (hn_geo.solar.geometry)."""

import numpy as np
import pytest
import shapely
from layer_factory import script

from hn_geo.core.settings import METRIC_CRS
from hn_geo.ground.catalog import load_layer
from hn_geo.solar import geometry

GEN = script("build_buildings")


def _corners(geoms):
    """Distinct vertices per footprint, holes included."""
    return shapely.get_num_coordinates(geoms) - 1 - shapely.get_num_interior_rings(geoms)


@pytest.mark.parametrize("kind", sorted(GEN.SHAPE_MIX))
def test_every_shape_is_a_valid_real_footprint(kind):
    rng = np.random.default_rng(5)
    n = 400
    length = rng.uniform(12, 90, n)
    width = np.minimum(rng.uniform(9, 40, n), length)
    angle = rng.uniform(-90, 90, n)
    g = GEN.footprints(rng, kind, rng.uniform(0, 1e4, n), rng.uniform(0, 1e4, n), length, width, angle)
    assert shapely.is_valid(g).all()
    assert ((_corners(g) >= 5) & (_corners(g) <= 12)).all()
    assert shapely.is_ccw(shapely.get_exterior_ring(g)).all()
    holes = shapely.get_num_interior_rings(g)
    assert set(holes) <= {0, 1}
    assert not shapely.is_ccw(shapely.get_interior_ring(g[holes == 1], 0)).any()
    share = shapely.area(g) / (length * width)
    assert share.min() > 0.4 and share.max() < 1.01  # (vertex noise)
    # the footprint spans its bounding rectangle: the long axis is the generator's
    bearing, elong = geometry.long_axis_bearing(g)
    expected = (90.0 - angle) % 180.0
    off = np.abs((bearing - expected + 90) % 180 - 90)
    assert np.median(off) < 0.5 and (off[np.abs(length - width) > 2] < 3).all()


def test_embedded_layer_has_no_rectangle_and_real_shapes():
    g = load_layer("buildings").to_crs(METRIC_CRS).geometry.values
    ok, *_ = geometry._rectangle_axes(np.asarray(g))
    assert not ok.any()  # no footprint takes the rectangle shortcut
    corners = _corners(g)
    assert corners.min() >= 5 and corners.max() <= 12
    assert {5, 6, 8, 12} <= set(corners.tolist())
    assert (shapely.get_num_interior_rings(g) == 1).sum() > 20  # courtyards


def test_long_axis_of_mixed_footprints_and_degenerate_ones():
    rect = shapely.box(0, 0, 40, 10)
    ell = shapely.Polygon([(0, 0), (30, 0), (30, 8), (8, 8), (8, 20), (0, 20)])
    court = shapely.Polygon([(0, 0), (50, 0), (50, 30), (0, 30)], [[(10, 10), (10, 20), (40, 20), (40, 10)]])
    geoms = np.array([rect, ell, court, shapely.Point(0, 0), shapely.LineString([(0, 0), (5, 5)]),
                      shapely.Polygon(), None], dtype=object)
    bearing, elong, centre = geometry.long_axis_bearing(geoms, return_centre=True)
    env = shapely.oriented_envelope(geoms[1:3])
    c = shapely.get_coordinates(env).reshape(-1, 5, 2)
    a, b = c[:, 1] - c[:, 0], c[:, 2] - c[:, 1]
    long = np.where((np.hypot(*a.T) >= np.hypot(*b.T))[:, None], a, b)
    np.testing.assert_allclose(bearing[1:3], np.degrees(np.arctan2(long[:, 0], long[:, 1])) % 180)
    np.testing.assert_allclose(centre[1:3], (c[:, 0] + c[:, 2]) / 2)
    assert bearing[0] == pytest.approx(90.0) and elong[0] == pytest.approx(4.0)
    assert np.isnan(bearing[3:]).all() and np.isnan(centre[3:]).all()
