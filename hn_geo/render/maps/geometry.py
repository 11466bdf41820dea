"""Map scale and geometry size: zoom of an extent, half-pixel simplification, coordinate decimals.

Geometries are simplified to half a screen pixel at ``detail_zoom`` (by default 4 zoom
levels closer than the whole map) and coordinates cut to the matching number of decimals,
so a map of the whole city stays small and looks exact when zoomed in 16 times.
"""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely

from hn_geo.core.crs import to_gcj02
from hn_geo.core.errors import HnGeoError
from hn_geo.core.settings import METRIC_CRS, WGS84
from hn_geo.render.writers import in_crs


def geom_kind(gdf):
    """'point', 'line' or 'polygon' ('polygon' for mixed layers)."""
    types = set(gdf.geometry.geom_type.dropna().unique())
    if types <= {"Point", "MultiPoint"}:
        return "point"
    if types <= {"LineString", "MultiLineString"}:
        return "line"
    return "polygon"


def fit_zoom(bounds, width_px=1100, height_px=700):
    """Web-Mercator zoom at which ``bounds`` (lon/lat) fit in a window of the given size."""
    minx, miny, maxx, maxy = bounds
    if not np.all(np.isfinite(bounds)) or maxx <= minx or maxy <= miny:
        return 12

    def merc_y(lat):
        lat = math.radians(max(min(lat, 85), -85))
        return math.log(math.tan(math.pi / 4 + lat / 2))

    zx = math.log2(width_px * 360 / (256 * (maxx - minx)))
    zy = math.log2(height_px * 2 * math.pi / (256 * (merc_y(maxy) - merc_y(miny))))
    return int(max(0, min(18, math.floor(min(zx, zy)))))


def pixel_size_m(zoom, lat):
    """Ground size (m) of one screen pixel at a Web-Mercator zoom and latitude."""
    return 156543.03392 * math.cos(math.radians(lat)) / 2 ** zoom


def scale_params(bounds, *, detail_zoom=None):
    """Simplification tolerance (m) and coordinate decimals for a map of ``bounds``.

    Parameters
    ----------
    bounds : (minx, miny, maxx, maxy)
        Lon/lat extent of the map.
    detail_zoom : int, optional
        The closest zoom at which geometry must look exact (to half a pixel); by default
        4 levels closer than the zoom that shows all of ``bounds`` (16x magnification).

    Returns
    -------
    dict
        ``fit_zoom``, ``detail_zoom``, ``tolerance_m`` (half a pixel at ``detail_zoom``)
        and ``decimals`` (degree decimals resolving half a pixel, between 4 and 7).
    """
    z0 = fit_zoom(bounds)
    dz = int(detail_zoom) if detail_zoom is not None else min(z0 + 4, 18)
    lat = (bounds[1] + bounds[3]) / 2 if np.all(np.isfinite(bounds)) else 30.5
    px = pixel_size_m(dz, lat)
    deg = px / 2 / 111_320
    decimals = int(min(7, max(4, math.ceil(-math.log10(deg)))))
    return {"fit_zoom": z0, "detail_zoom": dz, "tolerance_m": px / 2, "decimals": decimals}


def _simplified(geoms, kinds, tolerance_m):
    metric = np.asarray(gpd.GeoSeries(geoms, crs=WGS84).to_crs(METRIC_CRS).values)
    simplified = None
    if kinds <= {"Polygon", "MultiPolygon"} and len(metric) > 1:
        try:
            if bool(np.all(shapely.coverage_is_valid(metric))):
                simplified = shapely.coverage_simplify(metric, tolerance_m)
        except (shapely.errors.GEOSException, AttributeError):
            simplified = None
    if simplified is None:
        simplified = shapely.simplify(metric, tolerance_m, preserve_topology=True)
    return gpd.GeoSeries(simplified, crs=METRIC_CRS).to_crs(WGS84).values


def simplify_for_map(gdf, tolerance_m, decimals):
    """Geometries simplified to ``tolerance_m`` metres and rounded to ``decimals`` degree decimals.

    Polygon layers that form a clean coverage (towns, control units) are simplified
    together (``shapely.coverage_simplify``), so shared borders stay shared; others feature
    by feature with topology preserved. Returns a GeoDataFrame in WGS84.
    """
    out = in_crs(gdf, WGS84)
    geoms = out.geometry.values
    ok = ~(shapely.is_missing(np.asarray(geoms)) | shapely.is_empty(np.asarray(geoms)))
    if not ok.all():
        raise HnGeoError(code="render.geometry_missing", params={"n": int((~ok).sum())})
    kinds = set(out.geom_type.unique())
    if tolerance_m > 0 and not kinds <= {"Point", "MultiPoint"}:
        geoms = _simplified(geoms, kinds, tolerance_m)
    rounded = shapely.transform(np.asarray(geoms), lambda xy: np.round(xy, decimals))
    if not kinds <= {"Point", "MultiPoint"}:
        bad = ~shapely.is_valid(rounded)
        if bad.any():
            rounded[bad] = [repaired(g, k) for g, k in zip(rounded[bad], shapely.get_type_id(rounded[bad]))]
    return out.set_geometry(gpd.GeoSeries(rounded, crs=WGS84, index=out.index))


def repaired(geom, type_id=None):
    """A valid geometry of the same dimension: ``make_valid``, keeping the polygonal parts of a
    polygon (lines of a line) so a collapsed sliver does not turn a polygon into a collection."""
    fixed = shapely.make_valid(geom)
    if fixed.geom_type != "GeometryCollection":
        return fixed
    dim = shapely.get_dimensions(geom)
    parts = [p for p in shapely.get_parts(fixed) if shapely.get_dimensions(p) == dim]
    return shapely.union_all(parts) if parts else fixed


def for_display(gdf, gcj02=False):
    """A layer in WGS84 (shifted to GCJ-02 for AMap tiles when ``gcj02``).

    The GCJ-02 shift moves every vertex by its own few hundred metres; a polygon whose
    parts come within that distance of each other can come out self-intersecting, so
    shifted geometries are repaired (:func:`repaired`) before they are simplified.
    """
    g = in_crs(gdf, WGS84)
    if not gcj02:
        return g
    g = to_gcj02(g)
    geoms = np.asarray(g.geometry.values)
    bad = ~(shapely.is_valid(geoms) | shapely.is_missing(geoms))
    if bad.any():
        geoms = geoms.copy()
        geoms[bad] = [repaired(x) for x in geoms[bad]]
        g = g.set_geometry(gpd.GeoSeries(geoms, crs=g.crs, index=g.index))
    return g


def total_bounds(frames):
    """Lon/lat extent of several layers."""
    b = np.array([f.total_bounds for f in frames])
    return (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
