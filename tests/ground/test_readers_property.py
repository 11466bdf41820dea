"""Property: random cell text written into every reader's table format comes back as the same text.

Formats: CSV in UTF-8 and in GBK, XLSX (cells stored as text, including ones that start with
``=``), GeoJSON properties, GeoPackage attributes and Shapefile attributes in GBK and UTF-8
(with a truthful ``.cpg``: the encoding check must never second-guess it). Readers may only fail with an
:class:`HnGeoError` (never a raw traceback), and the text they return is the text written:
for tables, the documented normalisation only (surrounding white space stripped, an empty
cell is missing); for vector formats, exactly. (The output side -- no formula or markup in
the outputs -- is tested by the output-safety tests.)
"""
from __future__ import annotations

import csv
import json
import warnings

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hn_geo.core.errors import HnGeoError
from hn_geo.ground import readers

XLSX_ILLEGAL = set(map(chr, [*range(0, 9), 11, 12, *range(14, 32)]))
"""Control characters an XLSX file cannot hold (openpyxl refuses to write them)."""


def _chars(exclude=()):
    return st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(exclude))


def _gbk(s):
    try:
        s.encode("gbk")
        return True
    except UnicodeEncodeError:
        return False


SPECIAL = st.sampled_from(["=HYPERLINK(\"http://x\",\"y\")", "+1", "-1", "@SUM(A1)", "<script>x</script>",
                           "NA", "null", "nan", "None", "2024-01-05", "12:30:00", "007", "1,234.5", "TRUE",
                           "---", "0.025L", "硖石街道", "峡石", "\"quoted\"", "a,b", "line\nbreak", "tab\tx"])


def texts(exclude=(), gbk=False):
    plain = st.text(_chars(exclude), max_size=30)
    if gbk:
        plain = plain.filter(_gbk)
    return st.lists(st.one_of(plain, SPECIAL), min_size=1, max_size=6)


def expected_table(values):
    out = []
    for v in values:
        s = v.strip()
        out.append(None if s == "" else s)
    return out


def expected_dbf(values):
    """A DBF text field as GDAL reads it: spaces around trimmed, a blank field is missing."""
    out = []
    for v in values:
        s = v.strip(" ")
        out.append(None if s == "" else s)
    return out


def got(series):
    return [None if (not isinstance(v, str) and pd.isna(v)) else v for v in series]


def read_quietly(path, **kw):
    """The file read (warnings ignored); an HnGeoError fails the test with its message (a
    valid file must be read), a raw exception with its traceback."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return readers.read_file(path, **kw)
        except HnGeoError as exc:
            pytest.fail(f"valid file refused: {exc.render('en')}")


def write_csv(path, values, encoding):
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["名称", "经度", "纬度"])
        for i, v in enumerate(values):
            w.writerow([v, 120.6 + i / 1000, 30.5])


def write_xlsx(path, values):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["名称", "经度", "纬度"])
    for i, v in enumerate(values, start=2):
        cell = ws.cell(row=i, column=1, value=v)
        cell.data_type = "s"  # text, even when it starts with '=' (a lab's literal cell)
        ws.cell(row=i, column=2, value=120.6 + i / 1000)
        ws.cell(row=i, column=3, value=30.5)
    book.save(path)


def frame(values):
    return gpd.GeoDataFrame({"名称": values},
                            geometry=shapely.points([120.6 + i / 1000 for i in range(len(values))], 30.5),
                            crs="EPSG:4326")


pytestmark = pytest.mark.slow  # ~100 files written and read: over the fast subset's budget

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(values=texts(exclude=("\x00",)))
def test_csv_utf8(tmp_path_factory, values):
    p = tmp_path_factory.mktemp("csv") / "t.csv"
    write_csv(p, values, "utf-8-sig")
    assert got(read_quietly(p)["名称"]) == expected_table(values)


@SETTINGS
@given(values=texts(exclude=("\x00",), gbk=True))
def test_csv_gbk(tmp_path_factory, values):
    p = tmp_path_factory.mktemp("csv") / "t.csv"
    write_csv(p, values, "gbk")
    assert got(read_quietly(p)["名称"]) == expected_table(values)


@SETTINGS
@given(values=texts(exclude=XLSX_ILLEGAL | {"\r"}))
def test_xlsx(tmp_path_factory, values):
    p = tmp_path_factory.mktemp("xlsx") / "t.xlsx"
    write_xlsx(p, values)
    assert got(read_quietly(p)["名称"]) == expected_table(values)


@SETTINGS
@given(values=texts(exclude=("\x00",)))
def test_geojson_properties(tmp_path_factory, values):
    p = tmp_path_factory.mktemp("json") / "t.geojson"
    feats = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [120.6 + i / 1000, 30.5]},
              "properties": {"名称": v}} for i, v in enumerate(values)]
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False),
                 encoding="utf-8")
    assert got(read_quietly(p)["名称"]) == values


@SETTINGS
@given(values=texts(exclude=("\x00",)))
def test_geopackage_attributes(tmp_path_factory, values):
    p = tmp_path_factory.mktemp("gpkg") / "t.gpkg"
    frame(values).to_file(p)
    assert got(read_quietly(p)["名称"]) == values


@SETTINGS
@given(values=texts(exclude=("\x00",), gbk=True))
def test_shapefile_gbk(tmp_path_factory, values):
    p = tmp_path_factory.mktemp("shp") / "t.shp"
    frame(values).to_file(p, encoding="gbk")  # writes t.cpg saying GBK
    assert got(read_quietly(p)["名称"]) == expected_dbf(values)


@SETTINGS
@given(values=texts(exclude=("\x00",)))
def test_shapefile_utf8(tmp_path_factory, values):
    p = tmp_path_factory.mktemp("shp") / "t.shp"
    frame(values).to_file(p, encoding="utf-8")  # writes t.cpg saying UTF-8
    assert got(read_quietly(p)["名称"]) == expected_dbf(values)


@pytest.mark.parametrize("text", ["2024-01-05", "12:30:00", "2024-01-05T08:00:00"])
def test_geojson_date_like_text_stays_text(tmp_path, text):
    p = tmp_path / "t.geojson"
    frame([text]).to_file(p)
    assert readers.read_file(p)["名称"].iloc[0] == text  # before: a Timestamp / datetime.time
