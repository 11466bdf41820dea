"""`hn-geo layers`: list, describe, validate and export catalog layers."""
from __future__ import annotations

from pathlib import Path

import click

from hn_geo import vocabulary
from hn_geo.cli.options import (
    InputPath,
    encoding_option,
    handle_errors,
    input_options,
    lang_option,
    layer_option,
)
from hn_geo.core import settings
from hn_geo.ground import catalog, datasets
from hn_geo.ground.catalog import get_schema, load_layer
from hn_geo.render import writers as io_w


def _schema_or_fail(name, hint):
    try:
        return get_schema(name)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint=hint) from None


@click.group()
def layers():
    """List, describe, validate and export the catalog's layers.

    \b
    Examples:
      hn-geo layers list
      hn-geo layers info towns
      hn-geo layers validate my_towns.shp --as towns --encoding GBK
      hn-geo layers export towns rivers --format geojson --out exported/
    """


def _w(code, **params):
    return vocabulary.ui(code, settings.lang, scope="ground", **params)


@layers.command("list")
@lang_option
def list_cmd(lang):
    """List the catalog's layers with their embedded default files."""
    for name, schema in catalog.SCHEMAS.items():
        default = "-"
        if schema.default_file:
            p = catalog.default_path(name)
            default = schema.default_file if p.exists() else _w("missing_file", file=schema.default_file)
        click.echo(f"{name:16s} {schema.title(lang)}  [{'/'.join(schema.geometry)}]  {default}")


@layers.command("info")
@click.argument("name")
@lang_option
@handle_errors
def info_cmd(name, lang):
    """Show the schema of layer NAME and a summary of its embedded data."""
    schema = _schema_or_fail(name, "NAME")
    click.echo(f"{schema.name}: {schema.title(lang)}")
    click.echo(_w("info_geometry", geometry=", ".join(schema.geometry), id=schema.id_field))
    click.echo(_w("info_fields"))
    for f in schema.fields:
        req = _w("required" if f.required else "optional")
        extra = _w("info_choices", choices=vocabulary.join(
            [vocabulary.word(f.family, c, lang) for c in f.choices] if f.family else f.choices, lang)) \
            if f.choices else ""
        click.echo(f"  {f.name:18s} {f.dtype:5s} {req:4s} {f.label(lang)}{extra}")
    if not schema.default_file:
        click.echo(_w("info_no_embedded"))
    elif not catalog.default_path(name).exists():
        click.echo(_w("info_embedded_missing", file=vocabulary.display_path(catalog.default_path(name))))
    else:
        gdf = load_layer(name)
        click.echo(_w("info_embedded", file=vocabulary.display_path(catalog.default_path(name)), n=len(gdf),
                      crs=gdf.crs.to_string(), bounds=_bounds(gdf)))


def _bounds(gdf):
    b = gdf.total_bounds
    return f"{b[0]:.4f},{b[1]:.4f},{b[2]:.4f},{b[3]:.4f}"


@layers.command("validate")
@click.argument("file", type=InputPath())
@click.option("--as", "as_name", required=True, metavar="NAME",
              help="Catalog layer the file should match (see `hn-geo layers list`).")
@layer_option
@encoding_option
@input_options
@lang_option
@handle_errors
def validate_cmd(file, as_name, layer, encoding, assume_crs, from_gcj02, aoi, lang):
    """Validate FILE against the schema of a catalog layer.

    FILE may be GeoJSON, GeoPackage, Shapefile, GeoParquet, or a CSV/XLSX
    table with longitude/latitude columns (lon/lat, 经度/纬度). Problems are
    reported with the file, feature and field; the exit code is 1 if the
    file is not valid. Repairs (invalid geometries, renamed columns) are
    listed as warnings. The features are checked against the area of interest (--aoi;
    Haining by default): a layer with none inside it is not valid, and a boundary must be
    the area's own outline. FILE may also be a partitioned GeoParquet dataset (a folder of
    parts or a glob): it is validated part by part, each part's problems reported under its
    file name, and the ids checked across parts.
    """
    _schema_or_fail(as_name, "--as")
    if datasets.is_dataset(file) or Path(file).is_dir():
        _validate_dataset(file, as_name, assume_crs=assume_crs, from_gcj02=from_gcj02)
        return
    gdf = load_layer(as_name, file, layer=layer, encoding=encoding, assume_crs=assume_crs,
                     from_gcj02=from_gcj02, aoi=aoi)
    click.echo(_w("validate_ok", file=file, layer=as_name, n=len(gdf), crs=gdf.crs.to_string(),
                  bounds=_bounds(gdf)))


def _validate_dataset(file, as_name, **options):
    reports, across = datasets.validate_dataset(file, as_name, **options)
    bad = 0
    for r in reports:
        for w in r.warnings:
            click.echo(_w("dataset_part_repaired", part=r.path.name, warning=w.render(settings.lang)), err=True)
        if r.error is None:
            click.echo(_w("dataset_part_ok", part=r.path.name, n=r.rows))
        else:
            bad += 1
            click.echo(_w("dataset_part_bad", part=r.path.name, problem=r.error.render(settings.lang)))
    if across is not None:
        click.echo(_w("dataset_part_bad", part="*", problem=across.render(settings.lang)))
    if bad or across is not None:
        raise click.ClickException(_w("dataset_bad", file=file, layer=as_name, bad=bad + (across is not None),
                                      parts=len(reports)))
    b = [r.bounds for r in reports]
    bounds = f"{min(x[0] for x in b):.4f},{min(x[1] for x in b):.4f},{max(x[2] for x in b):.4f},{max(x[3] for x in b):.4f}"
    click.echo(_w("dataset_ok", file=file, layer=as_name, parts=len(reports), n=sum(r.rows for r in reports),
                  crs="EPSG:4490", bounds=bounds))


@layers.command("export")
@click.argument("names", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(sorted(io_w.FORMATS)), default=None,
              help="Output format [default: from the --out suffix, else gpkg].")
@click.option("--out", "out", required=True, type=click.Path(),
              help="Output file (one layer; several layers with gpkg go into one GeoPackage) "
                   "or folder (one file per layer).")
@lang_option
@handle_errors
def export_cmd(names, fmt, out, lang):
    """Export embedded layers NAMES as GeoJSON (RFC 7946), GeoPackage or GeoParquet.

    GeoJSON is written in WGS84 lon/lat (RFC 7946); GeoPackage and
    GeoParquet in CGCS2000 (EPSG:4490).
    """
    for name in names:
        _schema_or_fail(name, "NAMES")
    out = Path(out)
    suffix_fmt = io_w.SUFFIX_FORMATS.get(out.suffix.lower())
    if fmt is None:
        fmt = suffix_fmt or "gpkg"
    is_file = suffix_fmt is not None
    if is_file and suffix_fmt != fmt:
        raise click.BadParameter(f"'{out}' has a {out.suffix} suffix but --format is {fmt}",
                                 param_hint="--out")
    gdfs = {name: load_layer(name) for name in names}
    if is_file and len(names) > 1:
        if fmt != "gpkg":
            raise click.BadParameter(f"several layers go into one file only with gpkg; give a "
                                     f"folder for {fmt}", param_hint="--out")
        io_w.write_gpkg_layers(gdfs, out)
        for name, gdf in gdfs.items():
            click.echo(_w("export_layer", name=name, n=len(gdf), out=out))
        return
    suffix = io_w.FORMATS[fmt][0]
    for name, gdf in gdfs.items():
        target = out if is_file else out / f"{name}{suffix}"
        if fmt == "gpkg":
            io_w.write_gpkg(gdf, target, layer=name)
        else:
            io_w.write_layer(gdf, target, fmt)
        click.echo(_w("export_file", name=name, n=len(gdf), out=target))
