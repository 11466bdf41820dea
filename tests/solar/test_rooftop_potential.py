"""The analysis: per-building results, totals, supply curve, targets check -- in codes."""
import inspect

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hn_geo import solar, vocabulary
from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import AnalysisResult, Figure, Msg, Word
from hn_geo.core.status import STATUS_CODES
from hn_geo.ground.weather import default_weather
from hn_geo.render.tables import present, present_result
from hn_geo.solar import physics
from hn_geo.solar.roofs import RoofParams

X0, Y0 = 568000.0, 3377000.0
TARGETS = {"target_mw": 1800.0, "homes_target": 10000.0}


@pytest.fixture(scope="module")
def w():
    return default_weather()


def town_frame(n=200, seed=3):
    rng = np.random.default_rng(seed)
    x, y = X0 + rng.uniform(0, 5000, n), Y0 + rng.uniform(0, 5000, n)
    ang = rng.uniform(0, 180, n)
    polys = [shapely.affinity.rotate(shapely.box(a, b, a + L, b + W), r, origin="centroid")
             for a, b, L, W, r in zip(x, y, rng.uniform(10, 120, n), rng.uniform(8, 40, n), ang)]
    types = rng.choice(["residential", "industrial", "public", "commercial"], n)
    roof = rng.choice(["flat", "pitched", "unknown"], n)
    gdf = gpd.GeoDataFrame({"building_id": [f"b{i}" for i in range(n)],
                            "town": rng.choice(["甲镇", "乙街道"], n), "building_type": types,
                            "storeys": rng.integers(1, 12, n), "roof_type": roof},
                           geometry=polys, crs="EPSG:4549")
    return gdf.to_crs("EPSG:4490")


@pytest.fixture(scope="module")
def result(w):
    gdf = town_frame(120, seed=9)
    gdf.loc[gdf.index[:3], "geometry"] = [shapely.box(120.68, 30.51, 120.680001, 30.510001)] * 3  # tiny
    gdf["approximate"] = True
    return solar.rooftop_potential(gdf, w, installed_mw=2.0, target_mw=5.0, homes_target=30)


def figure(r, code):
    return r.figure(f"solar.{code}")


def test_rooftop_potential_consistency(w, monkeypatch):
    calls = []
    real = physics.plane_ac_power

    def counting(*a, **k):
        calls.append(a[1:4])
        return real(*a, **k)

    monkeypatch.setattr(physics, "plane_ac_power", counting)
    gdf = town_frame()
    r = solar.rooftop_potential(gdf, w, target_mw=5.0, installed_mw=1.0, homes_target=3)
    b = r.layers["buildings"]
    assert len(b) == len(gdf) and (b["building_id"].to_numpy() == gdf["building_id"].to_numpy()).all()
    # yields once per orientation class, not per building
    assert len(calls) == len(r.tables["solar_classes"]) < len(gdf)
    assert len(set(calls)) == len(calls)
    has = b["kwp"] > 0
    # (the layer is rounded: kWp to 1 W, kWh/kWp to 0.1)
    np.testing.assert_allclose(b.loc[has, "kwh_year"], b.loc[has, "kwp"] * b.loc[has, "kwh_per_kwp"], rtol=2e-4)
    np.testing.assert_allclose(b["kwp"], b["module_area_m2"] * 0.22, rtol=0.01, atol=0.02)
    towns = r.tables["solar_towns"]
    total = towns.iloc[-1]
    assert total["town"] == Word("solar.row_label", "total")
    assert total["mw"] == pytest.approx(b["kwp"].sum() / 1000, abs=0.01)
    assert towns.iloc[:-1]["mw"].sum() == pytest.approx(total["mw"], abs=0.02)
    types = r.tables["solar_types"]
    assert types["building_type"].iloc[-1] == "total"
    assert types.iloc[-1]["gwh_year"] == pytest.approx(b["kwh_year"].sum() / 1e6, abs=0.01)
    # supply curve: ranked by specific yield, cumulative capacity crosses target - installed = 4 MW
    ranked = b[b["supply_rank"] > 0].sort_values("supply_rank")
    assert (np.diff(ranked["kwh_per_kwp"].to_numpy()) <= 1e-9).all()
    cum = np.cumsum(ranked["kwp"].to_numpy()) / 1000
    np.testing.assert_allclose(ranked["cum_mw"], cum, atol=1e-3)
    need = figure(r, "need_mw").value
    assert need == 4.0
    k = figure(r, "buildings_to_reach_target")
    if cum[-1] >= need:
        assert cum[k.value - 1] >= need and (k.value == 1 or cum[k.value - 2] < need)
    else:
        assert k.value == "unreachable" and k.status == "not_met"
    curve = r.tables["solar_supply_curve"]
    assert curve["cum_mw"].iloc[-1] == pytest.approx(cum[-1], abs=0.01)
    assert curve["buildings"].sum() == len(ranked)


def test_installed_capacity_reduces_need(w):
    gdf = town_frame(60, seed=5)
    a = solar.rooftop_potential(gdf, w, installed_mw=0, **TARGETS)
    b = solar.rooftop_potential(gdf, w, installed_mw=1000, **TARGETS)
    assert figure(a, "need_mw").value == 1800 and figure(b, "need_mw").value == 800
    assert any(n.code == "solar.note_installed_none" for n in a.notes)
    assert not any(n.code == "solar.note_installed_none" for n in b.notes)


def test_module_density_scales_capacity_not_yield(w):
    gdf = town_frame(40, seed=7)
    a = solar.rooftop_potential(gdf, w, **TARGETS).layers["buildings"]
    b = solar.rooftop_potential(gdf, w, roof_params=RoofParams(module_density_kwp_m2=0.20),
                                **TARGETS).layers["buildings"]
    assert b["kwp"].sum() == pytest.approx(a["kwp"].sum() * 0.20 / 0.22, rel=1e-6)
    np.testing.assert_allclose(a["kwh_per_kwp"].dropna(), b["kwh_per_kwp"].dropna())


# ----------------------------------------------------------------------------- the result in codes
def test_signature_pure_keyword_only_no_plan_defaults():
    sig = inspect.signature(solar.rooftop_potential)
    assert "lang" not in sig.parameters and "dsm" not in sig.parameters
    params = list(sig.parameters.values())
    assert [p.name for p in params[:2]] == ["buildings", "weather"]
    assert all(p.kind is p.KEYWORD_ONLY for p in params[2:])
    # the plan's figures come from the plan's YAML, never from a default typed in code
    assert sig.parameters["target_mw"].default is inspect.Parameter.empty
    assert sig.parameters["homes_target"].default is inspect.Parameter.empty


def test_result_types(result):
    assert isinstance(result, AnalysisResult) and result.name == "solar"
    assert all(isinstance(n, Msg) for n in result.notes) and result.notes
    notes = result.tables["solar_notes"]["note"]
    assert list(notes) == result.notes
    assert all(isinstance(f, Figure) for f in result.figures)
    heads = [f for f in result.figures if f.headline]
    assert [f.code for f in heads] == ["solar.potential_mw"]
    assert heads[0].target == 5.0 and heads[0].unit == "mw" and heads[0].status in STATUS_CODES
    for f in result.figures:
        assert isinstance(f.value, (int, float, np.integer, np.floating)) or f.family, f
    assert result.meta["synthetic"] is True
    assert result.status_columns == ("assessment",)


def test_status_and_coded_columns_hold_codes(result):
    t = result.tables["solar_targets"]
    assert set(t["assessment"].dropna()) <= set(STATUS_CODES)
    assert set(t["assessment"].dropna()) <= {"met", "not_met"}
    assert t["value"].dtype == float                      # numbers stay numbers
    assert all(isinstance(i, Msg) for i in t["item"])
    b = result.layers["buildings"]
    assert set(b["status"]) <= {"pv_possible", "area_too_small", "footprint_tiny"}
    assert (b["status"].iloc[:3] == "footprint_tiny").all()
    assert set(b["mount"].dropna()) <= set(solar.MOUNTS)
    assert set(b["building_type"]) <= {"residential", "industrial", "public", "commercial"}
    assert b.loc[b["kwp"] == 0, "orientation"].isna().all()
    for col, fam in result.codes.items():
        assert vocabulary.has_family(fam, "solar"), (col, fam)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_code_renders(result, lang):
    shown = present_result(result, lang=lang)
    assert set(shown) == set(result.tables)
    for df in shown.values():
        for col in df.columns:
            vals = df[col]
            assert not any(isinstance(v, (Msg, Word)) for v in vals), col
    layer = present(result.layers["buildings"], lang=lang, scope="solar", codes=result.codes,
                    keep_geometry=True, labels=False)
    assert not layer["status"].isin(["pv_possible", "area_too_small", "footprint_tiny"]).any()
    for f in result.figures:
        assert vocabulary.figure_label(f, lang, "solar") and vocabulary.figure_value(f, lang, "solar")
    for m in result.notes + solar.summary_lines(result):
        text = vocabulary.message(m.code, m.params, lang, "solar")
        assert vocabulary.has_cjk(text) == (lang == "zh"), text
    for table in result.tables:
        assert vocabulary.title("tables", table, lang, "solar")
        assert len(vocabulary.sheet_name(table, lang, "solar")) <= 31


def test_words_of_a_zh_and_an_en_table(result):
    zh = present(result.tables["solar_targets"], lang="zh", scope="solar", codes=result.codes)
    en = present(result.tables["solar_targets"], lang="en", scope="solar", codes=result.codes)
    assert "未达标" in set(zh["评估"]) and "not met" in set(en["assessment"])
    assert not any(vocabulary.has_cjk(v) for v in en.astype(str).to_numpy().ravel())


def test_homes_console_line_agrees_with_the_table(w):
    gdf = town_frame(80, seed=21)
    for target, status in ((10000, "not_met"), (2, "met")):
        r = solar.rooftop_potential(gdf, w, target_mw=1800, homes_target=target)
        t = r.tables["solar_targets"]
        row = t[[m.code == "solar.item_low_rise_houses" for m in t["item"]]].iloc[0]
        assert row["assessment"] == status == figure(r, "low_rise_houses").status
        line = [m for m in solar.summary_lines(r) if m.code.startswith("solar.line_homes")][0]
        assert line.code == f"solar.line_homes_{status}"
        assert line.params["n"] == row["value"] and line.params["status"] == Word("status", status)
        mw_row = t[[m.code == "solar.item_houses_mw" for m in t["item"]]].iloc[0]
        assert line.params["mw"] == mw_row["value"] == figure(r, "homes_mw").value
        assert line.params["counted"] == mw_row["item"].params["n"] == min(target, row["value"])
        en = vocabulary.message(line.code, line.params, "en", "solar")
        assert ("fewer than" in en) == (status == "not_met")


def test_bad_targets_are_refused(w):
    gdf = town_frame(5, seed=2)
    with pytest.raises(HnGeoError) as err:
        solar.rooftop_potential(gdf, w, installed_mw=-1, **TARGETS)
    assert err.value.code == "solar.bad_target" and err.value.field == "installed_mw"
    with pytest.raises(TypeError):
        solar.rooftop_potential(gdf, w)  # no plan figure typed in code: the caller gives them
