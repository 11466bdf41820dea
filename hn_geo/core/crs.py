"""Coordinate reference systems: CGCS2000, WGS84 and the GCJ-02 obfuscation.

CGCS2000 (EPSG:4490) and WGS84 (EPSG:4326) differ by centimetres, far below
map scale; PROJ treats the transformation between them as a null shift.
GCJ-02 is the obfuscated datum that Chinese web maps (Amap/Gaode, Tencent)
use; around Haining it is shifted about 500 m from WGS84. It is not a CRS
PROJ knows, so it is implemented here with the published forward formula and
an iterative inverse, vectorised with numpy. The PyPI packages that do this
(eviltransform, prcoords, pygcj, coordtransform ports) work one point at a
time in pure Python and are unmaintained; this module reproduces
eviltransform's published test vectors exactly (see tests/test_crs.py).
"""
from __future__ import annotations

import numpy as np
import shapely

from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS, WGS84  # noqa: F401  (re-exported)

_A = 6378245.0
_EE = 0.00669342162296594323


def _delta(lon, lat):
    x = lon - 105.0
    y = lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _in_china(lon, lat):
    return (lon > 72.004) & (lon < 137.8347) & (lat > 0.8293) & (lat < 55.8271)


def wgs84_to_gcj02(lon, lat):
    """Shift WGS84 longitude/latitude (degrees) to GCJ-02.

    Points outside mainland China's bounding box are returned unchanged, as
    the Chinese map providers do.

    Parameters
    ----------
    lon, lat : array_like
        Degrees.

    Returns
    -------
    lon, lat : numpy.ndarray
        Degrees, GCJ-02.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    inside = _in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84(lon, lat, tol=1e-9, max_iter=30):
    """Invert :func:`wgs84_to_gcj02` by fixed-point iteration.

    Accurate to ``tol`` degrees (1e-9 deg is about 0.1 mm), far better than
    the one-step approximation commonly used (about 1-2 m).
    """
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon = wlon - elon
        wlat = wlat - elat
        if np.all(np.abs(elon) < tol) and np.all(np.abs(elat) < tol):
            break
    return wlon, wlat


def _transform_geoms(geoms, func):
    def xy(coords):
        x, y = func(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(np.asarray(geoms), xy)


def to_gcj02(gdf):
    """Return a copy of a GeoDataFrame shifted to GCJ-02 (for Amap basemaps).

    The result is labelled EPSG:4326 because GeoJSON/Leaflet expect lon/lat,
    but its coordinates are GCJ-02: use it for display only.
    """
    out = gdf.to_crs(WGS84)
    out = out.set_geometry(_transform_geoms(out.geometry.values, wgs84_to_gcj02), crs=WGS84)
    return out


def from_gcj02(gdf):
    """Convert a GeoDataFrame whose lon/lat are GCJ-02 to true WGS84."""
    crs = gdf.crs if gdf.crs is not None else WGS84
    geoms = _transform_geoms(gdf.geometry.values, gcj02_to_wgs84)
    return gdf.set_geometry(geoms, crs=crs)
