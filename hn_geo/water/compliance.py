"""The plan's two section indicators per year, and the rating of each river.

Plan (三.八): provincial (省控) sections at or better than class III, and hand-over (交接)
sections meeting their own target, both 100 % by 2025 (``provincial_sections_class3`` and
``boundary_sections_compliance`` of ``hn_geo/data/plan_targets.yaml``, passed in by the
workflow). River rating: 环办〔2011〕22号 河流水质评价.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from hn_geo.core.results import Msg, Word
from hn_geo.reference import gb3838
from hn_geo.water.classify import item_codes

INDICATORS = ("provincial_class_iii", "handover_met")
"""Codes of the plan indicators (family ``water.indicator``)."""
COMPLIANCE_COLUMNS = ["year", "indicator", "n_sections", "n_met", "rate_pct", "plan_target_pct",
                      "status", "failing_sections"]
RIVER_COLUMNS = ["river", "year", "n_sections", "method", "share_I_III_pct", "share_inferior_V_pct",
                 "river_class", "river_quality"]
RTOL = 1e-9


def _failing(g):
    """The sections of a group that miss the indicator, as ``name(class)`` messages."""
    bad = g.loc[~g["ok"], ["name", "water_class"]]
    return tuple(Msg("water.section_class", name=str(n), water_class=Word("water.water_class", c))
                 for n, c in bad.itertuples(index=False))


def compliance(annual, *, provincial_target=100.0, handover_target=100.0):
    """The plan's two section indicators per year.

    Parameters
    ----------
    annual : pandas.DataFrame
        Per-section annual table (``year``, ``section_type``, ``water_class_num``,
        ``water_class``, ``target_met``, ``name``).
    provincial_target, handover_target : float
        Plan targets [%] of the two indicators (the plan's 100 %).

    Returns
    -------
    pandas.DataFrame
        One row per year and indicator (code): counts, rate [%], plan target [%], status
        code (``met`` when the rate reaches the target) and the failing sections.
    """
    rows = []
    annual = annual[annual["water_class_num"] > 0]  # sections with a class
    specs = (("provincial_class_iii", "provincial", annual["water_class_num"] <= 3, provincial_target),
             ("handover_met", "handover", annual["target_met"].fillna(False), handover_target))
    for code, kind, ok, target in specs:
        sel = (annual["section_type"].astype(str) == kind).to_numpy()
        a = annual[sel].assign(ok=ok[sel].to_numpy(bool))
        for year, g in a.groupby("year", sort=True):
            n, m = len(g), int(g["ok"].sum())
            rate = 100.0 * m / n
            rows.append({"year": int(year), "indicator": code, "n_sections": n, "n_met": m,
                         "rate_pct": round(rate, 1), "plan_target_pct": float(target),
                         "status": "met" if rate >= target * (1 - RTOL) else "not_met",
                         "failing_sections": _failing(g)})
    return pd.DataFrame(rows, columns=COMPLIANCE_COLUMNS)


def _share_quality(good, worst):
    """22号 class-share rating: I-III share >= 90 % 优, >= 75 % 良好, else by the 劣V share."""
    if good >= 90:
        return 1
    if good >= 75:
        return 3
    if worst < 20:
        return 4
    if worst < 40:
        return 5
    return 6


def river_rating(annual, *, min_sections=5):
    """Water-quality rating of each river per year (环办〔2011〕22号 河流水质评价).

    With ``min_sections`` (5) or more sections: the class-share method
    (I-III share >= 90 % 优; >= 75 % 良好; otherwise by the 劣V share:
    < 20 % 轻度污染, < 40 % 中度污染, else 重度污染). With fewer: the mean of
    all sections' concentrations, classified, rated like a section.

    Parameters
    ----------
    annual : pandas.DataFrame
        Per-section annual table with item means.
    min_sections : int
        Sections from which the class-share method applies.

    Returns
    -------
    pandas.DataFrame
        ``river``, ``year``, ``n_sections``, ``method`` (``class_share`` /
        ``mean_concentration``), shares [%], ``river_class`` (class code, mean method
        only) and ``river_quality`` (quality code).
    """
    rows = []
    codes = item_codes(annual)
    for (river, year), g in annual[annual["water_class_num"] > 0].groupby(["river", "year"], sort=True):
        n = len(g)
        cls = g["water_class_num"].to_numpy()
        good = float(np.mean(cls <= 3) * 100)
        worst = float(np.mean(cls == 6) * 100)
        if n >= min_sections:
            method, q, rclass = "class_share", _share_quality(good, worst), None
        else:
            method = "mean_concentration"
            lake = (g["water_body"].astype(str) == "lake").all()
            m = g[codes].mean().to_frame().T
            q = int(gb3838.section_class(gb3838.classify(m, np.array([lake])))[0])
            rclass = gb3838.class_code([q])[0]
        rows.append({"river": river, "year": int(year), "n_sections": n, "method": method,
                     "share_I_III_pct": round(good, 1), "share_inferior_V_pct": round(worst, 1),
                     "river_class": rclass, "river_quality": gb3838.quality_code([q])[0]})
    return pd.DataFrame(rows, columns=RIVER_COLUMNS)
