"""Benchmark of hn_geo.targets: reading and checking a large reduction-project list.

Prints the time to validate N synthetic project rows (town matching, pollutant names, units),
detect double counting and total them, and the time of the default report. Not a test.

Usage: python benchmarks/targets.py [N]
"""
from __future__ import annotations

import sys
import time
import warnings

import numpy as np
import pandas as pd

from hn_geo import targets as tg
from hn_geo.core.errors import HnGeoWarning
from hn_geo.ground import plan, stats
from hn_geo.ground.towns import NAMES


def projects(n, seed=1):
    rng = np.random.default_rng(seed)
    pol = np.array(["NOx", "VOCs", "COD", "氨氮"])
    return pd.DataFrame({
        "project_id": [f"P{i}" for i in rng.integers(0, int(n * 0.98), n)],
        "point_id": [f"E{i}" for i in rng.integers(0, n // 5, n)],
        "town": np.array(NAMES)[rng.integers(0, 12, n)],
        "pollutant": pol[rng.integers(0, 4, n)],
        "reduction_t": rng.gamma(2.0, 5.0, n).round(2).astype(str),
        "year": rng.integers(2021, 2026, n).astype(str),
        "measure": np.array(["SCR", "RTO", "LDAR", "提标"])[rng.integers(0, 4, n)],
    })


def main(n=100_000):
    df = projects(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HnGeoWarning)
        targets, town_targets = plan.load_targets(), plan.town_targets()
        t0 = time.perf_counter()
        p = stats.read_reduction_projects(df, "bench")
        t1 = time.perf_counter()
        red = tg.pollutant_reductions(p, targets=targets, year=2025)
        t2 = time.perf_counter()
        tg.targets_report(stats.read_stats(targets=targets), targets=targets, town_targets=town_targets)
        t3 = time.perf_counter()
    print(f"{n} project rows: read+validate {t1 - t0:.2f} s, double counting + totals {t2 - t1:.2f} s "
          f"({len(red['double_counted'])} double counts); default report {t3 - t2:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
