"""The report workbook: sheets, headers, formats, frozen rows, colours from codes, CSV copies."""
from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from hn_geo import vocabulary
from hn_geo.core.results import AnalysisResult, Msg
from hn_geo.render import palette
from hn_geo.render.workbook import summary_table, write_report
from hn_geo.workflows import report


def _wc(code, lang="zh"):
    """The water block's word for a water class code."""
    from hn_geo import vocabulary

    return vocabulary.word("water_class", code, lang, "water")


def _sections_title(lang="zh"):
    from hn_geo import vocabulary

    return vocabulary.title("layers", "sections", lang, "water")



def _fill(cell):
    return cell.fill.fgColor.rgb[-6:]


def test_workbook_sheets_headers_formats_and_colours(tmp_path, water_result, zoning_result):
    out = tmp_path / "r" / "report.xlsx"
    written = write_report([water_result, zoning_result], out, csv_dir=tmp_path / "r" / "csv",
                           skipped={"solar": ("skipped", Msg("water.t_demo"))})
    assert written[0] == out and out.exists()
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "断面年度评价", "达标情况", "项目审查"]  # names from the vocabulary
    ws = wb["断面年度评价"]
    assert [c.value for c in ws[1]] == [vocabulary.label(c, "zh", "water", table="t_sections")
                                        for c in water_result.tables["t_sections"].columns]
    assert [ws.cell(row=r, column=2).value for r in range(2, 6)] == [_wc(c) for c in ("II", "IV", "III", "inferior_V")]
    assert ws["H3"].value == "2 项超标" and ws["H2"].value is None  # Msg cells rendered
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H5"
    assert ws["D2"].number_format == "#,##0.00" and ws["D2"].value == pytest.approx(0.05)
    assert ws["D4"].value is None  # NaN -> empty cell
    assert ws["E2"].number_format == "#,##0" and ws["E2"].value == 12
    assert ws["F2"].number_format == "yyyy-mm-dd"
    assert ws["G2"].number_format == "0" and ws["G2"].value == 2024  # a year, not "2,024"
    # status cells coloured from their codes (the vocabulary's table); conditional formats for edits
    assert ws["C2"].value == "达标" and _fill(ws["C2"]) == palette.status_fill("met")[0]
    assert ws["C3"].value == "未达标" and _fill(ws["C3"]) == palette.status_fill("not_met")[0]
    assert ws["C3"].font.color.rgb[-6:] == palette.status_fill("not_met")[1]
    assert ws["A2"].fill.fgColor.rgb in ("00000000", None)
    cfs = list(ws.conditional_formatting)
    assert [str(r.sqref) for r in cfs] == ["C2:C5"]
    formulas = {rule.formula[0]: rule.dxf.fill.fgColor.rgb[-6:] for rule in cfs[0].rules}
    assert formulas == {'"达标"': palette.status_fill("met")[0], '"未达标"': palette.status_fill("not_met")[0]}
    assert ws.column_dimensions["D"].width >= len("总磷 (mg/L)")
    proj = wb["项目审查"]
    assert [_fill(proj.cell(row=r, column=4)) for r in range(2, 6)] == \
        [palette.status_fill(c)[0] for c in ("pass", "fail", "warn", "review")]


def test_summary_sheet_typed_figures_links_and_notes(tmp_path, water_result, zoning_result):
    out = tmp_path / "report.xlsx"
    write_report([water_result, zoning_result], out, skipped={"solar": ("skipped", "module absent")})
    ws = openpyxl.load_workbook(out)["汇总"]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    assert [c.value for c in ws[4]] == ["分析", "指标", "数值", "单位", "目标值", "状态"]
    assert ws.freeze_panes == "A5"
    water = vocabulary.title("title", "water", "zh")
    by_label = {r[1]: r for r in rows[4:] if r[0] == water}
    # the label carries the period; the value is a number, the unit in its own column
    row = by_label["未达标断面数（2024年）"]
    assert row[2:] == (2, "个断面", None, "未达标")
    r = [i for i, x in enumerate(rows, start=1) if x[1] == "未达标断面数（2024年）"][0]
    assert isinstance(ws.cell(row=r, column=3).value, int)
    assert _fill(ws.cell(row=r, column=6)) == palette.status_fill("not_met")[0]
    assert by_label["省控断面达标率（2024年）"][2:5] == (66.7, "%", 100)
    assert by_label["最差断面（2024年）"][2] == "断面乙、断面丁"
    # no counts of status words over all the rows of a table
    assert not any(" · " in str(x[1]) for x in rows if x[1])
    assert any(r[0] == "屋顶光伏潜力" and r[1] == "未运行" and r[2] == "module absent" for r in rows)
    links = {c.value: c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink}
    assert links == {"断面年度评价": "'断面年度评价'!A1", "达标情况": "'达标情况'!A1", "项目审查": "'项目审查'!A1"}
    assert any(r[1] == "演示数据为合成数据" for r in rows)


def test_csv_copies_have_bom_and_same_content(tmp_path, water_result):
    out = tmp_path / "report.xlsx"
    written = write_report([water_result], out, csv_dir=tmp_path / "csv")
    names = sorted(p.name for p in written[1:])
    assert names == ["summary.csv", "water_t_compliance.csv", "water_t_sections.csv"]
    raw = (tmp_path / "csv" / "water_t_sections.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(tmp_path / "csv" / "water_t_sections.csv", encoding="utf-8-sig")
    sheet = pd.read_excel(out, sheet_name="断面年度评价")
    assert list(df.columns) == list(sheet.columns)
    assert df["达标情况"].tolist() == sheet["达标情况"].tolist() == ["达标", "未达标", "达标", "未达标"]
    summ = pd.read_csv(tmp_path / "csv" / "summary.csv", encoding="utf-8-sig", dtype=str)
    assert "66.7" in summ["数值"].tolist()


def test_english_run_is_english(tmp_path, water_result, zoning_result):
    out = tmp_path / "report.xlsx"
    write_report([water_result, zoning_result], out, lang="en",
                 skipped={"solar": ("failed", Msg("water.t_demo"))})
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Sections by year", "Compliance", "Project checks"]
    assert [c.value for c in wb["Sections by year"][1]][:3] == ["section id", "water class", "status"]
    names = {"甲", "乙", "丙", "丁", "断面乙, 断面丁", vocabulary.title("title", "zoning", "en")}
    for ws in wb.worksheets:  # no Chinese but names (of the data; the zoning title quotes 三线一单)
        for row in ws.iter_rows(values_only=True):
            for v in row:
                if isinstance(v, str) and v not in names:
                    assert not vocabulary.has_cjk(v), (ws.title, v)
    summ = summary_table([water_result], lang="en")
    assert summ.columns.tolist() == ["Analysis", "Figure", "Value", "Unit", "Target", "Status"]
    assert "sections not meeting target (2024)" in summ["Figure"].tolist()


def test_sheet_names_are_unique_and_short(tmp_path, water_result):
    long = AnalysisResult("water", tables={"t_sections": water_result.tables["t_sections"],
                                           "t_compliance": water_result.tables["t_sections"]},
                          codes=water_result.codes)
    data = vocabulary.load()
    data["water"]["tables"]["t_compliance"] = {"zh": "断面年度评价", "en": "x" * 40}
    out = tmp_path / "r.xlsx"
    write_report([long], out, lang="zh")
    assert openpyxl.load_workbook(out).sheetnames == ["汇总", "断面年度评价", "断面年度评价~2"]
    write_report([long], out, lang="en")
    names = openpyxl.load_workbook(out).sheetnames
    assert names[2] == "x" * 31 and all(len(n) <= 31 for n in names)


def test_number_formats_follow_the_values(tmp_path):
    df = pd.DataFrame({"small": [0.0, 0.0, 0.012, 0.5], "big": [12345.6, 23456.7, 0.0, 34567.8],
                       "mixed": [0.005, 1.2, 119.0, 250000.0], "year": [2021.0, 2022.0, np.nan, 2024.0]})
    data = vocabulary.load()
    data["water"]["tables"]["t_fmt"] = {"zh": "格式", "en": "formats"}
    res = AnalysisResult("water", tables={"t_fmt": df})
    out = tmp_path / "r.xlsx"
    write_report([res], out)
    ws = openpyxl.load_workbook(out)["格式"]
    fmts = {ws.cell(row=1, column=j).value: [ws.cell(row=r, column=j).number_format for r in range(2, 6)]
            for j in range(1, 5)}
    assert fmts["small"][0] == "0.000"            # zeros do not decide: the non-zero values do
    assert fmts["big"][0] == "#,##0"
    assert fmts["mixed"] == ["0.000", "#,##0.00", "#,##0.0", "#,##0"]  # per value
    assert fmts["年份"][0] == "0"


def test_workflow_writes_report_and_csv(tmp_path, water_result):
    outcome = report.run([water_result], tmp_path / "report", lang="en")
    assert outcome.result is None
    assert outcome.files[0] == tmp_path / "report" / "hn_geo_report.xlsx"
    assert {p.name for p in outcome.files[1:]} == {"summary.csv", "water_t_sections.csv",
                                                   "water_t_compliance.csv"}
    assert all(p.parent.name == "csv" for p in outcome.files[1:])
