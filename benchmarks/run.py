"""Time a full `hn-geo run` on the embedded data (goal, issue 8: under a minute on a 2-core machine).

Usage::

    python benchmarks/run.py [--repeat N] [--keep DIR]

Runs the installed ``hn-geo`` command in a fresh temporary folder (a real process: imports
included), then prints wall and CPU time, the time of each step (from run_summary.json), the
machine load at the start (other processes slow a run down), and the outputs with their sizes.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def hn_geo_command():
    exe = Path(sys.executable).with_name("hn-geo")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "hn_geo.cli"]


def one_run(out):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(hn_geo_command() + ["run", "--out", str(out), "--quiet"],
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_mb = after.ru_maxrss / 1024
    return proc, wall, cpu, peak_mb


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--keep", default=None, help="Write the outputs here instead of a temp folder.")
    args = ap.parse_args(argv)
    print(f"cpus: {os.cpu_count()}, load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    walls = []
    for i in range(args.repeat):
        tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hn_geo_bench_"))
        out = tmp / "out"
        if out.exists():
            shutil.rmtree(out)
        proc, wall, cpu, peak = one_run(out)
        walls.append(wall)
        if proc.returncode != 0:
            print(proc.stdout, proc.stderr, sep="\n")
            print(f"run {i + 1}: FAILED (exit code {proc.returncode})")
            return 1
        summary = json.loads((out / "run_summary.json").read_text(encoding="utf-8"))
        print(f"run {i + 1}: wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS {peak:.0f} MB "
              f"(goal: wall < 60 s)")
        for s in summary["steps"]:
            print(f"  {s['name']:8s} {s['status']:7s} {s['seconds']:6.1f} s  {len(s['outputs'])} file(s)")
        if i == args.repeat - 1:
            files = sorted(p for p in out.rglob("*") if p.is_file())
            total = sum(p.stat().st_size for p in files)
            print(f"outputs: {len(files)} files, {total / 1e6:.1f} MB")
            for p in files:
                if p.parent == out or p.suffix in (".xlsx", ".zip", ".html", ".gpkg", ".png"):
                    print(f"  {str(p.relative_to(out)):45s} {p.stat().st_size / 1e6:7.2f} MB")
        if not args.keep:
            shutil.rmtree(tmp)
    if args.repeat > 1:
        print(f"wall: best {min(walls):.1f} s, median {sorted(walls)[len(walls) // 2]:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
