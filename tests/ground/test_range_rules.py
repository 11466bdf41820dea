"""Range rules per field in the catalog schemas; finite numbers only; CRS strings; numeric options."""
from __future__ import annotations

import warnings

import pandas as pd
import pytest
from click.testing import CliRunner

from hn_geo.cli import main
from hn_geo.core.errors import HnGeoError
from hn_geo.ground import readers
from hn_geo.ground.catalog import SCHEMAS, layers_dir, load_layer
from hn_geo.ground.profiles import profile_from_projects, read_profiles


def points_file(tmp_path, column, value, name="ep"):
    ep = load_layer("emission_points").iloc[:20].copy()
    ep[column] = ep[column].astype(object)
    ep.loc[ep.index[4], column] = value
    p = tmp_path / f"{name}.gpkg"
    ep.to_file(p)
    return p


def test_every_load_and_energy_field_has_a_range_rule():
    for schema in SCHEMAS.values():
        for f in schema.fields:
            if f.name.endswith("_t") or f.name == "energy_tce":
                assert f.min == 0 and f.max is not None, f"{schema.name}.{f.name}"


@pytest.mark.parametrize("column, value, code", [("nox_t", -1e6, "ground.value_below_min"),
                                                 ("cod_t", -0.5, "ground.value_below_min"),
                                                 ("vocs_t", 5e9, "ground.value_above_max"),
                                                 ("energy_tce", -10.0, "ground.value_below_min")])
def test_emission_point_loads_out_of_range(tmp_path, column, value, code):
    p = points_file(tmp_path, column, value)
    with pytest.raises(HnGeoError) as err:
        load_layer("emission_points", p)  # before: -1e6 t gave a unit 占用率 of -153,732.8 %
    e = err.value
    assert e.code == code and e.row == 5 and e.field == column and e.path == str(p)
    assert e.params["n"] == 1 and "EP00005" in e.params["where"]
    assert ("below the lower bound 0" if "below" in code else "above the upper bound") in e.render("en")


def test_negative_project_load_is_an_error(tmp_path):
    pr = load_layer("projects", layers_dir() / "projects_demo.gpkg")
    pr.loc[0, "vocs_t"] = -1000  # before: turned a 不通过 project into 通过
    p = tmp_path / "pr.gpkg"
    pr.to_file(p)
    with pytest.raises(HnGeoError) as err:
        load_layer("projects", p)
    assert err.value.code == "ground.value_below_min" and err.value.field == "vocs_t"


@pytest.mark.parametrize("text", ["inf", "-inf", "Infinity", "nan", "NaN"])
def test_infinite_or_nan_text_is_not_a_number(tmp_path, text):
    ep = load_layer("emission_points").iloc[:5]
    df = pd.DataFrame(ep.drop(columns="geometry")).astype(str)
    df["lon"], df["lat"] = ep.geometry.x, ep.geometry.y
    df.loc[2, "vocs_t"] = text
    p = tmp_path / "ep.csv"
    df.to_csv(p, index=False)
    with pytest.raises(HnGeoError) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load_layer("emission_points", p)  # before: inf written to the tables
    assert err.value.row == 4 and err.value.field == "vocs_t" and "not finite numbers" in str(err.value)


def test_infinite_float_in_a_geopackage(tmp_path):
    p = points_file(tmp_path, "nh3n_t", float("inf"))
    with pytest.raises(HnGeoError, match="not finite numbers"):
        load_layer("emission_points", p)


def test_infinite_coordinate_in_a_table(tmp_path):
    p = tmp_path / "pts.csv"
    p.write_text("name,lon,lat\na,120.6,30.5\nb,inf,30.5\n", encoding="utf-8")
    with pytest.raises(HnGeoError) as err:
        readers.read_file(p)
    assert err.value.row == 3 and err.value.field == "lon"


@pytest.mark.parametrize("crs", ["EPSG:999999", "not a crs", "4549x"])
def test_crs_strings_are_checked(tmp_path, crs):
    with pytest.raises(HnGeoError) as err:
        readers.parse_crs(crs)
    assert err.value.code == "ground.bad_crs" and crs in err.value.render("en")
    if crs != "EPSG:999999":
        return  # the CLI once: a clean usage error, not pyproj's CRSError traceback
    p = tmp_path / "xy.csv"
    p.write_text("name,x,y\na,558000,3377000\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["layers", "validate", str(p), "--as", "sections", "--assume-crs", crs,
                                  "--lang", "en"])
    assert r.exit_code == 2 and "is not a CRS that can be recognised" in r.output  # before: CRSError traceback
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_crs_as_a_number_is_epsg():
    assert readers.parse_crs("4549").to_epsg() == 4549 and readers.parse_crs(" EPSG:4490 ").to_epsg() == 4490


@pytest.mark.parametrize("value, words", [("nan", "not a finite number"), ("inf", "not a finite number"),
                                          ("-5", "below the smallest value allowed"),
                                          ("lots", "not a finite number")])
def test_numeric_cli_options_are_checked(tmp_path, value, words):
    r = CliRunner().invoke(main, ["solar", "potential", "--target-mw", value, "--out", str(tmp_path / "o"),
                                  "--lang", "en"])
    assert r.exit_code == 2 and words in r.output and "--target-mw" in r.output
    assert not (tmp_path / "o").exists()  # before: "nan MW still needed"


@pytest.mark.parametrize("option, value", [("--vocs-t", "nan"), ("--nox-t", "-1000"), ("--energy-tce", "inf")])
def test_site_profile_loads_on_the_command_line_are_checked(tmp_path, option, value):
    r = CliRunner().invoke(main, ["zoning", "sites", "--industry", "2614", option, value,
                                  "--out", str(tmp_path / "o"), "--lang", "en"])
    assert r.exit_code == 2 and option in r.output  # before: nan taken as "unknown load"
    assert not (tmp_path / "o").exists()


def test_negative_value_added_is_an_error(tmp_path):
    pr = load_layer("projects", layers_dir() / "projects_demo.gpkg")
    pr.loc[1, "value_added_wan"] = -500.0  # a negative energy intensity passes every intensity cap
    p = tmp_path / "pr.gpkg"
    pr.to_file(p)
    with pytest.raises(HnGeoError) as err:
        load_layer("projects", p)
    assert err.value.code == "ground.value_below_min" and err.value.field == "value_added_wan"


@pytest.mark.parametrize("text, code", [("vocs_t: -1000", "ground.value_below_min"),
                                        ("nox_t: 5.0e+9", "ground.value_above_max"),
                                        ("value_added_wan: -3", "ground.value_below_min")])
def test_profile_yaml_numbers_follow_the_projects_range_rules(tmp_path, text, code):
    p = tmp_path / "profile.yaml"
    p.write_text(f"profiles:\n  - {{industry_code: '2614'}}\n  - {{industry_code: '2614', {text}}}\n",
                 encoding="utf-8")
    with pytest.raises(HnGeoError) as err:
        read_profiles(p)
    assert err.value.code == code and err.value.row == 2 and err.value.field == text.split(":")[0]
    assert str(p) in err.value.render("en")


def test_profile_row_of_a_projects_table_follows_the_range_rules(tmp_path):
    p = tmp_path / "projects.csv"
    p.write_text("project_id,industry_code,vocs_t\nA,2614,1.5\nB,2614,-20\n", encoding="utf-8")
    assert profile_from_projects(p, "A")["vocs_t"] == 1.5
    with pytest.raises(HnGeoError) as err:
        profile_from_projects(p, "B")
    assert err.value.code == "ground.value_below_min" and err.value.row == 3 and err.value.field == "vocs_t"
