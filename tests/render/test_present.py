"""present(): codes -> words of one language; CSV floats rounded; the one XLSX sheet writer."""
from __future__ import annotations

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely

from hn_geo import vocabulary
from hn_geo.core.results import Msg
from hn_geo.core.settings import STORAGE_CRS
from hn_geo.render import tables, xlsx
from hn_geo.render.labels import column_label, column_parts


def test_present_turns_codes_messages_and_booleans_into_words(water_result):
    df = water_result.tables["t_sections"].assign(flag=[True, False, True, None])
    for lang, met, yes in (("zh", "达标", "是"), ("en", "met", "yes")):
        shown = tables.present(df, lang=lang, scope="water", codes=water_result.codes, table="t_sections")
        status = shown[column_label("status", lang, scope="water")]
        assert status.tolist()[0] == met
        assert shown.iloc[1, 7] == vocabulary.message("water.t_row", {"n": 2}, lang)
        assert shown.iloc[0, -1] == yes and shown.iloc[3, -1] in ("", None)
        assert shown.iloc[:, 3].dtype == float and shown.iloc[:, 4].dtype.kind == "i"  # numbers stay numbers
    kept = tables.present(df, lang="zh", codes=water_result.codes, scope="water", bool_words=False, labels=False)
    assert kept["flag"].tolist()[:2] == [True, False] and list(kept.columns) == list(df.columns)


def test_present_raises_on_a_code_without_a_word():
    with pytest.raises(vocabulary.VocabularyError):
        tables.present(pd.DataFrame({"s": ["no_such_code"]}), codes={"s": "status"})


def test_present_keeps_layers_and_labels_catalog_fields():
    gdf = gpd.GeoDataFrame({"name": ["a"], "unit_type": ["key"]}, geometry=[shapely.Point(120.6, 30.5)],
                           crs=STORAGE_CRS)
    shown = tables.present(gdf, lang="zh", scope="ground", codes={"unit_type": "unit_type"},
                           table="control_units", keep_geometry=True)
    assert isinstance(shown, gpd.GeoDataFrame) and shown.crs == gdf.crs
    assert list(shown.columns[:2]) == ["管控单元名称", "管控类别"] and shown.iloc[0, 1] == "重点管控"


def test_column_labels_and_units():
    assert column_label("area_km2", "zh", scope="ground", table="boundary") == "面积 (km²)"
    assert column_parts("area_km2", "en", scope="ground", table="boundary") == ("area", "km²")
    assert column_label("nox_t", "zh", scope="solar", table="roofs") == "nox_t"  # tables: no guessing
    assert column_label("nox_t", "zh", scope="solar", table="roofs", any_layer=True) == "氮氧化物排放量 (t/a)"
    assert column_parts("x", "zh", overrides={"x": "装机潜力 (MW)"}) == ("装机潜力", "MW")


def test_csv_floats_are_rounded_even_in_text_columns(tmp_path):
    df = pd.DataFrame({"a": [15.200000000000001, 0.1 + 0.2], "b": ["x", 15.200000000000001]})
    text = tables.write_csv(df, tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert "15.200000000000001" not in text and "0.30000000000000004" not in text
    assert text.splitlines()[1:] == ["15.2,x", "0.3,15.2"]


def test_one_sheet_writer_for_plain_and_coded_sheets(tmp_path):
    frame = pd.DataFrame({"状态": ["警示", "待核实"], "年份": [2024, 2025], "x": [Msg("water.t_demo"), None]})
    frame["x"] = tables.present(frame[["x"]], lang="zh", labels=False)["x"]
    sheets = [xlsx.Sheet("a:b/c", frame, status={0: ["warn", "review"]}, keys=["status", "year", "note"]),
              xlsx.Sheet("a:b/c", frame)]
    path = tables.write_xlsx(sheets, tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["a_b_c", "a_b_c~2"]
    ws = wb["a_b_c"]
    assert ws["B2"].number_format == "0" and ws["C2"].value == "演示数据为合成数据"
    assert ws["A2"].fill.fgColor.rgb[-6:] == vocabulary.status_style("warn")["fill"]
    assert ws["A3"].fill.fgColor.rgb[-6:] == vocabulary.status_style("review")["fill"]
    assert wb["a_b_c~2"]["A2"].fill.fgColor.rgb in ("00000000", None)  # no codes: no colour
    plain = tables.write_xlsx({"t": pd.DataFrame({"v": [1.5]})}, tmp_path / "p.xlsx")
    assert openpyxl.load_workbook(plain)["t"]["A2"].value == 1.5


def test_object_columns_render_each_distinct_value_once_and_as_one_by_one(monkeypatch):
    from hn_geo.core.results import Word

    words = [Word("pollutant", "nox"), Word("pollutant", "cod")]
    vals = [words[0], [words[0], words[1]], (words[1],), True, None, "文本", Msg("solar.note_synthetic"),
            float("nan"), words[0], [words[0], words[1]]] * 50
    s = pd.Series(vals, dtype=object)
    one_by_one = [tables._cell(v, "zh", None) for v in vals]
    calls = []
    real = tables._cell
    monkeypatch.setattr(tables, "_cell", lambda v, *a: calls.append(v) or real(v, *a))
    got = tables._objects(s, "zh", None)
    assert got.tolist()[:9] == one_by_one[:9] and len(got) == len(vals)
    assert all((a == b) or (a != a and b != b) for a, b in zip(got.tolist(), one_by_one))  # NaN stays NaN
    assert len(calls) < len(vals) / 5  # distinct values once (the Msg, unhashable, each time)
