"""Plain SVG charts for the dashboard: stacked bars, lines with reference lines, bars with marks.

Charts are SVG text written into the page (no script, no library, no network): the page's
fonts draw the Chinese labels, and every bar or point carries a ``<title>`` the browser
shows on hover. Every text is escaped; numbers are formatted by the vocabulary's
:func:`~hn_geo.vocabulary.format_number` in the page's language.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

from hn_geo import vocabulary

AXIS = "#6b6b6b"
GRID = "#e3e3e3"
TEXT = "#333333"
FONT_PX = 12


def esc(text):
    """Text for SVG/HTML: escaped, quotes included."""
    return html.escape("" if text is None else str(text), quote=True)


def num(v, lang, digits=None):
    return vocabulary.format_number(v, lang, digits)


def colon(lang):
    """The colon between a label and its value: full-width in Chinese."""
    return "：" if lang == "zh" else ": "


def nice_ticks(lo, hi, n=5, integer=False):
    """Round tick values covering ``lo``..``hi`` (about ``n`` of them; whole numbers for counts)."""
    if not math.isfinite(lo) or not math.isfinite(hi) or hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * mag for m in steps if m * mag >= raw)
    if integer:
        step = max(1, round(step))
    start = math.floor(lo / step) * step
    ticks, t = [], start
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 10))
        t += step
    if ticks[-1] < hi:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def text_width(text, px=FONT_PX):
    """Rough width of a label in pixels (CJK characters are square, Latin half as wide)."""
    return sum(px if ord(ch) > 0x2E80 else px * 0.56 for ch in str(text))


def _svg(width, height, body, label):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
            f'role="img" aria-label="{esc(label)}" class="chart-svg">' + "".join(body) + "</svg>")


def _text(x, y, text, anchor="start", size=FONT_PX, weight=None, fill=TEXT, cls=None):
    w = f' font-weight="{weight}"' if weight else ""
    c = f' class="{cls}"' if cls else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{w}{c}>'
            f"{esc(text)}</text>")


def _rect(x, y, w, h, fill, tip, cls="bar"):
    return (f'<rect class="{cls}" x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
            f'fill="{fill}"><title>{esc(tip)}</title></rect>')


# ----------------------------------------------------------------------------- stacked columns
@dataclass
class Stack:
    """One series of a stacked column chart: label, colour and a value per category."""

    label: str
    colour: str
    values: list


def stacked_columns(categories, stacks, *, lang, title, unit="", width=560, height=300):
    """Vertical stacked columns (e.g. sections per water class, by year)."""
    left, right, top, bottom = 44, 12, 14, 30
    totals = [sum(s.values[i] or 0 for s in stacks) for i in range(len(categories))]
    ticks = nice_ticks(0, max(totals + [1]), integer=True)
    y_max = ticks[-1]
    ph, pw = height - top - bottom, width - left - right
    body = []
    for t in ticks:
        y = top + ph * (1 - t / y_max)
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, num(t, lang), "end", fill=AXIS))
    slot = pw / max(len(categories), 1)
    bw = min(56.0, slot * 0.62)
    for i, cat in enumerate(categories):
        x = left + slot * i + (slot - bw) / 2
        base = 0.0
        for s in stacks:
            v = s.values[i] or 0
            if v <= 0:
                continue
            h = ph * v / y_max
            y = top + ph * (1 - (base + v) / y_max)
            body.append(_rect(x, y, bw, h, s.colour, f"{cat} · {s.label}{colon(lang)}{num(v, lang)}{unit}"))
            if h >= 14:
                body.append(_text(x + bw / 2, y + h / 2 + 4, num(v, lang), "middle", size=11,
                                  fill=_ink(s.colour)))
            base += v
        body.append(_text(x + bw / 2, height - bottom + 18, cat, "middle"))
        body.append(_text(x + bw / 2, top + ph * (1 - totals[i] / y_max) - 4, num(totals[i], lang), "middle",
                          size=11, fill=AXIS))
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{top + ph}" y2="{top + ph}" stroke="{AXIS}"/>')
    return _svg(width, height, body, title)


def _ink(colour):
    """Black or white text on a fill colour (by its luminance)."""
    c = colour.lstrip("#")
    if len(c) != 6:
        return TEXT
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return "#ffffff" if 0.299 * r + 0.587 * g + 0.114 * b < 140 else "#1a1a1a"


# ----------------------------------------------------------------------------- lines
@dataclass
class Series:
    """A line: label, colour, points ``(x, y)``; optional colour per point (status)."""

    label: str
    colour: str
    points: list
    point_colours: list | None = None
    dash: str | None = None


@dataclass
class Ref:
    """A horizontal reference line (a target): value, label, colour."""

    value: float
    label: str
    colour: str = "#c0392b"
    dash: str = "6 4"


def line_chart(series, *, lang, title, refs=(), x_labels=None, y_unit="", x_unit="", y_min=0.0,
               y_max=None, width=560, height=300):
    """Lines over x (years, counts), with reference lines for targets."""
    left, right, top, bottom = 54, 16, 16, 34
    xs = [p[0] for s in series for p in s.points]
    ys = [p[1] for s in series for p in s.points if p[1] is not None] + [r.value for r in refs]
    x_lo, x_hi = (min(xs), max(xs)) if xs else (0, 1)
    if x_hi == x_lo:
        x_lo, x_hi = x_lo - 0.5, x_hi + 0.5
    ticks = nice_ticks(y_min, y_max if y_max is not None else max(ys + [y_min + 1]) * 1.05)
    y_hi = ticks[-1]
    ph, pw = height - top - bottom, width - left - right

    def px(x):
        return left + pw * (x - x_lo) / (x_hi - x_lo)

    def py(y):
        return top + ph * (1 - (y - ticks[0]) / (y_hi - ticks[0]))

    body = []
    for t in ticks:
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{py(t):.1f}" y2="{py(t):.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, py(t) + 4, num(t, lang) + y_unit, "end", fill=AXIS))
    for x, lab in (x_labels or [(x, num(x, lang)) for x in nice_ticks(x_lo, x_hi, 6) if x_lo <= x <= x_hi]):
        body.append(_text(px(x), height - bottom + 18, lab, "middle", fill=AXIS))
    for r in refs:
        body.append(f'<line class="ref" x1="{left}" x2="{width - right}" y1="{py(r.value):.1f}" '
                    f'y2="{py(r.value):.1f}" stroke="{r.colour}" stroke-width="1.6" stroke-dasharray="{r.dash}">'
                    f"<title>{esc(r.label)}</title></line>")
        body.append(_text(width - right - 4, py(r.value) - 5, r.label, "end", size=11, fill=r.colour))
    for s in series:
        body += _series(s, px, py, lang, y_unit, x_unit)
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{top + ph}" y2="{top + ph}" stroke="{AXIS}"/>')
    return _svg(width, height, body, title)


def _series(s, px, py, lang, y_unit, x_unit):
    pts = [(x, y) for x, y in s.points if y is not None]
    if not pts:
        return []
    path = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for i, (x, y) in enumerate(pts))
    dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
    out = [f'<path class="line" d="{path}" fill="none" stroke="{s.colour}" stroke-width="2.2"{dash}>'
           f"<title>{esc(s.label)}</title></path>"]
    if s.point_colours is not None:
        for (x, y), c in zip(s.points, s.point_colours):
            if y is None:
                continue
            out.append(f'<circle class="point" cx="{px(x):.1f}" cy="{py(y):.1f}" r="5" fill="{c}" stroke="#ffffff" '
                       f'stroke-width="1.5"><title>{esc(f"{s.label} · {num(x, lang)}{x_unit}{colon(lang)}{num(y, lang)}{y_unit}")}'
                       f"</title></circle>")
    return out


# ----------------------------------------------------------------------------- bars with marks
@dataclass
class Mark:
    """A tick on a bar's scale (a target): value, label, colour, dashed or not."""

    value: float
    label: str
    colour: str = "#222222"
    dashed: bool = False


@dataclass
class Bar:
    """One horizontal bar: label, value, colour, the text after it, marks, emphasis."""

    label: str
    value: float
    colour: str
    text: str = ""
    marks: list = field(default_factory=list)
    strong: bool = False
    tip: str = ""


def bars(rows, *, lang, title, x_max=None, unit="", width=560, label_width=None, row_height=26,
         value_width=120):
    """Horizontal bars with target marks (towns against their targets, counts of verdicts)."""
    label_width = label_width or min(240, max([text_width(r.label) for r in rows] + [40]) + 12)
    top, bottom = 8, 26
    height = top + bottom + row_height * len(rows)
    left, right = label_width, value_width
    values = [r.value for r in rows if r.value is not None] + [m.value for r in rows for m in r.marks]
    counts = all(float(v).is_integer() for v in values)
    ticks = nice_ticks(0, x_max if x_max is not None else max(values + [1]) * (1 if counts else 1.02), integer=counts)
    x_hi = ticks[-1]
    pw = width - left - right

    def px(v):
        return left + pw * max(0.0, min(v, x_hi)) / x_hi

    body = []
    for t in ticks:
        body.append(f'<line x1="{px(t):.1f}" x2="{px(t):.1f}" y1="{top}" y2="{height - bottom}" stroke="{GRID}"/>')
        body.append(_text(px(t), height - bottom + 16, num(t, lang) + unit, "middle", size=11, fill=AXIS))
    for i, r in enumerate(rows):
        y = top + row_height * i
        bh = row_height * 0.62
        yb = y + (row_height - bh) / 2
        body.append(_text(left - 8, y + row_height / 2 + 4, r.label, "end", weight="bold" if r.strong else None))
        if r.value is not None:
            body.append(_rect(left, yb, px(r.value) - left, bh, r.colour, r.tip or f"{r.label}{colon(lang)}{r.text}"))
        for m in r.marks:
            dash = ' stroke-dasharray="3 2"' if m.dashed else ""
            body.append(f'<line class="mark" x1="{px(m.value):.1f}" x2="{px(m.value):.1f}" y1="{y + 2:.1f}" '
                        f'y2="{y + row_height - 2:.1f}" stroke="{m.colour}" stroke-width="2.4"{dash}>'
                        f"<title>{esc(m.label)}</title></line>")
        body.append(_text(width - right + 8, y + row_height / 2 + 4, r.text, size=11,
                          weight="bold" if r.strong else None))
    body.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{height - bottom}" stroke="{AXIS}"/>')
    return _svg(width, height, body, title)
