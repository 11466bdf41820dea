"""The run configuration: one YAML file, validated against a schema, paths resolved.

``hn-geo init-config`` writes the commented template ``hn_geo/data/config_template.yaml``;
:func:`load_config` reads a config into a :class:`RunConfig`, whose
:meth:`RunConfig.make_inputs` gives the :class:`~hn_geo.ground.inputs.Inputs` every workflow
of the run reads from. Types, booleans and choices are checked by a JSON schema
(:data:`CONFIG_SCHEMA`): ``"no"`` is not a boolean, ``analyses: 42`` is not a list of
analyses, and every error names the config file and the key.
"""
from __future__ import annotations

import dataclasses
import inspect
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import jsonschema
from jsonschema.exceptions import best_match

from hn_geo import solar, targets, water, zoning
from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import Msg
from hn_geo.ground import aoi as aoi_check
from hn_geo.ground import catalog
from hn_geo.ground.inputs import Inputs, LayerSource
from hn_geo.ground.readers import parse_crs
from hn_geo.ground.yamlfile import read_yaml
from hn_geo.pipeline.steps import WORKFLOWS

ANALYSES = ("water", "zoning", "solar", "targets")
OUTPUTS = ("report", "maps", "export", "dashboard")
INPUT_KEYS = {"water_results": "file", "detection_limits": "file", "town_stats": "file or folder",
              "plan_targets": "file", "weather": "file", "dsm": "file", "rules": "file", "economics": "file",
              "projects": "file"}
BASEMAPS = ("none", "osm", "tianditu-vec", "tianditu-img", "amap", "amap-img")

_TEXT = {"type": ["string", "null"]}
_PROFILES = {"type": "array", "items": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "object"}]}}
"""Site-finder profiles: a mapping of profile fields, or a profile YAML file."""
_LAYER = {"anyOf": [
    {"type": "null"}, {"type": "string", "minLength": 1},
    {"type": "object", "additionalProperties": False, "required": ["path"],
     "properties": {"path": {"type": "string", "minLength": 1}, "layer": _TEXT, "crs": _TEXT,
                    "encoding": _TEXT, "gcj02": {"type": "boolean"}}}]}
_AOI = {"anyOf": [
    {"type": "null"}, {"type": "string", "minLength": 1},
    {"type": "object", "additionalProperties": False, "required": ["path"],
     "properties": {"path": {"type": "string", "minLength": 1}, "layer": _TEXT, "crs": _TEXT,
                    "tolerance_km": {"type": "number", "minimum": 0}}}]}
CONFIG_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "lang": {"enum": ["zh", "en"]},
        "aoi": _AOI,
        "continue_on_error": {"type": "boolean"},
        "jobs": {"anyOf": [{"type": "null"}, {"enum": ["auto"]}, {"type": "integer", "minimum": 1}]},
        "layers": {"type": ["object", "null"], "propertyNames": {"enum": list(catalog.SCHEMAS)},
                   "additionalProperties": _LAYER},
        "inputs": {"type": ["object", "null"], "propertyNames": {"enum": list(INPUT_KEYS)},
                   "additionalProperties": _TEXT},
        "analyses": {"anyOf": [{"type": "null"}, {"enum": list(ANALYSES)},
                               {"type": "array", "items": {"enum": list(ANALYSES)}}]},
        "options": {"type": ["object", "null"], "propertyNames": {"enum": list(ANALYSES)},
                    "additionalProperties": {"type": ["object", "null"]}},
        "maps": {"anyOf": [{"type": "boolean"}, {
            "type": "object", "additionalProperties": False,
            "properties": {"overview": {"type": "boolean"}, "per_analysis": {"type": "boolean"},
                           "basemap": {"enum": [*BASEMAPS, None]}, "offline": {"type": "boolean"},
                           "tianditu_key": _TEXT}}]},
        "report": {"type": "boolean"},
        # the solar and zoning steps: in memory, or partition by partition with dask
        "engine": {"enum": ["memory", "dask", None]},
        "scheduler": {"anyOf": [{"type": "null"}, {"enum": ["threads", "processes"]},
                                {"type": "string", "pattern": r"^(tcp|tls)://[^\s]+$"}]},
        "dashboard": {"type": "boolean"},
        "sites": {"anyOf": [{"type": "null"}, _PROFILES, {
            "type": "object", "additionalProperties": False,
            "properties": {"profiles": _PROFILES, "min_area_ha": {"type": ["number", "null"], "exclusiveMinimum": 0},
                           "parcels": {"type": ["integer", "null"], "minimum": 1}, "map": {"type": "boolean"}}}]},
        "export": {"anyOf": [{"type": "boolean"}, {
            "type": "object", "additionalProperties": False,
            "properties": {"enabled": {"type": "boolean"},
                           "layers": {"type": ["array", "null"],
                                      "items": {"enum": list(catalog.SCHEMAS)}},
                           "include_results": {"type": "boolean"},
                           "geojson_max_mb": {"type": ["number", "null"], "minimum": 0},
                           # a file stem: no folders, so the package stays inside --out
                           "name": {"type": "string", "pattern": r"^[^/\\:*?\"<>|.][^/\\:*?\"<>|]{0,79}$"}}}]},
    },
}


@dataclass
class RunConfig:
    """A parsed run configuration (paths already resolved against the config's folder).

    Attributes
    ----------
    path : Path or None
        The YAML file (None: defaults on the embedded data).
    lang : {'zh', 'en'}
    continue_on_error : bool
    jobs : int or 'auto'
        Lanes of steps side by side (:mod:`hn_geo.pipeline.lanes`): 1, or 2 (``auto``: 2 on a
        machine of two or more cores; more than 2 is taken as 2).
    layers : dict
        ``{catalog name: LayerSource}`` user layer files.
    inputs : dict
        ``{key: Path}`` for water_results, town_stats, weather, rules, projects ...
    analyses : list of str
    options : dict
        ``{analysis: {keyword: value}}`` passed to the analysis' workflow.
    maps : dict
        ``overview``, ``per_analysis`` (bool), ``basemap``, ``offline``, ``tianditu_key``.
    report : bool
    engine : {'memory', 'dask'} or None
        Engine of the solar and zoning steps (their ``options`` may override it).
    scheduler : str or None
        dask scheduler of the dask engine: threads, processes or ``tcp://host:port``.
    dashboard : bool
        Write ``OUT/index.html`` (the one-page summary of the run).
    sites : dict
        Site finder: ``profiles`` (mappings of profile fields, or profile YAML paths
        resolved against the config's folder), ``min_area_ha``, ``parcels``, ``map``; no
        profiles: no ``sites`` step.
    export : dict
        ``enabled`` (bool), ``layers`` (catalog names; empty: all embedded),
        ``include_results`` (bool), ``name`` (zip stem), ``geojson_max_mb`` (largest
        GeoJSON per layer; bigger layers go as GeoParquet; default 50).
    aoi : AreaOfInterest or None
        The area of interest every layer is checked against (None: Haining, the embedded
        boundary); from the config key ``aoi`` (a polygon file, or ``{path, layer, crs,
        tolerance_km}``).
    """

    path: Path | None = None
    lang: str = "zh"
    continue_on_error: bool = True
    jobs: int | str = "auto"
    layers: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)
    analyses: list = field(default_factory=lambda: list(ANALYSES))
    options: dict = field(default_factory=dict)
    maps: dict = field(default_factory=lambda: {"overview": True, "per_analysis": True,
                                                 "basemap": None, "offline": True})
    report: bool = True
    engine: str | None = None
    scheduler: str | None = None
    dashboard: bool = True
    sites: dict = field(default_factory=lambda: {"profiles": [], "min_area_ha": None, "parcels": None,
                                                  "map": True})
    export: dict = field(default_factory=lambda: {"enabled": True, "layers": [],
                                                   "include_results": True, "name": "hn_geo_share"})
    aoi: object = None

    def make_inputs(self):
        """The :class:`~hn_geo.ground.inputs.Inputs` of this run (layers, input files, area)."""
        return Inputs(layers=dict(self.layers), files=dict(self.inputs), aoi=self.aoi)


def template_text():
    """The commented config template (``hn_geo/data/config_template.yaml``)."""
    return resources.files("hn_geo").joinpath("data/config_template.yaml").read_text(encoding="utf-8")


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
        Unreadable or unbounded YAML, a key or value the schema does not allow, a missing
        file -- naming the config file and the key.
    """
    cfg = RunConfig()
    if path is None:
        return cfg
    path = Path(path)
    data = read_yaml(path, what="run config")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise HnGeoError("the config must be a mapping of keys (see `hn-geo init-config`)", path=path)
    _check_schema(data, path)
    _check_finite(data, path)
    check_option_types(data.get("options") or {}, path)
    base = path.resolve().parent
    cfg.path = path
    cfg.lang = data.get("lang", cfg.lang)
    cfg.continue_on_error = data.get("continue_on_error", cfg.continue_on_error)
    cfg.jobs = data.get("jobs") or cfg.jobs
    cfg.layers = _layers(data.get("layers") or {}, base, path)
    cfg.inputs = {k: p for k, v in (data.get("inputs") or {}).items()
                  if (p := _resolve(v, base, path, f"inputs.{k}", INPUT_KEYS[k])) is not None}
    if "analyses" in data:
        names = data["analyses"] or []
        cfg.analyses = [names] if isinstance(names, str) else list(dict.fromkeys(names))
    cfg.options = {k: dict(v or {}) for k, v in (data.get("options") or {}).items()}
    maps = data.get("maps", True)
    if maps is False:
        cfg.maps.update(overview=False, per_analysis=False)
    elif isinstance(maps, dict):
        cfg.maps.update(maps)
    cfg.report = data.get("report", cfg.report)
    cfg.engine, cfg.scheduler = data.get("engine"), data.get("scheduler")
    cfg.dashboard = data.get("dashboard", cfg.dashboard)
    cfg.aoi = _aoi(data.get("aoi"), base, path)
    cfg.sites.update(_sites(data.get("sites"), base, path))
    export = data.get("export", True)
    if export is False:
        cfg.export["enabled"] = False
    elif isinstance(export, dict):
        cfg.export.update({k: v for k, v in export.items() if v is not None})
    return cfg


def _check_schema(data, path):
    validator = jsonschema.Draft202012Validator(CONFIG_SCHEMA)
    err = best_match(validator.iter_errors(data))
    if err is None:
        return
    key = ".".join(str(p) for p in err.absolute_path) or None
    if "propertyNames" in err.schema_path:  # an unknown name under a mapping (layers, inputs ...)
        known = err.schema.get("enum", [])
        raise HnGeoError(f"unknown key {err.instance!r}; known: {', '.join(map(str, known))}", path=path,
                         field=".".join(filter(None, [key, str(err.instance)])))
    if err.validator == "additionalProperties":
        bad = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        known = ", ".join(err.schema.get("properties", {}))
        raise HnGeoError(f"unknown key {bad[0]!r}; known: {known}", path=path,
                         field=".".join(filter(None, [key, str(bad[0])])))
    shown = repr(err.instance)
    if len(shown) > 80:
        shown = shown[:80] + "…"
    raise HnGeoError(f"{shown} is not allowed here ({_expected(err)})", path=path, field=key)


def _expected(err):
    schema = err.schema
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"] if v is not None)
    if "anyOf" in schema:
        kinds = []
        for alt in schema["anyOf"]:
            if "type" in alt:
                t = alt["type"]
                kinds += t if isinstance(t, list) else [t]
            else:
                kinds.append("one of " + ", ".join(map(repr, alt.get("enum", []))))
        return "expected " + " or ".join(str(k) for k in dict.fromkeys(kinds))
    if err.validator == "pattern":
        return "a plain file name without folders"
    if "type" in schema:
        t = schema["type"]
        return "expected " + (" or ".join(t) if isinstance(t, list) else t)
    return err.message


def _check_finite(data, path, key=""):
    """No ``.nan``/``.inf`` anywhere in the config (YAML reads them as numbers)."""
    if isinstance(data, float) and not math.isfinite(data):
        raise HnGeoError(code="pipeline.config_not_finite", params={"value": str(data)}, path=path,
                         field=key or None)
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for k, v in items:
        _check_finite(v, path, f"{key}.{k}" if key else str(k))


def check_option_types(options, path=None):
    """Raise HnGeoError naming ``options.<analysis>.<key>`` for a value of the wrong type.

    The type of an option is that of its default in the analysis (or the roof/system
    parameters of the PV analysis), so ``installed_mw: lots`` is refused before any step
    runs; options without a typed default are checked by the analysis itself.
    """
    for name, opts in options.items():
        types = option_types(name)
        for key, value in (opts or {}).items():
            want = types.get(key)
            if want is None or value is None or _is_type(value, want):
                continue
            raise HnGeoError(code="pipeline.option_type", path=path, field=f"options.{name}.{key}",
                             params={"value": repr(value)[:60], "type": Msg(f"pipeline.type_{want}")})


def _is_type(value, want):
    if want == "boolean":
        return isinstance(value, bool)
    if want in ("number", "integer"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return ok and (want == "number" or float(value).is_integer())
    return isinstance(value, str)


def option_types(name):
    """``{option: 'number' | 'integer' | 'boolean' | 'string'}`` of an analysis' options."""
    funcs = {"water": [water.assess], "zoning": [zoning.check], "targets": [targets.targets_report],
             "solar": [solar.rooftop_potential]}
    defaults = {}
    for func in [WORKFLOWS[name], *funcs.get(name, [])]:
        for k, p in inspect.signature(func).parameters.items():
            if p.default is not inspect.Parameter.empty and p.default is not None:
                defaults.setdefault(k, p.default)
    if name == "solar":
        for cls in (solar.RoofParams, solar.PVSystemConfig):
            for f in dataclasses.fields(cls):
                if f.default is not dataclasses.MISSING:
                    defaults.setdefault(f.name, f.default)
    out = {k: _kind(v) for k, v in defaults.items() if _kind(v)}
    return {**out, **NUMBER_OPTIONS.get(name, {})}


def _kind(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


NUMBER_OPTIONS = {"solar": {"target_mw": "number", "homes_target": "number", "installed_mw": "number"},
                  "water": {"year": "integer"}, "targets": {"year": "integer", "kwh_factor": "number"}}
"""Options whose default is None (the plan's figure, the latest year ...) but whose value is a number."""


def _aoi(spec, base, path):
    """The area of interest of the config key ``aoi`` (None: the default, Haining)."""
    if spec is None:
        return None
    if isinstance(spec, str):
        spec = {"path": spec}
    src = _resolve(spec["path"], base, path, "aoi")
    crs = spec.get("crs")
    if crs is not None:
        parse_crs(crs, path=path, field="aoi.crs")
    tol = spec.get("tolerance_km")
    return aoi_check.read_aoi(src, layer=spec.get("layer"), assume_crs=crs,
                              **({} if tol is None else {"tolerance_m": float(tol) * 1000.0}))


def _sites(spec, base, path):
    """The ``sites`` key: profiles (file names resolved) and options."""
    if spec is None:
        return {}
    spec = {"profiles": spec} if isinstance(spec, list) else dict(spec)
    profiles = []
    for k, item in enumerate(spec.get("profiles") or []):
        profiles.append(_resolve(item, base, path, f"sites.profiles[{k}]") if isinstance(item, str) else item)
    return {**{k: v for k, v in spec.items() if v is not None}, "profiles": profiles}


def _layers(spec, base, path):
    out = {}
    for name, value in spec.items():
        if value is None:
            continue
        if isinstance(value, str):
            value = {"path": value}
        key = f"layers.{name}"
        if value.get("crs") is not None:
            parse_crs(value["crs"], path=path, field=f"{key}.crs")
        out[name] = LayerSource(path=_resolve(value["path"], base, path, key), layer=value.get("layer"),
                                assume_crs=value.get("crs"), encoding=value.get("encoding"),
                                from_gcj02=bool(value.get("gcj02", False)))
    return out


def _resolve(value, base, path, key, kind="file"):
    if value in (None, ""):
        return None
    p = Path(str(value)).expanduser()
    if not p.is_absolute():
        p = (base / p).resolve()
    if not p.exists():
        raise HnGeoError(f"{kind} not found: {p} (relative paths are relative to the config file's "
                         f"folder {base})", path=path, field=key)
    if kind == "dir" and not p.is_dir():
        raise HnGeoError(f"expected a folder, got a file: {p}", path=path, field=key)
    return p
