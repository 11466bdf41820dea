"""Scale-out benchmark: rooftop solar and the zoning check, in memory vs dask, on synthetic
province-size datasets (``scripts/make_province.py``); DuckDB spatial as a baseline of the
point-in-unit join. Prints figures; not a timed test.

Usage::

    python benchmarks/scale.py                                   # solar 1M, 10M, 30M; zoning 10M, 100M
    python benchmarks/scale.py --solar 100000,1000000 --zoning 1000000 --memory-max 1000000
    python benchmarks/scale.py --data province/ --memory-max 0    # datasets written before

Every run is a separate process (the ``hn-geo`` command as a user runs it, writing its outputs):
wall time, peak memory = the largest sum of the resident set sizes of the process and all its
children (dask workers) sampled every 0.2 s, throughput = items / wall time / cores, CPU time =
user + system of the process and its waited-for children, items per CPU second (the figure that
holds on a machine shared with other jobs; the 1-minute load average is printed with every row).
The in-memory engine runs up to ``--memory-max`` items. The DuckDB baseline (pip packages ``duckdb`` and
``duckdb-ext-spatial`` of the same version, extension loaded from the wheel, no download) counts
the points per control unit with ``ST_Intersects`` straight from the parquet parts. Each dataset
is written before its runs and deleted after them (``--keep`` keeps it); the free disk space is
checked first.
"""
from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
BYTES_PER_ROW = {"buildings": 260, "projects": 140}
"""Disk per row of a dataset and of its outputs, with margin [bytes] (measured on 1M rows)."""

DUCKDB_JOIN = """
import sys, time, importlib.util, pathlib, duckdb, geopandas as gpd
from hn_geo.ground.catalog import load_layer
ext = pathlib.Path(list(importlib.util.find_spec("duckdb_ext").submodule_search_locations)[0]) / "extensions"
con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
con.execute(f"SET extension_directory='{ext}'"); con.execute("LOAD spatial")
import pandas as pd
u = load_layer("control_units")
df = pd.DataFrame({"unit_code": u["unit_code"].astype(str), "wkb": u.geometry.to_wkb()})
con.register("u_df", df)
con.execute("CREATE TABLE units AS SELECT unit_code, ST_GeomFromWKB(wkb) AS geom FROM u_df")
t = time.perf_counter()
rows = con.execute(f\"\"\"SELECT u.unit_code, count(*) FROM read_parquet('{sys.argv[1]}/*.parquet') p
    JOIN units u ON ST_Intersects(u.geom, p.geometry) GROUP BY u.unit_code\"\"\").fetchall()
print(sum(r[1] for r in rows), time.perf_counter() - t)
"""


def run(cmd, env=None):
    """Run ``cmd``; wall time [s], peak RSS of it and its children [GB] and CPU time [s] (user +
    system of the process and the children it waited for: the dask workers)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = collections.deque(maxlen=200)  # drained while it runs: progress bars would fill the pipe
    reader = threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)
    reader.start()
    ps, peak = psutil.Process(proc.pid), 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        try:
            procs = [ps] + ps.children(recursive=True)
            peak = max(peak, sum(p.memory_info().rss for p in procs if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    wall = time.perf_counter() - t
    reader.join(5)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{b''.join(err).decode(errors='replace')[-3000:]}")
    return wall, peak / 1e9, usage.ru_utime + usage.ru_stime


def make(kind, n, root, part_size):
    need = BYTES_PER_ROW[kind] * n * 2  # the dataset and the results
    free = shutil.disk_usage(root).free
    if need > free - 5e9:
        print(f"skip {kind} {n:,}: needs ~{need / 1e9:.0f} GB, {free / 1e9:.0f} GB free")
        return None
    arg = "--buildings" if kind == "buildings" else "--projects"
    other = "--projects" if kind == "buildings" else "--buildings"
    t = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_province.py"), arg, str(n), other, "0",
                    "--part-size", str(part_size), "--out", str(root)], check=True, stdout=subprocess.DEVNULL)
    print(f"  wrote {kind} {n:,} in {time.perf_counter() - t:.0f} s ({_size(root / kind) / 1e9:.2f} GB)")
    return root / kind


def _size(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def bench(kind, n, args, rows):
    root = Path(tempfile.mkdtemp(prefix=f"hn_geo_scale_{kind}_", dir=args.workdir))
    try:
        data = make(kind, n, root, args.part_size)
        if data is not None:
            _runs(kind, n, data, root, args, rows)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


def _runs(kind, n, data, root, args, rows):
    """Every engine (and DuckDB for the projects) on dataset ``data``; outputs under ``root``, deleted."""
    command = ["solar", "potential"] if kind == "buildings" else ["zoning", "check"]
    cli = [str(Path(sys.executable).parent / "hn-geo")]
    engines = [("dask", ["--engine", "dask", "--scheduler", s]) for s in args.schedulers]
    if n <= args.memory_max:
        engines.insert(0, ("memory", []))
    for name, extra in engines:
        out = root / f"out_{name}_{extra[-1] if extra else ''}"
        wall, peak, cpu = run(cli + command + [str(data), "--out", str(out), "--lang", "en", *extra])
        label = name if name == "memory" else f"dask/{extra[-1]}"
        rows.append((kind, n, label, wall, peak, cpu))
        _print_row(rows[-1])
        shutil.rmtree(out, ignore_errors=True)
    if kind == "projects" and args.duckdb:
        wall, peak, cpu = run([sys.executable, "-c", DUCKDB_JOIN, str(data)])
        rows.append((kind, n, "duckdb join", wall, peak, cpu))
        _print_row(rows[-1])


def existing(args, rows):
    """``--data DIR``: the datasets of an earlier ``make_province.py`` run, N from the part footers."""
    for kind in ("buildings", "projects"):
        data = args.data / kind
        if not data.is_dir():
            continue
        n = sum(pq.ParquetFile(f).metadata.num_rows for f in data.glob("*.parquet"))
        root = Path(tempfile.mkdtemp(prefix=f"hn_geo_scale_out_{kind}_", dir=args.workdir))
        try:
            _runs(kind, n, data, root, args, rows)
        finally:
            shutil.rmtree(root, ignore_errors=True)


def _print_row(r):
    kind, n, engine, wall, peak, cpu = r
    per_core = n / wall / os.cpu_count()
    print(f"| {'solar' if kind == 'buildings' else 'zoning'} | {n:,} | {engine} | {wall:.1f} | {peak:.2f} | "
          f"{per_core:,.0f} | {cpu:.0f} | {n / max(cpu, 1e-9):,.0f} | {os.getloadavg()[0]:.1f} |", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--solar", default="1000000,10000000,30000000", help="building counts (comma-separated)")
    ap.add_argument("--zoning", default="10000000,100000000", help="project-point counts")
    ap.add_argument("--memory-max", type=int, default=1_000_000, help="largest N run in memory as well")
    ap.add_argument("--schedulers", default="threads", help="dask schedulers to run (threads,processes)")
    ap.add_argument("--part-size", type=int, default=250_000)
    ap.add_argument("--no-duckdb", dest="duckdb", action="store_false")
    ap.add_argument("--workdir", default=None, help="where the datasets go (default: the temp folder)")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--data", type=Path, default=None,
                    help="benchmark the buildings/ and projects/ of an existing make_province.py output "
                         "instead of writing datasets (--solar/--zoning ignored)")
    args = ap.parse_args(argv)
    args.schedulers = [s for s in args.schedulers.split(",") if s]
    print(f"load before: {os.getloadavg()}; {os.cpu_count()} cores; "
          f"{shutil.disk_usage(args.workdir or tempfile.gettempdir()).free / 1e9:.0f} GB free")
    print("| analysis | N | engine | wall s | peak GB | items/s per core | CPU s | items per CPU s | load |\n"
          "|---|---:|---|---:|---:|---:|---:|---:|---:|")
    rows = []
    if args.data is not None:
        existing(args, rows)
        args.solar = args.zoning = ""
    for n in [int(float(v)) for v in args.solar.split(",") if v]:
        bench("buildings", n, args, rows)
    for n in [int(float(v)) for v in args.zoning.split(",") if v]:
        bench("projects", n, args, rows)
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
