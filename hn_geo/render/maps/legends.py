"""Legend HTML of map layers: categories, a single look, colour ramps, graduated circles.

Every text is escaped; labels are words of the map's language given by the caller.
"""
from __future__ import annotations

from hn_geo.render.escape import html_text
from hn_geo.render.maps.values import format_number


def _esc(text):
    return html_text(text)


def _symbol(kind, colour, size=10):
    if kind == "ring":
        return (f'<span class="hn-circle-cell"><span class="hn-circle" style="width:{size - 4}px;'
                f'height:{size - 4}px;background:#fff;border:3px solid {colour}"></span></span>')
    if kind == "line":
        return f'<span class="hn-line" style="border-color:{colour}"></span>'
    if kind in ("circle", "point"):
        return (f'<span class="hn-circle-cell"><span class="hn-circle" style="width:{size}px;height:{size}px;'
                f'background:{colour}"></span></span>')
    return f'<span class="hn-swatch" style="background:{colour}"></span>'


def legend_categories(title, items, kind="swatch"):
    """Legend HTML: ``items`` is a list of (label, colour); ``kind`` swatch, line, circle or ring."""
    rows = [f'<div class="hn-legend-row">{_symbol(kind, colour)}{_esc(label)}</div>' for label, colour in items]
    head = f'<div class="hn-legend-title">{_esc(title)}</div>' if title else ""
    return f'<div class="hn-legend">{head}' + "".join(rows) + "</div>"


def legend_key(title, style, kind):
    """One legend row naming a layer drawn in a single style (a swatch, line or circle)."""
    if kind == "line":
        sym = (f'<span class="hn-line" style="border-color:{style.get("color", "#3388ff")};'
               f'border-top-width:{min(4, max(2, style.get("weight", 2)))}px"></span>')
    elif kind == "point":
        sym = _symbol("circle", style.get("fillColor", "#3388ff"))
    else:
        filled = style.get("fill", True) and style.get("fillOpacity", 0.2) > 0
        fill = style.get("fillColor", "transparent") if filled else "transparent"
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


def legend_circles(title, breaks, radii, colours):
    """Legend HTML for graduated circles: class k spans breaks[k]..breaks[k+1]."""
    rows = []
    for k, (r, c) in enumerate(zip(radii, colours)):
        lo, hi = format_number(breaks[k]), format_number(breaks[k + 1])
        rows.append(f'<div class="hn-legend-row">{_symbol("circle", c, 2 * r)}{_esc(lo)} – {_esc(hi)}</div>')
    return (f'<div class="hn-legend"><div class="hn-legend-title">{_esc(title)}</div>'
            + "".join(rows) + "</div>")
