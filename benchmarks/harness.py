"""Shared machinery of the benchmarks: inputs on disk, one child process per case, phases.

Every benchmark times what a user runs: a file on disk is read through hn_geo's readers
(``load_layer`` or the workflow's own reader), the analysis runs exactly as the pipeline
calls it (the workflow function, unchanged), and its outputs are written. Each case runs in
a **fresh child process** so that its peak resident memory is its own (``os.wait4`` gives
the child's ``ru_maxrss``) and no cache of an earlier case helps it.

Phases: a case reports ``read``, ``compute`` and ``write`` seconds. For hn_geo the
workflow is run untouched and the functions it calls to read (``Inputs.layer``, the table
readers) and to write (``write_result``, the chart writers) are wrapped with timers
(:class:`Phases`); compute is the rest of the workflow's time. The baseline (what a
competent user would write with geopandas / pyogrio / pvlib) times its own three steps.

Output: one row per case and size with read / compute / write seconds (in-process wall
time), the whole process' wall and CPU seconds (imports included), its peak RSS, and the
ratio hn_geo / baseline of the in-process totals; the machine line (CPU, cores, memory,
load average before and after) says what the figures were measured on. ``--markdown``
prints the table for the README.

Synthetic inputs are cached in ``$HN_GEO_BENCH_DATA`` (default ``/tmp/hn_geo_bench``), named
after the generator's content hash so that a changed generator makes new files.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import importlib.util
import inspect
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("HN_GEO_BENCH_DATA", Path(tempfile.gettempdir()) / "hn_geo_bench"))
SIZES = (10_000, 100_000, 1_000_000)
MARK = "HN_GEO_BENCH "


# ----------------------------------------------------------------------------- machine
def machine():
    """One line: CPU model, cores, memory, Python and library versions."""
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines()
                   if x.startswith("MemTotal")) / 1024 ** 2
    except (OSError, StopIteration):
        mem = float("nan")
    versions = []
    for mod in ("numpy", "pandas", "shapely", "geopandas", "pyogrio", "pyproj", "pvlib"):
        try:
            versions.append(f"{mod} {__import__(mod).__version__}")
        except ImportError:
            pass
    return (f"{model}, {os.cpu_count()} cores, {mem:.0f} GB RAM; Python {platform.python_version()}; "
            + ", ".join(versions))


def load():
    """The 1/5/15-minute load average as text (the machine is shared: it changes the figures)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# ----------------------------------------------------------------------------- inputs
@functools.cache
def module(path):
    """Import a script (``scripts/build_buildings.py`` ...) as a module."""
    path = ROOT / path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def content_hash(*paths):
    """Short hash of files' contents (cache key of generated inputs)."""
    h = hashlib.sha256()
    for p in paths:
        h.update((ROOT / p).read_bytes())
    return h.hexdigest()[:10]


def cached(name, make):
    """``DATA/name``, made by ``make(path)`` when absent (atomically: a temp name, then rename)."""
    path = DATA / name
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
        t0 = time.perf_counter()
        make(tmp)
        tmp.replace(path)
        print(f"  (made {path} in {time.perf_counter() - t0:.0f} s)", flush=True)
    return path


def buildings_file(n, suffix=".parquet"):
    """A file of ``n`` synthetic real-shaped footprints (the generator of the embedded layer,
    ``scripts/build_buildings.py``, without the overlap check), in EPSG:4490 like a stored
    layer, with the embedded layer's precision (1e-7 degree)."""
    key = content_hash("scripts/build_buildings.py", "layers/towns.gpkg", "layers/parks.gpkg")

    def make(path):
        import shapely

        from hn_geo.ground.catalog import load_layer

        gen = module("scripts/build_buildings.py")
        gdf = gen.generate(load_layer("towns"), load_layer("parks"), n=n, check_overlap=False)
        gdf = gdf.iloc[:n]
        gdf["geometry"] = shapely.set_precision(gdf.geometry.values, 1e-7)
        write_frame(gdf, path)

    return cached(f"buildings_{n}_{key}{suffix}", make)


def write_frame(gdf, path):
    """GeoParquet (zstd) or, for other suffixes, whatever pyogrio writes (Arrow path)."""
    path = Path(path)
    if path.suffix == ".parquet":
        gdf.to_parquet(path, index=False, compression="zstd")
    else:
        import pyogrio

        pyogrio.write_dataframe(gdf, path, use_arrow=True, layer=path.stem.lstrip(".").split(".")[0])


# ----------------------------------------------------------------------------- phases
class Phases:
    """Wall time per phase of code that is run unchanged: wrap the functions it calls.

    ``wrap(owner, name, phase)`` replaces ``owner.name`` by a timed version; nested timed
    calls count once (in the outermost phase). ``result(total)`` gives read/compute/write
    with compute = total - read - write.
    """

    def __init__(self):
        self.seconds = {"read": 0.0, "write": 0.0}
        self.cpu = {"read": 0.0, "write": 0.0}
        self._depth = 0
        self._undo = []
        self._cpu0 = time.process_time()

    def wrap(self, owner, name, phase):
        func = getattr(owner, name)

        @functools.wraps(func)
        def timed(*args, **kwargs):
            if self._depth:
                return func(*args, **kwargs)
            self._depth += 1
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - t0
                self.cpu[phase] += time.process_time() - c0
                self._depth -= 1

        setattr(owner, name, timed)
        self._undo.append((owner, name, func))

    def restore(self):
        for owner, name, func in reversed(self._undo):
            setattr(owner, name, func)
        self._undo.clear()

    def start(self):
        """Start the clock of the CPU total (``result`` takes the wall total)."""
        self._cpu0 = time.process_time()

    def result(self, total):
        r, w = self.seconds["read"], self.seconds["write"]
        cpu = time.process_time() - self._cpu0
        return {"read": r, "compute": max(total - r - w, 0.0), "write": w,
                "cpu": {"read": self.cpu["read"], "compute": max(cpu - self.cpu["read"] - self.cpu["write"], 0.0),
                        "write": self.cpu["write"]}}


def timed_workflow(workflow, inputs, out_dir, read=(), write=(), **options):
    """Run ``workflow.run(inputs, out_dir, **options)`` with its reads and writes timed.

    ``read``/``write``: names in the workflow module (``'load_weather'``, ``'write_result'``)
    whose calls count as reading/writing; ``Inputs.layer`` always counts as reading.
    """
    from hn_geo.ground.inputs import Inputs

    ph = Phases()
    ph.wrap(Inputs, "layer", "read")
    for name in read:
        ph.wrap(workflow, name, "read")
    for name in write:
        ph.wrap(workflow, name, "write")
    try:
        t0 = time.perf_counter()
        ph.start()
        outcome = workflow.run(inputs, out_dir, **options)
        total = time.perf_counter() - t0
    finally:
        ph.restore()
    out = ph.result(total)
    out["outcome"] = outcome
    return out


def stopwatch():
    """``lap(phase)`` adds the seconds since the previous lap to ``times[phase]``."""
    times = {"read": 0.0, "compute": 0.0, "write": 0.0, "cpu": {"read": 0.0, "compute": 0.0, "write": 0.0}}
    last = [time.perf_counter(), time.process_time()]

    def lap(phase):
        now, cpu = time.perf_counter(), time.process_time()
        times[phase] += now - last[0]
        times["cpu"][phase] += cpu - last[1]
        last[:] = [now, cpu]
        return times

    return lap


def out_size(path):
    """Total bytes of the files under ``path``."""
    path = Path(path)
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


# ----------------------------------------------------------------------------- processes
def _tree(pid):
    """``pid`` and its descendants (from /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return out


def _pss_gb(pid):
    """Proportional set size of ``pid``'s process tree [GB]: the memory the tree holds, a page
    shared by two processes (a forked lane worker) counted once."""
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            pass
    return total / 1024 ** 2


class TreeMemory:
    """Peak PSS of a process tree, sampled every ``every`` seconds in a thread."""

    def __init__(self, pid, every=0.1):
        self.pid, self.every, self.peak = pid, every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, _pss_gb(self.pid))

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.peak


def spawn(cmd, env=None, tree=None):
    """Run ``cmd``; (return code, stdout, stderr, wall s, CPU s, peak RSS GB) of that child.

    CPU s include the child's waited-for children (a lane worker). Peak is the child's
    ``ru_maxrss`` -- the largest single process; with ``tree`` (a dict) the peak PSS of the
    whole process tree, lane workers included, is also put in ``tree["peak_tree_gb"]``.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        mem = TreeMemory(proc.pid) if tree is not None and os.path.exists("/proc/self/smaps_rollup") else None
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        if mem is not None:
            tree["peak_tree_gb"] = mem.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024 ** 2)


def child(script, case, n, out_dir):
    """Run ``case`` of a benchmark script in a child process; its phases and process figures."""
    rc, out, err, wall, cpu, peak = spawn([sys.executable, str(script), "--child", case, "--n", str(n),
                                           "--out", str(out_dir)])
    lines = [x for x in out.splitlines() if x.startswith(MARK)]
    if rc != 0 or not lines:
        raise RuntimeError(f"{Path(script).name} {case} n={n} failed (exit {rc}):\n{out[-3000:]}\n{err[-3000:]}")
    res = json.loads(lines[-1][len(MARK):])
    res.update(process_wall=wall, process_cpu=cpu, peak_gb=peak)
    return res


def report(res):
    """Print a case's result for the parent (last line of the child's stdout)."""
    print(MARK + json.dumps(res, default=float), flush=True)


# ----------------------------------------------------------------------------- the table
HEADER = ("benchmark", "N", "case", "read s", "compute s", "write s", "total s", "process s", "CPU s",
          "peak GB", "baseline s", "ratio")


def total(r, clock="wall"):
    """read + compute + write of a case's result, wall or CPU seconds."""
    p = r if clock == "wall" else r["cpu"]
    return p["read"] + p["compute"] + p["write"]


def _row(bench, n, case, r, base, clock="wall"):
    p = r if clock == "wall" else r["cpu"]
    tot = total(r, clock)
    btot = None if base is None else total(base, clock)
    return (bench, f"{n:,}", case, f"{p['read']:.2f}", f"{p['compute']:.2f}", f"{p['write']:.2f}",
            f"{tot:.2f}", f"{r['process_wall']:.1f}", f"{r['process_cpu']:.1f}", f"{r['peak_gb']:.2f}",
            "" if btot is None else f"{btot:.2f}", "" if btot is None else f"{tot / btot:.2f}")


def print_table(rows, markdown=False):
    if markdown:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
        for r in rows:
            print("| " + " | ".join(r) + " |")
        return
    widths = [max(len(str(x)) for x in col) for col in zip(HEADER, *rows)]
    for r in (HEADER, *rows):
        print("  ".join(str(x).rjust(w) if i not in (0, 2) else str(x).ljust(w) for i, (x, w) in
                        enumerate(zip(r, widths))))


def main(script, description, cases, prepare, *, bench, sizes=SIZES, baseline="baseline", notes=None,
         argv=None):
    """Command line of a benchmark script.

    ``cases``: ``{name: func(n, out_dir) -> dict}`` run in child processes (``--child``);
    ``prepare(n)`` (or ``prepare(n, cases=...)``: the chosen cases) makes the inputs (in the
    parent, cached); ``baseline`` names the case the
    others are compared with, or maps each case to its baseline case (``{'gpkg': 'gpkg
    pyogrio'}``); ``notes(results)`` may print extra lines (key figures).
    """
    base_of = baseline if isinstance(baseline, dict) else {c: baseline for c in cases if c != baseline}
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--n", type=int, nargs="+", default=list(sizes), help="sizes (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each case; the fastest is shown")
    ap.add_argument("--cases", nargs="+", default=list(cases), choices=list(cases))
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        res = cases[args.child](args.n[0], Path(args.out))
        report(res)
        return 0
    print(f"{bench}: {description}")
    print(f"machine: {machine()}")
    print(f"load average before: {load()}", flush=True)
    rows, results = [], {}
    for n in args.n:
        if "cases" in inspect.signature(prepare).parameters:  # only the inputs of the chosen cases
            prepare(n, cases=args.cases)
        else:
            prepare(n)
        best = {}
        for _ in range(args.repeat):
            for case in args.cases:  # interleaved: every case sees the same machine state
                with tempfile.TemporaryDirectory(prefix="hn_geo_bench_") as d:
                    r = child(script, case, n, Path(d) / "out")
                if case not in best or total(r) < total(best[case]):
                    best[case] = r
        results[n] = best
        for case in args.cases:
            rows.append((n, case))
            print("  " + "  ".join(_row(bench, n, case, best[case], best.get(base_of.get(case)))), flush=True)
    print(f"load average after: {load()}")
    for clock in ("wall", "cpu"):
        print(f"\n{'wall-clock' if clock == 'wall' else 'CPU'} seconds of the phases (in-process; process s and "
              f"CPU s: the whole child process, imports included):")
        print_table([_row(bench, n, case, results[n][case], results[n].get(base_of.get(case)), clock)
                     for n, case in rows], markdown=args.markdown)
    if notes:
        notes(results)
    return 0
