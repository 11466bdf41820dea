"""The plan's quantified targets, read from ``hn_geo/data/plan_targets.yaml`` (or a user's
YAML of the same layout): every number of the plan with the exact plan text it comes from.

:func:`load_targets` gives the city targets (二, 三, 四, 附件2) as a frame, :func:`town_targets`
the 附件1 energy-intensity targets per town, :func:`plan_figure` one target's value in a
chosen unit -- the one place the plan's figures (1,800 MW of PV, 10,000 homes, ...) come from.
"""
from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path

import pandas as pd

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError
from hn_geo.ground.towns import NAME_BY_CODE, match_towns
from hn_geo.ground.yamlfile import read_yaml

DEADLINE = 2025
COMPARATORS = (">=", "<=", "<", "==", "about", "reduce_by", "reduce_by_pp", "increase_by")
DIRECTIONS = ("increase", "decrease")
TOPICS = ("energy", "coal", "pollutant", "industry", "building", "transport", "agriculture", "public",
          "environment", "renewable", "solvent", "infrastructure", "innovation")
KINDS = ("target", "threshold")
UNIT_FACTORS = {("万千瓦", "MW"): 10.0, ("万千瓦", "kW"): 1e4, ("万户", "homes"): 1e4,
                ("万吨", "t"): 1e4, ("万吨标准煤", "tce"): 1e4}
"""Conversions of the plan's units to the units the analyses work in."""


def targets_path():
    """Path of the embedded plan-targets YAML."""
    return Path(str(resources.files("hn_geo") / "data" / "plan_targets.yaml"))


_REQUIRED_KEYS = ("id", "name", "name_en", "value", "unit", "comparator", "direction",
                  "responsible", "clause", "quote")


def _read_yaml(path):
    path = Path(path) if path is not None else targets_path()
    if not path.exists():
        raise HnGeoError(code="targets.plan_not_found", path=path)
    key = (str(path.resolve()), path.stat().st_mtime_ns)
    if key not in _YAML_CACHE:
        _YAML_CACHE[key] = read_yaml(path, what="plan targets")
    return path, copy.deepcopy(_YAML_CACHE[key])


_YAML_CACHE = {}


def _check_target(t, i, path):
    """Raise HnGeoError naming the target for a bad entry; return its id for messages."""
    where = t.get("id", f"#{i}") if isinstance(t, dict) else f"#{i}"
    if not isinstance(t, dict):
        raise HnGeoError(code="targets.plan_not_mapping", path=path, row=where)
    for k in _REQUIRED_KEYS:
        if t.get(k) in (None, ""):
            raise HnGeoError(code="targets.plan_missing_key", params={"key": k}, path=path, row=where,
                             field=k)
    for key, allowed in (("comparator", COMPARATORS), ("direction", DIRECTIONS),
                         ("topic", TOPICS), ("kind", KINDS)):
        value = t.get(key, {"topic": "", "kind": "target"}.get(key))
        if value not in allowed and not (key == "topic" and value == ""):
            raise HnGeoError(code="targets.plan_bad_choice",
                             params={"key": key, "value": str(value), "allowed": list(allowed)},
                             path=path, row=where, field=key)
    for k in ("value", "baseline_value", "tolerance", "change", "change_rate"):
        if t.get(k) is not None and not isinstance(t[k], (int, float)):
            raise HnGeoError(code="targets.plan_not_number", params={"key": k, "value": str(t[k])},
                             path=path, row=where, field=k)
    return where


def _code_of(family, text, path, where, field):
    """The code of a plan word (unit, pollutant) in a value family of the vocabulary."""
    code = vocabulary.code_of(family, text)
    if code is None:
        known = sorted(vocabulary.words(family, "zh"))
        raise HnGeoError(code="targets.plan_unknown_word",
                         params={"key": field, "value": str(text), "allowed": known},
                         path=path, row=where, field=field)
    return code


def _target_row(t, where, path, deadline):
    resp = t["responsible"]
    pollutant = t.get("pollutant")
    return {
        "id": str(t["id"]), "name": t["name"], "name_en": t["name_en"],
        "topic": t.get("topic", ""), "kind": t.get("kind", "target"),
        "value": float(t["value"]), "unit": str(t["unit"]),
        "unit_code": _code_of("targets.plan_unit", str(t["unit"]), path, where, "unit"),
        "comparator": t["comparator"], "direction": t["direction"],
        "baseline_year": t.get("baseline_year"), "baseline_value": t.get("baseline_value"),
        "deadline": t.get("deadline", deadline),
        "responsible": "、".join(resp) if isinstance(resp, list) else str(resp),
        "clause": str(t["clause"]), "quote": t["quote"], "quote_value": t.get("quote_value"),
        "cumulative": bool(t.get("cumulative", False)), "tolerance": t.get("tolerance"),
        "pollutant": None if pollutant is None else _code_of("pollutant", pollutant, path, where,
                                                               "pollutant"),
        "same_as": t.get("same_as"),
    }


def load_targets(path=None):
    """Load and validate the plan's quantified targets.

    Parameters
    ----------
    path : str or Path, optional
        A targets YAML with the layout of the embedded ``plan_targets.yaml``.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``id``, ``name``, ``name_en`` (plan data: the names stay in the
        YAML), ``topic``, ``kind``, ``value``, ``unit`` (the plan's unit text), ``unit_code``
        (its code in the ``targets.plan_unit`` family), ``comparator``, ``direction``,
        ``baseline_year``, ``baseline_value``, ``deadline``, ``responsible`` (text, lead unit
        first), ``clause``, ``quote``, ``cumulative``, ``tolerance``, ``pollutant`` (a code of
        the ``pollutant`` family: the YAML may say NOx or 氮氧化物), ``same_as``.

    Raises
    ------
    HnGeoError
        Missing keys, unknown comparators/directions/topics/units, non-numeric values,
        duplicate ids.
    """
    path, data = _read_yaml(path)
    items = (data or {}).get("targets")
    if not isinstance(items, list) or not items:
        raise HnGeoError(code="targets.plan_no_targets", path=path)
    deadline = (data or {}).get("deadline", DEADLINE)
    rows = [_target_row(t, _check_target(t, i, path), path, deadline) for i, t in enumerate(items, start=1)]
    df = pd.DataFrame(rows)
    dup = df["id"][df["id"].duplicated()].tolist()
    if dup:
        raise HnGeoError(code="targets.plan_duplicate_ids", params={"ids": dup}, path=path, field="id")
    for c in ("baseline_year", "deadline"):
        df[c] = pd.to_numeric(df[c]).astype("Int64")
    df["baseline_value"] = pd.to_numeric(df["baseline_value"]).astype(float)
    df["tolerance"] = pd.to_numeric(df["tolerance"]).astype(float)
    return df


def town_targets(path=None):
    """附件1 energy-intensity targets per town.

    Returns
    -------
    pandas.DataFrame
        ``code``, ``town``, ``target_basic``, ``target_incentive`` (% cut 2020-2025),
        ``clause``, ``quote``; one row per official town, in plan order.
    """
    path, data = _read_yaml(path)
    block = (data or {}).get("town_targets") or {}
    towns = block.get("towns")
    if not towns:
        raise HnGeoError(code="targets.plan_no_town_targets", path=path)
    df = pd.DataFrame(towns)
    for k in ("town", "basic", "incentive", "quote"):
        if k not in df.columns or df[k].isna().any():
            raise HnGeoError(f"every town target needs '{k}'", path=path, field=k)
    codes = match_towns(df["town"], path=str(path), field="town")
    if "code" in df.columns and (df["code"].astype(str) != pd.Series(codes)).any():
        raise HnGeoError("town codes do not match the official codes of the names", path=path,
                         field="code")
    df["code"] = codes
    missing = sorted(set(NAME_BY_CODE) - set(codes))
    if missing:
        raise HnGeoError(f"town targets missing for {', '.join(NAME_BY_CODE[c] for c in missing)}",
                         path=path)
    if (df["incentive"] < df["basic"]).any():
        raise HnGeoError("an incentive target is below its basic target", path=path, field="incentive")
    out = pd.DataFrame({"code": codes, "town": [NAME_BY_CODE[c] for c in codes],
                        "target_basic": df["basic"].astype(float),
                        "target_incentive": df["incentive"].astype(float),
                        "clause": block.get("clause", "附件1"), "quote": df["quote"]})
    return out


def plan_figure(target_id, *, unit=None, path=None):
    """The value of one plan target, optionally converted to ``unit``.

    Parameters
    ----------
    target_id : str
        Target id in the YAML, e.g. ``'pv_capacity'`` (180 万千瓦).
    unit : str, optional
        Unit wanted ('MW', 'homes', 't', 'tce', ...); the plan's own unit when omitted.
    path : str or Path, optional
        A user's targets YAML (the embedded one by default).

    Examples
    --------
    >>> plan_figure("pv_capacity", unit="MW")
    1800.0
    >>> plan_figure("rooftop_pv_households", unit="homes")
    10000.0
    """
    t = load_targets(path)
    row = t[t["id"] == target_id]
    if row.empty:
        raise HnGeoError(code="targets.plan_no_target", params={"id": target_id},
                         path=path or targets_path(), field="id")
    value, own = float(row["value"].iloc[0]), str(row["unit"].iloc[0])
    if unit is None or unit == own:
        return value
    factor = UNIT_FACTORS.get((own, unit))
    if factor is None:
        raise HnGeoError(code="targets.plan_unit_not_convertible",
                         params={"id": target_id, "unit": own, "wanted": unit},
                         path=path or targets_path(), field="unit")
    return value * factor
