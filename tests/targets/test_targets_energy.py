"""Energy dual control (hn_geo.targets.energy): hand-worked intensity, exemption, allowance."""
from __future__ import annotations

import inspect

import pandas as pd
import pytest
from targets_data import HAND

from hn_geo import targets as tg
from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.results import Msg
from hn_geo.core.status import STATUS_CODES
from hn_geo.ground import stats as st

pytest_plugins = ["targets_fixtures"]  # the targets tests' fixtures


def _energy(path):
    return st.read_town_energy(pd.read_csv(path, dtype=str), str(path))


def test_intensity_deductions_exemption_and_allowance_hand_worked(energy_csv, town_targets):
    with pytest.warns(HnGeoWarning, match="许村→许村镇"):
        e = _energy(energy_csv("e.csv", HAND))
    with pytest.warns(HnGeoWarning, match="no energy data for 11 town") as rec:
        out = tg.energy_dual_control(e, town_targets=town_targets, year=2025)
    assert "targets.no_energy_data" in {w.message.code for w in rec if isinstance(w.message, HnGeoWarning)}
    r = out.set_index("code").loc["330481101"]
    # intensity deducts national-listed (3000) and raw material (5000), NOT renewables:
    # I2020 = (50000-5000)/100000 = 0.45; I2025 = (60000-3000-5000)/150000 = 0.346667
    assert r["intensity_2020"] == pytest.approx(0.45)
    assert r["intensity"] == pytest.approx(52000 / 150000)
    assert r["intensity_cut_pct"] == pytest.approx(22.962963, abs=1e-5)
    assert r["intensity_status"] == "met" and r["target_level"] == "incentive"
    assert bool(r["exempt"]) and r["total_status"] == "exempt"
    # total check deducts the renewables added 2021..2025 (5 x 500 = 2500)
    assert r["renewable_new_cum_tce"] == 2500
    assert r["total_checked_tce"] == pytest.approx(52000 - 2500)
    # allowance = 45000 * 150000/100000 * (1 - 0.19) = 54675
    assert r["allowance_tce"] == pytest.approx(54675.0)
    assert r["allowance_margin_tce"] == pytest.approx(54675.0 - 49500.0)
    assert r["deductions"] == Msg("targets.deductions") and r["path"] == "linear"
    # the other towns: no data; the city row has the plan's 18 % only when given
    other = out[~out["code"].isin(["330481101", tg.CITY_CODE])]
    assert set(other["intensity_status"]) == {"no_data"} and set(other["total_status"]) == {"no_data"}
    assert other["incentive_status"].isna().all() and other["target_level"].isna().all()
    city = out.set_index("code").loc[tg.CITY_CODE]
    assert city["town"] == Msg("targets.city") and city["intensity_status"] == "no_data"


def test_on_track_behind_and_renewables_in_the_total_check(energy_csv, town_targets):
    rows = [("黄湾镇", 2020, 200000, 80000, 0, 0, 0), ("黄湾镇", 2021, 210000, 81000, 1000, 0, 0),
            ("黄湾镇", 2022, 220000, 81500, 1000, 0, 0), ("黄湾镇", 2023, 230000, 82000, 1000, 0, 0),
            ("马桥街道", 2020, 100000, 40000, 0, 0, 0), ("马桥街道", 2021, 104000, 40500, 2000, 0, 0),
            ("马桥街道", 2022, 107000, 40800, 0, 0, 0), ("马桥街道", 2023, 110000, 41000, 0, 0, 0)]
    e = _energy(energy_csv("e.csv", rows))
    with pytest.warns(HnGeoWarning, match="no energy data for 10 town"):
        out = tg.energy_dual_control(e, town_targets=town_targets, year=2023, city_target=18.0)
    out = out.set_index("code")
    hw, mq = out.loc["330481108"], out.loc["330481004"]
    # 黄湾镇: I 0.4 -> 82000/230000; cut 10.8696 % >= 17*0.6 = 10.2 (basic pro-rated) and
    # >= 18*0.6 = 10.8 (incentive pro-rated) -> on track and exempt
    assert hw["intensity_cut_pct"] == pytest.approx(10.869565, abs=1e-5)
    assert hw["required_basic_pct"] == pytest.approx(10.2)
    assert hw["required_incentive_pct"] == pytest.approx(10.8)
    assert hw["intensity_status"] == "on_track" and bool(hw["exempt"])
    assert hw["incentive_status"] == "on_track" and pd.isna(hw["target_level"])
    assert hw["allowance_tce"] == pytest.approx(80000 * 1.15 * (1 - 0.102))
    # 马桥街道: cut 1 - (41000/110000)/0.4 = 6.818 % < 10.8 -> behind, not exempt; the total
    # check counts 41000 - 2000 = 39000 against 40000*1.1*(1-0.108) = 39248 -> within (met)
    assert mq["intensity_cut_pct"] == pytest.approx(6.818182, abs=1e-5)
    assert mq["intensity_status"] == "behind" and not bool(mq["exempt"])
    assert mq["incentive_status"] == "behind"
    assert mq["allowance_margin_tce"] == pytest.approx(248.0)
    assert mq["total_status"] == "met"
    # without the renewables 马桥街道 would be over its allowance
    e2 = e.copy()
    e2["renewable_new"] = 0.0
    with pytest.warns(HnGeoWarning):
        mq2 = tg.energy_dual_control(e2, town_targets=town_targets, year=2023).set_index("code").loc["330481004"]
    assert mq2["allowance_margin_tce"] == pytest.approx(-1752.0)
    assert mq2["total_status"] == "not_met" and mq2["intensity_status"] == "behind"
    # city row sums the towns: (80000+40000) -> (82000+41000) over GDP 300000 -> 340000
    city = out.loc[tg.CITY_CODE]
    assert city["intensity_cut_pct"] == pytest.approx((1 - (123000 / 340000) / 0.4) * 100)
    assert city["target_basic"] == 18.0 and city["intensity_status"] == "behind"  # 7.56 < 10.8


def test_final_year_not_met_and_compound_path(energy_csv, town_targets):
    rows = [("袁花镇", 2020, 100000, 40000, 0, 0, 0), ("袁花镇", 2025, 130000, 44000, 0, 0, 0)]
    e = _energy(energy_csv("e.csv", rows))
    with pytest.warns(HnGeoWarning) as rec:
        r = tg.energy_dual_control(e, town_targets=town_targets, year=2025).set_index("code").loc["330481112"]
    msgs = [str(w.message) for w in rec]
    assert any("袁花镇 (2021, 2022, 2023, 2024)" in m for m in msgs)
    assert any("no energy data for 11 town" in m for m in msgs)
    assert all(w.message.render("zh") for w in rec if isinstance(w.message, HnGeoWarning))
    # cut = 1 - (44000/130000)/0.4 = 15.38 % < 19 % in 2025 -> not met
    assert r["intensity_cut_pct"] == pytest.approx(15.384615, abs=1e-5)
    assert r["intensity_status"] == "not_met" and r["incentive_status"] == "not_met"
    # compound pro-rating: 1 - (1 - 0.18)**0.6 = 11.2255 % (vs linear 10.8 %)
    assert tg.required_cut(18.0, 2023, "compound") == pytest.approx(11.2255, abs=1e-4)
    assert tg.required_cut(18.0, 2023, "linear") == pytest.approx(10.8)
    assert tg.required_cut(18.0, 2025, "compound") == pytest.approx(18.0)
    with pytest.warns(HnGeoWarning):
        c = tg.energy_dual_control(e, town_targets=town_targets, year=2025, path="compound")
    assert set(c["path"]) == {"compound"}
    with pytest.raises(ValueError, match="linear"):
        tg.required_cut(18.0, 2023, "straight")


def test_status_columns_hold_status_codes(energy_csv, town_targets):
    with pytest.warns(HnGeoWarning):
        out = tg.energy_dual_control(_energy(energy_csv("e.csv", HAND)), town_targets=town_targets,
                                     year=2024, city_target=18.0)
    for col in ("intensity_status", "incentive_status", "total_status"):
        assert set(out[col].dropna()) <= set(STATUS_CODES), col
    assert set(out["target_level"].dropna()) <= {"incentive", "basic"}
    assert out["exempt"].dtype == bool
    assert "lang" not in inspect.signature(tg.energy_dual_control).parameters
