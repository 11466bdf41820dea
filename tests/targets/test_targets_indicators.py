"""Indicator progress (hn_geo.targets.indicators): linear path, final year, 'about', strict."""
from __future__ import annotations

import pandas as pd
import pytest

from hn_geo import targets as tg
from hn_geo.core.results import Msg
from hn_geo.ground import stats as st

pytest_plugins = ["targets_fixtures"]  # the targets tests' fixtures


def _ind(rows, targets):
    df = pd.DataFrame(rows, columns=["indicator", "year", "value"])
    return st.read_indicators(df.astype(str), "ind.csv", targets=targets)


def _row(out, tid):
    return out.set_index("id").loc[tid]


def test_indicator_status_linear_path(targets):
    a = _ind([("a2_bus_nev_rate", 2023, 75.0), ("对苯二甲酸（PTA）装置单位综合能耗", 2022, 52.9),
              ("industry_water_intensity_cut", 2023, 10.0), ("pv_capacity", 2023, 150.0)], targets)
    out = tg.indicator_progress(a, targets=targets, year=2023)
    row = _row(out, "a2_bus_nev_rate")
    # 66.7 + (80 - 66.7) * 0.6 = 74.68 <= 75 -> on track
    assert row["expected"] == pytest.approx(74.68) and row["status"] == "on_track"
    assert row["actual_source"] == "statistics" and row["unit"] == "pct" and row["comparator"] == ">="
    assert row["name"] == Msg("targets.plan_name", name="全市公交车新能源化率",
                              name_en="New-energy share of the city bus fleet")
    # lower is better: 55 -> 50; 2022 value used for 2023 (expected 55 - 5*0.6 = 52.0) -> behind
    pta = _row(out, "a2_pta_energy")
    assert pta["actual_year"] == 2022 and pta["expected"] == pytest.approx(52.0)
    assert pta["status"] == "behind"
    # reduce_by tracked as the cut achieved: 10 >= 16 * 0.6 = 9.6
    assert _row(out, "industry_water_intensity_cut")["status"] == "on_track"
    # no baseline in the plan and none supplied: no progress status, and the note says why
    pv = _row(out, "pv_capacity")
    assert (pv["status"], pv["status_note"]) == ("no_data", "no_baseline")
    assert _row(out, "cluster_10bn")["status"] == "no_data" and pd.isna(_row(out, "cluster_10bn")["status_note"])
    gc = _row(out, "green_channel_intensity")
    assert (gc["status"], gc["status_note"]) == ("no_data", "threshold")
    a = _ind([("pv_capacity", 2020, 100.0), ("pv_capacity", 2023, 147.0)], targets)
    out = tg.indicator_progress(a, targets=targets, year=2023)
    assert _row(out, "pv_capacity")["expected"] == pytest.approx(148.0)
    assert _row(out, "pv_capacity")["status"] == "behind"


def test_indicator_final_year_about_and_strict(targets):
    a = _ind([("a2_bus_nev_rate", 2025, 79.0), ("a2_non_fossil_share", 2025, 23.6),
              ("coal_total", 2025, 121.0), ("a2_data_centre_pue", 2025, 1.3),
              ("a2_thermal_power_coal_rate", 2025, 294.0)], targets)
    out = tg.indicator_progress(a, targets=targets, year=2025)
    assert _row(out, "a2_bus_nev_rate")["status"] == "not_met"
    # 24 % 左右, tolerance 2 % of 24 = 0.48: 23.6 counts as met; twin target 三.（十） shares it
    assert _row(out, "a2_non_fossil_share")["status"] == "met"
    assert _row(out, "non_fossil_share")["status"] == "met"
    assert _row(out, "a2_non_fossil_share")["tolerance"] == pytest.approx(0.48)
    # 119 万吨左右 (decrease): 121 > 119 + 2.38? no -> met
    assert _row(out, "coal_total")["status"] == "met"
    assert _row(out, "a2_data_centre_pue")["status"] == "not_met"   # < 1.3 is strict
    assert _row(out, "thermal_power_coal_rate")["status"] == "met"
    a = _ind([("a2_non_fossil_share", 2025, 23.4)], targets)
    assert _row(tg.indicator_progress(a, targets=targets, year=2025), "a2_non_fossil_share")["status"] == "not_met"
    # a wider tolerance of 'about' is a method parameter
    out = tg.indicator_progress(a, targets=targets, year=2025, about_tolerance=0.05)
    assert _row(out, "a2_non_fossil_share")["status"] == "met"


def test_computed_actuals_fill_in(targets):
    out = tg.indicator_progress(None, targets=targets, year=2024,
                                computed={"energy_intensity_cut": (15.5, "town_energy")})
    r = _row(out, "energy_intensity_cut")
    assert r["actual"] == 15.5 and r["actual_source"] == "town_energy" and r["status"] == "on_track"
    assert out["actual"].dtype == float and out["actual_year"].dtype == "Int64"
