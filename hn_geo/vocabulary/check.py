"""Self-check of the vocabulary file (``problems()``), run by the test suite."""
from __future__ import annotations

import re

from hn_geo.core import settings
from hn_geo.core.status import STATUS_CODES
from hn_geo.vocabulary.text import placeholders
from hn_geo.vocabulary.words import KINDS, load

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def has_cjk(text):
    """Whether ``text`` holds Chinese characters or full-width punctuation."""
    return bool(_CJK.search(str(text)))


def problems():
    """Every defect of the vocabulary file: missing languages, unknown or uncoloured status
    codes, templates whose zh and en placeholders differ, Chinese in English texts. Empty
    when all is well."""
    data = load()
    out = _status_problems((data.get("common") or {}).get("status") or {})
    for block, content in data.items():
        for kind, node in (content or {}).items():
            if kind in ("status", "open"):
                continue
            if kind not in KINDS + ("units",):
                out.append(f"{block}.{kind}: unknown kind; known: {KINDS}")
                continue
            _walk(f"{block}.{kind}", node, out)
    return out


def _status_problems(status):
    out = []
    for code in STATUS_CODES:
        item = status.get(code)
        if item is None:
            out.append(f"common.status: no entry for status code {code!r}")
            continue
        out += [f"common.status.{code}: no {key!r}" for key in ("zh", "en", "colour", "fill", "font")
                if key not in item]
    out += [f"common.status.{code}: not a status code of hn_geo.core.status"
            for code in status if code not in STATUS_CODES]
    return out


def _walk(path, node, out):
    if isinstance(node, dict) and ("zh" in node or "en" in node):
        out += _entry_problems(path, node)
        if isinstance(node.get("sheet"), dict):
            _walk(f"{path}.sheet", node["sheet"], out)
    elif isinstance(node, dict):
        for k, v in node.items():
            _walk(f"{path}.{k}", v, out)
    else:
        out.append(f"{path}: expected {{zh: ..., en: ...}}, got {node!r}")


def _entry_problems(path, node):
    out = [f"{path}: no {lang!r} text" for lang in settings.LANGS
           if not isinstance(node.get(lang), str) or not node[lang].strip()]
    if out:
        return out
    zh, en = (placeholders(node[lg]) for lg in settings.LANGS)
    if zh != en:
        out.append(f"{path}: placeholders differ (zh {sorted(zh)}, en {sorted(en)})")
    if has_cjk(node["en"]) and not node.get("en_keeps_chinese"):
        out.append(f"{path}: the English text has Chinese characters: {node['en']!r}")
    return out
