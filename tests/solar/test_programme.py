"""The 整县推进 pilot table, the economics (LCOE, payback, LCOE supply curve) and their outputs."""
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from hn_geo.cli import main
from hn_geo.core.errors import HnGeoError
from hn_geo.ground.inputs import Inputs, LayerSource
from hn_geo.ground.pv_economics import load_pv_economics
from hn_geo.render.workbook import write_report
from hn_geo.solar.economics import EconomicParams, building_economics, lcoe_supply_curve
from hn_geo.solar.programme import pilot_categories, pilot_table
from hn_geo.workflows import solar as workflow

X0, Y0 = 539000.0, 3368000.0


def flat(**kw):
    """Economics without discounting or degradation (LCOE = (capex + N O&M) / (N E))."""
    base = {"lifetime_years": 20, "discount_rate": 0.0, "first_year_degradation": 0.0, "annual_degradation": 0.0,
            "om_yuan_per_w_year": 0.05, "export_tariff": 0.4}
    return EconomicParams(**{**base, **kw})


def test_lcoe_and_payback_without_discounting_are_the_simple_ratios():
    p = flat()
    e = building_economics([10.0, 0.0], [12000.0, 0.0], ["industrial_commercial", "public"], p)
    capex = 10_000 * p.capex_yuan_per_w["industrial_commercial"]
    om = 10_000 * 0.05
    assert e["capex_yuan"].iloc[0] == pytest.approx(capex)
    assert e["lcoe_yuan_kwh"].iloc[0] == pytest.approx((capex + 20 * om) / (20 * 12000.0), abs=1e-4)
    s, retail = p.self_consumption["industrial_commercial"], p.retail_tariff["industrial_commercial"]
    assert e["payback_years"].iloc[0] == pytest.approx(capex / (12000.0 * (s * retail + (1 - s) * 0.4) - om),
                                                       abs=0.05)
    assert e[["lcoe_yuan_kwh", "payback_years"]].iloc[1].isna().all()   # no PV, no figures


def test_discounting_and_degradation_raise_the_lcoe():
    args = ([10.0], [12000.0], ["rural_homes"])
    base = building_economics(*args, flat())["lcoe_yuan_kwh"].iloc[0]
    assert building_economics(*args, flat(discount_rate=0.08))["lcoe_yuan_kwh"].iloc[0] > base
    assert building_economics(*args, flat(annual_degradation=0.01))["lcoe_yuan_kwh"].iloc[0] > base
    # a year of discounting by hand: one year, r = 10 %: (capex + om/1.1) / (E/1.1)
    one = flat(lifetime_years=1, discount_rate=0.1)
    capex = 10_000 * one.capex_yuan_per_w["rural_homes"]
    want = (capex + 500.0 / 1.1) / (12000.0 / 1.1)
    assert building_economics(*args, one)["lcoe_yuan_kwh"].iloc[0] == pytest.approx(want, abs=1e-4)


def test_bad_economics_are_refused_with_their_name():
    with pytest.raises(HnGeoError) as err:
        EconomicParams(discount_rate=0.9)
    assert err.value.code == "solar.bad_economics" and err.value.field == "discount_rate"
    with pytest.raises(HnGeoError) as err:
        EconomicParams(capex_yuan_per_w={"public": 3.0})
    assert err.value.code == "solar.economics_missing"


def test_lcoe_supply_curve_is_cumulative_and_cheapest_first():
    lcoe = np.array([0.31, 0.305, 0.52, np.nan, 0.40])
    kwp = np.array([100.0, 50.0, 20.0, 0.0, 30.0])
    kwh = kwp * 1000.0
    c = lcoe_supply_curve(lcoe, kwp, kwh, step=0.05)
    assert list(c["lcoe_from"]) == [0.3, 0.4, 0.5]
    assert list(c["buildings"]) == [2, 1, 1]
    assert c["cum_mw"].iloc[-1] == pytest.approx(0.2) and c["cum_mw"].is_monotonic_increasing
    assert c["cum_gwh_year"].iloc[-1] == pytest.approx(0.2)


def test_pilot_categories_split_houses_from_apartments_and_take_overrides():
    b = pd.DataFrame({"building_type": ["residential", "residential", "residential", "public", "industrial",
                                        "commercial"], "storeys": [2, 12, 12, 3, 1, 5]})
    roof = ["flat", "flat", "pitched", "flat", "flat", "flat"]
    assert list(pilot_categories(b, roof)) == ["rural_homes", "none", "rural_homes", "public",
                                               "industrial_commercial", "industrial_commercial"]
    b["pilot_category"] = [None, None, None, "party_government", None, None]
    assert pilot_categories(b, roof)[3] == "party_government"
    assert pilot_categories(b, roof, mapping={"public": "party_government"})[4] == "none"  # table replaced
    b.loc[0, "pilot_category"] = "palace"
    with pytest.raises(HnGeoError) as err:
        pilot_categories(b, roof)
    assert err.value.code == "solar.bad_pilot_category" and "palace" in err.value.params["bad"]


def test_pilot_table_compares_usable_share_with_the_notice():
    b = pd.DataFrame({"town": ["甲镇", "甲镇", "甲镇", "乙镇"], "roof_area_m2": [100.0, 100.0, 100.0, 200.0],
                      "usable_area_m2": [45.0, 20.0, 30.0, 30.0], "kwp": [9.0, 4.0, 6.0, 6.0]})
    cat = np.array(["public", "industrial_commercial", "rural_homes", "rural_homes"], dtype=object)
    t = pilot_table(b, cat, need_mw=0.02, homes_target=3)
    row = t.set_index(["town", "category"])
    assert row.loc[("甲镇", "public"), "assessment"] == "met"              # 45 % >= 40 %
    assert row.loc[("甲镇", "industrial_commercial"), "assessment"] == "not_met"   # 20 % < 30 %
    assert row.loc[("乙镇", "rural_homes"), "usable_share"] == 15.0
    assert row.loc[("乙镇", "rural_homes"), "assessment"] == "not_met"     # 15 % < 20 %
    # MW the share requires: share x roof area x the category's kWp per usable m² (0.2)
    assert row.loc[("甲镇", "public"), "required_mw"] == pytest.approx(0.4 * 100 * 0.2 / 1000)
    total = t[t["category"] == "rural_homes"].iloc[-1]
    assert total["roofs"] == 2 and total["usable_share"] == pytest.approx(20.0) and total["assessment"] == "met"
    assert t[t["category"] == "party_government"].iloc[-1]["assessment"] == "no_data"
    plan = t.set_index("category").loc[["plan_capacity", "plan_homes"]]
    assert plan.loc["plan_capacity", "potential_mw"] == pytest.approx(0.025)
    assert plan.loc["plan_capacity", "assessment"] == "met"
    assert plan.loc["plan_homes", "homes"] == 2 and plan.loc["plan_homes", "assessment"] == "not_met"


def town_frame(n=24, seed=5):
    rng = np.random.default_rng(seed)
    x, y = X0 + rng.uniform(0, 3000, n), Y0 + rng.uniform(0, 3000, n)
    polys = [shapely.box(a, b, a + L, b + W) for a, b, L, W in zip(x, y, rng.uniform(10, 80, n),
                                                                  rng.uniform(8, 30, n))]
    gdf = gpd.GeoDataFrame({"building_id": [f"b{i}" for i in range(n)], "town": rng.choice(["甲镇", "乙街道"], n),
                            "building_type": rng.choice(["residential", "industrial", "public"], n),
                            "storeys": rng.integers(1, 8, n)}, geometry=polys, crs="EPSG:4549")
    return gdf.to_crs("EPSG:4490")


@pytest.fixture(scope="module")
def potential_out(tmp_path_factory):
    d = tmp_path_factory.mktemp("programme")
    src = d / "b.gpkg"
    town_frame().to_file(src)
    eco = d / "eco.yaml"
    eco.write_text("economics:\n  capex_yuan_per_w:\n    source: quoted by the installer\n    public: 2.0\n"
                   "pilot:\n  shares:\n    public: 10\n", encoding="utf-8")
    return d, src, eco


@pytest.mark.slow
def test_solar_potential_writes_the_pilot_table_and_the_lcoe_curve(potential_out):
    d, src, _ = potential_out
    out = d / "en"
    r = CliRunner().invoke(main, ["solar", "potential", str(src), "--out", str(out), "--lang", "en"])
    assert r.exit_code == 0, r.output
    prog = pd.read_csv(out / "solar_programme.csv", encoding="utf-8-sig")
    assert {"town", "pilot category", "installable share (%)", "share required (%)", "potential (MW)",
            "required (MW)"} <= set(prog.columns)
    assert {"plan capacity target", "plan household target", "public buildings (schools, hospitals, village "
            "offices)"} <= set(prog["pilot category"])
    curve = pd.read_csv(out / "solar_lcoe_curve.csv", encoding="utf-8-sig")
    assert len(curve) > 0 and curve.iloc[:, -2].is_monotonic_increasing
    assert (out / "solar_lcoe_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    sheets = openpyxl.load_workbook(out / "solar.xlsx").sheetnames
    assert {"pilot shares", "LCOE curve"} <= set(sheets)
    notes = (out / "solar_notes.csv").read_text(encoding="utf-8-sig")
    for source in ("National Energy Administration", "CPIA", "NDRC 2019 No. 1658", "social discount rate"):
        assert source in notes, source


@pytest.mark.slow
def test_economics_file_overrides_defaults_and_lands_in_the_report(potential_out, tmp_path):
    d, src, eco = potential_out
    inputs = Inputs(layers={"buildings": LayerSource(src)})
    base = workflow.run(inputs, tmp_path / "a", lang="zh").result
    inputs = Inputs(layers={"buildings": LayerSource(src)}, files={"economics": eco})
    mine = workflow.run(inputs, tmp_path / "b", lang="zh").result
    lb, lm = base.layers["buildings"], mine.layers["buildings"]
    pub = (lm["pilot_category"] == "public") & (lm["kwp"] > 0)
    assert pub.any()
    assert (lm.loc[pub, "lcoe_yuan_kwh"] < lb.loc[pub, "lcoe_yuan_kwh"]).all()
    rest = ~pub & (lm["kwp"] > 0)
    assert np.allclose(lm.loc[rest, "lcoe_yuan_kwh"], lb.loc[rest, "lcoe_yuan_kwh"])
    share = mine.tables["solar_programme"].query("category == 'public'")["required_share"]
    assert (share == 10.0).all()
    data = load_pv_economics(eco, lang="en")
    assert data["pilot"]["shares"]["rural_homes"] == 20                     # the rest stays
    assert data["pilot"]["source"] == "eco.yaml"            # changed shares: sourced to the file
    assert data["economics"]["capex_yuan_per_w"]["source"] == "quoted by the installer"
    assert data["economics"]["discount_rate"]["source"].startswith("social discount rate")
    assert load_pv_economics(None, lang="zh")["economics"]["discount_rate"]["source"].startswith("社会折现率")
    pilot_note = [n for n in mine.notes if n.code == "solar.note_pilot"][0]
    assert pilot_note.params["source"] == "eco.yaml"
    book = write_report([mine], tmp_path / "report.xlsx", lang="zh")[0]
    wb = openpyxl.load_workbook(book)
    assert {"整县推进", "度电成本曲线"} <= set(wb.sheetnames)
    assert any("quoted by the installer" in str(c.value) for ws in wb for row in ws.iter_rows() for c in row)


def test_bad_economics_file_names_the_file(tmp_path):
    bad = tmp_path / "eco.yaml"
    bad.write_text("tariffs: {}\n", encoding="utf-8")
    with pytest.raises(HnGeoError) as err:
        load_pv_economics(bad)
    assert err.value.code == "solar.bad_economics_file" and Path(err.value.path) == bad
