"""Evaluate the access-list rules over the (project, unit) pairs, as numpy operations.

Nothing loops over projects in Python: each rule is one set of array operations over all
pairs of the units it applies in. Conventions:

* Distance rules: a project **exactly at** the minimum distance passes; it fails when
  closer by more than :data:`DISTANCE_TOLERANCE_M` (1 mm, which absorbs coordinate round
  trips through EPSG:4490).
* Emission caps: existing load of the unit + the project's own load above the cap fails
  (equal passes); a project crossing several units is charged its full load in each.
* Energy intensity ``energy_tce / value_added_wan`` [tce/万元]: a ceiling fails above it
  (equal passes); the green channel is a notice strictly below its threshold.
* Park-only rules: a project outside the parks the rule allows fails (inside: a point on a
  park polygon, boundary included; a footprint covered by the parks).
* Project status: ``fail`` (an ``error`` rule broken), ``warn`` (only ``warning`` rules
  broken), ``review`` (no violation, but a rule could not be evaluated), ``pass``, and
  ``no_data`` for projects in no control unit (not checked).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hn_geo.core.results import Msg, Word
from hn_geo.zoning.arrays import text, warn
from hn_geo.zoning.rules import POLLUTANTS

DISTANCE_TOLERANCE_M = 1e-3
"""Closer than the rule distance by more than this [m] fails; exactly at it passes."""

STATUS = ("fail", "warn", "review", "pass", "no_data")
"""Project status codes, worst first (indices of :func:`status_index`)."""
SEVERITY = {"error": "violation", "warning": "warning", "info": "notice"}
"""Rule severity (access-list file) -> finding severity code (family ``severity``)."""
SEVERITY_STATUS = {"violation": "fail", "warning": "warn", "notice": "pass"}
"""Finding severity -> the status code of its ``verdict`` column (and its colour)."""
_SEV = {"error": 0, "warning": 1, "info": 2}


def applicability(units, rules):
    """Boolean matrix [unit, rule]: does the rule apply in the unit."""
    utype = units["unit_type"].astype(str).to_numpy()
    usub = text(units, "sub_type").astype(object).to_numpy()
    ucode = units["unit_code"].astype(str).to_numpy()
    out = np.zeros((len(units), len(rules.rules)), dtype=bool)
    for j, r in enumerate(rules.rules):
        if r.scope == "all":
            m = np.ones(len(units), bool)
        elif r.scope == "type":
            m = utype == r.scope_value
        else:
            m = ucode == r.scope_value
        if r.sub_types:
            m &= np.isin(usub, list(r.sub_types))
        out[:, j] = m
    return out


@dataclass
class _Pairs:
    """What the rule kinds read: attributes, pairs, distances, loads; review flags."""

    at: object
    pp: np.ndarray
    pu: np.ndarray
    dist: dict
    ex_loads: np.ndarray
    review: np.ndarray
    reasons: dict = field(default_factory=dict)
    parks: dict = field(default_factory=dict)
    log: list | None = None

    def flag(self, proj_idx, rule_id, why):
        """Projects ``proj_idx`` could not be evaluated for ``rule_id`` (status review)."""
        if proj_idx.size:
            new = np.unique(proj_idx)
            self.review[new] = True
            cnt, first_why = self.reasons.get(rule_id, (0, why))
            self.reasons[rule_id] = (cnt + new.size, first_why)
            if self.log is not None:
                self.log.append((new, rule_id, why))


# each kind: (rule, pairs the rule is on, _Pairs) -> (violating pairs, value, limit, per pair)
def _prohibited_industry(r, on, c):
    return on & c.at.industry_mask(r.params["prefixes"])[c.pp], None, np.nan, False


def _two_high(r, on, c):
    return on & c.at.two_high[c.pp], None, np.nan, False


def _high_vocs_solvent(r, on, c):
    high = set(r.params["solvent_types"])
    hv = np.array([s in high for s in c.at.sol_uniq] + [False])
    return on & hv[c.at.sol_idx][c.pp], None, np.nan, False


def _min_distance(r, on, c):
    limit = float(r.params["distance_m"])
    value = c.dist[(r.params["layer"], limit)]
    return on & (value[c.pp] < limit - DISTANCE_TOLERANCE_M), value, limit, False


def _emission_cap(r, on, c):
    pol = r.params["pollutant"]
    load = c.at.loads[pol]
    limit = float(r.params["cap_t"])
    value = c.ex_loads[c.pu, POLLUTANTS.index(pol)] + np.nan_to_num(load[c.pp])
    missing = np.isnan(load)[c.pp]
    c.flag(c.pp[on & missing], r.id,
           Msg("zoning.reason_load_missing", pollutant=Word("pollutant", pollutant_code(pol))))
    return on & (value > limit) & ~missing, value, limit, True


def _large(r, c):
    """Projects using at least the rule's ``min_energy_tce`` (or of unknown energy use)."""
    return (c.at.energy >= float(r.params.get("min_energy_tce", 0.0))) | np.isnan(c.at.energy)


def _energy_intensity(r, on, c):
    on = on & _large(r, c)[c.pp]
    limit = float(r.params["max_tce_per_wan"])
    value = c.at.intensity
    c.flag(c.pp[on & np.isnan(value)[c.pp]], r.id, Msg("zoning.reason_energy_missing"))
    return on & (value[c.pp] > limit), value, limit, False


def _green_channel(r, on, c):
    on = on & _large(r, c)[c.pp]
    limit = float(r.params["below_tce_per_wan"])
    return on & (c.at.intensity[c.pp] < limit), c.at.intensity, limit, False


def _park_only(r, on, c):
    inside = c.parks[tuple(sorted(r.params.get("parks", ())))]
    return on & ~inside[c.pp], None, np.nan, False


KINDS = {"prohibited_industry": _prohibited_industry, "two_high": _two_high,
         "high_vocs_solvent": _high_vocs_solvent, "min_distance": _min_distance,
         "emission_cap": _emission_cap, "energy_intensity": _energy_intensity,
         "green_channel": _green_channel, "park_only": _park_only}


def pollutant_code(column):
    """Code of the ``pollutant`` family for a load column (``'vocs_t'`` -> ``'vocs'``)."""
    return column[:-2] if column.endswith("_t") else column


def evaluate(rules, A, skipped, at, pp, pu, dist, ex_loads, *, parks=None, review_log=None):
    """Evaluate every rule over the (project, unit) pairs.

    Parameters
    ----------
    parks : dict, optional
        ``{park key: bool per project}`` for the ``park_only`` rules
        (:func:`hn_geo.zoning.spatial.park_membership`).
    review_log : list, optional
        When given, the rules that could not be evaluated are appended to it as
        ``(project indices, rule id, reason Msg)`` instead of being warned about.

    Returns
    -------
    hits : list of (pair_idx, rule_idx, value, limit)
        Pairs that meet the rule (a violation, or a notice for info rules); ``value`` /
        ``limit`` are the measured figure and the rule's threshold.
    review : numpy.ndarray of bool
        Projects with a rule that could not be evaluated (one counted warning per rule).
    """
    c = _Pairs(at=at, pp=pp, pu=pu, dist=dist, ex_loads=ex_loads,
               review=np.zeros(len(at.st_idx), dtype=bool), parks=parks or {}, log=review_log)
    hits = []
    for j, r in enumerate(rules.rules):
        if r.id in skipped:
            continue
        st_mask = at.status_mask(r.statuses)
        pmask = st_mask & at.industry_mask(r.industry_prefixes) if r.industry_prefixes else st_mask
        here = A[pu, j]
        if r.industry_prefixes or r.kind == "prohibited_industry":
            c.flag(pp[here & (st_mask & ~at.code_ok)[pp]], r.id, Msg("zoning.reason_industry_code"))
        on = here & pmask[pp]
        if not on.any():
            continue
        viol, value, limit, per_pair = KINDS[r.kind](r, on, c)
        idx = np.flatnonzero(viol)
        if idx.size:
            if value is None:
                v = np.full(idx.size, np.nan)
            else:
                v = value[idx] if per_pair else value[pp[idx]]
            hits.append((idx, j, v, np.full(idx.size, limit)))
    if review_log is None:
        for rid, (cnt, why) in c.reasons.items():
            warn("zoning.rule_not_evaluated", rule=rid, n=int(cnt), reason=why)
    return hits, c.review


@dataclass
class Found:
    """Findings: per (project, rule, unit) row, and grouped per (project, rule)."""

    proj: np.ndarray   # per row, sorted by project, rule, unit
    rule: np.ndarray
    unit: np.ndarray
    row_sev: np.ndarray
    g_proj: np.ndarray  # per group
    g_rule: np.ndarray
    g_sev: np.ndarray
    g_val: np.ndarray
    g_lim: np.ndarray
    grp: np.ndarray      # group of each row
    first: np.ndarray    # first row of each group

    @property
    def is_violation(self):
        """Per group: an error or warning finding (not a notice)."""
        return self.g_sev < 2


def findings(hits, pp, pu, R):
    """Hits -> rows sorted by (project, rule, unit) and grouped per (project, rule)."""
    if hits:
        pair = np.concatenate([h[0] for h in hits])
        rule = np.concatenate([np.full(h[0].size, h[1]) for h in hits])
        val = np.concatenate([h[2] for h in hits])
        lim = np.concatenate([h[3] for h in hits])
    else:
        pair, rule = np.zeros(0, int), np.zeros(0, int)
        val, lim = np.zeros(0), np.zeros(0)
    proj, unit = pp[pair], pu[pair]
    order = np.lexsort((unit, rule, proj))
    proj, rule, unit, val, lim = (a[order] for a in (proj, rule, unit, val, lim))
    key = proj.astype(np.int64) * max(len(R), 1) + rule
    first = np.ones(key.size, bool)
    first[1:] = key[1:] != key[:-1]
    grp = np.cumsum(first) - 1
    rule_sev = np.array([_SEV[r.severity] for r in R], dtype=int)
    g_rule = rule[first]
    return Found(proj=proj, rule=rule, unit=unit, row_sev=rule_sev[rule], g_proj=proj[first],
                 g_rule=g_rule, g_sev=rule_sev[g_rule], g_val=_group_extreme(grp, val, rule, R),
                 g_lim=lim[first], grp=grp, first=first)


def _group_extreme(grp, vals, rules_idx, R):
    """Worst value per finding group (min distance, max total/intensity)."""
    if grp.size == 0:
        return np.zeros(0)
    n_g = grp.max() + 1
    hi = np.full(n_g, -np.inf)
    lo = np.full(n_g, np.inf)
    np.maximum.at(hi, grp, np.where(np.isnan(vals), -np.inf, vals))
    np.minimum.at(lo, grp, np.where(np.isnan(vals), np.inf, vals))
    first_rule = np.zeros(n_g, dtype=int)
    first_rule[grp[::-1]] = rules_idx[::-1]
    use_min = np.array([r.kind in ("min_distance", "green_channel") for r in R], bool)[first_rule]
    out = np.where(use_min, lo, hi)
    out[~np.isfinite(out)] = np.nan
    return out


def status_index(f, review, outside):
    """Index into :data:`STATUS` per project: fail > warn > review > pass; outside -> no_data."""
    code = np.full(review.size, STATUS.index("pass"))
    code[review] = STATUS.index("review")
    code[f.g_proj[f.g_sev == 1]] = STATUS.index("warn")
    code[f.g_proj[f.g_sev == 0]] = STATUS.index("fail")
    code[outside] = STATUS.index("no_data")
    return code
