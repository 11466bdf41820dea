"""The batch run: one YAML config, one command, every analysis and deliverable.

:func:`run_pipeline` reads a :class:`RunConfig` (from :func:`load_config`;
``hn-geo init-config`` writes the commented template
``hn_geo/data/config_template.yaml``) and runs a registry of steps:

=========  ===============================================================
step       what it does
=========  ===============================================================
water      :func:`hn_geo.water.assess` -> ``OUT/water/``
zoning     :func:`hn_geo.zoning.check` -> ``OUT/zoning/``
solar      :func:`hn_geo.solar.rooftop_potential` -> ``OUT/solar/``
targets    :func:`hn_geo.targets.targets_report` -> ``OUT/targets/``
report     :func:`hn_geo.report.write_report` -> ``OUT/report/``
maps       :mod:`hn_geo.maps` -> ``OUT/maps/overview.html`` + one per analysis
export     :func:`hn_geo.share.write_share_package` -> ``OUT/share/*.zip``
=========  ===============================================================

Each step is one :class:`Step` entry in :data:`STEPS`; a step whose module is
not installed is *skipped* with a note, not an error. Failures: a step that
raises is recorded as *failed* (its message names the file, row and field for
bad input) and, by default, the following steps still run on what succeeded
(the analyses are independent; report, maps and export then cover the
analyses that did succeed); ``continue_on_error: false`` (``--fail-fast``)
stops at the first failure. The run fails (non-zero exit code of
``hn-geo run``) when any step failed. ``OUT/run_summary.json`` lists every
step with its status, time, warnings and files.
"""
from __future__ import annotations

import datetime as _dt
import importlib
import importlib.util
import json
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.version import __version__
from hn_geo.ground import catalog
from hn_geo.ground.inputs import Inputs, LayerSource
from hn_geo.workflows import maps as wf_maps
from hn_geo.workflows import report as wf_report
from hn_geo.workflows import share as wf_share

ANALYSES = ("water", "zoning", "solar", "targets")
OUTPUTS = ("report", "maps", "export")
CONFIG_KEYS = {"lang", "continue_on_error", "layers", "inputs", "analyses", "options", "maps",
               "report", "export"}
INPUT_KEYS = {"water_results": "file", "detection_limits": "file", "town_stats": "file or folder",
              "plan_targets": "file", "weather": "file", "dsm": "file", "rules": "file",
              "projects": "file"}
LAYER_KEYS = {"path", "layer", "crs", "encoding", "gcj02"}


PREPARE = {"buildings": "hn_geo.solar.roofs:normalise_building_types"}
"""User layer files pass through these repairs before validation, as their CLI commands do
(``hn-geo solar potential`` maps Chinese building types such as 住宅 to the schema's words)."""


class StepSkipped(Exception):
    """Raised inside a step when it cannot run here (module or embedded input absent)."""


# ----------------------------------------------------------------------------- configuration
@dataclass
class RunConfig:
    """A parsed run configuration (paths already resolved against the config's folder).

    Attributes
    ----------
    path : Path or None
        The YAML file (None: defaults on the embedded data).
    lang : {'zh', 'en'}
    continue_on_error : bool
    layers : dict
        ``{catalog name: {path, layer, crs, encoding, gcj02}}`` user layer files.
    inputs : dict
        ``{key: Path}`` for water_results, town_stats, weather, rules, projects ...
    analyses : list of str
    options : dict
        ``{analysis: {keyword: value}}`` passed to the analysis function.
    maps : dict
        ``overview`` (bool), ``per_analysis`` (bool), ``basemap``, ``offline``,
        ``tianditu_key``.
    report : bool
    export : dict
        ``enabled`` (bool), ``layers`` (catalog names; empty: all embedded),
        ``include_results`` (bool), ``name`` (zip stem).
    """

    path: Path | None = None
    lang: str = "zh"
    continue_on_error: bool = True
    layers: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)
    analyses: list = field(default_factory=lambda: list(ANALYSES))
    options: dict = field(default_factory=dict)
    maps: dict = field(default_factory=lambda: {"overview": True, "per_analysis": True,
                                                 "basemap": None, "offline": True})
    report: bool = True
    export: dict = field(default_factory=lambda: {"enabled": True, "layers": [],
                                                   "include_results": True, "name": "hn_geo_share"})


def template_text():
    """The commented config template (``hn_geo/data/config_template.yaml``)."""
    from importlib import resources

    return resources.files("hn_geo").joinpath("data/config_template.yaml").read_text(encoding="utf-8")


def _err(msg, path, key=None):
    return HnGeoError(msg, path=path, field=key)


def _resolve(value, base, path, key, kind="file"):
    if value in (None, ""):
        return None
    p = Path(str(value)).expanduser()
    if not p.is_absolute():
        p = (base / p).resolve()
    if not p.exists():
        raise _err(f"{kind} not found: {p} (relative paths are relative to the config file's folder "
                   f"{base})", path, key)
    if kind == "dir" and not p.is_dir():
        raise _err(f"expected a folder, got a file: {p}", path, key)
    return p


def _bool(value, path, key):
    if isinstance(value, bool):
        return value
    raise _err(f"expected true or false, got {value!r}", path, key)


def load_config(path=None):
    """Read and validate a run config.

    Parameters
    ----------
    path : str or Path, optional
        YAML file. Without it every analysis runs on the embedded default data.

    Returns
    -------
    RunConfig

    Raises
    ------
    HnGeoError
        Unreadable YAML, unknown keys, layers or analyses, missing files --
        naming the config file and the key.
    """
    import yaml

    cfg = RunConfig()
    if path is None:
        return cfg
    path = Path(path)
    if not path.exists():
        raise HnGeoError("config file not found", path=path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise HnGeoError(f"not valid YAML ({exc})", path=path) from exc
    if not isinstance(data, dict):
        raise HnGeoError("the config must be a mapping of keys (see `hn-geo init-config`)", path=path)
    base = path.resolve().parent
    cfg.path = path
    unknown = set(data) - CONFIG_KEYS
    if unknown:
        raise _err(f"unknown key(s) {sorted(unknown)}; known: {sorted(CONFIG_KEYS)}", path, sorted(unknown)[0])
    if "lang" in data:
        if data["lang"] not in ("zh", "en"):
            raise _err(f"lang must be zh or en, not {data['lang']!r}", path, "lang")
        cfg.lang = data["lang"]
    if "continue_on_error" in data:
        cfg.continue_on_error = _bool(data["continue_on_error"], path, "continue_on_error")
    for name, spec in (data.get("layers") or {}).items():
        key = f"layers.{name}"
        if name not in catalog.SCHEMAS:
            raise _err(f"unknown layer '{name}'; known layers: {', '.join(catalog.SCHEMAS)}", path, key)
        if spec is None:
            continue
        if isinstance(spec, str):
            spec = {"path": spec}
        if not isinstance(spec, dict) or "path" not in spec:
            raise _err("give a file path, or a mapping with 'path' (and optional layer, crs, "
                       "encoding, gcj02)", path, key)
        bad = set(spec) - LAYER_KEYS
        if bad:
            raise _err(f"unknown option(s) {sorted(bad)}; known: {sorted(LAYER_KEYS)}", path, key)
        cfg.layers[name] = {
            "path": _resolve(spec["path"], base, path, key),
            "layer": spec.get("layer"),
            "assume_crs": spec.get("crs"),
            "encoding": spec.get("encoding"),
            "from_gcj02": _bool(spec.get("gcj02", False), path, f"{key}.gcj02"),
        }
    for key, value in (data.get("inputs") or {}).items():
        if key not in INPUT_KEYS:
            raise _err(f"unknown input '{key}'; known: {sorted(INPUT_KEYS)}", path, f"inputs.{key}")
        resolved = _resolve(value, base, path, f"inputs.{key}", INPUT_KEYS[key])
        if resolved is not None:
            cfg.inputs[key] = resolved
    if "analyses" in data:
        names = data["analyses"] or []
        if isinstance(names, str):
            names = [names]
        bad = [n for n in names if n not in ANALYSES]
        if bad:
            raise _err(f"unknown analysis {bad}; choose from {list(ANALYSES)}", path, "analyses")
        cfg.analyses = list(names)
    for name, opts in (data.get("options") or {}).items():
        if name not in ANALYSES:
            raise _err(f"options for unknown analysis '{name}'", path, f"options.{name}")
        if opts is not None and not isinstance(opts, dict):
            raise _err("expected a mapping of keyword: value", path, f"options.{name}")
        cfg.options[name] = dict(opts or {})
    maps = data.get("maps", {})
    if maps is False:
        cfg.maps = {**cfg.maps, "overview": False, "per_analysis": False}
    elif isinstance(maps, dict):
        bad = set(maps) - {"overview", "per_analysis", "basemap", "offline", "tianditu_key"}
        if bad:
            raise _err(f"unknown option(s) {sorted(bad)}", path, "maps")
        cfg.maps.update(maps)
    elif maps is not True:
        raise _err("expected true/false or a mapping", path, "maps")
    if "report" in data:
        cfg.report = _bool(data["report"], path, "report")
    export = data.get("export", {})
    if export is False:
        cfg.export["enabled"] = False
    elif isinstance(export, dict):
        bad = set(export) - {"enabled", "layers", "include_results", "name"}
        if bad:
            raise _err(f"unknown option(s) {sorted(bad)}", path, "export")
        cfg.export.update(export)
        for n in cfg.export.get("layers") or []:
            if n not in catalog.SCHEMAS:
                raise _err(f"unknown layer '{n}'", path, "export.layers")
    elif export is not True:
        raise _err("expected true/false or a mapping", path, "export")
    return cfg


# ----------------------------------------------------------------------------- run context
@dataclass
class StepRecord:
    """What one step did."""

    name: str
    title: str
    status: str = "pending"  # ok | failed | skipped
    seconds: float = 0.0
    outputs: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    other_warnings: int = 0
    message: str = ""
    notes: list = field(default_factory=list)


class Context:
    """Shared state of a run: config, output folder, loaded layers, results, progress."""

    def __init__(self, config, out_dir, lang, progress=None):
        self.config = config
        self.out = Path(out_dir)
        self.lang = lang
        self.results = {}
        self.skipped = {}
        self._layers = {}
        self._progress = progress

    def advance(self, desc=None):
        """Move the current step's progress bar one stage on."""
        if self._progress is not None:
            if desc:
                self._progress.set_postfix_str(desc, refresh=False)
            self._progress.update(1)

    def layer(self, name, optional=False):
        """A catalog layer: the config's file or the embedded default, validated, cached.

        A missing embedded default skips the step (``optional=False``) or gives None.
        Each call returns a copy, so no step sees another step's changes.
        """
        if name in self._layers:
            return self._layers[name].copy()
        spec = self.config.layers.get(name)
        if spec is None:
            schema = catalog.get_schema(name)
            if schema.default_file is None or not catalog.default_path(name).exists():
                if optional:
                    return None
                raise StepSkipped(f"no '{name}' layer: give one under layers.{name} in the config "
                                  "(no embedded default file in this installation)")
            gdf = catalog.load_layer(name)
        elif name in PREPARE and importlib.util.find_spec(PREPARE[name].split(":")[0]) is not None:
            from hn_geo.ground import readers as io_r
            from hn_geo.ground import validate

            mod, attr = PREPARE[name].split(":")
            raw = io_r.read_file(spec["path"], layer=spec["layer"], encoding=spec["encoding"],
                               assume_crs=spec["assume_crs"], from_gcj02=spec["from_gcj02"])
            raw = getattr(importlib.import_module(mod), attr)(raw, path=spec["path"])
            gdf = validate.validate(raw, catalog.get_schema(name), path=spec["path"])
            gdf.attrs.update(hn_geo_layer=name, hn_geo_source=str(spec["path"]))
        else:
            gdf = catalog.load_layer(name, spec["path"], layer=spec["layer"], encoding=spec["encoding"],
                                     assume_crs=spec["assume_crs"], from_gcj02=spec["from_gcj02"])
        self._layers[name] = gdf
        return gdf.copy()

    def input(self, key, default_name=None):
        """A configured input path, else the embedded file ``layers/<default_name>`` if present."""
        if key in self.config.inputs:
            return self.config.inputs[key]
        if default_name:
            p = catalog.layers_dir() / default_name
            if p.exists():
                return p
        return None

    def options(self, name, func=None, fixed=()):
        """The config's keyword options for analysis ``name``, checked against ``func``'s signature.

        ``fixed`` are the parameters the pipeline sets itself (inputs, ``lang``).
        """
        opts = dict(self.config.options.get(name, {}))
        if func is not None:
            _check_kwargs(self, name, opts, func, fixed)
        return opts


def _check_kwargs(ctx, name, opts, func, fixed=()):
    """Raise HnGeoError naming ``options.<name>`` for keywords ``func`` does not accept."""
    import inspect

    if not opts:
        return
    params = inspect.signature(func).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return
    accepted = [p for p in params if p not in fixed and params[p].kind is not params[p].VAR_POSITIONAL]
    bad = sorted(set(opts) - set(accepted))
    if bad:
        raise HnGeoError(f"unknown option(s) {bad} for {name}; accepted: {', '.join(accepted)}",
                         path=ctx.config.path, field=f"options.{name}")


@dataclass(frozen=True)
class Step:
    """One entry of the pipeline registry.

    Attributes
    ----------
    name : str
    title : (str, str)
        Chinese and English title.
    module : str
        Module that must be importable (else the step is skipped).
    func : callable
        ``func(ctx, record)`` -> AnalysisResult (analyses) or None; appends
        written files to ``record.outputs``.
    stages : int
        Progress-bar length (calls to ``ctx.advance``).
    """

    name: str
    title: tuple
    module: str
    func: object
    stages: int = 3


def _require(module):
    if importlib.util.find_spec(module) is None:
        raise StepSkipped(f"module {module} is not installed in this version of hn_geo")
    return importlib.import_module(module)


def _write_analysis(ctx, record, result):
    from hn_geo.render.outputs import write_result

    record.outputs += write_result(result, ctx.out / result.name, lang=ctx.lang)
    record.notes += [str(n) for n in result.notes]


# ----------------------------------------------------------------------------- analysis steps
def _water(ctx, record):
    water = _require("hn_geo.water")
    results = ctx.input("water_results", "water_results.csv")
    if results is None:
        raise StepSkipped("no monitoring results: set inputs.water_results (no embedded demo table)")
    samples = water.read_results(results, detection_limits=ctx.input("detection_limits"))
    sections = ctx.layer("sections")
    rivers = ctx.layer("rivers", optional=True)
    points = ctx.layer("emission_points", optional=True) if rivers is not None else None
    ctx.advance("inputs")
    opts = ctx.options("water", water.assess, ("samples", "sections", "rivers", "points", "lang"))
    res = water.assess(samples, sections, rivers, points, lang=ctx.lang, **opts)
    ctx.advance("assess")
    _write_analysis(ctx, record, res)
    ctx.advance("write")
    return res


def _zoning(ctx, record):
    zoning = _require("hn_geo.zoning")
    rules_mod = _require("hn_geo.zoning.rules")
    rules = rules_mod.load_rules(ctx.input("rules"))
    projects = _projects(ctx)
    units = ctx.layer("control_units")
    points = ctx.layer("emission_points", optional=True)
    needed = {r.params.get("layer") for r in rules.rules if r.kind == "min_distance"}
    red_line = ctx.layer("red_line", optional=True) if "red_line" in needed else None
    water_source = ctx.layer("water_source", optional=True) if "water_source" in needed else None
    ctx.advance("inputs")
    opts = ctx.options("zoning", zoning.check, ("projects", "units", "rules", "points", "red_line",
                                                "water_source", "lang"))
    res = zoning.check(projects, units, rules=rules, points=points, red_line=red_line,
                       water_source=water_source, lang=ctx.lang, **opts)
    ctx.advance("check")
    _write_analysis(ctx, record, res)
    ctx.advance("write")
    return res


def _projects(ctx):
    """The projects to screen: layers.projects or inputs.projects, else the embedded demo projects."""
    if "projects" in ctx.config.layers:
        return ctx.layer("projects")
    path = ctx.input("projects")
    if path is not None:
        return catalog.load_layer("projects", path)
    zoning = _require("hn_geo.zoning")
    if hasattr(zoning, "demo_projects"):
        return zoning.demo_projects()
    demo = catalog.layers_dir() / "projects_demo.gpkg"
    if not demo.exists():
        raise StepSkipped("no projects to check: set inputs.projects (no embedded demo projects file)")
    return catalog.load_layer("projects", demo)


def _split_options(opts, **configs):
    """Move options that are fields of config dataclasses into instances of them.

    ``_split_options({'installed_mw': 5, 'pitch_deg': 30}, roof_params=RoofParams)``
    -> ``{'installed_mw': 5, 'roof_params': RoofParams(pitch_deg=30)}``.
    """
    import dataclasses

    out = dict(opts)
    for key, cls in configs.items():
        names = {f.name for f in dataclasses.fields(cls)}
        picked = {k: out.pop(k) for k in list(out) if k in names}
        if picked:
            out[key] = cls(**picked)
    return out


def _solar(ctx, record):
    solar = _require("hn_geo.solar")
    weather_mod = _require("hn_geo.solar.weather")
    roofs = _require("hn_geo.solar.roofs")
    buildings = ctx.layer("buildings")
    weather = weather_mod.load_weather(ctx.input("weather"))
    ctx.advance("inputs")
    opts = _split_options(ctx.options("solar"), roof_params=roofs.RoofParams, system=solar.PVSystemConfig)
    _check_kwargs(ctx, "solar", opts, solar.rooftop_potential, ("buildings", "weather", "dsm", "lang"))
    res = solar.rooftop_potential(buildings, weather, dsm=ctx.input("dsm"), lang=ctx.lang, **opts)
    ctx.advance("potential")
    _write_analysis(ctx, record, res)
    if importlib.util.find_spec("hn_geo.render.plots") is not None:
        from hn_geo.render.plots import supply_curve_png

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # matplotlib glyph warnings
            record.outputs.append(supply_curve_png(res, ctx.out / "solar" / "solar_supply_curve.png",
                                                   lang=ctx.lang))
    ctx.advance("write")
    return res


def _targets(ctx, record):
    targets = _require("hn_geo.targets")
    towns = ctx.layer("towns") if "towns" in ctx.config.layers else None
    ctx.advance("inputs")
    opts = ctx.options("targets", targets.targets_report, ("stats", "towns", "lang", "targets_file"))
    res = targets.targets_report(ctx.input("town_stats"), towns=towns, lang=ctx.lang,
                                 targets_file=ctx.input("plan_targets"), **opts)
    ctx.advance("progress")
    _write_analysis(ctx, record, res)
    ctx.advance("write")
    return res


# ----------------------------------------------------------------------------- output steps
# TEMPORARY (render engineer, flagged for the lead): the output steps call the output
# workflows (hn_geo.workflows.report / maps / share) with the run's layers as an Inputs.
@dataclass
class _RunInputs(Inputs):
    """The run's layers as an :class:`~hn_geo.ground.inputs.Inputs` (loaded once, by the context)."""

    ctx: object = None

    def _load(self, name):
        return self.ctx.layer(name)


def _inputs(ctx):
    if getattr(ctx, "_inputs", None) is None:
        ctx._inputs = _RunInputs(layers={n: LayerSource(**spec) for n, spec in ctx.config.layers.items()},
                                 files=dict(ctx.config.inputs), ctx=ctx)
    return ctx._inputs


def _report(ctx, record):
    if not ctx.config.report:
        raise StepSkipped("report: false in the config")
    if not ctx.results:
        raise StepSkipped("no analysis gave a result")
    ctx.advance("tables")
    record.outputs += wf_report.run(list(ctx.results.values()), ctx.out / "report", lang=ctx.lang,
                                    skipped=ctx.skipped).files
    ctx.advance("workbook")


def _maps(ctx, record):
    opts = ctx.config.maps
    if not (opts.get("overview") or opts.get("per_analysis")):
        raise StepSkipped("maps disabled in the config")
    record.outputs += wf_maps.run(
        _inputs(ctx), ctx.out / "maps", lang=ctx.lang, results=list(ctx.results.values()),
        overview=bool(opts.get("overview")), per_analysis=bool(opts.get("per_analysis")),
        basemap=opts.get("basemap"), offline=bool(opts.get("offline", True)),
        tianditu_key=opts.get("tianditu_key")).files
    ctx.advance("overview")
    ctx.advance("analyses")


def _export(ctx, record):
    opts = ctx.config.export
    if not opts.get("enabled", True):
        raise StepSkipped("export disabled in the config")
    ctx.advance("layers")
    out = ctx.out / "share" / f"{opts.get('name') or 'hn_geo_share'}.zip"
    record.outputs += wf_share.run(_inputs(ctx), out, lang=ctx.lang, results=list(ctx.results.values()),
                                   layers=list(opts.get("layers") or []) or None,
                                   include_results=bool(opts.get("include_results", True))).files
    ctx.advance("package")


STEPS = {
    "water": Step("water", ("水环境质量评价", "water quality"), "hn_geo.water", _water),
    "zoning": Step("zoning", ("三线一单符合性", "zoning checks"), "hn_geo.zoning", _zoning),
    "solar": Step("solar", ("屋顶光伏潜力", "rooftop PV"), "hn_geo.solar", _solar),
    "targets": Step("targets", ("规划目标进度", "plan targets"), "hn_geo.targets", _targets),
    "report": Step("report", ("报告工作簿", "report workbook"), "hn_geo.workflows.report", _report, 2),
    "maps": Step("maps", ("地图", "maps"), "hn_geo.workflows.maps", _maps, 2),
    "export": Step("export", ("共享数据包", "share package"), "hn_geo.workflows.share", _export, 2),
}
"""The registry: steps run in this order (analyses selected by the config)."""


# ----------------------------------------------------------------------------- running
@dataclass
class RunReport:
    """Outcome of :func:`run_pipeline`."""

    out_dir: Path
    steps: list
    seconds: float
    config: Path | None = None

    @property
    def ok(self):
        return all(s.status != "failed" for s in self.steps)

    @property
    def outputs(self):
        return [p for s in self.steps for p in s.outputs]

    def to_dict(self):
        def rel(p):
            try:
                return str(Path(p).resolve().relative_to(self.out_dir.resolve()))
            except ValueError:
                return str(p)

        return {
            "hn_geo_version": __version__, "ok": self.ok, "seconds": round(self.seconds, 2),
            "config": str(self.config) if self.config else None,
            "finished": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "steps": [{"name": s.name, "title": s.title, "status": s.status, "seconds": round(s.seconds, 2),
                       "message": s.message, "warnings": s.warnings, "other_warnings": s.other_warnings,
                       "outputs": [rel(p) for p in s.outputs], "notes": s.notes} for s in self.steps],
        }


def plan_steps(config, only=None):
    """Names of the steps a config runs, in order."""
    names = [n for n in ANALYSES if n in config.analyses]
    if only:
        names = [n for n in names if n in only]
    return names + [n for n in OUTPUTS if not only or n in only or n not in ANALYSES]


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
        Echo every warning and note as it happens, and tracebacks of failures.
    echo : callable, optional
        Message sink (default: print to stderr).

    Returns
    -------
    RunReport
    """
    from tqdm import tqdm

    if not isinstance(config, RunConfig):
        config = load_config(config)
    echo = echo or (lambda msg: print(msg, file=sys.stderr))
    lang = lang or config.lang
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = plan_steps(config, only)
    records = []
    start = time.perf_counter()
    ctx = Context(config, out, lang)
    stop = False
    for i, name in enumerate(names, start=1):
        step = STEPS[name]
        title = step.title[0 if lang == "zh" else 1]
        rec = StepRecord(name, title)
        records.append(rec)
        if stop:
            rec.status, rec.message = "skipped", "not run: an earlier step failed (continue_on_error: false)"
            continue
        t0 = time.perf_counter()
        bar = tqdm(total=step.stages, desc=f"[{i}/{len(names)}] {name:8s}", disable=quiet, leave=True,
                   file=sys.stderr, bar_format="{desc} {bar} {n_fmt}/{total_fmt} {elapsed}{postfix}")
        ctx._progress = bar
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", HnGeoWarning)
            try:
                result = step.func(ctx, rec)
                rec.status = "ok"
                if result is not None:
                    ctx.results[name] = result
            except StepSkipped as exc:
                rec.status, rec.message = "skipped", str(exc)
            except HnGeoError as exc:
                rec.status, rec.message = "failed", str(exc)
            except Exception as exc:  # a bug or an unexpected library error: report, keep going
                rec.status, rec.message = "failed", f"{type(exc).__name__}: {exc}"
                if verbose:
                    rec.notes.append(traceback.format_exc())
        bar.n = bar.total if rec.status == "ok" else bar.n
        bar.set_postfix_str(rec.status)
        bar.close()
        rec.seconds = time.perf_counter() - t0
        for w in caught:
            if issubclass(w.category, HnGeoWarning):
                rec.warnings.append(str(w.message))
            else:
                rec.other_warnings += 1
                if verbose and rec.other_warnings <= 5:
                    rec.notes.append(f"{w.category.__name__}: {w.message}")
        if verbose:
            for msg in rec.warnings:
                echo(f"  warning ({name}): {msg}")
            if rec.status == "failed" and rec.notes:
                echo(rec.notes[-1])
        if name in ANALYSES and rec.status != "ok":
            ctx.skipped[name] = (rec.status, rec.message)
        if rec.status == "failed" and not config.continue_on_error:
            stop = True
    report = RunReport(out, records, time.perf_counter() - start, config.path)
    from hn_geo.core.files import write_text

    summary_path = out / "run_summary.json"
    write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n", summary_path)
    return report


def _rel(path, root):
    try:
        return Path(path).resolve().relative_to(Path(root).resolve())
    except ValueError:
        return Path(path)


def format_summary(report, verbose=False):
    """Plain-text summary of a run: one line per step, files produced, warnings counted."""
    lines = [f"hn-geo run: {'OK' if report.ok else 'FAILED'} in {report.seconds:.1f} s -> {report.out_dir}"]
    for s in report.steps:
        mark = {"ok": "✓", "failed": "✗", "skipped": "-"}.get(s.status, "?")
        warn = f", {len(s.warnings)} warning(s)" if s.warnings else ""
        lines.append(f" {mark} {s.name:8s} {s.status:7s} {s.seconds:6.1f} s, {len(s.outputs)} file(s){warn}"
                     + (f" — {s.message}" if s.message else ""))
        rel = [_rel(p, report.out_dir) for p in s.outputs]
        if verbose:
            lines += [f"      {p}" for p in rel]
        else:  # key files by name; CSV tables counted per folder
            csv = {}
            for p in rel:
                if p.suffix.lower() == ".csv":
                    csv.setdefault(p.parent, []).append(p)
                else:
                    lines.append(f"      {p}")
            lines += [f"      {folder}/*.csv ({len(files)} tables, UTF-8 with BOM)"
                      for folder, files in csv.items()]
        if verbose:
            lines += [f"      warning: {w}" for w in s.warnings]
            lines += [f"      note: {n}" for n in s.notes if "Traceback" not in n]
    n_warn = sum(len(s.warnings) for s in report.steps)
    failed = [s.name for s in report.steps if s.status == "failed"]
    lines.append(f"{len(report.outputs)} file(s) written, {n_warn} warning(s)"
                 + (" (--verbose shows them)" if n_warn and not verbose else "")
                 + (f"; failed: {', '.join(failed)}" if failed else "")
                 + f"; details in {report.out_dir / 'run_summary.json'}")
    start = [p for p in (report.out_dir / "report" / "hn_geo_report.xlsx", report.out_dir / "maps" / "overview.html")
             if p in {Path(o) for o in report.outputs}]
    if start:
        lines.append("start with: " + ", ".join(str(p) for p in start))
    return "\n".join(lines)
