"""Roof geometry for rooftop PV, vectorised over all buildings with shapely 2.

Method (after the rooftop technical-potential method of Gagnon et al. 2016,
*Rooftop Solar Photovoltaic Technical Potential in the United States: A Detailed
Assessment*, NREL/TP-6A20-65298): the roof area available for modules is the
roof area times a *usable fraction* (what is left after setbacks, stair and
lift housings, water tanks, HVAC and shading; it depends on building type and
size class); planes facing north are excluded; flat roofs carry modules on
south-facing tilted racks at a ground coverage ratio (GCR) that avoids
inter-row shading, pitched roofs carry modules flush on their planes; a roof
needs a minimum module area (10 m² as in Gagnon et al.); capacity is module
area times module power density.

* Areas are computed in EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E);
  plane azimuths are corrected for the projection's meridian convergence.
* Size classes follow Gagnon et al.: small < 5,000 ft² (464.5 m²) footprint,
  medium < 25,000 ft² (2,322.6 m²), large above.
* The usable fractions in :data:`USABLE_FRACTION` are this project's defaults
  for Chinese roofs (configurable); they are assumptions to be calibrated with
  local surveys, not measurements.
* Flat roofs: racks tilted ``rack_tilt_deg`` (20°) facing south, rows spaced so
  that no row shades the next at solar noon on the winter solstice at the
  site's latitude (:func:`ground_coverage_ratio`); at 30.5°N this gives GCR 0.71.
* Pitched roofs: two planes with the ridge along the long axis of the
  footprint's minimum rotated rectangle, pitch ``pitch_deg`` (25°), modules
  flush with a fill factor of 0.9 of the usable plane area.
* Module power density: 0.22 kWp per m² of module area, i.e. 22 % module
  efficiency at standard test conditions (1000 W/m², IEC 61215 / IEC 60904-3),
  typical of current mainstream n-type (TOPCon) modules (ITRPV 2024).
* Roof type 'unknown': residential buildings of at most 3 storeys (or 10 m, or,
  with neither known, a footprint under 200 m²) — the rural self-built houses of
  Haining's villages — are taken as pitched, every other building as flat.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyproj
import shapely

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.settings import METRIC_CRS

SIZE_BOUNDS_M2 = (464.5, 2322.6)  # 5,000 and 25,000 ft² (Gagnon et al. 2016)
SIZE_CLASSES = ("small", "medium", "large")

#: share of the roof area usable for modules, by building type and size class (defaults; assumptions)
USABLE_FRACTION = {
    "residential": (0.55, 0.50, 0.50),
    "industrial": (0.75, 0.80, 0.80),
    "public": (0.55, 0.60, 0.65),
    "commercial": (0.50, 0.55, 0.60),
}

#: English/Chinese names of building types accepted and mapped to the schema's values
TYPE_ALIASES = {
    "住宅": "residential", "居住": "residential", "居住建筑": "residential", "民居": "residential",
    "house": "residential", "housing": "residential", "apartments": "residential",
    "工业": "industrial", "厂房": "industrial", "工业厂房": "industrial", "仓库": "industrial",
    "factory": "industrial", "warehouse": "industrial", "industry": "industrial",
    "公共": "public", "公共建筑": "public", "学校": "public", "医院": "public", "school": "public",
    "hospital": "public", "government": "public", "civic": "public",
    "商业": "commercial", "商业建筑": "commercial", "商场": "commercial", "办公": "commercial",
    "retail": "commercial", "office": "commercial", "shop": "commercial",
}

MOUNT_LABELS = {"rack": ("平屋顶支架", "rack on flat roof"), "flush": ("坡屋顶顺坡", "flush on pitched roof")}
RACK, FLUSH = 0, 1
WINTER_SOLSTICE_DECLINATION = -23.44  # degrees


@dataclass(frozen=True)
class RoofParams:
    """Roof assumptions (all configurable).

    Parameters
    ----------
    module_density_kwp_m2 : float
        DC nameplate per m² of module area (0.22 = 22 % efficient modules).
    rack_tilt_deg : float
        Tilt of racked modules on flat roofs.
    rack_azimuth_deg : float
        Azimuth of racked modules (180 = south).
    pitch_deg : float
        Pitch assumed for pitched roofs (no DSM).
    flush_fill : float
        Module area per usable pitched-plane area.
    min_module_area_m2 : float
        Smallest module area worth installing on a roof (10 m², Gagnon et al.).
    tiny_footprint_m2 : float
        Footprints below this are counted as tiny/zero and get no PV (warning).
    latitude : float
        Latitude for the winter-solstice row spacing, degrees.
    design_hour_angle_deg : float
        Hour angle of the no-shading design instant (0 = solar noon; 45 gives
        the 9:00-15:00 true-solar-time window of GB 50797-2012).
    azimuth_bin_deg : float
        Width of the azimuth classes used for yields.
    north_exclusion : tuple of float
        Plane azimuths outside (lo, hi) face north and are excluded.
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
            raise HnGeoError(f"module power density {self.module_density_kwp_m2} kWp/m² is implausible "
                             "(expected 0.05-0.5; 0.22 = 22 % efficient modules)", field="module_density")
        if not 0 <= self.rack_tilt_deg < 60 or not 0 <= self.pitch_deg < 70:
            raise HnGeoError("tilts must be 0-60° (racks) and 0-70° (pitched roofs)", field="tilt")


# ----------------------------------------------------------------------------- row spacing
def solar_angles(latitude, declination, hour_angle=0.0):
    """Solar elevation and azimuth from south (degrees) for a latitude, declination and hour angle."""
    phi, dec, h = np.radians(latitude), np.radians(declination), np.radians(hour_angle)
    sin_alt = np.sin(phi) * np.sin(dec) + np.cos(phi) * np.cos(dec) * np.cos(h)
    alt = np.arcsin(sin_alt)
    cos_az = (np.sin(alt) * np.sin(phi) - np.sin(dec)) / (np.cos(alt) * np.cos(phi))
    az = np.arccos(np.clip(cos_az, -1, 1)) * np.sign(h)
    return np.degrees(alt), np.degrees(az)


def ground_coverage_ratio(tilt, latitude, hour_angle=0.0, declination=WINTER_SOLSTICE_DECLINATION):
    """GCR of south-facing rows that do not shade each other at the design instant.

    With module slant length L and tilt β, a row casts a shadow of length
    L·sinβ·cosγ/tanα behind it (α solar elevation, γ solar azimuth from south),
    so the row pitch is D = L·(cosβ + sinβ·cosγ/tanα) and GCR = L/D.

    Parameters
    ----------
    tilt : float
        Module tilt, degrees.
    latitude : float
        Degrees north.
    hour_angle : float
        Design instant (0 = solar noon).
    declination : float
        Solar declination (winter solstice: -23.44°).

    Returns
    -------
    float
    """
    alt, az = solar_angles(latitude, declination, hour_angle)
    if alt <= 0:
        raise ValueError(f"the sun is below the horizon at latitude {latitude}° at the design instant")
    b = np.radians(tilt)
    pitch = np.cos(b) + np.sin(b) * np.cos(np.radians(az)) / np.tan(np.radians(alt))
    return float(1.0 / pitch)


def row_spacing(module_length, tilt, latitude, hour_angle=0.0):
    """Row pitch and clear gap (m) between rows of modules of slant length ``module_length`` (m)."""
    pitch = module_length / ground_coverage_ratio(tilt, latitude, hour_angle)
    return pitch, pitch - module_length * np.cos(np.radians(tilt))


# ----------------------------------------------------------------------------- geometry
def _rectangle_axes(geoms):
    """First three corners of each geometry when it is a plain rectangle (fast path).

    Returns (ok, p0, p1, p2): ``ok`` marks single-ring polygons of 4 corners
    whose first angle is right (within 0.5°) and whose opposite sides are equal.
    """
    n = len(geoms)
    coords, idx = shapely.get_coordinates(geoms, return_index=True)
    counts = np.bincount(idx, minlength=n)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rings = shapely.get_num_interior_rings(geoms)
    five = (counts == 5) & (rings == 0) & (shapely.get_type_id(geoms) == 3)
    s = np.where(five, starts, 0)
    last = max(len(coords) - 1, 0)
    p = [coords[np.minimum(s + k, last)] if len(coords) else np.zeros((n, 2)) for k in range(4)]
    a, b, c = p[1] - p[0], p[2] - p[1], p[3] - p[2]
    la, lb = np.hypot(a[:, 0], a[:, 1]), np.hypot(b[:, 0], b[:, 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_ab = np.abs((a * b).sum(axis=1)) / (la * lb)
        parallel = np.hypot(*(a + c).T) <= 1e-6 * np.maximum(la, 1.0) + 1e-6
    ok = five & (la > 0) & (lb > 0) & (cos_ab < np.sin(np.radians(0.5))) & parallel
    return ok, p[0], p[1], p[2]


def long_axis_bearing(geoms, return_centre=False):
    """Bearing of the long side of each geometry's minimum rotated rectangle.

    Footprints that already are rectangles are used as they are (they are
    their own minimum rotated rectangle); the others go through
    :func:`shapely.oriented_envelope`.

    Parameters
    ----------
    geoms : array of shapely geometries (projected CRS)
    return_centre : bool
        Also return the rectangles' centres (x, y), shape (n, 2).

    Returns
    -------
    bearing : numpy.ndarray
        Grid bearing of the long axis, degrees in [0, 180) clockwise from grid north
        (NaN for degenerate geometries).
    elongation : numpy.ndarray
        Long side over short side (>= 1).
    """
    geoms = np.asarray(geoms)
    ok, p0, p1, p2 = _rectangle_axes(geoms)
    rest = np.flatnonzero(~ok)
    if rest.size:
        mrr = shapely.oriented_envelope(geoms[rest])
        ok2, q0, q1, q2 = _rectangle_axes(mrr)
        ok2 |= shapely.get_type_id(mrr) == 3  # envelopes are rectangles even if not flagged
        p0[rest], p1[rest], p2[rest] = q0, q1, q2
        valid = ok.copy()
        valid[rest] = ok2 & (shapely.get_num_coordinates(mrr) == 5)
    else:
        valid = ok
    a = p1 - p0
    b = p2 - p1
    la = np.hypot(a[:, 0], a[:, 1])
    lb = np.hypot(b[:, 0], b[:, 1])
    long = np.where((la >= lb)[:, None], a, b)
    bearing = np.degrees(np.arctan2(long[:, 0], long[:, 1])) % 180.0
    with np.errstate(divide="ignore", invalid="ignore"):
        elong = np.maximum(la, lb) / np.minimum(la, lb)
    valid = valid & (la > 0) & (lb > 0)
    bearing[~valid] = np.nan
    elong[~valid] = np.nan
    if return_centre:
        return bearing, elong, (p0 + p2) / 2.0
    return bearing, elong


def meridian_convergence(lon, lat, central_meridian=120.0):
    """Angle (degrees) from true north to grid north of a transverse Mercator zone.

    γ = atan(tan(λ - λ0)·sin φ); add it to a grid bearing to get a true bearing.
    """
    return np.degrees(np.arctan(np.tan(np.radians(np.asarray(lon) - central_meridian))
                                * np.sin(np.radians(lat))))


def to_crs_array(geoms, src, dst):
    """Reproject an array of geometries with one vectorised pyproj call (2-D coordinates).

    Faster than :meth:`geopandas.GeoSeries.to_crs` for millions of features.
    """
    geoms = np.asarray(geoms)
    if pyproj.CRS.from_user_input(src) == pyproj.CRS.from_user_input(dst):
        return geoms
    tr = pyproj.Transformer.from_crs(src, dst, always_xy=True)
    # shapely.transform hands all coordinates to the function in one (N, 2) array
    return shapely.transform(geoms, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))


def compass_label(azimuth, lang="zh"):
    """8-point compass word for azimuths (degrees clockwise from north); '' for NaN."""
    zh = np.array(["北", "东北", "东", "东南", "南", "西南", "西", "西北", ""])
    en = np.array(["N", "NE", "E", "SE", "S", "SW", "W", "NW", ""])
    az = np.asarray(azimuth, dtype=float)
    k = np.where(np.isfinite(az), np.round(np.nan_to_num(az) / 45.0).astype(int) % 8, 8)
    return (zh if lang == "zh" else en)[k]


def normalise_building_types(gdf, path=None):
    """Map Chinese/English synonyms of building types to the schema's values (counted warning).

    Values that are neither a schema value nor a known synonym are left for
    validation to report (file, feature and field).
    """
    if "building_type" not in gdf.columns:
        return gdf
    raw = gdf["building_type"].astype("string").str.strip()
    low = raw.str.lower()
    mapped = low.map(lambda v: TYPE_ALIASES.get(v, v) if isinstance(v, str) else v)
    changed = (mapped != low).fillna(False).to_numpy() | (low != raw).fillna(False).to_numpy()
    if changed.any():
        gdf = gdf.copy()
        gdf["building_type"] = mapped
        vals = sorted(set(raw[changed].dropna()))
        warnings.warn(f"{path or 'buildings'}: mapped {int(changed.sum())} building type value(s) "
                      f"{vals[:6]} to residential/industrial/public/commercial", HnGeoWarning, stacklevel=2)
    return gdf


@dataclass
class Roofs:
    """Result of :func:`roof_planes`."""

    table: pd.DataFrame
    planes: dict
    tiny: np.ndarray
    notes: list


def roof_planes(buildings, params=None, dsm=None):
    """Roof areas, usable areas and module planes of every building.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        Validated ``buildings`` layer (any CRS).
    params : RoofParams, optional
    dsm : str or Path, optional
        GeoTIFF roof surface model; see :func:`dsm_roof_stats`.

    Returns
    -------
    Roofs
        ``table``: building_id, town, building_type, roof_type, roof_type_used,
        size_class, roof_area_m2, usable_area_m2, module_area_m2 (one row per
        building, same order). ``planes``: (n, 2) arrays ``mount`` (0 rack,
        1 flush), ``tilt``, ``azimuth`` (degrees, true), ``module_area_m2``.
        ``tiny``: footprints under ``params.tiny_footprint_m2``.
    """
    params = params or RoofParams()
    n = len(buildings)
    notes = []
    geoms = to_crs_array(buildings.geometry.values, buildings.crs, METRIC_CRS)
    footprint = shapely.area(geoms)
    btype = buildings["building_type"].astype(object).to_numpy()
    unknown_types = sorted(set(btype) - set(params.usable_fraction))
    if unknown_types:
        raise HnGeoError(f"building type(s) {unknown_types} have no usable-fraction default; "
                         f"known: {sorted(params.usable_fraction)}", field="building_type")
    roof_type = (buildings["roof_type"].astype(object).to_numpy() if "roof_type" in buildings.columns
                 else np.full(n, None, dtype=object))
    roof_type = np.where(pd.isna(roof_type), "unknown", roof_type).astype(object)
    storeys = (pd.to_numeric(buildings["storeys"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
               if "storeys" in buildings.columns else np.full(n, np.nan))
    height = (pd.to_numeric(buildings["height_m"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
              if "height_m" in buildings.columns else np.full(n, np.nan))

    low_rise = np.where(np.isfinite(storeys), storeys <= 3,
                        np.where(np.isfinite(height), height <= 10.0, footprint < 200.0))
    guess_pitched = (btype == "residential") & low_rise
    used_type = np.where(roof_type == "unknown", np.where(guess_pitched, "pitched", "flat"), roof_type)
    n_guess = int((roof_type == "unknown").sum())
    if n_guess:
        notes.append(f"roof type unknown for {n_guess} building(s): {int((guess_pitched & (roof_type == 'unknown')).sum())} "
                     "low-rise residential taken as pitched, the rest as flat")

    pitch = np.full(n, params.pitch_deg)
    unshaded = np.ones(n)
    if dsm is not None:
        stats = dsm_roof_stats(buildings, dsm, params)
        has = np.isfinite(stats["slope_deg"])
        used_type = np.where(has, np.where(stats["slope_deg"] > 10.0, "pitched", "flat"), used_type)
        pitch = np.where(has & (stats["slope_deg"] > 10.0), stats["slope_deg"], pitch)
        unshaded = np.where(np.isfinite(stats["unshaded"]), stats["unshaded"], 1.0)
        notes.append(f"DSM {dsm}: roof slope and winter-solstice shading from the raster for "
                     f"{int(has.sum())} of {n} buildings")

    # usable fraction by type and size class (lookup tables, vectorised)
    size = np.searchsorted(np.array(SIZE_BOUNDS_M2), footprint, side="right")
    types = sorted(params.usable_fraction)
    tcode = pd.Categorical(btype, categories=types).codes
    table = np.array([params.usable_fraction[t] for t in types])
    frac = table[tcode, size] * unshaded

    tiny = ~(footprint >= params.tiny_footprint_m2)
    if tiny.any():
        ids = buildings.iloc[np.flatnonzero(tiny)[:5]].index.tolist()
        if "building_id" in buildings.columns:
            ids = buildings["building_id"].to_numpy()[np.flatnonzero(tiny)[:5]].tolist()
        warnings.warn(f"{int(tiny.sum())} building(s) have a footprint under {params.tiny_footprint_m2:g} m² "
                      f"(or none): no PV counted on them (first: {ids})", HnGeoWarning, stacklevel=2)

    pitched = used_type == "pitched"
    # plane azimuths: perpendicular to the long axis, corrected to true bearings
    bearing, _, centre = long_axis_bearing(geoms, return_centre=True)
    to_geo = pyproj.Transformer.from_crs(METRIC_CRS, "EPSG:4490", always_xy=True)
    lon, lat = to_geo.transform(centre[:, 0], centre[:, 1])
    bearing = bearing + meridian_convergence(lon, lat)
    az1 = (bearing + 90.0) % 360.0
    az2 = (bearing + 270.0) % 360.0
    lo, hi = params.north_exclusion
    ok1 = (az1 >= lo) & (az1 <= hi)
    ok2 = (az2 >= lo) & (az2 <= hi)

    cos_p = np.cos(np.radians(pitch))
    roof_area = np.where(pitched, footprint / cos_p, footprint)
    half = roof_area / 2.0
    usable_pitched = (half * ok1 + half * ok2) * frac
    usable = np.where(pitched, usable_pitched, roof_area * frac)
    usable = np.where(tiny, 0.0, usable)

    gcr = ground_coverage_ratio(params.rack_tilt_deg, params.latitude, params.design_hour_angle_deg)
    notes.append(f"flat roofs: racks at {params.rack_tilt_deg:g}° facing {params.rack_azimuth_deg:g}°, "
                 f"ground coverage ratio {gcr:.3f} (no inter-row shading at solar hour angle "
                 f"{params.design_hour_angle_deg:g}° on the winter solstice at {params.latitude:g}°N)")
    fr = "; ".join(f"{t} {'/'.join(f'{v:.2f}' for v in params.usable_fraction[t])}" for t in types)
    notes.append("usable share of the roof area (small/medium/large footprint: <464.5 m², <2,322.6 m², "
                 f"larger), method after Gagnon et al. 2016, NREL/TP-6A20-65298; values are assumptions: {fr}")
    notes.append(f"module power density {params.module_density_kwp_m2:g} kWp/m² of module area; "
                 f"minimum module area per roof {params.min_module_area_m2:g} m²")

    m1 = np.where(pitched, half * ok1 * frac * params.flush_fill, roof_area * frac * gcr)
    m2 = np.where(pitched, half * ok2 * frac * params.flush_fill, 0.0)
    m1 = np.where(tiny, 0.0, m1)
    m2 = np.where(tiny, 0.0, m2)
    # minimum module area per roof plane
    m1 = np.where(m1 >= params.min_module_area_m2, m1, 0.0)
    m2 = np.where(m2 >= params.min_module_area_m2, m2, 0.0)
    module_area = m1 + m2
    degenerate = pitched & ~np.isfinite(bearing)
    if degenerate.any():
        m1[degenerate] = m2[degenerate] = 0.0
        module_area[degenerate] = 0.0

    planes = {
        "mount": np.stack([np.where(pitched, FLUSH, RACK), np.full(n, FLUSH)], axis=1).astype(np.int8),
        "tilt": np.stack([np.where(pitched, pitch, params.rack_tilt_deg), pitch], axis=1),
        "azimuth": np.stack([np.where(pitched, az1, params.rack_azimuth_deg), az2], axis=1),
        "module_area_m2": np.stack([m1, m2], axis=1),
    }
    planes["azimuth"] = np.nan_to_num(planes["azimuth"], nan=180.0)
    out = pd.DataFrame({
        "building_id": buildings["building_id"].to_numpy() if "building_id" in buildings.columns
        else np.arange(1, n + 1).astype(str),
        "town": buildings["town"].to_numpy() if "town" in buildings.columns else None,
        "building_type": btype,
        "roof_type": roof_type,
        "roof_type_used": used_type,
        "size_class": np.array(SIZE_CLASSES)[size],
        "roof_area_m2": np.round(roof_area, 1),
        "usable_area_m2": np.round(usable, 1),
        "module_area_m2": np.round(module_area, 1),
    })
    return Roofs(out, planes, tiny, notes)


# ----------------------------------------------------------------------------- optional DSM
def dsm_roof_stats(buildings, dsm, params=None):
    """Per-roof slope and winter-solstice unshaded share from a surface model (GeoTIFF).

    The raster (heights in metres, projected CRS with metre pixels) is read with
    rasterio; slope comes from the height gradient; a pixel counts as shaded
    when some pixel up to 60 m due south rises above the line to the sun at
    solar noon on the winter solstice. Statistics are zonal means over the
    pixels whose centre falls in each footprint (rasterised building index).

    Returns
    -------
    dict of numpy.ndarray
        ``slope_deg`` (median slope) and ``unshaded`` (share of roof pixels
        not shaded); NaN where a building has no pixel.
    """
    import rasterio
    from rasterio import features

    params = params or RoofParams()
    try:
        src = rasterio.open(dsm)
    except Exception as exc:  # rasterio.errors.RasterioIOError
        raise HnGeoError(f"cannot read the DSM as a raster ({exc})", path=dsm) from exc
    with src:
        if src.crs is None or not src.crs.is_projected:
            raise HnGeoError("the DSM needs a projected CRS with metre pixels (e.g. EPSG:4549)", path=dsm)
        z = src.read(1, masked=True).astype(float).filled(np.nan)
        transform = src.transform
        geoms = buildings.geometry.to_crs(src.crs).values
    rx, ry = abs(transform.a), abs(transform.e)
    dzdy, dzdx = np.gradient(z, ry, rx)
    slope = np.degrees(np.arctan(np.hypot(dzdx, dzdy)))
    alt, _ = solar_angles(params.latitude, WINTER_SOLSTICE_DECLINATION, 0.0)
    tan_a = np.tan(np.radians(alt))
    shaded = np.zeros(z.shape, bool)
    for k in range(1, int(60 / ry) + 1):  # rows to the south (raster rows increase southwards)
        rise = np.full(z.shape, np.nan)
        rise[:-k] = z[k:] - z[:-k]
        shaded[:-k] |= np.nan_to_num(rise[:-k], nan=-1) > k * ry * tan_a
    labels = features.rasterize(((g, i + 1) for i, g in enumerate(geoms) if g is not None and not g.is_empty),
                                out_shape=z.shape, transform=transform, fill=0, dtype="int32")
    lab = labels.ravel()
    inside = lab > 0
    n = len(geoms)
    cnt = np.bincount(lab[inside], minlength=n + 1)[1:].astype(float)
    sl = slope.ravel()[inside]
    # median slope per building via sorting
    order = np.lexsort((sl, lab[inside]))
    ls, ss = lab[inside][order], sl[order]
    first = np.searchsorted(ls, np.arange(1, n + 1))
    mid = first + (cnt.astype(int) // 2)
    med = np.full(n, np.nan)
    has = cnt > 0
    med[has] = ss[np.minimum(mid[has], len(ss) - 1)]
    unsh = np.full(n, np.nan)
    unsh[has] = (np.bincount(lab[inside], weights=(~shaded.ravel()[inside]).astype(float),
                             minlength=n + 1)[1:][has] / cnt[has])
    return {"slope_deg": med, "unshaded": unsh}
