"""Shared, generic fixtures. Keep this file small: module-specific helpers go in the test module."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hn_geo.core.settings import STORAGE_CRS
from hn_geo.ground.catalog import get_schema

# a point inside Haining (near the city seat, Xiashi), CGCS2000 lon/lat
HAINING_LON, HAINING_LAT = 120.68, 30.51


def tiny_layer(name, n=3):
    """A small GeoDataFrame valid for catalog layer ``name`` (EPSG:4490, inside Haining).

    Values follow the schema's dtypes and choices; ids are unique; every
    field (required or not) is filled. For tests that need *a* valid layer,
    not real data.
    """
    schema = get_schema(name)
    i = np.arange(n)
    cols = {}
    for f in schema.fields:
        if f.choices:
            cols[f.name] = [f.choices[k % len(f.choices)] for k in i]
        elif f.dtype == "str":
            cols[f.name] = [f"{f.name}_{k}" for k in i]
        elif f.dtype == "int":
            cols[f.name] = [1 if f.name == "flow_direction" else int(k) for k in i]
        elif f.dtype == "float":
            cols[f.name] = (1.5 * (i + 1)).tolist()
        elif f.dtype == "bool":
            cols[f.name] = [bool(k % 2) for k in i]
        elif f.dtype == "date":
            cols[f.name] = [f"2024-01-{k + 1:02d}" for k in i]
    x = HAINING_LON + 0.01 * i
    y = np.full(n, HAINING_LAT)
    kind = schema.geometry[0]
    if kind == "Point":
        geom = shapely.points(x, y)
    elif "LineString" in kind:
        geom = [shapely.LineString([(a, b), (a + 0.005, b + 0.005)]) for a, b in zip(x, y)]
    else:
        geom = shapely.box(x, y, x + 0.005, y + 0.005)
    return gpd.GeoDataFrame(cols, geometry=list(np.asarray(geom)), crs=STORAGE_CRS)


@pytest.fixture
def tmp_layers_dir(tmp_path, monkeypatch):
    """An empty folder used as the embedded-layers folder (``HN_GEO_LAYERS``) for one test.

    Put files in it with e.g. ``hn_geo.io.write_gpkg(tiny_layer('towns'), d / 'towns.gpkg')``.
    """
    d = tmp_path / "layers"
    d.mkdir()
    monkeypatch.setenv("HN_GEO_LAYERS", str(d))
    return d


@pytest.fixture(autouse=True)
def english_messages():
    """Warnings and errors print in English inside tests (``str(warning)`` follows
    ``hn_geo.core.settings.lang``); a CLI command's ``--lang`` sets it for that command."""
    from hn_geo.core import settings

    settings.lang = "en"
    yield
    settings.lang = "en"


def pytest_collection_modifyitems(config, items):
    """Mark tests by what they need: a headless browser (the ``browser`` fixture) or the
    notebooks, so that ``-m "not slow and not browser and not notebooks"`` is the fast subset."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "browser" in names:
            item.add_marker(pytest.mark.browser)
        if item.module.__name__.endswith("test_notebooks"):
            item.add_marker(pytest.mark.notebooks)
