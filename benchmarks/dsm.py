"""Benchmark of the surface-model rasters: a 1 km² DSM at 0.5 m (2000 x 2000 = 4 M pixels).

Prints wall time and peak memory of :func:`hn_geo.workflows.solar_rasters.raster_pass`
(goal: <= 120 s, <= 4 GB on 2 cores), then, when GRASS (Debian ``grass-core``) is
installed, runs ``r.sun`` (with ``r.slope.aspect``, a clear-sky annual sum of the 21st of
each month x days) on the same DSM and prints its time and the Spearman rank correlation of
annual roof-pixel irradiation.

    python benchmarks/dsm.py [--size-m 1000] [--no-grass]
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin
from scipy import stats

from hn_geo.ground.rasters import ArraySource, Raster
from hn_geo.ground.weather import load_weather
from hn_geo.solar.rasters import RasterParams, sun_tables
from hn_geo.workflows.solar_rasters import raster_pass


def synthetic(size_m, res=0.5, seed=1):
    rng = np.random.default_rng(seed)
    n = int(size_m / res)
    z = np.full((n, n), 5.0, np.float32)
    roof = np.zeros((n, n), bool)
    for _ in range(int(size_m * size_m / 1500)):
        r, c = rng.integers(0, n - 80), rng.integers(0, n - 80)
        h, w = rng.integers(20, 80), rng.integers(20, 80)
        z[r:r + h, c:c + w] = 5.0 + rng.uniform(6, 50)
        roof[r:r + h, c:c + w] = True
    return z, roof


def grass(path, out, weather_days=(21,)):
    script = f"""
r.in.gdal input={path} output=dsm -o --overwrite
g.region raster=dsm
r.slope.aspect elevation=dsm slope=slope aspect=aspect --overwrite
"""
    days = [int(d) for d in np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30])[:12] + 21]
    for d in days:
        script += f"r.sun elevation=dsm aspect=aspect slope=slope day={d} glob_rad=g{d} nprocs=2 --overwrite\n"
    script += "r.mapcalc expression=\"annual=" + "+".join(f"g{d}" for d in days) + "\" --overwrite\n"
    script += f"r.out.gdal input=annual output={out} format=GTiff --overwrite\n"
    with tempfile.TemporaryDirectory() as tmp:
        sh = Path(tmp) / "run.sh"
        sh.write_text(script)
        t = time.time()
        subprocess.run(["grass", "-c", "EPSG:4549", "-e", str(Path(tmp) / "loc")], check=True, capture_output=True)
        subprocess.run(["grass", str(Path(tmp) / "loc" / "PERMANENT"), "--exec", "bash", str(sh)], check=True,
                       capture_output=True)
        return time.time() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-m", type=float, default=1000.0)
    ap.add_argument("--no-grass", action="store_true")
    a = ap.parse_args()
    z, roof = synthetic(a.size_m)
    t0 = from_origin(539000.0, 3369000.0, 0.5, 0.5)
    weather = load_weather(None)
    params = RasterParams()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.time()
        tables = sun_tables(weather)
        files, counts = raster_pass(ArraySource(Raster(z, t0, "EPSG:4549", None)), tables, params, [], tmp, "en")
        wall = time.time() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
        print(f"hn_geo rasters: {z.size / 1e6:.1f} M pixels, {counts['tiles']} tiles, wall {wall:.1f} s, "
              f"peak memory {peak:.2f} GB (goal <= 120 s, <= 4 GB)")
        with rasterio.open(files["irradiation"]) as src:
            ours = src.read(1)
        if a.no_grass or shutil.which("grass") is None:
            print("GRASS not installed (apt-get install grass-core): r.sun comparison skipped")
            return
        dsm = Path(tmp) / "dsm.tif"
        with rasterio.open(dsm, "w", driver="GTiff", width=z.shape[1], height=z.shape[0], count=1,
                           dtype="float32", crs="EPSG:4549", transform=t0) as dst:
            dst.write(z, 1)
        gout = Path(tmp) / "rsun.tif"
        gt = grass(dsm, gout)
        with rasterio.open(gout) as src:
            theirs = src.read(1)
        ok = roof & np.isfinite(ours) & np.isfinite(theirs)
        rho = stats.spearmanr(ours[ok], theirs[ok]).statistic
        print(f"GRASS r.sun (12 clear-sky days, shadows on): wall {gt:.1f} s; "
              f"Spearman rank correlation of roof-pixel annual irradiation: {rho:.3f} ({ok.sum()} pixels)")


if __name__ == "__main__":
    main()
