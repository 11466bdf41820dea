"""Town statistics for the plan-targets analysis: read, checked, town names matched.

Statistics come as a folder, or one XLSX workbook with a sheet per table (CSV UTF-8/GBK or
XLSX; Chinese or English headers; a unit in brackets in a header, e.g.
``综合能耗（万吨标准煤）``, is converted to the canonical unit with a counted warning). Town
names are matched to the official 9-digit codes here, on input (:func:`hn_geo.ground.towns.match_towns`),
and pollutant names (NOx or 氮氧化物 ...) mapped to the codes of the ``pollutant`` family.

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
    indicator (target id or Chinese/English name), year, value, unit (optional).
``reduction_allocations`` (optional)
    town, pollutant, target_t: per-town allocations of the key-project reductions.

The accepted headers of each table are in :mod:`hn_geo.ground.stats_columns`
(``hn-geo targets columns``).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground import readers
from hn_geo.ground.catalog import layers_dir
from hn_geo.ground.plan import load_targets
from hn_geo.ground.stats_columns import (
    ALLOCATION_COLUMNS,
    ENERGY_COLUMNS,
    INDICATOR_COLUMNS,
    POLLUTANTS,  # noqa: F401  (re-exported)
    PROJECT_COLUMNS,
    norm_head,
    norm_unit,
    pollutant_codes,
    standardise,
)
from hn_geo.ground.towns import NAME_BY_CODE, match_towns, town_mapping

RENEWABLE_TCE_PER_10MWH = 3.055
"""tce per 万kWh for renewable electricity given in kWh: the power-generation coal-equivalent
method (发电煤耗法) used for primary electricity in China's energy statistics, at the 2020
national average coal use of thermal power supply, 305.5 gce/kWh (China Electricity Council).
The default of ``kwh_factor``."""

STAT_FILES = {
    "town_energy": ("镇街道能耗", "能耗"),
    "reduction_projects": ("减排项目", "减排"),
    "indicators": ("指标",),
    "reduction_allocations": ("减排分配", "减排任务分配"),
}
"""Statistics table -> other accepted file stems / sheet names."""

TOTAL_ROW_NAMES = ("全市", "合计", "总计", "小计", "海宁市", "海宁", "total", "sum", "city", "haining")
"""Town names of city-total rows, which are dropped (the analysis sums the towns)."""


def demo_stats_dir():
    """Folder of the embedded demo statistics (synthetic, see layers/SOURCES.md)."""
    return layers_dir() / "stats"


def _find_stat_file(folder, stem):
    for name in (stem,) + STAT_FILES[stem]:
        for ext in (".csv", ".xlsx", ".xls"):
            p = folder / f"{name}{ext}"
            if p.exists():
                return p
    return None


def _raw_tables(src):
    """``{stem: (raw frame, path for messages, file name for tables)}`` of a folder or workbook."""
    raw = {}
    if src.is_file():
        if src.suffix.lower() not in (".xlsx", ".xls"):
            raise HnGeoError(code="targets.stats_not_workbook", path=src)
        with pd.ExcelFile(src) as book:
            sheets = book.sheet_names
        for stem, alts in STAT_FILES.items():
            name = next((n for n in (stem,) + alts if n in sheets), None)
            if name is not None:
                raw[stem] = (readers.read_table(src, sheet=name), f"{src}[{name}]", f"{src.name}[{name}]")
    else:
        for stem in STAT_FILES:
            p = _find_stat_file(src, stem)
            if p is not None:
                raw[stem] = (readers.read_table(p), str(p), p.name)
    if not raw:
        raise HnGeoError(code="targets.no_stats", params={"names": list(STAT_FILES)}, path=src)
    return raw


def read_stats(stats=None, *, targets=None, kwh_factor=RENEWABLE_TCE_PER_10MWH):
    """Read the statistics tables from a folder or an XLSX workbook.

    Parameters
    ----------
    stats : str or Path, optional
        Folder holding ``town_energy``, ``reduction_projects``, ``indicators`` and optionally
        ``reduction_allocations`` (``.csv`` or ``.xlsx``; Chinese stems 镇街道能耗, 减排项目, 指标,
        减排分配 accepted), or one ``.xlsx`` workbook with sheets of those names. The embedded
        synthetic demo statistics when omitted.
    targets : pandas.DataFrame, optional
        The plan's targets (:func:`hn_geo.ground.plan.load_targets`; the embedded ones by
        default), to match indicator names to target ids.
    kwh_factor : float
        tce per 万kWh for renewable electricity given in kWh units [tce/万kWh].

    Returns
    -------
    dict
        ``'town_energy'``, ``'reduction_projects'``, ``'indicators'``,
        ``'reduction_allocations'``: canonical DataFrame or None when absent;
        ``'town_names'``: how town names were matched (``file`` (file name), ``input``,
        ``code``, ``town``, ``method``: a ``match_method`` code); ``'sources'``:
        {table: file name}; ``'synthetic'``: whether the files say they are synthetic.
        :func:`hn_geo.targets.targets_report` takes this dict.
    """
    src = Path(stats) if stats is not None else demo_stats_dir()
    if not src.exists():
        raise HnGeoError(code="targets.stats_not_found", path=src)
    raw = _raw_tables(src)
    targets = load_targets() if targets is None else targets
    read = {"town_energy": lambda d, p: read_town_energy(d, p, kwh_factor=kwh_factor),
            "reduction_projects": read_reduction_projects,
            "indicators": lambda d, p: read_indicators(d, p, targets=targets),
            "reduction_allocations": read_allocations}
    out = {"sources": {k: v[2] for k, v in raw.items()}}
    maps = []
    for stem, fn in read.items():
        out[stem] = fn(*raw[stem][:2]) if stem in raw else None
        if out[stem] is not None and "town_mapping" in out[stem].attrs:
            maps.append(out[stem].attrs["town_mapping"].assign(file=raw[stem][2]))
    out["town_names"] = (pd.concat(maps, ignore_index=True)[["file", "input", "code", "town", "method"]]
                         if maps else None)
    out["synthetic"] = any(_is_synthetic(v[0]) for v in raw.values())
    return out


def _is_synthetic(df):
    for c in df.columns:
        if norm_head(c) in ("note", "notes", "source", "备注", "数据来源", "说明"):
            if df[c].astype("string").str.contains("synthetic|合成", regex=True).fillna(False).any():
                return True
    return False


def _frame(df):
    return df if isinstance(df, pd.DataFrame) else pd.DataFrame(df)


def _first(mask):
    return int(np.flatnonzero(np.asarray(mask))[0])


def _drop_total_rows(df, path):
    """Drop city-total rows (全市, 合计 ...): the analyses compute totals from the towns."""
    names = df["town"].astype("string").str.strip().str.lower()
    total = names.isin(TOTAL_ROW_NAMES).fillna(False).to_numpy()
    if total.any():
        warnings.warn(HnGeoWarning("targets.total_rows_ignored", path=path, n=int(total.sum()),
                                   names=sorted(set(df["town"][total].astype(str))),
                                   rows=[int(r) for r in df["_row"][total].head(10)]), stacklevel=3)
        df = df[~total].reset_index(drop=True)
        df.attrs = dict(df.attrs)
    return df


def _match_towns(df, path, field):
    """Official codes and names of the ``town`` column; the mapping kept in ``attrs``."""
    df = _drop_total_rows(df, path)
    df["code"] = match_towns(df["town"], path=str(path), field=field)
    df.attrs["town_mapping"] = town_mapping(df["town"])
    df["town"] = df["code"].map(NAME_BY_CODE)
    return df


def _require_filled(df, cols, path, names):
    for c in cols:
        if df[c].isna().any():
            raise HnGeoError(code="targets.empty_value", path=path, row=_first(df[c].isna()) + 2,
                             field=names.get(c, c))


def _deductions_filled(df, absent, path, cols):
    """Absent deduction columns are 0 (listed in ``attrs['absent']``); empty cells warn and are 0."""
    df.attrs["absent"] = []
    for c in ("national_listed_tce", "raw_material_tce", "renewable_new"):
        if c in absent:
            df[c] = 0.0
            df.attrs["absent"].append(c)
        elif df[c].isna().any():
            warnings.warn(HnGeoWarning("targets.empty_as_zero", path=path, n=int(df[c].isna().sum()),
                                       column=cols[c]), stacklevel=3)
            df[c] = df[c].fillna(0.0)


def read_town_energy(df, path="town_energy", *, kwh_factor=RENEWABLE_TCE_PER_10MWH):
    """Validate a town energy table (see the module docstring) into canonical columns.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read (text cells).
    path : str
        The file, for messages.
    kwh_factor : float
        tce per 万kWh for renewable electricity given in kWh units [tce/万kWh].

    Returns
    -------
    pandas.DataFrame
        ``code``, ``town`` (official name), ``year``, ``gdp_wan``, ``energy_tce``,
        ``renewable_new``, ``national_listed_tce``, ``raw_material_tce`` and ``_row``;
        ``attrs``: ``absent`` (deduction columns taken as 0), ``town_mapping``, ``path``.

    Raises
    ------
    HnGeoError
        Missing columns, non-numbers, negative energy/deductions, GDP <= 0, duplicate
        town-years, deductions larger than the total, unknown town names.
    """
    df, absent = standardise(_frame(df), ENERGY_COLUMNS, path, kwh_factor=kwh_factor)
    cols = df.attrs["columns"]
    _require_filled(df, ("energy_tce", "gdp_wan"), path, cols)
    _deductions_filled(df, absent, path, cols)
    for c in ("energy_tce", "national_listed_tce", "raw_material_tce", "renewable_new"):
        neg = (df[c] < 0).to_numpy()
        if neg.any():
            i = _first(neg)
            raise HnGeoError(code="targets.negative_energy", params={"value": float(df[c].iloc[i]),
                                                                     "n": int(neg.sum())},
                             path=path, row=i + 2, field=cols.get(c, c))
    bad = (df["gdp_wan"] <= 0).to_numpy()
    if bad.any():
        raise HnGeoError(code="targets.gdp_not_positive", path=path, row=_first(bad) + 2,
                         field=cols["gdp_wan"])
    over = (df["national_listed_tce"] + df["raw_material_tce"] > df["energy_tce"]).to_numpy()
    if over.any():
        raise HnGeoError(code="targets.deductions_exceed", path=path, row=_first(over) + 2,
                         field=cols["energy_tce"])
    df = _match_towns(df, path, cols["town"])
    dup = df.duplicated(["code", "year"], keep="first").to_numpy()
    if dup.any():
        i = _first(dup)
        raise HnGeoError(code="targets.duplicate_town_year",
                         params={"town": df["town"].iloc[i], "year": int(df["year"].iloc[i])},
                         path=path, row=i + 2, field=cols["year"])
    df.attrs["path"] = str(path)
    return df


def read_reduction_projects(df, path="reduction_projects"):
    """Validate a reduction-projects table into canonical columns (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        ``project_id``, ``point_id``, ``enterprise``, ``source_key`` (point id, else the
        enterprise: what double counting compares), ``code``, ``town``, ``pollutant`` (code),
        ``reduction_t`` [t], ``year``, ``measure``, ``_row``.
    """
    df, absent = standardise(_frame(df), PROJECT_COLUMNS, path, unit_kind_col="reduction_t")
    cols = df.attrs["columns"]
    if "point_id" in absent and "enterprise" in absent:
        raise HnGeoError(code="targets.no_source_column", path=path)
    for c in ("point_id", "enterprise"):
        if c in absent:
            df[c] = None
    key = df["point_id"].where(df["point_id"].notna(), df["enterprise"])
    if key.isna().any():
        raise HnGeoError(code="targets.empty_source", path=path, row=_first(key.isna()) + 2,
                         field=cols.get("point_id", cols.get("enterprise")))
    df["source_key"] = key
    _require_filled(df, ("project_id", "town", "pollutant", "measure", "reduction_t"), path, cols)
    neg = (df["reduction_t"] < 0).to_numpy()
    if neg.any():
        raise HnGeoError(code="targets.negative_reduction", path=path, row=_first(neg) + 2,
                         field=cols["reduction_t"])
    df["pollutant"] = pollutant_codes(list(df["pollutant"]), path, cols["pollutant"], df["_row"].to_numpy())
    df = _match_towns(df, path, cols["town"])
    df.attrs["path"] = str(path)
    return df


# (given unit, target unit) -> factor, for indicator values (units normalised by norm_unit)
_CONVERTIBLE = {("吨", "万吨"): 1e-4, ("t", "万吨"): 1e-4, ("万吨", "吨"): 1e4, ("万t", "吨"): 1e4,
                ("万t", "万吨"): 1.0, ("t", "吨"): 1.0, ("kg", "吨"): 1e-3,
                ("千瓦", "万千瓦"): 1e-4, ("kw", "万千瓦"): 1e-4, ("mw", "万千瓦"): 0.1,
                ("gw", "万千瓦"): 100.0, ("户", "万户"): 1e-4, ("km", "公里"): 1.0,
                ("g/kwh", "克标准煤/千瓦时"): 1.0, ("gce/kwh", "克标准煤/千瓦时"): 1.0,
                ("kgce/t", "千克标准煤/吨"): 1.0, ("kgce/m2", "千克标准煤/平方米"): 1.0,
                ("kgce/人", "千克标准煤/人"): 1.0}


def _indicator_ids(df, targets, path, field):
    key = {}
    for _, t in targets.iterrows():
        for k in (t["id"], t["name"], t["name_en"]):
            key.setdefault(norm_head(k), t["id"])
    ids = [key.get(norm_head(v)) if v is not None else None for v in df["indicator"]]
    bad = [i for i, x in enumerate(ids) if x is None]
    if bad:
        names = sorted({str(df["indicator"].iloc[i]) for i in bad})
        raise HnGeoError(code="targets.unknown_indicator", params={"names": names}, path=path,
                         row=bad[0] + 2, field=field)
    return ids


def _indicator_factors(df, targets, path):
    tunit = dict(zip(targets["id"], targets["unit"]))
    factors = np.ones(len(df))
    for i, (tid, u) in enumerate(zip(df["target_id"], df["_unit"])):
        if u is None or pd.isna(u) or str(u).strip() in ("", "-"):
            continue
        have, want = norm_unit(u), norm_unit(tunit[tid])
        if have == want or (have in ("%", "％") and want == "%"):
            continue
        f = _CONVERTIBLE.get((have, want))
        if f is None:
            raise HnGeoError(code="targets.unit_not_convertible",
                             params={"unit": str(u), "target_unit": tunit[tid], "id": tid},
                             path=path, row=i + 2, field="unit")
        factors[i] = f
    return factors


def read_indicators(df, path="indicators", *, targets=None):
    """Validate an indicator-actuals table; match indicators to target ids.

    The ``indicator`` column holds a target id (``pv_capacity``) or its Chinese/English name. A
    ``unit`` column different from the target's unit is converted when known (万吨/吨,
    万千瓦/千瓦/MW, 万户/户), otherwise an error.

    Parameters
    ----------
    df : pandas.DataFrame
    path : str
    targets : pandas.DataFrame, optional
        :func:`hn_geo.ground.plan.load_targets` (the embedded targets by default).

    Returns
    -------
    pandas.DataFrame
        ``indicator``, ``target_id``, ``year``, ``value`` (in the target's unit), ``_row``.
    """
    df, _ = standardise(_frame(df), INDICATOR_COLUMNS, path)
    cols = df.attrs["columns"]
    targets = load_targets() if targets is None else targets
    df["target_id"] = _indicator_ids(df, targets, path, cols["indicator"])
    _require_filled(df, ("value",), path, cols)
    df.attrs["path"] = str(path)
    dup = df.duplicated(["target_id", "year"]).to_numpy()
    if dup.any():
        i = _first(dup)
        raise HnGeoError(code="targets.duplicate_indicator",
                         params={"id": df["target_id"].iloc[i], "year": int(df["year"].iloc[i])},
                         path=path, row=i + 2, field=cols["year"])
    if "_unit" in df.columns:
        factors = _indicator_factors(df, targets, path)
        conv = factors != 1.0
        if conv.any():
            warnings.warn(HnGeoWarning("targets.converted_indicators", path=path, n=int(conv.sum()),
                                       ids=sorted(set(df["target_id"][conv]))), stacklevel=2)
            df["value"] = df["value"] * factors
    return df


def read_allocations(df, path="reduction_allocations"):
    """Validate per-town reduction allocations: ``town``, ``pollutant``, ``target_t`` [t]."""
    df, _ = standardise(_frame(df), ALLOCATION_COLUMNS, path, unit_kind_col="target_t")
    cols = df.attrs["columns"]
    df["pollutant"] = pollutant_codes(list(df["pollutant"]), path, cols["pollutant"], df["_row"].to_numpy())
    df = _match_towns(df, path, cols["town"])
    bad = (df["target_t"].isna() | (df["target_t"] < 0)).to_numpy()
    if bad.any():
        raise HnGeoError(code="targets.bad_allocation", path=path, row=_first(bad) + 2,
                         field=cols["target_t"])
    dup = df.duplicated(["code", "pollutant"]).to_numpy()
    if dup.any():
        raise HnGeoError(code="targets.duplicate_allocation", path=path, row=_first(dup) + 2)
    df.attrs["path"] = str(path)
    return df
