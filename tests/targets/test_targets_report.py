"""The targets report (hn_geo.targets.report) and workflow: codes out, every code has words."""
from __future__ import annotations

import inspect
import numbers
import warnings

import pandas as pd
import pytest
from targets_data import HAND

from hn_geo import targets as tg
from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.results import AnalysisResult, Figure, Msg
from hn_geo.core.status import STATUS_CODES
from hn_geo.ground import plan
from hn_geo.ground import stats as st
from hn_geo.ground.inputs import Inputs
from hn_geo.render.tables import present
from hn_geo.workflows import targets as workflow

pytest_plugins = ["targets_fixtures"]  # the targets tests' fixtures

# words that must never reach a table: codes of the families, Python literals
INTERNAL = {"not_met", "on_track", "no_data", "reduce_by", "reduce_by_pp", "increase_by", "about", ">=",
            "<=", "<", "==", "linear", "compound", "True", "False", "nan", "None", "incentive", "basic",
            "same_project", "same_source_measure", "no_baseline", "no_allocation", "threshold",
            "statistics", "town_energy_totals", "variant", "pinyin", "wan_t", "pct", "nox", "vocs", "nh3n"}

NUMERIC = {"year", "baseline", "target", "actual", "expected", "gap_to_target", "tolerance", "progress",
           "intensity", "intensity_2020", "projects", "row", "value", "baseline_value", "deadline",
           "baseline_year", "actual_year", "target_basic", "target_incentive"}


@pytest.fixture(scope="module")
def default():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        stats, targets, town_targets, towns = workflow.load(Inputs())
        res = tg.targets_report(stats, targets=targets, town_targets=town_targets, towns=towns)
    return res, [w.message for w in rec if isinstance(w.message, HnGeoWarning)]


def test_default_report_covers_every_case(default):
    r, warned = default
    msgs = " | ".join(w.render("en") for w in warned)
    assert "double-counted" in msgs and "硖石→硖石街道" in msgs
    assert isinstance(r, AnalysisResult) and r.name == "targets"
    assert list(r.tables) == ["targets_energy", "targets_reductions", "targets_reductions_town",
                              "targets_reductions_year", "targets_double_counted", "targets_town_names",
                              "targets_indicators", "targets_list"]
    en = r.tables["targets_energy"]
    towns = en[en["code"] != tg.CITY_CODE]
    assert len(towns) == 12 and towns["intensity_cut_pct"].notna().all()
    assert {"met", "on_track", "behind"} <= set(towns["intensity_status"])
    assert set(towns.loc[towns["intensity_status"] == "met", "target_level"]) == {"incentive"}
    assert towns["exempt"].any() and (~towns["exempt"]).any()
    assert {"exempt", "met", "not_met"} <= set(towns["total_status"])
    assert len(r.tables["targets_double_counted"]) >= 1
    assert {"met", "on_track", "behind"} <= set(r.tables["targets_reductions"]["status"])
    assert {"met", "on_track", "behind"} <= set(r.tables["targets_indicators"]["status"])
    lay = r.layers["towns"]
    assert len(lay) == 12 and lay.crs.to_epsg() == 4490
    assert lay["intensity_cut_pct"].notna().all() and lay["exempt"].dtype == bool
    assert Msg("targets.synthetic") in r.notes and r.meta["synthetic"] and r.meta["year"] == 2024
    assert not any("/" in f for f in r.tables["targets_town_names"]["file"])


def test_status_columns_hold_status_codes(default):
    r, _ = default
    for frame in list(r.tables.values()) + list(r.layers.values()):
        for col in set(frame.columns) & set(r.status_columns):
            assert set(frame[col].dropna()) <= set(STATUS_CODES), col


def test_every_code_renders_in_both_languages(default):
    r, warned = default
    for lang in ("zh", "en"):
        for key, df in r.tables.items():
            shown = present(df, lang=lang, scope="targets", codes=r.codes, table=key)
            cells = {str(v).strip() for c in shown.columns if shown[c].dtype == object
                     for v in shown[c].dropna()}
            assert not cells & INTERNAL, (key, lang, cells & INTERNAL)
            for col in df.columns:  # numbers stay numbers
                if col.endswith(("_t", "_pct", "_tce", "_wan")) or col in NUMERIC:
                    assert pd.api.types.is_numeric_dtype(df[col]), (key, col)
            vocabulary.sheet_name(key, lang, "targets")
        for layer in r.layers.values():
            present(layer, lang=lang, scope="targets", codes=r.codes, keep_geometry=True, labels=False)
        for f in r.figures:
            assert vocabulary.figure_label(f, lang, "targets") and vocabulary.figure_value(f, lang, "targets")
        for n in r.notes:
            assert isinstance(n, Msg) and vocabulary.render(n, lang, "targets")
        for w in warned:
            assert w.render(lang)
    zh = present(r.tables["targets_indicators"], lang="zh", scope="targets", codes=r.codes)
    en = present(r.tables["targets_indicators"], lang="en", scope="targets", codes=r.codes)
    assert zh["指标"].iloc[0] == "单位地区生产总值能源消耗下降"
    assert en["indicator"].iloc[0] == "Cut in energy use per unit of GDP"
    assert not any(vocabulary.has_cjk(v) for v in en["status"]) and not any(
        vocabulary.has_cjk(v) for v in en["comparator"])


def test_figures_are_typed_for_the_reporting_year(default):
    r, _ = default
    assert all(isinstance(f, Figure) for f in r.figures)
    heads = [f.code for f in r.figures if f.headline]
    assert heads == ["targets.towns_behind", "targets.city_intensity_cut"]
    behind = r.figure("targets.towns_behind")
    en = r.tables["targets_energy"]
    assert behind.value == int((en["intensity_status"] == "behind").sum()) == 3
    assert behind.period == 2024 and behind.unit == "towns" and behind.status == "behind"
    city = r.figure("targets.city_intensity_cut")
    assert isinstance(city.value, float) and city.target == pytest.approx(18 * 0.8) and city.unit == "pct"
    assert r.figure("targets.towns_exempt").value == int(en["exempt"].iloc[:12].sum()) == 5
    for pol, target in zip(("nox", "vocs", "cod", "nh3n"), (515, 2585, 1200, 85)):
        f = r.figure(f"targets.reduction_{pol}")
        assert f.target == target and f.unit == "t" and f.period == 2024 and isinstance(f.value, float)
    ind = r.tables["targets_indicators"]
    assert r.figure("targets.indicators_behind").value == int((ind["status"] == "behind").sum())
    for f in r.figures:
        assert isinstance(f.value, numbers.Number) and not isinstance(f.value, bool), f.code


def test_analyses_take_no_lang_and_no_paths():
    for func in (tg.targets_report, tg.energy_dual_control, tg.pollutant_reductions,
                 tg.indicator_progress, tg.find_double_counted):
        params = inspect.signature(func).parameters
        assert "lang" not in params and "targets_file" not in params, func.__name__
        after = list(params.values())[1:]
        assert all(p.kind is p.KEYWORD_ONLY for p in after), func.__name__
    run = inspect.signature(workflow.run).parameters
    assert [p for p in run if p not in ("inputs", "out_dir")] == ["lang", "year", "path", "kwh_factor"]
    assert all(run[p].default is None for p in ("year", "path", "kwh_factor"))


def test_user_stats_and_towns_layer(tmp_path, projects, mini_towns, targets, town_targets):
    wb = tmp_path / "stats.xlsx"
    with pd.ExcelWriter(wb) as xw:
        pd.DataFrame(HAND, columns=["镇（街道）", "年份", "地区生产总值（万元）", "能源消费总量（吨标准煤）",
                                    "新增可再生能源电力消费量（吨标准煤）", "国家能耗单列项目能耗（吨标准煤）",
                                    "原料用能（吨标准煤）"]).to_excel(xw, sheet_name="镇街道能耗", index=False)
        projects.to_excel(xw, sheet_name="reduction_projects", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        s = st.read_stats(wb, targets=targets)
        r = tg.targets_report(s, targets=targets, town_targets=town_targets, towns=mini_towns, path="compound")
    assert r.tables["targets_energy"].set_index("code").loc["330481101", "intensity_cut_pct"] == \
        pytest.approx(22.962963, abs=1e-5)
    assert len(r.tables["targets_double_counted"]) == 2
    assert len(r.layers["towns"]) == 2 and Msg("targets.path_compound") in r.notes
    assert not r.meta["synthetic"]
    # no towns layer: no layer, the rest as before
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        r2 = tg.targets_report(s, targets=targets, town_targets=town_targets)
    assert r2.layers == {} and list(r2.tables) == list(r.tables)


def test_workflow_writes_every_table(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        out = workflow.run(Inputs(files={"plan_targets": plan.targets_path()}), tmp_path, lang="en",
                           year=2023)
    names = sorted(p.name for p in out.files)
    assert "targets.xlsx" in names and "targets_layers.gpkg" in names and "targets_energy.csv" in names
    assert out.result.figure("targets.towns_behind").period == 2023
    sheets = pd.ExcelFile(tmp_path / "targets.xlsx").sheet_names
    assert "Energy dual control" in sheets and "Indicators" in sheets
