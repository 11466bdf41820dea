"""The targets report: energy dual control, reductions and indicators as one result."""
from __future__ import annotations

from pathlib import PurePath

import pandas as pd

from hn_geo.core.results import AnalysisResult, Msg
from hn_geo.targets.energy import CITY_CODE, energy_dual_control
from hn_geo.targets.figures import energy_figures, indicator_figures, reduction_figures
from hn_geo.targets.indicators import indicator_progress
from hn_geo.targets.progress import DEADLINE, check_path
from hn_geo.targets.reductions import pollutant_reductions

CODES = {
    "intensity_status": "status", "incentive_status": "status", "total_status": "status",
    "status": "status", "target_level": "target_level", "path": "pro_rating_path",
    "pollutant": "pollutant", "reason": "double_count_reason", "method": "match_method",
    "comparator": "comparator", "direction": "direction", "topic": "topic", "kind": "target_kind",
    "unit": "plan_unit", "actual_source": "actual_source", "status_note": "status_note",
}
"""Coded columns of the tables and the layer -> value family (``status``: status codes)."""

LAYER_COLUMNS = ["code", "intensity_cut_pct", "target_basic", "target_incentive", "required_basic_pct",
                 "intensity_status", "target_level", "exempt", "allowance_margin_tce", "total_status"]
LIST_COLUMNS = ["id", "clause", "name", "name_en", "topic", "kind", "value", "unit", "comparator",
                "direction", "baseline_year", "baseline_value", "deadline", "responsible", "quote"]


def _report_year(stats, year):
    if year is not None:
        return int(year)
    for k in ("town_energy", "reduction_projects", "indicators"):
        df = stats.get(k)
        if df is not None and len(df):
            return int(min(df["year"].max(), DEADLINE))
    return DEADLINE


def _target_value(targets, target_id):
    row = targets[targets["id"] == target_id]
    return float(row["value"].iloc[0]) if len(row) else None


def _town_names(stats):
    """How the statistics' town names were matched (``match_method`` codes)."""
    tm = stats.get("town_names")
    if tm is None:
        maps = [stats[k].attrs["town_mapping"].assign(file=PurePath(stats[k].attrs.get("path", k)).name)
                for k in ("town_energy", "reduction_projects", "reduction_allocations")
                if stats.get(k) is not None and "town_mapping" in stats[k].attrs]
        tm = pd.concat(maps, ignore_index=True) if maps else None
    return None if tm is None else tm[["file", "input", "code", "town", "method"]].reset_index(drop=True)


def _targets_list(targets):
    out = targets.assign(unit=targets["unit_code"])[LIST_COLUMNS].copy()
    out["topic"] = out["topic"].where(out["topic"].astype(str) != "", None).astype(object)
    return out


def _layer(towns, energy):
    cols = ["code", "name"] + (["approximate"] if "approximate" in towns.columns else []) + [towns.geometry.name]
    g = towns[cols].rename(columns={"name": "town"})
    return g.merge(energy[LAYER_COLUMNS], on="code", how="left")


def _energy_part(stats, town_targets, targets, year, path, out):
    energy = stats["town_energy"]
    en = energy_dual_control(energy, town_targets=town_targets, year=year, path=path,
                             city_target=_target_value(targets, "energy_intensity_cut"))
    out["tables"]["targets_energy"] = en
    absent = energy.attrs.get("absent", [])
    if absent:
        out["notes"].append(Msg("targets.absent_columns", columns=list(absent)))
    city = en[en["code"] == CITY_CODE]
    if len(city) and pd.notna(city["intensity_cut_pct"].iloc[0]):
        out["computed"]["energy_intensity_cut"] = (float(city["intensity_cut_pct"].iloc[0]), "town_energy")
    out["figures"] += energy_figures(en, year)
    return en


def _reduction_part(stats, town_targets, targets, year, out):
    red = pollutant_reductions(stats["reduction_projects"], targets=targets, year=year,
                               allocations=stats.get("reduction_allocations"),
                               town_names=dict(zip(town_targets["code"], town_targets["town"])))
    out["tables"].update({"targets_reductions": red["by_pollutant"], "targets_reductions_town": red["by_town"],
                          "targets_reductions_year": red["by_year"],
                          "targets_double_counted": red["double_counted"]})
    ids = dict(zip(targets["pollutant"], targets["id"]))
    for pol, tot in zip(red["by_pollutant"]["pollutant"], red["by_pollutant"]["reduction_t"]):
        if pol in ids:
            out["computed"][ids[pol]] = (float(tot), "reduction_projects")
    out["figures"] += reduction_figures(red["by_pollutant"], red["double_counted"], year)


def targets_report(stats, *, targets, town_targets, towns=None, year=None, path="linear"):
    """Progress against the plan's targets: energy, reductions, indicators, by town.

    Parameters
    ----------
    stats : dict
        The statistics (:func:`hn_geo.ground.stats.read_stats`): ``'town_energy'``,
        ``'reduction_projects'``, ``'indicators'``, ``'reduction_allocations'`` (canonical
        frames or None), optionally ``'town_names'`` (how town names were matched) and
        ``'synthetic'`` (bool).
    targets : pandas.DataFrame
        The plan's targets (:func:`hn_geo.ground.plan.load_targets`).
    town_targets : pandas.DataFrame
        附件1 targets per town (:func:`hn_geo.ground.plan.town_targets`).
    towns : geopandas.GeoDataFrame, optional
        Towns layer (``code``, ``name``, geometry) for the result layer ``towns``; no layer
        without it.
    year : int, optional
        Reporting year (latest year of the energy table, else of the other tables, at most 2025).
    path : {'linear', 'compound'}
        How the 2025 targets are pro-rated to ``year``.

    Returns
    -------
    AnalysisResult
        Tables ``targets_energy``, ``targets_reductions``, ``targets_reductions_town``,
        ``targets_reductions_year``, ``targets_double_counted``, ``targets_town_names``,
        ``targets_indicators``, ``targets_list``; layer ``towns`` with each town's energy
        figures; figures for ``year`` (headline: towns behind, the city intensity cut);
        notes (the plan's deduction rule, the pro-rating path, synthetic data).
    """
    check_path(path)
    year = _report_year(stats, year)
    out = {"tables": {}, "computed": {}, "figures": [],
           "notes": [Msg("targets.deduction_rule"), Msg(f"targets.path_{path}")]}
    if stats.get("synthetic"):
        out["notes"].append(Msg("targets.synthetic"))
    en = None
    if stats.get("town_energy") is not None:
        en = _energy_part(stats, town_targets, targets, year, path, out)
    if stats.get("reduction_projects") is not None:
        _reduction_part(stats, town_targets, targets, year, out)
    tables = out["tables"]
    names = _town_names(stats)
    if names is not None:
        tables["targets_town_names"] = names
    ind = indicator_progress(stats.get("indicators"), targets=targets, year=year, computed=out["computed"])
    tables["targets_indicators"] = ind
    tables["targets_list"] = _targets_list(targets)
    out["figures"] += indicator_figures(ind, year)
    layers = {"towns": _layer(towns, en)} if towns is not None and en is not None else {}
    return AnalysisResult(name="targets", tables=tables, layers=layers, codes=dict(CODES),
                          figures=out["figures"], notes=out["notes"],
                          meta={"year": year, "path": path, "synthetic": bool(stats.get("synthetic"))})


report = targets_report
"""Short alias."""
