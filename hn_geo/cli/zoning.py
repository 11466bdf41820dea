"""`hn-geo zoning`: 三线一单 control units and access-list compliance checks."""
from __future__ import annotations

import click

from hn_geo.cli.options import (
    assume_crs_option,
    from_gcj02_option,
    handle_errors,
    lang_option,
    out_dir_option,
)

_FILE = click.Path(exists=True, dir_okay=False)


@click.group()
def zoning():
    """三线一单 environmental control units and the access list (生态环境准入清单)."""


@zoning.command("check")
@click.argument("projects", required=False, type=_FILE)
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
@assume_crs_option
@from_gcj02_option
@lang_option
@out_dir_option
@handle_errors
def check_cmd(projects, layer, rules_file, units_file, points_file, red_line_file,
              water_source_file, assume_crs, from_gcj02, lang, out):
    """Check PROJECTS against the control units and the access list.

    PROJECTS is a GeoJSON, GeoPackage, Shapefile, GeoParquet or a CSV/XLSX table with lon/lat
    columns (catalog schema 'projects': project_id, name, industry_code, status, ...). Without
    it the embedded demo projects are checked. Writes CSV tables (UTF-8 with BOM),
    zoning.xlsx and zoning_layers.gpkg (control_units, projects, violations) into --out.
    """
    from hn_geo.ground.catalog import load_layer
    from hn_geo.render.outputs import write_result
    from hn_geo.zoning import check, demo_projects
    from hn_geo.zoning.rules import load_rules

    rules = load_rules(rules_file)
    kw = dict(assume_crs=assume_crs, from_gcj02=from_gcj02)
    if projects is None:
        gdf = demo_projects()
    else:
        gdf = load_layer("projects", projects, layer=layer, **kw)
    units = load_layer("control_units", units_file, **kw)
    points = load_layer("emission_points", points_file, **kw)
    needed = {r.params["layer"] for r in rules.rules if r.kind == "min_distance"}
    red_line = load_layer("red_line", red_line_file, **kw) if red_line_file or "red_line" in needed else None
    water_source = (load_layer("water_source", water_source_file, **kw)
                    if water_source_file or "water_source" in needed else None)
    result = check(gdf, units, rules=rules, points=points, red_line=red_line,
                   water_source=water_source, lang=lang)
    written = write_result(result, out, lang=lang)
    width = max(len(str(k)) for k in result.summary)
    for k, v in result.summary.items():
        click.echo(f"{str(k):<{width}}  {v}")
    for p in written:
        click.echo(f"wrote {p}")
