"""Colours of codes: the one status table, and the map palettes of a few value families.

Status codes are coloured from the vocabulary (``common.status`` of
``hn_geo/data/labels.yaml``, read by :func:`hn_geo.vocabulary.status_style`): ``colour`` on
maps and legends, ``fill``/``font`` in workbooks. Nothing in the outputs colours a status by
its word.

Value families with a colour convention of their own (keyed by code):

* ``water_class`` (I ... V, inferior_V) follows the colour names of
  《地表水环境质量评价办法（试行）》(环办〔2011〕22号, 表1): I–II 优 blue, III 良好 green,
  IV 轻度污染 yellow, V 中度污染 orange, 劣V 重度污染 red. The method names the colours only;
  the RGB values use the hues of the AQI colours of HJ 633-2012 (green 0,228,0; yellow
  255,255,0; orange 255,126,0; red 255,0,0), with a darker blue for I and a lighter one for
  II so the two stay apart;
* ``unit_type`` (三线一单 control units): priority protection green, key control salmon,
  general control pale yellow, the hues of Zhejiang's published 环境管控单元 maps, kept light
  so the status colours of projects drawn on them (red 不通过, amber 警示) stand out;
* ``project_status`` (new, expansion, existing).
"""
from __future__ import annotations

from hn_geo import vocabulary
from hn_geo.core.status import STATUS_CODES

WATER_CLASSES = ("I", "II", "III", "IV", "V", "inferior_V")
FAMILY_COLOURS = {
    "water_class": {"I": "#1f5fd6", "II": "#5aa9f0", "III": "#00c000", "IV": "#ffff00",
                    "V": "#ff7e00", "inferior_V": "#ff0000"},
    "unit_type": {"priority": "#66c2a4", "key": "#fc9272", "general": "#fee391"},
    "project_status": {"new": "#e31a1c", "expansion": "#ff7f00", "existing": "#7f7f7f"},
}
FAMILY_SCOPES = {"water_class": "water"}
"""Block of the vocabulary holding a family that is not in ``common``."""
LEGEND_ORDER = ("met", "pass", "exempt", "on_track", "warn", "review", "behind", "not_met", "fail",
                "no_data")
"""Order of status codes in legends and counts: best first."""
HEAD_FILL = "DDEBF7"
"""Workbook header fill."""


def status_colour(code):
    """Map colour (``#rrggbb``) of a status code."""
    return vocabulary.status_style(code)["colour"]


def status_fill(code):
    """Workbook ``(fill, font)`` colours (``RRGGBB``) of a status code."""
    st = vocabulary.status_style(code)
    return st["fill"], st["font"]


NO_DATA = status_colour("no_data")
"""Colour of features with nothing to show (the status table's ``no_data``)."""


def is_status(value):
    """Whether ``value`` is a status code."""
    return isinstance(value, str) and value in STATUS_CODES


def status_order(codes):
    """Status codes sorted from best to worst (legend order), ``no_data`` last."""
    return sorted({c for c in codes if is_status(c)}, key=LEGEND_ORDER.index)


def qualified(family, scope=None):
    """A family name :func:`hn_geo.vocabulary.word` finds from ``scope``: families kept in
    another block (``water_class`` in ``water``) are addressed with it (``water.water_class``)."""
    if "." in family or vocabulary.has_family(family, scope) or family not in FAMILY_SCOPES:
        return family
    return f"{FAMILY_SCOPES[family]}.{family}"


def qualified_codes(codes, scope=None):
    """``{column: family}`` with every family addressable from ``scope`` (see :func:`qualified`)."""
    return {c: qualified(f, scope) for c, f in (codes or {}).items()}


def family_code(family, value):
    """The code of ``family`` that ``value`` is (the code itself, or its zh/en word), or None.

    Catalog layers not yet holding codes (e.g. unit_type 优先保护) are read the way the
    readers read them: an exact match of a word of the vocabulary.
    """
    colours = FAMILY_COLOURS.get(family, {})
    if isinstance(value, str) and value in colours:
        return value
    scope = FAMILY_SCOPES.get(family)
    if value is None or not vocabulary.has_family(family, scope):
        return None
    return vocabulary.code_of(family, value, scope)


def family_colour(family, value, default=None):
    """Map colour of a code (or word) of a family with a colour convention."""
    code = family_code(family, value)
    return FAMILY_COLOURS.get(family, {}).get(code, default)
