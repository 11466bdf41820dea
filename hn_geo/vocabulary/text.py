"""Text: messages with parameters, numbers, figures, paths and the error renderer."""
from __future__ import annotations

import functools
import math
import numbers
import string
from importlib import resources
from pathlib import Path

from hn_geo.core import errors as _errors
from hn_geo.core.results import Figure, Msg, Word
from hn_geo.vocabulary.words import VocabularyError, _lang, _text, entry, has, unit, word


def ui(code, lang=None, scope=None, **params):
    """A word or phrase of the outputs (``words:``), formatted with ``params``."""
    lang = _lang(lang)
    item = entry("words", code, scope)
    if item is None:
        raise VocabularyError(f"no word {code!r}")
    return _format(_text(item, lang, f"word {code!r}"), params, lang, scope)


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
