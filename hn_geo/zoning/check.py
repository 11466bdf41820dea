"""The zoning check: projects against the 三线一单 control units and the access list."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import AnalysisResult, Figure, Msg, Word
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.zoning import tables as tb
from hn_geo.zoning.arrays import ids, warn
from hn_geo.zoning.attributes import check_inputs, check_units, project_attributes
from hn_geo.zoning.evaluate import (
    DISTANCE_TOLERANCE_M,
    STATUS,
    applicability,
    evaluate,
    findings,
    status_index,
)
from hn_geo.zoning.rules import AccessList
from hn_geo.zoning.spatial import (
    distance_candidates,
    existing_loads,
    locate_all,
    park_membership,
    warn_partly_outside,
    warn_unknown_parks,
)

CODES = {"status": "status", "cap_status": "status", "verdict": "status", "severity": "severity",
         "rule_kind": "rule_kind", "build_type": "project_status", "industry_division": "industry_division", "unit_type": "unit_type",
         "pollutant": "pollutant"}
"""Coded columns of the zoning tables and layers -> value family."""


def check(projects, units, *, rules, points=None, red_line=None, water_source=None, parks=None,
          layers=True):
    """Check projects against the 三线一单 control units and access list.

    Parameters
    ----------
    projects : geopandas.GeoDataFrame
        Catalog schema 'projects' (points or polygons): ``project_id``, ``name``,
        ``industry_code`` (GB/T 4754), ``status`` (build type code: new / expansion /
        existing), optional ``two_high``, ``energy_tce`` [tce/a], ``value_added_wan``
        [万元/a], ``solvent_type``, ``nox_t`` / ``vocs_t`` / ``cod_t`` / ``nh3n_t`` [t/a].
    units : geopandas.GeoDataFrame
        Catalog schema 'control_units' (``unit_type`` as codes priority / key / general).
    rules : hn_geo.zoning.rules.AccessList
        The access list (:func:`hn_geo.zoning.rules.parse`).
    points : geopandas.GeoDataFrame, optional
        Existing enterprises (catalog 'emission_points'): their loads fill the emission
        caps. Without it existing loads are 0 (noted).
    red_line, water_source : geopandas.GeoDataFrame, optional
        Needed when a rule of kind ``min_distance`` names the layer.
    parks : geopandas.GeoDataFrame, optional
        Catalog schema 'parks' (``park_id``): needed when the list has a ``park_only`` rule.
    layers : bool
        Build the result layers.

    Returns
    -------
    AnalysisResult
        ``name='zoning'``; tables ``projects`` (one row per project, ``status`` fail / warn
        / review / pass, ``no_data`` outside every unit), ``violations`` (one row per
        project and broken error/warning rule, ``severity`` violation / warning, a
        ``detail`` Msg, the clause and its source), ``notices`` (info findings such as the
        green channel), ``units`` and ``towns`` (totals), ``utilisation`` (unit emission
        caps, ``cap_status`` met / not_met); layers ``control_units``, ``projects`` and
        ``violations``; figures (headline: projects that fail); notes.

    Raises
    ------
    HnGeoError
        Missing required columns, layers without CRS, a distance or park-only rule whose
        layer was not given, ``rules`` not an access list.
    """
    prepared = prepare(projects, units, rules=rules, points=points, red_line=red_line,
                       water_source=water_source, parks=parks)
    units = prepared.units
    part = check_part(projects, prepared)
    at, pp, pu, f, status_idx = part.attrs, part.pp, part.pu, part.f, part.status_idx
    tables = {
        "projects": tb.project_table(at, units, pp, pu, f, status_idx, rules.rules),
        **tb.finding_tables(at, f, rules.rules, units["unit_code"].astype(str).to_numpy()),
        "units": tb.unit_table(units, pp, pu, f, status_idx, prepared.ex_loads, prepared.ex_counts),
        "towns": tb.town_table(units, pp, pu, f, status_idx, part.outside),
    }
    tables["utilisation"], max_util = tb.utilisation(rules, prepared.A, units, prepared.ex_loads, pp, pu,
                                                     at, f, prepared.skipped)
    tables["units"]["max_utilisation_pct"] = max_util
    counts = np.bincount(status_idx, minlength=len(STATUS))
    return AnalysisResult(
        name="zoning", tables=tables,
        layers=tb.result_layers(projects, part.geoms, units, tables, status_idx) if layers else {},
        codes=dict(CODES),
        figures=key_figures(counts, int(f.is_violation.sum()), int((~f.is_violation).sum()), len(units),
                            len(rules.rules)),
        notes=notes(rules, points is None), meta={"synthetic": _synthetic(projects, units)})


@dataclass
class Prepared:
    """What the check computes once, whatever the projects: the units in EPSG:4490, the
    rules skipped for unknown unit codes, the applicability matrix [unit, rule], the
    existing loads per unit, the buffered zones of the distance rules and the parks of the
    park-only rules. Small; the
    partitioned engine broadcasts it to every part of the projects."""

    rules: AccessList
    units: object
    skipped: set
    A: np.ndarray
    ex_loads: np.ndarray
    ex_counts: np.ndarray
    candidates: dict
    zones: dict
    parks: object = None


def prepare(projects, units, *, rules, points=None, red_line=None, water_source=None, parks=None):
    """Check the inputs and compute the project-independent part of the check (:class:`Prepared`).

    ``projects`` is only checked for its required columns and CRS (any part of them will do).
    """
    if not isinstance(rules, AccessList):
        raise HnGeoError(code="zoning.rules_not_parsed", params={"got": type(rules).__name__})
    zones = {"red_line": red_line, "water_source": water_source}
    check_inputs(projects, units, {"emission_points": points, **zones, "parks": parks})
    check_parks(rules, parks)
    units = (units.to_crs(STORAGE_CRS) if units.crs != STORAGE_CRS else units).reset_index(drop=True)
    skipped = check_units(units, rules)
    ex_loads, ex_counts = existing_loads(points, units)
    return Prepared(rules=rules, units=units, skipped=skipped, A=applicability(units, rules),
                    ex_loads=ex_loads, ex_counts=ex_counts,
                    candidates=distance_candidates(rules, zones), zones=zones, parks=parks)


@dataclass
class Part:
    """The check of (a part of) the projects: attributes, (project, unit) pairs, findings and
    the status index of every project (positions within the part)."""

    attrs: object
    geoms: object
    pp: np.ndarray
    pu: np.ndarray
    f: object
    status_idx: np.ndarray
    outside: np.ndarray


def check_part(projects, prepared):
    """Locate and evaluate projects against the prepared units and rules (counted warnings)."""
    rules, units = prepared.rules, prepared.units
    attrs = project_attributes(projects, rules)
    geoms, pp, pu, dist = locate_all(projects, units, rules, prepared.zones,
                                     candidates=prepared.candidates)
    outside = np.bincount(pp, minlength=len(projects)) == 0
    if outside.any():
        warn("zoning.projects_outside", n=int(outside.sum()), ids=ids(attrs.pid, np.flatnonzero(outside)))
    warn_partly_outside(geoms, units, attrs.pid)
    hits, review = evaluate(rules, prepared.A, prepared.skipped, attrs, pp, pu, dist, prepared.ex_loads,
                            parks=park_membership(geoms, prepared.parks, rules))
    f = findings(hits, pp, pu, rules.rules)
    return Part(attrs=attrs, geoms=geoms, pp=pp, pu=pu, f=f, status_idx=status_index(f, review, outside),
                outside=outside)


def check_parks(rules, parks):
    """A ``park_only`` rule needs the parks layer; unknown park ids are warned about."""
    if not rules.needs_parks():
        return
    if parks is None:
        rule = next(r for r in rules.rules if r.kind == "park_only")
        raise HnGeoError(code="zoning.rule_needs_layer",
                         params={"rule": rule.id, "layer": Word("zoning.input", "parks")})
    if "park_id" not in parks.columns:
        raise HnGeoError(code="zoning.missing_column", field="park_id",
                         params={"what": Word("zoning.input", "parks"), "column": "park_id"})
    warn_unknown_parks(parks, rules)


def key_figures(counts, n_violations, n_notices, n_units, n_rules):
    """Key figures: projects that fail (headline), by status, findings, units, rules.

    ``counts`` are the projects per status of :data:`STATUS`.
    """
    n = {s: int(counts[i]) for i, s in enumerate(STATUS)}
    return [
        Figure("zoning.projects_fail", n["fail"], unit="projects", headline=True),
        Figure("zoning.projects", int(np.sum(counts)), unit="projects"),
        Figure("zoning.projects_warn", n["warn"], unit="projects"),
        Figure("zoning.projects_review", n["review"], unit="projects"),
        Figure("zoning.projects_pass", n["pass"], unit="projects"),
        Figure("zoning.projects_outside", n["no_data"], unit="projects"),
        Figure("zoning.violations", int(n_violations)),
        Figure("zoning.notices", int(n_notices)),
        Figure("zoning.units", int(n_units)),
        Figure("zoning.rules", int(n_rules)),
    ]


def notes(rules, no_points):
    """The notes of the check: distance tolerance, emission caps, the access list used."""
    notes = [Msg("zoning.no_points")] if no_points else []
    notes.append(Msg("zoning.distance_rules", tolerance=DISTANCE_TOLERANCE_M * 1000, crs=METRIC_CRS))
    notes.append(Msg("zoning.emission_caps"))
    if rules.path:
        params = {"file": Path(rules.path)}
        if rules.title:
            notes.append(Msg("zoning.access_list_titled", title=rules.title, **params))
        else:
            notes.append(Msg("zoning.access_list", **params))
    elif rules.title:
        notes.append(Msg("zoning.access_list_title", title=rules.title))
    return notes


def _synthetic(*frames):
    """Whether any input marks its features approximate (synthetic demo data)."""
    return any(bool(g["approximate"].fillna(False).astype(bool).any())
               for g in frames if "approximate" in g.columns)
