"""`hn-geo zoning`: 三线一单 control units and access-list compliance checks."""
from __future__ import annotations

from pathlib import Path

import click

from hn_geo.cli.options import (
    NON_NEGATIVE,
    InputPath,
    engine_option,
    handle_errors,
    input_options,
    lang_option,
    out_dir_option,
    scheduler_option,
)
from hn_geo.core import settings
from hn_geo.render.maps import BASEMAPS

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
@input_options
@lang_option
@out_dir_option
@handle_errors
def check_cmd(projects, layer, rules_file, units_file, points_file, red_line_file,
              water_source_file, engine, scheduler, assume_crs, from_gcj02, aoi, lang, out):
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
    inputs = Inputs(layers=sources, files={"rules": rules_file}, aoi=aoi)
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


_STATUSES = click.Choice(["new", "expansion", "existing"])
_PROFILE_FLAGS = ("project_id", "name", "industry_code", "status", "two_high", "solvent_type",
                  "energy_tce", "value_added_wan", "nox_t", "vocs_t", "cod_t", "nh3n_t")
_SITE_LAYERS = {"control_units": "units_file", "emission_points": "points_file", "red_line": "red_line_file",
                "water_source": "water_source_file", "parks": "parks_file", "towns": "towns_file",
                "boundary": "boundary_file"}


def _site_profile(options):
    """The profile of ``hn-geo zoning sites``: a profile file or a projects-table row, with the
    flags given on the command line on top."""
    from hn_geo.ground.profiles import profile_from_projects, read_profiles

    if options["profile_file"] and options["projects_file"]:
        raise click.UsageError("give --profile or --projects, not both")
    if options["projects_file"] and not options["row"]:
        raise click.UsageError("--projects needs --row (the project_id of the row)")
    base = {}
    if options["profile_file"]:
        found = read_profiles(options["profile_file"])
        if len(found) != 1:
            raise click.UsageError(f"{options['profile_file']} holds {len(found)} profiles; give one "
                                   "(several profiles go under `sites:` in a run config)")
        base = found[0]
    elif options["projects_file"]:
        base = profile_from_projects(options["projects_file"], options["row"], layer=options["layer"])
    flags = {k: options[k] for k in _PROFILE_FLAGS if options.get(k) is not None}
    if not options["two_high"]:
        flags.pop("two_high", None)
    return {**base, **flags}


@zoning.command("sites")
@click.option("--industry", "industry_code", default=None, metavar="CODE",
              help="GB/T 4754-2017 industry code of the project (e.g. 2614, C1752).")
@click.option("--status", type=_STATUSES, default=None, help="Build type (default: new).")
@click.option("--vocs-t", type=NON_NEGATIVE, default=None, help="VOCs load of the project, t/a.")
@click.option("--nox-t", type=NON_NEGATIVE, default=None, help="NOx load, t/a.")
@click.option("--cod-t", type=NON_NEGATIVE, default=None, help="COD load, t/a.")
@click.option("--nh3n-t", type=NON_NEGATIVE, default=None, help="NH3-N load, t/a.")
@click.option("--energy-tce", type=NON_NEGATIVE, default=None, help="Energy use, tce/a.")
@click.option("--value-added-wan", type=NON_NEGATIVE, default=None, help="Industrial value added, 10k yuan/a.")
@click.option("--solvent-type", default=None, help="Solvent type (a word of the access list's solvent_types).")
@click.option("--two-high", is_flag=True, default=False, help="The project is a two-high (两高) project.")
@click.option("--name", default=None, help="Name of the project (titles and tables).")
@click.option("--id", "project_id", default=None, help="Id of the project profile.")
@click.option("--profile", "profile_file", default=None, type=_FILE,
              help="Profile YAML (the fields above as keys: industry_code, vocs_t, ...); flags override it.")
@click.option("--projects", "projects_file", default=None, type=_FILE,
              help="Projects table (CSV/XLSX, coordinates optional, or any vector file): use one row.")
@click.option("--row", default=None, metavar="ID", help="project_id of the --projects row to use.")
@click.option("--layer", default=None, help="Sheet or layer of the --projects file.")
@click.option("--rules", "rules_file", default=None, type=_FILE,
              help="Access-list YAML (default: the embedded hn_geo/data/access_rules.yaml).")
@click.option("--min-area-ha", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Merge polygons below this area into a neighbour with the same verdict and rules; "
                   "list only passing parcels at least this large.")
@click.option("--parcels", type=click.IntRange(min=1), default=None,
              help="How many of the largest passing parcels to list (default 20).")
@click.option("--units", "units_file", default=None, type=_FILE, help="Control-unit layer file.")
@click.option("--points", "points_file", default=None, type=_FILE, help="Existing emission points file.")
@click.option("--red-line", "red_line_file", default=None, type=_FILE, help="Ecological red-line file.")
@click.option("--water-source", "water_source_file", default=None, type=_FILE, help="Water-source zones file.")
@click.option("--parks", "parks_file", default=None, type=_FILE, help="Industrial parks file.")
@click.option("--towns", "towns_file", default=None, type=_FILE, help="Towns file.")
@click.option("--boundary", "boundary_file", default=None, type=_FILE, help="City boundary file.")
@click.option("--basemap", default="none", show_default=True,
              type=click.Choice(BASEMAPS),
              help="Map background (none: offline).")
@click.option("--no-map", is_flag=True, default=False, help="Do not write sites.html.")
@input_options
@lang_option
@out_dir_option
@handle_errors
def sites_cmd(**options):
    """Where in the city may a project of this profile go? (选址分析)

    Cuts the city into polygons, each with the verdict the zoning check gives such a project
    there (pass / warning / needs review / fail), the rules and clauses that decide it, and
    its control unit, park and town. Writes sites.geojson and sites_layers.gpkg (the
    polygons and the largest passing parcels), sites_*.csv tables (area by verdict per town
    and per park, blocking clauses by the area they exclude, parcels, cap headroom),
    sites.xlsx and the offline map sites.html into --out.

    A load, energy use or value added left out is unknown, as in `zoning check`: where a
    rule needs it the verdict is "needs review" (the notes say which rules and how much area).
    """
    from hn_geo.ground.inputs import Inputs, LayerSource
    from hn_geo.render import console
    from hn_geo.workflows import sites as workflow

    lang = options["lang"]
    settings.lang = lang
    sources = {name: LayerSource(Path(options[key]), assume_crs=options["assume_crs"],
                                 from_gcj02=options["from_gcj02"])
               for name, key in _SITE_LAYERS.items() if options[key] is not None}
    inputs = Inputs(layers=sources, files={"rules": options["rules_file"]}, aoi=options["aoi"])
    outcome = workflow.run(inputs, options["out"], lang=lang, profile=_site_profile(options),
                           min_area_ha=options["min_area_ha"], parcels=options["parcels"],
                           map=not options["no_map"], basemap=options["basemap"])
    result = outcome.result
    for line in console.figure_lines(result, lang):
        click.echo(line)
    for key, cols in (("sites_towns", ("town", "area_ha", "pass_ha", "pass_pct", "fail_ha", "review_ha")),
                      ("sites_clauses", ("rule_id", "area_ha", "sole_ha", "verdict"))):
        if len(result.tables[key]):
            click.echo("")
            click.echo(console.table_text(result.tables[key], lang, scope=result.name, codes=result.codes,
                                          columns=cols, rows=_SHOWN_ROWS))
    for line in console.note_lines(result, lang):
        click.echo(line)
    click.echo(console.files_line(outcome.files, lang))
