"""Progress against the plan's quantified targets: energy dual control, reductions, indicators.

The targets themselves are data (``hn_geo/data/plan_targets.yaml``, every number of the plan with
the exact plan text it comes from). This module reads yearly statistics and compares them:

* :func:`energy_dual_control` — 四.（一） 能耗双控 by town (附件1 basic/incentive targets):
  intensity cut since 2020 after the deductions the plan allows, status, the exemption of towns
  meeting their incentive target from the total-quantity check, and the total-energy allowance.
* :func:`pollutant_reductions` — 四.（二） key-project reductions (NOx 515 t, VOCs 2585 t,
  COD 1200 t, NH3-N 85 t) by pollutant, town and year, with double-counting detection.
* :func:`indicator_progress` — every other target (二, 三, 附件2): actual vs baseline and
  target, status met / on track / behind by linear interpolation from 2020 to 2025.
* :func:`targets_report` — all of the above as one :class:`~hn_geo.results.AnalysisResult`.

Statistics files (a folder, or one XLSX workbook with a sheet per file; CSV UTF-8/GBK or XLSX;
Chinese or English headers; a unit in brackets in a header, e.g. ``综合能耗（万吨标准煤）``, is
converted to the canonical unit with a counted warning):

``town_energy``
    town, year, gdp_wan (GDP at comparable 2020 prices, 万元), energy_tce (total energy use, tce),
    renewable_new (renewable electricity consumption newly added in that year over the previous
    year; tce, or 万kWh converted with ``kwh_factor``), national_listed_tce (energy of nationally
    listed major projects, 国家能耗单列), raw_material_tce (原料用能). The three deductions are
    optional (0 when the column is absent). Year 2020 is the baseline.
``reduction_projects``
    project_id, point_id (enterprise / emission point id; the enterprise name is used when
    absent), town, pollutant (NOx/VOCs/COD/NH3-N or 氮氧化物/挥发性有机物/化学需氧量/氨氮),
    reduction_t (t/a; a ``unit`` column or header unit 万吨/kg is converted), year, measure.
``indicators``
    indicator (target id or Chinese name), year, value, unit (optional).
``reduction_allocations`` (optional)
    town, pollutant, target_t: per-town allocations of the key-project reductions.

Energy rules (plan 四.（一）, quoted in :data:`DEDUCTION_RULE`)
---------------------------------------------------------------
* intensity ``I = (E - N - R) / GDP`` with N nationally listed projects and R raw-material
  energy: "国家能耗单列的重大项目和原料用能，不纳入各镇（街道）能耗强度和总量考核".
* newly added renewable electricity is deducted from the **total** check only: "年度新增的可再生
  能源电力消费量，不纳入各镇（街道）能耗总量考核" — the plan does not exclude it from intensity.
  The total check of year y deducts the increments of 2021..y (the growth over 2020).
* progress fraction ``p = (y - 2020) / 5``; required cut by year y is ``target * p`` (linear, the
  default) or ``1 - (1 - target)**p`` (compound: equal annual rates).
* a town whose cut reaches its incentive target (pro-rated to year y) is exempt from the total
  check ("其能源消费总量在当期能耗双控考核中免予考核").
* total-energy allowance (from GDP growth and the basic target, "根据各镇（街道）生产总值增速
  目标和能耗强度降低基本目标确定年度能源消费总量目标"): the allowed intensity in year y is
  ``I_2020 * (1 - required_basic(y))``, so ``E_allow(y) = E'_2020 * GDP_y / GDP_2020 *
  (1 - required_basic(y))`` with ``E'_2020 = E_2020 - N_2020 - R_2020``. Actual GDP is used, which
  is how "经济增速超过预期目标的地区可相应调整能源消费总量目标" is applied.
"""
from __future__ import annotations

import re
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.legacy import AnalysisResult
from hn_geo.ground.plan import (COMPARATORS, DIRECTIONS, load_targets, targets_path,  # noqa: F401
                               town_targets)
from hn_geo.ground.towns import NAME_BY_CODE, match_towns, town_mapping

BASE_YEAR = 2020
DEADLINE = 2025
PERIOD = DEADLINE - BASE_YEAR

#: tce per 万kWh for renewable electricity given in kWh: the power-generation coal-equivalent
#: method (发电煤耗法) used for primary electricity in China's energy statistics, at the 2020
#: national average coal use of thermal power supply, 305.5 gce/kWh (China Electricity Council).
RENEWABLE_TCE_PER_10MWH = 3.055
#: default tolerance of 'about' (左右) targets, as a fraction of the target value.
ABOUT_TOLERANCE = 0.02

POLLUTANTS = ("NOx", "VOCs", "COD", "NH3-N")
REDUCTION_TARGET_IDS = {"NOx": "nox_reduction", "VOCs": "vocs_reduction", "COD": "cod_reduction",
                        "NH3-N": "nh3n_reduction"}

DEDUCTION_RULE = (
    "四.（一）：“国家能耗单列的重大项目和原料用能，不纳入各镇（街道）能耗强度和总量考核。"
    "年度新增的可再生能源电力消费量，不纳入各镇（街道）能耗总量考核。”")

STATUS = {
    "incentive_met": ("激励目标达标", "incentive target met"),
    "basic_met": ("基本目标达标", "basic target met"),
    "met": ("达标", "met"),
    "on_track": ("进度正常", "on track"),
    "behind": ("进度落后", "behind"),
    "not_met": ("未达标", "not met"),
    "exempt": ("免予考核", "exempt"),
    "within": ("总量达标", "within allowance (met)"),
    "over": ("总量超标", "over allowance (not met)"),
    "no_data": ("无数据", "no data"),
    "no_baseline": ("无基线，仅比对目标值", "no baseline: target value only"),
    "no_allocation": ("未分配", "no allocation"),
    "threshold": ("判定标准（非进度目标）", "criterion (not a progress target)"),
}


def _w(key, lang):
    return STATUS[key][0 if lang == "zh" else 1]


# ============================================================================ reading statistics
ENERGY_UNITS = {"tce": 1.0, "吨标准煤": 1.0, "吨标煤": 1.0, "t标准煤": 1.0, "tce/a": 1.0,
                "万tce": 1e4, "万吨标准煤": 1e4, "万吨标煤": 1e4, "万t标准煤": 1e4, "104tce": 1e4,
                "ktce": 1e3, "千吨标准煤": 1e3, "10^4tce": 1e4, "10ktce": 1e4, "wantce": 1e4}
GDP_UNITS = {"万元": 1.0, "亿元": 1e4, "元": 1e-4, "千元": 0.1, "10kyuan": 1.0, "10^4yuan": 1.0,
             "104yuan": 1.0, "wanyuan": 1.0, "100myuan": 1e4, "yiyuan": 1e4, "yuan": 1e-4,
             "cny": 1e-4, "10kcny": 1.0}
MASS_UNITS = {"t": 1.0, "吨": 1.0, "t/a": 1.0, "吨/年": 1.0, "万吨": 1e4, "万t": 1e4, "万吨/年": 1e4,
              "kg": 1e-3, "千克": 1e-3, "公斤": 1e-3, "kg/a": 1e-3}


def _electricity_units(kwh_factor):
    u = dict(ENERGY_UNITS)
    u.update({"万kwh": kwh_factor, "万千瓦时": kwh_factor, "万度": kwh_factor,
              "亿kwh": 1e4 * kwh_factor, "亿千瓦时": 1e4 * kwh_factor, "亿度": 1e4 * kwh_factor,
              "kwh": kwh_factor / 1e4, "千瓦时": kwh_factor / 1e4, "度": kwh_factor / 1e4,
              "mwh": kwh_factor / 10, "gwh": kwh_factor * 100})
    return u


def _norm_unit(u):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(u))).lower().replace("⁴", "4")


def _norm_head(h):
    h = unicodedata.normalize("NFKC", str(h)).strip().lower()
    return re.sub(r"[\s_\-/（）()\[\]【】:：]", "", h)


_UNIT_RE = re.compile(r"^(.*?)\s*[（(\[【]\s*([^）)\]】]*)\s*[）)\]】]\s*$")


def _split_header(h):
    h = unicodedata.normalize("NFKC", str(h)).strip()
    m = _UNIT_RE.match(h)
    if m and m.group(1):
        return m.group(1), m.group(2)
    return h, None


# canonical -> (dtype, required, aliases (normalised exact), keywords (contained), unit kind)
ENERGY_COLUMNS = {
    "town": ("str", True, ("town", "name", "townname", "镇街道", "镇", "街道", "乡镇", "名称", "地区"),
             ("镇", "town"), None),
    "year": ("int", True, ("year", "年份", "年度", "年"), ("年",), None),
    "gdp_wan": ("float", True, ("gdp", "gdpwan", "gdp万元", "地区生产总值", "生产总值", "gdp可比价"),
                ("生产总值", "gdp"), "gdp"),
    "national_listed_tce": ("float", False, ("nationallisted", "nationallistedtce", "国家单列",
                                             "国家能耗单列", "国家单列项目能耗", "国家能耗单列项目能耗"),
                            ("单列", "national"), "energy"),
    "raw_material_tce": ("float", False, ("rawmaterial", "rawmaterialtce", "feedstock", "原料用能"),
                         ("原料", "raw", "feedstock"), "energy"),
    "renewable_new": ("float", False, ("renewablenew", "renewablenewtce", "newrenewable",
                                       "新增可再生能源电力消费量", "新增可再生能源电力"),
                      ("可再生", "renewable"), "electricity"),
    "energy_tce": ("float", True, ("energy", "energytce", "totalenergy", "totalenergytce",
                                   "能源消费总量", "综合能耗", "能耗总量", "能耗"),
                   ("能源消费", "能耗", "energy"), "energy"),
}
PROJECT_COLUMNS = {
    "project_id": ("str", True, ("projectid", "id", "项目编号", "项目id", "编号"), ("项目编号",), None),
    "point_id": ("str", False, ("pointid", "emissionpointid", "enterpriseid", "排放源编号", "企业编号",
                                "排污许可证编号", "统一社会信用代码"), ("排放源", "pointid"), None),
    "enterprise": ("str", False, ("enterprise", "company", "企业名称", "企业", "排放单位"),
                   ("企业名称", "enterprise"), None),
    "town": ("str", True, ("town", "镇街道", "镇", "街道", "乡镇", "所在镇街道"), ("镇", "town"), None),
    "pollutant": ("str", True, ("pollutant", "污染物", "污染物种类", "因子"), ("污染物", "pollutant"), None),
    "reduction_t": ("float", True, ("reduction", "reductiont", "reductionta", "减排量", "削减量"),
                    ("减排量", "削减量", "reduction"), "mass"),
    "year": ("int", True, ("year", "年份", "年度", "完成年份", "年"), ("年",), None),
    "measure": ("str", True, ("measure", "projecttype", "type", "项目类型", "减排措施", "措施",
                              "工程类型"), ("措施", "类型", "measure", "type"), None),
}
INDICATOR_COLUMNS = {
    "indicator": ("str", True, ("indicator", "id", "targetid", "指标", "指标名称", "指标编号"),
                  ("指标", "indicator"), None),
    "year": ("int", True, ("year", "年份", "年度", "年"), ("年",), None),
    "value": ("float", True, ("value", "actual", "实际值", "数值", "值"), ("实际", "value"), None),
}
ALLOCATION_COLUMNS = {
    "town": ("str", True, ("town", "镇街道", "镇", "街道", "乡镇"), ("镇", "town"), None),
    "pollutant": ("str", True, ("pollutant", "污染物"), ("污染物",), None),
    "target_t": ("float", True, ("target", "targett", "allocation", "减排任务", "分配减排量",
                                 "目标减排量", "减排目标"), ("任务", "目标", "分配", "target"), "mass"),
}


def _unit_column(df):
    for c in df.columns:
        if _norm_head(c) in ("unit", "units", "单位", "计量单位"):
            return c
    return None


def _standardise(df, spec, path, kwh_factor=RENEWABLE_TCE_PER_10MWH, unit_kind_col=None):
    """Map a user table onto canonical columns, convert units and types.

    Returns the canonical DataFrame (plus ``_row``: the 1-based spreadsheet row) and the list of
    canonical columns that were absent.
    """
    heads = list(df.columns)
    parsed = {h: _split_header(h) for h in heads}
    used, found = set(), {}
    # exact aliases first, then keywords, in spec order
    for stage in ("alias", "keyword"):
        for canon, (_dt, _req, aliases, keywords, _uk) in spec.items():
            if canon in found:
                continue
            for h in heads:
                if h in used:
                    continue
                base = _norm_head(parsed[h][0])
                ok = (base == _norm_head(canon) or base in aliases) if stage == "alias" else \
                    any(k in base for k in keywords)
                if ok:
                    found[canon] = h
                    used.add(h)
                    break
    missing_req = [c for c, s in spec.items() if s[1] and c not in found]
    if missing_req:
        raise HnGeoError(f"missing column(s) {', '.join(missing_req)}; columns found: {heads}",
                         path=path)
    out = pd.DataFrame({"_row": np.arange(len(df)) + 2})
    unit_col = _unit_column(df)
    for canon, (dtype, _req, _a, _k, ukind) in spec.items():
        if canon not in found:
            continue
        h = found[canon]
        s = df[h]
        if dtype == "str":
            v = s.astype("string").str.strip()
            out[canon] = v.where(v != "", pd.NA).to_numpy(dtype=object)
            continue
        vals = pd.to_numeric(s, errors="coerce")
        bad = vals.isna().to_numpy() & s.notna().to_numpy() & (s.astype("string").str.strip() != "").fillna(False).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise HnGeoError(f"{int(bad.sum())} value(s) are not numbers (first: {s.iloc[i]!r})",
                             path=path, row=i + 2, field=h)
        if dtype == "int":
            if vals.isna().any():
                i = int(np.flatnonzero(vals.isna().to_numpy())[0])
                raise HnGeoError("empty value", path=path, row=i + 2, field=h)
            if (vals % 1 != 0).any():
                i = int(np.flatnonzero((vals % 1 != 0).to_numpy())[0])
                raise HnGeoError(f"not a whole number: {s.iloc[i]!r}", path=path, row=i + 2, field=h)
            out[canon] = vals.astype(int).to_numpy()
            continue
        vals = vals.astype(float)
        if ukind is not None:
            table = {"energy": ENERGY_UNITS, "gdp": GDP_UNITS, "mass": MASS_UNITS,
                     "electricity": _electricity_units(kwh_factor)}[ukind]
            table = {_norm_unit(k): f for k, f in table.items()}
            unit = parsed[h][1]
            if unit is not None:
                key = _norm_unit(unit)
                if key not in table:  # e.g. "可比价，万元": use the part that is a unit
                    parts = [_norm_unit(x) for x in re.split(r"[,，;；、]", unit)]
                    key = next((x for x in parts if x in table), key)
                if key not in table:
                    raise HnGeoError(f"unknown unit {unit!r} in the header; known: "
                                     f"{', '.join(sorted(set(table)))}", path=path, field=h)
                factor = table[key]
                if factor != 1.0:
                    n = int(vals.notna().sum())
                    warnings.warn(f"{path}: converted {n} value(s) of '{h}' from {unit} to the "
                                  f"canonical unit (×{factor:g})", HnGeoWarning, stacklevel=3)
                    vals = vals * factor
            elif unit_col is not None and (unit_kind_col == canon or (
                    unit_kind_col is None and ukind in ("energy", "mass"))):
                units = df[unit_col].astype("string").fillna("").map(_norm_unit)
                known = units.isin(list(table) + [""])
                if not known.all():
                    i = int(np.flatnonzero(~known.to_numpy())[0])
                    raise HnGeoError(f"unknown unit {df[unit_col].iloc[i]!r}; known: "
                                     f"{', '.join(sorted(set(table)))}", path=path, row=i + 2,
                                     field=unit_col)
                factors = units.map(lambda u: table.get(u, 1.0)).astype(float).to_numpy()
                conv = factors != 1.0
                if conv.any():
                    kinds = sorted(set(df[unit_col][conv].astype(str)))
                    warnings.warn(f"{path}: converted {int(conv.sum())} value(s) of '{h}' given in "
                                  f"{', '.join(kinds)} to the canonical unit", HnGeoWarning,
                                  stacklevel=3)
                vals = vals * factors
        out[canon] = vals.to_numpy()
    if unit_col is not None:
        out["_unit"] = df[unit_col].to_numpy(dtype=object)
    out.attrs["columns"] = found
    return out, [c for c in spec if c not in found]


STAT_FILES = {
    "town_energy": ("镇街道能耗", "能耗"),
    "reduction_projects": ("减排项目", "减排"),
    "indicators": ("指标",),
    "reduction_allocations": ("减排分配", "减排任务分配"),
}


def demo_stats_dir():
    """Folder of the embedded demo statistics (synthetic, see layers/SOURCES.md)."""
    from hn_geo.ground.catalog import layers_dir

    return layers_dir() / "stats"


def _find_stat_file(folder, stem):
    for name in (stem,) + STAT_FILES[stem]:
        for ext in (".csv", ".xlsx", ".xls"):
            p = folder / f"{name}{ext}"
            if p.exists():
                return p
    return None


def read_stats(stats=None, kwh_factor=RENEWABLE_TCE_PER_10MWH):
    """Read the statistics tables from a folder or an XLSX workbook.

    Parameters
    ----------
    stats : str or Path, optional
        Folder holding ``town_energy``, ``reduction_projects``, ``indicators`` and optionally
        ``reduction_allocations`` (``.csv`` or ``.xlsx``; Chinese stems 镇街道能耗, 减排项目, 指标,
        减排分配 accepted), or one ``.xlsx`` workbook with sheets of those names. The embedded
        synthetic demo statistics when omitted.
    kwh_factor : float
        tce per 万kWh for renewable electricity given in kWh units.

    Returns
    -------
    dict
        ``{'town_energy', 'reduction_projects', 'indicators', 'reduction_allocations'}`` ->
        canonical DataFrame or None when absent; ``'sources'`` -> {name: path}.
    """
    from hn_geo.ground import readers as io_r

    src = Path(stats) if stats is not None else demo_stats_dir()
    if not src.exists():
        raise HnGeoError("statistics folder or workbook not found", path=src)
    raw = {}
    if src.is_file():
        if src.suffix.lower() not in (".xlsx", ".xls"):
            raise HnGeoError("--stats must be a folder or an .xlsx workbook", path=src)
        sheets = pd.ExcelFile(src).sheet_names
        for stem, alts in STAT_FILES.items():
            for name in (stem,) + alts:
                if name in sheets:
                    raw[stem] = (io_r.read_table(src, sheet=name), f"{src}[{name}]")
                    break
    else:
        for stem in STAT_FILES:
            p = _find_stat_file(src, stem)
            if p is not None:
                raw[stem] = (io_r.read_table(p), str(p))
    if not raw:
        raise HnGeoError(f"no statistics found; expected files/sheets named {', '.join(STAT_FILES)}",
                         path=src)
    out = {"sources": {k: v[1] for k, v in raw.items()}}
    readers = {"town_energy": lambda d, p: read_town_energy(d, p, kwh_factor),
               "reduction_projects": read_reduction_projects,
               "indicators": read_indicators,
               "reduction_allocations": read_allocations}
    for stem, fn in readers.items():
        out[stem] = fn(*raw[stem]) if stem in raw else None
    out["synthetic"] = any(_is_synthetic(v[0]) for v in raw.values())
    return out


def _is_synthetic(df):
    for c in df.columns:
        if _norm_head(c) in ("note", "notes", "source", "备注", "数据来源", "说明"):
            if df[c].astype("string").str.contains("synthetic|合成", regex=True).fillna(False).any():
                return True
    return False


def _frame(df):
    return df if isinstance(df, pd.DataFrame) else pd.DataFrame(df)


TOTAL_ROW_NAMES = ("全市", "合计", "总计", "小计", "海宁市", "海宁", "total", "sum", "city", "haining")


def _drop_total_rows(df, path):
    """Drop city-total rows (全市, 合计 ...): the analyses compute totals from the towns."""
    names = df["town"].astype("string").str.strip().str.lower()
    total = names.isin(TOTAL_ROW_NAMES).fillna(False).to_numpy()
    if total.any():
        warnings.warn(f"{path}: ignored {int(total.sum())} total row(s) "
                      f"({', '.join(sorted(set(df['town'][total].astype(str))))}; rows "
                      f"{', '.join(map(str, df['_row'][total].head(10)))}): city totals are computed "
                      "from the towns", HnGeoWarning, stacklevel=3)
        df = df[~total].reset_index(drop=True)
        df.attrs = dict(df.attrs)
    return df


def read_town_energy(df, path="town_energy", kwh_factor=RENEWABLE_TCE_PER_10MWH):
    """Validate a town energy table (see module docstring) into canonical columns.

    Raises
    ------
    HnGeoError
        Missing columns, non-numbers, negative energy/deductions, GDP <= 0, duplicate
        town-years, deductions larger than the total, unknown town names.
    """
    df, absent = _standardise(_frame(df), ENERGY_COLUMNS, path, kwh_factor)
    cols = df.attrs["columns"]
    for c in ("energy_tce", "gdp_wan"):
        if df[c].isna().any():
            i = int(np.flatnonzero(df[c].isna().to_numpy())[0])
            raise HnGeoError("empty value", path=path, row=i + 2, field=cols[c])
    df.attrs["absent"] = []
    for c in ("national_listed_tce", "raw_material_tce", "renewable_new"):
        if c in absent:
            df[c] = 0.0
            df.attrs["absent"].append(c)
        elif df[c].isna().any():
            n = int(df[c].isna().sum())
            warnings.warn(f"{path}: {n} empty value(s) of '{cols[c]}' taken as 0", HnGeoWarning,
                          stacklevel=2)
            df[c] = df[c].fillna(0.0)
    for c in ("energy_tce", "national_listed_tce", "raw_material_tce", "renewable_new"):
        neg = (df[c] < 0).to_numpy()
        if neg.any():
            i = int(np.flatnonzero(neg)[0])
            raise HnGeoError(f"negative energy value {df[c].iloc[i]:g} ({int(neg.sum())} row(s))",
                             path=path, row=i + 2, field=cols.get(c, c))
    bad = (df["gdp_wan"] <= 0).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise HnGeoError("GDP must be positive", path=path, row=i + 2, field=cols["gdp_wan"])
    over = (df["national_listed_tce"] + df["raw_material_tce"] > df["energy_tce"]).to_numpy()
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise HnGeoError("nationally listed + raw-material energy exceed the total energy use",
                         path=path, row=i + 2, field=cols["energy_tce"])
    df = _drop_total_rows(df, path)
    df["code"] = match_towns(df["town"], path=str(path), field=cols["town"])
    df.attrs["town_mapping"] = town_mapping(df["town"]).assign(file=str(path))
    df["town"] = df["code"].map(NAME_BY_CODE)
    dup = df.duplicated(["code", "year"], keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise HnGeoError(f"town {df['town'].iloc[i]} has more than one row for year "
                         f"{df['year'].iloc[i]}", path=path, row=i + 2, field=cols["year"])
    df.attrs["path"] = str(path)
    return df


_POLLUTANT_ALIASES = {
    "NOx": ("nox", "氮氧化物", "no2", "nox(以no2计)", "氮氧"),
    "VOCs": ("vocs", "voc", "挥发性有机物", "挥发性有机化合物", "nmhc"),
    "COD": ("cod", "化学需氧量", "codcr", "cod(cr)"),
    "NH3-N": ("nh3-n", "nh3n", "氨氮", "nh3", "ammonia", "ammonianitrogen"),
}
_POLLUTANT_LOOKUP = {re.sub(r"[\s_\-]", "", a): k for k, v in _POLLUTANT_ALIASES.items() for a in v}


def _pollutant(values, path, field, rows):
    norm = (pd.Series(values, dtype="string").fillna("").str.normalize("NFKC").str.lower()
            .str.replace(r"[\s_\-]", "", regex=True))
    out = norm.map(_POLLUTANT_LOOKUP)
    bad = np.flatnonzero(out.isna().to_numpy())
    if bad.size:
        vals = sorted({str(values[i]) for i in bad[:50]})
        raise HnGeoError(f"{bad.size} unknown pollutant value(s) {', '.join(vals)}; use one of "
                         f"{', '.join(POLLUTANTS)} (or 氮氧化物/挥发性有机物/化学需氧量/氨氮)", path=path,
                         row=int(rows[bad[0]]), field=field)
    return out.astype(object).to_numpy()


def read_reduction_projects(df, path="reduction_projects"):
    """Validate a reduction-projects table into canonical columns (see module docstring)."""
    df, absent = _standardise(_frame(df), PROJECT_COLUMNS, path, unit_kind_col="reduction_t")
    cols = df.attrs["columns"]
    if "point_id" in absent and "enterprise" in absent:
        raise HnGeoError("need an enterprise/emission point column (point_id or enterprise) to "
                         "detect double counting", path=path)
    for c in ("point_id", "enterprise"):
        if c in absent:
            df[c] = None
    key = df["point_id"].where(df["point_id"].notna(), df["enterprise"])
    if key.isna().any():
        i = int(np.flatnonzero(key.isna().to_numpy())[0])
        raise HnGeoError("empty enterprise / emission point", path=path, row=i + 2,
                         field=cols.get("point_id", cols.get("enterprise")))
    df["source_key"] = key
    for c in ("project_id", "town", "pollutant", "measure"):
        if df[c].isna().any():
            i = int(np.flatnonzero(df[c].isna().to_numpy())[0])
            raise HnGeoError("empty value", path=path, row=i + 2, field=cols[c])
    if df["reduction_t"].isna().any():
        i = int(np.flatnonzero(df["reduction_t"].isna().to_numpy())[0])
        raise HnGeoError("empty value", path=path, row=i + 2, field=cols["reduction_t"])
    neg = (df["reduction_t"] < 0).to_numpy()
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise HnGeoError("negative reduction", path=path, row=i + 2, field=cols["reduction_t"])
    df["pollutant"] = _pollutant(list(df["pollutant"]), path, cols["pollutant"], df["_row"].to_numpy())
    df = _drop_total_rows(df, path)
    df["code"] = match_towns(df["town"], path=str(path), field=cols["town"])
    df.attrs["town_mapping"] = town_mapping(df["town"]).assign(file=str(path))
    df["town"] = df["code"].map(NAME_BY_CODE)
    df.attrs["path"] = str(path)
    return df


def read_indicators(df, path="indicators", targets=None):
    """Validate an indicator-actuals table; match indicators to target ids.

    The ``indicator`` column holds a target id (``pv_capacity``) or its Chinese/English name. A
    ``unit`` column different from the target's unit is converted when known (万吨/吨,
    万千瓦/千瓦/MW, 万户/户), otherwise an error.
    """
    df, _ = _standardise(_frame(df), INDICATOR_COLUMNS, path)
    cols = df.attrs["columns"]
    targets = load_targets() if targets is None else targets
    key = {}
    for _, t in targets.iterrows():
        for k in (t["id"], t["name"], t["name_en"]):
            key.setdefault(_norm_head(k), t["id"])
    ids = [key.get(_norm_head(v)) if v is not None else None for v in df["indicator"]]
    bad = [i for i, x in enumerate(ids) if x is None]
    if bad:
        names = sorted({str(df["indicator"].iloc[i]) for i in bad})
        raise HnGeoError(f"unknown indicator(s) {', '.join(names)}; use a target id or name from "
                         "plan_targets.yaml (hn-geo targets list)", path=path, row=bad[0] + 2,
                         field=cols["indicator"])
    df["target_id"] = ids
    if df["value"].isna().any():
        i = int(np.flatnonzero(df["value"].isna().to_numpy())[0])
        raise HnGeoError("empty value", path=path, row=i + 2, field=cols["value"])
    df.attrs["path"] = str(path)
    dup = df.duplicated(["target_id", "year"]).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise HnGeoError(f"indicator {df['target_id'].iloc[i]} has more than one value for "
                         f"{df['year'].iloc[i]}", path=path, row=i + 2, field=cols["year"])
    if "_unit" in df.columns:
        tunit = dict(zip(targets["id"], targets["unit"]))
        factors = np.ones(len(df))
        for i, (tid, u) in enumerate(zip(df["target_id"], df["_unit"])):
            if u is None or pd.isna(u) or str(u).strip() in ("", "-"):
                continue
            have, want = _norm_unit(u), _norm_unit(tunit[tid])
            if have == want or (have in ("%", "％") and want == "%"):
                continue
            f = _CONVERTIBLE.get((have, want))
            if f is None:
                raise HnGeoError(f"unit {u!r} cannot be converted to the target's unit "
                                 f"{tunit[tid]!r} of {tid}", path=path, row=i + 2, field="unit")
            factors[i] = f
        conv = factors != 1.0
        if conv.any():
            warnings.warn(f"{path}: converted {int(conv.sum())} indicator value(s) to the targets' "
                          f"units ({', '.join(sorted(set(df['target_id'][conv])))})", HnGeoWarning,
                          stacklevel=2)
            df["value"] = df["value"] * factors
    return df


# (given unit, target unit) -> factor, for indicator values (units normalised by _norm_unit)
_CONVERTIBLE = {("吨", "万吨"): 1e-4, ("t", "万吨"): 1e-4, ("万吨", "吨"): 1e4, ("万t", "吨"): 1e4,
                ("万t", "万吨"): 1.0, ("t", "吨"): 1.0, ("kg", "吨"): 1e-3,
                ("千瓦", "万千瓦"): 1e-4, ("kw", "万千瓦"): 1e-4, ("mw", "万千瓦"): 0.1,
                ("gw", "万千瓦"): 100.0, ("户", "万户"): 1e-4, ("km", "公里"): 1.0,
                ("g/kwh", "克标准煤/千瓦时"): 1.0, ("gce/kwh", "克标准煤/千瓦时"): 1.0,
                ("kgce/t", "千克标准煤/吨"): 1.0, ("kgce/m2", "千克标准煤/平方米"): 1.0,
                ("kgce/人", "千克标准煤/人"): 1.0}


def read_allocations(df, path="reduction_allocations"):
    """Validate per-town reduction allocations (town, pollutant, target_t)."""
    df, _ = _standardise(_frame(df), ALLOCATION_COLUMNS, path, unit_kind_col="target_t")
    cols = df.attrs["columns"]
    df["pollutant"] = _pollutant(list(df["pollutant"]), path, cols["pollutant"], df["_row"].to_numpy())
    df = _drop_total_rows(df, path)
    df["code"] = match_towns(df["town"], path=str(path), field=cols["town"])
    df.attrs["town_mapping"] = town_mapping(df["town"]).assign(file=str(path))
    df["town"] = df["code"].map(NAME_BY_CODE)
    if df["target_t"].isna().any() or (df["target_t"] < 0).any():
        i = int(np.flatnonzero((df["target_t"].isna() | (df["target_t"] < 0)).to_numpy())[0])
        raise HnGeoError("allocation must be a number >= 0", path=path, row=i + 2, field=cols["target_t"])
    dup = df.duplicated(["code", "pollutant"]).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise HnGeoError("town and pollutant given twice", path=path, row=i + 2)
    return df


# ============================================================================ energy dual control
def progress_fraction(year):
    """Share of the 2020-2025 period elapsed by ``year`` (0..1)."""
    return float(np.clip((year - BASE_YEAR) / PERIOD, 0.0, 1.0))


def required_cut(target_pct, year, path="linear"):
    """Cut (%) required by ``year`` on the way to ``target_pct`` in 2025.

    ``path='linear'``: ``target * p``; ``'compound'``: ``1 - (1 - target)**p`` (equal annual
    rates), with ``p = (year - 2020) / 5``.
    """
    p = progress_fraction(year)
    t = np.asarray(target_pct, dtype=float)
    if path == "linear":
        return t * p
    if path == "compound":
        return (1.0 - (1.0 - t / 100.0) ** p) * 100.0
    raise ValueError(f"path must be 'linear' or 'compound', not {path!r}")


def _deduction_text(lang):
    if lang == "zh":
        return ("强度考核扣除：国家能耗单列项目、原料用能；总量考核扣除：国家能耗单列项目、原料用能、"
                "2020年以来新增可再生能源电力消费量")
    return ("intensity: minus nationally listed projects and raw-material energy; total: minus "
            "those and renewable electricity added since 2020")


def energy_dual_control(energy, targets=None, year=None, path="linear", city_target=18.0,
                        lang="zh"):
    """Energy dual control (能耗双控) by town for a reporting year (plan 四.（一）, 附件1).

    Parameters
    ----------
    energy : pandas.DataFrame
        Canonical town energy table (:func:`read_town_energy`): ``code``, ``town``, ``year``,
        ``gdp_wan`` (万元, comparable prices), ``energy_tce``, ``renewable_new`` (tce, added in
        the year), ``national_listed_tce``, ``raw_material_tce``.
    targets : pandas.DataFrame, optional
        :func:`town_targets` (the embedded 附件1 by default).
    year : int, optional
        Reporting year (latest year of the table by default).
    path : {'linear', 'compound'}
        How targets are pro-rated to ``year``.
    city_target : float
        City-wide intensity cut target (%) for the 全市 row (plan 二: 18).
    lang : {'zh', 'en'}
        Language of status words.

    Returns
    -------
    pandas.DataFrame
        One row per official town plus a 全市 (city) row: intensities (tce/万元), cut since 2020
        (%), required cuts, ``intensity_status``, ``exempt``, energy counted in the total check
        (tce), ``allowance_tce``, ``allowance_margin_tce`` (allowance − counted; negative = over),
        ``total_status`` and ``deductions``.

    Warns
    -----
    HnGeoWarning
        Towns without data, or with years missing between 2020 and ``year`` (listed).
    """
    targets = town_targets() if targets is None else targets
    e = energy.copy()
    year = int(e["year"].max()) if year is None else int(year)
    src = energy.attrs.get("path", "town_energy")
    e = e[e["year"] <= year]
    # missing years / towns
    want = set(range(BASE_YEAR, year + 1))
    gaps = []
    for code, grp in e.groupby("code"):
        miss = sorted(want - set(grp["year"]))
        if miss:
            gaps.append(f"{NAME_BY_CODE[code]} ({', '.join(map(str, miss))})")
    absent = [NAME_BY_CODE[c] for c in targets["code"] if c not in set(e["code"])]
    if gaps:
        warnings.warn(f"{src}: {len(gaps)} town(s) miss years between {BASE_YEAR} and {year}: "
                      f"{'; '.join(gaps)}", HnGeoWarning, stacklevel=2)
    if absent:
        warnings.warn(f"{src}: no energy data for {len(absent)} town(s): {', '.join(absent)}",
                      HnGeoWarning, stacklevel=2)
    e = e.sort_values(["code", "year"])
    e["intensity_energy"] = e["energy_tce"] - e["national_listed_tce"] - e["raw_material_tce"]
    # renewable increments of 2021..year (the growth over 2020)
    cum = e[e["year"] > BASE_YEAR].groupby("code")["renewable_new"].sum()
    base = e[e["year"] == BASE_YEAR].set_index("code")
    cur = e[e["year"] == year].set_index("code")
    t = targets.set_index("code")
    rows = pd.DataFrame({"code": list(t.index), "town": [NAME_BY_CODE[c] for c in t.index]})
    rows["year"] = year

    def col(frame, c):
        return rows["code"].map(frame[c]).astype(float).to_numpy()

    def fill(rows, *cols):
        g0, e0, g, eint, energy_tot, nat, raw, ren = (np.asarray(c, dtype=float) for c in cols)
        rows["gdp_2020_wan"] = g0
        rows["gdp_wan"] = g
        rows["energy_tce"] = energy_tot
        rows["national_listed_tce"] = nat
        rows["raw_material_tce"] = raw
        rows["renewable_new_cum_tce"] = ren
        rows["intensity_2020"] = e0 / g0
        rows["intensity"] = eint / g
        rows["intensity_cut_pct"] = (1.0 - rows["intensity"] / rows["intensity_2020"]) * 100.0
        rows["total_checked_tce"] = eint - ren
        return rows

    rows = fill(rows, col(base, "gdp_wan"), col(base, "intensity_energy"), col(cur, "gdp_wan"),
                col(cur, "intensity_energy"), col(cur, "energy_tce"), col(cur, "national_listed_tce"),
                col(cur, "raw_material_tce"),
                np.where(rows["code"].isin(cur.index), rows["code"].map(cum).fillna(0.0), np.nan))
    rows["target_basic"] = t["target_basic"].to_numpy()
    rows["target_incentive"] = t["target_incentive"].to_numpy()
    # city row: sums over towns with both years
    ok = rows["intensity_cut_pct"].notna()
    city = pd.DataFrame({"code": ["330481"], "town": ["全市" if lang == "zh" else "Haining (city)"],
                         "year": [year]})
    sums = rows[ok]
    e0 = float((sums["intensity_2020"] * sums["gdp_2020_wan"]).sum())
    eint = float((sums["intensity"] * sums["gdp_wan"]).sum())
    city = fill(city, [sums["gdp_2020_wan"].sum()], [e0], [sums["gdp_wan"].sum()], [eint],
                [sums["energy_tce"].sum()], [sums["national_listed_tce"].sum()],
                [sums["raw_material_tce"].sum()], [sums["renewable_new_cum_tce"].sum()])
    city["target_basic"] = city_target
    city["target_incentive"] = np.nan
    rows = pd.concat([rows, city], ignore_index=True) if ok.any() else rows
    rows["progress"] = progress_fraction(year)
    rows["required_basic_pct"] = required_cut(rows["target_basic"], year, path)
    rows["required_incentive_pct"] = required_cut(rows["target_incentive"], year, path)
    cut = rows["intensity_cut_pct"].to_numpy()
    final = year >= DEADLINE
    with np.errstate(invalid="ignore"):
        status = np.select(
            [np.isnan(cut), cut >= rows["target_incentive"].to_numpy(),
             cut >= rows["target_basic"].to_numpy(),
             (cut >= rows["required_basic_pct"].to_numpy()) & (not final)],
            [_w("no_data", lang), _w("incentive_met", lang), _w("basic_met", lang), _w("on_track", lang)],
            _w("not_met", lang) if final else _w("behind", lang))
        exempt = cut >= rows["required_incentive_pct"].to_numpy()
        rows["allowance_tce"] = (rows["intensity_2020"] * rows["gdp_2020_wan"] * rows["gdp_wan"]
                                 / rows["gdp_2020_wan"] * (1.0 - rows["required_basic_pct"] / 100.0))
        rows["allowance_margin_tce"] = rows["allowance_tce"] - rows["total_checked_tce"]
        within = rows["allowance_margin_tce"].to_numpy() >= 0
    rows["intensity_status"] = status
    with np.errstate(invalid="ignore"):
        rows["incentive_status"] = np.select(
            [np.isnan(cut) | rows["target_incentive"].isna().to_numpy(),
             cut >= rows["target_incentive"].to_numpy(), exempt & (not final)],
            ["", _w("met", lang), _w("on_track", lang)],
            _w("not_met", lang) if final else _w("behind", lang))
    rows["exempt"] = exempt
    rows["total_status"] = np.select(
        [np.isnan(cut), exempt, within], [_w("no_data", lang), _w("exempt", lang), _w("within", lang)],
        _w("over", lang))
    rows["deductions"] = _deduction_text(lang)
    rows["path"] = path
    order = ["code", "town", "year", "gdp_2020_wan", "gdp_wan", "energy_tce", "national_listed_tce",
             "raw_material_tce", "renewable_new_cum_tce", "intensity_2020", "intensity",
             "intensity_cut_pct", "target_basic", "target_incentive", "progress",
             "required_basic_pct", "required_incentive_pct", "intensity_status", "incentive_status",
             "exempt",
             "total_checked_tce", "allowance_tce", "allowance_margin_tce", "total_status",
             "deductions", "path"]
    return rows[order]


# ============================================================================ reductions
def _norm_text(s):
    return (s.astype("string").fillna("").str.normalize("NFKC").str.replace(r"\s+", "", regex=True)
            .str.lower())


def _first_of_group(keys):
    """Position (in ``keys``) of the first row with the same key, for every row."""
    codes, _ = pd.factorize(keys.to_numpy(dtype=object))
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    return first[inverse]


def find_double_counted(projects, lang="zh"):
    """Flag projects counted twice (plan 四.（二）: 重点核查重复计算).

    A row is a double count when an earlier row has the same ``project_id`` and pollutant (one
    project may legitimately reduce several pollutants, one row each), or the same enterprise /
    emission point, pollutant and measure (text compared after Unicode normalisation, case and
    whitespace folding). The first row is kept.

    Returns
    -------
    keep : numpy.ndarray of bool
        Rows to count.
    table : pandas.DataFrame
        The excluded rows with ``reason`` and ``duplicate_of`` (kept project id and its row).
    """
    p = projects.reset_index(drop=True)
    pid = _norm_text(p["project_id"]) + "|" + p["pollutant"]
    combo = _norm_text(p["source_key"]) + "|" + p["pollutant"] + "|" + _norm_text(p["measure"])
    first_id = _first_of_group(pid)
    dup_id = first_id != np.arange(len(p))
    rest = np.flatnonzero(~dup_id)
    first_combo = np.arange(len(p))
    first_combo[rest] = rest[_first_of_group(combo.iloc[rest])]
    dup_combo = first_combo != np.arange(len(p))
    keep = ~(dup_id | dup_combo)
    ref = np.where(dup_id, first_id, first_combo)
    reason = np.where(dup_id, "重复项目编号（同一污染物）" if lang == "zh" else "same project id and pollutant",
                      "同一企业、污染物和措施" if lang == "zh" else "same enterprise, pollutant and measure")
    bad = ~keep
    table = pd.DataFrame({
        "row": p["_row"].to_numpy()[bad], "project_id": p["project_id"].to_numpy()[bad],
        "point_id": p["source_key"].to_numpy()[bad], "town": p["town"].to_numpy()[bad],
        "pollutant": p["pollutant"].to_numpy()[bad], "reduction_t": p["reduction_t"].to_numpy()[bad],
        "year": p["year"].to_numpy()[bad], "measure": p["measure"].to_numpy()[bad],
        "reason": reason[bad],
        "duplicate_of": (pd.Series(p["project_id"].to_numpy(dtype=object)[ref[bad]], dtype="string")
                         + " (row " + pd.Series(p["_row"].to_numpy()[ref[bad]]).astype("string")
                         + ")").to_numpy(dtype=object),
    })
    return keep, table


def _progress_status(actual, target, expected, final, lang):
    with np.errstate(invalid="ignore"):
        return np.select([np.isnan(target), actual >= target, (actual >= expected) & (not final)],
                         [_w("no_allocation", lang), _w("met", lang), _w("on_track", lang)],
                         _w("not_met", lang) if final else _w("behind", lang))


def pollutant_reductions(projects, year=None, allocations=None, targets=None, lang="zh"):
    """Key-project pollutant reductions against the city targets and town allocations.

    Parameters
    ----------
    projects : pandas.DataFrame
        Canonical reduction projects (:func:`read_reduction_projects`).
    year : int, optional
        Reporting year: projects of 2021..year count (latest project year by default).
    allocations : pandas.DataFrame, optional
        Per-town allocations (:func:`read_allocations`).
    targets : pandas.DataFrame, optional
        :func:`load_targets` (city targets NOx 515 t, VOCs 2585 t, COD 1200 t, NH3-N 85 t).

    Returns
    -------
    dict of str -> pandas.DataFrame
        ``by_pollutant`` (city totals vs targets), ``by_town`` (town × pollutant vs
        allocations), ``by_year`` (year × pollutant, annual and cumulative t) and
        ``double_counted`` (excluded rows).

    Warns
    -----
    HnGeoWarning
        Double-counted rows excluded (counted, with their tonnage); projects outside
        2021-2025 excluded.
    """
    targets = load_targets() if targets is None else targets
    src = projects.attrs.get("path", "reduction_projects")
    p = projects.reset_index(drop=True)
    year = int(p["year"].max()) if year is None else int(year)
    keep, dups = find_double_counted(p, lang)
    if len(dups):
        warnings.warn(f"{src}: excluded {len(dups)} double-counted project row(s) "
                      f"({dups['reduction_t'].sum():.1f} t) from the totals: "
                      + "; ".join(f"row {r} {i} ({why})" for r, i, why in
                                  zip(dups["row"][:10], dups["project_id"][:10], dups["reason"][:10]))
                      + (f" and {len(dups) - 10} more (see the double-counting table)"
                         if len(dups) > 10 else ""),
                      HnGeoWarning, stacklevel=2)
    out_period = ((p["year"] <= BASE_YEAR) | (p["year"] > DEADLINE)).to_numpy()
    if out_period.any():
        warnings.warn(f"{src}: excluded {int(out_period.sum())} project row(s) dated outside "
                      f"{BASE_YEAR + 1}-{DEADLINE} (rows "
                      f"{', '.join(map(str, p['_row'][out_period].head(10)))})", HnGeoWarning,
                      stacklevel=2)
    counted = p[keep & ~out_period]
    upto = counted[counted["year"] <= year]
    final = year >= DEADLINE
    frac = progress_fraction(year)
    tmap = targets.set_index("id")["value"]
    city_t = np.array([tmap.get(REDUCTION_TARGET_IDS[x], np.nan) for x in POLLUTANTS])
    tot = upto.groupby("pollutant")["reduction_t"].sum().reindex(list(POLLUTANTS), fill_value=0.0)
    n = upto.groupby("pollutant").size().reindex(list(POLLUTANTS), fill_value=0)
    by_pol = pd.DataFrame({"pollutant": list(POLLUTANTS), "year": year, "projects": n.to_numpy(),
                           "reduction_t": tot.to_numpy(), "target_t": city_t})
    by_pol["completion_pct"] = by_pol["reduction_t"] / by_pol["target_t"] * 100.0
    by_pol["expected_t"] = by_pol["target_t"] * frac
    by_pol["status"] = _progress_status(by_pol["reduction_t"].to_numpy(), city_t,
                                        by_pol["expected_t"].to_numpy(), final, lang)
    by_pol["excluded_double_t"] = [dups.loc[dups["pollutant"] == x, "reduction_t"].sum()
                                   for x in POLLUTANTS]
    # by town x pollutant
    grid = pd.MultiIndex.from_product([list(NAME_BY_CODE), list(POLLUTANTS)], names=["code", "pollutant"])
    tt = upto.groupby(["code", "pollutant"])["reduction_t"].sum().reindex(grid, fill_value=0.0)
    by_town = tt.reset_index()
    by_town.insert(1, "town", by_town["code"].map(NAME_BY_CODE))
    by_town["year"] = year
    if allocations is not None and len(allocations):
        alloc = allocations.set_index(["code", "pollutant"])["target_t"]
        by_town["target_t"] = [alloc.get((c, x), np.nan) for c, x in zip(by_town["code"], by_town["pollutant"])]
    else:
        by_town["target_t"] = np.nan
    by_town["completion_pct"] = by_town["reduction_t"] / by_town["target_t"] * 100.0
    by_town["expected_t"] = by_town["target_t"] * frac
    by_town["status"] = _progress_status(by_town["reduction_t"].to_numpy(), by_town["target_t"].to_numpy(),
                                         by_town["expected_t"].to_numpy(), final, lang)
    by_town = by_town[(by_town["reduction_t"] > 0) | by_town["target_t"].notna()].reset_index(drop=True)
    # by year
    years = list(range(BASE_YEAR + 1, DEADLINE + 1))
    yy = counted.groupby(["year", "pollutant"])["reduction_t"].sum().unstack("pollutant")
    yy = yy.reindex(index=years, columns=list(POLLUTANTS)).fillna(0.0)
    by_year = yy.stack().rename("reduction_t").reset_index()
    by_year["cumulative_t"] = by_year.groupby("pollutant")["reduction_t"].cumsum()
    by_year["target_t"] = by_year["pollutant"].map(dict(zip(POLLUTANTS, city_t)))
    by_year["expected_t"] = by_year["target_t"] * (by_year["year"] - BASE_YEAR) / PERIOD
    by_year = by_year[by_year["year"] <= max(year, BASE_YEAR + 1)]
    by_year = by_year.sort_values(["pollutant", "year"], key=lambda s: s.map(
        {x: i for i, x in enumerate(POLLUTANTS)}) if s.name == "pollutant" else s).reset_index(drop=True)
    return {"by_pollutant": by_pol, "by_town": by_town, "by_year": by_year, "double_counted": dups}


# ============================================================================ indicators
def _good_is_higher(comparator, direction):
    if comparator in (">=", "reduce_by", "reduce_by_pp", "increase_by"):
        return True
    if comparator == "about":
        return direction == "increase"
    return False


def indicator_progress(actuals=None, targets=None, year=None, computed=None, lang="zh"):
    """Progress of every target against actual values (plan 二, 三, 四, 附件2).

    Parameters
    ----------
    actuals : pandas.DataFrame, optional
        Canonical indicators table (:func:`read_indicators`): ``target_id``, ``year``, ``value``.
    targets : pandas.DataFrame, optional
        :func:`load_targets`.
    year : int, optional
        Reporting year (latest year of ``actuals`` by default, capped at 2025).
    computed : dict, optional
        ``{target_id: (value, source text)}`` computed by other analyses (city intensity cut,
        pollutant totals) used when ``actuals`` has no value for that target in ``year``.

    Returns
    -------
    pandas.DataFrame
        One row per target: baseline, target, actual (latest year <= ``year``), expected value
        for ``year`` on the linear path baseline(2020) -> target(2025), status (met / on track /
        behind, or not met in 2025), and how the actual was obtained.

    Notes
    -----
    * 'reduce_by', 'reduce_by_pp', 'increase_by' and cumulative targets are tracked as the
      change achieved since 2020 (baseline 0), e.g. a cumulative cut of 12 (%).
    * 'about' (左右) targets are met within ``tolerance`` (default 2 % of the target value) on
      the side opposite to ``direction``; e.g. non-fossil share 24 % 左右 is met from 23.52 %.
    * Without a baseline (the plan gives none and no 2020 actual is supplied) only the target
      value is checked; before 2025 such a target gets the status 'no baseline'.
    """
    targets = load_targets() if targets is None else targets
    a = actuals if actuals is not None else pd.DataFrame(columns=["target_id", "year", "value"])
    if year is None:
        year = int(min(a["year"].max(), DEADLINE)) if len(a) else DEADLINE
    year = int(year)
    final = year >= DEADLINE
    computed = computed or {}
    rows = []
    # targets stated twice in the plan (三.（九）/附件2, 三.（十）/附件2) share their actuals
    twin = {}
    for tid, other in zip(targets["id"], targets["same_as"]):
        if isinstance(other, str) and other:
            twin[tid], twin[other] = other, tid
    for _, t in targets.iterrows():
        ids = [t["id"]] + ([twin[t["id"]]] if t["id"] in twin else [])
        mine = a[a["target_id"].isin(ids) & (a["year"] <= year)].sort_values("year")
        mine = mine[~mine["year"].duplicated(keep="last")] if len(mine) else mine
        actual, ayear, how = np.nan, None, ""
        if len(mine) and int(mine["year"].iloc[-1]) == year or (len(mine) and t["id"] not in computed):
            actual, ayear = float(mine["value"].iloc[-1]), int(mine["year"].iloc[-1])
            how = "统计表" if lang == "zh" else "statistics table"
        elif t["id"] in computed:
            actual, ayear, how = float(computed[t["id"]][0]), year, computed[t["id"]][1]
        change = t["comparator"] in ("reduce_by", "reduce_by_pp", "increase_by") or t["cumulative"]
        if change:
            base = 0.0
        elif pd.notna(t["baseline_value"]):
            base = float(t["baseline_value"])
        else:
            b = a[a["target_id"].isin(ids) & (a["year"] == BASE_YEAR)]
            base = float(b["value"].iloc[0]) if len(b) else np.nan
        v = float(t["value"])
        higher = _good_is_higher(t["comparator"], t["direction"])
        tol = 0.0
        if t["comparator"] == "about":
            tol = float(t["tolerance"]) if pd.notna(t["tolerance"]) else ABOUT_TOLERANCE * abs(v)
        frac = progress_fraction(year)
        expected = base + (v - base) * frac if not np.isnan(base) else np.nan
        if t["kind"] == "threshold":
            status = _w("threshold", lang)
        elif np.isnan(actual):
            status = _w("no_data", lang)
        else:
            if t["comparator"] == "<":
                met = actual < v
            elif higher:
                met = actual >= v - tol
            else:
                met = actual <= v + tol
            if met:
                status = _w("met", lang)
            elif final:
                status = _w("not_met", lang)
            elif np.isnan(expected):
                status = _w("no_baseline", lang)
            elif (actual >= expected - tol) if higher else (actual <= expected + tol):
                status = _w("on_track", lang)
            else:
                status = _w("behind", lang)
        rows.append({
            "id": t["id"], "clause": t["clause"], "name": t["name"] if lang == "zh" else t["name_en"],
            "unit": t["unit"], "comparator": t["comparator"],
            "baseline": base, "target": v, "tolerance": tol if tol else np.nan, "year": year,
            "actual": actual, "actual_year": ayear, "expected": expected,
            "gap_to_target": (v - actual) if not np.isnan(actual) else np.nan,
            "status": status, "actual_source": how, "responsible": t["responsible"],
        })
    out = pd.DataFrame(rows)
    out["actual_year"] = out["actual_year"].astype("Int64")
    return out


# ============================================================================ report
LABELS = {
    "code": ("乡镇代码", "township code"), "town": ("镇（街道）", "town"), "year": ("年份", "year"),
    "gdp_2020_wan": ("2020年地区生产总值（可比价，万元）", "GDP 2020 (comparable, 10k yuan)"),
    "gdp_wan": ("地区生产总值（可比价，万元）", "GDP (comparable, 10k yuan)"),
    "energy_tce": ("能源消费总量（吨标准煤）", "total energy use (tce)"),
    "national_listed_tce": ("国家能耗单列项目能耗（吨标准煤）", "nationally listed projects (tce)"),
    "raw_material_tce": ("原料用能（吨标准煤）", "raw-material energy (tce)"),
    "renewable_new_cum_tce": ("2020年以来新增可再生能源电力（吨标准煤）",
                              "renewable electricity added since 2020 (tce)"),
    "intensity_2020": ("2020年能耗强度（吨标准煤/万元）", "intensity 2020 (tce/10k yuan)"),
    "intensity": ("能耗强度（吨标准煤/万元）", "intensity (tce/10k yuan)"),
    "intensity_cut_pct": ("能耗强度较2020年降低（%）", "intensity cut since 2020 (%)"),
    "target_basic": ("基本目标（%）", "basic target (%)"),
    "target_incentive": ("激励目标（%）", "incentive target (%)"),
    "progress": ("时序进度", "share of period elapsed"),
    "required_basic_pct": ("基本目标时序要求（%）", "basic target pro-rated (%)"),
    "required_incentive_pct": ("激励目标时序要求（%）", "incentive target pro-rated (%)"),
    "intensity_status": ("强度目标完成情况", "intensity status"),
    "incentive_status": ("激励目标进度", "incentive target progress"),
    "exempt": ("总量免予考核", "exempt from total check"),
    "total_checked_tce": ("纳入总量考核能耗（吨标准煤）", "energy counted in total check (tce)"),
    "allowance_tce": ("能源消费总量目标（吨标准煤）", "total-energy allowance (tce)"),
    "allowance_margin_tce": ("总量余量（吨标准煤，负为超出）", "allowance margin (tce, negative = over)"),
    "total_status": ("总量考核情况", "total-quantity status"),
    "deductions": ("扣除项", "deductions applied"), "path": ("时序分解方式", "pro-rating path"),
    "pollutant": ("污染物", "pollutant"), "projects": ("项目数", "projects"),
    "reduction_t": ("减排量（吨）", "reduction (t)"), "target_t": ("目标减排量（吨）", "target (t)"),
    "completion_pct": ("完成率（%）", "completion (%)"),
    "expected_t": ("时序进度要求（吨）", "expected by year (t)"),
    "status": ("完成情况", "status"),
    "excluded_double_t": ("剔除重复计算（吨）", "double counting excluded (t)"),
    "cumulative_t": ("累计减排量（吨）", "cumulative reduction (t)"),
    "row": ("文件行号", "file row"), "project_id": ("项目编号", "project id"),
    "point_id": ("企业/排放源", "enterprise / emission point"), "measure": ("减排措施", "measure"),
    "reason": ("重复原因", "reason"), "duplicate_of": ("与之重复的项目", "duplicate of"),
    "id": ("指标编号", "target id"), "clause": ("方案条款", "plan clause"), "name": ("指标", "indicator"),
    "unit": ("单位", "unit"), "comparator": ("目标类型", "comparator"),
    "baseline": ("基线值（2020年）", "baseline (2020)"), "target": ("目标值（2025年）", "target (2025)"),
    "tolerance": ("“左右”容差", "tolerance of 'about'"), "actual": ("实际值", "actual"),
    "actual_year": ("实际值年份", "year of actual"),
    "expected": ("时序进度应达值", "expected by year"), "gap_to_target": ("距目标差距", "gap to target"),
    "actual_source": ("实际值来源", "source of actual"), "responsible": ("责任单位", "responsible units"),
    "input": ("输入名称", "input name"), "method": ("匹配方式", "match method"),
    "file": ("文件", "file"),
    "value": ("目标值", "target value"), "quote": ("方案原文", "plan text"),
    "name_en": ("英文名", "English name"), "topic": ("领域", "topic"),
    "direction": ("方向", "direction"), "baseline_year": ("基准年", "baseline year"),
    "baseline_value": ("基准值", "baseline value"), "deadline": ("完成年限", "deadline"),
    "kind": ("类别", "kind"),
}

STATUS_COLUMNS = ("intensity_status", "incentive_status", "total_status", "status")


def _default_towns_layer():
    from hn_geo.ground.catalog import default_path, load_layer

    if not default_path("towns").exists():
        return None
    return load_layer("towns")


def targets_report(stats=None, year=None, towns=None, path="linear", lang="zh",
                   kwh_factor=RENEWABLE_TCE_PER_10MWH, targets_file=None):
    """Progress against the plan's targets: energy, reductions, indicators, by town.

    Parameters
    ----------
    stats : str, Path or dict, optional
        A statistics folder/workbook (:func:`read_stats`) or its already-read dict. The
        embedded synthetic demo statistics when omitted.
    year : int, optional
        Reporting year (latest year of the energy table, else of the other tables).
    towns : geopandas.GeoDataFrame, optional
        Towns layer for the map layer (the embedded ``towns`` layer by default).
    path : {'linear', 'compound'}
        How the 2025 targets are pro-rated to ``year``.
    lang : {'zh', 'en'}
        Language of status words and text values.

    Returns
    -------
    AnalysisResult
        Tables ``targets_energy``, ``targets_reductions``, ``targets_reductions_town``,
        ``targets_reductions_year``, ``targets_double_counted``, ``targets_indicators``,
        ``targets_list``; layer ``towns`` with each town's energy figures.
    """
    data = stats if isinstance(stats, dict) else read_stats(stats, kwh_factor=kwh_factor)
    tlist = load_targets(targets_file)
    ttown = town_targets(targets_file)
    notes = [DEDUCTION_RULE if lang == "zh" else
             "Plan 四.（一）: nationally listed major projects and raw-material energy are excluded "
             "from both the intensity and the total check; newly added renewable electricity is "
             "excluded from the total check only.",
             ("时序进度：线性分解（目标 × (年份−2020)/5）" if path == "linear" else
              "时序进度：复合分解（1 − (1 − 目标)^((年份−2020)/5)）") if lang == "zh" else
             f"targets pro-rated to the year on a {path} path from 2020 to 2025"]
    if data.get("synthetic"):
        notes.append("注意：使用的是合成演示统计数据（scripts/make_demo_stats.py），不是实际统计。"
                     if lang == "zh" else "NOTE: synthetic demo statistics (scripts/make_demo_stats.py), "
                     "not real statistics.")
    if year is None:
        for k in ("town_energy", "reduction_projects", "indicators"):
            if data.get(k) is not None and len(data[k]):
                year = int(min(data[k]["year"].max(), DEADLINE))
                break
    year = int(year)
    tables, computed, summary = {}, {}, {}
    if data.get("town_energy") is not None:
        en = energy_dual_control(data["town_energy"], ttown, year, path=path, lang=lang)
        tables["targets_energy"] = en
        absent = data["town_energy"].attrs.get("absent", [])
        if absent:
            notes.append(f"town_energy: column(s) {', '.join(absent)} absent, taken as 0")
        city = en[en["code"] == "330481"]
        if len(city) and pd.notna(city["intensity_cut_pct"].iloc[0]):
            computed["energy_intensity_cut"] = (float(city["intensity_cut_pct"].iloc[0]),
                                                "镇街道能耗汇总" if lang == "zh" else "town energy totals")
        towns_only = en[en["code"] != "330481"]
        summary["exempt towns" if lang == "en" else "总量免予考核镇（街道）数"] = int(towns_only["exempt"].sum())
        summary["towns behind" if lang == "en" else "强度进度落后/未达标镇（街道）数"] = int(
            towns_only["intensity_status"].isin([_w("behind", lang), _w("not_met", lang)]).sum())
    if data.get("reduction_projects") is not None:
        red = pollutant_reductions(data["reduction_projects"], year, data.get("reduction_allocations"),
                                   tlist, lang)
        tables["targets_reductions"] = red["by_pollutant"]
        tables["targets_reductions_town"] = red["by_town"]
        tables["targets_reductions_year"] = red["by_year"]
        tables["targets_double_counted"] = red["double_counted"]
        for pol, tot in zip(red["by_pollutant"]["pollutant"], red["by_pollutant"]["reduction_t"]):
            computed[REDUCTION_TARGET_IDS[pol]] = (float(tot), "减排项目汇总" if lang == "zh"
                                                   else "reduction projects totals")
        summary["double-counted rows" if lang == "en" else "重复计算项目行数"] = len(red["double_counted"])
    maps = [data[k].attrs["town_mapping"] for k in ("town_energy", "reduction_projects",
                                                     "reduction_allocations")
            if data.get(k) is not None and "town_mapping" in data[k].attrs]
    if maps:
        tm = pd.concat(maps, ignore_index=True)
        if lang == "zh":
            tm["method"] = tm["method"].map({"exact": "完全一致", "variant": "简称/变体（已映射）",
                                             "pinyin": "拼音（已映射）", "code": "代码（已映射）",
                                             "unknown": "未知"})
        tables["targets_town_names"] = tm[["file", "input", "code", "town", "method"]]
    ind = indicator_progress(data.get("indicators"), tlist, year, computed, lang)
    tables["targets_indicators"] = ind
    tables["targets_list"] = tlist[["id", "clause", "name", "name_en", "topic", "kind", "value", "unit",
                                    "comparator", "direction", "baseline_year", "baseline_value",
                                    "deadline", "responsible", "quote"]]
    summary["year" if lang == "en" else "报告年份"] = year
    layers = {}
    if "targets_energy" in tables:
        gdf = towns if towns is not None else _default_towns_layer()
        if gdf is None:
            warnings.warn("no towns layer (layers/towns.gpkg missing): the map layer is not written",
                          HnGeoWarning, stacklevel=2)
        else:
            en = tables["targets_energy"]
            keep = ["code", "intensity_cut_pct", "target_basic", "target_incentive",
                    "required_basic_pct", "intensity_status", "exempt", "allowance_margin_tce",
                    "total_status"]
            g = gdf[["code", "name"] + (["approximate"] if "approximate" in gdf.columns else [])
                    + ["geometry"]].rename(columns={"name": "town"})
            layers["towns"] = g.merge(en[keep], on="code", how="left")
        yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
        tables["targets_energy"] = en.assign(exempt=np.where(en["exempt"], yes, no))
    return AnalysisResult(name="targets", tables=tables, layers=layers, labels=dict(LABELS),
                          status_columns=STATUS_COLUMNS, summary=summary, notes=notes)


#: short alias used by the batch pipeline's docs
report = targets_report
