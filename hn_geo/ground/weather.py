"""Hourly weather for PV yield: real files through pvlib's readers, or the embedded default.

Readers
-------
:func:`read_weather` reads EnergyPlus EPW, NREL TMY3 CSV and PVGIS TMY (JSON, CSV or EPW)
files with :mod:`pvlib.iotools` and returns a :class:`~hn_geo.core.weather.Weather` whose
index is

* time-zone aware in a named zone (``Etc/GMT-8`` for UTC+8) -- pvlib's EPW reader returns a
  fixed-offset zone (``UTC+08:00``) that some pandas/pvlib calls reject;
* labelled at the **middle** of each hourly interval, so solar position is computed for the
  instant that best represents the hour's mean irradiance (EPW hour 1 covers 00:00-01:00 and
  pvlib labels it 00:00; TMY3 labels it 01:00; both are shifted to 00:30);
* one year long (the year is coerced to a single non-leap year; typical-year files mix years).

Checks (:mod:`hn_geo.ground.weather_checks`, run by :func:`read_weather`): missing hours and
impossible values (short gaps interpolated with a counted warning), the one-hour-late labels
of the CSWD files (corrected with a warning), UTC data labelled local (refused), and the
DNI/DHI/GHI closure (repaired with a counted warning).

The embedded default year (:func:`default_weather`) is built in
:mod:`hn_geo.ground.weather_default` from ``hn_geo/data/haining_irradiation.csv``.

Warnings and notes are message codes of the ``solar`` block of the vocabulary.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.results import Msg, Word
from hn_geo.core.weather import COLUMNS, Weather
from hn_geo.ground.weather_checks import (  # noqa: F401  (re-exported)
    MAX_GAP_HOURS,
    MAX_MISSING_SHARE,
    MAX_NOON_OFFSET_H,
    check_weather,
    noon_offset_hours,
)
from hn_geo.ground.weather_default import (  # noqa: F401  (re-exported)
    HAINING_ALT,
    HAINING_LAT,
    HAINING_LON,
    YEAR,
    default_weather,
    monthly_normals,
    named_timezone,
)

__all__ = ["Weather", "read_weather", "load_weather", "default_weather", "monthly_normals",
           "check_weather", "noon_offset_hours", "named_timezone", "fix_timezone"]

FORMATS = ("epw", "tmy3", "pvgis_json", "pvgis_csv")
"""Weather file formats (codes of the ``weather_format`` family)."""


# ----------------------------------------------------------------------------- time zones
def fix_timezone(index):
    """Convert a fixed-offset (``UTC+08:00``) index to the equivalent ``Etc/GMT-8`` zone.

    Indexes already in a named zone are returned unchanged; naive indexes raise (their
    zone is unknown).
    """
    tz = index.tz
    if tz is None:
        raise ValueError("naive time index: the time zone is unknown")
    if "/" in str(tz) or str(tz) == "UTC":
        return index  # already a named zone (IANA or UTC)
    offset = index[0].utcoffset()
    name = named_timezone(offset.total_seconds() / 3600.0)
    if name is None:
        return index
    return index.tz_convert(name)


def _coerce_year(index, year=YEAR):
    """Put every timestamp in ``year`` (typical years mix source years); keep the zone."""
    tz = index.tz
    local = index.tz_localize(None)
    new = pd.to_datetime({"year": np.full(len(local), year), "month": local.month, "day": local.day,
                          "hour": local.hour, "minute": local.minute})
    return pd.DatetimeIndex(new).tz_localize(tz)


# ----------------------------------------------------------------------------- readers
def _sniff(path):
    """The format code of a weather file, from its suffix and first lines."""
    suffix = path.suffix.lower()
    if suffix == ".epw":
        return "epw"
    if suffix == ".json":
        return "pvgis_json"
    if suffix == ".csv":
        with open(path, "rb") as f:
            head = f.read(2000).decode("latin-1", errors="replace")
        first = head.splitlines()[0] if head else ""
        if "PVGIS" in head[:500] or first.lower().startswith("latitude"):
            return "pvgis_csv"
        return "tmy3"
    raise HnGeoError(code="solar.weather_unknown_type", params={"suffix": suffix}, path=path)


def _read_raw(path, kind):
    """pvlib's reader for ``kind``: (data, latitude, longitude, altitude, label shift)."""
    import pvlib  # 0.5 s with scipy: imported when the sun is first needed, not on start-up
    if kind == "epw":
        data, meta = pvlib.iotools.read_epw(path)
        return data, meta["latitude"], meta["longitude"], meta.get("altitude", 0.0), \
            pd.Timedelta(minutes=30)                    # labelled at interval start
    if kind == "tmy3":
        data, meta = pvlib.iotools.read_tmy3(path, map_variables=True)
        return data, meta["latitude"], meta["longitude"], meta.get("altitude", 0.0), \
            pd.Timedelta(minutes=-30)                   # labelled at interval end
    data, meta = pvlib.iotools.read_pvgis_tmy(path, pvgis_format=kind.split("_")[1])
    inputs = meta.get("inputs", {}) if isinstance(meta, dict) else {}
    loc = inputs.get("location", inputs)
    lat, lon = loc.get("latitude"), loc.get("longitude")
    if lat is None or lon is None:
        raise HnGeoError("PVGIS file without latitude/longitude metadata", path=path)
    return data, lat, lon, loc.get("elevation", 0.0), pd.Timedelta(minutes=30)  # UTC, hour-start


def _columns(data, path):
    """The :data:`COLUMNS` of a pvlib frame as floats (absent DNI/DHI/wind as NaN)."""
    missing = [c for c in ("ghi", "temp_air") if c not in data.columns]
    if missing:
        raise HnGeoError(code="solar.weather_missing_columns",
                         params={"missing": missing, "found": list(data.columns)[:20]}, path=path)
    data = data.copy()
    for col in COLUMNS:
        if col not in data.columns:
            data[col] = np.nan
    return data[list(COLUMNS)].astype(float)


def read_weather(path, *, check=True, fix_hour_shift=True):
    """Read a typical-year weather file with pvlib.

    Parameters
    ----------
    path : str or Path
        EPW (``.epw``), TMY3 (``.csv``) or PVGIS TMY (``.json`` or ``.csv``).
    check : bool
        Run :func:`~hn_geo.ground.weather_checks.check_weather` (gaps, impossible values,
        time zone, DNI/DHI/GHI closure).
    fix_hour_shift : bool
        Correct a one-hour labelling shift (with a warning) instead of refusing it.

    Returns
    -------
    hn_geo.core.weather.Weather

    Raises
    ------
    HnGeoError
        Unreadable file, missing columns, too many or too long gaps, or timestamps that do
        not match the sun (wrong time zone).
    """
    path = Path(path)
    if not path.exists():
        raise HnGeoError(code="solar.weather_not_found", path=path)
    kind = _sniff(path)
    try:
        data, lat, lon, alt, shift = _read_raw(path, kind)
    except HnGeoError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HnGeoError(code="solar.weather_unreadable",
                         params={"format": Word("solar.weather_format", kind), "detail": str(exc)},
                         path=path) from exc
    data = _columns(data, path)
    index = data.index
    if index.tz is None:
        raise HnGeoError("weather timestamps have no time zone", path=path)
    # local standard time of the site, as a named zone
    if kind.startswith("pvgis"):
        index = index.tz_convert(named_timezone(round(float(lon) / 15.0))).floor("h")  # HH:10 stamps
    else:
        index = fix_timezone(index)
    index = index + shift  # before the year is coerced: hour-ending 24:00 stays on 31 December
    leap = np.asarray((index.month == 2) & (index.day == 29))
    notes = []
    if leap.any():
        repair = Msg("solar.weather_leap_dropped", n=int(leap.sum()))
        warnings.warn(HnGeoWarning(repair.code, path=path, **repair.params), stacklevel=2)
        notes.append(Msg("solar.weather_repair", file=path.name, repair=repair))
        data, index = data[~leap], index[~leap]
    data.index = _coerce_year(index)
    data = data[~data.index.duplicated(keep="first")].sort_index()
    source = Msg("solar.weather_source_file", file=path.name, format=Word("solar.weather_format", kind))
    weather = Weather(data, float(lat), float(lon), float(alt or 0.0), source, notes)
    if check:
        weather = check_weather(weather, path=path, fix_hour_shift=fix_hour_shift)
    return weather


def load_weather(path=None):
    """:func:`read_weather` for a file, :func:`default_weather` when ``path`` is None."""
    return default_weather() if path is None else read_weather(path)
