"""Classes of samples and of period means, with the detection-limit rule (vectorised).

A value below the detection limit enters at half the limit (as the results reader gives
it) but never causes an exceedance of the reference (target) class on its own, even when
half its detection limit is above the class limit: where it takes part, the item's class
is capped at the reference class unless the detected values alone already exceed it.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from hn_geo.reference import gb3838


def item_codes(frame):
    """Table 1 item columns present in a frame, in the standard's order."""
    return [c for c in gb3838.items() if c in frame.columns]


def classify_values(values, lake=None, reference=None, low=None):
    """Classify every item of every row, applying the detection-limit rule.

    Parameters
    ----------
    values : pandas.DataFrame
        Item-code columns; concentrations with below-detection values at half
        the detection limit (means of such values for periods).
    lake : array_like of bool, optional
        Lake/reservoir rows.
    reference : array_like of int, optional
        Reference (target) class per row, 1..5; class III when omitted.
    low : pandas.DataFrame, optional
        The same values with below-detection values at zero. Where it differs
        from ``values``, a below-detection value takes part: the item's class
        is then capped at the reference class unless the detected values
        alone (``low``) already exceed it -- below-detection values never
        cause an exceedance on their own.

    Returns
    -------
    pandas.DataFrame of int8
        Item classes 1..6, 0 = no value.
    """
    codes = item_codes(values)
    n = len(values)
    ref = (np.full(n, 3, dtype=np.int8) if reference is None
           else np.nan_to_num(np.asarray(reference, float), nan=3).astype(np.int8))
    c_half = gb3838.classify(values[codes], lake)
    if low is None:
        return c_half
    out = {}
    for c in codes:
        h = c_half[c].to_numpy()
        if c not in low.columns:
            out[c] = h
            continue
        lv = low[c].to_numpy(float)
        hv = values[c].to_numpy(float)
        differs = ~((lv == hv) | (np.isnan(lv) & np.isnan(hv)))
        if not differs.any():
            out[c] = h
            continue
        cl = gb3838.item_class(c, lv, lake)
        capped = np.where(cl > ref, np.maximum(h, cl), np.maximum(cl, np.minimum(h, ref)))
        out[c] = np.where(differs, capped, h).astype(np.int8)
    return pd.DataFrame(out, index=values.index)


def low_values(samples, *, only_nd=False):
    """The sample values with below-detection cells at zero (see :func:`classify_values`).

    With ``only_nd`` just the items that have ``nd_<code>`` flags.
    """
    codes = [c for c in item_codes(samples) if not only_nd or f"nd_{c}" in samples.columns]
    low = {}
    for c in codes:
        f = f"nd_{c}"
        v = samples[c].to_numpy(float)
        low[c] = np.where(samples[f].to_numpy(bool), 0.0, v) if f in samples.columns else v
    return pd.DataFrame(low, index=samples.index)


def classify_samples(samples, lake=None, reference=None):
    """Item classes and section class of every sample row (vectorised).

    Parameters
    ----------
    samples : pandas.DataFrame
        From :func:`hn_geo.ground.water_results.prepare_results` (item columns and
        ``nd_<code>`` flags).
    lake, reference : see :func:`classify_values`.

    Returns
    -------
    item_classes : pandas.DataFrame of int8
    section_class : numpy.ndarray of int8
        Worst class over the 21 items of the method (0 = no value).
    """
    codes = item_codes(samples)
    has_nd = any(f"nd_{c}" in samples.columns for c in codes)
    cls = classify_values(samples[codes], lake, reference,
                          low_values(samples, only_nd=True) if has_nd else None)
    return cls, gb3838.section_class(cls)


def aggregate(samples, by):
    """Arithmetic means per group, with below-detection values at half (and at zero).

    Parameters
    ----------
    samples : pandas.DataFrame
        Item columns, ``nd_<code>`` flags and the ``by`` columns.
    by : list of str
        Group columns, e.g. ``['section_id', 'year']``.

    Returns
    -------
    means : pandas.DataFrame
        ``by`` columns, ``n_samples`` and the mean of each item.
    low : pandas.DataFrame
        The same means with below-detection values at zero, aligned with
        ``means`` (equal to it where no below-detection value took part).
    """
    codes = item_codes(samples)
    lowv = low_values(samples)
    half = samples[codes]
    # unknown-limit cells (value NaN, flagged) stay out of both means
    lowv = lowv.where(half.notna())
    keys = samples[by]
    g_half = pd.concat([keys, half], axis=1).groupby(by, sort=True, dropna=False)
    means = g_half[codes].mean()
    means.insert(0, "n_samples", g_half.size())
    low = pd.concat([keys, lowv], axis=1).groupby(by, sort=True, dropna=False)[codes].mean()
    # groups of unknown-limit non-detects only: detected values "zero" -> class I
    unknown = pd.DataFrame({c: (samples[f"nd_{c}"].to_numpy(bool) & samples[c].isna().to_numpy())
                            if f"nd_{c}" in samples.columns else np.zeros(len(samples), bool)
                            for c in codes}, index=samples.index)
    any_unknown = pd.concat([keys, unknown], axis=1).groupby(by, sort=True, dropna=False)[codes].any()
    low = low.where(~(low.isna() & any_unknown), 0.0)
    return means.reset_index(), low.reset_index(drop=True)


def round_sig(values, digits=4):
    """Round to ``digits`` significant figures (keeps small concentrations such as Hg)."""
    x = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.floor(np.log10(np.abs(x)))
        scale = np.where(np.isfinite(mag), 10.0 ** (digits - 1 - mag), 1.0)
        out = np.round(x * scale) / scale
    return np.where(np.isfinite(x) & (x != 0), out, x)


def max_or_nan(matrix):
    """Row-wise maximum ignoring NaN; NaN for rows with no value (no RuntimeWarning)."""
    n = matrix.shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmax(np.column_stack([matrix, np.full(n, np.nan)]), axis=1)
