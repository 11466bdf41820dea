"""Water assessment: detection-limit rules, aggregation, plan indicators, ratings, attribution."""
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from hn_geo import vocabulary, water
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.results import Msg, Word
from hn_geo.ground.water_results import prepare_results
from hn_geo.render.tables import present
from hn_geo.water.describe import item_of

X0, Y0 = 500000.0, 3370000.0


def shown(res, table, lang="zh"):
    """A table of the result as a reader sees it (codes as words), indexed as given."""
    return present(res.tables[table], lang=lang, scope="water", codes=res.codes, labels=False)


def items(cell):
    return [item_of(e) for e in cell]


# ----------------------------------------------------------------------------- DL rules
def test_below_detection_never_exceeds_on_its_own_even_when_half_dl_is_above_the_limit(sec3, results, quiet):
    # Hg detection limit 0.0004 mg/L: half of it (0.0002) is above the class III limit (0.0001)
    df = results([["甲", "2024-01-05", "7", "0.3", "0.05", "0.0004L"],
                  ["甲", "2024-02-05", "7", "0.3", "0.05", "0.0002"]],
                 ["断面名称", "采样日期", "溶解氧", "氨氮", "总磷", "汞"])
    res = quiet(water.assess, quiet(prepare_results, df), sec3)
    smp = res.tables["water_samples"]
    assert list(smp["water_class"]) == ["III", "IV"]  # capped at the target; detected 0.0002 is IV
    assert list(smp["target_met"]) == [True, False]
    assert list(smp["status"]) == ["met", "not_met"]
    assert items(smp["exceed_items"].iloc[1])[0] == "hg"
    assert shown(res, "water_samples")["exceed_items"].iloc[1].startswith("汞")


def test_below_detection_in_means_at_half_dl(sec3, results, quiet):
    # annual mean with a <DL value at DL/2: (1.8 + 0.25) / 2 = 1.025 (class IV) but detected
    # values alone (1.8 + 0) / 2 = 0.9 are class III: the non-detect does not cause the exceedance
    df = results([["甲", "2024-01-05", "1.8"], ["甲", "2024-02-05", "0.5L"],
                  ["乙", "2024-01-05", "3.4"], ["乙", "2024-02-05", "0.5L"]],
                 ["断面名称", "采样日期", "氨氮"])
    res = quiet(water.assess, quiet(prepare_results, df), sec3)
    a = res.tables["water_sections"].set_index("section_id")
    assert a.loc["S1", "nh3n"] == pytest.approx(1.025)
    assert a.loc["S1", "water_class"] == "III" and a.loc["S1", "target_met"]
    # S2 (target IV): detected alone 1.7 (V) exceeds anyway; the mean (3.4 + 0.25)/2 = 1.825 is V
    assert a.loc["S2", "water_class"] == "V" and not a.loc["S2", "target_met"]
    (entry,) = a.loc["S2", "exceed_items"]
    assert isinstance(entry, Msg) and entry.params["item"] == Word("water.item", "nh3n")
    assert entry.params["multiple"] == pytest.approx(0.325 / 1.5)  # (1.825 - 1.5) / 1.5
    text = shown(res, "water_sections").set_index(res.tables["water_sections"]["section_id"])
    assert text.loc["S2", "exceed_items"] == "氨氮(0.22)"
    en = shown(res, "water_sections", "en").set_index(res.tables["water_sections"]["section_id"])
    assert en.loc["S2", "exceed_items"] == "ammonia nitrogen(0.22)"
    assert a.loc["S2", "max_multiple"] == pytest.approx(0.325 / 1.5, abs=1e-3)


# ----------------------------------------------------------------------------- 22号 rules
def test_excluded_items_and_lake_tn(sec3, results, quiet):
    cols = ["断面编号", "采样日期", "水温", "pH", "溶解氧", "氨氮", "总磷", "总氮", "粪大肠菌群"]
    df = results([["S1", "2024-06-01", "33", "7.5", "8", "0.1", "0.01", "8.0", "90000"],
                  ["S3", "2024-06-01", "30", "7.5", "8", "0.1", "0.04", "1.2", "100"]], cols)
    res = quiet(water.assess, quiet(prepare_results, df), sec3)
    a = res.tables["water_sections"].set_index("section_id")
    # TN 8 mg/L and fecal coliform 90,000/L do not set the class of the river section
    assert a.loc["S1", "water_class"] == "I" and a.loc["S1", "quality"] == "excellent"
    assert pd.isna(a.loc["S1", "tn_class"])  # rivers: TN reported, not classified
    # lake: TP against the lake limits (0.04 -> III), TN separately against lake limits (1.2 -> IV)
    assert a.loc["S3", "water_class"] == "III" and items(a.loc["S3", "class_items"]) == ["tp"]
    assert a.loc["S3", "tn_class"] == "IV" and a.loc["S3", "target_met"]


# ----------------------------------------------------------------------------- aggregation
def test_aggregation_hand_worked(sec3, results, quiet):
    # S1 (target III): NH3-N 0.4 (Jan), 0.6 and 1.4 (Feb, two samples), TP 0.1 throughout
    df = results([["S1", "2024-01-10", "0.4", "0.1"], ["S1", "2024-02-03", "0.6", "0.1"],
                  ["S1", "2024-02-20", "1.4", "0.1"], ["S1", "2025-01-10", "2.5", "0.1"]],
                 ["断面编号", "采样日期", "氨氮", "总磷"])
    res = quiet(water.assess, quiet(prepare_results, df), sec3, year=2024)
    smp = res.tables["water_samples"]
    assert list(smp["water_class"]) == ["II", "III", "IV", "inferior_V"]
    assert list(shown(res, "water_samples")["water_class"]) == ["II", "III", "IV", "劣V"]
    assert list(shown(res, "water_samples", "en")["water_class"])[-1] == "worse than V"
    m = res.tables["water_monthly"].set_index(["year", "month"])
    assert m.loc[(2024, 2), "nh3n"] == pytest.approx(1.0) and m.loc[(2024, 2), "n_samples"] == 2
    assert m.loc[(2024, 1), "water_class"] == "II" and m.loc[(2024, 2), "water_class"] == "III"
    a = res.tables["water_sections"].set_index("year")
    assert a.loc[2024, "nh3n"] == pytest.approx(0.8)  # annual mean of the 3 samples
    assert a.loc[2024, "water_class"] == "III" and a.loc[2024, "target_met"]
    assert a.loc[2025, "water_class"] == "inferior_V"
    (entry,) = a.loc[2025, "exceed_items"]
    assert item_of(entry) == "nh3n" and entry.params["multiple"] == pytest.approx(1.5)
    layer = res.layers["sections"].set_index("section_id")
    assert layer.loc["S1", "year"] == 2024 and layer.loc["S1", "water_class_num"] == 3
    assert layer.loc["S2", "status"] == "no_data" and pd.isna(layer.loc["S2", "water_class"])
    assert pd.isna(layer.loc["S2", "target_met"]) and layer.loc["S2", "water_class_num"] == 0
    assert layer.loc["S2", "exceed_items"] == ()


# ----------------------------------------------------------------------------- plan indicators
def test_compliance_rates_and_statuses(make_sections, results, quiet):
    sec = make_sections([
        ("P1", "省一", "甲河", "provincial", "river", "II", 0, 0),
        ("P2", "省二", "甲河", "provincial", "river", "III", 0, 0),
        ("H1", "交一", "乙河", "handover", "river", "IV", 0, 0),
        ("H2", "交二", "乙河", "handover", "river", "II", 0, 0),
    ])
    # P1: III (misses its own target II, but counts as <= III for the plan); P2: IV
    # H1: IV meets target IV; H2: III misses target II
    df = results([["P1", "2024-03-01", "0.8"], ["P2", "2024-03-01", "1.3"],
                  ["H1", "2024-03-01", "1.4"], ["H2", "2024-03-01", "0.9"]], ["断面编号", "采样日期", "氨氮"])
    res = quiet(water.assess, quiet(prepare_results, df), sec)
    c = res.tables["water_compliance"].set_index("indicator")
    prov, hand = c.loc["provincial_class_iii"], c.loc["handover_met"]
    assert (prov["n_sections"], prov["n_met"], prov["rate_pct"]) == (2, 1, 50.0)
    assert prov["status"] == "not_met" and prov["plan_target_pct"] == 100.0
    assert shown(res, "water_compliance")["failing_sections"].iloc[0] == "省二(IV)"
    assert shown(res, "water_compliance")["indicator"].iloc[0] == "省控断面达到或优于Ⅲ类比例"
    assert (hand["n_sections"], hand["n_met"], hand["rate_pct"]) == (2, 1, 50.0)
    layer = res.layers["sections"].set_index("section_id")
    assert layer.loc["P1", "status"] == "not_met" and layer.loc["P1", "plan_check"] == "met"
    assert layer.loc["H1", "status"] == "met"
    rate = res.figure("water.provincial_rate")
    assert (rate.value, rate.unit, rate.target, rate.period, rate.status) == (50.0, "pct", 100.0, 2024, "not_met")
    # a plan target of 50 % is met by 1 of 2
    res50 = quiet(water.assess, quiet(prepare_results, df), sec, provincial_target=50.0)
    assert res50.figure("water.provincial_rate").status == "met"


def test_river_rating_by_class_shares_and_by_means(make_sections, results, quiet):
    rows = [(f"R{i}", f"断面{i}", "长河", "municipal", "river", "III", 0, 0) for i in range(5)]
    rows += [("K1", "短一", "短河", "municipal", "river", "III", 0, 0),
             ("K2", "短二", "短河", "municipal", "river", "III", 0, 0)]
    sec = make_sections(rows)
    nh3n = ["0.4", "0.8", "0.9", "1.2", "2.6", "0.9", "1.3"]  # II III III IV 劣V | III IV
    df = results([[sid, "2024-05-01", v] for sid, v in zip(sec["section_id"], nh3n)],
                 ["断面编号", "采样日期", "氨氮"])
    res = quiet(water.assess, quiet(prepare_results, df), sec)
    r = res.tables["water_rivers"].set_index("river")
    # 5 sections: I-III 60 % (< 75 %), 劣V 20 % (20-40 %) -> 中度污染
    assert r.loc["长河", "share_I_III_pct"] == 60.0 and r.loc["长河", "share_inferior_V_pct"] == 20.0
    assert r.loc["长河", "river_quality"] == "moderately_polluted" and r.loc["长河", "method"] == "class_share"
    assert pd.isna(r.loc["长河", "river_class"])
    # 2 sections: mean NH3-N 1.1 -> IV -> 轻度污染
    assert r.loc["短河", "river_class"] == "IV" and r.loc["短河", "river_quality"] == "slightly_polluted"
    zh = shown(res, "water_rivers").set_index(res.tables["water_rivers"]["river"])
    assert zh.loc["长河", "river_quality"] == "中度污染" and zh.loc["长河", "method"] == "断面类别比例法"


def test_sea_entry_trend(sec3, results, quiet):
    df = results([["S1", "2023-03-01", "2.0", "0.20"], ["S1", "2024-03-01", "1.8", "0.22"],
                  ["S1", "2025-03-01", "1.5", "0.15"]], ["断面编号", "采样日期", "总氮", "总磷"])
    res = quiet(water.assess, quiet(prepare_results, df), sec3)
    t = res.tables["water_trend"].set_index("year")
    assert list(t["river"].unique()) == ["长山河"]
    assert t.loc[2024, "tn_change_prev_pct"] == -10.0 and t.loc[2024, "tp_change_prev_pct"] == 10.0
    assert t.loc[2025, "tn_change_first_pct"] == -25.0 and t.loc[2025, "tp_change_first_pct"] == -25.0
    assert pd.isna(t.loc[2023, "trend"])
    assert t.loc[2024, "trend"] == "mixed" and t.loc[2025, "trend"] == "down"
    assert list(shown(res, "water_trend")["trend"]) == ["", "升降不一", "下降"]


def test_rows_of_unknown_sections_are_classified_only(sec3, results, quiet, coded_warnings):
    df = results([["S1", "2024-01-01", "0.3"], ["S9", "2024-01-01", "0.3"], ["S9", "2024-02-01", "0.3"]],
                 ["断面编号", "采样日期", "氨氮"])
    with pytest.warns(HnGeoWarning) as record:
        res = water.assess(quiet(prepare_results, df, path="r.csv"), sec3)
    (w,) = coded_warnings(record, "water.unlisted_sections")
    assert w.params == {"n_rows": 2, "n_sections": 1, "sections": ["S9"], "first_row": 3}
    assert w.path == "r.csv" and "2 row(s) of 1 section(s)" in w.render("en")
    a = res.tables["water_sections"].set_index("section_id")
    # S9 is classified (NH3-N 0.3 mg/L: class II) but has no target: no status, not in compliance
    assert a.loc["S9", "water_class"] == "II" and a.loc["S9", "n_samples"] == 2
    assert pd.isna(a.loc["S9", "status"]) and pd.isna(a.loc["S9", "target_met"])
    assert "S9" not in set(res.layers["sections"]["section_id"])
    assert "classify_only" in [n.code.split(".")[-1] for n in res.notes]


def test_no_sections_layer_classifies_every_row(results, quiet):
    df = results([["S9", "2024-01-01", "0.3", "0.04", "湖库"], ["S8", "2024-01-01", "0.3", "0.04", "河流"]],
                 ["断面编号", "采样日期", "氨氮", "总磷", "水体类型"])
    res = quiet(water.assess, quiet(prepare_results, df))
    a = res.tables["water_sections"].set_index("section_id")
    # TP 0.04 mg/L: class II in a river, class III in a lake (GB 3838 lake limits)
    assert a.loc["S8", "water_class"] == "II" and a.loc["S9", "water_class"] == "III"
    assert a.loc["S9", "water_body"] == "lake" and res.layers == {}
    assert res.tables["water_compliance"].empty and res.tables["water_upstream"].empty
    note = next(n for n in res.notes if n.code == "water.classify_only")
    assert note.params["n"] == 2 and "results' water-body column" in vocabulary.message(
        note.code, note.params, "en")
    res = quiet(water.assess, quiet(prepare_results, df.drop(columns="水体类型")), water_body="lake")
    assert set(res.tables["water_sections"]["water_class"]) == {"III"}


def test_unknown_year(sec3, results, quiet):
    df = results([["S1", "2024-01-01", "0.3"]], ["断面编号", "采样日期", "氨氮"])
    with pytest.raises(HnGeoError) as err:
        quiet(water.assess, quiet(prepare_results, df), sec3, year=2019)
    assert err.value.code == "water.no_year" and err.value.params["years"] == [2024]
    assert "no results for year 2019" in err.value.render("en")


def test_section_types_must_be_codes(make_sections, results, quiet):
    sec = make_sections([("S1", "甲", "长山河", "省控", "河流", "III", 0, 0)])
    df = results([["S1", "2024-01-01", "0.3"]], ["断面编号", "采样日期", "氨氮"])
    with pytest.raises(HnGeoError) as err:
        quiet(water.assess, quiet(prepare_results, df), sec)
    assert err.value.code == "water.bad_code" and err.value.field == "section_type"


# ----------------------------------------------------------------------------- attribution
def test_upstream_attribution_ranks_by_the_exceeded_pollutant(make_sections, results, quiet):
    riv = gpd.GeoDataFrame({"river_id": ["A", "B"], "name": ["甲河", "乙河"]},
                           geometry=[LineString([(X0, Y0), (X0 + 10000, Y0)]),
                                     LineString([(X0 + 4000, Y0 + 3000), (X0 + 4000, Y0)])],
                           crs="EPSG:4549")
    sec = make_sections([("S1", "甲", "甲河", "provincial", "river", "III", 8000, 0),
                         ("S2", "乙", "甲河", "provincial", "river", "III", 2000, 0)])
    pts = gpd.GeoDataFrame({"point_id": ["E1", "E2", "E3", "E4"], "name": ["一厂", "二厂", "三厂", "四厂"],
                            "cod_t": [50.0, 5.0, 20.0, 99.0], "nh3n_t": [1.0, 4.0, 2.0, 9.0],
                            "tp_t": [0.1, 0.2, 0.3, 0.9]},
                           geometry=[Point(X0 + 1000, Y0 + 100), Point(X0 + 4000, Y0 + 2000),
                                     Point(X0 + 6000, Y0 - 200), Point(X0 + 9000, Y0 + 50)],
                           crs="EPSG:4549")
    df = results([["S1", "2024-01-01", "1.6"], ["S2", "2024-01-01", "0.5"]], ["断面编号", "采样日期", "氨氮"])
    res = quiet(water.assess, quiet(prepare_results, df), sec, riv, pts, snap_distance=300, max_upstream=20000)
    up = res.tables["water_upstream"]
    assert set(up["section_id"]) == {"S1"}  # only the failing section is traced
    # E4 is downstream of S1; E1, E2 (via the tributary), E3 drain to it; ranked by NH3-N load
    assert list(up["point_id"]) == ["E2", "E3", "E1"]
    assert list(up["rank"]) == [1, 2, 3] and up["rank_by"].iloc[0] == "nh3n_t"
    assert shown(res, "water_upstream")["rank_by"].iloc[0] == "氨氮排放量"
    assert up.set_index("point_id").loc["E2", "along_km"] == pytest.approx((2000 + 4000) / 1000)
    assert up["load_share_pct"].sum() == pytest.approx(100.0, abs=0.2)
    assert not any(n.code == "water.no_upstream_source" for n in res.notes)


def test_failing_section_without_discharger_is_noted(make_sections, results, quiet):
    riv = gpd.GeoDataFrame({"river_id": ["A"], "name": ["甲河"]},
                           geometry=[LineString([(X0, Y0), (X0 + 10000, Y0)])], crs="EPSG:4549")
    sec = make_sections([("S1", "甲", "甲河", "provincial", "river", "III", 8000, 0)])
    pts = gpd.GeoDataFrame({"point_id": ["E1"], "cod_t": [5.0], "nh3n_t": [1.0]},
                           geometry=[Point(X0 + 9000, Y0 + 50)], crs="EPSG:4549")  # downstream
    df = results([["S1", "2024-01-01", "1.6"]], ["断面编号", "采样日期", "氨氮"])
    res = quiet(water.assess, quiet(prepare_results, df), sec, riv, pts)
    (note,) = [n for n in res.notes if n.code == "water.no_upstream_source"]
    assert note.params == {"km": 15.0, "snap_m": 1000.0, "sections": ["甲"]}
    assert res.tables["water_upstream"].empty
    no_layers = quiet(water.assess, quiet(prepare_results, df), sec)
    assert "water.no_upstream_layers" in [n.code for n in no_layers.notes]


# ----------------------------------------------------------------------------- property: DL rule
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PROP_ITEMS = ["nh3n", "tp", "codmn", "hg", "phenol"]


@settings(max_examples=60, deadline=None)
@given(vals=st.lists(st.floats(0, 5), min_size=5, max_size=5), nd=st.lists(st.booleans(), min_size=5, max_size=5),
       which=st.integers(0, 4), factor=st.floats(1, 50), target=st.integers(1, 5), lake=st.booleans())
def test_raising_a_detected_value_never_improves_the_class_with_dl_rule(vals, nd, which, factor, target, lake):
    frame = pd.DataFrame([vals, vals], columns=PROP_ITEMS)
    frame.loc[1, PROP_ITEMS[which]] = vals[which] * factor + 0.001
    for c, flag in zip(PROP_ITEMS, nd):
        frame[f"nd_{c}"] = [flag, flag]
    # the raised item is a detected value in the second row
    frame.loc[1, f"nd_{PROP_ITEMS[which]}"] = False
    cls, sc = water.classify_samples(frame, lake=np.array([lake, lake]), reference=np.array([target, target]))
    assert cls.loc[1, PROP_ITEMS[which]] >= cls.loc[0, PROP_ITEMS[which]]
    assert sc[1] >= sc[0]


def test_rows_without_class_items_are_no_data_not_failures(sec3, results, quiet):
    # S2 (hand-over) has only water temperature and TN: nothing of the 21 items -> no class
    df = results([["S1", "2024-01-01", "9", "0.3", "2.0"], ["S2", "2024-01-01", "9", "", "2.5"]],
                 ["断面编号", "采样日期", "水温", "氨氮", "总氮"])
    res = quiet(water.assess, quiet(prepare_results, df), sec3)
    a = res.tables["water_sections"].set_index("section_id")
    assert a.loc["S2", "status"] == "no_data" and pd.isna(a.loc["S2", "target_met"])
    comp = res.tables["water_compliance"]
    assert comp[comp["indicator"] == "handover_met"].empty
    assert res.layers["sections"].set_index("section_id").loc["S2", "status"] == "no_data"
    assert res.figure("water.sections_not_met").value == 0
    assert res.figure("water.sections_no_data").value == 2  # S2 (no class) and S3 (no results)
    assert res.figure("water.handover_rate").value is None
    assert res.figure("water.handover_rate").status == "no_data"
