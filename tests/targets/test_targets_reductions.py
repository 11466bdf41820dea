"""Key-project reductions (hn_geo.targets.reductions): double counting, totals, allocations."""
from __future__ import annotations

import pandas as pd
import pytest

from hn_geo import targets as tg
from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.results import Msg
from hn_geo.ground import stats as st

pytest_plugins = ["targets_fixtures"]  # the targets tests' fixtures


def test_double_counting_caught_and_excluded(projects, targets):
    p = st.read_reduction_projects(projects, "proj.csv")
    keep, table = tg.find_double_counted(p)
    # P4 for VOCs is the same project reducing a second pollutant: not a double count
    assert keep.tolist() == [True, False, False, True, True, True, True]
    assert table["project_id"].tolist() == ["P1", "P2"]
    assert table["reason"].tolist() == ["same_project", "same_source_measure"]
    assert table["duplicate_of"].tolist() == [Msg("targets.duplicate_of", project="P1", row=2)] * 2
    with pytest.warns(HnGeoWarning, match=r"excluded 2 double-counted project row\(s\) \(15.0 t\)") as rec:
        red = tg.pollutant_reductions(p, targets=targets, year=2023)
    assert "重复项目编号（同一污染物）" in rec[0].message.render("zh")
    pol = red["by_pollutant"].set_index("pollutant")
    assert pol.loc["nox", "reduction_t"] == 13.0 and pol.loc["vocs", "reduction_t"] == 8.0
    assert pol.loc["nh3n", "reduction_t"] == 2.0 and pol.loc["cod", "reduction_t"] == 0.0
    assert pol.loc["nox", "excluded_double_t"] == 15.0
    assert pol["target_t"].tolist() == [515.0, 2585.0, 1200.0, 85.0]  # from the targets frame
    # 2023: 60 % of the period; NOx expected 0.6 * 515 = 309 t -> behind
    assert pol.loc["nox", "expected_t"] == pytest.approx(309.0)
    assert pol.loc["nox", "status"] == "behind"
    town = red["by_town"].set_index(["town", "pollutant"])
    assert town.loc[("许村镇", "nox"), "reduction_t"] == 10.0
    assert town.loc[("长安镇", "nox"), "reduction_t"] == 3.0
    # no allocations: no status, and the reason says why
    assert set(town["status"]) == {"no_data"} and set(town["status_note"]) == {"no_allocation"}
    yr = red["by_year"].set_index(["pollutant", "year"])
    assert yr.loc[("nox", 2023), "cumulative_t"] == 13.0
    assert list(red["by_year"]["pollutant"].unique()) == ["nox", "vocs", "cod", "nh3n"]


def test_reduction_status_with_allocations(targets):
    df = pd.DataFrame({"project_id": ["A", "B", "C"], "enterprise": ["甲厂", "乙厂", "丙厂"],
                       "town": ["海洲街道", "海洲街道", "丁桥镇"], "pollutant": ["COD", "COD", "COD"],
                       "reduction_t": ["500", "400", "200"], "year": ["2022", "2024", "2025"],
                       "measure": ["提标", "零直排", "提标"]})
    p = st.read_reduction_projects(df, "r.csv")
    alloc = st.read_allocations(pd.DataFrame({"town": ["海洲街道", "丁桥镇"], "pollutant": ["COD", "COD"],
                                              "target_t": ["800", "300"]}), "a.csv")
    red = tg.pollutant_reductions(p, targets=targets, year=2025, allocations=alloc)
    cod = red["by_pollutant"].set_index("pollutant").loc["cod"]
    assert cod["reduction_t"] == 1100.0 and cod["status"] == "not_met"  # 1100 < 1200 in 2025
    town = red["by_town"].set_index("town")
    assert town.loc["海洲街道", "status"] == "met"   # 900 >= 800
    assert town.loc["丁桥镇", "status"] == "not_met"   # 200 < 300
    assert town["status_note"].isna().all()


def test_projects_outside_the_period_are_excluded(targets):
    df = pd.DataFrame({"project_id": ["A", "B"], "point_id": ["E1", "E2"], "town": ["许村镇", "许村镇"],
                       "pollutant": ["NOx", "NOx"], "reduction_t": ["5", "7"], "year": ["2020", "2022"],
                       "measure": ["SCR", "SCR"]})
    p = st.read_reduction_projects(df, "r.csv")
    with pytest.warns(HnGeoWarning, match=r"excluded 1 project row\(s\) dated outside 2021-2025 \(rows 2\)"):
        red = tg.pollutant_reductions(p, targets=targets, year=2022)
    assert red["by_pollutant"].set_index("pollutant").loc["nox", "reduction_t"] == 7.0
