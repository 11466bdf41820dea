"""One colour table: every output colours a status code from vocabulary.status_style(code)."""
from __future__ import annotations

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely

from hn_geo import vocabulary
from hn_geo.core.results import AnalysisResult, Figure
from hn_geo.core.settings import STORAGE_CRS
from hn_geo.core.status import STATUS_CODES
from hn_geo.render import maps, palette, tables, workbook
from hn_geo.render.maps import registry, styles
from hn_geo.render.maps.layers import LayerSpec


def _map_colour(code, kind="point"):
    geom = shapely.Point(120.6, 30.5) if kind == "point" else shapely.box(120.6, 30.5, 120.61, 30.51)
    gdf = gpd.GeoDataFrame({"name": ["x"], "status": [code]}, geometry=[geom], crs=STORAGE_CRS)
    style = registry.style_for(LayerSpec("projects", gdf, scope="zoning", codes={"status": "status"}), gdf)
    return style.styles[0]["fillColor"], style.legend


def _sheet_fill(code, tmp_path):
    res = AnalysisResult("zoning", tables={"t_projects": pd.DataFrame({"status": [code]})},
                         codes={"status": "status"},
                         figures=[Figure("zoning.t_fail", 1, "projects", status=code)])
    path = tmp_path / f"{code}.xlsx"
    workbook.write_report([res], path)
    wb = openpyxl.load_workbook(path)
    cell = wb["项目审查"]["A2"]
    summary = wb["汇总"].cell(row=5, column=6)
    tables.write_xlsx(tables.result_sheets(res), tmp_path / f"{code}_own.xlsx")
    own = openpyxl.load_workbook(tmp_path / f"{code}_own.xlsx")["项目审查"]["A2"]
    return [c.fill.fgColor.rgb[-6:] for c in (cell, summary, own)], cell.font.color.rgb[-6:]


@pytest.mark.parametrize("code", STATUS_CODES)
def test_map_and_workbook_colour_a_status_code_from_the_same_table(code, tmp_path):
    table = vocabulary.status_style(code)
    for kind in ("point", "polygon"):
        colour, legend = _map_colour(code, kind)
        assert colour == table["colour"]
        assert table["colour"] in legend and vocabulary.word("status", code, "zh") in legend
    fills, font = _sheet_fill(code, tmp_path)
    assert fills == [table["fill"]] * 3  # report sheet, summary sheet, per-analysis workbook
    assert font == table["font"]


def test_review_and_warn_look_different(tmp_path):
    assert _map_colour("review")[0] != _map_colour("warn")[0]
    assert _sheet_fill("review", tmp_path)[0] != _sheet_fill("warn", tmp_path)[0]
    assert _map_colour("behind")[0] != _map_colour("not_met")[0]


def test_words_are_not_guessed_into_colours():
    """A status *word* in a status column is no code: it is not coloured (no substring guessing)."""
    colour, _ = _map_colour("未达标")
    assert colour == palette.NO_DATA
    assert not palette.is_status("not met") and not palette.is_status("达标")
    for mod, name in ((tables, "_GOOD"), (tables, "_BAD"), (tables, "_MID"), (workbook, "status_kind"),
                      (styles, "status_level"), (styles, "_STATUS_WORDS"), (maps, "status_level")):
        assert not hasattr(mod, name), f"{mod.__name__}.{name}"
