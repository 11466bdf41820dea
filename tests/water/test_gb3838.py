"""GB 3838-2002 Table 1 limits and the 环办〔2011〕22号 class rules.

The limits below are typed from the standard (GB 3838-2002, 表1 地表水环境质量标准基本项目
标准限值), independently of hn_geo/data/gb3838.csv, so a wrong number in the data file fails here.
"""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hn_geo.reference import gb3838

# item: (bound, limits of class I..V) -- mg/L except fecal coliform (count/L)
UPPER = {
    "codmn": (2, 4, 6, 10, 15),
    "cod": (15, 15, 20, 30, 40),
    "bod5": (3, 3, 4, 6, 10),
    "nh3n": (0.15, 0.5, 1.0, 1.5, 2.0),
    "tp": (0.02, 0.1, 0.2, 0.3, 0.4),
    "cu": (0.01, 1.0, 1.0, 1.0, 1.0),
    "zn": (0.05, 1.0, 1.0, 2.0, 2.0),
    "f": (1.0, 1.0, 1.0, 1.5, 1.5),
    "se": (0.01, 0.01, 0.01, 0.02, 0.02),
    "as": (0.05, 0.05, 0.05, 0.1, 0.1),
    "hg": (0.00005, 0.00005, 0.0001, 0.001, 0.001),
    "cd": (0.001, 0.005, 0.005, 0.005, 0.01),
    "cr6": (0.01, 0.05, 0.05, 0.05, 0.1),
    "pb": (0.01, 0.01, 0.05, 0.05, 0.1),
    "cn": (0.005, 0.05, 0.2, 0.2, 0.2),
    "phenol": (0.002, 0.002, 0.005, 0.01, 0.1),
    "oil": (0.05, 0.05, 0.05, 0.5, 1.0),
    "las": (0.2, 0.2, 0.2, 0.3, 0.3),
    "sulfide": (0.05, 0.1, 0.2, 0.5, 1.0),
    "fcoli": (200, 2000, 10000, 20000, 40000),
}
LAKE = {"tp": (0.01, 0.025, 0.05, 0.1, 0.2), "tn": (0.2, 0.5, 1.0, 1.5, 2.0)}
DO = (7.5, 6, 5, 3, 2)
CLASS_21 = {"ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "cu", "zn", "f", "se", "as", "hg",
            "cd", "cr6", "pb", "cn", "phenol", "oil", "las", "sulfide"}


def expected_upper(value, lims):
    """Best class whose limit admits the value (limits inclusive); 6 = 劣V."""
    for k, lim in enumerate(lims, start=1):
        if value <= lim:
            return k
    return 6


def expected_lower(value, lims):
    for k, lim in enumerate(lims, start=1):
        if value >= lim:
            return k
    return 6


UPPER_CASES = [(code, k) for code in UPPER for k in range(5)]
LAKE_CASES = [(code, k) for code in LAKE for k in range(5)]


@pytest.mark.parametrize("code,k", UPPER_CASES, ids=[f"{c}-{gb3838.CLASS_CODES[k]}" for c, k in UPPER_CASES])
def test_upper_limit_at_and_past_boundary(code, k):
    lims = UPPER[code]
    at = lims[k]
    past = at * 1.001
    got = gb3838.item_class(code, np.array([at, past]), lake=np.array([False, False]))
    assert got[0] == expected_upper(at, lims)
    assert got[1] == expected_upper(past, lims)
    # the value at the limit is in class k or better, just past it is worse than class k
    assert got[0] <= k + 1 < got[1]


@pytest.mark.parametrize("k", range(5))
def test_dissolved_oxygen_is_a_lower_bound(k):
    at, past = DO[k], DO[k] * 0.999
    got = gb3838.item_class("do", [at, past])
    assert got[0] == expected_lower(at, DO) == k + 1
    assert got[1] == expected_lower(past, DO) == k + 2


@pytest.mark.parametrize("code,k", LAKE_CASES, ids=[f"lake-{c}-{gb3838.CLASS_CODES[k]}" for c, k in LAKE_CASES])
def test_lake_limits_at_and_past_boundary(code, k):
    lims = LAKE[code]
    got = gb3838.item_class(code, [lims[k], lims[k] * 1.001], lake=True)
    assert got[0] == k + 1
    assert got[1] == k + 2


def test_lake_and_river_differ_for_tp_and_tn():
    # 0.05 mg/L TP: class II in a river, class III in a lake/reservoir
    got = gb3838.item_class("tp", [0.05, 0.05], lake=np.array([False, True]))
    assert list(got) == [2, 3]
    # 0.15 mg/L TP: river III, lake V
    assert list(gb3838.item_class("tp", [0.15, 0.15], lake=np.array([False, True]))) == [3, 5]
    # TN has limits for lakes/reservoirs only: not classified in rivers
    assert list(gb3838.item_class("tn", [0.8, 0.8], lake=np.array([False, True]))) == [0, 3]
    assert gb3838.limits("tp", lake=False)[2] == 0.2 and gb3838.limits("tp", lake=True)[2] == 0.05


@pytest.mark.parametrize("value,cls", [(6.0, 1), (9.0, 1), (7.2, 1), (5.99, 6), (9.01, 6)])
def test_ph_range_6_to_9(value, cls):
    assert gb3838.item_class("ph", [value])[0] == cls


def test_missing_values_have_no_class():
    assert list(gb3838.item_class("nh3n", [np.nan, 0.1])) == [0, 1]


def test_22_method_uses_21_items():
    assert set(gb3838.class_items()) == CLASS_21
    assert len(gb3838.items()) == 24  # Table 1 has 24 basic items


def test_excluded_items_do_not_set_the_section_class():
    good = {c: [UPPER[c][0] / 2] for c in UPPER if c != "fcoli"}
    good.update(ph=[7.0], do=[8.0])
    frame = pd.DataFrame(good)
    base = gb3838.section_class(gb3838.classify(frame))
    assert base[0] == 1
    bad = frame.assign(wt=[35.0], tn=[9.0], fcoli=[1e6])
    cls = gb3838.classify(bad, lake=np.array([True]))
    assert cls.loc[0, "fcoli"] == 6 and cls.loc[0, "tn"] == 6
    assert gb3838.section_class(cls)[0] == 1
    # ... while any of the 21 items does
    assert gb3838.section_class(gb3838.classify(frame.assign(las=[0.25])))[0] == 4


def test_exceedance_multiple_over_target():
    # NH3-N 1.5 mg/L against class III (1.0): 0.5; against IV (1.5): not exceeded
    m = gb3838.exceedance_multiple("nh3n", [1.5, 1.5, 3.0], [3, 4, 3])
    assert m[0] == pytest.approx(0.5) and np.isnan(m[1]) and m[2] == pytest.approx(2.0)
    # none for DO and pH (环办〔2011〕22号)
    assert np.isnan(gb3838.exceedance_multiple("do", [1.0], [3])).all()
    assert np.isnan(gb3838.exceedance_multiple("ph", [10.0], [3])).all()
    # lakes use the lake limit: TP 0.075 vs lake III 0.05 -> 0.5
    assert gb3838.exceedance_multiple("tp", [0.075], [3], lake=True)[0] == pytest.approx(0.5)


@pytest.mark.parametrize("text,num", [("III", 3), ("Ⅲ", 3), ("III类", 3), ("Ⅲ类", 3), (3, 3), ("3", 3),
                                      ("ii", 2), ("Ⅳ类", 4), ("V", 5), ("I", 1), ("2.0", 2)])
def test_parse_target_class(text, num):
    assert gb3838.parse_class([text])[0] == num


@pytest.mark.parametrize("text", ["劣V", "VI", "6", "", "好"])
def test_parse_target_class_rejects(text):
    assert np.isnan(gb3838.parse_class([text])[0])


@pytest.mark.parametrize("header,code", [
    ("氨氮", "nh3n"), ("氨氮(mg/L)", "nh3n"), ("氨氮（mg/L）", "nh3n"), ("NH3-N", "nh3n"), ("nh3n", "nh3n"),
    ("总磷（以P计）", "tp"), ("溶解氧", "do"), ("DO", "do"), ("高锰酸盐指数", "codmn"), ("CODMn", "codmn"),
    ("化学需氧量", "cod"), ("COD", "cod"), ("五日生化需氧量", "bod5"), ("BOD5", "bod5"), ("总氮", "tn"),
    ("铜", "cu"), ("锌", "zn"), ("氟化物", "f"), ("硒", "se"), ("砷", "as"), ("汞", "hg"), ("镉", "cd"),
    ("六价铬", "cr6"), ("铬(六价)(mg/L)", "cr6"), ("铅", "pb"), ("氰化物", "cn"), ("挥发酚", "phenol"),
    ("石油类", "oil"), ("阴离子表面活性剂", "las"), ("硫化物", "sulfide"), ("粪大肠菌群(个/L)", "fcoli"),
    ("pH", "ph"), ("pH值", "ph"), ("水温(℃)", "wt"), ("备注", None), ("断面名称", None)])
def test_header_matching(header, code):
    assert gb3838.match_item(header) == code


def test_class_and_quality_codes():
    codes = gb3838.class_code([0, 1, 2, 3, 4, 5, 6, np.nan])
    assert list(codes) == [None, "I", "II", "III", "IV", "V", "inferior_V", None]
    q = gb3838.quality_code([0, 1, 2, 3, 4, 5, 6])
    assert list(q) == [None, "excellent", "excellent", "good", "slightly_polluted",
                       "moderately_polluted", "heavily_polluted"]


def test_every_item_and_class_code_has_words_in_both_languages():
    from hn_geo import vocabulary as v

    std = gb3838.standard()
    for code in gb3838.items():
        for lang in ("zh", "en"):
            word = v.word("water.item", code, lang)
            label = v.label(code, lang, "water")
            assert label != code and label.startswith(word)
            assert not v.has_cjk(word + label) or lang == "zh"
        assert v.word("water.item", code, "zh") == std.loc[code, "name_zh"]
        assert v.word("water.item", code, "en") == std.loc[code, "name_en"]
    assert v.label("ph", "zh", "water") == "pH(无量纲)" and v.label("ph", "en", "water") == "pH (dimensionless)"
    for code in gb3838.CLASS_CODES:
        assert v.word("water_class", code, "zh", "water") and v.word("water_class", code, "en", "water")
    assert v.word("water_class", "inferior_V", "en", "water") == "worse than V"
    for code in set(gb3838.QUALITY_CODES):
        assert not v.has_cjk(v.word("quality", code, "en", "water"))


# ---------------------------------------------------------------- monotonicity (property test)
POLLUTANTS = [c for c in gb3838.class_items() if c not in ("do", "ph")]
finite = st.floats(min_value=0.0, max_value=50.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(base=st.lists(finite, min_size=len(POLLUTANTS), max_size=len(POLLUTANTS)),
       do=st.floats(min_value=0.0, max_value=15.0), lake=st.booleans(),
       which=st.integers(min_value=0, max_value=len(POLLUTANTS)),
       factor=st.floats(min_value=1.0, max_value=100.0), add=st.floats(min_value=0.0, max_value=5.0))
def test_more_pollution_never_improves_the_class(base, do, lake, which, factor, add):
    row = dict(zip(POLLUTANTS, base), do=do, ph=7.0)
    worse = dict(row)
    if which == len(POLLUTANTS):  # lower dissolved oxygen instead
        worse["do"] = do / factor - add
    else:
        c = POLLUTANTS[which]
        worse[c] = base[which] * factor + add
    frame = pd.DataFrame([row, worse])
    cls = gb3838.classify(frame, lake=np.array([lake, lake]))
    assert (cls.iloc[1].to_numpy() >= cls.iloc[0].to_numpy()).all()
    sc = gb3838.section_class(cls)
    assert sc[1] >= sc[0]
