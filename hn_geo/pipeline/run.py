"""Running the steps: one output folder, a lock on it, a summary that says what happened.

:func:`run_pipeline` runs the registry of :mod:`hn_geo.pipeline.steps` in order. A step that
raises is recorded as *failed* (its message names the file, row and field for bad input)
and, by default, the following steps still run on what succeeded; ``continue_on_error:
false`` (``--fail-fast``) stops at the first failure. ``OUT/run_summary.json`` says
``"state": "running"`` from the first moment and is rewritten at the end with every step,
its files and warnings, and the analyses' key figures as typed values.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import sys
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
from hn_geo.pipeline.config import ANALYSES, OUTPUTS, RunConfig, load_config
from hn_geo.pipeline.steps import STEPS, StepSkipped

SUMMARY_FILE = "run_summary.json"
LOCK_FILE = ".hn_geo_run.lock"


@dataclass
class StepRecord:
    """What one step did (messages already rendered in the run's language)."""

    name: str
    status: str = "pending"  # ok | failed | skipped
    seconds: float = 0.0
    outputs: list = field(default_factory=list)
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


@dataclass
class RunReport:
    """Outcome of :func:`run_pipeline`."""

    out_dir: Path
    steps: list
    seconds: float
    config: Path | None = None
    results: dict = field(default_factory=dict)
    lang: str = "zh"

    @property
    def ok(self):
        return all(s.status != "failed" for s in self.steps)

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
        return {
            "hn_geo_version": __version__, "state": state, "ok": self.ok, "lang": self.lang,
            "seconds": round(self.seconds, 2),
            "config": vocabulary.display_path(self.config) if self.config else None,
            "finished": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "steps": [{"name": s.name, "title": step_title(s.name, self.lang), "status": s.status,
                       "seconds": round(s.seconds, 2), "message": s.message, "warnings": s.warnings,
                       "other_warnings": s.other_warnings,
                       "outputs": [_rel(p, self.out_dir) for p in s.outputs]} for s in self.steps],
            "figures": self.figures(),
        }


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
    _make_out_dir(out)
    with _lock(out):
        ctx = Context(config, out, lang)
        records, start = [], time.perf_counter()
        report = RunReport(out, records, 0.0, config.path, ctx.results, lang)
        write_text(json.dumps(report.to_dict("running"), ensure_ascii=False, indent=2) + "\n",
                   out / SUMMARY_FILE)
        names = plan_steps(config, only)
        stop = False
        for i, name in enumerate(names, start=1):
            rec = StepRecord(name)
            records.append(rec)
            if stop:
                rec.status = "skipped"
                rec.message = vocabulary.message("pipeline.skip_after_failure", lang=lang)
                continue
            if not quiet:
                echo(f"[{i}/{len(names)}] {step_title(name, lang)} …")
            _run_step(STEPS[name], ctx, rec, verbose)
            if name in ANALYSES and rec.status != "ok":
                ctx.skipped[name] = (rec.status, rec.message)
            stop = rec.status == "failed" and not config.continue_on_error
        report.seconds = time.perf_counter() - start
        write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n", out / SUMMARY_FILE)
    return report


def _run_step(step, ctx, rec, verbose):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HnGeoWarning)
        try:
            result, files = step.func(ctx)
            rec.status, rec.outputs = "ok", list(files)
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
            rec.message = exc.render(ctx.lang) if isinstance(exc, HnGeoError) else _os_error(exc, ctx.lang)
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


def _os_error(exc, lang):
    return vocabulary.message("pipeline.os_error", {"what": exc.strerror or type(exc).__name__,
                                                    "path": exc.filename or "-"}, lang)


def _make_out_dir(out):
    if out.exists() and not out.is_dir():
        raise HnGeoError(code="pipeline.out_not_folder", params={"path": str(out)})
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HnGeoError(code="pipeline.out_unwritable", params={"path": str(out),
                                                                  "what": exc.strerror or str(exc)}) from None
    if not os.access(out, os.W_OK):
        raise HnGeoError(code="pipeline.out_unwritable", params={"path": str(out), "what": "permission denied"})


class _lock:
    """An exclusive lock file in the output folder: two runs never write into one folder."""

    def __init__(self, out):
        self.path = Path(out) / LOCK_FILE

    def __enter__(self):
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if not self._stale():
                raise HnGeoError(code="pipeline.out_locked", params={"path": str(self.path.parent)}) from None
            self.path.unlink(missing_ok=True)
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        return self

    def _stale(self):
        try:
            pid = int(self.path.read_text().strip() or 0)
        except (OSError, ValueError):
            return True
        if pid <= 0:
            return True
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def __exit__(self, *exc):
        self.path.unlink(missing_ok=True)
        return False


def _rel(path, root):
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return vocabulary.display_path(path)
