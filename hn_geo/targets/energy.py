"""Energy dual control (能耗双控) by town: plan 四.（一） with the 附件1 targets.

Rules (plan 四.（一）)
-------------------
* intensity ``I = (E - N - R) / GDP`` with N nationally listed projects and R raw-material
  energy: "国家能耗单列的重大项目和原料用能，不纳入各镇（街道）能耗强度和总量考核".
* newly added renewable electricity is deducted from the **total** check only: "年度新增的可再生
  能源电力消费量，不纳入各镇（街道）能耗总量考核" -- the plan does not exclude it from intensity.
  The total check of year y deducts the increments of 2021..y (the growth over 2020).
* the required cut by year y is the 2025 target pro-rated (:mod:`hn_geo.targets.progress`).
* a town whose cut reaches its incentive target (pro-rated to year y) is exempt from the total
  check ("其能源消费总量在当期能耗双控考核中免予考核").
* total-energy allowance (from GDP growth and the basic target, "根据各镇（街道）生产总值增速
  目标和能耗强度降低基本目标确定年度能源消费总量目标"): the allowed intensity in year y is
  ``I_2020 * (1 - required_basic(y))``, so ``E_allow(y) = E'_2020 * GDP_y / GDP_2020 *
  (1 - required_basic(y))`` with ``E'_2020 = E_2020 - N_2020 - R_2020``. Actual GDP is used, which
  is how "经济增速超过预期目标的地区可相应调整能源消费总量目标" is applied.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.results import Msg
from hn_geo.targets.progress import BASE_YEAR, DEADLINE, check_path, progress_fraction, required_cut

CITY_CODE = "330481"
"""Code of the city-total row (海宁市)."""

COLUMNS = ["code", "town", "year", "gdp_2020_wan", "gdp_wan", "energy_tce", "national_listed_tce",
           "raw_material_tce", "renewable_new_cum_tce", "intensity_2020", "intensity",
           "intensity_cut_pct", "target_basic", "target_incentive", "progress",
           "required_basic_pct", "required_incentive_pct", "intensity_status", "target_level",
           "incentive_status", "exempt", "total_checked_tce", "allowance_tce", "allowance_margin_tce",
           "total_status", "deductions", "path"]
"""Columns of the result, in order."""


def _warn_gaps(e, town_targets, year, src):
    """Warn about towns with missing years between 2020 and ``year``, and towns without data."""
    names = dict(zip(town_targets["code"], town_targets["town"]))
    want = set(range(BASE_YEAR, year + 1))
    gaps = []
    for code, grp in e.groupby("code"):
        miss = sorted(want - set(grp["year"]))
        if miss:
            gaps.append(Msg("targets.town_years", town=names.get(code, code), years=miss))
    if gaps:
        warnings.warn(HnGeoWarning("targets.missing_years", path=src, n=len(gaps), first=BASE_YEAR,
                                   last=year, towns=gaps), stacklevel=3)
    absent = [names[c] for c in town_targets["code"] if c not in set(e["code"])]
    if absent:
        warnings.warn(HnGeoWarning("targets.no_energy_data", path=src, n=len(absent), towns=absent),
                      stacklevel=3)


def _fill(rows, g0, e0, g, eint, energy, nat, raw, ren):
    """Energy figures of ``rows`` from the 2020 and current totals."""
    rows["gdp_2020_wan"] = np.asarray(g0, dtype=float)
    rows["gdp_wan"] = np.asarray(g, dtype=float)
    rows["energy_tce"] = np.asarray(energy, dtype=float)
    rows["national_listed_tce"] = np.asarray(nat, dtype=float)
    rows["raw_material_tce"] = np.asarray(raw, dtype=float)
    rows["renewable_new_cum_tce"] = np.asarray(ren, dtype=float)
    rows["intensity_2020"] = np.asarray(e0, dtype=float) / rows["gdp_2020_wan"]
    rows["intensity"] = np.asarray(eint, dtype=float) / rows["gdp_wan"]
    rows["intensity_cut_pct"] = (1.0 - rows["intensity"] / rows["intensity_2020"]) * 100.0
    rows["total_checked_tce"] = np.asarray(eint, dtype=float) - rows["renewable_new_cum_tce"]
    return rows


def _town_rows(e, town_targets, year):
    """One row per official town (plan order) with its 2020 and ``year`` figures and targets."""
    e = e.sort_values(["code", "year"])
    e["intensity_energy"] = e["energy_tce"] - e["national_listed_tce"] - e["raw_material_tce"]
    cum = e[e["year"] > BASE_YEAR].groupby("code")["renewable_new"].sum()  # increments 2021..year
    base = e[e["year"] == BASE_YEAR].set_index("code")
    cur = e[e["year"] == year].set_index("code")
    t = town_targets.set_index("code")
    rows = pd.DataFrame({"code": list(t.index), "town": list(t["town"])})
    rows["year"] = year

    def col(frame, c):
        return rows["code"].map(frame[c]).astype(float).to_numpy()

    ren = np.where(rows["code"].isin(cur.index), rows["code"].map(cum).fillna(0.0), np.nan)
    rows = _fill(rows, col(base, "gdp_wan"), col(base, "intensity_energy"), col(cur, "gdp_wan"),
                 col(cur, "intensity_energy"), col(cur, "energy_tce"), col(cur, "national_listed_tce"),
                 col(cur, "raw_material_tce"), ren)
    rows["target_basic"] = t["target_basic"].to_numpy(dtype=float)
    rows["target_incentive"] = t["target_incentive"].to_numpy(dtype=float)
    return rows


def _city_row(rows, year, city_target):
    """The city row: sums over the towns with data in both years."""
    sums = rows[rows["intensity_cut_pct"].notna()]
    city = pd.DataFrame({"code": [CITY_CODE], "town": [Msg("targets.city")], "year": [year]})
    e0 = float((sums["intensity_2020"] * sums["gdp_2020_wan"]).sum())
    eint = float((sums["intensity"] * sums["gdp_wan"]).sum())
    city = _fill(city, [sums["gdp_2020_wan"].sum()], [e0], [sums["gdp_wan"].sum()], [eint],
                 [sums["energy_tce"].sum()], [sums["national_listed_tce"].sum()],
                 [sums["raw_material_tce"].sum()], [sums["renewable_new_cum_tce"].sum()])
    city["target_basic"] = np.nan if city_target is None else float(city_target)
    city["target_incentive"] = np.nan
    return city


def _statuses(rows, year):
    """Intensity, incentive and total-check status codes, the target level and the exemption."""
    cut = rows["intensity_cut_pct"].to_numpy()
    basic, incentive = rows["target_basic"].to_numpy(), rows["target_incentive"].to_numpy()
    final = year >= DEADLINE
    late = "not_met" if final else "behind"
    with np.errstate(invalid="ignore"):
        nothing = np.isnan(cut) | np.isnan(basic)
        rows["intensity_status"] = np.select(
            [nothing, cut >= incentive, cut >= basic,
             (cut >= rows["required_basic_pct"].to_numpy()) & (not final)],
            ["no_data", "met", "met", "on_track"], late).astype(object)
        rows["target_level"] = np.select([nothing, cut >= incentive, cut >= basic],
                                         [None, "incentive", "basic"], None).astype(object)
        exempt = cut >= rows["required_incentive_pct"].to_numpy()
        rows["incentive_status"] = np.select(
            [np.isnan(cut) | np.isnan(incentive), cut >= incentive, exempt & (not final)],
            [None, "met", "on_track"], late).astype(object)
        rows["allowance_tce"] = (rows["intensity_2020"] * rows["gdp_2020_wan"] * rows["gdp_wan"]
                                 / rows["gdp_2020_wan"] * (1.0 - rows["required_basic_pct"] / 100.0))
        rows["allowance_margin_tce"] = rows["allowance_tce"] - rows["total_checked_tce"]
        within = rows["allowance_margin_tce"].to_numpy() >= 0
    rows["exempt"] = exempt.astype(bool)
    rows["total_status"] = np.select([np.isnan(cut), exempt, within], ["no_data", "exempt", "met"],
                                     "not_met").astype(object)
    return rows


def energy_dual_control(energy, *, town_targets, year=None, path="linear", city_target=None):
    """Energy dual control (能耗双控) by town for a reporting year (plan 四.（一）, 附件1).

    Parameters
    ----------
    energy : pandas.DataFrame
        Canonical town energy table (:func:`hn_geo.ground.stats.read_town_energy`): ``code``,
        ``town``, ``year``, ``gdp_wan`` [万元, comparable prices], ``energy_tce`` [tce],
        ``renewable_new`` [tce, added in the year], ``national_listed_tce`` [tce],
        ``raw_material_tce`` [tce].
    town_targets : pandas.DataFrame
        附件1 targets (:func:`hn_geo.ground.plan.town_targets`): ``code``, ``town``,
        ``target_basic``, ``target_incentive`` [% cut 2020-2025].
    year : int, optional
        Reporting year (latest year of the table by default).
    path : {'linear', 'compound'}
        How targets are pro-rated to ``year``.
    city_target : float, optional
        City-wide intensity cut target [%] for the city row (the plan's
        ``energy_intensity_cut``, 18 %); without it the city row has no status.

    Returns
    -------
    pandas.DataFrame
        One row per official town plus a city row (code 330481, town a ``Msg``): intensities
        [tce/万元], cut since 2020 [%], required cuts [%], ``intensity_status`` (met /
        on_track / behind / not_met / no_data) with ``target_level`` (incentive / basic when
        met), ``incentive_status``, ``exempt`` (bool), energy counted in the total check
        [tce], ``allowance_tce``, ``allowance_margin_tce`` (allowance - counted; negative =
        over), ``total_status`` (exempt / met / not_met / no_data), ``deductions`` (a
        ``Msg``) and ``path`` (a ``pro_rating_path`` code).

    Warns
    -----
    HnGeoWarning
        Towns without data, or with years missing between 2020 and ``year`` (listed).
    """
    check_path(path)
    year = int(energy["year"].max()) if year is None else int(year)
    e = energy[energy["year"] <= year].copy()
    _warn_gaps(e, town_targets, year, energy.attrs.get("path", "town_energy"))
    rows = _town_rows(e, town_targets, year)
    if rows["intensity_cut_pct"].notna().any():
        rows = pd.concat([rows, _city_row(rows, year, city_target)], ignore_index=True)
    rows["progress"] = progress_fraction(year)
    rows["required_basic_pct"] = required_cut(rows["target_basic"], year, path)
    rows["required_incentive_pct"] = required_cut(rows["target_incentive"], year, path)
    rows = _statuses(rows, year)
    rows["deductions"] = [Msg("targets.deductions")] * len(rows)
    rows["path"] = path
    return rows[COLUMNS].reset_index(drop=True)
