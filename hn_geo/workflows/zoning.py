"""The zoning workflow: load the projects, control units, access list and zones -> check
them (:func:`hn_geo.zoning.check`) -> write the tables, workbook and layers.

Called by ``hn-geo zoning check`` and by the batch run alike.
"""
from __future__ import annotations

from pathlib import Path

from hn_geo import zoning
from hn_geo.ground import catalog
from hn_geo.ground.projects import DEMO_PROJECTS, projects_of
from hn_geo.ground.rules import default_rules_path, read_rules_file
from hn_geo.render.outputs import write_result
from hn_geo.workflows.common import Outcome, check_engine, dataset_of, given, with_catalog_codes
from hn_geo.zoning.rules import parse


def load_rules(path=None):
    """Read and parse an access-list YAML file (the embedded default when ``path`` is None).

    Returns
    -------
    hn_geo.zoning.rules.AccessList
    """
    path = Path(path) if path is not None else default_rules_path()
    return parse(read_rules_file(path), source=path)


def _projects_source(inputs):
    """Where the projects come from (:func:`hn_geo.ground.projects.projects_of`), as a path."""
    if inputs.is_user("projects"):
        return None
    return inputs.file("projects") or catalog.layers_dir() / DEMO_PROJECTS


def _run_dask(inputs, out_dir, lang, scheduler):
    """The dask engine over the projects dataset; units, rules, zones and parks loaded as usual."""
    from hn_geo.engines import cluster as engine_cluster  # dask only when its engine runs
    from hn_geo.engines import zoning as dask_zoning

    rules = load_rules(inputs.file("rules"))
    zones = rule_layers(inputs, rules)
    ddf = dataset_of(inputs, "projects", default=_projects_source(inputs))
    with engine_cluster.scheduler(scheduler) as client:
        result, parts = dask_zoning.check(ddf, inputs.layer("control_units"), rules=rules,
                                          points=inputs.layer("emission_points", optional=True), **zones,
                                          out_dir=out_dir, lang=lang, client=client)
    files = write_result(with_catalog_codes(result), out_dir, lang=lang)
    return Outcome(result, files + parts)


def load(inputs):
    """The inputs of :func:`hn_geo.zoning.check` as keyword arguments.

    Projects (:func:`hn_geo.ground.projects.projects_of`), the control units, the
    existing emission points (optional), the access list (input file ``rules``, else the
    embedded one), the red-line / water-source zones -- only when a distance rule
    measures to them -- and the parks, only when a park-only rule needs them.
    """
    rules = load_rules(inputs.file("rules"))
    return {"projects": projects_of(inputs), "units": inputs.layer("control_units"),
            "rules": rules, "points": inputs.layer("emission_points", optional=True),
            **rule_layers(inputs, rules)}


def rule_layers(inputs, rules):
    """The zone and park layers the rules need (``None`` for those they do not)."""
    needed = set(rules.layers_needed()) | ({"parks"} if rules.needs_parks() else set())
    return {name: inputs.layer(name, optional=True) if name in needed else None
            for name in ("red_line", "water_source", "parks")}


def run(inputs, out_dir, *, lang="zh", layers=None, engine=None, scheduler=None):
    """Run the zoning check and write its outputs into ``out_dir``.

    Parameters
    ----------
    inputs : hn_geo.ground.inputs.Inputs
    out_dir : str or Path
    lang : {'zh', 'en'}
        Language of the written files.
    layers : bool, optional
        Build and write the result layers (default: the analysis' own, True).
    engine : {'memory', 'dask'}, optional
        ``dask``: partition by partition over the projects dataset (:mod:`hn_geo.engines.zoning`);
        the ``projects`` and ``violations`` layers go to ``zoning_projects/`` and
        ``zoning_violations/`` (partitioned GeoParquet), the per-project table is not
        written as CSV/XLSX. Default: in memory.
    scheduler : str, optional
        For ``engine='dask'``: ``threads`` (default), ``processes`` or ``tcp://host:port``.

    Returns
    -------
    Outcome
        The :class:`~hn_geo.core.results.AnalysisResult` and the files written
        (``<table>.csv``, ``zoning.xlsx``, ``zoning_layers.gpkg``).
    """
    if check_engine(engine) == "dask":
        return _run_dask(inputs, Path(out_dir), lang, scheduler)
    kw = load(inputs)
    result = zoning.check(kw.pop("projects"), kw.pop("units"), **kw, **given(layers=layers))
    files = write_result(with_catalog_codes(result), out_dir, lang=lang)
    return Outcome(result, files)
