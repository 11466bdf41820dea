"""Emission points upstream of the sections that miss their target, ranked by load.

Each failing section is traced up the directed river network (:mod:`hn_geo.water.rivers`);
the dischargers found within ``max_upstream`` metres along the rivers (and within
``snap_distance`` metres of a reach) are ranked by the load of the section's worst exceeded
pollutant that has one (COD for COD/CODMn/BOD5, NH3-N, TP; COD otherwise).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from hn_geo.water.describe import item_of
from hn_geo.water.rivers import upstream_sources

LOAD_OF = {"cod": "cod_t", "codmn": "cod_t", "bod5": "cod_t", "nh3n": "nh3n_t", "tp": "tp_t"}
"""Emission-point load column (family ``water.load``) per exceeded item."""
LOADS = ("cod_t", "nh3n_t", "tp_t")
UPSTREAM_COLUMNS = ["section_id", "name", "year", "exceed_items", "rank", "point_id", "point_name",
                    "industry", "town", "along_km", "snap_m", "cod_t", "nh3n_t", "tp_t", "rank_by",
                    "load_share_pct"]


def _dischargers(points):
    """Points with a water-pollutant load above zero."""
    loads = [c for c in LOADS if c in points.columns]
    return points[(points[loads].fillna(0).to_numpy(float) > 0).any(axis=1)] if loads else points


def _ranked(row, pairs, pts):
    """The points draining to one failing section-year, ranked by the ranking load."""
    sid, name, year, items = row
    load = next((LOAD_OF[c] for c in map(item_of, items) if c in LOAD_OF), "cod_t")
    info = pts.loc[pairs["point_id"]]
    n = len(pairs)

    def text(col):
        return info[col].to_numpy() if col in info else np.full(n, "", dtype=object)

    f = pd.DataFrame({"section_id": sid, "name": name, "year": year,
                      "exceed_items": pd.Series([items] * n, dtype=object),
                      "point_id": pairs["point_id"].to_numpy(), "point_name": text("name"),
                      "industry": text("industry"), "town": text("town"),
                      "along_km": (pairs["along_m"].to_numpy() / 1000).round(2),
                      "snap_m": pairs["snap_m"].to_numpy().round(0),
                      "cod_t": info["cod_t"].to_numpy(float), "nh3n_t": info["nh3n_t"].to_numpy(float),
                      "tp_t": info["tp_t"].to_numpy(float), "rank_by": load})
    key = f[load].fillna(0).to_numpy()
    f = f.iloc[np.lexsort((f["along_km"].to_numpy(), -key))].reset_index(drop=True)
    f.insert(4, "rank", np.arange(1, len(f) + 1))
    total = np.nansum(key)
    f["load_share_pct"] = (100 * f[load].fillna(0) / total).round(1) if total > 0 else np.nan
    return f


def attribute_upstream(failing, sections, rivers, points, *, snap_distance, max_upstream):
    """Emission points draining to each section that misses its target, ranked by load.

    Parameters
    ----------
    failing : pandas.DataFrame
        Section-year rows that miss their target (``section_id``, ``name``, ``year``,
        ``exceed_items`` as item tuples).
    sections, rivers, points : geopandas.GeoDataFrame
        The layers (points need ``point_id`` and ``cod_t``/``nh3n_t``, optionally
        ``name``, ``industry``, ``town``, ``tp_t``).
    snap_distance : float
        Metres from a point (or section) to its reach [m].
    max_upstream : float
        Distance along the river [m].

    Returns
    -------
    pandas.DataFrame
        One row per (section, point): along-river distance [km], distance to the river
        [m], loads [t/a], the load that ranks the point (``rank_by``: ``cod_t``,
        ``nh3n_t`` or ``tp_t``), its rank and its share of the listed points' total [%].
        Only points with a COD, NH3-N or TP load above zero are considered.
    """
    empty = pd.DataFrame(columns=UPSTREAM_COLUMNS)
    if failing.empty:
        return empty
    sec = sections[sections["section_id"].astype(str).isin(set(failing["section_id"]))]
    points = _dischargers(points)
    if points.empty:
        return empty
    pairs, _ = upstream_sources(rivers, sec, points, snap_distance=snap_distance,
                                max_upstream=max_upstream)
    if pairs.empty:
        return empty
    pts = points.assign(point_id=points["point_id"].astype(str)).set_index("point_id")
    for c in LOADS:
        if c not in pts.columns:
            pts[c] = np.nan
    frames = []
    for row in failing[["section_id", "name", "year", "exceed_items"]].itertuples(index=False):
        p = pairs[pairs["section_id"] == row[0]]
        if not p.empty:
            frames.append(_ranked(tuple(row), p, pts))
    return pd.concat(frames, ignore_index=True)[UPSTREAM_COLUMNS] if frames else empty
