"""The sun of a weather year, binned for the per-pixel sums: sectors, elevations, months.

The irradiance on a pixel's surface is a sum over the hours of the year. Every term of
pvlib's transposition is either a scalar times a function of the surface (isotropic sky,
horizon band, ground) or the sun vector times the surface normal (beam and circumsolar,
zero while the sun is below the pixel's horizon). So the hours are binned once -- by
horizon sector (the direction nearest the sun's azimuth), by elevation (``bin_deg`` steps)
and by month -- into cumulative sums of ``weight * sun vector``; a pixel's beam is then one
table look-up per sector, ``normal . table[sector, first bin above its horizon]``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError
from hn_geo.solar.rasters.horizon import directions

MONTHS = 12
HOURS = 24


@dataclass(frozen=True)
class SunTables:
    """Binned sun of one weather year (see the module docstring).

    Attributes
    ----------
    azimuths : numpy.ndarray (n,)
        Directions of the horizon sectors [degrees].
    bin_deg : float
        Elevation bin [degrees].
    beam : numpy.ndarray (n, nb + 1, 12 * 3) float32
        ``beam[j, k, 3m:3m+3]``: sum over the hours of month m with the sun in sector j and
        at elevation >= k * bin_deg of (DNI + circumsolar weight) x sun vector (east, north,
        up) [Wh/m²]; ``beam[j, nb] = 0``.
    isotropic, horizon_band, ground : numpy.ndarray (12,)
        Monthly sums [Wh/m²] of pvlib's isotropic sky term on a horizontal surface, of its
        horizon-band coefficient (Perez F2 x DHI; zero for Hay-Davies) and of albedo x GHI.
    shade_cols : list of numpy.ndarray
        Per sector, the (month, hour) buckets (``12 * 24`` codes ``m * 24 + h``) with sun in it.
    shade_counts : list of numpy.ndarray (len(cols), nb + 1) uint8
        Per sector, days of each bucket with the sun at elevation >= k * bin_deg.
    up_days : numpy.ndarray (12, 24)
        Days of each (month, hour) bucket with the sun up.
    hours : float
        Length of a time step [h].
    transposition, albedo : str, float
    """

    azimuths: np.ndarray
    bin_deg: float
    beam: np.ndarray
    isotropic: np.ndarray
    horizon_band: np.ndarray
    ground: np.ndarray
    shade_cols: list
    shade_counts: list
    up_days: np.ndarray
    hours: float
    transposition: str
    albedo: float

    @property
    def n_bins(self):
        return self.beam.shape[1] - 1


def _sky_terms(weather, solpos, transposition):
    """Per hour: horizontal isotropic term, horizon-band coefficient, circumsolar weight [W/m²]."""
    import pvlib  # 0.5 s with scipy: imported when the sun is first needed, not on start-up
    d = weather.data
    zen, az = solpos["apparent_zenith"].to_numpy(), solpos["azimuth"].to_numpy()
    dni, ghi, dhi = (d[c].to_numpy(dtype=float) for c in ("dni", "ghi", "dhi"))
    dni_extra = pvlib.irradiance.get_extra_radiation(d.index).to_numpy()
    airmass = pvlib.atmosphere.get_relative_airmass(zen)
    if transposition == "perez":
        def perez(tilt, azimuth):
            return pvlib.irradiance.perez(tilt, azimuth, dhi, dni, dni_extra, zen, az, airmass,
                                          return_components=True)
        iso = perez(0.0, 180.0)["poa_isotropic"]
        band = perez(90.0, 180.0)["poa_horizon"]
        circ = perez(np.clip(zen, 0, 90), az)["poa_circumsolar"]  # surface facing the sun
    elif transposition == "haydavies":
        def hd(tilt, azimuth):
            return pvlib.irradiance.haydavies(tilt, azimuth, dhi, dni, dni_extra, zen, az,
                                              return_components=True)
        iso = hd(0.0, 180.0)["poa_isotropic"]
        band = np.zeros(len(d))
        circ = hd(np.clip(zen, 0, 90), az)["poa_circumsolar"]
    else:
        raise HnGeoError(code="solar.bad_transposition", params={"value": transposition,
                                                                 "known": ["perez", "haydavies"]})
    clean = [np.nan_to_num(np.asarray(x, dtype=float)) for x in (iso, band, circ)]
    return clean[0], clean[1], clean[2], dni, ghi


def sun_tables(weather, *, n_directions=32, bin_deg=0.1, transposition="perez", albedo=0.2):
    """Bin the sun and sky of a weather year for the per-pixel irradiation sums.

    Parameters
    ----------
    weather : hn_geo.core.weather.Weather
        Hourly GHI, DNI, DHI [W/m²] at mid-hour time stamps.
    n_directions : int
        Horizon sectors (as :func:`hn_geo.solar.rasters.horizon.horizon_angles`).
    bin_deg : float
        Elevation bin [degrees]; a pixel counts the sun as visible from the first bin at or
        above its horizon (error at most one bin).
    transposition : {'perez', 'haydavies'}
        pvlib sky-diffuse model.
    albedo : float
        Ground reflectance.

    Returns
    -------
    SunTables

    References
    ----------
    .. [1] Perez, R., Ineichen, P., Seals, R., Michalsky, J., Stewart, R. (1990). Modeling
       daylight availability and irradiance components from direct and global irradiance.
       *Solar Energy* 44(5), 271-289. :doi:`10.1016/0038-092X(90)90055-H`
    .. [2] pvlib: Anderson, K. S. et al. (2023). pvlib python: 2023 project update.
       *J. Open Source Softw.* 8(92), 5994. :doi:`10.21105/joss.05994`
    """
    idx = weather.data.index
    solpos = weather.location.get_solarposition(idx)
    iso, band, circ, dni, ghi = _sky_terms(weather, solpos, transposition)
    elev = solpos["apparent_elevation"].to_numpy()
    az = solpos["azimuth"].to_numpy()
    month = idx.month.to_numpy() - 1
    hour = idx.hour.to_numpy()
    hours = _step_hours(idx)
    nb = int(np.ceil(90.0 / bin_deg))
    up = elev > 0
    sector = np.rint(az / (360.0 / n_directions)).astype(int) % n_directions
    b = np.clip(np.floor(elev / bin_deg).astype(int), 0, nb - 1)
    e, a = np.radians(elev), np.radians(az)
    vec = np.stack([np.sin(a) * np.cos(e), np.cos(a) * np.cos(e), np.sin(e)], axis=1)
    w = (np.nan_to_num(dni) + circ)[:, None] * vec * hours
    hist = np.zeros((n_directions, nb + 1, MONTHS, 3))
    np.add.at(hist, (sector[up], b[up], month[up]), w[up])
    beam = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1].reshape(n_directions, nb + 1, MONTHS * 3)
    beam[:, nb] = 0.0
    monthly = [np.bincount(month, weights=x * hours, minlength=MONTHS) for x in (iso, band, albedo * ghi)]
    bucket = month * HOURS + hour
    up_days = np.bincount(bucket[up], minlength=MONTHS * HOURS).reshape(MONTHS, HOURS)
    cols, counts = [], []
    for j in range(n_directions):
        sel = up & (sector == j)
        c = np.unique(bucket[sel])
        h = np.zeros((nb + 1, len(c)), dtype=np.int32)
        np.add.at(h, (b[sel], np.searchsorted(c, bucket[sel])), 1)
        cnt = np.cumsum(h[::-1], axis=0)[::-1]
        cnt[nb] = 0
        cols.append(c)
        counts.append(np.ascontiguousarray(cnt.T.astype(np.uint8)))
    return SunTables(directions(n_directions), float(bin_deg), beam.astype(np.float32), *monthly,
                     cols, counts, up_days, hours, transposition, float(albedo))


def _step_hours(index):
    """Length of a time step [h] (median spacing; 1 for hourly data)."""
    if len(index) < 2:
        return 1.0
    return float(pd.Series(index[:49]).diff().median().total_seconds() / 3600.0)
