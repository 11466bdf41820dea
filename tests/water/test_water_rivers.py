"""Directed river network and upstream tracing on a small hand-built network.

Coordinates are EPSG:4549 metres (x0, y0 near Haining).

    B (tributary, flows south)
    |
    v
A ------------> J <------------ C (digitised east->west... see below)
(flows east)    |
                v D (outflow, flows south)

A: (0,0)->(10000,0), digitised with the flow. B: (5000,5000)->(5000,0), joins A's interior
(A is not split in the input). C: drawn (10000,0)->(20000,0) but flows west (flow_direction -1).
D: (10000,0)->(10000,-5000).
"""
import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point

from hn_geo.core.errors import HnGeoWarning
from hn_geo.water import rivers

X0, Y0 = 500000.0, 3370000.0
CRS = "EPSG:4549"


def P(x, y):
    return Point(X0 + x, Y0 + y)


def L(*xy):
    return LineString([(X0 + x, Y0 + y) for x, y in xy])


@pytest.fixture
def network_layers():
    riv = gpd.GeoDataFrame({"river_id": ["A", "B", "C", "D"], "name": ["甲河", "乙河", "丙河", "丁河"],
                            "flow_direction": [1, None, -1, 1]},
                           geometry=[L((0, 0), (10000, 0)), L((5000, 5000), (5000, 2)),
                                     L((10000, 0), (20000, 0)), L((10000, 0), (10000, -5000))],
                           crs=CRS).to_crs("EPSG:4490")
    pts = gpd.GeoDataFrame({"point_id": ["P1", "P2", "P3", "P4", "P5"]},
                           geometry=[P(1000, 100), P(5000, 3000), P(9500, 50), P(15000, -30),
                                     P(3000, 2000)], crs=CRS)
    return riv, pts


def test_network_splits_mid_reach_junction_and_respects_flow_direction(network_layers):
    riv, _ = network_layers
    net = rivers.build_network(riv, tolerance=5.0)
    # A is split where B joins it: 5 edges; 6 nodes (A start, junction, J, B start, C east end, D end)
    assert len(net.edges) == 5
    assert net.n_nodes == 6
    c = net.edges[net.edges["river_id"] == "C"].geometry.iloc[0]
    assert c.coords[0][0] == pytest.approx(X0 + 20000)  # reversed to flow west
    assert net.edges["length_m"].sum() == pytest.approx(10000 + 4998 + 10000 + 5000, abs=1)


def test_upstream_distances_on_main_river(network_layers):
    riv, pts = network_layers
    sec = gpd.GeoDataFrame({"section_id": ["S"]}, geometry=[P(9000, 0)], crs=CRS)
    pairs, unsnapped = rivers.upstream_sources(riv, sec, pts, snap_distance=500, max_upstream=50000)
    got = dict(zip(pairs["point_id"], pairs["along_m"]))
    # P1 8 km up A; P2 2998 m down B then 4 km along A; P3 is downstream on A, P4 is on C which
    # flows into the junction below the section, P5 is 2 km from any river
    assert set(got) == {"P1", "P2"}
    assert got["P1"] == pytest.approx(8000, abs=1)
    assert got["P2"] == pytest.approx(2998 + 4000, abs=1)
    assert unsnapped == []
    snap = dict(zip(pairs["point_id"], pairs["snap_m"]))
    assert snap["P1"] == pytest.approx(100)


def test_upstream_distance_limit_and_outflow_section(network_layers):
    riv, pts = network_layers
    sec = gpd.GeoDataFrame({"section_id": ["S1", "S2"]}, geometry=[P(9000, 0), P(10000, -2000)], crs=CRS)
    pairs, _ = rivers.upstream_sources(riv, sec, pts, snap_distance=500, max_upstream=7500)
    s1 = set(pairs.loc[pairs["section_id"] == "S1", "point_id"])
    assert s1 == {"P2"}  # P1 (8 km) is beyond 7.5 km
    s2 = pairs[pairs["section_id"] == "S2"].set_index("point_id")["along_m"]
    # everything on A, B and C drains to the outflow D
    assert s2["P3"] == pytest.approx(500 + 2000, abs=1)
    assert s2["P4"] == pytest.approx(5000 + 2000, abs=1)
    assert "P1" not in s2 and "P2" not in s2  # 12 km and 10 km > 7.5 km
    assert s2.is_monotonic_increasing


def test_section_far_from_rivers_is_reported(network_layers):
    riv, pts = network_layers
    sec = gpd.GeoDataFrame({"section_id": ["far"]}, geometry=[P(3000, 3000)], crs=CRS)
    with pytest.warns(HnGeoWarning) as caught:
        pairs, unsnapped = rivers.upstream_sources(riv, sec, pts, snap_distance=500, max_upstream=10000)
    assert unsnapped == ["far"] and pairs.empty
    w = [c.message for c in caught if c.message.code == "water.section_not_snapped"][0]
    assert w.params == {"n": 1, "distance": 500.0, "sections": ["far"]}
    assert "not traced" in w.render("en") and "未做上游溯源" in w.render("zh")


def test_snap_offsets_follow_flow(network_layers):
    riv, pts = network_layers
    net = rivers.build_network(riv)
    loc = rivers.snap(net, pts, max_distance=500)
    c_edge = int(np.flatnonzero(net.edges["river_id"] == "C")[0])
    p4 = loc.iloc[3]
    assert p4["edge"] == c_edge
    assert p4["offset_m"] == pytest.approx(5000, abs=1)  # measured from C's upstream (east) end
    assert loc.iloc[4]["edge"] == -1
