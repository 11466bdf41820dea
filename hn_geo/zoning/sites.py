"""The site finder (选址): where in the city a project profile may go, and why not elsewhere.

:func:`sites` answers the reverse question of :func:`hn_geo.zoning.check`: given a project
*profile* (industry code, build type, loads, energy use, solvent, two-high flag) and no
place, it returns polygons tiling the whole city, each with the verdict the check would
give a project of that profile there, the rules that decide it, and the control unit,
park and town it lies in.

It is the check, evaluated on faces instead of footprints: the city is cut into the faces
of :func:`hn_geo.zoning.partition.partition` (every line at which a verdict can change),
each face gets the profile's attributes (:func:`hn_geo.zoning.profiles.broadcast`), and
the check's own rule evaluation (:func:`hn_geo.zoning.evaluate.evaluate`,
:func:`~hn_geo.zoning.evaluate.findings`, :func:`~hn_geo.zoning.evaluate.status_index`)
runs over the (face, unit) pairs with the same existing loads, applicability matrix and
park membership. Faces with the same verdict, rules, unit, park and town that share an
edge are then merged into one polygon. A point project checked anywhere inside a polygon
gets its verdict and rule ids (``tests/zoning/test_zoning_sites_consistency.py``).

The partition does not depend on the profile: :func:`sites_batch` (or ``partition=``)
evaluates many profiles on one partition.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import AnalysisResult, Figure, Msg
from hn_geo.core.settings import METRIC_CRS
from hn_geo.zoning import site_tables as st
from hn_geo.zoning.arrays import rule_lists
from hn_geo.zoning.attributes import project_attributes
from hn_geo.zoning.buffers import SAGITTA_M
from hn_geo.zoning.check import notes as check_notes
from hn_geo.zoning.evaluate import STATUS, evaluate, findings, status_index
from hn_geo.zoning.partition import components
from hn_geo.zoning.partition import partition as make_partition
from hn_geo.zoning.profiles import broadcast, profile_frame

CODES = {"status": "status", "verdict": "status", "cap_status": "status", "unit_type": "unit_type",
         "rule_kind": "rule_kind", "severity": "severity", "build_type": "project_status",
         "industry_division": "industry_division", "pollutant": "pollutant"}
"""Coded columns of the site tables and layers -> value family."""
PARCELS = 20
"""Passing parcels listed by default (largest first)."""


@dataclass
class FaceVerdicts:
    """The check's verdict on every face of a partition for one profile."""

    status: np.ndarray     # index into STATUS per face
    violated: np.ndarray   # tuple of rule ids (error and warning rules broken) or None
    review: np.ndarray     # tuple of rule ids that could not be evaluated, or None
    notices: np.ndarray    # tuple of info rule ids met (green channel), or None
    found: object          # the check's Found (per (face, rule) groups)
    log: list              # (face indices, rule id, reason Msg) of the review rules
    attrs: object          # the profile's Attributes (one project)


def face_verdicts(part, frame):
    """Evaluate one profile (a one-row 'projects' frame) on every face of ``part``."""
    rules, n = part.rules, len(part)
    one = project_attributes(frame, rules)
    log = []
    hits, review = evaluate(rules, part.A, part.skipped, broadcast(one, n), part.pf, part.pu,
                            part.dist, part.ex_loads, parks=part.in_parks, review_log=log)
    f = findings(hits, part.pf, part.pu, rules.rules)
    status = status_index(f, review, part.unit_of < 0)
    ids = [r.id for r in rules.rules]
    viol = f.is_violation
    index = {r: j for j, r in enumerate(ids)}
    rp = np.concatenate([e[0] for e in log]) if log else np.zeros(0, np.int64)
    rr = np.concatenate([np.full(e[0].size, index[e[1]]) for e in log]) if log else np.zeros(0, np.int64)
    return FaceVerdicts(status=status, violated=rule_lists(f.g_proj[viol], f.g_rule[viol], n, ids),
                        review=rule_lists(rp, rr, n, ids),
                        notices=rule_lists(f.g_proj[~viol], f.g_rule[~viol], n, ids),
                        found=f, log=log, attrs=one)


def _codes(*columns):
    """One integer per row for the combination of the given columns (any hashable cells)."""
    parts = [pd.factorize(pd.Series(c, dtype=object), use_na_sentinel=False)[0] for c in columns]
    return np.unique(np.column_stack(parts), axis=0, return_inverse=True)[1].ravel()


def _merge_small(part, comp, sig, min_m2):
    """Merge polygons below ``min_m2`` into the neighbour with the same verdict and rules
    (longest shared edge); returns the new grouping and ``(n_small, n_merged, n_kept,
    kept_m2)``."""
    n_c = comp.max() + 1
    area = np.bincount(comp, weights=part.area_m2, minlength=n_c)
    csig = np.zeros(n_c, dtype=np.int64)
    csig[comp] = sig
    ci, cj = comp[part.adj_i], comp[part.adj_j]
    cross = ci != cj
    a, b, w = np.concatenate([ci[cross], cj[cross]]), np.concatenate([cj[cross], ci[cross]]), \
        np.concatenate([part.adj_len[cross]] * 2)
    parent = np.arange(n_c)

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    small = np.flatnonzero(area < min_m2)
    merged = 0
    for c in small[np.argsort(area[small], kind="stable")]:
        rc = root(c)
        if area[rc] >= min_m2:
            continue
        sel = (a == c) & (csig[b] == csig[c])
        cand = {}
        for k, length in zip(b[sel], w[sel]):
            rk = root(k)
            if rk != rc:
                cand[rk] = cand.get(rk, 0.0) + length
        if not cand:
            continue
        target = max(cand, key=cand.get)
        parent[rc] = target
        area[target] += area[rc]
        merged += 1
    groups = np.array([root(k) for k in range(n_c)])
    final = np.unique(groups, return_inverse=True)[1]
    g_area = np.bincount(final, weights=np.bincount(comp, weights=part.area_m2, minlength=n_c))
    kept = g_area < min_m2
    return final[comp], (int(small.size), merged, int(kept.sum()), float(g_area[kept].sum()))


def _union(faces):
    if len(faces) == 1:
        return faces[0]
    try:
        geom = shapely.coverage_union_all(faces)
    except shapely.errors.GEOSException:  # faces that overlap by a rounding sliver
        geom = None
    if geom is None or not shapely.is_valid(geom) or shapely.get_type_id(geom) not in (3, 6):
        geom = shapely.make_valid(shapely.union_all(faces))
    return geom


def polygons(part, fv, min_area_ha=None):
    """The site polygons: faces merged by (verdict, rules, unit, park, town) over shared
    edges, then -- with ``min_area_ha`` -- polygons below it merged into a neighbour with
    the same verdict and rules.

    Returns
    -------
    group : numpy.ndarray of int
        Polygon of each face.
    geoms : numpy.ndarray of shapely geometry
    rep : numpy.ndarray of int
        The face whose unit, park and town each polygon reports (its largest).
    merge : tuple or None
        ``(n_small, n_merged, n_kept, kept_m2)`` when ``min_area_ha`` was given.
    """
    sig = _codes(fv.status, fv.violated, fv.review, fv.notices)
    key = _codes(sig, part.unit_of, part.park_of, part.town_of)
    group = components(len(part), part.adj_i, part.adj_j, key[part.adj_i] == key[part.adj_j])
    merge = None
    if min_area_ha:
        group, merge = _merge_small(part, group, sig, float(min_area_ha) * 1e4)
    order = np.lexsort((-part.area_m2, group))
    starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
    rep = order[starts]
    members = np.split(order, starts[1:])
    geoms = np.array([_union(part.faces[m]) for m in members], dtype=object)
    return group, geoms, rep, merge


def sites(profile, units=None, *, rules=None, points=None, red_line=None, water_source=None,
          parks=None, towns=None, boundary=None, min_area_ha=None, parcels=PARCELS, partition=None):
    """Map every place in the city where a project of ``profile`` may go.

    Parameters
    ----------
    profile : Mapping or pandas.Series
        The project without a place: ``industry_code`` (GB/T 4754, required), ``status``
        (build type: new / expansion / existing; default new), ``two_high``,
        ``energy_tce`` [tce/a], ``value_added_wan`` [万元/a], ``solvent_type``, ``nox_t`` /
        ``vocs_t`` / ``cod_t`` / ``nh3n_t`` [t/a], ``project_id``, ``name``
        (:func:`hn_geo.zoning.profiles.normalise`). A missing number is unknown, as in
        the check: rules that need it give ``review``.
    units : geopandas.GeoDataFrame
        Catalog schema 'control_units'.
    rules : AccessList
    points, red_line, water_source, parks, towns, boundary : geopandas.GeoDataFrame, optional
        As :func:`hn_geo.zoning.partition.partition`.
    min_area_ha : float, optional
        Polygons smaller than this are merged into a neighbour with the same verdict and
        rules (kept and counted when there is none); passing parcels smaller than this are
        left out of the parcel table (counted).
    parcels : int
        How many of the largest passing parcels to list.
    partition : Partition, optional
        A partition built before (:func:`hn_geo.zoning.partition.partition`); the layer
        arguments and ``rules`` are then taken from it.

    Returns
    -------
    AnalysisResult
        ``name='zoning'`` (the zoning vocabulary); layers ``sites`` (polygons tiling the
        city: ``status`` pass / warn / review / fail, ``no_data`` outside every unit;
        ``violated_rules``, ``review_rules``, ``notice_rules``, ``clauses``, unit, park,
        town, ``area_ha``) and ``site_parcels`` (the listed passing parcels); tables
        ``sites_profile``, ``sites_towns`` and ``sites_parks`` (area by verdict, ha and %),
        ``sites_clauses`` (rules ranked by the area they exclude), ``sites_parcels``,
        ``sites_caps`` (unit emission-cap headroom against the profile's load); figures
        (headline: the area where the profile passes); notes.
    """
    part = partition if partition is not None else make_partition(
        units, rules=rules, points=points, red_line=red_line, water_source=water_source,
        parks=parks, towns=towns, boundary=boundary)
    frame = profile_frame(profile)
    return _result(part, frame, min_area_ha, parcels)


def sites_batch(profiles, units=None, *, rules=None, min_area_ha=None, parcels=PARCELS,
                partition=None, **layers):
    """:func:`sites` for several profiles on one partition (built once).

    Profiles without a ``project_id`` are called ``profile-1``, ``profile-2``, ...; ids
    must be unique.

    Returns
    -------
    list of AnalysisResult
    """
    part = partition if partition is not None else make_partition(units, rules=rules, **layers)
    frames, seen = [], set()
    for k, p in enumerate(profiles, start=1):
        frame = profile_frame(p, default_id=f"profile-{k}", where=f"profiles[{k - 1}]")
        pid = frame["project_id"].iloc[0]
        if pid in seen:
            raise HnGeoError(code="zoning.profile_duplicate_id", field="project_id",
                             params={"id": pid})
        seen.add(pid)
        frames.append(frame)
    return [_result(part, f, min_area_ha, parcels) for f in frames]


def _result(part, frame, min_area_ha, parcels):
    fv = face_verdicts(part, frame)
    group, geoms, rep, merge = polygons(part, fv, min_area_ha)
    layer = st.site_layer(part, fv, group, geoms, rep)
    parcel_t, parcel_l, dropped = st.parcels(part, fv, min_area_ha, parcels)
    tables = {
        "sites_profile": st.profile_table(frame, fv.attrs),
        "sites_towns": st.town_table(part, fv),
        "sites_parks": st.park_table(part, fv),
        "sites_clauses": st.clause_table(part, fv),
        "sites_parcels": parcel_t,
        "sites_caps": st.cap_table(part, fv),
    }
    return AnalysisResult(
        name="zoning", tables=tables, layers={"sites": layer, "site_parcels": parcel_l},
        codes=dict(CODES), figures=_figures(part, fv, layer, parcel_t),
        notes=_notes(part, fv, min_area_ha, merge, dropped),
        meta={"synthetic": part.synthetic, "analysis": "sites",
              "profile_id": str(frame["project_id"].iloc[0])})


def _figures(part, fv, layer, parcel_t):
    ha = np.bincount(fv.status, weights=part.area_m2, minlength=len(STATUS)) / 1e4
    city = part.boundary_area_m2 / 1e4
    by = {s: float(round(ha[i], 2)) for i, s in enumerate(STATUS)}
    largest = float(parcel_t["area_ha"].max()) if len(parcel_t) else 0.0
    return [
        Figure("zoning.sites_pass_area", by["pass"], unit="ha", headline=True),
        Figure("zoning.sites_pass_share", round(100 * by["pass"] / city, 2) if city else None, unit="pct"),
        Figure("zoning.sites_warn_area", by["warn"], unit="ha"),
        Figure("zoning.sites_review_area", by["review"], unit="ha"),
        Figure("zoning.sites_fail_area", by["fail"], unit="ha"),
        Figure("zoning.sites_outside_area", by["no_data"], unit="ha"),
        Figure("zoning.sites_city_area", round(city, 2), unit="ha"),
        Figure("zoning.sites_largest_parcel", round(largest, 2), unit="ha"),
        Figure("zoning.sites_parcels", int(len(parcel_t))),
        Figure("zoning.sites_polygons", int(len(layer))),
    ]


def _notes(part, fv, min_area_ha, merge, dropped):
    notes = [Msg("zoning.sites_method", faces=len(part), units=len(part.units),
                 rules=len(part.rules.rules))]
    notes += [n for n in check_notes(part.rules, not part.has_points) if n.code != "zoning.emission_caps"]
    if part.dist:
        notes.append(Msg("zoning.sites_buffers", band=SAGITTA_M / 2 * 1000, crs=METRIC_CRS))
    notes.append(Msg("zoning.sites_caps"))
    for rid, (ha, why) in _review_area(part, fv).items():
        notes.append(Msg("zoning.sites_rule_review", rule=rid, reason=why, area=round(ha, 2)))
    if merge is not None:
        n_small, n_merged, n_kept, kept_m2 = merge
        notes.append(Msg("zoning.sites_min_area", min_area=min_area_ha, n=n_small, merged=n_merged,
                         kept=n_kept, kept_area=round(kept_m2 / 1e4, 4)))
    if dropped:
        notes.append(Msg("zoning.sites_parcels_dropped", n=dropped[0], min_area=min_area_ha,
                         area=round(dropped[1] / 1e4, 4)))
    return notes


def _review_area(part, fv):
    """``{rule id: (ha, reason)}`` of the rules that could not be evaluated for the profile."""
    faces, why = {}, {}
    for idx, rid, reason in fv.log:
        faces[rid] = np.union1d(faces.get(rid, np.zeros(0, np.int64)), idx)
        why.setdefault(rid, reason)
    return {rid: (float(part.area_m2[idx].sum()) / 1e4, why[rid]) for rid, idx in faces.items()}
