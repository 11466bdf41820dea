"""Words: the vocabulary file and its lookups (value families, labels, titles, units, status colours)."""
from __future__ import annotations

import functools
from importlib import resources

import yaml

from hn_geo.core import settings
from hn_geo.core.status import LEVELS, STATUS_CODES

BLOCKS = ("common", "ground", "water", "zoning", "solar", "targets", "render", "pipeline")
KINDS = ("title", "layers", "tables", "columns", "values", "figures", "messages", "words")


class VocabularyError(KeyError):
    """A code has no entry in the vocabulary (or lacks a language)."""


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loader that refuses a key given twice in one mapping (YAML would keep the last).

    libyaml's parser when PyYAML has it (7x faster on labels.yaml: every process reads it).
    """


def _unique_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise VocabularyError(f"labels.yaml line {key_node.start_mark.line + 1}: key {key!r} given twice")
        seen.add(key)
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


@functools.lru_cache(maxsize=1)
def load():
    """The vocabulary as a dict of blocks (read once from ``hn_geo/data/labels.yaml``)."""
    text = resources.files("hn_geo").joinpath("data/labels.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_UniqueKeyLoader) or {}
    for block in data:
        if block not in BLOCKS:
            raise VocabularyError(f"labels.yaml: unknown block {block!r}; known: {BLOCKS}")
    return data


def _lang(lang):
    lang = lang or settings.lang
    if lang not in settings.LANGS:
        raise ValueError(f"lang must be one of {settings.LANGS}, not {lang!r}")
    return lang


def _split(code, default_block="common"):
    if "." in code:
        block, rest = code.split(".", 1)
        if block in BLOCKS:
            return block, rest
    return default_block, code


def entry(kind, code, scope=None):
    """The raw entry ``{zh: ..., en: ...}`` of ``code`` under ``kind``, or None.

    ``scope`` (a block name) is searched first, then ``common``; a dotted code names its
    block itself.
    """
    data = load()
    if "." in code and code.split(".", 1)[0] in BLOCKS:
        block, key = _split(code)
        blocks = (block,)
    else:
        key = code
        blocks = tuple(b for b in (scope, "common") if b)
    for block in blocks:
        found = (data.get(block) or {}).get(kind) or {}
        if key in found:
            return found[key]
    return None


def _text(item, lang, what):
    if isinstance(item, dict) and lang in item:
        return str(item[lang])
    raise VocabularyError(f"{what}: no {lang!r} text in hn_geo/data/labels.yaml")


def has(kind, code, scope=None):
    """Whether the vocabulary has ``code`` under ``kind``."""
    return entry(kind, code, scope) is not None


# ----------------------------------------------------------------------------- words
def word(family, code, lang=None, scope=None, default=None):
    """The word for ``code`` of a value family (``family='status'`` for status codes).

    Parameters
    ----------
    family : str
        Value family (under ``values:``), or 'status'.
    code : str
    lang : {'zh', 'en'}, optional
    scope : str, optional
        Block searched before ``common``.
    default : str, optional
        Returned when the code is unknown (else :class:`VocabularyError`).
    """
    lang = _lang(lang)
    if family == "status":
        item = (load().get("common") or {}).get("status", {}).get(code)
    else:
        fam = None
        blocks = [scope] if scope else []
        if "." in family:
            b, family = _split(family)
            blocks = [b]
        for block in blocks + ["common"]:
            fam = ((load().get(block) or {}).get("values") or {}).get(family)
            if fam is not None and code in fam:
                break
        item = fam.get(code) if fam else None
    if item is None:
        if default is not None:
            return default
        if family != "status" and is_open(family, blocks[0] if blocks else None):
            return str(code)  # an open family: text that is not one of its codes is data
        raise VocabularyError(f"no word for {family}={code!r}")
    return _text(item, lang, f"{family}={code!r}")


def is_open(family, scope=None):
    """Whether a value family is *open*: its codes get words, other values are data kept as
    they are (e.g. ``ground.provenance``: the embedded layers' sources are coded, a user's
    own source text is not). A block lists its open families under ``open:``."""
    block, name = _split(family, scope or "common") if "." in family else (scope, family)
    for b in ([block] if block else []) + ["common"]:
        if name in ((load().get(b) or {}).get("open") or []):
            return True
    return False


def words(family, lang=None, scope=None):
    """``{code: word}`` of a whole value family."""
    lang = _lang(lang)
    if family == "status":
        return {c: word("status", c, lang) for c in STATUS_CODES}
    blocks = [scope] if scope else []
    if "." in family:
        b, family = _split(family)
        blocks = [b]
    for block in blocks + ["common"]:
        fam = ((load().get(block) or {}).get("values") or {}).get(family)
        if fam is not None:
            return {c: _text(v, lang, f"{family}={c!r}") for c, v in fam.items()}
    raise VocabularyError(f"no value family {family!r}")


def has_family(family, scope=None):
    """Whether a value family exists (in ``scope`` or ``common``)."""
    if family == "status":
        return True
    try:
        words(family, "zh", scope)
    except VocabularyError:
        return False
    return True


def code_of(family, text, scope=None):
    """The code whose zh or en word (or the code itself) is ``text``; None if none is.

    Used by readers to accept 省控, 'provincial' or 'Provincial' alike.
    """
    if text is None:
        return None
    t = str(text).strip()
    low = t.lower()
    for lang in settings.LANGS:
        for code, w in words(family, lang, scope).items():
            if t == code or low == str(code).lower() or t == w or low == w.lower():
                return code
    return None


def label(column, lang=None, scope=None, default=None, *, table=None):
    """Display label of a column.

    Looked up as ``<table>.<column>`` then ``<column>``, first in the ``scope`` block, then
    in ``common``: a table or layer may label a column its own way (``towns.name`` 镇（街道）
    vs ``sections.name`` 断面名称). Unknown columns give ``default`` (the column name itself
    when ``default`` is None): a user's own extra columns keep their names.
    """
    lang = _lang(lang)
    keys = ([f"{table}.{column}"] if table else []) + [column]
    for block in tuple(b for b in (scope, "common") if b):
        found = ((load().get(block) or {}).get("columns") or {})
        for key in keys:
            if key in found:
                return _with_unit(found[key], lang, key)
    if "." in column and column.split(".", 1)[0] in BLOCKS:
        item = entry("columns", column)
        if item is not None:
            return _with_unit(item, lang, column)
    return column if default is None else default


def _with_unit(item, lang, key):
    text = _text(item, lang, f"column {key!r}")
    unit = item.get("unit") if isinstance(item, dict) else None
    return f"{text} ({unit})" if unit else text


def title(kind, code, lang=None, scope=None):
    """Title of an analysis (``kind='title'``, ``code`` = its block), a layer or a table."""
    lang = _lang(lang)
    if kind == "title":
        item = (load().get(code) or {}).get("title")
    else:
        item = entry(kind, code, scope)
    if item is None:
        raise VocabularyError(f"no {kind} title for {code!r}")
    return _text(item, lang, f"{kind} {code!r}")


def sheet_name(table, lang=None, scope=None):
    """A workbook sheet name for a table (its ``sheet`` entry, else its title), <= 31 chars."""
    lang = _lang(lang)
    item = entry("tables", table, scope)
    if item is None:
        raise VocabularyError(f"no table title for {table!r}")
    short = item.get("sheet") if isinstance(item, dict) else None
    text = _text(short, lang, f"sheet {table!r}") if isinstance(short, dict) else _text(item, lang, table)
    return text[:31]


def unit(code, lang=None):
    """Display form of a unit code ('' for none)."""
    if not code:
        return ""
    lang = _lang(lang)
    item = ((load().get("common") or {}).get("units") or {}).get(code)
    if item is None:
        raise VocabularyError(f"no unit {code!r}")
    return _text(item, lang, f"unit {code!r}")


# ----------------------------------------------------------------------------- status
@functools.cache
def status_style(code):
    """Colours of a status code: ``{'colour': map hex, 'fill': workbook fill, 'font': ...}``.

    The one table every output colours statuses from (``common.status`` in labels.yaml).
    """
    item = (load().get("common") or {}).get("status", {}).get(code)
    if item is None:
        raise VocabularyError(f"unknown status code {code!r}")
    return {"colour": item["colour"], "fill": item["fill"], "font": item["font"],
            "level": LEVELS.get(code)}
