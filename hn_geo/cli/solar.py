"""`hn-geo solar`: rooftop PV potential per building, town and building type."""
from __future__ import annotations

import click

from hn_geo.cli.options import (
    NON_NEGATIVE,
    InputPath,
    assume_crs_option,
    engine_option,
    from_gcj02_option,
    handle_errors,
    input_options,
    lang_option,
    out_dir_option,
    scheduler_option,
)


@click.group()
def solar():
    """Rooftop photovoltaic potential (pvlib) against the plan's PV targets."""


@solar.command("potential")
@click.argument("buildings", required=False, type=InputPath())
@click.option("--layer", default=None, help="Layer inside a GeoPackage.")
@click.option("--weather", "weather_file", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Weather file: EPW, TMY3 CSV or PVGIS TMY (JSON/CSV). Default: embedded Haining year.")
@click.option("--installed-mw", type=NON_NEGATIVE, default=None,
              help="PV capacity already grid-connected (MW), deducted from the target. Default: 0.")
@click.option("--target-mw", type=NON_NEGATIVE, default=None,
              help="Grid-connected PV capacity target (MW). Default: the plan's 180万千瓦 (1,800 MW).")
@click.option("--homes-target", type=NON_NEGATIVE, default=None,
              help="Household rooftop systems targeted. Default: the plan's 1万户 (10,000 homes).")
@click.option("--module-density", "module_density", type=NON_NEGATIVE, default=None, metavar="KWP_PER_M2",
              help="Module power density, kWp per m² of module area. Default: 0.22 (22 % modules).")
@click.option("--rack-tilt", type=NON_NEGATIVE, default=None, help="Rack tilt on flat roofs (°). Default: 20.")
@click.option("--pitch", type=NON_NEGATIVE, default=None, help="Assumed pitch of pitched roofs (°). Default: 25.")
@click.option("--transposition", type=click.Choice(["perez", "haydavies"]), default=None,
              help="Sky diffuse model. Default: perez.")
@click.option("--dsm", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Optional surface model (GeoTIFF, metres, projected CRS): per-pixel irradiation, shade and "
                   "roof segments (as `solar rasters`, into --out/rasters) replace the orientation classes.")
@click.option("--economics", default=None, type=click.Path(exists=True, dir_okay=False),
              help="YAML overriding the pilot shares, category table and economics "
                   "(a copy of hn_geo/data/pv_economics.yaml). Default: the embedded defaults.")
@engine_option
@scheduler_option
@input_options
@lang_option
@out_dir_option
@handle_errors
def potential(buildings, layer, weather_file, installed_mw, target_mw, homes_target, module_density,
              rack_tilt, pitch, transposition, dsm, economics, engine, scheduler, assume_crs, from_gcj02, aoi,
              lang, out):
    """Rooftop PV potential of BUILDINGS (default: the embedded synthetic layer).

    BUILDINGS is a file or a partitioned GeoParquet dataset (a folder of parts or a glob).
    Writes per-building results (solar_layers.gpkg; with --engine dask the partitioned
    dataset solar_buildings/), per-town and per-type tables (CSV with BOM and solar.xlsx),
    the supply curve (CSV and solar_supply_curve.png), the plan targets check, the 整县推进
    pilot shares per town and category and the LCOE supply curve (CSV and
    solar_lcoe_curve.png) into --out.
    """
    from hn_geo import vocabulary
    from hn_geo.core import settings
    from hn_geo.ground.inputs import Inputs, LayerSource
    from hn_geo.render import console
    from hn_geo.solar import summary_lines
    from hn_geo.workflows import solar as workflow

    settings.lang = lang
    layers = {} if buildings is None else {
        "buildings": LayerSource(buildings, layer=layer, assume_crs=assume_crs, from_gcj02=from_gcj02)}
    inputs = Inputs(layers=layers, files={"weather": weather_file, "dsm": dsm, "economics": economics}, aoi=aoi)
    outcome = workflow.run(inputs, out, lang=lang, installed_mw=installed_mw, target_mw=target_mw,
                           homes_target=homes_target, module_density_kwp_m2=module_density,
                           rack_tilt_deg=rack_tilt, pitch_deg=pitch, transposition=transposition,
                           engine=engine, scheduler=scheduler)
    result = outcome.result
    for line in console.figure_lines(result, lang):
        click.echo(line)
    click.echo("")
    click.echo(console.table_text(result.tables["solar_targets"], lang, scope=result.name,
                                  codes=result.codes))
    click.echo("")
    for msg in summary_lines(result):
        click.echo(vocabulary.message(msg.code, msg.params, lang, result.name))
    for line in console.note_lines(result, lang):
        click.echo(line)
    click.echo(console.files_line(outcome.files, lang))


@solar.command("rasters")
@click.option("--dsm", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Surface model GeoTIFF (heights in m, projected metre CRS). Default: a synthetic DSM "
                   "of a demo district of the embedded buildings.")
@click.option("--buildings", "buildings_file", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Building footprints (roof mask and segments). Default: the embedded layer.")
@click.option("--layer", default=None, help="Layer inside a GeoPackage.")
@click.option("--weather", "weather_file", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Weather file: EPW, TMY3 CSV or PVGIS TMY. Default: embedded Haining year.")
@click.option("--search-radius", "search_radius", type=float, default=None, metavar="M",
              help="How far each pixel looks for obstacles (m). Default: 100.")
@click.option("--directions", type=int, default=None, help="Horizon directions (>= 8). Default: 32.")
@click.option("--tile", type=int, default=None, metavar="PX",
              help="Tile size in pixels (memory: about 200 bytes per pixel of tile and halo). Default: 1024.")
@click.option("--setback", type=float, default=None, metavar="M", help="Free edge of each roof (m). Default: 0.5.")
@click.option("--module-size", "module_size", default=None, metavar="LxW",
              help="Module length x width in m. Default: 2.278x1.134.")
@assume_crs_option
@from_gcj02_option
@lang_option
@out_dir_option
@handle_errors
def rasters(dsm, buildings_file, layer, weather_file, search_radius, directions, tile, setback, module_size,
            assume_crs, from_gcj02, lang, out):
    """Irradiation, shade and roof segments from a surface model (COG rasters and tables).

    Writes slope/aspect, horizon angles, sky-view factor, annual and monthly irradiation,
    shade per month and hour (Cloud-Optimised GeoTIFFs in the DSM's CRS), roof segments
    (solar_layers.gpkg) and per-segment and per-building tables into --out.
    """
    from hn_geo.core import settings
    from hn_geo.ground.inputs import Inputs, LayerSource
    from hn_geo.render import console
    from hn_geo.workflows import solar_rasters as workflow

    settings.lang = lang
    length = width = None
    if module_size:
        try:
            length, width = (float(v) for v in module_size.lower().split("x"))
        except ValueError as exc:
            raise click.BadParameter("expected LxW in metres, e.g. 2.278x1.134", param_hint="--module-size") from exc
    layers = {} if buildings_file is None else {
        "buildings": LayerSource(buildings_file, layer=layer, assume_crs=assume_crs, from_gcj02=from_gcj02)}
    inputs = Inputs(layers=layers, files={"weather": weather_file, "dsm": dsm})
    outcome = workflow.run(inputs, out, lang=lang, search_radius_m=search_radius, n_directions=directions,
                           tile_px=tile, setback_m=setback, module_length_m=length, module_width_m=width)
    result = outcome.result
    click.echo(console.table_text(result.tables["solar_rasters"], lang, scope=result.name, codes=result.codes))
    for line in console.note_lines(result, lang):
        click.echo(line)
    click.echo(console.files_line(outcome.files, lang))
