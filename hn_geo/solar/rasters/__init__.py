"""Solar from a surface model: per-pixel horizon, sky-view factor, irradiation and shade,
roof segments and per-building PV figures (pure functions on numpy arrays).

The rasters of a DSM (rows north to south, square metre pixels) are computed tile by tile
with a halo as wide as the search radius (:mod:`.surface`); file reading is the input
side's (:mod:`hn_geo.ground.rasters`), COG writing the output side's
(:mod:`hn_geo.render.rasters`), the loop over tiles the workflow's
(:mod:`hn_geo.workflows.solar_rasters`).

Modules
-------
``terrain``     slope and aspect (Horn 1981, walls as breaks), a plane's own horizon, normals
``horizon``     horizon angles by ray marching in n directions, sky-view factor (Dozier)
``sun``         the weather year's sun and sky binned by sector, elevation and month (pvlib)
``irradiance``  monthly irradiation, shade fraction per month x hour, sun visibility
``surface``     :class:`RasterParams`, tiles with halo, every raster of one tile
``segments``    roof segments (``rasterio.features``), usable pixels after Gagnon et al. 2016
``panels``      modules that fit a segment (setback, module size, rack rows)
``roofs``       :func:`roof_segments`: segments -> kWp, kWh (pvlib chain) -> per building
``figures``     per-building figures into :func:`hn_geo.solar.rooftop_potential`
"""
from __future__ import annotations

from hn_geo.solar.rasters.horizon import directions, horizon_angles, sky_view_factor
from hn_geo.solar.rasters.irradiance import (
    irradiation,
    optimum_plane,
    shade_fraction,
    sun_visible,
    unshaded_irradiation,
)
from hn_geo.solar.rasters.roofs import RoofSegments, roof_segments
from hn_geo.solar.rasters.segments import SegmentParams
from hn_geo.solar.rasters.sun import SunTables, sun_tables
from hn_geo.solar.rasters.surface import RasterParams, plan_tiles, product_bands, surface_tile
from hn_geo.solar.rasters.terrain import slope_aspect

__all__ = ["directions", "horizon_angles", "sky_view_factor", "irradiation", "optimum_plane",
           "shade_fraction", "sun_visible", "unshaded_irradiation", "RoofSegments", "roof_segments",
           "SegmentParams", "SunTables", "sun_tables", "RasterParams", "plan_tiles", "product_bands",
           "surface_tile", "slope_aspect"]
