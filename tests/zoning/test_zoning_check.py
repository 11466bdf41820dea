"""Tests of hn_geo.zoning.check: every rule kind, distances, straddling and outside
projects, and the result model (status codes, coded columns, figures, notes, Msg cells).

The rule tests use the small synthetic world of ``conftest.py`` (EPSG:4549, metres) so
that distances, loads and intensities can be set exactly.
"""
from __future__ import annotations

import inspect
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from zoning_world import X0, Y0, square

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.results import AnalysisResult, Figure, Msg, Word
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.core.status import STATUS_CODES
from hn_geo.render.tables import present
from hn_geo.workflows.zoning import load_rules
from hn_geo.zoning import CODES, check


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
    """Check ``rows`` in the world; the HnGeoWarnings rendered in English."""
    units, red, ws, points = world
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HnGeoWarning)
        res = check(projects(rows), units, rules=rules, points=points, red_line=red,
                    water_source=ws, **kw)
    caught = [w.message for w in caught if issubclass(w.category, HnGeoWarning)]
    assert all(vocabulary.has_cjk(w.render("zh")) for w in caught)  # each renders in zh too
    return res, [w.render("en") for w in caught]


def found(res, table="violations"):
    t = res.tables[table]
    return set(zip(t["project_id"].astype(str), t["rule_id"].astype(str)))


def status(res):
    t = res.tables["projects"]
    return dict(zip(t["project_id"].astype(str), t["status"]))


def shown(res, table, lang):
    return present(res.tables[table], lang=lang, scope=res.name, codes=res.codes, table=table)


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
    assert s["chem"] == "fail" and s["metal"] == "pass" and s["old"] == "pass"
    detail = res.tables["violations"].set_index("project_id").loc["chem", "detail"]
    assert detail == Msg("zoning.detail_prohibited_industry", industry="2614", categories=["化工", "印染"])
    assert vocabulary.render(detail, "zh") == "行业代码 2614 属禁止类（化工、印染）"


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
    assert status(res)["solv"] == "warn"  # severity warning: flagged, not failed
    row = res.tables["violations"].iloc[0]
    assert row["severity"] == "warning" and row["verdict"] == "warn"
    assert any("1 project(s) have a solvent_type not in" in w for w in warns)


def test_emission_cap_and_utilisation(world, rules):
    # existing VOCs in unit K: 60 + 30 = 90 t/a; cap 100 t/a; equal passes
    res, _ = run(world, rules, [dict(project_id="eq", vocs_t=10.0, x=1500, y=500),
                                dict(project_id="over", vocs_t=10.5, x=1500, y=400),
                                dict(project_id="other_unit", vocs_t=50.0, x=2500, y=500)])
    assert found(res) == {("over", "CAP")}
    row = res.tables["violations"].iloc[0]
    assert row["value"] == pytest.approx(100.5) and row["limit"] == 100
    assert row["severity"] == "violation" and row["verdict"] == "fail"
    assert vocabulary.render(row["detail"], "zh") == "挥发性有机物 现状+项目 100.50 t/a，超过上限 100 t/a"
    assert vocabulary.render(row["detail"], "en") == "VOCs existing + project 100.50 t/a > cap 100 t/a"
    u = res.tables["utilisation"].set_index("rule_id").loc["CAP"]
    assert u["existing_t"] == pytest.approx(90.0)
    assert u["proposed_t"] == pytest.approx(20.5)
    assert u["utilisation_total_pct"] == pytest.approx(110.5)
    assert u["n_projects_over"] == 1 and u["cap_status"] == "not_met" and u["pollutant"] == "vocs"
    assert not u["existing_over_cap"]
    units_t = res.tables["units"].set_index("unit_code")
    assert units_t.loc["ZH33048120001", "existing_vocs_t"] == pytest.approx(90.0)
    assert units_t.loc["ZH33048120001", "n_points"] == 2


def test_emission_cap_within_and_over_already(world, rules):
    res, _ = run(world, rules, [dict(project_id="eq", vocs_t=10.0, x=1500, y=500)])
    assert res.tables["utilisation"]["cap_status"].tolist() == ["met"]
    units, red, ws, points = world
    heavy = points.assign(vocs_t=[80.0, 30.0])  # 110 t/a existing > 100 t/a cap
    res = check(projects([dict(project_id="a", x=1500, y=500)]), units, rules=rules, points=heavy,
                red_line=red, water_source=ws)
    u = res.tables["utilisation"].iloc[0]
    assert u["cap_status"] == "not_met" and u["existing_over_cap"]


def test_energy_intensity_ceiling_and_green_channel(world, rules):
    res, warns = run(world, rules, [
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
    assert s["green"] == "pass" and s["above"] == "fail" and s["no_data"] == "review"
    notice = res.tables["notices"].iloc[0]
    assert notice["severity"] == "notice" and notice["verdict"] == "pass"
    assert "rule EI: 1 project(s) could not be evaluated (energy use or value added missing); " \
           "status review" in warns


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
        assert v["detail"].params["layer"] == Word("zoning.distance_layer", "red_line")


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
    detail = res.tables["violations"].set_index("rule_id").loc["D-WS", "detail"]
    assert vocabulary.render(detail, "zh") == "距饮用水水源保护区 250.0 m，小于 300 m"


def test_distance_exact_after_storage_crs_round_trip(world, rules):
    """Input in EPSG:4490 (as load_layer returns it): exactly-at still passes (1 mm tolerance)."""
    units, red, ws, points = world
    p = projects([dict(project_id="p", industry_code="2614", x=700, y=500)]).to_crs(STORAGE_CRS)
    res = check(p, units, rules=rules, points=points, red_line=red, water_source=ws)
    assert ("p", "D-RED") not in found(res)


def test_distance_rule_without_its_layer_is_an_error(world, rules):
    units, red, ws, points = world
    with pytest.raises(HnGeoError) as exc:
        check(projects([dict(project_id="p", x=1500, y=500)]), units, rules=rules, points=points,
              red_line=red)
    assert exc.value.code == "zoning.rule_needs_layer"
    assert exc.value.render("en") == "rule D-WS needs the drinking-water source zone layer but none was given"


# ----------------------------------------------------------------------------- straddling, outside, review
def test_project_straddling_two_units(world, rules):
    # a 2614 (化工) plot across the K|G edge: G prohibits 化工, K caps VOCs, TH applies in both
    plot = square(1900, 400, 2100, 600)
    res, _ = run(world, rules, [dict(project_id="x", geometry=plot, industry_code="2614",
                                     two_high=True, vocs_t=20.0)])
    proj = res.tables["projects"].iloc[0]
    assert proj["unit_codes"] == ("ZH33048120001", "ZH33048130001")
    assert proj["unit_types"] == (Word("unit_type", "key"), Word("unit_type", "general"))
    assert proj["violated_rules"] == ("TH", "PROH", "CAP")
    v = res.tables["violations"].set_index("rule_id")
    assert set(v.index) == {"PROH", "CAP", "TH"}
    assert v.loc["TH", "unit_codes"] == ("ZH33048120001", "ZH33048130001")  # one row, both units
    assert v.loc["PROH", "unit_codes"] == ("ZH33048130001",)
    towns = res.tables["towns"].set_index("town")
    assert towns.loc["甲镇", "n_fail"] == 1 and towns.loc["乙镇", "n_fail"] == 1
    zh, en = shown(res, "projects", "zh").iloc[0], shown(res, "projects", "en").iloc[0]
    assert zh["所在管控单元"] == "ZH33048120001、ZH33048130001"
    assert en["control units"] == "ZH33048120001, ZH33048130001"
    assert zh["管控类别"] == "重点管控、一般管控" and en["unit types"] == "key control, general control"


def test_outside_and_unknown_codes_are_counted(world, rules):
    res, warns = run(world, rules, [
        dict(project_id="far", x=50_000, y=50_000),
        dict(project_id="bad1", industry_code="99", x=2500, y=500),
        dict(project_id="bad2", industry_code="abc", x=2500, y=400),
        dict(project_id="bad3", industry_code=None, x=2500, y=300),
    ])
    s = status(res)
    assert s["far"] == "no_data"
    assert s["bad1"] == s["bad2"] == s["bad3"] == "review"
    t = res.tables["projects"].set_index("project_id")
    assert t.loc["far", "outside"] and not t.loc["bad1", "outside"]
    assert t.loc["far", "unit_codes"] is None
    assert any("1 project(s) lie outside every control unit" in w and "far" in w for w in warns)
    assert any("3 project(s) have a missing or unknown GB/T 4754" in w for w in warns)
    assert res.figure("zoning.projects_outside").value == 1
    towns = shown(res, "towns", "zh")
    assert towns.iloc[-1]["镇（街道）"] == "区外（未检查）" and towns.iloc[-1]["项目数"] == 1


def test_counted_warning_names_five_ids_and_more(world, rules):
    rows = [dict(project_id=f"far{i}", x=50_000 + i, y=50_000) for i in range(7)]
    _, warns = run(world, rules, rows)
    assert any("7 project(s) lie outside" in w and "far0, far1, far2, far3, far4 and 2 more" in w
               for w in warns)


def test_words_render_in_both_languages(world, rules):
    res, _ = run(world, rules, [dict(project_id="th", two_high=True, x=1500, y=500)])
    assert shown(res, "projects", "en")["result"].tolist() == ["fail"]
    assert shown(res, "projects", "zh")["审查结论"].tolist() == ["不通过"]
    v_en, v_zh = shown(res, "violations", "en").iloc[0], shown(res, "violations", "zh").iloc[0]
    assert v_en["severity"] == "violation" and v_zh["级别"] == "违规"
    assert v_en["rule kind"] == "two-high project" and v_zh["条款类型"] == "两高项目"
    assert v_en["verdict"] == "fail" and v_zh["判定"] == "不通过"
    assert shown(res, "units", "en")["unit type"].tolist() == [
        "priority protection", "key control", "general control"]


def test_result_layers(world, rules):
    res, _ = run(world, rules, [dict(project_id="th", two_high=True, x=1500, y=500),
                                dict(project_id="ok", x=1500, y=400)])
    assert set(res.layers) == {"control_units", "projects", "violations"}
    pl = res.layers["projects"]
    assert pl.crs == STORAGE_CRS
    assert list(pl["status"]) == ["fail", "pass"] and list(pl["build_type"]) == ["new", "new"]
    assert list(res.layers["violations"]["project_id"]) == ["th"]
    assert res.layers["control_units"].set_index("unit_code").loc["ZH33048120001", "n_fail"] == 1
    assert not check(projects([dict(project_id="a", x=1500, y=500)]), world[0], rules=rules,
                     red_line=world[1], water_source=world[2], layers=False).layers


def test_missing_optional_columns_are_reported(world, rules):
    units, red, ws, points = world
    p = projects([dict(project_id="a", x=1500, y=500)]).drop(columns=["two_high", "solvent_type"])
    with pytest.warns(HnGeoWarning) as rec:
        res = check(p, units, rules=rules, points=points, red_line=red, water_source=ws)
    msgs = " ".join(w.message.render("en") for w in rec)
    assert "no 'two_high' column" in msgs and "no 'solvent_type' column" in msgs
    assert {w.message.code for w in rec} >= {"zoning.no_two_high_column", "zoning.no_solvent_column"}
    assert status(res)["a"] == "pass"


def test_missing_required_column_and_crs(world, rules):
    units, red, ws, points = world
    p = projects([dict(project_id="a", x=1500, y=500)])
    with pytest.raises(HnGeoError) as exc:
        check(p.drop(columns="industry_code"), units, rules=rules, red_line=red, water_source=ws)
    assert exc.value.field == "industry_code" and "industry_code" in exc.value.render("zh")
    with pytest.raises(HnGeoError) as exc:
        check(p.set_crs(None, allow_override=True), units, rules=rules, red_line=red, water_source=ws)
    assert exc.value.code == "zoning.no_crs" and "no CRS" in exc.value.render("en")
    with pytest.raises(HnGeoError) as exc:
        check(p, units, rules="access_rules.yaml")
    assert exc.value.code == "zoning.rules_not_parsed"
    assert "parsed access list" in exc.value.render("en")


# ----------------------------------------------------------------------------- the result model
@pytest.fixture
def result(world, rules):
    res, _ = run(world, rules, [
        dict(project_id="th", two_high=True, x=1500, y=500),
        dict(project_id="solv", solvent_type="溶剂型油墨", x=1500, y=450),
        dict(project_id="green", energy_tce=510.0, value_added_wan=1000.0, x=1500, y=350),
        dict(project_id="nodata", energy_tce=np.nan, x=1500, y=250),
        dict(project_id="ok", x=2500, y=500),
        dict(project_id="cap", vocs_t=30.0, x=1400, y=500),
        dict(project_id="far", x=50_000, y=50_000),
        dict(project_id="both", geometry=square(1900, 400, 2100, 600), industry_code="2614"),
    ])
    return res


def test_check_is_pure_and_keyword_only():
    sig = inspect.signature(check)
    assert "lang" not in sig.parameters
    params = list(sig.parameters.values())
    assert [p.name for p in params[:2]] == ["projects", "units"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params[2:])
    assert sig.parameters["rules"].default is inspect.Parameter.empty


def test_status_columns_hold_status_codes(result):
    assert isinstance(result, AnalysisResult) and result.name == "zoning"
    assert set(result.status_columns) == {"status", "cap_status", "verdict"}
    frames = {**result.tables, **result.layers}
    for name, df in frames.items():
        for col in result.status_columns:
            if col in df.columns:
                assert set(df[col].dropna()) <= set(STATUS_CODES), (name, col)
    assert set(result.tables["projects"]["status"]) == {"fail", "warn", "review", "pass", "no_data"}


def test_every_code_renders_in_zh_and_en(result):
    frames = {**result.tables, **result.layers}
    for name, df in frames.items():
        for col, family in result.codes.items():
            if col not in df.columns:
                continue
            for code in df[col].dropna().unique():
                for lang in ("zh", "en"):
                    assert vocabulary.word(family, str(code), lang, scope="zoning")
        for lang in ("zh", "en"):
            labelled = present(df, lang=lang, scope="zoning", codes=result.codes, table=name)
            assert not any(isinstance(v, (Msg, Word, tuple)) for v in labelled.to_numpy().ravel())
    for key in result.tables:
        for lang in ("zh", "en"):
            assert vocabulary.sheet_name(key, lang, "zoning")
            for col in result.tables[key].columns:
                assert vocabulary.label(col, lang, "zoning", default="?", table=key) != "?", col
    for fig in result.figures:
        for lang in ("zh", "en"):
            assert vocabulary.figure_label(fig, lang, "zoning") and vocabulary.figure_value(fig, lang, "zoning")
    for note in result.notes:
        for lang in ("zh", "en"):
            assert vocabulary.render(note, lang, "zoning")


def test_coded_columns_and_numbers(result):
    assert CODES == result.codes
    p = result.tables["projects"]
    assert set(p["build_type"]) <= {"new", "expansion", "existing"}
    v = pd.concat([result.tables["violations"], result.tables["notices"]])
    assert set(v["severity"]) == {"violation", "warning", "notice"}
    assert set(v["rule_kind"]) <= set(vocabulary.words("zoning.rule_kind", "en"))
    assert all(isinstance(d, Msg) for d in v["detail"])
    for t, cols in {"violations": ("value", "limit"), "projects": ("n_violations", "n_notices"),
                    "units": ("area_km2", "n_projects", "existing_vocs_t", "max_utilisation_pct"),
                    "utilisation": ("cap_t", "existing_t", "utilisation_total_pct")}.items():
        for c in cols:
            assert pd.api.types.is_numeric_dtype(result.tables[t][c]), (t, c)
    assert p["outside"].dtype == bool
    assert result.tables["utilisation"]["existing_over_cap"].dtype == bool


def test_figures_are_typed_and_agree_with_the_tables(result):
    assert all(isinstance(f, Figure) for f in result.figures)
    head = [f for f in result.figures if f.headline]
    assert [f.code for f in head] == ["zoning.projects_fail"] and result.figures[0] is head[0]
    st = result.tables["projects"]["status"]
    for code, status_code in (("zoning.projects_fail", "fail"), ("zoning.projects_warn", "warn"),
                              ("zoning.projects_review", "review"), ("zoning.projects_pass", "pass"),
                              ("zoning.projects_outside", "no_data")):
        fig = result.figure(code)
        assert isinstance(fig.value, int) and fig.value == int((st == status_code).sum())
        assert fig.unit == "projects"
    assert result.figure("zoning.projects").value == len(st)
    assert result.figure("zoning.violations").value == len(result.tables["violations"])
    assert result.figure("zoning.notices").value == len(result.tables["notices"])
    assert vocabulary.figure_value(result.figure("zoning.projects_fail"), "zh", "zoning") == "3 个项目"


def test_notes_are_messages_without_machine_paths(result, rules_path):
    assert all(isinstance(n, Msg) for n in result.notes)
    codes = [n.code for n in result.notes]
    assert codes == ["zoning.distance_rules", "zoning.emission_caps", "zoning.access_list"]
    text = vocabulary.render(result.notes[-1], "en")
    assert text == f"access list: {rules_path}"
    assert not vocabulary.has_cjk(" ".join(vocabulary.render(n, "en") for n in result.notes))
    assert all(vocabulary.has_cjk(vocabulary.render(n, "zh")) for n in result.notes)


@pytest.mark.filterwarnings("ignore::hn_geo.core.errors.HnGeoWarning")
def test_embedded_access_list_note_shows_the_package_path(world):
    units, red, ws, points = world
    res = check(projects([dict(project_id="a", x=1500, y=500)]), units, rules=load_rules(),
                red_line=red, water_source=ws)
    texts = [vocabulary.render(n, "zh") for n in res.notes]
    assert texts[0].startswith("未提供现有排放源图层")
    assert texts[-1] == "准入清单：hn_geo/data/access_rules.yaml（海宁市生态环境准入清单（示例，合成））"
    assert not any(str(Path("/")) + "work" in t for t in texts)
