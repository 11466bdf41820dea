"""Directed river network: snapping points to reaches and tracing upstream.

Reaches (the ``rivers`` layer) are lines digitised in the direction of flow,
unless their ``flow_direction`` is -1 (digitised against the flow). The
network is built in the metric CRS (EPSG:4549): reach end points closer than
``tolerance`` metres are merged into one node (connected components of a
distance graph), and a reach whose *interior* is touched by the end of
another (a tributary joining mid-reach) is split there, so junctions work
without perfectly noded input. Along-river distances come from Dijkstra
shortest paths (:func:`scipy.sparse.csgraph.dijkstra`) over the reversed
graph, so one call gives the distance from every node upstream of a section.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from shapely.ops import substring

from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.settings import METRIC_CRS


@dataclass
class RiverNetwork:
    """Reaches as directed edges between nodes, in ``METRIC_CRS``.

    Attributes
    ----------
    edges : geopandas.GeoDataFrame
        One row per (split) reach, geometry oriented downstream, with columns
        ``river_id``, ``name``, ``source`` and ``target`` (node numbers) and
        ``length_m``.
    n_nodes : int
    """

    edges: gpd.GeoDataFrame
    n_nodes: int

    def graph(self, reverse=False):
        """Sparse (n_nodes x n_nodes) matrix of reach lengths (m), flow direction."""
        e = self.edges
        src, dst = e["source"].to_numpy(), e["target"].to_numpy()
        if reverse:
            src, dst = dst, src
        # parallel reaches between the same nodes: keep the shortest
        df = pd.DataFrame({"s": src, "d": dst, "w": e["length_m"].to_numpy()})
        df = df.groupby(["s", "d"], as_index=False)["w"].min()
        return coo_matrix((df["w"].to_numpy() + 1e-9, (df["s"], df["d"])),
                          shape=(self.n_nodes, self.n_nodes)).tocsr()


def _lines(geom):
    """Flatten MultiLineStrings into their parts (array of LineStrings, owner index)."""
    parts, owner = shapely.get_parts(geom, return_index=True)
    return parts, owner


def build_network(rivers, *, tolerance=5.0):
    """Build the directed network of a ``rivers`` layer.

    Parameters
    ----------
    rivers : geopandas.GeoDataFrame
        Lines with ``river_id`` (and optionally ``name``, ``flow_direction``).
    tolerance : float
        Metres within which end points are one node and a reach end joins
        another reach's interior.

    Returns
    -------
    RiverNetwork
    """
    r = rivers.to_crs(METRIC_CRS)
    parts, owner = _lines(r.geometry.values)
    flow = (r["flow_direction"].fillna(1).to_numpy()[owner] if "flow_direction" in r.columns
            else np.ones(len(owner)))
    flip = np.asarray(flow, float) == -1
    parts = parts.copy()
    if flip.any():
        parts[flip] = shapely.reverse(parts[flip])
    ids = r["river_id"].astype(str).to_numpy()[owner]
    names = (r["name"].astype(str).to_numpy()[owner] if "name" in r.columns
             else np.array([""] * len(owner), dtype=object))
    parts, ids, names = _split_at_junctions(parts, ids, names, tolerance)
    starts = shapely.get_point(parts, 0)
    ends = shapely.get_point(parts, -1)
    pts = np.concatenate([starts, ends])
    tree = shapely.STRtree(pts)
    a, b = tree.query(pts, predicate="dwithin", distance=tolerance)
    adj = coo_matrix((np.ones(a.size), (a, b)), shape=(pts.size, pts.size))
    n_nodes, label = connected_components(adj, directed=False)
    n = len(parts)
    edges = gpd.GeoDataFrame({"river_id": ids, "name": names,
                              "source": label[:n], "target": label[n:],
                              "length_m": shapely.length(parts)},
                             geometry=parts, crs=METRIC_CRS)
    return RiverNetwork(edges, int(n_nodes))


def _split_at_junctions(parts, ids, names, tolerance):
    """Split reaches whose interior is touched by another reach's end point."""
    ends = np.concatenate([shapely.get_point(parts, 0), shapely.get_point(parts, -1)])
    end_owner = np.concatenate([np.arange(len(parts))] * 2)
    tree = shapely.STRtree(parts)
    pi, li = tree.query(ends, predicate="dwithin", distance=tolerance)
    keep = end_owner[pi] != li
    pi, li = pi[keep], li[keep]
    if pi.size == 0:
        return parts, ids, names
    pos = shapely.line_locate_point(parts[li], ends[pi])
    length = shapely.length(parts[li])
    interior = (pos > tolerance) & (pos < length - tolerance)
    pi, li, pos = pi[interior], li[interior], pos[interior]
    if li.size == 0:
        return parts, ids, names
    out_parts, out_ids, out_names = [], [], []
    cuts = pd.DataFrame({"line": li, "pos": pos}).groupby("line")["pos"].apply(
        lambda s: np.unique(s.to_numpy()))
    for i in range(len(parts)):  # loop over reaches (hundreds at most), not samples
        if i in cuts.index:
            c = np.concatenate([[0.0], cuts[i], [shapely.length(parts[i])]])
            segs = [substring(parts[i], c[k], c[k + 1]) for k in range(len(c) - 1)]
        else:
            segs = [parts[i]]
        out_parts += segs
        out_ids += [ids[i]] * len(segs)
        out_names += [names[i]] * len(segs)
    return np.array(out_parts, dtype=object), np.array(out_ids, dtype=object), \
        np.array(out_names, dtype=object)


def snap(network, points, *, max_distance):
    """Locate points on their nearest reach.

    Parameters
    ----------
    network : RiverNetwork
    points : geopandas.GeoDataFrame
        Any CRS (converted to the metric CRS).
    max_distance : float
        Metres; points farther from every reach are not snapped.

    Returns
    -------
    pandas.DataFrame
        Index as ``points``; columns ``edge`` (position in ``network.edges``,
        -1 when not snapped), ``offset_m`` (distance along the reach from its
        upstream end) and ``snap_m`` (distance to the reach).
    """
    geom = points.to_crs(METRIC_CRS).geometry.values
    lines = network.edges.geometry.values
    tree = shapely.STRtree(lines)
    (pi, li), dist = tree.query_nearest(geom, max_distance=max_distance, return_distance=True,
                                        all_matches=False)
    edge = np.full(len(geom), -1)
    snap_m = np.full(len(geom), np.nan)
    offset = np.full(len(geom), np.nan)
    edge[pi] = li
    snap_m[pi] = dist
    offset[pi] = shapely.line_locate_point(lines[li], geom[pi])
    return pd.DataFrame({"edge": edge, "offset_m": offset, "snap_m": snap_m}, index=points.index)


def upstream_distances(network, target, sources):
    """Along-river distance (m) from each source location down to one target location.

    Parameters
    ----------
    target : tuple (edge, offset_m)
        Where the section sits.
    sources : pandas.DataFrame
        From :func:`snap` (``edge``, ``offset_m``).

    Returns
    -------
    numpy.ndarray
        Metres, ``inf`` where the source does not drain to the target (or is
        not snapped).
    """
    e = network.edges
    t_edge, t_off = int(target[0]), float(target[1])
    t_start = int(e["source"].iat[t_edge])
    d_rev = dijkstra(network.graph(reverse=True), directed=True, indices=t_start)
    s_edge = sources["edge"].to_numpy()
    s_off = sources["offset_m"].to_numpy()
    ok = s_edge >= 0
    out = np.full(len(sources), np.inf)
    se = s_edge[ok]
    length = e["length_m"].to_numpy()[se]
    s_end = e["target"].to_numpy()[se]
    via = (length - s_off[ok]) + d_rev[s_end] + t_off
    same = (se == t_edge) & (s_off[ok] <= t_off + 1e-6)
    via = np.where(same, np.minimum(via, t_off - s_off[ok]), via)
    out[ok] = via
    return out


def upstream_sources(rivers, sections, points, *, snap_distance, max_upstream, tolerance=5.0,
                     section_snap=None):
    """Pairs (section, emission point) where the point drains to the section.

    Parameters
    ----------
    rivers : geopandas.GeoDataFrame
        The ``rivers`` layer.
    sections : geopandas.GeoDataFrame
        Sections to trace (``section_id`` and point geometry).
    points : geopandas.GeoDataFrame
        Emission points (``point_id`` and point geometry).
    snap_distance : float
        An emission point belongs to its nearest reach if within this distance [m],
        otherwise it is not attributed.
    max_upstream : float
        Distance along the river [m]: points farther upstream are not listed.
    tolerance : float
        Node-merging tolerance of :func:`build_network`.
    section_snap : float, optional
        Snap distance for the sections (default ``snap_distance``).

    Returns
    -------
    pairs : pandas.DataFrame
        ``section_id``, ``point_id``, ``snap_m``, ``along_m`` (sorted by
        section and distance).
    unsnapped : list of str
        Section ids farther than the snap distance from every reach.
    """
    net = build_network(rivers, tolerance=tolerance)
    s_loc = snap(net, sections, max_distance=section_snap or snap_distance)
    p_loc = snap(net, points, max_distance=snap_distance)
    frames, unsnapped = [], []
    sid = sections["section_id"].astype(str).to_numpy()
    pid = points["point_id"].astype(str).to_numpy()
    for i in range(len(sections)):  # one Dijkstra per failing section (a handful)
        edge = s_loc["edge"].iat[i]
        if edge < 0:
            unsnapped.append(sid[i])
            continue
        d = upstream_distances(net, (edge, s_loc["offset_m"].iat[i]), p_loc)
        hit = np.flatnonzero(d <= max_upstream)
        frames.append(pd.DataFrame({"section_id": sid[i], "point_id": pid[hit],
                                    "snap_m": p_loc["snap_m"].to_numpy()[hit],
                                    "along_m": d[hit]}))
    if unsnapped:
        warnings.warn(HnGeoWarning("water.section_not_snapped", n=len(unsnapped),
                                   distance=float(section_snap or snap_distance),
                                   sections=unsnapped[:10] + (["..."] if len(unsnapped) > 10 else [])),
                      stacklevel=2)
    cols = ["section_id", "point_id", "snap_m", "along_m"]
    pairs = (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols))
    return pairs.sort_values(["section_id", "along_m"], ignore_index=True), unsnapped
