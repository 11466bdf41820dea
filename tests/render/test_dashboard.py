"""The dashboard (``index.html`` of a run): cards, charts and links, offline, in one language.

The fast tests build the page from small results made here; the browser test opens the
``index.html`` of a whole ``hn-geo run`` in headless Chromium with every request that is not
a file:// or data: URL aborted and counted, and takes the 1600x1000 screenshot.
"""
from __future__ import annotations

import re
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import AnalysisResult, Figure, Msg
from hn_geo.render import dashboard, palette
from hn_geo.render.dashboard_charts import charts_for
from tests.render.pages import open_page

RUN_CHARTS = {"water-classes", "water-rates", "zoning-verdicts", "zoning-clauses", "solar-supply", "solar-homes",
              "targets-energy", "targets-reductions"}


def mini_results():
    """Small results with the tables and figures the charts read (codes and numbers)."""
    water = AnalysisResult("water", tables={
        "water_sections": pd.DataFrame({"section_id": ["S1", "S2", "S3", "S1", "S2", "S3"],
                                        "year": [2024, 2024, 2024, 2025, 2025, 2025],
                                        "water_class": ["II", "III", "IV", "II", "inferior_V", None],
                                        "status": ["met", "met", "not_met", "met", "not_met", "no_data"]}),
        "water_compliance": pd.DataFrame({"year": [2024, 2025, 2024, 2025],
                                          "indicator": ["provincial_class_iii"] * 2 + ["handover_met"] * 2,
                                          "rate_pct": [100.0, 50.0, 90.0, 95.0], "plan_target_pct": [100.0] * 4,
                                          "status": ["met", "not_met", "not_met", "not_met"]})},
        codes={"status": "status", "water_class": "water_class", "indicator": "indicator"},
        figures=[Figure("water.sections_not_met", 1, "sections", period=2025, status="not_met", headline=True),
                 Figure("water.provincial_rate", 50.0, "pct", period=2025, status="not_met", target=100.0)],
        notes=[Msg("water.method_classes")], meta={"synthetic": True})
    targets = AnalysisResult("targets", tables={
        "targets_energy": pd.DataFrame({"town": ["许村镇", "长安镇", Msg("targets.city")], "year": [2024] * 3,
                                        "intensity_cut_pct": [21.2, 10.7, 15.5], "target_basic": [19.0, 17.0, 18.0],
                                        "target_incentive": [20.0, 18.0, None],
                                        "required_basic_pct": [15.2, 13.6, 14.4],
                                        "intensity_status": ["met", "behind", "on_track"]}),
        "targets_reductions": pd.DataFrame({"pollutant": ["nox", "vocs"], "year": [2024, 2024],
                                            "reduction_t": [537.73, 1672.16], "target_t": [515.0, 2585.0],
                                            "expected_t": [412.0, 2068.0], "status": ["met", "behind"]})},
        codes={"intensity_status": "status", "status": "status", "pollutant": "pollutant"},
        figures=[Figure("targets.towns_behind", 1, "towns", period=2024, status="behind", headline=True)])
    solar = AnalysisResult("solar", tables={
        "solar_supply_curve": pd.DataFrame({"cum_buildings": [10, 30], "cum_mw": [900.0, 1200.0]})},
        figures=[Figure("solar.potential_mw", 1200.0, "mw", status="not_met", target=1800.0, headline=True),
                 Figure("solar.need_mw", 1800.0, "mw"), Figure("solar.homes_target", 10000.0, "homes"),
                 Figure("solar.low_rise_houses", 8616, "buildings", status="not_met"),
                 Figure("solar.homes_mw", 79.975, "mw")])
    zoning = AnalysisResult("zoning", tables={
        "projects": pd.DataFrame({"project_id": ["P1", "P2", "P3"], "status": ["pass", "fail", "fail"]}),
        "violations": pd.DataFrame({"project_id": ["P2", "P3", "P3"], "rule_id": ["A-01", "A-01", "U-01"],
                                    "rule_kind": ["min_distance", "min_distance", "prohibited_industry"],
                                    "clause": ["<b>禁止</b> & 限制", "<b>禁止</b> & 限制", "禁止化工"],
                                    "verdict": ["fail", "fail", "fail"]})},
        codes={"status": "status", "verdict": "status", "rule_kind": "rule_kind"},
        figures=[Figure("zoning.projects_fail", 2, "projects", headline=True)])
    return [water, zoning, solar, targets]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


def _parse(page):
    p = _Tags()
    p.feed(page)
    return p


def test_cards_carry_figures_status_colours_and_links():
    links = dashboard.Links(maps={"water": "maps/water.html"}, workbook="report/hn_geo_report.xlsx",
                            sheets={("water", "water_sections"): "断面评价"},
                            csv={("water", "water_sections"): "report/csv/water_sections.csv"}, summary="run_summary.json")
    page = dashboard.page_html(mini_results(), lang="zh", links=links,
                               skipped={"extra": ("failed", Msg("pipeline.skip_no_result"))})
    p = _parse(page)
    cards = {a["data-analysis"]: a for t, a in p.tags if t == "article"}
    assert list(cards) == ["water", "zoning", "solar", "targets", "extra"]
    assert cards["water"]["data-status"] == "not_met" and palette.status_colour("not_met") in cards["water"]["style"]
    assert cards["zoning"]["data-status"] == "fail"  # no figure carries a status: the projects table's worst
    assert cards["targets"]["data-status"] == "behind"
    fill = vocabulary.status_style("not_met")["fill"]
    assert f"background:#{fill}" in page and "未达标" in p.text
    assert "1 个断面" in p.text and "示意数据" in p.text
    hrefs = [a["href"] for t, a in p.tags if t == "a"]
    assert "maps/water.html" in hrefs and "report/csv/water_sections.csv" in hrefs
    sheet = next(h for h in hrefs if h.startswith("report/hn_geo_report.xlsx#"))
    assert urllib.parse.unquote(sheet.split("#", 1)[1]) == "'断面评价'!A1"
    assert "运行失败" in p.text  # the analysis that failed has its card


def test_charts_are_drawn_from_the_tables_and_targets():
    results = {r.name: r for r in mini_results()}
    charts = {c.key: c for r in results.values() for c in charts_for(r, "zh")}
    assert set(charts) == RUN_CHARTS
    classes = charts["water-classes"]
    assert classes.svg.count("<rect") == 6  # 2024: II, III, IV; 2025: II, 劣V, no data
    assert palette.FAMILY_COLOURS["water_class"]["inferior_V"] in classes.svg
    assert any(lab == vocabulary.word("status", "no_data", "zh") for lab, _, _ in classes.legend)
    red = charts["targets-reductions"]
    assert "537.7 / 515 吨" in red.svg and "1,672 / 2,585 吨" in red.svg
    assert palette.status_colour("behind") in red.svg
    energy = charts["targets-energy"]
    assert energy.svg.index("全市") < energy.svg.index("许村镇") < energy.svg.index("长安镇")  # city, then by cut
    assert "基本目标（2025年）19%" in energy.svg and "2024年时序要求 15.2%" in energy.svg
    assert "规划目标 1,800 MW" in charts["solar-supply"].svg
    assert "规划目标 10,000 户" in charts["solar-homes"].svg
    clauses = charts["zoning-clauses"]
    assert clauses.items[0].startswith("A-01：<b>禁止</b>") and "P2、P3" in clauses.items[0]
    page = dashboard.page_html(results.values(), lang="zh")
    assert "<b>禁止</b>" not in page and "&lt;b&gt;禁止&lt;/b&gt; &amp; 限制" in page  # data never markup


def test_english_page_speaks_english():
    page = dashboard.page_html(mini_results(), lang="en")
    p = _parse(page)
    assert ('html', {'lang': 'en'}) in p.tags[:1]
    data = {"许村镇", "长安镇", "禁止", "限制", "禁止化工", "环办〔2011〕22号"}  # names, clauses, a standard
    for text in p.text:
        left = re.sub("|".join(sorted(data, key=len, reverse=True)), "", text)
        assert not vocabulary.has_cjk(left), text
    assert "plan target 1,800 MW" in page and "not met" in page


def test_dashboard_is_written_atomically_as_html(tmp_path):
    path = dashboard.write_dashboard(mini_results(), tmp_path / "index.html", lang="zh")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(HnGeoError):
        dashboard.write_dashboard(mini_results(), tmp_path / "index.png")


def test_links_are_the_files_the_run_wrote(tmp_path):
    from hn_geo.workflows import dashboard as dashboard_flow

    written = ["maps/water.html", "maps/overview.html", "report/hn_geo_report.xlsx", "share/hn_geo_share.zip",
               "sites/sites.xlsx", "sites/dyeing/sites.html", "water/water_sections.csv"]
    files = [tmp_path / w for w in written] + [tmp_path.parent / "elsewhere.csv"]
    (index,) = dashboard_flow.run(mini_results(), tmp_path, lang="zh", files=files).files
    hrefs = {a["href"].split("#")[0] for t, a in _parse(index.read_text(encoding="utf-8")).tags if t == "a"}
    assert set(written) - {"sites/dyeing/sites.html"} <= hrefs  # the site finder: its workbook, in the header
    assert "maps/zoning.html" not in hrefs and not any("elsewhere" in h for h in hrefs)  # only what was written
    assert "选址分析（工作簿）" in index.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- in the browser


def _open(browser, path, viewport=(1600, 1000)):
    return open_page(browser, path, viewport=viewport)


@pytest.fixture(scope="module")
def run_out(tmp_path_factory):
    from hn_geo.pipeline import run_pipeline

    out = tmp_path_factory.mktemp("run") / "out"
    report = run_pipeline(None, out, quiet=True, echo=lambda m: None)
    assert report.ok
    return out, report


@pytest.mark.slow
def test_browser_run_dashboard_offline_every_card_and_chart(browser, run_out):
    out, report = run_out
    index = out / "index.html"
    assert index in [Path(p) for p in report.outputs]
    page = _open(browser, index)
    assert page.blocked == [] and page.errors == []
    assert page.title() == vocabulary.ui("dash_title", "zh", scope="render")
    cards = page.eval_on_selector_all("article.card", "els => els.map(e => [e.dataset.analysis, e.dataset.status,"
                                      " e.getBoundingClientRect().height])")
    assert [c[0] for c in cards] == ["water", "zoning", "solar", "targets"]
    assert all(c[1] and c[2] > 150 for c in cards)
    charts = page.eval_on_selector_all(
        "figure.chart", "els => els.map(e => { const s = e.querySelector('svg'); const r = s.getBoundingClientRect();"
        " return [e.dataset.chart, r.width, r.height, s.querySelectorAll('rect, path, circle, line.ref, line.mark').length]; })")
    assert {c[0] for c in charts} == RUN_CHARTS
    for key, w, h, marks in charts:
        assert w > 300 and h > 80 and marks >= 2, key
    # every link of the page points at a file the run wrote (relative, inside the output folder)
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    files = [h.split("#")[0] for h in hrefs if not h.startswith("#")]
    assert files and all((out / urllib.parse.unquote(h)).is_file() for h in files), files
    assert {"maps/water.html", "report/hn_geo_report.xlsx", "report/csv/water_sections.csv",
            "share/hn_geo_share.zip", "run_summary.json"} <= set(files)
    shot = out.parent / "dashboard_1600x1000.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000
    page.close()


@pytest.mark.slow
def test_browser_english_dashboard(browser, run_out, tmp_path):
    _, report = run_out
    path = dashboard.write_dashboard(report.results.values(), tmp_path / "index.html", lang="en")
    page = _open(browser, path)
    assert page.blocked == [] and page.errors == []
    assert page.eval_on_selector_all("figure.chart", "els => els.length") == len(RUN_CHARTS)
    assert "Surface water quality" in page.inner_text("body")
    page.close()
