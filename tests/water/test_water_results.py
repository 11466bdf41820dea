"""Results tables on the input side: cell notations, headers, dates, detection limits, errors."""
import numpy as np
import pandas as pd
import pytest

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground import water_results as wr

COLS = ["断面名称", "采样日期", "溶解氧(mg/L)", "氨氮(mg/L)", "总磷(mg/L)", "汞(mg/L)", "备注"]


def test_detection_limit_notations():
    p = wr.parse_values(pd.Series(["0.52", "0.025L", "<0.025", "＜0.01", "ND", "未检出", "", "-",
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
    unknown = wr.parse_values(pd.Series(["ND"]))
    assert unknown["nd"].iloc[0] and np.isnan(unknown["value"].iloc[0])
    assert wr.parse_values(pd.Series(["abc", "1,2", "-0.5"]))[["bad", "negative"]].to_numpy().tolist() == \
        [[True, False], [True, False], [False, True]]


def test_prepare_results_chinese_headers_and_unknown_columns(results, coded_warnings):
    df = results([["甲", "2024-01-05", "6.1", "0.3", "0.05", "0.00004L", "x"]], COLS)
    with pytest.warns(HnGeoWarning) as record:
        s = wr.prepare_results(df, path="r.csv")
    (w,) = coded_warnings(record, "water.ignored_columns")
    assert w.params == {"n": 1, "columns": ["备注"]} and w.path == "r.csv"
    assert "备注" in w.render("zh") and "ignored 1 column(s)" in w.render("en")
    assert {"do", "nh3n", "tp", "hg", "nd_hg"} <= set(s.columns)
    assert s["hg"].iloc[0] == pytest.approx(0.00002) and bool(s["nd_hg"].iloc[0])
    assert s["row"].iloc[0] == 2 and s.attrs["path"] == "r.csv"


@pytest.mark.parametrize("col,value,code,match", [
    ("氨氮(mg/L)", "0.3mg", "water.value_not_number", "neither a number"),
    ("氨氮(mg/L)", "-0.2", "water.value_negative", "negative"),
    ("溶解氧(mg/L)", "ND", "water.value_nd_not_allowed", "below-detection"),
    ("采样日期", "2024-13-45", "water.bad_dates", "date"),
])
def test_bad_values_name_file_row_and_column(results, quiet, col, value, code, match):
    rows = [["甲", "2024-01-05", "6.1", "0.3", "0.05", "0.0001", ""] for _ in range(3)]
    df = results(rows, COLS)
    df.loc[1, col] = value
    with pytest.raises(HnGeoError) as err:
        quiet(wr.prepare_results, df, path="r.csv")
    e = err.value
    assert e.code == code and e.row == 3 and e.field == col and e.path == "r.csv"
    assert e.params["n"] == 1 and e.params["first"] == value and e.params["rows"] == [3]
    assert match in e.render("en") and value in e.render("zh")


def test_ph_outside_0_14_is_an_error(results):
    df = results([["甲", "2024-01-05", "15"]], ["断面名称", "采样日期", "pH"])
    with pytest.raises(HnGeoError) as err:
        wr.prepare_results(df, path="r.csv")
    assert err.value.code == "water.value_implausible" and "plausible range 0-14" in err.value.render("en")
    assert err.value.params["item"].code == "ph" and err.value.row == 2


def test_missing_section_or_date_column_and_no_items(results):
    with pytest.raises(HnGeoError) as err:
        wr.prepare_results(results([["2024-01-05", "0.3"]], ["采样日期", "氨氮"]))
    assert err.value.code == "water.no_section_column"
    with pytest.raises(HnGeoError) as err:
        wr.prepare_results(results([["甲", "0.3"]], ["断面名称", "氨氮"]))
    assert err.value.code == "water.no_date_column"
    with pytest.raises(HnGeoError) as err:
        wr.prepare_results(results([["甲", "2024-01-05"]], ["断面名称", "采样日期"]))
    assert err.value.code == "water.no_items"
    with pytest.raises(HnGeoError) as err:
        wr.prepare_results(results([["甲", "2024-01-05", "0.3", "0.4"]], ["断面名称", "采样日期", "氨氮", "NH3-N"]))
    assert err.value.code == "water.duplicate_item" and "氨氮" in err.value.render("zh")
    assert "ammonia nitrogen" in err.value.render("en")


def test_unknown_detection_limit_warns_and_detection_limit_file(tmp_path, results, coded_warnings):
    df = results([["甲", "2024-01-05", "ND"], ["甲", "2024-02-05", "0.4"]], ["断面名称", "采样日期", "氨氮"])
    with pytest.warns(HnGeoWarning) as record:
        s = wr.prepare_results(df)
    (w,) = coded_warnings(record, "water.nd_no_limit")
    assert w.params == {"n": 1} and "1 below-detection value" in w.render("en")
    assert np.isnan(s["nh3n"].iloc[0])
    dl = tmp_path / "dl.csv"
    dl.write_text("项目,检出限\n氨氮,0.025\n", encoding="utf-8")
    s = wr.prepare_results(df, detection_limits=wr.read_detection_limits(dl))
    assert s["nh3n"].iloc[0] == pytest.approx(0.0125)
    bad = tmp_path / "bad.csv"
    bad.write_text("项目,检出限\n氨氮,-1\n", encoding="utf-8")
    with pytest.raises(HnGeoError) as err:
        wr.read_detection_limits(bad)
    assert err.value.code == "water.dl_not_positive" and err.value.row == 2


def test_english_codes_year_month_columns_and_xlsx(tmp_path, results, quiet):
    df = results([["S1", "2024", "3月", "6.2", "0.2", "0.05L"], ["S1", "2024", "4", "5.2", "0.6", "0.12"]],
                 ["section_id", "年份", "月份", "do", "NH3-N", "tp"])
    s = quiet(wr.prepare_results, df)
    assert list(s["date"].dt.month) == [3, 4] and s["tp"].iloc[0] == pytest.approx(0.025)
    xlsx = tmp_path / "r.xlsx"
    pd.DataFrame({"断面编号": ["S1", "S2"], "采样日期": [pd.Timestamp("2024-05-06"), 45420],
                  "氨氮": [0.31, "0.025L"], "总磷": [0.12, 0.3]}).to_excel(xlsx, index=False)
    s = wr.read_results(xlsx)
    assert list(s["date"].dt.strftime("%Y-%m-%d")) == ["2024-05-06", "2024-05-08"]
    assert s["nh3n"].tolist() == pytest.approx([0.31, 0.0125])


def test_chinese_dates():
    dates, used = wr.parse_dates(pd.DataFrame({"采样日期": ["2024年3月5日", "2024.3.6", "2024年4月"]}))
    assert list(dates.dt.strftime("%Y-%m-%d")) == ["2024-03-05", "2024-03-06", "2024-04-15"]
    assert used == ["采样日期"]
