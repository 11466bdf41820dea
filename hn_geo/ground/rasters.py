"""Raster inputs: the roof surface model (DSM) read into an array with its georeference.

The analyses never open a raster file: :func:`read_dsm` reads the band (or only the window
around the buildings, with a margin for the shading look-up) into a :class:`Raster`, which
:func:`hn_geo.solar.dsm_roof_stats` turns into per-roof slope and shading.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hn_geo.core.errors import HnGeoError


@dataclass(frozen=True)
class Raster:
    """One raster band in memory.

    Attributes
    ----------
    array : numpy.ndarray
        2-D float array (rows north to south); NaN where the file has no data.
    transform : affine.Affine
        Pixel -> CRS coordinates of the array's upper-left corner.
    crs : str
        The CRS as WKT (projected, metre pixels for a DSM).
    source : str or None
        The file name (not its path), for notes.
    """

    array: np.ndarray
    transform: object
    crs: str
    source: str | None = None

    @property
    def pixel_size(self):
        """(x, y) pixel size [CRS units]."""
        return abs(self.transform.a), abs(self.transform.e)


def _window(src, around, margin):
    """The pixel window covering ``around`` (a GeoDataFrame) plus ``margin`` [m], or None."""
    from rasterio.windows import Window

    x0, y0, x1, y1 = around.to_crs(src.crs.to_wkt()).total_bounds
    inv = ~src.transform
    cols, rows = zip(*(inv * (x, y) for x, y in ((x0 - margin, y1 + margin), (x1 + margin, y0 - margin))))
    c0, c1 = (int(np.clip(np.floor(min(cols)), 0, src.width)), int(np.clip(np.ceil(max(cols)), 0, src.width)))
    r0, r1 = (int(np.clip(np.floor(min(rows)), 0, src.height)), int(np.clip(np.ceil(max(rows)), 0, src.height)))
    if c1 <= c0 or r1 <= r0:
        return Window(0, 0, 0, 0)
    return Window(c0, r0, c1 - c0, r1 - r0)


def read_dsm(path, *, around=None, margin_m=100.0):
    """Read a digital surface model (GeoTIFF, heights in metres, projected CRS).

    Parameters
    ----------
    path : str or Path
    around : geopandas.GeoDataFrame, optional
        Read only the window around these features (e.g. the buildings), plus ``margin_m``.
    margin_m : float
        Margin around ``around`` [m]; at least the shading look-up distance (60 m south).

    Returns
    -------
    Raster

    Raises
    ------
    HnGeoError
        The file is not a readable raster, or its CRS is missing or geographic.
    """
    import rasterio

    path = Path(path)
    try:
        src = rasterio.open(path)
    except Exception as exc:  # rasterio.errors.RasterioIOError and friends
        raise HnGeoError(code="solar.dsm_unreadable", params={"detail": str(exc)}, path=path) from exc
    with src:
        if src.crs is None or not src.crs.is_projected:
            raise HnGeoError(code="solar.dsm_not_projected", path=path)
        window = None if around is None or len(around) == 0 else _window(src, around, margin_m)
        z = src.read(1, masked=True, window=window).astype(float).filled(np.nan)
        transform = src.transform if window is None else src.window_transform(window)
        crs = src.crs.to_wkt()
    return Raster(z, transform, crs, path.name)


class DsmSource:
    """A surface-model file opened for reading window by window (for DSMs larger than memory).

    Checks on opening: a projected CRS in metres, square pixels, no rotation. Use as a
    context manager; :meth:`read` returns a window (which may reach outside the raster:
    outside pixels are NaN) as float32 with NaN for no data.

    Parameters
    ----------
    path : str or Path

    Raises
    ------
    HnGeoError
        Unreadable file, missing or geographic CRS, units other than metres, non-square or
        rotated pixels.
    """

    def __init__(self, path):
        import rasterio

        self.path = Path(path)
        try:
            self._src = rasterio.open(self.path)
        except Exception as exc:  # rasterio.errors.RasterioIOError and friends
            raise HnGeoError(code="solar.dsm_unreadable", params={"detail": str(exc)}, path=self.path) from exc
        src = self._src
        if src.crs is None or not src.crs.is_projected:
            self.close()
            raise HnGeoError(code="solar.dsm_not_projected", path=self.path)
        unit, factor = src.crs.linear_units_factor
        t = src.transform
        if abs(factor - 1.0) > 1e-9:
            self.close()
            raise HnGeoError(code="solar.dsm_not_metres", params={"unit": unit}, path=self.path)
        if t.b != 0 or t.d != 0 or abs(abs(t.a) - abs(t.e)) > 1e-6 * abs(t.a):
            self.close()
            raise HnGeoError(code="solar.dsm_pixels_not_square", params={"x": abs(t.a), "y": abs(t.e)},
                             path=self.path)
        self.height, self.width = src.height, src.width
        self.transform, self.crs, self.res = t, src.crs.to_wkt(), abs(t.a)
        self.source = self.path.name

    def read(self, row0, col0, rows, cols):
        """Heights [m] of a window (float32; NaN for no data and outside the raster)."""
        from rasterio.windows import Window

        a = self._src.read(1, window=Window(col0, row0, cols, rows), boundless=True, masked=True,
                           fill_value=self._src.nodata if self._src.nodata is not None else -9999)
        return a.astype(np.float32).filled(np.nan)

    def close(self):
        self._src.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class ArraySource:
    """A surface model already in memory (:class:`Raster`), with the interface of :class:`DsmSource`."""

    def __init__(self, raster):
        t = raster.transform
        self.array = np.asarray(raster.array, dtype=np.float32)
        self.height, self.width = self.array.shape
        self.transform, self.crs, self.res = t, raster.crs, abs(t.a)
        self.source = raster.source
        self.path = None

    def read(self, row0, col0, rows, cols):
        out = np.full((rows, cols), np.nan, dtype=np.float32)
        r0, c0 = max(row0, 0), max(col0, 0)
        r1, c1 = min(row0 + rows, self.height), min(col0 + cols, self.width)
        if r1 > r0 and c1 > c0:
            out[r0 - row0:r1 - row0, c0 - col0:c1 - col0] = self.array[r0:r1, c0:c1]
        return out

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def read_overview(path, max_size=2048):
    """The first band of a raster at the coarsest level no smaller than ``max_size`` pixels on
    its long side (from the file's overviews), as a :class:`Raster` (for map overlays).
    """
    import rasterio
    from rasterio.enums import Resampling

    with rasterio.open(path) as src:
        scale = max(1.0, max(src.width, src.height) / max_size)
        w, h = max(1, int(round(src.width / scale))), max(1, int(round(src.height / scale)))
        a = src.read(1, out_shape=(h, w), masked=True, resampling=Resampling.average)
        t = src.transform * src.transform.scale(src.width / w, src.height / h)
        return Raster(a.astype(float).filled(np.nan), t, src.crs.to_wkt(), Path(path).name)


def read_window(path, row0, col0, rows, cols, bands=None):
    """Bands of a raster file in a pixel window, float with NaN for no data (bands, rows, cols)."""
    import rasterio
    from rasterio.windows import Window

    with rasterio.open(path) as src:
        a = src.read(bands, window=Window(col0, row0, cols, rows), masked=True)
        scales = np.asarray(src.scales if bands is None else [src.scales[b - 1] for b in np.atleast_1d(bands)])
    a = a.astype(np.float32).filled(np.nan)
    return a * scales.reshape((-1,) + (1,) * (a.ndim - 1)) if a.ndim == 3 else a * scales[0]
