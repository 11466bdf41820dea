"""Benchmark: the site finder (``hn-geo zoning sites``) on the embedded data, and how it grows.

Done-when goals of issue 15: the whole city for one profile in <= 5 s, a batch of 50
profiles in <= 60 s. Printed:

1. one profile, the analysis (:func:`hn_geo.zoning.sites`: partition of the city +
   evaluation + polygons + tables), best of ``--repeat``; and the whole workflow as
   ``hn-geo zoning sites`` runs it (layers read, analysis, CSV/XLSX/GPKG/GeoJSON and the map
   written), cold;
2. 50 profiles (random industry codes, loads, energy use, solvents, build types):
   :func:`hn_geo.zoning.sites_batch` (one partition, 50 evaluations), and with
   ``--files`` the batch run's ``sites`` step (:func:`hn_geo.workflows.sites.run_many`:
   every profile's tables and map, the workbook with a sheet per profile, the GeoPackage
   with a layer per profile);
3. growth: the embedded units split along a square grid (more units, same city) and the
   access list grown by one emission-cap rule per unit and more distance thresholds --
   the partition time and the time per profile against units, rules and faces.

Usage::

    python benchmarks/sites.py               # all three
    python benchmarks/sites.py --files       # also time the run's sites step for the 50 profiles
    python benchmarks/sites.py --no-growth
"""
from __future__ import annotations

import argparse
import copy
import tempfile
import time
import warnings

import geopandas as gpd
import numpy as np
import shapely

from hn_geo import zoning
from hn_geo.core.errors import HnGeoWarning
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS
from hn_geo.ground.catalog import load_layer
from hn_geo.ground.inputs import Inputs
from hn_geo.ground.rules import read_rules_file
from hn_geo.workflows import sites as workflow
from hn_geo.workflows.zoning import load_rules
from hn_geo.zoning.rules import parse

PROFILE = {"project_id": "dyeing", "name": "印染厂", "industry_code": "1752", "cod_t": 30.0, "vocs_t": 5.0,
           "nox_t": 2.0, "nh3n_t": 1.0, "energy_tce": 3000.0, "value_added_wan": 5000.0}
CODES = ("1752", "1713", "3825", "5960", "2614", "2929", "3360", "3399", "1810", "3985", "4411", "2211")
SOLVENTS = (None, "无", "水性涂料", "溶剂型涂料", "溶剂型油墨")


def layers():
    return {"points": load_layer("emission_points"), "red_line": load_layer("red_line"),
            "water_source": load_layer("water_source"), "parks": load_layer("parks"),
            "towns": load_layer("towns"), "boundary": load_layer("boundary")}


def profiles(n, seed=15):
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        va = round(float(rng.uniform(500, 50000)), -1)
        out.append({"project_id": f"p{k + 1:02d}", "industry_code": str(rng.choice(CODES)),
                    "status": str(rng.choice(["new", "expansion", "existing"], p=[0.6, 0.3, 0.1])),
                    "two_high": bool(rng.random() < 0.1), "solvent_type": SOLVENTS[rng.integers(len(SOLVENTS))],
                    "energy_tce": round(va * float(rng.uniform(0.1, 1.5)), 1), "value_added_wan": va,
                    **{p: round(float(rng.exponential(20)), 2) for p in ("nox_t", "vocs_t", "cod_t", "nh3n_t")}})
    return out


def best(func, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t0)
    return min(times), out


def split_units(units, cell_m):
    """The units cut along a square grid of ``cell_m`` (same city, more units)."""
    if not cell_m:
        return units
    m = units.to_crs(METRIC_CRS)
    x0, y0, x1, y1 = m.total_bounds
    xs, ys = np.arange(x0, x1 + cell_m, cell_m), np.arange(y0, y1 + cell_m, cell_m)
    cells = gpd.GeoDataFrame(geometry=[shapely.box(a, b, a + cell_m, b + cell_m) for a in xs for b in ys],
                             crs=METRIC_CRS)
    parts = gpd.overlay(m, cells, how="intersection", keep_geom_type=True).explode(ignore_index=True)
    parts = parts[parts.area > 1.0].reset_index(drop=True)
    digit = parts["unit_code"].str[8]
    seq = parts.groupby(digit).cumcount() + 1
    parts["unit_code"] = "ZH330481" + digit + seq.map("{:04d}".format)
    return parts.to_crs(STORAGE_CRS)


def grown_rules(units, extra_distances=()):
    """The embedded list plus one VOCs cap per unit and more distance thresholds."""
    doc = copy.deepcopy(read_rules_file())
    by_code = doc["rules"].setdefault("by_unit_code", {})
    by_code.clear()  # the embedded codes name units that a split renumbers
    for k, code in enumerate(units["unit_code"]):
        by_code[code] = [{"id": f"CAP-{k}", "kind": "emission_cap", "params": {"pollutant": "vocs_t", "cap_t": 50.0},
                          "severity": "error", "clause": "总量上限（基准测试）", "source": "benchmark"}]
    for k, d in enumerate(extra_distances):
        doc["rules"]["all_units"].append({"id": f"D-{k}", "kind": "min_distance", "severity": "warning",
                                          "params": {"layer": "water_source" if k % 2 else "red_line",
                                                     "distance_m": float(d)},
                                          "clause": "距离（基准测试）", "source": "benchmark"})
    return parse(doc)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("-n", type=int, default=50, help="profiles of the batch (default 50)")
    ap.add_argument("--files", action="store_true", help="also time the batch run's sites step (files and maps)")
    ap.add_argument("--no-growth", action="store_true")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore", HnGeoWarning)
    units, kw, rules = load_layer("control_units"), layers(), load_rules()

    t, res = best(lambda: zoning.sites(PROFILE, units, rules=rules, **kw), args.repeat)
    print(f"one profile, analysis (partition + verdicts + polygons + tables): {t:.2f} s "
          f"({len(res.layers['sites'])} polygons; goal <= 5 s)")
    t, part = best(lambda: zoning.partition(units, rules=rules, **kw), args.repeat)
    print(f"  of which the partition: {t:.2f} s ({len(part)} faces)")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        workflow.run(Inputs(), f"{tmp}/one", profile=PROFILE)
        print(f"one profile, whole workflow (read layers, analysis, CSV/XLSX/GPKG/GeoJSON, map): "
              f"{time.perf_counter() - t0:.2f} s")
        batch = profiles(args.n)
        t, _ = best(lambda: zoning.sites_batch(batch, units, rules=rules, **kw), args.repeat)
        print(f"{args.n} profiles, analysis (one partition): {t:.2f} s ({t / args.n * 1000:.0f} ms per profile; "
              f"goal <= 60 s)")
        if args.files:
            t0 = time.perf_counter()
            out = workflow.run_many(Inputs(), f"{tmp}/many", profiles=batch)
            print(f"{args.n} profiles, the run's sites step (tables, maps, workbook, GeoPackage): "
                  f"{time.perf_counter() - t0:.2f} s "
                  f"({len(out.files)} files)")
    if not args.no_growth:
        growth(units, kw)


def growth(units, kw):
    print("\ngrowth: units split along a grid, one cap rule per unit, extra distance thresholds")
    print(f"{'cell':>8} {'units':>6} {'rules':>6} {'buffers':>7} {'faces':>6} {'partition s':>11} "
          f"{'per profile ms':>14}")
    batch = profiles(10, seed=3)
    for cell, extra in ((None, ()), (8000, ()), (4000, ()), (2000, ()), (None, (100, 300, 1000, 2000)),
                        (2000, (100, 300, 1000, 2000))):
        u = split_units(units, cell)
        rules = grown_rules(u, extra)
        t, part = best(lambda u=u, rules=rules: zoning.partition(u, rules=rules, **kw), 1)
        te, _ = best(lambda part=part: zoning.sites_batch(batch, partition=part), 1)
        print(f"{cell or '-':>8} {len(u):>6} {len(rules.rules):>6} {len(part.dist):>7} {len(part):>6} "
              f"{t:>11.2f} {te / len(batch) * 1000:>14.0f}")


if __name__ == "__main__":
    main()
