"""Interactive maps: any set of layers and analysis results as one HTML file.

:func:`make_map` turns layers (``{name: GeoDataFrame}`` or a list of
:class:`LayerSpec`) into a :class:`folium.Map` styled by
:mod:`hn_geo.mapstyle` (choropleths, water classes, control-unit types,
compliance, graduated emission points, PV yield), with Chinese popups by
default, a layer control, scale bar, full-screen, measure, mini-map and
search tools, legends, and a caption whenever a layer holds approximate or
synthetic features. :func:`save_map` writes it atomically; offline (the
default) every script and stylesheet is inlined from installed packages
(:mod:`hn_geo.offline`), so the file opens with no network.

Size: geometries are simplified to half a screen pixel at ``detail_zoom``
(by default 4 zoom levels closer than the whole map), coordinates are cut to
the matching number of decimals, every vector is drawn on a canvas
(``prefer_canvas``), and large point layers (emission points) are sent as
compact arrays drawn by a canvas layer (:class:`PointsLayer`).

Example
-------
>>> from hn_geo import maps
>>> m = maps.make_map({"towns": towns, "sections": sections}, color_by={"towns": "target_basic"})
>>> maps.save_map(m, "maps/towns.html")
"""
from __future__ import annotations

import html
import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.settings import WGS84
from hn_geo.ground.catalog import SCHEMAS
from hn_geo.render import mapstyle, offline

LANGS = ("zh", "en")
BASEMAPS = ("none", "osm", "tianditu-vec", "tianditu-img", "amap", "amap-img")

# layers drawn in this order (bottom to top); unknown layers go between polygons and lines
DRAW_ORDER = ("neighbors", "towns", "control_units", "water_source", "red_line", "parks", "buildings",
              "rivers", "boundary", "projects", "sections", "emission_points")
OVERVIEW_LAYERS = ("boundary", "neighbors", "towns", "parks", "rivers", "sections", "emission_points",
                   "control_units", "red_line", "water_source")
CONTEXT_LAYERS = ("neighbors",)  # drawn, but the map opens on the other layers
HIDDEN_FIELDS = {"seat_lon", "seat_lat", "_i"}
SIZE_COLUMNS = ("load", "load_t", "vocs_t", "nox_t", "cod_t", "nh3n_t", "energy_tce")
POINTS_AS_CANVAS = 3000  # point layers larger than this are drawn by PointsLayer
MARKER_PANE = "hnMarkerPane"  # point layers (SVG), above the canvas of graduated points (z 450)


@dataclass
class LayerSpec:
    """One layer of a map.

    Parameters
    ----------
    name : str
        Layer key: a catalog name ('towns', 'sections', ...) or an analysis
        result layer name; it selects the style (:data:`hn_geo.mapstyle.STYLES`).
    gdf : geopandas.GeoDataFrame
        Features, any CRS (re-projected to WGS84 for display).
    title : str, optional
        Name in the layer control and legends (schema label by default).
    color_by : str, optional
        Column to colour (numeric -> choropleth, text -> categories) or, for
        graduated points, to size the circles by.
    labels : dict, optional
        ``{column: (zh, en)}`` for columns no schema declares.
    fields : list of str, optional
        Popup columns (all but a few technical ones by default).
    show : bool, optional
        Visible when the map opens (style default otherwise).
    graduated : bool, optional
        Draw points as graduated circles on a canvas (default: emission
        points, and point layers of more than 3000 features).
    """

    name: str
    gdf: gpd.GeoDataFrame
    title: str | None = None
    color_by: str | None = None
    labels: dict | None = None
    fields: list | None = None
    show: bool | None = None
    graduated: bool | None = None
    extra: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------- Leaflet pieces
class _Assets(MacroElement):
    """Inlines hn_geo's own JS/CSS into the page header (after Leaflet)."""

    _template = Template("")

    def render(self, **kwargs):
        header = self.get_root().header
        header.add_child(Element(offline.style_tag(offline.own_asset("hn_geo_map.css"))),
                         name="hn_geo_css")
        header.add_child(Element(offline.script_tag(offline.own_asset("hn_geo_map.js"))),
                         name="hn_geo_js")
        super().render(**kwargs)


class _PlainBackground(MacroElement):
    """Light plain background for maps without a basemap."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.getContainer().classList.add('hn-plain');
        {% endmacro %}
    """)


class Control(MacroElement):
    """A ``L.hnGeo.<kind>`` control (Fullscreen, Measure, MiniMap, Search, Box)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = new L.hnGeo.{{ this.kind }}({{ this.options_json }})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, kind, **options):
        super().__init__()
        self._name = f"hn_{kind}"
        self.kind = kind
        self.options_json = _js_json(options)


class _JsonDataLayer(folium.map.Layer):
    """A layer whose data go to the page in a ``<script type="application/json">`` block.

    ``JSON.parse`` reads megabytes far faster than the browser compiles the
    same data written as a JavaScript literal, and the JSON is written
    compactly (no indentation, UTF-8 rather than ``\\u`` escapes).
    """

    js_factory = ""
    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = {{ this.js_factory }}(
            JSON.parse(document.getElementById("{{ this.get_name() }}_data").textContent),
            {{ this.options_json }});
        {% endmacro %}
    """)

    def __init__(self, data_json, options, name=None, show=True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self.data_json = data_json
        self.options_json = _js_json(options)

    def render(self, **kwargs):
        self.get_root().html.add_child(Element(
            f'<script type="application/json" id="{self.get_name()}_data">{self.data_json}</script>'),
            name=self.get_name() + "_data")
        super().render(**kwargs)


class PointsLayer(_JsonDataLayer):
    """Many points as graduated circles on one canvas (``L.hnGeo.Points``).

    Data go to the page as compact columns: integer coordinates in units of
    ``10**-decimals`` degrees from the south-west corner, a class digit per
    point, and popup columns (dictionary-encoded when values repeat).
    """

    js_factory = "L.hnGeo.points"

    def __init__(self, data, options, name=None, show=True):
        super().__init__(_js_json(data), options, name=name, show=show)
        self._name = "HnPoints"


class FeatureLayer(_JsonDataLayer):
    """Styled GeoJSON features with popups and tooltips (``L.hnGeo.geoJson``).

    Each feature carries its display values and ``_s``, an index into a
    table of distinct styles, instead of a style object of its own. Points
    are SVG circle markers in their own pane above the canvas layers.
    """

    js_factory = "L.hnGeo.geoJson"

    def __init__(self, data_json, options, name=None, show=True):
        super().__init__(data_json, options, name=name, show=show)
        self._name = "HnFeatures"


def _js_json(obj):
    """Compact JSON safe inside a <script> element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# ----------------------------------------------------------------------------- scale and size
def fit_zoom(bounds, width_px=1100, height_px=700):
    """Web-Mercator zoom at which ``bounds`` (lon/lat) fit in a window of the given size."""
    minx, miny, maxx, maxy = bounds
    if not np.all(np.isfinite(bounds)) or maxx <= minx or maxy <= miny:
        return 12
    def merc_y(lat):
        lat = math.radians(max(min(lat, 85), -85))
        return math.log(math.tan(math.pi / 4 + lat / 2))
    zx = math.log2(width_px * 360 / (256 * (maxx - minx)))
    zy = math.log2(height_px * 2 * math.pi / (256 * (merc_y(maxy) - merc_y(miny))))
    return int(max(0, min(18, math.floor(min(zx, zy)))))


def pixel_size_m(zoom, lat):
    """Ground size (m) of one screen pixel at a Web-Mercator zoom and latitude."""
    return 156543.03392 * math.cos(math.radians(lat)) / 2 ** zoom


def scale_params(bounds, detail_zoom=None):
    """Simplification tolerance (m) and coordinate decimals for a map of ``bounds``.

    Parameters
    ----------
    bounds : (minx, miny, maxx, maxy)
        Lon/lat extent of the map.
    detail_zoom : int, optional
        The closest zoom at which geometry must look exact (to half a pixel);
        by default 4 levels closer than the zoom that shows all of ``bounds``
        (16x magnification).

    Returns
    -------
    dict
        ``fit_zoom``, ``detail_zoom``, ``tolerance_m`` (half a pixel at
        ``detail_zoom``) and ``decimals`` (degree decimals resolving half
        a pixel, between 4 and 7).
    """
    z0 = fit_zoom(bounds)
    dz = int(detail_zoom) if detail_zoom is not None else min(z0 + 4, 18)
    lat = (bounds[1] + bounds[3]) / 2 if np.all(np.isfinite(bounds)) else 30.5
    px = pixel_size_m(dz, lat)
    deg = px / 2 / 111_320
    decimals = int(min(7, max(4, math.ceil(-math.log10(deg)))))
    return {"fit_zoom": z0, "detail_zoom": dz, "tolerance_m": px / 2, "decimals": decimals}


def simplify_for_map(gdf, tolerance_m, decimals):
    """Geometries simplified to ``tolerance_m`` metres and rounded to ``decimals`` degree decimals.

    Polygon layers that form a clean coverage (towns, control units) are
    simplified together (``shapely.coverage_simplify``), so shared borders
    stay shared; others feature by feature with topology preserved.
    Returns a GeoDataFrame in WGS84.
    """
    from hn_geo.core.settings import METRIC_CRS

    out = gdf.to_crs(WGS84)
    geoms = out.geometry.values
    ok = ~(shapely.is_missing(np.asarray(geoms)) | shapely.is_empty(np.asarray(geoms)))
    if not ok.all():
        raise HnGeoError(f"{(~ok).sum()} feature(s) have no geometry; repair or drop them before mapping")
    kinds = set(out.geom_type.unique())
    if tolerance_m > 0 and not kinds <= {"Point", "MultiPoint"}:
        metric = np.asarray(gpd.GeoSeries(geoms, crs=WGS84).to_crs(METRIC_CRS).values)
        simplified = None
        if kinds <= {"Polygon", "MultiPolygon"} and len(metric) > 1:
            try:
                if bool(np.all(shapely.coverage_is_valid(metric))):
                    simplified = shapely.coverage_simplify(metric, tolerance_m)
            except (shapely.errors.GEOSException, AttributeError):
                simplified = None
        if simplified is None:
            simplified = shapely.simplify(metric, tolerance_m, preserve_topology=True)
        geoms = gpd.GeoSeries(simplified, crs=METRIC_CRS).to_crs(WGS84).values
    grid = 10.0 ** -decimals
    rounded = shapely.transform(np.asarray(geoms), lambda xy: np.round(xy, decimals))
    if not kinds <= {"Point", "MultiPoint"}:
        bad = ~shapely.is_valid(rounded)
        if bad.any():
            rounded[bad] = shapely.set_precision(np.asarray(geoms)[bad], grid)
    return out.set_geometry(gpd.GeoSeries(rounded, crs=WGS84, index=out.index))


# ----------------------------------------------------------------------------- layers
def _title_of(spec, lang, labels=None):
    """Display name: given title, catalog schema, known result layer, ``labels[name]``, else the name."""
    if spec.title:
        return spec.title
    schema = SCHEMAS.get(spec.name)
    if schema is not None:
        return schema.zh if lang == "zh" else schema.en
    if spec.name in mapstyle.LAYER_TITLES:
        return mapstyle.pick(mapstyle.LAYER_TITLES[spec.name], lang)
    if labels and spec.name in labels:
        return mapstyle.pick(labels[spec.name], lang)
    return spec.name


def _popup_fields(spec, gdf):
    if spec.fields is not None:
        missing = [f for f in spec.fields if f not in gdf.columns]
        if missing:
            raise HnGeoError(f"layer '{spec.name}' has no column(s) {', '.join(missing)} for popups")
        return list(spec.fields)
    return [c for c in gdf.columns if c != gdf.geometry.name and c not in HIDDEN_FIELDS]


def _encode_columns(gdf, fields, labels, lang):
    """Popup columns as display text, dictionary-encoded when values repeat.

    Returns a list of ``{"l": label, "v": [text or None, ...]}`` or
    ``{"l": label, "c": [code, ...], "d": [text, ..., None]}``: the keys are
    written once per column instead of once per feature.
    """
    cols = []
    n = len(gdf)
    for c in fields:
        vals = mapstyle.display_values(gdf[c], lang)
        codes, uniques = pd.factorize(vals, use_na_sentinel=True)
        if len(uniques) <= max(1, n // 4):
            d = [str(u) for u in uniques] + [None]
            codes = np.where(codes < 0, len(uniques), codes)
            cols.append({"l": labels[c], "c": codes.tolist(), "d": d})
        else:
            cols.append({"l": labels[c], "v": vals.tolist()})
    return cols


def _feature_json(gdf, styles):
    """Compact FeatureCollection text (properties: ``_i`` row, ``_s`` style) and the style table."""
    table, index, ids = [], {}, []
    for st in styles:
        st = {k: v for k, v in st.items() if v is not None}
        key = json.dumps(st, sort_keys=True)
        if key not in index:
            index[key] = len(table)
            table.append(st)
        ids.append(index[key])
    geoms = shapely.to_geojson(np.asarray(gdf.geometry.values))
    parts = [f'{{"type":"Feature","geometry":{g},"properties":{{"_i":{i},"_s":{k}}}}}'
             for i, (g, k) in enumerate(zip(geoms, ids))]
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}", table


def _geojson_layer(spec, gdf, style, labels, lang, show):
    fields = _popup_fields(spec, gdf)
    fc_json, table = _feature_json(gdf, style.styles)
    cols_json = _js_json(_encode_columns(gdf, fields, labels, lang))
    tooltip = fields.index(style.tooltip) if style.tooltip in fields else None
    options = {"styles": table, "title": spec.title, "markerPane": MARKER_PANE, "tooltip": tooltip}
    return FeatureLayer('{"fc":' + fc_json + ',"cols":' + cols_json + "}", options, name=spec.title,
                        show=show)


def _points_payload(gdf, fields, labels, size_col, lang, decimals):
    """Compact arrays for :class:`PointsLayer`, sorted so bigger classes are drawn on top."""
    if size_col is not None:
        cls, breaks = mapstyle.graduated_classes(gdf[size_col])
    else:
        cls, breaks = np.zeros(len(gdf), dtype=np.int8), None
    order = np.argsort(cls, kind="stable")
    g = gdf.iloc[order]
    cls = cls[order]
    pts = g.geometry.values
    if not set(g.geom_type.unique()) <= {"Point"}:
        pts = shapely.centroid(np.asarray(pts))
    x = shapely.get_x(np.asarray(pts))
    y = shapely.get_y(np.asarray(pts))
    scale = 10.0 ** -decimals
    x0, y0 = float(np.floor(x.min() / scale) * scale), float(np.floor(y.min() / scale) * scale)
    xi = np.round((x - x0) / scale).astype(np.int64)
    yi = np.round((y - y0) / scale).astype(np.int64)
    cols = _encode_columns(g, fields, labels, lang)
    data = {"n": int(len(g)), "x0": round(x0, decimals), "y0": round(y0, decimals), "scale": scale,
            "x": xi.tolist(), "y": yi.tolist(), "k": "".join(map(str, cls.tolist())), "cols": cols}
    return data, breaks


def _points_layer(spec, gdf, labels, lang, show, decimals):
    if spec.color_by is not None and spec.color_by not in gdf.columns:
        raise HnGeoError(f"layer '{spec.name}' has no column '{spec.color_by}' to size the circles by")
    size_col = spec.color_by or next((c for c in SIZE_COLUMNS if c in gdf.columns
                                      and mapstyle.is_numeric(gdf[c])), None)
    if size_col is not None and not mapstyle.is_numeric(gdf[size_col]):
        raise HnGeoError(f"layer '{spec.name}': column '{size_col}' is not numeric; "
                         "graduated circles need a numeric load column")
    fields = _popup_fields(spec, gdf)
    data, breaks = _points_payload(gdf, fields, labels, size_col, lang, decimals)
    title = _title_of(spec, lang)
    n_cls = len(mapstyle.POINT_CLASS_RADII)
    options = {"radii": list(mapstyle.POINT_CLASS_RADII), "fill": list(mapstyle.POINT_CLASS_COLORS),
               "stroke": "#5a3000", "title": title}
    legend = None
    if size_col is not None:
        legend = mapstyle.legend_circles(f"{title}：{labels[size_col]}" if lang == "zh"
                                         else f"{title}: {labels[size_col]}",
                                         breaks, mapstyle.POINT_CLASS_RADII, mapstyle.POINT_CLASS_COLORS)
    else:
        options["radii"] = [4] * n_cls
    return PointsLayer(data, options, name=title, show=show), legend


def _one_look(styles):
    """All styles alike but for the line weight (e.g. sea-entry rivers drawn thicker)."""
    first = {k: v for k, v in styles[0].items() if k != "weight"}
    return all({k: v for k, v in st.items() if k != "weight"} == first for st in styles)


def _as_specs(layers):
    if isinstance(layers, dict):
        return [LayerSpec(name, gdf) for name, gdf in layers.items()]
    specs = []
    for item in layers:
        if isinstance(item, LayerSpec):
            specs.append(item)
        elif isinstance(item, tuple) and len(item) == 2:
            specs.append(LayerSpec(item[0], item[1]))
        else:
            raise TypeError("layers must be a dict {name: GeoDataFrame} or a list of LayerSpec")
    return specs


def _order(specs):
    def key(ispec):
        i, spec = ispec
        if spec.name in DRAW_ORDER:
            return (DRAW_ORDER.index(spec.name), i)
        kind = mapstyle._geom_kind(spec.gdf)
        return ({"polygon": DRAW_ORDER.index("buildings"), "line": DRAW_ORDER.index("rivers"),
                 "point": DRAW_ORDER.index("sections")}[kind], i)
    return [s for _, s in sorted(enumerate(specs), key=key)]


# ----------------------------------------------------------------------------- basemaps
TIANDITU = {
    "tianditu-vec": ("vec", "cva", "天地图矢量", "Tianditu vector"),
    "tianditu-img": ("img", "cia", "天地图影像", "Tianditu imagery"),
}
TIANDITU_URL = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}")
TIANDITU_ATTR = ('&copy; <a href="https://www.tianditu.gov.cn/">天地图</a> '
                 '国家地理信息公共服务平台 审图号：GS(2024)0568号')


def basemap_layers(basemap, tianditu_key=None, lang="zh"):
    """Tile layers of a basemap as ``(url, options)`` pairs (empty for 'none').

    Parameters
    ----------
    basemap : {'none', 'osm', 'tianditu-vec', 'tianditu-img', 'amap', 'amap-img'}
        OpenStreetMap and Gaode/AMap come from ``xyzservices``; Tianditu
        (CGCS2000, drawn without shift) needs a key (``tianditu_key`` or the
        ``TIANDITU_KEY`` environment variable). AMap tiles are GCJ-02: the data
        are shifted to GCJ-02 by :func:`make_map` to sit on them.
    """
    import os

    import xyzservices.providers as xyz

    if basemap not in BASEMAPS:
        raise HnGeoError(f"unknown basemap '{basemap}'; use one of {', '.join(BASEMAPS)}")
    if basemap == "none":
        return []
    if basemap == "osm":
        p = xyz.OpenStreetMap.Mapnik
        return [(p.build_url(), {"attribution": p.html_attribution, "maxZoom": p.max_zoom,
                                 "name": "OpenStreetMap"})]
    if basemap in ("amap", "amap-img"):
        p = xyz.Gaode.Normal if basemap == "amap" else xyz.Gaode.Satellite
        url = p.build_url().replace("http://", "https://")
        return [(url, {"attribution": p.html_attribution + (" 高德地图 (GCJ-02)" if lang == "zh" else
                                                            " AMap (GCJ-02)"),
                       "maxZoom": 18, "name": "高德地图" if lang == "zh" else "AMap"})]
    key = tianditu_key or os.environ.get("TIANDITU_KEY")
    if not key:
        raise HnGeoError("Tianditu basemaps need a key: pass --tianditu-key KEY or set TIANDITU_KEY "
                         "(free at https://console.tianditu.gov.cn/)")
    base, labels, zh, en = TIANDITU[basemap]
    opts = {"attribution": TIANDITU_ATTR, "maxZoom": 18, "subdomains": "01234567"}
    return [(TIANDITU_URL.format(layer=base, key=key, s="{s}"), {**opts, "name": zh if lang == "zh" else en}),
            (TIANDITU_URL.format(layer=labels, key=key, s="{s}"), {**opts, "name": "注记" if lang == "zh"
                                                                     else "labels"})]


# ----------------------------------------------------------------------------- the map
def make_map(layers, basemap="none", offline=True, lang="zh", title=None, color_by=None, labels=None,
             tianditu_key=None, detail_zoom=None, search=True, minimap=True, width="100%",
             height="100%"):
    """Build an interactive map of layers and analysis results.

    Parameters
    ----------
    layers : dict {name: GeoDataFrame} or list of LayerSpec
        The name selects the style: catalog layers ('boundary', 'towns',
        'sections', 'emission_points', 'control_units', 'buildings', ...) and
        result layers are recognised by name and columns (``water_class``,
        ``target_met``, ``unit_type``, ``status``, ``kwh_per_kwp``).
    basemap : {'none', 'osm', 'tianditu-vec', 'tianditu-img', 'amap', 'amap-img'}
        'none' (default) draws the layers on a plain background and needs no
        network. With 'amap'/'amap-img' the data are shifted to GCJ-02.
    offline : bool
        Inline Leaflet and all tools so the file needs no network (default);
        False loads Leaflet from a CDN.
    lang : {'zh', 'en'}
        Language of layer names, legends, popups and tools.
    title : str, optional
        Title shown at the top of the map.
    color_by : dict {layer name: column}, optional
        Column to colour by (or to size graduated points by).
    labels : dict {column: (zh, en)}, optional
        Labels of analysis-result columns (e.g. ``AnalysisResult.labels``).
    tianditu_key : str, optional
        Tianditu key (or set ``TIANDITU_KEY``).
    detail_zoom : int, optional
        Zoom at which geometry must look exact (see :func:`scale_params`).
    search, minimap : bool
        Add the search box (towns, sections) and the mini-map.

    Returns
    -------
    folium.Map
        With ``m.hn_geo`` holding what the map shows (layers, feature counts,
        offline flag) for :func:`save_map` and tests.
    """
    if lang not in LANGS:
        raise HnGeoError(f"lang must be one of {LANGS}, not {lang!r}")
    specs = _as_specs(layers)
    if not specs:
        raise HnGeoError("no layers to map")
    color_by = dict(color_by or {})
    unknown = set(color_by) - {s.name for s in specs}
    if unknown:
        raise HnGeoError(f"--color-by names layer(s) not on the map: {', '.join(sorted(unknown))}")
    for s in specs:
        if s.name in color_by and s.color_by is None:
            s.color_by = color_by[s.name]
        if not isinstance(s.gdf, gpd.GeoDataFrame) or s.gdf.crs is None:
            raise HnGeoError(f"layer '{s.name}' must be a GeoDataFrame with a CRS")
        if len(s.gdf) == 0:
            raise HnGeoError(f"layer '{s.name}' has no features")
        geoms = np.asarray(s.gdf.geometry.values)
        empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        if empty.all():
            raise HnGeoError(f"layer '{s.name}': none of its {len(geoms)} features has a geometry")
        if empty.any():
            warnings.warn(f"layer '{s.name}': {int(empty.sum())} of {len(geoms)} feature(s) have no "
                          "geometry and are left off the map", HnGeoWarning, stacklevel=2)
            s.gdf = s.gdf[~empty]
    specs = _order(specs)
    for s in specs:
        s.title = _title_of(s, lang, labels)
    tiles = basemap_layers(basemap, tianditu_key, lang)
    gcj = basemap in ("amap", "amap-img")

    frames = {}
    for s in specs:
        g = s.gdf.to_crs(WGS84)
        if gcj:
            from hn_geo.core.crs import to_gcj02

            g = to_gcj02(g)
        frames[id(s)] = g
    focus = [frames[id(s)] for s in specs if s.name not in CONTEXT_LAYERS] or list(frames.values())
    bounds = np.array([f.total_bounds for f in focus])
    total = (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max())
    sp = scale_params(total, detail_zoom)

    m = folium.Map(location=[(total[1] + total[3]) / 2, (total[0] + total[2]) / 2],
                   zoom_start=sp["fit_zoom"], tiles=None, prefer_canvas=True, control_scale=True,
                   width=width, height=height, max_zoom=19)
    m.default_js = [("leaflet", offline_cdn("leaflet.js"))]
    m.default_css = [("leaflet_css", offline_cdn("leaflet.css"))]
    _Assets().add_to(m)
    folium.map.CustomPane(MARKER_PANE, z_index=460).add_to(m)
    if not tiles:
        _PlainBackground().add_to(m)
    for k, (url, opts) in enumerate(tiles):
        opts = dict(opts)
        name = opts.pop("name")
        folium.TileLayer(url, name=name, attr=opts.pop("attribution"), overlay=k > 0, control=True,
                         max_zoom=opts.pop("maxZoom", 18), **opts).add_to(m)

    all_labels = dict(labels or {})
    legends, approx, search_entries, info = [], [], [], []
    minimap_data = None
    for s in specs:
        g = frames[id(s)]
        lab = mapstyle.field_labels(s.name, g, {**all_labels, **(s.labels or {})}, lang)
        is_point = mapstyle._geom_kind(g) == "point"
        graduated = s.graduated
        if graduated is None:
            graduated = is_point and (s.name == "emission_points" or len(g) > POINTS_AS_CANVAS)
        if "approximate" in g.columns and any(not mapstyle._missing(v) and bool(v)
                                              for v in g["approximate"].tolist()):
            approx.append(_title_of(s, lang))
        if graduated:
            gs = simplify_for_map(g, 0, sp["decimals"])
            layer, legend = _points_layer(s, gs, lab, lang, True if s.show is None else s.show,
                                          sp["decimals"])
            info.append({"name": s.name, "title": _title_of(s, lang), "kind": "points",
                         "var": layer.get_name(), "features": len(gs)})
        else:
            gs = simplify_for_map(g, sp["tolerance_m"], sp["decimals"])
            style = mapstyle.style_for(s.name, gs, s.color_by, lang, {**all_labels, **(s.labels or {})})
            show = style.show if s.show is None else s.show
            layer = _geojson_layer(s, gs, style, lab, lang, show)
            legend = style.legend
            if legend is None and style.styles and _one_look(style.styles):
                legend = mapstyle.legend_key(s.title, style.styles[0], mapstyle._geom_kind(gs))
            info.append({"name": s.name, "title": _title_of(s, lang), "kind": "geojson",
                         "var": layer.get_name(), "features": len(gs)})
            if style.searchable and "name" in gs.columns:
                names = gs["name"].tolist()
                ids = gs[SCHEMAS[s.name].id_field].tolist() if (
                    s.name in SCHEMAS and SCHEMAS[s.name].id_field in gs.columns) else [None] * len(gs)
                for i, (nm, fid) in enumerate(zip(names, ids)):
                    if mapstyle._missing(nm):
                        continue
                    text = str(nm) if fid is None or str(fid) == str(nm) else f"{nm}（{fid}）"
                    search_entries.append([f"{text} · {_title_of(s, lang)}", layer.get_name(), i])
            if s.name in ("boundary", "towns") and minimap_data is None:
                mg = simplify_for_map(g, sp["tolerance_m"] * 16, max(4, sp["decimals"] - 1))
                minimap_data = json.loads(mg[[mg.geometry.name]].to_json())
        layer.add_to(m)
        if legend:
            legends.append([layer.get_name(), legend])

    # tools and boxes
    Control("Fullscreen", position="topleft", title=mapstyle.word("fullscreen", lang),
            titleExit=mapstyle.word("exit_fullscreen", lang)).add_to(m)
    Control("Measure", position="topleft", title=mapstyle.word("measure", lang),
            hint=mapstyle.word("measure_hint", lang), distance=mapstyle.word("distance", lang),
            area=mapstyle.word("area", lang)).add_to(m)
    if search and search_entries:
        Control("Search", position="topright", entries=search_entries,
                placeholder=mapstyle.word("search", lang), notFound=mapstyle.word("not_found", lang)).add_to(m)
    if title:
        Control("Box", position="topright", className="hn-box hn-title",
                html=html.escape(title)).add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    if legends:
        Control("Legend", position="bottomright", legends=legends).add_to(m)
    if approx:
        caption = mapstyle.word("caption", lang).format(names=mapstyle.word("sep", lang).join(approx))
        Control("Box", position="bottomleft", className="hn-box hn-caption",
                html=html.escape(caption)).add_to(m)
    if minimap:
        mm = {"position": "bottomleft", "data": minimap_data, "zoomOffset": -5}
        if tiles:
            url, opts = tiles[0]
            mm["tiles"] = {"url": url, "options": {k: v for k, v in opts.items()
                                                   if k in ("subdomains", "maxZoom")}}
        Control("MiniMap", **mm).add_to(m)
    folium.FitBounds([[total[1], total[0]], [total[3], total[2]]], padding=(10, 10)).add_to(m)

    m.hn_geo = {"offline": bool(offline), "lang": lang, "basemap": basemap, "layers": info,
                "approximate": approx, "scale": sp, "gcj02": gcj}
    return m


def offline_cdn(name):
    """CDN URL of a Leaflet file (replaced by the installed copy when saving offline)."""
    return offline.CDN[name]


def map_html(m, offline_mode=None):
    """The map's HTML page; offline (default: as built) with every asset inlined."""
    page = m.get_root().render()
    if offline_mode is None:
        offline_mode = getattr(m, "hn_geo", {}).get("offline", True)
    if offline_mode:
        page = offline.inline_assets(page)
    return page


def save_map(m, path, offline_mode=None):
    """Write a map as one HTML file, atomically (UTF-8). Returns the path."""
    from hn_geo.core.files import write_text

    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise HnGeoError("a map is written as an .html file", path=path)
    return write_text(map_html(m, offline_mode), path)


# ----------------------------------------------------------------------------- embedded data
def load_layers(names=None, paths=None, **kwargs):
    """Load catalog layers for a map, skipping absent embedded ones with a warning.

    Parameters
    ----------
    names : list of str, optional
        Catalog layer names (default: the overview set, :data:`OVERVIEW_LAYERS`).
    paths : dict {name: path}, optional
        User files replacing the embedded default of a layer.
    **kwargs
        Passed to :func:`hn_geo.catalog.load_layer` (``assume_crs``, ``from_gcj02``...).

    Returns
    -------
    dict {name: GeoDataFrame}
    """
    from hn_geo.ground.catalog import default_path, get_schema, load_layer

    names = list(names or OVERVIEW_LAYERS)
    paths = dict(paths or {})
    out, skipped = {}, []
    for name in names:
        try:
            get_schema(name)
        except KeyError as exc:
            raise HnGeoError(str(exc.args[0])) from None
        if name in paths:
            out[name] = load_layer(name, paths[name], **kwargs)
            continue
        schema = SCHEMAS[name]
        if schema.default_file is None or not default_path(name).exists():
            skipped.append(name)
            continue
        out[name] = load_layer(name, **kwargs)
    if skipped:
        warnings.warn(f"{len(skipped)} layer(s) have no embedded data and were left out: "
                      f"{', '.join(skipped)}", HnGeoWarning, stacklevel=2)
    return out


RESULT_TITLES = {"water": ("水环境质量评价", "Surface water quality"),
                 "zoning": ("三线一单符合性检查", "Zoning (三线一单) checks"),
                 "solar": ("屋顶光伏潜力", "Rooftop PV potential"),
                 "targets": ("规划目标进度", "Plan target progress")}


def result_map(result, context=("boundary", "towns", "rivers"), basemap="none", offline=True, lang="zh", title=None,
               color_by=None, **kwargs):
    """Map of an :class:`~hn_geo.results.AnalysisResult`'s layers over context layers.

    Parameters
    ----------
    result : AnalysisResult
        Its ``layers`` are drawn with its ``labels``; a layer holding one of
        its ``status_columns`` is coloured by it (green/amber/red), unless
        the layer has its own convention (water classes, control-unit types,
        PV yield) or ``color_by`` says otherwise.
    context : tuple of str
        Embedded catalog layers drawn underneath when present (and not
        replaced by a result layer of the same name).
    basemap, offline, lang, title, **kwargs
        As :func:`make_map`.
    """
    layers = {}
    if context:
        avail = [n for n in context if n not in result.layers and SCHEMAS.get(n) is not None
                 and SCHEMAS[n].default_file]
        from hn_geo.ground.catalog import default_path

        layers.update(load_layers([n for n in avail if default_path(n).exists()]) if any(
            default_path(n).exists() for n in avail) else {})
    layers.update(result.layers)
    color_by = dict(color_by or {})
    own = {"sections": "water_class", "control_units": "unit_type", "buildings": "kwh_per_kwp"}
    for name, gdf in result.layers.items():
        if name in color_by or (own.get(name) in gdf.columns):
            continue
        status = next((c for c in result.status_columns if c in gdf.columns), None)
        if status is not None:
            color_by[name] = status
    if title is None:
        zh, en = RESULT_TITLES.get(result.name, (result.name, result.name))
        title = zh if lang == "zh" else en
    return make_map(layers, basemap=basemap, offline=offline, lang=lang, title=title,
                    color_by=color_by, labels=result.labels, **kwargs)


def overview_map(basemap="none", offline=True, lang="zh", title=None, **kwargs):
    """The overview map of the embedded layers (control units hidden until ticked)."""
    layers = load_layers()
    if not layers:
        raise HnGeoError("no embedded layers found")
    specs = [LayerSpec(n, g, show=False if n in ("control_units", "red_line", "water_source") else None)
             for n, g in layers.items()]
    if title is None:
        title = "海宁市节能减排规划底图" if lang == "zh" else "Haining energy-saving plan: overview"
    return make_map(specs, basemap=basemap, offline=offline, lang=lang, title=title, **kwargs)
