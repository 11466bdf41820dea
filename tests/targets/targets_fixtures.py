"""Fixtures of the targets tests, loaded by each test module as a plugin
(``pytest_plugins = ["targets_fixtures"]``): a conftest.py here would shadow the top-level
``conftest`` module that other tests import from."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import targets_data

from hn_geo.core import settings
from hn_geo.ground import plan

ENERGY_HEADER = targets_data.ENERGY_HEADER


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """Warnings and errors print in English here (restored after each test, also after a CLI
    command that set the language)."""
    monkeypatch.setattr(settings, "lang", "en")


@pytest.fixture(scope="session")
def targets():
    return plan.load_targets()


@pytest.fixture(scope="session")
def town_targets():
    return plan.town_targets()


@pytest.fixture
def energy_csv(tmp_path):
    def make(name, rows, header=None):
        path = tmp_path / name
        pd.DataFrame(rows, columns=header or ENERGY_HEADER).to_csv(path, index=False)
        return path
    return make


@pytest.fixture
def projects():
    return pd.DataFrame({
        "project_id": ["P1", "P1", "P2", "P3", "P4", "P5", "P4"],
        "point_id": ["E1", "E1", "E1", "E1", "E2", "E3", "E2"],
        "town": ["许村镇", "长安镇", "许村镇", "许村镇", "长安镇", "黄湾镇", "长安镇"],
        "pollutant": ["NOx", "氮氧化物", "nox", "VOCs", "NOx", "氨氮", "VOCs"],
        "reduction_t": ["10", "10", "5", "7", "3", "2", "1"],
        "year": ["2021", "2021", "2022", "2022", "2023", "2023", "2023"],
        "measure": ["SCR脱硝", "SCR脱硝", " scr脱硝 ", "SCR脱硝", "SCR脱硝", "污水提标", "SCR脱硝"],
    })


@pytest.fixture
def mini_towns():
    return gpd.GeoDataFrame({"code": ["330481101", "330481103"], "name": ["许村镇", "长安镇"]},
                            geometry=[shapely.box(120.4, 30.4, 120.45, 30.45),
                                      shapely.box(120.5, 30.4, 120.55, 30.45)], crs="EPSG:4490")
