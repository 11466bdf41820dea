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
