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

CHUNK = 1 << 18
"""Pixels per chunk of the table look-ups (bounds the temporary arrays)."""


class _Plane:
    """Per-pixel constants of the surface of one chunk (its own horizon, normal, tilt)."""

    def __init__(self, slope, aspect):
        s = np.radians(np.nan_to_num(slope, nan=0.0)).astype(np.float32)
        a = np.radians(np.nan_to_num(aspect, nan=0.0)).astype(np.float32)
        self.cs, self.ss = np.cos(s), np.sin(s)
        tan_s = np.tan(s)
        self.ca, self.sa = np.cos(a), np.sin(a)
        self.tc, self.ts = tan_s * self.ca, tan_s * self.sa
        self.normal = (self.ss * self.sa, self.ss * self.ca, self.cs)

    def own_horizon(self, azimuth):
        """Elevation of the plane's own surface towards ``azimuth`` [degrees]
        (:func:`hn_geo.solar.rasters.terrain.plane_elevation`)."""
        az = np.radians(azimuth)
        return np.degrees(-np.arctan(self.tc * np.float32(np.cos(az)) + self.ts * np.float32(np.sin(az))))


def _bins(eff, tables):
    """First elevation bin at or above an effective horizon [degrees]."""
    k = np.ceil(eff / tables.bin_deg)
    return np.clip(np.nan_to_num(k, nan=0.0), 0, tables.n_bins).astype(np.intp)


def _svf_term(eff, plane, azimuth):
    """One direction's term of the Dozier-Marks sky-view integral (see :func:`sky_view_factor`)."""
    zen = np.radians(90.0 - np.maximum(eff, 0.0)).astype(np.float32)
    sz = np.sin(zen)
    az = np.radians(azimuth)
    cos_rel = plane.ca * np.float32(np.cos(az)) + plane.sa * np.float32(np.sin(az))
    return plane.cs * sz * sz + plane.ss * cos_rel * (zen - sz * np.cos(zen))


def _lookups(tables):
    """Per sector: non-zero beam columns (month x component) as contiguous look-up rows."""
    cols, rows = [], []
    for j in range(len(tables.azimuths)):
        nz = np.flatnonzero(np.any(tables.beam[j] != 0, axis=0))
        cols.append(nz)
        rows.append(np.ascontiguousarray(tables.beam[j][:, nz].T))
    return cols, rows


def _shade_lut(tables):
    """``lut[bucket, days visible]`` -> percentage of the bucket's sun-up days shaded (uint8)."""
    up = tables.up_days.ravel().astype(float)
    v = np.arange(256, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        lut = np.rint(100.0 * (1.0 - v[None, :] / up[:, None]))
    return np.where(up[:, None] > 0, np.clip(lut, 0, 100), 255).astype(np.uint8)


def _chunk(hz, sl, asp, tables, want, svf_given, lookups):
    """Sky-view factor, monthly beam + diffuse [Wh/m²] and shade counts of one chunk of pixels."""
    n, npix = hz.shape[0], sl.size
    plane = _Plane(sl, asp)
    svf = np.zeros(npix, np.float32) if svf_given is None else svf_given
    beam = np.zeros((MONTHS * 3, npix), np.float32) if "irradiation" in want else None
    vis = np.zeros((MONTHS * HOURS, npix), np.uint8) if "shade" in want else None
    buf32, buf8 = np.empty(npix, np.float32), np.empty(npix, np.uint8)
    bcols, brows = lookups
    for j, az in enumerate(tables.azimuths):
        own = plane.own_horizon(az)
        eff = np.maximum(hz[j], own)
        if svf_given is None:
            svf += _svf_term(eff, plane, az)
        scols = tables.shade_cols[j] if vis is not None else ()
        if (beam is None or not len(bcols[j])) and not len(scols):
            continue
        k = _bins(eff, tables)
        if beam is not None:
            for c, row in zip(bcols[j], brows[j]):
                np.take(row, k, out=buf32)
                beam[c] += buf32
        for r, c in enumerate(scols):
            np.take(tables.shade_counts[j][r], k, out=buf8)
            vis[c] += buf8
    if svf_given is None:
        svf = np.clip(svf / n, 0.0, 1.0).astype(np.float32)
    monthly = None
    if beam is not None:
        nx, ny, nz = plane.normal
        b = beam.reshape(MONTHS, 3, npix)
        monthly = np.clip(b[:, 0] * nx + b[:, 1] * ny + b[:, 2] * nz, 0.0, None)
        monthly += _diffuse(svf, sl, tables)
    return svf, monthly, vis


def _diffuse(svf, slope, tables):
    """Monthly isotropic + horizon band + ground-reflected (12, npix) [Wh/m²]."""
    s = np.radians(np.nan_to_num(slope, nan=0.0))
    open_sky = (1.0 + np.cos(s)) / 2.0
    band_share = np.where(open_sky > 0, svf / open_sky, 0.0)
    return (tables.isotropic[:, None] * svf[None]
            + tables.horizon_band[:, None] * (np.sin(s) * band_share)[None]
            + tables.ground[:, None] * ((1.0 - np.cos(s)) / 2.0)[None]).astype(np.float32)


def sky_sun(horizon, slope, aspect, tables, *, svf=None, want=("sky_view", "irradiation", "shade")):
    """Sky-view factor, monthly irradiation and shade of every pixel in one pass.

    Each direction's effective horizon (the obstacle horizon raised to the plane's own
    surface) is computed once and serves the sky-view integral, the beam look-up and the
    shade counts.

    Parameters
    ----------
    horizon : numpy.ndarray (n, rows, cols)
        Horizon elevation [degrees] in the directions of ``tables.azimuths``.
    slope, aspect : numpy.ndarray (rows, cols)
        [degrees]; NaN slope marks no data.
    tables : hn_geo.solar.rasters.sun.SunTables
    svf : numpy.ndarray (rows, cols), optional
        A sky-view factor to use instead of the one of ``horizon``.
    want : iterable of {'sky_view', 'irradiation', 'shade'}

    Returns
    -------
    dict
        ``sky_view`` (rows, cols) float32 (:func:`hn_geo.solar.rasters.horizon.sky_view_factor`);
        ``irradiation`` (12, rows, cols) float32 [kWh/m²] (:func:`irradiation`); ``shade``
        (288, rows, cols) uint8 [%] (:func:`shade_fraction`). NaN (255) where ``slope`` is NaN.
    """
    want = set(want)
    shape = slope.shape
    n = horizon.shape[0]
    hz = horizon.reshape(n, -1)
    sl, asp = slope.ravel(), aspect.ravel()
    given = None if svf is None else np.asarray(svf, np.float32).ravel()
    out_svf = np.empty(sl.size, np.float32)
    monthly = np.empty((MONTHS, sl.size), np.float32) if "irradiation" in want else None
    shade = np.empty((MONTHS * HOURS, sl.size), np.uint8) if "shade" in want else None
    lookups, lut = _lookups(tables), _shade_lut(tables)
    for i in range(0, sl.size, CHUNK):
        part = slice(i, i + CHUNK)
        s, m, vis = _chunk(hz[:, part], sl[part], asp[part], tables, want,
                           None if given is None else given[part], lookups)
        out_svf[part] = s
        if monthly is not None:
            monthly[:, part] = m / 1000.0
        if shade is not None:
            for b in range(MONTHS * HOURS):
                np.take(lut[b], vis[b], out=shade[b, part])
    nodata = np.isnan(sl)
    out = {}
    if "sky_view" in want:
        out_svf[nodata] = np.nan
        out["sky_view"] = out_svf.reshape(shape)
    if monthly is not None:
        monthly[:, nodata] = np.nan
        out["irradiation"] = monthly.reshape((MONTHS,) + shape)
    if shade is not None:
        shade[:, nodata] = 255
        out["shade"] = shade.reshape((MONTHS * HOURS,) + shape)
    return out


def irradiation(horizon, slope, aspect, svf, tables):
    """Monthly irradiation on each pixel's surface.

    Per pixel and month, on the pixel's own tilted surface (see the module docstring): beam
    and circumsolar where the sun is above the pixel's effective horizon, the isotropic sky
    scaled by ``svf``, the horizon band and the ground-reflected part.

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
    return sky_sun(horizon, slope, aspect, tables, svf=svf, want=("irradiation",))["irradiation"]


def unshaded_irradiation(slope, aspect, tables):
    """Annual irradiation of open planes of the given slopes and aspects [kWh/m²·a].

    The plane's own surface is its only horizon (no obstacles); the same sums as
    :func:`irradiation`, so the ratio of the two is the pixel's shading loss.
    """
    slope = np.atleast_1d(np.asarray(slope, dtype=np.float32))
    aspect = np.atleast_1d(np.asarray(aspect, dtype=np.float32))
    none = np.full((len(tables.azimuths),) + slope.shape, -90.0, dtype=np.float32)
    s = np.radians(np.nan_to_num(slope, nan=0.0))
    svf = ((1.0 + np.cos(s)) / 2.0).astype(np.float32)
    return irradiation(none, slope, aspect, svf, tables).sum(axis=0)


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
    return sky_sun(horizon, slope, aspect, tables, want=("shade",))["shade"]


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
