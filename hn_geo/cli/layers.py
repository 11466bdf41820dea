"""`hn-geo layers`: list, describe, validate and export catalog layers."""
from __future__ import annotations

from pathlib import Path

import click

from .. import catalog, io
from ..catalog import get_schema, load_layer
from .options import assume_crs_option, from_gcj02_option, handle_errors


@click.group()
def layers():
    """List, describe, validate and export the catalog's layers."""


@layers.command("list")
def list_cmd():
    """List the catalog's layers with their embedded default files."""
    for name, schema in catalog.SCHEMAS.items():
        default = "-"
        if schema.default_file:
            p = catalog.default_path(name)
            default = schema.default_file if p.exists() else f"{schema.default_file} (missing)"
        click.echo(f"{name:16s} {schema.zh}  [{'/'.join(schema.geometry)}]  {default}")


@layers.command("info")
@click.argument("name")
@handle_errors
def info_cmd(name):
    """Show the schema of layer NAME and a summary of its embedded data."""
    try:
        schema = get_schema(name)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="NAME") from None
    click.echo(f"{schema.name}: {schema.zh} / {schema.en}")
    if schema.description:
        click.echo(schema.description)
    click.echo(f"geometry: {', '.join(schema.geometry)}   id: {schema.id_field}")
    click.echo("fields:")
    for f in schema.fields:
        req = "required" if f.required else "optional"
        extra = f" choices={list(f.choices)}" if f.choices else ""
        unit = f" [{f.unit}]" if f.unit else ""
        click.echo(f"  {f.name:18s} {f.dtype:5s} {req:8s} {f.zh} / {f.en}{unit}{extra}")
    if schema.default_file and catalog.default_path(name).exists():
        gdf = load_layer(name)
        b = gdf.total_bounds
        click.echo(f"embedded: {catalog.default_path(name)} — {len(gdf)} features, CRS {gdf.crs.to_string()}, "
                   f"bounds {b[0]:.4f},{b[1]:.4f},{b[2]:.4f},{b[3]:.4f}")


@layers.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "as_name", required=True, help="Catalog layer the file should match.")
@click.option("--layer", default=None, help="Layer inside a GeoPackage.")
@click.option("--encoding", default=None, help="Shapefile attribute encoding (e.g. GBK) if no .cpg.")
@assume_crs_option
@from_gcj02_option
@handle_errors
def validate_cmd(file, as_name, layer, encoding, assume_crs, from_gcj02):
    """Validate FILE against the schema of a catalog layer."""
    try:
        get_schema(as_name)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="--as") from None
    gdf = load_layer(as_name, file, layer=layer, encoding=encoding, assume_crs=assume_crs,
                     from_gcj02=from_gcj02)
    click.echo(f"OK: {file} is a valid '{as_name}' layer: {len(gdf)} features, "
               f"returned in {gdf.crs.to_string()}")


@layers.command("export")
@click.argument("names", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(sorted(io.FORMATS)), default="gpkg", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(),
              help="Output file (one layer) or folder (several layers).")
@handle_errors
def export_cmd(names, fmt, out):
    """Export embedded layers NAMES as GeoJSON (RFC 7946), GeoPackage or GeoParquet."""
    out = Path(out)
    suffix = io.FORMATS[fmt][0]
    for name in names:
        gdf = load_layer(name)
        target = out if (len(names) == 1 and out.suffix) else out / f"{name}{suffix}"
        io.write_layer(gdf, target, fmt)
        click.echo(f"{name}: {len(gdf)} features -> {target}")
