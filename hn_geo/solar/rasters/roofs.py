"""Roof segments and per-building PV figures from the surface rasters, through pvlib.

:func:`roof_segments` groups the roof pixels of every footprint into segments
(:mod:`.segments`), finds their usable area (Gagnon et al. 2016) and fitting modules
(:mod:`.panels`), and gives each segment its capacity and annual energy with the same
pvlib chain as the footprint method (:func:`hn_geo.solar.physics.orientation_yields`, once
per orientation class: flush modules at the segment's pitch and azimuth, or south-facing
racks on flat segments), scaled by the segment's shading: the mean irradiation of its
usable pixels over that of the same plane unshaded (:func:`.irradiance.unshaded_irradiation`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from hn_geo.solar import physics
from hn_geo.solar.geometry import compass_codes
from hn_geo.solar.rasters import panels, segments
from hn_geo.solar.rasters.irradiance import optimum_plane, unshaded_irradiation
from hn_geo.solar.roofs import RoofParams
from hn_geo.solar.spacing import ground_coverage_ratio

SEGMENT_COLUMNS = ["segment_id", "building_id", "roof_kind", "area_m2", "pitch_deg", "azimuth_deg",
                   "orientation", "irradiation_kwh_m2", "usable_area_m2", "usable_irradiation_kwh_m2",
                   "shade_factor", "panels", "kwp", "kwh_year", "kwh_per_kwp"]
BUILDING_COLUMNS = ["building_id", "dsm_pixels", "segments", "roof_area_m2", "usable_area_m2",
                    "module_area_m2", "panels", "kwp", "kwh_year", "kwh_per_kwp", "irradiation_kwh_m2",
                    "mount", "tilt_deg", "azimuth_deg", "roof_type_used"]


@dataclass
class RoofSegments:
    """Result of :func:`roof_segments`.

    Attributes
    ----------
    segments : pandas.DataFrame
        One row per segment (:data:`SEGMENT_COLUMNS`).
    geometry : list
        Segment polygons (CRS of the grid).
    buildings : pandas.DataFrame
        One row per footprint given, same order (:data:`BUILDING_COLUMNS`); NaN figures
        where a footprint has no surface-model pixel.
    optimum : (float, float, float)
        Tilt, azimuth [degrees] and annual irradiation [kWh/m²·a] of the best open plane.
    """

    segments: pd.DataFrame
    geometry: list
    buildings: pd.DataFrame
    optimum: tuple


def _yields(weather, seg, pitched, roof_params, system, tables):
    """Unshaded specific yield (pvlib) and unshaded plane irradiation of each segment."""
    tilt = np.where(pitched, np.round(seg["pitch_deg"]), roof_params.rack_tilt_deg)
    az = np.where(pitched, np.round(np.nan_to_num(seg["azimuth_deg"], nan=180.0) / 5.0) * 5.0 % 360,
                  roof_params.rack_azimuth_deg)
    mount = np.where(pitched, "flush", "rack")
    classes = pd.DataFrame({"mount": mount, "tilt": tilt, "azimuth": az})
    uniq = classes.drop_duplicates().reset_index(drop=True)
    spec = physics.orientation_yields(weather, uniq, system) if len(uniq) else uniq.assign(kwh_per_kwp=[])
    key = classes.merge(spec, on=["mount", "tilt", "azimuth"], how="left")["kwh_per_kwp"].to_numpy()
    surf_tilt = np.where(pitched, seg["pitch_deg"], 0.0)
    surf_az = np.where(pitched, np.nan_to_num(seg["azimuth_deg"], nan=180.0), 180.0)
    open_irr = unshaded_irradiation(surf_tilt, surf_az, tables) if len(seg["pitch_deg"]) else np.array([])
    return key, open_irr, tilt, az, mount


def _segment_table(stats, owners, ids, pitched, n_panels, module_kwp, spec, open_irr):
    kwp = n_panels * module_kwp
    with np.errstate(invalid="ignore", divide="ignore"):
        shade = np.clip(stats["usable_irradiation_kwh_m2"] / open_irr, 0.0, 1.0)
    kwh = np.where(kwp > 0, kwp * spec * np.nan_to_num(shade), 0.0)
    count = pd.Series(owners).groupby(owners).cumcount().to_numpy() + 1
    bid = np.asarray(ids, dtype=object)[owners] if len(owners) else np.array([], dtype=object)
    return pd.DataFrame({
        "segment_id": [f"{b}-{k:02d}" for b, k in zip(bid, count)],
        "building_id": bid,
        "roof_kind": np.where(pitched, "pitched", "flat"),
        "area_m2": stats["area_m2"].round(1),
        "pitch_deg": stats["pitch_deg"].round(1),
        "azimuth_deg": np.where(pitched, stats["azimuth_deg"], np.nan).round(1),
        "orientation": np.where(pitched, compass_codes(stats["azimuth_deg"]), None),
        "irradiation_kwh_m2": stats["irradiation_kwh_m2"].round(1),
        "usable_area_m2": stats["usable_area_m2"].round(1),
        "usable_irradiation_kwh_m2": stats["usable_irradiation_kwh_m2"].round(1),
        "shade_factor": shade.round(3),
        "panels": n_panels,
        "kwp": kwp.round(3),
        "kwh_year": kwh.round(1),
        "kwh_per_kwp": np.where(kwp > 0, kwh / np.where(kwp > 0, kwp, 1), np.nan).round(1),
    })


def _per_building(table, owners, n, ids, labels, module_area, roof_params):
    """Sum the segments of each footprint; the main segment (most energy) gives the mount."""
    pix = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    g = table.assign(_o=owners).groupby("_o")
    sums = g[["area_m2", "usable_area_m2", "panels", "kwp", "kwh_year"]].sum().reindex(range(n))
    main = table.assign(_o=owners).sort_values(["kwh_year", "area_m2"], ascending=False).drop_duplicates("_o")
    main = main.set_index("_o").reindex(range(n))
    has = pix > 0
    irr = (table["irradiation_kwh_m2"] * table["area_m2"]).groupby(owners).sum().reindex(range(n)) \
        / sums["area_m2"]
    kwp, kwh = sums["kwp"].to_numpy(dtype=float), sums["kwh_year"].to_numpy(dtype=float)
    flat_main = main["roof_kind"].to_numpy() == "flat"
    out = pd.DataFrame({
        "building_id": ids, "dsm_pixels": pix, "segments": g.size().reindex(range(n)).fillna(0).astype(int).to_numpy(),
        "roof_area_m2": sums["area_m2"].to_numpy(), "usable_area_m2": sums["usable_area_m2"].to_numpy(),
        "module_area_m2": sums["panels"].to_numpy(dtype=float) * module_area,
        "panels": sums["panels"].to_numpy(dtype=float), "kwp": kwp, "kwh_year": kwh,
        "kwh_per_kwp": np.where(kwp > 0, kwh / np.where(kwp > 0, kwp, 1), np.nan),
        "irradiation_kwh_m2": irr.to_numpy(),
        "mount": np.where(flat_main, "rack", "flush").astype(object),
        "tilt_deg": np.where(flat_main, roof_params.rack_tilt_deg, main["pitch_deg"].to_numpy()),
        "azimuth_deg": np.where(flat_main, roof_params.rack_azimuth_deg, main["azimuth_deg"].to_numpy()),
        "roof_type_used": np.where(flat_main, "flat", "pitched").astype(object),
    })
    for c in out.columns[3:]:
        if out[c].dtype != object:
            out.loc[~has, c] = np.nan
    out.loc[~has, ["mount", "roof_type_used"]] = None
    out.loc[has & (kwp <= 0), "mount"] = None
    return out.round({"roof_area_m2": 1, "usable_area_m2": 1, "module_area_m2": 1, "kwp": 3,
                      "kwh_year": 1, "kwh_per_kwp": 1, "irradiation_kwh_m2": 1})


def roof_segments(footprints, ids, grids, transform, res, weather, tables, *, params=None,
                  roof_params=None, system=None):
    """Roof segments, usable areas, modules, kWp and kWh per segment and per footprint.

    Parameters
    ----------
    footprints : sequence of shapely geometries
        Footprints in the grid's CRS (metres).
    ids : sequence
        Building ids, aligned with ``footprints``.
    grids : dict
        ``slope``, ``aspect`` [degrees] and ``annual`` irradiation [kWh/m²·a] on one grid
        covering the footprints.
    transform : affine.Affine
    res : float
        Pixel size [m].
    weather : hn_geo.core.weather.Weather
    tables : hn_geo.solar.rasters.sun.SunTables
    params : SegmentParams, optional
    roof_params : hn_geo.solar.roofs.RoofParams, optional
        Module power density, rack tilt and azimuth, latitude and design hour of racks.
    system : hn_geo.solar.physics.PVSystemConfig, optional

    Returns
    -------
    RoofSegments
    """
    params = params or segments.SegmentParams()
    roof_params = roof_params or RoofParams()
    slope, aspect, annual = grids["slope"], grids["aspect"], grids["annual"]
    labels = segments.footprint_labels(footprints, slope.shape, transform)
    seg, geoms, owners = segments.group_segments(labels, slope, aspect, transform, res, params)
    n = len(geoms)
    optimum = optimum_plane(tables)
    usable = segments.usable_mask(seg, slope, aspect, annual, optimum[2], res, params)
    stats = segments.segment_stats(seg, n, slope, aspect, annual, usable, res)
    pitched = np.nan_to_num(stats["pitch_deg"]) >= params.flat_deg
    gcr = ground_coverage_ratio(roof_params.rack_tilt_deg, roof_params.latitude,
                                roof_params.design_hour_angle_deg)
    polys = segments.usable_polygons(seg, usable, transform, n)
    fps = [footprints[o] for o in owners]
    n_panels = panels.fit_panels(polys, fps, pitched, stats["pitch_deg"], stats["azimuth_deg"], params, gcr,
                                  res)
    module_area = params.module_length_m * params.module_width_m
    spec, open_irr, *_ = _yields(weather, stats, pitched, roof_params, system, tables)
    table = _segment_table(stats, owners, ids, pitched, n_panels,
                           roof_params.module_density_kwp_m2 * module_area, spec, open_irr)
    buildings = _per_building(table, owners, len(footprints), list(ids), labels, module_area, roof_params)
    return RoofSegments(table, [shapely.make_valid(g) for g in geoms], buildings, optimum)
