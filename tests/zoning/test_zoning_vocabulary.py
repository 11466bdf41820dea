"""Every code the zoning modules write has its words, in zh and en."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hn_geo
from hn_geo import vocabulary
from hn_geo.zoning import CODES

ROOT = Path(hn_geo.__file__).parent
SOURCES = sorted((ROOT / "zoning").glob("*.py")) + [ROOT / "ground" / "rules.py",
                                                     ROOT / "workflows" / "zoning.py"]


def _zoning_codes():
    """String literals 'zoning.<code>' of the sources (message, figure and family codes)."""
    out = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value.startswith("zoning.") and " " not in node.value \
                        and not node.value.endswith("_"):
                    out.add(node.value)
            if isinstance(node, ast.JoinedStr):  # f"zoning.detail_{r.kind}"
                head = node.values[0]
                if isinstance(head, ast.Constant) and str(head.value).startswith("zoning.detail_"):
                    out.update(f"zoning.detail_{k}" for k in vocabulary.words("zoning.rule_kind", "en"))
    return sorted(out)


def test_sources_name_codes():
    assert len(_zoning_codes()) > 40


@pytest.mark.parametrize("code", _zoning_codes())
def test_code_has_words_in_both_languages(code):
    if vocabulary.has("messages", code) or vocabulary.has("figures", code):
        kind = "messages" if vocabulary.has("messages", code) else "figures"
        item = vocabulary.entry(kind, code)
        assert item["zh"] and item["en"]
        return
    assert vocabulary.has_family(code), f"{code}: no message, figure or value family"
    assert vocabulary.words(code, "zh") and vocabulary.words(code, "en")


def test_result_families_exist():
    for family in CODES.values():
        assert vocabulary.has_family(family, scope="zoning"), family


def test_vocabulary_has_no_problems():
    assert vocabulary.problems() == []
