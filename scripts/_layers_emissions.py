"""Synthetic enterprises (emission points) for Haining, seeded.

Nothing here is a measurement. The generator draws ``n`` enterprises:

* industry: from :data:`INDUSTRIES` (GB/T 4754-2017 4-digit classes typical of
  Haining: warp knitting, home textiles, printing & dyeing, chemical fibre,
  leather, synthetic leather, coatings, chemicals, building materials, PV,
  semiconductors, equipment, food ...) with weights ~ share of enterprises;
* location: by land use -- ``P_PARK`` of them (``PARK_BOUND`` for heavy
  industry, e.g. all heat-and-power plants) uniformly inside an industrial
  park (parks whose industry groups include the enterprise's group are
  ``AFFINITY`` times more likely), ``P_TOWN`` near a town seat (normal,
  sigma ``SEAT_SIGMA_M``; home towns of the group preferred), the rest
  uniformly anywhere inside the boundary (village enterprises);
* town: spatial join of the point with the towns layer; ``park_id``: the park
  containing it (empty outside parks);
* loads (t/a) and energy (tce/a): lognormal per industry, median and log-sd in
  :data:`INDUSTRIES`; a load is exactly 0 where the industry has no such
  discharge (median 0).

Medians were chosen so that city totals are plausible for a county-level city of
~1.1 million people with a large textile/chemical-fibre base (see SOURCES.md);
they are not calibrated to any statistics.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hn_geo.core.settings import METRIC_CRS, WGS84

SEED = 20221121
N_POINTS = 3000
P_PARK, P_TOWN = 0.60, 0.25
AFFINITY = 8.0
# share sited in parks for heavy/regulated groups (others: P_PARK)
PARK_BOUND = {"power": 1.0, "chem": 0.95, "pharma": 0.9, "semi": 0.9, "pv": 0.9,
              "fibre": 0.85, "dye": 0.85, "building": 0.7}
SEAT_SIGMA_M = 1500.0
SIGMA = 1.0  # log-sd of an enterprise's size factor (applies to all its loads and energy)
Z_CLIP = 2.5  # size factors are clipped to +-Z_CLIP sigma (no absurd giants)
SIGMA_BY_CODE = {"3011": 0.4, "4412": 0.4}  # few, similar large plants: narrower spread
SPREAD = 0.35  # extra log-sd of each load around the size factor

# code, industry (GB/T 4754-2017 class name), group, weight,
# medians: energy tce, NOx t, VOCs t, COD t, NH3-N t, TP t  (0 = no such discharge)
INDUSTRIES = [
    ("1761", "针织或钩针编织物织造", "knit", 14, 150, 0.0, 0.3, 0.0, 0, 0),
    ("1762", "针织或钩针编织物印染精加工", "dye", 1.5, 1250, 0.8, 2.5, 3.0, 0.175, 0.025),
    ("1713", "棉印染精加工", "dye", 1, 1250, 0.8, 2.0, 3.0, 0.175, 0.025),
    ("1752", "化纤织物染整精加工", "dye", 1.5, 1500, 1.0, 3.0, 3.5, 0.2, 0.03),
    ("1751", "化纤织造加工", "weave", 9, 200, 0.0, 0.2, 0.0, 0, 0),
    ("1773", "窗帘、布艺类产品制造", "hometex", 12, 75, 0.0, 0.4, 0.0, 0, 0),
    ("1771", "床上用品制造", "hometex", 3, 60, 0.0, 0.2, 0.0, 0, 0),
    ("1789", "其他产业用纺织制成品制造", "indtex", 3, 300, 0.3, 3.0, 0.0, 0, 0),
    ("1819", "其他机织服装制造", "garment", 5, 40, 0.0, 0.1, 0.0, 0, 0),
    ("2822", "涤纶纤维制造", "fibre", 1.2, 4000, 3.0, 6.0, 1.0, 0.05, 0.01),
    ("2821", "锦纶纤维制造", "fibre", 0.4, 3000, 2.0, 4.0, 1.0, 0.05, 0.01),
    ("2826", "氨纶纤维制造", "fibre", 0.4, 3000, 2.0, 8.0, 0.75, 0.05, 0.01),
    ("1910", "皮革鞣制加工", "leather", 2, 600, 0.5, 3.0, 2.0, 0.25, 0.02),
    ("1921", "皮革服装制造", "leather", 6, 50, 0.0, 0.8, 0.0, 0, 0),
    ("1931", "毛皮鞣制加工", "leather", 1, 450, 0.4, 1.5, 1.5, 0.2, 0.015),
    ("1923", "皮箱、包（袋）制造", "leather", 2, 30, 0.0, 0.6, 0.0, 0, 0),
    ("2925", "塑料人造革、合成革制造", "material", 2, 1500, 1.0, 20, 0.4, 0.025, 0),
    ("2921", "塑料薄膜制造", "material", 3, 750, 0.3, 3.0, 0.0, 0, 0),
    ("2641", "涂料制造", "chem", 1, 400, 0.3, 8.0, 0.75, 0.05, 0.005),
    ("2614", "有机化学原料制造", "chem", 1, 2000, 3.0, 12, 3.0, 0.25, 0.025),
    ("2669", "其他专用化学产品制造", "chem", 2, 750, 0.8, 5.0, 1.0, 0.075, 0.01),
    ("2710", "化学药品原料药制造", "pharma", 1, 1500, 1.5, 6.0, 2.5, 0.2, 0.025),
    ("2720", "化学药品制剂制造", "pharma", 1, 300, 0.3, 1.0, 0.5, 0.04, 0.005),
    ("2319", "包装装潢及其他印刷", "print", 3, 100, 0.0, 3.0, 0.0, 0, 0),
    ("2231", "纸和纸板容器制造", "print", 2, 150, 0.0, 0.5, 0.0, 0, 0),
    ("3011", "水泥制造", "building", 0.07, 25000, 300, 4.0, 0.0, 0, 0),
    ("3021", "水泥制品制造", "building", 2, 250, 0.4, 0.0, 0.0, 0, 0),
    ("3031", "粘土砖瓦及建筑砌块制造", "building", 1, 750, 3.0, 0.0, 0.0, 0, 0),
    ("4412", "热电联产", "power", 0.09, 70000, 280, 4.0, 0.0, 0, 0),
    ("3825", "光伏设备及元器件制造", "pv", 3, 1500, 0.5, 3.0, 0.75, 0.1, 0.015),
    ("3973", "集成电路制造", "semi", 1, 1000, 0.3, 2.0, 1.0, 0.075, 0.015),
    ("3985", "电子专用材料制造", "semi", 2, 500, 0.3, 2.0, 0.75, 0.05, 0.01),
    ("3451", "滚动轴承制造", "equip", 4, 300, 0.1, 0.4, 0.0, 0, 0),
    ("3462", "风机、风扇制造", "equip", 3, 150, 0.1, 0.8, 0.0, 0, 0),
    ("3551", "纺织专用设备制造", "equip", 3, 150, 0.1, 0.5, 0.0, 0, 0),
    ("3670", "汽车零部件及配件制造", "equip", 3, 450, 0.2, 2.0, 0.0, 0, 0),
    ("3360", "金属表面处理及热处理加工", "equip", 1, 600, 1.0, 1.0, 0.75, 0.075, 0.015),
    ("3399", "其他未列明金属制品制造", "equip", 4, 125, 0.1, 0.5, 0.0, 0, 0),
    ("2110", "木质家具制造", "equip", 2, 75, 0.0, 2.0, 0.0, 0, 0),
    ("1371", "蔬菜加工", "food", 2, 150, 0.2, 0.0, 1.5, 0.1, 0.02),
    ("1351", "牲畜屠宰", "food", 0.5, 200, 0.2, 0.0, 2.0, 0.25, 0.03),
    ("1411", "糕点、面包制造", "food", 1, 100, 0.1, 0.1, 0.5, 0.025, 0.005),
]
INDUSTRY_COLUMNS = ["code", "industry", "group", "weight", "energy_tce", "nox_t", "vocs_t",
                    "cod_t", "nh3n_t", "tp_t"]
LOADS = ["energy_tce", "nox_t", "vocs_t", "cod_t", "nh3n_t", "tp_t"]

# towns where a group is traditionally concentrated (preferred for off-park siting)
HOME_TOWNS = {
    "knit": ("马桥街道", "丁桥镇", "海昌街道"),
    "dye": ("马桥街道", "许村镇"),
    "weave": ("许村镇", "袁花镇", "斜桥镇", "周王庙镇"),
    "hometex": ("许村镇",),
    "leather": ("海洲街道", "周王庙镇", "丁桥镇", "硖石街道"),
    "garment": ("海洲街道", "硖石街道", "周王庙镇"),
    "food": ("斜桥镇",),
    "fibre": ("袁花镇", "马桥街道"),
    "chem": ("黄湾镇",),
    "pv": ("黄湾镇", "海昌街道"),
}

_WORDS = list("恒华宏达伟业新盛天鑫润丰嘉瑞锦泰安隆德源兴富明昌宇森金广汇弘博远诚")
_SUFFIX = {
    "knit": "经编", "dye": "印染", "weave": "纺织", "hometex": "布艺", "indtex": "新材料",
    "garment": "服饰", "fibre": "化纤", "leather": "皮革", "material": "新材料", "chem": "化工",
    "pharma": "药业", "print": "包装", "building": "建材", "power": "热电", "pv": "光伏科技",
    "semi": "半导体", "equip": "机械", "food": "食品",
}


def industry_table():
    """The industry parameters as a DataFrame."""
    return pd.DataFrame(INDUSTRIES, columns=INDUSTRY_COLUMNS)


def _round_sig(v, digits):
    """Round positive values to ``digits`` significant digits (zeros stay zero)."""
    v = np.asarray(v, float)
    pos = v > 0
    mag = np.floor(np.log10(np.where(pos, v, 1.0)))
    scale = 10.0 ** (digits - 1 - mag)
    return np.where(pos, np.round(v * scale) / scale, 0.0)


def _uniform_in(rng, poly, n, batch=4096):
    """``n`` points uniformly inside polygon ``poly`` (rejection sampling, vectorised)."""
    out = np.empty((0, 2))
    minx, miny, maxx, maxy = poly.bounds
    shapely.prepare(poly)
    while len(out) < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(max(batch, 2 * n), 2))
        ok = shapely.contains_xy(poly, xy[:, 0], xy[:, 1])
        out = np.vstack([out, xy[ok]])
    return out[:n]


def _near_seats(rng, seats_xy, which, area, sigma):
    """Points normally scattered around ``seats_xy[which]``, redrawn until inside ``area``."""
    xy = seats_xy[which] + rng.normal(0.0, sigma, size=(len(which), 2))
    bad = ~shapely.contains_xy(area, xy[:, 0], xy[:, 1])
    while bad.any():
        xy[bad] = seats_xy[which[bad]] + rng.normal(0.0, sigma, size=(int(bad.sum()), 2))
        bad = ~shapely.contains_xy(area, xy[:, 0], xy[:, 1])
    return xy


def generate_emission_points(towns, parks, boundary, n=N_POINTS, seed=SEED):
    """Draw ``n`` synthetic enterprises.

    Parameters
    ----------
    towns, parks, boundary : geopandas.GeoDataFrame
        Layers (any CRS). Parks need ``park_id``; their industry groups come
        from ``_layers_parks.PARKS``.
    n : int
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same result.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4549, columns of the ``emission_points`` schema.
    """
    import _layers_parks

    rng = np.random.default_rng(seed)
    ind = industry_table()
    towns = towns.to_crs(METRIC_CRS).reset_index(drop=True)
    parks = parks.to_crs(METRIC_CRS).reset_index(drop=True)
    hn = boundary.to_crs(METRIC_CRS).geometry.iloc[0]
    park_groups = dict(zip(_layers_parks.park_table().park_id, _layers_parks.park_table().groups))

    # industry of each enterprise
    k = rng.choice(len(ind), size=n, p=(ind.weight / ind.weight.sum()).to_numpy())
    groups = ind.group.to_numpy()[k]
    # siting mode: 0 park, 1 near seat, 2 anywhere (heavy industry mostly in parks)
    p_park = np.array([PARK_BOUND.get(g, P_PARK) for g in groups])
    p_town = (1.0 - p_park) * P_TOWN / (1.0 - P_PARK)
    u = rng.random(n)
    mode = np.where(u < p_park, 0, np.where(u < p_park + p_town, 1, 2))
    xy = np.empty((n, 2))
    park_area = parks.area.to_numpy()
    seats = gpd.GeoSeries(gpd.points_from_xy(towns.seat_lon, towns.seat_lat), crs=WGS84).to_crs(METRIC_CRS)
    seats_xy = np.column_stack([seats.x, seats.y])
    for g in sorted(set(groups)):
        sel = groups == g
        # parks
        aff = np.array([AFFINITY if g in park_groups.get(pid, ()) else 1.0 for pid in parks.park_id])
        w = park_area * aff
        idx = np.flatnonzero(sel & (mode == 0))
        pk = rng.choice(len(parks), size=idx.size, p=w / w.sum())
        for j in range(len(parks)):
            m = idx[pk == j]
            if m.size:
                xy[m] = _uniform_in(rng, parks.geometry.iloc[j], m.size)
        # near town seats
        tw = np.array([AFFINITY if t in HOME_TOWNS.get(g, ()) else 1.0 for t in towns.name])
        idx = np.flatnonzero(sel & (mode == 1))
        which = rng.choice(len(towns), size=idx.size, p=tw / tw.sum())
        xy[idx] = _near_seats(rng, seats_xy, which, hn, SEAT_SIGMA_M)
    idx = np.flatnonzero(mode == 2)
    xy[idx] = _uniform_in(rng, hn, idx.size)

    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=METRIC_CRS)
    hit = towns.sindex.query(pts.geometry.values, predicate="within")
    town_idx = np.full(n, -1)
    town_idx[hit[0]] = hit[1]
    if (town_idx < 0).any():  # on a town border (measure zero): nudge by 1 m and retry
        raise RuntimeError(f"{int((town_idx < 0).sum())} points fell on no town")

    # loads: lognormal around the industry median, zero where the median is zero
    loads = {}
    sigma = np.array([SIGMA_BY_CODE.get(c, SIGMA) for c in ind.code])[k]
    z = np.clip(rng.normal(0.0, 1.0, size=n), -Z_CLIP, Z_CLIP) * sigma  # size factor ...
    for col in LOADS:
        med = ind[col].to_numpy()[k]
        eps = rng.normal(0.0, SPREAD, size=n)  # ... plus a small pollutant-specific spread
        loads[col] = _round_sig(med * np.exp(z + eps), 4)

    # names: 海宁 + town short name + two characters + industry word + 有限公司
    w1 = rng.integers(0, len(_WORDS), size=n)
    w2 = (w1 + rng.integers(1, len(_WORDS), size=n)) % len(_WORDS)  # two different characters
    short = towns.name.str.replace("街道", "").str.replace("镇", "").to_numpy()
    names = [f"海宁{short[t]}{_WORDS[a]}{_WORDS[b]}{_SUFFIX[g]}有限公司"
             for t, a, b, g in zip(town_idx, w1, w2, groups)]
    seen = set()
    for i, nm in enumerate(names):  # keep names unique: add a third character to repeats
        j = 0
        while nm in seen:
            nm = names[i].replace(_SUFFIX[groups[i]], _WORDS[(w1[i] + w2[i] + j) % len(_WORDS)]
                                  + _SUFFIX[groups[i]], 1)
            j += 1
        seen.add(nm)
        names[i] = nm

    gdf = gpd.GeoDataFrame({
        "point_id": [f"EP{i + 1:05d}" for i in range(n)],
        "name": names,
        "industry_code": ind.code.to_numpy()[k],
        "industry": ind.industry.to_numpy()[k],
        "town": towns.name.to_numpy()[town_idx],
        "nox_t": loads["nox_t"], "vocs_t": loads["vocs_t"], "cod_t": loads["cod_t"],
        "nh3n_t": loads["nh3n_t"], "tp_t": loads["tp_t"], "energy_tce": loads["energy_tce"],
    }, geometry=pts.geometry.values, crs=METRIC_CRS)
    inpark = parks.sindex.query(gdf.geometry.values, predicate="within")
    park_id = np.full(n, None, dtype=object)
    park_id[inpark[0]] = parks.park_id.to_numpy()[inpark[1]]
    gdf.insert(5, "park_id", park_id)
    gdf["source"] = f"synthetic (scripts/build_layers.py seed {seed})"
    gdf["approximate"] = True
    return gdf
