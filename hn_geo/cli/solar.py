"""`hn-geo solar`: rooftop PV potential per building, town and building type."""
from __future__ import annotations

from pathlib import Path

import click

from hn_geo.cli.options import (
    assume_crs_option,
    from_gcj02_option,
    handle_errors,
    lang_option,
    out_dir_option,
)


@click.group()
def solar():
    """Rooftop photovoltaic potential (pvlib) against the plan's PV targets."""


@solar.command("potential")
@click.argument("buildings", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--layer", default=None, help="Layer inside a GeoPackage.")
@click.option("--weather", "weather_file", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Weather file: EPW, TMY3 CSV or PVGIS TMY (JSON/CSV). Default: embedded Haining year.")
@click.option("--installed-mw", type=float, default=0.0, show_default=True,
              help="PV capacity already grid-connected (MW), deducted from the 1800 MW target.")
@click.option("--target-mw", type=float, default=1800.0, show_default=True,
              help="Grid-connected PV capacity target (plan 三.十: 180万千瓦).")
@click.option("--homes-target", type=int, default=10000, show_default=True,
              help="Residential rooftop systems targeted (plan 三.十: 1万户).")
@click.option("--module-density", "module_density", type=float, default=0.22, show_default=True,
              metavar="KWP_PER_M2", help="Module power density, kWp per m² of module area (0.22 = 22 %).")
@click.option("--rack-tilt", type=float, default=20.0, show_default=True, help="Rack tilt on flat roofs (°).")
@click.option("--pitch", type=float, default=25.0, show_default=True, help="Assumed pitch of pitched roofs (°).")
@click.option("--transposition", type=click.Choice(["perez", "haydavies"]), default="perez", show_default=True)
@click.option("--dsm", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Optional roof surface model (GeoTIFF, metres, projected CRS): slope and shading per roof.")
@assume_crs_option
@from_gcj02_option
@lang_option
@out_dir_option
@handle_errors
def potential(buildings, layer, weather_file, installed_mw, target_mw, homes_target, module_density,
              rack_tilt, pitch, transposition, dsm, assume_crs, from_gcj02, lang, out):
    """Rooftop PV potential of BUILDINGS (default: the embedded synthetic layer).

    Writes per-building results (solar_layers.gpkg), per-town and per-type tables
    (CSV with BOM and solar.xlsx), the supply curve (CSV and solar_supply_curve.png)
    and the plan targets check into --out.
    """
    import warnings

    from hn_geo.core.errors import HnGeoError
    from hn_geo.ground import readers as _io_r
    from hn_geo.ground.catalog import get_schema, load_layer
    from hn_geo.ground.validate import validate
    from hn_geo.render.outputs import write_result
    from hn_geo.render.plots import supply_curve_png
    from hn_geo.solar import PVSystemConfig, rooftop_potential
    from hn_geo.solar.roofs import RoofParams, normalise_building_types
    from hn_geo.solar.weather import load_weather

    if installed_mw < 0:
        raise HnGeoError("--installed-mw must not be negative", field="installed_mw")
    if buildings is None:
        gdf = load_layer("buildings")
    else:
        raw = _io_r.read_file(buildings, layer=layer, assume_crs=assume_crs, from_gcj02=from_gcj02)
        raw = normalise_building_types(raw, path=buildings)
        gdf = validate(raw, get_schema("buildings"), path=buildings)
    params = RoofParams(module_density_kwp_m2=module_density, rack_tilt_deg=rack_tilt, pitch_deg=pitch)
    system = PVSystemConfig(transposition=transposition)
    weather = load_weather(weather_file)
    result = rooftop_potential(gdf, weather, installed_mw=installed_mw, target_mw=target_mw,
                               homes_target=homes_target, roof_params=params, system=system, dsm=dsm,
                               lang=lang)
    written = write_result(result, out, lang=lang)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # matplotlib glyph warnings
        written.append(supply_curve_png(result, Path(out) / "solar_supply_curve.png", lang=lang))
    s = result.summary
    click.echo(f"{s['buildings']} buildings, {s['buildings_with_pv']} with PV: "
               f"{s['potential_mw']:,} MW, {s['potential_gwh_year']:,} GWh/yr, "
               f"mean {s['mean_kwh_per_kwp']} kWh/kWp")
    if s["buildings_to_reach_target"]:
        click.echo(f"{s['need_mw']:,.0f} MW still needed: reached by the best "
                   f"{s['buildings_to_reach_target']:,} roofs")
    else:
        click.echo(f"{s['need_mw']:,.0f} MW still needed: more than these roofs can give")
    click.echo(f"{s['homes_target']:,} homes target: {s['homes_target_kwp'] / 1000:,.1f} MW on the best house roofs")
    if installed_mw == 0:
        click.echo("note: no already-installed PV deducted (give it with --installed-mw)")
    for p in written:
        click.echo(f"wrote {p}")
