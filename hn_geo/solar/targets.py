"""The plan's PV targets (plan 三.（十）: 1.8 GW grid-connected by 2025, 10,000 household
rooftop systems) against the rooftop potential: the ``solar_targets`` table, the key figures
and the console lines that say the same thing.

The target values are parameters (the workflow reads them from the plan's targets YAML); no
plan figure is typed here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hn_geo.core.results import Figure, Msg, Word


@dataclass(frozen=True)
class PlanCheck:
    """The numbers of the targets check.

    Attributes
    ----------
    target_mw, installed_mw, need_mw : float
        Capacity target, already grid-connected, still needed [MW].
    total_mw, total_gwh : float
        Rooftop potential [MW] and its annual energy [GWh].
    crossing : int or None
        Buildings (best specific yield first) that cover ``need_mw``; None when the roofs
        cannot.
    last_yield, crossing_gwh : float or None
        Specific yield of the last building needed [kWh/kWp]; annual energy of those buildings
        [GWh].
    homes_target : float
        Household rooftop systems targeted [homes].
    n_houses : int
        Low-rise houses with PV potential.
    n_homes : int
        Houses counted for the homes target: the best ``min(homes_target, n_houses)``.
    homes_kwp, homes_kwh : float
        Capacity [kWp] and annual energy [kWh] of those houses.
    """

    target_mw: float
    installed_mw: float
    need_mw: float
    total_mw: float
    total_gwh: float
    crossing: int | None
    last_yield: float | None
    crossing_gwh: float | None
    homes_target: float
    n_houses: int
    n_homes: int
    homes_kwp: float
    homes_kwh: float

    @property
    def potential_status(self):
        return "met" if self.total_mw >= self.need_mw else "not_met"

    @property
    def homes_status(self):
        return "met" if self.n_houses >= self.homes_target else "not_met"


def low_rise_houses(buildings, roof_type_used, kwp):
    """Residential buildings that can carry a household (户用) system: pitched or at most 3 storeys.

    The plan's 10,000 homes are household systems on low-rise houses, not apartment blocks.
    """
    storeys = (pd.to_numeric(buildings["storeys"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
               if "storeys" in buildings.columns else np.full(len(buildings), np.nan))
    low_rise = (np.asarray(roof_type_used) == "pitched") | (storeys <= 3)
    return (buildings["building_type"].to_numpy() == "residential") & low_rise & (kwp > 0)


def plan_check(kwp, kwh, spec, order, cum_mw, houses, *, target_mw, installed_mw, homes_target):
    """Compare the potential with the targets.

    Parameters
    ----------
    kwp, kwh, spec : numpy.ndarray
        Per building: capacity [kWp], annual energy [kWh], specific yield [kWh/kWp].
    order : numpy.ndarray
        Buildings with PV, best specific yield first (the supply curve).
    cum_mw : numpy.ndarray
        Cumulative capacity along ``order`` [MW].
    houses : numpy.ndarray of bool
        Low-rise houses with PV (:func:`low_rise_houses`).
    target_mw, installed_mw : float
        [MW]
    homes_target : float
        [homes]

    Returns
    -------
    PlanCheck
    """
    need_mw = max(target_mw - installed_mw, 0.0)
    total_mw = float(kwp.sum() / 1000.0)
    crossing = int(np.searchsorted(cum_mw, need_mw) + 1) if need_mw <= total_mw and len(order) else None
    last_yield = crossing_gwh = None
    if crossing is not None:
        last_yield = float(spec[order][crossing - 1])
        crossing_gwh = float(kwh[order][:crossing].sum() / 1e6)
    house_order = order[houses[order]]
    n_houses = int(houses.sum())
    n_homes = int(min(homes_target, n_houses))
    return PlanCheck(target_mw, installed_mw, need_mw, total_mw, float(kwh.sum() / 1e6), crossing,
                     last_yield, crossing_gwh, homes_target, n_houses, n_homes,
                     float(kwp[house_order[:n_homes]].sum()), float(kwh[house_order[:n_homes]].sum()))


def targets_table(pc):
    """The ``solar_targets`` table: item (a Msg), value (number), unit (code), assessment (status)."""
    rows = [
        (Msg("solar.item_target_mw"), pc.target_mw, "mw", None),
        (Msg("solar.item_installed_mw"), pc.installed_mw, "mw", None),
        (Msg("solar.item_need_mw"), pc.need_mw, "mw", None),
        (Msg("solar.item_potential_mw"), round(pc.total_mw, 2), "mw", pc.potential_status),
        (Msg("solar.item_potential_gwh"), round(pc.total_gwh, 2), "gwh", None),
    ]
    if pc.crossing is not None:
        rows += [
            (Msg("solar.item_buildings_needed"), pc.crossing, "buildings", None),
            (Msg("solar.item_last_yield"), round(pc.last_yield, 1), "kwh_per_kwp", None),
            (Msg("solar.item_needed_gwh"), round(pc.crossing_gwh, 2), "gwh", None),
        ]
    else:
        rows.append((Msg("solar.item_buildings_needed_unreachable"), None, None, "not_met"))
    rows += [
        (Msg("solar.item_homes_target"), pc.homes_target, "homes", None),
        (Msg("solar.item_low_rise_houses"), pc.n_houses, "houses", pc.homes_status),
        (Msg("solar.item_houses_mw", n=pc.n_homes), round(pc.homes_kwp / 1000.0, 3), "mw", None),
        (Msg("solar.item_houses_gwh", n=pc.n_homes), round(pc.homes_kwh / 1e6, 3), "gwh", None),
        (Msg("solar.item_kwp_per_home"), round(pc.homes_kwp / pc.n_homes, 2) if pc.n_homes else None,
         "kwp", None),
    ]
    df = pd.DataFrame(rows, columns=["item", "value", "unit", "assessment"])
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype(float)
    return df


def figures(pc, n_buildings, n_with_pv, mean_yield):
    """The key figures, the headline first: potential [MW] against the capacity target."""
    return [
        Figure("solar.potential_mw", round(pc.total_mw, 1), "mw", target=pc.target_mw,
               status=pc.potential_status, headline=True),
        Figure("solar.need_mw", pc.need_mw, "mw"),
        Figure("solar.buildings_to_reach_target", pc.crossing, "buildings") if pc.crossing is not None
        else Figure("solar.buildings_to_reach_target", "unreachable", family="solar.reach", status="not_met"),
        Figure("solar.potential_gwh_year", round(pc.total_gwh, 1), "gwh_per_year"),
        Figure("solar.mean_kwh_per_kwp", mean_yield, "kwh_per_kwp"),
        Figure("solar.buildings", n_buildings, "buildings"),
        Figure("solar.buildings_with_pv", n_with_pv, "buildings"),
        Figure("solar.target_mw", pc.target_mw, "mw"),
        Figure("solar.installed_mw", pc.installed_mw, "mw"),
        Figure("solar.homes_target", pc.homes_target, "homes"),
        Figure("solar.low_rise_houses", pc.n_houses, "buildings", status=pc.homes_status),
        Figure("solar.homes_mw", round(pc.homes_kwp / 1000.0, 3), "mw"),
    ]


def summary_lines(result):
    """The console lines of a solar result, as messages: the capacity target and the
    household programme, in the words of the ``solar_targets`` table.

    Returns
    -------
    list of Msg
    """
    f = {fig.code: fig for fig in result.figures}
    pot, need, k = f["solar.potential_mw"], f["solar.need_mw"], f["solar.buildings_to_reach_target"]
    status = Word("status", pot.status)
    lines = [Msg("solar.line_potential", potential=pot.value, need=need.value, status=status)]
    if k.status != "not_met":
        lines.append(Msg("solar.line_need_reached", need=need.value, n=k.value))
    else:
        lines.append(Msg("solar.line_need_unreachable", need=need.value))
    houses, homes, mw = f["solar.low_rise_houses"], f["solar.homes_target"], f["solar.homes_mw"]
    code = "solar.line_homes_met" if houses.status == "met" else "solar.line_homes_not_met"
    lines.append(Msg(code, n=houses.value, target=homes.value, status=Word("status", houses.status),
                     counted=int(min(houses.value, homes.value)), mw=mw.value))
    if f["solar.installed_mw"].value == 0:
        lines.append(Msg("solar.line_no_installed"))
    return lines
