"""Monitoring tables as published: duplicates, absurd values, '---', loose headers, 发布日期, 水体类型."""
from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from hn_geo.cli import main
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground import water_columns
from hn_geo.ground.catalog import layers_dir
from hn_geo.ground.water_results import prepare_results
from hn_geo.reference import gb3838


def test_exact_duplicate_rows_are_counted_once(results, coded_warnings):
    rows = [["甲", "2024-01-05", "0.3"], ["甲", "2024-02-05", "0.5"], ["甲", "2024-01-05", "0.3"],
            ["甲", "2024-01-05", "0.3"], ["甲", "2024-01-05", "0.31"]]
    with pytest.warns(HnGeoWarning) as record:
        out = prepare_results(results(rows, ["断面名称", "采样日期", "氨氮"]), path="r.csv")
    assert len(out) == 3 and list(out["row"]) == [2, 3, 6]  # before: 5 samples, two counted twice
    (w,) = coded_warnings(record, "water.duplicate_samples")
    assert w.params["n"] == 2 and w.params["rows"] == [4, 5] and "counted once" in w.render("en")


@pytest.mark.parametrize("item, header, value", [("nh3n", "氨氮(mg/L)", "1e9"), ("do", "溶解氧", "1e9"),
                                                 ("tp", "总磷", "150"), ("ph", "pH", "15"),
                                                 ("wt", "水温", "80")])
def test_absurd_values_name_file_row_and_column(results, item, header, value):
    rows = [["甲", "2024-01-05", "1"], ["甲", "2024-02-05", value]]
    with pytest.raises(HnGeoError) as err:
        prepare_results(results(rows, ["断面名称", "采样日期", header]), path="r.csv")
    e = err.value  # before: NH3-N 1e9 mg/L and DO 1e9 mg/L were classified
    assert e.code == "water.value_implausible" and e.row == 3 and e.field == header and e.path == "r.csv"
    hi = gb3838.standard().loc[item, "plausible_max"]
    assert e.params["high"] == hi and e.params["item"].code == item


def test_plausible_bounds_are_reference_data():
    std = gb3838.standard()
    assert std["plausible_max"].notna().all() and (std["plausible_max"] > std["limit_V"].fillna(0)).all()
    assert std.loc["nh3n", "plausible_max"] == 500 and std.loc["do", "plausible_max"] == 40


@pytest.mark.parametrize("cell", ["---", "—", "——", "/", "-- ", "…", "**"])
def test_dash_cells_are_missing(results, cell):
    rows = [["甲", "2024-01-05", "0.3"], ["甲", "2024-02-05", cell]]
    if cell == "…":
        with pytest.raises(HnGeoError):  # not a dash: a bad cell, named
            prepare_results(results(rows, ["断面名称", "采样日期", "氨氮"]))
        return
    out = prepare_results(results(rows, ["断面名称", "采样日期", "氨氮"]))
    assert pd.isna(out["nh3n"].iloc[1])  # before: '---' was "not a number"


@pytest.mark.parametrize("header, code", [("pH*", "ph"), ("总磷#", "tp"), ("高锰酸盐指", "codmn"),
                                          ("五日生化需量", "bod5"), ("化学需氧", "cod"),
                                          ("氨氮（mg/L）*", "nh3n")])
def test_loose_headers(header, code):
    assert water_columns.loose_item(header) == code


@pytest.mark.parametrize("header", ["备注", "电导率", "叶绿素a", "透明度(cm)", "断面名称", "溶解氧饱和度%", "铜锌"])
def test_other_headers_are_not_guessed(header):
    assert water_columns.loose_item(header) is None


def test_loose_headers_are_named_in_a_warning(results, coded_warnings):
    rows = [["甲", "2024-01-05", "7.5", "3.1", "2.2"]]
    with pytest.warns(HnGeoWarning) as record:
        out = prepare_results(results(rows, ["断面名称", "发布日期", "pH*", "高锰酸盐指", "五日生化需量"]),
                              path="r.csv")
    assert {"ph", "codmn", "bod5"} <= set(out.columns)  # before: ignored; 发布日期 "no date column"
    assert out["date"].iloc[0] == pd.Timestamp("2024-01-05")
    (w,) = coded_warnings(record, "water.headers_loose")
    text = w.render("en")
    assert w.params["n"] == 3 and "'pH*' -> pH" in text and "'五日生化需量' -> five-day biochemical" in text


def test_water_body_column(results):
    rows = [["甲", "2024-01-05", "湖库", "0.04"], ["乙", "2024-01-05", "河流", "0.04"],
            ["丙", "2024-01-05", "水库", "0.04"]]
    out = prepare_results(results(rows, ["断面名称", "采样日期", "水体类型", "总磷"]))
    assert list(out["water_body"]) == ["lake", "river", "lake"]
    rows[1][2] = "海洋"
    with pytest.raises(HnGeoError) as err:
        prepare_results(results(rows, ["断面名称", "采样日期", "水体类型", "总磷"]))
    assert err.value.code == "water.bad_water_body" and err.value.row == 3


@pytest.mark.slow  # a whole command or the embedded layers: over the fast budget
def test_lab_table_without_sections_classified_by_the_cli(tmp_path):
    df = pd.read_csv(layers_dir() / "water_results.csv", dtype=str, encoding="utf-8-sig",
                     keep_default_na=False)
    df = df[df["断面编号"].isin(["HN-W01", "HN-W02"])].groupby("断面编号").head(12).reset_index(drop=True)
    df["断面编号"] = "LAB-" + df["断面编号"]
    df["断面名称"] = "实验室" + df["断面名称"]
    df = df.rename(columns={"采样日期": "发布日期", "pH值": "pH*", "高锰酸盐指数(mg/L)": "高锰酸盐指"})
    df.insert(2, "水体类型", "河流")
    df.loc[3, "氨氮(mg/L)"] = "---"
    p = tmp_path / "lab.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    out = tmp_path / "o"
    r = CliRunner().invoke(main, ["water", "classify", str(p), "--classify-only", "--out", str(out),
                                  "--lang", "en"])
    assert r.exit_code == 0, r.output  # before: "no sampling-date column"; then "no result row belongs"
    assert "classified only" in r.output and "matched to GB 3838 items loosely" in r.output
    t = pd.read_csv(out / "water_sections.csv", encoding="utf-8-sig")
    assert set(t["section id"]) == {"LAB-HN-W01", "LAB-HN-W02"} and t["water class"].notna().all()
    assert len(pd.read_csv(out / "water_samples.csv", encoding="utf-8-sig")) == 24
    assert not (out / "water_layers.gpkg").exists() or "sections" not in __import__("pyogrio").list_layers(
        out / "water_layers.gpkg")[:, 0]
