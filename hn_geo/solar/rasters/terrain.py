"""Slope, aspect and the horizon a tilted surface makes of itself (pure array functions).

Conventions of the whole raster analysis: arrays are rows north to south, columns west to
east; azimuths are degrees clockwise from north (90 east, 180 south); the aspect is the
azimuth of the downslope direction (the way a roof plane faces); elevation angles are
degrees above the horizontal.
"""
from __future__ import annotations

import numpy as np


def _neighbours(z, res, break_deg):
    """The 8 neighbours of every pixel. A neighbour outside the array, in a hole or beyond a
    break (rising or falling more steeply than ``break_deg``: a wall) is replaced by the
    centre value, so roof edges and hole rims keep the gradient of their own surface."""
    p = np.pad(z, 1, mode="constant", constant_values=np.nan)
    h, w = z.shape
    rx, ry = res
    out = {}
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr == 0 and dc == 0:
                continue
            v = p[1 + dr:1 + dr + h, 1 + dc:1 + dc + w]
            bad = np.isnan(v)
            if break_deg is not None:
                limit = np.tan(np.radians(break_deg)) * np.hypot(dr * ry, dc * rx)
                with np.errstate(invalid="ignore"):
                    bad |= np.abs(v - z) > limit
            out[(dr, dc)] = np.where(bad, z, v)
    return out


def slope_aspect(z, res, *, break_deg=75.0):
    """Slope and aspect of a surface model by Horn's (1981) 3 x 3 finite differences.

    Walls are breaks, not slopes: a neighbour more than ``break_deg`` above or below the
    centre pixel counts as another surface and is left out of the kernel (replaced by the
    centre value), so the edge pixels of a roof get the roof's pitch, not the wall's.

    Parameters
    ----------
    z : numpy.ndarray
        Surface heights [m], 2-D, rows north to south; NaN for no data.
    res : float or (float, float)
        Pixel size [m] (x, y).
    break_deg : float or None
        Steepest slope still read as one surface [degrees]; None for the plain kernel.

    Returns
    -------
    slope : numpy.ndarray of float32
        Slope from the horizontal [degrees]; NaN where ``z`` is NaN.
    aspect : numpy.ndarray of float32
        Azimuth of the downslope direction [degrees clockwise from north, 0-360); NaN on
        flat pixels (slope under 0.01°) and where ``z`` is NaN.

    References
    ----------
    .. [1] Horn, B. K. P. (1981). Hill shading and the reflectance map. *Proceedings of
       the IEEE* 69(1), 14-47. :doi:`10.1109/PROC.1981.11918`
    .. [2] GDAL ``gdaldem slope`` / ``aspect`` (the same kernel).
    """
    rx, ry = (res, res) if np.isscalar(res) else res
    z = np.asarray(z, dtype=np.float64)
    n = _neighbours(z, (rx, ry), break_deg)
    a, b, c = n[(-1, -1)], n[(-1, 0)], n[(-1, 1)]
    d, f = n[(0, -1)], n[(0, 1)]
    g, h, i = n[(1, -1)], n[(1, 0)], n[(1, 1)]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8.0 * rx)          # eastwards
    dzds = ((g + 2 * h + i) - (a + 2 * b + c)) / (8.0 * ry)          # southwards
    slope = np.degrees(np.arctan(np.hypot(dzdx, dzds)))
    aspect = np.degrees(np.arctan2(-dzdx, dzds)) % 360.0             # downslope (-gradient)
    aspect = np.where(slope < 0.01, np.nan, aspect)
    return slope.astype(np.float32), aspect.astype(np.float32)


def plane_elevation(slope, aspect, azimuth):
    """Elevation angle of a tilted plane's own surface seen from a point on it.

    Parameters
    ----------
    slope, aspect : numpy.ndarray
        Plane slope and aspect [degrees] (aspect NaN = flat).
    azimuth : float
        Direction of view [degrees clockwise from north].

    Returns
    -------
    numpy.ndarray
        Elevation [degrees]: positive uphill (the plane hides the sky up to it), negative
        downhill.
    """
    s = np.radians(np.nan_to_num(slope, nan=0.0))
    a = np.radians(np.nan_to_num(aspect, nan=0.0))
    return -np.degrees(np.arctan(np.tan(s) * np.cos(np.radians(azimuth) - a)))


def surface_normal(slope, aspect):
    """Unit normal (east, north, up) of each pixel's surface."""
    s = np.radians(np.nan_to_num(slope, nan=0.0))
    a = np.radians(np.nan_to_num(aspect, nan=0.0))
    return np.sin(s) * np.sin(a), np.sin(s) * np.cos(a), np.cos(s)
