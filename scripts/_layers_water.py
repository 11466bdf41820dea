"""Rivers (approximate courses of real rivers) and monitoring sections (synthetic sites).

Rivers
------
Each river is a list of hand-placed WGS84 waypoints read from public maps
(approximate, ~0.5-1 km), given in FLOW DIRECTION (downstream last). The build:

1. projects the waypoints to EPSG:4549 and smooths them (Chaikin corner
   cutting, end points kept);
2. snaps the first vertex of an inflowing river to the Haining boundary
   (where it enters from a neighbour) and the last vertex of a sea-entry river
   to the boundary on the Qiantang estuary/Hangzhou Bay side (its sluice);
3. snaps the last vertex of a tributary onto its receiving river and splits the
   receiving river there into reaches, so the reaches form a connected directed
   network: every reach ends either at the boundary (outlet) or at the start of
   its ``downstream_id`` reach.

Sections
--------
Synthetic monitoring sites placed ON the reaches by rule: hand-over (交接)
sections where a river enters Haining from a neighbour, leaves it, or crosses
from one (synthetic) town polygon into another; provincial (省控) sections above
the three sea-entry sluices; city (市控) sections where a river passes nearest a
town seat; one lake (湖库) section. Names are plausible, not official.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import ops

from hn_geo.core.settings import METRIC_CRS, WGS84

# key, name, sea_entry, inflow (enters from a neighbour), joins (receiving river key or None),
# water_body, waypoints (lon, lat) in flow direction.
# Receiving rivers must come before their tributaries.
RIVERS = [
    ("CSH", "长山河", True, True, None, "河流",
     [(120.618, 30.540), (120.645, 30.527), (120.672, 30.512), (120.695, 30.500),
      (120.722, 30.480), (120.750, 30.458), (120.778, 30.425), (120.803, 30.398),
      (120.828, 30.378)]),
    ("STH", "上塘河", True, True, None, "河流",
     [(120.335, 30.440), (120.370, 30.442), (120.412, 30.440), (120.455, 30.447),
      (120.495, 30.452), (120.515, 30.435), (120.528, 30.412), (120.533, 30.392)]),
    ("YGX", "盐官下河", True, False, None, "河流",
     [(120.525, 30.468), (120.540, 30.447), (120.552, 30.422), (120.560, 30.392)]),
    ("CCG", "崇长港", False, True, "YGX", "河流",
     [(120.505, 30.497), (120.512, 30.485), (120.525, 30.468)]),
    ("LTH", "洛塘河", False, False, "CSH", "河流",
     [(120.535, 30.478), (120.575, 30.474), (120.610, 30.488), (120.640, 30.500),
      (120.665, 30.506)]),
    ("CST", "长水塘", False, True, "CSH", "河流",
     [(120.685, 30.583), (120.681, 30.560), (120.670, 30.541), (120.657, 30.530)]),
    ("YHT", "袁花塘", False, False, "CSH", "河流",
     [(120.652, 30.440), (120.690, 30.437), (120.720, 30.440), (120.748, 30.440),
      (120.766, 30.440)]),
    ("JHU", "鹃湖", False, False, "LTH", "湖库",
     [(120.633, 30.513), (120.637, 30.509), (120.640, 30.506)]),
]
RIVERS_SOURCE = ("name: real river; course: APPROXIMATE, smoothed line through hand-placed "
                 "waypoints from public maps (~0.5-1 km), digitised in flow direction")
SECTIONS_SOURCE = ("SYNTHETIC monitoring site placed by rule on the approximate river line "
                   "(scripts/_layers_water.py); name plausible, not an official section")

SMOOTH_ITER = 3
MIN_GAP_M = 2000.0  # no new hand-over or city section closer than this to an existing one


def _chaikin(xy, n):
    xy = np.asarray(xy, float)
    for _ in range(n):
        q = 0.75 * xy[:-1] + 0.25 * xy[1:]
        r = 0.25 * xy[:-1] + 0.75 * xy[1:]
        mid = np.empty((2 * len(q), 2))
        mid[0::2], mid[1::2] = q, r
        xy = np.vstack([xy[:1], mid, xy[-1:]])
    return xy


def _to_metric(lonlat):
    lon, lat = np.asarray(lonlat, float).T
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84).to_crs(METRIC_CRS)
    return np.column_stack([pts.x, pts.y])


def river_courses(boundary):
    """Whole river courses (before splitting) as {key: LineString} in EPSG:4549."""
    hn_ring = boundary.to_crs(METRIC_CRS).geometry.iloc[0].boundary
    lines = {}
    for key, _name, sea, inflow, joins, _wb, wps in RIVERS:
        xy = _chaikin(_to_metric(wps), SMOOTH_ITER)
        if inflow:
            p = ops.nearest_points(hn_ring, shapely.Point(xy[0]))[0]
            xy[0] = (p.x, p.y)
        if sea:
            p = ops.nearest_points(hn_ring, shapely.Point(xy[-1]))[0]
            xy[-1] = (p.x, p.y)
        if joins:
            recv = lines[joins]
            p = recv.interpolate(recv.project(shapely.Point(xy[-1])))
            xy[-1] = (p.x, p.y)
        lines[key] = shapely.LineString(xy)
    return lines


def build_rivers(boundary):
    """Reaches as a GeoDataFrame in EPSG:4549 with a ``downstream_id`` column."""
    meta = {r[0]: r for r in RIVERS}
    lines = river_courses(boundary)
    # split positions along each receiving river
    cuts = {k: set() for k in lines}
    for key, *_rest in RIVERS:
        joins = meta[key][4]
        if joins:
            d = lines[joins].project(shapely.Point(lines[key].coords[-1]))
            if 1.0 < d < lines[joins].length - 1.0:
                cuts[joins].add(round(d, 3))
    rows = []
    reach_at = {}  # (river key, distance of reach start) -> reach id
    for key, line in lines.items():
        edges = [0.0] + sorted(cuts[key]) + [line.length]
        for i, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
            rid = f"{key}-{i + 1}"
            seg = ops.substring(line, a, b)
            rows.append({"river_id": rid, "key": key, "name": meta[key][1], "sea_entry": meta[key][2],
                         "start_m": a, "geometry": seg})
            reach_at[(key, a)] = rid
    reaches = pd.DataFrame(rows)
    # downstream links; make junction vertices identical
    down = []
    geoms = list(reaches.geometry)
    starts = {r: i for i, r in enumerate(reaches.river_id)}
    for i, r in reaches.iterrows():
        nxt = reaches[(reaches.key == r.key) & (reaches.start_m > r.start_m)]
        if len(nxt):
            down.append(nxt.river_id.iloc[0])
            continue
        joins = meta[r.key][4]
        if joins is None:
            down.append(None)
            continue
        d = lines[joins].project(shapely.Point(r.geometry.coords[-1]))
        cand = reaches[(reaches.key == joins) & (reaches.start_m <= d + 1.0)]
        target = cand.sort_values("start_m").river_id.iloc[-1]
        down.append(target)
        xy = np.asarray(geoms[i].coords)
        xy[-1] = geoms[starts[target]].coords[0] if abs(
            reaches.start_m[starts[target]] - d) < 1.5 else xy[-1]
        geoms[i] = shapely.LineString(xy)
    gdf = gpd.GeoDataFrame(reaches[["river_id", "name", "sea_entry"]], geometry=geoms, crs=METRIC_CRS)
    gdf["downstream_id"] = down
    gdf["flow_direction"] = 1
    gdf["length_km"] = np.round(gdf.length / 1000.0, 2)
    gdf["source"] = RIVERS_SOURCE
    gdf["approximate"] = True
    return gdf


def _short(name):
    for suffix in ("街道", "镇", "市", "区", "县"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def build_sections(rivers, towns, neighbors):
    """Monitoring sections on the reaches (EPSG:4549); see the module docstring for the rules."""
    rivers = rivers.to_crs(METRIC_CRS)
    towns = towns.to_crs(METRIC_CRS).reset_index(drop=True)
    neighbors = neighbors.to_crs(METRIC_CRS)
    meta = {r[1]: r for r in RIVERS}
    rows = []

    def add(reach, dist, name, stype, up=None, down=None, target="III"):
        pt = reach.geometry.interpolate(dist)
        rows.append({"name": name, "river": reach["name"], "section_type": stype,
                     "upstream_unit": up, "downstream_unit": down,
                     "water_body": meta[reach["name"]][5], "target_class": target,
                     "reach": reach.river_id, "geometry": pt})

    first = rivers.groupby("name", sort=False).head(1).set_index("name")
    last = rivers.groupby("name", sort=False).tail(1).set_index("name")
    # 1. inflow from neighbours
    for _key, rname, _sea, inflow, *_ in RIVERS:
        if not inflow:
            continue
        reach = first.loc[rname].copy()
        reach["name"] = rname
        start = shapely.Point(reach.geometry.coords[0])
        nb = neighbors.iloc[int(np.argmin(neighbors.distance(start).to_numpy()))]["name"]
        add(reach, 300.0, f"{rname}{_short(nb)}海宁交界", "交接", nb, "海宁市")
    # 2. sea-entry sluices (provincial) and outflow to Haiyan
    sluice = {"长山河": "长山闸", "上塘河": "盐官上河闸", "盐官下河": "盐官下河闸"}
    for rname, sname in sluice.items():
        reach = last.loc[rname].copy()
        reach["name"] = rname
        add(reach, reach.geometry.length - 1500.0, f"{rname}{sname}", "省控")
        end = shapely.Point(reach.geometry.coords[-1])
        dists = neighbors.distance(end).to_numpy()
        nb = neighbors.iloc[int(np.argmin(dists))]["name"]
        if rname == "长山河" and nb == "海盐县":
            add(reach, reach.geometry.length - 150.0, f"{rname}海宁{_short(nb)}交界", "交接",
                "海宁市", nb)
    # 3. town-to-town crossings: a section 300 m below each change of town
    step = 25.0
    for _, reach in rivers.iterrows():
        if meta[reach["name"]][5] != "河流":
            continue
        line = reach.geometry
        d = np.arange(0.0, line.length, step)
        pts = gpd.GeoSeries(shapely.line_interpolate_point(line, d), crs=METRIC_CRS)
        idx = towns.sindex.query(pts.values, predicate="within")
        town_of = np.full(len(d), -1)
        town_of[idx[0]] = idx[1]
        change = np.flatnonzero((town_of[1:] != town_of[:-1]) & (town_of[:-1] >= 0) & (town_of[1:] >= 0))
        for c in change:
            at = d[c + 1] + 300.0
            after = d[c + 1:]
            stays = after[town_of[c + 1:] != town_of[c + 1]]
            if (stays.size and stays[0] < at + 200.0) or at > line.length - 200.0:
                continue
            up, dn = towns.name[town_of[c]], towns.name[town_of[c + 1]]
            pt = line.interpolate(at)
            if min((r["geometry"].distance(pt) for r in rows), default=np.inf) < MIN_GAP_M:
                continue
            add(reach, at, f"{reach['name']}{_short(up)}{_short(dn)}交界", "交接", up, dn)
    # 4. city-controlled sections nearest the town seats (rivers passing within 2 km)
    seats = gpd.GeoSeries(gpd.points_from_xy(towns.seat_lon, towns.seat_lat), crs=WGS84).to_crs(METRIC_CRS)
    taken = gpd.GeoSeries([r["geometry"] for r in rows], crs=METRIC_CRS)
    for tname, seat in zip(towns.name, seats):
        dist = rivers.distance(seat).to_numpy()
        j = int(np.argmin(dist))
        if dist[j] > 2000.0:
            continue
        reach = rivers.iloc[j]
        at = reach.geometry.project(seat)
        pt = reach.geometry.interpolate(at)
        if taken.distance(pt).min() < MIN_GAP_M:
            continue
        target = "IV" if reach["name"] in ("洛塘河", "袁花塘", "长水塘") else "III"
        add(reach, at, f"{reach['name']}{_short(tname)}", "市控", target=target)
        taken = pd.concat([taken, gpd.GeoSeries([pt], crs=METRIC_CRS)], ignore_index=True)
    # 5. lake sections (湖库): middle of each lake reach
    for _, reach in rivers[rivers["name"].map(lambda n: meta[n][5] == "湖库")].iterrows():
        add(reach, reach.geometry.length / 2.0, f"{reach['name']}湖心", "市控")
    gdf = gpd.GeoDataFrame(rows, crs=METRIC_CRS)
    gdf.insert(0, "section_id", [f"HN-W{i + 1:02d}" for i in range(len(gdf))])
    gdf["source"] = SECTIONS_SOURCE
    gdf["approximate"] = True
    return gdf
