"""The one XLSX sheet writer, used by the per-analysis workbooks and the report workbook.

A sheet is written from a *presented* frame (column labels, codes already turned into
words, numbers as numbers) plus, for each status column, the status *codes* of its cells:
cells are coloured from the codes (:mod:`hn_geo.render.palette`, the vocabulary's one colour
table), both as static fills and as Excel conditional formats matching each code's word, so a
cell edited to another status word recolours. Headers are bold on a fill, frozen, with a
filter; widths are fitted to the text; number formats follow each column's values (years
without separators, decimals by magnitude).

Text is always a text cell: a name such as ``=HYPERLINK(...)`` or ``@SUM(A1)`` is stored as a
string with Excel's quote prefix (shown and edited as text, never evaluated), and characters
a workbook cannot hold become U+FFFD (:mod:`hn_geo.render.escape`). Write single cells with
:func:`put`, never ``ws.cell(value=...)``.
"""
from __future__ import annotations

import copy
import datetime as _dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hn_geo.core.files import atomic_path
from hn_geo.render import escape, palette

EXCEL_MAX_ROWS = 1_048_575
"""Data rows a sheet can hold below its header."""
_PLAIN_INT_KEYS = ("year", "month", "row", "source_row", "period", "rank")
_BAD_SHEET_CHARS = '[]:*?/\\'


@dataclass
class Sheet:
    """One sheet to write.

    Attributes
    ----------
    name : str
        Sheet name (made safe and unique by :func:`write_workbook`).
    frame : pandas.DataFrame
        The presented table (labels as headers, words, numbers).
    status : dict
        ``{column position: sequence of status codes}`` of the status columns (aligned
        with the rows of ``frame``).
    keys : list of str, optional
        The columns' codes (English names) in order: number formats of years, months,
        percentages follow them.
    tab : str, optional
        Tab colour (``RRGGBB``).
    """

    name: str
    frame: pd.DataFrame
    status: dict = field(default_factory=dict)
    keys: list | None = None
    tab: str | None = None


def display_width(text):
    """Width of text in a fixed-width font (CJK characters count double)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def plain(value):
    """A value openpyxl can store: numbers stay numbers, NaN/NaT become empty cells."""
    if value is None:
        return None
    if isinstance(value, str):
        return escape.xlsx_text(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, (list, tuple, dict, set)):
        return escape.xlsx_text(json.dumps(sorted(value) if isinstance(value, set) else value,
                                           ensure_ascii=False, default=str))
    if value is pd.NaT or pd.isna(value):
        return None
    if isinstance(value, (int, float, bool, _dt.date, _dt.datetime)):
        return value
    return escape.xlsx_text(str(value))


def as_text(cell):
    """Make a cell holding text a text cell: never a formula, shown and edited as text.

    openpyxl takes a string starting with ``=`` for a formula; a string a spreadsheet would
    read as one (``=``, ``+``, ``-``, ``@`` ...) also gets the quote prefix, so that editing
    the cell in Excel or LibreOffice keeps it text.
    """
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if escape.formula_like(cell.value):
            cell.quotePrefix = True
    return cell


def put(ws, row, column, value):
    """Write one value into a cell (text as text, see :func:`as_text`); returns the cell."""
    cell = ws.cell(row=row, column=column, value=plain(value))
    return as_text(cell)


def magnitude_format(value):
    """Number format for a value's magnitude (>= 1000: no decimals ... < 0.1: 3 decimals)."""
    v = abs(value)
    if v >= 1000:
        return "#,##0"
    if v >= 10:
        return "#,##0.0"
    if v >= 0.1 or v == 0:
        return "#,##0.00"
    return "0.000"


def value_format(value):
    """Number format of one value of a mixed column: counts without decimals."""
    if isinstance(value, int):
        return "#,##0"
    return magnitude_format(value)


def _is_plain_int_key(key):
    low = str(key).lower()
    return low in _PLAIN_INT_KEYS or low.endswith(("_year", "_row", "_month"))


def number_format(series, key, header=""):
    """Excel number format of a column: a format string, a per-value function, or None."""
    dt = series.dtype
    if pd.api.types.is_bool_dtype(dt):
        return None
    numeric = pd.api.types.is_integer_dtype(dt) or pd.api.types.is_float_dtype(dt)
    if numeric and _is_plain_int_key(key):
        return "0"  # years, months, row numbers: no thousands separator
    if pd.api.types.is_integer_dtype(dt):
        return "#,##0"
    if pd.api.types.is_datetime64_any_dtype(dt):
        vals = series.dropna()
        return "yyyy-mm-dd hh:mm" if (vals.dt.normalize() != vals).any() else "yyyy-mm-dd"
    if pd.api.types.is_float_dtype(dt):
        low = str(key).lower()
        if "%" in str(header) or any(w in low for w in ("pct", "rate", "share")):
            return "0.0"
        vals = series.dropna().abs()
        vals = vals[(vals > 0) & np.isfinite(vals)]
        if vals.empty:
            return "#,##0.00"
        if float(vals.max()) / float(vals.min()) > 1e4:  # mixed magnitudes (e.g. indicators): per value
            return magnitude_format
        return magnitude_format(float(vals.quantile(0.1)))  # decimals for the small values too
    sample = series.dropna().iloc[:50]
    if len(sample) and all(isinstance(v, _dt.date) for v in sample):
        return "yyyy-mm-dd hh:mm" if any(isinstance(v, _dt.datetime) for v in sample) else "yyyy-mm-dd"
    if any(isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)) for v in sample):
        return value_format  # a column of mixed values (e.g. key figures)
    return None


def _header(ws, columns, row):
    head = PatternFill("solid", fgColor=palette.HEAD_FILL)
    for j, col in enumerate(columns, start=1):
        c = put(ws, row, j, str(col))
        c.font = Font(bold=True)
        c.fill = head
        c.alignment = Alignment(wrap_text=True, vertical="center")


def _columns(frame):
    cols = []
    for col in range(frame.shape[1]):
        s = frame.iloc[:, col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_localize(None)
        cols.append([plain(v) for v in s.astype(object).tolist()])
    return cols


def _text_cells(ws, cols, first):
    """Cells of text a spreadsheet would take for a formula: typed and prefixed as text."""
    for j, col in enumerate(cols, start=1):
        for i, v in enumerate(col):
            if isinstance(v, str) and v[:1] in escape.FORMULA_STARTERS:
                as_text(ws.cell(row=first + i, column=j))


def _apply_format(ws, j, fmt, first, last):
    for (c,) in ws.iter_rows(min_row=first, max_row=last, min_col=j, max_col=j):
        if callable(fmt):
            if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                c.number_format = fmt(c.value)
        else:
            c.number_format = fmt


def colour_status(ws, j, codes, first):
    """Colour cells of column ``j`` from their status codes; add conditional formats.

    ``codes`` are the status codes of rows ``first`` ... (None or other values: no colour).
    The conditional formats match the cell text against the word each code was written as,
    so an edited cell takes the colour of its new status.
    """
    words = {}
    fills = {}
    styles = {}  # (code, style before) -> style after: openpyxl indexes a fill/font once per code
    for r, code in enumerate(codes, start=first):
        if not palette.is_status(code):
            continue
        if code not in fills:
            fill, font = palette.status_fill(code)
            fills[code] = (PatternFill("solid", fgColor=fill), Font(color=font))
        cell = ws.cell(row=r, column=j)
        key = (code, tuple(cell._style or ()))
        if key in styles:
            cell._style = copy.copy(styles[key])
        else:
            cell.fill, cell.font = fills[code]
            styles[key] = copy.copy(cell._style)
        if isinstance(cell.value, str) and cell.value:
            words.setdefault(code, cell.value)
    if not words:
        return
    letter = get_column_letter(j)
    ref = f"{letter}{first}:{letter}{first + len(codes) - 1}"
    for code in palette.LEGEND_ORDER:
        if code not in words:
            continue
        fill, font = palette.status_fill(code)
        text = words[code].replace('"', '""')
        ws.conditional_formatting.add(ref, CellIsRule(
            operator="equal", formula=[f'"{text}"'], stopIfTrue=True,
            fill=PatternFill("solid", fgColor=fill, bgColor=fill), font=Font(color=font)))


def write_table(ws, frame, *, status=None, keys=None, start_row=1, max_rows=EXCEL_MAX_ROWS - 1,
                freeze=True):
    """Write ``frame`` with a styled, frozen, filterable header at ``start_row``.

    Parameters
    ----------
    ws : openpyxl worksheet
    frame : pandas.DataFrame
        Presented table (labels, words, numbers).
    status : dict, optional
        ``{column position: status codes}`` (see :class:`Sheet`).
    keys : list of str, optional
        Column codes for number formats (default: the headers).

    Returns
    -------
    int
        Rows written (at most ``max_rows``).
    """
    frame = escape.finite_numbers(frame.iloc[:max_rows], getattr(ws.parent, "hn_geo_path", None))
    keys = list(keys) if keys is not None else [str(c) for c in frame.columns]
    _header(ws, frame.columns, start_row)
    cols = _columns(frame)
    if ws.max_row != start_row:
        raise ValueError("write_table appends rows right below the header: start on the last row")
    for row in (zip(*cols) if cols else []):
        ws.append(row)
    first, last = start_row + 1, start_row + len(frame)
    _text_cells(ws, cols, first)
    for j, col in enumerate(frame.columns, start=1):
        sample = [str(v) for v in cols[j - 1][:300] if v is not None]
        width = max([display_width(str(col))] + [display_width(v) for v in sample])
        ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 60)
        fmt = number_format(frame.iloc[:, j - 1], keys[j - 1], col)
        if fmt and len(frame):
            _apply_format(ws, j, fmt, first, last)
        if status and (j - 1) in status and len(frame):
            colour_status(ws, j, list(status[j - 1])[:len(frame)], first)
    if freeze:
        ws.freeze_panes = ws.cell(row=first, column=1).coordinate
    if len(frame.columns) and len(frame):
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(frame.columns))}{last}"
    return len(frame)


def sheet_names(names, used=None):
    """Safe, unique sheet names (<= 31 characters, no ``[]:*?/\\``), in order."""
    used = set() if used is None else used
    out = []
    for name in names:
        base = "".join("_" if ch in _BAD_SHEET_CHARS else ch for ch in str(name)).strip("'")[:31] or "Sheet"
        cand, k = base, 2
        while cand.lower() in used:
            suffix = f"~{k}"
            cand, k = base[:31 - len(suffix)] + suffix, k + 1
        used.add(cand.lower())
        out.append(cand)
    return out


def add_sheets(wb, sheets, used=None):
    """Add ``sheets`` to an openpyxl workbook; returns the sheet names used."""
    names = sheet_names([s.name for s in sheets], used)
    for name, sheet in zip(names, sheets):
        ws = wb.create_sheet(name)
        if sheet.tab:
            ws.sheet_properties.tabColor = sheet.tab
        write_table(ws, sheet.frame, status=sheet.status, keys=sheet.keys)
    return names


def write_workbook(sheets, path):
    """Write an XLSX of ``sheets`` (list of :class:`Sheet`) atomically; returns the path."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.hn_geo_path = str(path)  # named in warnings of the sheets
    add_sheets(wb, list(sheets))
    if not wb.worksheets:
        wb.create_sheet("Sheet")
    save(wb, path)
    return Path(path)


def save(wb, path):
    """Save an openpyxl workbook atomically."""
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)
