"""Columns of the town statistics files: accepted headers, units, pollutant names, standardisation.

Each statistics table (``town_energy``, ``reduction_projects``, ``indicators``,
``reduction_allocations``) has a spec: canonical column -> :class:`Column` (dtype, required,
exact header aliases, keywords a header may contain, unit kind). :func:`standardise` maps a
user's table (Chinese or English headers; a unit in brackets, e.g.
``综合能耗（万吨标准煤）``, or a ``unit``/``单位`` column) onto the canonical columns and
converts the values to the canonical unit with a counted warning. ``hn-geo targets columns``
prints these specs.
"""
from __future__ import annotations

import re
import unicodedata
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.results import Word


class Column(NamedTuple):
    """One canonical column of a statistics table.

    Attributes
    ----------
    dtype : {'str', 'int', 'float'}
    required : bool
    aliases : tuple of str
        Headers accepted exactly (compared normalised: NFKC, lower case, no spaces,
        brackets or separators).
    keywords : tuple of str
        Words a header may contain (tried after every exact alias).
    unit_kind : {'energy', 'gdp', 'mass', 'electricity'} or None
        Which unit table converts the values.
    """

    dtype: str
    required: bool
    aliases: tuple
    keywords: tuple
    unit_kind: str | None


ENERGY_UNITS = {"tce": 1.0, "吨标准煤": 1.0, "吨标煤": 1.0, "t标准煤": 1.0, "tce/a": 1.0,
                "万tce": 1e4, "万吨标准煤": 1e4, "万吨标煤": 1e4, "万t标准煤": 1e4, "104tce": 1e4,
                "ktce": 1e3, "千吨标准煤": 1e3, "10^4tce": 1e4, "10ktce": 1e4, "wantce": 1e4}
"""Energy units -> factor to tce."""
GDP_UNITS = {"万元": 1.0, "亿元": 1e4, "元": 1e-4, "千元": 0.1, "10kyuan": 1.0, "10^4yuan": 1.0,
             "104yuan": 1.0, "wanyuan": 1.0, "100myuan": 1e4, "yiyuan": 1e4, "yuan": 1e-4,
             "cny": 1e-4, "10kcny": 1.0}
"""Money units -> factor to 万元."""
MASS_UNITS = {"t": 1.0, "吨": 1.0, "t/a": 1.0, "吨/年": 1.0, "万吨": 1e4, "万t": 1e4, "万吨/年": 1e4,
              "kg": 1e-3, "千克": 1e-3, "公斤": 1e-3, "kg/a": 1e-3}
"""Mass units -> factor to t."""


def electricity_units(kwh_factor):
    """Energy units plus electricity units converted with ``kwh_factor`` [tce per 万kWh]."""
    if kwh_factor is None:
        raise ValueError("kwh_factor is needed to convert electricity units")
    u = dict(ENERGY_UNITS)
    u.update({"万kwh": kwh_factor, "万千瓦时": kwh_factor, "万度": kwh_factor,
              "亿kwh": 1e4 * kwh_factor, "亿千瓦时": 1e4 * kwh_factor, "亿度": 1e4 * kwh_factor,
              "kwh": kwh_factor / 1e4, "千瓦时": kwh_factor / 1e4, "度": kwh_factor / 1e4,
              "mwh": kwh_factor / 10, "gwh": kwh_factor * 100})
    return u


def norm_unit(u):
    """A unit as compared: NFKC, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(u))).lower().replace("⁴", "4")


def norm_head(h):
    """A header (or name) as compared: NFKC, lower case, no spaces, brackets or separators."""
    h = unicodedata.normalize("NFKC", str(h)).strip().lower()
    return re.sub(r"[\s_\-/（）()\[\]【】:：]", "", h)


_UNIT_RE = re.compile(r"^(.*?)\s*[（(\[【]\s*([^）)\]】]*)\s*[）)\]】]\s*$")


def split_header(h):
    """``'能耗（万吨标准煤）'`` -> ``('能耗', '万吨标准煤')``; no unit -> ``(h, None)``."""
    h = unicodedata.normalize("NFKC", str(h)).strip()
    m = _UNIT_RE.match(h)
    if m and m.group(1):
        return m.group(1), m.group(2)
    return h, None


_TOWN = ("town", "镇街道", "镇", "街道", "乡镇")
ENERGY_COLUMNS = {
    "town": Column("str", True, _TOWN + ("name", "townname", "名称", "地区"), ("镇", "town"), None),
    "year": Column("int", True, ("year", "年份", "年度", "年"), ("年",), None),
    "gdp_wan": Column("float", True, ("gdp", "gdpwan", "gdp万元", "地区生产总值", "生产总值", "gdp可比价"),
                      ("生产总值", "gdp"), "gdp"),
    "national_listed_tce": Column("float", False, ("nationallisted", "nationallistedtce", "国家单列",
                                                   "国家能耗单列", "国家单列项目能耗", "国家能耗单列项目能耗"),
                                  ("单列", "national"), "energy"),
    "raw_material_tce": Column("float", False, ("rawmaterial", "rawmaterialtce", "feedstock", "原料用能"),
                               ("原料", "raw", "feedstock"), "energy"),
    "renewable_new": Column("float", False, ("renewablenew", "renewablenewtce", "newrenewable",
                                             "新增可再生能源电力消费量", "新增可再生能源电力"),
                            ("可再生", "renewable"), "electricity"),
    "energy_tce": Column("float", True, ("energy", "energytce", "totalenergy", "totalenergytce",
                                         "能源消费总量", "综合能耗", "能耗总量", "能耗"),
                         ("能源消费", "能耗", "energy"), "energy"),
}
PROJECT_COLUMNS = {
    "project_id": Column("str", True, ("projectid", "id", "项目编号", "项目id", "编号"), ("项目编号",), None),
    "point_id": Column("str", False, ("pointid", "emissionpointid", "enterpriseid", "排放源编号", "企业编号",
                                      "排污许可证编号", "统一社会信用代码"), ("排放源", "pointid"), None),
    "enterprise": Column("str", False, ("enterprise", "company", "企业名称", "企业", "排放单位"),
                         ("企业名称", "enterprise"), None),
    "town": Column("str", True, _TOWN + ("所在镇街道",), ("镇", "town"), None),
    "pollutant": Column("str", True, ("pollutant", "污染物", "污染物种类", "因子"), ("污染物", "pollutant"), None),
    "reduction_t": Column("float", True, ("reduction", "reductiont", "reductionta", "减排量", "削减量"),
                          ("减排量", "削减量", "reduction"), "mass"),
    "year": Column("int", True, ("year", "年份", "年度", "完成年份", "年"), ("年",), None),
    "measure": Column("str", True, ("measure", "projecttype", "type", "项目类型", "减排措施", "措施",
                                    "工程类型"), ("措施", "类型", "measure", "type"), None),
}
INDICATOR_COLUMNS = {
    "indicator": Column("str", True, ("indicator", "id", "targetid", "指标", "指标名称", "指标编号"),
                        ("指标", "indicator"), None),
    "year": Column("int", True, ("year", "年份", "年度", "年"), ("年",), None),
    "value": Column("float", True, ("value", "actual", "实际值", "数值", "值"), ("实际", "value"), None),
}
ALLOCATION_COLUMNS = {
    "town": Column("str", True, _TOWN, ("镇", "town"), None),
    "pollutant": Column("str", True, ("pollutant", "污染物"), ("污染物",), None),
    "target_t": Column("float", True, ("target", "targett", "allocation", "减排任务", "分配减排量",
                                       "目标减排量", "减排目标"), ("任务", "目标", "分配", "target"), "mass"),
}
SPECS = {"town_energy": ENERGY_COLUMNS, "reduction_projects": PROJECT_COLUMNS,
         "indicators": INDICATOR_COLUMNS, "reduction_allocations": ALLOCATION_COLUMNS}
"""Statistics table -> its column spec (printed by ``hn-geo targets columns``)."""
UNIT_COLUMN_NAMES = ("unit", "units", "单位", "计量单位")


def _unit_column(df):
    for c in df.columns:
        if norm_head(c) in UNIT_COLUMN_NAMES:
            return c
    return None


def _match_headers(heads, spec):
    """Canonical column -> header: exact aliases first, then keywords, in spec order."""
    used, found = set(), {}
    for stage in ("alias", "keyword"):
        for canon, col in spec.items():
            if canon in found:
                continue
            for h in heads:
                if h in used:
                    continue
                base = norm_head(split_header(h)[0])
                if stage == "alias":
                    ok = base == norm_head(canon) or base in col.aliases
                else:
                    ok = any(k in base for k in col.keywords)
                if ok:
                    found[canon] = h
                    used.add(h)
                    break
    return found


def _numbers(s, path, head, dtype):
    """Numeric values of a text column; errors name the row of the first bad cell."""
    vals = pd.to_numeric(s, errors="coerce")
    text = s.astype("string").str.strip()
    bad = vals.isna().to_numpy() & s.notna().to_numpy() & (text != "").fillna(False).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise HnGeoError(code="targets.not_numbers", params={"n": int(bad.sum()), "first": str(s.iloc[i])},
                         path=path, row=i + 2, field=head)
    if dtype != "int":
        return vals.astype(float)
    if vals.isna().any():
        i = int(np.flatnonzero(vals.isna().to_numpy())[0])
        raise HnGeoError(code="targets.empty_value", path=path, row=i + 2, field=head)
    frac = (vals % 1 != 0).to_numpy()
    if frac.any():
        i = int(np.flatnonzero(frac)[0])
        raise HnGeoError(code="targets.not_whole", params={"value": str(s.iloc[i])}, path=path,
                         row=i + 2, field=head)
    return vals.astype(int)


def _unit_table(kind, kwh_factor):
    if kind == "electricity":
        table = electricity_units(kwh_factor)
    else:
        table = {"energy": ENERGY_UNITS, "gdp": GDP_UNITS, "mass": MASS_UNITS}[kind]
    return {norm_unit(k): f for k, f in table.items()}


def _header_factor(unit, table, path, head):
    """Factor of a unit written in a header; 'known' lists the accepted units."""
    key = norm_unit(unit)
    if key not in table:  # e.g. "可比价，万元": use the part that is a unit
        parts = [norm_unit(x) for x in re.split(r"[,，;；、]", unit)]
        key = next((x for x in parts if x in table), key)
    if key not in table:
        raise HnGeoError(code="targets.unknown_unit", params={"unit": unit, "known": sorted(set(table))},
                         path=path, field=head)
    return table[key]


def _column_factors(df, unit_col, table, path):
    """Per-row factors from a unit column (empty unit: canonical)."""
    units = df[unit_col].astype("string").fillna("").map(norm_unit)
    known = units.isin(list(table) + [""])
    if not known.all():
        i = int(np.flatnonzero(~known.to_numpy())[0])
        raise HnGeoError(code="targets.unknown_unit",
                         params={"unit": str(df[unit_col].iloc[i]), "known": sorted(set(table))},
                         path=path, row=i + 2, field=unit_col)
    return units.map(lambda u: table.get(u, 1.0)).astype(float).to_numpy()


def _convert(vals, df, head, col, canon, ctx):
    """Values of one numeric column in its canonical unit (warns when converted)."""
    path, kwh_factor, unit_col, unit_kind_col = ctx
    table = _unit_table(col.unit_kind, kwh_factor)
    unit = split_header(head)[1]
    if unit is not None:
        factor = _header_factor(unit, table, path, head)
        if factor != 1.0:
            warnings.warn(HnGeoWarning("targets.converted_header_unit", path=path,
                                       n=int(vals.notna().sum()), column=head, unit=unit, factor=factor),
                          stacklevel=4)
            vals = vals * factor
        return vals
    uses_column = unit_kind_col == canon or (unit_kind_col is None and col.unit_kind in ("energy", "mass"))
    if unit_col is None or not uses_column:
        return vals
    factors = _column_factors(df, unit_col, table, path)
    conv = factors != 1.0
    if conv.any():
        kinds = sorted(set(df[unit_col][conv].astype(str)))
        warnings.warn(HnGeoWarning("targets.converted_unit_column", path=path, n=int(conv.sum()),
                                   column=head, units=kinds), stacklevel=4)
    return vals * factors


def standardise(df, spec, path, *, kwh_factor=None, unit_kind_col=None):
    """Map a user table onto canonical columns, convert units and types.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read (text cells).
    spec : dict
        Canonical column -> :class:`Column` (e.g. :data:`ENERGY_COLUMNS`).
    path : str
        The file, for messages.
    kwh_factor : float, optional
        tce per 万kWh for electricity units (needed by specs with an electricity column).
    unit_kind_col : str, optional
        The one canonical column a ``unit`` column applies to (default: every energy and
        mass column).

    Returns
    -------
    (pandas.DataFrame, list of str)
        The canonical frame (plus ``_row``: the 1-based spreadsheet row, and ``_unit`` when the
        table has a unit column; ``attrs['columns']``: canonical -> header) and the canonical
        columns that were absent.

    Raises
    ------
    HnGeoError
        Missing required columns, non-numbers, unknown units.
    """
    heads = list(df.columns)
    found = _match_headers(heads, spec)
    missing = [c for c, col in spec.items() if col.required and c not in found]
    if missing:
        raise HnGeoError(code="targets.missing_columns", params={"columns": missing, "found": heads},
                         path=path)
    out = pd.DataFrame({"_row": np.arange(len(df)) + 2})
    unit_col = _unit_column(df)
    ctx = (path, kwh_factor, unit_col, unit_kind_col)
    for canon, col in spec.items():
        if canon not in found:
            continue
        head = found[canon]
        s = df[head]
        if col.dtype == "str":
            v = s.astype("string").str.strip()
            out[canon] = v.where(v != "", pd.NA).to_numpy(dtype=object)
            continue
        vals = _numbers(s, path, head, col.dtype)
        if col.dtype == "float" and col.unit_kind is not None:
            vals = _convert(vals, df, head, col, canon, ctx)
        out[canon] = vals.to_numpy()
    if unit_col is not None:
        out["_unit"] = df[unit_col].to_numpy(dtype=object)
    out.attrs["columns"] = found
    return out, [c for c in spec if c not in found]


POLLUTANTS = ("nox", "vocs", "cod", "nh3n")
"""Pollutants of the plan's key-project reduction targets (四.（二）), codes of ``pollutant``."""
_POLLUTANT_ALIASES = {
    "nox": ("nox", "氮氧化物", "no2", "nox(以no2计)", "氮氧"),
    "vocs": ("vocs", "voc", "挥发性有机物", "挥发性有机化合物", "nmhc"),
    "cod": ("cod", "化学需氧量", "codcr", "cod(cr)"),
    "nh3n": ("nh3-n", "nh3n", "氨氮", "nh3", "ammonia", "ammonianitrogen"),
}
_POLLUTANT_LOOKUP = {re.sub(r"[\s_\-]", "", a): k for k, v in _POLLUTANT_ALIASES.items() for a in v}


def _pollutant_code(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    key = re.sub(r"[\s_\-]", "", unicodedata.normalize("NFKC", str(value)).strip().lower())
    code = _POLLUTANT_LOOKUP.get(key) or vocabulary.code_of("pollutant", value)
    return code if code in POLLUTANTS else None


def pollutant_codes(values, path, field, rows):
    """Pollutant names (NOx, 氮氧化物, nox(以NO2计) ...) -> codes of :data:`POLLUTANTS`.

    Raises
    ------
    HnGeoError
        Names of other pollutants or unknown names (listed, with the first row).
    """
    values = list(values)
    lookup = {v: _pollutant_code(v) for v in dict.fromkeys(values)}
    out = np.array([lookup[v] for v in values], dtype=object)
    bad = np.flatnonzero(pd.isna(out))
    if bad.size:
        names = sorted({str(values[i]) for i in bad[:50]})
        raise HnGeoError(code="targets.unknown_pollutant",
                         params={"n": int(bad.size), "values": names,
                                 "known": [Word("pollutant", p) for p in POLLUTANTS]},
                         path=path, row=int(rows[bad[0]]), field=field)
    return out
