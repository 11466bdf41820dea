"""The report workbook: every analysis in one XLSX, plus the same tables as CSV.

:func:`write_report` takes the :class:`~hn_geo.results.AnalysisResult` objects
of a run and writes

* ``<report>.xlsx`` -- a summary sheet (key figures of each analysis with
  status colours, the list of sheets with links, the notes) and one sheet per
  analysis table; Chinese headers by default, column widths fitted to the
  text, number formats by column type, frozen header rows with filters, and
  status cells coloured (green met / amber on track / red behind) both as
  static fills and as Excel conditional formats, so edited cells recolour;
* ``<csv_dir>/summary.csv`` and ``<csv_dir>/<analysis>_<table>.csv`` -- the
  same tables as CSV in UTF-8 with BOM (Excel opens Chinese text correctly).
"""
from __future__ import annotations

import datetime as _dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from hn_geo.core.files import atomic_path
from hn_geo.core.version import __version__
from hn_geo.render.tables import _BAD, _GOOD, _MID, _display_width, localize, write_csv

ANALYSIS_TITLES = {
    "water": ("水环境质量", "Surface water quality"),
    "zoning": ("三线一单管控", "Zoning (三线一单) compliance"),
    "solar": ("屋顶光伏潜力", "Rooftop PV potential"),
    "targets": ("规划目标进度", "Plan target progress"),
}
TEXT = {
    "title": ("海宁市节能减排“十四五”规划 分析报告", "Haining 14th FYP energy saving & emission reduction: analysis report"),
    "generated": ("生成时间", "Generated"),
    "summary_sheet": ("汇总", "Summary"),
    "analysis": ("分析", "Analysis"),
    "figure": ("指标", "Figure"),
    "value": ("数值", "Value"),
    "status": ("状态", "Status"),
    "contents": ("工作表目录", "Sheets"),
    "sheet": ("工作表", "Sheet"),
    "table": ("表", "Table"),
    "rows": ("行数", "Rows"),
    "notes": ("说明", "Notes"),
    "truncated": ("（仅前 {n} 行，完整数据见 CSV）", " (first {n} rows only; full table in the CSV)"),
}
EXCEL_MAX_ROWS = 1_048_575
TAB_COLOURS = {"water": "2E75B6", "zoning": "C55A11", "solar": "BF8F00", "targets": "548235"}
"""Sheet-tab colour of each analysis' sheets."""

_FILLS = {"good": "C6EFCE", "mid": "FFEB9C", "bad": "FFC7CE"}
_FONTS = {"good": "006100", "mid": "9C5700", "bad": "9C0006"}


def _t(key, lang):
    return TEXT[key][0 if lang == "zh" else 1]


def _label(labels, key, lang):
    lab = labels.get(key)
    if lab is None:
        return str(key)
    if isinstance(lab, str):
        return lab
    return lab[0 if lang == "zh" else 1]


def status_kind(value):
    """'bad', 'mid', 'good' or None for a status word (达标/未达标/on track ...)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).lower()
    for kind, words in (("bad", _BAD), ("mid", _MID), ("good", _GOOD)):
        if any(w in text for w in words):
            return kind
    return None


def _plain(value):
    """A value openpyxl can store (numbers, text, dates, None)."""
    if value is None:
        return None
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NaT or (not isinstance(value, (list, dict, tuple)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, (list, tuple, dict, set)):
        return json.dumps(value if not isinstance(value, set) else sorted(value), ensure_ascii=False,
                          default=str)
    if isinstance(value, (str, int, float, bool, _dt.date, _dt.datetime)):
        return value
    return str(value)


def summary_table(results, lang="zh", steps=None):
    """Key figures of every analysis as one table.

    Parameters
    ----------
    results : iterable of AnalysisResult
    lang : {'zh', 'en'}
    steps : dict, optional
        ``{analysis name: (state, message)}`` for analyses that did not give a
        result (skipped or failed); listed with their reason.

    Returns
    -------
    pandas.DataFrame
        Columns analysis, figure, value, status (localised headers).
    """
    rows = []
    for res in results:
        title = ANALYSIS_TITLES.get(res.name, (res.name, res.name))[0 if lang == "zh" else 1]
        for key, value in res.summary.items():
            if isinstance(key, tuple):
                fig = key[0 if lang == "zh" else 1]
            else:
                fig = _label(res.labels, key, lang)
            if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
                value = value[0 if lang == "zh" else 1]
            value = _plain(value)
            kind = status_kind(value) if isinstance(value, str) else None
            rows.append((title, fig, value, _kind_word(kind, lang)))
        rows += [(title, *r) for r in status_counts(res, lang)]
    for name, (state, message) in (steps or {}).items():
        title = ANALYSIS_TITLES.get(name, (name, name))[0 if lang == "zh" else 1]
        rows.append((title, _t("status", lang), f"{state}: {message}", ""))
    cols = [_t(k, lang) for k in ("analysis", "figure", "value", "status")]
    return pd.DataFrame(rows, columns=cols)


KIND_WORDS = {"bad": ("存在未达标", "some behind"), "mid": ("进度警示", "warning"),
              "good": ("全部达标", "all met")}


def _kind_word(kind, lang):
    return KIND_WORDS[kind][0 if lang == "zh" else 1] if kind else ""


def status_counts(result, lang="zh"):
    """One row per (table, status column): the count of each status word and the worst status.

    Returns
    -------
    list of (figure, counts text, status word)
        e.g. ``("water_sections · 达标情况", "达标 118 · 未达标 7", "存在未达标")``.
    """
    rows = []
    rank = {"bad": 0, "mid": 1, "good": 2, None: 3}
    for key, df in result.tables.items():
        for col in result.status_columns:
            if col not in df.columns:
                continue
            counts = pd.Series(df[col]).dropna().astype(str).value_counts()
            if counts.empty:
                continue
            kinds = [status_kind(v) for v in counts.index]
            worst = min(kinds, key=lambda k: rank[k])
            order = sorted(range(len(counts)), key=lambda i: (rank[kinds[i]], -counts.iloc[i]))
            text = " · ".join(f"{counts.index[i]} {counts.iloc[i]}" for i in order)
            fig = f"{_label(result.labels, key, lang)} · {_label(result.labels, col, lang)}"
            rows.append((fig, text, _kind_word(worst, lang)))
    return rows


def _magnitude_format(value):
    """Number format for a value's magnitude (>= 1000: no decimals ... < 0.1: 3 decimals)."""
    v = abs(value)
    if v >= 1000:
        return "#,##0"
    if v >= 10:
        return "#,##0.0"
    if v >= 0.1 or v == 0:
        return "#,##0.00"
    return "0.000"


def _number_format(series, header):
    """Excel number format of a column: a format string, a per-value function, or None."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return None
    low = header.lower()
    if (pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_float_dtype(series.dtype)) and (
            low in ("year", "month", "row", "source row") or header in ("年份", "年", "月份", "月")
            or "行号" in header):
        return "0"  # years, months, row numbers: no thousands separator
    if pd.api.types.is_integer_dtype(series.dtype):
        return "#,##0"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "yyyy-mm-dd hh:mm" if (series.dropna().dt.normalize() != series.dropna()).any() else "yyyy-mm-dd"
    if pd.api.types.is_float_dtype(series.dtype):
        if "%" in header or "率" in header or "share" in low:
            return "0.0"
        vals = series.dropna().abs()
        vals = vals[(vals > 0) & np.isfinite(vals)]
        if vals.empty:
            return "#,##0.00"
        if float(vals.max()) / float(vals.min()) > 1e4:  # mixed magnitudes (e.g. indicators): per value
            return _magnitude_format
        return _magnitude_format(float(vals.quantile(0.1)))  # decimals for the small values too
    sample = series.dropna().iloc[:50]
    if len(sample) and all(isinstance(v, _dt.date) for v in sample):
        return "yyyy-mm-dd hh:mm" if any(isinstance(v, _dt.datetime) for v in sample) else "yyyy-mm-dd"
    return None


def _status_rules(ws, ref, first_cell):
    """Excel conditional formats colouring status words (first match wins: red, amber, green)."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill

    for kind, words in (("bad", _BAD), ("mid", _MID), ("good", _GOOD)):
        cond = ",".join(f'ISNUMBER(SEARCH("{w}",{first_cell}))' for w in words)
        ws.conditional_formatting.add(ref, FormulaRule(
            formula=[f"OR({cond})"], stopIfTrue=True,
            fill=PatternFill("solid", fgColor=_FILLS[kind], bgColor=_FILLS[kind]),
            font=Font(color=_FONTS[kind])))


def _write_table(ws, df, status_headers, start_row=1, max_rows=EXCEL_MAX_ROWS - 1):
    """Write ``df`` with a styled, frozen, filterable header at ``start_row``."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    head_fill = PatternFill("solid", fgColor="DDEBF7")
    df = df.iloc[:max_rows]
    ncol = len(df.columns)
    for j, col in enumerate(df.columns, start=1):
        c = ws.cell(row=start_row, column=j, value=str(col))
        c.font = Font(bold=True)
        c.fill = head_fill
        c.alignment = Alignment(wrap_text=True, vertical="center")
    cols = []
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)
        cols.append([_plain(v) for v in s.astype(object).tolist()])
    assert ws.max_row == start_row  # rows are appended right below the header
    for row in (zip(*cols) if cols else []):
        ws.append(row)
    last = start_row + len(df)
    fills = {k: PatternFill("solid", fgColor=v) for k, v in _FILLS.items()}
    for j, col in enumerate(df.columns, start=1):
        letter = get_column_letter(j)
        sample = [str(v) for v in cols[j - 1][:300] if v is not None]
        width = max([_display_width(str(col))] + [_display_width(v) for v in sample])
        ws.column_dimensions[letter].width = min(max(8, width + 2), 60)
        fmt = _number_format(df[col], str(col))
        if fmt and len(df):
            for (c,) in ws.iter_rows(min_row=start_row + 1, max_row=last, min_col=j, max_col=j):
                if callable(fmt):
                    if isinstance(c.value, (int, float)):
                        c.number_format = fmt(c.value)
                else:
                    c.number_format = fmt
        if col in status_headers and len(df):
            for r, v in enumerate(cols[j - 1], start=start_row + 1):
                kind = status_kind(v)
                if kind:
                    ws.cell(row=r, column=j).fill = fills[kind]
            _status_rules(ws, f"{letter}{start_row + 1}:{letter}{last}", f"{letter}{start_row + 1}")
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1).coordinate
    if ncol and len(df):
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(ncol)}{last}"
    return len(df)


def _sheet_name(analysis, table, used):
    bad = '[]:*?/\\'
    base = "".join("_" if ch in bad else ch for ch in (f"{analysis}_{table}" if table else analysis))[:31]
    name, k = base, 2
    while name.lower() in used:
        suffix = f"~{k}"
        name, k = base[:31 - len(suffix)] + suffix, k + 1
    used.add(name.lower())
    return name


def write_report(results, path, lang="zh", csv_dir=None, steps=None):
    """Write the report workbook (and the same tables as CSV).

    Parameters
    ----------
    results : iterable of AnalysisResult
        The analyses to report, in sheet order.
    path : str or Path
        The ``.xlsx`` file (written atomically).
    lang : {'zh', 'en'}
        Header language (Chinese by default).
    csv_dir : str or Path, optional
        Folder for the CSV copies (UTF-8 with BOM): ``summary.csv`` and
        ``<table>.csv`` (prefixed ``<analysis>_`` unless the table name starts with
        it). No CSVs when omitted.
    steps : dict, optional
        ``{analysis: (state, message)}`` of analyses without a result, listed
        in the summary.

    Returns
    -------
    list of Path
        The workbook first, then the CSV files.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    results = list(results)
    path = Path(path)
    summary = summary_table(results, lang, steps)
    used = set()
    wb = Workbook()
    ws = wb.active
    ws.title = _t("summary_sheet", lang)
    used.add(ws.title.lower())
    ws["A1"] = _t("title", lang)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"{_t('generated', lang)}: {_dt.datetime.now().strftime('%Y-%m-%d %H:%M')} · hn_geo {__version__}"
    status_head = _t("status", lang)
    _write_table(ws, summary, {status_head}, start_row=4)
    # colour the value cells of status-like figures too
    from openpyxl.styles import PatternFill
    for r in range(5, 5 + len(summary)):
        kind = status_kind(ws.cell(row=r, column=3).value) if isinstance(ws.cell(row=r, column=3).value, str) else None
        if kind:
            ws.cell(row=r, column=3).fill = PatternFill("solid", fgColor=_FILLS[kind])
            ws.cell(row=r, column=4).fill = PatternFill("solid", fgColor=_FILLS[kind])

    contents = []
    sheets = []
    written_csv = []
    for res in results:
        status_heads = {_label(res.labels, c, lang) for c in res.status_columns}
        for key, df in res.tables.items():
            shown = localize(df, res.labels, lang)
            stem = key if key.startswith(res.name) else f"{res.name}_{key}"
            sheet = _sheet_name(stem, "", used)
            sheets.append((sheet, shown, status_heads, TAB_COLOURS.get(res.name)))
            truncated = len(shown) > EXCEL_MAX_ROWS - 1
            title = _label(res.labels, key, lang)
            if truncated:
                title += _t("truncated", lang).format(n=EXCEL_MAX_ROWS - 1)
            contents.append((ANALYSIS_TITLES.get(res.name, (res.name, res.name))[0 if lang == "zh" else 1],
                             title, sheet, len(shown)))
            if csv_dir is not None:
                written_csv.append(write_csv(shown, Path(csv_dir) / f"{stem}.csv"))
    # contents block with links, then the notes
    row = 6 + len(summary)
    ws.cell(row=row, column=1, value=_t("contents", lang)).font = Font(bold=True)
    for j, key in enumerate(("analysis", "table", "sheet", "rows"), start=1):
        ws.cell(row=row + 1, column=j, value=_t(key, lang)).font = Font(bold=True)
    for i, (analysis, title, sheet, n) in enumerate(contents, start=row + 2):
        ws.cell(row=i, column=1, value=analysis)
        ws.cell(row=i, column=2, value=title)
        link = ws.cell(row=i, column=3, value=sheet)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!A1", display=sheet)
        link.font = Font(color="0563C1", underline="single")
        ws.cell(row=i, column=4, value=n).number_format = "#,##0"
    row = row + 3 + len(contents)
    notes = [(ANALYSIS_TITLES.get(r.name, (r.name, r.name))[0 if lang == "zh" else 1], n)
             for r in results for n in r.notes]
    if notes:
        ws.cell(row=row, column=1, value=_t("notes", lang)).font = Font(bold=True)
        for i, (analysis, note) in enumerate(notes, start=row + 1):
            ws.cell(row=i, column=1, value=analysis)
            ws.cell(row=i, column=2, value=str(note))
    ws.column_dimensions["B"].width = max(ws.column_dimensions["B"].width or 0, 30)
    for sheet, shown, status_heads, tab in sheets:
        ws = wb.create_sheet(sheet)
        if tab:
            ws.sheet_properties.tabColor = tab
        _write_table(ws, shown, status_heads)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    written = [path]
    if csv_dir is not None:
        written.insert(1, write_csv(summary, Path(csv_dir) / "summary.csv"))
        written += written_csv
    return written
