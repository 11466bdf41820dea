"""Map layers: what a layer is (:class:`LayerSpec`) and how it becomes a Leaflet layer.

A layer knows where its words come from: ``scope`` is the vocabulary block of its labels
and value families (``'ground'`` for catalog layers, the analysis name for result layers)
and ``codes`` says which columns hold codes of which family. Popups, tooltips, legends and
search entries show the presented words in the map's language.
"""
from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.render.labels import GROUND, is_catalog_layer, layer_title, ui
from hn_geo.render.maps import compact, registry
from hn_geo.render.maps.elements import FeatureLayer, PointsLayer, ShapesLayer, js_json
from hn_geo.render.maps.geometry import geom_kind
from hn_geo.render.maps.legends import legend_circles
from hn_geo.render.maps.values import encode_columns, is_numeric, missing, shown_values

# layers drawn in this order (bottom to top); unknown layers go between polygons and lines
DRAW_ORDER = ("neighbors", "towns", "control_units", "water_source", "red_line", "parks", "buildings",
              "rivers", "boundary", "projects", "violations", "sections", "emission_points")
CONTEXT_LAYERS = ("neighbors",)  # drawn, but the map opens on the other layers
HIDDEN_FIELDS = {"seat_lon", "seat_lat", "_i"}
SIZE_COLUMNS = ("load", "load_t", "vocs_t", "nox_t", "cod_t", "nh3n_t", "energy_tce")
POINTS_AS_CANVAS = 3000  # point layers larger than this are drawn by PointsLayer
SHAPES_MIN = 2000  # polygon layers larger than this go to the page in the compact encoding
MARKER_PANE = "hnMarkerPane"  # point layers (SVG), above the canvas of graduated points (z 450)


@dataclass
class LayerSpec:
    """One layer of a map.

    Parameters
    ----------
    name : str
        Layer key: a catalog name ('towns', 'sections', ...) or a result layer's name; it
        selects the style (:data:`hn_geo.render.maps.registry.STYLES`) and, with ``scope``,
        the labels (``<name>.<column>`` entries of the vocabulary).
    gdf : geopandas.GeoDataFrame
        Features, any CRS (re-projected to WGS84 for display).
    title : str, optional
        Name in the layer control and legends (the vocabulary's layer title by default).
    color_by : str, optional
        Column to colour (numeric -> choropleth, codes -> their colours, text ->
        categories) or, for graduated points, to size the circles by.
    labels : dict, optional
        ``{column: label or (zh, en)}`` for columns the vocabulary does not know (a user's
        own columns; the labels of a 0.1 result).
    fields : list of str, optional
        Popup columns (all but a few technical ones by default).
    show : bool, optional
        Visible when the map opens (style default otherwise).
    graduated : bool, optional
        Draw points as graduated circles on a canvas (default: emission points, and point
        layers of more than 3000 features).
    scope : str, optional
        Vocabulary block of the layer's words: 'ground' (the default for catalog layer
        names) or an analysis name.
    codes : dict, optional
        ``{column: value family}`` of coded columns ('status' for status codes).
    id_field : str, optional
        Id column shown beside the name in search results.
    """

    name: str
    gdf: gpd.GeoDataFrame
    title: str | None = None
    color_by: str | None = None
    labels: dict | None = None
    fields: list | None = None
    show: bool | None = None
    graduated: bool | None = None
    scope: str | None = None
    codes: dict = field(default_factory=dict)
    id_field: str | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.scope is None and is_catalog_layer(self.name):
            self.scope = GROUND


def as_specs(layers):
    """LayerSpec objects from ``{name: GeoDataFrame}``, ``(name, gdf)`` pairs or LayerSpecs."""
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


def checked(specs, color_by=None):
    """Check the layers of a map; features without geometry are left off with a warning."""
    if not specs:
        raise HnGeoError(code="render.no_layers")
    color_by = dict(color_by or {})
    unknown = set(color_by) - {s.name for s in specs}
    if unknown:
        raise HnGeoError(code="render.color_by_not_on_map", params={"layers": sorted(unknown)})
    for s in specs:
        if s.name in color_by and s.color_by is None:
            s.color_by = color_by[s.name]
        if not isinstance(s.gdf, gpd.GeoDataFrame) or s.gdf.crs is None:
            raise HnGeoError(code="render.layer_no_crs", params={"layer": s.name})
        if len(s.gdf) == 0:
            raise HnGeoError(code="render.layer_empty", params={"layer": s.name})
        geoms = np.asarray(s.gdf.geometry.values)
        empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        if empty.all():
            raise HnGeoError(code="render.layer_no_geometry", params={"layer": s.name, "n": len(geoms)})
        if empty.any():
            warnings.warn(HnGeoWarning("render.features_left_off", layer=s.name, n=int(empty.sum()),
                                       total=len(geoms)), stacklevel=3)
            s.gdf = s.gdf[~empty]
    return order(specs)


def order(specs):
    """Specs in drawing order (:data:`DRAW_ORDER`, unknown layers by geometry type)."""
    def key(ispec):
        i, spec = ispec
        if spec.name in DRAW_ORDER:
            return (DRAW_ORDER.index(spec.name), i)
        kind = geom_kind(spec.gdf)
        return ({"polygon": DRAW_ORDER.index("buildings"), "line": DRAW_ORDER.index("rivers"),
                 "point": DRAW_ORDER.index("sections")}[kind], i)
    return [s for _, s in sorted(enumerate(specs), key=key)]


def title_of(spec, lang):
    """Display name: given title, the vocabulary's layer title, a 0.1 label, else the name."""
    if spec.title:
        return spec.title
    found = layer_title(spec.name, lang, scope=spec.scope, default="")
    if found:
        return found
    lab = (spec.labels or {}).get(spec.name)
    if lab is not None:
        return lab if isinstance(lab, str) else lab[0 if lang == "zh" else 1]
    return spec.name


def popup_fields(spec, gdf):
    if spec.fields is not None:
        absent = [f for f in spec.fields if f not in gdf.columns]
        if absent:
            raise HnGeoError(code="render.popup_fields", params={"layer": spec.name, "columns": absent})
        return list(spec.fields)
    return [c for c in gdf.columns if c != gdf.geometry.name and c not in HIDDEN_FIELDS]


def feature_json(gdf, styles):
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


def geojson_layer(spec, gdf, style, labels, lang, show):
    """A :class:`FeatureLayer` of a styled layer with its popups."""
    fields = popup_fields(spec, gdf)
    fc_json, table = feature_json(gdf, style.styles)
    cols_json = js_json(encode_columns(shown_values(gdf, fields, spec, lang), fields, labels))
    tooltip = fields.index(style.tooltip) if style.tooltip in fields else None
    options = {"styles": table, "title": spec.title, "markerPane": MARKER_PANE, "tooltip": tooltip}
    return FeatureLayer('{"fc":' + fc_json + ',"cols":' + cols_json + "}", options, name=spec.title,
                        show=show)


def style_classes(styles):
    """Class index of each feature's fill colour, and the colours (a small style table)."""
    colours, cls = [], np.empty(len(styles), dtype=np.uint8)
    index = {}
    for i, st in enumerate(styles):
        c = st.get("fillColor") or st.get("color") or "#3388ff"
        if c not in index and len(colours) < 255:  # ramps are snapped to 64 levels: never more
            index[c] = len(colours)
            colours.append(c)
        cls[i] = index.get(c, 254)
    return cls, colours


def shapes_layer(spec, gdf, style, labels, lang, show, detail_zoom=None):
    """A :class:`ShapesLayer` (compact typed arrays) of a large polygon layer, and the order
    of its features as stored (spatially sorted)."""
    fields = popup_fields(spec, gdf)
    # numbers go to the page as numbers: only the other columns need their display text
    values = shown_values(gdf, [c for c in fields if not is_numeric(gdf[c])], spec, lang)
    cls = style.extra.get("classes")
    colours = style.extra.get("colours")
    if cls is None:
        cls, colours = style_classes(style.styles)
    data, order = compact.shapes_payload(gdf, fields, values, labels, cls)
    first = style.styles[0] if style.styles else {}
    if detail_zoom is None:
        b = projected_bounds(np.asarray(gdf.geometry.values), gdf.crs, "EPSG:4549")
        detail_zoom = compact.detail_zoom_for(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]))
    tooltip = fields.index(style.tooltip) if style.tooltip in fields else None
    options = {"colours": list(colours), "title": spec.title, "detailZoom": int(detail_zoom),
               "weight": float(first.get("weight", 0.6)), "fillOpacity": float(first.get("fillOpacity", 0.85)),
               "noData": style.extra.get("no_data", "#bdbdbd"), "tooltip": tooltip,
               "aggregate": style.extra.get("aggregate", "mode")}
    return ShapesLayer(data, options, name=spec.title, show=show), order


def projected_bounds(geoms, src, dst):
    """(minx, miny, maxx, maxy) of each geometry reprojected to ``dst``, from its transformed
    vertices alone: the bounds ``to_crs`` would give, without building the geometries."""
    xy, owner = shapely.get_coordinates(geoms, return_index=True)
    x, y = pyproj.Transformer.from_crs(src, dst, always_xy=True).transform(xy[:, 0], xy[:, 1])
    out = np.full((len(geoms), 4), np.nan)
    if len(owner):
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        rows = owner[starts]
        out[rows, 0], out[rows, 1] = np.minimum.reduceat(x, starts), np.minimum.reduceat(y, starts)
        out[rows, 2], out[rows, 3] = np.maximum.reduceat(x, starts), np.maximum.reduceat(y, starts)
    return out


def points_payload(gdf, fields, values, labels, size_col, decimals):
    """Compact arrays for :class:`PointsLayer`, sorted so bigger classes are drawn on top."""
    if size_col is not None:
        cls, breaks = registry.graduated_classes(gdf[size_col])
    else:
        cls, breaks = np.zeros(len(gdf), dtype=np.int8), None
    order_ = np.argsort(cls, kind="stable")
    g = gdf.iloc[order_]
    cls = cls[order_]
    pts = np.asarray(g.geometry.values)
    if not set(g.geom_type.unique()) <= {"Point"}:
        pts = shapely.centroid(pts)
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    scale = 10.0 ** -decimals
    x0, y0 = float(np.floor(x.min() / scale) * scale), float(np.floor(y.min() / scale) * scale)
    xi = np.round((x - x0) / scale).astype(np.int64)
    yi = np.round((y - y0) / scale).astype(np.int64)
    sorted_values = {c: v.iloc[order_].reset_index(drop=True) for c, v in values.items()}
    cols = encode_columns(sorted_values, fields, labels)
    data = {"n": int(len(g)), "x0": round(x0, decimals), "y0": round(y0, decimals), "scale": scale,
            "x": xi.tolist(), "y": yi.tolist(), "k": "".join(map(str, cls.tolist())), "cols": cols}
    return data, breaks


def _size_column(spec, gdf):
    if spec.color_by is not None and spec.color_by not in gdf.columns:
        raise HnGeoError(code="render.no_column", params={
            "layer": spec.name, "column": spec.color_by,
            "columns": [c for c in gdf.columns if c != gdf.geometry.name]})
    size_col = spec.color_by or next((c for c in SIZE_COLUMNS if c in gdf.columns and is_numeric(gdf[c])), None)
    if size_col is not None and not is_numeric(gdf[size_col]):
        raise HnGeoError(code="render.size_not_numeric", params={"layer": spec.name, "column": size_col})
    return size_col


def points_layer(spec, gdf, labels, lang, show, decimals):
    """A :class:`PointsLayer` of graduated circles, and its legend."""
    size_col = _size_column(spec, gdf)
    fields = popup_fields(spec, gdf)
    values = shown_values(gdf, fields, spec, lang)
    data, breaks = points_payload(gdf, fields, values, labels, size_col, decimals)
    n_cls = len(registry.POINT_CLASS_RADII)
    options = {"radii": list(registry.POINT_CLASS_RADII), "fill": list(registry.POINT_CLASS_COLORS),
               "stroke": "#5a3000", "title": spec.title}
    legend = None
    if size_col is not None:
        legend = legend_circles(ui("legend_size", lang, layer=spec.title, column=labels[size_col]),
                                breaks, registry.POINT_CLASS_RADII, registry.POINT_CLASS_COLORS)
    else:
        options["radii"] = [4] * n_cls
    return PointsLayer(data, options, name=spec.title, show=show), legend


def one_look(styles):
    """All styles alike but for the line weight (e.g. sea-entry rivers drawn thicker)."""
    first = {k: v for k, v in styles[0].items() if k != "weight"}
    return all({k: v for k, v in st.items() if k != "weight"} == first for st in styles)


def search_entries(spec, gdf, var, lang):
    """``[text, layer variable, feature index, alias]`` of every named feature of a layer.

    A layer with ``name_en`` is listed by its English name on English maps; the other
    language's name is the alias the search also matches (海宁 finds Haining and back).
    """
    col = next((c for c in ("name", "town") if c in gdf.columns), None)
    if col is None:
        return []
    names = gdf[col].tolist()
    other = [None] * len(gdf)
    if "name_en" in gdf.columns:
        en = [None if missing(v) else str(v) for v in gdf["name_en"].tolist()]
        names, other = ([e if e else n for e, n in zip(en, names)], names) if lang == "en" else (names, en)
    ids = gdf[spec.id_field].tolist() if spec.id_field in gdf.columns else [None] * len(gdf)
    out = []
    for i, (nm, fid, alias) in enumerate(zip(names, ids, other)):
        if missing(nm):
            continue
        text = str(nm) if fid is None or str(fid) == str(nm) else ui("search_entry", lang, name=nm, id=fid)
        entry = [ui("search_layer", lang, entry=text, layer=spec.title), var, i]
        out.append(entry + [str(alias)] if not missing(alias) else entry)
    return out


def has_approximate(gdf):
    """Whether any feature is flagged approximate or synthetic."""
    return "approximate" in gdf.columns and any(not missing(v) and bool(v) for v in gdf["approximate"].tolist())
