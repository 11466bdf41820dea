"""Water assessment: parsing, detection-limit rules, aggregation, plan indicators, attribution, CLI."""
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import LineString, Point

from hn_geo import water
from hn_geo.cli import main
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground.catalog import default_path

X0, Y0 = 500000.0, 3370000.0


def make_sections(rows):
    """rows: (id, name, river, type, water_body, target, x_m, y_m)."""
    df = pd.DataFrame(rows, columns=["section_id", "name", "river", "section_type", "water_body",
                                     "target_class", "x", "y"])
    geom = [Point(X0 + x, Y0 + y) for x, y in zip(df.pop("x"), df.pop("y"))]
    return gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4549").to_crs("EPSG:4490")


def results(rows, columns):
    return pd.DataFrame(rows, columns=columns, dtype=object).astype(str)


def quiet_prepare(df, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        return water.prepare_results(df, **kw)


def quiet_assess(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        return water.assess(*args, **kw)


# ----------------------------------------------------------------------------- parsing
def test_detection_limit_notations():
    p = water.parse_values(pd.Series(["0.52", "0.025L", "<0.025", "＜0.01", "ND", "未检出", "", "-",
                                      "0.05 L", "1e-4"]), detection_limit=0.02)
    assert p["value"].iloc[0] == 0.52 and not p["nd"].iloc[0]
    assert p["value"].iloc[1] == pytest.approx(0.0125) and p["nd"].iloc[1] and p["dl"].iloc[1] == 0.025
    assert p["value"].iloc[2] == pytest.approx(0.0125) and p["nd"].iloc[2]
    assert p["value"].iloc[3] == pytest.approx(0.005) and p["nd"].iloc[3]
    assert p["value"].iloc[4] == pytest.approx(0.01) and p["nd"].iloc[4]  # ND: DL from the mapping
    assert p["nd"].iloc[5]
    assert np.isnan(p["value"].iloc[6]) and not p["nd"].iloc[6] and not p["bad"].iloc[6]
    assert np.isnan(p["value"].iloc[7]) and not p["bad"].iloc[7]
    assert p["value"].iloc[8] == pytest.approx(0.025)
    assert p["value"].iloc[9] == pytest.approx(1e-4)
    unknown = water.parse_values(pd.Series(["ND"]))
    assert unknown["nd"].iloc[0] and np.isnan(unknown["value"].iloc[0])
    assert water.parse_values(pd.Series(["abc", "1,2", "-0.5"]))[["bad", "negative"]].to_numpy().tolist() == \
        [[True, False], [True, False], [False, True]]


COLS = ["断面名称", "采样日期", "溶解氧(mg/L)", "氨氮(mg/L)", "总磷(mg/L)", "汞(mg/L)", "备注"]


def test_prepare_results_chinese_headers_and_unknown_columns():
    df = results([["甲", "2024-01-05", "6.1", "0.3", "0.05", "0.00004L", "x"]], COLS)
    with pytest.warns(HnGeoWarning, match="ignored 1 column.*备注"):
        s = water.prepare_results(df, path="r.csv")
    assert {"do", "nh3n", "tp", "hg", "nd_hg"} <= set(s.columns)
    assert s["hg"].iloc[0] == pytest.approx(0.00002) and bool(s["nd_hg"].iloc[0])
    assert s["row"].iloc[0] == 2


@pytest.mark.parametrize("col,value,match", [
    ("氨氮(mg/L)", "0.3mg", "neither a number"),
    ("氨氮(mg/L)", "-0.2", "negative"),
    ("溶解氧(mg/L)", "ND", "below-detection"),
    ("采样日期", "2024-13-45", "date"),
])
def test_bad_values_name_file_row_and_column(col, value, match):
    rows = [["甲", "2024-01-05", "6.1", "0.3", "0.05", "0.0001", ""] for _ in range(3)]
    df = results(rows, COLS)
    df.loc[1, col] = value
    with pytest.raises(HnGeoError, match=match) as err:
        quiet_prepare(df, path="r.csv")
    assert err.value.row == 3 and err.value.field == col and err.value.path == "r.csv"


def test_ph_outside_0_14_is_an_error():
    df = results([["甲", "2024-01-05", "15"]], ["断面名称", "采样日期", "pH"])
    with pytest.raises(HnGeoError, match="pH 0-14"):
        water.prepare_results(df, path="r.csv")


# ----------------------------------------------------------------------------- DL rules
SEC = make_sections([
    ("S1", "甲", "长山河", "省控", "河流", "III", 0, 0),
    ("S2", "乙", "长山河", "交接", "河流", "Ⅳ类", 0, 0),
    ("S3", "丙", "某水库", "市控", "湖库", "3", 0, 0),
])


def test_below_detection_never_exceeds_on_its_own_even_when_half_dl_is_above_the_limit():
    # Hg detection limit 0.0004 mg/L: half of it (0.0002) is above the class III limit (0.0001)
    df = results([["甲", "2024-01-05", "7", "0.3", "0.05", "0.0004L"],
                   ["甲", "2024-02-05", "7", "0.3", "0.05", "0.0002"]],
                  ["断面名称", "采样日期", "溶解氧", "氨氮", "总磷", "汞"])
    res = quiet_assess(quiet_prepare(df), SEC)
    smp = res.tables["water_samples"]
    assert list(smp["water_class"]) == ["III", "IV"]  # capped at the target; detected 0.0002 is IV
    assert list(smp["target_met"]) == [True, False]
    assert smp["exceed_items"].iloc[1].startswith("汞")


def test_below_detection_in_means_at_half_dl():
    # annual mean with a <DL value at DL/2: (1.8 + 0.25) / 2 = 1.025 (class IV) but detected
    # values alone (1.8 + 0) / 2 = 0.9 are class III: the non-detect does not cause the exceedance
    df = results([["甲", "2024-01-05", "1.8"], ["甲", "2024-02-05", "0.5L"],
                  ["乙", "2024-01-05", "3.4"], ["乙", "2024-02-05", "0.5L"]],
                 ["断面名称", "采样日期", "氨氮"])
    res = quiet_assess(quiet_prepare(df), SEC)
    a = res.tables["water_sections"].set_index("section_id")
    assert a.loc["S1", "nh3n"] == pytest.approx(1.025)
    assert a.loc["S1", "water_class"] == "III" and a.loc["S1", "target_met"]
    # S2 (target IV): detected alone 1.7 (V) exceeds anyway; the mean (3.4 + 0.25)/2 = 1.825 is V
    assert a.loc["S2", "water_class"] == "V" and not a.loc["S2", "target_met"]
    assert a.loc["S2", "exceed_items"] == "氨氮(0.22)"  # (1.825 - 1.5) / 1.5
    assert a.loc["S2", "max_multiple"] == pytest.approx(0.325 / 1.5, abs=1e-3)


def test_unknown_detection_limit_warns_and_detection_limit_file(tmp_path):
    df = results([["甲", "2024-01-05", "ND"], ["甲", "2024-02-05", "0.4"]], ["断面名称", "采样日期", "氨氮"])
    with pytest.warns(HnGeoWarning, match="1 below-detection value"):
        s = water.prepare_results(df)
    assert np.isnan(s["nh3n"].iloc[0])
    dl = tmp_path / "dl.csv"
    dl.write_text("项目,检出限\n氨氮,0.025\n", encoding="utf-8")
    s = water.prepare_results(df, detection_limits=water.read_detection_limits(dl))
    assert s["nh3n"].iloc[0] == pytest.approx(0.0125)


# ----------------------------------------------------------------------------- 22号 rules
def test_excluded_items_and_lake_tn():
    cols = ["断面编号", "采样日期", "水温", "pH", "溶解氧", "氨氮", "总磷", "总氮", "粪大肠菌群"]
    df = results([["S1", "2024-06-01", "33", "7.5", "8", "0.1", "0.01", "8.0", "90000"],
                  ["S3", "2024-06-01", "30", "7.5", "8", "0.1", "0.04", "1.2", "100"]], cols)
    res = quiet_assess(quiet_prepare(df), SEC)
    a = res.tables["water_sections"].set_index("section_id")
    # TN 8 mg/L and fecal coliform 90,000/L do not set the class of the river section
    assert a.loc["S1", "water_class"] == "I"
    assert a.loc["S1", "tn_class"] == ""  # rivers: TN reported, not classified
    # lake: TP against the lake limits (0.04 -> III), TN separately against lake limits (1.2 -> IV)
    assert a.loc["S3", "water_class"] == "III" and a.loc["S3", "class_items"] == "总磷"
    assert a.loc["S3", "tn_class"] == "IV" and a.loc["S3", "target_met"]


# ----------------------------------------------------------------------------- aggregation
def test_aggregation_hand_worked():
    # S1 (target III): NH3-N 0.4 (Jan), 0.6 and 1.4 (Feb, two samples), TP 0.1 throughout
    df = results([["S1", "2024-01-10", "0.4", "0.1"], ["S1", "2024-02-03", "0.6", "0.1"],
                  ["S1", "2024-02-20", "1.4", "0.1"], ["S1", "2025-01-10", "2.5", "0.1"]],
                 ["断面编号", "采样日期", "氨氮", "总磷"])
    res = quiet_assess(quiet_prepare(df), SEC, year=2024)
    smp = res.tables["water_samples"]
    assert list(smp["water_class"]) == ["II", "III", "IV", "劣V"]
    m = res.tables["water_monthly"].set_index(["year", "month"])
    assert m.loc[(2024, 2), "nh3n"] == pytest.approx(1.0) and m.loc[(2024, 2), "n_samples"] == 2
    assert m.loc[(2024, 1), "water_class"] == "II" and m.loc[(2024, 2), "water_class"] == "III"
    a = res.tables["water_sections"].set_index("year")
    assert a.loc[2024, "nh3n"] == pytest.approx(0.8)  # annual mean of the 3 samples
    assert a.loc[2024, "water_class"] == "III" and a.loc[2024, "target_met"]
    assert a.loc[2025, "water_class"] == "劣V" and a.loc[2025, "exceed_items"] == "氨氮(1.50)"
    layer = res.layers["sections"].set_index("section_id")
    assert layer.loc["S1", "year"] == 2024 and layer.loc["S1", "water_class_num"] == 3
    assert layer.loc["S2", "status"] == "无数据" and pd.isna(layer.loc["S2", "water_class"])
    assert pd.isna(layer.loc["S2", "target_met"]) and layer.loc["S2", "water_class_num"] == 0


def test_compliance_rates_and_statuses():
    sec = make_sections([
        ("P1", "省一", "甲河", "省控", "河流", "II", 0, 0), ("P2", "省二", "甲河", "省控", "河流", "III", 0, 0),
        ("H1", "交一", "乙河", "交接", "河流", "IV", 0, 0), ("H2", "交二", "乙河", "交接", "河流", "II", 0, 0),
    ])
    # P1: III (misses its own target II, but counts as <= III for the plan); P2: IV
    # H1: IV meets target IV; H2: III misses target II
    df = results([["P1", "2024-03-01", "0.8"], ["P2", "2024-03-01", "1.3"],
                  ["H1", "2024-03-01", "1.4"], ["H2", "2024-03-01", "0.9"]], ["断面编号", "采样日期", "氨氮"])
    res = quiet_assess(quiet_prepare(df), sec)
    c = res.tables["water_compliance"].set_index("indicator")
    prov, hand = c.iloc[0], c.iloc[1]
    assert (prov["n_sections"], prov["n_met"], prov["rate_pct"]) == (2, 1, 50.0)
    assert prov["status"] == "未达标" and prov["failing_sections"] == "省二(IV)"
    assert (hand["n_sections"], hand["n_met"], hand["rate_pct"]) == (2, 1, 50.0)
    layer = res.layers["sections"].set_index("section_id")
    assert layer.loc["P1", "status"] == "未达标" and layer.loc["P1", "plan_check"] == "达标"
    assert layer.loc["H1", "status"] == "达标"
    assert res.summary["省控断面达到或优于Ⅲ类比例 (%)"].startswith("50.0")


def test_river_rating_by_class_shares_and_by_means():
    rows = [(f"R{i}", f"断面{i}", "长河", "市控", "河流", "III", 0, 0) for i in range(5)]
    rows += [("K1", "短一", "短河", "市控", "河流", "III", 0, 0), ("K2", "短二", "短河", "市控", "河流", "III", 0, 0)]
    sec = make_sections(rows)
    nh3n = ["0.4", "0.8", "0.9", "1.2", "2.6", "0.9", "1.3"]  # II III III IV 劣V | III IV
    df = results([[sid, "2024-05-01", v] for sid, v in zip(sec["section_id"], nh3n)],
                 ["断面编号", "采样日期", "氨氮"])
    r = quiet_assess(quiet_prepare(df), sec).tables["water_rivers"].set_index("river")
    # 5 sections: I-III 60 % (< 75 %), 劣V 20 % (20-40 %) -> 中度污染
    assert r.loc["长河", "share_I_III_pct"] == 60.0 and r.loc["长河", "share_inferior_V_pct"] == 20.0
    assert r.loc["长河", "river_quality"] == "中度污染" and r.loc["长河", "method"] == "断面类别比例法"
    # 2 sections: mean NH3-N 1.1 -> IV -> 轻度污染
    assert r.loc["短河", "river_class"] == "IV" and r.loc["短河", "river_quality"] == "轻度污染"


def test_sea_entry_trend():
    df = results([["S1", "2023-03-01", "2.0", "0.20"], ["S1", "2024-03-01", "1.8", "0.22"],
                  ["S1", "2025-03-01", "1.5", "0.15"]], ["断面编号", "采样日期", "总氮", "总磷"])
    t = quiet_assess(quiet_prepare(df), SEC).tables["water_trend"].set_index("year")
    assert list(t["river"].unique()) == ["长山河"]
    assert t.loc[2024, "tn_change_prev_pct"] == -10.0 and t.loc[2024, "tp_change_prev_pct"] == 10.0
    assert t.loc[2025, "tn_change_first_pct"] == -25.0 and t.loc[2025, "tp_change_first_pct"] == -25.0
    assert t.loc[2024, "trend"] == "升降不一" and t.loc[2025, "trend"] == "下降"


def test_rows_of_unknown_sections_are_counted():
    df = results([["S1", "2024-01-01", "0.3"], ["S9", "2024-01-01", "0.3"], ["S9", "2024-02-01", "0.3"]],
                 ["断面编号", "采样日期", "氨氮"])
    with pytest.warns(HnGeoWarning, match="2 row.*1 section.*S9"):
        water.assess(quiet_prepare(df), SEC)


# ----------------------------------------------------------------------------- attribution
def test_upstream_attribution_ranks_by_the_exceeded_pollutant():
    riv = gpd.GeoDataFrame({"river_id": ["A", "B"], "name": ["甲河", "乙河"]},
                           geometry=[LineString([(X0, Y0), (X0 + 10000, Y0)]),
                                     LineString([(X0 + 4000, Y0 + 3000), (X0 + 4000, Y0)])],
                           crs="EPSG:4549")
    sec = make_sections([("S1", "甲", "甲河", "省控", "河流", "III", 8000, 0),
                         ("S2", "乙", "甲河", "省控", "河流", "III", 2000, 0)])
    pts = gpd.GeoDataFrame({"point_id": ["E1", "E2", "E3", "E4"], "name": ["一厂", "二厂", "三厂", "四厂"],
                            "cod_t": [50.0, 5.0, 20.0, 99.0], "nh3n_t": [1.0, 4.0, 2.0, 9.0],
                            "tp_t": [0.1, 0.2, 0.3, 0.9]},
                           geometry=[Point(X0 + 1000, Y0 + 100), Point(X0 + 4000, Y0 + 2000),
                                     Point(X0 + 6000, Y0 - 200), Point(X0 + 9000, Y0 + 50)],
                           crs="EPSG:4549")
    df = results([["S1", "2024-01-01", "1.6"], ["S2", "2024-01-01", "0.5"]], ["断面编号", "采样日期", "氨氮"])
    res = quiet_assess(quiet_prepare(df), sec, riv, pts, snap_distance=300, max_upstream=20000)
    up = res.tables["water_upstream"]
    assert set(up["section_id"]) == {"S1"}  # only the failing section is traced
    # E4 is downstream of S1; E1, E2 (via the tributary), E3 drain to it; ranked by NH3-N load
    assert list(up["point_id"]) == ["E2", "E3", "E1"]
    assert list(up["rank"]) == [1, 2, 3] and up["rank_by"].iloc[0] == "氨氮排放量"
    assert up.set_index("point_id").loc["E2", "along_km"] == pytest.approx((2000 + 4000) / 1000)
    assert up["load_share_pct"].sum() == pytest.approx(100.0, abs=0.2)


# ----------------------------------------------------------------------------- CLI
def write_user_files(tmp_path):
    sec = make_sections([("330481A", "盐官上游", "上塘河", "省控", "河流", "Ⅲ类", 0, 0),
                         ("330481B", "许村交接", "长山河", "交接", "河流", "IV", 3000, 0)])
    sec.to_file(tmp_path / "sections.geojson", driver="GeoJSON")
    csv = tmp_path / "监测结果.csv"
    csv.write_text(
        "断面名称,采样日期,水温(℃),pH值,溶解氧(mg/L),高锰酸盐指数(mg/L),氨氮(mg/L),总磷(以P计)(mg/L),"
        "总氮(mg/L),石油类(mg/L),挥发酚(mg/L),备注\n"
        "盐官上游,2024-01-08,8.5,7.6,8.1,4.2,0.42,0.12,2.1,0.01L,0.0003L,\n"
        "盐官上游,2024-02-06,9.0,7.4,7.9,4.8,0.55,0.15,2.3,0.02,0.0003L,\n"
        "许村交接,2024-01-08,8.1,7.2,4.1,6.5,1.62,0.31,3.2,0.01L,<0.0003,复测\n"
        "许村交接,2024-02-06,8.8,7.3,4.6,7.1,1.71,0.28,3.0,0.03,0.0011,\n",
        encoding="utf-8-sig")
    return csv, tmp_path / "sections.geojson"


def test_cli_user_csv_with_chinese_headers_and_L_values(tmp_path):
    csv, sec = write_user_files(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["water", "classify", str(csv), "--sections", str(sec),
                                  "--rivers", str(sec), "--out", str(out)])
    # --rivers given the sections file is a clear error naming the file, not a crash
    assert r.exit_code != 0 and "river_id" in r.output and "sections.geojson" in r.output
    r = CliRunner().invoke(main, ["water", "classify", str(csv), "--sections", str(sec), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "ignored 1 column(s)" in r.output and "备注" in r.output
    assert "交接断面水质达标率 (%): 0.0 (0/1)" in r.output
    t = pd.read_csv(out / "water_sections.csv", encoding="utf-8-sig")
    assert (out / "water_sections.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    t = t.set_index("断面编号")
    assert t.loc["330481A", "水质类别"] == "III" and t.loc["330481A", "达标情况"] == "达标"
    # 许村交接: NH3-N mean 1.665 (V), DO mean 4.35 (IV), target IV -> 未达标, 氨氮 multiple 0.11
    assert t.loc["330481B", "水质类别"] == "V" and t.loc["330481B", "超标项目（超标倍数）"] == "氨氮(0.11)"
    assert (out / "water.xlsx").exists() and (out / "water_layers.gpkg").exists()
    layer = gpd.read_file(out / "water_layers.gpkg", layer="sections")
    assert set(layer["water_class"]) == {"III", "V"} and layer.crs.to_epsg() == 4490
    r = CliRunner().invoke(main, ["water", "classify", str(csv), "--sections", str(sec), "--lang", "en",
                                  "--out", str(tmp_path / "en")])
    assert r.exit_code == 0, r.output
    en = pd.read_csv(tmp_path / "en" / "water_sections.csv", encoding="utf-8-sig")
    assert {"water class", "status", "ammonia nitrogen (mg/L)"} <= set(en.columns)
    assert set(en["status"]) == {"met", "not met"}


def test_cli_bad_value_names_row_and_column(tmp_path):
    csv, sec = write_user_files(tmp_path)
    text = csv.read_text(encoding="utf-8-sig").replace("1.71", "1.7l1")
    csv.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(main, ["water", "classify", str(csv), "--sections", str(sec),
                                  "--out", str(tmp_path / "o")])
    assert r.exit_code != 0
    assert "row/feature 5" in r.output and "氨氮(mg/L)" in r.output and "1.7l1" in r.output


def test_cli_embedded_default_data(tmp_path):
    if not (default_path("sections").exists() and (default_path("sections").parent / "water_results.csv").exists()):
        pytest.fail("embedded sections layer or layers/water_results.csv missing")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["water", "classify", "--out", str(out)])
    assert r.exit_code == 0, r.output
    layer = gpd.read_file(out / "water_layers.gpkg", layer="sections")
    assert {"达标", "未达标"} <= set(layer["status"])
    allyears = pd.read_csv(out / "water_sections.csv", encoding="utf-8-sig")
    assert {"I", "II", "III", "IV", "V", "劣V"} <= set(pd.read_csv(out / "water_samples.csv",
                                                                     encoding="utf-8-sig")["水质类别"])
    fails = allyears[allyears["达标情况"] == "未达标"]
    assert {"省控", "交接"} <= set(fails["断面类型"])
    trend = pd.read_csv(out / "water_trend.csv", encoding="utf-8-sig")
    assert set(trend["所在河流"]) == {"长山河", "上塘河", "盐官下河"}


def test_english_codes_year_month_columns_and_xlsx(tmp_path):
    df = results([["S1", "2024", "3月", "6.2", "0.2", "0.05L"], ["S1", "2024", "4", "5.2", "0.6", "0.12"]],
                 ["section_id", "年份", "月份", "do", "NH3-N", "tp"])
    s = quiet_prepare(df)
    assert list(s["date"].dt.month) == [3, 4] and s["tp"].iloc[0] == pytest.approx(0.025)
    xlsx = tmp_path / "r.xlsx"
    pd.DataFrame({"断面编号": ["S1", "S2"], "采样日期": [pd.Timestamp("2024-05-06"), 45420],
                  "氨氮": [0.31, "0.025L"], "总磷": [0.12, 0.3]}).to_excel(xlsx, index=False)
    s = water.read_results(xlsx)
    assert list(s["date"].dt.strftime("%Y-%m-%d")) == ["2024-05-06", "2024-05-08"]
    assert s["nh3n"].tolist() == pytest.approx([0.31, 0.0125])
    res = quiet_assess(s, SEC)
    assert res.layers["sections"].set_index("section_id").loc["S2", "water_class"] == "IV"
    with pytest.raises(HnGeoError, match="no results for year 2019"):
        quiet_assess(s, SEC, year=2019)


def test_cli_detection_limit_file_for_nd_cells(tmp_path):
    csv, sec = write_user_files(tmp_path)
    text = csv.read_text(encoding="utf-8-sig").replace("0.0003L", "ND")
    csv.write_text(text, encoding="utf-8")
    dl = tmp_path / "检出限.csv"
    dl.write_text("项目,检出限\n挥发酚,0.0003\n", encoding="utf-8")
    out = tmp_path / "o"
    r = CliRunner().invoke(main, ["water", "classify", str(csv), "--sections", str(sec),
                                  "--detection-limits", str(dl), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "no known detection limit" not in r.output
    t = pd.read_csv(out / "water_sections.csv", encoding="utf-8-sig").set_index("断面编号")
    assert t.loc["330481A", "挥发酚(mg/L)"] == pytest.approx(0.00015)
    r = CliRunner().invoke(main, ["water", "classify", str(csv), "--sections", str(sec), "--out", str(out)])
    assert r.exit_code == 0 and "2 below-detection value(s) have no known detection limit" in r.output


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
    cls, sc = water.classify_samples(frame, np.array([lake, lake]), np.array([target, target]))
    assert cls.loc[1, PROP_ITEMS[which]] >= cls.loc[0, PROP_ITEMS[which]]
    assert sc[1] >= sc[0]


def test_rows_without_class_items_are_no_data_not_failures():
    # S2 (交接) has only water temperature and TN: nothing of the 21 items -> no class
    df = results([["S1", "2024-01-01", "9", "0.3", "2.0"], ["S2", "2024-01-01", "9", "", "2.5"]],
                 ["断面编号", "采样日期", "水温", "氨氮", "总氮"])
    res = quiet_assess(quiet_prepare(df), SEC)
    a = res.tables["water_sections"].set_index("section_id")
    assert a.loc["S2", "status"] == "无数据" and pd.isna(a.loc["S2", "target_met"])
    comp = res.tables["water_compliance"]
    assert comp[comp["indicator"] == "交接断面水质达标率"].empty
    assert res.layers["sections"].set_index("section_id").loc["S2", "status"] == "无数据"
    assert res.summary["未达标断面数"] == 0
