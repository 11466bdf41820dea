"""Run-config values checked before any step runs: option types, nan/inf, CRS strings, the area of interest."""
from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from hn_geo.cli import main
from hn_geo.core.errors import HnGeoError
from hn_geo.pipeline.config import check_option_types, load_config, option_types


def write(tmp_path, text, encoding="utf-8"):
    p = tmp_path / "run.yaml"
    p.write_bytes(text.encode(encoding))
    return p


@pytest.mark.parametrize("text, field, words", [
    ("options:\n  solar: {installed_mw: lots}\n", "options.solar.installed_mw", "not of the type"),
    ("options:\n  solar: {pitch_deg: 'steep'}\n", "options.solar.pitch_deg", "a number"),
    ("options:\n  water: {snap_distance: yes}\n", "options.water.snap_distance", "a number"),
    ("options:\n  water: {year: 2024.5}\n", "options.water.year", "a whole number"),
    ("options:\n  solar: {target_mw: .nan}\n", "options.solar.target_mw", "finite number"),
    ("options:\n  solar: {installed_mw: .inf}\n", "options.solar.installed_mw", "finite number"),
    ("layers:\n  sections: {path: run.yaml, crs: 'EPSG:999999'}\n", "layers.sections.crs", "not a CRS"),
])
def test_bad_values_name_the_key(tmp_path, text, field, words):
    p = write(tmp_path, text)
    with pytest.raises(HnGeoError) as err:
        load_config(p)  # before: ValueError "could not convert string to float: 'lots'" in the step
    assert err.value.field == field and err.value.path == str(p) and words in err.value.render("en")


def test_gbk_config_is_a_clear_error_in_both_languages(tmp_path):
    p = write(tmp_path, "# 海宁市配置\nlang: zh\n", encoding="gbk")
    with pytest.raises(HnGeoError) as err:
        load_config(p)
    assert err.value.code == "ground.yaml_not_utf8"
    assert "GBK" in err.value.render("en") and "UTF-8" in err.value.render("zh")
    r = CliRunner().invoke(main, ["run", str(p), "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and "UTF-8" in r.output and r.exception is not None
    assert isinstance(r.exception, SystemExit)


def test_option_types_come_from_the_analyses():
    t = option_types("solar")
    assert t["installed_mw"] == "number" and t["pitch_deg"] == "number" and t["transposition"] == "string"
    assert option_types("water")["snap_distance"] == "number"
    check_option_types({"solar": {"installed_mw": 350, "transposition": "haydavies"}})


def test_aoi_key(tmp_path):
    area = gpd.GeoDataFrame({"name": ["某县"]}, geometry=[shapely.box(116.3, 39.8, 116.5, 40.0)],
                            crs="EPSG:4326")
    area.to_file(tmp_path / "county.geojson")
    cfg = load_config(write(tmp_path, "aoi: county.geojson\n"))
    assert cfg.aoi.name == "某县" and cfg.make_inputs().area() is cfg.aoi
    cfg = load_config(write(tmp_path, "aoi: {path: county.geojson, tolerance_km: 5}\n"))
    assert cfg.aoi.tolerance_m == 5000.0
    with pytest.raises(HnGeoError) as err:
        load_config(write(tmp_path, "aoi: nowhere.geojson\n"))
    assert err.value.field == "aoi"
    assert load_config(None).make_inputs().area().name == "海宁市"
