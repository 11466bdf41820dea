"""The map page: layers, tools, legends and captions in one self-contained HTML file.

:func:`make_map` takes the layers it is given (it loads nothing), draws them in order with
their styles and popups in the map's language, and adds a layer control, scale bar,
full-screen, measure, mini-map and search tools, legends, and a caption whenever a layer
holds approximate or synthetic features. :func:`save_map` writes it atomically; offline (the
default) every script and stylesheet is inlined (:mod:`hn_geo.render.offline`).
"""
from __future__ import annotations

from pathlib import Path

import folium
import numpy as np

from hn_geo import vocabulary
from hn_geo.core.crs import wgs84_to_gcj02
from hn_geo.core.errors import HnGeoError
from hn_geo.core.files import write_text
from hn_geo.core.settings import LANGS
from hn_geo.render import offline
from hn_geo.render.escape import html_text
from hn_geo.render.labels import analysis_title, ui
from hn_geo.render.maps import layers as L
from hn_geo.render.maps.basemaps import GCJ02_BASEMAPS, basemap_layers
from hn_geo.render.maps.draw import Drawn, add_layer
from hn_geo.render.maps.elements import Assets, Control, PlainBackground, RawHtml, js_json
from hn_geo.render.maps.geometry import for_display, scale_params, total_bounds

HIDDEN_ON_OVERVIEW = ("control_units", "red_line", "water_source")
"""Overview layers drawn but not shown until ticked."""


def _base_map(total, sp, tiles, width, height, lang, title, offline_mode):
    m = folium.Map(location=[(total[1] + total[3]) / 2, (total[0] + total[2]) / 2],
                   zoom_start=sp["fit_zoom"], tiles=None, prefer_canvas=True, control_scale=False,
                   width=width, height=height, max_zoom=19)
    m.default_js = [("leaflet", offline.CDN["leaflet.js"])]
    m.default_css = [("leaflet_css", offline.CDN["leaflet.css"])]
    m.get_root().title = html_text(title or ui("map_page_title", lang))  # branca writes it unescaped
    # a page that cannot load Leaflet says so instead of staying blank (online mode offline)
    m.get_root().header.add_child(RawHtml(offline.script_tag(NO_LEAFLET_JS % js_json(
        {"text": ui("map_online_failed", lang)}))), name="hn_no_leaflet")
    Assets().add_to(m)
    folium.map.CustomPane(L.MARKER_PANE, z_index=460).add_to(m)
    if not tiles:
        PlainBackground().add_to(m)
    for k, (url, opts) in enumerate(tiles):
        opts = dict(opts)
        name = opts.pop("name")
        folium.TileLayer(url, name=name, attr=opts.pop("attribution"), overlay=k > 0, control=True,
                         max_zoom=opts.pop("maxZoom", 18), **opts).add_to(m)
    return m


NO_LEAFLET_JS = """window.addEventListener("load", function () {
  if (window.L) return;
  var o = %s, d = document.createElement("div");
  d.className = "hn-no-leaflet"; d.textContent = o.text;
  d.style.cssText = "margin:2em;padding:1em 1.5em;border:1px solid #e0c060;background:#fff8dc;" +
    "color:#5a4500;font:15px/1.6 sans-serif;max-width:46em";
  document.body.insertBefore(d, document.body.firstChild);
});"""


def _add_tools(m, drawn, lang, title, search, minimap, tiles):
    Control("Fullscreen", position="topleft", title=ui("fullscreen", lang),
            titleExit=ui("exit_fullscreen", lang)).add_to(m)
    Control("Measure", position="topleft", title=ui("measure", lang), hint=ui("measure_hint", lang),
            distance=ui("distance", lang), area=ui("area", lang)).add_to(m)
    if search and drawn.search:
        Control("Search", position="topright", entries=drawn.search, placeholder=ui("search", lang),
                notFound=ui("not_found", lang)).add_to(m)
    if title:
        Control("Box", position="topright", className="hn-box hn-title", html=html_text(title)).add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    Control("ZOrder", layers=drawn.order).add_to(m)
    if drawn.labels:
        Control("Labels", groups=drawn.labels).add_to(m)
    if drawn.legends:
        Control("Legend", position="bottomright", legends=drawn.legends).add_to(m)
    Control("Scale", position="bottomleft").add_to(m)
    if drawn.approx:
        caption = ui("caption", lang, names=vocabulary.join(drawn.approx, lang))
        Control("Box", position="bottomleft", className="hn-box hn-caption", html=html_text(caption)).add_to(m)
    if tiles:
        Control("TileNotice", position="bottomleft", text=ui("tiles_failed", lang)).add_to(m)
    if minimap:
        mm = {"position": "bottomleft", "data": drawn.minimap, "zoomOffset": -5}
        if tiles:
            url, opts = tiles[0]
            mm["tiles"] = {"url": url, "options": {k: v for k, v in opts.items() if k in ("subdomains", "maxZoom")}}
        Control("MiniMap", **mm).add_to(m)


def _gcj_point(lon, lat):
    x, y = wgs84_to_gcj02(np.asarray([lon]), np.asarray([lat]))
    return float(np.ravel(x)[0]), float(np.ravel(y)[0])


def _add_rasters(m, rasters, gcj, drawn):
    for r in rasters:
        layer, legend = r.add_to(m, shift=_gcj_point if gcj else None)
        drawn.legends.append([layer.get_name(), legend])
        drawn.info.append({"name": r.name, "title": r.title, "kind": "raster", "var": layer.get_name(),
                           "features": int(np.isfinite(r.array).sum())})


def make_map(layers, *, basemap="none", offline=True, lang="zh", title=None, color_by=None, labels=None,
             tianditu_key=None, detail_zoom=None, search=True, minimap=True, width="100%", height="100%",
             rasters=(), under=()):
    """Build an interactive map of the given layers.

    Parameters
    ----------
    layers : dict {name: GeoDataFrame} or list of LayerSpec
        The layers to draw; the name selects the style and, with the spec's ``scope``, the
        words (catalog layers are labelled from the ``ground`` block of the vocabulary).
    basemap : {'none', 'osm', 'tianditu-vec', 'tianditu-img', 'amap', 'amap-img'}
        'none' (default) draws the layers on a plain background and needs no network.
        With 'amap'/'amap-img' the data are shifted to GCJ-02.
    offline : bool
        Inline Leaflet and all tools so the file needs no network (default); False loads
        Leaflet from a CDN.
    lang : {'zh', 'en'}
        Language of layer names, legends, popups and tools.
    title : str, optional
        Title shown at the top of the map.
    color_by : dict {layer name: column}, optional
        Column to colour by (or to size graduated points by).
    labels : dict {column: (zh, en)}, optional
        Labels of columns the vocabulary does not know (for every layer).
    tianditu_key : str, optional
        Tianditu key (or set ``TIANDITU_KEY``).
    detail_zoom : int, optional
        Zoom at which geometry must look exact (see :func:`~.geometry.scale_params`).
    search, minimap : bool
        Add the search box (towns, sections) and the mini-map.
    rasters : list of :class:`~hn_geo.render.maps.raster.RasterOverlay`
        Image overlays, each with a colour-ramp legend; a ``roof_segments`` layer takes the
        first one's range.
    under : iterable of str
        Names of the context layers: with rasters they are drawn as outlines (no fill over
        the images).

    Returns
    -------
    folium.Map
        With ``m.hn_geo`` holding what the map shows (layers, feature counts, offline
        flag) for :func:`save_map` and tests.
    """
    if lang not in LANGS:
        raise HnGeoError(code="render.bad_lang", params={"lang": lang, "known": list(LANGS)})
    specs = L.checked(L.as_specs(layers), color_by)
    for s in specs:
        s.title = L.title_of(s, lang)
        if labels:
            s.labels = {**labels, **(s.labels or {})}
    tiles = basemap_layers(basemap, tianditu_key=tianditu_key, lang=lang)
    gcj = basemap in GCJ02_BASEMAPS
    frames = [for_display(s.gdf, gcj) for s in specs]
    focus = [f for s, f in zip(specs, frames) if s.name not in L.CONTEXT_LAYERS] or frames
    total = total_bounds(focus)
    sp = scale_params(total, detail_zoom=detail_zoom)
    m = _base_map(total, sp, tiles, width, height, lang, title, offline)
    drawn = Drawn()
    _add_rasters(m, rasters, gcj, drawn)  # images under the vector layers' canvas
    for s, g in zip(specs, frames):
        if rasters and s.name == "roof_segments":  # segments on the overlay's colour scale
            s.extra.setdefault("range", rasters[0].range())
        add_layer(m, s, g, sp, lang, drawn, outline=bool(rasters) and s.name in under)
    _add_tools(m, drawn, lang, title, search, minimap, tiles)
    folium.FitBounds(_fit_box(total), padding=(10, 10)).add_to(m)
    m.hn_geo = {"offline": bool(offline), "lang": lang, "basemap": basemap, "layers": drawn.info,
                "approximate": drawn.approx, "scale": sp, "gcj02": gcj}
    return m


def _fit_box(total, margin=0.002):
    """``[[south, west], [north, east]]`` of the bounds; a single point gets a small box around it
    (Leaflet cannot fit a box of zero size: its scale bar fails with a NaN position)."""
    w, s, e, n = (float(v) for v in total)
    if e - w < 1e-9:
        w, e = w - margin, e + margin
    if n - s < 1e-9:
        s, n = s - margin, n + margin
    return [[s, w], [n, e]]


def map_html(m, *, offline_mode=None):
    """The map's HTML page; offline (default: as built) with every asset inlined."""
    page = m.get_root().render()
    if offline_mode is None:
        offline_mode = getattr(m, "hn_geo", {}).get("offline", True)
    if offline_mode:
        page = offline.inline_assets(page)
    return page


def save_map(m, path, *, offline_mode=None):
    """Write a map as one HTML file, atomically (UTF-8). Returns the path."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise HnGeoError(code="render.not_html", path=path)
    return write_text(map_html(m, offline_mode=offline_mode), path)


# ----------------------------------------------------------------------------- maps of a run
def result_specs(result):
    """The layers of an analysis result as LayerSpecs (its scope and codes)."""
    return [L.LayerSpec(name, gdf, scope=result.name, codes=dict(result.codes))
            for name, gdf in result.layers.items()]


def result_map(result, context=(), *, lang="zh", title=None, color_by=None, **kwargs):
    """Map of an analysis result's layers over context layers.

    Parameters
    ----------
    result : AnalysisResult
        Its layers are drawn with its words (scope: the analysis) and coloured by its codes:
        a layer holding a status column is coloured by it unless the layer has its own
        convention (water classes, control-unit types, PV yield) or ``color_by`` says
        otherwise.
    context : dict {name: GeoDataFrame} or list of LayerSpec
        Layers drawn underneath (catalog layers keep their own labels); a context layer of
        the same name as a result layer is left out.
    lang, title, color_by, **kwargs
        As :func:`make_map`; the title defaults to the analysis' title.
    """
    specs = result_specs(result)
    names = {s.name for s in specs}
    ctx = [s for s in L.as_specs(context or ()) if s.name not in names]
    if title is None:
        title = analysis_title(result.name, lang)
    return make_map(ctx + specs, lang=lang, title=title, color_by=color_by, under=[s.name for s in ctx], **kwargs)


def overview_map(layers, *, lang="zh", title=None, **kwargs):
    """The overview map of catalog layers (control units, red line, water sources hidden
    until ticked). ``layers`` are given by the caller (:mod:`hn_geo.workflows.maps`)."""
    specs = L.as_specs(layers)
    if not specs:
        raise HnGeoError(code="render.no_layers")
    for s in specs:
        if s.name in HIDDEN_ON_OVERVIEW and s.show is None:
            s.show = False
    return make_map(specs, lang=lang, title=ui("overview_title", lang) if title is None else title, **kwargs)
