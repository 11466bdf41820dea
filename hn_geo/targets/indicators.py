"""Progress of every other target of the plan (二, 三, 四, 附件2) against actual values.

An indicator is on track when its actual value is at or beyond the linear path from its
baseline (2020) to its target (2025) in the reporting year, behind otherwise, met once it
reaches the target, and not met when the deadline has passed. ``comparator`` codes of the
plan (``>=`` ``<=`` ``<`` ``==`` ``about`` ``reduce_by`` ``reduce_by_pp`` ``increase_by``)
decide which side is good.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from hn_geo.core.results import Msg
from hn_geo.targets.progress import BASE_YEAR, DEADLINE, progress_fraction

CHANGE_COMPARATORS = ("reduce_by", "reduce_by_pp", "increase_by")
"""Comparators of targets tracked as the change achieved since 2020 (baseline 0)."""

COLUMNS = ["id", "clause", "name", "unit", "comparator", "baseline", "target", "tolerance", "year",
           "actual", "actual_year", "expected", "gap_to_target", "status", "status_note",
           "actual_source", "responsible"]
"""Columns of the result, in order."""


def _good_is_higher(comparator, direction):
    if comparator in (">=",) + CHANGE_COMPARATORS:
        return True
    if comparator == "about":
        return direction == "increase"
    return False


def _twins(targets):
    """Targets stated twice in the plan (三.（九）/附件2, 三.（十）/附件2) share their actuals."""
    twin = {}
    for tid, other in zip(targets["id"], targets["same_as"]):
        if isinstance(other, str) and other:
            twin[tid], twin[other] = other, tid
    return twin


def _actual(t, mine, year, computed):
    """(value, year, source code) of a target's actual in ``year`` (NaN when none)."""
    if len(mine) and (int(mine["year"].iloc[-1]) == year or t["id"] not in computed):
        return float(mine["value"].iloc[-1]), int(mine["year"].iloc[-1]), "statistics"
    if t["id"] in computed:
        value, source = computed[t["id"]]
        return float(value), year, source
    return np.nan, None, None


def _baseline(t, a, ids):
    if t["comparator"] in CHANGE_COMPARATORS or t["cumulative"]:
        return 0.0
    if pd.notna(t["baseline_value"]):
        return float(t["baseline_value"])
    b = a[a["target_id"].isin(ids) & (a["year"] == BASE_YEAR)]
    return float(b["value"].iloc[0]) if len(b) else np.nan


def _status(t, actual, expected, tol, final):
    """(status code, note code or None) of one target."""
    v = float(t["value"])
    if t["kind"] == "threshold":
        return "no_data", "threshold"
    if np.isnan(actual):
        return "no_data", None
    higher = _good_is_higher(t["comparator"], t["direction"])
    if t["comparator"] == "<":
        met = actual < v
    else:
        met = actual >= v - tol if higher else actual <= v + tol
    if met:
        return "met", None
    if final:
        return "not_met", None
    if np.isnan(expected):
        return "no_data", "no_baseline"
    ahead = actual >= expected - tol if higher else actual <= expected + tol
    return ("on_track" if ahead else "behind"), None


def _row(t, a, twin, year, computed, about_tolerance):
    ids = [t["id"]] + ([twin[t["id"]]] if t["id"] in twin else [])
    mine = a[a["target_id"].isin(ids) & (a["year"] <= year)].sort_values("year")
    mine = mine[~mine["year"].duplicated(keep="last")] if len(mine) else mine
    actual, ayear, source = _actual(t, mine, year, computed)
    base = _baseline(t, a, ids)
    v = float(t["value"])
    tol = 0.0
    if t["comparator"] == "about":
        tol = float(t["tolerance"]) if pd.notna(t["tolerance"]) else about_tolerance * abs(v)
    expected = base + (v - base) * progress_fraction(year) if not np.isnan(base) else np.nan
    status, note = _status(t, actual, expected, tol, year >= DEADLINE)
    return {
        "id": t["id"], "clause": t["clause"],
        "name": Msg("targets.plan_name", name=t["name"], name_en=t["name_en"]),
        "unit": t["unit_code"], "comparator": t["comparator"],
        "baseline": base, "target": v, "tolerance": tol if tol else np.nan, "year": year,
        "actual": actual, "actual_year": ayear, "expected": expected,
        "gap_to_target": (v - actual) if not np.isnan(actual) else np.nan,
        "status": status, "status_note": note, "actual_source": source, "responsible": t["responsible"],
    }


def indicator_progress(actuals=None, *, targets, year=None, computed=None, about_tolerance=0.02):
    """Progress of every target against actual values (plan 二, 三, 四, 附件2).

    Parameters
    ----------
    actuals : pandas.DataFrame, optional
        Canonical indicators table (:func:`hn_geo.ground.stats.read_indicators`):
        ``target_id``, ``year``, ``value``.
    targets : pandas.DataFrame
        The plan's targets (:func:`hn_geo.ground.plan.load_targets`).
    year : int, optional
        Reporting year (latest year of ``actuals`` by default, capped at 2025).
    computed : dict, optional
        ``{target_id: (value, source code)}`` computed by the other analyses (city intensity
        cut: ``'town_energy'``, pollutant totals: ``'reduction_projects'``), used when
        ``actuals`` has no value for that target in ``year``.
    about_tolerance : float
        Tolerance of 'about' (左右) targets without their own, as a fraction of the target
        value (0.02: 24 % 左右 is met from 23.52 %).

    Returns
    -------
    pandas.DataFrame
        One row per target: baseline, target, actual (latest year <= ``year``), expected value
        for ``year`` on the linear path baseline(2020) -> target(2025), ``status`` (met /
        on_track / behind / not_met / no_data), ``status_note`` (``no_baseline``: only the
        target value can be checked; ``threshold``: a criterion, not a progress target),
        ``actual_source`` (an ``actual_source`` code), ``name`` (a ``Msg`` of the plan's
        Chinese and English names), ``unit`` and ``comparator`` (codes).

    Notes
    -----
    * 'reduce_by', 'reduce_by_pp', 'increase_by' and cumulative targets are tracked as the
      change achieved since 2020 (baseline 0), e.g. a cumulative cut of 12 (%).
    * 'about' (左右) targets are met within the tolerance on the side opposite to
      ``direction``.
    * Without a baseline (the plan gives none and no 2020 actual is supplied) only the target
      value is checked; before 2025 such a target not yet met has no progress status.
    """
    a = actuals if actuals is not None else pd.DataFrame(columns=["target_id", "year", "value"])
    if year is None:
        year = int(min(a["year"].max(), DEADLINE)) if len(a) else DEADLINE
    year = int(year)
    twin = _twins(targets)
    rows = [_row(t, a, twin, year, computed or {}, about_tolerance) for _, t in targets.iterrows()]
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["actual_year"] = out["actual_year"].astype("Int64")
    for c in ("status_note", "actual_source", "name"):
        out[c] = out[c].astype(object)
    return out
