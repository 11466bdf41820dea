"""The tables and layers of the zoning check, in codes: projects, findings (violations and
notices, each explained by a :class:`~hn_geo.core.results.Msg`), units, towns, the unit
emission-cap utilisation, and the result layers."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from hn_geo.core.results import Msg, Word
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.zoning.arrays import cat, coded, objects, per_group, per_project, rule_lists, text
from hn_geo.zoning.evaluate import SEVERITY, SEVERITY_STATUS, STATUS, pollutant_code
from hn_geo.zoning.rules import POLLUTANTS

COUNT_COLUMNS = {"n_fail": "fail", "n_warning": "warn", "n_review": "review", "n_pass": "pass"}
"""Count columns of the unit and town tables -> the project status they count."""


def project_table(at, units, pp, pu, f, status_idx, R):
    """One row per project: its units, towns, broken rules and status."""
    n_p = len(status_idx)
    codes_u = units["unit_code"].astype(str).to_numpy()
    towns_u = text(units, "town").fillna("").astype(str).to_numpy()
    types_u = [Word("unit_type", str(t)) for t in units["unit_type"]]
    div_idx = np.where(at.code_idx >= 0, at.code_idx, len(at.code_norm))
    viol = f.is_violation
    return pd.DataFrame({
        "project_id": at.pid,
        "name": at.names_s.array,
        "industry_code": at.code_s.array,
        "industry_division": np.array([c[:2] if d else None for c, d in zip(at.code_norm, at.code_div)]
                                      + [None], dtype=object)[div_idx],
        "build_type": coded(at.st_idx, at.st_uniq),
        "unit_codes": per_project(pp, pu, n_p, codes_u),
        "unit_types": per_project(pp, pu, n_p, types_u, unique=True),
        "towns": per_project(pp, pu, n_p, towns_u, unique=True),
        "n_violations": np.bincount(f.g_proj[viol], minlength=n_p),
        "n_notices": np.bincount(f.g_proj[~viol], minlength=n_p),
        "violated_rules": rule_lists(f.g_proj[viol], f.g_rule[viol], n_p, [r.id for r in R]),
        "outside": status_idx == STATUS.index("no_data"),
        "status": coded(status_idx, STATUS),
    })


def finding_tables(at, f, R, unit_codes):
    """The violations (error/warning rules) and notices (info rules) tables."""
    severity = [SEVERITY[r.severity] for r in R]
    table = pd.DataFrame({
        "project_id": at.pid_s.take(f.g_proj).array,
        "project_name": at.names_s.take(f.g_proj).array,
        "rule_id": cat(f.g_rule, [r.id for r in R]),
        "rule_kind": coded(f.g_rule, [r.kind for r in R]),
        "severity": coded(f.g_rule, severity),
        "unit_codes": per_group(f.grp, f.unit, f.first, unit_codes),
        "value": np.round(f.g_val, 4),
        "limit": f.g_lim,
        "detail": details(f, R, at),
        "clause": cat(f.g_rule, [r.clause for r in R]),
        "rule_source": cat(f.g_rule, [r.source for r in R]),
        "verdict": coded(f.g_rule, [SEVERITY_STATUS[s] for s in severity]),
    })
    sort = np.lexsort((f.g_rule, f.g_sev))
    viol = f.is_violation[sort]
    return {"violations": table.iloc[sort[viol]].reset_index(drop=True),
            "notices": table.iloc[sort[~viol]].reset_index(drop=True)}


def details(f, R, at):
    """Per finding group: a Msg explaining it (built per rule, the values per row)."""
    out = np.empty(f.g_rule.size, dtype=object)
    norm = None
    for j in np.unique(f.g_rule):
        r = R[j]
        sel = np.flatnonzero(f.g_rule == j)
        p = f.g_proj[sel]
        vals = f.g_val[sel].tolist()
        limit = float(f.g_lim[sel][0]) if sel.size else float("nan")
        if r.kind == "prohibited_industry":
            norm = at.normalised_codes() if norm is None else norm
            cats = list(r.params.get("categories", [])) + list(r.params.get("codes", []))
            msgs = [Msg("zoning.detail_prohibited_industry", industry=c, categories=cats) for c in norm[p]]
        elif r.kind == "two_high":
            msgs = [Msg("zoning.detail_two_high")] * sel.size
        elif r.kind == "high_vocs_solvent":
            msgs = [Msg("zoning.detail_high_vocs_solvent", solvent=s) for s in at.solvents()[p]]
        elif r.kind == "park_only":
            parks = list(r.params.get("parks", ()))
            msgs = [Msg("zoning.detail_park_only", parks=parks) if parks
                    else Msg("zoning.detail_park_only_any")] * sel.size
        else:
            msgs = [Msg(f"zoning.detail_{r.kind}", value=v, limit=limit, **_what(r)) for v in vals]
        out[sel] = objects(msgs)
    return out


def _what(rule):
    """The Word a measured-value detail names (zone layer, pollutant), if any."""
    if rule.kind == "min_distance":
        return {"layer": Word("zoning.distance_layer", rule.params["layer"])}
    if rule.kind == "emission_cap":
        return {"pollutant": Word("pollutant", pollutant_code(rule.params["pollutant"]))}
    return {}


def unit_table(units, pp, pu, f, status_idx, ex_loads, ex_counts):
    """One row per control unit: projects by status, violations, existing loads."""
    n_u = len(units)
    st = status_idx[pp]
    area = units.to_crs(METRIC_CRS).area.to_numpy() / 1e6
    return pd.DataFrame({
        "unit_code": units["unit_code"].astype(str).to_numpy(),
        "unit_name": text(units, "name").to_numpy(),
        "unit_type": units["unit_type"].astype(object).to_numpy(),
        "sub_type": text(units, "sub_type").to_numpy(),
        "town": text(units, "town").to_numpy(),
        "area_km2": np.round(area, 3),
        "n_projects": np.bincount(pu, minlength=n_u),
        **{col: np.bincount(pu[st == STATUS.index(s)], minlength=n_u)
           for col, s in COUNT_COLUMNS.items()},
        "n_violations": np.bincount(f.unit[f.row_sev < 2], minlength=n_u),
        "n_points": ex_counts,
        **{f"existing_{p}": np.round(ex_loads[:, k], 3) for k, p in enumerate(POLLUTANTS)},
    })


def town_table(units, pp, pu, f, status_idx, outside):
    """Totals per town; a project in two towns counts in both; one row for projects outside."""
    town_u = text(units, "town").fillna("").astype(str)
    town_codes, town_uniq = pd.factorize(town_u)
    n_t = max(len(town_uniq), 1)
    single = np.bincount(pp, minlength=len(status_idx))[pp] == 1  # no de-duplication needed
    tkey = np.unique(pp[~single].astype(np.int64) * n_t + town_codes[pu[~single]])
    tp = np.concatenate([pp[single], tkey // n_t])
    tt = np.concatenate([town_codes[pu[single]], tkey % n_t])
    st = status_idx[tp]
    n = len(town_uniq)
    table = pd.DataFrame({
        "town": objects(list(town_uniq)),
        "n_projects": np.bincount(tt, minlength=n),
        **{col: np.bincount(tt[st == STATUS.index(s)], minlength=n) for col, s in COUNT_COLUMNS.items()},
        "n_violations": np.bincount(town_codes[f.unit[f.row_sev < 2]], minlength=n),
        "n_notices": np.bincount(town_codes[f.unit[f.row_sev == 2]], minlength=n),
    })
    if outside.any():
        row = {c: 0 for c in table.columns}
        row.update(town=Word("zoning.location", "outside"), n_projects=int(outside.sum()))
        table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    return table


UTILISATION_COLUMNS = ("rule_id", "unit_code", "unit_name", "town", "pollutant", "cap_t",
                       "existing_t", "proposed_t", "total_t", "utilisation_existing_pct",
                       "utilisation_total_pct", "headroom_t", "n_projects_over", "cap_status",
                       "existing_over_cap")


def utilisation(rules, A, units, ex_loads, pp, pu, at, f, skipped):
    """Unit-cap utilisation table and the highest total utilisation per unit [%].

    ``proposed_t`` sums the loads of the projects the cap rule applies to (new/expansion
    by default) in the unit; ``n_projects_over`` counts those that break the cap on their
    own; ``cap_status`` is ``not_met`` when existing + proposed loads exceed the cap
    (``existing_over_cap``: the existing load alone does), else ``met``.
    """
    return utilisation_table(rules, A, units, ex_loads, cap_sums(rules, A, units, pp, pu, at, f, skipped))


def cap_sums(rules, A, units, pp, pu, at, f, skipped):
    """Per emission-cap rule index: (proposed load per unit [t/a], projects over the cap per
    unit) -- sums that parts of the projects add up before :func:`utilisation_table`."""
    out = {}
    for j, r in enumerate(rules.rules):
        if r.kind != "emission_cap" or r.id in skipped:
            continue
        pm = at.status_mask(r.statuses)
        if r.industry_prefixes:
            pm &= at.industry_mask(r.industry_prefixes)
        on = A[pu, j] & pm[pp]
        load = np.nan_to_num(at.loads[r.params["pollutant"]])
        out[j] = (np.bincount(pu[on], weights=load[pp[on]], minlength=len(units)),
                  np.bincount(f.unit[f.rule == j], minlength=len(units)))
    return out


def utilisation_table(rules, A, units, ex_loads, sums):
    """The utilisation table and the highest total utilisation per unit from :func:`cap_sums`."""
    max_util = np.full(len(units), np.nan)
    rows = []
    for j, (proposed, over) in sums.items():
        r = rules.rules[j]
        for u in np.flatnonzero(A[:, j]):
            row = _cap_row(r, units, u, ex_loads, proposed[u], int(over[u]))
            max_util[u] = np.nanmax([max_util[u], row["utilisation_total_pct"]])
            rows.append(row)
    return pd.DataFrame(rows, columns=list(UTILISATION_COLUMNS)), np.round(max_util, 1)


def _cap_row(r, units, u, ex_loads, prop, n_over):
    cap = float(r.params["cap_t"])
    ex = float(ex_loads[u, POLLUTANTS.index(r.params["pollutant"])])
    prop = float(prop)
    util_ex = 100 * ex / cap if cap > 0 else np.inf
    util_tot = 100 * (ex + prop) / cap if cap > 0 else np.inf
    return {
        "rule_id": r.id, "unit_code": str(units["unit_code"].iloc[u]),
        "unit_name": text(units, "name").iloc[u], "town": text(units, "town").iloc[u],
        "pollutant": pollutant_code(r.params["pollutant"]),
        "cap_t": cap, "existing_t": round(ex, 3), "proposed_t": round(prop, 3),
        "total_t": round(ex + prop, 3),
        "utilisation_existing_pct": round(util_ex, 1), "utilisation_total_pct": round(util_tot, 1),
        "headroom_t": round(cap - ex, 3), "n_projects_over": n_over,
        "cap_status": "not_met" if ex + prop > cap or ex > cap else "met",
        "existing_over_cap": bool(ex > cap),
    }


PROJECT_LAYER_COLUMNS = ("unit_codes", "towns", "n_violations", "n_notices", "violated_rules",
                         "status")


def result_layers(projects, geoms, units, tables, status_idx):
    """Layers ``control_units`` (with the unit table), ``projects`` (the check result in
    ``status``; the input ``status`` renamed ``build_type``) and ``violations`` (failing and
    warned projects)."""
    return {"control_units": unit_layer(units, tables["units"]),
            **project_layers(projects, geoms, tables["projects"], status_idx)}


def unit_layer(units, unit_table):
    """The control units with the columns of the unit table."""
    ul = units.copy()
    for col in unit_table.columns:
        if col not in ul.columns or col == "area_km2":
            ul[col] = unit_table[col].to_numpy()
    return ul


def project_layers(projects, geoms, project_table, status_idx):
    """Layers ``projects`` and ``violations`` (the failing and warned projects)."""
    pl = projects.rename(columns={"status": "build_type"})
    if projects.crs != STORAGE_CRS:
        pl = pl.set_geometry(gpd.GeoSeries(geoms, index=pl.index, crs=STORAGE_CRS))
    pl = pl.assign(**{c: project_table[c].to_numpy() for c in PROJECT_LAYER_COLUMNS})
    return {"projects": pl, "violations": pl.iloc[np.flatnonzero(status_idx <= STATUS.index("warn"))]}
