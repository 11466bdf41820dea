"""Layer styles: one Leaflet style per feature and a legend, coloured by *codes*.

A layer is coloured by the code its column holds, before the code is turned into a word:
status codes from the vocabulary's one colour table (:mod:`hn_geo.render.palette`), value
families with a map convention (``water_class``, ``unit_type``, ``project_status``) from
their palettes, other families and text by a qualitative palette, numbers by a colour ramp.
Which family a column holds is said by the layer's ``codes`` (``AnalysisResult.codes``, or
the catalog's field families); a few catalog columns carry their family by convention
(:mod:`.families`).

:data:`STYLES` maps a layer name to ``func(spec, gdf, lang) -> LayerStyle``; layers without
a registered style are styled from their columns (:func:`generic_style`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import branca.colormap as cm
import numpy as np
import pandas as pd

from hn_geo import vocabulary
from hn_geo.core.status import level
from hn_geo.render import palette
from hn_geo.render.labels import column_label, ui, value_word
from hn_geo.render.maps import compact
from hn_geo.render.maps.families import column_family
from hn_geo.render.maps.geometry import geom_kind
from hn_geo.render.maps.legends import legend_categories, legend_ramp
from hn_geo.render.maps.values import format_number, is_numeric, missing

NO_DATA = palette.NO_DATA
QUALITATIVE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
               "#8dd3c7", "#fb8072", "#80b1d3", "#fdb462")
SEARCHABLE = ("towns", "sections")
YLORRD_7 = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026")


@dataclass
class LayerStyle:
    """Per-feature Leaflet styles of one layer and its legend.

    Attributes
    ----------
    styles : list of dict
        One Leaflet path style per feature (``color``, ``weight``, ``fillColor``,
        ``fillOpacity``, ``radius`` for points...).
    legend : str or None
        Legend HTML (None: no legend).
    show : bool
        Layer shown when the map opens.
    searchable : bool
        Feature names go into the search box.
    tooltip : str or None
        Column shown on hover.
    """

    styles: list
    legend: str | None = None
    show: bool = True
    searchable: bool = False
    tooltip: str | None = None
    extra: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------- building blocks
def uniform(n, style):
    return [dict(style) for _ in range(n)]


def base(kind, color="#3b6ea5", fill="#9ecae1", fill_opacity=0.45, weight=1.2):
    """The default style of a point, line or polygon layer."""
    if kind == "point":
        return {"color": "#333333", "weight": 1, "fill": True, "fillColor": fill, "fillOpacity": 0.9,
                "radius": 6}
    if kind == "line":
        return {"color": color, "weight": 2.2, "opacity": 0.9, "fill": False}
    return {"color": color, "weight": weight, "fill": True, "fillColor": fill, "fillOpacity": fill_opacity}


def _paint(kind):
    return "color" if kind == "line" else "fillColor"


def _legend_kind(kind):
    return "circle" if kind == "point" else "swatch"


def categorical(values, colours, base_style, field_name="fillColor", missing_colour=NO_DATA):
    """Styles colouring ``field_name`` by category (``colours``: value -> colour)."""
    out = []
    for v in values:
        s = dict(base_style)
        s[field_name] = missing_colour if missing(v) else colours.get(v, missing_colour)
        out.append(s)
    return out


def choropleth(values, base_style, colormap, field_name="fillColor", levels=64):
    """Styles with ``field_name`` from a branca colormap (NaN -> the no-data grey).

    Values are snapped to ``levels`` steps of the colormap's range (invisible on screen) so
    a layer of many features shares a small table of styles.
    """
    lo, hi = colormap.vmin, colormap.vmax
    out = []
    for v in values:
        s = dict(base_style)
        if missing(v):
            s[field_name] = NO_DATA
        else:
            q = lo + round((min(max(float(v), lo), hi) - lo) / (hi - lo) * levels) * (hi - lo) / levels
            s[field_name] = colormap.rgb_hex_str(q)
        out.append(s)
    return out


def make_colormap(values, ramp="YlOrRd"):
    """A branca LinearColormap over the finite range of ``values``."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
    if hi <= lo:
        hi = lo + 1.0
    scheme = getattr(cm.linear, f"{ramp}_09", None) or cm.linear.YlOrRd_09
    return scheme.scale(lo, hi)


# ----------------------------------------------------------------------------- column styles
def numeric_style(gdf, column, title, kind=None, ramp="YlOrRd"):
    """Choropleth (polygons, lines) or coloured points of a numeric column, with a ramp legend."""
    kind = kind or geom_kind(gdf)
    values = pd.to_numeric(gdf[column], errors="coerce")
    cmap = make_colormap(values, ramp)
    b = base(kind)
    if kind == "polygon":
        b.update(fillOpacity=0.7, color="#555555", weight=0.8)
    return LayerStyle(choropleth(values.tolist(), b, cmap, _paint(kind)), legend_ramp(title, cmap))


def status_style(gdf, column, title, lang):
    """Status codes coloured from the vocabulary's status table, with a legend of their words."""
    kind = geom_kind(gdf)
    vals = [v if palette.is_status(v) else None for v in gdf[column].tolist()]
    colours = {c: palette.status_colour(c) for c in set(vals) if c is not None}
    b = base(kind)
    if kind == "point":  # a dark outline: the dot reads on any coloured area beneath
        b.update(color="#1a1a1a", weight=1.5, radius=7, fillOpacity=1.0)
    styles = categorical(vals, colours, b, _paint(kind))
    items = [(vocabulary.word("status", c, lang), colours[c]) for c in palette.status_order(colours)]
    if any(v is None for v in vals):
        items.append((vocabulary.word("status", "no_data", lang), NO_DATA))
    return LayerStyle(styles, legend_categories(title, items, _legend_kind(kind)))


def _family_word(family, code, lang, scope):
    return vocabulary.word(family, code, lang, palette.FAMILY_SCOPES.get(family, scope), default=code)


def family_style(gdf, column, family, title, lang, scope=None):
    """Codes of a family with a colour convention (unit_type, project_status, water_class)."""
    kind = geom_kind(gdf)
    colours = palette.FAMILY_COLOURS[family]
    vals = [palette.family_code(family, v) for v in gdf[column].tolist()]
    styles = categorical(vals, colours, base(kind), _paint(kind))
    items = [(_family_word(family, c, lang, scope), colours[c]) for c in colours if c in set(vals)]
    if any(v is None for v in vals):
        items.append((vocabulary.word("status", "no_data", lang), NO_DATA))
    return LayerStyle(styles, legend_categories(title, items, _legend_kind(kind)))


def water_class_style(gdf, column, title, lang, *, status=None, status_title=None, scope=None):
    """Water-class colours (环办〔2011〕22号) for points, lines or polygons.

    Points of a layer with a ``status`` column (met / not_met ...) get an outline in the
    status colour, thick where the status is bad.
    """
    kind = geom_kind(gdf)
    b = base(kind)
    if kind == "point":
        b.update(radius=7, weight=1.2)
    colours = palette.FAMILY_COLOURS["water_class"]
    vals = [palette.family_code("water_class", v) for v in gdf[column].tolist()]
    styles = categorical(vals, colours, b, _paint(kind))
    items = [(ui("class_legend", lang, cls=_family_word("water_class", c, lang, scope),
                 quality=value_word("water_quality", c, lang)), colours[c])
             for c in palette.WATER_CLASSES if c in set(vals)]
    if any(v is None for v in vals):
        items.append((vocabulary.word("status", "no_data", lang), NO_DATA))
    legend = legend_categories(title, items, _legend_kind(kind))
    if status is not None and kind == "point":
        codes = [v if palette.is_status(v) else None for v in gdf[status].tolist()]
        for s, code in zip(styles, codes):
            if code is not None:
                s["color"] = palette.status_colour(code)
                s["weight"] = 3 if level(code) == "bad" else 1.2
        present = palette.status_order(codes)
        legend += legend_categories(status_title, [
            (ui("outline_thick" if level(c) == "bad" else "outline_thin", lang,
                status=vocabulary.word("status", c, lang)), palette.status_colour(c)) for c in present], "line")
    return LayerStyle(styles, legend)


def target_class_style(gdf, column, title, lang, scope=None):
    """Target water classes: rings (white inside, the class colour around) with words such as
    "III类目标", so that a target never reads as a measured class (filled, with quality words)."""
    kind = geom_kind(gdf)
    colours = palette.FAMILY_COLOURS["water_class"]
    vals = [palette.family_code("water_class", v) for v in gdf[column].tolist()]
    b = base(kind)
    if kind == "point":
        b.update(radius=6, weight=3.5, fillColor="#ffffff", fillOpacity=1.0)
    styles = categorical(vals, colours, b, "color")
    items = [(ui("legend_target_class", lang, cls=_family_word("water_class", c, lang, scope)), colours[c])
             for c in palette.WATER_CLASSES if c in set(vals)]
    if any(v is None for v in vals):
        items.append((vocabulary.word("status", "no_data", lang), NO_DATA))
    return LayerStyle(styles, legend_categories(title, items, "ring" if kind == "point" else "line"))


def quantile_style(gdf, column, title, lang, n_classes=7, ramp=YLORRD_7):
    """Quantile classes of a numeric column (equal counts per class): what differs between
    features shows even when the values cluster, with a legend of the class ranges."""
    cls, breaks = compact.quantile_classes(gdf[column], n_classes)
    colours = list(ramp[:n_classes])
    b = base(geom_kind(gdf))
    styles = []
    for c in cls.tolist():
        st = dict(b)
        st["fillColor"] = NO_DATA if c == 255 else colours[c]
        styles.append(st)
    items = [(ui("legend_range", lang, lo=format_number(breaks[k]), hi=format_number(breaks[k + 1])), colours[k])
             for k in range(n_classes) if breaks[k + 1] > breaks[k] or k == 0]
    if (cls == 255).any():
        items.append((vocabulary.word("status", "no_data", lang), NO_DATA))
    return LayerStyle(styles, legend_categories(title, items, "swatch"),
                      extra={"classes": cls, "colours": colours, "aggregate": "mean", "no_data": NO_DATA})


def category_style(gdf, column, title, lang, words=None, colours=None):
    """Categorical colours (a qualitative palette) with a legend; ``words``: value -> label."""
    kind = geom_kind(gdf)
    vals = [None if missing(v) else (bool(v) if isinstance(v, (bool, np.bool_)) else str(v))
            for v in gdf[column].tolist()]
    if colours is None:
        cats = sorted({v for v in vals if v is not None}, key=str)
        colours = {c: QUALITATIVE[k % len(QUALITATIVE)] for k, c in enumerate(cats)}
    styles = categorical(vals, colours, base(kind), _paint(kind))
    words = words or {}
    items = [(words.get(c, c), colours[c]) for c in colours if c in set(vals)]
    if any(v is None for v in vals):
        items.append((vocabulary.word("status", "no_data", lang), NO_DATA))
    return LayerStyle(styles, legend_categories(title, items, _legend_kind(kind)))


# ----------------------------------------------------------------------------- by spec
def status_columns(spec, gdf):
    """Columns of a layer holding status codes."""
    return [c for c, fam in (spec.codes or {}).items() if fam == "status" and c in gdf.columns]


def title_of_column(spec, column, lang):
    return column_label(column, lang, scope=spec.scope, table=spec.name, overrides=spec.labels, any_layer=True)


def legend_title(spec, column, lang):
    """A legend's title: the layer and the column it is coloured by (``建设项目：审查结论``)."""
    col = title_of_column(spec, column, lang)
    return ui("legend_layer_column", lang, layer=spec.title, column=col) if spec.title else col


def column_style(spec, gdf, column, lang):
    """The style of a layer coloured by ``column``, chosen by the column's family or dtype."""
    title = legend_title(spec, column, lang)
    family = column_family(spec, column)
    values = gdf[column]
    if family == "status":
        return status_style(gdf, column, title, lang)
    if family == "water_class" and column == "target_class":
        return target_class_style(gdf, column, title, lang, spec.scope)
    if family == "water_class":
        st = next(iter(status_columns(spec, gdf)), None)
        return water_class_style(gdf, column, title, lang, status=st, scope=spec.scope,
                                 status_title=None if st is None else legend_title(spec, st, lang))
    if family in palette.FAMILY_COLOURS:
        return family_style(gdf, column, family, title, lang, spec.scope)
    if family:
        codes = {str(v) for v in values.dropna().tolist()}
        return category_style(gdf, column, title, lang,
                              {c: vocabulary.word(family, c, lang, spec.scope) for c in codes})
    if pd.api.types.is_bool_dtype(values) or _all_bool(values):
        return category_style(gdf, column, title, lang,
                              {True: vocabulary.ui("yes", lang), False: vocabulary.ui("no", lang)})
    if is_numeric(values):
        return numeric_style(gdf, column, title)
    return category_style(gdf, column, title, lang)


def _all_bool(s):
    vals = s.dropna()
    return s.dtype == object and len(vals) > 0 and all(isinstance(v, (bool, np.bool_)) for v in vals)


def generic_style(spec, gdf, lang):
    """Style of a layer with no registered style: by ``color_by``, its first status column,
    a column of a coloured family, else plain."""
    col = spec.color_by or next(iter(status_columns(spec, gdf)), None) or next(
        (c for c in gdf.columns if column_family(spec, c) in palette.FAMILY_COLOURS), None)
    if col is None:
        s = LayerStyle(uniform(len(gdf), base(geom_kind(gdf))))
    else:
        s = column_style(spec, gdf, col, lang)
    s.tooltip = "name" if "name" in gdf.columns else None
    return s
