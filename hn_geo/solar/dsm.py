"""Roof slope and winter-solstice shading from a digital surface model (raster maths).

The raster is read on the input side (:func:`hn_geo.ground.rasters.read_dsm`); this module
takes the array with its transform and CRS and returns per-building statistics, which
:func:`hn_geo.solar.rooftop_potential` uses (``dsm_stats=``) instead of the default pitch and
an unshaded roof.
"""
from __future__ import annotations

import numpy as np
from rasterio import features

from hn_geo.solar.roofs import RoofParams
from hn_geo.solar.spacing import WINTER_SOLSTICE_DECLINATION, solar_angles

SHADE_DISTANCE_M = 60.0
"""How far south a pixel looks for obstacles [m]."""


def _shaded(z, ry, latitude):
    """Pixels shaded at solar noon on the winter solstice (rows increase southwards)."""
    alt, _ = solar_angles(latitude, WINTER_SOLSTICE_DECLINATION, 0.0)
    tan_a = np.tan(np.radians(alt))
    shaded = np.zeros(z.shape, bool)
    for k in range(1, int(SHADE_DISTANCE_M / ry) + 1):
        rise = np.full(z.shape, np.nan)
        rise[:-k] = z[k:] - z[:-k]
        shaded[:-k] |= np.nan_to_num(rise[:-k], nan=-1) > k * ry * tan_a
    return shaded


def _zonal(labels, slope, shaded, n):
    """Median slope and unshaded share per label 1..n (NaN where a building has no pixel)."""
    lab = labels.ravel()
    inside = lab > 0
    cnt = np.bincount(lab[inside], minlength=n + 1)[1:].astype(float)
    sl = slope.ravel()[inside]
    # median slope per building via sorting
    order = np.lexsort((sl, lab[inside]))
    ls, ss = lab[inside][order], sl[order]
    first = np.searchsorted(ls, np.arange(1, n + 1))
    mid = first + (cnt.astype(int) // 2)
    med = np.full(n, np.nan)
    has = cnt > 0
    med[has] = ss[np.minimum(mid[has], len(ss) - 1)]
    unsh = np.full(n, np.nan)
    unsh[has] = (np.bincount(lab[inside], weights=(~shaded.ravel()[inside]).astype(float),
                             minlength=n + 1)[1:][has] / cnt[has])
    return med, unsh


def dsm_roof_stats(buildings, raster, *, params=None):
    """Per-roof slope and winter-solstice unshaded share from a surface model.

    Slope comes from the height gradient; a pixel counts as shaded when some pixel up to
    :data:`SHADE_DISTANCE_M` due south rises above the line to the sun at solar noon on the
    winter solstice (at ``params.latitude``). Statistics are over the pixels whose centre
    falls in each footprint (rasterised building index).

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        The ``buildings`` layer (any CRS).
    raster : hn_geo.ground.rasters.Raster
        Heights [m] in ``array`` (NaN for no data), with ``transform``, ``crs`` (projected,
        metre pixels) and ``source`` (file name, for the notes).
    params : RoofParams, optional

    Returns
    -------
    dict
        ``slope_deg`` (median slope [degrees]) and ``unshaded`` (share of roof pixels not
        shaded), arrays aligned with ``buildings`` (NaN where a building has no pixel);
        ``source``: the raster's file name.
    """
    params = params or RoofParams()
    z = np.asarray(raster.array, dtype=float)
    transform = raster.transform
    geoms = buildings.geometry.to_crs(raster.crs).values
    rx, ry = abs(transform.a), abs(transform.e)
    dzdy, dzdx = np.gradient(z, ry, rx)
    slope = np.degrees(np.arctan(np.hypot(dzdx, dzdy)))
    shaded = _shaded(z, ry, params.latitude)
    shapes = ((g, i + 1) for i, g in enumerate(geoms) if g is not None and not g.is_empty)
    labels = features.rasterize(shapes, out_shape=z.shape, transform=transform, fill=0, dtype="int32")
    med, unsh = _zonal(labels, slope, shaded, len(geoms))
    return {"slope_deg": med, "unshaded": unsh, "source": getattr(raster, "source", None)}
