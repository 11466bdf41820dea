"""`hn-geo export`: write a share package (GeoJSON + GeoPackage + QGIS project + metadata + checksums) as one zip."""
from __future__ import annotations

import click

from hn_geo import vocabulary
from hn_geo.cli.options import handle_errors, lang_option
from hn_geo.core import settings
from hn_geo.ground.inputs import Inputs
from hn_geo.workflows import share as wf


@click.command("export")
@click.argument("layers", nargs=-1)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="The zip file to write, e.g. share/haining_layers.zip.")
@click.option("--geojson-max-mb", type=click.FloatRange(min=0), default=None,
              help="Largest GeoJSON per layer in MB (default 50); a bigger layer goes as GeoParquet.")
@lang_option
@handle_errors
def export(layers, out, geojson_max_mb, lang):
    """Write a share package for other departments.

    LAYERS are catalog layer names (embedded data) and/or paths of vector
    files such as the result GeoPackages of an analysis (every layer of a
    GeoPackage is exported). With no LAYERS, every embedded layer present.

    The zip holds one RFC 7946 GeoJSON per layer (GeoParquet for a layer whose
    GeoJSON would exceed --geojson-max-mb), one GeoPackage in CGCS2000 (EPSG:4490)
    with all layers and their QGIS styles, a QGIS project (.qgz) of them grouped
    by analysis, the styles as QML and SLD files, metadata.json, a field
    dictionary per layer (fields/*.csv), README.txt, SOURCES.md and SHA256SUMS
    (check with `sha256sum -c SHA256SUMS`), every word in --lang. The zip is
    replaced atomically.

    \b
    Examples:
      hn-geo export --out share/all_layers.zip
      hn-geo export towns sections out/water/water_layers.gpkg --out share/water.zip
    """
    settings.lang = lang
    outcome = wf.run(Inputs(), out, lang=lang, layers=list(layers) or None, geojson_max_mb=geojson_max_mb)
    meta = outcome.result
    for lyr in meta["layers"]:
        click.echo(vocabulary.ui("export_layer", lang, "render", name=f"{lyr['name']:24s}", title=lyr["title"],
                                 n=lyr["feature_count"]))
        if lyr["files"].get("geojson") is None:  # too big for GeoJSON: said here as in the README
            click.echo("    " + vocabulary.ui("readme_geojson_omitted", lang, "render", name=lyr["name"],
                                              mb=lyr["files"]["geojson_estimated_mb"], limit=meta["geojson_max_mb"],
                                              parquet=lyr["files"]["geoparquet"], geopackage=meta["geopackage"]))
    click.echo(vocabulary.ui("export_done", lang, "render", n=len(meta["layers"]),
                             path=vocabulary.display_path(out)))
