"""三线一单 environmental control units and access-list compliance checks.

For existing enterprises or proposed projects, answer: which control units
(环境管控单元) does each lie in, which access-list (生态环境准入清单) clauses
apply there, and which does it break.

The spatial part is **one** bounding-box STRtree query of all project
footprints against the control units (plus, for distance rules, the
red-line / water-source zones buffered by the rule distance, so candidates
for exact distance computation come out of the same query), followed by the
exact predicate per unit with the unit polygon prepared. Every rule is then
evaluated as numpy operations over the (project, unit) pairs; nothing loops
over projects in Python. Checking a million points, rules, tables and layers
included, takes about half the time of a bare :func:`geopandas.sjoin` of the
same data (``benchmarks/zoning.py``).

Conventions
-----------
* A project whose footprint intersects several units is checked against the
  rules of all of them; a rule reached through two units gives one
  violation row naming both units.
* Distance rules: the distance is the shortest distance (EPSG:4549 metres)
  between the footprint and the nearest zone of the layer. A project
  **exactly at** the minimum distance passes; it fails when closer than the
  distance by more than :data:`DISTANCE_TOLERANCE_M` (1 mm, which absorbs
  coordinate round trips through EPSG:4490).
* Emission caps: the unit's existing load is the sum over the
  ``emission_points`` inside the unit; a new or expansion project fails when
  existing load + its own load exceeds the cap (equal passes). A project
  crossing several units is charged its full load in each (conservative).
  Projects with status ``existing`` are taken to be in the existing load
  already. The utilisation table also shows existing + all proposed projects.
* Energy intensity = ``energy_tce / value_added_wan`` (tce per 10,000 yuan of
  value added). A ceiling rule fails above the ceiling (equal passes); the
  green channel (plan 四.四, 0.52 tce/万元) is an ``info`` notice for
  intensities strictly below the threshold, never a violation.
* Project status: ``fail`` (an ``error`` rule broken), ``warning`` (only
  ``warning`` rules broken), ``review`` (no violation, but a rule could not be
  evaluated: unknown industry code, missing energy or emission data),
  ``pass``, ``outside`` (in no control unit: not checked).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.legacy import AnalysisResult
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.zoning.rules import POLLUTANTS, UNIT_CODE_RE, UNIT_TYPE_DIGIT, load_rules, parse_industry_codes

DISTANCE_TOLERANCE_M = 1e-3
_BUFFER_MARGIN_M = 1.0  # candidate buffers are this much wider than the rule distance

STATUS_WORDS = {
    "fail": ("不通过", "fail"),
    "warning": ("警示", "warning"),
    "review": ("待核实", "review"),
    "pass": ("通过", "pass"),
    "outside": ("区外（未检查）", "outside (not checked)"),
}
_STATUS_ORDER = ("fail", "warning", "review", "pass", "outside")
SEVERITY_WORDS = {"error": ("违规", "violation"), "warning": ("警示", "warning"),
                  "info": ("提示", "info")}
KIND_WORDS = {
    "prohibited_industry": ("禁止类行业", "prohibited industry"),
    "two_high": ("两高项目", "two-high project"),
    "high_vocs_solvent": ("高VOCs溶剂型原辅材料", "high-VOCs solvent materials"),
    "min_distance": ("最小防护距离", "minimum distance"),
    "emission_cap": ("排放总量上限", "emission cap"),
    "energy_intensity": ("能耗强度上限", "energy-intensity ceiling"),
    "green_channel": ("节能审查绿色通道", "energy-review green channel"),
}
BUILD_WORDS = {"new": ("新建", "new"), "expansion": ("改扩建", "expansion"),
               "existing": ("现有", "existing")}
POLLUTANT_WORDS = {"nox_t": ("氮氧化物", "NOx"), "vocs_t": ("挥发性有机物", "VOCs"),
                   "cod_t": ("化学需氧量", "COD"), "nh3n_t": ("氨氮", "NH3-N")}
LAYER_WORDS = {"red_line": ("生态保护红线", "ecological red line"),
               "water_source": ("饮用水水源保护区", "drinking-water source zone")}
CAP_WORDS = {"over_existing": ("现状已超标", "over cap already"),
             "over": ("超标", "over cap"), "ok": ("符合", "within cap")}

LABELS = {
    "project_id": ("项目编号", "project id"),
    "name": ("项目名称", "project"),
    "project_name": ("项目名称", "project"),
    "industry_code": ("行业代码", "industry code"),
    "industry_division": ("行业大类", "industry division"),
    "build_type": ("建设性质", "build type"),
    "unit_codes": ("所在管控单元", "control units"),
    "unit_types": ("管控类别", "unit types"),
    "towns": ("所在镇（街道）", "towns"),
    "n_violations": ("违规/警示条数", "violations"),
    "n_notices": ("提示条数", "notices"),
    "violated_rules": ("违反条款编号", "rules broken"),
    "status": ("审查结论", "result"),
    "rule_id": ("条款编号", "rule id"),
    "rule_kind": ("条款类型", "rule kind"),
    "severity": ("级别", "severity"),
    "value": ("项目数值", "value"),
    "limit": ("限值", "limit"),
    "detail": ("说明", "detail"),
    "clause": ("准入清单条款", "clause"),
    "rule_source": ("条款来源", "clause source"),
    "unit_code": ("管控单元编码", "unit code"),
    "unit_name": ("管控单元名称", "unit name"),
    "unit_type": ("管控类别", "unit type"),
    "sub_type": ("单元子类", "sub-type"),
    "town": ("镇（街道）", "town"),
    "n_projects": ("项目数", "projects"),
    "n_pass": ("通过", "pass"),
    "n_fail": ("不通过", "fail"),
    "n_warning": ("警示", "warning"),
    "n_review": ("待核实", "review"),
    "n_outside": ("区外", "outside"),
    "n_points": ("现有排放源数", "existing emission points"),
    "area_km2": ("面积 (km²)", "area (km²)"),
    "max_utilisation_pct": ("最高总量占用率 (%)", "max cap utilisation (%)"),
    "pollutant": ("污染物", "pollutant"),
    "cap_t": ("总量上限 (t/a)", "cap (t/a)"),
    "existing_t": ("现状排放量 (t/a)", "existing load (t/a)"),
    "proposed_t": ("拟建项目排放量 (t/a)", "proposed projects (t/a)"),
    "total_t": ("合计 (t/a)", "total (t/a)"),
    "utilisation_existing_pct": ("现状占用率 (%)", "existing utilisation (%)"),
    "utilisation_total_pct": ("合计占用率 (%)", "total utilisation (%)"),
    "headroom_t": ("剩余容量 (t/a)", "headroom (t/a)"),
    "n_projects_over": ("单独超限项目数", "projects over cap"),
    "cap_status": ("总量状态", "cap status"),
    **{f"existing_{p}": (f"现状{POLLUTANT_WORDS[p][0]} (t/a)", f"existing {POLLUTANT_WORDS[p][1]} (t/a)")
       for p in POLLUTANTS},
}


DEMO_PROJECTS = "projects_demo.gpkg"


def demo_projects():
    """The embedded demo projects (``layers/projects_demo.gpkg``), validated, EPSG:4490.

    Seeded synthetic projects that meet every rule kind of the default access
    list at least once passing and once failing (scripts/build_control_units.py).
    """
    from hn_geo.ground.catalog import layers_dir, load_layer

    return load_layer("projects", layers_dir() / DEMO_PROJECTS)


def _word(table, key, lang):
    return table[key][0 if lang == "zh" else 1]


def _cat(codes, words):
    """Categorical from integer codes into a list of words (-1 -> missing; repeated words merged)."""
    words = [str(w) for w in words]
    codes = np.asarray(codes, dtype=np.int64)
    uniq = list(dict.fromkeys(words))
    if len(uniq) != len(words):
        remap = np.array([uniq.index(w) for w in words], dtype=np.int64)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
    return pd.Categorical.from_codes(codes, categories=uniq)


def _num(gdf, col):
    """Column as float array (NaN where missing or absent)."""
    if col not in gdf.columns:
        return np.full(len(gdf), np.nan)
    return pd.to_numeric(gdf[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _text(gdf, col):
    if col not in gdf.columns:
        return pd.Series([None] * len(gdf), index=gdf.index, dtype=object)
    return gdf[col]


def _warn(msg):
    warnings.warn(msg, HnGeoWarning, stacklevel=3)


def _ids(values, idx, n=5):
    shown = ", ".join(str(values[i]) for i in idx[:n])
    return shown + (f" and {len(idx) - n} more" if len(idx) > n else "")


# ----------------------------------------------------------------------------- spatial join
def _query(targets, geoms):
    """Exact ``intersects`` pairs between ``geoms`` and ``targets`` (few, complex polygons).

    One bounding-box :meth:`shapely.STRtree.query` over the targets, then the
    exact predicate per target with the target *prepared* (indexed
    point-in-polygon), vectorised over that target's candidates: points go
    through :func:`shapely.intersects_xy`, other footprints through
    :func:`shapely.intersects`. Much faster than a predicate query, which
    tests each candidate pair against an unprepared polygon.

    Returns
    -------
    geom_idx, target_idx : numpy.ndarray of int
        Sorted by ``geom_idx`` then ``target_idx``.
    """
    geoms = np.asarray(geoms)
    targets = np.asarray(targets)
    gi, ti = shapely.STRtree(targets).query(geoms)
    if gi.size == 0:
        return gi, ti
    order = np.argsort(ti, kind="stable")
    gi, ti = gi[order], ti[order]
    bounds = np.searchsorted(ti, np.arange(len(targets) + 1))
    is_point = shapely.get_type_id(geoms) == 0
    x = np.where(is_point, shapely.get_x(geoms), np.nan) if is_point.any() else None
    y = np.where(is_point, shapely.get_y(geoms), np.nan) if is_point.any() else None
    keep = np.zeros(gi.size, dtype=bool)
    for k, target in enumerate(targets):
        lo, hi = bounds[k], bounds[k + 1]
        if lo == hi:
            continue
        cand = gi[lo:hi]
        shapely.prepare(target)
        pt = is_point[cand]
        hit = np.zeros(cand.size, dtype=bool)
        if pt.any():
            hit[pt] = shapely.intersects_xy(target, x[cand[pt]], y[cand[pt]])
        if (~pt).any():
            hit[~pt] = shapely.intersects(target, geoms[cand[~pt]])
        keep[lo:hi] = hit
    gi, ti = gi[keep], ti[keep]
    order = np.lexsort((ti, gi))
    return gi[order], ti[order]


def locate(projects, units):
    """Which control units each project footprint intersects.

    Parameters
    ----------
    projects, units : geopandas.GeoDataFrame

    Returns
    -------
    project_idx, unit_idx : numpy.ndarray of int
        Positional indices of intersecting pairs, sorted by project.
    """
    geoms = projects.geometry.to_crs(units.crs) if projects.crs != units.crs else projects.geometry
    return _query(units.geometry.values, geoms.values)


def _check_units(units, rules):
    """Unit-code problems as counted warnings; rules naming unknown units."""
    codes = units["unit_code"].astype(str).to_numpy()
    bad = np.flatnonzero([not UNIT_CODE_RE.match(c) for c in codes])
    if bad.size:
        _warn(f"{bad.size} control unit code(s) are not of the national form ZH + 6-digit admin "
              f"code + type digit + 4-digit sequence: {_ids(codes, bad)}")
    digit = np.array([UNIT_TYPE_DIGIT.get(t, "?") for t in units["unit_type"].astype(str)])
    third = np.array([c[8:9] for c in codes])
    mismatch = np.flatnonzero((third != digit) & np.array([bool(UNIT_CODE_RE.match(c)) for c in codes]))
    if mismatch.size:
        _warn(f"{mismatch.size} control unit code(s) have a type digit that does not match their "
              f"unit_type (1 优先保护, 2 重点管控, 3 一般管控): {_ids(codes, mismatch)}")
    known = set(codes)
    unknown = [r for r in rules.rules if r.scope == "code" and r.scope_value not in known]
    if unknown:
        listed = ", ".join(f"{r.id} ({r.scope_value})" for r in unknown[:10])
        _warn(f"{len(unknown)} rule(s) name unit codes that are not in the control units and were "
              f"not applied: {listed}")
    return {r.id for r in unknown}


def _applicability(units, rules):
    """Boolean matrix [unit, rule]: does the rule apply in the unit."""
    utype = units["unit_type"].astype(str).to_numpy()
    usub = _text(units, "sub_type").astype(object).to_numpy()
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


def _distance_candidates(rules, zones):
    """Buffered zone polygons (EPSG:4490) for the distance rules.

    Returns ``{(layer, distance): (buffer_geometry_4490, zone_union_metric)}``.
    """
    out = {}
    for r in rules.rules:
        if r.kind != "min_distance":
            continue
        layer, d = r.params["layer"], float(r.params["distance_m"])
        if (layer, d) in out:
            continue
        gdf = zones.get(layer)
        if gdf is None:
            raise HnGeoError(f"rule {r.id!r} needs the '{layer}' layer but none was given")
        # reprojection can fold near-touching rings: make valid before the union
        union_m = shapely.union_all(shapely.make_valid(np.asarray(gdf.to_crs(METRIC_CRS).geometry.values)))
        buf = shapely.segmentize(shapely.buffer(union_m, d + _BUFFER_MARGIN_M), 50.0)
        buf = gpd.GeoSeries([buf], crs=METRIC_CRS).to_crs(STORAGE_CRS).iloc[0]
        out[(layer, d)] = (buf, union_m)
    return out


def _existing_loads(points, units):
    """Existing loads per unit: (n_units x len(POLLUTANTS)) t/a, counts, points outside."""
    n_u = len(units)
    loads = np.zeros((n_u, len(POLLUTANTS)))
    counts = np.zeros(n_u, dtype=int)
    if points is None or len(points) == 0:
        return loads, counts
    pts = points.to_crs(units.crs) if points.crs != units.crs else points
    pi, ui = _query(units.geometry.values, pts.geometry.values)
    # a point on a shared edge touches two units: charge it to the first one only
    first = np.full(len(pts), -1)
    first[pi[::-1]] = ui[::-1]
    inside = first >= 0
    if (~inside).any():
        ids = pts["point_id"].astype(str).to_numpy() if "point_id" in pts.columns else np.arange(len(pts))
        _warn(f"{int((~inside).sum())} emission point(s) lie outside every control unit; their "
              f"loads are not counted in any unit: {_ids(ids, np.flatnonzero(~inside))}")
    counts = np.bincount(first[inside], minlength=n_u)
    for k, p in enumerate(POLLUTANTS):
        vals = np.nan_to_num(_num(pts, p))
        loads[:, k] = np.bincount(first[inside], weights=vals[inside], minlength=n_u)
    return loads, counts


# ----------------------------------------------------------------------------- the check
def check(projects, units, rules=None, points=None, red_line=None, water_source=None,
          lang="zh", layers=True):
    """Check projects against the 三线一单 control units and access list.

    Parameters
    ----------
    projects : geopandas.GeoDataFrame
        Catalog schema 'projects' (points or polygons): ``project_id``,
        ``name``, ``industry_code`` (GB/T 4754), ``status``
        (new/expansion/existing), optional ``two_high``, ``energy_tce``
        (tce/a), ``value_added_wan`` (万元/a), ``solvent_type``,
        ``nox_t``/``vocs_t``/``cod_t``/``nh3n_t`` (t/a).
    units : geopandas.GeoDataFrame
        Catalog schema 'control_units'.
    rules : hn_geo.rules.AccessList or str or Path, optional
        The embedded default access list when omitted.
    points : geopandas.GeoDataFrame, optional
        Existing enterprises (catalog 'emission_points'): their loads fill the
        emission caps. Without it existing loads are 0 (noted).
    red_line, water_source : geopandas.GeoDataFrame, optional
        Needed when a rule of kind ``min_distance`` names the layer.
    lang : {'zh', 'en'}
        Language of status words and texts in the tables.
    layers : bool
        Build the result layers (default True).

    Returns
    -------
    AnalysisResult
        ``name='zoning'``; tables ``projects`` (one row per project, pass/fail
        in ``status``), ``violations`` (one row per project and broken rule,
        with severity, clause and source), ``notices`` (info findings such as
        the green channel), ``units`` and ``towns`` (totals), ``utilisation``
        (unit emission caps); layers ``control_units``, ``projects`` (check
        result in ``status``; the input ``status`` is renamed ``build_type``)
        and ``violations`` (failing and flagged projects).

    Raises
    ------
    HnGeoError
        Missing required columns, layers without CRS, a distance rule whose
        layer was not given, an invalid rules file.
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    if rules is None or not hasattr(rules, "rules"):
        rules = load_rules(rules)
    _check_inputs(projects, units, points, red_line, water_source)
    units = (units.to_crs(STORAGE_CRS) if units.crs != STORAGE_CRS else units).reset_index(drop=True)
    skipped = _check_units(units, rules)
    attrs = _project_attributes(projects, rules)
    geoms, pp, pu, dist = _locate_all(projects, units, rules,
                                      {"red_line": red_line, "water_source": water_source})
    outside = np.bincount(pp, minlength=len(projects)) == 0
    if outside.any():
        _warn(f"{int(outside.sum())} project(s) lie outside every control unit (outside Haining "
              f"for the default units) and were not checked: {_ids(attrs.pid, np.flatnonzero(outside))}")
    _partly_outside(geoms, units, attrs.pid)

    A = _applicability(units, rules)
    ex_loads, ex_counts = _existing_loads(points, units)
    hits, review = _evaluate(rules, A, skipped, attrs, pp, pu, dist, ex_loads)
    f = _findings(hits, pp, pu, rules.rules, len(projects))
    status_code = _status_codes(f, review, outside)

    tables = {
        "projects": _project_table(attrs, units, pp, pu, f, status_code, rules.rules, lang),
        **_finding_tables(attrs, f, rules.rules, lang, units["unit_code"].astype(str).to_numpy()),
        "units": _unit_table(units, pp, pu, f, status_code, ex_loads, ex_counts),
        "towns": _town_table(units, pp, pu, f, status_code, outside, lang),
    }
    tables["utilisation"], max_util = _utilisation(rules, A, units, ex_loads, pp, pu, attrs, f,
                                                   skipped, lang)
    tables["units"]["max_utilisation_pct"] = max_util
    notes = _notes(rules, points is None, lang)
    counts = np.bincount(status_code, minlength=len(_STATUS_ORDER))
    zh = lang == "zh"
    summary = {
        ("项目数" if zh else "projects"): len(projects),
        **{_word(STATUS_WORDS, s, lang): int(counts[i]) for i, s in enumerate(_STATUS_ORDER)},
        ("违规/警示条数" if zh else "violations"): int(f.is_violation.sum()),
        ("提示条数（绿色通道等）" if zh else "notices (green channel etc.)"): int((~f.is_violation).sum()),
        ("管控单元数" if zh else "control units"): len(units),
        ("准入条款数" if zh else "access rules"): len(rules.rules),
    }
    layers_out = _layers(projects, geoms, units, tables, status_code) if layers else {}
    return AnalysisResult(name="zoning", tables=tables, layers=layers_out, labels=LABELS,
                          status_columns=("status", "severity", "cap_status"),
                          summary=summary, notes=notes)


def _check_inputs(projects, units, points, red_line, water_source):
    for col in ("project_id", "industry_code", "status"):
        if col not in projects.columns:
            raise HnGeoError(f"projects lack the required column '{col}'", field=col)
    for col in ("unit_code", "unit_type"):
        if col not in units.columns:
            raise HnGeoError(f"control units lack the required column '{col}'", field=col)
    for what, gdf in (("projects", projects), ("control units", units), ("emission points", points),
                      ("red line", red_line), ("water-source zones", water_source)):
        if gdf is not None and gdf.crs is None:
            raise HnGeoError(f"the {what} have no CRS; load them with hn_geo.catalog.load_layer "
                             "or set one (e.g. EPSG:4490)")


@dataclass
class _Attributes:
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
        ok = np.array([s in statuses for s in self.st_uniq] + [False])
        return ok[self.st_idx]

    def industry_mask(self, prefixes):
        """Codes starting with a prefix (evaluated per distinct code)."""
        return _prefix_mask(self.code_idx, self.code_norm, prefixes)


def _project_attributes(projects, rules):
    """Project columns as numpy arrays, text factorised once; counted warnings for bad values."""
    n_p = len(projects)
    pid_s = projects["project_id"].astype("str")
    pid = pid_s.array  # kept as an (Arrow) array: converting a million ids to objects is slow
    code_idx, code_uniq = pd.factorize(projects["industry_code"], use_na_sentinel=True)
    norm_u, valid_u, divname_u = parse_industry_codes(list(code_uniq))
    code_ok = np.where(code_idx >= 0, np.append(valid_u, False)[code_idx], False)
    bad_code = np.flatnonzero(~code_ok)
    if bad_code.size:
        _warn(f"{bad_code.size} project(s) have a missing or unknown GB/T 4754 industry code "
              f"(2-4 digits whose first two are a valid division, optional section letter); "
              f"industry rules cannot be evaluated for them (status review): "
              f"{_ids(pid, bad_code)}")
    st_idx, st_uniq = pd.factorize(projects["status"])
    kinds_used = {r.kind for r in rules.rules}
    th = projects["two_high"] if "two_high" in projects.columns else None
    if "two_high" in kinds_used:
        if th is None:
            _warn("projects have no 'two_high' column: every project is taken as not 两高 "
                  "(rules of kind two_high cannot fail)")
        elif th.isna().any():
            _warn(f"{int(th.isna().sum())} project(s) have no two_high value: taken as not 两高")
    if th is None:
        two_high = np.zeros(n_p, bool)
    elif pd.api.types.is_bool_dtype(th.dtype) and not th.hasnans:
        two_high = th.to_numpy(dtype=bool)
    else:
        two_high = pd.array(th, dtype="boolean").fillna(False).to_numpy(dtype=bool)
    if "high_vocs_solvent" in kinds_used and "solvent_type" not in projects.columns:
        _warn("projects have no 'solvent_type' column: no project is taken as using high-VOCs "
              "solvent materials (rules of kind high_vocs_solvent cannot fail)")
    sol_idx, sol_uniq = pd.factorize(_text(projects, "solvent_type"))
    sol_uniq = [str(s).strip() for s in sol_uniq]
    known = rules.high_vocs | rules.low_vocs
    unknown = [s for s in sol_uniq if known and s not in known]
    if unknown:
        cnt = int(np.isin(sol_idx, [sol_uniq.index(s) for s in unknown]).sum())
        _warn(f"{cnt} project(s) have a solvent_type not in the access list's vocabulary "
              f"{sorted(known)}: {unknown[:5]}; they are treated as not high-VOCs")
    energy = _num(projects, "energy_tce")
    va = _num(projects, "value_added_wan")
    with np.errstate(divide="ignore", invalid="ignore"):
        intensity = np.where(va > 0, energy / va, np.nan)
    return _Attributes(
        pid=pid, pid_s=pid_s, names_s=_text(projects, "name"), code_s=projects["industry_code"],
        code_idx=code_idx, code_norm=norm_u, code_div=divname_u, code_ok=code_ok,
        st_idx=st_idx, st_uniq=[str(s) for s in st_uniq], two_high=two_high,
        sol_idx=sol_idx, sol_uniq=sol_uniq, energy=energy, intensity=intensity,
        loads={p: _num(projects, p) for p in POLLUTANTS})


def _locate_all(projects, units, rules, zones):
    """One query for units and distance-rule candidates; exact metric distances for candidates.

    Returns
    -------
    geoms : GeometryArray in EPSG:4490
    pp, pu : numpy.ndarray
        (project, unit) pairs, sorted by project.
    dist : dict
        ``{(layer, distance_m): distances (m) per project, inf where beyond the buffer}``.
    """
    n_p, n_u = len(projects), len(units)
    cand = _distance_candidates(rules, zones)
    keys = list(cand)
    src = projects.geometry
    geoms = (src.to_crs(STORAGE_CRS) if projects.crs != STORAGE_CRS else src).values
    targets = np.concatenate([np.asarray(units.geometry.values),
                              np.array([cand[k][0] for k in keys], dtype=object)])
    qi, qg = _query(targets, geoms)
    is_unit = qg < n_u
    dist = {}
    for k, key in enumerate(keys):
        sel = qi[qg == n_u + k]
        d = np.full(n_p, np.inf)
        if sel.size:  # the original geometry, so metric input is measured without a round trip
            sub = gpd.GeoSeries(src.values[sel], crs=projects.crs).to_crs(METRIC_CRS)
            d[sel] = shapely.distance(np.asarray(sub.values), cand[key][1])
        dist[key] = d
    return geoms, qi[is_unit], qg[is_unit], dist


def _evaluate(rules, A, skipped, at, pp, pu, dist, ex_loads):
    """Evaluate every rule over the (project, unit) pairs.

    Returns
    -------
    hits : list of (pair_idx, rule_idx, value, limit)
        Pairs that meet the rule (a violation, or a notice for info rules);
        ``value``/``limit`` are the measured figure and the rule's threshold.
    review : numpy.ndarray of bool
        Projects with a rule that could not be evaluated.
    """
    review = np.zeros(len(at.st_idx), dtype=bool)
    reasons = {}
    hits = []
    for j, r in enumerate(rules.rules):
        if r.id in skipped:
            continue
        st_mask = at.status_mask(r.statuses)
        pmask, unsure = st_mask, np.zeros_like(st_mask)
        if r.industry_prefixes:
            pmask = st_mask & at.industry_mask(r.industry_prefixes)
        if r.industry_prefixes or r.kind == "prohibited_industry":
            unsure = st_mask & ~at.code_ok
        here = A[pu, j]
        _flag(review, reasons, pp[here & unsure[pp]], r.id, "industry code unknown")
        on = here & pmask[pp]
        if not on.any():
            continue
        value, limit, pair_value = None, np.nan, False
        if r.kind == "prohibited_industry":
            viol = on & at.industry_mask(r.params["prefixes"])[pp]
        elif r.kind == "two_high":
            viol = on & at.two_high[pp]
        elif r.kind == "high_vocs_solvent":
            hv = np.array([s in set(r.params["solvent_types"]) for s in at.sol_uniq] + [False])
            viol = on & hv[at.sol_idx][pp]
        elif r.kind == "min_distance":
            limit = float(r.params["distance_m"])
            value = dist[(r.params["layer"], limit)]
            viol = on & (value[pp] < limit - DISTANCE_TOLERANCE_M)
        elif r.kind == "emission_cap":
            lp = at.loads[r.params["pollutant"]]
            limit = float(r.params["cap_t"])
            value = ex_loads[pu, POLLUTANTS.index(r.params["pollutant"])] + np.nan_to_num(lp[pp])
            pair_value = True
            missing = np.isnan(lp)[pp]
            viol = on & (value > limit) & ~missing
            _flag(review, reasons, pp[on & missing], r.id, f"{r.params['pollutant']} missing")
        else:  # energy_intensity, green_channel
            big = at.energy >= float(r.params.get("min_energy_tce", 0.0))
            on = on & (big | np.isnan(at.energy))[pp]
            value = at.intensity
            if r.kind == "energy_intensity":
                limit = float(r.params["max_tce_per_wan"])
                viol = on & (value[pp] > limit)
                _flag(review, reasons, pp[on & np.isnan(value)[pp]], r.id,
                      "energy_tce/value_added_wan missing")
            else:
                limit = float(r.params["below_tce_per_wan"])
                viol = on & (value[pp] < limit)
        idx = np.flatnonzero(viol)
        if idx.size:
            if value is None:
                v = np.full(idx.size, np.nan)
            else:
                v = value[idx] if pair_value else value[pp[idx]]
            hits.append((idx, j, v, np.full(idx.size, limit)))
    for rid, (cnt, why) in reasons.items():
        _warn(f"rule {rid}: {cnt} project(s) could not be evaluated ({why}); status review")
    return hits, review


@dataclass
class _Found:
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
        return self.g_sev < 2


_SEV = {"error": 0, "warning": 1, "info": 2}


def _findings(hits, pp, pu, R, n_p):
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
    return _Found(proj=proj, rule=rule, unit=unit, row_sev=rule_sev[rule], g_proj=proj[first],
                  g_rule=g_rule, g_sev=rule_sev[g_rule], g_val=_group_extreme(grp, val, rule, R),
                  g_lim=lim[first], grp=grp, first=first)


def _status_codes(f, review, outside):
    """Index into _STATUS_ORDER per project: fail > warning > review > pass; outside overrides."""
    code = np.full(review.size, _STATUS_ORDER.index("pass"))
    code[review] = _STATUS_ORDER.index("review")
    code[f.g_proj[f.g_sev == 1]] = _STATUS_ORDER.index("warning")
    code[f.g_proj[f.g_sev == 0]] = _STATUS_ORDER.index("fail")
    code[outside] = _STATUS_ORDER.index("outside")
    return code


def _project_table(at, units, pp, pu, f, status_code, R, lang):
    n_p = len(status_code)
    codes_u = units["unit_code"].astype(str).to_numpy()
    towns_u = _text(units, "town").fillna("").astype(str).to_numpy()
    div_idx = np.where(at.code_idx >= 0, at.code_idx, len(at.code_norm))
    div_cat = _cat(div_idx, list(at.code_div) + [""])
    viol = f.is_violation
    return pd.DataFrame({
        "project_id": at.pid,
        "name": at.names_s.array,
        "industry_code": at.code_s.array,
        "industry_division": div_cat,
        "build_type": _cat(at.st_idx, [_word(BUILD_WORDS, s, lang) if s in BUILD_WORDS else s
                                       for s in at.st_uniq]),
        "unit_codes": _joined_per_project(pp, pu, n_p, codes_u),
        "unit_types": _joined_per_project(pp, pu, n_p, units["unit_type"].astype(str).to_numpy(),
                                          unique=True),
        "towns": _joined_per_project(pp, pu, n_p, towns_u, unique=True),
        "n_violations": np.bincount(f.g_proj[viol], minlength=n_p),
        "n_notices": np.bincount(f.g_proj[~viol], minlength=n_p),
        "violated_rules": _rule_lists(f.g_proj[viol], f.g_rule[viol], n_p, [r.id for r in R]),
        "status": _cat(status_code, [_word(STATUS_WORDS, s, lang) for s in _STATUS_ORDER]),
    })


def _finding_tables(at, f, R, lang, unit_codes):
    """The violations (error/warning) and notices (info) tables."""
    details = _details(f.g_rule, f.g_val, f.g_lim, f.g_proj, R, lang, at)
    table = pd.DataFrame({
        "project_id": at.pid_s.take(f.g_proj).array,
        "project_name": at.names_s.take(f.g_proj).array,
        "rule_id": _cat(f.g_rule, [r.id for r in R]),
        "rule_kind": _cat(f.g_rule, [_word(KIND_WORDS, r.kind, lang) for r in R]),
        "severity": _cat(f.g_sev, [_word(SEVERITY_WORDS, s, lang) for s in _SEV]),
        "unit_codes": _joined(f.grp, f.unit, f.first, unit_codes),
        "value": np.round(f.g_val, 4),
        "limit": f.g_lim,
        "detail": details,
        "clause": _cat(f.g_rule, [r.clause for r in R]),
        "rule_source": _cat(f.g_rule, [r.source for r in R]),
    })
    sort = np.lexsort((f.g_rule, f.g_sev))
    viol = f.is_violation[sort]
    return {"violations": table.iloc[sort[viol]].reset_index(drop=True),
            "notices": table.iloc[sort[~viol]].reset_index(drop=True)}


def _unit_table(units, pp, pu, f, status_code, ex_loads, ex_counts):
    n_u = len(units)
    st = status_code[pp]
    area = units.to_crs(METRIC_CRS).area.to_numpy() / 1e6
    return pd.DataFrame({
        "unit_code": units["unit_code"].astype(str).to_numpy(),
        "unit_name": _text(units, "name").to_numpy(),
        "unit_type": units["unit_type"].astype(str).to_numpy(),
        "sub_type": _text(units, "sub_type").to_numpy(),
        "town": _text(units, "town").to_numpy(),
        "area_km2": np.round(area, 3),
        "n_projects": np.bincount(pu, minlength=n_u),
        **{f"n_{s}": np.bincount(pu[st == i], minlength=n_u) for i, s in enumerate(_STATUS_ORDER[:4])},
        "n_violations": np.bincount(f.unit[f.row_sev < 2], minlength=n_u),
        "n_points": ex_counts,
        **{f"existing_{p}": np.round(ex_loads[:, k], 3) for k, p in enumerate(POLLUTANTS)},
    })


def _town_table(units, pp, pu, f, status_code, outside, lang):
    """Totals per town; a project in two towns counts in both."""
    town_u = _text(units, "town").fillna("").astype(str)
    town_codes, town_uniq = pd.factorize(town_u)
    n_t = max(len(town_uniq), 1)
    single = np.bincount(pp, minlength=len(status_code))[pp] == 1  # no de-duplication needed
    tkey = np.unique(pp[~single].astype(np.int64) * n_t + town_codes[pu[~single]])
    tp = np.concatenate([pp[single], tkey // n_t])
    tt = np.concatenate([town_codes[pu[single]], tkey % n_t])
    st = status_code[tp]
    table = pd.DataFrame({
        "town": list(town_uniq),
        "n_projects": np.bincount(tt, minlength=len(town_uniq)),
        **{f"n_{s}": np.bincount(tt[st == i], minlength=len(town_uniq))
           for i, s in enumerate(_STATUS_ORDER[:4])},
        "n_violations": np.bincount(town_codes[f.unit[f.row_sev < 2]], minlength=len(town_uniq)),
        "n_notices": np.bincount(town_codes[f.unit[f.row_sev == 2]], minlength=len(town_uniq)),
    })
    if outside.any():
        row = {c: 0 for c in table.columns}
        row.update(town=_word(STATUS_WORDS, "outside", lang), n_projects=int(outside.sum()))
        table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    return table


def _notes(rules, no_points, lang):
    zh = lang == "zh"
    notes = []
    if no_points:
        notes.append("未提供现有排放源图层：总量上限按现状排放为 0 计算。" if zh else
                     "No emission_points given: existing loads taken as 0 for the emission caps.")
    notes.append("距离类条款：恰好等于最小距离视为符合，小于最小距离（容差 1 mm）视为违规；距离在 EPSG:4549 计算。"
                 if zh else "Distance rules: exactly at the minimum distance passes; closer (1 mm "
                 "tolerance) fails; distances in EPSG:4549.")
    notes.append("总量上限：新建/改扩建项目排放量与单元现状排放量之和超过上限为违规；跨单元项目在每个单元按全部排放量计。"
                 if zh else "Emission caps: existing load of the unit + the project's load above the "
                 "cap fails; a project crossing units is charged its full load in each.")
    if rules.path:
        notes.append(f"access list: {rules.path}" + (f" — {rules.title}" if rules.title else ""))
    return notes


def _layers(projects, geoms, units, tables, status_code):
    ul = units.copy()
    for col in tables["units"].columns:
        if col not in ul.columns or col == "area_km2":
            ul[col] = tables["units"][col].to_numpy()
    pl = projects.rename(columns={"status": "build_type"})
    if projects.crs != STORAGE_CRS:
        pl = pl.set_geometry(gpd.GeoSeries(geoms, index=pl.index, crs=STORAGE_CRS))
    pt = tables["projects"]
    pl = pl.assign(**{c: pt[c].array for c in
                      ("unit_codes", "towns", "n_violations", "n_notices", "violated_rules", "status")})
    return {"control_units": ul, "projects": pl,
            "violations": pl.iloc[np.flatnonzero(status_code <= _STATUS_ORDER.index("warning"))]}


# ----------------------------------------------------------------------------- helpers
def _flag(review, reasons, proj_idx, rule_id, why):
    if proj_idx.size:
        new = np.unique(proj_idx)
        review[new] = True
        cnt, _ = reasons.get(rule_id, (0, why))
        reasons[rule_id] = (cnt + new.size, why)


def _prefix_mask(code_idx, norm_u, prefixes):
    """Per-project mask: normalised code starts with a prefix (evaluated per distinct code)."""
    hit = np.array([bool(c) and c.startswith(tuple(prefixes)) for c in norm_u] + [False])
    return hit[np.where(code_idx >= 0, code_idx, len(norm_u))]


def _partly_outside(geoms, units, pid):
    """Warn about polygon footprints that extend beyond the control units."""
    geoms = np.asarray(geoms)
    poly = np.flatnonzero(shapely.get_type_id(geoms) >= 3)
    if not poly.size:
        return
    cover = shapely.union_all(units.geometry.values)
    part = poly[~shapely.covered_by(geoms[poly], shapely.buffer(cover, 1e-7))
                & shapely.intersects(geoms[poly], cover)]
    if part.size:
        _warn(f"{part.size} project footprint(s) extend beyond the control units (partly outside "
              f"Haining for the default units); only the part inside was checked: {_ids(pid, part)}")


def _joined(grp, f_unit, first, names):
    """Unit codes per finding group, joined with '、' (vectorised for the one-unit groups)."""
    if grp.size == 0:
        return np.zeros(0, dtype=object)
    out = names[f_unit[first]].astype(object)
    sizes = np.bincount(grp)
    for g in np.flatnonzero(sizes > 1):  # only findings reached through several units
        out[g] = "、".join(names[f_unit[grp == g]])
    return out


def _joined_per_project(pp, pu, n_p, names, unique=False):
    """Per project: names of its units joined (categorical; Python only for multi-unit projects)."""
    codes = np.full(n_p, -1, dtype=np.int64)
    codes[pp[::-1]] = pu[::-1]
    n_units = np.bincount(pp, minlength=n_p)
    multi = np.flatnonzero(n_units > 1)
    uniq_names, name_idx = np.unique(names.astype(str), return_inverse=True)
    cats = list(uniq_names)
    codes = np.where(codes >= 0, name_idx[np.maximum(codes, 0)], -1)
    if multi.size:
        starts = np.searchsorted(pp, multi)
        extra = {}
        for m, s in zip(multi, starts):
            vals = [names[u] for u in pu[s:s + n_units[m]]]
            if unique:
                vals = list(dict.fromkeys(vals))
            text = "、".join(vals)
            if text not in extra:
                extra[text] = len(cats) + len(extra)
            codes[m] = extra[text]
        cats += list(extra)
    cats_unique = list(dict.fromkeys(cats))
    if len(cats_unique) != len(cats):  # a joined text equal to a single name
        remap = np.array([cats_unique.index(c) for c in cats])
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
    return _cat(codes, cats_unique)


def _rule_lists(proj, rule, n_p, rule_ids):
    """Per project: ids of the rules it breaks, '、'-joined (via bit masks of rule sets)."""
    if proj.size == 0:
        return _cat(np.full(n_p, -1), [])
    order = np.lexsort((rule, proj))
    proj, rule = proj[order], rule[order]
    # encode each project's rule set as a tuple key through unique rows of a sparse bool matrix
    n_r = len(rule_ids)
    words = (n_r + 63) // 64
    mask = np.zeros((n_p, words), dtype=np.uint64)
    np.bitwise_or.at(mask, (proj, rule // 64), (np.uint64(1) << (rule % 64).astype(np.uint64)))
    hit = np.flatnonzero(mask.any(axis=1))
    if words == 1:
        combos, inv = np.unique(mask[hit, 0], return_inverse=True)
        combos = combos[:, None]
    else:
        combos, inv = np.unique(mask[hit], axis=0, return_inverse=True)
    texts = []
    for row in combos:
        ids = [rule_ids[w * 64 + b] for w in range(words) for b in range(64)
               if w * 64 + b < n_r and (int(row[w]) >> b) & 1]
        texts.append("、".join(ids))
    codes = np.full(n_p, -1, dtype=np.int64)
    codes[hit] = inv.ravel()
    return _cat(codes, texts)


def _group_extreme(grp, vals, rules_idx, R):
    """Worst value per finding group (min distance, max total/intensity)."""
    if grp.size == 0:
        return np.zeros(0)
    n_g = grp.max() + 1
    hi = np.full(n_g, -np.inf)
    lo = np.full(n_g, np.inf)
    v = np.where(np.isnan(vals), -np.inf, vals)
    np.maximum.at(hi, grp, v)
    np.minimum.at(lo, grp, np.where(np.isnan(vals), np.inf, vals))
    first_rule = np.zeros(n_g, dtype=int)
    first_rule[grp[::-1]] = rules_idx[::-1]
    use_min = np.array([r.kind in ("min_distance", "green_channel") for r in R], bool)[first_rule]
    out = np.where(use_min, lo, hi)
    out[~np.isfinite(out)] = np.nan
    return out


def _details(rule, val, lim, proj, R, lang, at):
    """Plain-language explanation of each finding (vectorised per rule)."""
    out = np.empty(rule.size, dtype=object)
    zh = lang == "zh"
    for j in np.unique(rule):
        r = R[j]
        sel = np.flatnonzero(rule == j)
        v = pd.Series(val[sel])
        p = proj[sel]
        if r.kind == "prohibited_industry":
            norm = np.append(at.code_norm, "")
            codes = norm[np.where(at.code_idx >= 0, at.code_idx, len(at.code_norm))][p]
            cats = _categories_of(r)
            txt = (("行业代码 " if zh else "industry code ") + pd.Series(codes, dtype=object)
                   + (f" 属禁止类（{cats}）" if zh else f" is prohibited here ({cats})"))
        elif r.kind == "two_high":
            txt = pd.Series(["新建/改扩建“两高”项目" if zh else "new or expanded two-high project"] * sel.size)
        elif r.kind == "high_vocs_solvent":
            sol = np.array(at.sol_uniq + [""], dtype=object)[at.sol_idx][p]
            txt = (("使用" if zh else "uses ") + pd.Series(sol, dtype=object)
                   + ("（高VOCs含量溶剂型）" if zh else " (high-VOCs solvent-borne)"))
        elif r.kind == "min_distance":
            lw = _word(LAYER_WORDS, r.params["layer"], lang)
            txt = ((f"距{lw} " if zh else f"distance to {lw} ") + v.map("{:.1f}".format)
                   + (f" m，小于 {lim[sel][0]:g} m" if zh else f" m < {lim[sel][0]:g} m"))
        elif r.kind == "emission_cap":
            pw = _word(POLLUTANT_WORDS, r.params["pollutant"], lang)
            txt = ((f"{pw} 现状+项目 " if zh else f"{pw} existing + project ") + v.map("{:.2f}".format)
                   + (f" t/a，超过上限 {lim[sel][0]:g} t/a" if zh else f" t/a > cap {lim[sel][0]:g} t/a"))
        elif r.kind == "energy_intensity":
            txt = (("单位工业增加值能耗 " if zh else "energy intensity ") + v.map("{:.3f}".format)
                   + (f" tce/万元，高于上限 {lim[sel][0]:g}" if zh else f" tce/10k yuan > ceiling {lim[sel][0]:g}"))
        else:  # green_channel
            txt = (("单位工业增加值能耗 " if zh else "energy intensity ") + v.map("{:.3f}".format)
                   + (f" tce/万元，低于 {lim[sel][0]:g}，可申请节能审查绿色通道" if zh
                      else f" tce/10k yuan < {lim[sel][0]:g}: eligible for the energy-review green channel"))
        out[sel] = txt.to_numpy(dtype=object)
    return out


def _categories_of(rule):
    names = rule.params.get("categories", [])
    codes = rule.params.get("codes", [])
    return "、".join(list(names) + list(codes))


def _utilisation(rules, A, units, ex_loads, pp, pu, at, f, skipped, lang):
    """Unit-cap utilisation table and the max utilisation per unit.

    ``proposed_t`` sums the loads of the projects the cap rule applies to
    (new/expansion by default) in the unit; ``n_projects_over`` counts those
    that break the cap on their own.
    """
    n_u = len(units)
    max_util = np.full(n_u, np.nan)
    rows = []
    codes_u = units["unit_code"].astype(str).to_numpy()
    names_u = _text(units, "name").to_numpy()
    towns_u = _text(units, "town").to_numpy()
    for j, r in enumerate(rules.rules):
        if r.kind != "emission_cap" or r.id in skipped:
            continue
        k = POLLUTANTS.index(r.params["pollutant"])
        cap = float(r.params["cap_t"])
        pm = at.status_mask(r.statuses)
        if r.industry_prefixes:
            pm &= at.industry_mask(r.industry_prefixes)
        on = A[pu, j] & pm[pp]
        proposed = np.bincount(pu[on], weights=np.nan_to_num(at.loads[r.params["pollutant"]])[pp[on]],
                               minlength=n_u)
        over = np.bincount(f.unit[f.rule == j], minlength=n_u)
        for u in np.flatnonzero(A[:, j]):
            ex, prop = ex_loads[u, k], proposed[u]
            util_ex = 100 * ex / cap if cap > 0 else np.inf
            util_tot = 100 * (ex + prop) / cap if cap > 0 else np.inf
            max_util[u] = np.nanmax([max_util[u], util_tot])
            state = "over_existing" if ex > cap else ("over" if ex + prop > cap else "ok")
            rows.append({
                "rule_id": r.id, "unit_code": codes_u[u], "unit_name": names_u[u], "town": towns_u[u],
                "pollutant": _word(POLLUTANT_WORDS, r.params["pollutant"], lang),
                "cap_t": cap, "existing_t": round(ex, 3), "proposed_t": round(prop, 3),
                "total_t": round(ex + prop, 3),
                "utilisation_existing_pct": round(util_ex, 1), "utilisation_total_pct": round(util_tot, 1),
                "headroom_t": round(cap - ex, 3), "n_projects_over": int(over[u]),
                "cap_status": _word(CAP_WORDS, state, lang),
            })
    cols = ["rule_id", "unit_code", "unit_name", "town", "pollutant", "cap_t", "existing_t",
            "proposed_t", "total_t", "utilisation_existing_pct", "utilisation_total_pct",
            "headroom_t", "n_projects_over", "cap_status"]
    return pd.DataFrame(rows, columns=cols), np.round(max_util, 1)
