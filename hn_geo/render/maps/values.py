"""What a map shows of a layer's attributes: presented words, short numbers, ISO dates.

Codes, messages and booleans are turned into words by :func:`hn_geo.render.tables.present`
(in the map's language, with the layer's own vocabulary scope); numbers are shortened for
popups; every value ends up as text or None, so it serialises to JSON.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hn_geo import vocabulary
from hn_geo.render.labels import column_label
from hn_geo.render.maps.families import word_codes
from hn_geo.render.tables import present


def is_numeric(series):
    """Numeric and not boolean."""
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def missing(v):
    """None, NA, NaT or NaN."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def format_number(v):
    """Short display text of a number: thousands separators, at most 3 significant decimals."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return f"{int(v):,}"
    v = float(v)
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:,.1f}"
    if abs(v) >= 0.01:
        return f"{v:.3g}" if abs(v) < 1 else f"{v:.2f}"
    return f"{v:.2g}"


def _text(v):
    if missing(v) or (isinstance(v, str) and not v):
        return None
    if isinstance(v, (float, np.floating, int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return format_number(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def year_like(series):
    """A column of years: named ``*year*``, whole numbers between 1000 and 2999."""
    if series.name is None or "year" not in str(series.name).lower() or not is_numeric(series):
        return False
    v = pd.to_numeric(series, errors="coerce").dropna()
    return len(v) > 0 and bool((v == np.round(v)).all()) and bool(v.between(1000, 2999).all())


def display_values(series):
    """Presented values as display text (None for missing): dates ISO, numbers short, years
    as years (2025, not 2,025).

    Works on any dtype (datetime, timedelta, pyarrow strings, objects holding Timestamps
    or Decimals). Returns an object Series holding str or None.
    """
    s = series
    if year_like(s):
        out = [None if missing(v) else str(int(v)) for v in s.tolist()]
        return pd.Series(out, index=s.index, dtype=object, name=s.name)
    if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(s):
        text = s.dt.strftime("%Y-%m-%d %H:%M").tolist()
        out = [None if missing(v) else str(t).replace(" 00:00", "") for v, t in zip(s.tolist(), text)]
    elif is_numeric(s) and s.dtype.kind in "iuf":
        out = _per_distinct(s, format_number)
    elif is_numeric(s):
        out = [None if missing(v) else format_number(v) for v in s.tolist()]
    elif is_text(s):
        out = plain_texts(s)
    else:
        out = [_text(v) for v in s.tolist()]
    return pd.Series(out, index=s.index, dtype=object, name=s.name)


def _per_distinct(s, func):
    """``func`` of each distinct value of a plain numpy column (None for NaN), one call per
    distinct value: a million areas take as many calls as they have distinct values."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    table = np.array([func(v) for v in uniques.tolist()] + [None], dtype=object)
    return table[np.where(codes < 0, len(uniques), codes)]


def is_text(series):
    """A column holding text only (str values, or missing): checked in C (pandas' inference)."""
    return pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def plain_texts(series):
    """Display text of a text-only column (:func:`is_text`) as an object array: the strings,
    None for missing or empty ones (what :func:`_text` gives each value, without a call per
    value)."""
    out = series.to_numpy(dtype=object, na_value=None).copy()
    out[out == ""] = None
    return out


def shown_values(gdf, fields, spec, lang):
    """``{column: display text Series}`` of the popup fields of a layer (codes as words)."""
    codes = {c: f for c, f in word_codes(spec, gdf).items() if c in fields}
    shown = present(pd.DataFrame(gdf[fields]), lang=lang, scope=spec.scope, codes=codes, labels=False,
                    table=spec.name)
    return {c: display_values(shown[c]) for c in fields}


def field_label(spec, column, lang):
    """Display label of a column of a layer: the caller's label, the layer's own entry
    (``<layer>.<column>``) in its scope or the catalog's, then the column's generic entry.

    A result layer of catalog features keeps their catalog labels: the control units on the
    zoning map have a 管控单元名称, not the 项目名称 the zoning block gives to ``name``.
    A column the result declares coded (``spec.codes``, e.g. the check's ``status``) is the
    analysis' own and takes the analysis' label even where the catalog layer has a field of
    that name (the projects' input ``status`` is renamed ``build_type`` by the check).
    """
    if spec.labels and column in spec.labels:
        return column_label(column, lang, overrides=spec.labels)
    if column not in (spec.codes or {}):
        key = f"{spec.name}.{column}"
        for scope in dict.fromkeys(b for b in (spec.scope, "ground") if b):
            if key in ((vocabulary.load().get(scope) or {}).get("columns") or {}):
                return column_label(key, lang, scope=scope)
    return column_label(column, lang, scope=spec.scope, table=spec.name, any_layer=True)


def field_labels(spec, gdf, lang):
    """Display label of every attribute column of a layer (its own scope and table)."""
    return {c: field_label(spec, c, lang) for c in gdf.columns if c != gdf.geometry.name}


def encode_columns(values, fields, labels):
    """Popup columns as display text, dictionary-encoded when values repeat.

    ``values`` is ``{column: display text Series}`` (:func:`shown_values`). Returns a list
    of ``{"l": label, "v": [text or None, ...]}`` or ``{"l": label, "c": [code, ...],
    "d": [text, ..., None]}``: the keys are written once per column instead of once per
    feature.
    """
    cols = []
    for c in fields:
        vals = values[c]
        n = len(vals)
        codes, uniques = pd.factorize(vals, use_na_sentinel=True)
        if len(uniques) <= max(1, n // 4):
            d = [str(u) for u in uniques] + [None]
            codes = np.where(codes < 0, len(uniques), codes)
            cols.append({"l": labels[c], "c": codes.tolist(), "d": d})
        else:
            cols.append({"l": labels[c], "v": vals.tolist()})
    return cols
