"""`hn-geo run` (the batch job) and `hn-geo init-config` (its config template)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from hn_geo import vocabulary
from hn_geo.cli.options import handle_errors
from hn_geo.core import settings
from hn_geo.core.files import write_text
from hn_geo.pipeline import ANALYSES, format_summary, load_config, run_pipeline, template_text
from hn_geo.pipeline.run import RunInterrupted


@click.command("run")
@click.argument("config", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(),
              help="Output folder (created if missing).")
@click.option("--only", default=None, metavar="NAMES",
              help="Comma-separated analyses to run (e.g. water,solar); outputs still run.")
@click.option("--fail-fast", is_flag=True, default=False,
              help="Stop at the first failing step (default: run the other steps, then fail).")
@click.option("--jobs", "-j", default=None, metavar="N|auto",
              help="Steps side by side: 1, 2 or auto (default: the config's jobs, auto: 2 lanes on 2+ cores).")
@click.option("--quiet", "-q", is_flag=True, default=False, help="No progress lines; summary only.")
@click.option("--verbose", "-v", is_flag=True, default=False,
              help="Every warning and output file; tracebacks of failures in run_summary.json.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of every output (overrides the config; default zh).")
@handle_errors
def run(config, out, only, fail_fast, jobs, quiet, verbose, lang):
    """Run the whole analysis: every analysis, the report workbook, maps and the share package.

    CONFIG is a YAML file (write a commented template with `hn-geo init-config`);
    without it everything runs on the embedded Haining data. Outputs in --out:
    water/ zoning/ solar/ targets/ (tables, workbook, layers), report/ (one
    workbook + CSVs), maps/ (offline HTML), share/ (zip), run_summary.json.

    A failing step is reported and the other steps still run (unless
    --fail-fast or `continue_on_error: false`); the exit code is 1 if any step
    failed, 0 otherwise.

    \b
    Examples:
      hn-geo run --out out
      hn-geo init-config hn_geo_run.yaml && hn-geo run hn_geo_run.yaml --out out --lang en
    """
    settings.lang = lang or "zh"
    cfg = load_config(config)
    settings.lang = lang or cfg.lang
    if fail_fast:
        cfg.continue_on_error = False
    if jobs is not None:
        cfg.jobs = _jobs(jobs)
    names = None
    if only:
        names = [n.strip() for n in only.split(",") if n.strip()]
        bad = [n for n in names if n not in ANALYSES]
        if bad:
            raise click.BadParameter(f"unknown analysis {bad}; choose from {', '.join(ANALYSES)}",
                                     param_hint="--only")
    try:
        report = run_pipeline(cfg, out, lang=lang, only=names, quiet=quiet, verbose=verbose,
                              echo=lambda m: click.echo(m, err=True))
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the run ended cleanly, say so
        click.echo(vocabulary.message("pipeline.interrupted", lang=settings.lang), err=True)
        sys.exit(143 if isinstance(exc, RunInterrupted) else 130)
    click.echo(format_summary(report, verbose=verbose))
    if not report.ok:
        sys.exit(1)


def _jobs(text):
    if text.strip().lower() == "auto":
        return "auto"
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise click.BadParameter(f"{text!r}: give a whole number of at least 1, or auto", param_hint="--jobs")
    return n


@click.command("init-config")
@click.argument("path", required=False, default="hn_geo_run.yaml", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, default=False, help="Overwrite an existing file.")
@handle_errors
def init_config(path, force):
    """Write the commented config template to PATH (default hn_geo_run.yaml)."""
    path = Path(path)
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; use --force to overwrite it")
    write_text(template_text(), path)
    click.echo(f"wrote {path}; edit it, then run: hn-geo run {path} --out out")
