"""The report workbook: sheets, headers, formats, frozen rows, status colours, CSV copies."""
from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from hn_geo.core.legacy import AnalysisResult
from hn_geo.render.workbook import status_kind, summary_table, write_report


def _results():
    water = AnalysisResult(
        "water",
        tables={"water_sections": pd.DataFrame({
            "section_id": ["S1", "S2", "S3", "S4"],
            "water_class": ["II", "IV", "III", "劣V"],
            "status": ["达标", "未达标", "达标", "未达标"],
            "tp": [0.05, 0.31, np.nan, 0.52],
            "n_samples": [12, 12, 11, 12],
            "date": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-03-05", "2024-04-05"]),
            "year": [2024, 2024, 2024, 2024],
        })},
        labels={"section_id": ("断面编号", "section id"), "water_class": ("水质类别", "class"),
                "status": ("达标情况", "status"), "tp": ("总磷 (mg/L)", "TP (mg/L)"),
                "n_samples": ("样本数", "samples"), "date": ("日期", "date"), "year": ("年份", "year"),
                "water_sections": ("断面年度评价", "sections by year"),
                "provincial_rate": ("省控断面达标率 (%)", "provincial sections at III or better (%)")},
        status_columns=("status",),
        summary={"provincial_rate": 75.0, ("省控断面考核", "provincial check"): ("未达标", "behind")},
        notes=["demo data are synthetic"])
    targets = AnalysisResult(
        "targets",
        tables={"indicators": pd.DataFrame({"indicator": ["单位GDP能耗", "煤炭消费量"],
                                            "progress": ["进度正常", "已完成"],
                                            "value": [1234.5, 118.9]})},
        labels={"indicator": ("指标", "indicator"), "progress": ("进展", "progress"), "value": ("数值", "value")},
        status_columns=("progress",), summary={"indicators_met": 1})
    return [water, targets]


def test_workbook_sheets_headers_formats_and_colours(tmp_path):
    out = tmp_path / "r" / "report.xlsx"
    written = write_report(_results(), out, csv_dir=tmp_path / "r" / "csv",
                           steps={"solar": ("skipped", "module absent")})
    assert written[0] == out and out.exists()
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "water_sections", "targets_indicators"]
    ws = wb["water_sections"]
    assert [c.value for c in ws[1]] == ["断面编号", "水质类别", "达标情况", "总磷 (mg/L)", "样本数", "日期", "年份"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G5"
    assert ws["D2"].number_format == "#,##0.00" and ws["D2"].value == pytest.approx(0.05)
    assert ws["D4"].value is None  # NaN -> empty cell
    assert ws["E2"].number_format == "#,##0"
    assert ws["F2"].number_format == "yyyy-mm-dd"
    assert ws["G2"].number_format == "0" and ws["G2"].value == 2024  # a year, not "2,024"
    # status fills: green for 达标, red for 未达标; and conditional formats for edits
    assert ws["C2"].fill.fgColor.rgb.endswith("C6EFCE")
    assert ws["C3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["A2"].fill.fgColor.rgb in ("00000000", None)
    ranges = [str(r.sqref) for r in ws.conditional_formatting]
    assert ranges == ["C2:C5"]
    assert ws.column_dimensions["D"].width >= len("总磷 (mg/L)")
    amber = wb["targets_indicators"]["B2"]
    assert amber.value == "进度正常" and amber.fill.fgColor.rgb.endswith("FFEB9C")


def test_summary_sheet_figures_links_and_notes(tmp_path):
    out = tmp_path / "report.xlsx"
    write_report(_results(), out, steps={"solar": ("skipped", "module absent")})
    ws = openpyxl.load_workbook(out)["汇总"]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    assert [c.value for c in ws[4]] == ["分析", "指标", "数值", "状态"]
    assert ws.freeze_panes == "A5"
    assert ("水环境质量", "省控断面达标率 (%)", 75, "") in [tuple(r[:4]) for r in rows] or \
        ("水环境质量", "省控断面达标率 (%)", 75, None) in [tuple(r[:4]) for r in rows]
    behind = [i for i, r in enumerate(rows, start=1) if r[1] == "省控断面考核"][0]
    assert rows[behind - 1][2] == "未达标"
    assert ws.cell(row=behind, column=3).fill.fgColor.rgb.endswith("FFC7CE")
    assert any(r[0] == "屋顶光伏潜力" and "module absent" in str(r[2]) for r in rows)
    links = {c.value: c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink}
    assert links == {"water_sections": "'water_sections'!A1", "targets_indicators": "'targets_indicators'!A1"}
    assert any(r[1] == "demo data are synthetic" for r in rows)


def test_csv_copies_have_bom_and_same_content(tmp_path):
    out = tmp_path / "report.xlsx"
    written = write_report(_results(), out, csv_dir=tmp_path / "csv")
    names = sorted(p.name for p in written[1:])
    assert names == ["summary.csv", "targets_indicators.csv", "water_sections.csv"]
    raw = (tmp_path / "csv" / "water_sections.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(tmp_path / "csv" / "water_sections.csv", encoding="utf-8-sig")
    sheet = pd.read_excel(out, sheet_name="water_sections")
    assert list(df.columns) == list(sheet.columns)
    assert df["达标情况"].tolist() == sheet["达标情况"].tolist() == ["达标", "未达标", "达标", "未达标"]


def test_english_headers(tmp_path):
    out = tmp_path / "report.xlsx"
    write_report(_results(), out, lang="en")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Summary"
    assert [c.value for c in wb["water_sections"][1]][:3] == ["section id", "class", "status"]
    summ = summary_table(_results(), lang="en")
    assert "behind" in summ["Value"].tolist()


@pytest.mark.parametrize("word,kind", [("达标", "good"), ("未达标", "bad"), ("进度正常", "mid"),
                                       ("behind", "bad"), ("met", "good"), ("II", None), (None, None)])
def test_status_kind(word, kind):
    assert status_kind(word) == kind


def test_summary_counts_status_words_and_colours_the_worst(tmp_path):
    out = tmp_path / "report.xlsx"
    write_report(_results(), out)
    ws = openpyxl.load_workbook(out)["汇总"]
    found = {}
    for r in range(5, ws.max_row + 1):
        fig = ws.cell(row=r, column=2).value
        if fig and " · " in str(fig):
            found[fig] = (ws.cell(row=r, column=3).value, ws.cell(row=r, column=4).value,
                          ws.cell(row=r, column=4).fill.fgColor.rgb)
    text, word, colour = found["断面年度评价 · 达标情况"]
    assert text == "未达标 2 · 达标 2" and word == "存在未达标" and colour.endswith("FFC7CE")
    text, word, colour = found["indicators · 进展"]
    assert text == "进度正常 1 · 已完成 1" and word == "进度警示" and colour.endswith("FFEB9C")


def test_number_formats_follow_the_values(tmp_path):
    df = pd.DataFrame({"small": [0.0, 0.0, 0.012, 0.5], "big": [12345.6, 23456.7, 0.0, 34567.8],
                       "mixed": [0.005, 1.2, 119.0, 250000.0], "year": [2021.0, 2022.0, np.nan, 2024.0]})
    res = AnalysisResult("targets", tables={"t": df}, labels={"year": ("年份", "year")})
    out = tmp_path / "r.xlsx"
    write_report([res], out)
    ws = openpyxl.load_workbook(out)["targets_t"]
    fmts = {ws.cell(row=1, column=j).value: [ws.cell(row=r, column=j).number_format for r in range(2, 6)]
            for j in range(1, 5)}
    assert fmts["small"][0] == "0.000"            # zeros do not decide: the non-zero values do
    assert fmts["big"][0] == "#,##0"
    assert fmts["mixed"] == ["0.000", "#,##0.00", "#,##0.0", "#,##0"]  # per value
    assert fmts["年份"][0] == "0"
