"""Raster outputs: Cloud-Optimised GeoTIFFs written window by window.

:class:`CogWriter` collects a product's windows in a temporary tiled GeoTIFF next to the
target, then converts it with GDAL's COG driver (tiled 512 x 512, compressed, overviews,
band descriptions and units, the source's CRS) and moves it into place atomically. Band
descriptions are words of the output language (from the vocabulary); values are numbers.
"""
from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
from rasterio.windows import Window

from hn_geo.core.files import atomic_path

BLOCK = 512
COMPRESS = "DEFLATE"


class CogWriter:
    """Write one multi-band raster product as a COG.

    Parameters
    ----------
    path : str or Path
        The ``.tif`` to write.
    height, width : int
    transform : affine.Affine
    crs : str
        CRS (WKT or EPSG code) of the source DSM.
    descriptions : list of str
        One description per band (its count is the band count).
    dtype : str
        'float32', 'int16' or 'uint8'.
    nodata : float or int
    units : str, optional
        Unit of every band (GDAL band unit type).
    scale : float, optional
        Value = stored x scale (integer products).
    resampling : str
        Overview resampling ('average'; 'nearest' for codes).
    threads : int
        Threads of GDAL's compression and overview computation in :meth:`finish`.
    """

    def __init__(self, path, height, width, transform, crs, descriptions, *, dtype="float32", nodata=None,
                 units=None, scale=None, resampling="average", threads=2):
        self.path = Path(path)
        self.threads = max(1, int(threads))
        self._cost = len(descriptions) * height * width
        self.dtype, self.nodata, self.scale, self.resampling = dtype, nodata, scale, resampling
        self._dir = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                          dir=self.path.parent if self.path.parent.exists() else None))
        self._tmp = self._dir / self.path.name
        profile = {"driver": "GTiff", "height": height, "width": width, "count": len(descriptions),
                   "dtype": dtype, "crs": crs, "transform": transform, "nodata": nodata, "tiled": True,
                   "blockxsize": BLOCK, "blockysize": BLOCK, "compress": "ZSTD", "zstd_level": 1, "BIGTIFF": "IF_SAFER",
                   "interleave": "band"}
        self._dst = rasterio.open(self._tmp, "w", **profile)
        for i, d in enumerate(descriptions, start=1):
            self._dst.set_band_description(i, d)
            if units:
                self._dst.set_band_unit(i, units)
        if scale is not None:
            self._dst.scales = [scale] * len(descriptions)
            self._dst.offsets = [0.0] * len(descriptions)

    def write(self, row0, col0, data):
        """Write ``data`` (bands, rows, cols) at (row0, col0), converting to the product's type."""
        data = np.asarray(data)
        if self.scale is not None:
            data = np.where(np.isfinite(data), np.rint(data / self.scale), self.nodata)
        elif self.nodata is not None and np.issubdtype(data.dtype, np.floating) and self.dtype != "float32":
            data = np.where(np.isfinite(data), data, self.nodata)
        self._dst.write(data.astype(self.dtype), window=Window(col0, row0, data.shape[2], data.shape[1]))

    def finish(self):
        """Convert to a COG at :attr:`path` (atomically) and remove the temporary file."""
        self._dst.close()
        try:
            with atomic_path(self.path) as out, rasterio.Env(GDAL_NUM_THREADS=str(self.threads)):
                rasterio.shutil.copy(self._tmp, out, driver="COG", COMPRESS=COMPRESS, LEVEL=6,
                                     PREDICTOR="YES", BLOCKSIZE=BLOCK, OVERVIEWS="IGNORE_EXISTING",
                                     OVERVIEW_RESAMPLING=self.resampling.upper(), BIGTIFF="IF_SAFER",
                                     NUM_THREADS=str(self.threads))
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)
        return self.path

    @property
    def cost(self):
        """Values to convert (bands x pixels): the order of :func:`finish_all`."""
        return self._cost

    def abort(self):
        """Drop the temporary file (after an error)."""
        try:
            self._dst.close()
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)


def finish_all(writers, workers=2):
    """Finish several writers, ``workers`` conversions at a time (largest first; GDAL works
    outside Python's lock). Returns ``{name: path}``; on an error every writer is aborted."""
    order = sorted(writers, key=lambda k: -writers[k].cost)
    try:
        with ThreadPoolExecutor(max(1, int(workers))) as pool:
            done = {k: pool.submit(writers[k].finish) for k in order}
            return {k: done[k].result() for k in writers}
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
