"""The output workflows: report, maps and share package of a run, from Inputs and results."""
from __future__ import annotations

import inspect
import json
import zipfile

import pytest

from hn_geo.ground import catalog
from hn_geo.ground.inputs import Inputs, LayerSource
from hn_geo.render.writers import write_geojson
from hn_geo.workflows import dashboard as wf_dashboard
from hn_geo.workflows import maps as wf_maps
from hn_geo.workflows import report as wf_report
from hn_geo.workflows import share as wf_share

needs_layers = pytest.mark.skipif(not catalog.default_path("towns").exists(), reason="no embedded layers")


def test_signatures_are_the_pipeline_contract():
    def kw(func):
        return {n: p.default for n, p in inspect.signature(func).parameters.items()
                if p.kind is p.KEYWORD_ONLY}

    assert kw(wf_report.run) == {"lang": "zh", "skipped": None}
    assert kw(wf_maps.run) == {"lang": "zh", "results": None, "overview": True, "per_analysis": True,
                               "basemap": None, "offline": True, "tianditu_key": None}
    assert kw(wf_share.run) == {"lang": "zh", "results": None, "layers": None, "include_results": True,
                                "geojson_max_mb": None}
    assert kw(wf_dashboard.run) == {"lang": "zh", "files": None, "skipped": None}


@needs_layers
def test_maps_of_a_run_take_their_layers_from_the_inputs(tmp_path, water_result, zoning_result):
    towns = catalog.load_layer("towns")
    towns.loc[towns.index[0], "name"] = "改名测试镇"
    write_geojson(towns, tmp_path / "my_towns.geojson")
    inputs = Inputs(layers={"towns": LayerSource(tmp_path / "my_towns.geojson")})
    outcome = wf_maps.run(inputs, tmp_path / "maps", results=[water_result, zoning_result], lang="zh")
    assert [p.name for p in outcome.files] == ["overview.html", "water.html", "zoning.html"]
    overview, water, zoning = (p.read_text(encoding="utf-8") for p in outcome.files)
    for page in (overview, water, zoning):
        assert "改名测试镇" in page  # the user's towns replace the embedded ones on every map
    assert "海宁市节能减排规划底图" in overview and "环境管控单元" in overview
    assert "水环境质量评价" in water and '"河流"' in water and "生态保护红线" not in water
    assert "生态保护红线" in zoning and "饮用水水源保护区" in zoning


@needs_layers
def test_share_package_of_a_run(tmp_path, water_result):
    out = tmp_path / "share" / "pkg.zip"
    outcome = wf_share.run(Inputs(), out, lang="en", results=[water_result], layers=["towns", "sections"])
    assert outcome.files == [out]
    with zipfile.ZipFile(out) as zf:
        meta = json.loads(zf.read("metadata.json"))
    names = [m["name"] for m in meta["layers"]]
    assert names == ["towns", "sections", "water_sections"]
    by = {m["name"]: m for m in meta["layers"]}
    assert by["towns"]["title"] == "Towns and subdistricts"
    assert by["towns"]["source"].startswith("hn_geo embedded layer towns.gpkg")
    assert by["water_sections"]["source"] == "hn_geo analysis result: Surface water quality"
    outcome = wf_share.run(Inputs(), out, results=[water_result], layers=["towns"], include_results=False)
    assert [m["name"] for m in outcome.result["layers"]] == ["towns"]


def test_report_workflow_lists_skipped_steps(tmp_path, water_result):
    outcome = wf_report.run([water_result], tmp_path, skipped={"targets": ("failed", "boom")})
    assert outcome.files[0].name == "hn_geo_report.xlsx"
