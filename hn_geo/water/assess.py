"""The water assessment: monitoring results against GB 3838-2002 and the plan's targets.

:func:`assess` is pure: frames and plain parameters in, an
:class:`~hn_geo.core.results.AnalysisResult` in codes and numbers out (words are the
outputs' job, ``water`` block of ``hn_geo/data/labels.yaml``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import AnalysisResult, Figure, Msg
from hn_geo.water.compliance import compliance, river_rating
from hn_geo.water.describe import empty_lists
from hn_geo.water.periods import MONTHLY_COLUMNS, period_table, plan_check, sample_table
from hn_geo.water.sections import match_sections, missed, prepare_sections, unlisted_sections
from hn_geo.water.trend import sea_entry_rivers, sea_entry_trend
from hn_geo.water.upstream import UPSTREAM_COLUMNS, attribute_upstream

CODES = {"status": "status", "plan_check": "status", "section_type": "section_type",
         "water_body": "water_body", "target_class": "water_class", "water_class": "water_class",
         "tn_class": "water_class", "river_class": "water_class", "quality": "quality",
         "river_quality": "quality", "indicator": "indicator", "method": "method",
         "trend": "trend", "rank_by": "load"}
"""Coded columns of the water tables and layer -> value family (``water`` block, then
``common``)."""
LAYER_COLUMNS = ["year", "n_samples", "water_class", "water_class_num", "quality", "target_met",
                 "status", "plan_check", "class_items", "exceed_items", "max_multiple",
                 "main_pollutants"]
ITEM_LISTS = ("class_items", "exceed_items", "main_pollutants")
WORST_LISTED = 5
"""Sections named by the ``water.worst_sections`` figure."""
RATE_FIGURES = {"provincial_class_iii": "water.provincial_rate", "handover_met": "water.handover_rate"}


def _matched(samples, sections, water_body):
    """Samples matched to the layer's sections, and every section of the assessment (the
    layer's, then those of the rows not in the layer: classified only), with its note."""
    s = match_sections(samples, sections)
    s = s.assign(year=s["date"].dt.year.astype(int), month=s["date"].dt.month.astype(int))
    extra = unlisted_sections(s, water_body=water_body)
    if extra.empty:
        return s, sections, []
    wb = {"column": "water_body_column", "option": "water_body_option", "default": "water_body_default"}
    froms = [wb[k] for k in dict.fromkeys(extra["water_body_from"])]
    note = Msg("water.classify_only", n=len(extra), sections=[str(n) for n in extra["name"][:10]],
               more="…" if len(extra) > 10 else "", water_body=[Msg(f"water.{k}") for k in froms])
    extra = extra.drop(columns="water_body_from")
    every = extra if sections is None else pd.concat(
        [pd.DataFrame(sections.drop(columns=sections.geometry.name)), extra], ignore_index=True)
    return s, every, [note]


def _year(annual, year, samples):
    years = sorted(int(y) for y in annual["year"].unique())
    year = int(year) if year is not None else years[-1]
    if year not in years:
        raise HnGeoError(f"no results for year {year}; years in the table: {years}",
                         path=samples.attrs.get("path"), field="date", code="water.no_year",
                         params={"year": year, "years": years})
    return year


def _layer(sections, this, year):
    """The sections layer with the results of ``year`` (no data: class number 0, status
    ``no_data``, class and ``target_met`` null)."""
    this = this[this["section_id"].isin(set(sections["section_id"]))]
    layer = sections.drop(columns=["target_num", "lake"]).copy()
    t = this.set_index("section_id")[LAYER_COLUMNS].reindex(layer["section_id"])
    for c in LAYER_COLUMNS:
        layer[c] = t[c].to_numpy()
    num = t["water_class_num"].fillna(0).astype(int).to_numpy()
    nodata = num == 0
    layer["year"] = year
    layer["n_samples"] = t["n_samples"].fillna(0).astype(int).to_numpy()
    layer["water_class_num"] = num
    layer["water_class"] = pd.Series(np.where(nodata, None, layer["water_class"].astype(object)),
                                     index=layer.index, dtype=object)
    layer["quality"] = pd.Series(np.where(nodata, None, layer["quality"].astype(object)),
                                 index=layer.index, dtype=object)
    layer["target_met"] = t["target_met"].astype("boolean").to_numpy()
    layer["status"] = np.where(nodata, "no_data", layer["status"].astype(object))
    layer["plan_check"] = [v if isinstance(v, str) else None for v in t["plan_check"]]
    for c in ITEM_LISTS:
        cells = np.array(layer[c].to_numpy(dtype=object), dtype=object, copy=True)
        fill = np.array([not isinstance(v, tuple) for v in cells])
        cells[fill] = empty_lists(int(fill.sum()))
        layer[c] = cells
    return layer


def _upstream(failing, sections, rivers, points, snap_distance, max_upstream):
    """The upstream table and its note."""
    if rivers is None or points is None:
        return pd.DataFrame(columns=UPSTREAM_COLUMNS), [Msg("water.no_upstream_layers")]
    upstream = attribute_upstream(failing, sections, rivers, points, snap_distance=snap_distance,
                                  max_upstream=max_upstream)
    traced = set(upstream["section_id"]) if len(upstream) else set()
    alone = [str(n) for i, n in zip(failing["section_id"], failing["name"]) if i not in traced]
    if not alone:
        return upstream, []
    return upstream, [Msg("water.no_upstream_source", km=max_upstream / 1000.0,
                          snap_m=float(snap_distance), sections=alone)]


def _rate_figures(comp, year):
    out = []
    rows = comp[comp["year"] == year].set_index("indicator")
    for code, fig in RATE_FIGURES.items():
        if code in rows.index:
            r = rows.loc[code]
            out.append(Figure(fig, float(r["rate_pct"]), unit="pct", period=year, status=r["status"],
                              target=float(r["plan_target_pct"])))
        else:
            out.append(Figure(fig, None, unit="pct", period=year, status="no_data"))
    return out


def _figures(comp, this, layer, year):
    """Key figures of the reported year: section counts by status, plan rates, worst sections."""
    n_not_met = int(missed(this).sum())
    n_met = int(this["target_met"].eq(True).fillna(False).sum())
    n_nodata = int((layer["status"] == "no_data").sum())
    worst = this[this["water_class_num"] > 0].sort_values(
        ["water_class_num", "max_multiple"], ascending=False, na_position="last").head(WORST_LISTED)
    return [Figure("water.sections_not_met", n_not_met, unit="sections", period=year,
                   status="not_met" if n_not_met else "met", headline=True),
            Figure("water.sections_met", n_met, unit="sections", period=year),
            Figure("water.sections_no_data", n_nodata, unit="sections", period=year),
            *_rate_figures(comp, year),
            Figure("water.worst_sections", [str(n) for n in worst["name"]], period=year)]


def assess(samples, sections=None, rivers=None, points=None, *, year=None, snap_distance=1000.0,
           max_upstream=15000.0, sea_entry=None, provincial_target=100.0, handover_target=100.0,
           water_body=None):
    """Assess monitoring results against GB 3838-2002 and the plan's section targets.

    Parameters
    ----------
    samples : pandas.DataFrame
        From :func:`hn_geo.ground.water_results.read_results` / ``prepare_results``.
    sections : geopandas.GeoDataFrame, optional
        The ``sections`` layer (coded ``section_type`` and ``water_body``). Result rows of
        sections that are not in it -- or every row, without a layer -- are *classified
        only*: classes, means and item lists, but no target, no compliance, no plan
        indicator and no upstream attribution (a note counts them).
    rivers, points : geopandas.GeoDataFrame, optional
        The ``rivers`` and ``emission_points`` layers, for upstream attribution of the
        sections that miss their target.
    year : int, optional
        Year shown on the sections layer, traced upstream and counted by the key
        figures (default the latest year in the results).
    snap_distance : float
        Distance from an emission point or section to its river reach [m].
    max_upstream : float
        Distance upstream along the river network to list emission points [m].
    sea_entry : sequence of str, optional
        Rivers of the TN/TP trend table; default the rivers flagged ``sea_entry`` in
        ``rivers``, or :data:`hn_geo.water.trend.SEA_ENTRY_RIVERS`.
    provincial_target, handover_target : float
        Plan targets of the two section indicators [%] (the plan's 100 %; the workflow
        passes the values of the plan's targets file).
    water_body : {'river', 'lake'}, optional
        Water body of the classified-only sections whose rows have no ``water_body``
        (水体类型) value (default ``river``, said in the note).

    Returns
    -------
    hn_geo.core.results.AnalysisResult
        Tables ``water_sections`` (section x year, means of every item),
        ``water_compliance``, ``water_rivers``, ``water_trend``, ``water_upstream``,
        ``water_monthly`` (means of :data:`hn_geo.water.periods.MAIN_ITEMS`),
        ``water_samples`` (class of every sample); layer ``sections`` (the chosen year:
        ``water_class`` code 'I'..'V'/'inferior_V', ``water_class_num`` 1..6,
        ``target_met``, ``status`` ...; sections without results have status
        ``no_data``, class number 0 and null class and ``target_met``). Status columns
        (``status``, ``plan_check``) hold ``met`` / ``not_met`` / ``no_data``; item lists
        are tuples of item codes (:mod:`hn_geo.water.describe`).
    """
    sec = prepare_sections(sections) if sections is not None else None
    s, every, only_notes = _matched(samples, sec, water_body)
    smp = sample_table(s, every)
    annual = period_table(s, every, ["year"])
    monthly = period_table(s, every, ["year", "month"])
    year = _year(annual, year, samples)
    annual["plan_check"] = plan_check(annual)
    comp = compliance(annual, provincial_target=provincial_target, handover_target=handover_target)
    rivers_of_trend = tuple(sea_entry) if sea_entry is not None else sea_entry_rivers(rivers)
    trend = sea_entry_trend(s, every, rivers=rivers_of_trend)
    this = annual[annual["year"] == year]
    failing = this[missed(this)].reset_index(drop=True)
    notes = [Msg("water.method_classes"), Msg("water.method_detection_limit"), *only_notes]
    upstream, up_notes = (_upstream(failing, sec, rivers, points, snap_distance, max_upstream)
                          if sec is not None else (pd.DataFrame(columns=UPSTREAM_COLUMNS), []))
    notes += up_notes
    layers = {"sections": _layer(sec, this, year)} if sec is not None else {}
    layer = layers.get("sections", pd.DataFrame({"status": []}))
    n_nodata = int((layer["status"] == "no_data").sum())
    if n_nodata:
        notes.append(Msg("water.sections_without_results", n=n_nodata, year=year))
    tables = {"water_sections": annual.sort_values(["year", "section_id"], ignore_index=True),
              "water_compliance": comp, "water_rivers": river_rating(annual), "water_trend": trend,
              "water_upstream": upstream if len(upstream) else pd.DataFrame(columns=UPSTREAM_COLUMNS),
              "water_monthly": monthly[[c for c in MONTHLY_COLUMNS if c in monthly.columns]]
              .sort_values(["year", "month", "section_id"], ignore_index=True),
              "water_samples": smp}
    return AnalysisResult(name="water", tables=tables, layers=layers, codes=dict(CODES),
                          figures=_figures(comp, this, layer, year), notes=notes,
                          meta={"year": year, "years": sorted(int(y) for y in annual["year"].unique())})
