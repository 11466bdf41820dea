"""The one vocabulary: complete in both languages, and every code the analyses emit has words."""
from __future__ import annotations

import pytest

from hn_geo import vocabulary
from hn_geo.core.results import Figure, Msg, Word
from hn_geo.core.status import STATUS_CODES
from hn_geo.ground.inputs import Inputs
from hn_geo.render.labels import column_entry
from hn_geo.render.tables import present

_MISSING = object()


def test_vocabulary_file_has_no_defects():
    assert vocabulary.problems() == []


@pytest.mark.parametrize("code", STATUS_CODES)
def test_every_status_code_has_words_and_colours(code):
    zh, en = vocabulary.word("status", code, "zh"), vocabulary.word("status", code, "en")
    assert zh != en and vocabulary.has_cjk(zh) and not vocabulary.has_cjk(en)
    style = vocabulary.status_style(code)
    assert style["colour"].startswith("#") and len(style["fill"]) == 6


def test_status_colours_tell_review_from_warn():
    assert vocabulary.status_style("review")["colour"] != vocabulary.status_style("warn")["colour"]
    assert vocabulary.status_style("review")["fill"] != vocabulary.status_style("warn")["fill"]


def test_unknown_code_raises_instead_of_leaking():
    with pytest.raises(vocabulary.VocabularyError):
        vocabulary.word("status", "nearly_met", "zh")
    with pytest.raises(vocabulary.VocabularyError):
        vocabulary.message("water.no_such_message", {}, "en")


def test_messages_render_lists_numbers_and_words_per_language():
    m = Msg("pipeline.skip_no_layer", layer="towns")
    assert "towns" in vocabulary.render(m, "zh") and vocabulary.has_cjk(vocabulary.render(m, "zh"))
    assert not vocabulary.has_cjk(vocabulary.render(m, "en"))
    assert vocabulary.join(["a", "b"], "zh") == "a、b" and vocabulary.join(["a", "b"], "en") == "a, b"
    assert vocabulary.render(Word("pollutant", "vocs"), "zh") == "挥发性有机物"
    assert vocabulary.render(True, "en") == "yes" and vocabulary.render(False, "zh") == "否"


def test_display_path_never_shows_the_installation():
    from hn_geo.ground import catalog

    shown = vocabulary.display_path(catalog.default_path("towns"))
    assert shown == "hn_geo/layers/towns.gpkg"


# ----------------------------------------------------------------------------- the analyses' codes
@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from hn_geo.workflows import solar, targets, water, zoning

    out = tmp_path_factory.mktemp("vocab")
    inputs = Inputs()
    return {flow.__name__.rsplit(".", 1)[-1]: flow.run(inputs, out / flow.__name__, lang="zh").result
            for flow in (water, zoning, solar, targets)}


def _codes_in(result):
    """Every coded value of a result: (family, code) of its coded columns, figures and notes."""
    seen = set()
    for frame in list(result.tables.values()) + list(result.layers.values()):
        for col, fam in result.codes.items():
            if col in frame.columns:
                seen |= {(fam, v.code if isinstance(v, Word) else str(v)) for v in frame[col].dropna().unique()}
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_code_of_the_default_results_renders(results, lang):
    for name, res in results.items():
        for fam, code in _codes_in(res):
            vocabulary.word(fam, code, lang, scope=name)  # raises if missing
        for key, frame in res.tables.items():  # table headers: the analysis' words (or common's)
            shown = present(frame, lang=lang, scope=name, codes=res.codes, table=key)
            assert len(shown) == len(frame)
            for col in frame.columns:
                assert vocabulary.label(col, lang, name, default=_MISSING, table=key) is not _MISSING, \
                    f"{name}.{key}.{col}: no label"
        for key, frame in res.layers.items():  # layer fields: as maps and share packages label them
            present(frame, lang=lang, scope=name, codes=res.codes, table=key, keep_geometry=True)
            for col in frame.columns:
                if col != "geometry":
                    assert column_entry(col, scope=name, table=key, any_layer=True) is not None, \
                        f"{name}.{key}.{col}: no label"
        for fig in res.figures:
            assert isinstance(fig, Figure)
            assert vocabulary.figure_label(fig, lang, name)
            assert vocabulary.figure_value(fig, lang, name)
            if isinstance(fig.value, str):
                assert fig.family, f"{name} figure {fig.code}: text value without a family"
        for note in res.notes:
            assert isinstance(note, Msg), f"{name}: note {note!r} is not a message code"
            text = vocabulary.render(note, lang, name)
            if lang == "zh":  # (an English note may quote Chinese names; the output scan checks those)
                assert vocabulary.has_cjk(text), f"{name}: zh note without Chinese: {text}"


@pytest.mark.slow
def test_status_columns_hold_status_codes_only(results):
    for name, res in results.items():
        for frame in list(res.tables.values()) + list(res.layers.values()):
            for col in res.status_columns:
                if col in frame.columns:
                    bad = set(frame[col].dropna().astype(str)) - set(STATUS_CODES) - {""}
                    assert not bad, f"{name}.{col}: {bad}"


@pytest.mark.slow
def test_every_analysis_names_its_headline(results):
    for name, res in results.items():
        assert any(f.headline for f in res.figures), f"{name}: no headline figure"


def test_industry_division_words_agree_with_the_standard_table():
    from hn_geo.reference import industries

    table = industries.divisions()
    assert len(table) == 97
    for code, name in zip(table["code"], table["name"]):
        assert vocabulary.word("industry_division", code, "zh") == name
        assert not vocabulary.has_cjk(vocabulary.word("industry_division", code, "en"))
