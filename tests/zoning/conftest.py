"""Fixtures of the zoning tests: a small synthetic world in EPSG:4549 (metres), so that
distances, loads and intensities can be set exactly, and its access list."""
from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from zoning_world import X0, Y0, square

from hn_geo.core.settings import METRIC_CRS
from hn_geo.ground.rules import read_rules_file
from hn_geo.zoning.rules import parse


@pytest.fixture
def world():
    """Three 1 km x 1 km units side by side, a red-line and a water-source zone, two
    existing emission points (unit types as codes, as the catalog validates them)."""
    units = gpd.GeoDataFrame({
        "unit_code": ["ZH33048110001", "ZH33048120001", "ZH33048130001"],
        "name": ["P", "K", "G"],
        "unit_type": ["priority", "key", "general"],
        "sub_type": ["生态保护红线", "产业集聚", "农业农村"],
        "town": ["甲镇", "甲镇", "乙镇"],
    }, geometry=[square(0, 0, 1000, 1000), square(1000, 0, 2000, 1000), square(2000, 0, 3000, 1000)],
        crs=METRIC_CRS)
    red = gpd.GeoDataFrame({"zone_id": ["R1"], "name": ["红线"]},
                           geometry=[square(0, 0, 500, 1000)], crs=METRIC_CRS)  # edge at x=500
    ws = gpd.GeoDataFrame({"zone_id": ["W1"], "name": ["水源"]},
                          geometry=[square(2800, 800, 3000, 1000)], crs=METRIC_CRS)
    points = gpd.GeoDataFrame({
        "point_id": ["E1", "E2"], "name": ["a", "b"], "industry_code": ["2614", "3399"],
        "town": ["甲镇", "甲镇"], "nox_t": [1.0, 2.0], "vocs_t": [60.0, 30.0], "cod_t": [0.0, 0.0],
        "nh3n_t": [0.0, 0.0]},
        geometry=[shapely.Point(X0 + 1100, Y0 + 100), shapely.Point(X0 + 1900, Y0 + 900)],
        crs=METRIC_CRS)
    return units, red, ws, points


RULES_YAML = """
version: 1
industry_categories:
  化工: {codes: ["26"]}
  印染: {codes: ["1713", "1752"]}
  制造业: {codes: ["13", "17", "26", "29", "33", "39"]}
solvent_types:
  high_vocs: [溶剂型涂料, 溶剂型油墨]
  low_vocs: [无, 水性涂料]
rules:
  all_units:
    - {id: D-RED, kind: min_distance, params: {layer: red_line, distance_m: 200},
       industries: {categories: [制造业]}, severity: error, clause: 红线距离, source: test}
    - {id: D-WS, kind: min_distance, params: {layer: water_source, distance_m: 300},
       severity: error, clause: 水源距离, source: test}
    - {id: TH, kind: two_high, severity: error, clause: 两高, source: test}
    - {id: EI, kind: energy_intensity, params: {max_tce_per_wan: 1.0, min_energy_tce: 100},
       severity: error, clause: 能耗强度, source: test}
    - {id: GC, kind: green_channel, params: {below_tce_per_wan: 0.52, min_energy_tce: 100},
       severity: info, clause: 绿色通道, source: test}
  by_unit_type:
    重点管控:
      - {id: VOC, kind: high_vocs_solvent, sub_types: [产业集聚], severity: warning,
         clause: 高VOCs, source: test}
    一般管控:
      - {id: PROH, kind: prohibited_industry, params: {categories: [化工, 印染]},
         severity: error, clause: 禁止化工印染, source: test}
  by_unit_code:
    ZH33048120001:
      - {id: CAP, kind: emission_cap, params: {pollutant: vocs_t, cap_t: 100},
         severity: error, clause: VOCs总量, source: test}
"""


@pytest.fixture
def rules_path(tmp_path):
    p = tmp_path / "rules.yaml"
    p.write_text(RULES_YAML, encoding="utf-8")
    return p


@pytest.fixture
def rules(rules_path):
    """The test access list, read and parsed as the workflow does."""
    return parse(read_rules_file(rules_path), source=rules_path)
