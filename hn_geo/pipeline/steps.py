"""The steps of a run: each one calls one workflow, nothing else.

=========  =================================================  ======================
step       workflow                                           writes
=========  =================================================  ======================
water      :func:`hn_geo.workflows.water.run`                 ``OUT/water/``
zoning     :func:`hn_geo.workflows.zoning.run`                ``OUT/zoning/``
solar      :func:`hn_geo.workflows.solar.run`                 ``OUT/solar/``
targets    :func:`hn_geo.workflows.targets.run`               ``OUT/targets/``
sites      :func:`hn_geo.workflows.sites.run_many`            ``OUT/sites/`` (with ``sites:``)
report     :func:`hn_geo.workflows.report.run`                ``OUT/report/``
maps       :func:`hn_geo.workflows.maps.run`                  ``OUT/maps/``
export     :func:`hn_geo.workflows.share.run`                 ``OUT/share/<name>.zip``
dashboard  :func:`hn_geo.workflows.dashboard.run`             ``OUT/index.html``
=========  =================================================  ======================
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

from hn_geo.core.errors import HnGeoError
from hn_geo.workflows import dashboard as dashboard_flow
from hn_geo.workflows import maps as maps_flow
from hn_geo.workflows import report as report_flow
from hn_geo.workflows import share as share_flow
from hn_geo.workflows import sites as sites_flow
from hn_geo.workflows import solar, targets, water, zoning

WORKFLOWS = {"water": water.run, "zoning": zoning.run, "solar": solar.run, "targets": targets.run}
"""The analysis workflows, in run order."""
ENGINE_STEPS = ("solar", "zoning")
"""Analyses the config's ``engine:`` / ``scheduler:`` apply to."""
FIXED = ("inputs", "out_dir", "lang")
"""Parameters of a workflow the pipeline sets itself (not options of the config)."""


class StepSkipped(Exception):
    """Raised inside a step when it has nothing to do (disabled, or no input)."""

    def __init__(self, code, **params):
        self.code = code
        self.params = params
        super().__init__(code)


@dataclass(frozen=True)
class Step:
    """One entry of the registry: ``func(ctx) -> (result or None, files)``."""

    name: str
    func: object
    analysis: bool = False


def check_options(name, options, func, config_path=None):
    """Raise HnGeoError naming ``options.<name>`` for keywords ``func`` does not accept."""
    params = inspect.signature(func).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return
    accepted = [p for p in params if p not in FIXED]
    bad = sorted(set(options) - set(accepted))
    if bad:
        raise HnGeoError(f"unknown option(s) {bad} for {name}; accepted: {', '.join(accepted)}",
                         path=config_path, field=f"options.{name}")


def _analysis(name):
    func = WORKFLOWS[name]

    def step(ctx):
        options = dict(ctx.config.options.get(name) or {})
        if name in ENGINE_STEPS and ctx.config.engine:  # the run's engine, unless the step's options say
            options.setdefault("engine", ctx.config.engine)
            options.setdefault("scheduler", ctx.config.scheduler)
        check_options(name, options, func, ctx.config.path)
        outcome = func(ctx.inputs, ctx.out / name, lang=ctx.lang, **options)
        return outcome.result, outcome.files

    step.__name__ = f"run_{name}"
    return step


def _sites(ctx):
    opts = dict(ctx.config.sites)
    if not opts.get("profiles"):
        raise StepSkipped("pipeline.skip_disabled", key="sites")
    maps = ctx.config.maps
    outcome = sites_flow.run_many(ctx.inputs, ctx.out / "sites", lang=ctx.lang, profiles=opts["profiles"],
                                  min_area_ha=opts.get("min_area_ha"), parcels=opts.get("parcels"),
                                  map=bool(opts.get("map", True)), basemap=maps.get("basemap"),
                                  offline=bool(maps.get("offline", True)), tianditu_key=maps.get("tianditu_key"))
    return None, outcome.files


def _report(ctx):
    if not ctx.config.report:
        raise StepSkipped("pipeline.skip_disabled", key="report")
    if not ctx.results:
        raise StepSkipped("pipeline.skip_no_result")
    outcome = report_flow.run(list(ctx.results.values()), ctx.out / "report", lang=ctx.lang,
                              skipped=ctx.skipped)
    return None, outcome.files


def _maps(ctx):
    opts = dict(ctx.config.maps)
    if not (opts.get("overview") or opts.get("per_analysis")):
        raise StepSkipped("pipeline.skip_disabled", key="maps")
    outcome = maps_flow.run(ctx.inputs, ctx.out / "maps", lang=ctx.lang, results=list(ctx.results.values()),
                            overview=bool(opts.get("overview")),
                            per_analysis=bool(opts.get("per_analysis")),
                            basemap=opts.get("basemap"), offline=bool(opts.get("offline", True)),
                            tianditu_key=opts.get("tianditu_key"))
    return None, outcome.files


def _export(ctx):
    opts = ctx.config.export
    if not opts.get("enabled", True):
        raise StepSkipped("pipeline.skip_disabled", key="export")
    name = opts.get("name") or "hn_geo_share"
    outcome = share_flow.run(ctx.inputs, ctx.out / "share" / f"{name}.zip", lang=ctx.lang,
                             results=list(ctx.results.values()), layers=list(opts.get("layers") or []) or None,
                             include_results=bool(opts.get("include_results", True)),
                             geojson_max_mb=opts.get("geojson_max_mb"))
    return None, outcome.files


def _dashboard(ctx):
    if not ctx.config.dashboard:
        raise StepSkipped("pipeline.skip_disabled", key="dashboard")
    if not ctx.results:
        raise StepSkipped("pipeline.skip_no_result")
    outcome = dashboard_flow.run(list(ctx.results.values()), ctx.out, lang=ctx.lang, files=ctx.files,
                                 skipped=ctx.skipped)
    return None, outcome.files


STEPS = {**{n: Step(n, _analysis(n), analysis=True) for n in WORKFLOWS},
         "sites": Step("sites", _sites), "report": Step("report", _report), "maps": Step("maps", _maps),
         "export": Step("export", _export), "dashboard": Step("dashboard", _dashboard)}
"""The registry: steps run in this order (analyses selected by the config)."""
