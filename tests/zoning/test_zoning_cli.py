"""Tests of the zoning workflow (hn_geo.workflows.zoning) and `hn-geo zoning check`."""
from __future__ import annotations

import json
import re

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from zoning_world import X0, Y0

from hn_geo import vocabulary
from hn_geo.cli import main
from hn_geo.core import settings
from hn_geo.ground.catalog import layers_dir, load_layer
from hn_geo.ground.inputs import Inputs, LayerSource
from hn_geo.workflows import zoning as workflow

TABLES = ("projects", "violations", "notices", "units", "towns", "utilisation")
# columns that hold names or quoted plan/rule text (may be Chinese in an English run)
# (detail: the prohibited category names; industry division: GB/T 4754's own Chinese names)
NAME_COLUMNS = {"project", "unit name", "town", "towns", "sub-type", "industry division", "clause",
                "clause source", "detail"}


pytestmark = pytest.mark.filterwarnings("ignore::hn_geo.core.errors.HnGeoWarning")


@pytest.fixture(autouse=True)
def _restore_lang():
    yield
    settings.lang = "zh"


def _csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_workflow_run_writes_every_output(tmp_path):
    out = workflow.run(Inputs(), tmp_path / "o", lang="en")
    assert [p.name for p in out.files] == [f"{t}.csv" for t in TABLES] + ["zoning.xlsx",
                                                                          "zoning_layers.gpkg"]
    assert out.result.figure("zoning.projects").value == 22
    assert {n for n, _ in pyogrio.list_layers(tmp_path / "o" / "zoning_layers.gpkg")} == {
        "control_units", "projects", "violations"}
    no_layers = workflow.run(Inputs(), tmp_path / "p", lang="zh", layers=False)
    assert not no_layers.result.layers and not (tmp_path / "p" / "zoning_layers.gpkg").exists()


def test_workflow_reads_zones_only_when_a_rule_needs_them(tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text("version: 1\nrules:\n  all_units:\n    - {id: T, kind: two_high, severity: error,"
                     " clause: c, source: s}\n", encoding="utf-8")
    broken = tmp_path / "broken.geojson"
    broken.write_text("not a layer", encoding="utf-8")
    inputs = Inputs(layers={"red_line": LayerSource(broken), "water_source": LayerSource(broken)},
                    files={"rules": rules, "projects": layers_dir() / "projects_demo.gpkg"})
    kw = workflow.load(inputs)
    assert kw["red_line"] is None and kw["water_source"] is None and len(kw["projects"]) == 22
    out = workflow.run(inputs, tmp_path / "o", lang="zh")
    assert set(out.result.tables["violations"]["rule_id"]) == {"T"}


def test_en_outputs_speak_english_and_keep_numbers(tmp_path):
    workflow.run(Inputs(), tmp_path, lang="en")
    for t in TABLES:
        df = _csv(tmp_path / f"{t}.csv")
        for col in df.columns:
            assert not vocabulary.has_cjk(col), (t, col)
            if col in NAME_COLUMNS:
                continue
            bad = [v for v in df[col] if vocabulary.has_cjk(v)]
            assert not bad, (t, col, bad[:3])
        assert not df.apply(lambda s: s.str.contains("/work/|/tmp/", regex=True)).any().any(), t
    v = pd.read_csv(tmp_path / "violations.csv", encoding="utf-8-sig")
    assert pd.api.types.is_float_dtype(v["value"]) and pd.api.types.is_float_dtype(v["limit"])
    u = pd.read_csv(tmp_path / "utilisation.csv", encoding="utf-8-sig")
    assert set(u["cap status"]) == {"met", "not met"} and set(u["over cap already"]) == {"no"}


def test_cli_default(tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["zoning", "check", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert re.search(r"不通过项目数\s*：10 个项目", r.output)
    assert "准入清单：hn_geo/data/access_rules.yaml" in r.output and "/work" not in r.output
    assert "条款 A-04：1 个项目无法评价" in r.output  # the warning in the run's language
    for f in [f"{t}.csv" for t in TABLES] + ["zoning.xlsx", "zoning_layers.gpkg"]:
        assert (out / f).exists(), f
    proj = _csv(out / "projects.csv")
    assert {"项目编号", "审查结论", "所在管控单元"} <= set(proj.columns)
    assert (proj["审查结论"] == "不通过").sum() == 10  # the console line agrees with the table
    viol = _csv(out / "violations.csv")
    assert "准入清单条款" in viol.columns and len(viol) > 0
    assert set(viol["级别"]) == {"违规", "警示"} and set(viol["判定"]) == {"不通过", "警示"}
    assert {n for n, _ in pyogrio.list_layers(out / "zoning_layers.gpkg")} == {
        "control_units", "projects", "violations"}


def test_cli_user_geojson_and_csv(tmp_path):
    demo = load_layer("projects", layers_dir() / "projects_demo.gpkg")
    pts = demo[demo.geom_type == "Point"].head(6).copy()
    gj = tmp_path / "p.geojson"
    pts.to_crs("EPSG:4326").to_file(gj, driver="GeoJSON")
    r = CliRunner().invoke(main, ["zoning", "check", str(gj), "--out", str(tmp_path / "a"), "--lang", "en"])
    assert r.exit_code == 0, r.output
    t = _csv(tmp_path / "a" / "projects.csv")
    assert "result" in t.columns and len(t) == 6
    assert "projects that fail" in r.output

    # a spreadsheet-style CSV: lon/lat columns, one project in Shanghai, one bad code, 新建 words
    csv = tmp_path / "p.csv"
    ll = pts.to_crs("EPSG:4326")
    df = pd.DataFrame({"project_id": ["A", "B", "C"], "name": ["甲", "乙", "丙"],
                       "industry_code": ["2614", "98", "3399"], "status": ["新建", "new", "改扩建"],
                       "lon": [ll.geometry.x.iloc[0], 121.47, ll.geometry.x.iloc[1]],
                       "lat": [ll.geometry.y.iloc[0], 31.23, ll.geometry.y.iloc[1]]})
    df.to_csv(csv, index=False, encoding="gbk")
    r = CliRunner().invoke(main, ["zoning", "check", str(csv), "--out", str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    assert "1 个项目位于所有管控单元之外" in r.output
    assert "国民经济行业代码（GB/T 4754）缺失或无效" in r.output
    t = _csv(tmp_path / "b" / "projects.csv").set_index("项目编号")
    assert t.loc["B", "审查结论"] == "无数据" and t.loc["B", "区外（未检查）"] == "是"
    assert t["建设性质"].tolist() == ["新建", "新建", "改扩建"]


def test_cli_bad_inputs(tmp_path):
    bad_rules = tmp_path / "r.yaml"
    bad_rules.write_text("version: 1\nrules:\n  all_units:\n    - {id: Z9, kind: two_high, severity: error, "
                         "clause: c}\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["zoning", "check", "--rules", str(bad_rules), "--out", str(tmp_path / "o")])
    assert r.exit_code != 0 and "Z9" in r.output and "source" in r.output

    # a self-intersecting (bow-tie) footprint is repaired with a counted warning
    bow = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"project_id": "BT", "name": "bowtie", "industry_code": "3399",
                                          "status": "new"},
        "geometry": {"type": "Polygon", "coordinates": [[[120.60, 30.45], [120.62, 30.47], [120.62, 30.45],
                                                         [120.60, 30.47], [120.60, 30.45]]]}}]}
    gj = tmp_path / "bow.geojson"
    gj.write_text(json.dumps(bow), encoding="utf-8")
    r = CliRunner().invoke(main, ["zoning", "check", str(gj), "--out", str(tmp_path / "o2")])
    assert r.exit_code == 0, r.output
    assert "repaired 1 invalid geometry" in r.output

    # missing required field: a clear error naming the field
    df = pd.DataFrame({"project_id": ["A"], "name": ["x"], "status": ["new"], "lon": [120.6], "lat": [30.45]})
    df.to_csv(tmp_path / "m.csv", index=False)
    r = CliRunner().invoke(main, ["zoning", "check", str(tmp_path / "m.csv"), "--out", str(tmp_path / "o3")])
    assert r.exit_code != 0 and "industry_code" in r.output


def test_cli_user_units_and_assume_crs(tmp_path, world):
    units, red, ws, points = world
    ufile = tmp_path / "units.gpkg"
    units.assign(unit_type=["优先保护", "重点管控", "一般管控"]).to_file(ufile, driver="GPKG")
    # projects as a CSV of EPSG:4549 x/y metres (no CRS in the file: --assume-crs)
    df = pd.DataFrame({"project_id": ["K1", "G1"], "name": ["k", "g"], "industry_code": ["2614", "2614"],
                       "status": ["new", "new"], "x": [X0 + 1500, X0 + 2500], "y": [Y0 + 500, Y0 + 500]})
    df.to_csv(tmp_path / "xy.csv", index=False)
    r = CliRunner().invoke(main, ["zoning", "check", str(tmp_path / "xy.csv"), "--assume-crs", "EPSG:4549",
                                  "--units", str(ufile), "--out", str(tmp_path / "o"), "--lang", "en"])
    assert r.exit_code == 0, r.output
    # the default access list names unit codes this user layer lacks: counted, naming the rules
    assert re.search(r"\d+ rule\(s\) name unit codes that are not in the control units.*C-0\d", r.output)
    t = _csv(tmp_path / "o" / "projects.csv").set_index("project id")
    assert t.loc["K1", "control units"] == "ZH33048120001"
    assert t.loc["G1", "control units"] == "ZH33048130001"
    assert t.loc["G1", "result"] == "fail"  # 化工 prohibited in 一般管控 (G-01)
    assert t.loc["G1", "unit types"] == "general control"
