"""Tests of the 三线一单 zoning checks (hn_geo.zoning, hn_geo.rules, hn-geo zoning check).

Most rule tests use a small synthetic world in EPSG:4549 (metres) so that
distances, loads and intensities can be set exactly; the default-layer tests
check the embedded units and the demo run.
"""
from __future__ import annotations

import json
import re
import textwrap
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from hn_geo.cli import main
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.ground.catalog import layers_dir, load_layer
from hn_geo.zoning import check, locate
from hn_geo.zoning.rules import RULE_KINDS, load_rules, parse_industry_codes

X0, Y0 = 560_000.0, 3_370_000.0  # a spot inside Haining, EPSG:4549


# ----------------------------------------------------------------------------- a small world
def square(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


@pytest.fixture
def world():
    """Three 1 km x 1 km units side by side, a red-line and a water-source zone."""
    units = gpd.GeoDataFrame({
        "unit_code": ["ZH33048110001", "ZH33048120001", "ZH33048130001"],
        "name": ["P", "K", "G"],
        "unit_type": ["优先保护", "重点管控", "一般管控"],
        "sub_type": ["生态保护红线", "产业集聚", "农业农村"],
        "town": ["甲镇", "甲镇", "乙镇"],
    }, geometry=[square(0, 0, 1000, 1000), square(1000, 0, 2000, 1000), square(2000, 0, 3000, 1000)],
        crs=METRIC_CRS)
    red = gpd.GeoDataFrame({"zone_id": ["R1"], "name": ["红线"]},
                           geometry=[square(0, 0, 500, 1000)], crs=METRIC_CRS)  # edge at x=500
    ws = gpd.GeoDataFrame({"zone_id": ["W1"], "name": ["水源"]},
                          geometry=[square(2800, 800, 3000, 1000)], crs=METRIC_CRS)
    points = gpd.GeoDataFrame({
        "point_id": ["E1", "E2"], "name": ["a", "b"], "industry_code": ["2614", "3399"],
        "town": ["甲镇", "甲镇"], "nox_t": [1.0, 2.0], "vocs_t": [60.0, 30.0], "cod_t": [0.0, 0.0],
        "nh3n_t": [0.0, 0.0]}, geometry=[shapely.Point(X0 + 1100, Y0 + 100), shapely.Point(X0 + 1900, Y0 + 900)],
        crs=METRIC_CRS)
    return units, red, ws, points


RULES_YAML = """
version: 1
industry_categories:
  化工: {codes: ["26"]}
  印染: {codes: ["1713", "1752"]}
  制造业: {codes: ["13", "17", "26", "29", "33", "39"]}
solvent_types:
  high_vocs: [溶剂型涂料, 溶剂型油墨]
  low_vocs: [无, 水性涂料]
rules:
  all_units:
    - {id: D-RED, kind: min_distance, params: {layer: red_line, distance_m: 200},
       industries: {categories: [制造业]}, severity: error, clause: 红线距离, source: test}
    - {id: D-WS, kind: min_distance, params: {layer: water_source, distance_m: 300},
       severity: error, clause: 水源距离, source: test}
    - {id: TH, kind: two_high, severity: error, clause: 两高, source: test}
    - {id: EI, kind: energy_intensity, params: {max_tce_per_wan: 1.0, min_energy_tce: 100},
       severity: error, clause: 能耗强度, source: test}
    - {id: GC, kind: green_channel, params: {below_tce_per_wan: 0.52, min_energy_tce: 100},
       severity: info, clause: 绿色通道, source: test}
  by_unit_type:
    重点管控:
      - {id: VOC, kind: high_vocs_solvent, sub_types: [产业集聚], severity: warning,
         clause: 高VOCs, source: test}
    一般管控:
      - {id: PROH, kind: prohibited_industry, params: {categories: [化工, 印染]},
         severity: error, clause: 禁止化工印染, source: test}
  by_unit_code:
    ZH33048120001:
      - {id: CAP, kind: emission_cap, params: {pollutant: vocs_t, cap_t: 100},
         severity: error, clause: VOCs总量, source: test}
"""


@pytest.fixture
def rules(tmp_path):
    p = tmp_path / "rules.yaml"
    p.write_text(RULES_YAML, encoding="utf-8")
    return load_rules(p)


def projects(rows):
    """Projects GeoDataFrame in EPSG:4549 from dicts with x, y (offsets from X0, Y0) or geometry."""
    base = dict(name="p", industry_code="3399", status="new", two_high=False, energy_tce=50.0,
                value_added_wan=100.0, solvent_type="无", nox_t=0.0, vocs_t=0.0, cod_t=0.0, nh3n_t=0.0)
    out = []
    for r in rows:
        r = {**base, **r}
        if "geometry" not in r:
            r["geometry"] = shapely.Point(X0 + r.pop("x"), Y0 + r.pop("y"))
        out.append(r)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=METRIC_CRS)


def run(world, rules, rows, **kw):
    units, red, ws, points = world
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HnGeoWarning)
        res = check(projects(rows), units, rules=rules, points=points, red_line=red, water_source=ws, **kw)
    return res, [str(w.message) for w in caught if issubclass(w.category, HnGeoWarning)]


def found(res, table="violations"):
    t = res.tables[table]
    return set(zip(t["project_id"].astype(str), t["rule_id"].astype(str)))


def status(res):
    t = res.tables["projects"]
    return dict(zip(t["project_id"].astype(str), t["status"].astype(str)))


# ----------------------------------------------------------------------------- each rule kind
def test_prohibited_industry_fails_and_passes(world, rules):
    res, _ = run(world, rules, [
        dict(project_id="chem", industry_code="2614", x=2500, y=500),      # 化工 in 一般管控: fail
        dict(project_id="dye", industry_code="C1752", x=2500, y=400),      # section letter accepted
        dict(project_id="metal", industry_code="3399", x=2500, y=300),     # not prohibited: pass
        dict(project_id="chem_k", industry_code="2614", x=1500, y=500),    # rule not in 重点管控
        dict(project_id="old", industry_code="2614", status="existing", x=2500, y=200),
    ])
    v = found(res)
    assert ("chem", "PROH") in v and ("dye", "PROH") in v
    assert not any(p in ("metal", "chem_k", "old") and r == "PROH" for p, r in v)
    s = status(res)
    assert s["chem"] == "不通过" and s["metal"] == "通过" and s["old"] == "通过"


def test_two_high(world, rules):
    res, _ = run(world, rules, [dict(project_id="th", two_high=True, x=1500, y=500),
                                dict(project_id="ok", two_high=False, x=1500, y=400),
                                dict(project_id="th_old", two_high=True, status="existing", x=1500, y=300)])
    assert found(res) == {("th", "TH")}


def test_high_vocs_solvent_warning(world, rules):
    res, warns = run(world, rules, [dict(project_id="solv", solvent_type="溶剂型油墨", x=1500, y=500),
                                    dict(project_id="water", solvent_type="水性涂料", x=1500, y=400),
                                    dict(project_id="odd", solvent_type="神秘涂料", x=1500, y=300)])
    assert found(res) == {("solv", "VOC")}
    assert status(res)["solv"] == "警示"  # severity warning: flagged, not failed
    assert any("1 project(s) have a solvent_type not in" in w for w in warns)


def test_emission_cap_and_utilisation(world, rules):
    # existing VOCs in unit K: 60 + 30 = 90 t/a; cap 100 t/a; equal passes
    res, _ = run(world, rules, [dict(project_id="eq", vocs_t=10.0, x=1500, y=500),
                                dict(project_id="over", vocs_t=10.5, x=1500, y=400),
                                dict(project_id="other_unit", vocs_t=50.0, x=2500, y=500)])
    assert found(res) == {("over", "CAP")}
    row = res.tables["violations"].iloc[0]
    assert row["value"] == pytest.approx(100.5) and row["limit"] == 100
    u = res.tables["utilisation"].set_index("rule_id").loc["CAP"]
    assert u["existing_t"] == pytest.approx(90.0)
    assert u["proposed_t"] == pytest.approx(20.5)
    assert u["utilisation_total_pct"] == pytest.approx(110.5)
    assert u["n_projects_over"] == 1 and u["cap_status"] == "超标"
    units_t = res.tables["units"].set_index("unit_code")
    assert units_t.loc["ZH33048120001", "existing_vocs_t"] == pytest.approx(90.0)
    assert units_t.loc["ZH33048120001", "n_points"] == 2


def test_energy_intensity_ceiling_and_green_channel(world, rules):
    res, _ = run(world, rules, [
        dict(project_id="at_ceiling", energy_tce=1000.0, value_added_wan=1000.0, x=1500, y=500),
        dict(project_id="above", energy_tce=1010.0, value_added_wan=1000.0, x=1500, y=450),
        dict(project_id="at_green", energy_tce=520.0, value_added_wan=1000.0, x=1500, y=400),
        dict(project_id="green", energy_tce=510.0, value_added_wan=1000.0, x=1500, y=350),
        dict(project_id="small", energy_tce=50.0, value_added_wan=1000.0, x=1500, y=300),
        dict(project_id="no_data", energy_tce=np.nan, x=1500, y=250),
    ])
    assert found(res) == {("above", "EI")}
    assert found(res, "notices") == {("green", "GC")}  # strictly below 0.52; >= 100 tce only
    s = status(res)
    assert s["green"] == "通过" and s["above"] == "不通过" and s["no_data"] == "待核实"


# ----------------------------------------------------------------------------- distances
@pytest.mark.parametrize("dx, fails", [(0.0, False), (-0.01, True), (0.01, False), (-300.0, True),
                                       (-650.0, True)])
def test_distance_boundary_points(world, rules, dx, fails):
    # red-line edge at x=500; rule distance 200 m: a point at x=700 is exactly at the distance
    res, _ = run(world, rules, [dict(project_id="p", industry_code="2614", x=700 + dx, y=500)])
    assert (("p", "D-RED") in found(res)) is fails
    if fails:
        v = res.tables["violations"].set_index("rule_id").loc["D-RED"]
        assert v["value"] == pytest.approx(max(0.0, 200 + dx), abs=1e-6)


def test_distance_boundary_polygon_and_industry_filter(world, rules):
    at = square(700, 100, 900, 300)          # nearest edge exactly 200 m from the red line
    closer = square(699, 100, 900, 300)
    res, _ = run(world, rules, [
        dict(project_id="at", geometry=at, industry_code="2614"),
        dict(project_id="closer", geometry=closer, industry_code="2614"),
        dict(project_id="service", geometry=closer, industry_code="7240"),  # not 制造业: rule off
    ])
    v = found(res)
    assert ("closer", "D-RED") in v and ("at", "D-RED") not in v and ("service", "D-RED") not in v


def test_distance_to_water_source(world, rules):
    # zone corner at (2800, 800); distance 300 m
    res, _ = run(world, rules, [dict(project_id="near", x=2800, y=550),
                                dict(project_id="far", x=2800, y=500)])
    assert ("near", "D-WS") in found(res) and ("far", "D-WS") not in found(res)


def test_distance_exact_after_storage_crs_round_trip(world, rules):
    """Input in EPSG:4490 (as load_layer returns it): exactly-at still passes (1 mm tolerance)."""
    units, red, ws, points = world
    p = projects([dict(project_id="p", industry_code="2614", x=700, y=500)]).to_crs(STORAGE_CRS)
    res = check(p, units, rules=rules, points=points, red_line=red, water_source=ws)
    assert ("p", "D-RED") not in found(res)


# ----------------------------------------------------------------------------- straddling, outside, review
def test_project_straddling_two_units(world, rules):
    # a 2614 (化工) plot across the K|G edge: G prohibits 化工, K caps VOCs, TH applies in both
    plot = square(1900, 400, 2100, 600)
    res, _ = run(world, rules, [dict(project_id="x", geometry=plot, industry_code="2614",
                                     two_high=True, vocs_t=20.0)])
    proj = res.tables["projects"].iloc[0]
    assert proj["unit_codes"] == "ZH33048120001、ZH33048130001"
    v = res.tables["violations"].set_index("rule_id")
    assert set(v.index) == {"PROH", "CAP", "TH"}
    assert v.loc["TH", "unit_codes"] == "ZH33048120001、ZH33048130001"  # one row, both units
    assert v.loc["PROH", "unit_codes"] == "ZH33048130001"
    towns = res.tables["towns"].set_index("town")
    assert towns.loc["甲镇", "n_fail"] == 1 and towns.loc["乙镇", "n_fail"] == 1


def test_outside_and_unknown_codes_are_counted(world, rules):
    res, warns = run(world, rules, [
        dict(project_id="far", x=50_000, y=50_000),
        dict(project_id="bad1", industry_code="99", x=2500, y=500),
        dict(project_id="bad2", industry_code="abc", x=2500, y=400),
        dict(project_id="bad3", industry_code=None, x=2500, y=300),
    ])
    s = status(res)
    assert s["far"] == "区外（未检查）"
    assert s["bad1"] == s["bad2"] == s["bad3"] == "待核实"
    assert any("1 project(s) lie outside every control unit" in w and "far" in w for w in warns)
    assert any("3 project(s) have a missing or unknown GB/T 4754" in w for w in warns)


def test_english_output(world, rules):
    res, _ = run(world, rules, [dict(project_id="th", two_high=True, x=1500, y=500)], lang="en")
    assert status(res)["th"] == "fail"
    assert res.tables["violations"]["severity"].astype(str).tolist() == ["violation"]


def test_result_layers(world, rules):
    res, _ = run(world, rules, [dict(project_id="th", two_high=True, x=1500, y=500),
                                dict(project_id="ok", x=1500, y=400)])
    assert set(res.layers) == {"control_units", "projects", "violations"}
    pl = res.layers["projects"]
    assert pl.crs == STORAGE_CRS
    assert list(pl["status"].astype(str)) == ["不通过", "通过"] and "build_type" in pl
    assert list(res.layers["violations"]["project_id"]) == ["th"]
    assert res.layers["control_units"].set_index("unit_code").loc["ZH33048120001", "n_fail"] == 1


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


# ----------------------------------------------------------------------------- rule files
def test_default_rules_cover_every_kind():
    r = load_rules()
    assert {x.kind for x in r.rules} == set(RULE_KINDS)
    green = next(x for x in r.rules if x.kind == "green_channel")
    assert green.params["below_tce_per_wan"] == 0.52 and green.severity == "info"


def test_rule_file_errors_name_rule_and_field(tmp_path):
    bad = textwrap.dedent("""
        version: 1
        industry_categories:
          化工: {codes: ["26"]}
        rules:
          all_units:
            - {id: R1, kind: min_distance, params: {layer: red_line, distance_m: -5},
               severity: error, clause: c, source: s}
            - {id: R2, kind: teleport, severity: error, clause: c, source: s}
            - {id: R3, kind: two_high, severity: error, source: s}
            - {id: R4, kind: prohibited_industry, params: {categories: [火箭]},
               severity: error, clause: c, source: s}
            - {id: R5, kind: emission_cap, params: {pollutant: so2_t, cap_t: 1},
               severity: error, clause: c, source: s}
            - {id: R6, kind: two_high, severity: error, clause: c, source: s}
            - {id: R6, kind: two_high, severity: error, clause: c, source: s}
          by_unit_code:
            ZH3304812001:
              - {id: R7, kind: two_high, severity: error, clause: c, source: s}
        """)
    p = tmp_path / "bad.yaml"
    p.write_text(bad, encoding="utf-8")
    with pytest.raises(HnGeoError) as exc:
        load_rules(p)
    msg = str(exc.value)
    assert str(p) in msg
    assert re.search(r"rule 'R1'.*field 'params\.distance_m'", msg)
    assert re.search(r"rule 'R2'.*field 'kind'", msg)
    assert re.search(r"rule 'R3'.*'clause' is a required property", msg)
    assert re.search(r"rule 'R4'.*field 'categories'.*火箭", msg)
    assert re.search(r"rule 'R5'.*field 'params\.pollutant'", msg)
    assert re.search(r"rule 'R6'.*field 'id': duplicate", msg)
    assert "ZH3304812001" in msg


def test_rule_file_severity_error_and_yaml_syntax(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text("version: 1\nrules:\n  all_units:\n    - {id: R5, kind: two_high, severity: fatal, "
                 "clause: c, source: s}\n", encoding="utf-8")
    with pytest.raises(HnGeoError, match=r"rule 'R5'.*field 'severity'"):
        load_rules(p)
    p.write_text("version: 1\nrules: [\n  - {id: x\n", encoding="utf-8")
    with pytest.raises(HnGeoError, match=r"not valid YAML at line \d+"):
        load_rules(p)


def test_rule_with_unknown_unit_code_is_counted_and_not_applied(world, rules, tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text(RULES_YAML + textwrap.indent(textwrap.dedent("""
        ZH33048120099:
          - {id: GHOST, kind: two_high, severity: error, clause: c, source: s}
        """), "    "), encoding="utf-8")
    res, warns = run(world, load_rules(p), [dict(project_id="th", two_high=True, x=1500, y=500)])
    assert any("1 rule(s) name unit codes that are not in the control units" in w and "GHOST" in w
               for w in warns)
    assert ("th", "GHOST") not in found(res)


def test_parse_industry_codes():
    codes = ["2614", "C2614", " 17 ", "175", "A2614", "99", "2", "26145", "", None, "c3399"]
    norm, ok, name = parse_industry_codes(codes)
    assert ok.tolist() == [True, True, True, True, False, False, False, False, False, False, True]
    assert norm[1] == "2614" and norm[2] == "17" and name[0] == "化学原料和化学制品制造业"


# ----------------------------------------------------------------------------- embedded layers
def test_default_units_tile_haining_without_gaps_or_overlaps():
    units = load_layer("control_units")
    boundary = load_layer("boundary")
    assert units.is_valid.all()
    union = shapely.union_all(units.geometry.values)
    a_union = gpd.GeoSeries([union], crs=STORAGE_CRS).to_crs(METRIC_CRS).area.iloc[0]
    a_sum = units.to_crs(METRIC_CRS).area.sum()
    a_boundary = boundary.to_crs(METRIC_CRS).area.sum()
    assert abs(a_union - a_boundary) / a_boundary < 1e-4        # no gaps (nor spill-over)
    assert abs(a_sum - a_union) / a_union < 1e-4                # no overlaps
    # and, independently, pairwise overlaps are negligible (< 1 m² in total)
    left, right = shapely.STRtree(units.geometry.values).query(units.geometry.values, predicate="intersects")
    pairs = left < right
    inter = shapely.intersection(units.geometry.values[left[pairs]], units.geometry.values[right[pairs]])
    over = gpd.GeoSeries(inter, crs=STORAGE_CRS).to_crs(METRIC_CRS).area.sum()
    assert over < 1.0


def test_default_units_codes_and_labels():
    units = load_layer("control_units")
    digit = {"优先保护": "1", "重点管控": "2", "一般管控": "3"}
    assert units["unit_code"].str.fullmatch(r"ZH330481[123]\d{4}").all()
    assert (units["unit_code"].str[8] == units["unit_type"].map(digit)).all()
    assert set(units["unit_type"]) == set(digit)
    assert set(units["sub_type"]) >= {"产业集聚", "城镇生活", "生态保护红线", "饮用水水源保护区"}
    for name in ("control_units", "red_line", "water_source"):
        gdf = load_layer(name)
        assert gdf["approximate"].all() and gdf["source"].str.contains("SYNTHETIC").all()
    assert load_layer("red_line")["name"].str.contains("合成示意").all()


def test_demo_exercises_every_rule_kind_passing_and_failing():
    rules = load_rules()
    units = load_layer("control_units")
    demo = load_layer("projects", layers_dir() / "projects_demo.gpkg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        res = check(demo, units, rules=rules, points=load_layer("emission_points"),
                    red_line=load_layer("red_line"), water_source=load_layer("water_source"))
    findings = pd.concat([res.tables["violations"], res.tables["notices"]])
    kind_of = {r.id: r.kind for r in rules.rules}
    hit = {(str(p), kind_of[str(r)]) for p, r in zip(findings["project_id"], findings["rule_id"])}
    utype = dict(zip(units["unit_code"], units["unit_type"]))
    usub = dict(zip(units["unit_code"], units["sub_type"]))
    projects_t = res.tables["projects"]
    for kind in RULE_KINDS:
        assert any(k == kind for _, k in hit), f"no demo project meets a {kind} rule"
        # a project to which a rule of this kind applies and that does not meet it
        passing = []
        for pid, codes, build in zip(projects_t["project_id"], projects_t["unit_codes"].astype(str),
                                     demo["status"]):
            for r in rules.rules:
                if r.kind != kind or build not in r.statuses:
                    continue
                in_scope = any(r.scope == "all" or (r.scope == "code" and c == r.scope_value)
                               or (r.scope == "type" and utype.get(c) == r.scope_value
                                   and (not r.sub_types or usub.get(c) in r.sub_types))
                               for c in codes.split("、"))
                if in_scope and (pid, kind) not in hit:
                    passing.append(pid)
        assert passing, f"no demo project passes a {kind} rule that applies to it"


# ----------------------------------------------------------------------------- CLI
def _csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str)


def test_cli_default(tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["zoning", "check", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "不通过" in r.output
    for f in ("projects.csv", "violations.csv", "notices.csv", "units.csv", "towns.csv",
              "utilisation.csv", "zoning.xlsx", "zoning_layers.gpkg"):
        assert (out / f).exists(), f
    proj = _csv(out / "projects.csv")
    assert {"项目编号", "审查结论", "所在管控单元"} <= set(proj.columns)
    viol = _csv(out / "violations.csv")
    assert "准入清单条款" in viol.columns and len(viol) > 0
    import pyogrio
    assert {n for n, _ in pyogrio.list_layers(out / "zoning_layers.gpkg")} == {
        "control_units", "projects", "violations"}


def test_cli_user_geojson_and_csv(tmp_path):
    demo = load_layer("projects", layers_dir() / "projects_demo.gpkg")
    pts = demo[demo.geom_type == "Point"].head(6).copy()
    gj = tmp_path / "p.geojson"
    pts.to_crs("EPSG:4326").to_file(gj, driver="GeoJSON")
    r = CliRunner().invoke(main, ["zoning", "check", str(gj), "--out", str(tmp_path / "a"), "--lang", "en"])
    assert r.exit_code == 0, r.output
    t = _csv(tmp_path / "a" / "projects.csv")
    assert "result" in t.columns and len(t) == 6

    # a spreadsheet-style CSV: lon/lat columns, one project in Shanghai, one bad code
    csv = tmp_path / "p.csv"
    ll = pts.to_crs("EPSG:4326")
    df = pd.DataFrame({"project_id": ["A", "B", "C"], "name": ["甲", "乙", "丙"],
                       "industry_code": ["2614", "98", "3399"], "status": ["new"] * 3,
                       "lon": [ll.geometry.x.iloc[0], 121.47, ll.geometry.x.iloc[1]],
                       "lat": [ll.geometry.y.iloc[0], 31.23, ll.geometry.y.iloc[1]]})
    df.to_csv(csv, index=False, encoding="gbk")
    r = CliRunner().invoke(main, ["zoning", "check", str(csv), "--out", str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    assert "1 project(s) lie outside every control unit" in r.output
    assert "unknown GB/T 4754 industry code" in r.output
    t = _csv(tmp_path / "b" / "projects.csv").set_index("项目编号")
    assert t.loc["B", "审查结论"] == "区外（未检查）"


def test_cli_bad_inputs(tmp_path):
    bad_rules = tmp_path / "r.yaml"
    bad_rules.write_text("version: 1\nrules:\n  all_units:\n    - {id: Z9, kind: two_high, severity: error, "
                         "clause: c}\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["zoning", "check", "--rules", str(bad_rules), "--out", str(tmp_path / "o")])
    assert r.exit_code != 0 and "Z9" in r.output and "source" in r.output

    # a self-intersecting (bow-tie) footprint is repaired with a counted warning
    bow = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"project_id": "BT", "name": "bowtie", "industry_code": "3399",
                                          "status": "new"},
        "geometry": {"type": "Polygon", "coordinates": [[[120.60, 30.45], [120.62, 30.47], [120.62, 30.45],
                                                         [120.60, 30.47], [120.60, 30.45]]]}}]}
    gj = tmp_path / "bow.geojson"
    gj.write_text(json.dumps(bow), encoding="utf-8")
    r = CliRunner().invoke(main, ["zoning", "check", str(gj), "--out", str(tmp_path / "o2")])
    assert r.exit_code == 0, r.output
    assert "repaired 1 invalid geometry" in r.output

    # missing required field: a clear error naming the field
    df = pd.DataFrame({"project_id": ["A"], "name": ["x"], "status": ["new"], "lon": [120.6], "lat": [30.45]})
    df.to_csv(tmp_path / "m.csv", index=False)
    r = CliRunner().invoke(main, ["zoning", "check", str(tmp_path / "m.csv"), "--out", str(tmp_path / "o3")])
    assert r.exit_code != 0 and "industry_code" in r.output


def test_missing_optional_columns_are_reported(world, rules):
    units, red, ws, points = world
    p = projects([dict(project_id="a", x=1500, y=500)]).drop(columns=["two_high", "solvent_type"])
    with pytest.warns(HnGeoWarning) as rec:
        res = check(p, units, rules=rules, points=points, red_line=red, water_source=ws)
    msgs = " ".join(str(w.message) for w in rec)
    assert "no 'two_high' column" in msgs and "no 'solvent_type' column" in msgs
    assert status(res)["a"] == "通过"


def test_cli_user_units_and_assume_crs(tmp_path, world):
    units, red, ws, points = world
    ufile = tmp_path / "units.gpkg"
    units.to_file(ufile, driver="GPKG")
    # projects as a CSV of EPSG:4549 x/y metres (no CRS in the file: --assume-crs)
    df = pd.DataFrame({"project_id": ["K1", "G1"], "name": ["k", "g"], "industry_code": ["2614", "2614"],
                       "status": ["new", "new"], "x": [X0 + 1500, X0 + 2500], "y": [Y0 + 500, Y0 + 500]})
    df.to_csv(tmp_path / "xy.csv", index=False)
    r = CliRunner().invoke(main, ["zoning", "check", str(tmp_path / "xy.csv"), "--assume-crs", "EPSG:4549",
                                  "--units", str(ufile), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    # the default access list names unit codes this user layer lacks: counted, naming the rules
    assert re.search(r"\d+ rule\(s\) name unit codes that are not in the control units.*C-0\d", r.output)
    t = _csv(tmp_path / "o" / "projects.csv").set_index("项目编号")
    assert t.loc["K1", "所在管控单元"] == "ZH33048120001"
    assert t.loc["G1", "所在管控单元"] == "ZH33048130001"
    assert t.loc["G1", "审查结论"] == "不通过"  # 化工 prohibited in 一般管控 (G-01)
