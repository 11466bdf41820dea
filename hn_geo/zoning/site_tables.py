"""The tables and layers of the site finder, in codes: the site polygons, area by verdict per
town and per park, the blocking clauses ranked by the area they exclude, the largest
passing parcels, the units' emission-cap headroom and the profile itself.

Areas are summed over the faces of the partition (EPSG:4549), so the tables are exact
whatever ``min_area_ha`` did to the polygons of the layer.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hn_geo.core.results import Word
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.zoning.arrays import coded, objects, text
from hn_geo.zoning.evaluate import SEVERITY, SEVERITY_STATUS, STATUS, pollutant_code
from hn_geo.zoning.partition import components
from hn_geo.zoning.rules import POLLUTANTS

SHOWN = ("pass", "warn", "review", "fail", "no_data")
"""Verdicts of the area tables, in column order."""


def _ha(m2):
    return np.round(np.asarray(m2, dtype=float) / 1e4, 4)


def _clauses(rules, *id_lists):
    """Per face: the clause texts of the rules in ``id_lists`` (tuples of ids or None)."""
    clause = {r.id: r.clause for r in rules.rules}
    out = []
    for cells in zip(*id_lists):
        ids = [i for cell in cells for i in (cell or ())]
        out.append(tuple(clause[i] for i in dict.fromkeys(ids)) or None)
    return objects(out)


def site_layer(part, fv, group, geoms, rep):
    """The ``sites`` layer: one polygon per group of faces, attributes of its ``rep`` face."""
    units, parks = part.units, part.parks
    u, p, t = part.unit_of[rep], part.park_of[rep], part.town_of[rep]
    ucode = np.append(units["unit_code"].astype(str).to_numpy(), None)
    uname = np.append(text(units, "name").astype(object).to_numpy(), None)
    utype = np.append(units["unit_type"].astype(object).to_numpy(), None)
    pid = np.append(parks["park_id"].astype(str).to_numpy(), None) if parks is not None else np.array([None])
    pname = np.append(text(parks, "name").astype(object).to_numpy(), None) if parks is not None \
        else np.array([None])
    towns = np.array(list(part.town_names) + [None], dtype=object)
    return gpd.GeoDataFrame({
        "site_id": np.arange(1, len(geoms) + 1),
        "status": coded(fv.status[rep], STATUS),
        "violated_rules": fv.violated[rep],
        "review_rules": fv.review[rep],
        "notice_rules": fv.notices[rep],
        "clauses": _clauses(part.rules, fv.violated[rep], fv.review[rep]),
        "unit_code": ucode[u], "unit_name": uname[u], "unit_type": utype[u],
        "park_id": pid[p], "park_name": pname[p], "town": towns[t],
        "area_ha": _ha(np.bincount(group, weights=part.area_m2)),
    }, geometry=gpd.GeoSeries(geoms, crs=STORAGE_CRS), crs=STORAGE_CRS)


def _by_status(idx, n, part, fv):
    """Area [m2] matrix (n groups, len(SHOWN)) of the faces with group ``idx`` (-1: none)."""
    out = np.zeros((n + 1, len(SHOWN)))
    g = np.where(idx >= 0, idx, n)
    for k, s in enumerate(SHOWN):
        sel = fv.status == STATUS.index(s)
        out[:, k] = np.bincount(g[sel], weights=part.area_m2[sel], minlength=n + 1)
    return out


def _area_columns(areas, total):
    """``area_ha`` and ``<verdict>_ha`` / ``<verdict>_pct`` (of ``total``) columns."""
    cols = {"area_ha": _ha(total)}
    with np.errstate(divide="ignore", invalid="ignore"):
        for k, s in enumerate(SHOWN):
            cols[f"{s}_ha"] = _ha(areas[:, k])
            cols[f"{s}_pct"] = np.round(np.where(total > 0, 100 * areas[:, k] / total, np.nan), 2)
    return cols


def town_table(part, fv):
    """Area by verdict per town (ha and % of the town's area in the city), a row for the
    area outside every town (if any) and one for the whole city."""
    n = len(part.town_names)
    areas = _by_status(part.town_of, n, part, fv)
    names = list(part.town_names) + [Word("zoning.location", "outside_towns")]
    keep = np.r_[np.ones(n, bool), areas[n].sum() > 0]
    rows = np.vstack([areas[keep], areas.sum(axis=0)])
    labels = [x for x, k in zip(names, keep) if k] + [Word("zoning.location", "city")]
    return pd.DataFrame({"town": objects(labels), **_area_columns(rows, rows.sum(axis=1))})


def park_table(part, fv):
    """Area by verdict per park (ha and % of the park) and for the area outside every park."""
    parks = part.parks
    n = 0 if parks is None else len(parks)
    areas = _by_status(part.park_of, n, part, fv)
    outside = Word("zoning.location", "outside_parks")
    frame = pd.DataFrame({
        "park_id": objects(([] if parks is None else parks["park_id"].astype(str).tolist()) + [None]),
        "park_name": objects(([] if parks is None else text(parks, "name").tolist()) + [outside]),
        "town": objects(([] if parks is None else text(parks, "town").tolist()) + [None]),
        **_area_columns(areas, areas.sum(axis=1)),
    })
    return frame


def clause_table(part, fv):
    """The rules broken somewhere for the profile, ranked by the area where they are broken.

    ``area_ha`` is where the rule is broken (blocked by it, maybe among others); ``sole_ha``
    where it is the only rule broken (the area that lifting it alone would open);
    ``review_ha`` where it could not be evaluated (status review there unless another rule
    is broken).
    """
    f, R = fv.found, part.rules.rules
    viol = f.is_violation
    n_viol = np.bincount(f.g_proj[viol], minlength=len(part))
    rows = []
    review = {}
    for idx, rid, _ in fv.log:
        review[rid] = np.union1d(review.get(rid, np.zeros(0, np.int64)), idx)
    city = part.boundary_area_m2
    for j, r in enumerate(R):
        faces = f.g_proj[viol & (f.g_rule == j)]
        rev = review.get(r.id, np.zeros(0, np.int64))
        if not faces.size and not rev.size:
            continue
        area = part.area_m2[faces].sum()
        sev = SEVERITY[r.severity]
        rows.append({"rule_id": r.id, "rule_kind": r.kind, "severity": sev, "clause": r.clause,
                     "rule_source": r.source, "area_ha": _ha(area), "area_pct": round(100 * area / city, 3),
                     "sole_ha": _ha(part.area_m2[faces[n_viol[faces] == 1]].sum()),
                     "review_ha": _ha(part.area_m2[rev].sum()),
                     "n_units": int(np.unique(part.unit_of[faces]).size),
                     "verdict": SEVERITY_STATUS[sev] if faces.size else "review"})
    cols = ["rule_id", "rule_kind", "severity", "clause", "rule_source", "area_ha", "area_pct",
            "sole_ha", "review_ha", "n_units", "verdict"]
    table = pd.DataFrame(rows, columns=cols)
    if len(table):
        rank = table["verdict"].map({"fail": 0, "warn": 1, "review": 2})
        table = table.assign(_r=rank).sort_values(["_r", "area_ha", "review_ha"], ascending=[True, False, False],
                                                  kind="stable").drop(columns="_r").reset_index(drop=True)
    return table


def parcels(part, fv, min_area_ha, top):
    """The largest contiguous passing areas: table and polygon layer, and what was dropped.

    Returns
    -------
    table : pandas.DataFrame
    layer : geopandas.GeoDataFrame
    dropped : tuple or None
        ``(n, m2)`` of the parcels smaller than ``min_area_ha`` left out.
    """
    ok = fv.status == STATUS.index("pass")
    n = len(part)
    edge = ok[part.adj_i] & ok[part.adj_j]
    comp = np.where(ok, components(n, part.adj_i, part.adj_j, edge), -1)
    ids, comp_c = np.unique(comp[ok], return_inverse=True)
    faces = np.flatnonzero(ok)
    area = np.bincount(comp_c, weights=part.area_m2[faces]) if faces.size else np.zeros(0)
    dropped = None
    keep = np.ones(area.size, bool)
    if min_area_ha:
        keep = area >= float(min_area_ha) * 1e4
        dropped = (int((~keep).sum()), float(area[~keep].sum())) if (~keep).any() else None
    order = [c for c in np.argsort(-area, kind="stable") if keep[c]][: int(top)]
    rows, geoms = [], []
    for rank, c in enumerate(order, start=1):
        mem = faces[comp_c == c]
        rows.append(_parcel_row(part, mem, rank))
        geoms.append(shapely.coverage_union_all(part.faces[mem]) if mem.size > 1 else part.faces[mem[0]])
    table = pd.DataFrame(rows, columns=PARCEL_COLUMNS)
    layer = gpd.GeoDataFrame(table.drop(columns=["lon", "lat"]),
                             geometry=gpd.GeoSeries(geoms, crs=STORAGE_CRS), crs=STORAGE_CRS)
    return table, layer, dropped


PARCEL_COLUMNS = ("rank", "area_ha", "lon", "lat", "town", "unit_codes", "in_park", "park_id",
                  "park_name", "park_distance_m")


def _parcel_row(part, mem, rank):
    a = part.area_m2[mem]
    cx, cy = (a * part.cx[mem]).sum() / a.sum(), (a * part.cy[mem]).sum() / a.sum()
    lonlat = gpd.GeoSeries([shapely.Point(cx, cy)], crs=METRIC_CRS).to_crs(STORAGE_CRS).iloc[0]
    towns = part.town_of[mem]
    town = None
    if (towns >= 0).any():
        w = np.bincount(towns[towns >= 0], weights=a[towns >= 0])
        town = part.town_names[int(np.argmax(w))]
    units = part.units["unit_code"].astype(str).to_numpy()
    ucodes = tuple(dict.fromkeys(units[u] for u in part.unit_of[mem] if u >= 0))
    in_park = part.park_of[mem] >= 0
    if in_park.any():
        w = np.bincount(part.park_of[mem][in_park], weights=a[in_park])
        park, dist = int(np.argmax(w)), 0.0
    elif (part.near_park[mem] >= 0).any():
        k = mem[np.argmin(part.near_park_m[mem])]
        park, dist = int(part.near_park[k]), float(part.near_park_m[k])
    else:
        park, dist = -1, np.nan
    parks = part.parks
    return {"rank": rank, "area_ha": float(_ha(a.sum())), "lon": round(lonlat.x, 6), "lat": round(lonlat.y, 6),
            "town": town, "unit_codes": ucodes or None, "in_park": bool(in_park.any()),
            "park_id": str(parks["park_id"].iloc[park]) if park >= 0 else None,
            "park_name": text(parks, "name").iloc[park] if park >= 0 else None,
            "park_distance_m": round(dist, 1)}


CAP_COLUMNS = ("rule_id", "unit_code", "unit_name", "town", "pollutant", "cap_t", "existing_t",
               "headroom_t", "profile_t", "total_t", "area_ha", "cap_status")


def cap_table(part, fv):
    """Each unit's emission-cap headroom (cap - existing load) against the profile's load,
    for the cap rules that apply to the profile; ``cap_status`` not_met where the profile
    does not fit, met where it does, review where its load is not given."""
    at, rows = fv.attrs, []
    unit_area = np.bincount(part.unit_of[part.unit_of >= 0], weights=part.area_m2[part.unit_of >= 0],
                            minlength=len(part.units))
    for j, r in enumerate(part.rules.rules):
        if r.kind != "emission_cap" or r.id in part.skipped or not at.status_mask(r.statuses)[0]:
            continue
        if r.industry_prefixes and not at.industry_mask(r.industry_prefixes)[0]:
            continue
        pol = r.params["pollutant"]
        load, cap = float(at.loads[pol][0]), float(r.params["cap_t"])
        for u in np.flatnonzero(part.A[:, j]):
            ex = float(part.ex_loads[u, POLLUTANTS.index(pol)])
            status = "review" if np.isnan(load) else ("not_met" if ex + load > cap else "met")
            rows.append({"rule_id": r.id, "unit_code": str(part.units["unit_code"].iloc[u]),
                         "unit_name": text(part.units, "name").iloc[u],
                         "town": text(part.units, "town").iloc[u], "pollutant": pollutant_code(pol),
                         "cap_t": cap, "existing_t": round(ex, 3), "headroom_t": round(cap - ex, 3),
                         "profile_t": None if np.isnan(load) else load,
                         "total_t": None if np.isnan(load) else round(ex + load, 3),
                         "area_ha": float(_ha(unit_area[u])), "cap_status": status})
    return pd.DataFrame(rows, columns=list(CAP_COLUMNS))


def profile_table(frame, at):
    """The profile as one row, with its industry division and energy intensity."""
    p = frame.iloc[0]
    norm = at.normalised_codes()[0]
    intensity = float(at.intensity[0])
    return pd.DataFrame([{
        "project_id": p["project_id"], "name": p["name"], "industry_code": p["industry_code"],
        "industry_division": norm[:2] or None, "build_type": p["status"], "two_high": bool(p["two_high"]),
        "energy_tce": _num(p["energy_tce"]), "value_added_wan": _num(p["value_added_wan"]),
        "intensity_tce_per_wan": None if np.isnan(intensity) else round(intensity, 4),
        "solvent_type": p["solvent_type"], **{k: _num(p[k]) for k in POLLUTANTS}}])


def _num(v):
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)
