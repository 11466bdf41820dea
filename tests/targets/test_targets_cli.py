"""`hn-geo targets report | list | columns`: the thin CLI over the workflow."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from targets_data import HAND

from hn_geo import vocabulary
from hn_geo.cli import main
from hn_geo.cli.targets import report_cmd

pytest_plugins = ["targets_fixtures"]  # the targets tests' fixtures


def _run(args):
    return CliRunner().invoke(main, ["targets", *args])


def test_cli_report_default(tmp_path):
    res = _run(["report", "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "强度进度落后镇（街道）数（2024年）" in out and "3 个镇（街道）" in out   # the headline figure
    assert "镇（街道）能耗双控（13 行）" in out and "激励目标" in out and "进度落后" in out
    assert "时序进度：线性分解" in out and "/work/" not in out.split("\n")[0]
    raw = (tmp_path / "a" / "targets_energy.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "能耗强度较2020年降低（%）".encode() in raw
    sheets = pd.ExcelFile(tmp_path / "a" / "targets.xlsx").sheet_names
    assert {"能耗双控", "重点工程减排", "指标进度", "重复计算"} <= set(sheets)
    lay = gpd.read_file(tmp_path / "a" / "targets_layers.gpkg", layer="towns")
    assert len(lay) == 12
    # the console's count agrees with the table
    energy = pd.read_csv(tmp_path / "a" / "targets_energy.csv", encoding="utf-8-sig")
    assert (energy["强度目标完成情况"] == "进度落后").sum() == 3


def test_cli_report_user_files_english(tmp_path):
    d = tmp_path / "stats"
    d.mkdir()
    pd.DataFrame(HAND, columns=["town", "year", "gdp_wan", "energy_tce", "renewable_new",
                                "national_listed_tce", "raw_material_tce"]).to_csv(
        d / "town_energy.csv", index=False, encoding="gbk")
    res = _run(["report", "--stats", str(d), "--lang", "en", "--year", "2025", "--path", "compound",
                "--out", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    assert "许村→许村镇" in res.output and "no energy data for 11 town" in res.output
    assert "compound path" in res.output
    out = pd.read_csv(tmp_path / "b" / "targets_energy.csv", encoding="utf-8-sig")
    row = out[out["town"] == "许村镇"].iloc[0]
    assert row["intensity cut since 2020 (%)"] == pytest.approx(22.962963, abs=1e-5)
    assert row["total-quantity status"] == "exempt" and row["target level reached"] == "incentive target"
    assert not any(vocabulary.has_cjk(v) for v in out["intensity status"])
    # bad input: clean error naming the file, in the command's language
    (d / "town_energy.csv").write_text("town,year,gdp_wan,energy_tce\n许村镇,2020,1,-5\n", encoding="utf-8")
    res = _run(["report", "--stats", str(d), "--out", str(tmp_path / "c")])
    assert res.exit_code != 0 and "town_energy.csv" in res.output and "能耗为负值" in res.output
    res = _run(["report", "--stats", str(d), "--lang", "en", "--out", str(tmp_path / "c")])
    assert res.exit_code != 0 and "negative energy value" in res.output


def test_cli_options_default_to_not_given():
    opts = {p.name: p for p in report_cmd.params}
    for name in ("stats", "plan_targets", "year", "path", "kwh_factor"):
        assert opts[name].default is None, name


def test_cli_list_and_columns():
    res = _run(["list", "--clause", "附件2", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "a2_bus_nev_rate" in res.output and "at least" in res.output and "New-energy share" in res.output
    assert "reduce_by" not in res.output and ">=" not in res.output
    assert "许村镇 19/20" in res.output
    res = _run(["list"])
    assert res.exit_code == 0 and "不低于" in res.output and "光伏并网总装机容量" in res.output
    res = _run(["columns", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "town_energy (.csv/.xlsx; also 镇街道能耗, 能耗):" in res.output
    assert "required" in res.output and "--kwh-factor" in res.output
