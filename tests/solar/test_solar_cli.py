"""`hn-geo solar potential` and the solar workflow: inputs, plan figures, outputs, words."""
import inspect
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from hn_geo import vocabulary
from hn_geo.cli import main
from hn_geo.cli.solar import potential
from hn_geo.core import settings
from hn_geo.core.errors import HnGeoError
from hn_geo.ground.inputs import Inputs, LayerSource
from hn_geo.ground.plan import targets_path
from hn_geo.workflows import solar as workflow

X0, Y0 = 568000.0, 3377000.0


@pytest.fixture(autouse=True)
def _restore_lang():
    before = settings.lang
    yield
    settings.lang = before


def town_frame(n=30, seed=11):
    rng = np.random.default_rng(seed)
    x, y = X0 + rng.uniform(0, 5000, n), Y0 + rng.uniform(0, 5000, n)
    polys = [shapely.box(a, b, a + L, b + W)
             for a, b, L, W in zip(x, y, rng.uniform(10, 120, n), rng.uniform(8, 40, n))]
    gdf = gpd.GeoDataFrame({"building_id": [f"b{i}" for i in range(n)], "town": rng.choice(["甲镇", "乙街道"], n),
                            "building_type": rng.choice(["residential", "industrial"], n),
                            "storeys": rng.integers(1, 12, n)}, geometry=polys, crs="EPSG:4549")
    return gdf.to_crs("EPSG:4490")


def test_cli_options_default_to_not_given():
    for p in potential.params:
        if isinstance(p, type(potential.params[0])) and p.name in ("buildings",):
            continue
        if p.name in ("lang", "from_gcj02", "out"):
            continue
        assert p.default is None, p.name


def test_workflow_signature():
    sig = inspect.signature(workflow.run)
    assert sig.parameters["lang"].default == "zh"
    for name in ("installed_mw", "target_mw", "homes_target", "roof_params", "system"):
        assert sig.parameters[name].default is None


def test_cli_potential_on_user_file(tmp_path):
    gdf = town_frame(30, seed=11)
    gdf["building_type"] = ["住宅"] * 10 + ["厂房"] * 10 + ["commercial"] * 10
    src = tmp_path / "b.geojson"
    gdf.to_file(src, driver="GeoJSON")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["solar", "potential", str(src), "--out", str(out), "--installed-mw", "100",
                                    "--module-density", "0.2", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "mapped 20 building type" in res.output
    for name in ("solar_towns.csv", "solar_types.csv", "solar_supply_curve.csv", "solar_targets.csv",
                 "solar.xlsx", "solar_layers.gpkg", "solar_supply_curve.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "solar_towns.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    towns = pd.read_csv(out / "solar_towns.csv", encoding="utf-8-sig")
    assert "capacity potential (MW)" in towns.columns
    layer = gpd.read_file(out / "solar_layers.gpkg", layer="buildings")
    assert len(layer) == 30 and {"kwp", "kwh_year", "kwh_per_kwp"} <= set(layer.columns)
    assert set(layer["building_type"]) == {"residential", "industrial", "commercial"}  # en words
    assert (out / "solar_supply_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the given installed capacity is deducted from the plan's 1,800 MW
    assert "1,700 MW still needed" in res.output
    names = ("甲镇", "乙街道", "住宅", "厂房")   # the user's own words may be quoted
    assert not any(vocabulary.has_cjk(line) for line in res.output.splitlines()
                   if not any(n in line for n in names))


def test_cli_console_agrees_with_table_zh(tmp_path):
    out = tmp_path / "zh"
    res = CliRunner().invoke(main, ["solar", "potential", "--out", str(out)])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out / "solar_targets.csv", encoding="utf-8-sig")
    row = t[t["指标"] == "可装光伏的低层住宅（户用）"].iloc[0]
    n = int(row["数值"])
    line = [x for x in res.output.splitlines() if x.startswith("可装光伏的低层住宅 ")][0]
    assert f"{n:,} 栋" in line and row["评估"] in line
    assert ("少于" in line) == (row["评估"] == "未达标")
    assert f"最佳{min(n, 10000)}栋低层住宅屋顶装机" in set(t["指标"])
    assert "/work/" not in res.output.split("已写出")[0]      # no machine path before the files line


def test_cli_bad_weather_file(tmp_path):
    bad = tmp_path / "w.epw"
    bad.write_text("LOCATION,x\nnot an epw\n")
    res = CliRunner().invoke(main, ["solar", "potential", "--weather", str(bad), "--out", str(tmp_path / "o")])
    assert res.exit_code != 0
    assert "w.epw" in res.output and "Traceback" not in res.output


def test_workflow_takes_plan_figures_from_the_plan_file(tmp_path):
    text = targets_path().read_text(encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(text.replace("quote: 光伏并网总装机容量达到180万千瓦以上",
                                 "quote: 光伏并网总装机容量达到180万千瓦以上\n    # edited").replace(
        "    value: 180\n    unit: 万千瓦", "    value: 0.5\n    unit: 万千瓦"), encoding="utf-8")
    src = tmp_path / "b.gpkg"
    town_frame(12, seed=4).to_file(src)
    inputs = Inputs(layers={"buildings": LayerSource(src)}, files={"plan_targets": plan})
    outcome = workflow.run(inputs, tmp_path / "out", lang="en", pitch_deg=30.0)
    assert outcome.result.figure("solar.target_mw").value == pytest.approx(5.0)   # 0.5 万千瓦
    assert outcome.result.figure("solar.homes_target").value == 10000
    assert any(Path(p).name == "solar_supply_curve.png" for p in outcome.files)
    outcome = workflow.run(inputs, tmp_path / "out2", target_mw=2.0, homes_target=3)
    assert outcome.result.figure("solar.target_mw").value == 2.0
    with pytest.raises(HnGeoError) as err:
        workflow.run(inputs, tmp_path / "out3", pitch=30)
    assert err.value.code == "solar.unknown_options"


def test_workflow_options_build_the_configs():
    roof, system = workflow.configs(pitch_deg=30.0, transposition="haydavies", rack_tilt_deg=None)
    assert roof.pitch_deg == 30.0 and roof.rack_tilt_deg == 20.0 and system.transposition == "haydavies"
    assert workflow.configs() == (None, None)


# ----------------------------------------------------------------------------- default buildings layer
def _generator():
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "scripts" / "build_buildings.py"
    spec = importlib.util.spec_from_file_location("build_buildings", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_default_buildings_layer_is_small_valid_synthetic():
    from hn_geo.ground.catalog import default_path, load_layer

    p = default_path("buildings")
    assert p.suffix == ".parquet" and p.stat().st_size <= 2_000_000
    g = load_layer("buildings")
    towns = load_layer("towns")
    assert len(g) > 10000 and g["approximate"].all() and (g["source"] == "buildings").all()  # the provenance code of the embedded layer
    assert set(g["building_type"]) == {"residential", "industrial", "public", "commercial"}
    assert set(g["town"]) == set(towns["name"])
    # no overlapping footprints, each inside its own town
    geoms = g.geometry.values
    a, b = shapely.STRtree(geoms).query(geoms, predicate="overlaps")
    assert len(a) == 0
    joined = g.assign(geometry=g.geometry.representative_point()).sjoin(towns[["name", "geometry"]])
    assert (joined["town"] == joined["name"]).all()


def test_generator_is_seeded_and_scales():
    from hn_geo.ground.catalog import load_layer

    gen = _generator()
    towns, parks = load_layer("towns"), load_layer("parks")
    a = gen.generate(towns, parks, n=600)
    b = gen.generate(towns, parks, n=600)
    assert len(a) == len(b) and shapely.equals_exact(a.geometry.values, b.geometry.values, 0).all()
    big = gen.generate(towns, parks, n=20000, check_overlap=False)
    assert 19000 <= len(big) <= 21000


def test_cli_with_dsm(tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    z = np.zeros((60, 60), dtype="float32")
    z[10:30, 10:50] = 6.0                       # flat roof, unshaded
    p = tmp_path / "dsm.tif"
    with rasterio.open(p, "w", driver="GTiff", width=60, height=60, count=1, dtype="float32",
                       crs="EPSG:4549", transform=from_origin(X0, Y0 + 60, 1.0, 1.0)) as dst:
        dst.write(z, 1)
    gdf = gpd.GeoDataFrame({"building_id": ["a"], "building_type": ["public"]},
                           geometry=[shapely.box(X0 + 10, Y0 + 30, X0 + 50, Y0 + 50)], crs="EPSG:4549")
    src = tmp_path / "b.gpkg"
    gdf.to_file(src)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["solar", "potential", str(src), "--dsm", str(p), "--out", str(out)])
    assert res.exit_code == 0, res.output
    notes = pd.read_csv(out / "solar_notes.csv", encoding="utf-8-sig").iloc[:, 0]
    dsm_note = notes[notes.str.contains("DSM")]
    assert len(dsm_note) == 1 and "dsm.tif" in dsm_note.iloc[0] and str(tmp_path) not in dsm_note.iloc[0]
    layer = gpd.read_file(out / "solar_layers.gpkg", layer="buildings")
    assert layer["roof_type_used"].iloc[0] == vocabulary.word("roof_type", "flat", "zh")
    assert layer["kwp"].iloc[0] > 0
