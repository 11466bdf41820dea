"""Summary tables: localised headers, CSV (UTF-8 with BOM) and XLSX.

Analyses return DataFrames with English snake_case columns plus a label
mapping ``{column: (zh, en)}``; this module renames columns for display and
writes the files. Chinese headers are the default, ``lang='en'`` gives English.
"""
from __future__ import annotations

import io as _io
from pathlib import Path

import numpy as np
import pandas as pd

from hn_geo import vocabulary
from hn_geo.core.files import atomic_path, write_bytes
from hn_geo.core.results import Msg, Word

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
    """Write CSV as UTF-8 with BOM, so Excel opens Chinese text correctly.

    Floats are written with :data:`CSV_FLOAT_FORMAT` (no ``15.200000000000001``).
    """
    buf = _io.StringIO()
    df.to_csv(buf, index=False, float_format=CSV_FLOAT_FORMAT)
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


# ----------------------------------------------------------------------------- codes -> words
def present(df, *, lang="zh", scope=None, codes=None, keep_geometry=False, labels=True, table=None,
            booleans=True):
    """A result frame as a reader sees it: column labels and every code turned into words.

    Parameters
    ----------
    df : pandas.DataFrame or geopandas.GeoDataFrame
        A table or layer of an :class:`~hn_geo.core.results.AnalysisResult` (codes,
        :class:`~hn_geo.core.results.Msg` cells, booleans, numbers).
    lang : {'zh', 'en'}
    scope : str, optional
        Vocabulary block whose column labels and value families come first (the
        analysis name, e.g. 'water').
    table : str, optional
        Table or layer code, for labels of its own (``<table>.<column>`` in the vocabulary).
    codes : dict, optional
        Column -> value family of coded columns (``'status'`` for status codes), as in
        ``AnalysisResult.codes``.
    keep_geometry : bool
        Keep a geometry column (for layers); dropped by default (tables).
    booleans : bool
        Render booleans as yes/no words (tables); False keeps them boolean (GeoPackage).
    labels : bool
        Rename columns to their labels (tables); False keeps the English column names
        (GeoPackage fields, whose labels travel as aliases).

    Returns
    -------
    pandas.DataFrame
        Numbers stay numbers; codes, messages and booleans become text in ``lang``.

    Raises
    ------
    hn_geo.vocabulary.VocabularyError
        A code with no word in the vocabulary: outputs never show a raw code.
    """
    import geopandas as gpd

    codes = dict(codes or {})
    out = {}
    geom = None
    for col in df.columns:
        s = df[col]
        if isinstance(df, gpd.GeoDataFrame) and col == df.geometry.name:
            geom = col
            continue
        family = codes.get(col)
        if family is not None:
            out[col] = _coded(s, family, lang, scope, col)
        elif pd.api.types.is_bool_dtype(s.dtype):
            out[col] = _booleans(s, lang) if booleans else s
        elif s.dtype == object:
            out[col] = _objects(s, lang, scope)
        else:
            out[col] = s
    frame = pd.DataFrame(out, index=df.index)
    if labels:
        frame.columns = _unique_labels([vocabulary.label(c, lang, scope, table=table)
                                        for c in frame.columns])
    if keep_geometry and geom is not None:
        return gpd.GeoDataFrame(frame, geometry=df.geometry.values, crs=df.crs)
    return frame


def _unique_labels(labels):
    seen, out = {}, []
    for lab in labels:
        n = seen.get(lab, 0)
        seen[lab] = n + 1
        out.append(lab if n == 0 else f"{lab} ({n + 1})")
    return out


def _coded(s, family, lang, scope, col):
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    values = pd.unique(s.dropna())
    table = {}
    for v in values:
        if isinstance(v, Word):
            table[v] = vocabulary.word(v.family, v.code, lang, scope)
        else:
            table[v] = vocabulary.word(family, str(v), lang, scope)
    shown = s.map(table)
    return shown.where(s.notna(), "").astype(object)


def _booleans(s, lang):
    yes, no = vocabulary.ui("yes", lang), vocabulary.ui("no", lang)
    arr = pd.array(s, dtype="boolean")
    out = np.where(arr.fillna(False), yes, no).astype(object)
    out[np.asarray(arr.isna())] = ""
    return pd.Series(out, index=s.index, dtype=object)


def _objects(s, lang, scope):
    vals = s.to_numpy(dtype=object)
    if not any(isinstance(v, (Msg, Word, bool, np.bool_, list, tuple)) for v in vals):
        return s
    return pd.Series([_cell(v, lang, scope) for v in vals], index=s.index, dtype=object)


def _cell(v, lang, scope):
    if isinstance(v, (Msg, Word)):
        return vocabulary.render(v, lang, scope)
    if isinstance(v, (bool, np.bool_)):
        return vocabulary.ui("yes" if v else "no", lang)
    if isinstance(v, (list, tuple)):
        return vocabulary.join([_cell(x, lang, scope) for x in v], lang)
    return v


def present_result(result, *, lang="zh"):
    """Every table of a result, presented: ``{table code: DataFrame}``."""
    return {key: present(df, lang=lang, scope=result.name, codes=result.codes, table=key)
            for key, df in result.tables.items()}


CSV_FLOAT_FORMAT = "%.10g"
"""Floats in CSV files: up to 10 significant digits (0.1 + 0.2 is written 0.3)."""
