"""Rooftop PV potential per building, town and building type, against the plan's targets.

:func:`rooftop_potential` is the analysis: roof planes (:mod:`hn_geo.solar.roofs`), one pvlib
yield per orientation class (:mod:`hn_geo.solar.physics`), broadcast to the buildings, the
supply curve (buildings ranked by specific yield with cumulative capacity), per-town and
per-type totals (:mod:`hn_geo.solar.aggregate`) and the targets check
(:mod:`hn_geo.solar.targets`). It reads no file and speaks in codes.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from hn_geo.core.columns import pick_text, text_column
from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import AnalysisResult, Msg, Word, notes_table
from hn_geo.solar import physics
from hn_geo.solar.aggregate import aggregate, supply_table
from hn_geo.solar.geometry import COMPASS, compass_index
from hn_geo.solar.physics import MOUNTS, PVSystemConfig
from hn_geo.solar.rasters.figures import apply_dsm_figures
from hn_geo.solar.roofs import RoofParams, roof_planes
from hn_geo.solar.targets import figures, low_rise_houses, plan_check, targets_table

LAYER_COLUMNS = ["building_id", "town", "building_type", "roof_type", "roof_type_used", "orientation",
                 "mount", "tilt_deg", "azimuth_deg", "roof_area_m2", "usable_area_m2", "module_area_m2",
                 "kwp", "kwh_year", "kwh_per_kwp", "supply_rank", "cum_mw", "status"]

CODES = {
    "building_type": "building_type",
    "roof_type": "roof_type",
    "roof_type_used": "roof_type",
    "orientation": "solar.orientation",
    "mount": "solar.mount",
    "class_mount": "solar.mount",
    "status": "solar.pv_status",
    "unit": "solar.unit",
    "assessment": "status",
    "method": "solar.method",
}
"""Coded columns of the result and their value families."""
ORIENTATION_WORDS = [*COMPASS, *(f"{a}+{b}" for a in COMPASS for b in COMPASS)]
"""Orientation codes by index: the 8 compass points, then the pairs (index 8 + 8·i + j)."""


def _classes(planes, params):
    """Orientation classes: unique (mount, tilt, azimuth bin) over every used plane."""
    used = planes["module_area_m2"] > 0
    tilt = np.round(planes["tilt"], 0)
    az = np.round(planes["azimuth"] / params.azimuth_bin_deg) * params.azimuth_bin_deg % 360
    key = (planes["mount"].astype(np.int64) * 1000 + tilt.astype(np.int64)) * 1000 + az.astype(np.int64)
    ukeys, inverse = np.unique(key[used], return_inverse=True)
    classes = pd.DataFrame({"mount": np.array(MOUNTS)[ukeys // 1_000_000],
                            "tilt": (ukeys // 1000) % 1000, "azimuth": ukeys % 1000})
    return classes, inverse, used


def _orientation(planes, kwp):
    """Mount code and orientation code of the main plane (largest module area) of each roof;
    'S', or 'W+E' when both planes carry modules; missing without PV (text columns built
    from codes: no string per building)."""
    main = np.argmax(planes["module_area_m2"], axis=1)
    rows = np.arange(len(kwp))
    has = kwp > 0
    mount = text_column(np.where(has, planes["mount"][rows, main], -1), MOUNTS)
    tilt = np.where(has, planes["tilt"][rows, main], np.nan)
    azimuth = np.where(has, planes["azimuth"][rows, main], np.nan)
    both = (planes["module_area_m2"] > 0).sum(axis=1) == 2
    k, j = compass_index(azimuth), compass_index(planes["azimuth"][rows, 1 - main])
    single = np.where(k < 8, k, -1)
    pair = np.where((k < 8) & (j < 8), len(COMPASS) + k * len(COMPASS) + j, -1)
    orientation = text_column(np.where(has, np.where(both, pair, single), -1), ORIENTATION_WORDS)
    return mount, tilt, azimuth, orientation


def _supply(kwp, spec):
    """Buildings with PV ranked by specific yield (best first) and the cumulative capacity [MW]."""
    order = np.argsort(-np.nan_to_num(spec, nan=-1.0), kind="stable")
    order = order[kwp[order] > 0]
    return order, np.cumsum(kwp[order]) / 1000.0


def _per_building(roofs, yields, inverse, used, params, tiny):
    """Per-building capacity [kWp], energy [kWh/yr], specific yield, orientation and status."""
    planes = roofs.planes
    plane_yield = np.zeros(used.shape)
    plane_yield[used] = yields["kwh_per_kwp"].to_numpy()[inverse]
    plane_kwp = np.where(used, planes["module_area_m2"] * params.module_density_kwp_m2, 0.0)
    kwp = plane_kwp.sum(axis=1)
    kwh = (plane_kwp * plane_yield).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        spec = np.where(kwp > 0, kwh / np.where(kwp > 0, kwp, 1.0), np.nan)
    yields["class_kwp"] = np.bincount(inverse, weights=plane_kwp[used], minlength=len(yields))
    b = roofs.table
    b["kwp"], b["kwh_year"], b["kwh_per_kwp"] = kwp, kwh, spec
    b["mount"], b["tilt_deg"], b["azimuth_deg"], b["orientation"] = _orientation(planes, kwp)
    b["status"] = pick_text([(kwp <= 0, "area_too_small"), (tiny, "footprint_tiny")], default="pv_possible")
    order, cum_mw = _supply(kwp, spec)
    rank = np.zeros(len(b), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    b["supply_rank"] = rank
    cm = np.full(len(b), np.nan)
    cm[order] = cum_mw
    b["cum_mw"] = cm
    return b, order, cum_mw


def _layer(b, buildings, keep_geometry):
    layer = b[LAYER_COLUMNS + [c for c in ("method",) if c in b.columns]].copy()
    layer = layer.round({"kwp": 3, "kwh_year": 1, "kwh_per_kwp": 1, "azimuth_deg": 1, "tilt_deg": 1,
                         "cum_mw": 4})
    if "approximate" in buildings.columns:  # keep the provenance flag for map captions
        layer["approximate"] = buildings["approximate"].to_numpy()
    if keep_geometry:
        layer = gpd.GeoDataFrame(layer, geometry=buildings.geometry.values, crs=buildings.crs)
    return layer


def _synthetic(buildings):
    return "approximate" in buildings.columns and bool(
        buildings["approximate"].fillna(False).astype(bool).all())


def _notes(buildings, weather, roofs, system, params, n_classes, target_mw, installed_mw):
    import pvlib  # 0.5 s with scipy: imported when the sun is first needed, not on start-up
    notes = [Msg("solar.note_synthetic")] if _synthetic(buildings) else []
    notes += list(weather.notes) + list(roofs.notes) + [
        Msg("solar.note_weather", source=weather.source),
        Msg("solar.note_physics", pvlib=pvlib.__version__,
            transposition=Word("solar.transposition", system.transposition), gamma=system.gamma_pdc * 100,
            losses=system.loss_fraction() * 100, inverter=system.eta_inv_nom * 100,
            dc_ac=system.dc_ac_ratio),
        Msg("solar.note_classes", classes=n_classes, bin=params.azimuth_bin_deg, buildings=len(buildings)),
        Msg("solar.note_installed_none" if installed_mw == 0 else "solar.note_installed",
            target=target_mw, installed=installed_mw),
    ]
    return notes


def _check_targets(installed_mw, target_mw, homes_target):
    for name, value in (("installed_mw", installed_mw), ("target_mw", target_mw),
                        ("homes_target", homes_target)):
        if value is None or not np.isfinite(float(value)) or float(value) < 0:
            raise HnGeoError(code="solar.bad_target", params={"name": name, "value": value}, field=name)


def rooftop_potential(buildings, weather, *, installed_mw=0.0, target_mw, homes_target, roof_params=None,
                      system=None, dsm_stats=None, dsm_figures=None, keep_geometry=True):
    """Rooftop PV potential per building, town and building type, against the plan's targets.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        The ``buildings`` layer (validated, any CRS; areas are computed in EPSG:4549).
    weather : hn_geo.core.weather.Weather
        Hourly weather (:func:`hn_geo.ground.weather.load_weather`).
    installed_mw : float
        PV capacity already grid-connected [MW], deducted from ``target_mw`` before the
        supply curve is read.
    target_mw : float
        Grid-connected capacity target [MW] (the plan's: ``plan_figure('pv_capacity', unit='MW')``).
    homes_target : float
        Household rooftop systems targeted [homes] (the plan's:
        ``plan_figure('rooftop_pv_households', unit='homes')``).
    roof_params : RoofParams, optional
        Usable fractions, module power density, tilts, minimum area.
    system : PVSystemConfig, optional
    dsm_stats : dict, optional
        Per-roof slope and unshaded share (:func:`hn_geo.solar.dsm.dsm_roof_stats`) replacing
        the default pitch and an unshaded roof.
    dsm_figures : pandas.DataFrame, optional
        Per-building figures of a surface model (``buildings`` of
        :func:`hn_geo.solar.rasters.roof_segments`, one row per building): where a building
        has DSM pixels they replace the orientation-class figures (column ``method``).
    keep_geometry : bool
        Return the per-building layer with footprints (False saves memory in benchmarks: a
        DataFrame is returned in ``layers['buildings']``).

    Returns
    -------
    hn_geo.core.results.AnalysisResult
        Tables ``solar_towns``, ``solar_types``, ``solar_supply_curve``, ``solar_targets``,
        ``solar_classes``, ``solar_notes``; layer ``buildings``; typed figures (headline:
        ``solar.potential_mw`` against ``target_mw``); notes as message codes.
    """
    _check_targets(installed_mw, target_mw, homes_target)
    params = roof_params or RoofParams()
    system = system or PVSystemConfig()
    roofs = roof_planes(buildings, params, dsm_stats=dsm_stats)
    classes, inverse, used = _classes(roofs.planes, params)
    yields = physics.orientation_yields(weather, classes, system)
    b, order, cum_mw = _per_building(roofs, yields, inverse, used, params, roofs.tiny)
    n_dsm = None
    if dsm_figures is not None:  # surface-model figures per building (hn_geo.solar.rasters)
        b, order, cum_mw, n_dsm = apply_dsm_figures(b, dsm_figures)
    kwp, kwh, spec = (b[c].to_numpy(dtype=float) for c in ("kwp", "kwh_year", "kwh_per_kwp"))
    pc = plan_check(kwp, kwh, spec, order, cum_mw, low_rise_houses(buildings, b["roof_type_used"], kwp),
                    target_mw=float(target_mw), installed_mw=float(installed_mw),
                    homes_target=float(homes_target))
    classes_tab = yields.rename(columns={"mount": "class_mount", "tilt": "class_tilt",
                                         "azimuth": "class_azimuth"})
    classes_tab = classes_tab.round({"kwh_per_kwp": 1, "poa_kwh_m2": 1, "class_kwp": 1})
    notes = _notes(buildings, weather, roofs, system, params, len(classes), target_mw, installed_mw)
    if n_dsm is not None:
        notes.append(Msg("solar.note_dsm_figures", n=n_dsm, total=len(b)))
    mean = round(float(kwh.sum() / kwp.sum()), 1) if kwp.sum() > 0 else None
    return AnalysisResult(
        name="solar",
        tables={"solar_towns": aggregate(b, "town", target_mw),
                "solar_types": aggregate(b, "building_type", target_mw),
                "solar_supply_curve": supply_table(spec[order], kwp[order], kwh[order]),
                "solar_targets": targets_table(pc), "solar_classes": classes_tab,
                "solar_notes": notes_table(notes)},
        layers={"buildings": _layer(b, buildings, keep_geometry)},
        codes=dict(CODES),
        figures=figures(pc, len(b), int((kwp > 0).sum()), mean),
        notes=notes,
        meta={"synthetic": _synthetic(buildings)},
    )
