"""Rooftop PV potential: pvlib physics per orientation class, aggregation per building, town and type.

Physics (pvlib end to end, once per (mount, tilt, azimuth) class)
------------------------------------------------------------------
1. Solar position: :meth:`pvlib.location.Location.get_solarposition` (NREL SPA),
   at the mid-hour timestamps of :class:`hn_geo.weather.Weather`.
2. Plane-of-array irradiance: :func:`pvlib.irradiance.get_total_irradiance` with
   the Perez (1990) sky model (Hay-Davies selectable), extraterrestrial DNI and
   relative air mass from pvlib.
3. Reflection losses: :func:`pvlib.iam.physical` on the beam and
   :func:`pvlib.iam.marion_diffuse` on the sky and ground diffuse parts.
4. Cell temperature: :func:`pvlib.temperature.sapm_cell` (open rack for
   tilted racks on flat roofs, close roof mount for modules flush on pitched roofs).
5. DC power: :func:`pvlib.pvsystem.pvwatts_dc` with the temperature coefficient
   of PVWatts v5's "premium" module class (-0.35 %/K; Dobos 2014, NREL/TP-6A20-62641),
   times (1 - :func:`pvlib.pvsystem.pvwatts_losses`) with pvlib's default loss
   stack (soiling 2 %, shading 3 %, mismatch 2 %, wiring 2 %, connections 0.5 %,
   LID 1.5 %, nameplate 1 %, availability 3 %: 14.1 % in all).
6. AC power: :func:`pvlib.inverter.pvwatts` (nominal efficiency 96 %, DC/AC ratio 1.1).

The annual sum of AC power per kW of DC nameplate is the specific yield in
kWh/kWp. It is computed once per orientation class and broadcast to buildings
(:func:`orientation_yields`), so a million buildings cost no more pvlib calls
than a hundred.

Aggregation: :func:`rooftop_potential` returns an :class:`~hn_geo.results.AnalysisResult`
with per-building results (layer ``buildings``), per-town and per-type tables,
the supply curve (buildings ranked by specific yield with cumulative capacity),
and the plan's targets (1.8 GW grid-connected PV by 2025, 10,000 residential
rooftop systems; plan 三.十).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pvlib

from hn_geo.solar import roofs as _roofs
from hn_geo.solar.weather import Weather, load_weather

#: plan 三.十: grid-connected PV capacity by 2025 (180万千瓦)
PLAN_PV_TARGET_MW = 1800.0
#: plan 三.十: residential rooftop PV systems by 2025 (1万户)
PLAN_HOMES_TARGET = 10000

MOUNTS = ("rack", "flush")
#: SAPM temperature-model parameter sets per mount
TEMPERATURE_MODEL = {"rack": "open_rack_glass_polymer", "flush": "close_mount_glass_glass"}


@dataclass(frozen=True)
class PVSystemConfig:
    """System assumptions shared by every roof.

    Parameters
    ----------
    gamma_pdc : float
        Power temperature coefficient, 1/K (PVWatts v5 premium module: -0.0035).
    losses : dict
        Keyword arguments of :func:`pvlib.pvsystem.pvwatts_losses`; empty means
        pvlib's defaults (14.08 % in all).
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

    def loss_fraction(self):
        """Total DC loss fraction from :func:`pvlib.pvsystem.pvwatts_losses`."""
        return float(pvlib.pvsystem.pvwatts_losses(**self.losses)) / 100.0


class _Sky:
    """Per-weather quantities shared by every plane (computed once), as numpy arrays.

    Only hours with the sun up or some irradiance are kept (``day``); the
    other hours produce no power.
    """

    def __init__(self, weather: Weather):
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
    iam = pvlib.iam.marion_diffuse("physical", float(tilt))
    return float(iam["sky"]), float(iam["ground"])


def plane_ac_power(weather, tilt, azimuth, mount="rack", system=None, sky=None):
    """Hourly AC power of a 1 kWp array on one plane.

    Parameters
    ----------
    weather : Weather
    tilt : float
        Module tilt from horizontal, degrees.
    azimuth : float
        Direction the modules face, degrees clockwise from north (180 = south).
    mount : {'rack', 'flush'}
        Open rack (flat roofs) or flush on the roof (pitched roofs).
    system : PVSystemConfig, optional
    sky : _Sky, optional
        Precomputed solar position etc. (reuse across planes).

    Returns
    -------
    pandas.DataFrame
        Columns ``poa_global`` (W/m²), ``temp_cell`` (°C), ``p_dc`` and ``p_ac``
        (kW per kWp), indexed like ``weather.data`` (zero at night).
    """
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
    """Interval length in hours (median spacing of the index; 1 for hourly data)."""
    if len(index) < 2:
        return 1.0
    step = np.median(np.diff(index.asi8[:49]))  # in the index resolution unit
    unit = np.datetime_data(index.values.dtype)[0]
    return float(pd.Timedelta(int(step), unit=unit).total_seconds() / 3600.0)


def specific_yield(weather, tilt, azimuth, mount="rack", system=None, sky=None):
    """Annual AC energy per kWp of a plane, kWh/kWp.

    See :func:`plane_ac_power` for the parameters.
    """
    p = plane_ac_power(weather, tilt, azimuth, mount, system, sky)
    return float(p["p_ac"].sum() * _hours(p.index))


def orientation_yields(weather, classes, system=None):
    """Specific yield of each orientation class, computed once per class.

    Parameters
    ----------
    weather : Weather
    classes : pandas.DataFrame
        Columns ``mount`` ('rack'/'flush'), ``tilt`` and ``azimuth`` (degrees).
    system : PVSystemConfig, optional

    Returns
    -------
    pandas.DataFrame
        ``classes`` with ``kwh_per_kwp`` (AC, kWh/kWp/yr) and ``poa_kwh_m2``
        (annual plane-of-array irradiation, kWh/m²).
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


# ----------------------------------------------------------------------------- analysis
LABELS = {
    "building_id": ("建筑编号", "building id"),
    "town": ("镇（街道）", "town"),
    "building_type": ("建筑类型", "building type"),
    "roof_type": ("屋顶类型", "roof type"),
    "roof_type_used": ("计算采用屋顶类型", "roof type used"),
    "orientation": ("组件朝向", "module orientation"),
    "mount": ("安装方式", "mounting"),
    "tilt_deg": ("组件倾角 (°)", "module tilt (°)"),
    "azimuth_deg": ("组件方位角 (°，正南180)", "module azimuth (°, south 180)"),
    "roof_area_m2": ("屋顶面积 (m²)", "roof area (m²)"),
    "usable_area_m2": ("可用屋顶面积 (m²)", "usable roof area (m²)"),
    "module_area_m2": ("组件面积 (m²)", "module area (m²)"),
    "kwp": ("装机容量 (kWp)", "capacity (kWp)"),
    "kwh_year": ("年发电量 (kWh)", "annual energy (kWh)"),
    "kwh_per_kwp": ("单位容量年发电量 (kWh/kWp)", "specific yield (kWh/kWp)"),
    "supply_rank": ("供给曲线排序", "supply-curve rank"),
    "cum_mw": ("累计容量 (MW)", "cumulative capacity (MW)"),
    "status": ("状态", "status"),
    "buildings": ("建筑数", "buildings"),
    "buildings_with_pv": ("可装光伏建筑数", "buildings with PV"),
    # key figures (AnalysisResult.summary)
    "potential_mw": ("屋顶光伏装机潜力 (MW)", "rooftop PV potential (MW)"),
    "potential_gwh_year": ("年发电量潜力 (GWh)", "annual energy potential (GWh)"),
    "mean_kwh_per_kwp": ("平均单位容量年发电量 (kWh/kWp)", "mean specific yield (kWh/kWp)"),
    "target_mw": ("光伏并网装机目标 (MW)", "grid-connected PV target (MW)"),
    "installed_mw": ("已并网装机 (MW)", "already installed (MW)"),
    "need_mw": ("尚需装机 (MW)", "capacity still needed (MW)"),
    "buildings_to_reach_target": ("达到目标所需建筑数", "buildings needed to reach the target"),
    "homes_target": ("居民屋顶光伏目标（户）", "residential rooftop target (homes)"),
    "homes_target_kwp": ("目标户数对应装机 (kWp)", "capacity of the target homes (kWp)"),
    "mw": ("装机潜力 (MW)", "capacity potential (MW)"),
    "gwh_year": ("年发电量 (GWh)", "annual energy (GWh)"),
    "share_of_target": ("占装机目标比例 (%)", "share of the capacity target (%)"),
    "yield_from": ("单位容量年发电量下限 (kWh/kWp)", "specific yield from (kWh/kWp)"),
    "yield_to": ("单位容量年发电量上限 (kWh/kWp)", "specific yield to (kWh/kWp)"),
    "cum_buildings": ("累计建筑数", "cumulative buildings"),
    "cum_gwh_year": ("累计年发电量 (GWh)", "cumulative annual energy (GWh)"),
    "item": ("指标", "item"),
    "value": ("数值", "value"),
    "unit": ("单位", "unit"),
    "assessment": ("评估", "assessment"),
    "class_mount": ("安装方式", "mounting"),
    "class_tilt": ("倾角 (°)", "tilt (°)"),
    "class_azimuth": ("方位角 (°)", "azimuth (°)"),
    "poa_kwh_m2": ("组件面年辐照量 (kWh/m²)", "plane-of-array irradiation (kWh/m²)"),
    "class_kwp": ("该类容量 (kWp)", "capacity in class (kWp)"),
    "note": ("说明（方法、假设、数据来源）", "note (method, assumptions, data)"),
}

TYPE_LABELS = {"residential": ("居住建筑", "residential"), "industrial": ("工业厂房", "industrial"),
               "public": ("公共建筑", "public"), "commercial": ("商业建筑", "commercial")}


def _lab(word, lang):
    return word[0] if lang == "zh" else word[1]


def rooftop_potential(buildings, weather=None, *, installed_mw=0.0, target_mw=PLAN_PV_TARGET_MW,
                      homes_target=PLAN_HOMES_TARGET, roof_params=None, system=None, dsm=None,
                      lang="zh", keep_geometry=True):
    """Rooftop PV potential per building, town and building type, against the plan.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        The ``buildings`` layer (validated, any CRS; areas are computed in EPSG:4549).
    weather : Weather, optional
        Hourly weather; the embedded Haining default when omitted.
    installed_mw : float
        PV capacity already grid-connected (MW), deducted from ``target_mw``
        before the supply curve is read.
    target_mw : float
        Capacity target, MW (plan: 1800 MW, 180万千瓦, by 2025).
    homes_target : int
        Residential rooftop systems targeted (plan: 10,000 homes).
    roof_params : hn_geo.roofs.RoofParams, optional
        Usable fractions, module power density, tilts, minimum area.
    system : PVSystemConfig, optional
    dsm : str or Path, optional
        Roof surface model (GeoTIFF); if given, per-roof slope (flat or pitched,
        and the pitch) and a winter-solstice shading factor from
        :func:`hn_geo.roofs.dsm_roof_stats` replace the defaults.
    lang : {'zh', 'en'}
        Language of the text values (status, orientation) in the outputs.
    keep_geometry : bool
        Return the per-building layer with footprints (False saves memory in
        benchmarks: a DataFrame is returned in ``layers['buildings']``).

    Returns
    -------
    hn_geo.results.AnalysisResult
        Tables ``solar_towns``, ``solar_types``, ``solar_supply_curve``,
        ``solar_targets``, ``solar_classes``, ``solar_notes``; layer ``buildings``; summary
        figures (including ``need_mw``); notes with every assumption.
    """
    from hn_geo.core.legacy import AnalysisResult

    params = roof_params or _roofs.RoofParams()
    system = system or PVSystemConfig()
    weather = weather if weather is not None else load_weather()
    roofs = _roofs.roof_planes(buildings, params, dsm=dsm)
    planes = roofs.planes  # (n, 2) arrays
    # orientation classes: unique (mount, tilt, azimuth) over every used plane
    used = planes["module_area_m2"] > 0
    mount_code = planes["mount"]
    tilt = np.round(planes["tilt"], 0)
    az = np.round(planes["azimuth"] / params.azimuth_bin_deg) * params.azimuth_bin_deg % 360
    key = (mount_code.astype(np.int64) * 1000 + tilt.astype(np.int64)) * 1000 + az.astype(np.int64)
    ukeys, inverse = np.unique(key[used], return_inverse=True)
    classes = pd.DataFrame({"mount": np.array(MOUNTS)[ukeys // 1_000_000],
                            "tilt": (ukeys // 1000) % 1000, "azimuth": ukeys % 1000})
    yields = orientation_yields(weather, classes, system)
    plane_yield = np.zeros(key.shape)
    plane_yield[used] = yields["kwh_per_kwp"].to_numpy()[inverse]
    plane_kwp = planes["module_area_m2"] * params.module_density_kwp_m2
    plane_kwp = np.where(used, plane_kwp, 0.0)
    kwp = plane_kwp.sum(axis=1)
    kwh = (plane_kwp * plane_yield).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        spec = np.where(kwp > 0, kwh / np.where(kwp > 0, kwp, 1.0), np.nan)
    class_kwp = np.bincount(inverse, weights=plane_kwp[used], minlength=len(classes))
    yields["class_kwp"] = class_kwp

    b = roofs.table
    b["kwp"] = kwp
    b["kwh_year"] = kwh
    b["kwh_per_kwp"] = spec
    # main plane (largest module area) for the orientation columns
    main = np.argmax(planes["module_area_m2"], axis=1)
    rows = np.arange(len(b))
    b["mount"] = np.where(kwp > 0, np.array(MOUNTS)[planes["mount"][rows, main]], "")
    b["tilt_deg"] = np.where(kwp > 0, planes["tilt"][rows, main], np.nan)
    b["azimuth_deg"] = np.where(kwp > 0, planes["azimuth"][rows, main], np.nan)
    both = (planes["module_area_m2"] > 0).sum(axis=1) == 2
    compass = _roofs.compass_label(b["azimuth_deg"].to_numpy(), lang)
    other = _roofs.compass_label(planes["azimuth"][rows, 1 - main], lang)
    orient = np.where(both, np.char.add(np.char.add(compass.astype(str), "+"), other.astype(str)), compass)
    b["orientation"] = np.where(kwp > 0, orient, "")
    status = np.full(len(b), _lab(("可安装", "PV possible"), lang), dtype=object)
    status[kwp <= 0] = _lab(("可用面积不足", "usable area too small"), lang)
    status[roofs.tiny] = _lab(("面积过小或为零", "footprint tiny or zero"), lang)
    b["status"] = status

    # supply curve: best specific yield first
    order = np.argsort(-np.nan_to_num(spec, nan=-1.0), kind="stable")
    order = order[kwp[order] > 0]
    cum_mw = np.cumsum(kwp[order]) / 1000.0
    rank = np.zeros(len(b), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    b["supply_rank"] = rank
    cm = np.full(len(b), np.nan)
    cm[order] = cum_mw
    b["cum_mw"] = cm

    need_mw = max(target_mw - installed_mw, 0.0)
    total_mw = float(kwp.sum() / 1000.0)
    total_gwh = float(kwh.sum() / 1e6)
    crossing = int(np.searchsorted(cum_mw, need_mw) + 1) if need_mw <= total_mw and len(order) else None

    # the plan's 10,000 homes are household (户用) systems: low-rise houses, not apartment blocks
    storeys = (pd.to_numeric(buildings["storeys"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
               if "storeys" in buildings.columns else np.full(len(b), np.nan))
    low_rise = (b["roof_type_used"].to_numpy() == "pitched") | (storeys <= 3)
    res_mask = (b["building_type"].to_numpy() == "residential") & low_rise & (kwp > 0)
    res_order = order[res_mask[order]]
    n_res = int(res_mask.sum())
    n_homes = min(homes_target, n_res)
    homes_kwp = float(kwp[res_order[:n_homes]].sum())
    homes_kwh = float(kwh[res_order[:n_homes]].sum())

    towns = _aggregate(b, "town", target_mw)
    types = _aggregate(b, "building_type", target_mw)
    types["building_type"] = [_lab(TYPE_LABELS.get(t, (t, t)), lang) for t in types["building_type"]]
    supply = _supply_table(spec[order], kwp[order], kwh[order])
    targets = _targets_table(lang, target_mw, installed_mw, need_mw, total_mw, total_gwh, crossing,
                             cum_mw, spec[order], homes_target, n_res, n_homes, homes_kwp, homes_kwh,
                             kwh[order])
    yields_tab = yields.rename(columns={"mount": "class_mount", "tilt": "class_tilt",
                                        "azimuth": "class_azimuth"})
    yields_tab["class_mount"] = [_lab(_roofs.MOUNT_LABELS[m], lang) for m in yields_tab["class_mount"]]
    yields_tab = yields_tab.round({"kwh_per_kwp": 1, "poa_kwh_m2": 1, "class_kwp": 1})

    cols = ["building_id", "town", "building_type", "roof_type", "roof_type_used", "orientation", "mount",
            "tilt_deg", "azimuth_deg", "roof_area_m2", "usable_area_m2", "module_area_m2", "kwp",
            "kwh_year", "kwh_per_kwp", "supply_rank", "cum_mw", "status"]
    layer = b[cols].copy()
    mount_words = {m: _lab(_roofs.MOUNT_LABELS[m], lang) for m in MOUNTS}
    layer["mount"] = layer["mount"].map(lambda m: mount_words.get(m, ""))
    layer = layer.round({"kwp": 3, "kwh_year": 1, "kwh_per_kwp": 1, "azimuth_deg": 1, "tilt_deg": 1,
                         "cum_mw": 4})
    if "approximate" in buildings.columns:  # keep the provenance flag for map captions
        layer["approximate"] = buildings["approximate"].to_numpy()
    if keep_geometry:
        import geopandas as gpd

        layer = gpd.GeoDataFrame(layer, geometry=buildings.geometry.values, crs=buildings.crs)
    synthetic = []
    if "approximate" in buildings.columns and bool(buildings["approximate"].fillna(False).astype(bool).all()):
        synthetic = ["the buildings are marked approximate/synthetic: the totals illustrate the method and "
                     "are not an inventory of real roofs"]
    notes = synthetic + list(weather.notes) + roofs.notes + [
        f"weather: {weather.source}",
        f"physics: pvlib {pvlib.__version__}; {system.transposition} transposition, physical IAM, SAPM cell "
        f"temperature, PVWatts DC (gamma {system.gamma_pdc * 100:.2f} %/K), DC losses "
        f"{system.loss_fraction() * 100:.2f} % (pvlib pvwatts_losses), inverter {system.eta_inv_nom:.0%} "
        f"nominal, DC/AC {system.dc_ac_ratio}",
        f"specific yields computed once for each of {len(classes)} orientation classes "
        f"(azimuth bins of {params.azimuth_bin_deg:g}°) and broadcast to {len(b)} buildings",
        f"already-installed PV deducted from the {target_mw:g} MW target: {installed_mw:g} MW"
        + (" (default 0: give the current grid-connected capacity with --installed-mw)"
           if installed_mw == 0 else ""),
    ]
    summary = {
        "buildings": len(b),
        "buildings_with_pv": int((kwp > 0).sum()),
        "potential_mw": round(total_mw, 1),
        "potential_gwh_year": round(total_gwh, 1),
        "mean_kwh_per_kwp": round(float(kwh.sum() / kwp.sum()), 1) if kwp.sum() > 0 else None,
        "target_mw": target_mw,
        "installed_mw": installed_mw,
        "need_mw": need_mw,
        "buildings_to_reach_target": crossing,
        "homes_target": homes_target,
        "homes_target_kwp": round(homes_kwp, 1),
    }
    notes_tab = pd.DataFrame({"note": notes})
    result = AnalysisResult(
        name="solar",
        tables={"solar_towns": towns, "solar_types": types, "solar_supply_curve": supply,
                "solar_targets": targets, "solar_classes": yields_tab, "solar_notes": notes_tab},
        layers={"buildings": layer},
        labels=LABELS, status_columns=("assessment",), summary=summary, notes=notes)
    return result


def _aggregate(b, by, target_mw):
    has = b["kwp"] > 0
    g = b.assign(_has=has).groupby(by, dropna=False, sort=True)
    out = pd.DataFrame({
        "buildings": g.size(),
        "buildings_with_pv": g["_has"].sum().astype(int),
        "roof_area_m2": g["roof_area_m2"].sum(),
        "usable_area_m2": g["usable_area_m2"].sum(),
        "module_area_m2": g["module_area_m2"].sum(),
        "mw": g["kwp"].sum() / 1000.0,
        "gwh_year": g["kwh_year"].sum() / 1e6,
    })
    out["kwh_per_kwp"] = np.where(out["mw"] > 0, out["gwh_year"] * 1000.0 / out["mw"].where(out["mw"] > 0, 1),
                                  np.nan)
    out["share_of_target"] = out["mw"] / target_mw * 100.0
    out = out.reset_index()
    out[by] = out[by].astype(object).where(out[by].notna(), "?")
    total = pd.DataFrame([{by: "合计 / total", "buildings": out["buildings"].sum(),
                           "buildings_with_pv": out["buildings_with_pv"].sum(),
                           "roof_area_m2": out["roof_area_m2"].sum(), "usable_area_m2": out["usable_area_m2"].sum(),
                           "module_area_m2": out["module_area_m2"].sum(), "mw": out["mw"].sum(),
                           "gwh_year": out["gwh_year"].sum()}])
    total["kwh_per_kwp"] = total["gwh_year"] * 1000.0 / total["mw"] if float(total["mw"].iloc[0]) > 0 else np.nan
    total["share_of_target"] = total["mw"] / target_mw * 100.0
    out = pd.concat([out.sort_values("mw", ascending=False), total], ignore_index=True)
    for c in ("roof_area_m2", "usable_area_m2", "module_area_m2"):
        out[c] = out[c].round(0)
    for c in ("mw", "gwh_year", "share_of_target"):
        out[c] = out[c].round(2)
    out["kwh_per_kwp"] = out["kwh_per_kwp"].round(1)
    return out


def _supply_table(spec, kwp, kwh, step=10.0):
    """Supply curve binned by specific yield (``step`` kWh/kWp), best first."""
    if len(spec) == 0:
        return pd.DataFrame(columns=["yield_from", "yield_to", "buildings", "mw", "gwh_year",
                                     "cum_buildings", "cum_mw", "cum_gwh_year"])
    lo = np.floor(spec / step) * step
    df = pd.DataFrame({"yield_from": lo, "kwp": kwp, "kwh": kwh})
    g = df.groupby("yield_from", sort=True)
    out = pd.DataFrame({"buildings": g.size(), "mw": g["kwp"].sum() / 1000, "gwh_year": g["kwh"].sum() / 1e6})
    out = out.sort_index(ascending=False).reset_index()
    out.insert(1, "yield_to", out["yield_from"] + step)
    out["cum_buildings"] = out["buildings"].cumsum()
    out["cum_mw"] = out["mw"].cumsum()
    out["cum_gwh_year"] = out["gwh_year"].cumsum()
    return out.round({"mw": 3, "gwh_year": 3, "cum_mw": 3, "cum_gwh_year": 3})


def _targets_table(lang, target_mw, installed_mw, need_mw, total_mw, total_gwh, crossing, cum_mw, spec,
                   homes_target, n_res, n_homes, homes_kwp, homes_kwh, kwh_sorted):
    z = lang == "zh"
    rows = [
        (("光伏并网装机目标（2025年）", "grid-connected PV target (2025)"), target_mw, "MW", ""),
        (("已并网装机（输入）", "already installed (input)"), installed_mw, "MW", ""),
        (("尚需新增装机", "capacity still needed"), need_mw, "MW", ""),
        (("屋顶光伏技术潜力", "rooftop technical potential"), round(total_mw, 2), "MW",
         ("潜力足够（达标）", "enough potential (met)") if total_mw >= need_mw
         else ("潜力不足（未达标）", "not enough potential (not met)")),
        (("屋顶光伏年发电潜力", "rooftop annual energy potential"), round(total_gwh, 2), "GWh", ""),
    ]
    if crossing is not None:
        gwh = float(kwh_sorted[:crossing].sum() / 1e6)
        rows += [
            (("达到尚需装机所需建筑数（按单位发电量排序）", "buildings needed, best yield first"), crossing,
             ("栋", "buildings"), ""),
            (("所需最后一栋建筑的单位发电量", "specific yield of the last building needed"),
             round(float(spec[crossing - 1]), 1), "kWh/kWp", ""),
            (("这些建筑的年发电量", "annual energy of those buildings"), round(gwh, 2), "GWh", ""),
        ]
    else:
        rows.append((("达到尚需装机所需建筑数", "buildings needed"),
                     ("屋顶潜力不足以达到", "rooftops alone cannot reach it")[0 if z else 1], "",
                     ("未达标", "not met")))
    rows += [
        (("居民屋顶光伏目标", "residential rooftop PV target"), homes_target, ("户", "homes"), ""),
        (("可装光伏的低层住宅（户用）", "low-rise houses with PV potential (household systems)"), n_res,
         ("栋", "houses"),
         ("达标", "met") if n_res >= homes_target else ("未达标", "not met")),
        ((f"最佳{n_homes}栋低层住宅屋顶装机", f"capacity of the best {n_homes} house roofs"),
         round(homes_kwp / 1000.0, 3), "MW", ""),
        ((f"最佳{n_homes}栋低层住宅年发电量", f"annual energy of the best {n_homes} house roofs"),
         round(homes_kwh / 1e6, 3), "GWh", ""),
        (("每户平均装机", "mean capacity per home"),
         round(homes_kwp / n_homes, 2) if n_homes else None, "kWp", ""),
    ]
    out = []
    for item, value, unit, assess in rows:
        out.append({"item": _lab(item, lang), "value": value,
                    "unit": unit if isinstance(unit, str) else _lab(unit, lang),
                    "assessment": assess if isinstance(assess, str) else _lab(assess, lang)})
    df = pd.DataFrame(out)
    df["value"] = df["value"].astype(object).map(lambda v: "" if v is None else v).astype(str)
    return df
