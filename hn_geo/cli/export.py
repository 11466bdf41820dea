"""`hn-geo export`: write a share package (GeoJSON + GeoPackage + metadata + checksums) as one zip."""
from __future__ import annotations

import click

from hn_geo.cli.options import handle_errors


@click.command("export")
@click.argument("layers", nargs=-1)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The zip file to write, e.g. share/haining_layers.zip.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the field dictionaries' headers and of the layer titles in metadata.json "
                   "(attribute names stay as they are).")
@handle_errors
def export(layers, out, lang):
    """Write a share package for other departments.

    LAYERS are catalog layer names (embedded data) and/or paths of vector
    files such as the result GeoPackages of an analysis (every layer of a
    GeoPackage is exported). With no LAYERS, every embedded layer present.

    The zip holds one RFC 7946 GeoJSON per layer, one GeoPackage in CGCS2000
    (EPSG:4490) with all layers, metadata.json, a field dictionary per layer
    (fields/*.csv), README.txt, SOURCES.md and SHA256SUMS (check with
    `sha256sum -c SHA256SUMS`). The zip is replaced atomically.

    \b
    Examples:
      hn-geo export --out share/all_layers.zip
      hn-geo export towns sections out/water/water_layers.gpkg --out share/water.zip
    """
    from hn_geo.render.share import write_share_package

    meta = write_share_package(layers, out, lang=lang)
    for lyr in meta["layers"]:
        click.echo(f"{lyr['name']:24s} {lyr['title']}: {lyr['feature_count']} features")
    click.echo(f"{len(meta['layers'])} layer(s) -> {out}")
