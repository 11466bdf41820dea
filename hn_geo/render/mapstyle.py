"""Map styling: colours, legends, labels and popup values for hn_geo layers.

A *style registry* (:data:`STYLES`) maps a layer name (catalog names such as
``'towns'`` and analysis-result layers such as ``'sections'``) to a function
``(gdf, color_by, lang) -> LayerStyle``. A LayerStyle holds one Leaflet style
dict per feature and the legend HTML. Unknown layers get a style from their
geometry type and columns (``water_class``, ``unit_type``, ``target_met``,
``status``), or a choropleth of ``color_by``.

Colour conventions
------------------
Water classes follow the colour names of 《地表水环境质量评价办法（试行）》
(环办〔2011〕22号, 表1): I–II类 优 蓝色, III类 良好 绿色, IV类 轻度污染 黄色,
V类 中度污染 橙色, 劣V类 重度污染 红色. The method names the colours only;
the RGB values here use the same hues as the AQI colours of HJ 633-2012
(green 0,228,0; yellow 255,255,0; orange 255,126,0; red 255,0,0), with a
darker blue for I and a lighter one for II so the two stay distinguishable.
Control units (三线一单): 优先保护 green, 重点管控 red-orange, 一般管控 yellow,
as in Zhejiang's published 环境管控单元 maps.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# ----------------------------------------------------------------------------- palettes
WATER_CLASSES = ("I", "II", "III", "IV", "V", "劣V")
WATER_COLORS = {"I": "#1f5fd6", "II": "#5aa9f0", "III": "#00c000", "IV": "#ffff00",
                "V": "#ff7e00", "劣V": "#ff0000"}
WATER_WORDS = {"I": ("优", "excellent"), "II": ("优", "excellent"), "III": ("良好", "good"),
               "IV": ("轻度污染", "slightly polluted"), "V": ("中度污染", "moderately polluted"),
               "劣V": ("重度污染", "heavily polluted")}
UNIT_COLORS = {"优先保护": "#2ca25f", "重点管控": "#f03b20", "一般管控": "#fed24c"}
UNIT_EN = {"优先保护": "priority protection", "重点管控": "key control", "一般管控": "general control"}
PASS_FAIL = {True: "#1a9850", False: "#d73027"}
PROJECT_COLORS = {"new": "#e31a1c", "expansion": "#ff7f00", "existing": "#7f7f7f"}
NO_DATA = "#bdbdbd"

# display words for enumerated values: value -> (zh, en)
VALUE_WORDS = {
    "status": {"new": ("新建", "new"), "expansion": ("改扩建", "expansion"),
               "existing": ("现有", "existing")},
    "building_type": {"residential": ("住宅", "residential"), "industrial": ("工业", "industrial"),
                      "public": ("公共", "public"), "commercial": ("商业", "commercial")},
    "roof_type": {"flat": ("平屋顶", "flat"), "pitched": ("坡屋顶", "pitched"),
                  "unknown": ("未知", "unknown")},
    "unit_type": {k: (k, v) for k, v in UNIT_EN.items()},
}
BOOL_WORDS = {"target_met": (("达标", "met"), ("未达标", "not met")),
              "_default": (("是", "yes"), ("否", "no"))}

# fallback labels for analysis-result columns no schema declares
COMMON_LABELS = {
    "water_class": ("水质类别", "water class"),
    "target_met": ("是否达标", "target met"),
    "status": ("状态", "status"),
    "kwh_per_kwp": ("单位装机年发电量", "specific yield (kWh/kWp)"),
    "reach": ("所在河段", "reach"),
    "approximate": ("近似/合成数据", "approximate or synthetic"),
    "source": ("数据来源", "source"),
}

# names of analysis-result layers that are not catalog layers
LAYER_TITLES = {
    "violations": ("不符合准入要求的项目", "Projects failing the access list"),
    "notices": ("需关注的项目", "Projects with notices"),
    "exceedances": ("超标断面", "Sections exceeding targets"),
}

T = {  # user-facing words, (zh, en)
    "no_data": ("无数据", "no data"),
    "pass": ("达标", "met"),
    "fail": ("未达标", "not met"),
    "caption": ("示意数据：{names}为近似或合成数据，非测绘成果，仅供示意",
                "Illustrative data: {names} are approximate or synthetic, not survey data"),
    "sep": ("、", ", "),
    "search": ("搜索镇街、断面…", "Search towns, sections…"),
    "not_found": ("未找到", "no match"),
    "fullscreen": ("全屏", "Full screen"),
    "exit_fullscreen": ("退出全屏", "Exit full screen"),
    "measure": ("测量距离和面积", "Measure distance and area"),
    "measure_hint": ("单击添加点，双击结束，Esc 清除", "Click to add points, double-click to finish, Esc to clear"),
    "distance": ("距离", "Distance"),
    "area": ("面积", "Area"),
    "compliance": ("达标情况", "compliance"),
}


def word(key, lang):
    """A user-facing word in ``lang``."""
    return T[key][0 if lang == "zh" else 1]


def pick(label, lang):
    """Pick the ``lang`` text of a label given as ``(zh, en)`` or as a plain string."""
    if isinstance(label, str):
        return label
    return label[0 if lang == "zh" else 1]


# ----------------------------------------------------------------------------- values
def is_numeric(series):
    return (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def format_number(v):
    """Short display text of a number: thousands separators, at most 3 decimals."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    v = float(v)
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:,.1f}"
    if abs(v) >= 0.01:
        return f"{v:.3g}" if abs(v) < 1 else f"{v:.2f}"
    return f"{v:.2g}"


def display_values(series, lang="zh"):
    """Column values as display text (None for missing): dates ISO, numbers short, words localised.

    Works on any dtype (datetime, timedelta, bool, pyarrow strings, objects
    holding Timestamps or Decimals), so every value serialises to JSON.
    Returns an object Series holding str or None.
    """
    name = series.name
    i = 0 if lang == "zh" else 1
    s = series
    if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(s):
        text = s.dt.strftime("%Y-%m-%d %H:%M").tolist()
        out = [None if _missing(v) else str(t).replace(" 00:00", "") for v, t in zip(s.tolist(), text)]
    elif pd.api.types.is_bool_dtype(s) or _all_bool(s):
        yes, no = BOOL_WORDS.get(name, BOOL_WORDS["_default"])
        out = [None if _missing(v) else (yes[i] if bool(v) else no[i]) for v in s.tolist()]
    elif is_numeric(s):
        out = [None if _missing(v) else format_number(v) for v in s.tolist()]
    else:
        words = VALUE_WORDS.get(name)

        def text(v):
            if _missing(v):
                return None
            if isinstance(v, (float, np.floating, int, np.integer)):
                return format_number(v)
            if hasattr(v, "isoformat"):
                return v.isoformat()
            v = str(v)
            if words and v in words:
                return words[v][i]
            return v

        out = [text(v) for v in s.tolist()]
    return pd.Series(out, index=s.index, dtype=object, name=name)


def _missing(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _all_bool(s):
    vals = s.dropna()
    return s.dtype == object and len(vals) > 0 and all(isinstance(v, (bool, np.bool_)) for v in vals)


def field_labels(name, gdf, labels=None, lang="zh"):
    """Display label of every column: passed ``labels`` first, then the catalog schema, then common ones."""
    from hn_geo.ground.catalog import SCHEMAS

    out = {}
    schema = SCHEMAS.get(name)
    sch = schema.labels(lang) if schema is not None else {}
    labels = labels or {}
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        if col in labels:
            out[col] = pick(labels[col], lang)
        elif col in sch:
            out[col] = sch[col]
        elif col in COMMON_LABELS:
            out[col] = pick(COMMON_LABELS[col], lang)
        else:
            # a field declared in another schema (e.g. 'town' in a result layer)
            for other in SCHEMAS.values():
                try:
                    out[col] = other.field(col).label(lang)
                    break
                except KeyError:
                    continue
            else:
                out[col] = col
    return out


# ----------------------------------------------------------------------------- legends
def _esc(text):
    return html.escape(str(text))


def legend_categories(title, items, kind="swatch"):
    """Legend HTML: ``items`` is a list of (label, colour)."""
    rows = []
    for label, color in items:
        if kind == "line":
            sym = f'<span class="hn-line" style="border-color:{color}"></span>'
        elif kind == "circle":
            sym = (f'<span class="hn-circle-cell"><span class="hn-circle" style="width:10px;height:10px;'
                   f'background:{color}"></span></span>')
        else:
            sym = f'<span class="hn-swatch" style="background:{color}"></span>'
        rows.append(f'<div class="hn-legend-row">{sym}{_esc(label)}</div>')
    head = f'<div class="hn-legend-title">{_esc(title)}</div>' if title else ""
    return f'<div class="hn-legend">{head}' + "".join(rows) + "</div>"


def legend_key(title, style, kind):
    """One legend row naming a layer drawn in a single style (a swatch, line or circle)."""
    if kind == "line":
        sym = (f'<span class="hn-line" style="border-color:{style.get("color", "#3388ff")};'
               f'border-top-width:{min(4, max(2, style.get("weight", 2)))}px"></span>')
    elif kind == "point":
        sym = (f'<span class="hn-circle-cell"><span class="hn-circle" style="width:10px;height:10px;'
               f'background:{style.get("fillColor", "#3388ff")}"></span></span>')
    else:
        fill = style.get("fillColor", "transparent") if style.get("fill", True) and \
            style.get("fillOpacity", 0.2) > 0 else "transparent"
        sym = (f'<span class="hn-swatch" style="background:{fill};'
               f'border:{max(1, min(3, style.get("weight", 1)))}px solid {style.get("color", "#3388ff")}"></span>')
    return f'<div class="hn-legend"><div class="hn-legend-row">{sym}{_esc(title)}</div></div>'


def legend_ramp(title, colormap, n_ticks=5):
    """Legend HTML for a continuous branca colormap (CSS gradient with ticks)."""
    vmin, vmax = colormap.vmin, colormap.vmax
    stops = ", ".join(colormap.rgb_hex_str(vmin + (vmax - vmin) * k / 10) for k in range(11))
    ticks = "".join(f"<span>{_esc(format_number(vmin + (vmax - vmin) * k / (n_ticks - 1)))}</span>"
                    for k in range(n_ticks))
    return (f'<div class="hn-legend"><div class="hn-legend-title">{_esc(title)}</div>'
            f'<div class="hn-ramp" style="background:linear-gradient(to right, {stops})"></div>'
            f'<div class="hn-ramp-ticks">{ticks}</div></div>')


def legend_circles(title, breaks, radii, colors):
    """Legend HTML for graduated circles: class k spans breaks[k]..breaks[k+1]."""
    rows = []
    for k, (r, c) in enumerate(zip(radii, colors)):
        lo, hi = format_number(breaks[k]), format_number(breaks[k + 1])
        d = 2 * r
        rows.append(f'<div class="hn-legend-row"><span class="hn-circle-cell">'
                    f'<span class="hn-circle" style="width:{d}px;height:{d}px;background:{c}"></span>'
                    f'</span>{_esc(lo)} – {_esc(hi)}</div>')
    return (f'<div class="hn-legend"><div class="hn-legend-title">{_esc(title)}</div>'
            + "".join(rows) + "</div>")


# ----------------------------------------------------------------------------- styles
@dataclass
class LayerStyle:
    """Per-feature Leaflet styles of one layer and its legend.

    Attributes
    ----------
    styles : list of dict
        One Leaflet path style per feature (``color``, ``weight``,
        ``fillColor``, ``fillOpacity``, ``radius`` for points...).
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


def _uniform(n, style):
    return [dict(style) for _ in range(n)]


def _geom_kind(gdf):
    """'point', 'line' or 'polygon' ('polygon' for mixed layers)."""
    types = set(gdf.geometry.geom_type.dropna().unique())
    if types <= {"Point", "MultiPoint"}:
        return "point"
    if types <= {"LineString", "MultiLineString"}:
        return "line"
    return "polygon"


def _base(kind, color="#3b6ea5", fill="#9ecae1", fill_opacity=0.45, weight=1.2):
    if kind == "point":
        return {"color": "#333333", "weight": 1, "fill": True, "fillColor": fill, "fillOpacity": 0.9,
                "radius": 6}
    if kind == "line":
        return {"color": color, "weight": 2.2, "opacity": 0.9, "fill": False}
    return {"color": color, "weight": weight, "fill": True, "fillColor": fill, "fillOpacity": fill_opacity}


def categorical(values, colors, base, field_name="fillColor", missing=NO_DATA):
    """Styles colouring ``field_name`` by category (``colors``: value -> colour)."""
    out = []
    for v in values:
        s = dict(base)
        s[field_name] = colors.get(v, missing) if not _missing(v) else missing
        out.append(s)
    return out


def choropleth(values, base, colormap, field_name="fillColor", levels=64):
    """Styles with ``field_name`` from a branca colormap (NaN -> grey).

    Values are snapped to ``levels`` steps of the colormap's range (invisible
    on screen) so a layer of many features shares a small table of styles.
    """
    lo, hi = colormap.vmin, colormap.vmax
    out = []
    for v in values:
        s = dict(base)
        if _missing(v):
            s[field_name] = NO_DATA
        else:
            q = lo + round((min(max(float(v), lo), hi) - lo) / (hi - lo) * levels) * (hi - lo) / levels
            s[field_name] = colormap.rgb_hex_str(q)
        out.append(s)
    return out


def make_colormap(values, palette="YlOrRd", caption=""):
    """A branca LinearColormap over the finite range of ``values``."""
    import branca.colormap as cm

    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
    if hi <= lo:
        hi = lo + 1.0
    base = getattr(cm.linear, f"{palette}_09", None) or cm.linear.YlOrRd_09
    return base.scale(lo, hi)


def numeric_style(gdf, column, title, kind=None, palette="YlOrRd"):
    """Choropleth (polygons, lines) or coloured points of a numeric column, with a ramp legend."""
    kind = kind or _geom_kind(gdf)
    values = pd.to_numeric(gdf[column], errors="coerce")
    cmap = make_colormap(values, palette)
    base = _base(kind)
    if kind == "polygon":
        base.update(fillOpacity=0.7, color="#555555", weight=0.8)
    styles = choropleth(values.tolist(), base, cmap, "color" if kind == "line" else "fillColor")
    return LayerStyle(styles, legend_ramp(title, cmap))


def water_class_style(gdf, column, title, lang):
    """Water-class colours (环办〔2011〕22号) for points, lines or polygons; compliance as outline."""
    kind = _geom_kind(gdf)
    base = _base(kind)
    if kind == "point":
        base.update(radius=7, weight=1.2)
    vals = [None if _missing(v) else _norm_class(v) for v in gdf[column].tolist()]
    styles = categorical(vals, WATER_COLORS, base, "color" if kind == "line" else "fillColor")
    i = 0 if lang == "zh" else 1
    present = [c for c in WATER_CLASSES if c in set(vals)]
    items = [(f"{c}{'类' if lang == 'zh' else ''} {WATER_WORDS[c][i]}", WATER_COLORS[c]) for c in present]
    if any(v is None for v in vals):
        items.append((word("no_data", lang), NO_DATA))
    legend = legend_categories(title, items, "circle" if kind == "point" else "swatch")
    if "target_met" in gdf.columns:
        met = gdf["target_met"].tolist()
        for s, m in zip(styles, met):
            if _missing(m):
                continue
            if kind == "point":
                s["color"] = PASS_FAIL[bool(m)]
                s["weight"] = 1.2 if bool(m) else 3
        if kind == "point":
            legend += legend_categories(word("compliance", lang),
                                        [(word("pass", lang) + ("（细边框）" if lang == "zh" else " (thin outline)"),
                                          PASS_FAIL[True]),
                                         (word("fail", lang) + ("（红色粗边框）" if lang == "zh" else " (thick red outline)"),
                                          PASS_FAIL[False])], "line")
    return LayerStyle(styles, legend)


def _norm_class(v):
    text = str(v).strip().upper().replace("类", "").replace("Ⅰ", "I").replace("Ⅱ", "II")
    text = text.replace("Ⅲ", "III").replace("Ⅳ", "IV").replace("Ⅴ", "V").replace("劣5", "劣V")
    return {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V", "6": "劣V", ">V": "劣V",
            "BELOW V": "劣V", "WORSE THAN V": "劣V"}.get(text, text)


def pass_fail_style(gdf, column, title, lang):
    kind = _geom_kind(gdf)
    base = _base(kind)
    vals = [None if _missing(v) else bool(v) for v in gdf[column].tolist()]
    styles = categorical(vals, PASS_FAIL, base, "color" if kind == "line" else "fillColor")
    items = [(word("pass", lang), PASS_FAIL[True]), (word("fail", lang), PASS_FAIL[False])]
    return LayerStyle(styles, legend_categories(title, items, "circle" if kind == "point" else "swatch"))


STATUS_COLORS = {"good": "#1a9850", "mid": "#f59e0b", "bad": "#d73027", "other": "#6b7b8c"}
_STATUS_WORDS = (  # checked in this order: 'not met' before 'met'
    ("bad", ("未达标", "不达标", "不通过", "超标", "违反", "落后", "fail", "violat", "not met", "behind")),
    ("mid", ("警示", "待核实", "复核", "进度", "warning", "review", "on track")),
    ("good", ("达标", "通过", "符合", "已完成", "免考核", "met", "pass", "ok", "exempt")),
)


def status_level(value):
    """'good', 'mid', 'bad' or None for a status word (达标/未达标/通过/警示/... or English)."""
    if _missing(value):
        return None
    text = str(value).lower()
    for level, words in _STATUS_WORDS:
        if any(w in text for w in words):
            return level
    return None


def is_status_column(series):
    vals = [v for v in series.dropna().unique().tolist()]
    return bool(vals) and all(isinstance(v, str) for v in vals) and \
        sum(status_level(v) is not None for v in vals) >= max(1, len(vals) // 2)


def status_style(gdf, column, title, lang):
    """Status words coloured green (达标/通过/met), amber (警示/待核实), red (未达标/不通过)."""
    vals = [None if _missing(v) else str(v) for v in gdf[column].tolist()]
    order = {"good": 0, "mid": 1, "bad": 2, None: 3}
    colors = {v: STATUS_COLORS[status_level(v) or "other"] for v in set(vals) if v is not None}
    colors = dict(sorted(colors.items(), key=lambda kv: (order[status_level(kv[0])], kv[0])))
    return category_style(gdf, column, title, lang, colors)


def category_style(gdf, column, title, lang, colors=None):
    """Categorical colours (given, or a qualitative palette) with a legend."""
    kind = _geom_kind(gdf)
    base = _base(kind)
    vals = [None if _missing(v) else str(v) for v in gdf[column].tolist()]
    if colors is None:
        palette = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
                   "#666666", "#8dd3c7", "#fb8072", "#80b1d3", "#fdb462"]
        cats = sorted({v for v in vals if v is not None})
        colors = {c: palette[k % len(palette)] for k, c in enumerate(cats)}
    styles = categorical(vals, colors, base, "color" if kind == "line" else "fillColor")
    words = VALUE_WORDS.get(column, {})
    present = [c for c in colors if c in set(vals)]
    items = [(pick(words.get(c, c), lang) if c in words else c, colors[c]) for c in present]
    if any(v is None for v in vals):
        items.append((word("no_data", lang), NO_DATA))
    return LayerStyle(styles, legend_categories(title, items, "circle" if kind == "point" else "swatch"))


# ----------------------------------------------------------------------------- the registry
def _title(name, gdf, labels, lang, column):
    return field_labels(name, gdf[[column, gdf.geometry.name]], labels, lang)[column]


def style_boundary(gdf, color_by, lang, labels=None):
    st = {"color": "#222222", "weight": 3, "fillOpacity": 0, "fill": False, "dashArray": None}
    return LayerStyle(_uniform(len(gdf), st), legend=None, tooltip="name")


def style_neighbors(gdf, color_by, lang, labels=None):
    st = {"color": "#9a9a9a", "weight": 1, "fill": True, "fillColor": "#e4e4e4", "fillOpacity": 0.6}
    return LayerStyle(_uniform(len(gdf), st), tooltip="name")


def style_towns(gdf, color_by, lang, labels=None):
    if color_by:
        s = numeric_style(gdf, color_by, _title("towns", gdf, labels, lang, color_by), "polygon")
    else:
        st = {"color": "#6b5b3e", "weight": 1.2, "fill": True, "fillColor": "#fbf3dc", "fillOpacity": 0.55}
        s = LayerStyle(_uniform(len(gdf), st))
    s.searchable, s.tooltip = True, "name"
    return s


def style_parks(gdf, color_by, lang, labels=None):
    st = {"color": "#6a3d9a", "weight": 1.2, "fill": True, "fillColor": "#cab2d6", "fillOpacity": 0.55}
    return LayerStyle(_uniform(len(gdf), st), tooltip="name")


def style_rivers(gdf, color_by, lang, labels=None):
    base = {"color": "#2b7bba", "weight": 2, "opacity": 0.9}
    styles = _uniform(len(gdf), base)
    if "sea_entry" in gdf.columns:
        for s, v in zip(styles, gdf["sea_entry"].tolist()):
            if not _missing(v) and bool(v):
                s["weight"] = 3.5
    return LayerStyle(styles, tooltip="name")


def style_sections(gdf, color_by, lang, labels=None):
    col = color_by or next((c for c in ("water_class", "target_class") if c in gdf.columns), None)
    if col is None:
        s = LayerStyle(_uniform(len(gdf), _base("point", fill="#2b7bba")))
    elif col in ("water_class", "target_class"):
        s = water_class_style(gdf, col, _title("sections", gdf, labels, lang, col), lang)
    elif col == "target_met":
        s = pass_fail_style(gdf, col, _title("sections", gdf, labels, lang, col), lang)
    elif not is_numeric(gdf[col]):
        s = generic_style("sections", gdf, col, lang, labels)
    else:
        s = numeric_style(gdf, col, _title("sections", gdf, labels, lang, col), "point")
    s.searchable, s.tooltip = True, "name"
    return s


def style_control_units(gdf, color_by, lang, labels=None):
    col = color_by or "unit_type"
    if col == "unit_type" and col in gdf.columns:
        s = category_style(gdf, col, _title("control_units", gdf, labels, lang, col), lang, UNIT_COLORS)
        for st in s.styles:
            st.update(fillOpacity=0.45, weight=0.8, color="#555555")
    else:
        s = generic_style("control_units", gdf, col, lang, labels)
    s.show, s.tooltip = True, "name"
    return s


def style_red_line(gdf, color_by, lang, labels=None):
    st = {"color": "#c00000", "weight": 2, "fill": True, "fillColor": "#ff6060", "fillOpacity": 0.25, "dashArray": "6 3"}
    return LayerStyle(_uniform(len(gdf), st), tooltip="name")


def style_water_source(gdf, color_by, lang, labels=None):
    st = {"color": "#08519c", "weight": 1.5, "fill": True, "fillColor": "#6baed6", "fillOpacity": 0.35, "dashArray": "4 3"}
    return LayerStyle(_uniform(len(gdf), st), tooltip="name")


def style_buildings(gdf, color_by, lang, labels=None):
    col = color_by or ("kwh_per_kwp" if "kwh_per_kwp" in gdf.columns else None)
    if col is not None:
        s = numeric_style(gdf, col, _title("buildings", gdf, labels, lang, col), "polygon", palette="YlOrRd")
        for st in s.styles:  # outline in the fill colour: roofs smaller than a pixel keep their colour
            st.update(weight=0.5, fillOpacity=0.85, color=st["fillColor"])
        return s
    if "building_type" in gdf.columns:
        s = category_style(gdf, "building_type", _title("buildings", gdf, labels, lang, "building_type"), lang)
        for st in s.styles:
            st.update(weight=0.4, fillOpacity=0.8, color="#444444")
        return s
    return LayerStyle(_uniform(len(gdf), {"color": "#444444", "weight": 0.4, "fill": True, "fillColor": "#999999",
                                          "fillOpacity": 0.8}))


def style_projects(gdf, color_by, lang, labels=None):
    col = color_by or ("status" if "status" in gdf.columns else None)
    if col == "status" and set(gdf[col].dropna().astype(str)) <= set(PROJECT_COLORS):
        s = category_style(gdf, col, _title("projects", gdf, labels, lang, col), lang, PROJECT_COLORS)
    elif col is not None and is_status_column(gdf[col]):
        s = status_style(gdf, col, _title("projects", gdf, labels, lang, col), lang)
    else:
        s = generic_style("projects", gdf, col, lang, labels)
    s.tooltip = "name" if "name" in gdf.columns else None
    return s


def generic_style(name, gdf, color_by, lang, labels=None):
    """Style of a layer with no registered style: by column content, else plain."""
    col = color_by
    if col is None:
        col = next((c for c in ("water_class", "unit_type", "target_met", "status") if c in gdf.columns), None)
    kind = _geom_kind(gdf)
    if col is None:
        s = LayerStyle(_uniform(len(gdf), _base(kind)))
    else:
        title = _title(name, gdf, labels, lang, col)
        values = gdf[col]
        if col == "water_class":
            s = water_class_style(gdf, col, title, lang)
        elif col == "unit_type":
            s = category_style(gdf, col, title, lang, UNIT_COLORS)
        elif pd.api.types.is_bool_dtype(values) or _all_bool(values):
            s = pass_fail_style(gdf, col, title, lang)
        elif not is_numeric(values) and is_status_column(values):
            s = status_style(gdf, col, title, lang)
        elif is_numeric(values):
            s = numeric_style(gdf, col, title, kind)
        else:
            s = category_style(gdf, col, title, lang)
    s.tooltip = "name" if "name" in gdf.columns else None
    return s


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
    "projects": style_projects,
}


def register_style(name, func):
    """Register ``func(gdf, color_by, lang, labels) -> LayerStyle`` for layers called ``name``."""
    STYLES[name] = func
    return func


def style_for(name, gdf, color_by=None, lang="zh", labels=None):
    """The :class:`LayerStyle` of a layer (registered by name, else from its columns)."""
    if color_by is not None and color_by not in gdf.columns:
        from hn_geo.core.errors import HnGeoError

        raise HnGeoError(f"layer '{name}' has no column '{color_by}' to colour by; "
                         f"columns: {', '.join(c for c in gdf.columns if c != gdf.geometry.name)}")
    func = STYLES.get(name)
    own = {"water_class", "target_class", "unit_type", "target_met", "status", "building_type"}
    if func is None or (color_by is not None and color_by not in own and not is_numeric(gdf[color_by])):
        # text columns (status words, categories) of any layer
        s = generic_style(name, gdf, color_by, lang, labels)
        s.searchable = name in ("towns", "sections")
        return s
    return func(gdf, color_by, lang, labels)


# ----------------------------------------------------------------------------- graduated points
POINT_CLASS_COLORS = ("#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404")
POINT_CLASS_RADII = (2.5, 3.5, 5, 7, 10)
POINT_QUANTILES = (0.0, 0.5, 0.8, 0.95, 0.99, 1.0)


def graduated_classes(values, quantiles=POINT_QUANTILES):
    """Class index (0..len(quantiles)-2) of each value by quantile breaks, and the breaks.

    Breaks are quantiles of the positive values (loads are heavy-tailed and
    often zero for a pollutant a source does not emit), with fine classes at
    the top (95th, 99th percentiles) where the large sources are. Zero and
    missing values fall in class 0.
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
