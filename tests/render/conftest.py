"""Fixtures of the outputs' tests: small new-style results (codes, Figures, Msg notes) and the
vocabulary entries they need.

``tests/render`` is a package (``__init__.py``) so that this module is ``render.conftest``
and does not shadow ``tests/conftest.py`` (``from conftest import tiny_layer``).

The analyses' own blocks of ``hn_geo/data/labels.yaml`` are filled by their engineers; the
few test-only entries below (tables, columns, figures, messages of the fixtures) are added
for the duration of a test where the real vocabulary has none, and removed afterwards.
"""
from __future__ import annotations

import copy
import math
import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml

from hn_geo import vocabulary
from hn_geo.core import settings
from hn_geo.core.results import AnalysisResult, Figure, Msg
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS

TEST_VOCABULARY = yaml.safe_load("""
water:
  layers:
    exceedances: {zh: 超标断面, en: Sections exceeding targets}
  tables:
    t_sections: {zh: 断面年度评价, en: Sections by year, sheet: {zh: 断面年度评价, en: Sections by year}}
    t_compliance: {zh: 达标情况汇总, en: Compliance, sheet: {zh: 达标情况, en: Compliance}}
  columns:
    section_id: {zh: 断面编号, en: section id}
    water_class: {zh: 水质类别, en: water class}
    status: {zh: 达标情况, en: status}
    tp: {zh: 总磷, en: TP, unit: mg/L}
    n_samples: {zh: 样本数, en: samples}
    sampled: {zh: 采样日期, en: sampling date}
    year: {zh: 年份, en: year}
    section_type: {zh: 断面类型, en: section type}
    note: {zh: 说明, en: note}
  values:
    water_class:
      I: {zh: Ⅰ类, en: class I}
      II: {zh: Ⅱ类, en: class II}
      III: {zh: Ⅲ类, en: class III}
      IV: {zh: Ⅳ类, en: class IV}
      V: {zh: Ⅴ类, en: class V}
      inferior_V: {zh: 劣Ⅴ类, en: worse than V}
  figures:
    t_not_met: {zh: 未达标断面数, en: sections not meeting target}
    t_rate: {zh: 省控断面达标率, en: provincial sections meeting target}
    t_worst: {zh: 最差断面, en: worst sections}
  messages:
    t_demo: {zh: 演示数据为合成数据, en: the demo data are synthetic}
    t_row: {zh: "{n} 项超标", en: "{n} item(s) exceed"}
zoning:
  layers:
    violations: {zh: 不符合准入要求的项目, en: Projects failing the access list}
  tables:
    t_projects: {zh: 项目审查, en: Project checks, sheet: {zh: 项目审查, en: Project checks}}
  columns:
    status: {zh: 审查结论, en: check result}
    build_type: {zh: 建设性质, en: build type}
  figures:
    t_fail: {zh: 不通过项目数, en: projects failing}
""")


def _merge_missing(target, extra):
    for key, value in extra.items():
        if isinstance(target.get(key), dict) and "zh" in target[key]:
            continue  # a real entry: keep it whole
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge_missing(target[key], value)
        elif key not in target or target[key] is None or target[key] == {}:
            target[key] = copy.deepcopy(value)


@pytest.fixture(autouse=True)
def test_vocabulary(monkeypatch):
    """The vocabulary with the fixtures' test-only entries (the real entries win); the
    message language restored after the test (CLI commands set it)."""
    monkeypatch.setattr(settings, "lang", "zh")
    data = vocabulary.load()
    saved = copy.deepcopy(data)
    _merge_missing(data, TEST_VOCABULARY)
    yield data
    data.clear()
    data.update(saved)


def _points(n, x0=120.6, y0=30.45, step=0.01):
    return shapely.points(x0 + step * np.arange(n), np.full(n, y0))


@pytest.fixture
def water_result():
    """A new-style water result: status codes, water-class codes, figures for a period, Msg notes."""
    sections = pd.DataFrame({
        "section_id": ["S1", "S2", "S3", "S4"],
        "water_class": ["II", "IV", "III", "inferior_V"],
        "status": ["met", "not_met", "met", "not_met"],
        "tp": [0.05, 0.31, np.nan, 0.52],
        "n_samples": [12, 12, 11, 12],
        "sampled": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-03-05", "2024-04-05"]),
        "year": [2024, 2024, 2024, 2024],
        "note": [None, Msg("water.t_row", n=2), None, Msg("water.t_row", n=3)],
    })
    layer = gpd.GeoDataFrame({
        "section_id": sections["section_id"], "name": ["断面甲", "断面乙", "断面丙", "断面丁"],
        "section_type": ["provincial", "municipal", "handover", "provincial"],
        "water_class": sections["water_class"], "status": sections["status"],
    }, geometry=_points(4), crs=STORAGE_CRS)
    compliance = pd.DataFrame({"section_type": ["provincial", "handover"], "status": ["not_met", "met"],
                               "n_samples": [3, 15]})
    return AnalysisResult(
        "water", tables={"t_sections": sections, "t_compliance": compliance}, layers={"sections": layer},
        codes={"status": "status", "water_class": "water_class", "section_type": "section_type"},
        figures=[Figure("water.t_not_met", 2, "sections", period=2024, status="not_met", headline=True),
                 Figure("water.t_rate", 66.7, "pct", period=2024, target=100.0),
                 Figure("water.t_worst", ["断面乙", "断面丁"], period=2024)],
        notes=[Msg("water.t_demo")])


@pytest.fixture
def zoning_result():
    """A new-style zoning result: projects with pass/fail/warn/review codes."""
    projects = gpd.GeoDataFrame({
        "project_id": ["P1", "P2", "P3", "P4"], "name": ["甲", "乙", "丙", "丁"],
        "build_type": ["new", "expansion", "existing", "new"],
        "status": ["pass", "fail", "warn", "review"],
    }, geometry=_points(4, y0=30.5), crs=STORAGE_CRS)
    return AnalysisResult(
        "zoning", tables={"t_projects": pd.DataFrame(projects.drop(columns="geometry"))},
        layers={"projects": projects, "violations": projects.iloc[[1]]},
        codes={"status": "status", "build_type": "project_status"},
        figures=[Figure("zoning.t_fail", 1, "projects", status="fail", headline=True)])


# ----------------------------------------------------------------------------- map test data
def grid_towns(nx=4, ny=3, size_m=6000.0):
    """12 square 'towns' tiling a block near Haining (a clean coverage), in EPSG:4490."""
    x0, y0 = 520000.0, 3372000.0  # EPSG:4549 metres, about 120.2E 30.5N
    cells, rows = [], []
    for j in range(ny):
        for i in range(nx):
            k = j * nx + i
            # a wiggly shared edge so simplification has work to do
            xs = np.linspace(0, size_m, 60)
            bottom = [(x0 + i * size_m + x, y0 + j * size_m + 40 * math.sin(x / 300 + j)) for x in xs]
            top = [(x0 + i * size_m + x, y0 + (j + 1) * size_m + 40 * math.sin(x / 300 + j + 1))
                   for x in xs[::-1]]
            cells.append(shapely.Polygon(bottom + top))
            rows.append({"code": f"33048110{k:02d}", "name": f"测试镇{k + 1}", "kind": "镇",
                         "target_basic": 15.0 + k, "target_incentive": 16.0 + k,
                         "approximate": True, "source": "synthetic test grid"})
    return gpd.GeoDataFrame(rows, geometry=cells, crs=METRIC_CRS).to_crs(STORAGE_CRS)


def sample_points(towns, n, seed):
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = towns.total_bounds
    x = rng.uniform(minx + 0.002, maxx - 0.002, n)
    y = rng.uniform(miny + 0.002, maxy - 0.002, n)
    return shapely.points(x, y)


def water_sections(towns, n=30):
    rng = np.random.default_rng(7)
    classes = np.array(["I", "II", "III", "IV", "V", "inferior_V"])
    wc = classes[np.arange(n) % 6]
    cod = rng.uniform(5, 30, n)
    cod[::5] = np.nan
    return gpd.GeoDataFrame({
        "section_id": [f"S{i:03d}" for i in range(n)], "name": [f"断面{i}" for i in range(n)],
        "river": "长山河", "section_type": "municipal", "water_body": "river", "target_class": "III",
        "water_class": wc, "status": np.where(np.isin(wc, ["I", "II", "III"]), "met", "not_met"),
        "sampled": pd.date_range("2025-01-05", periods=n, freq="7D"),
        "cod_mg_l": cod, "approximate": False,
    }, geometry=sample_points(towns, n, 3), crs=STORAGE_CRS)


def emission_points(towns, n=5000):
    rng = np.random.default_rng(11)
    nox = rng.lognormal(0, 1.5, n)
    nox[::3] = 0.0
    return gpd.GeoDataFrame({
        "point_id": [f"E{i:06d}" for i in range(n)], "name": [f"企业{i}" for i in range(n)],
        "industry_code": rng.choice(["C17", "C26", "C39"], n),
        "town": rng.choice(towns["name"].to_numpy(), n),
        "nox_t": nox, "vocs_t": rng.lognormal(0, 1.2, n), "cod_t": rng.lognormal(-1, 1, n),
        "nh3n_t": rng.lognormal(-3, 1, n), "approximate": True,
    }, geometry=sample_points(towns, n, 5), crs=STORAGE_CRS)


def rivers(towns):
    minx, miny, maxx, maxy = towns.total_bounds
    lines = [shapely.LineString([(minx, miny + f * (maxy - miny)), (maxx, miny + (f + 0.1) * (maxy - miny))])
             for f in (0.2, 0.5, 0.8)]
    return gpd.GeoDataFrame({"river_id": ["R1", "R2", "R3"], "name": ["长山河", "洛塘河", "上塘河"],
                             "sea_entry": [True, False, False]}, geometry=lines, crs=STORAGE_CRS)


@pytest.fixture(scope="module")
def frames():
    towns = grid_towns()
    return {"towns": towns, "rivers": rivers(towns), "sections": water_sections(towns),
            "emission_points": emission_points(towns)}




# ----------------------------------------------------------------------------- headless Chromium
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    except Exception as exc:  # no Chromium on this machine
        pw.stop()
        pytest.skip(f"no headless Chromium can be launched at {CHROMIUM}: {exc}")
    yield b
    b.close()
    pw.stop()
