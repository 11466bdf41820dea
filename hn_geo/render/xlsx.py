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
:func:`put`, never with the worksheet's own ``write`` (which would guess a type).

Workbooks are written with XlsxWriter, row by row in its ``constant_memory`` mode (each row
goes to disk once the next one starts: large sheets are fast and small in memory), with its
guessing of formulas, URLs and numbers in strings turned off. So rows of a sheet are written
top to bottom: :func:`put` and :func:`write_table` never go back to a row above the last one
written. Cell formats are made once per distinct style of a workbook (:meth:`Book.format`).
Open a workbook with :func:`book` (written atomically, see :func:`hn_geo.core.files.atomic_path`).
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from hn_geo.core.files import atomic_path
from hn_geo.render import escape, palette

EXCEL_MAX_ROWS = 1_048_575
"""Data rows a sheet can hold below its header."""
_PLAIN_INT_KEYS = ("year", "month", "row", "source_row", "period", "rank")
_BAD_SHEET_CHARS = '[]:*?/\\'
_RESERVED_SHEET_NAMES = ("history",)
"""Names Excel keeps for itself (XlsxWriter refuses them)."""
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}
"""XlsxWriter options of every workbook: row by row, and no text ever interpreted."""
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
"""Formats of dates and times in columns without a date format of their own."""
LINK_COLOUR = "0563C1"
_WRAP = {"text_wrap": True, "valign": "vcenter"}


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


class Book:
    """An XlsxWriter workbook being written, with its cache of cell formats.

    Made by :func:`book`, which writes it atomically. ``label`` names the file in warnings.
    """

    def __init__(self, filename, label=None):
        self.workbook = xlsxwriter.Workbook(str(filename), dict(WORKBOOK_OPTIONS, tmpdir=str(Path(filename).parent)))
        self.label = str(label if label is not None else filename)
        self.pages = []
        self._formats = {}
        self._cells = {}

    def format(self, **props):
        """The one XlsxWriter format of these properties (None for no properties).

        Properties: ``num_format``, ``fill``/``font_color`` (``RRGGBB``), ``quote`` (the quote
        prefix), ``bold``, ``size``, ``underline``, ``wrap`` (wrapped, vertically centred).
        """
        key = tuple(sorted((k, v) for k, v in props.items() if v))
        if not key:
            return None
        fmt = self._formats.get(key)
        if fmt is None:
            spec = {}
            for k, v in key:
                if k == "fill":
                    spec.update(pattern=1, fg_color=f"#{v}")
                elif k == "font_color":
                    spec["font_color"] = f"#{v}"
                elif k == "quote":
                    spec["quote_prefix"] = True
                elif k == "wrap":
                    spec.update(_WRAP)
                else:
                    spec[k] = v
            fmt = self._formats[key] = self.workbook.add_format(spec)
        return fmt

    def cell_format(self, num_format, code, quote):
        """Format of a table cell: number format, colours of a status code, quote prefix."""
        key = (num_format, code, quote)
        fmt = self._cells.get(key, False)
        if fmt is False:
            fill, font = palette.status_fill(code) if code else (None, None)
            fmt = self._cells[key] = self.format(num_format=num_format, fill=fill, font_color=font, quote=quote)
        return fmt

    def condition_format(self, code):
        """The (differential) format a conditional format of a status code applies."""
        key = ("condition", code)
        fmt = self._formats.get(key)
        if fmt is None:
            fill, font = palette.status_fill(code)
            fmt = self._formats[key] = self.workbook.add_format(
                {"pattern": 1, "fg_color": f"#{fill}", "bg_color": f"#{fill}", "font_color": f"#{font}"})
        return fmt

    def add_page(self, name, tab=None):
        """A new worksheet (``name`` already safe, see :func:`sheet_names`)."""
        page = Page(self, self.workbook.add_worksheet(name))
        if tab:
            page.worksheet.set_tab_color(f"#{tab}")
        self.pages.append(page)
        return page

    def close(self):
        """Write the file; a failed write is the ``OSError`` it was (e.g. ``ENOSPC``)."""
        try:
            self.workbook.close()
        except FileCreateError as exc:
            inner = exc.args[0] if exc.args else None
            if isinstance(inner, OSError):
                raise inner from None
            raise

    def abandon(self):
        """Give the workbook up unwritten: its sheets' row files closed, never stored."""
        self.workbook.fileclosed = True
        for ws in self.workbook.worksheets():
            fh = getattr(ws, "row_data_fh", None)
            if fh is not None and not fh.closed:
                fh.close()


class Page:
    """One worksheet of a :class:`Book` being written: rows go down, never up."""

    def __init__(self, book, worksheet):
        self.book = book
        self.worksheet = worksheet
        self.name = worksheet.get_name()
        self.last_row = 0
        """The last row written (1-based; 0 before any)."""
        self.widths = {}

    def row(self, row):
        """Check that ``row`` (1-based) is not above the last row written; returns it 0-based."""
        if row < self.last_row:
            raise ValueError(f"row {row} of sheet {self.name!r} is above row {self.last_row}, already written")
        self.last_row = row
        return row - 1

    def set_width(self, column, width):
        """Width of a column (1-based), in characters."""
        self.widths[column] = width
        self.worksheet.set_column(column - 1, column - 1, width)

    def width(self, column):
        return self.widths.get(column)


@contextlib.contextmanager
def book(path):
    """A :class:`Book` written atomically to ``path`` when the block ends without error."""
    with atomic_path(path) as tmp:
        b = Book(tmp, label=path)
        try:
            yield b
            if not b.pages:
                b.add_page("Sheet")
            b.close()
        except BaseException:
            b.abandon()  # also after a failed close: its sheets' row files are still open
            raise


def display_width(text):
    """Width of text in a fixed-width font (CJK characters count double)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def plain(value):
    """A value a workbook cell holds: numbers stay numbers, NaN/NaT become empty cells (None),
    text is :func:`~hn_geo.render.escape.xlsx_text`, lists and dicts JSON text."""
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


def _format(book, num_format, code, quote, style):
    if style:
        return book.format(num_format=num_format, quote=quote, **style)
    return book.cell_format(num_format, code, quote) if (num_format or code or quote) else None


def _write(page, r, c, value, num_format, code, style=None):
    """Write a :func:`plain` value at 0-based (r, c): text as text (quote prefix when it reads
    as a formula), numbers, booleans, dates; empty cells only when they carry a style."""
    ws, bk = page.worksheet, page.book
    if value is None or value == "":
        if code or style:
            ws.write_blank(r, c, None, _format(bk, None, code, False, style))
    elif isinstance(value, str):
        quote = value[:1] in escape.FORMULA_STARTERS and escape.formula_like(value)
        ws.write_string(r, c, value, _format(bk, None, code, quote, style))
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, _format(bk, None, code, False, style))
    elif isinstance(value, (int, float)):
        nf = num_format(value) if callable(num_format) else num_format
        ws.write_number(r, c, value, _format(bk, nf, code, False, style))
    else:  # a date or datetime (plain gives nothing else)
        nf = num_format if isinstance(num_format, str) and "yy" in num_format else \
            (DATETIME_FORMAT if isinstance(value, _dt.datetime) else DATE_FORMAT)
        ws.write_datetime(r, c, value, _format(bk, nf, code, False, style))


def put(page, row, column, value, *, num_format=None, **style):
    """Write one value into a cell (1-based), text as text (never a formula).

    ``style``: :meth:`Book.format` properties (``bold``, ``size``, ``fill`` ...).
    """
    _write(page, page.row(row), column - 1, plain(value), num_format, None, style or None)


def link(page, row, column, sheet):
    """A cell (1-based) showing ``sheet``'s name, linked to its cell A1."""
    r = page.row(row)
    text = escape.xlsx_text(str(sheet))
    fmt = page.book.format(font_color=LINK_COLOUR, underline=1, quote=escape.formula_like(text))
    target = str(sheet).replace("'", "''")
    page.worksheet.write_url(r, column - 1, f"internal:'{target}'!A1", fmt, string=text)


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


def _header(page, columns, row):
    r = page.row(row)
    for j, col in enumerate(columns):
        _write(page, r, j, plain(str(col)), None, None, {"bold": True, "fill": palette.HEAD_FILL, "wrap": True})


def _columns(frame):
    """The :func:`plain` values of each column (numpy numbers converted a column at a time)."""
    cols = []
    isfinite = math.isfinite
    for col in range(frame.shape[1]):
        s = frame.iloc[:, col]
        kind = s.dtype.kind if isinstance(s.dtype, np.dtype) else None
        if kind == "f":
            cols.append([v if isfinite(v) else None for v in s.tolist()])
        elif kind in ("i", "u", "b"):
            cols.append(s.tolist())
        else:
            if isinstance(s.dtype, pd.DatetimeTZDtype):
                s = s.dt.tz_localize(None)
            cols.append([plain(v) for v in s.astype(object).tolist()])
    return cols


def _status_codes(codes, n):
    """The status codes of ``n`` rows (anything else: None), or None if there is none."""
    out = [c if palette.is_status(c) else None for c in list(codes)[:n]]
    out += [None] * (n - len(out))
    return out if any(out) else None


def colour_status(page, column, codes, words, first):
    """Conditional formats of column ``column`` (1-based), rows ``first`` ... on: one per status
    code in :data:`~hn_geo.render.palette.LEGEND_ORDER` order, matching the word the code was
    written as (``words``: ``{code: word}``), so an edited cell takes the colour of its new
    status. The static fills of the cells are written with the cells (:func:`write_table`).
    """
    if not words:
        return
    c, last = column - 1, first + len(codes) - 1
    for code in palette.LEGEND_ORDER:
        if code not in words:
            continue
        text = words[code].replace('"', '""')
        page.worksheet.conditional_format(first - 1, c, last - 1, c, {
            "type": "cell", "criteria": "==", "value": f'"{text}"', "stop_if_true": True,
            "format": page.book.condition_format(code)})


def _rows(page, cols, fmts, codes, words, first):
    """The data rows (the hot loop: text and numbers written here, other values by :func:`_write`)."""
    ws = page.worksheet
    cell_format = page.book.cell_format
    write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
    starters, formula_like = frozenset(escape.FORMULA_STARTERS), escape.formula_like
    for i, row in enumerate(zip(*cols) if cols else ()):
        r = page.row(first + i)
        for j, value in enumerate(row):
            code = codes[j][i] if codes[j] is not None else None
            t = type(value)
            if t is str and value:
                quote = value[:1] in starters and formula_like(value)
                write_string(r, j, value, cell_format(None, code, quote) if code or quote else None)
                if code and code not in words[j]:
                    words[j][code] = value
            elif t is float or t is int:
                nf = fmts[j]
                if callable(nf):
                    nf = nf(value)
                write_number(r, j, value, cell_format(nf, code, False) if nf or code else None)
            elif value is None or t is str:  # None or "": an empty cell, coloured when it has a status
                if code:
                    write_blank(r, j, None, cell_format(None, code, False))
            else:
                _write(page, r, j, value, fmts[j], code)


def write_table(page, frame, *, status=None, keys=None, start_row=1, max_rows=EXCEL_MAX_ROWS - 1,
                freeze=True):
    """Write ``frame`` with a styled, frozen, filterable header at ``start_row``.

    Parameters
    ----------
    page : Page
        The sheet (:meth:`Book.add_page`); ``start_row`` must not be above its last row written.
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
    frame = escape.finite_numbers(frame.iloc[:max_rows], page.book.label)
    n, ncol = frame.shape
    keys = list(keys) if keys is not None else [str(c) for c in frame.columns]
    _header(page, frame.columns, start_row)
    cols = _columns(frame)
    fmts = [number_format(frame.iloc[:, j], keys[j], col) if n else None for j, col in enumerate(frame.columns)]
    codes = [_status_codes(status[j], n) if status and j in status and n else None for j in range(ncol)]
    words = [{} for _ in range(ncol)]
    first = start_row + 1
    _rows(page, cols, fmts, codes, words, first)
    last = start_row + n
    for j, col in enumerate(frame.columns):
        sample = [str(v) for v in cols[j][:300] if v is not None]
        width = max([display_width(str(col))] + [display_width(v) for v in sample])
        page.set_width(j + 1, min(max(8, width + 2), 60))
        if codes[j] is not None:
            colour_status(page, j + 1, codes[j], words[j], first)
    ws = page.worksheet
    if freeze:
        ws.freeze_panes(first - 1, 0)
    if ncol and n:
        ws.autofilter(start_row - 1, 0, last - 1, ncol - 1)
    return n


def sheet_names(names, used=None):
    """Safe, unique sheet names (<= 31 characters, no ``[]:*?/\\``), in order."""
    used = set() if used is None else used
    out = []
    for name in names:
        base = "".join("_" if ch in _BAD_SHEET_CHARS else ch for ch in str(name)).strip("'")[:31].rstrip("'")
        base = base or "Sheet"
        cand, k = base, 2
        while cand.lower() in used or cand.lower() in _RESERVED_SHEET_NAMES:
            suffix = f"~{k}"
            cand, k = base[:31 - len(suffix)] + suffix, k + 1
        used.add(cand.lower())
        out.append(cand)
    return out


def add_sheets(book, sheets, used=None):
    """Add ``sheets`` to a :class:`Book`; returns the sheet names used."""
    names = sheet_names([s.name for s in sheets], used)
    for name, sheet in zip(names, sheets):
        page = book.add_page(name, tab=sheet.tab)
        write_table(page, sheet.frame, status=sheet.status, keys=sheet.keys)
    return names


def write_workbook(sheets, path):
    """Write an XLSX of ``sheets`` (list of :class:`Sheet`) atomically; returns the path."""
    with book(path) as b:
        add_sheets(b, list(sheets))
    return Path(path)
