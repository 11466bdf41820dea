"""Benchmark: classify 1,000,000 sample rows per GB 3838-2002 (vectorised, no per-row loop).

Prints seconds and rows/s for: parsing the text cells of one column (``0.025L`` notation),
classifying all items of every row with the detection-limit rule (``classify_samples``), and
annual aggregation + classification per section.

Usage: python benchmarks/water.py [--rows 1000000]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from hn_geo import water
from hn_geo.ground.water_results import parse_values
from hn_geo.reference import gb3838


def make_samples(n, seed=1):
    """n random sample rows over all Table 1 items, 10 % below detection for trace items."""
    rng = np.random.default_rng(seed)
    data = {}
    for code in gb3838.items():
        lim = gb3838.limits(code, lake=True if code == "tn" else False)
        if code == "ph":
            data[code] = rng.normal(7.5, 0.6, n)
        elif code == "wt":
            data[code] = rng.uniform(4, 32, n)
        elif code == "do":
            data[code] = rng.normal(6.5, 1.2, n)
        else:  # around the class II limit; trace items far below their limits
            scale = 1.0 if code in ("codmn", "cod", "bod5", "nh3n", "tp", "tn") else 0.3
            data[code] = rng.lognormal(np.log(lim[1] * scale), 0.3, n)
    df = pd.DataFrame(data)
    for code in ("hg", "cd", "cr6", "pb", "cn", "phenol", "oil"):
        nd = rng.random(n) < 0.1
        df.loc[nd, code] = gb3838.limits(code)[0] / 4  # half of a detection limit of class I / 2
        df[f"nd_{code}"] = nd
    df["section_id"] = rng.integers(0, 2000, n).astype(str)
    df["year"] = rng.integers(2021, 2026, n)
    return df


def timed(label, n, func):
    t0 = time.perf_counter()
    out = func()
    dt = time.perf_counter() - t0
    print(f"{label:52s} {n:>10,d} rows  {dt:7.2f} s  {n / dt:>12,.0f} rows/s")
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args(argv)
    n = args.rows
    samples = make_samples(n)
    lake = np.zeros(n, bool)
    lake[::10] = True
    target = np.full(n, 3)
    cells = pd.Series(np.where(np.arange(n) % 5 == 0, "0.025L", "0.512"))
    timed("parse one column of text cells (0.025L / 0.512)", n, lambda: parse_values(cells))
    cls, sc = timed(f"classify {len(gb3838.items())} items + DL rule + section class", n,
                    lambda: water.classify_samples(samples, lake=lake, reference=target))
    timed("section class only (core gb3838.classify)", n,
          lambda: gb3838.section_class(gb3838.classify(samples[water.item_codes(samples)], lake)))

    def annual():
        means, low = water.aggregate(samples, by=["section_id", "year"])
        codes = water.item_codes(means)
        c = water.classify_values(means[codes], low=low[codes])
        return gb3838.section_class(c)

    timed("annual means per section-year + classes", n, annual)
    counts = np.bincount(sc, minlength=7)[1:]
    print("sample classes I..inferior_V:", dict(zip(gb3838.CLASS_CODES, counts.tolist())))


if __name__ == "__main__":
    main()
