"""Per-sample and per-period tables: classes, target compliance and item lists.

Periods are years or months: arithmetic means of the samples per section and period,
then classified (环办〔2011〕22号), with the detection-limit rule applied to the means.
"""
from __future__ import annotations

import numpy as np

from hn_geo.reference import gb3838
from hn_geo.water.classify import aggregate, classify_samples, classify_values, item_codes, round_sig
from hn_geo.water.describe import describe
from hn_geo.water.sections import status_of, target_met

MAIN_ITEMS = ("do", "codmn", "cod", "bod5", "nh3n", "tp", "tn")
"""Items whose monthly means are listed in the monthly table (all items are in the annual one)."""
MONTHLY_COLUMNS = ("section_id", "name", "year", "month", "n_samples", "target_class", "water_class",
                   "water_class_num", "target_met", "status", "class_items", "exceed_items",
                   "max_multiple") + MAIN_ITEMS
SECTION_INFO = ("name", "river", "section_type", "water_body", "target_class")


def sample_table(samples, sections):
    """Class and compliance of every sample row (the values themselves are in the input).

    Parameters
    ----------
    samples : pandas.DataFrame
        Matched samples (``section_id``, ``date``, ``row`` and item columns).
    sections : pandas.DataFrame
        From :func:`hn_geo.water.sections.prepare_sections`.
    """
    info = sections.set_index("section_id").loc[samples["section_id"]]
    lake = info["lake"].to_numpy(bool)
    target = info["target_num"].to_numpy(float)
    item_cls, sc = classify_samples(samples, lake=lake, reference=target)
    t = samples[["section_id", "date", "row"]].copy()
    t["name"] = info["name"].to_numpy()
    t["water_class"] = gb3838.class_code(sc)
    t["water_class_num"] = sc.astype(int)
    t["target_met"] = target_met(sc, target)
    t["status"] = status_of(t["target_met"], target)
    t["date"] = t["date"].dt.strftime("%Y-%m-%d")
    desc = describe(samples, item_cls, sc, target, lake, main=False)
    t["class_items"] = desc["class_items"]
    t["exceed_items"] = desc["exceed_items"]
    return t.sort_values(["date", "section_id"], ignore_index=True)


def period_table(samples, sections, by):
    """Means, classes and compliance for each (section, period) group.

    Parameters
    ----------
    samples : pandas.DataFrame
        Matched samples with the ``by`` columns.
    sections : pandas.DataFrame
        From :func:`hn_geo.water.sections.prepare_sections`.
    by : list of str
        ``['year']`` or ``['year', 'month']``.

    Returns
    -------
    pandas.DataFrame
        ``section_id``, the ``by`` columns, ``n_samples``, the section's fields, class
        (``water_class`` code, ``water_class_num``), ``quality`` code, ``target_met``,
        ``status`` code, the item lists, ``max_multiple``, ``tn_class`` (lakes) and the
        mean of every item [mg/L] to 4 significant figures.
    """
    means, low = aggregate(samples, by=["section_id"] + by)
    info = sections.set_index("section_id").loc[means["section_id"]]
    lake = info["lake"].to_numpy(bool)
    target = info["target_num"].to_numpy(float)  # NaN: a section not in the layer (no target)
    codes = item_codes(means)
    item_cls = classify_values(means[codes], lake=lake, reference=target, low=low[codes])
    sc = gb3838.section_class(item_cls)
    desc = describe(means, item_cls, sc, target, lake)
    t = means[["section_id"] + by + ["n_samples"]].copy()
    for col in SECTION_INFO:
        t[col] = info[col].to_numpy()
    t["water_class"] = gb3838.class_code(sc)
    t["water_class_num"] = sc.astype(int)
    t["quality"] = gb3838.quality_code(sc)
    t["target_met"] = target_met(sc, target)
    t["status"] = status_of(t["target_met"], target)
    t["class_items"] = desc["class_items"]
    t["exceed_items"] = desc["exceed_items"]
    t["max_multiple"] = np.round(desc["max_multiple"], 3)
    t["main_pollutants"] = desc["main_pollutants"]
    if "tn" in means.columns:
        tn_cls = item_cls["tn"].to_numpy() if "tn" in item_cls.columns else np.zeros(len(t), int)
        t["tn_class"] = np.where(lake, gb3838.class_code(tn_cls), None)
    for c in codes:
        t[c] = round_sig(means[c].to_numpy(float))
    return t


def plan_check(annual):
    """Plan check of each section-year: 省控 at or better than III; 交接 its own target.

    Returns
    -------
    numpy.ndarray of object
        ``met`` / ``not_met`` for provincial and hand-over sections (``not_met`` also when
        the section has no class), None for the others.
    """
    st = annual["section_type"].astype(str).to_numpy()
    num = annual["water_class_num"].to_numpy()
    ok = np.where(st == "provincial", num <= 3, annual["target_met"].fillna(False).to_numpy(bool))
    ok = ok & (num > 0)
    return np.where(np.isin(st, ["provincial", "handover"]),
                    np.where(ok, "met", "not_met"), None).astype(object)
