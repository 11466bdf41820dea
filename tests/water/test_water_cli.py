"""`hn-geo water classify` and the water workflow: user files, embedded data, both languages."""
import geopandas as gpd
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from shapely.geometry import Point

from hn_geo.cli import main
from hn_geo.ground.catalog import default_path, layers_dir, load_layer
from hn_geo.ground.inputs import Inputs, LayerSource
from hn_geo.ground.plan import targets_path
from hn_geo.workflows import water as workflow

X0, Y0 = 568000.0, 3377000.0  # CGCS2000 / GK CM 120E metres: inside Haining (the area of interest)


def write_user_files(tmp_path):
    """A sections file in the words a bureau writes (省控, 交接, 河流) and a results CSV."""
    df = pd.DataFrame({"section_id": ["330481A", "330481B"], "name": ["盐官上游", "许村交接"],
                       "river": ["上塘河", "长山河"], "section_type": ["省控", "交接"],
                       "water_body": ["河流", "河流"], "target_class": ["Ⅲ类", "IV"]})
    sec = gpd.GeoDataFrame(df, geometry=[Point(X0, Y0), Point(X0 + 3000, Y0)], crs="EPSG:4549")
    sec.to_crs("EPSG:4490").to_file(tmp_path / "sections.geojson", driver="GeoJSON")
    csv = tmp_path / "监测结果.csv"
    csv.write_text(
        "断面名称,采样日期,水温(℃),pH值,溶解氧(mg/L),高锰酸盐指数(mg/L),氨氮(mg/L),总磷(以P计)(mg/L),"
        "总氮(mg/L),石油类(mg/L),挥发酚(mg/L),备注\n"
        "盐官上游,2024-01-08,8.5,7.6,8.1,4.2,0.42,0.12,2.1,0.01L,0.0003L,\n"
        "盐官上游,2024-02-06,9.0,7.4,7.9,4.8,0.55,0.15,2.3,0.02,0.0003L,\n"
        "许村交接,2024-01-08,8.1,7.2,4.1,6.5,1.62,0.31,3.2,0.01L,<0.0003,复测\n"
        "许村交接,2024-02-06,8.8,7.3,4.6,7.1,1.71,0.28,3.0,0.03,0.0011,\n",
        encoding="utf-8-sig")
    return csv, tmp_path / "sections.geojson"


def test_catalog_maps_section_words_to_codes(tmp_path):
    _, sec = write_user_files(tmp_path)
    layer = load_layer("sections", sec)
    assert list(layer["section_type"]) == ["provincial", "handover"]
    assert list(layer["water_body"]) == ["river", "river"]
    assert {"provincial", "municipal", "handover"} == set(load_layer("sections")["section_type"])


def test_cli_user_csv_with_chinese_headers_and_L_values(tmp_path):
    csv, sec = write_user_files(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["water", "classify", str(csv), "--sections", str(sec),
                                  "--rivers", str(sec), "--out", str(out)])
    # --rivers given the sections file is a clear error naming the file, not a crash
    assert r.exit_code != 0 and "river_id" in r.output and "sections.geojson" in r.output
    r = CliRunner().invoke(main, ["water", "classify", str(csv), "--sections", str(sec), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "忽略了 1 个不属于 GB 3838 项目的列：备注" in r.output
    assert "交接断面水质达标率（2024年）" in r.output and "0%（目标 100%）" in r.output
    assert "未达标断面数（2024年）" in r.output
    t = pd.read_csv(out / "water_sections.csv", encoding="utf-8-sig")
    assert (out / "water_sections.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    t = t.set_index("断面编号")
    assert t.loc["330481A", "水质类别"] == "III" and t.loc["330481A", "达标情况"] == "达标"
    assert t.loc["330481A", "断面类型"] == "省控"
    # 许村交接: NH3-N mean 1.665 (V), DO mean 4.35 (IV), target IV -> 未达标, 氨氮 multiple 0.11
    assert t.loc["330481B", "水质类别"] == "V" and t.loc["330481B", "超标项目（超标倍数）"] == "氨氮(0.11)"
    assert (out / "water.xlsx").exists() and (out / "water_layers.gpkg").exists()
    layer = gpd.read_file(out / "water_layers.gpkg", layer="sections")
    assert set(layer["water_class"]) == {"III", "V"} and layer.crs.to_epsg() == 4490
    r = CliRunner().invoke(main, ["water", "classify", str(csv), "--sections", str(sec), "--lang", "en",
                                  "--out", str(tmp_path / "en")])
    assert r.exit_code == 0, r.output
    assert "ignored 1 column(s) that are not GB 3838 items" in r.output
    assert "hand-over sections meeting their target (2024)" in r.output
    en = pd.read_csv(tmp_path / "en" / "water_sections.csv", encoding="utf-8-sig")
    assert {"water class", "status", "ammonia nitrogen (mg/L)", "pH (dimensionless)"} <= set(en.columns)
    assert set(en["status"]) == {"met", "not met"} and set(en["section type"]) == {"provincial", "hand-over"}


def test_cli_bad_value_names_row_and_column(tmp_path):
    csv, sec = write_user_files(tmp_path)
    text = csv.read_text(encoding="utf-8-sig").replace("1.71", "1.7l1")
    csv.write_text(text, encoding="utf-8")
    for lang, row in (("en", "row/feature 5"), ("zh", "第 5 行")):
        r = CliRunner().invoke(main, ["water", "classify", str(csv), "--sections", str(sec), "--lang", lang,
                                      "--out", str(tmp_path / "o")])
        assert r.exit_code != 0
        assert row in r.output and "氨氮(mg/L)" in r.output and "1.7l1" in r.output


def test_cli_embedded_default_data(tmp_path):
    if not (default_path("sections").exists() and (layers_dir() / "water_results.csv").exists()):
        pytest.fail("embedded sections layer or layers/water_results.csv missing")
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["water", "classify", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "未达标断面数（2025年）" in r.output and "上游排放源 HN-W07" in r.output
    assert "/work/" not in r.output.replace(str(out), "OUT")
    layer = gpd.read_file(out / "water_layers.gpkg", layer="sections")
    assert {"达标", "未达标"} <= set(layer["status"])
    allyears = pd.read_csv(out / "water_sections.csv", encoding="utf-8-sig")
    assert {"I", "II", "III", "IV", "V", "劣V"} <= set(pd.read_csv(out / "water_samples.csv",
                                                                     encoding="utf-8-sig")["水质类别"])
    fails = allyears[allyears["达标情况"] == "未达标"]
    assert {"省控", "交接"} <= set(fails["断面类型"])
    trend = pd.read_csv(out / "water_trend.csv", encoding="utf-8-sig")
    assert set(trend["所在河流"]) == {"长山河", "上塘河", "盐官下河"}


def test_cli_detection_limit_file_for_nd_cells(tmp_path):
    csv, sec = write_user_files(tmp_path)
    text = csv.read_text(encoding="utf-8-sig").replace("0.0003L", "ND")
    csv.write_text(text, encoding="utf-8")
    dl = tmp_path / "检出限.csv"
    dl.write_text("项目,检出限\n挥发酚,0.0003\n", encoding="utf-8")
    out = tmp_path / "o"
    r = CliRunner().invoke(main, ["water", "classify", str(csv), "--sections", str(sec), "--lang", "en",
                                  "--detection-limits", str(dl), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "no known detection limit" not in r.output
    t = pd.read_csv(out / "water_sections.csv", encoding="utf-8-sig").set_index("section id")
    assert t.loc["330481A", "volatile phenols (mg/L)"] == pytest.approx(0.00015)
    r = CliRunner().invoke(main, ["water", "classify", str(csv), "--sections", str(sec), "--lang", "en",
                                  "--out", str(out)])
    assert r.exit_code == 0 and "2 below-detection value(s) have no known detection limit" in r.output


def test_cli_upstream_km_is_converted_to_metres(tmp_path, monkeypatch):
    seen = {}

    def fake_run(inputs, out_dir, **kw):
        seen.update(kw)
        raise SystemExit(0)

    monkeypatch.setattr(workflow, "run", fake_run)
    CliRunner().invoke(main, ["water", "classify", "--upstream-km", "7.5", "--out", str(tmp_path)])
    assert seen["max_upstream"] == 7500.0 and seen["snap_distance"] is None and seen["year"] is None
    seen.clear()
    CliRunner().invoke(main, ["water", "classify", "--out", str(tmp_path)])
    assert seen["max_upstream"] is None


@pytest.mark.filterwarnings("ignore::hn_geo.core.errors.HnGeoWarning")
def test_workflow_takes_plan_targets_and_options_from_inputs(tmp_path):
    csv, sec = write_user_files(tmp_path)
    plan = yaml.safe_load(targets_path().read_text(encoding="utf-8"))
    for t in plan["targets"]:
        if t["id"] == "boundary_sections_compliance":
            t["value"] = 0
    p = tmp_path / "plan.yaml"
    p.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    inputs = Inputs(layers={"sections": LayerSource(sec)}, files={"water_results": csv, "plan_targets": p})
    outcome = workflow.run(inputs, tmp_path / "o", lang="en", year=2024)
    res = outcome.result
    f = res.figure("water.handover_rate")
    assert (f.value, f.target, f.status) == (0.0, 0.0, "met")
    assert res.meta["results_file"] == "监测结果.csv" and res.meta["synthetic"] is False
    assert {p.name for p in outcome.files} >= {"water_sections.csv", "water.xlsx", "water_layers.gpkg"}
    assert res.notes[0].code == "water.method_classes"
