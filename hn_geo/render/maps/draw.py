"""Drawing one layer of a map: which Leaflet layer it becomes, its legend, labels and search.

A layer becomes one of four kinds, chosen by its geometry and size:

* ``points`` -- many points as graduated circles on a canvas (:class:`~.elements.PointsLayer`);
* ``shapes`` -- a large polygon layer (more than :data:`~.layers.SHAPES_MIN` features) in the
  compact typed-array encoding of :mod:`.compact`, drawn in Leaflet's canvas
  (:class:`~.elements.ShapesLayer`);
* ``lines`` -- a polygon layer drawn as an outline only (the city boundary): its rings go to
  the page as lines, so only the line answers clicks and hovers, not the whole area inside;
* ``geojson`` -- everything else (:class:`~.elements.FeatureLayer`).
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from hn_geo.render.maps import layers as L
from hn_geo.render.maps.geometry import geom_kind, simplify_for_map
from hn_geo.render.maps.legends import legend_key
from hn_geo.render.maps.registry import style_for
from hn_geo.render.maps.values import field_labels, missing

LABELLED = {"towns": ("name", 0), "rivers": ("name", 1), "parks": ("name", 2)}
"""Layers whose features get a name label on the map: ``{layer: (column, zooms past the
city view from which labels show)}``."""


@dataclass
class Drawn:
    """What the layers of a map added to the page (for its tools and for tests)."""

    legends: list = field(default_factory=list)
    approx: list = field(default_factory=list)
    search: list = field(default_factory=list)
    info: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    order: list = field(default_factory=list)
    minimap: dict | None = None


def outline_only(styles):
    """Every feature drawn without fill (an outline such as the city boundary)."""
    return bool(styles) and all(st.get("fill") is False or st.get("fillOpacity") == 0 for st in styles)


def as_outline(gdf):
    """The layer with its polygons replaced by their rings (lines), attributes kept; points
    of a mixed layer stay points."""
    geoms = np.asarray(gdf.geometry.values).copy()
    poly = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    geoms[poly] = shapely.boundary(geoms[poly])
    return gdf.set_geometry(gpd.GeoSeries(geoms, crs=gdf.crs, index=gdf.index))


def _show(spec, default):
    return default if spec.show is None else spec.show


def _label_point(geom):
    if geom.geom_type in ("LineString", "MultiLineString"):
        line = max(shapely.get_parts(geom), key=lambda g: g.length)
        return line.interpolate(0.5, normalized=True)
    return geom.representative_point()


def map_labels(spec, gdf, var, lang, fit_zoom):
    """``[layer variable, min zoom, [[lat, lon, text], ...], layer]`` of a labelled layer, or None.

    Rivers are labelled once per name at the middle of their longest reach; English maps
    use ``name_en`` where the layer has it.
    """
    if spec.name not in LABELLED:
        return None
    col, dz = LABELLED[spec.name]
    col = col if col in gdf.columns else ("town" if spec.name == "towns" and "town" in gdf.columns else None)
    if col is None:
        return None
    names = gdf["name_en"] if lang == "en" and "name_en" in gdf.columns else gdf[col]
    groups = {}
    for name, geom in zip(names.tolist(), gdf.geometry.values):
        if missing(name) or geom is None or geom.is_empty:
            continue
        groups.setdefault(str(name), []).append(geom)
    out = []
    for name, geoms in groups.items():
        geom = max(geoms, key=lambda g: g.length if spec.name == "rivers" else g.area)
        p = _label_point(geom)
        out.append([round(p.y, 5), round(p.x, 5), name])
    return [var, int(fit_zoom + dz), out, spec.name] if out else None


def _unfilled(style):
    return dataclasses.replace(style, styles=[{**st, "fillOpacity": 0.0} for st in style.styles])


def _geojson(m, spec, g, sp, lang, labels, drawn, outline=False):
    gs = simplify_for_map(g, sp["tolerance_m"], sp["decimals"])
    style = style_for(spec, gs, lang)
    if outline:
        style = _unfilled(style)
    kind = "geojson"
    shown = gs
    if geom_kind(gs) == "polygon" and outline_only(style.styles):
        shown, kind = as_outline(gs), "lines"
    layer = L.geojson_layer(spec, shown, style, labels, lang, _show(spec, style.show))
    legend = style.legend
    if legend is None and style.styles and L.one_look(style.styles):
        legend = legend_key(spec.title, style.styles[0], "line" if kind == "lines" else geom_kind(gs))
    if style.searchable:
        drawn.search += L.search_entries(spec, gs, layer.get_name(), lang)
    if spec.name in ("boundary", "towns") and drawn.minimap is None:
        mg = simplify_for_map(g, sp["tolerance_m"] * 16, max(4, sp["decimals"] - 1))
        drawn.minimap = json.loads(mg[[mg.geometry.name]].to_json())
    lab = map_labels(spec, gs, layer.get_name(), lang, sp["fit_zoom"])
    if lab:
        drawn.labels.append(lab)
    return layer, legend, kind, len(gs)


def _shapes(m, spec, g, lang, labels, outline=False):
    gs = simplify_for_map(g, 0, 7)  # the compact encoding quantises to 0.5 m itself
    style = style_for(spec, gs, lang)
    if outline:
        style = _unfilled(style)
    layer, _ = L.shapes_layer(spec, gs, style, labels, lang, _show(spec, style.show))
    legend = style.legend
    if legend is None and style.styles and L.one_look(style.styles):
        legend = legend_key(spec.title, style.styles[0], "polygon")
    return layer, legend, "shapes", len(gs)


def _points(spec, g, sp, lang, labels):
    gs = simplify_for_map(g, 0, sp["decimals"])
    layer, legend = L.points_layer(spec, gs, labels, lang, _show(spec, True), sp["decimals"])
    return layer, legend, "points", len(gs)


def add_layer(m, spec, g, sp, lang, drawn, outline=False):
    """Add one layer to the map ``m``; record its legend, labels, search entries in ``drawn``.

    ``outline``: a context layer over a raster overlay, drawn as outlines (no fill over the image).
    """
    labels = field_labels(spec, g, lang)
    kind = geom_kind(g)
    graduated = spec.graduated
    if graduated is None:
        graduated = kind == "point" and (spec.name == "emission_points" or len(g) > L.POINTS_AS_CANVAS)
    if L.has_approximate(g):
        drawn.approx.append(spec.title)
    if graduated:
        layer, legend, kind, n = _points(spec, g, sp, lang, labels)
    elif kind == "polygon" and len(g) > L.SHAPES_MIN:
        layer, legend, kind, n = _shapes(m, spec, g, lang, labels, outline)
    else:
        layer, legend, kind, n = _geojson(m, spec, g, sp, lang, labels, drawn, outline)
    drawn.info.append({"name": spec.name, "title": spec.title, "kind": kind, "var": layer.get_name(),
                       "features": n})
    drawn.order.append(layer.get_name())
    layer.add_to(m)
    if legend:
        drawn.legends.append([layer.get_name(), legend])
    return layer
