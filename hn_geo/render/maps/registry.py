"""The style registry: how each named layer is drawn, and graduated point classes.

:data:`STYLES` maps a layer name (catalog layers such as ``'towns'``, and result layers of
the same name) to ``func(spec, gdf, lang) -> LayerStyle``; :func:`style_for` picks the
registered style, or the style of a layer's columns (:func:`~.styles.generic_style`) for
other layers and for text columns given as ``color_by``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError
from hn_geo.render.labels import ui
from hn_geo.render.maps.geometry import geom_kind
from hn_geo.render.maps.legends import legend_categories
from hn_geo.render.maps.styles import (
    SEARCHABLE,
    LayerStyle,
    base,
    column_style,
    generic_style,
    numeric_style,
    quantile_style,
    status_columns,
    title_of_column,
    uniform,
)
from hn_geo.render.maps.values import is_numeric


def style_boundary(spec, gdf, lang):
    st = {"color": "#222222", "weight": 3, "fillOpacity": 0, "fill": False, "dashArray": None}
    return LayerStyle(uniform(len(gdf), st), tooltip="name")


def style_neighbors(spec, gdf, lang):
    st = {"color": "#9a9a9a", "weight": 1, "fill": True, "fillColor": "#e4e4e4", "fillOpacity": 0.6}
    return LayerStyle(uniform(len(gdf), st), tooltip="name")


def name_column(gdf):
    """The column naming a layer's features: ``name``, else ``town`` (result layers of towns)."""
    return next((c for c in ("name", "town") if c in gdf.columns), None)


def style_towns(spec, gdf, lang):
    """Towns: by ``color_by``, else by the result's first status column (the targets map:
    each town's progress), else plain; named in tooltips and the search box."""
    if spec.color_by:
        s = numeric_style(gdf, spec.color_by, title_of_column(spec, spec.color_by, lang), "polygon")
    elif status_columns(spec, gdf):
        s = column_style(spec, gdf, status_columns(spec, gdf)[0], lang)
        for st in s.styles:
            st.update(color="#6b5b3e", weight=1.2, fillOpacity=0.6)
    else:
        st = {"color": "#6b5b3e", "weight": 1.2, "fill": True, "fillColor": "#fbf3dc", "fillOpacity": 0.55}
        s = LayerStyle(uniform(len(gdf), st))
    s.searchable, s.tooltip = True, name_column(gdf)
    return s


def style_parks(spec, gdf, lang):
    st = {"color": "#6a3d9a", "weight": 1.2, "fill": True, "fillColor": "#cab2d6", "fillOpacity": 0.55}
    return LayerStyle(uniform(len(gdf), st), tooltip="name")


def style_rivers(spec, gdf, lang):
    styles = uniform(len(gdf), {"color": "#2b7bba", "weight": 2, "opacity": 0.9})
    if "sea_entry" in gdf.columns:
        for s, v in zip(styles, gdf["sea_entry"].tolist()):
            if v is True or (isinstance(v, (bool, np.bool_)) and bool(v)):
                s["weight"] = 3.5
    return LayerStyle(styles, tooltip="name")


def style_sections(spec, gdf, lang):
    col = spec.color_by or next((c for c in ("water_class", "target_class") if c in gdf.columns), None)
    # (target_class is drawn as rings with "III类目标" words: a target, not a measured class)
    if col is None:
        s = LayerStyle(uniform(len(gdf), base("point", fill="#2b7bba")))
    elif is_numeric(gdf[col]):
        s = numeric_style(gdf, col, title_of_column(spec, col, lang), "point")
    else:
        s = column_style(spec, gdf, col, lang)
    s.searchable, s.tooltip = True, "name"
    return s


def style_control_units(spec, gdf, lang):
    col = spec.color_by or ("unit_type" if "unit_type" in gdf.columns else None)
    if col == "unit_type":
        s = column_style(spec, gdf, col, lang)
        for st in s.styles:
            st.update(fillOpacity=0.45, weight=0.8, color="#555555")
    else:
        s = generic_style(spec, gdf, lang)
    s.show, s.tooltip = True, "name"
    return s


def style_violations(spec, gdf, lang):
    """Projects failing the access list: a red ring around each (drawn above the projects, so
    both stay clickable), a red dashed outline around a plot."""
    kind = geom_kind(gdf)
    if kind == "point":
        st = {"color": "#b2182b", "weight": 3, "fill": False, "fillOpacity": 0, "radius": 12}
    else:
        st = {"color": "#b2182b", "weight": 3, "fill": False, "fillOpacity": 0, "dashArray": "6 4"}
    styles = uniform(len(gdf), st)
    if kind != "point":  # points of a mixed layer keep the ring
        for s_, g in zip(styles, gdf.geom_type.tolist()):
            if g in ("Point", "MultiPoint"):
                s_.update(radius=12, dashArray=None)
    legend = legend_categories(None, [(ui("legend_violation", lang), "#b2182b")], "ring")
    return LayerStyle(styles, legend, tooltip="name" if "name" in gdf.columns else None)


def style_red_line(spec, gdf, lang):
    st = {"color": "#c00000", "weight": 2, "fill": True, "fillColor": "#ff6060", "fillOpacity": 0.25,
          "dashArray": "6 3"}
    return LayerStyle(uniform(len(gdf), st), tooltip="name")


def style_water_source(spec, gdf, lang):
    st = {"color": "#08519c", "weight": 1.5, "fill": True, "fillColor": "#6baed6", "fillOpacity": 0.35,
          "dashArray": "4 3"}
    return LayerStyle(uniform(len(gdf), st), tooltip="name")


BUILDING_COLUMNS = ("kwh_year", "kwp", "kwh_per_kwp")
"""Numeric columns a buildings layer is coloured by, first present first: annual yield differs
between roofs by their size, specific yield (kWh/kWp) hardly at all."""


def style_buildings(spec, gdf, lang):
    col = spec.color_by or next((c for c in BUILDING_COLUMNS if c in gdf.columns and is_numeric(gdf[c])), None)
    if col is not None and is_numeric(gdf[col]):
        title = ui("legend_quantiles", lang, layer=spec.title, column=title_of_column(spec, col, lang), n=7)
        s = quantile_style(gdf, col, title, lang)
        for st in s.styles:  # outline in the fill colour: roofs smaller than a pixel keep their colour
            st.update(weight=0.5, fillOpacity=0.85, color=st["fillColor"])
        s.tooltip = "building_id" if "building_id" in gdf.columns else None
        return s
    col = col or ("building_type" if "building_type" in gdf.columns else None)
    if col is not None:
        s = column_style(spec, gdf, col, lang)
        for st in s.styles:
            st.update(weight=0.4, fillOpacity=0.8, color="#444444")
        return s
    return LayerStyle(uniform(len(gdf), {"color": "#444444", "weight": 0.4, "fill": True,
                                         "fillColor": "#999999", "fillOpacity": 0.8}))


STYLES = {
    "boundary": style_boundary,
    "neighbors": style_neighbors,
    "towns": style_towns,
    "parks": style_parks,
    "rivers": style_rivers,
    "sections": style_sections,
    "control_units": style_control_units,
    "red_line": style_red_line,
    "water_source": style_water_source,
    "buildings": style_buildings,
    "violations": style_violations,
}


def register_style(name, func):
    """Register ``func(spec, gdf, lang) -> LayerStyle`` for layers called ``name``."""
    STYLES[name] = func
    return func


def style_for(spec, gdf, lang="zh"):
    """The :class:`~.styles.LayerStyle` of a layer (registered by name, else from its columns).

    Raises
    ------
    HnGeoError
        ``spec.color_by`` names a column the layer does not have.
    """
    col = spec.color_by
    if col is not None and col not in gdf.columns:
        raise HnGeoError(code="render.no_column", params={
            "layer": spec.name, "column": col,
            "columns": [c for c in gdf.columns if c != gdf.geometry.name]})
    func = STYLES.get(spec.name)
    if func is None or (col is not None and not is_numeric(gdf[col]) and spec.name != "sections"):
        s = generic_style(spec, gdf, lang)  # text columns (codes, categories) of any layer
        s.searchable = spec.name in SEARCHABLE
        return s
    return func(spec, gdf, lang)


# ----------------------------------------------------------------------------- graduated points
POINT_CLASS_COLORS = ("#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404")
POINT_CLASS_RADII = (2.5, 3.5, 5, 7, 10)
POINT_QUANTILES = (0.0, 0.5, 0.8, 0.95, 0.99, 1.0)


def graduated_classes(values, quantiles=POINT_QUANTILES):
    """Class index (0..len(quantiles)-2) of each value by quantile breaks, and the breaks.

    Breaks are quantiles of the positive values (loads are heavy-tailed and often zero for
    a pollutant a source does not emit), with fine classes at the top (95th, 99th
    percentiles) where the large sources are. Zero and missing values fall in class 0.
    """
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    finite = v[np.isfinite(v)]
    positive = finite[finite > 0]
    if positive.size == 0:
        return np.zeros(len(v), dtype=np.int8), np.zeros(len(quantiles))
    breaks = np.maximum.accumulate(np.quantile(positive, quantiles))
    breaks[0] = min(breaks[0], finite.min())
    cls = np.searchsorted(breaks[1:-1], np.where(np.isfinite(v), v, -np.inf), side="right")
    return cls.astype(np.int8), breaks
