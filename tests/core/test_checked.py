"""Geometry arrays checked valid once (hn_geo.core.checked) and the writers that trust them (issue 17)."""
from __future__ import annotations

import gc
import warnings

import numpy as np
import pytest
import shapely
from layer_factory import tiny_layer

from hn_geo.core import checked, threads
from hn_geo.ground.catalog import load_layer
from hn_geo.render import writers

BOW = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])  # a bow-tie: invalid


@pytest.fixture
def small(monkeypatch):
    monkeypatch.setattr(checked, "MIN_SIZE", 2)
    monkeypatch.setattr(checked, "_VALID", {})


def test_the_same_objects_are_known_another_object_is_not(small):
    geoms = shapely.box(np.arange(5.0), 0, np.arange(5.0) + 1, 1)
    assert not checked.known_valid(geoms)
    checked.mark_valid(geoms)
    assert checked.known_valid(geoms) and checked.known_valid(geoms.copy())  # a copy holds the same objects
    other = geoms.copy()
    other[2] = BOW
    assert not checked.known_valid(other)
    assert not checked.known_valid(geoms[::-1]) and not checked.known_valid(geoms[:4])
    equal = shapely.box(np.arange(5.0), 0, np.arange(5.0) + 1, 1)  # equal, but other objects
    assert not checked.known_valid(equal)


def test_nothing_is_known_once_the_checked_array_is_freed(small):
    geoms = shapely.box(np.arange(3.0), 0, np.arange(3.0) + 1, 1)
    checked.mark_valid(geoms)
    keep = list(geoms)  # the objects live on, the array that was checked does not
    del geoms
    gc.collect()
    assert checked._VALID == {} and not checked.known_valid(np.array(keep, dtype=object))


def test_small_arrays_are_not_recorded(monkeypatch):
    monkeypatch.setattr(checked, "_VALID", {})
    geoms = shapely.box(np.arange(3.0), 0, np.arange(3.0) + 1, 1)
    checked.mark_valid(geoms)
    assert checked._VALID == {} and not checked.known_valid(geoms)


def _count_is_valid(monkeypatch):
    calls = []
    real = threads.elementwise

    def spy(func, values, *args, **kwargs):
        if func is shapely.is_valid:
            calls.append(len(values))
        return real(func, values, *args, **kwargs)

    monkeypatch.setattr(threads, "elementwise", spy)
    return calls


def test_a_loaded_layer_is_not_checked_again_when_written(small, monkeypatch, tmp_path):
    path = tmp_path / "b.gpkg"
    tiny_layer("buildings", n=6).to_file(path)
    gdf = load_layer("buildings", path)
    calls = _count_is_valid(monkeypatch)
    writers.write_gpkg(gdf, tmp_path / "out.gpkg")
    assert calls == []  # not checked again
    writers.write_geojson(gdf, tmp_path / "out.geojson")
    assert calls == [6]  # only the rounded copy (new geometries) is checked
    calls.clear()
    changed = gdf.copy()
    changed.loc[changed.index[1], "geometry"] = shapely.Polygon(  # a bow-tie inside Haining
        [(120.6, 30.5), (120.61, 30.51), (120.61, 30.5), (120.6, 30.51)])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out = writers.valid_geometries(changed, "b")
    assert calls == [6] and shapely.is_valid(np.asarray(out.geometry.values)).all()
    assert any("geometry_repaired" in str(w.message) or "repaired" in str(w.message) for w in seen)
