"""PV physics with pvlib, once per (mount, tilt, azimuth) orientation class.

1. Solar position: :meth:`pvlib.location.Location.get_solarposition` (NREL SPA), at the
   mid-hour timestamps of :class:`hn_geo.core.weather.Weather`.
2. Plane-of-array irradiance: :func:`pvlib.irradiance.get_total_irradiance` with the Perez
   (1990) sky model (Hay-Davies selectable), extraterrestrial DNI and relative air mass from
   pvlib.
3. Reflection losses: :func:`pvlib.iam.physical` on the beam and :func:`pvlib.iam.marion_diffuse`
   on the sky and ground diffuse parts.
4. Cell temperature: :func:`pvlib.temperature.sapm_cell` (open rack for tilted racks on flat
   roofs, close roof mount for modules flush on pitched roofs).
5. DC power: :func:`pvlib.pvsystem.pvwatts_dc` with the temperature coefficient of PVWatts v5's
   "premium" module class (-0.35 %/K; Dobos 2014, NREL/TP-6A20-62641), times
   (1 - :func:`pvlib.pvsystem.pvwatts_losses`) with pvlib's default loss stack (soiling 2 %,
   shading 3 %, mismatch 2 %, wiring 2 %, connections 0.5 %, LID 1.5 %, nameplate 1 %,
   availability 3 %: 14.1 % in all).
6. AC power: :func:`pvlib.inverter.pvwatts` (nominal efficiency 96 %, DC/AC ratio 1.1).

The annual sum of AC power per kW of DC nameplate is the specific yield [kWh/kWp]. It is
computed once per orientation class and broadcast to buildings (:func:`orientation_yields`),
so a million buildings cost no more pvlib calls than a hundred.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError

MOUNTS = ("rack", "flush")
"""Mount codes (value family ``mount``): racks on flat roofs, modules flush on pitched roofs."""
TEMPERATURE_MODEL = {"rack": "open_rack_glass_polymer", "flush": "close_mount_glass_glass"}
"""SAPM temperature-model parameter set of each mount."""
TRANSPOSITIONS = ("perez", "haydavies")
"""Sky diffuse models (value family ``transposition``)."""


@dataclass(frozen=True)
class PVSystemConfig:
    """System assumptions shared by every roof.

    Parameters
    ----------
    gamma_pdc : float
        Power temperature coefficient [1/K] (PVWatts v5 premium module: -0.0035).
    losses : dict
        Keyword arguments of :func:`pvlib.pvsystem.pvwatts_losses`; empty means pvlib's
        defaults (14.08 % in all).
    dc_ac_ratio : float
        DC nameplate over inverter AC rating.
    eta_inv_nom : float
        Nominal inverter efficiency (pvlib PVWatts default 0.96).
    albedo : float
        Ground/roof reflectance seen by tilted modules.
    transposition : {'perez', 'haydavies'}
        Sky diffuse model.
    """

    gamma_pdc: float = -0.0035
    losses: dict = field(default_factory=dict)
    dc_ac_ratio: float = 1.1
    eta_inv_nom: float = 0.96
    albedo: float = 0.2
    transposition: str = "perez"

    def __post_init__(self):
        if self.transposition not in TRANSPOSITIONS:
            raise HnGeoError(code="solar.bad_transposition",
                             params={"value": self.transposition, "known": list(TRANSPOSITIONS)},
                             field="transposition")

    def loss_fraction(self):
        """Total DC loss fraction from :func:`pvlib.pvsystem.pvwatts_losses`."""
        import pvlib  # 0.5 s with scipy: imported when the sun is first needed, not on start-up
        return float(pvlib.pvsystem.pvwatts_losses(**self.losses)) / 100.0


class _Sky:
    """Per-weather quantities shared by every plane (computed once), as numpy arrays.

    Only hours with the sun up or some irradiance are kept (``day``); the other hours produce
    no power.
    """

    def __init__(self, weather):
        import pvlib  # 0.5 s with scipy: imported when the sun is first needed, not on start-up
        self.weather = weather
        times = weather.data.index
        solpos = weather.location.get_solarposition(times)
        d = weather.data
        self.day = ((solpos["apparent_zenith"] < 90) | (d["ghi"] > 0)).to_numpy()
        day = self.day
        self.zenith = solpos["apparent_zenith"].to_numpy()[day]
        self.azimuth = solpos["azimuth"].to_numpy()[day]
        self.dni_extra = pvlib.irradiance.get_extra_radiation(times).to_numpy()[day]
        self.airmass = pvlib.atmosphere.get_relative_airmass(self.zenith)
        self.ghi, self.dni, self.dhi = (d[c].to_numpy(dtype=float)[day] for c in ("ghi", "dni", "dhi"))
        self.temp_air = d["temp_air"].to_numpy(dtype=float)[day]
        self.wind_speed = d["wind_speed"].to_numpy(dtype=float)[day]


@functools.lru_cache(maxsize=256)
def _iam_diffuse(tilt):
    """Marion's integrated physical IAM for sky and ground diffuse (depends on tilt only)."""
    import pvlib  # 0.5 s with scipy: imported when the sun is first needed, not on start-up
    iam = pvlib.iam.marion_diffuse("physical", float(tilt))
    return float(iam["sky"]), float(iam["ground"])


def plane_ac_power(weather, tilt, azimuth, mount="rack", system=None, sky=None):
    """Hourly AC power of a 1 kWp array on one plane.

    Parameters
    ----------
    weather : hn_geo.core.weather.Weather
    tilt : float
        Module tilt from horizontal [degrees].
    azimuth : float
        Direction the modules face [degrees clockwise from north] (180 = south).
    mount : {'rack', 'flush'}
        Open rack (flat roofs) or flush on the roof (pitched roofs).
    system : PVSystemConfig, optional
    sky : _Sky, optional
        Precomputed solar position etc. (reuse across planes).

    Returns
    -------
    pandas.DataFrame
        Columns ``poa_global`` [W/m²], ``temp_cell`` [°C], ``p_dc`` and ``p_ac`` [kW per kWp],
        indexed like ``weather.data`` (zero at night).
    """
    import pvlib  # 0.5 s with scipy: imported when the sun is first needed, not on start-up
    system = system or PVSystemConfig()
    sky = sky or _Sky(weather)
    poa = pvlib.irradiance.get_total_irradiance(
        tilt, azimuth, sky.zenith, sky.azimuth, sky.dni, sky.ghi, sky.dhi,
        dni_extra=sky.dni_extra, airmass=sky.airmass, albedo=system.albedo,
        model=system.transposition)
    direct = np.nan_to_num(np.asarray(poa["poa_direct"], dtype=float))
    sky_diffuse = np.nan_to_num(np.asarray(poa["poa_sky_diffuse"], dtype=float))
    ground = np.nan_to_num(np.asarray(poa["poa_ground_diffuse"], dtype=float))
    poa_global = direct + sky_diffuse + ground
    aoi = pvlib.irradiance.aoi(tilt, azimuth, sky.zenith, sky.azimuth)
    iam_beam = pvlib.iam.physical(aoi)
    iam_sky, iam_ground = _iam_diffuse(round(float(tilt), 3))
    effective = direct * iam_beam + sky_diffuse * iam_sky + ground * iam_ground
    params = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][TEMPERATURE_MODEL[mount]]
    temp_cell = pvlib.temperature.sapm_cell(poa_global, sky.temp_air, sky.wind_speed, **params)
    p_dc = pvlib.pvsystem.pvwatts_dc(effective, temp_cell, 1.0, system.gamma_pdc)
    p_dc = np.clip(p_dc, 0.0, None) * (1.0 - system.loss_fraction())
    p_ac = pvlib.inverter.pvwatts(p_dc, 1.0 / system.dc_ac_ratio, eta_inv_nom=system.eta_inv_nom)
    p_ac = np.clip(p_ac, 0.0, None)
    n = len(weather.data)
    out = {}
    for name, vals, fill in (("poa_global", poa_global, 0.0), ("temp_cell", temp_cell, np.nan),
                             ("p_dc", p_dc, 0.0), ("p_ac", p_ac, 0.0)):
        full = np.full(n, fill)
        full[sky.day] = vals
        out[name] = full
    return pd.DataFrame(out, index=weather.data.index)


def _hours(index):
    """Interval length [h] (median spacing of the index; 1 for hourly data)."""
    if len(index) < 2:
        return 1.0
    step = np.median(np.diff(index.asi8[:49]))  # in the index resolution unit
    return float(pd.Timedelta(int(step), unit=index.unit).total_seconds() / 3600.0)


def specific_yield(weather, tilt, azimuth, mount="rack", system=None, sky=None):
    """Annual AC energy per kWp of a plane [kWh/kWp].

    See :func:`plane_ac_power` for the parameters.
    """
    p = plane_ac_power(weather, tilt, azimuth, mount, system, sky)
    return float(p["p_ac"].sum() * _hours(p.index))


def orientation_yields(weather, classes, system=None):
    """Specific yield of each orientation class, computed once per class.

    Parameters
    ----------
    weather : hn_geo.core.weather.Weather
    classes : pandas.DataFrame
        Columns ``mount`` ('rack'/'flush'), ``tilt`` and ``azimuth`` [degrees].
    system : PVSystemConfig, optional

    Returns
    -------
    pandas.DataFrame
        ``classes`` with ``kwh_per_kwp`` (AC [kWh/kWp/yr]) and ``poa_kwh_m2`` (annual
        plane-of-array irradiation [kWh/m²]).
    """
    system = system or PVSystemConfig()
    sky = _Sky(weather)
    out = classes.reset_index(drop=True).copy()
    yields = np.empty(len(out))
    poa = np.empty(len(out))
    for i, (mount, tilt, az) in enumerate(zip(out["mount"], out["tilt"], out["azimuth"])):
        p = plane_ac_power(weather, float(tilt), float(az), mount, system, sky)
        yields[i] = p["p_ac"].sum()
        poa[i] = p["poa_global"].sum() / 1000.0
    hours = _hours(weather.data.index)
    out["kwh_per_kwp"] = yields * hours
    out["poa_kwh_m2"] = poa * hours
    return out
