"""Town-name matching (hn_geo.towns)."""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground.towns import CODES, NAMES, match_towns, town_mapping, town_table

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_official_names_match_nbs_code_list():
    path = SHARED / "admin" / "haining_townships_nbs2023.csv"
    if not path.exists():
        pytest.skip("shared NBS township list not available")
    nbs = pd.read_csv(path, dtype=str)
    assert dict(zip(nbs["code"], nbs["name"])) == dict(zip(CODES, NAMES))


def test_exact_names_map_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", HnGeoWarning)
        assert match_towns(["许村镇", "硖石街道"]) == ["330481101", "330481001"]


@pytest.mark.parametrize("name, code", [
    ("硖石", "330481001"),            # suffix dropped
    ("许村", "330481101"),
    ("海宁市许村镇", "330481101"),     # city prefix
    ("浙江省嘉兴市海宁市盐官镇", "330481110"),
    ("長安鎮", "330481103"),           # traditional characters
    ("周王廟", "330481105"),
    ("Xucun Town", "330481101"),      # pinyin
    ("chang'an", "330481103"),
    ("XIASHI SUBDISTRICT", "330481001"),
    ("330481112", "330481112"),       # codes, 9 or 12 digits
    ("330481108000", "330481108"),
    (" 丁桥镇 ", "330481106"),         # whitespace
    ("海昌街道办事处", "330481003"),
])
def test_variants(name, code):
    with pytest.warns(HnGeoWarning, match="mapped 1 town name variant") if name.strip() not in NAMES \
            else warnings.catch_warnings():
        assert match_towns([name]) == [code]


def test_mapping_report_and_counted_warning():
    names = ["硖石", "硖石", "许村镇", "Yuanhua", "斜桥"]
    rep = town_mapping(names)
    assert list(rep["input"]) == ["硖石", "许村镇", "Yuanhua", "斜桥"]
    assert list(rep["town"]) == ["硖石街道", "许村镇", "袁花镇", "斜桥镇"]
    assert list(rep["method"]) == ["variant", "exact", "pinyin", "variant"]
    with pytest.warns(HnGeoWarning) as rec:
        codes = match_towns(names, path="x.csv")
    msg = str(rec[0].message)
    assert "3 town name variant(s) (4 row(s))" in msg and "硖石→硖石街道" in msg and "x.csv" in msg
    assert codes == ["330481001", "330481001", "330481101", "330481112", "330481107"]


def test_unknown_names_raise_listing_them_and_official_names():
    with pytest.raises(HnGeoError) as ei:
        match_towns(["许村镇", "尖山新区", "郭店"], path="stats.csv", field="镇（街道）")
    msg = str(ei.value)
    assert "尖山新区" in msg and "郭店" in msg and "stats.csv" in msg and "镇（街道）" in msg
    assert all(n in msg for n in NAMES)
    assert ei.value.row == 3  # first bad data row, header is row 1


def test_unknown_names_can_warn_instead():
    with pytest.warns(HnGeoWarning, match="1 unknown town name"):
        assert match_towns(["许村镇", "上海"], on_unknown="warn") == ["330481101", None]


def test_empty_name_is_an_error():
    with pytest.raises(HnGeoError, match="empty town name"):
        match_towns(["许村镇", None])


def test_town_table():
    t = town_table()
    assert len(t) == 12 and t["code"].is_unique
    assert set(t["kind"]) == {"镇", "街道"}
    assert t.set_index("name").loc["海洲街道", "name_en"] == "Haizhou Subdistrict"


def test_layer_town_column_is_normalised_everywhere():
    from hn_geo.ground.towns import normalise_towns

    values = pd.Series(["硖石街道", "Xiashi", "硖石", "峡石街道", None, "许村", "某某镇"])
    with pytest.warns(HnGeoWarning) as record:
        out = normalise_towns(values, path="b.gpkg")
    assert list(out[:4]) == ["硖石街道"] * 4 and pd.isna(out[4]) and out[5] == "许村镇"
    assert out[6] == "某某镇"  # no town of that name: kept as written, and counted
    by_code = {w.message.code: w.message for w in record}
    assert by_code["ground.towns_mapped"].params["n"] == 4 and by_code["ground.towns_mapped"].params["rows"] == 4
    assert by_code["ground.unknown_towns_kept"].params["names"] == ["某某镇"]


@pytest.mark.slow  # a whole command or the embedded layers: over the fast budget
def test_solar_town_table_has_one_row_per_town(tmp_path):
    from click.testing import CliRunner

    from hn_geo.cli import main
    from hn_geo.ground.catalog import load_layer

    b = load_layer("buildings").iloc[:200].copy()
    b["town"] = b["town"].astype(object)
    b.loc[b.index[:60], "town"] = ["Xiashi"] * 20 + ["硖石"] * 20 + ["峡石街道"] * 20
    p = tmp_path / "b.gpkg"
    b.to_file(p)
    r = CliRunner().invoke(main, ["solar", "potential", str(p), "--out", str(tmp_path / "o"), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "mapped 3 town name variant(s) (60 row(s))" in r.output
    towns = pd.read_csv(tmp_path / "o" / "solar_towns.csv", encoding="utf-8-sig").iloc[:, 0]
    assert not {"Xiashi", "硖石", "峡石街道"} & set(towns)  # before: three extra rows
    assert len(towns) == len(set(towns))
