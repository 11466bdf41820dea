"""TN and TP of the sea-entry rivers: annual means and their year-on-year change.

The plan (三.八) asks for total-nitrogen and total-phosphorus concentration control on the
three main sea-entry rivers (长山河, 上塘河, 盐官下河).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from hn_geo.water.classify import aggregate

SEA_ENTRY_RIVERS = ("长山河", "上塘河", "盐官下河")
"""The three main sea-entry rivers of the plan (used when the rivers layer flags none)."""
TREND_COLUMNS = ["river", "year", "n_samples", "tn", "tp", "tn_change_prev_pct",
                 "tn_change_first_pct", "tp_change_prev_pct", "tp_change_first_pct", "trend"]


def sea_entry_rivers(rivers=None):
    """River names of the trend table: those flagged ``sea_entry`` in ``rivers``, else
    :data:`SEA_ENTRY_RIVERS`."""
    if rivers is None or "sea_entry" not in rivers.columns:
        return SEA_ENTRY_RIVERS
    flagged = rivers.loc[rivers["sea_entry"].fillna(False).astype(bool), "name"].astype(str)
    return tuple(dict.fromkeys(flagged)) or SEA_ENTRY_RIVERS


def trend_codes(tn_change, tp_change):
    """``down`` when neither rose, ``up`` when both rose, ``mixed`` otherwise; None when
    both changes are unknown (first year)."""
    both = np.column_stack([np.asarray(tn_change, float), np.asarray(tp_change, float)])
    down = np.nan_to_num(both, nan=0) <= 0
    code = np.where(down.all(axis=1), "down", np.where((~down).all(axis=1), "up", "mixed"))
    return np.where(np.isnan(both).all(axis=1), None, code).astype(object)


def sea_entry_trend(samples, sections, *, rivers=SEA_ENTRY_RIVERS):
    """Annual TN and TP means of the sea-entry rivers and their year-on-year change.

    Parameters
    ----------
    samples : pandas.DataFrame
        Matched samples (``section_id``, ``year``, ``tn``, ``tp`` with ND flags).
    sections : pandas.DataFrame
        With ``section_id`` and ``river``.
    rivers : sequence of str
        River names (default the plan's 长山河, 上塘河, 盐官下河).

    Returns
    -------
    pandas.DataFrame
        ``river``, ``year``, ``n_samples``, ``tn``, ``tp`` [mg/L], changes against the
        previous and the first year [%] and the ``trend`` code.
    """
    present = [c for c in ("tn", "tp") if c in samples.columns]
    if not present:
        return pd.DataFrame(columns=TREND_COLUMNS)
    river_of = sections.set_index("section_id")["river"].astype(str)
    s = samples.assign(river=river_of.reindex(samples["section_id"].astype(str)).to_numpy())
    s = s[s["river"].isin(list(rivers))]
    if s.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    means, _ = aggregate(s, by=["river", "year"])
    out = means[["river", "year", "n_samples"] + present].copy()
    for c in ("tn", "tp"):
        if c not in out.columns:
            out[c] = np.nan
        g = out.groupby("river")[c]
        out[f"{c}_change_prev_pct"] = (100 * g.pct_change()).round(1)
        out[f"{c}_change_first_pct"] = (100 * (out[c] / g.transform("first") - 1)).round(1)
        out[c] = out[c].round(3)
    out["trend"] = trend_codes(out["tn_change_prev_pct"], out["tp_change_prev_pct"])
    return out[TREND_COLUMNS].reset_index(drop=True)
