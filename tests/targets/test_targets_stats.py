"""Statistics readers (hn_geo.ground.stats): headers, units, town and pollutant names, errors."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from targets_data import HAND

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground import stats as st

pytest_plugins = ["targets_fixtures"]  # the targets tests' fixtures


def _read_energy(path):
    return st.read_town_energy(pd.read_csv(path, dtype=str), str(path))


def _both_languages(exc):
    """An error renders in both languages (its template takes the params it was given)."""
    zh, en = exc.render("zh"), exc.render("en")
    assert zh and en and zh != en
    return en


def test_energy_names_matched_on_input(energy_csv):
    with pytest.warns(HnGeoWarning, match="许村→许村镇"):
        e = _read_energy(energy_csv("e.csv", HAND))
    assert set(e["code"]) == {"330481101"} and set(e["town"]) == {"许村镇"}
    assert e["year"].dtype.kind == "i" and e["energy_tce"].dtype == float
    assert e.attrs["absent"] == []
    tm = e.attrs["town_mapping"]
    assert dict(zip(tm["input"], tm["method"])) == {"许村镇": "exact", "许村": "variant"}


def test_energy_units_and_bad_values(energy_csv):
    header = ["镇（街道）", "年份", "地区生产总值（亿元）", "能源消费总量（万吨标准煤）",
              "新增可再生能源电力消费量（万千瓦时）"]
    rows = [("硖石街道", 2020, 10.0, 4.0, 0), ("硖石街道", 2021, 11.0, 4.2, 100)]
    with pytest.warns(HnGeoWarning) as rec:
        e = _read_energy(energy_csv("e.csv", rows, header))
    msgs = " ".join(str(w.message) for w in rec)
    assert "converted 2 value(s) of '能源消费总量（万吨标准煤）'" in msgs and "亿元" in msgs
    assert {w.message.code for w in rec if isinstance(w.message, HnGeoWarning)} >= {"targets.converted_header_unit"}
    assert e["energy_tce"].tolist() == [40000.0, 42000.0]
    assert e["gdp_wan"].tolist() == [100000.0, 110000.0]
    assert e["renewable_new"].tolist() == pytest.approx([0.0, 100 * st.RENEWABLE_TCE_PER_10MWH])
    assert sorted(e.attrs["absent"]) == ["national_listed_tce", "raw_material_tce"]
    # another tce per 万kWh
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        e2 = st.read_town_energy(pd.read_csv(energy_csv("e.csv", rows, header), dtype=str), "e.csv",
                                 kwh_factor=1.229)
    assert e2["renewable_new"].tolist() == pytest.approx([0.0, 122.9])
    # negative energy: error names file, row and field
    rows[1] = ("硖石街道", 2021, 11.0, -4.2, 100)
    p = energy_csv("neg.csv", rows, header)
    with pytest.raises(HnGeoError) as ei, warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        _read_energy(p)
    assert ei.value.code == "targets.negative_energy"
    assert "neg.csv" in str(ei.value) and ei.value.row == 3 and "万吨标准煤" in ei.value.field
    assert "negative" in _both_languages(ei.value)
    # a city-total row is dropped with a counted warning, not mistaken for a town
    p = energy_csv("t.csv", [("许村镇", 2020, 1, 1, 0, 0, 0), ("合计", 2020, 1, 1, 0, 0, 0)])
    with pytest.warns(HnGeoWarning, match=r"ignored 1 total row\(s\) \(合计; rows 3\)"):
        e = _read_energy(p)
    assert e["town"].tolist() == ["许村镇"] and e.attrs["absent"] == []
    # unknown town
    p = energy_csv("u.csv", [("尖山新区", 2020, 1, 1, 0, 0, 0)])
    with pytest.raises(HnGeoError, match="尖山新区.*official names"):
        _read_energy(p)
    # unknown unit
    p = energy_csv("x.csv", rows, header[:3] + ["能源消费总量（桶）", header[4]])
    with pytest.raises(HnGeoError, match="unknown unit") as ei, warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        _read_energy(p)
    assert ei.value.code == "targets.unknown_unit"
    _both_languages(ei.value)


@pytest.mark.parametrize(("cells", "code"), [
    ({"gdp_wan": "abc"}, "targets.not_numbers"),
    ({"gdp_wan": "0"}, "targets.gdp_not_positive"),
    ({"year": "2020.5"}, "targets.not_whole"),
    ({"energy_tce": ""}, "targets.empty_value"),
    ({"raw_material_tce": "60000"}, "targets.deductions_exceed"),
])
def test_energy_errors_are_coded(energy_csv, cells, code):
    df = pd.read_csv(energy_csv("e.csv", HAND), dtype=str)
    for col, v in cells.items():
        df.loc[2, col] = v if v else np.nan
    with pytest.raises(HnGeoError) as ei, warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        st.read_town_energy(df, "e.csv")
    assert ei.value.code == code and ei.value.row == 4
    _both_languages(ei.value)


def test_missing_columns_and_duplicates(energy_csv):
    df = pd.read_csv(energy_csv("e.csv", HAND), dtype=str)
    with pytest.raises(HnGeoError) as ei:
        st.read_town_energy(df.drop(columns="gdp_wan"), "e.csv")
    assert ei.value.code == "targets.missing_columns" and "gdp_wan" in str(ei.value)
    with pytest.raises(HnGeoError) as ei, warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        st.read_town_energy(pd.concat([df, df.iloc[[0]]], ignore_index=True), "e.csv")
    assert ei.value.code == "targets.duplicate_town_year" and "许村镇" in _both_languages(ei.value)


def test_projects_pollutants_mapped_to_codes(projects):
    p = st.read_reduction_projects(projects, "proj.csv")
    assert p["pollutant"].tolist() == ["nox", "nox", "nox", "vocs", "nox", "nh3n", "vocs"]
    assert p["reduction_t"].dtype == float and p["source_key"].tolist()[:2] == ["E1", "E1"]


def test_bad_pollutant_named(projects):
    projects.loc[2, "pollutant"] = "SO2"
    with pytest.raises(HnGeoError) as ei:
        st.read_reduction_projects(projects, "proj.csv")
    assert ei.value.code == "targets.unknown_pollutant"
    assert "SO2" in str(ei.value) and ei.value.row == 4
    assert "NOx" in ei.value.render("en") and "氮氧化物" in ei.value.render("zh")


def test_projects_units_and_short_names():
    df = pd.DataFrame({"项目编号": ["A", "B", "C"], "企业名称": ["甲厂", "乙厂", "丙厂"],
                       "镇（街道）": ["海洲", "海洲", "丁桥"], "污染物": ["COD", "COD", "COD"],
                       "减排量": ["0.05", "400", "200"], "单位": ["万吨", "吨", "吨"],
                       "年份": ["2022", "2024", "2025"], "减排措施": ["提标", "零直排", "提标"]})
    with pytest.warns(HnGeoWarning) as rec:
        p = st.read_reduction_projects(df, "r.csv")
    msgs = " | ".join(str(w.message) for w in rec)
    assert re.search(r"converted 1 value\(s\) .* 万吨", msgs) and "海洲→海洲街道" in msgs
    assert p["reduction_t"].tolist() == [500.0, 400.0, 200.0]
    with pytest.raises(HnGeoError) as ei, warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        st.read_reduction_projects(df.drop(columns="企业名称"), "r.csv")
    assert ei.value.code == "targets.no_source_column"


def test_allocations(targets):
    a = st.read_allocations(pd.DataFrame({"town": ["海洲街道", "丁桥镇"], "pollutant": ["COD", "化学需氧量"],
                                          "target_t": ["800", "300"]}), "a.csv")
    assert a["pollutant"].tolist() == ["cod", "cod"] and a["code"].tolist() == ["330481002", "330481106"]
    with pytest.raises(HnGeoError) as ei, pytest.warns(HnGeoWarning, match="海洲→海洲街道"):
        st.read_allocations(pd.DataFrame({"town": ["海洲街道", "海洲"], "pollutant": ["COD", "COD"],
                                          "target_t": ["800", "300"]}), "a.csv")
    assert ei.value.code == "targets.duplicate_allocation"


def _ind(rows, targets):
    return st.read_indicators(pd.DataFrame(rows, columns=["indicator", "year", "value"]).astype(str),
                              "ind.csv", targets=targets)


def test_indicator_names_units_converted_and_unknown_rejected(targets):
    a = _ind([("a2_bus_nev_rate", 2023, 75.0), ("对苯二甲酸（PTA）装置单位综合能耗", 2022, 52.9),
              ("Grid-connected PV capacity", 2023, 150.0)], targets)
    assert a["target_id"].tolist() == ["a2_bus_nev_rate", "a2_pta_energy", "pv_capacity"]
    df = pd.DataFrame({"指标": ["pv_capacity", "coal_total"], "年份": ["2024", "2024"],
                       "实际值": ["1500", "1200000"], "单位": ["MW", "吨"]})
    with pytest.warns(HnGeoWarning, match=r"converted 2 indicator value\(s\)"):
        a = st.read_indicators(df, "i.csv", targets=targets)
    assert a["value"].tolist() == pytest.approx([150.0, 120.0])
    df["单位"] = ["MW", "桶"]
    with pytest.raises(HnGeoError, match="cannot be converted") as ei:
        st.read_indicators(df, "i.csv", targets=targets)
    assert ei.value.code == "targets.unit_not_convertible"
    _both_languages(ei.value)
    with pytest.raises(HnGeoError, match="unknown indicator") as ei:
        st.read_indicators(pd.DataFrame({"indicator": ["GDP"], "year": ["2024"], "value": ["1"]}), "i.csv",
                           targets=targets)
    assert ei.value.code == "targets.unknown_indicator"


def test_read_stats_folder_and_workbook(tmp_path, projects, targets):
    from hn_geo.ground.stats_columns import ENERGY_COLUMNS  # noqa: F401  (the spec the CLI prints)

    d = tmp_path / "stats"
    d.mkdir()
    pd.DataFrame(HAND, columns=["town", "year", "gdp_wan", "energy_tce", "renewable_new",
                                "national_listed_tce", "raw_material_tce"]).to_csv(
        d / "town_energy.csv", index=False, encoding="gbk")
    with pytest.warns(HnGeoWarning, match="许村→许村镇"):
        s = st.read_stats(d, targets=targets)
    assert s["reduction_projects"] is None and s["indicators"] is None and not s["synthetic"]
    assert s["sources"] == {"town_energy": "town_energy.csv"}
    tn = s["town_names"]
    assert set(tn["file"]) == {"town_energy.csv"} and set(tn["method"]) == {"exact", "variant"}
    wb = tmp_path / "stats.xlsx"
    with pd.ExcelWriter(wb) as xw:
        pd.DataFrame(HAND, columns=["镇（街道）", "年份", "地区生产总值（万元）", "能源消费总量（吨标准煤）",
                                    "新增可再生能源电力消费量（吨标准煤）", "国家能耗单列项目能耗（吨标准煤）",
                                    "原料用能（吨标准煤）"]).to_excel(xw, sheet_name="镇街道能耗", index=False)
        projects.to_excel(xw, sheet_name="reduction_projects", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        s = st.read_stats(wb, targets=targets)
    assert len(s["town_energy"]) == 6 and len(s["reduction_projects"]) == 7
    assert set(s["town_names"]["file"]) == {"stats.xlsx[镇街道能耗]", "stats.xlsx[reduction_projects]"}
    with pytest.raises(HnGeoError) as ei:
        st.read_stats(tmp_path / "nothing_here")
    assert ei.value.code == "targets.stats_not_found"
    (tmp_path / "empty").mkdir()
    with pytest.raises(HnGeoError) as ei:
        st.read_stats(tmp_path / "empty")
    assert ei.value.code == "targets.no_stats" and "town_energy" in str(ei.value)


def test_demo_stats_are_labelled_synthetic():
    d = st.demo_stats_dir()
    for name in ("town_energy", "reduction_projects", "indicators", "reduction_allocations"):
        df = pd.read_csv(d / f"{name}.csv", encoding="utf-8-sig")
        assert df["备注"].str.contains("synthetic").all(), name
    assert np.isin(["许村镇"], pd.read_csv(d / "town_energy.csv", encoding="utf-8-sig")["镇（街道）"]).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        s = st.read_stats()
    assert s["synthetic"] and all(s[k] is not None for k in st.STAT_FILES)
    assert not any("/" in f for f in s["town_names"]["file"])
