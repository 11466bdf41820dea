"""The inputs of the zoning check as arrays: required columns, unit-code checks, and the
project attributes the rules read (industry code, build type, two-high flag, solvent,
energy intensity, loads), each problem counted in one warning."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import Msg, Word
from hn_geo.zoning.arrays import ids, num, text, warn
from hn_geo.zoning.rules import POLLUTANTS, UNIT_CODE_RE, UNIT_TYPE_DIGIT, parse_industry_codes


def check_inputs(projects, units, layers):
    """Required columns and a CRS on every layer given.

    Parameters
    ----------
    projects, units : geopandas.GeoDataFrame
    layers : dict
        ``{input code: GeoDataFrame or None}`` of the other layers (family ``input``).
    """
    for col in ("project_id", "industry_code", "status"):
        if col not in projects.columns:
            raise HnGeoError(code="zoning.missing_column", field=col,
                             params={"what": Word("zoning.input", "projects"), "column": col})
    for col in ("unit_code", "unit_type"):
        if col not in units.columns:
            raise HnGeoError(code="zoning.missing_column", field=col,
                             params={"what": Word("zoning.input", "control_units"), "column": col})
    for what, gdf in {"projects": projects, "control_units": units, **layers}.items():
        if gdf is not None and gdf.crs is None:
            raise HnGeoError(code="zoning.no_crs", params={"what": Word("zoning.input", what)})


def check_units(units, rules):
    """Unit-code problems as counted warnings.

    Returns
    -------
    set of str
        Ids of the rules naming unit codes that are not among the units (not applied).
    """
    codes = units["unit_code"].astype(str).to_numpy()
    form_ok = np.array([bool(UNIT_CODE_RE.match(c)) for c in codes], dtype=bool)
    bad = np.flatnonzero(~form_ok)
    if bad.size:
        warn("zoning.bad_unit_codes", n=int(bad.size), ids=ids(codes, bad))
    digit = np.array([UNIT_TYPE_DIGIT.get(t, "?") for t in units["unit_type"].astype(str)])
    third = np.array([c[8:9] for c in codes])
    mismatch = np.flatnonzero((third != digit) & form_ok)
    if mismatch.size:
        warn("zoning.unit_digit_mismatch", n=int(mismatch.size), ids=ids(codes, mismatch))
    known = set(codes)
    unknown = [r for r in rules.rules if r.scope == "code" and r.scope_value not in known]
    if unknown:
        warn("zoning.rules_unknown_units", n=len(unknown),
             rules=[Msg("zoning.rule_unit", rule=r.id, unit=r.scope_value) for r in unknown[:10]])
    return {r.id for r in unknown}


@dataclass
class Attributes:
    """Per-project arrays; text fields as codes into their distinct values."""

    pid: object            # Arrow string array of project ids
    pid_s: pd.Series
    names_s: pd.Series
    code_s: pd.Series
    code_idx: np.ndarray   # index into code_norm (-1: missing)
    code_norm: np.ndarray  # normalised distinct codes ('' if invalid)
    code_div: np.ndarray   # division names of the distinct codes
    code_ok: np.ndarray    # per project
    st_idx: np.ndarray
    st_uniq: list
    two_high: np.ndarray
    sol_idx: np.ndarray
    sol_uniq: list
    energy: np.ndarray
    intensity: np.ndarray
    loads: dict

    def status_mask(self, statuses):
        """Projects whose build type is one of ``statuses``."""
        ok = np.array([s in statuses for s in self.st_uniq] + [False])
        return ok[self.st_idx]

    def industry_mask(self, prefixes):
        """Projects whose normalised code starts with a prefix (evaluated per distinct code)."""
        hit = np.array([bool(c) and c.startswith(tuple(prefixes)) for c in self.code_norm] + [False])
        return hit[np.where(self.code_idx >= 0, self.code_idx, len(self.code_norm))]

    def normalised_codes(self):
        """Per project: the normalised industry code ('' when invalid or missing)."""
        norm = np.append(self.code_norm, "")
        return norm[np.where(self.code_idx >= 0, self.code_idx, len(self.code_norm))]

    def solvents(self):
        """Per project: the solvent type ('' when missing)."""
        return np.array(self.sol_uniq + [""], dtype=object)[self.sol_idx]


def project_attributes(projects, rules):
    """Project columns as numpy arrays, text factorised once; counted warnings for bad values."""
    pid_s = projects["project_id"].astype("str")
    pid = pid_s.array  # kept as an (Arrow) array: converting a million ids to objects is slow
    code_idx, code_uniq = pd.factorize(projects["industry_code"], use_na_sentinel=True)
    norm_u, valid_u, divname_u = parse_industry_codes(list(code_uniq))
    code_ok = np.where(code_idx >= 0, np.append(valid_u, False)[code_idx], False)
    bad_code = np.flatnonzero(~code_ok)
    if bad_code.size:
        warn("zoning.bad_industry_codes", n=int(bad_code.size), ids=ids(pid, bad_code))
    st_idx, st_uniq = pd.factorize(projects["status"])
    kinds_used = {r.kind for r in rules.rules}
    two_high = _two_high(projects, "two_high" in kinds_used)
    if "high_vocs_solvent" in kinds_used and "solvent_type" not in projects.columns:
        warn("zoning.no_solvent_column")
    sol_idx, sol_uniq = pd.factorize(text(projects, "solvent_type"))
    sol_uniq = [str(s).strip() for s in sol_uniq]
    _warn_unknown_solvents(rules, sol_idx, sol_uniq)
    energy = num(projects, "energy_tce")
    va = num(projects, "value_added_wan")
    with np.errstate(divide="ignore", invalid="ignore"):
        intensity = np.where(va > 0, energy / va, np.nan)
    return Attributes(
        pid=pid, pid_s=pid_s, names_s=text(projects, "name"), code_s=projects["industry_code"],
        code_idx=code_idx, code_norm=norm_u, code_div=divname_u, code_ok=code_ok,
        st_idx=st_idx, st_uniq=[str(s) for s in st_uniq], two_high=two_high,
        sol_idx=sol_idx, sol_uniq=sol_uniq, energy=energy, intensity=intensity,
        loads={p: num(projects, p) for p in POLLUTANTS})


def _two_high(projects, used):
    """The two-high flags (missing: not two-high), warned about when a rule reads them."""
    th = projects["two_high"] if "two_high" in projects.columns else None
    if used:
        if th is None:
            warn("zoning.no_two_high_column")
        elif th.isna().any():
            warn("zoning.two_high_missing", n=int(th.isna().sum()))
    if th is None:
        return np.zeros(len(projects), bool)
    if pd.api.types.is_bool_dtype(th.dtype) and not th.hasnans:
        return th.to_numpy(dtype=bool)
    return pd.array(th, dtype="boolean").fillna(False).to_numpy(dtype=bool)


def _warn_unknown_solvents(rules, sol_idx, sol_uniq):
    known = rules.high_vocs | rules.low_vocs
    unknown = [s for s in sol_uniq if known and s not in known]
    if unknown:
        cnt = int(np.isin(sol_idx, [sol_uniq.index(s) for s in unknown]).sum())
        warn("zoning.unknown_solvents", n=cnt, known=sorted(known), unknown=unknown[:5])
