"""Every word the outputs use is in the vocabulary, in both languages."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import hn_geo
from hn_geo import vocabulary
from hn_geo.core.settings import LANGS

ROOT = Path(hn_geo.__file__).parent
SOURCES = sorted([*ROOT.glob("render/**/*.py"), ROOT / "workflows" / "maps.py", ROOT / "workflows" / "share.py",
                  ROOT / "workflows" / "report.py", ROOT / "cli" / "map.py", ROOT / "cli" / "export.py"])
TEXT = "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)
MESSAGES = sorted(set(re.findall(r"""["'](render\.[a-z_]+)["']""", TEXT)))
WORDS = sorted(set(re.findall(r"""\bui\(\s*["']([a-z_]+)["'](?![^)]*scope=["'](?!render))""", TEXT))
               | set(re.findall(r"""vocabulary\.ui\(\s*["']([a-z_]+)["'],[^)]*["']render["']""", TEXT)))
FAMILIES = sorted(set(re.findall(r"""value_word\(\s*["']([a-z_]+)["']""", TEXT))
                  | set(re.findall(r"""vocabulary\.word\(\s*["']([a-z_]+)["'],[^)]*["']render["']""", TEXT)))


def test_the_scan_finds_the_words():
    assert len(MESSAGES) > 20 and len(WORDS) > 20 and {"step_state", "field_type", "basemap"} <= set(FAMILIES)


@pytest.mark.parametrize("code", MESSAGES)
def test_every_message_code_has_both_languages(code):
    item = vocabulary.entry("messages", code)
    assert item is not None, f"{code} has no entry under render.messages of labels.yaml"
    assert all(isinstance(item.get(lang), str) and item[lang].strip() for lang in LANGS)


@pytest.mark.parametrize("code", WORDS)
def test_every_word_has_both_languages(code):
    item = vocabulary.entry("words", code, "render")
    assert item is not None, f"no render.words.{code}"
    assert all(isinstance(item.get(lang), str) and item[lang].strip() for lang in LANGS)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_has_both_languages(family):
    for lang in LANGS:
        assert vocabulary.words(family, lang, "render")


def test_vocabulary_has_no_problems():
    assert vocabulary.problems() == []
