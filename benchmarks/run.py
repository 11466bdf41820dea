"""Time a whole `hn-geo run`: the embedded data, or N real-shaped buildings given in the config.

Usage::

    python benchmarks/run.py [--repeat 3]             # the embedded data (goal: <= 8 s)
    python benchmarks/run.py --buildings 1000000      # 1M buildings (goal: <= 60 s, <= 3 GB)
    python benchmarks/run.py --buildings 1000000 --skip maps export   # the analyses and report only
    python benchmarks/run.py --keep DIR               # keep the outputs

Runs the installed ``hn-geo`` command in a fresh temporary folder (a real process: imports
included) and prints, per run, its wall and CPU time (the lane worker's included), peak RSS
(``os.wait4``: the largest process) and the peak PSS of the whole process tree (lane workers
included, a page two processes share counted once), the time of each step (from ``run_summary.json``), the load average before and after
(other processes slow a run down: compare CPU seconds when the machine is busy), and the
outputs with their sizes. ``--buildings N`` writes a config whose ``layers.buildings`` is a
GeoParquet file of N footprints from the embedded layer's generator
(``scripts/build_buildings.py``, cached by ``benchmarks/harness.py``); everything else is
the embedded data.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import harness


def hn_geo_command():
    exe = Path(sys.executable).with_name("hn-geo")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "hn_geo.cli"]


def one_run(tmp, buildings=None, skip=(), jobs=None):
    out = tmp / "out"
    cmd = hn_geo_command() + ["run"] + (["--jobs", str(jobs)] if jobs else [])
    config = {}
    if buildings is not None:
        config["layers"] = {"buildings": str(buildings)}
    if "maps" in skip:
        config["maps"] = {"overview": False, "per_analysis": False}
    if "export" in skip:
        config["export"] = {"enabled": False}
    if config:
        cfg = tmp / "run.yaml"
        cfg.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
        cmd.append(str(cfg))
    tree = {}
    rc, stdout, stderr, wall, cpu, peak = harness.spawn(cmd + ["--out", str(out), "--quiet"], tree=tree)
    return rc, stdout, stderr, wall, cpu, (peak, tree.get("peak_tree_gb")), out


def _outputs(out):
    files = sorted(p for p in out.rglob("*") if p.is_file())
    print(f"outputs: {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB")
    for p in files:
        if p.parent == out or p.suffix in (".xlsx", ".zip", ".html", ".gpkg", ".png"):
            print(f"  {str(p.relative_to(out)):45s} {p.stat().st_size / 1e6:8.2f} MB")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--buildings", type=int, default=None, help="N synthetic real-shaped buildings")
    ap.add_argument("--keep", default=None, help="Write the outputs here instead of a temp folder.")
    ap.add_argument("--skip", nargs="+", default=[], choices=["maps", "export"],
                    help="Leave these steps out (config: maps off / export disabled).")
    ap.add_argument("--jobs", default=None, help="hn-geo run --jobs (default: the run's auto)")
    args = ap.parse_args(argv)
    print(f"machine: {harness.machine()}")
    src = harness.buildings_file(args.buildings) if args.buildings else None
    what = f"{args.buildings:,} buildings ({src.name})" if src else "the embedded data"
    goal = "wall <= 60 s, peak <= 3 GB" if src else "wall <= 8 s"
    skipped = f" (without {', '.join(args.skip)})" if args.skip else ""
    print(f"hn-geo run on {what}{skipped}; goal: {goal}")
    walls, cpus = [], []
    for i in range(args.repeat):
        tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hn_geo_bench_"))
        if (tmp / "out").exists():
            shutil.rmtree(tmp / "out")
        before = harness.load()
        rc, stdout, stderr, wall, cpu, (peak, tree_gb), out = one_run(tmp, src, args.skip, args.jobs)
        if rc != 0:
            print(stdout, stderr, sep="\n")
            print(f"run {i + 1}: FAILED (exit code {rc})")
            return 1
        walls.append(wall)
        cpus.append(cpu)
        summary = json.loads((out / "run_summary.json").read_text(encoding="utf-8"))
        tree_text = f", all processes (PSS) {tree_gb:.2f} GB" if tree_gb else ""
        print(f"run {i + 1}: wall {wall:.1f} s, CPU {cpu:.1f} s, peak RSS {peak:.2f} GB (largest process)"
              f"{tree_text}; load average before {before}, after {harness.load()}")
        for s in summary["steps"]:
            print(f"  {s['name']:13s} {s['status']:7s} {s['seconds']:7.1f} s  {len(s['outputs'])} file(s)")
        steps = sum(s["seconds"] for s in summary["steps"])
        print(f"  steps {steps:.1f} s in all, side by side in {summary['seconds']:.1f} s of the run; "
              f"start-up, imports and exit {wall - summary['seconds']:.1f} s")
        if i == args.repeat - 1:
            _outputs(out)
        if not args.keep:
            shutil.rmtree(tmp)
    if args.repeat > 1:
        print(f"wall: min {min(walls):.1f} s, median {sorted(walls)[len(walls) // 2]:.1f} s; "
              f"CPU: min {min(cpus):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
