"""Helpers of the water tests: small sections layers and results tables (EPSG:4549 metres)."""
from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from hn_geo.core.errors import HnGeoWarning

X0, Y0 = 500000.0, 3370000.0


def _make_sections(rows):
    """rows: (id, name, river, type code, water body code, target, x_m, y_m)."""
    df = pd.DataFrame(rows, columns=["section_id", "name", "river", "section_type", "water_body",
                                     "target_class", "x", "y"])
    geom = [Point(X0 + x, Y0 + y) for x, y in zip(df.pop("x"), df.pop("y"))]
    return gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4549").to_crs("EPSG:4490")


def _results(rows, columns):
    return pd.DataFrame(rows, columns=columns, dtype=object).astype(str)


@pytest.fixture
def make_sections():
    return _make_sections


@pytest.fixture
def results():
    return _results


@pytest.fixture
def sec3():
    """Three sections: provincial III, hand-over IV (written Ⅳ类), a municipal lake (3)."""
    return _make_sections([
        ("S1", "甲", "长山河", "provincial", "river", "III", 0, 0),
        ("S2", "乙", "长山河", "handover", "river", "Ⅳ类", 0, 0),
        ("S3", "丙", "某水库", "municipal", "lake", "3", 0, 0),
    ])


@pytest.fixture
def quiet():
    """Call a function with HnGeoWarnings silenced."""
    def call(func, *args, **kw):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HnGeoWarning)
            return func(*args, **kw)
    return call


def hn_warnings(record, code):
    """The HnGeoWarnings of ``code`` among recorded warnings."""
    return [w.message for w in record if isinstance(w.message, HnGeoWarning) and w.message.code == code]


@pytest.fixture
def coded_warnings():
    return hn_warnings
