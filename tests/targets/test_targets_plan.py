"""The plan's targets (hn_geo.ground.plan): the YAML against the plan text, and its reader."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError
from hn_geo.ground import plan as tg
from hn_geo.ground.towns import CODE_BY_NAME, NAMES

pytest_plugins = ["targets_fixtures"]  # the targets tests' fixtures

# the plan text lies in shared/ beside the repository (or beside a worktree's parent)
PLAN = next((p / "shared" / "seed" / "plan.txt" for p in Path(__file__).resolve().parents
             if (p / "shared" / "seed" / "plan.txt").exists()), Path("shared/seed/plan.txt"))
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
def test_every_quote_is_plan_and_holds_the_value(plan):
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
    with pytest.raises(HnGeoError, match="comparator") as ei:
        tg.load_targets(p)
    assert ei.value.code == "targets.plan_bad_choice" and ei.value.row == raw_yaml["targets"][0]["id"]
    assert "comparator" in ei.value.render("zh")
    bad["targets"] = raw_yaml["targets"] + [raw_yaml["targets"][0]]
    p.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(HnGeoError, match="duplicate target id") as ei:
        tg.load_targets(p)
    assert ei.value.code == "targets.plan_duplicate_ids"
    bad["targets"] = [dict(raw_yaml["targets"][0], unit="桶")] + raw_yaml["targets"][1:]
    p.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(HnGeoError, match="unknown unit '桶'") as ei:
        tg.load_targets(p)
    assert ei.value.code == "targets.plan_unknown_word" and ei.value.field == "unit"
    with pytest.raises(HnGeoError) as ei:
        tg.load_targets(tmp_path / "missing.yaml")
    assert ei.value.code == "targets.plan_not_found"


def test_plan_words_are_coded_on_input(raw_yaml):
    t = tg.load_targets()
    # every unit of the plan has a code with a word in both languages; zh shows the plan's unit
    for unit, code in zip(t["unit"], t["unit_code"]):
        assert vocabulary.word("targets.plan_unit", code, "zh") == unit
        assert not vocabulary.has_cjk(vocabulary.word("targets.plan_unit", code, "en"))
    # the YAML says NOx / NH3-N: the frame holds codes of the shared family
    red = t[t["pollutant"].notna()].set_index("pollutant")
    assert list(red.index) == ["nox", "vocs", "cod", "nh3n"]
    assert red["value"].tolist() == [515, 2585, 1200, 85]
    for family, col in (("targets.topic", "topic"), ("targets.target_kind", "kind"),
                        ("targets.comparator", "comparator"), ("targets.direction", "direction")):
        for code in set(t[col]):
            for lang in ("zh", "en"):
                vocabulary.word(family, code, lang)


def test_plan_figure_converts_units():
    assert tg.plan_figure("pv_capacity", unit="MW") == 1800.0
    assert tg.plan_figure("rooftop_pv_households", unit="homes") == 10000.0
    assert tg.plan_figure("nox_reduction") == 515.0
    with pytest.raises(HnGeoError) as ei:
        tg.plan_figure("pv_capacity", unit="GWh")
    assert ei.value.code == "targets.plan_unit_not_convertible"
    with pytest.raises(HnGeoError) as ei:
        tg.plan_figure("no_such_target")
    assert ei.value.code == "targets.plan_no_target"
