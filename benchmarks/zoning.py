"""Benchmark: zoning check of N points vs a bare geopandas.sjoin of the same data.

Done-when goal of issue 4: checking 1,000,000 points against the control units
takes no more than 1.3x a bare ``geopandas.sjoin`` of the same points and units,
measured side by side in one run.

The points are random locations: 95 % inside Haining, 5 % elsewhere in its
bounding box (reported as outside) with synthetic attributes drawn from
a fixed seed: industry codes from the embedded emission_points layer plus a few
invalid ones, a status mix, two-high flags, solvent types, energy and value
added, and pollutant loads. The check runs the full embedded access list (17
rules: distance rules, caps with the embedded emission_points, ...) and builds
every table and layer, i.e. everything ``hn-geo zoning check`` does except
writing files.

Usage::

    python benchmarks/zoning.py            # 1,000,000 points, best of 3
    python benchmarks/zoning.py -n 200000 --repeat 5
"""
from __future__ import annotations

import argparse
import time
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.settings import STORAGE_CRS
from hn_geo.ground.catalog import load_layer
from hn_geo.workflows.zoning import load_rules
from hn_geo.zoning import check


def make_points(n, units, seed=7):
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = units.total_bounds
    area = shapely.union_all(units.geometry.values)
    shapely.prepare(area)
    x = rng.uniform(minx, maxx, 3 * n)
    y = rng.uniform(miny, maxy, 3 * n)
    inside = shapely.contains_xy(area, x, y)
    n_out = n // 20  # 5 % outside Haining (reported, not checked)
    keep = np.concatenate([np.flatnonzero(inside)[: n - n_out], np.flatnonzero(~inside)[:n_out]])
    keep = rng.permutation(keep)
    x, y = x[keep], y[keep]
    codes = load_layer("emission_points")["industry_code"].astype(str).to_numpy()
    ind = rng.choice(np.append(codes, ["9999", "abc", "C2614"]), n)
    va = rng.uniform(500, 50000, n).round(-1)
    return gpd.GeoDataFrame({
        "project_id": np.char.add("P", np.arange(n).astype(str)),
        "name": "benchmark point",
        "industry_code": pd.array(ind, dtype="str"),
        "status": pd.array(rng.choice(["new", "expansion", "existing"], n, p=[0.2, 0.1, 0.7]), dtype="str"),
        "two_high": rng.random(n) < 0.01,
        "energy_tce": (va * rng.uniform(0.1, 1.5, n)).round(1),
        "value_added_wan": va,
        "solvent_type": pd.array(rng.choice(["无", "水性涂料", "溶剂型涂料", "溶剂型油墨"], n,
                                            p=[0.85, 0.1, 0.03, 0.02]), dtype="str"),
        "vocs_t": rng.exponential(0.5, n).round(3),
        "nox_t": rng.exponential(0.3, n).round(3),
        "cod_t": rng.exponential(0.3, n).round(3),
        "nh3n_t": rng.exponential(0.03, n).round(3),
    }, geometry=gpd.points_from_xy(x, y), crs=STORAGE_CRS)


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=1_000_000, help="number of points")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best is reported")
    args = ap.parse_args(argv)

    units = load_layer("control_units")
    rules = load_rules()
    emission_points = load_layer("emission_points")
    red_line, water_source = load_layer("red_line"), load_layer("water_source")
    pts = make_points(args.n, units)
    print(f"{args.n:,} points, {len(units)} control units, {len(rules.rules)} rules")

    def bare():
        return gpd.sjoin(pts, units, how="inner", predicate="intersects")

    def full():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HnGeoWarning)  # counted warnings (outside, bad codes)
            return check(pts, units, rules=rules, points=emission_points, red_line=red_line,
                         water_source=water_source)

    # interleave so both see the same machine state
    t_sjoin, t_check = [], []
    for _ in range(args.repeat):
        t_sjoin.append(best(bare, 1)[0])
        t, res = best(full, 1)
        t_check.append(t)
    ts, tc = min(t_sjoin), min(t_check)
    joined = bare()
    print(f"geopandas.sjoin (bare):       {ts:7.3f} s   ({len(joined):,} pairs)")
    print(f"hn_geo.zoning.check (full):   {tc:7.3f} s   "
          f"({len(res.tables['violations']):,} violations, {len(res.tables['notices']):,} notices)")
    print(f"ratio check / sjoin:          {tc / ts:7.3f}   (goal <= 1.3)")
    counts = {f.code.split(".", 1)[1]: f.value for f in res.figures}
    print("key figures:", counts)


if __name__ == "__main__":
    main()
