"""Every raster of the surface analysis for one tile, and the tiling of a large surface model.

A surface model far larger than memory is cut into tiles (:func:`plan_tiles`); each is read
with a halo as wide as the search radius, so the rays of its core pixels see every obstacle
within the radius, and :func:`surface_tile` returns the core's rasters. The caller (the
workflow) reads the tiles and writes the results window by window.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rasterio import fill
from scipy import ndimage

from hn_geo.solar.rasters import horizon as hz
from hn_geo.solar.rasters.irradiance import sky_sun
from hn_geo.solar.rasters.sun import HOURS, MONTHS
from hn_geo.solar.rasters.terrain import slope_aspect


@dataclass(frozen=True)
class RasterParams:
    """Parameters of the surface rasters.

    Parameters
    ----------
    n_directions : int
        Horizon directions (>= 32 recommended; 8 at least).
    search_radius_m : float
        How far a pixel looks for obstacles [m] (also the tiles' halo).
    dense_m : float
        Rays sample every pixel up to this distance [m], then in growing steps.
    growth : float
        Step growth beyond ``dense_m`` (fraction of the distance).
    bin_deg : float
        Sun elevation bin of the irradiation sums [degrees].
    tile_px : int
        Core size of a tile [px] (memory: about 200 bytes per pixel of a tile and halo).
    fill_holes_m : float
        No-data holes up to this distance from valid pixels are filled by inverse-distance
        interpolation (GDAL ``FillNodata``) before the analysis [m]; larger gaps stay no data.
    """

    n_directions: int = 32
    search_radius_m: float = 100.0
    dense_m: float = 20.0
    growth: float = 0.08
    bin_deg: float = 0.1
    tile_px: int = 1024
    fill_holes_m: float = 5.0

    def __post_init__(self):
        if self.n_directions < 8:
            raise ValueError("n_directions must be at least 8")
        if not 0 < self.search_radius_m <= 5000:
            raise ValueError("search_radius_m must be in (0, 5000] m")
        if self.tile_px < 64:
            raise ValueError("tile_px must be at least 64")


@dataclass(frozen=True)
class Tile:
    """A tile's core window (row0, col0, rows, cols) in raster pixels, and its halo [px]."""

    row0: int
    col0: int
    rows: int
    cols: int
    halo: int

    @property
    def read_window(self):
        """(row0, col0, rows, cols) of the core plus the halo (may reach outside the raster)."""
        return (self.row0 - self.halo, self.col0 - self.halo, self.rows + 2 * self.halo,
                self.cols + 2 * self.halo)


def plan_tiles(height, width, res, params):
    """Tiles covering a ``height`` x ``width`` raster with pixel size ``res`` [m]."""
    halo = hz.halo_pixels(res, params.search_radius_m)
    n = params.tile_px
    return [Tile(r, c, min(n, height - r), min(n, width - c), halo)
            for r in range(0, height, n) for c in range(0, width, n)]


def product_bands(params):
    """Band descriptions of each product (codes: the outputs turn them into words)."""
    months = [f"month_{m:02d}" for m in range(1, MONTHS + 1)]
    return {
        "slope_aspect": ["slope", "aspect"],
        "horizon": [f"horizon_{a:05.1f}" for a in hz.directions(params.n_directions)],
        "sky_view": ["sky_view_factor"],
        "irradiation": ["annual"] + months,
        "shade": [f"shade_{m:02d}_{h:02d}" for m in range(1, MONTHS + 1) for h in range(HOURS)],
    }


def fill_holes(z, res, max_m, outside=None):
    """Fill no-data holes up to ``max_m`` from valid pixels (GDAL inverse-distance fill).

    Pixels flagged ``outside`` (beyond the raster's edge) are never filled.

    Returns
    -------
    (numpy.ndarray, int)
        The filled array (larger gaps stay NaN) and the number of pixels filled.
    """
    z = np.asarray(z, dtype=np.float32)
    valid = np.isfinite(z)
    outside = np.zeros(z.shape, bool) if outside is None else outside
    if (valid | outside).all() or not valid.any():
        return z, 0
    filled = fill.fillnodata(np.where(valid, z, 0).astype(np.float32), mask=valid.astype(np.uint8),
                             max_search_distance=max(1.0, max_m / res), smoothing_iterations=0)
    still = ~valid & (~_reached(valid, res, max_m) | outside)
    filled = np.where(still, np.nan, filled).astype(np.float32)
    return filled, int((~valid & ~still).sum())


def _reached(valid, res, max_m):
    return ndimage.distance_transform_edt(~valid) * res <= max_m


def surface_tile(z, res, tables, params, *, halo_px, outside=None):
    """The rasters of one tile's core.

    Parameters
    ----------
    z : numpy.ndarray
        Heights [m] of the tile with its halo (NaN for no data and outside the raster).
    res : float
        Pixel size [m].
    tables : hn_geo.solar.rasters.sun.SunTables
    params : RasterParams
    halo_px : int
        Halo width in ``z`` [px].
    outside : numpy.ndarray of bool, optional
        Pixels of ``z`` beyond the raster's edge (not filled, not counted as gaps).

    Returns
    -------
    dict
        ``slope_aspect`` (2, r, c) float32 [degrees]; ``horizon`` (n, r, c) float32
        [degrees]; ``sky_view`` (1, r, c) float32; ``irradiation`` (13, r, c) float32
        (annual, then months) [kWh/m²]; ``shade`` (288, r, c) uint8 [%];
        ``counts``: pixels filled, no data, and near a gap or the edge.
    """
    outside = np.zeros(z.shape, bool) if outside is None else outside
    z, filled = fill_holes(z, res, params.fill_holes_m, outside)
    h = slice(halo_px, z.shape[0] - halo_px), slice(halo_px, z.shape[1] - halo_px)
    slope, aspect = (a[h] for a in slope_aspect(z, res))
    horizon = hz.horizon_angles(z, res, n_directions=params.n_directions, radius_m=params.search_radius_m,
                                halo_px=halo_px, dense_m=params.dense_m, growth=params.growth)
    sky = sky_sun(horizon, slope, aspect, tables)
    svf, monthly, shade = sky["sky_view"], sky["irradiation"], sky["shade"]
    nodata = np.isnan(slope)
    horizon[:, nodata] = np.nan
    near = ~_reached_far(np.isfinite(z) | outside, res, params.search_radius_m)[h] & ~nodata
    return {
        "slope_aspect": np.stack([slope, aspect]),
        "horizon": horizon,
        "sky_view": svf[None],
        "irradiation": np.concatenate([monthly.sum(axis=0, keepdims=True), monthly]),
        "shade": shade,
        "counts": {"filled": filled, "nodata": int(nodata.sum()), "near_gap": int(near.sum())},
    }


def _reached_far(valid, res, radius_m):
    """Pixels farther than ``radius_m`` from any no-data pixel (rays see only valid data)."""
    if valid.all():
        return np.ones(valid.shape, bool)
    return ndimage.distance_transform_edt(valid) * res > radius_m
