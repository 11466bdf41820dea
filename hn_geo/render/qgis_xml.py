"""QGIS styles as text: QML (QGIS' own style file) and SLD 1.1 (for GeoServer and other clients).

:func:`qml` writes a :class:`~hn_geo.render.qgis_styles.QgisStyle` as the QML that QGIS
3.x reads from a file or from a GeoPackage's ``layer_styles`` table: the renderer (single
symbol, categorised, graduated or rule-based, with simple marker/line/fill symbol layers
in millimetres), field aliases in the run's language, labels and the display expression.
:func:`maplayer_parts` gives the same elements for a ``<maplayer>`` of a QGIS project.
:func:`sld` writes the same classes as SLD 1.1 rules with OGC filters (sizes in pixels).
Every text is escaped by the XML writer; values of the data are literals, never markup.
"""
from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import numpy as np

from hn_geo.core.version import __version__
from hn_geo.render.qgis_styles import PX_MM

QGIS_VERSION = "3.22.16-Białowieża"
"""The QGIS version the files say they were written for (the oldest one tested)."""
GEOMETRY_CODES = {"point": "0", "line": "1", "polygon": "2"}
_NS = {"sld": "http://www.opengis.net/sld", "se": "http://www.opengis.net/se",
       "ogc": "http://www.opengis.net/ogc", "xlink": "http://www.w3.org/1999/xlink",
       "xsi": "http://www.w3.org/2001/XMLSchema-instance"}


def rgba(colour, opacity=1.0):
    """``'#rrggbb'`` and an opacity as QGIS' ``'r,g,b,a'`` (transparent for None)."""
    if not colour:
        return "0,0,0,0"
    c = colour.lstrip("#")
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(255 * max(0.0, min(1.0, float(opacity))))}"


def _key(*parts):
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "hn_geo:" + ":".join(map(str, parts)))) + "}"


def _num(v):
    return f"{float(v):.6g}"


def _exact(v):
    """A number as a literal, exactly (integers without a decimal point)."""
    f = float(v)
    return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)


# ----------------------------------------------------------------------------- symbols
def _symbol_props(sym):
    width = _num(sym.width_mm)
    stroke_style = "no" if not sym.stroke else "dash" if sym.dash else "solid"
    if sym.geom == "point":
        return "SimpleMarker", {
            "name": "circle", "color": rgba(sym.fill, sym.fill_opacity), "outline_color": rgba(sym.stroke,
                                                                                            sym.stroke_opacity),
            "outline_style": stroke_style, "outline_width": width, "outline_width_unit": "MM",
            "size": _num(sym.size_mm), "size_unit": "MM", "scale_method": "diameter", "joinstyle": "round"}
    if sym.geom == "line":
        return "SimpleLine", {
            "line_color": rgba(sym.stroke, sym.stroke_opacity), "line_style": stroke_style, "line_width": width,
            "line_width_unit": "MM", "capstyle": "round", "joinstyle": "round"}
    return "SimpleFill", {
        "color": rgba(sym.fill, sym.fill_opacity), "style": "solid" if sym.fill else "no",
        "outline_color": rgba(sym.stroke, sym.stroke_opacity), "outline_style": stroke_style,
        "outline_width": width, "outline_width_unit": "MM", "joinstyle": "round"}


def symbol_element(sym, name):
    """A ``<symbol>`` with one simple symbol layer (properties as ``Option`` and ``prop``)."""
    kind = {"point": "marker", "line": "line", "polygon": "fill"}[sym.geom]
    el = ET.Element("symbol", {"type": kind, "name": str(name), "alpha": "1", "clip_to_extent": "1",
                               "force_rhr": "0"})
    cls, props = _symbol_props(sym)
    lyr = ET.SubElement(el, "layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    opts = ET.SubElement(lyr, "Option", {"type": "Map"})
    for k, v in props.items():
        ET.SubElement(opts, "Option", {"type": "QString", "name": k, "value": v})
    for k, v in props.items():  # the older form, read by QGIS before 3.10
        ET.SubElement(lyr, "prop", {"k": k, "v": v})
    return el


# ----------------------------------------------------------------------------- expressions
def _quote_field(name):
    return '"' + str(name).replace('"', '""') + '"'


def _literal(v):
    if isinstance(v, (bool, np.bool_)):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float, np.number)):
        return _exact(v)
    return "'" + str(v).replace("'", "''") + "'"


_OPS = {"eq": "=", "ge": ">=", "lt": "<", "le": "<="}


def expression(conds):
    """A QGIS expression of conditions (ANDed); '' for none."""
    parts = []
    for c in conds:
        if c.op == "null":
            parts.append(f"{_quote_field(c.field)} IS NULL")
        else:
            parts.append(f"{_quote_field(c.field)} {_OPS[c.op]} {_literal(c.value)}")
    return " AND ".join(parts)


# ----------------------------------------------------------------------------- renderers
def _flat(classes):
    return [c for c in classes if c.symbol is not None] + [ch for c in classes for ch in _flat(c.children)]


def renderer_element(style):
    """The ``<renderer-v2>`` of a style."""
    kinds = {"single": "singleSymbol", "categorized": "categorizedSymbol", "graduated": "graduatedSymbol",
             "rules": "RuleRenderer"}
    el = ET.Element("renderer-v2", {"type": kinds[style.renderer], "forceraster": "0", "symbollevels": "0",
                                    "enableorderby": "0", "referencescale": "-1"})
    symbols = ET.Element("symbols")
    flat = _flat(style.classes)
    for i, c in enumerate(flat):
        symbols.append(symbol_element(c.symbol, i))
    index = {id(c): i for i, c in enumerate(flat)}
    if style.renderer == "categorized":
        el.set("attr", style.field)
        cats = ET.SubElement(el, "categories")
        for c in style.classes:
            ET.SubElement(cats, "category", {"symbol": str(index[id(c)]), "value": str(c.value), "label": c.label,
                                             "render": "true"})
    elif style.renderer == "graduated":
        el.set("attr", style.field)
        el.set("graduatedMethod", "GraduatedColor")
        ranges = ET.SubElement(el, "ranges")
        for c in style.classes:
            ET.SubElement(ranges, "range", {"symbol": str(index[id(c)]), "lower": repr(float(c.lower)),
                                            "upper": repr(float(c.upper)), "label": c.label, "render": "true"})
    elif style.renderer == "rules":
        rules = ET.SubElement(el, "rules", {"key": _key(style.layer, style.geom, "root")})
        _rules(rules, style.classes, index, style)
    el.append(symbols)
    return el


def _rules(parent, classes, index, style, path=()):
    for i, c in enumerate(classes):
        attrs = {"key": _key(style.layer, style.geom, *path, i), "label": c.label}
        if c.symbol is not None:
            attrs["symbol"] = str(index[id(c)])
        if c.conds and (c.symbol is not None or not c.children):
            attrs["filter"] = expression(c.conds)
        node = ET.SubElement(parent, "rule", attrs)
        _rules(node, c.children, index, style, (*path, i))


def labeling_element(style):
    """Simple labels of ``style.label_field`` (dark text with a white halo), or None."""
    if not style.label_field:
        return None
    el = ET.Element("labeling", {"type": "simple"})
    settings = ET.SubElement(el, "settings", {"calloutType": "simple"})
    ts = ET.SubElement(settings, "text-style", {
        "fieldName": style.label_field, "isExpression": "0", "fontSize": "9" if style.geom == "polygon" else "8",
        "fontSizeUnit": "Point", "textColor": "51,51,51,255" if style.geom == "polygon" else "24,80,140,255",
        "textOpacity": "1", "fontWeight": "50", "multilineHeight": "1"})
    ET.SubElement(ts, "text-buffer", {"bufferDraw": "1", "bufferSize": "0.8", "bufferSizeUnits": "MM",
                                      "bufferColor": "255,255,255,255", "bufferOpacity": "0.85",
                                      "bufferJoinStyle": "128", "bufferNoFill": "1"})
    ET.SubElement(settings, "text-format", {"wrapChar": "", "multilineAlign": "3", "autoWrapLength": "0"})
    placement = {"polygon": {"placement": "1", "centroidInside": "1", "centroidWhole": "0"},
                 "line": {"placement": "3", "placementFlags": "10", "maxCurvedCharAngleIn": "25",
                          "maxCurvedCharAngleOut": "-25", "repeatDistance": "0"},
                 "point": {"placement": "0", "dist": "1.5", "distUnits": "MM"}}[style.geom]
    ET.SubElement(settings, "placement", placement)
    ET.SubElement(settings, "rendering", {"drawLabels": "1", "obstacle": "1", "obstacleFactor": "1",
                                          "displayAll": "0", "upsidedownLabels": "0", "labelPerPart": "0",
                                          "mergeLines": "1" if style.geom == "line" else "0", "priority": "5"})
    return el


def aliases_element(style, columns):
    """``<aliases>``: the field dictionary's labels (field index as QGIS counts it: fid is 0)."""
    el = ET.Element("aliases")
    for i, col in enumerate(["fid", *columns]):
        ET.SubElement(el, "alias", {"field": col, "index": str(i), "name": style.aliases.get(col, "")})
    return el


def maplayer_parts(style, columns):
    """The style elements of a layer, in the order QGIS writes them."""
    parts = [renderer_element(style)]
    lab = labeling_element(style)
    if lab is not None:
        parts.append(lab)
    parts.append(aliases_element(style, columns))
    preview = ET.Element("previewExpression")
    preview.text = _quote_field(style.display_field) if style.display_field else ""
    parts.append(preview)
    tip = ET.Element("mapTip")
    tip.text = f"[% {_quote_field(style.display_field)} %]" if style.display_field else ""
    parts.append(tip)
    return parts


def qml(style, columns):
    """The QML text of a style (``columns``: the layer's attribute columns, in file order)."""
    root = ET.Element("qgis", {"version": QGIS_VERSION, "styleCategories": "AllStyleCategories",
                               "labelsEnabled": "1" if style.label_field else "0",
                               "hasScaleBasedVisibilityFlag": "0", "minScale": "100000000", "maxScale": "0"})
    root.extend(maplayer_parts(style, columns))
    ET.SubElement(root, "layerGeometryType").text = GEOMETRY_CODES[style.geom]
    ET.indent(root, space=" ")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode") + "\n"


# ----------------------------------------------------------------------------- SLD
def _se(parent, tag, text=None, **attrs):
    el = ET.SubElement(parent, f"{{{_NS['se']}}}{tag}", attrs)
    if text is not None:
        el.text = str(text)
    return el


def _ogc(parent, tag, text=None):
    el = ET.SubElement(parent, f"{{{_NS['ogc']}}}{tag}")
    if text is not None:
        el.text = str(text)
    return el


_OGC_OPS = {"eq": "PropertyIsEqualTo", "ge": "PropertyIsGreaterThanOrEqualTo", "lt": "PropertyIsLessThan",
            "le": "PropertyIsLessThanOrEqualTo", "null": "PropertyIsNull"}


def _filter(parent, conds):
    if not conds:
        return
    f = _ogc(parent, "Filter")
    target = _ogc(f, "And") if len(conds) > 1 else f
    for c in conds:
        op = _ogc(target, _OGC_OPS[c.op])
        _ogc(op, "PropertyName", c.field)
        if c.op != "null":
            v = c.value
            _ogc(op, "Literal", ("true" if v else "false") if isinstance(v, (bool, np.bool_)) else
                 _exact(v) if isinstance(v, (int, float, np.number)) else v)


def _svg(parent, name, value):
    _se(parent, "SvgParameter", value, name=name)


def _stroke(parent, sym):
    if not sym.stroke:
        return
    st = _se(parent, "Stroke")
    _svg(st, "stroke", sym.stroke)
    _svg(st, "stroke-width", _num(sym.width_mm / PX_MM))
    if sym.stroke_opacity < 1:
        _svg(st, "stroke-opacity", _num(sym.stroke_opacity))
    _svg(st, "stroke-linejoin", "round")
    if sym.dash:
        _svg(st, "stroke-dasharray", "6 3")


def _fill(parent, sym):
    if not sym.fill:
        return
    fl = _se(parent, "Fill")
    _svg(fl, "fill", sym.fill)
    if sym.fill_opacity < 1:
        _svg(fl, "fill-opacity", _num(sym.fill_opacity))


def _symbolizer(rule, sym):
    if sym.geom == "point":
        g = _se(_se(rule, "PointSymbolizer"), "Graphic")
        mark = _se(g, "Mark")
        _se(mark, "WellKnownName", "circle")
        _fill(mark, sym)
        _stroke(mark, sym)
        _se(g, "Size", _num(sym.size_mm / PX_MM))
    elif sym.geom == "line":
        _stroke(_se(rule, "LineSymbolizer"), sym)
    else:
        ps = _se(rule, "PolygonSymbolizer")
        _fill(ps, sym)
        _stroke(ps, sym)


def _text_rule(fts, style):
    rule = _se(fts, "Rule")
    _se(rule, "Name", style.label_field)
    ts = _se(rule, "TextSymbolizer")
    lab = _se(ts, "Label")
    _ogc(lab, "PropertyName", style.label_field)
    font = _se(ts, "Font")
    _svg(font, "font-size", "12" if style.geom == "polygon" else "11")
    halo = _se(ts, "Halo")
    _se(halo, "Radius", "2")
    _svg(_se(halo, "Fill"), "fill", "#ffffff")
    _svg(_se(ts, "Fill"), "fill", "#333333" if style.geom == "polygon" else "#18508c")


def sld(style):
    """The SLD 1.1 text of a style: one rule per class (filters as OGC filters), labels."""
    for prefix, uri in _NS.items():
        ET.register_namespace("" if prefix == "sld" else prefix, uri)
    root = ET.Element(f"{{{_NS['sld']}}}StyledLayerDescriptor", {
        "version": "1.1.0", f"{{{_NS['xsi']}}}schemaLocation":
            "http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd"})
    layer = ET.SubElement(root, f"{{{_NS['sld']}}}NamedLayer")
    _se(layer, "Name", style.layer)
    user = ET.SubElement(layer, f"{{{_NS['sld']}}}UserStyle")
    _se(user, "Name", style.title)
    _se(_se(user, "Description"), "Abstract", f"hn_geo {__version__}")
    fts = _se(user, "FeatureTypeStyle")
    for c in _flat(style.classes):
        rule = _se(fts, "Rule")
        _se(rule, "Name", c.label)
        _se(_se(rule, "Description"), "Title", c.label)
        _filter(rule, c.conds)
        _symbolizer(rule, c.symbol)
    if style.label_field:
        _text_rule(fts, style)
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
