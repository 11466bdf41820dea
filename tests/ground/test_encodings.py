"""Shapefile encodings checked against the text they produce: a lying .cpg gives no mojibake."""
from __future__ import annotations

import warnings

import geopandas as gpd
import pyogrio
import pytest
import shapely

from hn_geo.core.errors import HnGeoWarning
from hn_geo.ground import encodings, readers
from hn_geo.ground.catalog import load_layer

NAMES = ["海宁市生态保护红线钱塘江段", "硖石街道", "盐官镇观潮景区"]


def shapefile(tmp_path, data_encoding, cpg, names=NAMES):
    gdf = gpd.GeoDataFrame({"zone_id": [f"Z{i}" for i in range(len(names))], "name": names},
                           geometry=[shapely.box(120.6 + i / 100, 30.4, 120.605 + i / 100, 30.405)
                                     for i in range(len(names))], crs="EPSG:4490")
    p = tmp_path / "zones.shp"
    pyogrio.write_dataframe(gdf, p, encoding=data_encoding)
    if cpg is None:
        p.with_suffix(".cpg").unlink()
    else:
        p.with_suffix(".cpg").write_text(cpg)
    return p


@pytest.mark.parametrize("data, cpg, used", [("UTF-8", "GBK", "UTF-8"), ("GBK", "ISO-8859-1", "GB18030"),
                                             ("GBK", "UTF-8", "GB18030"), ("UTF-8", "1252", "UTF-8"),
                                             ("GBK", "88591", "GB18030")])
def test_lying_cpg_is_repaired_with_counted_warning(tmp_path, data, cpg, used):
    p = shapefile(tmp_path, data, cpg)
    with pytest.warns(HnGeoWarning) as record:
        gdf = load_layer("red_line", p)
    assert list(gdf["name"]) == NAMES  # before: 娴峰畞甯... / º£ÄþÊÐ... with exit 0
    (w,) = [w.message for w in record if w.message.code == "ground.encoding_repaired"]
    assert w.params["used"] == used and w.params["n"] == 3 and w.params["cpg"] == "zones.cpg"
    assert f"decoded as {used}" in w.render("en")


@pytest.mark.parametrize("data, cpg", [("UTF-8", "UTF-8"), ("GBK", "GBK"), ("GBK", "936"), ("GB18030", "GB18030")])
def test_truthful_cpg_reads_without_warning(tmp_path, data, cpg):
    p = shapefile(tmp_path, data, cpg)
    with warnings.catch_warnings():
        warnings.simplefilter("error", HnGeoWarning)
        assert list(readers.read_file(p)["name"]) == NAMES


def test_latin1_text_with_a_latin1_cpg_is_kept(tmp_path):
    names = ["Évry-Courcouronnes", "Saint-Étienne", "Sèvres"]
    p = shapefile(tmp_path, "ISO-8859-1", "ISO-8859-1", names)
    with warnings.catch_warnings():
        warnings.simplefilter("error", HnGeoWarning)
        assert list(readers.read_file(p)["name"]) == names


def test_explicit_encoding_is_never_second_guessed(tmp_path):
    p = shapefile(tmp_path, "GBK", "ISO-8859-1")
    with warnings.catch_warnings():
        warnings.simplefilter("error", HnGeoWarning)
        gdf = readers.read_file(p, encoding="ISO-8859-1")
    assert gdf["name"].iloc[0] != NAMES[0]


def test_guess_encoding_scores_the_text():
    gbk, utf8 = NAMES[0].encode("gbk"), NAMES[0].encode("utf-8")
    assert encodings.guess_encoding(utf8, "gbk") == "UTF-8"
    assert encodings.guess_encoding(gbk, "latin-1") == "GB18030"
    assert encodings.guess_encoding(gbk, "gbk") is None and encodings.guess_encoding(b"plain", "gbk") is None
    assert encodings.guess_encoding("Évry Sèvres".encode("latin-1"), "latin-1") is None
