"""Which items set a class, which exceed the target and by how much, the main pollutants.

Items are given as codes: a :class:`~hn_geo.core.results.Word` of family ``water.item``
(``Word('water.item', 'nh3n')``), or, with its exceedance multiple, a
:class:`~hn_geo.core.results.Msg` ``water.item_multiple`` (``氨氮(0.21)`` /
``ammonia nitrogen(0.21)`` once rendered). A cell holds a tuple of them, in the order of
the 22号 method (worst class first, then the larger multiple); outputs join them in the
output language.

超标倍数 (exceedance multiple) = (C - limit of the reference class) / limit, not computed
for water temperature, pH and dissolved oxygen (环办〔2011〕22号).
"""
from __future__ import annotations

import numpy as np

from hn_geo.core.results import Msg, Word
from hn_geo.reference import gb3838
from hn_geo.water.classify import max_or_nan

ITEM = "water.item"
"""Value family of the item words."""
MAIN_POLLUTANTS = 3
"""22号: above class III, the main pollutants are the three worst items."""


def item_of(entry):
    """Item code of an entry of an items cell (Word or ``water.item_multiple`` Msg)."""
    return entry.params["item"].code if isinstance(entry, Msg) else entry.code


def empty_lists(n):
    """Object array of ``n`` empty tuples (an items column where nothing is listed)."""
    out = np.empty(n, dtype=object)
    out.fill(())
    return out


def _multiples(means, codes, reference, lake):
    n = len(means)
    if not codes:
        return np.zeros((n, 0))
    return np.column_stack([gb3838.exceedance_multiple(c, means[c].to_numpy(float), reference, lake)
                            for c in codes])


def _lists(mask, key, codes, multiples=None, limit=None):
    """Per row, the items where ``mask`` holds, ordered by ``key`` descending (stable).

    Returns an object array of tuples (of Word, or Msg where the multiple is finite).
    """
    n, k = mask.shape
    out = empty_lists(n)
    if k == 0:
        return out
    order = np.argsort(-np.where(mask, key, -np.inf), axis=1, kind="stable")
    count = mask.sum(axis=1)
    if limit is not None:
        count = np.minimum(count, limit)
    words = [Word(ITEM, c) for c in codes]
    for i in np.flatnonzero(count):
        cols = order[i, :count[i]]
        if multiples is None:
            out[i] = tuple(words[j] for j in cols)
        else:
            m = multiples[i]
            out[i] = tuple(Msg("water.item_multiple", item=words[j], multiple=float(m[j]))
                           if np.isfinite(m[j]) else words[j] for j in cols)
    return out


def describe(means, item_cls, section_cls, target, lake, *, main=True):
    """Item lists of each row: class-setting items, exceeded items, main pollutants.

    Parameters
    ----------
    means : pandas.DataFrame
        Item concentrations (sample values or period means) [mg/L; pH unitless].
    item_cls : pandas.DataFrame
        Item classes 1..6 (0 = no value), as from :func:`hn_geo.water.classify_values`.
    section_cls : array_like of int
        Section class of each row.
    target : array_like of int
        Target class of each row (1..5).
    lake : array_like of bool
        Lake/reservoir rows.
    main : bool
        Compute the main pollutants (period tables); samples leave them empty.

    Returns
    -------
    dict
        ``class_items``, ``exceed_items``, ``main_pollutants``: object arrays of tuples;
        ``max_multiple``: float array (NaN where nothing exceeds the target).
    """
    codes = [c for c in gb3838.class_items() if c in item_cls.columns]
    n = len(means)
    cls = item_cls[codes].to_numpy() if codes else np.zeros((n, 0), np.int8)
    tgt = np.nan_to_num(np.asarray(target, float), nan=0).astype(int)
    mult_t = _multiples(means, codes, tgt, lake)
    sc = np.asarray(section_cls)[:, None]
    defining = (cls == sc) & (sc > 1)
    exceed = (cls > tgt[:, None]) & (tgt[:, None] > 0) & (cls > 0)
    out = {"class_items": _lists(defining, np.zeros(cls.shape), codes),
           "exceed_items": _lists(exceed, cls * 1000.0 + np.nan_to_num(mult_t, nan=0.0), codes,
                                  mult_t),
           "max_multiple": max_or_nan(np.where(exceed, np.nan_to_num(mult_t, nan=0.0), np.nan))}
    if main:
        mult_3 = _multiples(means, codes, np.full(n, 3), lake)
        out["main_pollutants"] = _lists(cls > 3, cls * 1000.0 + np.nan_to_num(mult_3, nan=0.0),
                                        codes, mult_3, limit=MAIN_POLLUTANTS)
    else:
        out["main_pollutants"] = empty_lists(n)
    return out
