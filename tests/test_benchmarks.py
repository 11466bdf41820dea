"""The benchmark harness (benchmarks/harness.py): phases of unchanged code, and one tiny
benchmark run end to end in child processes."""
import importlib.util
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _harness():
    spec = importlib.util.spec_from_file_location("harness", BENCH / "harness.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_phases_count_nested_calls_once_and_restore(monkeypatch):
    h = _harness()
    clock = [0.0]
    monkeypatch.setattr(h, "time", types.SimpleNamespace(perf_counter=lambda: clock[0],
                                                         process_time=lambda: clock[0] / 2))
    mod = types.SimpleNamespace()

    def read():
        clock[0] += 1.0
        return "r"

    def write():
        mod.read()  # nested: counted once, in the outer phase
        clock[0] += 2.0

    mod.read, mod.write = read, write
    ph = h.Phases()
    ph.wrap(mod, "read", "read")
    ph.wrap(mod, "write", "write")
    ph.start()
    assert mod.read() == "r"
    mod.write()
    clock[0] += 4.0  # the analysis
    res = ph.result(clock[0])
    ph.restore()
    assert mod.read is read and mod.write is write
    assert (res["read"], res["write"], res["compute"]) == (1.0, 3.0, 4.0)
    assert res["cpu"] == {"read": 0.5, "compute": 2.0, "write": 1.5}


@pytest.mark.slow
def test_io_benchmark_runs_and_prints_the_table(tmp_path):
    env = dict(os.environ, HN_GEO_BENCH_DATA=str(tmp_path))
    proc = subprocess.run([sys.executable, str(BENCH / "io.py"), "--n", "300", "--cases", "points",
                           "points pyogrio"], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [line.split() for line in proc.stdout.splitlines() if line.startswith("io ")]
    assert len(rows) == 4  # two cases, wall and CPU tables
    hn = next(r for r in rows if r[3] != "pyogrio")
    read, compute, write, total = map(float, hn[3:7])
    assert total == pytest.approx(read + compute + write, abs=0.02) and compute > 0
    assert float(hn[-1]) > 0  # the ratio against pyogrio
    assert (tmp_path / "hn_geo_bench" / "points_300.gpkg").exists() or list(tmp_path.rglob("points_300.gpkg"))
