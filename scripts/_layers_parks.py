"""Industrial parks/platforms of Haining: real names, approximate polygons.

Names, host towns and main industries are public facts as far as known (see
``layers/SOURCES.md`` for what is uncertain). Polygons are NOT surveyed
outlines: each is an ellipse of roughly the right size around a hand-placed
centre, clipped to its host town (so the park lies in the town it is said to
be in) and to the parks built before it (no overlaps).
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely import affinity

from hn_geo.core.settings import METRIC_CRS, WGS84

# park_id, name, level, town, industries, centre lon, lat (WGS84, approximate),
# area km2 (approximate order of magnitude of the built-up park), aspect ratio, rotation deg,
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
                "ellipse of about the park's size around a hand-placed centre, "
                "clipped to its town, not the official park boundary")


def park_table():
    import pandas as pd

    cols = ["park_id", "name", "level", "town", "industries", "lon", "lat", "area_km2",
            "aspect", "rotation", "groups"]
    return pd.DataFrame(PARKS, columns=cols)


def build_parks(towns):
    """Parks as a GeoDataFrame in EPSG:4549.

    Parameters
    ----------
    towns : geopandas.GeoDataFrame
        The towns layer (any CRS); parks are clipped to their host town.
    """
    tab = park_table()
    towns = towns.to_crs(METRIC_CRS).set_index("name")
    centres = gpd.GeoSeries(gpd.points_from_xy(tab.lon, tab.lat), crs=WGS84).to_crs(METRIC_CRS)
    taken = shapely.Polygon()
    polys = []
    for (_, row), c in zip(tab.iterrows(), centres):
        # ellipse with semi-axes a >= b and area = area_km2
        area = row.area_km2 * 1e6
        b = np.sqrt(area / (np.pi * row.aspect))
        a = b * row.aspect
        ell = affinity.scale(shapely.Point(c.x, c.y).buffer(1.0, 32), a, b)
        ell = affinity.rotate(ell, row.rotation)
        poly = ell.intersection(towns.geometry[row.town]).difference(taken)
        poly = shapely.make_valid(poly)
        if poly.geom_type == "GeometryCollection":
            poly = shapely.union_all([g for g in poly.geoms if g.area > 0])
        kept = poly.area / area
        if kept < 0.5:
            print(f"  warning: park {row.park_id} keeps only {kept:.0%} of its ellipse in {row.town}")
        taken = taken.union(poly)
        polys.append(poly)
    gdf = gpd.GeoDataFrame(tab[["park_id", "name", "level", "town", "industries"]],
                           geometry=polys, crs=METRIC_CRS)
    gdf["area_km2"] = np.round(gdf.area / 1e6, 2)
    gdf["source"] = PARKS_SOURCE
    gdf["approximate"] = True
    return gdf
