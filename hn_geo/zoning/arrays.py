"""Small array helpers of the zoning check: columns as arrays, coded and listed cells,
counted warnings."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.results import Msg

SHOWN_IDS = 5
"""How many ids a counted warning names before '... and N more'."""


def warn(code, **params):
    """Emit a counted :class:`~hn_geo.core.errors.HnGeoWarning` with a message code."""
    warnings.warn(HnGeoWarning(code, **params), stacklevel=3)


def ids(values, idx, n=SHOWN_IDS):
    """The first ``n`` of ``values[idx]``: a list, or a Msg '..., and k more'."""
    shown = [str(values[i]) for i in idx[:n]]
    if len(idx) > n:
        return Msg("zoning.ids_more", ids=shown, more=len(idx) - n)
    return shown


def num(gdf, col):
    """Column as float array (NaN where missing or absent)."""
    if col not in gdf.columns:
        return np.full(len(gdf), np.nan)
    return pd.to_numeric(gdf[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def text(gdf, col):
    """Column as a Series (all None when absent)."""
    if col not in gdf.columns:
        return pd.Series([None] * len(gdf), index=gdf.index, dtype=object)
    return gdf[col]


def cat(codes, words):
    """Categorical from integer codes into a list of texts (-1 -> missing; repeats merged)."""
    words = [str(w) for w in words]
    codes = np.asarray(codes, dtype=np.int64)
    uniq = list(dict.fromkeys(words))
    if len(uniq) != len(words):
        remap = np.array([uniq.index(w) for w in words], dtype=np.int64)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
    return pd.Categorical.from_codes(codes, categories=uniq)


def coded(codes, values):
    """Object array ``values[codes]`` of codes (None where ``codes`` is -1)."""
    table = np.array(list(values) + [None], dtype=object)
    codes = np.asarray(codes, dtype=np.int64)
    return table[np.where(codes >= 0, codes, len(table) - 1)]


def objects(seq):
    """An object array holding the items of ``seq`` as they are (tuples stay tuples)."""
    arr = np.empty(len(seq), dtype=object)
    for i, item in enumerate(seq):
        arr[i] = item
    return arr


def per_group(grp, f_unit, first, items):
    """Per finding group: the tuple of ``items`` of its units (Python only for groups
    reached through several units)."""
    if grp.size == 0:
        return np.zeros(0, dtype=object)
    single = objects([(x,) for x in items])
    out = single[f_unit[first]]
    sizes = np.bincount(grp)
    for g in np.flatnonzero(sizes > 1):
        out[g] = tuple(items[u] for u in f_unit[grp == g])
    return out


def per_project(pp, pu, n_p, items, unique=False):
    """Per project: the tuple of ``items`` of its units (None outside every unit).

    Distinct tuples are shared between projects, so a million rows cost one index array.
    """
    items = list(items)
    idx = np.full(n_p, len(items), dtype=np.int64)  # -> None
    idx[pp[::-1]] = pu[::-1]  # first unit of each project
    n_units = np.bincount(pp, minlength=n_p)
    cands = [(x,) for x in items] + [None]
    multi = np.flatnonzero(n_units > 1)
    if multi.size:
        extra = {}
        for m, s in zip(multi, np.searchsorted(pp, multi)):
            vals = tuple(items[u] for u in pu[s:s + n_units[m]])
            if unique:
                vals = tuple(dict.fromkeys(vals))
            if vals not in extra:
                extra[vals] = len(cands) + len(extra)
            idx[m] = extra[vals]
        cands += list(extra)
    return objects(cands)[idx]


def rule_lists(proj, rule, n_p, rule_ids):
    """Per project: the tuple of ids of the rules it breaks, None for none (via bit masks
    of rule sets)."""
    codes = np.full(n_p, 0, dtype=np.int64)  # 0 -> None
    if proj.size == 0:
        return objects([None])[codes]
    n_r = len(rule_ids)
    words = (n_r + 63) // 64
    mask = np.zeros((n_p, words), dtype=np.uint64)
    np.bitwise_or.at(mask, (proj, rule // 64), (np.uint64(1) << (rule % 64).astype(np.uint64)))
    hit = np.flatnonzero(mask.any(axis=1))
    if words == 1:
        combos, inv = np.unique(mask[hit, 0], return_inverse=True)
        combos = combos[:, None]
    else:
        combos, inv = np.unique(mask[hit], axis=0, return_inverse=True)
    sets = [None]
    for row in combos:
        sets.append(tuple(rule_ids[w * 64 + b] for w in range(words) for b in range(64)
                          if w * 64 + b < n_r and (int(row[w]) >> b) & 1))
    codes[hit] = inv.ravel() + 1
    return objects(sets)[codes]
