"""Key figures of the targets report: typed values for the reporting year.

Headline: the towns behind their pro-rated intensity path, and the city's intensity cut
against the cut required by the reporting year.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from hn_geo.core.results import Figure
from hn_geo.targets.energy import CITY_CODE


def _num(x):
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x)


def _count(code, n, year, unit="", status=None):
    return Figure(code, int(n), unit=unit, period=year, status=status if n else None)


def energy_figures(energy, year):
    """City intensity cut vs required; towns met / on track / behind / not met / exempt / over."""
    out = []
    city = energy[energy["code"] == CITY_CODE]
    if len(city) and not np.isnan(city["intensity_cut_pct"].iloc[0]):
        c = city.iloc[0]
        out.append(Figure("targets.city_intensity_cut", float(c["intensity_cut_pct"]), unit="pct",
                          period=year, status=c["intensity_status"],
                          target=_num(c["required_basic_pct"]), headline=True))
    towns = energy[energy["code"] != CITY_CODE]
    st = towns["intensity_status"]
    behind = _count("targets.towns_behind", (st == "behind").sum(), year, "towns", "behind")
    out.insert(0, replace(behind, headline=True))
    out += [_count("targets.towns_not_met", (st == "not_met").sum(), year, "towns", "not_met"),
            _count("targets.towns_on_track", (st == "on_track").sum(), year, "towns"),
            _count("targets.towns_met", (st == "met").sum(), year, "towns"),
            _count("targets.towns_exempt", towns["exempt"].astype(bool).sum(), year, "towns"),
            _count("targets.towns_over_allowance", (towns["total_status"] == "not_met").sum(), year,
                   "towns", "not_met")]
    n_none = int((st == "no_data").sum())
    if n_none:
        out.append(_count("targets.towns_no_data", n_none, year, "towns"))
    return out


def reduction_figures(by_pollutant, double_counted, year):
    """Each pollutant's reduction [t] against its city target; double-counted rows excluded."""
    out = [Figure(f"targets.reduction_{r.pollutant}", float(r.reduction_t), unit="t", period=year,
                  status=r.status if r.status != "no_data" else None, target=_num(r.target_t))
           for r in by_pollutant.itertuples()]
    out.append(Figure("targets.double_counted_rows", int(len(double_counted))))
    return out


def indicator_figures(indicators, year):
    """Indicators behind their pro-rated path and not met, in the reporting year."""
    st = indicators["status"]
    return [_count("targets.indicators_behind", (st == "behind").sum(), year, status="behind"),
            _count("targets.indicators_not_met", (st == "not_met").sum(), year, status="not_met")]
