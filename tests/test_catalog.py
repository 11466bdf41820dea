"""The layer catalog (hn_geo.catalog): schemas well formed, CRS constants, default paths."""
from __future__ import annotations

import re

import pytest
import shapely
from layer_factory import tiny_layer
from pyproj import CRS

from hn_geo.ground import catalog
from hn_geo.ground import readers as io_r
from hn_geo.ground.catalog import DTYPES, SCHEMAS, get_schema, load_layer
from hn_geo.ground.validate import validate
from hn_geo.render import writers as io_w

GEOMETRY_TYPES = {"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"}
ISSUE_LAYERS = ("boundary", "neighbors", "towns", "parks", "rivers", "sections", "emission_points",
                "control_units", "buildings")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_issue_layers_are_all_declared():
    assert set(ISSUE_LAYERS) <= set(SCHEMAS)


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_schema_well_formed(name):
    s = SCHEMAS[name]
    assert s.name == name
    assert re.fullmatch(r"[a-z][a-z0-9_]*", name)
    assert s.zh and CJK.search(s.zh) and re.search("[A-Za-z]{3}", s.en)
    assert s.geometry and set(s.geometry) <= GEOMETRY_TYPES
    names = [f.name for f in s.fields]
    assert len(names) == len(set(names)), "field names must be unique"
    # id field is a declared, required, non-nullable text field
    idf = s.field(s.id_field)
    assert idf.required and not idf.nullable and idf.dtype == "str"
    for f in s.fields:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.name), f.name
        assert f.dtype in DTYPES, (f.name, f.dtype)
        assert f.zh.strip() and CJK.search(f.zh), f"{name}.{f.name}: Chinese label"
        assert re.search("[A-Za-z]", f.en), f"{name}.{f.name}: English label"
        assert isinstance(f.choices, tuple)
        if f.choices:
            assert f.dtype == "str", f"{name}.{f.name}: choices only on str fields"
            assert all(isinstance(c, str) and c for c in f.choices)
            assert len(set(f.choices)) == len(f.choices)
        assert isinstance(f.unit, str)
    # labels unique within a layer, so headers given as labels map back to one field
    for lang in ("zh", "en"):
        labels = [f.label(lang, with_unit=False) for f in s.fields]
        assert len(labels) == len(set(labels)), (name, lang)
    assert set(s.required) <= set(names)
    assert s.labels("en")[s.id_field] == idf.en


def test_default_files_unique_and_named_after_layer():
    files = [s.default_file for s in SCHEMAS.values() if s.default_file]
    assert len(files) == len(set(files))
    for s in SCHEMAS.values():
        if s.default_file:
            assert s.default_file.rsplit(".", 1)[0] == s.name
            assert "." + s.default_file.rsplit(".", 1)[1] in io_r.VECTOR_SUFFIXES


def test_crs_constants():
    assert CRS(catalog.STORAGE_CRS).to_epsg() == 4490
    assert "China Geodetic Coordinate System 2000" in CRS(catalog.STORAGE_CRS).name
    metric = CRS(catalog.METRIC_CRS)
    assert metric.is_projected and metric.to_epsg() == 4549
    assert "120E" in metric.name
    assert metric.axis_info[0].unit_name == "metre"
    assert CRS(catalog.WGS84).to_epsg() == 4326


def test_get_schema_and_default_path(tmp_layers_dir):
    with pytest.raises(KeyError, match="unknown layer 'lakes'; known layers: boundary"):
        get_schema("lakes")
    assert catalog.layers_dir() == tmp_layers_dir
    assert catalog.default_path("towns") == tmp_layers_dir / SCHEMAS["towns"].default_file
    with pytest.raises(KeyError, match="no embedded default file"):
        catalog.default_path("projects")


def test_load_layer_from_embedded_dir_and_user_file(tmp_layers_dir, tmp_path):
    io_w.write_gpkg(tiny_layer("rivers").to_crs("EPSG:4549"), tmp_layers_dir / "rivers.gpkg", crs=None)
    gdf = load_layer("rivers")
    assert gdf.crs.to_epsg() == 4490 and len(gdf) == 3
    assert gdf.attrs["hn_geo_source"] == str(tmp_layers_dir / "rivers.gpkg")
    user = io_w.write_geojson(tiny_layer("rivers", n=5), tmp_path / "my_rivers.geojson")
    assert len(load_layer("rivers", user)) == 5
    raw = load_layer("rivers", user, validate=False)
    assert raw.crs.to_epsg() == 4490 and str(raw["flow_direction"].dtype) != "Int64"


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_every_schema_accepts_a_conforming_layer(name):
    gdf = validate(tiny_layer(name), get_schema(name))
    assert len(gdf) == 3
    assert shapely.is_valid(gdf.geometry.values).all()
