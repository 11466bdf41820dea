"""Tests of the embedded 三线一单 layers and demo projects."""
from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import shapely

from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.ground.catalog import load_layer
from hn_geo.ground.projects import demo_projects
from hn_geo.workflows.zoning import load_rules
from hn_geo.zoning import check
from hn_geo.zoning.rules import RULE_KINDS, UNIT_TYPE_DIGIT


def test_default_units_tile_haining_without_gaps_or_overlaps():
    units = load_layer("control_units")
    boundary = load_layer("boundary")
    assert units.is_valid.all()
    union = shapely.union_all(units.geometry.values)
    a_union = gpd.GeoSeries([union], crs=STORAGE_CRS).to_crs(METRIC_CRS).area.iloc[0]
    a_sum = units.to_crs(METRIC_CRS).area.sum()
    a_boundary = boundary.to_crs(METRIC_CRS).area.sum()
    assert abs(a_union - a_boundary) / a_boundary < 1e-4        # no gaps (nor spill-over)
    assert abs(a_sum - a_union) / a_union < 1e-4                # no overlaps
    # and, independently, pairwise overlaps are negligible (< 1 m² in total)
    left, right = shapely.STRtree(units.geometry.values).query(units.geometry.values, predicate="intersects")
    pairs = left < right
    inter = shapely.intersection(units.geometry.values[left[pairs]], units.geometry.values[right[pairs]])
    over = gpd.GeoSeries(inter, crs=STORAGE_CRS).to_crs(METRIC_CRS).area.sum()
    assert over < 1.0


def test_default_units_codes_and_labels():
    units = load_layer("control_units")
    assert units["unit_code"].str.fullmatch(r"ZH330481[123]\d{4}").all()
    assert set(units["unit_type"]) == {"priority", "key", "general"}  # 优先保护 ... read as codes
    assert (units["unit_code"].str[8] == units["unit_type"].map(UNIT_TYPE_DIGIT)).all()
    assert set(units["sub_type"]) >= {"产业集聚", "城镇生活", "生态保护红线", "饮用水水源保护区"}
    for name in ("control_units", "red_line", "water_source"):
        gdf = load_layer(name)
        assert gdf["approximate"].all() and (gdf["source"] == name).all()  # provenance code
        from hn_geo import vocabulary

        assert vocabulary.word("ground.provenance", name, "en").startswith("SYNTHETIC")
        assert "合成" in vocabulary.word("ground.provenance", name, "zh")
    assert load_layer("red_line")["name"].str.contains("合成示意").all()


def test_demo_exercises_every_rule_kind_passing_and_failing():
    rules = load_rules()
    units = load_layer("control_units")
    demo = demo_projects()
    assert set(demo["status"]) <= {"new", "expansion", "existing"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        res = check(demo, units, rules=rules, points=load_layer("emission_points"),
                    red_line=load_layer("red_line"), water_source=load_layer("water_source"))
    assert res.meta == {"synthetic": True}
    findings = pd.concat([res.tables["violations"], res.tables["notices"]])
    kind_of = {r.id: r.kind for r in rules.rules}
    hit = {(str(p), kind_of[str(r)]) for p, r in zip(findings["project_id"], findings["rule_id"])}
    utype = dict(zip(units["unit_code"], units["unit_type"]))
    usub = dict(zip(units["unit_code"], units["sub_type"]))
    projects_t = res.tables["projects"]
    assert set(RULE_KINDS) - {r.kind for r in rules.rules} == {"park_only"}  # see test_zoning_rules
    for kind in sorted({r.kind for r in rules.rules}):
        assert any(k == kind for _, k in hit), f"no demo project meets a {kind} rule"
        # a project to which a rule of this kind applies and that does not meet it
        passing = []
        for pid, codes, build in zip(projects_t["project_id"], projects_t["unit_codes"], demo["status"]):
            for r in rules.rules:
                if r.kind != kind or build not in r.statuses:
                    continue
                in_scope = any(r.scope == "all" or (r.scope == "code" and c == r.scope_value)
                               or (r.scope == "type" and utype.get(c) == r.scope_value
                                   and (not r.sub_types or usub.get(c) in r.sub_types))
                               for c in codes or ())
                if in_scope and (pid, kind) not in hit:
                    passing.append(pid)
        assert passing, f"no demo project passes a {kind} rule that applies to it"
