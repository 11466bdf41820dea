"""The spatial part of the zoning check: which units a footprint lies in, how far it is
from the protected zones, which unit an emission point charges.

The join is **one** bounding-box STRtree query of all project footprints against the
control units plus, for distance rules, the red-line / water-source zones buffered by the
rule distance (so candidates for exact distance computation come out of the same query),
followed by the exact predicate per unit with the unit polygon prepared.
"""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely

from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import Msg, Word
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.zoning.arrays import ids, num, warn
from hn_geo.zoning.rules import POLLUTANTS

BUFFER_MARGIN_M = 1.0
"""Candidate buffers reach at least this much beyond the rule distance [m]."""
CANDIDATE_QUAD_SEGS = 8
"""Segments per quarter circle of the candidate buffers (GEOS default)."""


def candidate_radius(distance_m):
    """Buffer radius [m] whose polygon (chords of :data:`CANDIDATE_QUAD_SEGS` per quarter
    circle) still contains every point within ``distance_m`` + :data:`BUFFER_MARGIN_M`.

    A buffer polygon's chords cut inside the true circle by up to ``r (1 - cos(pi/4q))``
    (2.4 m at 500 m with 8 segments), so the radius is raised by ``1 / cos(pi/4q)``.
    """
    return (distance_m + BUFFER_MARGIN_M) / math.cos(math.pi / (4 * CANDIDATE_QUAD_SEGS))


def metric_union(gdf):
    """The union of a zone layer's polygons in EPSG:4549: what distances are measured to."""
    # reprojection can fold near-touching rings: make valid before the union
    metric = np.asarray(gdf.to_crs(METRIC_CRS).geometry.values)
    return shapely.union_all(shapely.make_valid(metric))


def query(targets, geoms):
    """Exact ``intersects`` pairs between ``geoms`` and ``targets`` (few, complex polygons).

    One bounding-box :meth:`shapely.STRtree.query` over the targets, then the exact
    predicate per target with the target *prepared* (indexed point-in-polygon),
    vectorised over that target's candidates: points go through
    :func:`shapely.intersects_xy`, other footprints through :func:`shapely.intersects`.
    Much faster than a predicate query, which tests each candidate pair against an
    unprepared polygon.

    Returns
    -------
    geom_idx, target_idx : numpy.ndarray of int
        Sorted by ``geom_idx`` then ``target_idx``.
    """
    geoms = np.asarray(geoms)
    targets = np.asarray(targets)
    gi, ti = shapely.STRtree(targets).query(geoms)
    if gi.size == 0:
        return gi, ti
    order = np.argsort(ti, kind="stable")
    gi, ti = gi[order], ti[order]
    bounds = np.searchsorted(ti, np.arange(len(targets) + 1))
    is_point = shapely.get_type_id(geoms) == 0
    x = np.where(is_point, shapely.get_x(geoms), np.nan) if is_point.any() else None
    y = np.where(is_point, shapely.get_y(geoms), np.nan) if is_point.any() else None
    keep = np.zeros(gi.size, dtype=bool)
    for k, target in enumerate(targets):
        lo, hi = bounds[k], bounds[k + 1]
        if lo == hi:
            continue
        cand = gi[lo:hi]
        shapely.prepare(target)
        pt = is_point[cand]
        hit = np.zeros(cand.size, dtype=bool)
        if pt.any():
            hit[pt] = shapely.intersects_xy(target, x[cand[pt]], y[cand[pt]])
        if (~pt).any():
            hit[~pt] = shapely.intersects(target, geoms[cand[~pt]])
        keep[lo:hi] = hit
    gi, ti = gi[keep], ti[keep]
    order = np.lexsort((ti, gi))
    return gi[order], ti[order]


def locate(projects, units):
    """Which control units each project footprint intersects.

    Parameters
    ----------
    projects, units : geopandas.GeoDataFrame

    Returns
    -------
    project_idx, unit_idx : numpy.ndarray of int
        Positional indices of intersecting pairs, sorted by project.
    """
    geoms = projects.geometry.to_crs(units.crs) if projects.crs != units.crs else projects.geometry
    return query(units.geometry.values, geoms.values)


def distance_candidates(rules, zones):
    """Buffered zone polygons (EPSG:4490) for the distance rules.

    Returns
    -------
    dict
        ``{(layer, distance_m): (buffer_geometry_4490, zone_union_metric)}``.
    """
    out = {}
    for r in rules.rules:
        if r.kind != "min_distance":
            continue
        layer, d = r.params["layer"], float(r.params["distance_m"])
        if (layer, d) in out:
            continue
        gdf = zones.get(layer)
        if gdf is None:
            raise HnGeoError(code="zoning.rule_needs_layer",
                             params={"rule": r.id, "layer": Word("zoning.distance_layer", layer)})
        union_m = metric_union(gdf)
        buf = shapely.segmentize(shapely.buffer(union_m, candidate_radius(d),
                                                quad_segs=CANDIDATE_QUAD_SEGS), 50.0)
        buf = gpd.GeoSeries([buf], crs=METRIC_CRS).to_crs(STORAGE_CRS).iloc[0]
        out[(layer, d)] = (buf, union_m)
    return out


def locate_all(projects, units, rules, zones, candidates=None):
    """One query for units and distance-rule candidates; exact metric distances for candidates.

    ``candidates`` are the buffers of :func:`distance_candidates` when computed beforehand
    (once for all parts of a partitioned input); computed from ``zones`` otherwise.

    Returns
    -------
    geoms : GeometryArray in EPSG:4490
    pp, pu : numpy.ndarray
        (project, unit) pairs, sorted by project.
    dist : dict
        ``{(layer, distance_m): distances [m] per project, inf where beyond the buffer}``.
    """
    n_p, n_u = len(projects), len(units)
    cand = distance_candidates(rules, zones) if candidates is None else candidates
    keys = list(cand)
    src = projects.geometry
    geoms = (src.to_crs(STORAGE_CRS) if projects.crs != STORAGE_CRS else src).values
    targets = np.concatenate([np.asarray(units.geometry.values),
                              np.array([cand[k][0] for k in keys], dtype=object)])
    qi, qg = query(targets, geoms)
    is_unit = qg < n_u
    dist = {}
    for k, key in enumerate(keys):
        sel = qi[qg == n_u + k]
        d = np.full(n_p, np.inf)
        if sel.size:  # the original geometry, so metric input is measured without a round trip
            sub = gpd.GeoSeries(src.values[sel], crs=projects.crs).to_crs(METRIC_CRS)
            d[sel] = shapely.distance(np.asarray(sub.values), cand[key][1])
        dist[key] = d
    return geoms, qi[is_unit], qg[is_unit], dist


def park_key(rule):
    """The parks a ``park_only`` rule allows, as a key (``()``: any park of the layer)."""
    return tuple(sorted(rule.params.get("parks", ())))


def park_membership(geoms, parks, rules):
    """Per ``park_only`` rule key: whether each footprint lies inside the parks it allows.

    A point lies inside when it intersects one of the park polygons (boundary included, as
    for the control units); a line or polygon footprint when it is covered by their union.

    Parameters
    ----------
    geoms : array of shapely geometries in EPSG:4490
    parks : geopandas.GeoDataFrame or None
        Catalog schema 'parks' (``park_id``).
    rules : AccessList

    Returns
    -------
    dict
        ``{park key: numpy.ndarray of bool}``.
    """
    keys = {park_key(r) for r in rules.rules if r.kind == "park_only"}
    if not keys:
        return {}
    pids = parks["park_id"].astype(str).to_numpy()
    polys = np.asarray((parks.to_crs(STORAGE_CRS) if parks.crs != STORAGE_CRS else parks).geometry.values)
    geoms = np.asarray(geoms)
    gi, pi = query(polys, geoms)
    is_point = shapely.get_type_id(geoms) == 0
    out = {}
    for key in keys:
        allowed = np.isin(pids, key) if key else np.ones(len(pids), bool)
        inside = np.zeros(len(geoms), bool)
        inside[gi[allowed[pi]]] = True
        other = np.flatnonzero(~is_point & inside)
        if other.size:  # a footprint touching an allowed park must lie wholly inside them
            union = shapely.union_all(polys[allowed])
            shapely.prepare(union)
            inside[other] = shapely.covered_by(geoms[other], union)
        out[key] = inside
    return out


def warn_unknown_parks(parks, rules):
    """Warn about ``park_only`` rules naming park ids the parks layer does not have."""
    known = set(parks["park_id"].astype(str))
    bad = [Msg("zoning.rule_unit", rule=r.id, unit=p) for r in rules.rules if r.kind == "park_only"
           for p in r.params.get("parks", ()) if p not in known]
    if bad:
        warn("zoning.rules_unknown_parks", n=len(bad), rules=bad[:10])


def warn_partly_outside(geoms, units, pid):
    """Warn about polygon footprints that extend beyond the control units."""
    geoms = np.asarray(geoms)
    poly = np.flatnonzero(shapely.get_type_id(geoms) >= 3)
    if not poly.size:
        return
    cover = shapely.union_all(units.geometry.values)
    part = poly[~shapely.covered_by(geoms[poly], shapely.buffer(cover, 1e-7))
                & shapely.intersects(geoms[poly], cover)]
    if part.size:
        warn("zoning.projects_partly_outside", n=int(part.size), ids=ids(pid, part))


def existing_loads(points, units):
    """Existing loads per unit from the emission points inside it.

    A point on a shared edge touches two units: it is charged to the first one only.

    Returns
    -------
    loads : numpy.ndarray
        ``(n_units, len(POLLUTANTS))`` [t/a].
    counts : numpy.ndarray of int
        Emission points per unit.
    """
    n_u = len(units)
    loads = np.zeros((n_u, len(POLLUTANTS)))
    counts = np.zeros(n_u, dtype=int)
    if points is None or len(points) == 0:
        return loads, counts
    pts = points.to_crs(units.crs) if points.crs != units.crs else points
    pi, ui = query(units.geometry.values, pts.geometry.values)
    first = np.full(len(pts), -1)
    first[pi[::-1]] = ui[::-1]
    inside = first >= 0
    if (~inside).any():
        pid = (pts["point_id"].astype(str).to_numpy() if "point_id" in pts.columns
               else np.arange(len(pts)))
        warn("zoning.points_outside", n=int((~inside).sum()), ids=ids(pid, np.flatnonzero(~inside)))
    counts = np.bincount(first[inside], minlength=n_u)
    for k, p in enumerate(POLLUTANTS):
        vals = np.nan_to_num(num(pts, p))
        loads[:, k] = np.bincount(first[inside], weights=vals[inside], minlength=n_u)
    return loads, counts
