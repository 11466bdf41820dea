"""Plan targets (hn_geo.targets): the YAML against the plan text, and the progress analyses."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml
from click.testing import CliRunner

from hn_geo import targets as tg
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground.towns import CODE_BY_NAME, NAMES

PLAN = Path(__file__).resolve().parents[2] / "shared" / "seed" / "plan.txt"
NUM = re.compile(r"\d+(?:\.\d+)?")
# words that state a value without a digit
WORD_VALUES = {"负增长": 0.0, "零消费": 0.0}
CN = "一二三四五六七八九十"


def _norm(text):
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def plan():
    if not PLAN.exists():
        pytest.skip("plan text ../shared/seed/plan.txt not available")
    return _norm(PLAN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def raw_yaml():
    return yaml.safe_load(tg.targets_path().read_text(encoding="utf-8"))


def _sub_label(k):
    """Chinese numeral 1..12 as the plan writes clause numbers."""
    return {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九",
            10: "十", 11: "十一", 12: "十二"}[k]


def _clause_span(plan, clause):
    """(start, end) of a clause of the normalised plan text."""
    tops = {"二": "二、主要目标", "三": "三、实施节能减排重点工程", "四": "四、完善节能减排政策机制",
            "五": "五、强化工作落实"}
    if clause in ("附件1", "附件2"):
        start = plan.index(f"{clause} “十四五”")
        end = plan.index("附件2 “十四五”") if clause == "附件1" else len(plan)
        return start, end
    top, _, sub = clause.partition(".")
    order = list(tops)
    start = plan.index(tops[top])
    end = plan.index(tops[order[order.index(top) + 1]]) if top != "五" else plan.index("附件：")
    if not sub:
        return start, end
    k = [_sub_label(i) for i in range(1, 13)].index(sub.strip("（）")) + 1
    s = plan.index(f"（{_sub_label(k)}）", start)
    nxt = plan.find(f"（{_sub_label(k + 1)}）", s) if k < 12 else -1
    return s, (nxt if 0 < nxt < end else end)


# ----------------------------------------------------------------------------- targets vs plan
def test_every_quote_is_plan_text_and_holds_the_value(plan):
    t = tg.load_targets()
    assert len(t) >= 55
    for _, r in t.iterrows():
        q = _norm(r["quote"])
        assert q in plan, f"{r['id']}: quote not in the plan: {q}"
        nums = [float(x) for x in NUM.findall(q)]
        if isinstance(r["quote_value"], str):
            assert r["quote_value"] in q, r["id"]
            assert r["value"] == WORD_VALUES[r["quote_value"]], r["id"]
        else:
            assert any(abs(x - r["value"]) < 1e-9 for x in nums), f"{r['id']}: {r['value']} not in {q}"
        if pd.notna(r["baseline_value"]):
            assert any(abs(x - r["baseline_value"]) < 1e-9 for x in nums), r["id"]


def test_every_quote_lies_in_its_clause(plan):
    t = tg.load_targets()
    for _, r in t.iterrows():
        s, e = _clause_span(plan, r["clause"])
        i = plan.index(_norm(r["quote"]), s)
        assert i < e, f"{r['id']}: quote found outside clause {r['clause']}"


def test_responsible_units_are_the_clauses_units(plan):
    t = tg.load_targets()
    checked = 0
    for _, r in t.iterrows():
        if not r["clause"].startswith(("三.", "四.")):
            continue
        s, e = _clause_span(plan, r["clause"])
        units = re.search(r"（责任单位：(.*?)[。）]", plan[s:e]).group(1).split("、")
        assert r["responsible"].split("、") == units, r["id"]
        checked += 1
    assert checked >= 35


def test_annex2_rows_are_consistent(plan):
    t = tg.load_targets()
    a2 = t[t["clause"] == "附件2"]
    assert len(a2) == 10  # the ten rows of 附件2
    raw = {x["id"]: x for x in yaml.safe_load(tg.targets_path().read_text(encoding="utf-8"))["targets"]}
    for _, r in a2[a2["baseline_value"].notna()].iterrows():
        x = raw[r["id"]]
        if "change" in x:  # "减少4.92" / "增加6.6"
            assert r["baseline_value"] + x["change"] == pytest.approx(r["value"], abs=1e-9), r["id"]
        else:  # "下降[5%]"
            rate = (r["value"] / r["baseline_value"] - 1) * 100
            assert rate == pytest.approx(x["change_rate"], abs=0.5), r["id"]


def test_section_two_numbers(plan):
    t = tg.load_targets().set_index("id")
    assert t.loc["energy_intensity_cut", "value"] == 18
    assert [t.loc[f"{p}_reduction", "value"] for p in ("nox", "vocs", "cod", "nh3n")] == [515, 2585, 1200, 85]
    assert t.loc["coal_total", ["value", "unit", "comparator"]].tolist() == [119, "万吨", "about"]
    assert t.loc["thermal_power_coal_rate", ["value", "comparator"]].tolist() == [295, "<="]
    assert t.loc["pv_capacity", ["value", "unit"]].tolist() == [180, "万千瓦"]


def test_annex1_parsed_from_plan_matches_yaml(plan):
    s, e = _clause_span(plan, "附件1")
    rows = re.findall(r"(\S+?(?:镇|街道)) (\d+\.\d) (\d+\.\d)", plan[s:e])
    assert len(rows) == 12
    parsed = {n: (float(b), float(i)) for n, b, i in rows}
    assert set(parsed) == set(NAMES)
    tt = tg.town_targets()
    assert dict(zip(tt["town"], zip(tt["target_basic"], tt["target_incentive"]))) == parsed
    assert list(tt["code"]) == [CODE_BY_NAME[n] for n, _, _ in rows]
    for q in tt["quote"]:
        assert _norm(q) in plan[s:e]


def test_towns_layer_targets_agree_with_annex1():
    from hn_geo.ground.catalog import default_path, load_layer

    if not default_path("towns").exists():
        pytest.skip("towns layer not built")
    towns = load_layer("towns").set_index("code")
    tt = tg.town_targets().set_index("code")
    assert (towns.loc[tt.index, "target_basic"].to_numpy() == tt["target_basic"].to_numpy()).all()
    assert (towns.loc[tt.index, "target_incentive"].to_numpy() == tt["target_incentive"].to_numpy()).all()


def test_bad_targets_file_is_rejected(tmp_path, raw_yaml):
    bad = dict(raw_yaml)
    bad["targets"] = [dict(raw_yaml["targets"][0], comparator="at least")] + raw_yaml["targets"][1:]
    p = tmp_path / "t.yaml"
    p.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(HnGeoError, match="comparator"):
        tg.load_targets(p)
    bad["targets"] = raw_yaml["targets"] + [raw_yaml["targets"][0]]
    p.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(HnGeoError, match="duplicate target id"):
        tg.load_targets(p)


# ----------------------------------------------------------------------------- energy dual control
def _energy_csv(path, rows, header=None):
    cols = header or ["town", "year", "gdp_wan", "energy_tce", "renewable_new", "national_listed_tce",
                      "raw_material_tce"]
    pd.DataFrame(rows, columns=cols).to_csv(path, index=False)
    return path


# 许村镇 (basic 19 %, incentive 20 %) reported for 2025; 黄湾镇 (17/18) and 马桥街道 (18/19) for 2023.
HAND = [
    ("许村镇", 2020, 100000, 50000, 0, 0, 5000),
    ("许村", 2021, 110000, 52000, 500, 0, 5000),   # a name variant on purpose
    ("许村镇", 2022, 120000, 54000, 500, 0, 5000),
    ("许村镇", 2023, 130000, 56000, 500, 3000, 5000),
    ("许村镇", 2024, 140000, 58000, 500, 3000, 5000),
    ("许村镇", 2025, 150000, 60000, 500, 3000, 5000),
]


def test_intensity_deductions_exemption_and_allowance_hand_worked(tmp_path):
    with pytest.warns(HnGeoWarning, match="许村→许村镇"):
        e = tg.read_town_energy(pd.read_csv(_energy_csv(tmp_path / "e.csv", HAND), dtype=str), "e.csv")
    with pytest.warns(HnGeoWarning, match="no energy data for 11 town"):
        r = tg.energy_dual_control(e, year=2025).set_index("town").loc["许村镇"]
    # intensity deducts national-listed (3000) and raw material (5000), NOT renewables:
    # I2020 = (50000-5000)/100000 = 0.45; I2025 = (60000-3000-5000)/150000 = 0.346667
    assert r["intensity_2020"] == pytest.approx(0.45)
    assert r["intensity"] == pytest.approx(52000 / 150000)
    assert r["intensity_cut_pct"] == pytest.approx(22.962963, abs=1e-5)
    assert r["intensity_status"] == "激励目标达标"
    assert bool(r["exempt"]) and r["total_status"] == "免予考核"
    # total check deducts the renewables added 2021..2025 (5 x 500 = 2500)
    assert r["renewable_new_cum_tce"] == 2500
    assert r["total_checked_tce"] == pytest.approx(52000 - 2500)
    # allowance = 45000 * 150000/100000 * (1 - 0.19) = 54675
    assert r["allowance_tce"] == pytest.approx(54675.0)
    assert r["allowance_margin_tce"] == pytest.approx(54675.0 - 49500.0)
    assert "原料用能" in r["deductions"] and "可再生" in r["deductions"]


def test_on_track_behind_and_renewables_in_the_total_check(tmp_path):
    rows = [("黄湾镇", 2020, 200000, 80000, 0, 0, 0), ("黄湾镇", 2021, 210000, 81000, 1000, 0, 0),
            ("黄湾镇", 2022, 220000, 81500, 1000, 0, 0), ("黄湾镇", 2023, 230000, 82000, 1000, 0, 0),
            ("马桥街道", 2020, 100000, 40000, 0, 0, 0), ("马桥街道", 2021, 104000, 40500, 2000, 0, 0),
            ("马桥街道", 2022, 107000, 40800, 0, 0, 0), ("马桥街道", 2023, 110000, 41000, 0, 0, 0)]
    e = tg.read_town_energy(pd.read_csv(_energy_csv(tmp_path / "e.csv", rows), dtype=str), "e.csv")
    with pytest.warns(HnGeoWarning, match="no energy data for 10 town"):
        out = tg.energy_dual_control(e, year=2023).set_index("town")
    hw, mq = out.loc["黄湾镇"], out.loc["马桥街道"]
    # 黄湾镇: I 0.4 -> 82000/230000; cut 10.8696 % >= 17*0.6 = 10.2 (basic pro-rated) and
    # >= 18*0.6 = 10.8 (incentive pro-rated) -> on track and exempt
    assert hw["intensity_cut_pct"] == pytest.approx(10.869565, abs=1e-5)
    assert hw["required_basic_pct"] == pytest.approx(10.2)
    assert hw["required_incentive_pct"] == pytest.approx(10.8)
    assert hw["intensity_status"] == "进度正常" and bool(hw["exempt"])
    assert hw["incentive_status"] == "进度正常"
    assert hw["allowance_tce"] == pytest.approx(80000 * 1.15 * (1 - 0.102))
    # 马桥街道: cut 1 - (41000/110000)/0.4 = 6.818 % < 10.8 -> behind, not exempt; the total
    # check counts 41000 - 2000 = 39000 against 40000*1.1*(1-0.108) = 39248 -> within
    assert mq["intensity_cut_pct"] == pytest.approx(6.818182, abs=1e-5)
    assert mq["intensity_status"] == "进度落后" and not bool(mq["exempt"])
    assert mq["incentive_status"] == "进度落后"
    assert mq["allowance_margin_tce"] == pytest.approx(248.0)
    assert mq["total_status"] == "总量达标"
    # without the renewables 马桥街道 would be over its allowance
    e2 = e.copy()
    e2["renewable_new"] = 0.0
    with pytest.warns(HnGeoWarning):
        mq2 = tg.energy_dual_control(e2, year=2023, lang="en").set_index("code").loc["330481004"]
    assert mq2["allowance_margin_tce"] == pytest.approx(-1752.0)
    assert mq2["total_status"] == "over allowance (not met)" and mq2["intensity_status"] == "behind"
    # city row sums the towns: (80000+40000) -> (82000+41000) over GDP 300000 -> 340000
    city = out.loc["全市"]
    assert city["intensity_cut_pct"] == pytest.approx((1 - (123000 / 340000) / 0.4) * 100)


def test_final_year_not_met_and_compound_path(tmp_path):
    rows = [("袁花镇", 2020, 100000, 40000, 0, 0, 0), ("袁花镇", 2025, 130000, 44000, 0, 0, 0)]
    e = tg.read_town_energy(pd.read_csv(_energy_csv(tmp_path / "e.csv", rows), dtype=str), "e.csv")
    with pytest.warns(HnGeoWarning) as rec:
        r = tg.energy_dual_control(e, year=2025).set_index("town").loc["袁花镇"]
    msgs = [str(w.message) for w in rec]
    assert any("袁花镇 (2021, 2022, 2023, 2024)" in m for m in msgs)
    assert any("no energy data for 11 town" in m for m in msgs)
    # cut = 1 - (44000/130000)/0.4 = 15.38 % < 19 % in 2025 -> not met
    assert r["intensity_cut_pct"] == pytest.approx(15.384615, abs=1e-5)
    assert r["intensity_status"] == "未达标" and r["incentive_status"] == "未达标"
    # compound pro-rating: 1 - (1 - 0.18)**0.6 = 11.2255 % (vs linear 10.8 %)
    assert tg.required_cut(18.0, 2023, "compound") == pytest.approx(11.2255, abs=1e-4)
    assert tg.required_cut(18.0, 2023, "linear") == pytest.approx(10.8)
    assert tg.required_cut(18.0, 2025, "compound") == pytest.approx(18.0)


def test_energy_units_and_bad_values(tmp_path):
    header = ["镇（街道）", "年份", "地区生产总值（亿元）", "能源消费总量（万吨标准煤）",
              "新增可再生能源电力消费量（万千瓦时）"]
    rows = [("硖石街道", 2020, 10.0, 4.0, 0), ("硖石街道", 2021, 11.0, 4.2, 100)]
    p = _energy_csv(tmp_path / "e.csv", rows, header)
    with pytest.warns(HnGeoWarning) as rec:
        e = tg.read_town_energy(pd.read_csv(p, dtype=str), str(p))
    msgs = " ".join(str(w.message) for w in rec)
    assert "converted 2 value(s) of '能源消费总量（万吨标准煤）'" in msgs and "亿元" in msgs
    assert e["energy_tce"].tolist() == [40000.0, 42000.0]
    assert e["gdp_wan"].tolist() == [100000.0, 110000.0]
    assert e["renewable_new"].tolist() == pytest.approx([0.0, 100 * tg.RENEWABLE_TCE_PER_10MWH])
    # negative energy: error names file, row and field
    rows[1] = ("硖石街道", 2021, 11.0, -4.2, 100)
    p = _energy_csv(tmp_path / "neg.csv", rows, header)
    with pytest.raises(HnGeoError) as ei:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HnGeoWarning)
            tg.read_town_energy(pd.read_csv(p, dtype=str), str(p))
    assert "neg.csv" in str(ei.value) and ei.value.row == 3 and "万吨标准煤" in ei.value.field
    # a city-total row is dropped with a counted warning, not mistaken for a town
    p = _energy_csv(tmp_path / "t.csv", [("许村镇", 2020, 1, 1, 0, 0, 0), ("合计", 2020, 1, 1, 0, 0, 0)])
    with pytest.warns(HnGeoWarning, match=r"ignored 1 total row\(s\) \(合计; rows 3\)"):
        e = tg.read_town_energy(pd.read_csv(p, dtype=str), str(p))
    assert e["town"].tolist() == ["许村镇"] and e.attrs["absent"] == []
    # unknown town
    p = _energy_csv(tmp_path / "u.csv", [("尖山新区", 2020, 1, 1, 0, 0, 0)])
    with pytest.raises(HnGeoError, match="尖山新区.*official names"):
        tg.read_town_energy(pd.read_csv(p, dtype=str), str(p))
    # unknown unit
    p = _energy_csv(tmp_path / "x.csv", rows, header[:3] + ["能源消费总量（桶）", header[4]])
    with pytest.raises(HnGeoError, match="unknown unit"), warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        tg.read_town_energy(pd.read_csv(p, dtype=str), str(p))


# ----------------------------------------------------------------------------- reductions
def _projects():
    return pd.DataFrame({
        "project_id": ["P1", "P1", "P2", "P3", "P4", "P5", "P4"],
        "point_id": ["E1", "E1", "E1", "E1", "E2", "E3", "E2"],
        "town": ["许村镇", "长安镇", "许村镇", "许村镇", "长安镇", "黄湾镇", "长安镇"],
        "pollutant": ["NOx", "氮氧化物", "nox", "VOCs", "NOx", "氨氮", "VOCs"],
        "reduction_t": ["10", "10", "5", "7", "3", "2", "1"],
        "year": ["2021", "2021", "2022", "2022", "2023", "2023", "2023"],
        "measure": ["SCR脱硝", "SCR脱硝", " scr脱硝 ", "SCR脱硝", "SCR脱硝", "污水提标", "SCR脱硝"],
    })


def test_double_counting_caught_and_excluded():
    p = tg.read_reduction_projects(_projects(), "proj.csv")
    keep, table = tg.find_double_counted(p)
    # P4 for VOCs is the same project reducing a second pollutant: not a double count
    assert keep.tolist() == [True, False, False, True, True, True, True]
    assert table["project_id"].tolist() == ["P1", "P2"]
    assert table["reason"].tolist() == ["重复项目编号（同一污染物）", "同一企业、污染物和措施"]
    assert table["duplicate_of"].tolist() == ["P1 (row 2)", "P1 (row 2)"]
    with pytest.warns(HnGeoWarning, match=r"excluded 2 double-counted project row\(s\) \(15.0 t\)"):
        red = tg.pollutant_reductions(p, year=2023)
    pol = red["by_pollutant"].set_index("pollutant")
    assert pol.loc["NOx", "reduction_t"] == 13.0 and pol.loc["VOCs", "reduction_t"] == 8.0
    assert pol.loc["NH3-N", "reduction_t"] == 2.0 and pol.loc["COD", "reduction_t"] == 0.0
    assert pol.loc["NOx", "excluded_double_t"] == 15.0
    # 2023: 60 % of the period; NOx expected 0.6 * 515 = 309 t -> behind
    assert pol.loc["NOx", "expected_t"] == pytest.approx(309.0)
    assert pol.loc["NOx", "status"] == "进度落后"
    town = red["by_town"].set_index(["town", "pollutant"])
    assert town.loc[("许村镇", "NOx"), "reduction_t"] == 10.0
    assert town.loc[("长安镇", "NOx"), "reduction_t"] == 3.0
    yr = red["by_year"].set_index(["pollutant", "year"])
    assert yr.loc[("NOx", 2023), "cumulative_t"] == 13.0


def test_reduction_status_with_allocations_and_units():
    df = pd.DataFrame({"项目编号": ["A", "B", "C"], "企业名称": ["甲厂", "乙厂", "丙厂"],
                       "镇（街道）": ["海洲", "海洲", "丁桥"], "污染物": ["COD", "COD", "COD"],
                       "减排量": ["0.05", "400", "200"], "单位": ["万吨", "吨", "吨"],
                       "年份": ["2022", "2024", "2025"], "减排措施": ["提标", "零直排", "提标"]})
    with pytest.warns(HnGeoWarning) as rec:
        p = tg.read_reduction_projects(df, "r.csv")
    msgs = " | ".join(str(w.message) for w in rec)
    assert re.search(r"converted 1 value\(s\) .* 万吨", msgs) and "海洲→海洲街道" in msgs
    assert p["reduction_t"].tolist() == [500.0, 400.0, 200.0]
    alloc = tg.read_allocations(pd.DataFrame({"town": ["海洲街道", "丁桥镇"], "pollutant": ["COD", "COD"],
                                              "target_t": ["800", "300"]}), "a.csv")
    red = tg.pollutant_reductions(p, year=2025, allocations=alloc)
    cod = red["by_pollutant"].set_index("pollutant").loc["COD"]
    assert cod["reduction_t"] == 1100.0 and cod["status"] == "未达标"  # 1100 < 1200 in 2025
    town = red["by_town"].set_index("town")
    assert town.loc["海洲街道", "status"] == "达标"   # 900 >= 800
    assert town.loc["丁桥镇", "status"] == "未达标"   # 200 < 300


def test_bad_pollutant_named():
    df = _projects()
    df.loc[2, "pollutant"] = "SO2"
    with pytest.raises(HnGeoError) as ei:
        tg.read_reduction_projects(df, "proj.csv")
    assert "SO2" in str(ei.value) and ei.value.row == 4


# ----------------------------------------------------------------------------- indicators
def _ind(rows):
    df = pd.DataFrame(rows, columns=["indicator", "year", "value"])
    return tg.read_indicators(df.astype(str), "ind.csv")


def _status(out, tid):
    return out.set_index("id").loc[tid, "status"]


def test_indicator_status_linear_path():
    a = _ind([("a2_bus_nev_rate", 2023, 75.0), ("对苯二甲酸（PTA）装置单位综合能耗", 2022, 52.9),
              ("industry_water_intensity_cut", 2023, 10.0), ("pv_capacity", 2023, 150.0)])
    out = tg.indicator_progress(a, year=2023)
    row = out.set_index("id").loc["a2_bus_nev_rate"]
    # 66.7 + (80 - 66.7) * 0.6 = 74.68 <= 75 -> on track
    assert row["expected"] == pytest.approx(74.68) and row["status"] == "进度正常"
    # lower is better: 55 -> 50; 2022 value used for 2023 (expected 55 - 5*0.6 = 52.0) -> behind
    pta = out.set_index("id").loc["a2_pta_energy"]
    assert pta["actual_year"] == 2022 and pta["expected"] == pytest.approx(52.0)
    assert pta["status"] == "进度落后"
    # reduce_by tracked as the cut achieved: 10 >= 16 * 0.6 = 9.6
    assert _status(out, "industry_water_intensity_cut") == "进度正常"
    # no baseline in the plan and none supplied
    assert _status(out, "pv_capacity") == "无基线，仅比对目标值"
    assert _status(out, "cluster_10bn") == "无数据"
    assert _status(out, "green_channel_intensity") == "判定标准（非进度目标）"
    a = _ind([("pv_capacity", 2020, 100.0), ("pv_capacity", 2023, 147.0)])
    out = tg.indicator_progress(a, year=2023, lang="en")
    assert out.set_index("id").loc["pv_capacity", "expected"] == pytest.approx(148.0)
    assert _status(out, "pv_capacity") == "behind"


def test_indicator_final_year_about_and_strict():
    a = _ind([("a2_bus_nev_rate", 2025, 79.0), ("a2_non_fossil_share", 2025, 23.6),
              ("coal_total", 2025, 121.0), ("a2_data_centre_pue", 2025, 1.3),
              ("a2_thermal_power_coal_rate", 2025, 294.0)])
    out = tg.indicator_progress(a, year=2025)
    assert _status(out, "a2_bus_nev_rate") == "未达标"
    # 24 % 左右, tolerance 2 % of 24 = 0.48: 23.6 counts as met; twin target 三.（十） shares it
    assert _status(out, "a2_non_fossil_share") == "达标"
    assert _status(out, "non_fossil_share") == "达标"
    # 119 万吨左右 (decrease): 121 > 119 + 2.38? no -> met
    assert _status(out, "coal_total") == "达标"
    assert _status(out, "a2_data_centre_pue") == "未达标"   # < 1.3 is strict
    assert _status(out, "thermal_power_coal_rate") == "达标"
    a = _ind([("a2_non_fossil_share", 2025, 23.4)])
    assert _status(tg.indicator_progress(a, year=2025), "a2_non_fossil_share") == "未达标"


def test_indicator_units_converted_and_unknown_rejected():
    df = pd.DataFrame({"指标": ["pv_capacity", "coal_total"], "年份": ["2024", "2024"],
                       "实际值": ["1500", "1200000"], "单位": ["MW", "吨"]})
    with pytest.warns(HnGeoWarning, match=r"converted 2 indicator value\(s\)"):
        a = tg.read_indicators(df, "i.csv")
    assert a["value"].tolist() == pytest.approx([150.0, 120.0])
    df["单位"] = ["MW", "桶"]
    with pytest.raises(HnGeoError, match="cannot be converted"):
        tg.read_indicators(df, "i.csv")
    with pytest.raises(HnGeoError, match="unknown indicator"):
        tg.read_indicators(pd.DataFrame({"indicator": ["GDP"], "year": ["2024"], "value": ["1"]}), "i.csv")


# ----------------------------------------------------------------------------- report and CLI
def test_default_report_covers_every_case():
    with pytest.warns(HnGeoWarning) as rec:
        r = tg.targets_report()
    msgs = " | ".join(str(w.message) for w in rec)
    assert "double-counted" in msgs and "硖石→硖石街道" in msgs
    assert r.name == "targets"
    en = r.tables["targets_energy"]
    towns = en[en["code"] != "330481"]
    assert len(towns) == 12 and towns["intensity_cut_pct"].notna().all()
    st = set(towns["intensity_status"])
    assert {"激励目标达标", "进度正常", "进度落后"} <= st
    assert (towns["exempt"] == "是").any() and (towns["exempt"] == "否").any()
    assert {"免予考核", "总量达标", "总量超标"} <= set(towns["total_status"])
    assert len(r.tables["targets_double_counted"]) >= 1
    assert {"达标", "进度正常", "进度落后"} <= set(r.tables["targets_reductions"]["status"])
    assert {"达标", "进度正常", "进度落后"} <= set(r.tables["targets_indicators"]["status"])
    lay = r.layers["towns"]
    assert len(lay) == 12 and lay.crs.to_epsg() == 4490
    assert lay["intensity_cut_pct"].notna().all() and lay["exempt"].dtype == bool
    assert any("合成" in n for n in r.notes)


def test_cli_report_default_and_user_files(tmp_path):
    from hn_geo.cli import main

    res = CliRunner().invoke(main, ["targets", "report", "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    assert "targets_energy" in res.output and "激励目标达标" in res.output
    raw = (tmp_path / "a" / "targets_energy.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "能耗强度较2020年降低（%）".encode() in raw
    sheets = pd.ExcelFile(tmp_path / "a" / "targets.xlsx").sheet_names
    assert {"targets_energy", "targets_reductions", "targets_indicators",
            "targets_double_counted"} <= set(sheets)
    lay = gpd.read_file(tmp_path / "a" / "targets_layers.gpkg", layer="towns")
    assert len(lay) == 12
    # a user folder with only an English-header energy table (GBK), English output
    d = tmp_path / "stats"
    d.mkdir()
    pd.DataFrame(HAND, columns=["town", "year", "gdp_wan", "energy_tce", "renewable_new",
                                "national_listed_tce", "raw_material_tce"]).to_csv(
        d / "town_energy.csv", index=False, encoding="gbk")
    res = CliRunner().invoke(main, ["targets", "report", "--stats", str(d), "--lang", "en",
                                    "--year", "2025", "--out", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    assert "许村→许村镇" in res.output and "no energy data for 11 town" in res.output
    out = pd.read_csv(tmp_path / "b" / "targets_energy.csv", encoding="utf-8-sig")
    row = out[out["town"] == "许村镇"].iloc[0]
    assert row["intensity cut since 2020 (%)"] == pytest.approx(22.962963, abs=1e-5)
    assert row["total-quantity status"] == "exempt"
    # bad input: clean error naming the file
    (d / "town_energy.csv").write_text("town,year,gdp_wan,energy_tce\n许村镇,2020,1,-5\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["targets", "report", "--stats", str(d), "--out", str(tmp_path / "c")])
    assert res.exit_code != 0 and "town_energy.csv" in res.output and "negative" in res.output


def test_stats_workbook_input(tmp_path):
    wb = tmp_path / "stats.xlsx"
    with pd.ExcelWriter(wb) as xw:
        pd.DataFrame(HAND, columns=["镇（街道）", "年份", "地区生产总值（万元）", "能源消费总量（吨标准煤）",
                                    "新增可再生能源电力消费量（吨标准煤）", "国家能耗单列项目能耗（吨标准煤）",
                                    "原料用能（吨标准煤）"]).to_excel(xw, sheet_name="镇街道能耗", index=False)
        _projects().to_excel(xw, sheet_name="reduction_projects", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        r = tg.targets_report(wb, towns=_mini_towns())
    assert r.tables["targets_energy"].set_index("town").loc["许村镇", "intensity_cut_pct"] == \
        pytest.approx(22.962963, abs=1e-5)
    assert len(r.tables["targets_double_counted"]) == 2
    assert len(r.layers["towns"]) == 2


def _mini_towns():
    return gpd.GeoDataFrame({"code": ["330481101", "330481103"], "name": ["许村镇", "长安镇"]},
                            geometry=[shapely.box(120.4, 30.4, 120.45, 30.45),
                                      shapely.box(120.5, 30.4, 120.55, 30.45)], crs="EPSG:4490")


def test_demo_stats_are_labelled_synthetic():
    d = tg.demo_stats_dir()
    for name in ("town_energy", "reduction_projects", "indicators", "reduction_allocations"):
        df = pd.read_csv(d / f"{name}.csv", encoding="utf-8-sig")
        assert df["备注"].str.contains("synthetic").all(), name
    assert np.isin(["许村镇"], pd.read_csv(d / "town_energy.csv", encoding="utf-8-sig")["镇（街道）"]).all()
