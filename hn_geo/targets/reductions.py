"""Key-project pollutant reductions (plan 四.（二）): totals against the city targets (NOx, VOCs,
COD, NH3-N) and the towns' allocations, by pollutant, town and year, with double counting
("重点核查重复计算") found and excluded.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.results import Msg, Word
from hn_geo.targets.progress import BASE_YEAR, DEADLINE, PERIOD, progress_fraction, progress_status

POLLUTANTS = ("nox", "vocs", "cod", "nh3n")
"""Pollutants of the key-project targets (codes of the ``pollutant`` family), in plan order."""


def _norm_text(s):
    return (s.astype("string").fillna("").str.normalize("NFKC").str.replace(r"\s+", "", regex=True)
            .str.lower())


def _first_of_group(keys):
    """Position (in ``keys``) of the first row with the same key, for every row."""
    codes, _ = pd.factorize(keys.to_numpy(dtype=object))
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    return first[inverse]


def find_double_counted(projects):
    """Flag projects counted twice (plan 四.（二）: 重点核查重复计算).

    A row is a double count when an earlier row has the same ``project_id`` and pollutant (one
    project may legitimately reduce several pollutants, one row each), or the same enterprise /
    emission point, pollutant and measure (text compared after Unicode normalisation, case and
    whitespace folding). The first row is kept.

    Parameters
    ----------
    projects : pandas.DataFrame
        Canonical reduction projects (:func:`hn_geo.ground.stats.read_reduction_projects`).

    Returns
    -------
    keep : numpy.ndarray of bool
        Rows to count.
    table : pandas.DataFrame
        The excluded rows with ``reason`` (a ``double_count_reason`` code: ``same_project`` or
        ``same_source_measure``) and ``duplicate_of`` (a ``Msg``: kept project id and its row).
    """
    p = projects.reset_index(drop=True)
    pid = _norm_text(p["project_id"]) + "|" + p["pollutant"]
    combo = _norm_text(p["source_key"]) + "|" + p["pollutant"] + "|" + _norm_text(p["measure"])
    first_id = _first_of_group(pid)
    dup_id = first_id != np.arange(len(p))
    rest = np.flatnonzero(~dup_id)
    first_combo = np.arange(len(p))
    first_combo[rest] = rest[_first_of_group(combo.iloc[rest])]
    dup_combo = first_combo != np.arange(len(p))
    keep = ~(dup_id | dup_combo)
    ref = np.where(dup_id, first_id, first_combo)
    reason = np.where(dup_id, "same_project", "same_source_measure").astype(object)
    bad = ~keep
    ids, rows = p["project_id"].to_numpy(dtype=object), p["_row"].to_numpy()
    table = pd.DataFrame({
        "row": rows[bad], "project_id": ids[bad],
        "point_id": p["source_key"].to_numpy()[bad], "town": p["town"].to_numpy()[bad],
        "pollutant": p["pollutant"].to_numpy()[bad], "reduction_t": p["reduction_t"].to_numpy()[bad],
        "year": p["year"].to_numpy()[bad], "measure": p["measure"].to_numpy()[bad],
        "reason": reason[bad],
        "duplicate_of": [Msg("targets.duplicate_of", project=str(ids[k]), row=int(rows[k]))
                         for k in ref[bad]],
    })
    table["duplicate_of"] = table["duplicate_of"].astype(object)
    return keep, table


def _warn_excluded(dups, p, src):
    if len(dups):
        listed = [Msg("targets.double_row", row=int(r), project=str(i),
                      reason=Word("targets.double_count_reason", why))
                  for r, i, why in zip(dups["row"][:10], dups["project_id"][:10], dups["reason"][:10])]
        more = Msg("targets.and_more", n=len(dups) - 10) if len(dups) > 10 else ""
        warnings.warn(HnGeoWarning("targets.double_counted", path=src, n=len(dups),
                                   t=float(dups["reduction_t"].sum()), rows=listed, more=more),
                      stacklevel=3)
    out = ((p["year"] <= BASE_YEAR) | (p["year"] > DEADLINE)).to_numpy()
    if out.any():
        warnings.warn(HnGeoWarning("targets.outside_period", path=src, n=int(out.sum()),
                                   first=BASE_YEAR + 1, last=DEADLINE,
                                   rows=[int(r) for r in p["_row"][out].head(10)]), stacklevel=3)
    return out


def _city_targets(targets):
    """Pollutant code -> city target [t] (NaN when the plan has none)."""
    t = targets[targets["pollutant"].notna()] if "pollutant" in targets else targets.iloc[:0]
    by = dict(zip(t["pollutant"], t["value"].astype(float)))
    return np.array([by.get(x, np.nan) for x in POLLUTANTS])


def _by_pollutant(upto, dups, city_t, year, final):
    tot = upto.groupby("pollutant")["reduction_t"].sum().reindex(list(POLLUTANTS), fill_value=0.0)
    n = upto.groupby("pollutant").size().reindex(list(POLLUTANTS), fill_value=0)
    out = pd.DataFrame({"pollutant": list(POLLUTANTS), "year": year, "projects": n.to_numpy(),
                        "reduction_t": tot.to_numpy(dtype=float), "target_t": city_t})
    out["completion_pct"] = out["reduction_t"] / out["target_t"] * 100.0
    out["expected_t"] = out["target_t"] * progress_fraction(year)
    out["status"] = progress_status(out["reduction_t"], city_t, out["expected_t"], final)
    out["excluded_double_t"] = [float(dups.loc[dups["pollutant"] == x, "reduction_t"].sum())
                                for x in POLLUTANTS]
    return out


def _by_town(upto, allocations, town_names, year, final):
    grid = pd.MultiIndex.from_product([sorted(town_names), list(POLLUTANTS)], names=["code", "pollutant"])
    out = upto.groupby(["code", "pollutant"])["reduction_t"].sum().reindex(grid, fill_value=0.0).reset_index()
    out.insert(1, "town", out["code"].map(town_names))
    out["year"] = year
    if allocations is not None and len(allocations):
        alloc = allocations.set_index(["code", "pollutant"])["target_t"]
        out["target_t"] = [float(alloc.get((c, x), np.nan)) for c, x in zip(out["code"], out["pollutant"])]
    else:
        out["target_t"] = np.nan
    out["completion_pct"] = out["reduction_t"] / out["target_t"] * 100.0
    out["expected_t"] = out["target_t"] * progress_fraction(year)
    out["status"] = progress_status(out["reduction_t"], out["target_t"], out["expected_t"], final)
    out["status_note"] = np.where(out["target_t"].isna(), "no_allocation", None).astype(object)
    keep = (out["reduction_t"] > 0) | out["target_t"].notna()
    return out[keep].reset_index(drop=True)


def _by_year(counted, city_t, year):
    years = list(range(BASE_YEAR + 1, DEADLINE + 1))
    yy = counted.groupby(["year", "pollutant"])["reduction_t"].sum().unstack("pollutant")
    yy = yy.reindex(index=years, columns=list(POLLUTANTS)).fillna(0.0)
    out = yy.stack().rename("reduction_t").reset_index()
    out["cumulative_t"] = out.groupby("pollutant")["reduction_t"].cumsum()
    out["target_t"] = out["pollutant"].map(dict(zip(POLLUTANTS, city_t)))
    out["expected_t"] = out["target_t"] * (out["year"] - BASE_YEAR) / PERIOD
    out = out[out["year"] <= max(year, BASE_YEAR + 1)]
    order = {x: i for i, x in enumerate(POLLUTANTS)}
    return out.sort_values(["pollutant", "year"], key=lambda s: s.map(order) if s.name == "pollutant" else s
                           ).reset_index(drop=True)


def pollutant_reductions(projects, *, targets, year=None, allocations=None, town_names=None):
    """Key-project pollutant reductions against the city targets and town allocations.

    Parameters
    ----------
    projects : pandas.DataFrame
        Canonical reduction projects (:func:`hn_geo.ground.stats.read_reduction_projects`):
        ``pollutant`` codes, ``reduction_t`` [t], ``year``, ``code``/``town`` ...
    targets : pandas.DataFrame
        The plan's targets (:func:`hn_geo.ground.plan.load_targets`): the rows with a
        ``pollutant`` give the city targets (NOx 515 t, VOCs 2585 t, COD 1200 t, NH3-N 85 t).
    year : int, optional
        Reporting year: projects of 2021..year count (latest project year by default).
    allocations : pandas.DataFrame, optional
        Per-town allocations (:func:`hn_geo.ground.stats.read_allocations`).
    town_names : dict, optional
        Town code -> name of the towns listed in ``by_town`` (the towns of ``projects`` and
        ``allocations`` by default).

    Returns
    -------
    dict of str -> pandas.DataFrame
        ``by_pollutant`` (city totals vs targets), ``by_town`` (town x pollutant vs
        allocations; ``status_note`` ``no_allocation`` where a town has none), ``by_year`` (year x
        pollutant, annual and cumulative t) and ``double_counted`` (excluded rows).

    Warns
    -----
    HnGeoWarning
        Double-counted rows excluded (counted, with their tonnage); projects outside
        2021-2025 excluded.
    """
    p = projects.reset_index(drop=True)
    year = int(p["year"].max()) if year is None else int(year)
    keep, dups = find_double_counted(p)
    outside = _warn_excluded(dups, p, projects.attrs.get("path", "reduction_projects"))
    counted = p[keep & ~outside]
    upto = counted[counted["year"] <= year]
    final = year >= DEADLINE
    city_t = _city_targets(targets)
    if town_names is None:
        frames = [p] + ([allocations] if allocations is not None else [])
        pairs = pd.concat([f[["code", "town"]] for f in frames]).drop_duplicates("code")
        town_names = dict(zip(pairs["code"], pairs["town"]))
    return {"by_pollutant": _by_pollutant(upto, dups, city_t, year, final),
            "by_town": _by_town(upto, allocations, town_names, year, final),
            "by_year": _by_year(counted, city_t, year),
            "double_counted": dups}
