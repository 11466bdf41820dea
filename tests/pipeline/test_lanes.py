"""Two lanes of steps side by side (issue 17): the second lane runs in a forked worker.

The steps here are small stand-ins put in the registry for the test; each writes a CSV holding
the id of the process that ran it, so the tests see which lane ran where.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path

import pandas as pd
import pytest

from hn_geo.core import threads
from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import AnalysisResult
from hn_geo.pipeline import lanes
from hn_geo.pipeline import run as run_mod
from hn_geo.pipeline.config import RunConfig
from hn_geo.pipeline.steps import STEPS
from hn_geo.render import tables

pytestmark = pytest.mark.skipif(not lanes.can_fork(), reason="this platform cannot fork a worker")


def _step(name, *, fail=None, die=False, sleep=0.0):
    """A stand-in: writes OUT/<name>/pid.csv, returns a result (analyses), or fails / dies."""
    def func(ctx):
        time.sleep(sleep)
        p = ctx.out / name / "pid.csv"
        tables.write_csv(pd.DataFrame({"pid": [os.getpid()], "lang": [ctx.lang]}), p)
        if die:
            os._exit(9)  # the worker killed mid-step (e.g. out of memory)
        if fail is not None:
            raise fail
        result = AnalysisResult(name, tables={"t": pd.DataFrame({"pid": [os.getpid()]})}) \
            if name in run_mod.ANALYSES else None
        return result, [p]
    return func


def _pid(out, name):
    return int(pd.read_csv(out / name / "pid.csv", encoding="utf-8-sig")["pid"].iloc[0])


def _summary(out):
    return json.loads((out / "run_summary.json").read_text(encoding="utf-8"))


def test_the_phases_of_a_whole_run():
    names = ["water", "zoning", "solar", "targets", "sites", "report", "maps", "export", "dashboard"]
    assert lanes.plan(names, 2) == [[["solar"], ["water", "zoning", "targets"]],
                                    [["sites", "report", "maps"], ["export"]], [["dashboard"]]]
    assert lanes.plan(names, 1) == [[names]]
    assert lanes.plan(["water", "report", "dashboard"], 2) == [[["water"]], [["report"]], [["dashboard"]]]
    assert lanes.plan(["water", "newstep", "dashboard"], 2) == [[["water"]], [["newstep"]], [["dashboard"]]]
    assert {n for phase in lanes.LANES for lane in phase for n in lane} == set(STEPS)  # every step placed


def test_one_lane_where_two_would_be_wrong(monkeypatch):
    assert lanes.resolve_jobs(1) == 1
    assert lanes.resolve_jobs(2, engine="dask") == 1  # a dask cluster is not forked
    assert lanes.resolve_jobs(2, continue_on_error=False) == 1  # the first failure stops the rest
    monkeypatch.setattr(threads, "workers", lambda: 1)
    assert lanes.resolve_jobs("auto") == 1 and lanes.resolve_jobs(None) == 1 and lanes.resolve_jobs(8) == 2
    monkeypatch.setattr(threads, "workers", lambda: 2)
    assert lanes.resolve_jobs("auto") == 2
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    assert lanes.resolve_jobs("auto") == 2  # IPython imported (e.g. by nbclient), not a kernel

    class ZMQInteractiveShell:  # the shell of a Jupyter kernel
        pass

    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=ZMQInteractiveShell))
    assert lanes.resolve_jobs("auto") == 1 and lanes.resolve_jobs(2) == 2  # a notebook: no fork unless told


def test_the_second_lane_runs_in_a_worker_and_its_results_come_back(tmp_path, steps):
    steps({n: _step(n, sleep=0.3) for n in ("water", "solar", "report", "export", "dashboard")})
    out = tmp_path / "out"
    rep = run_mod.run_pipeline(RunConfig(jobs=2), out, lang="en", quiet=True)
    assert rep.ok
    me = os.getpid()
    assert _pid(out, "solar") == me and _pid(out, "report") == me and _pid(out, "dashboard") == me
    worker = {_pid(out, "water"), _pid(out, "export")}
    assert len(worker) == 2 and me not in worker  # one forked worker per phase
    assert rep.results["water"].tables["t"]["pid"].iloc[0] == _pid(out, "water")  # sent back
    summ = _summary(out)
    assert [s["name"] for s in summ["steps"]] == ["water", "solar", "report", "export", "dashboard"]
    assert summ["steps"][0]["outputs"] == ["water/pid.csv"] and summ["ok"] is True
    assert "en" in (out / "water" / "pid.csv").read_text(encoding="utf-8-sig")  # the run's language


def test_one_lane_runs_everything_in_the_runs_process(tmp_path, steps):
    steps({n: _step(n) for n in ("water", "solar", "export")})
    out = tmp_path / "out"
    assert run_mod.run_pipeline(RunConfig(jobs=1), out, quiet=True).ok
    assert {_pid(out, n) for n in ("water", "solar", "export")} == {os.getpid()}


def test_a_failing_step_in_the_worker_is_reported_and_its_files_removed(tmp_path, steps):
    boom = HnGeoError(code="pipeline.out_unwritable", params={"path": "x", "what": "y"})
    steps({"water": _step("water", fail=boom), "zoning": _step("zoning"), "solar": _step("solar")})
    out = tmp_path / "out"
    rep = run_mod.run_pipeline(RunConfig(jobs=2), out, lang="en", quiet=True)
    by = {s.name: s for s in rep.steps}
    assert by["water"].status == "failed" and "cannot write to the output folder x" in by["water"].message
    assert by["water"].partial_removed == ["water/pid.csv"] and not (out / "water").exists()
    assert by["zoning"].status == "ok" and by["solar"].status == "ok"  # the lane went on
    assert "water" not in rep.results and set(rep.results) == {"zoning", "solar"}


def test_a_worker_that_dies_fails_its_steps_and_leaves_no_stray_file(tmp_path, steps):
    steps({"water": _step("water", die=True), "zoning": _step("zoning"), "solar": _step("solar"),
           "dashboard": _step("dashboard")})
    out = tmp_path / "out"
    rep = run_mod.run_pipeline(RunConfig(jobs=2), out, lang="zh", quiet=True)
    by = {s.name: s for s in rep.steps}
    assert not rep.ok
    for name in ("water", "zoning"):
        assert by[name].status == "failed" and "工作进程意外结束（退出码 9）" in by[name].message
    assert by["water"].partial_removed == ["water/pid.csv"] and not (out / "water").exists()
    assert by["solar"].status == "ok" and by["dashboard"].status == "ok"  # the run went on
    summ = _summary(out)
    assert summ["state"] == "finished" and summ["ok"] is False
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == \
        ["dashboard/pid.csv", "run_summary.json", "solar/pid.csv"]


def test_jobs_from_the_config_and_the_cli(tmp_path):
    from click.testing import CliRunner

    from hn_geo.cli import main
    from hn_geo.pipeline.config import load_config

    cfg = tmp_path / "run.yaml"
    cfg.write_text("jobs: 1\n", encoding="utf-8")
    assert load_config(cfg).jobs == 1
    cfg.write_text("jobs: 0\n", encoding="utf-8")
    with pytest.raises(HnGeoError, match="jobs"):
        load_config(cfg)
    assert RunConfig().jobs == "auto"
    r = CliRunner().invoke(main, ["run", "--out", str(tmp_path / "o"), "--jobs", "zero"])
    assert r.exit_code == 2 and "--jobs" in r.output


TWO_SLOW_LANES = textwrap.dedent("""
    import os, time
    from pathlib import Path
    import pandas as pd
    from hn_geo.core import files
    from hn_geo.pipeline import run as run_mod
    from hn_geo.pipeline.config import RunConfig
    from hn_geo.pipeline.steps import Step
    from hn_geo.render import tables

    def slow(name):
        def func(ctx):
            tables.write_csv(pd.DataFrame({{"pid": [os.getpid()]}}), ctx.out / name / "done.csv")
            with files.atomic_path(ctx.out / name / "half.xlsx") as tmp:
                tmp.write_bytes(b"half a workbook")
                Path({marker!r} + name).write_text(str(os.getpid()))
                time.sleep(60)
            return None, []
        return func

    for name in ("water", "solar"):
        run_mod.STEPS[name] = Step(name, slow(name))
    run_mod.plan_steps = lambda config, only=None: ["water", "solar"]
    run_mod.run_pipeline(RunConfig(jobs=2), {out!r}, quiet=True)
""")


@pytest.mark.slow
def test_sigterm_interrupts_both_lanes_and_leaves_no_worker(tmp_path):
    out, marker = tmp_path / "out", str(tmp_path / "marker_")
    proc = subprocess.Popen([sys.executable, "-c", TWO_SLOW_LANES.format(marker=marker, out=str(out))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for _ in range(600):
        if all(Path(marker + n).exists() for n in ("water", "solar")) or proc.poll() is not None:
            break
        time.sleep(0.05)
    pids = {n: int(Path(marker + n).read_text()) for n in ("water", "solar")}
    assert pids["solar"] == proc.pid and pids["water"] != proc.pid  # the two lanes, side by side
    proc.send_signal(signal.SIGTERM)  # to the run only: it passes it on to its worker
    proc.wait(timeout=90)
    summ = _summary(out)
    assert summ["state"] == "interrupted" and summ["ok"] is False
    by = {s["name"]: s for s in summ["steps"]}
    for name in ("water", "solar"):
        assert by[name]["status"] == "interrupted" and by[name]["partial_removed"] == [f"{name}/done.csv"]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == ["run_summary.json"]
    with pytest.raises(ProcessLookupError):
        os.kill(pids["water"], 0)  # the worker is gone


def test_results_stay_in_run_order_whichever_lane_ends_first(tmp_path, steps):
    steps({"water": _step("water", sleep=0.5), "zoning": _step("zoning"), "solar": _step("solar"),
           "targets": _step("targets", sleep=0.3)})
    rep = run_mod.run_pipeline(RunConfig(jobs=2), tmp_path / "out", quiet=True)
    assert list(rep.results) == ["water", "zoning", "solar", "targets"]  # solar ended first
    assert [s.name for s in rep.steps] == ["water", "zoning", "solar", "targets"]
