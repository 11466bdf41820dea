"""QGIS styles of share-package layers: the HTML maps' symbology as QGIS renderers.

Every layer of a share package is drawn in QGIS as on the offline maps. The colours are not
typed twice: a layer's look comes from the maps' own style registry
(:func:`hn_geo.render.maps.registry.style_for`, which colours by codes through
:mod:`hn_geo.render.palette` and the vocabulary's status table);
:mod:`hn_geo.render.qgis_looks` finds which column the map's styles follow, and this module
turns them into one of QGIS' renderers:

* one look for every feature -> a *single symbol* in the map's colours (boundary, towns);
* a coded or boolean column -> *categorised* by the words written in the GeoPackage (water
  classes, status codes, control-unit types, sea-entry rivers), with a 无数据 (no data)
  class for empty cells;
* a numeric column the map colours by a ramp or classes -> *graduated*: the map's own class
  breaks (where its colour changes), or quantile classes in the ramp's colours when the map
  uses a smooth ramp of more than :data:`MAX_CLASSES` steps (PV yield of the roofs);
* two columns (water class filled, status as the outline) -> *rule-based*, one rule per
  combination that occurs, nested under the first column's value;
* graduated points (emission sources) -> *graduated circles*, with the maps' quantile classes,
  radii and colours (:func:`~hn_geo.render.maps.registry.graduated_classes`).

Sizes are the map's pixels converted to millimetres at 96 dpi. A layer with points and
polygons (projects) gets a style per geometry type. Large layers are read from a sample
(:data:`hn_geo.render.qgis_looks.SAMPLE_ROWS`; class breaks of numeric columns from all the
values). :mod:`hn_geo.render.qgis_xml` writes the styles as QML and SLD,
:mod:`hn_geo.render.qgis_project` the project.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from dataclasses import field as _field

import numpy as np
import pandas as pd

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.render import palette
from hn_geo.render.labels import ui
from hn_geo.render.maps.families import column_family
from hn_geo.render.maps.layers import SIZE_COLUMNS, LayerSpec
from hn_geo.render.maps.registry import POINT_CLASS_COLORS, POINT_CLASS_RADII, graduated_classes
from hn_geo.render.maps.values import is_numeric
from hn_geo.render.qgis_looks import hashable, read_looks

PX_MM = 25.4 / 96
"""Millimetres per screen pixel (96 dpi): map sizes in pixels -> QGIS sizes in mm."""
MAX_CLASSES = 7
"""At most this many graduated classes (a map ramp of 64 steps is merged into 7)."""
LABELLED = {"towns": "name", "rivers": "name"}
"""Layers labelled in QGIS, and their label field."""
POINT_STROKE = "#5a3000"
"""Outline of graduated circles (as on the maps' canvas layer)."""
LEAFLET_DEFAULTS = {"color": "#3388ff", "weight": 3.0, "opacity": 1.0, "fillOpacity": 0.2, "radius": 10.0}
"""Leaflet's path defaults, for keys a map style leaves out."""


@dataclass
class Symbol:
    """One symbol: colours ``#rrggbb`` (None: not drawn), opacities 0..1, sizes in mm."""

    geom: str                     # 'point' | 'line' | 'polygon'
    fill: str | None = None
    fill_opacity: float = 1.0
    stroke: str | None = "#333333"
    stroke_opacity: float = 1.0
    width_mm: float = 0.26
    size_mm: float = 3.0          # marker diameter
    dash: bool = False


@dataclass
class Cond:
    """One condition of a class: ``field op value`` (op: eq, null, ge, lt, le)."""

    field: str
    op: str
    value: object = None


@dataclass
class StyleClass:
    """A legend entry: its label, symbol and the conditions a feature meets (ANDed)."""

    label: str
    symbol: Symbol | None
    conds: list = _field(default_factory=list)
    value: object = None          # categorised: the stored value ('' = every other value, incl. empty)
    lower: float | None = None    # graduated
    upper: float | None = None
    children: list = _field(default_factory=list)  # rule-based: nested classes


@dataclass
class QgisStyle:
    """The QGIS style of one layer (one geometry type of it).

    ``renderer`` is 'single', 'categorized', 'graduated' or 'rules'; ``field`` the column
    of a categorised or graduated renderer; ``geometry_type`` the QGIS geometry-type filter
    of a layer holding several (``'Point'``, ``'LineString'``, ``'Polygon'``), else None.
    """

    layer: str
    title: str
    geom: str
    renderer: str
    classes: list
    field: str | None = None
    aliases: dict = _field(default_factory=dict)
    label_field: str | None = None
    display_field: str | None = None
    geometry_type: str | None = None

    @property
    def name(self):
        """Name of the style in the GeoPackage's ``layer_styles`` table."""
        return self.title


# ----------------------------------------------------------------------------- symbols
def _num(style, key):
    v = style.get(key)
    return float(LEAFLET_DEFAULTS[key] if v is None else v)


def symbol_of(style, geom):
    """A :class:`Symbol` from a Leaflet path style (the maps' per-feature style)."""
    colour = style.get("color") or LEAFLET_DEFAULTS["color"]
    stroke_on = style.get("stroke", True) is not False and _num(style, "weight") > 0
    sym = Symbol(geom, stroke=colour if stroke_on else None, stroke_opacity=_num(style, "opacity"),
                 width_mm=round(_num(style, "weight") * PX_MM, 3), dash=bool(style.get("dashArray")))
    if geom == "line":
        return sym
    filled = style.get("fill", True) is not False and _num(style, "fillOpacity") > 0
    sym.fill = (style.get("fillColor") or colour) if filled else None
    sym.fill_opacity = _num(style, "fillOpacity")
    if geom == "point":
        sym.size_mm = round(2 * _num(style, "radius") * PX_MM, 3)
    return sym


def geometry_types(gdf):
    """The distinct geometry type names of a layer, in order of appearance (missing ones left out)."""
    return pd.unique(pd.Series(gdf.geometry.geom_type).dropna()).tolist()


def geom_kinds(geom_types):
    """:func:`geom_of` of each geometry type name, as an array (one call per distinct name)."""
    s = pd.Series(np.asarray(geom_types, dtype=object))
    kinds = {t: geom_of(t) for t in s.dropna().unique()}
    return s.map(kinds).to_numpy(dtype=object)  # missing geometry: NaN, no kind


def geom_of(geom_type):
    """'point', 'line' or 'polygon' of a geometry type name (None for empty)."""
    t = str(geom_type or "")
    if "Point" in t:
        return "point"
    if "Line" in t:
        return "line"
    if "Polygon" in t:
        return "polygon"
    return None


QGIS_GEOMETRY = {"point": "Point", "line": "LineString", "polygon": "Polygon"}


# ----------------------------------------------------------------------------- stored values
def stored(value):
    """A value as QGIS reads it from the GeoPackage, for category values and literals."""
    if value is None or (not isinstance(value, str) and np.ndim(value) == 0 and pd.isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (np.integer, int)):
        return str(int(value))
    if isinstance(value, (np.floating, float)):
        return repr(float(value))
    return str(value)


# ----------------------------------------------------------------------------- classes
def _label(value, lang):
    if value is None:
        return vocabulary.word("status", "no_data", lang)
    if isinstance(value, (bool, np.bool_)):
        return vocabulary.ui("yes" if value else "no", lang)
    return str(value)


def _family(spec, col):
    fam = (spec.codes or {}).get(col) or column_family(spec, col)
    return fam.split(".")[-1] if fam else None


def _order_key(cls, family):
    """Legend order: water classes I..劣V, status codes best first, else by label."""
    words = []
    if family == "water_class":
        words = [[vocabulary.word("water_class", c, lg, "water") for lg in ("zh", "en")] + [c]
                 for c in palette.WATER_CLASSES]
    elif family == "status":
        words = [[vocabulary.word("status", c, lg) for lg in ("zh", "en")] for c in palette.LEGEND_ORDER]
    for i, ws in enumerate(words):
        if str(cls.value) in ws:
            return (0, i, cls.label)
    return (0 if cls.value != "" else 2, 99, cls.label)


def _categories(g, s, col, ids, looks, geom, lang, family=None):
    """One class per value of ``col`` (its word as stored), in legend order."""
    keys, uniq = pd.factorize(hashable(g[col]), use_na_sentinel=False)
    classes = []
    for k, code in enumerate(uniq):
        rows = np.flatnonzero(keys == k)
        look = symbol_of(looks[int(ids[rows[0]])], geom)
        word = s[col].iloc[rows[0]]
        if code is None or word is None or (not isinstance(word, str) and pd.isna(word)):
            classes.append(StyleClass(_label(None, lang), look, [Cond(col, "null")], value=""))
            continue
        label = _label(word, lang)
        if family == "water_class":
            quality = vocabulary.word("water_quality", palette.family_code("water_class", code) or "-", lang,
                                      "render", default="")
            label = ui("class_legend", lang, cls=label, quality=quality).strip()
        classes.append(StyleClass(label, look, [Cond(col, "eq", word)], value=stored(word)))
    return sorted(classes, key=lambda c: _order_key(c, family))


def _nested(g, s, cols, ids, looks, geom, lang, spec):
    """Rules: one per combination of two columns' values that occurs, under the first's."""
    a, b = cols
    parents = _categories(g, s, a, ids, looks, geom, lang, _family(spec, a))
    for parent in parents:
        mask = (s[a].isna() if parent.value == "" else s[a].map(stored) == parent.value).to_numpy()
        sub = _categories(g[mask], s[mask], b, ids[mask], looks, geom, lang, _family(spec, b))
        parent.children = [StyleClass(c.label, c.symbol, parent.conds + c.conds, value=c.value) for c in sub]
        parent.symbol = None
    return parents


def _graduated(g, col, ids, looks, geom, values_all):
    """Classes of a numeric column: the map's own breaks (where its look changes) when it has
    at most MAX_CLASSES looks, else quantile classes, each in the look of its median feature."""
    v = pd.to_numeric(g[col], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(v)
    finite = values_all[np.isfinite(values_all)]
    lo_all, hi_all = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    looks_at = np.unique(ids[ok])
    if len(looks_at) <= MAX_CLASSES:
        starts = sorted((float(v[ok & (ids == sid)].min()), int(sid)) for sid in looks_at)
        breaks = [lo_all] + [b for b, _ in starts[1:]] + [hi_all]
        sids = [sid for _, sid in starts]
    else:
        breaks = list(np.unique(np.quantile(finite, np.linspace(0, 1, MAX_CLASSES + 1))))
        mids = [(lo + hi) / 2 for lo, hi in zip(breaks[:-1], breaks[1:])]
        sids = [int(ids[ok][np.argmin(np.abs(v[ok] - m))]) for m in mids]
    last = len(sids) - 1
    return [StyleClass(f"{vocabulary.format_number(lo)} – {vocabulary.format_number(hi)}",
                       symbol_of(looks[sid], geom),
                       [Cond(col, "ge", lo), Cond(col, "le" if i == last else "lt", hi)], lower=lo, upper=hi)
            for i, (lo, hi, sid) in enumerate(zip(breaks[:-1], breaks[1:], sids))]


def graduated_points(values, column, geom="point"):
    """Graduated circles of a load column, as the maps' canvas layer draws them."""
    cls, breaks = graduated_classes(values)
    present = set(np.unique(cls).tolist())
    last = len(POINT_CLASS_RADII) - 1
    out = []
    for k in range(len(POINT_CLASS_RADII)):
        lo, hi = float(breaks[k]), float(breaks[k + 1])
        if k not in present or (k > 0 and hi <= lo):
            continue
        sym = Symbol(geom, fill=POINT_CLASS_COLORS[k], fill_opacity=0.85, stroke=POINT_STROKE,
                     width_mm=round(0.6 * PX_MM, 3), size_mm=round(2 * POINT_CLASS_RADII[k] * PX_MM, 3))
        out.append(StyleClass(f"{vocabulary.format_number(lo)} – {vocabulary.format_number(hi)}", sym,
                              [Cond(column, "ge", lo), Cond(column, "le" if k == last else "lt", hi)],
                              lower=lo, upper=hi))
    if out:  # zero and empty loads are drawn in the smallest class, as on the map
        out[0].lower = min(out[0].lower, 0.0)
        out[0].conds[0] = Cond(column, "ge", out[0].lower)
    return out


# ----------------------------------------------------------------------------- per layer
def _classes(lk, mask, values_all, geom, lang, spec):
    """``(renderer, field, classes)`` of the features ``mask`` of the sample."""
    g, s, ids = lk.g[mask], lk.s[mask], lk.ids[mask]
    if lk.kind == "single" or not len(g):
        return "single", None, [StyleClass(spec.title, symbol_of(lk.looks[int(ids[0]) if len(ids) else 0], geom))]
    if lk.kind == "categorized":
        return "categorized", lk.column, _categories(g, s, lk.column, ids, lk.looks, geom, lang,
                                                     _family(spec, lk.column))
    if lk.kind == "rules":
        return "rules", lk.column[0], _nested(g, s, lk.column, ids, lk.looks, geom, lang, spec)
    classes = _graduated(g, lk.column, ids, lk.looks, geom, values_all)
    if not np.isnan(values_all).any():
        return "graduated", lk.column, classes
    empty = np.flatnonzero(pd.to_numeric(g[lk.column], errors="coerce").isna().to_numpy())
    look = lk.looks[int(ids[empty[0]])] if empty.size else {"fillColor": palette.NO_DATA, "color": palette.NO_DATA}
    return "rules", lk.column, classes + [StyleClass(_label(None, lang), symbol_of(look, geom),
                                                     [Cond(lk.column, "null")])]


def _size_column(gdf):
    return next((c for c in SIZE_COLUMNS if c in gdf.columns and is_numeric(gdf[c])), None)


def layer_styles(layer, shown, *, title, lang="zh", aliases=None, units=None):
    """QGIS styles of one share layer (one per geometry type it holds).

    Parameters
    ----------
    layer : hn_geo.render.share.ShareLayer
        The layer in codes (as the maps draw it).
    shown : geopandas.GeoDataFrame
        The same rows as written to the GeoPackage (codes as words).
    title : str
        The layer's title in the package.
    lang : {'zh', 'en'}
    aliases : dict, optional
        ``{column: alias}`` (the field dictionary's labels in the run's language).
    units : dict, optional
        ``{column: unit}``, written after the class limits of graduated styles.

    Returns
    -------
    list of QgisStyle
    """
    out = _layer_styles(layer, shown, title, lang, dict(aliases or {}))
    for st in out:
        unit = (units or {}).get(st.field) if st.field else None
        if unit and st.renderer in ("graduated", "rules"):
            for c in st.classes:
                if c.lower is not None:
                    c.label = f"{c.label} {unit}"
    return out


def _layer_styles(layer, shown, title, lang, aliases):
    gdf, shown = layer.gdf.reset_index(drop=True), shown.reset_index(drop=True)
    if not len(gdf):  # no feature, no geometry type: nothing to style
        return []
    kinds = geom_kinds(gdf.geometry.geom_type)
    present = [k for k in ("point", "line", "polygon") if (kinds == k).any()]
    label = LABELLED.get(layer.key)
    base = {"layer": layer.name, "title": title, "aliases": aliases,
            "label_field": label if label in gdf.columns else None,
            "display_field": next((c for c in ("name", "project_name", "town") if c in gdf.columns), None)}
    size = _size_column(gdf)
    if present == ["point"] and size is not None and (layer.key == "emission_points" or len(gdf) > 3000):
        return [QgisStyle(geom="point", renderer="graduated", field=size, classes=graduated_points(gdf[size], size),
                          **base)]
    spec = LayerSpec(layer.key, gdf, title=title, scope=layer.scope, codes=dict(layer.codes or {}),
                     labels=dict(layer.labels or {}) or None)
    try:
        lk = read_looks(spec, gdf, shown, lang)
    except (HnGeoError, ValueError, KeyError) as exc:  # a layer the maps cannot style: plain, with a note
        warnings.warn(HnGeoWarning("render.qgis_plain_style", layer=layer.name, error=str(exc)), stacklevel=2)
        lk = None
    sample_kinds = None if lk is None else geom_kinds(lk.g.geometry.geom_type)
    out = []
    for geom in present:
        if lk is None:
            renderer, col, classes = "single", None, [StyleClass(title, Symbol(geom, fill="#9ecae1",
                                                                               fill_opacity=0.45, stroke="#3b6ea5"))]
        else:
            col = lk.column if lk.kind == "graduated" else None
            values_all = (pd.to_numeric(gdf.loc[kinds == geom, col], errors="coerce").to_numpy(dtype=float)
                          if col else np.array([]))
            renderer, col, classes = _classes(lk, sample_kinds == geom, values_all, geom, lang, spec)
        out.append(QgisStyle(geom=geom, renderer=renderer, field=col, classes=classes,
                             geometry_type=QGIS_GEOMETRY[geom] if len(present) > 1 else None, **base))
    return out
