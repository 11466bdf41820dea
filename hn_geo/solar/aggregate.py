"""Per-town and per-type totals, and the supply curve binned by specific yield."""
from __future__ import annotations

import numpy as np
import pandas as pd

from hn_geo.core.results import Word

TOTAL = "total"
"""Code of the total row in the ``building_type`` column of the per-type table."""
TOTAL_ROW = Word("solar.row_label", "total")
"""The total row's label in text columns (the town column of the per-town table)."""
UNKNOWN_TOWN = Word("solar.row_label", "unknown_town")
"""The label of buildings without a town."""
SUPPLY_COLUMNS = ["yield_from", "yield_to", "buildings", "mw", "gwh_year", "cum_buildings", "cum_mw",
                  "cum_gwh_year"]


SUM_COLUMNS = ("buildings", "buildings_with_pv", "roof_area_m2", "usable_area_m2", "module_area_m2", "kwp",
               "kwh_year")
"""What :func:`group_sums` adds up: counts and unscaled sums, so parts of the buildings can be
summed separately and combined (the partitioned engine) before :func:`totals_table`."""


def group_sums(b, by):
    """Counts and sums per value of column ``by`` (NaN is a group), sorted by value.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``by``; columns :data:`SUM_COLUMNS` (``kwp`` [kWp], ``kwh_year`` [kWh]).
    """
    g = b.assign(_has=b["kwp"] > 0).groupby(by, dropna=False, sort=True)
    return pd.DataFrame({"buildings": g.size(), "buildings_with_pv": g["_has"].sum().astype(int),
                         "roof_area_m2": g["roof_area_m2"].sum(), "usable_area_m2": g["usable_area_m2"].sum(),
                         "module_area_m2": g["module_area_m2"].sum(), "kwp": g["kwp"].sum(),
                         "kwh_year": g["kwh_year"].sum()})


def _derived(df, target_mw):
    mw = df["mw"]
    df["kwh_per_kwp"] = np.where(mw > 0, df["gwh_year"] * 1000.0 / mw.where(mw > 0, 1), np.nan)
    df["share_of_target"] = mw / target_mw * 100.0
    return df


def aggregate(b, by, target_mw):
    """Totals per value of column ``by`` ('town' or 'building_type'), largest capacity first,
    with a total row.

    Parameters
    ----------
    b : pandas.DataFrame
        Per-building results (``kwp``, ``kwh_year``, areas).
    by : str
    target_mw : float
        Capacity target for ``share_of_target`` [MW].

    Returns
    -------
    pandas.DataFrame
        ``by``, buildings, buildings_with_pv, roof/usable/module area [m²], mw [MW],
        gwh_year [GWh], kwh_per_kwp [kWh/kWp], share_of_target [%].
    """
    return totals_table(group_sums(b, by), by, target_mw)


def totals_table(sums, by, target_mw):
    """The table of :func:`aggregate` from the sums of :func:`group_sums` (of all buildings,
    or added up over parts of them)."""
    df = pd.DataFrame({c: sums[c] for c in SUM_COLUMNS[:5]})
    df["mw"] = sums["kwp"] / 1000.0
    df["gwh_year"] = sums["kwh_year"] / 1e6
    df.index.name = by
    out = _derived(df, target_mw).reset_index()
    out[by] = out[by].astype(object).where(out[by].notna(), UNKNOWN_TOWN)
    cols = ["buildings", "buildings_with_pv", "roof_area_m2", "usable_area_m2", "module_area_m2", "mw",
            "gwh_year"]
    total = pd.DataFrame([{by: TOTAL if by == "building_type" else TOTAL_ROW,
                           **{c: out[c].sum() for c in cols}}])
    total = _derived(total, target_mw)
    out = pd.concat([out.sort_values("mw", ascending=False), total], ignore_index=True)
    for c in ("roof_area_m2", "usable_area_m2", "module_area_m2"):
        out[c] = out[c].round(0)
    for c in ("mw", "gwh_year", "share_of_target"):
        out[c] = out[c].round(2)
    out["kwh_per_kwp"] = out["kwh_per_kwp"].round(1)
    return out


def supply_sums(spec, kwp, kwh, step=10.0):
    """Buildings, capacity [kWp] and energy [kWh] per specific-yield bin (index ``yield_from``)
    -- what parts of the buildings add up before :func:`supply_finish`."""
    lo = np.floor(np.asarray(spec, dtype=float) / step) * step
    df = pd.DataFrame({"yield_from": lo, "kwp": kwp, "kwh": kwh})
    g = df.groupby("yield_from", sort=True)
    return pd.DataFrame({"buildings": g.size(), "kwp": g["kwp"].sum(), "kwh": g["kwh"].sum()})


def supply_finish(sums, step=10.0):
    """The supply-curve table from the bin sums of :func:`supply_sums`, best bin first."""
    if len(sums) == 0:
        return pd.DataFrame(columns=SUPPLY_COLUMNS)
    out = pd.DataFrame({"buildings": sums["buildings"], "mw": sums["kwp"] / 1000,
                        "gwh_year": sums["kwh"] / 1e6})
    out.index.name = "yield_from"
    out = out.sort_index(ascending=False).reset_index()
    out.insert(1, "yield_to", out["yield_from"] + step)
    out["cum_buildings"] = out["buildings"].cumsum()
    out["cum_mw"] = out["mw"].cumsum()
    out["cum_gwh_year"] = out["gwh_year"].cumsum()
    return out.round({"mw": 3, "gwh_year": 3, "cum_mw": 3, "cum_gwh_year": 3})


def supply_table(spec, kwp, kwh, step=10.0):
    """Supply curve binned by specific yield, best first.

    Parameters
    ----------
    spec, kwp, kwh : numpy.ndarray
        Specific yield [kWh/kWp], capacity [kWp] and energy [kWh/yr] of the buildings with PV.
    step : float
        Bin width [kWh/kWp].
    """
    if len(spec) == 0:
        return pd.DataFrame(columns=SUPPLY_COLUMNS)
    return supply_finish(supply_sums(spec, kwp, kwh, step), step)
