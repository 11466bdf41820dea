"""The site map and the point check never disagree (issue 15, part 4).

On the embedded Haining layers, for 10,000 random points and profiles that make every rule
kind fail somewhere (prohibited industry, two-high, high-VOCs solvent as warning and as
violation, distance, emission cap, energy intensity, park-only; the green-channel notice;
review for missing data; an existing enterprise), ``zoning.check`` of point projects of
the profile gives each point the verdict and the rule ids of the site polygon it lies in --
100 %. Then the same at the distance rules' lines: points exactly at the rule distance
pass on both, points 2 mm closer fail on both.
"""
from __future__ import annotations

import copy
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.ground.catalog import load_layer
from hn_geo.ground.rules import read_rules_file
from hn_geo.zoning import check, partition, sites_batch
from hn_geo.zoning.rules import parse
from hn_geo.zoning.spatial import metric_union, query

pytestmark = pytest.mark.slow
N_POINTS = 10_000
PARK_RULE = {"id": "T-PARK", "kind": "park_only", "params": {"parks": ["P04"]},
             "industries": {"categories": ["化工"]}, "severity": "error", "source": "test",
             "clause": "新建、扩建化工项目须进入尖山新区（测试条款）。"}
LOADS = {"nox_t": 2.0, "vocs_t": 5.0, "cod_t": 3.0, "nh3n_t": 0.5}
PROFILES = [
    # prohibited industry (G-01, U-01, P-01, C-02), distance
    {"project_id": "dyeing", "industry_code": "1752", **LOADS, "cod_t": 30.0, "energy_tce": 3000.0,
     "value_added_wan": 5000.0},
    # mostly passing; green-channel notice (0.31 tce/万元)
    {"project_id": "pv", "industry_code": "3825", **LOADS, "energy_tce": 8000.0, "value_added_wan": 26500.0},
    # not manufacturing: no distance rules
    {"project_id": "warehouse", "industry_code": "5960", "energy_tce": 200.0, "value_added_wan": 800.0,
     "nox_t": 0.0, "vocs_t": 0.0, "cod_t": 0.0, "nh3n_t": 0.0},
    # park-only (T-PARK) outside P04
    {"project_id": "chemical", "industry_code": "2614", **LOADS, "energy_tce": 900.0, "value_added_wan": 2000.0},
    # two-high, high-VOCs solvent (G-02/U-02 violation, K-02 warning), energy intensity
    {"project_id": "coating", "industry_code": "3360", "two_high": True, "solvent_type": "溶剂型涂料", **LOADS,
     "energy_tce": 5000.0, "value_added_wan": 1000.0},
    # high-VOCs solvent alone: a warning in the industrial key units
    {"project_id": "printing", "industry_code": "2319", "solvent_type": "溶剂型油墨", **LOADS,
     "energy_tce": 100.0, "value_added_wan": 900.0},
    # emission caps (C-01, C-03, C-04, C-05)
    {"project_id": "big-emitter", "industry_code": "3399", "nox_t": 100.0, "vocs_t": 500.0, "cod_t": 100.0,
     "nh3n_t": 5.0, "energy_tce": 500.0, "value_added_wan": 5000.0},
    # review: no energy use, no loads
    {"project_id": "unknown", "industry_code": "2929"},
    # an existing enterprise: only rules for existing ones apply
    {"project_id": "existing", "industry_code": "1752", "status": "existing"},
]


@pytest.fixture(scope="module")
def haining():
    doc = copy.deepcopy(read_rules_file())
    doc["rules"]["all_units"].append(PARK_RULE)
    rules = parse(doc)
    layers = {"points": load_layer("emission_points"), "red_line": load_layer("red_line"),
              "water_source": load_layer("water_source"), "parks": load_layer("parks")}
    units, boundary = load_layer("control_units"), load_layer("boundary")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        part = partition(units, rules=rules, towns=load_layer("towns"), boundary=boundary, **layers)
        results = dict(zip([p["project_id"] for p in PROFILES], sites_batch(PROFILES, partition=part)))
    return units, rules, layers, boundary, results


def random_points(boundary, n, seed=15):
    city = shapely.union_all(boundary.geometry.values)
    shapely.prepare(city)
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = city.bounds
    out = np.zeros((0, 2))
    while len(out) < n:
        xy = rng.uniform((x0, y0), (x1, y1), (4 * n, 2))
        out = np.vstack([out, xy[shapely.intersects_xy(city, xy[:, 0], xy[:, 1])]])
    return out[:n]


def checked(haining, profiles, points):
    """``zoning.check`` of a point project of each profile at each point: one call for all,
    the projects table split per profile."""
    units, rules, layers, _, _ = haining
    n = len(points)
    frames = [pd.DataFrame({"project_id": [f"{p['project_id']}-{i}" for i in range(n)], "name": "x",
                            "status": "new", "two_high": False,
                            **{k: v for k, v in p.items() if k != "project_id"}}, index=range(n))
              for p in profiles]
    projects = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True),
                                geometry=np.tile(np.asarray(points, dtype=object), len(profiles)), crs=STORAGE_CRS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        table = check(projects, units, rules=rules, layers=False, **layers).tables["projects"]
    return [table.iloc[k * n:(k + 1) * n].reset_index(drop=True) for k in range(len(profiles))]


def on_map(result, points):
    """Status and violated rules of the site polygon holding each point."""
    lay = result.layers["sites"]
    pi, li = query(np.asarray(lay.geometry.values), points)  # prepared polygons
    first = np.full(len(points), -1)
    first[pi[::-1]] = li[::-1]
    assert (first >= 0).all(), "a point outside every site polygon: the map does not tile the city"
    return lay["status"].to_numpy()[first], lay["violated_rules"].to_numpy()[first]


def _rules(cell):
    return tuple(cell) if cell else ()


def test_random_points_get_the_check_verdict_and_rules(haining):
    _, rules, _, boundary, results = haining
    points = shapely.points(random_points(boundary, N_POINTS))
    seen_status, seen_kinds = set(), set()
    kind = {r.id: r.kind for r in rules.rules}
    for profile, table in zip(PROFILES, checked(haining, PROFILES, points)):
        res = results[profile["project_id"]]
        status, violated = on_map(res, points)
        same_status = table["status"].to_numpy() == status
        same_rules = np.array([_rules(a) == _rules(b) for a, b in zip(table["violated_rules"], violated)])
        bad = np.flatnonzero(~(same_status & same_rules))
        assert bad.size == 0, (profile["project_id"], table.iloc[bad[:5]][["status", "violated_rules"]],
                               status[bad[:5]], violated[bad[:5]])
        seen_status |= set(status)
        seen_kinds |= {kind[r] for v in violated for r in _rules(v)}
        notices = {r for v in res.layers["sites"]["notice_rules"] for r in _rules(v)}
        seen_kinds |= {kind[r] for r in notices}
    assert seen_status == {"pass", "warn", "review", "fail"}
    assert seen_kinds == set(kind.values())  # every rule kind decides somewhere


def ring_points(zone, distance_m, city):
    """Points at exactly ``distance_m`` (EPSG:4549) from the zone union, inside the city.

    Points along a buffer's edge lie on its chords, up to the sagitta inside the distance:
    each is moved along the line from its nearest zone point to the exact distance.
    """
    union = metric_union(zone)
    edge = shapely.boundary(shapely.buffer(union, distance_m, quad_segs=64))
    xy = shapely.get_coordinates(shapely.segmentize(edge, 25.0))
    near = shapely.get_coordinates(shapely.get_point(shapely.shortest_line(shapely.points(xy), union), 1))
    v = xy - near
    xy = near + v * (distance_m / np.hypot(v[:, 0], v[:, 1]))[:, None]
    exact = np.abs(shapely.distance(shapely.points(xy), union) - distance_m) < 1e-6
    assert exact.mean() > 0.95  # where two parts of the zone are about as near, the move is not exact
    xy = xy[exact]
    pts = gpd.GeoSeries(shapely.points(xy), crs=METRIC_CRS).to_crs(STORAGE_CRS).values
    shapely.prepare(city)
    return np.asarray(pts)[shapely.intersects(city, np.asarray(pts))]


@pytest.mark.parametrize("layer, rule_id, distance", [("red_line", "A-01", 200.0),
                                                      ("water_source", "A-02", 500.0)])
def test_exactly_at_the_rule_distance_on_the_map_as_in_the_check(haining, layer, rule_id, distance):
    _, _, layers, boundary, results = haining
    city = shapely.union_all(boundary.geometry.values)
    res = results["dyeing"]  # manufacturing: the distance rules apply
    profile = PROFILES[0]
    for d, broken in ((distance, False), (distance - 0.002, True)):
        points = ring_points(layers[layer], d, city)
        assert len(points) > 300
        (table,) = checked(haining, [profile], points)
        status, violated = on_map(res, points)
        assert table["status"].tolist() == status.tolist()
        assert [_rules(v) for v in table["violated_rules"]] == [_rules(v) for v in violated]
        assert all((rule_id in _rules(v)) is broken for v in violated), (d, rule_id)
