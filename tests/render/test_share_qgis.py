"""The share package in real QGIS: the project opens, every layer valid and styled as on the maps.

A run's share package (the four analyses on the embedded data) is unzipped and opened by
``qgis_check.py`` under Debian's ``/usr/bin/python3`` with ``python3-qgis`` (QGIS 3.22 on
Debian 12), headless (``QT_QPA_PLATFORM=offscreen``). Skips with the reason where QGIS or
its Python bindings are not installed (``apt-get install qgis python3-qgis``).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from hn_geo import vocabulary
from hn_geo.ground.inputs import Inputs
from hn_geo.render import palette
from hn_geo.workflows import share as share_flow
from hn_geo.workflows import solar, targets, water, zoning

pytestmark = [pytest.mark.slow, pytest.mark.qgis]
SYSTEM_PYTHON = "/usr/bin/python3"
CHECK = Path(__file__).with_name("qgis_check.py")


def _qgis_missing():
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} not found"
    res = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    return None if res.returncode == 0 else f"QGIS Python bindings missing (apt-get install qgis python3-qgis): " \
                                              f"{res.stderr.strip()[-200:]}"


@pytest.fixture(scope="module")
def qgis_report(tmp_path_factory):
    reason = _qgis_missing()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("qgis")
    inputs = Inputs()
    results = [mod.run(inputs, tmp / name, lang="zh").result
               for name, mod in (("water", water), ("zoning", zoning), ("solar", solar), ("targets", targets))]
    out = tmp / "share" / "hn_geo_share.zip"
    meta = share_flow.run(inputs, out, lang="zh", results=results).result
    pkg = tmp / "unzipped"
    zipfile.ZipFile(out).extractall(pkg)
    png = tmp / "png"
    png.mkdir()
    res = subprocess.run([SYSTEM_PYTHON, str(CHECK), str(pkg), str(png)], capture_output=True, text=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout.strip().splitlines()[-1]), meta, results


def _by_table(report):
    out = {}
    for lid, info in report["layers"].items():
        parts = dict(p.split("=", 1) for p in info["source"].split("|")[1:])
        out.setdefault(parts["layername"], []).append((lid, info, parts.get("geometrytype")))
    return out


def test_project_opens_in_cgcs2000_grouped_by_analysis(qgis_report):
    report, meta, results = qgis_report
    assert report["read"] is True and report["crs"] == "EPSG:4490"
    titles = [vocabulary.title("title", r.name, "zh") for r in results]
    assert report["groups"] == [*titles, vocabulary.ui("qgis_group_base", "zh", scope="render")]
    themes = report["themes"]
    assert set(themes) == {*titles, vocabulary.ui("qgis_theme_overview", "zh", scope="render")}
    by_table = _by_table(report)
    assert set(by_table) == {m["name"] for m in meta["layers"]}
    for info in report["layers"].values():  # named in the run's language, never by a table name
        assert vocabulary.has_cjk(info["name"]) and info["source"].split("layername=")[1].split("|")[0] \
            not in info["name"], info["name"]
    water_theme = {report["layers"][i]["source"].split("layername=")[1].split("|")[0] for i in themes[titles[0]]}
    assert water_theme == {"water_sections", "boundary", "towns", "rivers"}  # as the water map


def test_every_layer_valid_styled_and_drawn(qgis_report):
    report, meta, _ = qgis_report
    counts = {m["name"]: m["feature_count"] for m in meta["layers"]}
    by_table = _by_table(report)
    coded = {"rivers", "sections", "emission_points", "control_units", "buildings", "water_sections",
             "zoning_control_units", "zoning_projects", "zoning_violations", "solar_buildings", "targets_towns"}
    for table, parts in by_table.items():
        assert sum(info["features"] for _, info, _ in parts) == counts[table], table
        for lid, info, gt in parts:
            assert info["valid"] and info["crs"] == "EPSG:4490", table
            assert info["undrawn"] == 0, f"{table}: {info['undrawn']} feature(s) no class of the style draws"
            if table in coded:
                assert info["renderer"] != "singleSymbol", table
                assert len(info["legend"]) >= 2 or gt == "Polygon", table
            else:  # one look: the map's colour, not QGIS' random default
                assert info["renderer"] == "singleSymbol"
            named = [f for f in info["aliases"] if f != "fid"]
            assert all(info["aliases"][f] for f in named), (table, [f for f in named if not info["aliases"][f]])
            assert any(vocabulary.has_cjk(info["aliases"][f]) for f in named)  # the run's language
            alone = report["standalone"][lid]
            assert alone["valid"]
            if gt in (None, "Point"):  # the default of layer_styles (a mixed table's default is its points')
                assert alone["renderer"] == info["renderer"], table
            assert report["sld"][lid]["ok"], (table, report["sld"][lid]["message"])
    towns = by_table["towns"][0][1]
    assert towns["labels"] and towns["single_colour"] == "#fbf3dc"
    assert by_table["rivers"][0][1]["labels"]


def test_qgis_draws_the_maps_colours(qgis_report):
    report, _, results = qgis_report
    by_table = _by_table(report)
    res = {r.name: r for r in results}
    sections = res["water"].layers["sections"].reset_index(drop=True)
    (_, info, _), = by_table["water_sections"]
    for fid, c in info["colours"].items():
        row = sections.iloc[int(fid) - 1]  # GeoPackage fids count from 1, in row order
        assert c["fill"] == palette.FAMILY_COLOURS["water_class"][row["water_class"]]
        assert c["stroke"] == palette.status_colour(row["status"])
    units = res["zoning"].layers["control_units"].reset_index(drop=True)
    (_, info, _), = by_table["zoning_control_units"]
    for fid, c in info["colours"].items():
        assert c["fill"] == palette.FAMILY_COLOURS["unit_type"][units.iloc[int(fid) - 1]["unit_type"]]
    projects = res["zoning"].layers["projects"].reset_index(drop=True)
    points = [i for i, g in enumerate(projects.geom_type) if g == "Point"]
    lid, info, _ = next(p for p in by_table["zoning_projects"] if p[2] == "Point")
    for fid, c in info["colours"].items():
        assert c["fill"] == palette.status_colour(projects.iloc[int(fid) - 1]["status"])
    assert len(info["colours"]) == len(points)


def _non_blank(path):
    img = np.asarray(Image.open(path).convert("RGB"))
    share = (img.sum(axis=2) < 3 * 250).mean()
    colours = len(np.unique(img.reshape(-1, 3), axis=0))
    return share, colours


def test_rendered_maps_are_not_blank(qgis_report):
    report, _, _ = qgis_report
    assert set(report["png"]) >= {"opened", "all", *report["themes"]}
    for name, path in report["png"].items():
        share, colours = _non_blank(path)
        assert share > 0.15 and colours > 50, (name, share, colours)
    opened = set(report["visible"])
    overview = set(report["themes"][vocabulary.ui("qgis_theme_overview", "zh", scope="render")])
    assert opened == overview  # the project opens on the overview theme


def test_site_finder_geopackage_opens_styled(tmp_path):
    """The run's ``sites`` step GeoPackage: each profile's layer opens in QGIS with the site map's
    verdict colours (from ``layer_styles``), Chinese aliases, and draws."""
    from hn_geo.workflows import sites as sites_flow

    reason = _qgis_missing()
    if reason:
        pytest.skip(reason)
    profiles = [{"project_id": "dyeing", "name": "印染厂", "industry_code": "1752", "cod_t": 30, "vocs_t": 5},
                {"project_id": "office", "name": "研发楼", "industry_code": "7320", "energy_tce": 50,
                 "value_added_wan": 8000, "nox_t": 0, "cod_t": 0, "vocs_t": 0, "nh3n_t": 0}]
    outcome = sites_flow.run_many(Inputs(), tmp_path / "sites", lang="zh", profiles=profiles, map=False)
    gpkg = tmp_path / "sites" / "sites_layers.gpkg"
    assert gpkg in [Path(f) for f in outcome.files]
    if shutil.which("ogrinfo"):  # GDAL 3.6 (Debian 12) reads it without the "partially supported" warning
        info = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(gpkg)], capture_output=True, text=True)
        assert info.returncode == 0 and "Warning" not in info.stdout + info.stderr, info.stderr
    res = subprocess.run([SYSTEM_PYTHON, str(CHECK), "--gpkg", str(gpkg), str(tmp_path)], capture_output=True,
                         text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    report = json.loads(res.stdout.strip().splitlines()[-1])
    assert set(report["layers"]) == {"sites_dyeing", "sites_office"}
    status_words = {vocabulary.word("status", c, "zh") for c in ("pass", "fail", "review", "warn")}
    for (name, info), result in zip(report["layers"].items(), outcome.result):
        assert info["valid"] and info["crs"] == "EPSG:4490" and info["features"] == len(result.layers["sites"])
        assert info["renderer"] == "categorizedSymbol" and info["undrawn"] == 0, name
        assert set(info["legend"]) & status_words, info["legend"]
        assert vocabulary.has_cjk(info["aliases"]["status"])
        fills = {c["fill"] for c in info["colours"].values()}
        shown = set(result.layers["sites"]["status"])
        assert {palette.status_colour(s) for s in shown} <= fills | {None}, (fills, shown)
    share, colours = _non_blank(report["png"])
    assert share > 0.15 and colours > 20, (share, colours)
