"""The one vocabulary: codes -> Chinese or English words, status codes -> colours.

Every user-facing word of hn_geo is in one data file, ``hn_geo/data/labels.yaml``, zh and
en side by side, in blocks: ``common`` (status codes, units, yes/no, shared value
families), then one block per part of the house (``ground``, ``water``, ``zoning``,
``solar``, ``targets``, ``render``, ``pipeline``). A block may hold

=============  ============================================================================
``title``      the analysis' title
``layers``     layer code -> title
``tables``     table code -> title (``sheet``: a short workbook sheet name, <= 31 chars)
``columns``    column -> label (a block's labels override ``common``'s for its tables)
``values``     family -> code -> word (coded columns, e.g. ``section_type: provincial``)
``figures``    key-figure code -> label
``messages``   message code -> template (Python ``str.format`` placeholders)
``words``      other words of the outputs (headings, console lines)
=============  ============================================================================

Codes are addressed as ``'<block>.<code>'`` (``'water.no_upstream_source'``); a code
without a dot is looked up in ``common``. Analyses never import this module (the
import-linter contract in ``pyproject.toml``); the readers use it to recognise Chinese or
English headers and category words, the outputs to write words.

Examples
--------
>>> from hn_geo import vocabulary as v
>>> v.word("status", "not_met", "zh"), v.word("status", "not_met", "en")
('未达标', 'not met')
>>> v.status_style("fail")["colour"]
'#d73027'
"""
from __future__ import annotations

import functools
import math
import numbers
import re
import string
from importlib import resources
from pathlib import Path

import yaml

from hn_geo.core import errors as _errors
from hn_geo.core import settings
from hn_geo.core.results import Figure, Msg, Word
from hn_geo.core.status import LEVELS, STATUS_CODES

BLOCKS = ("common", "ground", "water", "zoning", "solar", "targets", "render", "pipeline")
KINDS = ("title", "layers", "tables", "columns", "values", "figures", "messages", "words")


class VocabularyError(KeyError):
    """A code has no entry in the vocabulary (or lacks a language)."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe loader that refuses a key given twice in one mapping (YAML would keep the last)."""


def _unique_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise VocabularyError(f"labels.yaml line {key_node.start_mark.line + 1}: key {key!r} given twice")
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


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
        raise VocabularyError(f"no word for {family}={code!r}")
    return _text(item, lang, f"{family}={code!r}")


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


def ui(code, lang=None, scope=None, **params):
    """A word or phrase of the outputs (``words:``), formatted with ``params``."""
    lang = _lang(lang)
    item = entry("words", code, scope)
    if item is None:
        raise VocabularyError(f"no word {code!r}")
    return _format(_text(item, lang, f"word {code!r}"), params, lang, scope)


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


# ----------------------------------------------------------------------------- messages
def join(items, lang=None):
    """Join a list the way each language does (、 in Chinese, ', ' in English)."""
    lang = _lang(lang)
    return ("、" if lang == "zh" else ", ").join(str(i) for i in items)


def format_number(value, lang=None, digits=None):
    """A number for text: integers with separators, floats with up to ``digits`` decimals."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, bool):
        return ui("yes" if value else "no", lang)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    v = float(value)
    if digits is None:
        digits = 0 if abs(v) >= 1000 else 1 if abs(v) >= 10 else 2 if abs(v) >= 0.1 else 3
    text = f"{v:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


_FIELD_RE = re.compile(r"{([^{}:!]+)")


def placeholders(template):
    """Names used by a template (``'{n} 个{what}'`` -> {'n', 'what'})."""
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _param(value, lang, scope):
    if isinstance(value, Msg):
        return message(value.code, value.params, lang, scope)
    if isinstance(value, Word):
        return word(value.family, value.code, lang, scope)
    if isinstance(value, Path):
        return display_path(value)
    if isinstance(value, bool):
        return ui("yes" if value else "no", lang)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return join([_param(v, lang, scope) for v in items], lang)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


class _Num(float):
    """A float that formats like :func:`format_number` when the template gives no spec."""

    lang = "zh"

    def __format__(self, spec):
        return format_number(float(self), self.lang) if not spec else float.__format__(self, spec)


def _format(template, params, lang, scope):
    vals = {}
    for k, v in params.items():
        p = _param(v, lang, scope)
        if isinstance(p, float) and not isinstance(p, bool):
            n = _Num(p)
            n.lang = lang
            p = n
        vals[k] = p
    try:
        return template.format(**vals)
    except (KeyError, IndexError, ValueError) as exc:
        raise VocabularyError(f"template {template!r} cannot take {sorted(params)}: {exc}") from None


def message(code, params=None, lang=None, scope=None):
    """Render a message code with its parameters in ``lang``."""
    lang = _lang(lang)
    item = entry("messages", code, scope)
    if item is None:
        raise VocabularyError(f"no message {code!r}")
    return _format(_text(item, lang, f"message {code!r}"), dict(params or {}), lang, scope)


def render(value, lang=None, scope=None):
    """Any result value as text: Msg, Word, Figure, bool, number, or text as is."""
    lang = _lang(lang)
    if isinstance(value, Msg):
        return message(value.code, value.params, lang, scope)
    if isinstance(value, Word):
        return word(value.family, value.code, lang, scope)
    if isinstance(value, Figure):
        return figure_value(value, lang, scope)
    if isinstance(value, bool):
        return ui("yes" if value else "no", lang)
    if isinstance(value, numbers.Number):
        return format_number(value, lang)
    return "" if value is None else str(value)


def figure_label(fig, lang=None, scope=None):
    """Label of a key figure, with its period (``未达标断面数（2025年）``)."""
    lang = _lang(lang)
    item = entry("figures", fig.code, scope)
    if item is None:
        raise VocabularyError(f"no figure {fig.code!r}")
    text = _text(item, lang, f"figure {fig.code!r}")
    if fig.period is not None:
        text += ui("period", lang, period=fig.period)
    return text


def figure_value(fig, lang=None, scope=None):
    """Value of a key figure as text, with its unit (and target, when it has one)."""
    lang = _lang(lang)
    v = fig.value
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        text = "-"
    elif isinstance(v, str) and fig.family:
        text = word(fig.family, v, lang, scope)
    elif isinstance(v, (list, tuple)):
        text = join([render(x, lang, scope) for x in v], lang) if v else "-"
    else:
        text = render(v, lang, scope)
    u = unit(fig.unit, lang)
    if u and text != "-":
        text = _unit_join(text, u)
    if fig.target is not None:
        text += ui("of_target", lang, target=_unit_join(format_number(fig.target, lang), u))
    return text


def _unit_join(text, u):
    return f"{text}{u}" if not u or u == "%" else f"{text} {u}"


# ----------------------------------------------------------------------------- paths
def display_path(path):
    """A path fit for outputs: never a path inside the installed package.

    Files of the installed package (embedded layers and data) show as
    ``hn_geo/<relative path>``; other files as the user gave them.
    """
    p = Path(str(path))
    try:
        rp = p.resolve()
    except OSError:
        return str(path)
    for root, prefix in _package_roots():
        try:
            rel = rp.relative_to(root)
        except ValueError:
            continue
        return f"{prefix}/{rel.as_posix()}"
    return str(path)


@functools.lru_cache(maxsize=1)
def _package_roots():
    pkg = Path(str(resources.files("hn_geo"))).resolve()
    roots = [(pkg, "hn_geo")]
    try:
        layers = Path(str(resources.files("hn_geo.layers"))).resolve()
        if layers != pkg / "layers":
            roots.insert(0, (layers, "hn_geo/layers"))  # editable install: the repo's layers/
    except ModuleNotFoundError:  # pragma: no cover
        pass
    return tuple(roots)


# ----------------------------------------------------------------------------- errors
def render_problem(code, params, where, lang=None, fallback=None):
    """Text of an :class:`~hn_geo.core.errors.HnGeoError` or warning in ``lang``."""
    lang = _lang(lang)
    if code and has("messages", code):
        text = message(code, params, lang)
    else:  # not yet given a code: an English sentence, so the location is English too
        text = fallback if fallback is not None else str(code)
        lang = "en"
    parts = []
    if where.get("path"):
        parts.append(ui("where_file", lang, path=display_path(where["path"])))
    if where.get("row") is not None:
        parts.append(ui("where_row", lang, row=where["row"]))
    if where.get("field") is not None:
        parts.append(ui("where_field", lang, field=where["field"]))
    sep = "；" if lang == "zh" else "; "
    colon = "：" if lang == "zh" else ": "
    return f"{sep.join(parts)}{colon}{text}" if parts else text


_errors.set_renderer(render_problem)


# ----------------------------------------------------------------------------- checks
def problems():
    """Every defect of the vocabulary file: missing languages, unknown or uncoloured status
    codes, templates whose zh and en placeholders differ. Empty when all is well."""
    out = []
    data = load()
    common = data.get("common") or {}
    status = common.get("status") or {}
    for code in STATUS_CODES:
        item = status.get(code)
        if item is None:
            out.append(f"common.status: no entry for status code {code!r}")
            continue
        for key in ("zh", "en", "colour", "fill", "font"):
            if key not in item:
                out.append(f"common.status.{code}: no {key!r}")
    for code in status:
        if code not in STATUS_CODES:
            out.append(f"common.status.{code}: not a status code of hn_geo.core.status")

    def walk(path, node):
        if isinstance(node, dict) and ("zh" in node or "en" in node):
            for lang in settings.LANGS:
                if not isinstance(node.get(lang), str) or not node[lang].strip():
                    out.append(f"{path}: no {lang!r} text")
            if all(isinstance(node.get(lg), str) for lg in settings.LANGS):
                zh, en = (placeholders(node[lg]) for lg in settings.LANGS)
                if zh != en:
                    out.append(f"{path}: placeholders differ (zh {sorted(zh)}, en {sorted(en)})")
                if _CJK.search(node["en"]) and not node.get("en_keeps_chinese"):
                    out.append(f"{path}: the English text has Chinese characters: {node['en']!r}")
            if isinstance(node.get("sheet"), dict):
                walk(f"{path}.sheet", node["sheet"])
            return
        if isinstance(node, dict):
            for k, v in node.items():
                walk(f"{path}.{k}", v)
        else:
            out.append(f"{path}: expected {{zh: ..., en: ...}}, got {node!r}")

    for block, content in data.items():
        for kind, node in (content or {}).items():
            if kind not in KINDS + ("status", "units"):
                out.append(f"{block}.{kind}: unknown kind; known: {KINDS}")
                continue
            if kind == "status":
                continue
            walk(f"{block}.{kind}", node)
    return out


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def has_cjk(text):
    """Whether ``text`` holds Chinese characters or full-width punctuation."""
    return bool(_CJK.search(str(text)))
