"""Words of the outputs that depend on where a column or layer comes from.

A catalog layer (towns, sections, ...) is labelled from the ``ground`` block of the
vocabulary, a result layer or table from its analysis' block (falling back to ``ground``
for the catalog fields a result layer carries): a towns layer on the water map is labelled
as towns, a sections layer as sections. Column labels come with their unit
(``"装机潜力 (MW)"``); :func:`column_parts` gives text and unit apart (field dictionaries).
"""
from __future__ import annotations

import re

from hn_geo import vocabulary

GROUND = "ground"
_UNIT_RE = re.compile(r"^(?P<label>.*?)\s*[（(](?P<unit>[^()（）]{1,14})[)）]\s*$")


def _keys(column, table):
    return ([f"{table}.{column}"] if table else []) + [column]


def column_entry(column, *, scope=None, table=None, any_layer=False):
    """The vocabulary entry ``{zh, en[, unit]}`` of a column, or None.

    Searched as :func:`hn_geo.vocabulary.label` does (``<table>.<column>`` then
    ``<column>``, in ``scope`` then ``common``), then in ``ground`` (catalog fields of the
    layer called ``table``), and with ``any_layer`` as a field of any catalog layer (the
    first in catalog order: maps and share packages label a result layer's ``town`` or
    ``nox_t`` as the catalog does).
    """
    blocks = [b for b in (scope, "common", GROUND) if b]
    for block in dict.fromkeys(blocks):
        found = (vocabulary.load().get(block) or {}).get("columns") or {}
        for key in _keys(column, table):
            if key in found:
                return found[key]
    if not any_layer:
        return None
    # a catalog field of another layer (e.g. 'nox_t' of emission points in a result layer)
    found = (vocabulary.load().get(GROUND) or {}).get("columns") or {}
    return next((v for k, v in found.items() if "." in k and k.split(".", 1)[1] == column), None)


def column_label(column, lang, *, scope=None, table=None, overrides=None, any_layer=False):
    """Display label of a column (with its unit); the column name itself when unknown.

    Parameters
    ----------
    overrides : dict, optional
        ``{column: label or (zh, en)}`` given by the caller (a user's own columns; the
        labels of a 0.1 result), used first.
    """
    if overrides and column in overrides:
        lab = overrides[column]
        return lab if isinstance(lab, str) else lab[0 if lang == "zh" else 1]
    item = column_entry(column, scope=scope, table=table, any_layer=any_layer)
    if item is None:
        return column
    text = item[lang]
    return f"{text} ({item['unit']})" if item.get("unit") else text


def column_parts(column, lang, *, scope=None, table=None, overrides=None, any_layer=False):
    """``(label without unit, unit)`` of a column ('' for no unit)."""
    text = column_label(column, lang, scope=scope, table=table, overrides=overrides, any_layer=any_layer)
    item = None if overrides and column in overrides else column_entry(column, scope=scope, table=table,
                                                                        any_layer=any_layer)
    if item is not None and item.get("unit"):
        return item[lang], str(item["unit"])
    m = _UNIT_RE.match(text)
    if m:
        return m["label"], m["unit"]
    return text, ""


def layer_title(name, lang, *, scope=None, default=None):
    """Title of a layer: the analysis block's ``layers:``, else ``ground``'s, else ``default``."""
    for block in dict.fromkeys(b for b in (scope, GROUND) if b):
        item = ((vocabulary.load().get(block) or {}).get("layers") or {}).get(name)
        if item is not None:
            return vocabulary.title("layers", name, lang, block)
    return name if default is None else default


def is_catalog_layer(name):
    """Whether ``name`` is a layer of the catalog (it has a title in the ``ground`` block)."""
    return name in ((vocabulary.load().get(GROUND) or {}).get("layers") or {})


def analysis_title(name, lang):
    """Title of an analysis (its block's ``title``), else its name."""
    if name in vocabulary.BLOCKS and (vocabulary.load().get(name) or {}).get("title"):
        return vocabulary.title("title", name, lang)
    return name


def ui(code, lang, **params):
    """A word of the ``render`` block (``words:``), formatted with ``params``."""
    return vocabulary.ui(code, lang, scope="render", **params)


def value_word(family, code, lang):
    """Word of a code of one of the ``render`` block's value families."""
    return vocabulary.word(family, code, lang, scope="render")
