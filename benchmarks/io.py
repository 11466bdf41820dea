"""Reading speed of a 100 000-feature GeoPackage: pyogrio (with and without Arrow), fiona, hn_geo.

Run: ``python benchmarks/io_r.py [N]``. Prints seconds per read (best of 3) and features/s.
fiona is measured only if installed (it is not a dependency of hn_geo).
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from hn_geo.ground import readers as io_r
from hn_geo.ground.catalog import get_schema, load_layer
from hn_geo.render import writers as io_w


def make_points(n, seed=0):
    """n synthetic emission points inside Haining's bounding box (schema-valid)."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(120.30, 120.86, n)
    lat = rng.uniform(30.27, 30.59, n)
    towns = np.array(["许村镇", "长安镇", "周王庙镇", "斜桥镇", "袁花镇", "黄湾镇"])
    return gpd.GeoDataFrame({
        "point_id": [f"EP{i:06d}" for i in range(n)],
        "name": [f"企业{i}" for i in range(n)],
        "industry_code": rng.choice(["2921", "1713", "3130"], n),
        "town": rng.choice(towns, n),
        "nox_t": rng.gamma(1.5, 2.0, n), "vocs_t": rng.gamma(1.5, 2.0, n),
        "cod_t": rng.gamma(1.5, 2.0, n), "nh3n_t": rng.gamma(1.5, 0.2, n),
    }, geometry=shapely.points(lon, lat), crs="EPSG:4490")


def best_of(func, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(n=100_000):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "points.gpkg"
        t_write = best_of(lambda: io_w.write_gpkg(make_points(n), path, layer="points"), repeat=1)
        print(f"{n} points; write_gpkg (incl. generation): {t_write:.2f} s, "
              f"{path.stat().st_size / 1e6:.1f} MB")
        cases = {
            "pyogrio.read_dataframe": lambda: pyogrio.read_dataframe(path),
            "pyogrio.read_dataframe(use_arrow=True)": lambda: pyogrio.read_dataframe(path, use_arrow=True),
            "hn_geo.io.read_file": lambda: io_r.read_file(path),
            "hn_geo load_layer (read + validate)": lambda: load_layer("emission_points", path),
        }
        try:
            import fiona  # noqa: F401

            cases["geopandas.read_file(engine='fiona')"] = lambda: gpd.read_file(path, engine="fiona")
        except ImportError:
            print("fiona not installed: skipped")
        assert get_schema("emission_points")
        for label, func in cases.items():
            t = best_of(func)
            print(f"{label:42s} {t:7.3f} s  {n / t / 1e3:8.0f} k features/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
