"""Tests of the site finder (hn_geo.zoning.sites) in the small synthetic world of
``conftest.py`` (EPSG:4549, metres): every rule kind's geometry, exactly at the distance,
emission-cap headroom, park-only rules, slivers, review, profiles; and the tiling of the
city on the embedded data."""
from __future__ import annotations

import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from zoning_world import X0, Y0, square

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.ground.catalog import load_layer
from hn_geo.ground.rules import read_rules_file
from hn_geo.workflows.zoning import load_rules
from hn_geo.zoning import check, partition, sites, sites_batch
from hn_geo.zoning.buffers import rule_buffer
from hn_geo.zoning.rules import parse
from hn_geo.zoning.spatial import query

PARK_RULE = {"id": "PARK", "kind": "park_only", "params": {"parks": ["Q1"]},
             "industries": {"categories": ["化工"]}, "severity": "error", "clause": "化工进园", "source": "test"}
BASE = dict(industry_code="3399", status="new", two_high=False, energy_tce=50.0, value_added_wan=100.0,
            solvent_type="无", nox_t=0.0, vocs_t=0.0, cod_t=0.0, nh3n_t=0.0)


@pytest.fixture
def park_rules(rules_path):
    doc = read_rules_file(rules_path)
    doc["rules"]["all_units"].append(PARK_RULE)
    return parse(doc)


@pytest.fixture
def parks():
    return gpd.GeoDataFrame({"park_id": ["Q1"], "name": ["园区Q1"], "town": ["甲镇"]},
                            geometry=[square(1200, 200, 1800, 800)], crs=METRIC_CRS)


def world_sites(world, rules, profile, parks=None, **kw):
    units, red, ws, points = world
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        return sites({**BASE, **profile}, units, rules=rules, points=points, red_line=red, water_source=ws,
                     parks=parks, **kw)


def check_at(world, rules, profile, xy, parks=None):
    """The zoning check of point projects of ``profile`` at metric offsets ``xy``."""
    units, red, ws, points = world
    xy = np.asarray(xy, dtype=float)
    p = gpd.GeoDataFrame([{**BASE, **profile, "project_id": f"x{i}", "name": "x"} for i in range(len(xy))],
                         geometry=gpd.points_from_xy(X0 + xy[:, 0], Y0 + xy[:, 1]), crs=METRIC_CRS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        return check(p, units, rules=rules, points=points, red_line=red, water_source=ws, parks=parks,
                     layers=False).tables["projects"]


def map_at(res, xy):
    """(status, violated rules) of the site polygon at each metric offset."""
    lay = res.layers["sites"].to_crs(METRIC_CRS)
    xy = np.asarray(xy, dtype=float)
    pts = shapely.points(X0 + xy[:, 0], Y0 + xy[:, 1])
    pi, li = query(np.asarray(lay.geometry.values), pts)  # prepared polygons
    first = np.full(len(pts), -1)
    first[pi[::-1]] = li[::-1]
    assert (first >= 0).all()
    return lay["status"].to_numpy()[first], lay["violated_rules"].to_numpy()[first]


def agree(world, rules, profile, xy, parks=None, res=None):
    res = res or world_sites(world, rules, profile, parks=parks)
    t = check_at(world, rules, profile, xy, parks=parks)
    s, v = map_at(res, xy)
    assert t["status"].tolist() == s.tolist()
    assert [tuple(x) if x else None for x in t["violated_rules"]] == [tuple(x) if x else None for x in v]
    return t


def assert_tiles(layer, city):
    """Valid polygons, no overlaps, union = the city (EPSG:4490, the layer's own CRS)."""
    geoms = np.asarray(layer.to_crs(STORAGE_CRS).geometry.values)
    city = shapely.union_all(np.asarray(gpd.GeoSeries(city).to_crs(STORAGE_CRS).values))
    assert shapely.is_valid(geoms).all()
    union = shapely.union_all(geoms)
    assert abs(shapely.area(union) / shapely.area(city) - 1) < 1e-6
    assert shapely.area(shapely.symmetric_difference(union, city)) < 1e-6 * shapely.area(city)
    i, j = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    k = i < j
    assert shapely.area(shapely.intersection(geoms[i[k]], geoms[j[k]])).sum() < 1e-9 * shapely.area(city)


def ring(cx, cy, r, a0, a1, n):
    a = np.radians(np.linspace(a0, a1, n))
    return np.column_stack([cx + r * np.cos(a), cy + r * np.sin(a)])


def test_sites_tile_the_world_and_carry_unit_park_town(world, park_rules, parks):
    res = world_sites(world, park_rules, {"industry_code": "2614"}, parks=parks)
    lay = res.layers["sites"]
    assert_tiles(lay, world[0].geometry)
    # the world's squares are straight in EPSG:4549, the faces' edges in EPSG:4490 (as the check
    # tests them): 1 km edges differ by about a centimetre
    assert lay["area_ha"].sum() == pytest.approx(300.0, rel=1e-5)
    assert set(lay["unit_code"]) == set(world[0]["unit_code"])
    assert set(lay["park_id"].dropna()) == {"Q1"} and set(lay["town"]) == {"甲镇", "乙镇"}
    towns = res.tables["sites_towns"]
    assert towns["area_ha"].iloc[:2].tolist() == pytest.approx([200.0, 100.0], rel=1e-5)
    assert towns[[c for c in towns if c.endswith("_pct")]].iloc[:2].sum(axis=1).tolist() == pytest.approx([100, 100])


def test_exactly_at_the_distance_passes_on_the_map_as_in_the_check(world, rules):
    """Around the convex corner (2800, 800) of the water-source zone (300 m rule) and along the
    red line's straight edge x = 500 (200 m rule): at the distance passes, 2 mm closer fails."""
    prof = {"industry_code": "3399"}
    res = world_sites(world, rules, prof)
    at = np.vstack([ring(2800, 800, 300.0, 181, 269, 400), np.column_stack([np.full(50, 700.0),
                                                                            np.linspace(10, 990, 50)])])
    inside = np.vstack([ring(2800, 800, 299.998, 181, 269, 400),
                        np.column_stack([np.full(50, 699.998), np.linspace(10, 990, 50)])])
    t_at = agree(world, rules, prof, at, res=res)
    t_in = agree(world, rules, prof, inside, res=res)
    assert not any("D-WS" in (v or ()) or "D-RED" in (v or ()) for v in t_at["violated_rules"])
    assert all(("D-WS" in v) or ("D-RED" in v) for v in t_in["violated_rules"])


def test_check_finds_points_between_the_arc_and_the_candidate_chord(world, rules):
    """Regression: the check's candidate buffer (8 segments per quarter circle) cut 2.4 m
    inside a 500 m arc; points 0.5 m inside the rule distance at the chord midpoint passed."""
    half = 90 / 8 / 2
    xy = ring(2800, 800, 299.5, 180 + half, 270 - half, 8)
    t = agree(world, rules, {"industry_code": "3399"}, xy)
    assert all("D-WS" in v for v in t["violated_rules"])


def test_emission_cap_headroom_equal_passes(world, rules):
    """Unit K holds 90 t VOCs of existing points under a 100 t cap: 10 t fits, 10.001 t not."""
    units, red, ws, points = world
    part = partition(units, rules=rules, points=points, red_line=red, water_source=ws)
    for load, ok in ((10.0, True), (10.001, False)):
        res = sites({**BASE, "vocs_t": load}, partition=part)
        t = agree(world, rules, {"vocs_t": load}, [(1500, 500)], res=res)
        assert ("CAP" not in (t["violated_rules"].iloc[0] or ())) is ok
        caps = res.tables["sites_caps"]
        assert caps["headroom_t"].tolist() == [10.0] and caps["cap_status"].tolist() == ["met" if ok else "not_met"]
        k = res.layers["sites"].set_index("unit_code").loc["ZH33048120001"]
        assert (np.atleast_1d(k["status"]) == ("pass" if ok else "fail")).all()


def test_park_only_rule_by_park_polygons(world, park_rules, parks):
    prof = {"industry_code": "2614"}
    res = world_sites(world, park_rules, prof, parks=parks)
    xy = [(1500, 500), (1100, 500), (1200.001, 200.001), (1900, 900), (1799.999, 500), (1800.001, 500)]
    t = agree(world, park_rules, prof, xy, parks=parks)
    assert ["PARK" in (v or ()) for v in t["violated_rules"]] == [False, True, False, True, False, True]
    # on the park's edge counts as inside (as on a unit's edge); the map's edge belongs to both sides
    assert check_at(world, park_rules, prof, [(1200, 200)], parks=parks)["status"].tolist() == ["pass"]
    park = res.tables["sites_parks"].set_index("park_id").loc["Q1"]
    assert park["area_ha"] == pytest.approx(36.0) and park["pass_pct"] == pytest.approx(100.0)
    units, red, ws, points = world
    half_out = gpd.GeoDataFrame([{**BASE, **prof, "project_id": "poly", "name": "p"}],
                                geometry=[square(1700, 400, 1900, 600)], crs=METRIC_CRS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        out = check(half_out, units, rules=park_rules, red_line=red, water_source=ws, parks=parks)
    assert "PARK" in out.tables["projects"]["violated_rules"].iloc[0]
    with pytest.raises(HnGeoError) as exc:
        check(half_out, units, rules=park_rules, red_line=red, water_source=ws)
    assert exc.value.code == "zoning.rule_needs_layer"


def test_review_where_a_rule_cannot_be_evaluated(world, rules):
    prof = {"energy_tce": None, "value_added_wan": None, "vocs_t": None}
    res = world_sites(world, rules, prof)
    lay = res.layers["sites"]
    g = lay[lay["unit_code"] == "ZH33048130001"]
    assert set(g["status"]) == {"review", "fail"} and all("EI" in r for r in g["review_rules"])
    assert all(v == ("D-WS",) for v in g.loc[g["status"] == "fail", "violated_rules"])  # fail beats review
    k = lay[lay["unit_code"] == "ZH33048120001"]
    assert all({"EI", "CAP"} <= set(r) for r in k["review_rules"])
    codes = [n.code for n in res.notes]
    assert codes.count("zoning.sites_rule_review") == 2
    agree(world, rules, prof, [(2500, 500), (1500, 500), (300, 500)], res=res)


def test_min_area_merges_slivers_into_a_neighbour_with_the_same_verdict(world, rules):
    units, red, ws, points = world
    g = units.geometry.iloc[2]
    sliver = square(2000, 0, 2010, 10)
    split = pd.concat([units.iloc[:2], units.iloc[[2, 2]]], ignore_index=True)
    split["unit_code"] = ["ZH33048110001", "ZH33048120001", "ZH33048130001", "ZH33048130002"]
    split = split.set_geometry([*units.geometry.iloc[:2], g.difference(sliver), sliver], crs=METRIC_CRS)
    world2 = (split, red, ws, points)
    plain = world_sites(world2, rules, {})
    merged = world_sites(world2, rules, {}, min_area_ha=0.5)
    assert len(merged.layers["sites"]) == len(plain.layers["sites"]) - 1
    assert_tiles(merged.layers["sites"], split.geometry)
    note = next(n for n in merged.notes if n.code == "zoning.sites_min_area")
    assert note.params["merged"] == 1 and note.params["kept"] == 0
    pd.testing.assert_frame_equal(merged.tables["sites_towns"], plain.tables["sites_towns"])
    s, v = map_at(merged, [(2005, 5)])
    assert s.tolist() == ["pass"]


def test_profiles_are_checked_and_batches_share_the_partition(world, rules):
    units, red, ws, points = world
    part = partition(units, rules=rules, points=points, red_line=red, water_source=ws)
    for bad, code in (({"industry_code": "99"}, "zoning.profile_bad_industry"), ({}, "zoning.profile_no_industry"),
                      ({"industry_code": "2614", "status": "planned"}, "zoning.profile_bad_status"),
                      ({"industry_code": "2614", "vocs_t": -1}, "zoning.profile_bad_number"),
                      ({"industry_code": "2614", "colour": "red"}, "zoning.profile_unknown_fields"),
                      ({"industry_code": "2614", "two_high": "maybe"}, "zoning.profile_bad_flag")):
        with pytest.raises(HnGeoError) as exc:
            sites(bad, partition=part)
        assert exc.value.code == code
    with pytest.raises(HnGeoError) as exc:
        sites_batch([{"industry_code": "2614", "id": "a"}, {"industry_code": "3399", "id": "a"}], partition=part)
    assert exc.value.code == "zoning.profile_duplicate_id"
    one = sites({"industry_code": "C2614"}, partition=part)
    two = sites_batch([{"industry_code": "2614"}, {"industry_code": "3399"}], partition=part)
    assert one.layers["sites"]["status"].tolist() == two[0].layers["sites"]["status"].tolist()
    assert [r.meta["profile_id"] for r in two] == ["profile-1", "profile-2"]


@pytest.fixture(scope="module")
def embedded():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        kw = {n: load_layer(n) for n in ("red_line", "water_source", "parks", "towns", "boundary")}
        return partition(load_layer("control_units"), rules=load_rules(), points=load_layer("emission_points"),
                         **kw), kw["boundary"]


@pytest.mark.parametrize("profile, min_area", [
    ({"industry_code": "1752", "cod_t": 30, "vocs_t": 5, "nox_t": 2, "nh3n_t": 1, "energy_tce": 3000,
      "value_added_wan": 5000}, None),
    ({"industry_code": "5960", "energy_tce": 200, "value_added_wan": 800, "vocs_t": 0, "nox_t": 0, "cod_t": 0,
      "nh3n_t": 0}, 5.0),
])
def test_site_polygons_tile_haining(embedded, profile, min_area):
    part, boundary = embedded
    res = sites(profile, partition=part, min_area_ha=min_area)
    assert_tiles(res.layers["sites"], boundary.geometry)
    city = boundary.to_crs(METRIC_CRS).area.sum()
    towns = res.tables["sites_towns"]
    total = towns.iloc[-1]
    assert total["area_ha"] * 1e4 == pytest.approx(city, rel=1e-6)
    assert sum(total[f"{s}_ha"] for s in ("pass", "warn", "review", "fail", "no_data")) == \
        pytest.approx(total["area_ha"], abs=1e-3)  # ha rounded to 4 decimals
    clauses = res.tables["sites_clauses"]
    assert (clauses["area_ha"].diff().dropna()[clauses["verdict"].iloc[1:] == "fail"] <= 0).all()
    parcels = res.tables["sites_parcels"]
    assert (parcels["area_ha"].diff().dropna() <= 0).all()
    if min_area:
        assert (parcels["area_ha"] >= min_area).all()
    assert math.isclose(res.figure("zoning.sites_pass_area").value, total["pass_ha"], rel_tol=1e-3)


@pytest.mark.parametrize("zone", [
    shapely.Polygon([(0, 0), (2000, 0), (2000, 1000), (1002, 1000), (1000, 998), (998, 1000), (0, 1000)]),
    shapely.Polygon([(0, 0), (100, 0), (100, 100), (50, 5), (0, 100)]),
    shapely.box(0, 0, 900, 900).difference(shapely.box(200, 200, 700, 700)),
    shapely.MultiPolygon([shapely.box(0, 0, 50, 50), shapely.Point(300, 0).buffer(40, 3)]),
])
def test_rule_buffer_edge_lies_on_the_check_line(zone):
    """The buffer of a distance rule: its edge within 0.26 mm of d - 1 mm everywhere (GEOS's own
    buffer simplifies concave vertices and cuts chords), on holes' rings too: no slits left by
    the union (the frame keeps a true hole at 200 m)."""
    for d in (200.0, 500.0):
        buf = rule_buffer(zone, d)
        assert shapely.is_valid(buf)
        xy = shapely.get_coordinates(shapely.segmentize(shapely.boundary(buf), 0.5))
        dist = shapely.distance(shapely.points(xy), zone) - (d - 1e-3)
        assert np.abs(dist).max() < 2.6e-4
