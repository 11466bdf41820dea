"""The embedded default weather year for Haining, built offline from monthly normals.

:func:`default_weather` takes pvlib's Ineichen clear-sky model (with the Linke turbidity
climatology pvlib ships), applies a seeded day-to-day cloudiness, and scales month by month
to the long-term monthly global and diffuse horizontal irradiation of Hangzhou station 58457
stored in ``hn_geo/data/haining_irradiation.csv`` (source and cross-check in that file and in
``layers/SOURCES.md``). GHI is split into DNI and DHI with the Erbs model, and the diffuse
part is then rescaled so each month's diffuse total matches the published monthly figure. It
reproduces the published monthly energy; its day-to-day sequence is synthetic, so yields from
it are annual/monthly estimates, not simulations of a real year.
"""
from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from hn_geo.core.results import Msg
from hn_geo.core.weather import Weather
from hn_geo.ground.weather_checks import YEAR, named_timezone

__all__ = ["default_weather", "monthly_normals", "named_timezone", "YEAR"]

HAINING_LAT = 30.51
"""Haining city seat (Xiashi subdistrict) [degrees north]."""
HAINING_LON = 120.68
"""Haining city seat [degrees east]."""
HAINING_ALT = 5.0
"""Approximate ground elevation of the city seat [m]."""
DAILY_CLEARNESS_STD = 0.30
"""Standard deviation of daily GHI relative to clear sky within a month, as in the hourly CSWD
year of Hangzhou station 58457 (0.25-0.36 by month)."""
DEFAULT_SEED = 58457
"""Seed of the daily cloudiness sequence of the embedded default year."""


def monthly_normals():
    """The embedded long-term monthly figures for Hangzhou station 58457.

    Returns
    -------
    pandas.DataFrame
        Index month 1..12; columns ``ghi_kwh_m2``, ``dhi_kwh_m2`` [kWh/m²], ``temp_air_c``
        [°C], ``wind_speed_ms`` [m/s], ``temp_range_c`` (mean daily range [K]).
    """
    src = resources.files("hn_geo") / "data" / "haining_irradiation.csv"
    with resources.as_file(src) as p:
        df = pd.read_csv(p, comment="#")
    return df.set_index("month")


def _daily_factors(cs_day, day_month, month_kwh, std, rng):
    """Daily GHI / clear-sky factors: Beta-distributed around each month's mean, month totals exact."""
    k = np.empty(len(cs_day))
    for m in range(1, 13):
        idx = np.flatnonzero(day_month == m)
        mean = month_kwh[m] * 1000.0 / cs_day[idx].sum()
        var = min(std ** 2, 0.9 * mean * (1 - mean)) if 0 < mean < 1 else 0.0
        if var > 0:
            c = mean * (1 - mean) / var - 1
            km = rng.beta(mean * c, (1 - mean) * c, idx.size)
        else:
            km = np.full(idx.size, mean)
        k[idx] = km * month_kwh[m] * 1000.0 / (km * cs_day[idx]).sum()
    return k


def _irradiance(times, sp, cs_ghi, k_day, norms):
    """Hourly GHI, DNI, DHI [W/m²] from clear-sky GHI, the daily factors and the monthly diffuse."""
    import pvlib  # 0.5 s with scipy: imported when the sun is first needed, not on start-up
    month = times.month.to_numpy()
    doy = times.day_of_year.to_numpy()
    ghi = cs_ghi * k_day[doy - 1]
    # decomposition and closure use the apparent (refracted) zenith, as pvlib's transposition does
    zen = sp["apparent_zenith"]
    parts = pvlib.irradiance.erbs(pd.Series(ghi, times), zen, times)
    dhi = parts["dhi"].to_numpy()
    dhi_month = pd.Series(dhi, times).groupby(month).sum() / 1000.0
    f = (norms["dhi_kwh_m2"] / dhi_month).reindex(month).to_numpy()
    dhi = np.minimum(dhi * f, ghi)
    cosz = np.cos(np.radians(zen.to_numpy()))
    dni = np.where(cosz > 0.065, (ghi - dhi) / np.maximum(cosz, 0.065), 0.0)
    dhi = np.where(cosz > 0.065, dhi, ghi)  # low sun: all diffuse
    return ghi, dni, dhi


def _temperature(times, cs_ghi, k_day, norms):
    """Air temperature [°C]: monthly mean plus a cosine diurnal cycle, larger on clear days."""
    month = times.month.to_numpy()
    doy = times.day_of_year.to_numpy()
    hour = (times.hour + times.minute / 60.0).to_numpy()
    k_month = (norms["ghi_kwh_m2"] * 1000.0 / pd.Series(cs_ghi).groupby(month).sum().to_numpy()).reindex(month)
    swing = np.clip(k_day[doy - 1] / k_month.to_numpy(), 0.3, 1.8)
    t_mean = norms["temp_air_c"].reindex(month).to_numpy()
    t_range = norms["temp_range_c"].reindex(month).to_numpy() * swing
    return t_mean + 0.5 * t_range * np.cos(2 * np.pi * (hour - 14.5) / 24.0)


def default_weather(latitude=HAINING_LAT, longitude=HAINING_LON, altitude=HAINING_ALT,
                    daily_std=DAILY_CLEARNESS_STD, seed=DEFAULT_SEED):
    """Embedded hourly weather year for Haining (offline).

    Ineichen clear-sky GHI (pvlib, Linke turbidity from pvlib's monthly climatology) times a
    daily cloudiness factor: within each month the factors follow a Beta distribution
    (seeded) with the month's mean clearness and a spread ``daily_std``, rescaled so each
    month's GHI equals the long-term figure of :func:`monthly_normals` exactly. The Erbs model
    splits GHI into DNI and DHI hour by hour; DHI is then rescaled per month to the published
    diffuse total and DNI recomputed from the closure GHI = DNI·cos z + DHI. Air temperature
    is the monthly mean with a cosine diurnal cycle (warmest at 14:30) whose amplitude is the
    monthly mean daily range scaled by the day's clearness (clear days swing more); wind speed
    is the monthly mean.

    Monthly GHI and DHI are the published figures; the day-to-day sequence is synthetic. With
    it a south-facing 20° array yields about 3 % more than with the hourly CSWD year of the
    same station.

    Parameters
    ----------
    latitude, longitude : float
        Site [degrees].
    altitude : float
        Site elevation [m].
    daily_std : float
        Spread of the daily clearness within a month.
    seed : int
        Seed of the cloudiness sequence.

    Returns
    -------
    hn_geo.core.weather.Weather
    """
    import pvlib  # 0.5 s with scipy: imported when the sun is first needed, not on start-up
    tz = named_timezone(8)
    times = pd.date_range(f"{YEAR}-01-01 00:30", periods=8760, freq="h", tz=tz)
    loc = pvlib.location.Location(latitude, longitude, tz=tz, altitude=altitude)
    sp = loc.get_solarposition(times)
    cs = loc.get_clearsky(times, model="ineichen", solar_position=sp)
    norms = monthly_normals()
    month = times.month.to_numpy()
    doy = times.day_of_year.to_numpy()
    cs_ghi = cs["ghi"].to_numpy()
    cs_day = np.bincount(doy - 1, weights=cs_ghi, minlength=365)
    day_month = np.bincount(doy - 1, weights=month, minlength=365) / 24.0
    rng = np.random.default_rng(seed)
    k_day = _daily_factors(cs_day, np.round(day_month).astype(int), norms["ghi_kwh_m2"], daily_std, rng)
    ghi, dni, dhi = _irradiance(times, sp, cs_ghi, k_day, norms)
    data = pd.DataFrame({
        "ghi": ghi, "dni": dni, "dhi": dhi, "temp_air": _temperature(times, cs_ghi, k_day, norms),
        "wind_speed": norms["wind_speed_ms"].reindex(month).to_numpy(),
    }, index=times)
    return Weather(data, latitude, longitude, altitude, Msg("solar.weather_source_default"),
                   [Msg("solar.weather_default")])
