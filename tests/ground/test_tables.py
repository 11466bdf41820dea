"""Workbooks read whole (every sheet with the first one's header) or by sheet, with a warning."""
from __future__ import annotations

import warnings

import pandas as pd
import pytest
from layer_factory import script

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground import readers
from hn_geo.ground.catalog import layers_dir, load_layer
from hn_geo.ground.tables import read_table, row_labels
from hn_geo.ground.water_results import read_results

write_book = script("hostile_inputs").write_xlsx  # an XLSX of text cells, as a lab exports it


def codes(record):
    return [w.message.code for w in record if isinstance(w.message, HnGeoWarning)]


@pytest.mark.slow  # a whole command or the embedded layers: over the fast budget
def test_water_results_in_two_sheets_are_read_whole(tmp_path):
    df = pd.read_csv(layers_dir() / "water_results.csv", dtype=str, encoding="utf-8-sig",
                     keep_default_na=False).iloc[:150]
    p = write_book(tmp_path / "r.xlsx", {"上半年": df.iloc[:100], "下半年": df.iloc[100:]})
    with pytest.warns(HnGeoWarning) as record:
        samples = read_results(p)
    assert len(samples) == 150  # before: 100 (the first sheet only, without a word)
    (w,) = [w.message for w in record if w.message.code == "ground.sheets_read_all"]
    assert w.params["sheets"] == ["上半年", "下半年"] and w.params["rows"] == [100, 50]
    assert "read 2 sheets" in w.render("en") and "上半年" in w.render("zh") and "another header" not in w.render("en")
    # rows of the second sheet are numbered in it: sheet!row
    assert list(samples["row"][:1]) == ["上半年!2"] and list(samples["row"][100:101]) == ["下半年!2"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert len(read_results(p, sheet="下半年")) == 50


def test_bad_cell_in_second_sheet_names_sheet_and_row(tmp_path):
    df = pd.DataFrame({"断面名称": ["甲", "乙"], "采样日期": ["2024-01-05", "2024-02-05"],
                       "氨氮": ["0.3", "0.4"]})
    bad = df.assign(氨氮=["0.5", "abc"])
    p = write_book(tmp_path / "r.xlsx", {"一月": df, "二月": bad})
    with pytest.raises(HnGeoError) as err, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read_results(p)
    assert err.value.row == "二月!3" and err.value.field == "氨氮"


def test_sheets_with_another_header_are_named(tmp_path):
    data = pd.DataFrame({"name": ["a", "b"], "lon": ["120.6", "120.61"], "lat": ["30.5", "30.51"]})
    p = write_book(tmp_path / "pts.xlsx", {"点位": data, "说明": pd.DataFrame({"备注": ["x"]}),
                                           "点位2": data.assign(name=["c", "d"])})
    with pytest.warns(HnGeoWarning) as record:
        gdf = readers.read_file(p)
    assert list(gdf["name"]) == ["a", "b", "c", "d"]
    (w,) = [w.message for w in record if w.message.code == "ground.sheets_read"]
    assert w.params["skipped"] == ["说明"] and w.params["sheets"] == ["点位", "点位2"]


@pytest.mark.slow  # a whole command or the embedded layers: over the fast budget
def test_projects_workbook_in_two_sheets_all_checked(tmp_path):
    pr = load_layer("projects", layers_dir() / "projects_demo.gpkg")
    df = pd.DataFrame(pr.drop(columns="geometry"))
    pts = pr.geometry.representative_point()
    df["lon"], df["lat"] = pts.x, pts.y
    p = write_book(tmp_path / "projects.xlsx", {"一批": df.iloc[:3], "二批": df.iloc[3:]})
    with pytest.warns(HnGeoWarning) as record:
        layer = load_layer("projects", p)
    assert len(layer) == len(pr) and "ground.sheets_read_all" in codes(record)  # before: 3


def test_one_sheet_and_csv_have_plain_row_numbers(tmp_path):
    df = pd.DataFrame({"a": ["1", "2"]})
    p = write_book(tmp_path / "one.xlsx", {"只有一个": df})
    with warnings.catch_warnings():
        warnings.simplefilter("error", HnGeoWarning)  # one sheet: nothing to say
        t = read_table(p)
    assert list(row_labels(t)) == [2, 3]
    with pytest.raises(HnGeoError, match="no sheet number 5"):
        read_table(p, sheet=5)


@pytest.mark.parametrize("text", ["NA", "null", "nan", "N/A", "None", "-"])
def test_workbook_text_that_looks_missing_stays_text(tmp_path, text):
    p = write_book(tmp_path / "t.xlsx", {"s": pd.DataFrame({"备注": [text], "x": ["1"]})})
    assert read_table(p)["备注"].iloc[0] == text  # before: pandas' NA words became missing


def test_row_labels_are_not_copied_by_every_pandas_operation():
    import copy

    from hn_geo.ground.tables import ROWS_ATTR, RowLabels

    labels = RowLabels(f"一月!{i + 2}" for i in range(1000))
    df = pd.DataFrame({"x": range(1000)})
    df.attrs[ROWS_ATTR] = labels
    out = (df + 1)[df["x"] > 10]
    assert out.attrs[ROWS_ATTR] is labels and copy.deepcopy(labels) is labels
    assert list(row_labels(df)[:2]) == ["一月!2", "一月!3"]
