"""The water result speaks in codes: status codes, coded columns with words in zh and en,
Msg notes, typed figures for the reported year, numbers as numbers, no ``lang`` anywhere."""
import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

from hn_geo import vocabulary, water
from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.results import AnalysisResult, Figure, Msg, Word
from hn_geo.core.status import STATUS_CODES
from hn_geo.ground.catalog import layers_dir, load_layer
from hn_geo.ground.water_results import read_results
from hn_geo.render.tables import present

ITEM_LISTS = ("class_items", "exceed_items", "main_pollutants", "failing_sections")
NAMES = ("section_id", "name", "river", "point_name", "industry", "town", "upstream_unit",
         "downstream_unit", "source", "date", "point_id", "reach")
"""Columns of names and ids (Chinese in every language)."""


@pytest.fixture(scope="module")
def embedded():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        samples = read_results(layers_dir() / "water_results.csv")
        return water.assess(samples, load_layer("sections"), load_layer("rivers"),
                            load_layer("emission_points"))


def frames(res):
    return {**res.tables, **{f"layer:{k}": v for k, v in res.layers.items()}}


def test_no_lang_parameter_and_keyword_only_options():
    for name in water.__all__:
        obj = getattr(water, name)
        if callable(obj):
            assert "lang" not in inspect.signature(obj).parameters, name
    params = inspect.signature(water.assess).parameters
    assert list(params)[:4] == ["samples", "sections", "rivers", "points"]
    assert all(p.kind is p.KEYWORD_ONLY for n, p in params.items() if n not in list(params)[:4])


def test_result_type_and_status_columns_hold_status_codes(embedded):
    assert isinstance(embedded, AnalysisResult) and embedded.name == "water"
    assert set(embedded.status_columns) == {"status", "plan_check"}
    for key, df in frames(embedded).items():
        for col in embedded.status_columns:
            if col in df.columns:
                vals = set(df[col].dropna())
                assert vals <= set(STATUS_CODES), (key, col, vals)
    assert set(embedded.layers["sections"]["status"]) <= {"met", "not_met", "no_data"}
    assert {"met", "not_met"} <= set(embedded.tables["water_sections"]["status"])


def test_every_code_renders_in_both_languages(embedded):
    for key, df in frames(embedded).items():
        for col, family in embedded.codes.items():
            if col not in df.columns:
                continue
            for code in set(df[col].dropna()):
                for lang in ("zh", "en"):
                    assert vocabulary.word(family, code, lang, "water"), (key, col, code)
        for col in df.columns:
            if col == "geometry":
                continue
            for lang in ("zh", "en"):
                vocabulary.label(col, lang, "water")
                assert vocabulary.has("columns", col, "water") or col in (
                    "geometry", "source", "approximate", "upstream_unit", "downstream_unit", "reach"), (key, col)
    for table in embedded.tables:
        for lang in ("zh", "en"):
            assert vocabulary.title("tables", table, lang, "water")
            assert len(vocabulary.sheet_name(table, lang, "water")) <= 31


def test_notes_are_messages_and_render(embedded):
    assert embedded.notes and all(isinstance(n, Msg) for n in embedded.notes)
    codes = [n.code for n in embedded.notes]
    assert codes[:2] == ["water.method_classes", "water.method_detection_limit"]
    assert "water.no_upstream_source" in codes
    for n in embedded.notes:
        zh, en = vocabulary.render(n, "zh", "water"), vocabulary.render(n, "en", "water")
        assert vocabulary.has_cjk(zh)
        if n.code not in ("water.method_classes", "water.no_upstream_source"):  # quote 22号 / names
            assert not vocabulary.has_cjk(en), en


def test_figures_are_typed_and_for_the_reported_year(embedded):
    year = embedded.meta["year"]
    assert year == 2025
    assert all(isinstance(f, Figure) for f in embedded.figures)
    assert [f.code for f in embedded.figures if f.headline] == ["water.sections_not_met"]
    counts = {f.code: f.value for f in embedded.figures}
    for f in embedded.figures:
        assert f.period == year
        vocabulary.figure_label(f, "zh", "water"), vocabulary.figure_label(f, "en", "water")
        vocabulary.figure_value(f, "zh", "water"), vocabulary.figure_value(f, "en", "water")
    layer = embedded.layers["sections"]
    assert counts["water.sections_not_met"] == int((layer["status"] == "not_met").sum()) == 2
    assert counts["water.sections_met"] == int((layer["status"] == "met").sum())
    assert counts["water.sections_no_data"] == int((layer["status"] == "no_data").sum())
    assert sum(counts[f"water.sections_{k}"] for k in ("met", "not_met", "no_data")) == len(layer)
    comp = embedded.tables["water_compliance"]
    this = comp[comp["year"] == year].set_index("indicator")
    for code, fig in (("provincial_class_iii", "water.provincial_rate"), ("handover_met", "water.handover_rate")):
        f = embedded.figure(fig)
        assert isinstance(f.value, float) and f.value == this.loc[code, "rate_pct"]
        assert f.target == 100.0 and f.unit == "pct" and f.status == this.loc[code, "status"]


def test_numbers_stay_numbers(embedded):
    for key, df in frames(embedded).items():
        for col in ("n_samples", "n_sections", "n_met", "rate_pct", "max_multiple", "water_class_num",
                    "nh3n", "tp", "along_km", "snap_m", "load_share_pct", "rank", "year"):
            if col in df.columns and len(df):
                assert pd.api.types.is_numeric_dtype(df[col]), (key, col, df[col].dtype)
        for col in df.columns:
            if df[col].dtype == object and col not in ITEM_LISTS:
                assert not any(isinstance(v, str) and v == "" for v in df[col]), (key, col)


def test_item_lists_are_codes(embedded):
    a = embedded.tables["water_sections"]
    for col in ("class_items", "exceed_items", "main_pollutants"):
        for cell in a[col]:
            assert isinstance(cell, tuple)
            for e in cell:
                assert isinstance(e, (Word, Msg))
                assert water.item_of(e) in a.columns
    assert any(len(c) for c in a["exceed_items"]) and any(len(c) for c in a["main_pollutants"])


def test_english_presentation_has_no_chinese_outside_names(embedded):
    for key, df in frames(embedded).items():
        en = present(df, lang="en", scope="water", codes=embedded.codes, labels=False,
                     keep_geometry=False)
        for col in en.columns:
            if col in NAMES or col == "failing_sections":
                continue
            text = en[col].astype(str)
            bad = text[text.map(vocabulary.has_cjk)]
            assert bad.empty, (key, col, bad.iloc[0])
        heads = present(df.head(1), lang="en", scope="water", codes=embedded.codes).columns
        assert not any(vocabulary.has_cjk(h) for h in heads), (key, list(heads))
    comp = present(embedded.tables["water_compliance"], lang="en", scope="water", codes=embedded.codes)
    failing = comp["failing sections"].iloc[0]
    assert failing == "上塘河盐官上河闸(IV)"  # a name, its class code


def test_zh_presentation_keeps_the_old_words(embedded):
    zh = present(embedded.tables["water_sections"], lang="zh", scope="water", codes=embedded.codes)
    assert {"省控", "市控", "交接"} == set(zh["断面类型"]) and {"河流", "湖库"} == set(zh["水体类型"])
    assert {"达标", "未达标"} <= set(zh["达标情况"]) and set(zh["是否达标"]) <= {"是", "否"}
    assert "pH(无量纲)" in zh.columns and "氨氮(mg/L)" in zh.columns
    assert "劣V" in set(zh["水质类别"])
    assert np.issubdtype(zh["氨氮(mg/L)"].dtype, np.floating)
