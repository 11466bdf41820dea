"""Tables as read from CSV or XLSX: every sheet of a workbook, every cell as text.

:func:`read_table` is the one reader of tabular input (monitoring results, town statistics,
projects or points with lon/lat columns). A workbook is read whole: every sheet whose
header is the first sheet's header is part of the table, and a warning names the sheets
read and the sheets left out (another header), so nothing is dropped silently; ``sheet=``
(``--layer``/``--sheet``) reads one sheet. Cells are text: CSV and XLSX read alike, and the
text of a cell is what the file holds (only surrounding white space is stripped, and an
empty cell is missing -- ``NA``, ``null`` or ``nan`` stay text for the callers to judge).

Row numbers in messages are those a spreadsheet shows (the header is row 1); a table read
from several sheets numbers its rows ``sheet!row`` (:func:`row_labels`).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError, HnGeoWarning

TABLE_ENCODINGS = ("utf-8-sig", "gb18030")
"""Encodings tried, in order, for CSV/text tables."""
ROWS_ATTR = "hn_geo_rows"
"""``DataFrame.attrs`` key: the row labels of a table read from several sheets."""
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


class RowLabels(tuple):
    """Row labels kept in ``DataFrame.attrs``: immutable, so copied by reference. (pandas
    deep-copies ``attrs`` into the result of every operation; a list of 100k labels made each
    one cost a copy of 100k items.)"""

    def __deepcopy__(self, memo):
        return self


def row_labels(df, first=2):
    """The row of every record as the user finds it: spreadsheet numbers (header = row 1),
    or ``'sheet!row'`` for a table read from several sheets (numpy object array)."""
    labels = df.attrs.get(ROWS_ATTR)
    if labels is not None and len(labels) == len(df):
        return np.asarray(labels, dtype=object)
    return np.arange(len(df), dtype=object) + first


def _tidy(df, path, where=None):
    """Strip headers and cells, empty text as missing, trailing blank rows (Excel) cut."""
    df.columns = [str(c).strip() for c in df.columns]
    for col in df.columns:  # whitespace-only cells count as empty
        if pd.api.types.is_string_dtype(df[col]) or df[col].dtype == object:
            df[col] = df[col].str.strip().replace("", np.nan)
    filled = np.flatnonzero(df.notna().any(axis=1).to_numpy())
    return df.iloc[: filled[-1] + 1 if filled.size else 0]


def _read_csv(path, kwargs):
    sep = None if path.suffix.lower() in (".txt", ".tsv") else ","
    engine = "python" if sep is None else None
    for enc in TABLE_ENCODINGS:
        try:
            return pd.read_csv(path, dtype=str, encoding=enc, keep_default_na=False,
                               na_values=[""], sep=sep, engine=engine, **kwargs)
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError as exc:
            raise HnGeoError("the file has no header and no rows", path=path) from exc
        except pd.errors.ParserError as exc:
            raise HnGeoError(f"not a well-formed CSV table ({exc})", path=path) from exc
    raise HnGeoError("cannot decode text as UTF-8 or GBK/GB18030; save it as UTF-8 CSV", path=path)


def _read_sheets(path, sheet, kwargs):
    """``{sheet name: frame}`` of the sheets asked for (one, or all)."""
    try:
        with pd.ExcelFile(path) as book:
            names = book.sheet_names
            if sheet is not None and not isinstance(sheet, int) and sheet not in names:
                raise HnGeoError(f"no sheet '{sheet}'; sheets found: {names}", path=path)
            if isinstance(sheet, int) and not -len(names) <= sheet < len(names):
                raise HnGeoError(f"no sheet number {sheet}; sheets found: {names}", path=path)
            wanted = names if sheet is None else [names[sheet] if isinstance(sheet, int) else sheet]
            return {n: pd.read_excel(book, sheet_name=n, dtype=str, keep_default_na=False,
                                     na_values=[""], **kwargs) for n in wanted}
    except HnGeoError:
        raise
    except Exception as exc:  # openpyxl/xlrd raise many types
        raise HnGeoError(f"not a readable workbook ({exc})", path=path) from exc


def _combine(path, frames):
    """One table of the sheets that share the first filled sheet's header (warning which)."""
    filled = {n: df for n, df in frames.items() if len(df.columns) and len(df)}
    if len(filled) <= 1:
        return next(iter(filled.values()), next(iter(frames.values())))
    names = list(filled)
    header = list(filled[names[0]].columns)
    same = [n for n in names if set(filled[n].columns) == set(header)]
    other = [n for n in names if n not in same]
    if len(same) == 1:
        warnings.warn(HnGeoWarning("ground.sheets_first_only", path=path, sheet=same[0],
                                   skipped=other, n_skipped=len(other)), stacklevel=4)
        return filled[same[0]]
    parts = [filled[n][header] for n in same]
    labels = [f"{n}!{i + 2}" for n in same for i in range(len(filled[n]))]
    df = pd.concat(parts, ignore_index=True)
    df.attrs[ROWS_ATTR] = RowLabels(labels)
    rows = [len(filled[n]) for n in same]
    code = "ground.sheets_read" if other else "ground.sheets_read_all"
    warnings.warn(HnGeoWarning(code, path=path, n=len(same), sheets=same, rows=rows,
                               total=int(sum(rows)), skipped=other, n_skipped=len(other)), stacklevel=4)
    return df


def read_table(path, sheet=None, **kwargs):
    """Read a CSV (UTF-8, UTF-8 with BOM, or GBK/GB18030) or XLSX table, cells as text.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt``/``.tsv`` (delimiter sniffed for .txt/.tsv) or
        ``.xlsx``/``.xlsm``.
    sheet : str or int, optional
        One worksheet of a workbook. Without it every sheet with the first sheet's header
        is read (a warning names the sheets read and those left out).
    **kwargs
        Passed to :func:`pandas.read_csv` / :func:`pandas.read_excel`.

    Returns
    -------
    pandas.DataFrame
        Text cells (missing where empty), stripped column names; ``attrs[ROWS_ATTR]``
        holds ``'sheet!row'`` labels when several sheets were read.

    Raises
    ------
    HnGeoError
        Missing, empty, undecodable or malformed file; unknown sheet.
    """
    path = Path(path)
    if not path.exists():
        raise HnGeoError("file not found", path=path)
    if path.stat().st_size == 0:
        raise HnGeoError("the file is empty (0 bytes)", path=path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        frames = {n: _tidy(df, path) for n, df in _read_sheets(path, sheet, kwargs).items()}
        df = _combine(path, frames)
    else:
        df = _tidy(_read_csv(path, kwargs), path)
    if df.empty:
        raise HnGeoError(f"the table has no rows (columns found: {list(df.columns)})", path=path)
    return df
