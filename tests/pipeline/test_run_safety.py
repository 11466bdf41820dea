"""The batch run's output folder stays coherent (issue 12).

Before: two runs into one folder left a mix of languages and analyses (52 files of a zh run
beside an en run's); after a kill ``run_summary.json`` said ``"ok": true`` while running, a
temporary folder with a partial workbook stayed; on a full disk every step "failed" but 37
files stayed, 8 of them unlisted partial files of the failed steps, with GDAL's raw
"database or disk is full" as the message; errors named temporary paths.

The steps here are small stand-ins (real writers, instant), put in the registry for the test.
"""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from layer_factory import tiny_layer

from hn_geo.core import files
from hn_geo.core.errors import HnGeoError
from hn_geo.pipeline import outdir
from hn_geo.pipeline import run as run_mod
from hn_geo.render import tables, writers

ROOT = Path(__file__).resolve().parents[2]


def _writes(*rels, fail=None):
    """A step writing ``rels`` under OUT (CSV, XLSX or GPKG by suffix), then raising ``fail``."""
    def func(ctx):
        done = []
        for rel in rels:
            p = ctx.out / rel
            if p.suffix == ".xlsx":
                tables.write_xlsx({"t": pd.DataFrame({"a": [1, 2]})}, p)
            elif p.suffix == ".gpkg":
                writers.write_gpkg(tiny_layer("towns"), p)
            else:
                tables.write_csv(pd.DataFrame({"a": [ctx.lang]}), p)
            done.append(p)
        if fail is not None:
            raise fail
        return None, done
    return func


def _summary(out):
    return json.loads((out / "run_summary.json").read_text(encoding="utf-8"))


def _files(out):
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def test_a_second_run_replaces_the_first_runs_files(tmp_path, steps):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("the user's own file")
    steps({"water": _writes("water/a.csv", "water/b.xlsx"), "zoning": _writes("zoning/z.csv")})
    run_mod.run_pipeline(None, out, lang="zh", quiet=True)
    steps({"zoning": _writes("zoning/z.csv")})
    rep = run_mod.run_pipeline(None, out, lang="en", quiet=True)
    assert rep.ok
    assert _files(out) == ["mine.txt", "run_summary.json", "zoning/z.csv"]  # nothing of the zh run left
    assert not (out / "water").exists()
    summ = _summary(out)
    assert summ["lang"] == "en" and summ["previous_run"] == {"state": "finished", "removed": 3, "temp": 0}
    assert "en" in (out / "zoning" / "z.csv").read_text(encoding="utf-8-sig")


def test_summary_never_says_ok_while_running(tmp_path, steps):
    seen = {}

    def peek(ctx):
        seen.update(_summary(ctx.out))
        return None, []

    steps({"water": _writes("water/a.csv"), "zoning": peek})
    rep = run_mod.run_pipeline(None, tmp_path / "out", quiet=True)
    assert seen["state"] == "running" and seen["ok"] is None and seen["pid"] == os.getpid()
    assert [s["name"] for s in seen["steps"]] == ["water"]  # rewritten after each step
    assert seen["steps"][0]["outputs"] == ["water/a.csv"]
    assert rep.ok and _summary(tmp_path / "out")["ok"] is True and _summary(tmp_path / "out")["pid"] is None


def test_a_failed_steps_partial_files_are_removed(tmp_path, steps):
    out = tmp_path / "out"
    boom = HnGeoError(code="pipeline.out_unwritable", params={"path": "x", "what": "y"})
    steps({"water": _writes("water/a.csv", "water/b.gpkg", fail=boom), "zoning": _writes("zoning/z.csv")})
    rep = run_mod.run_pipeline(None, out, lang="en", quiet=True)
    assert not rep.ok
    assert _files(out) == ["run_summary.json", "zoning/z.csv"]
    water = _summary(out)["steps"][0]
    assert water["status"] == "failed" and water["outputs"] == []
    assert water["partial_removed"] == ["water/a.csv", "water/b.gpkg"]
    assert "2 incomplete file(s) of this step removed" in water["message"]


def test_a_full_disk_is_a_clear_message_and_leaves_no_half_file(tmp_path, steps, monkeypatch):
    """The writers fail as on a full disk: XlsxWriter with ENOSPC after half a file (which its
    close() reports wrapped in a FileCreateError), GDAL in words."""
    from xlsxwriter import Workbook

    def half_then_full(self):
        Path(self.filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device")

    def gdal_full(*args, **kwargs):
        raise pyogrio.errors.FeatureError("failed to execute insert : database or disk is full")

    monkeypatch.setattr(Workbook, "_store_workbook", half_then_full)
    monkeypatch.setattr(pyogrio, "write_dataframe", gdal_full)
    out = tmp_path / "out"
    steps({"water": _writes("water/a.csv", "water/b.xlsx"), "solar": _writes("solar/s.csv", "solar/l.gpkg"),
           "zoning": _writes("zoning/z.csv")})
    rep = run_mod.run_pipeline(None, out, lang="en", quiet=True)
    summ = _summary(out)
    msgs = {s["name"]: s["message"] for s in summ["steps"]}
    assert not rep.ok and summ["ok"] is False
    assert msgs["water"].startswith("file-system error: no space left on the disk (") and "b.xlsx)" in msgs["water"]
    assert "no space left on the disk" in msgs["solar"] and "l.gpkg" in msgs["solar"]
    assert ".tmp" not in json.dumps(summ)  # no temporary path named anywhere
    assert _files(out) == ["run_summary.json", "zoning/z.csv"]  # no half file, no partial step
    assert not [p for p in out.rglob("*.tmp")]
    rep = run_mod.run_pipeline(None, out, lang="zh", quiet=True)
    assert "磁盘已满" in rep.steps[0].message  # in the run's language


def test_two_runs_at_once_the_second_is_refused(tmp_path, steps):
    out = tmp_path / "out"
    out.mkdir()
    steps({"zoning": _writes("zoning/z.csv")})
    with outdir.FolderLock(out):
        for target in (out, out / "nested"):
            with pytest.raises(HnGeoError) as exc:
                run_mod.run_pipeline(None, target, quiet=True)
            assert exc.value.code == "pipeline.out_locked"
        assert not (out / "run_summary.json").exists() and not (out / "nested").exists()
    assert run_mod.run_pipeline(None, out, quiet=True).ok  # released
    assert not (out / outdir.LOCK_FILE).exists()


KILLABLE = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import pandas as pd
    sys.path.insert(0, {tests!r})
    from hn_geo.core import files
    from hn_geo.pipeline import run as run_mod
    from hn_geo.pipeline.steps import Step
    from hn_geo.render import tables

    def slow(ctx):
        tables.write_csv(pd.DataFrame({{"a": [1]}}), ctx.out / "water" / "done.csv")
        with files.atomic_path(ctx.out / "water" / "water.xlsx") as tmp:
            tmp.write_bytes(b"half a workbook")
            Path({marker!r}).write_text("writing")
            time.sleep(60)
        return None, []

    run_mod.STEPS["water"] = Step("water", slow)
    run_mod.plan_steps = lambda config, only=None: ["water"]
    run_mod.run_pipeline(None, {out!r}, quiet=True)
""")


def _start_killable(tmp_path, out):
    marker = tmp_path / "marker"
    script = KILLABLE.format(tests=str(ROOT / "tests"), marker=str(marker), out=str(out))
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    for _ in range(600):
        if marker.exists() or proc.poll() is not None:
            break
        time.sleep(0.05)
    assert marker.exists(), proc.communicate()[1].decode()[-2000:]
    return proc


@pytest.mark.slow
def test_after_a_kill_the_next_run_cleans_up(tmp_path, steps):
    out = tmp_path / "out"
    proc = _start_killable(tmp_path, out)
    proc.kill()
    proc.wait()
    summ = _summary(out)
    assert summ["state"] == "running" and summ["ok"] is None  # never "ok" over a half run
    assert (out / "water" / "done.csv").exists() and list(out.rglob(".water.xlsx.*.tmp"))
    steps({"zoning": _writes("zoning/z.csv")})
    rep = run_mod.run_pipeline(None, out, quiet=True)  # the dead run's lock does not block
    assert rep.ok and rep.previous == {"state": "running", "removed": 1, "temp": 1}
    assert _files(out) == ["run_summary.json", "zoning/z.csv"]
    assert not list(out.rglob("*.tmp")) and not (out / outdir.JOURNAL_FILE).exists()


@pytest.mark.slow
def test_sigterm_ends_the_run_as_interrupted(tmp_path):
    out = tmp_path / "out"
    proc = _start_killable(tmp_path, out)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    summ = _summary(out)
    assert summ["state"] == "interrupted" and summ["ok"] is False
    assert summ["steps"][0]["status"] == "interrupted"
    assert summ["steps"][0]["partial_removed"] == ["water/done.csv"]
    assert _files(out) == ["run_summary.json"] and not list(out.rglob("*.tmp"))
    assert not (out / outdir.LOCK_FILE).exists()


@pytest.mark.slow
def test_out_folder_problems_are_clear_cli_errors(tmp_path, monkeypatch):
    from hn_geo.cli import main

    afile = tmp_path / "afile"
    afile.write_text("x")
    cases = [(["run", "--out", str(afile / "sub"), "-q", "--lang", "en"], "afile is a file, not a folder"),
             (["run", "--out", str(afile), "-q", "--lang", "en"], "is a file, not a folder"),
             (["init-config", str(afile / "c.yaml")], "afile"),
             (["map", "--layers", "boundary", "--out", str(afile / "m.html"), "--lang", "en"],
              "this part of the path is a file, not a folder"),
             (["export", "boundary", "--out", str(afile / "x.zip"), "--lang", "en"],
              "this part of the path is a file, not a folder")]
    for args, expected in cases:
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 1, (args, r.output)
        assert expected in r.output and "Traceback" not in r.output, (args, r.output)
        assert ".tmp" not in r.output


def test_unwritable_out_folder(tmp_path, monkeypatch):
    """A read-only file system (root ignores permission bits, so it is simulated)."""
    from hn_geo.cli import main

    real = Path.write_bytes

    def read_only(self, data):
        if self.name.startswith((".hn_geo_write_test", ".")) or "ro" in self.parts:
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", read_only)
    r = CliRunner().invoke(main, ["run", "--out", str(tmp_path / "ro"), "-q", "--lang", "en"])
    assert r.exit_code == 1 and "cannot write to the output folder" in r.output and "read-only file system" in r.output
    r = CliRunner().invoke(main, ["run", "--out", str(tmp_path / "ro"), "-q"])
    assert "无法写入输出文件夹" in r.output and "只读文件系统" in r.output


def test_stale_temp_and_journal_of_a_dead_run_removed(tmp_path, steps):
    out = tmp_path / "out"
    (out / "water").mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = out / "water" / f".water.xlsx.{dead.pid}.abcd1234.tmp"
    stale.mkdir()
    (stale / "water.xlsx").write_bytes(b"half")
    live = out / "water" / f".other.csv.{os.getpid()}.abcd1234.tmp"  # a writer still at work
    live.mkdir()
    (out / "water" / "x.csv").write_text("1")
    (out / "run_summary.json").write_text(json.dumps({"hn_geo_version": "0", "state": "running", "steps": []}))
    (out / outdir.JOURNAL_FILE).write_text("water/x.csv\n../escape.txt\n/etc/passwd\n")
    (tmp_path / "escape.txt").write_text("outside")
    steps({"zoning": _writes("zoning/z.csv")})
    rep = run_mod.run_pipeline(None, out, quiet=True)
    assert rep.previous == {"state": "running", "removed": 1, "temp": 1}
    assert not stale.exists() and live.exists() and (tmp_path / "escape.txt").exists()
    assert not (out / "water" / "x.csv").exists()
    files.remove_stale_temp(out)
    assert live.exists()
