"""Summary tables: localised headers, CSV (UTF-8 with BOM) and XLSX.

Analyses return DataFrames with English snake_case columns plus a label
mapping ``{column: (zh, en)}``; this module renames columns for display and
writes the files. Chinese headers are the default, ``lang='en'`` gives English.
"""
from __future__ import annotations

import io as _io
from pathlib import Path

import pandas as pd

from hn_geo.core.files import atomic_path, write_bytes

LANGS = ("zh", "en")


def localize(df, labels, lang="zh"):
    """Rename columns to display labels.

    Parameters
    ----------
    df : pandas.DataFrame
    labels : dict
        ``{column: (zh, en)}`` or ``{column: label}``. Columns without a label
        keep their name.
    lang : {'zh', 'en'}
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    mapping = {}
    for col in df.columns:
        lab = labels.get(col)
        if lab is None:
            continue
        mapping[col] = lab if isinstance(lab, str) else lab[0 if lang == "zh" else 1]
    out = pd.DataFrame(df).rename(columns=mapping)
    if "geometry" in out.columns:
        out = pd.DataFrame(out.drop(columns="geometry"))
    return out


def write_csv(df, path):
    """Write CSV as UTF-8 with BOM, so Excel opens Chinese text correctly."""
    buf = _io.StringIO()
    df.to_csv(buf, index=False)
    return write_bytes(buf.getvalue().encode("utf-8-sig"), path)


def write_xlsx(sheets, path, status_columns=()):
    """Write one XLSX with a sheet per table.

    Parameters
    ----------
    sheets : dict
        ``{sheet name: DataFrame}`` (names cut to Excel's 31 characters).
    status_columns : iterable of str
        Header names whose cells are coloured by status words
        (达标/met/pass green, 未达标/behind/fail red, on track/进度 amber).
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    green = PatternFill("solid", fgColor="C6EFCE")
    red = PatternFill("solid", fgColor="FFC7CE")
    amber = PatternFill("solid", fgColor="FFEB9C")
    head = PatternFill("solid", fgColor="DDEBF7")
    status_columns = set(status_columns)
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, df in sheets.items():
                sheet = str(name)[:31]
                df = pd.DataFrame(df)
                for col in df.columns:
                    if isinstance(df[col].dtype, pd.DatetimeTZDtype):
                        df[col] = df[col].dt.tz_localize(None)
                df.to_excel(xw, sheet_name=sheet, index=False)
                ws = xw.sheets[sheet]
                ws.freeze_panes = "A2"
                for j, col in enumerate(df.columns, start=1):
                    cell = ws.cell(row=1, column=j)
                    cell.font = Font(bold=True)
                    cell.fill = head
                    cell.alignment = Alignment(wrap_text=True, vertical="center")
                    values = df[col].astype(str).head(200).tolist()
                    width = max([_display_width(str(col))] + [_display_width(v) for v in values])
                    ws.column_dimensions[get_column_letter(j)].width = min(max(8, width + 2), 60)
                    if pd.api.types.is_float_dtype(df[col]):
                        for r in range(2, len(df) + 2):
                            ws.cell(row=r, column=j).number_format = "#,##0.00"
                    if col in status_columns:
                        for r in range(2, len(df) + 2):
                            c = ws.cell(row=r, column=j)
                            fill = _status_fill(c.value, green, red, amber)
                            if fill is not None:
                                c.fill = fill
    return Path(path)


def _display_width(text):
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


_GOOD = ("达标", "已完成", "通过", "符合", "met", "pass", "ok", "exempt", "免考核", "免予考核")
_BAD = ("未达标", "不达标", "超标", "落后", "不通过", "违反", "behind", "fail", "violat", "not met")
_MID = ("进度", "on track", "警示", "warning")


def _status_fill(value, green, red, amber):
    if value is None:
        return None
    text = str(value).lower()
    if any(w in text for w in _BAD):
        return red
    if any(w in text for w in _MID):
        return amber
    if any(w in text for w in _GOOD):
        return green
    return None
