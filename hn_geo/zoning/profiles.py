"""A project profile: the attributes of a proposed project without a place.

The site finder asks where a project *may* go, so its input is a project row without
geometry: the fields of the catalog schema 'projects' that the rules read. A profile is a
plain mapping (from the command line, a YAML file, a row of a projects table or a run
config); :func:`profile_frame` checks it and makes it the one-row frame the zoning check's
attribute code (:func:`hn_geo.zoning.attributes.project_attributes`) reads, and
:func:`broadcast` gives every face of a :class:`~hn_geo.zoning.partition.Partition` the
profile's attributes -- the very arrays the check evaluates for a project there.
"""
from __future__ import annotations

import math
from dataclasses import replace
from numbers import Number

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError
from hn_geo.zoning.rules import POLLUTANTS, PROJECT_STATUSES, parse_industry_codes

NUMBER_FIELDS = ("energy_tce", "value_added_wan") + POLLUTANTS
"""Numeric fields of a profile (tce/a, 万元/a, t/a); missing means unknown."""
FIELDS = ("project_id", "name", "industry_code", "status", "two_high", "solvent_type") + NUMBER_FIELDS
"""Every field a profile may give."""
ALIASES = {"id": "project_id", "industry": "industry_code", "build_type": "status"}
"""Other names accepted for a field."""


def _number(key, value, where):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return np.nan
    if isinstance(value, bool) or not isinstance(value, Number) or not math.isfinite(value) or value < 0:
        raise HnGeoError(code="zoning.profile_bad_number", path=where, field=key,
                         params={"field": key, "value": str(value)})
    return float(value)


def _flag(key, value, where):
    if value is None:
        return False
    if isinstance(value, (bool, np.bool_)) or value in (0, 1):
        return bool(value)
    raise HnGeoError(code="zoning.profile_bad_flag", path=where, field=key,
                     params={"field": key, "value": str(value)})


def normalise(profile, *, where=None, default_id="profile"):
    """A profile mapping checked and completed.

    Parameters
    ----------
    profile : Mapping or pandas.Series
        Field -> value (:data:`FIELDS`, or an alias of :data:`ALIASES`).
    where : str, optional
        Where the profile comes from (a file, ``sites[2]`` of a config), named in errors.
    default_id : str
        ``project_id`` when the profile gives none.

    Returns
    -------
    dict
        Every field of :data:`FIELDS`: the industry code as given (stripped), ``status``
        a build-type code (default ``new``), ``two_high`` a bool, numbers as floats (NaN
        when not given), texts or None.

    Raises
    ------
    HnGeoError
        Unknown fields, no or an invalid GB/T 4754 industry code, an unknown build type, a
        negative or non-numeric number, a two-high flag that is not true/false.
    """
    if isinstance(profile, pd.Series):
        profile = profile.to_dict()
    if not isinstance(profile, dict):
        raise HnGeoError(code="zoning.profile_not_mapping", path=where)
    raw = {ALIASES.get(str(k), str(k)): v for k, v in profile.items()}
    unknown = sorted(set(raw) - set(FIELDS) - {"geometry"})
    if unknown:
        raise HnGeoError(code="zoning.profile_unknown_fields", path=where, field=unknown[0],
                         params={"fields": unknown, "known": list(FIELDS)})
    code = raw.get("industry_code")
    code = None if code is None or (isinstance(code, float) and math.isnan(code)) else str(code).strip()
    if not code:
        raise HnGeoError(code="zoning.profile_no_industry", path=where, field="industry_code")
    if not parse_industry_codes([code])[1][0]:
        raise HnGeoError(code="zoning.profile_bad_industry", path=where, field="industry_code",
                         params={"code": code})
    status = str(raw.get("status") or "new").strip()
    if status not in PROJECT_STATUSES:
        raise HnGeoError(code="zoning.profile_bad_status", path=where, field="status",
                         params={"status": status, "known": list(PROJECT_STATUSES)})
    out = {"project_id": _text(raw.get("project_id")) or default_id, "name": _text(raw.get("name")),
           "industry_code": code, "status": status,
           "two_high": _flag("two_high", raw.get("two_high"), where),
           "solvent_type": _text(raw.get("solvent_type"))}
    out.update({k: _number(k, raw.get(k), where) for k in NUMBER_FIELDS})
    return out


def _text(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    value = str(value).strip()
    return value or None


def profile_frame(profile, **kw):
    """The profile as a one-row frame of the 'projects' columns (see :func:`normalise`)."""
    p = normalise(profile, **kw)
    frame = pd.DataFrame([p], columns=list(FIELDS))
    frame["two_high"] = frame["two_high"].astype(bool)
    return frame


def broadcast(attrs, n):
    """The attributes of a one-project :class:`~hn_geo.zoning.attributes.Attributes` for
    ``n`` projects (every face of a partition gets the profile's values)."""
    zero = np.zeros(n, dtype=np.int64)
    return replace(
        attrs, code_idx=attrs.code_idx[zero], code_ok=attrs.code_ok[zero], st_idx=attrs.st_idx[zero],
        two_high=attrs.two_high[zero], sol_idx=attrs.sol_idx[zero], energy=attrs.energy[zero],
        intensity=attrs.intensity[zero], loads={k: v[zero] for k, v in attrs.loads.items()})
