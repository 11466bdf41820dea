"""The area of interest: every layer's features checked against it (Haining by default)."""
from __future__ import annotations

import json
import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner

from hn_geo.cli import main
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground import aoi
from hn_geo.ground.catalog import get_schema, load_layer
from hn_geo.ground.inputs import Inputs, LayerSource


def moved(tmp_path, name, fn, crs="EPSG:4490", label="moved"):
    s = load_layer("sections")
    s = s.set_geometry(shapely.transform(s.geometry.values, fn), crs=crs)
    p = tmp_path / f"{label}.gpkg"
    s.to_file(p)
    return p


@pytest.mark.parametrize("label, fn", [
    ("beijing", lambda c: c + np.array([116.40 - 120.6, 39.90 - 30.45])),
    ("null_island", lambda c: c * 0 + 1e-4),
    ("south", lambda c: c * np.array([1.0, -1.0])),
])
def test_sections_elsewhere_are_an_error(tmp_path, label, fn):
    p = moved(tmp_path, "sections", fn, label=label)
    with pytest.raises(HnGeoError) as err:
        load_layer("sections", p)  # before: accepted silently (exit 0)
    e = err.value
    n = len(load_layer("sections"))
    assert e.code == "ground.aoi_none_inside" and e.params["n"] == n and e.path == str(p)
    assert e.params["nearest"] > 1000 and f"none of the {n} features" in e.render("en")


def test_utm51_metres_declared_as_cgcs2000_gk_land_300_km_west(tmp_path):
    s = load_layer("sections").to_crs("EPSG:32651").set_crs("EPSG:4549", allow_override=True)
    p = tmp_path / "utm.gpkg"
    s.to_file(p)
    with pytest.raises(HnGeoError) as err:
        load_layer("sections", p)
    assert err.value.code == "ground.aoi_none_inside"
    assert 200 < err.value.params["nearest"] < 350  # km west of Haining (edge to edge)


def test_some_features_outside_are_counted_with_ids(tmp_path):
    s = load_layer("emission_points").iloc[:50].copy()
    geoms = s.geometry.values.copy()
    geoms[:3] = shapely.points([116.4, 116.41, 0.0], [39.9, 39.91, 0.0])
    s = s.set_geometry(geoms, crs=s.crs)
    p = tmp_path / "ep.gpkg"
    s.to_file(p)
    with pytest.warns(HnGeoWarning) as record:
        gdf = load_layer("emission_points", p)
    assert len(gdf) == 50  # nothing dropped
    (w,) = [w.message for w in record if w.message.code == "ground.aoi_outside"]
    assert w.params["n"] == 3 and w.params["total"] == 50 and w.params["ids"] == list(s["point_id"][:3])
    assert w.params["farthest"] > 10000  # (0, 0) is ~12,000 km away
    assert "3 of the 50 features" in w.render("en")


@pytest.mark.slow  # a whole command or the embedded layers: over the fast budget
def test_embedded_layers_are_inside_and_neighbours_near():
    with warnings.catch_warnings():
        warnings.simplefilter("error", HnGeoWarning)
        for name in ("boundary", "neighbors", "towns", "sections", "buildings", "emission_points"):
            load_layer(name)


@pytest.mark.slow  # a whole command or the embedded layers: over the fast budget
def test_zhejiang_counties_are_not_haining_s_boundary(tmp_path):
    cells = [shapely.box(x, y, x + 0.55, y + 0.45) for x in np.arange(118.0, 123.0, 0.55)
             for y in np.arange(27.0, 31.2, 0.45)][:90]
    feats = [{"type": "Feature", "geometry": shapely.geometry.mapping(c),
              "properties": {"adcode": 330100 + i, "name": f"县{i}"}} for i, c in enumerate(cells)]
    p = tmp_path / "zhejiang.json"
    p.write_text(json.dumps(feats, ensure_ascii=False), encoding="utf-8")  # DataV: a bare array
    r = CliRunner().invoke(main, ["layers", "validate", str(p), "--as", "boundary", "--lang", "en"])
    assert r.exit_code == 1 and "is not the boundary of the area of interest" in r.output
    assert "90 features" in r.output


def test_the_haining_boundary_from_a_datav_array_is_accepted(tmp_path):
    b = load_layer("boundary")
    feats = json.loads(b.to_json())["features"]
    for f in feats:
        f["properties"] = {"adcode": 330481, "name": "海宁市", "level": "district",
                           "parent": {"adcode": 330400}}
    p = tmp_path / "330481.json"
    p.write_text(json.dumps(feats, ensure_ascii=False), encoding="utf-8")
    with pytest.warns(HnGeoWarning) as record:
        gdf = load_layer("boundary", p)  # before: GDAL's "not recognized as being in a supported format"
    assert gdf["code"].iloc[0] == "330481" and gdf["name"].iloc[0] == "海宁市"
    assert "ground.json_array_read" in [w.message.code for w in record if isinstance(w.message, HnGeoWarning)]


@pytest.mark.slow  # a whole command or the embedded layers: over the fast budget
def test_another_county_as_area_of_interest(tmp_path):
    area = gpd.GeoDataFrame({"name": ["某县"]}, geometry=[shapely.box(116.3, 39.8, 116.5, 40.0)],
                            crs="EPSG:4326")
    a = tmp_path / "aoi.geojson"
    area.to_file(a)
    p = moved(tmp_path, "sections", lambda c: c + np.array([116.40 - 120.6, 39.90 - 30.45]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inside = Inputs(layers={"sections": LayerSource(p)}, aoi=a).layer("sections")
    assert len(inside) == len(load_layer("sections"))
    with pytest.raises(HnGeoError, match="none of the 12 features of layer 'towns'"):
        Inputs(aoi=a).layer("towns")  # Haining's embedded towns are not in that county
    assert Inputs(aoi=False).layer("towns") is not None
    r = CliRunner().invoke(main, ["layers", "validate", str(p), "--as", "sections", "--aoi", str(a)])
    assert r.exit_code == 0, r.output


@pytest.mark.slow  # a whole command or the embedded layers: over the fast budget
def test_buildings_700_km_away_get_no_town_table(tmp_path):
    b = load_layer("buildings").iloc[:100]
    b = b.set_geometry(b.geometry.translate(-7.5, 0.0), crs=b.crs)
    p = tmp_path / "b.gpkg"
    b.to_file(p)
    r = CliRunner().invoke(main, ["solar", "potential", str(p), "--out", str(tmp_path / "o"), "--lang", "en"])
    assert r.exit_code == 1 and "none of the 100 features of layer 'buildings'" in r.output
    assert not (tmp_path / "o" / "solar_towns.csv").exists()  # before: towns 硖石街道 ... for Jiangxi roofs


def test_weather_site_far_from_the_buildings_is_flagged():
    b = load_layer("buildings").iloc[:10]
    with pytest.warns(HnGeoWarning) as record:
        km = aoi.check_site(39.93, 116.28, b, path="beijing.epw")
    assert 1000 < km < 1200
    (w,) = [w.message for w in record]
    assert w.code == "ground.weather_far" and "km from the centre of the buildings" in w.render("en")
    with warnings.catch_warnings():
        warnings.simplefilter("error", HnGeoWarning)
        assert aoi.check_site(30.23, 120.17, b) < 60  # Hangzhou station: fine


def test_no_area_of_interest_when_told():
    s = load_layer("sections", aoi=False)
    far = s.set_geometry(s.geometry.translate(-5, 0), crs=s.crs)
    aoi.check_layer(far, get_schema("sections"), False)
    with pytest.raises(HnGeoError):
        aoi.check_layer(far, get_schema("sections"))
