"""Raster overlays of a map: a georeferenced image (offline, as a PNG data URL) with a legend.

:class:`RasterOverlay` takes one band (an array with its transform and CRS, e.g. read from a
COG's overview by :func:`hn_geo.ground.rasters.read_overview`), reprojects it to Web
Mercator (Leaflet's display projection, so the image sits exactly where the features are),
colours it with a fixed ramp and becomes a ``L.imageOverlay`` with a colour-ramp legend.
:func:`style_roof_segments` colours the ``roof_segments`` layer with the same ramp.
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import branca.colormap as cm
import folium
import numpy as np
from matplotlib import colormaps
from PIL import Image
from rasterio.warp import Resampling, calculate_default_transform, reproject, transform_bounds

from hn_geo.render.maps.legends import legend_ramp
from hn_geo.render.maps.registry import register_style
from hn_geo.render.maps.styles import LayerStyle, choropleth, title_of_column

RAMP = "inferno"
"""Colour ramp of irradiation (dark = shaded, bright = sunny)."""


def ramp_colormap(vmin, vmax, ramp=RAMP, n=11):
    """A branca colormap sampled from the matplotlib ramp (legend and vector layers)."""
    cmap = colormaps[ramp]
    colours = ["#{:02x}{:02x}{:02x}".format(*(int(255 * c) for c in cmap(k / (n - 1))[:3])) for k in range(n)]
    return cm.LinearColormap(colours, vmin=vmin, vmax=vmax)


@dataclass
class RasterOverlay:
    """One band drawn as an image overlay.

    Parameters
    ----------
    name : str
        Key of the overlay (``'annual_irradiation'``).
    array : numpy.ndarray
        Values (NaN transparent).
    transform : affine.Affine
    crs : str
    title : str
        Layer-control name and legend title (words of the map's language).
    vmin, vmax : float, optional
        Range of the ramp (default: 2nd and 98th percentiles).
    opacity : float
    """

    name: str
    array: np.ndarray
    transform: object
    crs: str
    title: str
    vmin: float | None = None
    vmax: float | None = None
    opacity: float = 0.85

    def range(self):
        v = self.array[np.isfinite(self.array)]
        lo = self.vmin if self.vmin is not None else (float(np.percentile(v, 2)) if v.size else 0.0)
        hi = self.vmax if self.vmax is not None else (float(np.percentile(v, 98)) if v.size else 1.0)
        return lo, max(hi, lo + 1e-6)

    def mercator(self):
        """The band reprojected to EPSG:3857 and its lon/lat bounds [[s, w], [n, e]]."""
        h, w = self.array.shape
        left, top = self.transform * (0, 0)
        right, bottom = self.transform * (w, h)
        dst_t, dw, dh = calculate_default_transform(self.crs, "EPSG:3857", w, h, left=left, bottom=bottom,
                                                    right=right, top=top)
        out = np.full((dh, dw), np.nan, dtype=np.float32)
        reproject(self.array.astype(np.float32), out, src_transform=self.transform, src_crs=self.crs,
                  dst_transform=dst_t, dst_crs="EPSG:3857", src_nodata=np.nan, dst_nodata=np.nan,
                  resampling=Resampling.bilinear)
        x0, y1 = dst_t * (0, 0)
        x1, y0 = dst_t * (dw, dh)
        w_, s_, e_, n_ = transform_bounds("EPSG:3857", "EPSG:4326", x0, y0, x1, y1)
        return out, [[s_, w_], [n_, e_]]

    def png_url(self, data):
        lo, hi = self.range()
        rgba = colormaps[RAMP](np.clip((np.nan_to_num(data, nan=lo) - lo) / (hi - lo), 0, 1))
        rgba[..., 3] = np.where(np.isfinite(data), 1.0, 0.0)
        img = Image.fromarray((rgba * 255).astype(np.uint8), mode="RGBA")
        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=True)
        return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")

    def add_to(self, m, *, shift=None):
        """Add the overlay to a folium map; returns (layer, legend HTML).

        ``shift(lon, lat) -> (lon, lat)`` moves the image bounds (GCJ-02 basemaps).
        """
        data, bounds = self.mercator()
        if shift is not None:
            (s, w), (n, e) = bounds
            (w, s), (e, n) = shift(w, s), shift(e, n)
            bounds = [[s, w], [n, e]]
        layer = folium.raster_layers.ImageOverlay(self.png_url(data), bounds=bounds, name=self.title,
                                                  opacity=self.opacity, interactive=False, cross_origin=False,
                                                  zindex=1, overlay=True, control=True)
        layer.add_to(m)
        lo, hi = self.range()
        return layer, legend_ramp(self.title, ramp_colormap(lo, hi))


def style_roof_segments(spec, gdf, lang):
    """Roof segments coloured by their annual irradiation, with the overlay's ramp."""
    col = spec.color_by or "irradiation_kwh_m2"
    rng = spec.extra.get("range")
    v = gdf[col].to_numpy(dtype=float) if col in gdf.columns else np.full(len(gdf), np.nan)
    fin = v[np.isfinite(v)]
    lo, hi = rng if rng else ((float(fin.min()), float(fin.max())) if fin.size else (0.0, 1.0))
    colormap = ramp_colormap(lo, max(hi, lo + 1e-6))
    base = {"color": "#202020", "weight": 0.6, "fill": True, "fillOpacity": 0.55}
    return LayerStyle(choropleth(v, base, colormap), legend=legend_ramp(title_of_column(spec, col, lang), colormap),
                      tooltip=col)


register_style("roof_segments", style_roof_segments)
