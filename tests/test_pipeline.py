"""`hn-geo run`: the whole job on the embedded data, every declared output checked; config handling."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import time
import zipfile

import openpyxl
import pyogrio
import pytest
import yaml
from click.testing import CliRunner
from render.test_share import GEOJSON_SCHEMA  # tests/render is a package (render engineer)

from hn_geo import pipeline
from hn_geo.cli import main
from hn_geo.ground import catalog


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    t0 = time.perf_counter()
    res = CliRunner().invoke(main, ["run", "--out", str(out), "--quiet"])
    seconds = time.perf_counter() - t0
    print(f"full hn-geo run on the embedded data: {seconds:.1f} s")
    return res, out, seconds


def _assert_valid(path):
    """Open a declared output with the library a user's tool would use."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        assert wb.sheetnames, path
        wb.close()
    elif suffix == ".csv":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf"), path  # UTF-8 with BOM for Excel
    elif suffix == ".gpkg":
        layers = pyogrio.list_layers(path)
        assert len(layers), path
        for lyr in layers[:, 0]:
            assert pyogrio.read_info(path, layer=lyr)["crs"] == "EPSG:4490", (path, lyr)
    elif suffix == ".html":
        assert "<html" in path.read_text(encoding="utf-8")[:2000].lower(), path
    elif suffix == ".png":
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
    elif suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None, path
    else:
        raise AssertionError(f"unexpected output type {path}")


def _summary(out):
    return json.loads((out / "run_summary.json").read_text(encoding="utf-8"))


def test_full_run_succeeds_and_every_output_exists(full_run):
    res, out, _ = full_run
    assert res.exit_code == 0, res.output
    summ = _summary(out)
    assert summ["ok"] is True
    steps = {s["name"]: s for s in summ["steps"]}
    assert list(steps) == ["water", "zoning", "solar", "targets", "report", "maps", "export", "dashboard"]
    for name, s in steps.items():
        assert s["status"] == "ok", (name, s["message"])
        for rel in s["outputs"]:
            p = out / rel
            assert p.exists() and p.stat().st_size > 0, rel
            _assert_valid(p)
    for name in ("report", "export"):
        assert steps[name]["status"] == "ok"
    for name in pipeline.ANALYSES:
        assert (out / name / f"{name}.xlsx").exists()
    assert "共写出" in res.output and "完成" in res.output  # the summary speaks the run's language
    # run_summary.json: finished, with the analyses' key figures as typed values
    assert summ["state"] == "finished" and summ["lang"] == "zh"
    for name in pipeline.ANALYSES:
        figs = summ["figures"][name]
        assert any(f["headline"] for f in figs), name
        assert all(isinstance(f["value"], (int, float, str, list, type(None))) for f in figs)
        assert all(f["label"] for f in figs)
    water = {f["code"]: f for f in summ["figures"]["water"]}
    assert isinstance(water["water.sections_not_met"]["value"], int)
    assert water["water.sections_not_met"]["period"] == 2025
    assert "关键数字" in res.output  # the headline figures end the console summary


def test_report_workbook_has_the_sheets(full_run):
    from hn_geo import vocabulary

    _, out, _ = full_run
    wb = openpyxl.load_workbook(out / "report" / "hn_geo_report.xlsx")
    assert wb.sheetnames[0] == "汇总"
    assert len(set(wb.sheetnames)) == len(wb.sheetnames) and all(len(n) <= 31 for n in wb.sheetnames)
    for name in pipeline.ANALYSES:
        tables = [f.stem for f in (out / name).glob("*.csv")]
        assert tables, name
        for key in tables:
            sheet = vocabulary.sheet_name(key, "zh", name)
            assert any(s == sheet or s.startswith(sheet[:25]) for s in wb.sheetnames), (name, key, sheet)
    for sheet in wb.sheetnames[1:]:
        assert vocabulary.has_cjk(sheet), sheet  # Chinese sheet names in a zh run
        ws = wb[sheet]
        assert ws.freeze_panes == "A2"
        header = [c.value for c in ws[1]]
        assert any(vocabulary.has_cjk(h) for h in header), (sheet, header)
    csvs = list((out / "report" / "csv").glob("*.csv"))
    assert len(csvs) == len(wb.sheetnames)  # summary + one per table
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in csvs)


def test_share_package_valid(full_run, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    _, out, _ = full_run
    zips = list((out / "share").glob("*.zip"))
    assert len(zips) == 1
    root = tmp_path / "x"
    with zipfile.ZipFile(zips[0]) as zf:
        zf.extractall(root)
    meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    names = [m["name"] for m in meta["layers"]]
    present = [n for n in catalog.SCHEMAS if catalog.get_schema(n).default_file
               and catalog.default_path(n).exists()]
    assert set(present) <= set(names)
    # checksums
    for line in (root / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((root / name).read_bytes()).hexdigest() == digest, name
    if shutil.which("sha256sum"):
        assert subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=root).returncode == 0
    # each GeoJSON: the validator and GDAL's ogrinfo
    have_ogrinfo = shutil.which("ogrinfo") is not None
    for m in meta["layers"]:
        path = root / m["files"]["geojson"]
        doc = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(doc, GEOJSON_SCHEMA)
        assert len(doc["features"]) == m["feature_count"]
        if have_ogrinfo:
            r = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True, text=True)
            assert r.returncode == 0 and f"Feature Count: {m['feature_count']}" in r.stdout, r.stderr
    # the GeoPackage opens with its CRS
    gpkg = root / meta["geopackage"]
    layers = [row[0] for row in pyogrio.list_layers(gpkg) if row[0] != "layer_styles"]  # QGIS' style table
    assert set(layers) == set(names)
    for lyr in layers:
        assert pyogrio.read_info(gpkg, layer=lyr)["crs"] == "EPSG:4490"


def test_maps_written_offline(full_run):
    _, out, _ = full_run
    steps = {s["name"]: s for s in _summary(out)["steps"]}
    if steps["maps"]["status"] == "skipped":
        pytest.skip(steps["maps"]["message"])
    html = out / "maps" / "overview.html"
    text = html.read_text(encoding="utf-8")
    assert "L.map(" in text or "L.map (" in text
    # offline: no script or stylesheet is fetched from the network (hn_geo.maps tests this in a browser)
    assert not re.search(r"<script[^>]*\ssrc=[\"']?(https?:)?//", text)
    assert not re.search(r"<link[^>]*\shref=[\"']?(https?:)?//", text)
    for name in pipeline.ANALYSES:
        if steps[name]["status"] == "ok":
            assert (out / "maps" / f"{name}.html").exists()


# ----------------------------------------------------------------------------- config
def test_init_config_template_round_trips(tmp_path):
    path = tmp_path / "cfg" / "run.yaml"
    res = CliRunner().invoke(main, ["init-config", str(path)])
    assert res.exit_code == 0, res.output
    text = path.read_text(encoding="utf-8")
    assert text == pipeline.template_text() and "# " in text
    cfg = pipeline.load_config(path)
    default = pipeline.RunConfig()
    for attr in ("lang", "continue_on_error", "analyses", "report", "export", "layers", "inputs"):
        assert getattr(cfg, attr) == getattr(default, attr), attr
    assert cfg.maps["overview"] and cfg.maps["per_analysis"] and cfg.maps["offline"]
    again = CliRunner().invoke(main, ["init-config", str(path)])
    assert again.exit_code != 0 and "--force" in again.output
    assert CliRunner().invoke(main, ["init-config", str(path), "--force"]).exit_code == 0


def test_config_paths_are_relative_to_the_config_file(tmp_path, monkeypatch):
    cfg_dir = tmp_path / "project"
    (cfg_dir / "data").mkdir(parents=True)
    towns = catalog.load_layer("towns")
    towns.loc[towns.index[0], "name_en"] = "Relative Path Test"
    towns.to_crs(catalog.WGS84).to_file(cfg_dir / "data" / "my_towns.geojson", driver="GeoJSON")
    cfg = {"lang": "en", "analyses": [], "maps": False, "report": False,
           "layers": {"towns": "data/my_towns.geojson"},
           "export": {"layers": ["towns"], "include_results": False, "name": "towns_only"}}
    (cfg_dir / "run.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    res = CliRunner().invoke(main, ["run", "../project/run.yaml", "--out", "out", "-q"])
    assert res.exit_code == 0, res.output
    zpath = elsewhere / "out" / "share" / "towns_only.zip"
    from hn_geo.render.share import read_share_package

    back = read_share_package(zpath)
    assert list(back) == ["towns"]
    assert back["towns"]["name_en"].iloc[0] == "Relative Path Test"
    with zipfile.ZipFile(zpath) as zf:
        meta = json.loads(zf.read("metadata.json"))
    assert "my_towns.geojson" in meta["layers"][0]["source"]
    assert meta["layers"][0]["title"] == "Towns and subdistricts"  # --lang en from the config


@pytest.mark.parametrize("cfg,words", [
    ({"inputs": {"weather": "missing.epw"}}, ["inputs.weather", "missing.epw", "relative to the config"]),
    ({"layers": {"townz": "a.gpkg"}}, ["layers.townz", "unknown key"]),
    ({"analyses": ["water", "traffic"]}, ["traffic", "analyses"]),
    ({"colour": "red"}, ["unknown key", "colour"]),
    ({"analyses": 42}, ["analyses", "42"]),
    ({"report": "no"}, ["report", "'no'", "boolean"]),
    ({"continue_on_error": "false"}, ["continue_on_error", "boolean"]),
    ({"layers": ["towns.gpkg"]}, ["layers", "object"]),
    ({"export": {"name": "../../x"}}, ["export.name", "file name"]),
    ({"export": {"name": "/tmp/elsewhere"}}, ["export.name", "file name"]),
    ({"maps": {"basemap": "google"}}, ["maps.basemap", "google"]),
])
def test_bad_config_is_a_clean_error(tmp_path, cfg, words):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "out"), "--lang", "en"])
    assert res.exit_code != 0
    assert "Traceback" not in res.output and res.exception is None or isinstance(res.exception, SystemExit)
    for w in words + [str(path)]:
        assert w in res.output, (w, res.output)


def test_failing_step_gives_nonzero_exit_and_others_still_run(tmp_path):
    bad = tmp_path / "results.csv"
    bad.write_text("断面名称,采样日期,溶解氧,总磷\nS1,2024-01-05,7.5,0.05\nS1,2024-02-05,abc,0.06\n",
                   encoding="utf-8-sig")
    cfg = {"lang": "en", "inputs": {"water_results": "results.csv"}, "analyses": ["water"], "maps": False,
           "export": {"layers": ["boundary"], "include_results": True}}
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "-q"])
    assert res.exit_code == 1
    steps = {s["name"]: s for s in _summary(out)["steps"]}
    assert steps["water"]["status"] == "failed"
    assert "results.csv" in steps["water"]["message"]
    assert steps["export"]["status"] == "ok"  # later steps still ran
    assert steps["report"]["status"] == "skipped"  # nothing to report
    assert "FAILED" in res.output and "water" in res.output
    # --fail-fast: later steps are not run
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "-q", "--fail-fast"])
    assert res.exit_code == 1
    steps = {s["name"]: s for s in _summary(out)["steps"]}
    assert steps["export"]["status"] == "skipped" and "earlier step failed" in steps["export"]["message"]


def test_warnings_are_counted_per_step(tmp_path, monkeypatch):
    import warnings

    from hn_geo.core.errors import HnGeoWarning

    from hn_geo.pipeline.steps import Step

    def noisy(ctx):
        warnings.warn("repaired 3 invalid geometries", HnGeoWarning)
        warnings.warn(HnGeoWarning("ground.towns_mapped", n=1, rows=2, pairs=["许村→许村镇"]))
        return None, []

    monkeypatch.setitem(pipeline.STEPS, "zoning", Step("zoning", noisy, analysis=True))
    cfg = pipeline.RunConfig(lang="en", analyses=["zoning"], maps={"overview": False, "per_analysis": False},
                             report=False, export={"enabled": False})
    rep = pipeline.run_pipeline(cfg, tmp_path / "out", quiet=True)
    z = [s for s in rep.steps if s.name == "zoning"][0]
    assert z.warnings == ["repaired 3 invalid geometries",
                          "mapped 1 town name variant(s) (2 row(s)) to official names: 许村→许村镇"]
    assert "2 warning(s)" in pipeline.format_summary(rep)


def test_only_rejects_unknown_analysis(tmp_path):
    res = CliRunner().invoke(main, ["run", "--out", str(tmp_path), "--only", "water,traffic"])
    assert res.exit_code == 2 and "traffic" in res.output


def test_export_of_a_result_geopackage_keeps_labels(full_run, tmp_path):
    _, out, _ = full_run
    gpkgs = sorted(out.glob("*/*_layers.gpkg"))
    assert gpkgs
    target = tmp_path / "results.zip"
    res = CliRunner().invoke(main, ["export", *map(str, gpkgs), "--out", str(target)])
    assert res.exit_code == 0, res.output
    from hn_geo.render.share import read_share_package

    back = read_share_package(target)
    for gpkg in gpkgs:
        stem = gpkg.stem[:-len("_layers")]
        for lyr in pyogrio.list_layers(gpkg)[:, 0]:
            name = lyr if lyr.startswith(stem) else f"{stem}_{lyr}"
            assert len(back[name]) == pyogrio.read_info(gpkg, layer=lyr)["features"]
    if (out / "water" / "water_layers.gpkg").exists():
        with zipfile.ZipFile(target) as zf:
            text = zf.read("fields/water_sections_fields.csv").decode("utf-8-sig")
        assert "water_class,水质类别" in text


def test_analysis_options_are_passed_and_checked(tmp_path):
    path = tmp_path / "run.yaml"
    base = {"analyses": ["targets"], "maps": False, "report": False, "export": False}
    path.write_text(yaml.safe_dump({**base, "options": {"targets": {"yaer": 2023}}}), encoding="utf-8")
    rep = pipeline.run_pipeline(path, tmp_path / "bad", quiet=True)
    step = [s for s in rep.steps if s.name == "targets"][0]
    assert not rep.ok and step.status == "failed"
    assert "options.targets" in step.message and "'yaer'" in step.message and "year" in step.message
    path.write_text(yaml.safe_dump({**base, "options": {"targets": {"year": 2023}}}), encoding="utf-8")
    rep = pipeline.run_pipeline(path, tmp_path / "good", quiet=True)
    assert rep.ok
    energy = (tmp_path / "good" / "targets" / "targets_energy.csv").read_text(encoding="utf-8-sig")
    assert ",2023," in energy and ",2024," not in energy


def test_config_layer_options_reach_every_step(tmp_path):
    """A GCJ-02 CSV layer with `gcj02: true` is converted once and used by maps and export alike."""
    from hn_geo.core.crs import to_gcj02
    from hn_geo.render.share import read_share_package

    sections = catalog.load_layer("sections")
    shifted = to_gcj02(sections.to_crs(catalog.WGS84))
    table = shifted.drop(columns="geometry").assign(经度=shifted.geometry.x, 纬度=shifted.geometry.y)
    (tmp_path / "data").mkdir()
    table.to_csv(tmp_path / "data" / "sections_amap.csv", index=False, encoding="gbk")
    cfg = {"analyses": [], "report": False, "maps": {"overview": True, "per_analysis": False},
           "layers": {"sections": {"path": "data/sections_amap.csv", "gcj02": True}},
           "export": {"layers": ["sections"], "include_results": False}}
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    rep = pipeline.run_pipeline(tmp_path / "run.yaml", tmp_path / "out", quiet=True)
    assert rep.ok, pipeline.format_summary(rep)
    back = read_share_package(tmp_path / "out" / "share" / "hn_geo_share.zip")["sections"]
    dist = back.to_crs(catalog.METRIC_CRS).distance(sections.to_crs(catalog.METRIC_CRS), align=False)
    assert dist.max() < 1.0  # metres: converted back from GCJ-02 (the shift is ~500 m)
    maps_warnings = [w for s in rep.steps if s.name == "maps" for w in s.warnings]
    assert not any("sections_amap" in w for w in maps_warnings)  # loaded once, with the config's options


def test_user_buildings_with_chinese_types_run_like_the_solar_cli(tmp_path):
    b = catalog.load_layer("buildings").iloc[:300].copy()
    zh = {"residential": "住宅", "industrial": "厂房", "public": "学校", "commercial": "办公"}
    b["building_type"] = b["building_type"].map(zh)
    (tmp_path / "d").mkdir()
    b.to_file(tmp_path / "d" / "roofs.gpkg", driver="GPKG")
    cfg = {"lang": "en", "analyses": ["solar"], "maps": False, "report": False, "export": False,
           "layers": {"buildings": "d/roofs.gpkg"}}
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    rep = pipeline.run_pipeline(tmp_path / "run.yaml", tmp_path / "out", quiet=True)
    solar_step = [s for s in rep.steps if s.name == "solar"][0]
    assert rep.ok, solar_step.message
    assert any("mapped 300 building type value(s)" in w for w in solar_step.warnings)
    out = pyogrio.read_dataframe(tmp_path / "out" / "solar" / "solar_layers.gpkg", layer="buildings")
    assert len(out) == 300 and set(out["building_type"]) <= set(zh)  # en words equal the codes


def test_one_lane_and_two_lanes_write_the_same_run(full_run, tmp_path):
    """The default run (two lanes on this machine) and ``--jobs 1`` write the same files, the same
    tables and the same key figures."""
    res, out, _ = full_run
    assert res.exit_code == 0, res.output
    one = tmp_path / "one"
    r1 = CliRunner().invoke(main, ["run", "--out", str(one), "--quiet", "--jobs", "1"])
    assert r1.exit_code == 0, r1.output

    def listing(root):
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())

    assert listing(one) == listing(out)
    csvs = [r for r in listing(one) if r.endswith(".csv")]
    assert len(csvs) > 50
    for rel in csvs:
        assert (one / rel).read_bytes() == (out / rel).read_bytes(), rel
    s1, s2 = (json.loads((d / "run_summary.json").read_text(encoding="utf-8")) for d in (one, out))
    assert s1["figures"] == s2["figures"] and [s["name"] for s in s1["steps"]] == [s["name"] for s in s2["steps"]]
