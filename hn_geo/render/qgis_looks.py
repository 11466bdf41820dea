"""Reading the maps' looks of a layer: which column(s) its map styles follow.

The maps colour a layer by codes (:func:`hn_geo.render.maps.registry.style_for` gives one
Leaflet style per feature); :func:`read_looks` finds what those styles follow, so that
:mod:`hn_geo.render.qgis_styles` can write the same look as a QGIS renderer:

* one look for all features;
* a coded, boolean or text column (the fewest values; declared codes first; a column with
  a value per feature -- ids, names -- does not count);
* the fill following one column and the outline another (water class and status);
* a numeric column along whose sorted values the look changes in contiguous blocks (a
  colour ramp or classes);
* else two columns together, else the most common look.

Layers of more than :data:`SAMPLE_ROWS` features are read from a seeded sample.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hn_geo.render.maps.registry import style_for
from hn_geo.render.maps.values import is_numeric

MAX_CATEGORIES = 40
"""A text column with more values than this is not a category column."""
SAMPLE_ROWS = 20_000
"""Layers larger than this are styled from a seeded sample of this many features."""
FILL_KEYS = ("fill", "fillColor", "fillOpacity", "radius")
"""Keys of a map style that make a feature's fill (the rest make its outline)."""


def hashable(series):
    """A column as hashable values (lists and Msgs as text); text, numbers and booleans as they are."""
    if series.dtype != object or pd.api.types.infer_dtype(series, skipna=True) in ("string", "boolean", "integer",
                                                                                   "floating", "empty"):
        return series
    return series.map(lambda v: v if v is None or isinstance(v, (str, int, float, bool, np.bool_, np.number))
                      else str(v))


def _style_ids(styles):
    keys = [json.dumps({k: v for k, v in s.items() if v is not None}, sort_keys=True) for s in styles]
    ids, uniq = pd.factorize(pd.Series(keys))
    return ids, [json.loads(u) for u in uniq]


def _columns(gdf):
    return [c for c in gdf.columns if c != gdf.geometry.name]


def depends(keys, ids):
    """Whether the look (``ids``) is a function of the factorised column ``keys``."""
    n = int(keys.max()) + 1 if len(keys) else 0
    return len(np.unique(keys.astype(np.int64) * (int(ids.max()) + 1) + ids)) == n


def _categorical(gdf, spec, ids):
    """The coded, boolean or text column the look follows (fewest values; declared codes
    first), or None. Columns with a value per feature (ids, names) do not count."""
    declared = set(spec.codes or {})
    n_looks = int(ids.max()) + 1
    found = []
    for i, col in enumerate(_columns(gdf)):
        s = gdf[col]
        if is_numeric(s) and not pd.api.types.is_bool_dtype(s):
            continue
        keys, uniq = pd.factorize(hashable(s), use_na_sentinel=False)
        if len(uniq) > MAX_CATEGORIES or (len(uniq) == len(s) and len(uniq) > n_looks):
            continue
        if depends(keys, ids):
            rank = 0 if col in declared else 1 if pd.api.types.is_bool_dtype(s) else 2
            found.append((len(uniq), rank, i, col))
    return min(found)[3] if found else None


def _numeric(gdf, ids):
    """A numeric column along whose sorted values the look changes in contiguous blocks (a
    colour ramp or classes), or None."""
    for col in _columns(gdf):
        s = gdf[col]
        if pd.api.types.is_bool_dtype(s) or not is_numeric(s):
            continue
        v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(v)
        if ok.sum() < 2:
            continue
        if not depends(pd.factorize(v[ok])[0], ids[ok]):
            continue
        seq = ids[ok][np.argsort(v[ok], kind="stable")]
        runs = int((np.diff(seq) != 0).sum()) + 1
        if 2 <= runs == len(np.unique(seq)) and len(np.unique(ids[~ok])) <= 1:
            return col
    return None


def _pair(gdf, spec, ids, looks):
    """Two low-cardinality columns whose values together give the look (fewest combinations);
    the one that sets the fill colour first (water class filled, status as the outline)."""
    fills = pd.factorize(pd.Series([looks[i].get("fillColor") or looks[i].get("color") for i in ids]))[0]
    cols = []
    for col in _columns(gdf):
        keys, uniq = pd.factorize(hashable(gdf[col]), use_na_sentinel=False)
        if 1 < len(uniq) <= 12:
            cols.append((col, keys, len(uniq)))
    declared, best = set(spec.codes or {}), None
    for i, (a, ka, na) in enumerate(cols):
        for b, kb, nb in cols[i + 1:]:
            combo = pd.factorize(ka.astype(np.int64) * nb + kb)[0]
            if not depends(combo, ids):
                continue
            score = (int(combo.max()) + 1, (a not in declared) + (b not in declared))
            first_a = depends(ka, fills) or not depends(kb, fills) and na <= nb
            if best is None or score < best[0]:
                best = (score, (a, b) if first_a else (b, a))
    return None if best is None else best[1]


# ----------------------------------------------------------------------------- reading
@dataclass
class Looks:
    """The map's looks of a (sampled) layer and the column(s) they follow."""

    g: object
    s: object
    ids: np.ndarray
    looks: list
    kind: str
    column: object = None


def _sample(gdf, shown):
    if len(gdf) <= SAMPLE_ROWS:
        return gdf, shown
    idx = np.sort(np.random.default_rng(0).choice(len(gdf), SAMPLE_ROWS, replace=False))
    return gdf.iloc[idx].reset_index(drop=True), shown.iloc[idx].reset_index(drop=True)


def _part_ids(looks, ids, keys, inside):
    part = [json.dumps({k: v for k, v in lk.items() if (k in keys) == inside}, sort_keys=True) for lk in looks]
    return pd.factorize(pd.Series(part))[0][ids]


def read_looks(spec, gdf, shown, lang):
    """How the map draws a (sampled) layer: one look, or the column(s) its looks follow. The
    fill and the outline are read apart: a fill that follows one column and an outline that
    follows another (water class and status) give nested rules."""
    g, s = _sample(gdf, shown)
    ids, looks = _style_ids(style_for(spec, g, lang).styles)
    if len(looks) == 1:
        return Looks(g, s, ids, looks, "single")
    fill, line = _part_ids(looks, ids, FILL_KEYS, True), _part_ids(looks, ids, FILL_KEYS, False)
    by_fill = _categorical(g, spec, fill) if fill.max() > 0 else None
    by_line = _categorical(g, spec, line) if line.max() > 0 else None
    if by_fill and by_line and by_fill != by_line:
        return Looks(g, s, ids, looks, "rules", (by_fill, by_line))
    col = next((c for c in (by_fill, by_line) if c and depends(pd.factorize(hashable(g[c]),
                                                                           use_na_sentinel=False)[0], ids)), None)
    if col is None:
        col = _categorical(g, spec, ids)
    if col is not None:
        return Looks(g, s, ids, looks, "categorized", col)
    col = _numeric(g, ids)
    if col is not None:
        return Looks(g, s, ids, looks, "graduated", col)
    pair = _pair(g, spec, ids, looks)
    if pair is not None:
        return Looks(g, s, ids, looks, "rules", pair)
    ids = np.zeros(len(ids), dtype=ids.dtype) + int(np.bincount(ids).argmax())
    return Looks(g, s, ids, looks, "single")
