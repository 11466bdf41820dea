"""Roof areas, usable areas and module planes of every building, vectorised with shapely 2.

Method (after the rooftop technical-potential method of Gagnon et al. 2016, *Rooftop Solar
Photovoltaic Technical Potential in the United States: A Detailed Assessment*,
NREL/TP-6A20-65298): the roof area available for modules is the roof area times a *usable
fraction* (what is left after setbacks, stair and lift housings, water tanks, HVAC and
shading; it depends on building type and size class); planes facing north are excluded; flat
roofs carry modules on south-facing tilted racks at a ground coverage ratio (GCR) that avoids
inter-row shading, pitched roofs carry modules flush on their planes; a roof needs a minimum
module area (10 m² as in Gagnon et al.); capacity is module area times module power density.

* Areas are computed in EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E); plane azimuths
  are corrected for the projection's meridian convergence (:mod:`hn_geo.solar.geometry`).
* Size classes follow Gagnon et al.: small < 5,000 ft² (464.5 m²) footprint, medium
  < 25,000 ft² (2,322.6 m²), large above.
* The usable fractions in :data:`USABLE_FRACTION` are this project's defaults for Chinese
  roofs (configurable); they are assumptions to be calibrated with local surveys, not
  measurements.
* Flat roofs: racks tilted ``rack_tilt_deg`` (20°) facing south, rows spaced for no shading at
  the winter-solstice design instant (:mod:`hn_geo.solar.spacing`; GCR 0.71 at 30.5°N).
* Pitched roofs: two planes with the ridge along the long axis of the footprint's minimum
  rotated rectangle, pitch ``pitch_deg`` (25°), modules flush with a fill factor of 0.9 of the
  usable plane area.
* Module power density: 0.22 kWp per m² of module area, i.e. 22 % module efficiency at
  standard test conditions (1000 W/m², IEC 61215 / IEC 60904-3), typical of current
  mainstream n-type (TOPCon) modules (ITRPV 2024).
* Roof type 'unknown': residential buildings of at most 3 storeys (or 10 m, or, with neither
  known, a footprint under 200 m²) -- the rural self-built houses of Haining's villages -- are
  taken as pitched, every other building as flat.
* With per-roof DSM statistics (:func:`hn_geo.solar.dsm.dsm_roof_stats`), the measured slope
  decides flat/pitched and the pitch, and the winter-solstice unshaded share scales the usable
  fraction.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyproj
import shapely

from hn_geo.core.columns import as_text, text_column
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.memory import rare_collections
from hn_geo.core.results import Msg, Word
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.solar.geometry import long_axis_bearing, meridian_convergence, to_crs_array
from hn_geo.solar.spacing import ground_coverage_ratio

SIZE_BOUNDS_M2 = (464.5, 2322.6)
"""Footprint bounds of the size classes [m²] (5,000 and 25,000 ft², Gagnon et al. 2016)."""
SIZE_CLASSES = ("small", "medium", "large")

USABLE_FRACTION = {
    "residential": (0.55, 0.50, 0.50),
    "industrial": (0.75, 0.80, 0.80),
    "public": (0.55, 0.60, 0.65),
    "commercial": (0.50, 0.55, 0.60),
}
"""Share of the roof area usable for modules, by building type and size class (defaults;
assumptions)."""

RACK, FLUSH = 0, 1
"""Plane mount codes in :attr:`Roofs.planes` (index into :data:`hn_geo.solar.physics.MOUNTS`)."""
PITCHED_SLOPE_DEG = 10.0
"""A DSM slope above this makes a roof pitched [degrees]."""


@dataclass(frozen=True)
class RoofParams:
    """Roof assumptions (all configurable).

    Parameters
    ----------
    module_density_kwp_m2 : float
        DC nameplate per m² of module area [kWp/m²] (0.22 = 22 % efficient modules).
    rack_tilt_deg : float
        Tilt of racked modules on flat roofs [degrees].
    rack_azimuth_deg : float
        Azimuth of racked modules [degrees] (180 = south).
    pitch_deg : float
        Pitch assumed for pitched roofs (no DSM) [degrees].
    flush_fill : float
        Module area per usable pitched-plane area.
    min_module_area_m2 : float
        Smallest module area worth installing on a roof plane [m²] (10 m², Gagnon et al.).
    tiny_footprint_m2 : float
        Footprints below this are counted as tiny/zero and get no PV (warning) [m²].
    latitude : float
        Latitude for the winter-solstice row spacing [degrees north].
    design_hour_angle_deg : float
        Hour angle of the no-shading design instant [degrees] (0 = solar noon; 45 gives the
        9:00-15:00 true-solar-time window of GB 50797-2012).
    azimuth_bin_deg : float
        Width of the azimuth classes used for yields [degrees].
    north_exclusion : tuple of float
        Plane azimuths outside (lo, hi) [degrees] face north and are excluded.
    usable_fraction : dict
        ``{building_type: (small, medium, large)}``.
    """

    module_density_kwp_m2: float = 0.22
    rack_tilt_deg: float = 20.0
    rack_azimuth_deg: float = 180.0
    pitch_deg: float = 25.0
    flush_fill: float = 0.90
    min_module_area_m2: float = 10.0
    tiny_footprint_m2: float = 5.0
    latitude: float = 30.5
    design_hour_angle_deg: float = 0.0
    azimuth_bin_deg: float = 5.0
    north_exclusion: tuple = (67.5, 292.5)
    usable_fraction: dict = field(default_factory=lambda: dict(USABLE_FRACTION))

    def __post_init__(self):
        if not 0.05 <= self.module_density_kwp_m2 <= 0.5:
            raise HnGeoError(code="solar.implausible_density",
                             params={"value": self.module_density_kwp_m2}, field="module_density")
        if not 0 <= self.rack_tilt_deg < 60 or not 0 <= self.pitch_deg < 70:
            raise HnGeoError(code="solar.bad_tilt", params={"rack": self.rack_tilt_deg,
                                                             "pitch": self.pitch_deg}, field="tilt")


@dataclass
class Roofs:
    """Result of :func:`roof_planes`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per building (see :func:`roof_planes`).
    planes : dict of numpy.ndarray
        (n, 2) arrays ``mount`` (0 rack, 1 flush), ``tilt``, ``azimuth`` [degrees, true],
        ``module_area_m2``.
    tiny : numpy.ndarray of bool
        Footprints under ``tiny_footprint_m2``.
    notes : list of Msg
    """

    table: pd.DataFrame
    planes: dict
    tiny: np.ndarray
    notes: list


def _codes(values):
    """(codes, words) of an object array of a few distinct words."""
    codes, words = pd.factorize(values)
    return codes, list(words)


def _numbers(buildings, name, n):
    if name not in buildings.columns:
        return np.full(n, np.nan)
    return pd.to_numeric(buildings[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _roof_types(buildings, residential, footprint, notes):
    """Declared roof type ('unknown' when empty) and the type used (unknown guessed)."""
    n = len(buildings)
    roof_type = (buildings["roof_type"].astype(object).to_numpy() if "roof_type" in buildings.columns
                 else np.full(n, None, dtype=object))
    roof_type = np.where(pd.isna(roof_type), "unknown", roof_type).astype(object)
    storeys, height = _numbers(buildings, "storeys", n), _numbers(buildings, "height_m", n)
    low_rise = np.where(np.isfinite(storeys), storeys <= 3,
                        np.where(np.isfinite(height), height <= 10.0, footprint < 200.0))
    guess_pitched = residential & low_rise
    unknown = roof_type == "unknown"
    used_type = np.where(unknown, np.where(guess_pitched, "pitched", "flat"), roof_type)
    if unknown.any():
        notes.append(Msg("solar.note_roof_guess", n=int(unknown.sum()),
                         pitched=int((guess_pitched & unknown).sum())))
    return roof_type, used_type


def _apply_dsm(dsm_stats, used_type, pitch, n, notes):
    """Roof type, pitch and unshaded share from per-roof DSM statistics."""
    slope = np.asarray(dsm_stats["slope_deg"], dtype=float)
    has = np.isfinite(slope)
    steep = has & (slope > PITCHED_SLOPE_DEG)
    used_type = np.where(has, np.where(steep, "pitched", "flat"), used_type)
    pitch = np.where(steep, slope, pitch)
    unshaded = np.asarray(dsm_stats["unshaded"], dtype=float)
    unshaded = np.where(np.isfinite(unshaded), unshaded, 1.0)
    source = dsm_stats.get("source")
    params = {"n": int(has.sum()), "total": n}
    notes.append(Msg("solar.note_dsm", source=source, **params) if source
                 else Msg("solar.note_dsm_unnamed", **params))
    return used_type, pitch, unshaded


def _warn_tiny(buildings, tiny, params):
    if not tiny.any():
        return
    first = np.flatnonzero(tiny)[:5]
    ids = (buildings["building_id"].to_numpy()[first].tolist() if "building_id" in buildings.columns
           else buildings.iloc[first].index.tolist())
    warnings.warn(HnGeoWarning("solar.tiny_footprints", n=int(tiny.sum()), area=params.tiny_footprint_m2,
                               first=[str(i) for i in ids]), stacklevel=3)


def _plane_azimuths(geoms, params, pitched):
    """True azimuths of the two planes perpendicular to the long axis, and whether each may
    carry modules (not north-facing); the true bearing of the ridge (NaN when degenerate).
    Only pitched roofs have a ridge: the others (racks facing ``rack_azimuth_deg``) get NaN."""
    bearing = np.full(len(geoms), np.nan)
    sel = np.flatnonzero(pitched)
    if sel.size:
        grid, _, centre = long_axis_bearing(geoms[sel], return_centre=True)
        to_geo = pyproj.Transformer.from_crs(METRIC_CRS, STORAGE_CRS, always_xy=True)
        lon, lat = to_geo.transform(centre[:, 0], centre[:, 1])
        bearing[sel] = grid + meridian_convergence(lon, lat)
    az1 = (bearing + 90.0) % 360.0
    az2 = (bearing + 270.0) % 360.0
    lo, hi = params.north_exclusion
    return az1, az2, (az1 >= lo) & (az1 <= hi), (az2 >= lo) & (az2 <= hi), bearing


def _method_notes(params, types, gcr):
    usable = [Msg("solar.usable_fraction_item", type=Word("building_type", t),
                  small=params.usable_fraction[t][0], medium=params.usable_fraction[t][1],
                  large=params.usable_fraction[t][2]) for t in types]
    return [
        Msg("solar.note_flat_racks", tilt=params.rack_tilt_deg, azimuth=params.rack_azimuth_deg, gcr=gcr,
            hour_angle=params.design_hour_angle_deg, latitude=params.latitude),
        Msg("solar.note_usable_share", fractions=usable),
        Msg("solar.note_module_density", density=params.module_density_kwp_m2,
            min_area=params.min_module_area_m2),
    ]


def _modules(footprint, frac, pitched, pitch, tiny, ok1, ok2, degenerate, gcr, params):
    """Roof, usable and per-plane module areas [m²]."""
    roof_area = np.where(pitched, footprint / np.cos(np.radians(pitch)), footprint)
    half = roof_area / 2.0
    usable = np.where(pitched, (half * ok1 + half * ok2) * frac, roof_area * frac)
    usable = np.where(tiny, 0.0, usable)
    m1 = np.where(pitched, half * ok1 * frac * params.flush_fill, roof_area * frac * gcr)
    m2 = np.where(pitched, half * ok2 * frac * params.flush_fill, 0.0)
    m1, m2 = np.where(tiny, 0.0, m1), np.where(tiny, 0.0, m2)
    # minimum module area per roof plane
    m1 = np.where(m1 >= params.min_module_area_m2, m1, 0.0)
    m2 = np.where(m2 >= params.min_module_area_m2, m2, 0.0)
    m1[degenerate] = m2[degenerate] = 0.0
    return roof_area, usable, m1, m2


@rare_collections()
def roof_planes(buildings, params=None, *, dsm_stats=None):
    """Roof areas, usable areas and module planes of every building.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        Validated ``buildings`` layer (any CRS).
    params : RoofParams, optional
    dsm_stats : dict, optional
        Per-roof ``slope_deg`` and ``unshaded`` arrays (and ``source``), from
        :func:`hn_geo.solar.dsm.dsm_roof_stats`.

    Returns
    -------
    Roofs
        ``table``: building_id, town, building_type, roof_type, roof_type_used, size_class,
        roof_area_m2, usable_area_m2, module_area_m2 [m²] (one row per building, same order).

    Raises
    ------
    HnGeoError
        A building type without a usable-fraction default.
    """
    params = params or RoofParams()
    n = len(buildings)
    notes = []
    geoms = to_crs_array(buildings.geometry.values, buildings.crs, METRIC_CRS)
    footprint = shapely.area(geoms)
    tcodes, tnames = pd.factorize(buildings["building_type"])  # one look-up per type; missing: -1
    unknown_types = sorted(set(tnames) - set(params.usable_fraction), key=str) + ([None] if (tcodes < 0).any() else [])
    if unknown_types:
        raise HnGeoError(code="solar.unknown_building_types",
                         params={"types": [str(t) for t in unknown_types],
                                 "known": sorted(params.usable_fraction)}, field="building_type")
    residential = np.isin(tcodes, np.flatnonzero(np.asarray(tnames, dtype=object) == "residential"))
    roof_type, used_type = _roof_types(buildings, residential, footprint, notes)
    pitch, unshaded = np.full(n, params.pitch_deg), np.ones(n)
    if dsm_stats is not None:
        used_type, pitch, unshaded = _apply_dsm(dsm_stats, used_type, pitch, n, notes)
    # usable fraction by type and size class (lookup tables, vectorised)
    size = np.searchsorted(np.array(SIZE_BOUNDS_M2), footprint, side="right")
    types = sorted(params.usable_fraction)
    table = np.array([params.usable_fraction[t] for t in types])
    frac = table[np.array([types.index(t) for t in tnames], dtype=np.int64)[tcodes], size] * unshaded
    tiny = ~(footprint >= params.tiny_footprint_m2)
    _warn_tiny(buildings, tiny, params)
    pitched = used_type == "pitched"
    az1, az2, ok1, ok2, bearing = _plane_azimuths(geoms, params, pitched)
    gcr = ground_coverage_ratio(params.rack_tilt_deg, params.latitude, params.design_hour_angle_deg)
    notes += _method_notes(params, types, gcr)
    roof_area, usable, m1, m2 = _modules(footprint, frac, pitched, pitch, tiny, ok1, ok2,
                                         pitched & ~np.isfinite(bearing), gcr, params)
    planes = {
        "mount": np.stack([np.where(pitched, FLUSH, RACK), np.full(n, FLUSH)], axis=1).astype(np.int8),
        "tilt": np.stack([np.where(pitched, pitch, params.rack_tilt_deg), pitch], axis=1),
        "azimuth": np.nan_to_num(np.stack([np.where(pitched, az1, params.rack_azimuth_deg), az2], axis=1),
                                 nan=180.0),
        "module_area_m2": np.stack([m1, m2], axis=1),
    }
    out = pd.DataFrame({  # text columns taken over or built from codes (no string per row)
        "building_id": as_text(buildings["building_id"]) if "building_id" in buildings.columns
        else np.arange(1, n + 1).astype(str),
        "town": as_text(buildings["town"]) if "town" in buildings.columns else None,
        "building_type": as_text(buildings["building_type"]),
        "roof_type": text_column(*_codes(roof_type)),
        "roof_type_used": text_column(*_codes(used_type)),
        "size_class": text_column(size, SIZE_CLASSES),
        "roof_area_m2": np.round(roof_area, 1),
        "usable_area_m2": np.round(usable, 1),
        "module_area_m2": np.round(m1 + m2, 1),
    })
    return Roofs(out, planes, tiny, notes)
