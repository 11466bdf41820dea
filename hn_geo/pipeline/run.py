"""Running the steps: one output folder, a lock on it, a summary that says what happened.

:func:`run_pipeline` runs the registry of :mod:`hn_geo.pipeline.steps` in order. A step that
raises is recorded as *failed* (its message names the file, row and field for bad input)
and, by default, the following steps still run on what succeeded; ``continue_on_error:
false`` (``--fail-fast``) stops at the first failure.

The output folder (:mod:`hn_geo.pipeline.outdir`) is locked for the run; the previous run's
files and stale temporary folders are removed first, so the folder never mixes two runs.
``OUT/run_summary.json`` says ``"state": "running"`` (and ``"ok": null``) from the first
moment, is rewritten after every step, and at the end holds every step, its files and
warnings, and the analyses' key figures as typed values. The files of a step that fails
(or is interrupted) are removed and listed as ``partial_removed``; SIGTERM and Ctrl-C end
the run as ``"interrupted"``. File-system errors (full disk, permissions, a file in the way)
are messages naming the file, in the run's language.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from hn_geo import vocabulary
from hn_geo.core import settings
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.files import write_text
from hn_geo.core.version import __version__
from hn_geo.ground.inputs import MissingInput
from hn_geo.pipeline import lanes
from hn_geo.pipeline.config import ANALYSES, OUTPUTS, RunConfig, load_config
from hn_geo.pipeline.outdir import (
    LOCK_FILE,
    SUMMARY_FILE,
    FolderLock,
    Journal,
    clear_previous,
    refuse_inside_a_run,
    remove_files,
)
from hn_geo.pipeline.steps import STEPS, StepSkipped
from hn_geo.render.console import os_error_text

__all__ = ["LOCK_FILE", "SUMMARY_FILE", "RunInterrupted", "RunReport", "StepRecord", "plan_steps", "run_pipeline"]


class RunInterrupted(KeyboardInterrupt):
    """The run was told to stop (SIGTERM); handled like Ctrl-C."""


@dataclass
class StepRecord:
    """What one step did (messages already rendered in the run's language)."""

    name: str
    status: str = "pending"  # ok | failed | skipped | interrupted
    seconds: float = 0.0
    outputs: list = field(default_factory=list)
    partial_removed: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    other_warnings: int = 0
    message: str = ""
    traceback: str = ""


class Context:
    """Shared state of a run: config, inputs, output folder, results."""

    def __init__(self, config, out_dir, lang):
        self.config = config
        self.out = Path(out_dir)
        self.lang = lang
        self.inputs = config.make_inputs()
        self.results = {}
        self.skipped = {}
        self.files = []  # every file the steps wrote so far (the dashboard links them)


@dataclass
class RunReport:
    """Outcome of :func:`run_pipeline`."""

    out_dir: Path
    steps: list
    seconds: float
    config: Path | None = None
    results: dict = field(default_factory=dict)
    lang: str = "zh"
    previous: dict = field(default_factory=dict)
    started: str = field(default_factory=lambda: _now())

    @property
    def ok(self):
        return all(s.status not in ("failed", "interrupted") for s in self.steps)

    @property
    def outputs(self):
        return [p for s in self.steps for p in s.outputs]

    def figures(self):
        """``{analysis: [figure dict with its label in the run's language]}``."""
        out = {}
        for name, res in self.results.items():
            out[name] = [{**f.to_dict(), "label": vocabulary.figure_label(f, self.lang, name),
                          "text": vocabulary.figure_value(f, self.lang, name),
                          "status_text": vocabulary.word("status", f.status, self.lang) if f.status else None}
                         for f in res.figures]
        return out

    def to_dict(self, state="finished"):
        """The summary; ``ok`` is null until the run has finished (false if interrupted)."""
        return {
            "hn_geo_version": __version__, "state": state,
            "ok": self.ok if state == "finished" else (False if state == "interrupted" else None),
            "lang": self.lang, "seconds": round(self.seconds, 2),
            "config": vocabulary.display_path(self.config) if self.config else None,
            "pid": os.getpid() if state == "running" else None, "started": self.started,
            "finished": _now() if state != "running" else None,
            "previous_run": self.previous or None,
            "steps": [{"name": s.name, "title": step_title(s.name, self.lang), "status": s.status,
                       "seconds": round(s.seconds, 2), "message": s.message, "warnings": s.warnings,
                       "other_warnings": s.other_warnings,
                       "outputs": [_rel(p, self.out_dir) for p in s.outputs],
                       "partial_removed": list(s.partial_removed)} for s in self.steps],
            "figures": self.figures(),
        }

    def write(self, state):
        """Write ``run_summary.json`` (atomically) in ``state``."""
        write_text(json.dumps(self.to_dict(state), ensure_ascii=False, indent=2) + "\n",
                   Path(self.out_dir) / SUMMARY_FILE)


def _now():
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def step_title(name, lang):
    """Title of a step: the analysis' own title, or the pipeline's word for an output step."""
    if name in ANALYSES:
        return vocabulary.title("title", name, lang)
    return vocabulary.ui(f"step_{name}", lang, scope="pipeline")


def plan_steps(config, only=None):
    """Names of the steps a config runs, in order."""
    names = [n for n in ANALYSES if n in config.analyses and (not only or n in only)]
    sites = ["sites"] if config.sites.get("profiles") and (not only or "sites" in only) else []
    return names + sites + list(OUTPUTS)


def run_pipeline(config=None, out_dir="out", *, lang=None, only=None, quiet=False, verbose=False,
                 echo=None):
    """Run the configured steps and write every output under ``out_dir``.

    Parameters
    ----------
    config : RunConfig, str or Path, optional
        A config (or its YAML path); None runs everything on the embedded data.
    out_dir : str or Path
    lang : {'zh', 'en'}, optional
        Overrides the config's language.
    only : iterable of str, optional
        Run only these analyses (outputs still run).
    quiet : bool
        No progress bars.
    verbose : bool
        Keep tracebacks of failures in the records.
    echo : callable, optional
        Message sink for progress lines (default: stderr).

    Returns
    -------
    RunReport
    """
    if not isinstance(config, RunConfig):
        config = load_config(config)
    lang = lang or config.lang
    settings.lang = lang
    echo = echo or (lambda msg: print(msg, file=sys.stderr))
    out = Path(out_dir)
    refuse_inside_a_run(out)
    _make_out_dir(out)
    with FolderLock(out), _sigterm_interrupts():
        previous = clear_previous(out)
        if (previous["removed"] or previous["temp"]) and (not quiet or previous["state"] != "finished"):
            echo(vocabulary.message("pipeline.previous_removed", {"n": previous["removed"], "temp": previous["temp"]},
                                    lang=lang))
        ctx = Context(config, out, lang)
        report = RunReport(out, [], 0.0, config.path, ctx.results, lang, previous=previous)
        start = time.perf_counter()
        with Journal(out) as journal:
            report.write("running")
            try:
                _run_steps(plan_steps(config, only), ctx, report, journal, quiet, verbose, echo)
            except KeyboardInterrupt:
                report.seconds = time.perf_counter() - start
                report.write("interrupted")
                journal.close()
                raise
        report.seconds = time.perf_counter() - start
        report.write("finished")
        journal.close()
    return report


def _run_steps(names, ctx, report, journal, quiet, verbose, echo):
    """Run the steps, in two lanes where the run has two (:mod:`hn_geo.pipeline.lanes`)."""
    records = {name: StepRecord(name) for name in names}
    runner = _Runner(names, records, ctx, report, journal, quiet, verbose, echo)
    jobs = lanes.resolve_jobs(ctx.config.jobs, engine=ctx.config.engine,
                              continue_on_error=ctx.config.continue_on_error)
    for phase in lanes.plan(names, jobs):
        if len(phase) == 1:
            for name in phase[0]:
                runner.here(name)
        else:
            lanes.side_by_side(phase[0], phase[1], run_here=runner.here, run_there=runner.there,
                               merge=runner.merge, lost=runner.lost)


class _Runner:
    """One step at a time, in the run's process or in a lane's worker (see :mod:`lanes`)."""

    def __init__(self, names, records, ctx, report, journal, quiet, verbose, echo):
        self.names, self.records, self.ctx, self.report = names, records, ctx, report
        self.journal, self.quiet, self.verbose, self.echo = journal, quiet, verbose, echo
        self.stop = False

    def _show(self, rec):
        """List a step in the summary (in run order) once it has started or been reported."""
        if not any(r is rec for r in self.report.steps):
            self.report.steps.append(rec)
            self.report.steps.sort(key=lambda r: self.names.index(r.name))

    def _one(self, name):
        rec = self.records[name]
        self._show(rec)
        if not self.quiet:
            echo_line = f"[{self.names.index(name) + 1}/{len(self.names)}] {step_title(name, self.ctx.lang)} …"
            self.echo(echo_line)
        mark = len(self.journal.written)
        try:
            _run_step(STEPS[name], self.ctx, rec, self.verbose)
        except KeyboardInterrupt:
            rec.status = "interrupted"
            raise
        finally:
            _settle_files(rec, self.journal.since(mark), self.ctx)
        return rec

    def here(self, name):
        """Run a step in the run's process; the summary is rewritten after it."""
        rec = self.records[name]
        if self.stop:
            self._show(rec)
            rec.status = "skipped"
            rec.message = vocabulary.message("pipeline.skip_after_failure", lang=self.ctx.lang)
            return
        self._one(name)
        self._settled(rec)

    def there(self, name):
        """Run a step in a lane's worker: its record, and its result if an analysis."""
        try:
            rec = self._one(name)
        except KeyboardInterrupt:
            return self.records[name], None
        return rec, (self.ctx.results.get(name) if name in ANALYSES else None)

    def merge(self, rec, result):
        """Take a step the worker ran into this process."""
        if rec.status != "ok" and rec.outputs:  # its result could not be sent: its files go too
            _settle_files(rec, [_rel(p, self.ctx.out) for p in rec.outputs], self.ctx)
        here = self.records[rec.name]
        here.__dict__.update(rec.__dict__)
        if rec.status == "ok":
            self.ctx.files += here.outputs
            if result is not None:
                self.ctx.results[rec.name] = result
        self._settled(here)

    def lost(self, names, exitcode):
        """The worker ended before reporting ``names``: they failed; its stray files go."""
        claimed = set(self.journal.written)
        for rec in self.records.values():
            claimed |= {_rel(p, self.ctx.out) for p in rec.outputs} | set(rec.partial_removed)
        stray = [r for r in self.journal.on_disk() if r not in claimed]
        for i, name in enumerate(names):
            rec = self.records[name]
            rec.status = "failed"
            rec.message = vocabulary.message("pipeline.worker_lost", {"code": exitcode}, lang=self.ctx.lang)
            if i == 0 and stray:
                remove_files(self.ctx.out, stray)
                rec.partial_removed = stray
            self._settled(rec)

    def _settled(self, rec):
        self._show(rec)
        results = self.ctx.results  # in run order, whichever lane finished first
        for name in sorted(results, key=self.names.index):
            results[name] = results.pop(name)
        if rec.name in ANALYSES and rec.status != "ok":
            self.ctx.skipped[rec.name] = (rec.status, rec.message)
        self.stop = self.stop or (rec.status == "failed" and not self.ctx.config.continue_on_error)
        self.report.write("running")


def _settle_files(rec, written, ctx):
    """A step's files: all listed if it succeeded; removed (and named) if it did not."""
    if rec.status == "ok":
        listed = {Path(p).resolve() for p in rec.outputs}
        rec.outputs += [ctx.out / r for r in written if (ctx.out / r).resolve() not in listed]
        return
    if written:
        remove_files(ctx.out, written)
        rec.partial_removed = written
        rec.outputs = []
        if rec.message:
            rec.message += vocabulary.message("pipeline.partial_removed", {"n": len(written)}, lang=ctx.lang)


@contextlib.contextmanager
def _sigterm_interrupts():
    """SIGTERM raises :class:`RunInterrupted` (like Ctrl-C) so the run ends cleanly."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise RunInterrupted(signum)

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _run_step(step, ctx, rec, verbose):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HnGeoWarning)
        try:
            result, files = step.func(ctx)
            rec.status, rec.outputs = "ok", list(files)
            ctx.files += rec.outputs
            if result is not None:
                ctx.results[step.name] = result
        except StepSkipped as exc:
            rec.status = "skipped"
            rec.message = vocabulary.message(exc.code, exc.params, ctx.lang)
        except MissingInput as exc:
            rec.status = "skipped"
            rec.message = vocabulary.message("pipeline.skip_no_layer", {"layer": str(exc.args[0])}, ctx.lang)
        except (HnGeoError, OSError) as exc:
            rec.status = "failed"
            rec.message = exc.render(ctx.lang) if isinstance(exc, HnGeoError) else os_error_text(exc, ctx.lang)
        except Exception as exc:  # a bug or an unexpected library error: report, keep going
            rec.status = "failed"
            rec.message = f"{type(exc).__name__}: {exc}"
            if verbose:
                rec.traceback = traceback.format_exc()
    rec.seconds = time.perf_counter() - t0
    for w in caught:
        if issubclass(w.category, HnGeoWarning):
            msg = w.message
            rec.warnings.append(msg.render(ctx.lang) if isinstance(msg, HnGeoWarning) else str(msg))
        else:
            rec.other_warnings += 1


def _make_out_dir(out):
    """Create the output folder; a clear error if it is a file, is under a file or cannot be written."""
    if out.exists() and not out.is_dir():
        raise HnGeoError(code="pipeline.out_not_folder", params={"path": str(out)})
    blocker = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise HnGeoError(code="pipeline.out_under_file", params={"path": str(out), "file": str(blocker)})
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".hn_geo_write_test.{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise HnGeoError(code="pipeline.out_unwritable", params={
            "path": str(out), "what": os_error_text(exc, settings.lang, reason_only=True)}) from None


def _rel(path, root):
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return vocabulary.display_path(path)
