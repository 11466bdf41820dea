"""Rule buffers: where a distance rule fails, as a polygon whose edge lies on the check's line.

The zoning check fails a footprint whose EPSG:4549 distance to the zone union
(:func:`hn_geo.zoning.spatial.metric_union`) is below ``d -``
:data:`~hn_geo.zoning.evaluate.DISTANCE_TOLERANCE_M`. The site finder needs that set as a
polygon. A GEOS buffer is not used for it: GEOS simplifies the input line of a buffer by
up to 1 % of the distance (concave vertices), which can move the edge by millimetres to
metres. The buffer is instead built as the Minkowski sum it is: the zone, a rectangle of
half-width ``R`` along every edge, and at every vertex the circular sector of radius ``R``
between the two edges' normals on the side where they open a gap -- every point within
``R`` of the zone lies in one of them (its nearest point is inside an edge, a vertex, or
in the zone), and every part lies within ``R`` of the zone.

Arcs are chords of at most :data:`SAGITTA_M` depth; ``R`` puts the arc vertices and the
chord midpoints equally far (``SAGITTA_M / 2``) outside and inside the check's line, and
the rectangles' sides at ``R``: the polygon's edge is within ±0.25 mm of ``d - 1 mm``. A
place exactly at the rule distance (0.75 mm beyond the edge) passes, one 1.25 mm inside
the line fails -- as in the check. The polygon is then segmentized to :data:`SEGMENT_M`
so that edges straight in EPSG:4549 stay straight to well under a micrometre when
reprojected to EPSG:4490, where faces are cut.
"""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely

from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import Word
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.zoning.evaluate import DISTANCE_TOLERANCE_M
from hn_geo.zoning.spatial import metric_union

SAGITTA_M = DISTANCE_TOLERANCE_M / 2
"""Deepest chord of a rule buffer's arcs [m] (its edge is within half of it of the line)."""
GRID_M = 1e-6
"""Precision grid [m] of a rule buffer (its vertices move by at most half of it)."""
SEGMENT_M = 20.0
"""Longest edge [m] of a rule buffer before it is reprojected to EPSG:4490."""


def _ring_parts(coords, radius, step):
    """Edge rectangles and vertex sectors of one closed ring (EPSG:4549 coordinates)."""
    c = coords[:-1]
    c = c[np.r_[True, np.any(np.diff(c, axis=0) != 0, axis=1)]]
    if len(c) > 1 and np.all(c[0] == c[-1]):
        c = c[:-1]
    if len(c) < 2:
        return []
    a, b = c, np.roll(c, -1, axis=0)
    e = b - a
    length = np.hypot(e[:, 0], e[:, 1])
    ok = length > 0
    a, b, e, length = a[ok], b[ok], e[ok], length[ok]
    n = np.column_stack([e[:, 1], -e[:, 0]]) / length[:, None] * radius
    parts = list(shapely.polygons(np.stack([a - n, b - n, b + n, a + n], axis=1)))
    e2, n2 = np.roll(e, -1, axis=0), np.roll(n, -1, axis=0)
    cross = e[:, 0] * e2[:, 1] - e[:, 1] * e2[:, 0]
    turn = np.arctan2(np.abs(cross), (e * e2).sum(axis=1))
    for k in np.flatnonzero(turn > 0):
        # left turn: the gap opens on the right, from n1 counter-clockwise to n2;
        # right turn: on the left, from -n2 counter-clockwise to -n1
        start = n[k] if cross[k] > 0 else -n2[k]
        phi = math.atan2(start[1], start[0]) + np.linspace(0, turn[k], max(1, math.ceil(turn[k] / step)) + 1)
        arc = b[k] + radius * np.column_stack([np.cos(phi), np.sin(phi)])
        parts.append(shapely.Polygon(np.vstack([b[k], arc])))
    return parts


def minkowski_buffer(zone, line_m, sagitta_m=SAGITTA_M):
    """The set within ``line_m`` of ``zone`` (EPSG:4549), edge within ``sagitta_m / 2`` of it."""
    step = 2 * math.acos(1 - sagitta_m / max(line_m, sagitta_m))
    radius = line_m * 2 / (1 + math.cos(step / 2))
    zone = shapely.orient_polygons(shapely.make_valid(zone), exterior_cw=False)
    parts = [zone]
    for ring in shapely.get_rings(shapely.get_parts(zone)):
        parts += _ring_parts(shapely.get_coordinates(ring), radius, step)
    # sectors and rectangles share their radii up to rounding: snapping to a micrometre grid
    # closes the zero-width slits and holes the union leaves along them
    return shapely.set_precision(shapely.union_all(np.array(parts, dtype=object)), GRID_M)


def rule_buffer(union_m, distance_m):
    """The polygon (EPSG:4549) where a distance rule of ``distance_m`` fails."""
    buf = minkowski_buffer(union_m, distance_m - DISTANCE_TOLERANCE_M)
    return shapely.segmentize(buf, SEGMENT_M)


def zone_buffers(rules, zones):
    """``{(layer, distance_m): buffer polygon in EPSG:4490}`` of the distance rules.

    Raises
    ------
    HnGeoError
        A distance rule names a zone layer that was not given.
    """
    out, unions = {}, {}
    for r in rules.rules:
        if r.kind != "min_distance":
            continue
        layer, d = r.params["layer"], float(r.params["distance_m"])
        if (layer, d) in out:
            continue
        if zones.get(layer) is None:
            raise HnGeoError(code="zoning.rule_needs_layer",
                             params={"rule": r.id, "layer": Word("zoning.distance_layer", layer)})
        if layer not in unions:
            unions[layer] = metric_union(zones[layer])
        buf = gpd.GeoSeries([rule_buffer(unions[layer], d)], crs=METRIC_CRS).to_crs(STORAGE_CRS)
        out[(layer, d)] = shapely.make_valid(buf.iloc[0])
    return out
