"""The sections of an assessment: targets, lake flags, matching result rows, status codes.

Sections come from the ``sections`` catalog layer, validated on the input side
(:mod:`hn_geo.ground`): ``section_type`` holds the codes ``provincial`` / ``municipal`` /
``handover`` (省控 / 市控 / 交接) and ``water_body`` the codes ``river`` / ``lake`` (河流 /
湖库). Target classes may be written ``III``, ``Ⅲ类``, ``3`` ...; they are parsed here.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.reference import gb3838

SECTION_TYPES = ("provincial", "municipal", "handover")
"""Codes of ``section_type`` (family ``section_type`` of the vocabulary)."""
WATER_BODIES = ("river", "lake")
"""Codes of ``water_body`` (family ``water_body``)."""
MAX_LISTED = 10
"""Sections named at most in a warning."""


def _check_codes(s, column, allowed, path):
    vals = s[column].astype(object)
    bad = np.flatnonzero(~vals.isin(allowed).to_numpy())
    if bad.size:
        first = vals.iloc[bad[0]]
        raise HnGeoError(f"{bad.size} {column} value(s) are not codes {list(allowed)} (first: "
                         f"{first!r}, section {s['section_id'].iloc[bad[0]]}); read the layer "
                         "through hn_geo.ground, which maps 省控/河流 ... to codes",
                         path=path, row=int(bad[0]) + 1, field=column, code="water.bad_code",
                         params={"n": int(bad.size), "column": column, "first": str(first),
                                 "section": str(s["section_id"].iloc[bad[0]]),
                                 "allowed": list(allowed)})


def prepare_sections(sections):
    """Section table with numeric targets and lake flags.

    Parameters
    ----------
    sections : geopandas.GeoDataFrame
        The ``sections`` layer (``section_id``, ``name``, ``river``, ``section_type``,
        ``water_body``, ``target_class``), coded fields as codes.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with ``target_class`` as a class code ('I'..'V'), ``target_num`` (1..5) and
        ``lake`` (bool) added.

    Raises
    ------
    HnGeoError
        Unreadable target classes, section types or water bodies that are not codes
        (naming the feature).
    """
    s = sections.copy()
    path = sections.attrs.get("hn_geo_source")
    s["section_id"] = s["section_id"].astype(str)
    tgt = gb3838.parse_class(s["target_class"].to_numpy(object))
    bad = np.flatnonzero(~np.isfinite(tgt))
    if bad.size:
        first = s["target_class"].iloc[bad[0]]
        raise HnGeoError(f"{bad.size} target class(es) are not I..V (first: {first!r}, section "
                         f"{s['section_id'].iloc[bad[0]]})", path=path, row=int(bad[0]) + 1,
                         field="target_class", code="water.bad_target_class",
                         params={"n": int(bad.size), "first": str(first),
                                 "section": s["section_id"].iloc[bad[0]]})
    _check_codes(s, "section_type", SECTION_TYPES, path)
    _check_codes(s, "water_body", WATER_BODIES, path)
    s["target_num"] = tgt.astype(int)
    s["target_class"] = gb3838.class_code(tgt)
    s["lake"] = (s["water_body"].astype(str) == "lake").to_numpy()
    return s


def match_sections(samples, sections):
    """Attach layer section ids to result rows (by id, else by name).

    Rows whose section is not in the layer (or every row, when ``sections`` is None) keep
    their own id (else their name) as ``section_id`` and get ``listed`` False: they are
    classified only. When a layer was given, a warning (``water.unlisted_sections``) counts
    them and names their sections.

    Returns
    -------
    pandas.DataFrame
        ``samples`` with ``section_id`` (the layer's where listed) and ``listed`` (bool).
    """
    own = samples["section_id"].astype("string").fillna(samples["section_name"].astype("string"))
    out = samples.copy()
    out.attrs = dict(samples.attrs)
    if sections is None:
        return out.assign(section_id=own, listed=False)
    ids = set(sections["section_id"].astype(str))
    by_id = samples["section_id"].astype("string")
    sid = by_id.where(by_id.isin(ids))
    if samples["section_name"].notna().any():
        names = sections["name"].astype(str)
        dup = set(names[names.duplicated()])
        name_map = dict(zip(names, sections["section_id"].astype(str)))
        from_name = samples["section_name"].astype("string").map(
            lambda v: name_map.get(v) if isinstance(v, str) and v not in dup else None)
        sid = sid.fillna(from_name.astype("string"))
    missing = sid.isna().to_numpy()
    out["section_id"] = sid.fillna(own)
    out["listed"] = ~missing
    if missing.any():
        absent = sorted(set(own[missing].dropna().astype(str)))
        listed = absent[:MAX_LISTED] + (["..."] if len(absent) > MAX_LISTED else [])
        warnings.warn(HnGeoWarning("water.unlisted_sections", path=samples.attrs.get("path"),
                                   n_rows=int(missing.sum()), n_sections=len(absent),
                                   sections=listed, first_row=samples["row"].to_numpy()[missing][0]),
                      stacklevel=3)
    return out


def unlisted_sections(samples, *, water_body=None):
    """Sections of result rows that are not in the sections layer: classified only.

    They have no target class (``target_num`` NaN), no section type and no geometry, so
    compliance, the plan's indicators and the upstream attribution leave them out. Their
    water body comes from the results' ``water_body`` column (codes ``river``/``lake``),
    else from ``water_body``, else ``river``.

    Returns
    -------
    pandas.DataFrame
        One row per section: ``section_id``, ``name``, ``river``, ``section_type``,
        ``water_body``, ``target_class``, ``target_num``, ``lake``, ``water_body_from``
        (``column``, ``option`` or ``default``).
    """
    cols = ["section_id", "name", "river", "section_type", "water_body", "target_class",
            "target_num", "lake", "water_body_from"]
    rows = samples[~samples["listed"]] if "listed" in samples.columns else samples
    if rows.empty:
        return pd.DataFrame(columns=cols)
    g = rows.groupby("section_id", sort=False)
    t = pd.DataFrame({"section_id": list(g.groups)})
    name = g["section_name"].first().reindex(t["section_id"]).to_numpy(object)
    t["name"] = np.where(pd.isna(name), t["section_id"].to_numpy(object), name)
    col = (g["water_body"].first().reindex(t["section_id"]).to_numpy(object)
           if "water_body" in rows.columns else np.full(len(t), None, dtype=object))
    has = np.array([isinstance(v, str) for v in col])
    fallback = water_body or "river"
    t["water_body"] = np.where(has, col, fallback)
    t["water_body_from"] = np.where(has, "column", "option" if water_body else "default")
    _check_codes(t, "water_body", WATER_BODIES, samples.attrs.get("path"))
    t["river"] = None
    t["section_type"] = None
    t["target_class"] = None
    t["target_num"] = np.nan
    t["lake"] = (t["water_body"] == "lake").to_numpy()
    return t[cols]


def target_met(section_cls, target):
    """Target met (nullable bool): NA where no item could be classified or the section has
    no target (a section not in the sections layer)."""
    sc = np.asarray(section_cls)
    t = np.asarray(target, dtype=float)
    with np.errstate(invalid="ignore"):
        return pd.array(np.where((sc > 0) & np.isfinite(t), sc <= t, None), dtype="boolean")


def status_of(met, target=None):
    """Status codes of target-met flags: ``met``, ``not_met``, ``no_data`` (NA); None where
    the section has no target (classified only)."""
    m = pd.array(met, dtype="boolean")
    out = np.where(m.isna(), "no_data", np.where(m.fillna(False), "met", "not_met")).astype(object)
    if target is not None:
        out[~np.isfinite(np.asarray(target, dtype=float))] = None
    return out


def missed(table):
    """Rows that have a class and miss their target (bool array)."""
    return table["target_met"].eq(False).fillna(False).to_numpy(bool)
