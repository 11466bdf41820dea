"""`hn-geo zoning`: 三线一单 control units and access-list compliance checks."""
from __future__ import annotations

from pathlib import Path

import click

from hn_geo.cli.options import (
    InputPath,
    assume_crs_option,
    engine_option,
    from_gcj02_option,
    handle_errors,
    lang_option,
    out_dir_option,
    scheduler_option,
)
from hn_geo.core import settings

_FILE = click.Path(exists=True, dir_okay=False)
_SHOWN_ROWS = 20
"""Projects listed on the console (those not passing; every one is in projects.csv)."""


@click.group()
def zoning():
    """三线一单 environmental control units and the access list (生态环境准入清单)."""


@zoning.command("check")
@click.argument("projects", required=False, type=InputPath())
@click.option("--layer", default=None, help="Layer inside a GeoPackage PROJECTS file.")
@click.option("--rules", "rules_file", default=None, type=_FILE,
              help="Access-list YAML (default: the embedded hn_geo/data/access_rules.yaml).")
@click.option("--units", "units_file", default=None, type=_FILE,
              help="Control-unit layer file (default: embedded layers/control_units.gpkg).")
@click.option("--points", "points_file", default=None, type=_FILE,
              help="Existing enterprises (emission_points) whose loads fill the unit caps "
                   "(default: embedded layer).")
@click.option("--red-line", "red_line_file", default=None, type=_FILE,
              help="Ecological red-line polygons (default: embedded layer).")
@click.option("--water-source", "water_source_file", default=None, type=_FILE,
              help="Drinking-water source protection zones (default: embedded layer).")
@engine_option
@scheduler_option
@assume_crs_option
@from_gcj02_option
@lang_option
@out_dir_option
@handle_errors
def check_cmd(projects, layer, rules_file, units_file, points_file, red_line_file,
              water_source_file, engine, scheduler, assume_crs, from_gcj02, lang, out):
    """Check PROJECTS against the control units and the access list.

    PROJECTS is a GeoJSON, GeoPackage, Shapefile, GeoParquet or a CSV/XLSX table with lon/lat
    columns (catalog schema 'projects': project_id, name, industry_code, status, ...), or a
    partitioned GeoParquet dataset (a folder of parts or a glob). Without it the embedded demo
    projects are checked. Writes CSV tables (UTF-8 with BOM), zoning.xlsx and
    zoning_layers.gpkg (control_units, projects, violations) into --out; with --engine dask
    the projects and violations layers are the partitioned datasets zoning_projects/ and
    zoning_violations/.
    """
    from hn_geo.ground.inputs import Inputs, LayerSource
    from hn_geo.render import console
    from hn_geo.workflows import zoning as workflow

    settings.lang = lang
    files = {"projects": projects, "control_units": units_file, "emission_points": points_file,
             "red_line": red_line_file, "water_source": water_source_file}
    sources = {name: LayerSource(Path(path), layer=layer if name == "projects" else None,
                                 assume_crs=assume_crs, from_gcj02=from_gcj02)
               for name, path in files.items() if path is not None}
    inputs = Inputs(layers=sources, files={"rules": rules_file})
    outcome = workflow.run(inputs, out, lang=lang, engine=engine, scheduler=scheduler)
    result = outcome.result
    for line in console.figure_lines(result, lang):
        click.echo(line)
    flagged = result.tables.get("projects")  # the dask engine writes projects as a dataset only
    flagged = flagged[flagged["status"] != "pass"] if flagged is not None else ()
    if len(flagged):
        click.echo("")
        click.echo(console.table_text(flagged, lang, scope=result.name, codes=result.codes,
                                      columns=("project_id", "name", "unit_codes",
                                               "violated_rules", "status"), rows=_SHOWN_ROWS))
    for line in console.note_lines(result, lang):
        click.echo(line)
    click.echo(console.files_line(outcome.files, lang))
