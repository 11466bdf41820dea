"""Checks and repairs of an hourly weather year (run by :func:`hn_geo.ground.weather.read_weather`).

* Missing hours and impossible values (absent timestamps, empty cells, 9999-style codes,
  irradiance below 0 or above 1500 W/m²): runs of up to :data:`MAX_GAP_HOURS` are interpolated
  with one counted warning; longer runs, or more than :data:`MAX_MISSING_SHARE` of the year,
  are an error.
* Time zone: the GHI-weighted centre of each day must fall near solar noon. A shift of about
  one hour (hour-beginning vs hour-ending labels, as in the CSWD EPW files) is corrected with a
  warning; a larger one (UTC data labelled local: 8 h off at Haining) is an error.
* DNI/DHI/GHI closure: hours whose DNI·cos z + DHI disagrees with GHI get DNI recomputed from
  GHI and DHI, with a counted warning; missing DNI/DHI are decomposed from GHI (Erbs).

Every warning is an :class:`~hn_geo.core.errors.HnGeoWarning` with a message code of the
``solar`` block; the same repair is added to the weather's notes as a
:class:`~hn_geo.core.results.Msg` naming the file (never its full path).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.results import Msg, Word

YEAR = 2019
"""The year every weather file is coerced to (not a leap year)."""
MAX_GAP_HOURS = 3
"""Longest run of missing hours that is interpolated rather than refused [h]."""
MAX_MISSING_SHARE = 0.01
"""Largest share of missing hours accepted (with interpolation) in a year."""
MAX_NOON_OFFSET_H = 0.75
"""Largest accepted offset between the daily irradiance centre and solar noon [h]."""

LIMITS = (("ghi", 0, 1500), ("dni", 0, 1500), ("dhi", 0, 1000), ("temp_air", -60, 60),
          ("wind_speed", 0, 60))
"""Plausible range of each column [W/m², °C, m/s]."""


def named_timezone(offset_hours):
    """IANA fixed-offset zone name for a whole-hour UTC offset [h].

    >>> named_timezone(8)
    'Etc/GMT-8'

    Note the POSIX sign convention of the ``Etc/`` zones: UTC+8 is ``Etc/GMT-8``. Fractional
    offsets (e.g. +5.5) have no ``Etc/`` zone: None.
    """
    offset_hours = float(offset_hours)
    if offset_hours != int(offset_hours):
        return None
    h = int(offset_hours)
    return "Etc/GMT" if h == 0 else f"Etc/GMT{-h:+d}"


def _repaired(notes, path, code, stacklevel=3, **params):
    """Warn about a repair (counted) and add it to ``notes``."""
    warnings.warn(HnGeoWarning(code, path=path, **params), stacklevel=stacklevel)
    repair = Msg(code, **params)
    notes.append(Msg("solar.weather_repair", file=Path(path).name, repair=repair) if path else repair)


def _runs(mask):
    """Lengths of the runs of True in a boolean array."""
    if not mask.any():
        return np.array([], dtype=int)
    d = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    return np.flatnonzero(d == -1) - np.flatnonzero(d == 1)


def _flag_bad(data, notes):
    """Set impossible values to NaN; ``{column: bad mask}`` of the columns checked.

    DNI/DHI absent altogether are left for the decomposition; a wind speed absent altogether
    is taken as 1 m/s (noted).
    """
    bad = {}
    for col, lo, hi in LIMITS:
        vals = data[col].to_numpy(dtype=float, copy=True)
        wrong = ~np.isfinite(vals) | (vals < lo) | (vals > hi)
        if col in ("dni", "dhi") and wrong.all():
            continue  # not provided at all: decomposed later
        if col == "wind_speed" and wrong.all():
            data[col] = 1.0
            notes.append(Msg("solar.weather_no_wind"))
            continue
        vals[wrong] = np.nan
        data[col] = vals
        bad[col] = wrong
    return bad


def _interpolate(data, bad, full, path, notes, max_gap_hours, max_missing_share):
    """Interpolate short gaps in time (counted warning); refuse long or many gaps."""
    missing = np.zeros(len(data), bool)
    for w in bad.values():
        missing |= w
    n_missing = int(missing.sum())
    if not n_missing:
        return
    runs = _runs(missing)
    longest = int(runs.max())
    if longest > max_gap_hours or n_missing > max_missing_share * len(data):
        first = full[np.flatnonzero(missing)[0]]
        raise HnGeoError(code="solar.weather_gaps_too_long",
                         params={"n": n_missing, "longest": longest, "first": f"{first:%m-%d %H:%M}",
                                 "max_gap": max_gap_hours, "max_share": max_missing_share * 100},
                         path=path, field=", ".join(k for k, v in bad.items() if v.any()))
    for col in bad:
        data[col] = data[col].interpolate(method="time", limit_direction="both")
    _repaired(notes, path, "solar.weather_interpolated", stacklevel=4, n=n_missing, gaps=len(runs),
              longest=longest)


def _fix_hour_shift(weather, path, notes):
    """Move every value one hour when the irradiance peaks about one hour off solar noon."""
    off = noon_offset_hours(weather)
    k = int(round(off)) if np.isfinite(off) else 0
    if not (abs(k) == 1 and abs(off - k) < 0.3):
        return weather
    # a one-hour shift is the classic hour-beginning vs hour-ending labelling mix-up
    d = weather.data
    data = pd.DataFrame(np.roll(d.to_numpy(), -k, axis=0), index=d.index, columns=d.columns)
    _repaired(notes, path, "solar.weather_hour_late" if k > 0 else "solar.weather_hour_early",
              stacklevel=4, offset=abs(off), shift=-k)
    return weather.replace(data=data, notes=notes)


def check_weather(weather, path=None, max_gap_hours=MAX_GAP_HOURS, max_missing_share=MAX_MISSING_SHARE,
                  max_noon_offset_h=MAX_NOON_OFFSET_H, fix_hour_shift=True):
    """Check a :class:`~hn_geo.core.weather.Weather` for gaps, impossible values, a wrong time
    zone and DNI/DHI/GHI disagreement; repair what can be repaired.

    Parameters
    ----------
    weather : Weather
    path : str or Path, optional
        The file the weather comes from (named in warnings and errors).
    max_gap_hours : int
        Longest run of missing hours interpolated [h].
    max_missing_share : float
        Largest share of the year that may be missing.
    max_noon_offset_h : float
        Largest accepted median offset of the daily irradiance centre from solar noon [h].
    fix_hour_shift : bool
        Correct a one-hour shift (hour-beginning vs hour-ending labels) instead of refusing it.

    Returns
    -------
    Weather
        Repaired copy, exactly 8760 hourly rows; ``notes`` list the repairs.
    """
    tz = weather.data.index.tz
    full = pd.date_range(pd.Timestamp(f"{YEAR}-01-01 00:30", tz=tz), periods=8760, freq="h")
    if len(weather.data) and (weather.data.index.minute != 30).any():
        raise HnGeoError(code="solar.weather_not_hourly", path=path)
    data = weather.data.reindex(full)
    notes = list(weather.notes)
    bad = _flag_bad(data, notes)
    _interpolate(data, bad, full, path, notes, max_gap_hours, max_missing_share)
    out = weather.replace(data=data, notes=notes)
    if fix_hour_shift:
        out = _fix_hour_shift(out, path, notes)
    _check_noon(out, path, max_noon_offset_h)
    data = out.data
    if data["dni"].notna().all() and data["dhi"].notna().all():
        _check_closure(out, path, notes)
    if data["dni"].isna().any() or data["dhi"].isna().any():
        _decompose(out, path, notes)
    return out.replace(notes=notes)


def _decompose(weather, path, notes):
    """Fill missing DNI/DHI from GHI with the Erbs model (counted warning)."""
    import pvlib  # 0.5 s with scipy: imported when the sun is first needed, not on start-up
    data = weather.data
    n = int((data["dni"].isna() | data["dhi"].isna()).sum())
    sp = weather.location.get_solarposition(data.index)
    parts = pvlib.irradiance.erbs(data["ghi"], sp["zenith"], data.index)
    fill_dni = data["dni"].isna()
    fill_dhi = data["dhi"].isna()
    data.loc[fill_dni, "dni"] = parts["dni"][fill_dni]
    data.loc[fill_dhi, "dhi"] = parts["dhi"][fill_dhi]
    _repaired(notes, path, "solar.weather_decomposed", stacklevel=4, n=n)


def _check_closure(weather, path, notes, tolerance=0.05):
    """Make DNI consistent with GHI and DHI where the file's components disagree.

    pvlib's transposition uses DNI and DHI, not GHI; files whose DNI·cos z + DHI falls short
    of (or exceeds) the measured GHI would silently change the irradiation. Hours off by more
    than ``tolerance`` (and 10 W/m²) get DNI = (GHI - DHI) / cos z (sun above 3.7°, DNI capped
    at the extraterrestrial value), with a counted warning.
    """
    import pvlib  # 0.5 s with scipy: imported when the sun is first needed, not on start-up
    d = weather.data
    sp = weather.location.get_solarposition(d.index)
    cosz = np.cos(np.radians(sp["apparent_zenith"].to_numpy()))
    ghi, dni, dhi = (d[c].to_numpy(dtype=float) for c in ("ghi", "dni", "dhi"))
    closure = dni * np.clip(cosz, 0, None) + dhi
    up = cosz > 0.065
    off = up & (np.abs(closure - ghi) > np.maximum(tolerance * ghi, 10.0))
    n = int(off.sum())
    if not n:
        return
    before = float(closure[up].sum() / max(ghi[up].sum(), 1e-9) - 1.0)
    dni_extra = pvlib.irradiance.get_extra_radiation(d.index).to_numpy()
    new = np.clip((ghi - np.minimum(dhi, ghi)) / np.where(up, cosz, 1.0), 0.0, dni_extra)
    d.loc[off, "dni"] = new[off]
    d.loc[off, "dhi"] = np.minimum(dhi, ghi)[off]
    _repaired(notes, path, "solar.weather_closure", stacklevel=4, n=n, tolerance=tolerance * 100,
              before=before * 100)


def noon_offset_hours(weather):
    """Median offset of the daily GHI-weighted centre time from solar noon [h].

    Positive: irradiance peaks after solar noon (timestamps too early, e.g. local data
    labelled UTC+9); about -8 h at Haining for UTC data labelled UTC+8.
    """
    import pvlib  # 0.5 s with scipy: imported when the sun is first needed, not on start-up
    data = weather.data
    ghi = data["ghi"].fillna(0.0).to_numpy()
    t = data.index
    local_h = (t.hour + t.minute / 60.0).to_numpy()
    day = t.day_of_year.to_numpy()
    # equation of time and longitude give solar noon in the index's clock time
    eot = pvlib.solarposition.equation_of_time_spencer71(day)  # minutes
    offset = t[0].utcoffset().total_seconds() / 3600.0
    noon = 12.0 - weather.longitude / 15.0 + offset - eot / 60.0
    # weight by GHI; circular mean over the day so a shift across midnight is measured correctly
    ang = 2 * np.pi * (local_h - noon) / 24.0
    df = pd.DataFrame({"day": day, "s": ghi * np.sin(ang), "c": ghi * np.cos(ang), "w": ghi})
    g = df.groupby("day").sum()
    g = g[g["w"] > 0]
    if g.empty:
        return np.nan
    centre = np.arctan2(g["s"], g["c"]) * 24.0 / (2 * np.pi)
    return float(np.median(centre))


def _check_noon(weather, path, max_offset):
    off = noon_offset_hours(weather)
    if not np.isfinite(off):
        raise HnGeoError(code="solar.weather_no_daylight", path=path, field="ghi")
    if abs(off) > max_offset:
        utc = weather.data.index[0].utcoffset().total_seconds() / 3600
        raise HnGeoError(code="solar.weather_noon_mismatch",
                         params={"offset": abs(off), "side": Word("solar.noon_side", "after" if off > 0 else "before"),
                                 "utc": f"{utc:+.0f}", "lon": weather.longitude},
                         path=path, field="time zone")
