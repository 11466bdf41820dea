"""Industrial parks/platforms of Haining: real names, approximate polygons.

Names, host towns and main industries are public facts as far as known (see
``layers/SOURCES.md`` for what is uncertain). Polygons are NOT surveyed
outlines: each is a parcel of synthetic street blocks of roughly the right size
grown around a hand-placed centre (:func:`build_parks`), inside its host town (so
the park lies in the town it is said to be in) and outside the parks built before
it (no overlaps).
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
import shapely.ops
from shapely import affinity

from hn_geo.core.settings import METRIC_CRS, WGS84

# park_id, name, level, town, industries, centre lon, lat (WGS84, approximate),
# area km2 (approximate order of magnitude of the built-up park), aspect ratio (longer blocks
# for elongated parks), rotation deg of the street grid,
# industry groups used by the emission generator (keys of _layers_emissions.GROUPS)
PARKS = [
    ("P01", "浙江海宁经济开发区", "省级", "海昌街道", "泛半导体、新材料、装备制造",
     120.655, 30.545, 6.0, 1.6, 60, ("semi", "equip", "pv", "material")),
    ("P02", "上海漕河泾开发区海宁分区", "省级（合作共建）", "海昌街道", "泛半导体、智能装备",
     120.683, 30.572, 2.5, 1.4, 60, ("semi", "equip")),
    ("P03", "海宁高新技术产业园区", "省级", "长安镇", "新材料、高端装备、生命健康",
     120.500, 30.478, 9.0, 1.8, 10, ("material", "equip", "pharma", "fibre")),
    ("P04", "浙江海宁尖山新区", "省级", "黄湾镇", "光伏新能源、新材料、装备制造、化工",
     120.800, 30.330, 14.0, 1.5, -35, ("pv", "material", "chem", "equip", "power")),
    ("P05", "浙江海宁经编产业园区", "省级", "马桥街道", "经编、产业用纺织品、化纤",
     120.742, 30.525, 8.0, 1.5, 0, ("knit", "dye", "fibre", "indtex")),
    ("P06", "许村家纺产业集聚区", "镇级", "许村镇", "家纺布艺、印染",
     120.420, 30.450, 6.0, 1.6, 15, ("hometex", "dye", "weave")),
    ("P07", "海宁皮革时尚小镇", "省级特色小镇", "海洲街道", "皮革、裘皮、服装",
     120.668, 30.495, 3.0, 1.3, 0, ("leather", "garment")),
    ("P08", "袁花镇工业园区", "镇级", "袁花镇", "纺织、化纤、装备制造",
     120.750, 30.445, 4.0, 1.5, 30, ("weave", "fibre", "equip")),
    ("P09", "盐官镇工业园区", "镇级", "盐官镇", "装备制造、纺织",
     120.568, 30.418, 3.0, 1.4, -10, ("equip", "weave", "building")),
    ("P10", "丁桥镇工业园区", "镇级", "丁桥镇", "经编、新材料",
     120.652, 30.448, 3.0, 1.4, 0, ("knit", "material")),
    ("P11", "斜桥镇工业园区", "镇级", "斜桥镇", "食品（榨菜）、纺织",
     120.598, 30.520, 2.5, 1.4, 0, ("food", "weave")),
    ("P12", "周王庙镇工业园区", "镇级", "周王庙镇", "皮革、纺织、装备制造",
     120.572, 30.472, 2.5, 1.4, 0, ("leather", "weave", "equip")),
]
PARKS_SOURCE = ("name/town/industries: public facts (see SOURCES.md); polygon: APPROXIMATE "
                "parcel of street blocks of about the park's size grown around a hand-placed "
                "centre (scripts/_layers_parks.py), inside its town, not the official park boundary")


def park_table():
    import pandas as pd

    cols = ["park_id", "name", "level", "town", "industries", "lon", "lat", "area_km2",
            "aspect", "rotation", "groups"]
    return pd.DataFrame(PARKS, columns=cols)


ROAD_M = 30.0  # width of the synthetic roads between blocks
BLOCK_M = (380.0, 240.0)  # mean block length and depth (m), as in Zhejiang industrial parks
SEED = 20230615


def _centre_in(host, c):
    """The park centre, moved 300 m inside its host town when it falls outside."""
    if host.buffer(-300).contains(c):
        return c, 0.0
    inner = host.buffer(-300)
    moved = shapely.ops.nearest_points(inner, c)[0]
    return moved, c.distance(moved)


def _blocks(rng, c, area, aspect, rotation):
    """A rotated street grid around ``c`` covering ~4x the park area: (blocks, column, row).

    Grid lines are spaced by the mean block size +-30 % (seeded), roads ``ROAD_M`` wide.
    """
    bl, bw = BLOCK_M[0] * np.sqrt(aspect / 1.5), BLOCK_M[1]
    n = int(np.ceil(np.sqrt(4 * area) / min(bl, bw) / 2)) + 1
    xe = np.cumsum(rng.uniform(0.7, 1.3, 2 * n + 2) * bl)
    ye = np.cumsum(rng.uniform(0.7, 1.3, 2 * n + 2) * bw)
    xe, ye = xe - xe[n], ye - ye[n]
    out = []
    for i in range(2 * n + 1):
        for j in range(2 * n + 1):
            b = shapely.box(xe[i] + ROAD_M / 2, ye[j] + ROAD_M / 2, xe[i + 1] - ROAD_M / 2, ye[j + 1] - ROAD_M / 2)
            out.append((affinity.translate(affinity.rotate(b, rotation, origin=(0, 0)), c.x, c.y), i - n, j - n))
    return [o[0] for o in out], [o[1] for o in out], [o[2] for o in out]


def _grow(rng, polys, rows, cols, allowed, area):
    """Blocks taken outward from the centre block (noisy order) until the parcel holds ``area``."""
    index = {(r, q): k for k, (r, q) in enumerate(zip(rows, cols))}
    noise = rng.uniform(0.0, 1.0, len(polys))
    kept = [shapely.intersection(p, allowed) for p in polys]
    # blocks hold ~80 % of a parcel, the roads between them the rest
    share = (BLOCK_M[0] - ROAD_M) * (BLOCK_M[1] - ROAD_M) / (BLOCK_M[0] * BLOCK_M[1])
    frontier, taken, total = {index[(0, 0)]}, [], 0.0
    while frontier and total < share * area:
        # next block: the frontier block with the smallest noisy ring distance
        k = min(frontier, key=lambda m: abs(rows[m]) / 1.4 + abs(cols[m]) + 1.6 * noise[m])
        frontier.discard(k)
        if kept[k].area >= 0.6 * polys[k].area:
            taken.append(k)
            total += kept[k].area
            for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                m = index.get((rows[k] + dr, cols[k] + dc))
                if m is not None and m not in taken:
                    frontier.add(m)
    return [kept[k] for k in taken]


def _parcel(blocks, allowed):
    """One parcel: the blocks and the roads between neighbouring blocks (rectilinear outline)."""
    merged = shapely.union_all([b.buffer(ROAD_M * 0.6, join_style="mitre") for b in blocks])
    parcel = shapely.make_valid(merged.buffer(-ROAD_M * 0.6, join_style="mitre").intersection(allowed))
    parts = [g for g in shapely.get_parts(parcel) if g.geom_type == "Polygon" and g.area > 0]
    # no repeated or collinear vertices (1 m): the outline keeps only its corners
    return shapely.simplify(max(parts, key=lambda g: g.area), 1.0)


def build_parks(towns, seed=SEED):
    """Parks as a GeoDataFrame in EPSG:4549: block-built parcels inside their host towns.

    Each park is grown block by block over a synthetic street grid (blocks ~380 x 240 m,
    30 m roads, rotated as the park's main axis) outward from its centre, in a seeded
    noisy order, until it holds its stated area; blocks must lie mostly inside the host
    town and outside the parks built before. The blocks and the roads between them form
    one parcel with a rectilinear outline.

    Parameters
    ----------
    towns : geopandas.GeoDataFrame
        The towns layer (any CRS); parks are clipped to their host town.
    """
    rng = np.random.default_rng(seed)
    tab = park_table()
    towns = towns.to_crs(METRIC_CRS).set_index("name")
    centres = gpd.GeoSeries(gpd.points_from_xy(tab.lon, tab.lat), crs=WGS84).to_crs(METRIC_CRS)
    taken = shapely.Polygon()
    polys = []
    for (_, row), c in zip(tab.iterrows(), centres):
        host = towns.geometry[row.town]
        c, moved = _centre_in(host, c)
        if moved:
            print(f"  park {row.park_id}: centre moved {moved:.0f} m into {row.town}")
        allowed = host.difference(taken)
        blocks, rows, cols = _blocks(rng, c, row.area_km2 * 1e6, row.aspect, row.rotation)
        poly = _parcel(_grow(rng, blocks, rows, cols, allowed, row.area_km2 * 1e6), allowed)
        taken = taken.union(poly)
        polys.append(poly)
    gdf = gpd.GeoDataFrame(tab[["park_id", "name", "level", "town", "industries"]],
                           geometry=polys, crs=METRIC_CRS)
    gdf["area_km2"] = np.round(gdf.area / 1e6, 2)
    gdf["source"] = PARKS_SOURCE
    gdf["approximate"] = True
    return gdf
