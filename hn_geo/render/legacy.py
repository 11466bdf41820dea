"""TEMPORARY: outputs of 0.1 results (:class:`hn_geo.core.legacy.AnalysisResult`).

While the analyses move to :class:`hn_geo.core.results.AnalysisResult`, the outputs still
accept the old result type: its tables hold words and carry ``labels``. Status colours of
its status columns come from the status code each word is (an exact match against the
vocabulary's status words, as the readers match words; no substring guessing); a word that
is no status word is left uncoloured. Delete this module with ``core/legacy.py``.
"""
from __future__ import annotations

import pandas as pd

from hn_geo import vocabulary
from hn_geo.render import tables, xlsx


def is_legacy(result):
    """Whether ``result`` is a 0.1 result (words and ``labels``, no ``codes``)."""
    return hasattr(result, "labels") and not hasattr(result, "codes")


def status_code(value):
    """The status code a status word is, or None."""
    if not isinstance(value, str) or not value:
        return None
    return vocabulary.code_of("status", value)


def label(result, key, lang):
    """Label of a column or table of a 0.1 result (its own ``labels``), else the key."""
    lab = result.labels.get(key)
    if lab is None:
        return str(key)
    return lab if isinstance(lab, str) else lab[0 if lang == "zh" else 1]


def sheets(result, *, lang, tab=None, names=None):
    """The tables of a 0.1 result as :class:`~hn_geo.render.xlsx.Sheet` objects."""
    out = []
    for key, df in result.tables.items():
        shown = tables.localize(df, result.labels, lang)
        cols = [c for c in df.columns if c != "geometry"]
        status = {i: [status_code(v) for v in df[c].tolist()] for i, c in enumerate(cols)
                  if c in result.status_columns}
        out.append(xlsx.Sheet((names or {}).get(key, key), shown, status=status, keys=cols, tab=tab))
    return out


def summary_rows(result, lang):
    """``(figure label, value, unit, target, status code)`` rows of a 0.1 result's summary."""
    rows = []
    for key, value in result.summary.items():
        fig = key[0 if lang == "zh" else 1] if isinstance(key, tuple) else label(result, key, lang)
        if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
            value = value[0 if lang == "zh" else 1]
        value = xlsx.plain(value)
        rows.append((fig, value, "", None, status_code(value)))
    return rows


def coded_layer(result, gdf):
    """A layer of a 0.1 result with its status words turned into codes where all are.

    Returns
    -------
    (GeoDataFrame, dict)
        The layer and its ``codes`` mapping (``'status'`` for the converted columns).
    """
    codes = {}
    out = gdf
    for col in result.status_columns:
        if col not in gdf.columns:
            continue
        vals = gdf[col].tolist()
        decoded = [status_code(v) for v in vals]
        if all(c is not None or v is None or (isinstance(v, float) and pd.isna(v))
               for c, v in zip(decoded, vals)):
            out = out.copy() if out is gdf else out
            out[col] = decoded
            codes[col] = "status"
    return out, codes
