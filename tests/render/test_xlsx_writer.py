"""The XLSX sheet writer (XlsxWriter, row by row), read back with openpyxl as a user's tool would:
text stays text, typed values, fills and conditional formats, links, tabs, one format per style."""
from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from hn_geo import vocabulary
from hn_geo.core.results import AnalysisResult
from hn_geo.render import escape, palette, tables, workbook, xlsx

NAMES = ["=HYPERLINK(\"http://x\",\"y\")", "@SUM(A1)", "+1", "-2+3", "+1+cmd|' /C calc'!A0", "=1+2", "普通名称"]


def _cell_xfs(path):
    """The number of cell styles (``cellXfs``) in the file."""
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode()
    return int(re.search(r'<cellXfs count="(\d+)"', styles).group(1))


def test_formula_like_names_are_string_cells_with_the_quote_prefix(tmp_path):
    path = tables.write_xlsx({"t": pd.DataFrame({"name": NAMES, "n": range(len(NAMES))})}, tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")
    ws = openpyxl.load_workbook(path)["t"]
    for r, name in enumerate(NAMES, start=2):
        cell = ws.cell(row=r, column=1)
        assert cell.value == name and cell.data_type == "s", name  # "+1" is text, not the number 1
        assert bool(cell.quotePrefix) == escape.formula_like(name), name
        assert ws.cell(row=r, column=2).data_type == "n"
    assert ws["A2"].quotePrefix and ws["A3"].quotePrefix and ws["A6"].quotePrefix
    assert not ws["A8"].quotePrefix
    # with a status colour too: the prefix and the fill on the same cell
    sheet = xlsx.Sheet("s", pd.DataFrame({"x": ["@SUM(A1)", "ok"]}), status={0: ["fail", "pass"]})
    ws = openpyxl.load_workbook(xlsx.write_workbook([sheet], tmp_path / "s.xlsx"))["s"]
    assert ws["A2"].quotePrefix and ws["A2"].fill.fgColor.rgb[-6:] == palette.status_fill("fail")[0]
    assert not ws["A3"].quotePrefix and ws["A3"].fill.fgColor.rgb[-6:] == palette.status_fill("pass")[0]


def test_values_keep_their_types(tmp_path):
    frame = pd.DataFrame({
        "flag": [True, False, None],
        "when": pd.to_datetime(["2024-01-05", "2024-02-05", None]),
        "at": pd.to_datetime(["2024-01-05 08:30", "2024-02-05 00:00", "2024-03-01 00:00"]).tz_localize("Asia/Shanghai"),
        "mixed": [dt.date(2024, 5, 1), 3, "x"],
        "ratio": [np.inf, 1.5, np.nan],
        "big": [10 ** 12, 2, 3],
    })
    with pytest.warns(Warning, match="infinite|无穷|ratio"):
        path = tables.write_xlsx({"t": frame}, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path)["t"]
    assert [ws.cell(row=r, column=1).value for r in (2, 3, 4)] == [True, False, None]
    assert ws["A2"].data_type == "b"
    assert ws["B2"].value == dt.datetime(2024, 1, 5) and ws["B2"].number_format == "yyyy-mm-dd"
    assert ws["B4"].value is None
    assert ws["C2"].value == dt.datetime(2024, 1, 5, 8, 30)  # local time, zone dropped
    assert ws["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["D2"].is_date and ws["D2"].value.date() == dt.date(2024, 5, 1)
    assert ws["D3"].value == 3 and ws["D3"].number_format == "#,##0" and ws["D4"].value == "x"
    assert [ws.cell(row=r, column=5).value for r in (2, 3, 4)] == [None, 1.5, None]
    assert ws["F2"].value == 10 ** 12


def test_a_30k_row_sheet_round_trips_with_few_styles(tmp_path):
    n = 30_000
    rng = np.random.default_rng(1)
    codes = rng.choice(["pass", "fail", "warn", "review"], n)
    words = {c: vocabulary.word("status", c, "zh") for c in set(codes)}
    frame = pd.DataFrame({"id": [f"P{i}" for i in range(n)], "status": [words[c] for c in codes],
                          "year": 2000 + np.arange(n) % 25, "value": rng.uniform(0, 5000, n).round(1)})
    frame.loc[7, "id"] = "=cmd()"
    sheet = xlsx.Sheet("big", frame, status={1: list(codes)}, keys=["id", "status", "year", "value"], tab="C55A11")
    path = xlsx.write_workbook([sheet], tmp_path / "big.xlsx")
    assert _cell_xfs(path) < 20  # one format per style, not per cell
    back = pd.read_excel(path, sheet_name="big")
    assert len(back) == n and back["id"].tolist() == frame["id"].tolist()
    assert back["value"].tolist() == frame["value"].tolist() and back["year"].tolist() == frame["year"].tolist()
    ws = openpyxl.load_workbook(path, read_only=False)["big"]
    assert ws.sheet_properties.tabColor.rgb[-6:] == "C55A11"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:D{n + 1}"
    assert ws["A9"].quotePrefix and ws["A9"].data_type == "s"
    for r in (2, 1000, n + 1):
        assert ws.cell(row=r, column=2).fill.fgColor.rgb[-6:] == palette.status_fill(codes[r - 2])[0]
        assert ws.cell(row=r, column=3).number_format == "0"
    assert ws.cell(row=n + 1, column=1).fill.fgColor.rgb in ("00000000", None)  # only status cells coloured
    cfs = list(ws.conditional_formatting)
    assert [str(c.sqref) for c in cfs] == [f"B2:B{n + 1}"]
    rules = cfs[0].rules
    order = [c for c in palette.LEGEND_ORDER if c in words]
    assert [r.formula[0] for r in rules] == [f'"{words[c]}"' for c in order]
    assert all(r.type == "cellIs" and r.operator == "equal" and r.stopIfTrue for r in rules)
    assert [r.dxf.fill.fgColor.rgb[-6:] for r in rules] == [palette.status_fill(c)[0] for c in order]
    assert [r.dxf.font.color.rgb[-6:] for r in rules] == [palette.status_fill(c)[1] for c in order]
    assert [r.priority for r in rules] == sorted(r.priority for r in rules)


def test_header_is_bold_on_the_fill_wrapped_and_widths_fit(tmp_path):
    frame = pd.DataFrame({"名称": ["海宁市许村镇工业园区"], "v": [1.0]})
    ws = openpyxl.load_workbook(tables.write_xlsx({"t": frame}, tmp_path / "t.xlsx"))["t"]
    head = ws["A1"]
    assert head.font.bold and head.fill.fgColor.rgb[-6:] == palette.HEAD_FILL and head.alignment.wrap_text
    assert ws.column_dimensions["A"].width >= xlsx.display_width("海宁市许村镇工业园区") + 2
    assert 8 <= ws.column_dimensions["B"].width < 10


def test_contents_links_reach_sheets_whose_names_read_as_formulas(tmp_path):
    data = vocabulary.load()
    data["zoning"]["tables"]["t_a"] = {"zh": "=名单", "en": "=list"}
    data["zoning"]["tables"]["t_b"] = {"zh": "它's 表", "en": "it's"}
    data["zoning"]["tables"]["t_c"] = {"zh": "History", "en": "History"}
    frame = pd.DataFrame({"x": [1]})
    res = AnalysisResult("zoning", tables={"t_a": frame, "t_b": frame, "t_c": frame})
    out = workbook.write_report([res], tmp_path / "r.xlsx")[0]
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "=名单", "它's 表", "History~2"]  # Excel keeps "History" for itself
    ws = wb["汇总"]
    links = {c.value: (c.hyperlink.location, bool(c.quotePrefix), c.data_type)
             for row in ws.iter_rows() for c in row if c.hyperlink}
    assert links == {"=名单": ("'=名单'!A1", True, "s"), "它's 表": ("'它''s 表'!A1", False, "s"),
                     "History~2": ("'History~2'!A1", False, "s")}
    assert ws["A1"].font.bold and ws["A1"].font.size == 14
    assert ws.column_dimensions["B"].width >= 30
    assert ws.sheet_properties.tabColor is None and wb["=名单"].sheet_properties.tabColor.rgb[-6:] == \
        workbook.TAB_COLOURS["zoning"]


def test_rows_are_written_top_down_only(tmp_path):
    with pytest.raises(ValueError, match="above row"):
        with xlsx.book(tmp_path / "x.xlsx") as b:
            page = b.add_page("t")
            xlsx.write_table(page, pd.DataFrame({"a": [1, 2]}))
            xlsx.put(page, 2, 1, "late")
    assert not (tmp_path / "x.xlsx").exists() and list(tmp_path.iterdir()) == []  # no file, no temp folder


def test_sheet_names_stay_valid():
    assert xlsx.sheet_names(["a" * 30 + "'b", "'q'", "history", "History"]) == \
        ["a" * 30, "q", "history~2", "History~3"]


def _open_files_under(folder):
    out = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)):
            out.append(target)
    return out


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_full_disk_is_an_oserror_naming_the_file_and_leaves_nothing_open(tmp_path, monkeypatch):
    """XlsxWriter reports a failed store as a FileCreateError, its sheets' row files still open:
    the writer gives the OSError back (naming the file) and closes them."""
    import errno

    import xlsxwriter

    def half_then_full(self):
        with open(self.filename, "wb") as fh:
            fh.write(b"PK\x03\x04 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "_store_workbook", half_then_full)
    target = tmp_path / "out" / "t.xlsx"
    with pytest.raises(OSError) as exc:
        tables.write_xlsx({"t": pd.DataFrame({"a": [1]}), "u": pd.DataFrame({"b": ["x"]})}, target)
    assert exc.value.errno == errno.ENOSPC and exc.value.filename == str(target)
    assert list((tmp_path / "out").iterdir()) == []
    assert _open_files_under(tmp_path) == []  # the traceback (exc) still holds the workbook
