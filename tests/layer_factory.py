"""Small valid layers for tests: :func:`tiny_layer`, and :func:`script` for the repository's
scripts (a module with a unique name, so that ``from layer_factory import tiny_layer`` works
from every test folder, whichever ``conftest.py`` pytest imported first)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from hn_geo.core.settings import STORAGE_CRS
from hn_geo.ground.catalog import get_schema

HAINING_LON, HAINING_LAT = 120.68, 30.51
SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def shared_data(rel):
    """A file of the shared data folder (``../shared/data`` of the repository or of a worktree
    of it), or None when absent (the tests that need it skip)."""
    for parent in Path(__file__).resolve().parents:
        p = parent / "shared" / "data" / rel
        if p.exists():
            return p
    return None


def script(name):
    """The module ``scripts/<name>.py`` (the scripts folder is not a package)."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


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
