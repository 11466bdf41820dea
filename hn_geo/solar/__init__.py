"""Rooftop PV potential: pvlib physics per orientation class, aggregation per building, town
and type, against the plan's PV targets (plan 三.（十）).

The analysis is pure: it takes the ``buildings`` layer, a :class:`~hn_geo.core.weather.Weather`
(read by :mod:`hn_geo.ground.weather`), optional per-roof DSM statistics and plain parameters,
and returns an :class:`~hn_geo.core.results.AnalysisResult` in codes (words are the outputs'
job, :mod:`hn_geo.vocabulary`).

Modules
-------
``potential``  :func:`rooftop_potential`: the analysis (roofs -> yields -> per building ->
               supply curve, totals, targets)
``physics``    pvlib chain per plane: :class:`PVSystemConfig`, :func:`plane_ac_power`,
               :func:`specific_yield`, :func:`orientation_yields`
``roofs``      roof areas, usable areas, module planes: :class:`RoofParams`, :func:`roof_planes`
``geometry``   long axes, true bearings, fast reprojection, compass codes
``spacing``    winter-solstice row spacing of racks: :func:`ground_coverage_ratio`
``dsm``        per-roof slope and shading from a surface-model array: :func:`dsm_roof_stats`
``aggregate``  per-town and per-type totals, the binned supply curve
``targets``    the targets check: ``solar_targets`` table, key figures, console lines
"""
from __future__ import annotations

from hn_geo.solar.dsm import dsm_roof_stats
from hn_geo.solar.physics import (
    MOUNTS,
    TEMPERATURE_MODEL,
    PVSystemConfig,
    orientation_yields,
    plane_ac_power,
    specific_yield,
)
from hn_geo.solar.potential import CODES, rooftop_potential
from hn_geo.solar.roofs import USABLE_FRACTION, RoofParams, roof_planes
from hn_geo.solar.targets import summary_lines

__all__ = ["rooftop_potential", "PVSystemConfig", "RoofParams", "roof_planes", "dsm_roof_stats",
           "plane_ac_power", "specific_yield", "orientation_yields", "summary_lines", "MOUNTS",
           "TEMPERATURE_MODEL", "USABLE_FRACTION", "CODES"]
