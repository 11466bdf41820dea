"""Result tables as readers see them: codes -> words, labels as headers; CSV and XLSX.

:func:`present` turns a table or layer of an :class:`~hn_geo.core.results.AnalysisResult`
(status codes, codes of value families, :class:`~hn_geo.core.results.Msg` cells, booleans,
numbers) into words of one language, numbers staying numbers. :func:`result_sheets` adds
the status codes of each status column, from which the XLSX writer
(:mod:`hn_geo.render.xlsx`) colours cells. CSVs are UTF-8 with BOM (Excel opens Chinese
text correctly), floats written with 10 significant digits, and text a spreadsheet would
take for a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) written with a leading ``'``
(:func:`hn_geo.render.escape.csv_text`); numbers stay numbers.
"""
from __future__ import annotations

import io as _io

import geopandas as gpd
import numpy as np
import pandas as pd

from hn_geo import vocabulary
from hn_geo.core.files import write_bytes
from hn_geo.core.results import Msg, Word
from hn_geo.render import escape, xlsx
from hn_geo.render import labels as _labels

LANGS = ("zh", "en")
CSV_FLOAT_FORMAT = "%.10g"
"""Floats in CSV files: up to 10 significant digits (0.1 + 0.2 is written 0.3)."""


def write_csv(df, path):
    """Write CSV as UTF-8 with BOM, so Excel opens Chinese text correctly.

    Floats are written with :data:`CSV_FLOAT_FORMAT` (no ``15.200000000000001``), infinite ones
    as empty cells with a counted warning (:func:`~hn_geo.render.escape.finite_numbers`); text cells
    and headers are neutralised against formula injection (:func:`csv_cells`); lines end in
    CRLF (RFC 4180).
    """
    buf = _io.StringIO()
    # CRLF line ends (RFC 4180): a field holding a CR or LF is quoted, so it stays one cell
    frame = escape.finite_numbers(pd.DataFrame(df), path)
    csv_cells(_round_object_floats(frame)).to_csv(buf, index=False, float_format=CSV_FLOAT_FORMAT,
                                                             lineterminator="\r\n")
    return write_bytes(buf.getvalue().encode("utf-8-sig"), path)


def csv_cells(df):
    """The frame with its text cells and headers as CSV text (:func:`~hn_geo.render.escape.csv_text`).

    Only text changes: number columns, and numbers inside text columns, are left as they are.
    """
    out = None
    for j in range(df.shape[1]):
        s = df.iloc[:, j]
        text_like = isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(s.dtype)
        if s.dtype != object and not text_like:
            continue
        vals = s.astype(object).tolist()
        if any(isinstance(v, str) and (escape.formula_like(v) or v[:1] == "'" or "\x00" in v) for v in vals):
            out = df.copy() if out is None else out
            out.isetitem(j, pd.Series([escape.stored_text(escape.csv_text(v)) if isinstance(v, str) else v
                                       for v in vals], index=df.index, dtype=object))
    heads = [escape.csv_text(str(c)) for c in df.columns]
    if heads != [str(c) for c in df.columns]:
        out = (df.copy() if out is None else out).set_axis(heads, axis=1)
    return df if out is None else out


def _round_object_floats(df):
    """Floats inside text columns (e.g. key figures) written like float columns."""
    out = None
    for j in range(df.shape[1]):
        vals = df.iloc[:, j].tolist()
        if df.iloc[:, j].dtype == object and any(isinstance(v, float) for v in vals):
            out = df.copy() if out is None else out
            out.isetitem(j, pd.Series([(CSV_FLOAT_FORMAT % v if np.isfinite(v) else None)
                                       if isinstance(v, float) else v for v in vals],
                                      index=df.index, dtype=object))
    return df if out is None else out


def write_xlsx(sheets, path):
    """Write one XLSX with a sheet per table (the one sheet writer, :mod:`hn_geo.render.xlsx`).

    Parameters
    ----------
    sheets : list of hn_geo.render.xlsx.Sheet, or dict
        Sheets with their status codes (see :func:`result_sheets`), or ``{sheet name:
        DataFrame}`` for plain tables (no status colours).
    """
    if isinstance(sheets, dict):
        sheets = [xlsx.Sheet(str(name), pd.DataFrame(df)) for name, df in sheets.items()]
    return xlsx.write_workbook(sheets, path)


# ----------------------------------------------------------------------------- codes -> words
def present(df, *, lang="zh", scope=None, codes=None, keep_geometry=False, labels=True, table=None,
            bool_words=True):
    """A result frame as a reader sees it: column labels and every code turned into words.

    Parameters
    ----------
    df : pandas.DataFrame or geopandas.GeoDataFrame
        A table or layer of an :class:`~hn_geo.core.results.AnalysisResult` (codes,
        :class:`~hn_geo.core.results.Msg` cells, booleans, numbers).
    lang : {'zh', 'en'}
    scope : str, optional
        Vocabulary block whose column labels and value families come first (the
        analysis name, e.g. 'water'; 'ground' for catalog layers).
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
    bool_words : bool
        Booleans as 是/否 (yes/no); False keeps them booleans (share packages).

    Returns
    -------
    pandas.DataFrame
        Numbers stay numbers; codes, messages (and booleans) become text in ``lang``.

    Raises
    ------
    hn_geo.vocabulary.VocabularyError
        A code with no word in the vocabulary: outputs never show a raw code.
    """
    codes = dict(codes or {})
    out = {}
    geom = df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None
    for col in df.columns:
        if col == geom:
            continue
        s = df[col]
        family = codes.get(col)
        if family is not None:
            out[col] = _coded(s, family, lang, scope)
        elif pd.api.types.is_bool_dtype(s.dtype):
            out[col] = _booleans(s, lang) if bool_words else s
        elif s.dtype == object:
            out[col] = _objects(s, lang, scope, bool_words)
        else:
            out[col] = s
    frame = pd.DataFrame(out, index=df.index)
    if labels:
        frame.columns = _unique_labels([_labels.column_label(c, lang, scope=scope, table=table)
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


def _coded(s, family, lang, scope):
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    # the words of the distinct codes, then one take per row (missing -> "")
    index, uniques = pd.factorize(s)
    words = [vocabulary.word(v.family, v.code, lang, scope) if isinstance(v, Word)
             else vocabulary.word(family, str(v), lang, scope) for v in uniques]
    return pd.Series(np.array(words + [""], dtype=object)[index], index=s.index, dtype=object)


def _booleans(s, lang):
    yes, no = vocabulary.ui("yes", lang), vocabulary.ui("no", lang)
    arr = pd.array(s, dtype="boolean")
    out = np.where(arr.fillna(False), yes, no).astype(object)
    out[np.asarray(arr.isna())] = ""
    return pd.Series(out, index=s.index, dtype=object)


def _objects(s, lang, scope, bool_words=True):
    vals = s.to_numpy(dtype=object)
    kinds = (Msg, Word, list, tuple) + ((bool, np.bool_) if bool_words else ())
    if not any(isinstance(v, kinds) for v in vals):
        return s
    words = {}  # each distinct value rendered once: a column of 100k codes has a few
    out = []
    for v in vals:
        try:
            key = (type(v), tuple(v) if isinstance(v, list) else v)
            text = words.get(key, _UNSEEN)
        except TypeError:  # unhashable (a Msg with parameters): rendered as it is
            out.append(_cell(v, lang, scope, bool_words))
            continue
        if text is _UNSEEN:
            text = words[key] = _cell(v, lang, scope, bool_words)
        out.append(text)
    return pd.Series(out, index=s.index, dtype=object)


_UNSEEN = object()


def _cell(v, lang, scope, bool_words=True):
    if isinstance(v, (Msg, Word)):
        return vocabulary.render(v, lang, scope)
    if isinstance(v, (bool, np.bool_)) and bool_words:
        return vocabulary.ui("yes" if v else "no", lang)
    if isinstance(v, (list, tuple)):
        return vocabulary.join([_cell(x, lang, scope, True) for x in v], lang)
    return v


def present_result(result, *, lang="zh"):
    """Every table of a result, presented: ``{table code: DataFrame}``."""
    return {key: present(df, lang=lang, scope=result.name, codes=result.codes, table=key)
            for key, df in result.tables.items()}


def status_codes(df, codes):
    """``{column position: status codes}`` of the status columns of ``df`` (geometry left out)."""
    geom = df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None
    cols = [c for c in df.columns if c != geom]
    return {i: df[c].tolist() for i, c in enumerate(cols) if (codes or {}).get(c) == "status"}


def result_sheets(result, *, lang="zh", tab=None, names=None):
    """The tables of a result as :class:`~hn_geo.render.xlsx.Sheet` objects.

    Sheet names are the vocabulary's (``tables.<code>.sheet`` of the analysis' block, in
    ``lang``) unless ``names`` (``{table code: name}``) gives them.
    """
    sheets = []
    for key, df in result.tables.items():
        name = (names or {}).get(key) or vocabulary.sheet_name(key, lang, result.name)
        geom = df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None
        sheets.append(xlsx.Sheet(
            name, present(df, lang=lang, scope=result.name, codes=result.codes, table=key),
            status=status_codes(df, result.codes), keys=[c for c in df.columns if c != geom], tab=tab))
    return sheets
