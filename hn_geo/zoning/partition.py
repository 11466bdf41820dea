"""The site partition: the city cut into faces along every line at which a verdict can change.

A verdict of the zoning check depends on *where* a project is only through

* the control units it lies in (unit-level rules, and the emission caps, whose headroom
  is a property of the unit),
* its distance to the red line / water-source zones (one buffer per distinct rule
  distance), and
* the parks it lies in (``park_only`` rules),

so the faces of the planar arrangement of the unit, park, town and city boundaries and the
rule buffers are exactly the pieces of the city on which every point gets the same verdict
(towns only attribute the faces). The arrangement is computed once per set of layers and
rules, independent of any project profile: :func:`partition` returns a :class:`Partition`
that :func:`hn_geo.zoning.sites.sites` evaluates for as many profiles as wanted.

Geometry conventions (the check's, so the two agree at the boundaries)
---------------------------------------------------------------------
* Faces are polygons of the noded linework in EPSG:4490, the CRS in which the check tests
  a point against the unit (and park) polygons; a face belongs to the units its interior
  point (:func:`shapely.point_on_surface`) intersects, tested by the check's own
  :func:`hn_geo.zoning.spatial.query`.
* A distance rule fails where the EPSG:4549 distance to the zone union
  (:func:`hn_geo.zoning.spatial.metric_union`, the check's) is below ``d -``
  :data:`~hn_geo.zoning.evaluate.DISTANCE_TOLERANCE_M`; its polygon
  (:func:`hn_geo.zoning.buffers.rule_buffer`) has its edge within ±0.25 mm of that line,
  so a point exactly at the rule distance passes on the map as in the check.
* Areas, lengths and distances are EPSG:4549.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import Word
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.zoning.arrays import text
from hn_geo.zoning.attributes import check_units
from hn_geo.zoning.buffers import zone_buffers
from hn_geo.zoning.check import check_parks
from hn_geo.zoning.evaluate import applicability
from hn_geo.zoning.rules import AccessList
from hn_geo.zoning.spatial import existing_loads, park_key, query


@dataclass
class Partition:
    """The faces of the city and what every rule needs to know about them.

    Attributes
    ----------
    faces : numpy.ndarray of shapely.Polygon
        EPSG:4490; they do not overlap and their union is the city boundary.
    area_m2, cx, cy : numpy.ndarray
        Area and centroid per face (EPSG:4549).
    rep : numpy.ndarray of shapely.Point
        An interior point of each face (EPSG:4490), where memberships are tested.
    units : geopandas.GeoDataFrame
        The control units (EPSG:4490, positional index).
    pf, pu : numpy.ndarray of int
        (face, unit) pairs, sorted by face: the check's (project, unit) pairs.
    unit_of, park_of, town_of : numpy.ndarray of int
        First unit / park / town of each face (-1: none).
    parks : geopandas.GeoDataFrame or None
    town_names : list of str
        Names indexed by ``town_of`` (the towns layer, else the units' ``town`` field).
    town_area_m2 : numpy.ndarray
        Area of each town inside the city boundary.
    dist : dict
        ``{(layer, distance_m): 0.0 inside the rule buffer, inf outside}`` per face, in
        the form the rule evaluation reads the check's distances.
    in_parks : dict
        ``{park key: bool per face}`` for the ``park_only`` rules.
    adj_i, adj_j, adj_len : numpy.ndarray
        Faces sharing an edge (``i < j``) and the shared length [m].
    near_park, near_park_m : numpy.ndarray
        Nearest park of each face and the distance to it [m] (-1 / inf without parks).
    A : numpy.ndarray of bool
        Rule applicability per [unit, rule].
    skipped : set of str
        Rules naming unit codes that are not among the units (not applied).
    ex_loads, ex_counts : numpy.ndarray
        Existing loads [t/a] and emission-point counts per unit.
    rules : AccessList
    boundary_area_m2 : float
    has_points, synthetic : bool
    """

    faces: np.ndarray
    area_m2: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    rep: np.ndarray
    units: gpd.GeoDataFrame
    pf: np.ndarray
    pu: np.ndarray
    unit_of: np.ndarray
    park_of: np.ndarray
    town_of: np.ndarray
    parks: object
    town_names: list
    town_area_m2: np.ndarray
    dist: dict
    in_parks: dict
    adj_i: np.ndarray
    adj_j: np.ndarray
    adj_len: np.ndarray
    near_park: np.ndarray
    near_park_m: np.ndarray
    A: np.ndarray
    skipped: set
    ex_loads: np.ndarray
    ex_counts: np.ndarray
    rules: AccessList
    boundary_area_m2: float
    has_points: bool = True
    synthetic: bool = False

    def __len__(self):
        return len(self.faces)


def _storage(gdf):
    if gdf is None:
        return None
    return (gdf.to_crs(STORAGE_CRS) if gdf.crs != STORAGE_CRS else gdf).reset_index(drop=True)


def _check_crs(layers):
    for what, gdf in layers.items():
        if gdf is not None and gdf.crs is None:
            raise HnGeoError(code="zoning.no_crs", params={"what": Word("zoning.input", what)})


def _city(boundary, towns, units):
    """The city polygon (EPSG:4490): the boundary layer, else the towns, else the units."""
    src = next(g for g in (boundary, towns, units) if g is not None)
    return shapely.union_all(shapely.make_valid(np.asarray(src.geometry.values)))


def _first(pairs_face, pairs_target, n):
    """First target of each face (-1 for none); pairs sorted by face."""
    out = np.full(n, -1, dtype=np.int64)
    out[pairs_face[::-1]] = pairs_target[::-1]
    return out


def _faces(city, layers, buffers):
    """The faces of the arrangement inside ``city`` and their interior points."""
    polys = [city] + [g for gdf in layers if gdf is not None for g in gdf.geometry.values]
    polys += list(buffers.values())
    lines = shapely.boundary(shapely.make_valid(np.array(polys, dtype=object)))
    noded = shapely.union_all(lines)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    faces = faces[shapely.area(faces) > 0]
    rep = shapely.point_on_surface(faces)
    shapely.prepare(city)
    keep = shapely.intersects_xy(city, shapely.get_x(rep), shapely.get_y(rep))
    return faces[keep], rep[keep]


def adjacency(faces_m):
    """Pairs of faces sharing an edge and the shared length (same units as the coordinates).

    Faces of one noded arrangement share exact vertices along common edges, so edges
    are matched as segments with identical end points.
    """
    rings, ring_face = shapely.get_rings(faces_m, return_index=True)
    xy, ci = shapely.get_coordinates(rings, return_index=True)
    same = ci[1:] == ci[:-1]
    a, b = xy[:-1][same], xy[1:][same]
    face = ring_face[ci[:-1][same]]
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    seg = np.where(swap[:, None], np.hstack([b, a]), np.hstack([a, b]))
    order = np.lexsort(seg.T[::-1])
    seg, face = seg[order], face[order]
    eq = np.all(seg[1:] == seg[:-1], axis=1) & (face[1:] != face[:-1])
    i, j = face[:-1][eq], face[1:][eq]
    length = np.hypot(seg[1:, 2] - seg[1:, 0], seg[1:, 3] - seg[1:, 1])[eq]
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    if lo.size == 0:
        return lo, hi, length
    key = lo.astype(np.int64) * len(faces_m) + hi
    uniq, inv = np.unique(key, return_inverse=True)
    return uniq // len(faces_m), uniq % len(faces_m), np.bincount(inv, weights=length)


def components(n, i, j, same):
    """Connected components of ``n`` faces over the edges ``(i, j)`` where ``same`` holds."""
    g = coo_matrix((np.ones(int(same.sum())), (i[same], j[same])), shape=(n, n))
    return connected_components(g, directed=False)[1]


def _membership(polys, rep, n):
    """(face, polygon) pairs by the check's query at the faces' interior points."""
    if polys is None or len(polys) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return query(np.asarray(polys.geometry.values), rep)


def _towns(towns, units, fu, uu, tf, tt, n):
    """Town index of each face and the town names (towns layer, else the units' field)."""
    if towns is not None:
        names = text(towns, "name").fillna("").astype(str).tolist()
        return _first(tf, tt, n), names
    unit_town = text(units, "town").fillna("").astype(str).to_numpy()
    names = list(dict.fromkeys(t for t in unit_town if t))
    idx = {t: k for k, t in enumerate(names)}
    per_unit = np.array([idx.get(t, -1) for t in unit_town] + [-1], dtype=np.int64)
    first_unit = _first(fu, uu, n)
    return per_unit[np.where(first_unit >= 0, first_unit, len(unit_town))], names


def partition(units, *, rules, points=None, red_line=None, water_source=None, parks=None,
              towns=None, boundary=None):
    """Cut the city into the faces on which every project profile gets one verdict.

    Parameters
    ----------
    units : geopandas.GeoDataFrame
        Catalog schema 'control_units'.
    rules : AccessList
    points : geopandas.GeoDataFrame, optional
        Existing emission points: their loads use up the units' emission caps.
    red_line, water_source : geopandas.GeoDataFrame, optional
        Needed when a distance rule names the layer.
    parks : geopandas.GeoDataFrame, optional
        Catalog schema 'parks': attributes the faces; needed by ``park_only`` rules.
    towns : geopandas.GeoDataFrame, optional
        Catalog schema 'towns': attributes the faces (else the units' ``town`` field).
    boundary : geopandas.GeoDataFrame, optional
        The city boundary the faces tile (default: the union of the towns, else of the
        units).

    Returns
    -------
    Partition
    """
    if not isinstance(rules, AccessList):
        raise HnGeoError(code="zoning.rules_not_parsed", params={"got": type(rules).__name__})
    for col in ("unit_code", "unit_type"):
        if col not in units.columns:
            raise HnGeoError(code="zoning.missing_column", field=col,
                             params={"what": Word("zoning.input", "control_units"), "column": col})
    _check_crs({"control_units": units, "emission_points": points, "red_line": red_line,
                "water_source": water_source, "parks": parks, "towns": towns, "boundary": boundary})
    units, parks, towns, boundary = (_storage(g) for g in (units, parks, towns, boundary))
    check_parks(rules, parks)
    skipped = check_units(units, rules)
    buffers = zone_buffers(rules, {"red_line": red_line, "water_source": water_source})
    city = _city(boundary, towns, units)
    faces, rep = _faces(city, (units, parks, towns), buffers)
    n = len(faces)
    faces_m = np.asarray(gpd.GeoSeries(faces, crs=STORAGE_CRS).to_crs(METRIC_CRS).values)
    cent = shapely.centroid(faces_m)
    fu, uu = _membership(units, rep, n)
    fp, pp = _membership(parks, rep, n)
    tf, tt = _membership(towns, rep, n)
    town_of, town_names = _towns(towns, units, fu, uu, tf, tt, n)
    area = shapely.area(faces_m)
    i, j, length = adjacency(faces_m)
    near, near_m = _nearest_parks(parks, faces_m)
    ex_loads, ex_counts = existing_loads(points, units)
    return Partition(
        faces=faces, area_m2=area, cx=shapely.get_x(cent), cy=shapely.get_y(cent), rep=rep,
        units=units, pf=fu, pu=uu, unit_of=_first(fu, uu, n), park_of=_first(fp, pp, n),
        town_of=town_of, parks=parks, town_names=town_names,
        town_area_m2=np.bincount(town_of[town_of >= 0], weights=area[town_of >= 0],
                                 minlength=len(town_names)),
        dist={k: _inside(buf, rep) for k, buf in buffers.items()},
        in_parks=_in_parks(rules, parks, fp, pp, n),
        adj_i=i, adj_j=j, adj_len=length, near_park=near, near_park_m=near_m,
        A=applicability(units, rules), skipped=skipped, ex_loads=ex_loads, ex_counts=ex_counts,
        rules=rules, boundary_area_m2=float(area.sum()), has_points=points is not None,
        synthetic=_synthetic(units, parks, towns, points, red_line, water_source))


def _inside(poly, rep):
    """0.0 where an interior point lies in ``poly``, inf elsewhere (a distance the rules read)."""
    shapely.prepare(poly)
    hit = shapely.intersects_xy(poly, shapely.get_x(rep), shapely.get_y(rep))
    return np.where(hit, 0.0, np.inf)


def _in_parks(rules, parks, fp, pp, n):
    """``{park key: bool per face}`` for the park-only rules."""
    out = {}
    for r in rules.rules:
        if r.kind != "park_only":
            continue
        key = park_key(r)
        pids = parks["park_id"].astype(str).to_numpy()
        allowed = np.isin(pids, key) if key else np.ones(len(pids), bool)
        inside = np.zeros(n, bool)
        inside[fp[allowed[pp]]] = True
        out[key] = inside
    return out


def _nearest_parks(parks, faces_m):
    n = len(faces_m)
    if parks is None or len(parks) == 0:
        return np.full(n, -1, dtype=np.int64), np.full(n, np.inf)
    parks_m = np.asarray(parks.to_crs(METRIC_CRS).geometry.values)
    (fi, pi), d = shapely.STRtree(parks_m).query_nearest(faces_m, return_distance=True,
                                                         all_matches=False)
    near = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.inf)
    near[fi], dist[fi] = pi, d
    return near, dist


def _synthetic(*frames):
    return any(bool(g["approximate"].fillna(False).astype(bool).any())
               for g in frames if g is not None and "approximate" in g.columns)
