"""Irradiation and shade of every pixel from its horizon, slope and aspect (pure arrays).

Per pixel and month (kWh/m²), on the pixel's own tilted surface:

* beam and circumsolar: ``normal . sum(sun vector x (DNI + circumsolar weight))`` over the
  hours with the sun above the pixel's horizon in its sector (the plane's own surface
  counts as horizon, so the sun behind the plane gives nothing);
* isotropic sky: the sky-view factor times pvlib's horizontal isotropic term;
* horizon band (Perez F2): pvlib's ``DHI F2 sin(slope)`` times the share of the open
  plane's sky that is visible;
* ground-reflected: pvlib's ``albedo GHI (1 - cos slope) / 2``.

An open flat pixel gets exactly pvlib's unshaded plane-of-array irradiation.
"""
from __future__ import annotations

import numpy as np

from hn_geo.solar.rasters.horizon import effective_horizon
from hn_geo.solar.rasters.sun import HOURS, MONTHS
from hn_geo.solar.rasters.terrain import surface_normal

CHUNK = 1 << 18
"""Pixels per chunk of the table look-ups (bounds the temporary arrays)."""


def _bins(eff, tables):
    """First elevation bin at or above an effective horizon [degrees]."""
    k = np.ceil(eff / tables.bin_deg)
    return np.clip(np.nan_to_num(k, nan=0.0), 0, tables.n_bins).astype(np.intp)


def _beam(horizon, slope, aspect, tables):
    """Monthly beam + circumsolar on the surface (12, npix) [Wh/m²] of flattened inputs."""
    npix = slope.size
    acc = np.zeros((npix, MONTHS * 3), dtype=np.float32)
    for j, az in enumerate(tables.azimuths):
        k = _bins(effective_horizon(horizon[j], slope, aspect, az), tables)
        acc += tables.beam[j][k]
    nx, ny, nz = surface_normal(slope, aspect)
    acc = acc.reshape(npix, MONTHS, 3)
    out = acc[:, :, 0] * nx[:, None] + acc[:, :, 1] * ny[:, None] + acc[:, :, 2] * nz[:, None]
    return np.clip(out, 0.0, None).T


def _diffuse(svf, slope, tables):
    """Monthly isotropic + horizon band + ground-reflected (12, npix) [Wh/m²]."""
    s = np.radians(np.nan_to_num(slope, nan=0.0))
    open_sky = (1.0 + np.cos(s)) / 2.0
    band_share = np.where(open_sky > 0, svf / open_sky, 0.0)
    return (tables.isotropic[:, None] * svf[None]
            + tables.horizon_band[:, None] * (np.sin(s) * band_share)[None]
            + tables.ground[:, None] * ((1.0 - np.cos(s)) / 2.0)[None])


def irradiation(horizon, slope, aspect, svf, tables):
    """Monthly irradiation on each pixel's surface.

    Parameters
    ----------
    horizon : numpy.ndarray (n, rows, cols)
        Horizon elevation [degrees] in the directions of ``tables.azimuths``.
    slope, aspect : numpy.ndarray (rows, cols)
        [degrees]; NaN slope marks no data.
    svf : numpy.ndarray (rows, cols)
        Sky-view factor (:func:`hn_geo.solar.rasters.horizon.sky_view_factor`).
    tables : hn_geo.solar.rasters.sun.SunTables

    Returns
    -------
    numpy.ndarray of float32 (12, rows, cols)
        Irradiation of each month [kWh/m²]; NaN where ``slope`` is NaN. Their sum is the
        annual irradiation [kWh/m²·a].
    """
    shape = slope.shape
    n = horizon.shape[0]
    hz = horizon.reshape(n, -1)
    sl, asp, sv = slope.ravel(), aspect.ravel(), svf.ravel()
    out = np.empty((MONTHS, sl.size), dtype=np.float32)
    for i in range(0, sl.size, CHUNK):
        part = slice(i, i + CHUNK)
        beam = _beam(hz[:, part], sl[part], asp[part], tables)
        out[:, part] = (beam + _diffuse(sv[part], sl[part], tables)) / 1000.0
    out[:, np.isnan(sl)] = np.nan
    return out.reshape((MONTHS,) + shape)


def unshaded_irradiation(slope, aspect, tables):
    """Annual irradiation of open planes of the given slopes and aspects [kWh/m²·a].

    The plane's own surface is its only horizon (no obstacles); the same sums as
    :func:`irradiation`, so the ratio of the two is the pixel's shading loss.
    """
    slope = np.atleast_1d(np.asarray(slope, dtype=np.float32))
    aspect = np.atleast_1d(np.asarray(aspect, dtype=np.float32))
    n = len(tables.azimuths)
    none = np.full((n, slope.size), -90.0, dtype=np.float32)
    s = np.radians(np.nan_to_num(slope, nan=0.0))
    beam = _beam(none, slope.ravel(), aspect.ravel(), tables)
    svf = (1.0 + np.cos(s.ravel())) / 2.0
    return ((beam + _diffuse(svf, slope.ravel(), tables)) / 1000.0).sum(axis=0).reshape(slope.shape)


TILTS = np.arange(0.0, 61.0, 1.0)
AZIMUTHS = np.arange(90.0, 271.0, 5.0)


def optimum_plane(tables, *, tilts=TILTS, azimuths=AZIMUTHS):
    """Tilt, azimuth and annual irradiation of the best open plane at the site.

    Returns
    -------
    (float, float, float)
        Tilt [degrees], azimuth [degrees], annual irradiation [kWh/m²·a].
    """
    t, a = np.meshgrid(tilts, azimuths, indexing="ij")
    annual = unshaded_irradiation(t.ravel(), a.ravel(), tables)
    i = int(np.argmax(annual))
    return float(t.ravel()[i]), float(a.ravel()[i]), float(annual[i])


def shade_fraction(horizon, slope, aspect, tables):
    """Share of days on which each pixel is shaded, per month and hour of day.

    Parameters
    ----------
    horizon, slope, aspect, tables
        As :func:`irradiation`.

    Returns
    -------
    numpy.ndarray of uint8 (288, rows, cols)
        Band ``24 * (month - 1) + hour``: percentage of the days of that month on which the
        sun, up at that hour (local standard time of the weather file), is below the
        pixel's horizon (or behind its own surface) [%]; 255 where the sun is never up at
        that hour or ``slope`` is NaN.
    """
    shape = slope.shape
    n = horizon.shape[0]
    hz = horizon.reshape(n, -1)
    sl, asp = slope.ravel(), aspect.ravel()
    up = tables.up_days.ravel()
    has = up > 0
    out = np.full((MONTHS * HOURS, sl.size), 255, dtype=np.uint8)
    for i in range(0, sl.size, CHUNK):
        part = slice(i, i + CHUNK)
        vis = np.zeros((MONTHS * HOURS, min(CHUNK, sl.size - i)), dtype=np.uint8)
        for j, az in enumerate(tables.azimuths):
            cols = tables.shade_cols[j]
            if len(cols):
                k = _bins(effective_horizon(hz[j, part], sl[part], asp[part], az), tables)
                vis[cols] += tables.shade_counts[j][:, k]
        out[has, part] = np.rint(100.0 * (1.0 - vis[has] / up[has, None])).astype(np.uint8)
    out[:, np.isnan(sl)] = 255
    return out.reshape((MONTHS * HOURS,) + shape)


def sun_visible(horizon, slope, aspect, azimuths, sun_azimuth, sun_elevation):
    """Whether the sun at one position is above each pixel's horizon (not shaded).

    Parameters
    ----------
    horizon : numpy.ndarray (n, rows, cols)
        [degrees] in the directions ``azimuths``.
    slope, aspect : numpy.ndarray
        [degrees]
    azimuths : numpy.ndarray (n,)
    sun_azimuth, sun_elevation : float
        [degrees]

    Returns
    -------
    numpy.ndarray of bool
        True where the sun is above the horizon of the sector nearest its azimuth.
    """
    n = len(azimuths)
    j = int(np.rint(sun_azimuth / (360.0 / n))) % n
    return sun_elevation > effective_horizon(horizon[j], slope, aspect, azimuths[j])
