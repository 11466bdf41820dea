"""Tests of `hn-geo zoning sites`, the site-finder workflow and the ``sites:`` step of a run:
the files (GeoJSON RFC 7946, GeoPackage in EPSG:4490, CSV with BOM, XLSX, offline map),
profiles from a YAML file or a projects-table row, one language per output."""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from output_scan import Scan, code_words, data_strings, quoted_chinese

import hn_geo
from hn_geo.cli import main
from hn_geo.core import settings
from hn_geo.core.errors import HnGeoError
from hn_geo.pipeline import load_config, run_pipeline

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::hn_geo.core.errors.HnGeoWarning")]
DYEING = ["--industry", "1752", "--name", "印染厂", "--id", "dyeing", "--cod-t", "30", "--vocs-t", "5",
          "--nox-t", "2", "--nh3n-t", "1", "--energy-tce", "3000", "--value-added-wan", "5000"]
TABLES = ("sites_profile", "sites_towns", "sites_parks", "sites_clauses", "sites_parcels", "sites_caps")


@pytest.fixture(autouse=True)
def _restore_lang():
    yield
    settings.lang = "zh"


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    out = {}
    for lang in ("zh", "en"):
        runner = CliRunner()
        with runner.isolated_filesystem(temp_dir=tmp_path_factory.mktemp(f"sites_{lang}")) as cwd:
            res = runner.invoke(main, ["zoning", "sites", *DYEING, "--min-area-ha", "1", "--lang", lang,
                                       "--out", "out"])
            assert res.exit_code == 0, res.output
            out[lang] = (Path(cwd) / "out", res.output)
    return out


def test_cli_writes_layers_tables_workbook_and_map(cli_runs):
    d, console = cli_runs["zh"]
    names = {p.name for p in d.iterdir()}
    assert names == {f"{t}.csv" for t in TABLES} | {"sites.xlsx", "sites_layers.gpkg", "sites.geojson", "sites.html"}
    assert {n for n, _ in pyogrio.list_layers(d / "sites_layers.gpkg")} == {"sites", "site_parcels", "layer_styles"}
    info = pyogrio.read_info(d / "sites_layers.gpkg", layer="sites")
    assert info["crs"] == "EPSG:4490" and info["geometry_type"] in ("Polygon", "MultiPolygon", "Unknown")
    gj = json.loads((d / "sites.geojson").read_text(encoding="utf-8"))
    assert gj["type"] == "FeatureCollection" and "crs" not in gj and len(gj["features"]) == info["features"]
    lon, lat = gj["features"][0]["geometry"]["coordinates"][0][0]
    assert 120 < lon < 121.2 and 30.2 < lat < 30.7
    for t in TABLES:
        assert (d / f"{t}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    towns = pd.read_csv(d / "sites_towns.csv", encoding="utf-8-sig")
    assert towns.iloc[-1, 0] == "全市" and len(towns) >= 13
    book = openpyxl.load_workbook(d / "sites.xlsx")
    assert book.sheetnames == ["项目概况", "分镇面积", "分园区面积", "限制条款", "可选址地块", "总量余量"]
    html = (d / "sites.html").read_text(encoding="utf-8")
    assert "<script src=\"http" not in html and "选址结论图斑" in html and "选址分析：印染厂" in html
    assert "可选址面积（符合）" in console and "G-01" in console


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_output_speaks_one_language(cli_runs, lang):
    d, console = cli_runs[lang]
    roots = [str(hn_geo.__file__.rsplit("/hn_geo/", 1)[0]), str(d.resolve()), str(d.resolve().parent)]
    scan = Scan(lang, data_strings() | quoted_chinese() | {"印染厂"}, roots, code_words(lang))
    for line in console.splitlines():
        scan.text("console", "line", line)
    for p in sorted(d.iterdir()):
        if p.suffix == ".csv":
            scan.csv(p, p.name)
        elif p.suffix == ".xlsx":
            scan.xlsx(p, p.name, code_headers=("代码", "编号", "编码", "code", "id"))
        elif p.suffix == ".html":
            scan.html(p, p.name)
    shown = "\n".join(f"{f} | {w} | {kind} | {text[:160]!r}" for f, w, kind, text in scan.findings[:30])
    assert not scan.findings, shown


def test_profile_file_and_projects_row(tmp_path):
    prof = tmp_path / "pv.yaml"
    prof.write_text("project_id: pv\nname: 光伏组件厂\nindustry_code: '3825'\nvocs_t: 8\nenergy_tce: 8000\n"
                    "value_added_wan: 26500\nnox_t: 1\ncod_t: 2\nnh3n_t: 0.1\n", encoding="utf-8")
    table = tmp_path / "projects.csv"
    table.write_text("project_id,name,industry_code,status,two_high,energy_tce,value_added_wan,vocs_t\n"
                     "W1,仓库,5960,new,否,200,800,0\nW2,仓库二,5960,new,是,,,\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["zoning", "sites", "--profile", str(prof), "--no-map", "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(tmp_path / "a" / "sites_profile.csv", encoding="utf-8-sig", dtype=str)
    assert got.iloc[0].tolist()[:3] == ["pv", "光伏组件厂", "3825"]
    res = runner.invoke(main, ["zoning", "sites", "--projects", str(table), "--row", "W2", "--vocs-t", "3",
                               "--no-map", "--lang", "en", "--out", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(tmp_path / "b" / "sites_profile.csv", encoding="utf-8-sig")
    assert got["two-high project"].iloc[0] == "yes" and got["VOCs load (t/a)"].iloc[0] == 3  # flag wins
    bad = runner.invoke(main, ["zoning", "sites", "--projects", str(table), "--row", "W9", "--out", str(tmp_path / "c")])
    assert bad.exit_code != 0 and "W9" in bad.output and "projects.csv" in bad.output
    bad = runner.invoke(main, ["zoning", "sites", "--industry", "99", "--out", str(tmp_path / "d")])
    assert bad.exit_code != 0 and "99" in bad.output
    assert runner.invoke(main, ["zoning", "sites", "--projects", str(table), "--out", str(tmp_path / "e")]).exit_code == 2


def test_run_config_sites_step(tmp_path):
    (tmp_path / "pv.yaml").write_text("project_id: pv\nindustry_code: '3825'\n", encoding="utf-8")
    cfg = tmp_path / "run.yaml"
    cfg.write_text("analyses: []\nreport: false\nmaps: false\nexport: false\nsites:\n  min_area_ha: 2\n"
                   "  profiles:\n    - {project_id: dyeing, name: 印染厂, industry_code: '1752', vocs_t: 5}\n"
                   "    - pv.yaml\n", encoding="utf-8")
    config = load_config(cfg)
    assert config.sites["min_area_ha"] == 2 and config.sites["profiles"][1] == tmp_path / "pv.yaml"
    report = run_pipeline(config, tmp_path / "out", quiet=True)
    steps = {s.name: s for s in report.steps}
    assert steps["sites"].status == "ok", steps["sites"].message
    out = tmp_path / "out" / "sites"
    assert {p.name for p in (out / "pv").iterdir()} == {f"{t}.csv" for t in TABLES} | {"sites.html"}
    assert (out / "dyeing" / "sites.html").exists()
    assert openpyxl.load_workbook(out / "sites.xlsx").sheetnames == ["dyeing 印染厂", "pv"]
    assert [n for n, _ in pyogrio.list_layers(out / "sites_layers.gpkg")] == ["sites_dyeing", "sites_pv",
                                                                               "layer_styles"]  # QGIS' styles
    assert set(steps["sites"].outputs) == {p for p in out.rglob("*") if p.is_file()}
    assert load_config(None).sites["profiles"] == []
    cfg.write_text("sites: {profiles: [], colour: red}\n", encoding="utf-8")
    with pytest.raises(HnGeoError) as exc:
        load_config(cfg)
    assert exc.value.field == "sites.colour"
