"""Roof segments: the pixels of each footprint grouped into planes of similar slope and aspect.

1. Footprints are burnt into the grid (``rasterio.features.rasterize``, pixel centres).
2. Each roof pixel gets a class: flat (slope under ``flat_deg``) or one of 8 aspect sectors
   x 3 slope bands; regions smaller than ``sieve_m2`` are merged into their neighbour
   (``rasterio.features.sieve``, GDAL's sieve filter), never across a footprint's edge.
3. Connected regions of one class in one footprint are the segments
   (``rasterio.features.shapes``); their polygons are burnt back as segment labels and the
   pixel statistics are sums per label (``numpy.bincount``).
4. Usable pixels after Gagnon et al. (2016): annual irradiation at least ``min_share`` of
   the best open plane at the site, slope at most ``max_slope_deg``, not facing north
   (pitched pixels whose aspect is outside ``north_exclusion``), in usable patches of at
   least ``min_area_m2`` contiguous square metres.

References
----------
.. [1] Gagnon, P., Margolis, R., Melius, J., Phillips, C., Elmore, R. (2016). *Rooftop Solar
   Photovoltaic Technical Potential in the United States: A Detailed Assessment*.
   NREL/TP-6A20-65298, National Renewable Energy Laboratory. :doi:`10.2172/1236153`
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from rasterio import features
from scipy import ndimage

SLOPE_BANDS = (10.0, 30.0, 45.0)
"""Lower bounds of the slope bands of pitched pixels [degrees] (10-30, 30-45, >= 45)."""
CLASSES = 1 + 8 * len(SLOPE_BANDS)
"""Pixel classes: 0 flat, then 8 aspect sectors x slope bands."""


@dataclass(frozen=True)
class SegmentParams:
    """Roof segment and usable-area rules (Gagnon et al. 2016 by default).

    Parameters
    ----------
    flat_deg : float
        Pixels flatter than this are flat roof [degrees].
    max_slope_deg : float
        Steeper pixels are not usable [degrees] (60).
    min_share : float
        Usable pixels receive at least this share of the best open plane's annual
        irradiation at the site (0.7).
    min_area_m2 : float
        Smallest contiguous usable patch [m²] (10).
    north_exclusion : (float, float)
        Pitched pixels with aspect outside (lo, hi) face north and are not usable [degrees].
    sieve_m2 : float
        Regions of one class smaller than this are merged into a neighbour [m²].
    setback_m : float
        Distance kept free along the footprint's edge [m] (fire access, wind loads).
    module_length_m, module_width_m : float
        Module size [m] (2.278 x 1.134: a 72-cell-equivalent 182 mm module).
    """

    flat_deg: float = 10.0
    max_slope_deg: float = 60.0
    min_share: float = 0.7
    min_area_m2: float = 10.0
    north_exclusion: tuple = (67.5, 292.5)
    sieve_m2: float = 2.0
    setback_m: float = 0.5
    module_length_m: float = 2.278
    module_width_m: float = 1.134

    def __post_init__(self):
        if not 0 < self.min_share <= 1:
            raise ValueError("min_share must be in (0, 1]")
        if self.module_length_m <= 0 or self.module_width_m <= 0 or self.setback_m < 0:
            raise ValueError("module size must be positive and the setback not negative")


def pixel_classes(slope, aspect, flat_deg):
    """Class of each pixel: 0 flat, else ``1 + 3 * sector + band`` (sector 0 = north)."""
    sector = (np.rint(np.nan_to_num(aspect, nan=0.0) / 45.0).astype(np.int32)) % 8
    band = np.searchsorted(np.array(SLOPE_BANDS[1:]), np.nan_to_num(slope, nan=0.0), side="right")
    cls = 1 + sector * len(SLOPE_BANDS) + band
    return np.where(np.nan_to_num(slope, nan=0.0) < flat_deg, 0, cls).astype(np.int32)


def footprint_labels(geoms, shape, transform):
    """Raster of footprint index + 1 (0 outside every footprint)."""
    shapes = ((g, i + 1) for i, g in enumerate(geoms) if g is not None and not g.is_empty)
    return features.rasterize(shapes, out_shape=shape, transform=transform, fill=0, dtype="int32")


def group_segments(labels, slope, aspect, transform, res, params):
    """Segments of every footprint.

    Parameters
    ----------
    labels : numpy.ndarray of int32
        Footprint index + 1 per pixel (:func:`footprint_labels`).
    slope, aspect : numpy.ndarray
        [degrees]; NaN slope = no data (not part of a segment).
    transform : affine.Affine
    res : float
        Pixel size [m].
    params : SegmentParams

    Returns
    -------
    (numpy.ndarray, list, numpy.ndarray)
        Segment label raster (0 none, i + 1 segment i), segment polygons (CRS of the
        grid) and the footprint index of each segment.
    """
    roof = (labels > 0) & np.isfinite(slope)
    cls = pixel_classes(slope, aspect, params.flat_deg)
    key = np.where(roof, labels.astype(np.int64) * 64 + cls, 0)
    if key.max() >= 2 ** 31:
        raise ValueError("too many footprints in one window for int32 segment keys")
    key = key.astype(np.int32)
    size = max(1, int(round(params.sieve_m2 / (res * res))))
    if size > 1 and roof.any():
        sieved = features.sieve(key, size=size, mask=roof, connectivity=4)
        key = np.where(sieved // 64 == labels, sieved, key).astype(np.int32)  # never across footprints
    geoms, owners = [], []
    for geom, value in features.shapes(key, mask=roof, transform=transform, connectivity=4):
        geoms.append(shapely.geometry.shape(geom))
        owners.append(int(value) // 64 - 1)
    seg = features.rasterize(((g, i + 1) for i, g in enumerate(geoms) if not g.is_empty), out_shape=key.shape,
                             transform=transform, fill=0, dtype="int32") if geoms else np.zeros(key.shape, np.int32)
    seg[~roof] = 0
    return seg, geoms, np.asarray(owners, dtype=np.int64)


def _sums(seg, n, weights):
    lab = seg.ravel()
    inside = lab > 0
    return np.bincount(lab[inside] - 1, weights=weights.ravel()[inside], minlength=n)


def usable_mask(seg, slope, aspect, annual, optimum, res, params):
    """Pixels usable for modules after Gagnon et al. (2016) (see the module docstring)."""
    sl = np.nan_to_num(slope, nan=90.0)
    asp = np.nan_to_num(aspect, nan=180.0)
    lo, hi = params.north_exclusion
    facing = (sl < params.flat_deg) | ((asp > lo) & (asp < hi))
    ok = (seg > 0) & (np.nan_to_num(annual, nan=0.0) >= params.min_share * optimum) \
        & (sl <= params.max_slope_deg) & facing
    comp, n = ndimage.label(ok)
    if n == 0:
        return ok
    area = np.bincount(comp.ravel(), weights=(res * res / np.cos(np.radians(np.minimum(sl, 89.0)))).ravel(),
                       minlength=n + 1)
    return ok & (area[comp] >= params.min_area_m2)


def segment_stats(seg, n, slope, aspect, annual, usable, res):
    """Per segment: pixels, tilted area, pitch, azimuth, mean and usable irradiation.

    Returns
    -------
    dict of numpy.ndarray (n,)
        ``pixels``, ``area_m2`` (tilted), ``pitch_deg``, ``azimuth_deg`` (circular mean of
        the aspect; NaN for flat segments), ``irradiation_kwh_m2`` (area-weighted mean
        annual), ``usable_area_m2``, ``usable_irradiation_kwh_m2``.
    """
    sl = np.nan_to_num(slope, nan=0.0)
    area = res * res / np.cos(np.radians(np.minimum(sl, 89.0)))
    a = np.radians(np.nan_to_num(aspect, nan=0.0))
    w = np.where(np.isfinite(aspect), area, 0.0)
    pixels = _sums(seg, n, np.ones(seg.shape))
    tot = _sums(seg, n, area)
    irr = np.nan_to_num(annual, nan=0.0)
    u_area = _sums(seg, n, np.where(usable, area, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        pitch = _sums(seg, n, sl * area) / tot
        az = np.degrees(np.arctan2(_sums(seg, n, np.sin(a) * w), _sums(seg, n, np.cos(a) * w))) % 360.0
        mean_irr = _sums(seg, n, irr * area) / tot
        u_irr = _sums(seg, n, np.where(usable, irr * area, 0.0)) / u_area
    return {"pixels": pixels.astype(np.int64), "area_m2": tot, "pitch_deg": pitch,
            "azimuth_deg": az, "irradiation_kwh_m2": mean_irr, "usable_area_m2": u_area,
            "usable_irradiation_kwh_m2": np.where(u_area > 0, u_irr, np.nan)}


def usable_polygons(seg, usable, transform, n):
    """The usable part of each segment as one (multi)polygon per segment (None if empty)."""
    key = np.where(usable, seg, 0).astype(np.int32)
    parts = [[] for _ in range(n)]
    for geom, value in features.shapes(key, mask=key > 0, transform=transform, connectivity=4):
        parts[int(value) - 1].append(shapely.geometry.shape(geom))
    return [shapely.union_all(p) if p else None for p in parts]
