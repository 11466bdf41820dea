"""`hn-geo map`: write an interactive HTML map of catalog layers and result layers."""
from __future__ import annotations

import click

from hn_geo import vocabulary
from hn_geo.cli.options import handle_errors, input_options, lang_option
from hn_geo.core import settings
from hn_geo.ground.catalog import SCHEMAS
from hn_geo.ground.inputs import Inputs, LayerSource
from hn_geo.render.maps import BASEMAPS
from hn_geo.workflows import maps as wf


def _pairs(values, option, lang):
    """Parse repeated/comma-separated ``LAYER:VALUE`` options into a dict."""
    out = {}
    for value in values:
        for item in str(value).split(","):
            item = item.strip()
            if not item:
                continue
            if ":" not in item:
                raise click.BadParameter(vocabulary.message("render.bad_pair", {"item": item}, lang),
                                         param_hint=option)
            name, val = item.split(":", 1)
            out[name.strip()] = val.strip()
    return out


def _check_layers(names, option, lang):
    unknown = [n for n in names if n not in SCHEMAS]
    if unknown:
        raise click.BadParameter(vocabulary.message("render.unknown_layer", {"layers": unknown,
                                                                           "known": list(SCHEMAS)}, lang),
                                 param_hint=option)


@click.command("map")
@click.option("--layers", "layer_names", default=None, metavar="NAMES",
              help="Comma-separated catalog layers to draw (default: the overview set — boundary, "
                   "neighbors, towns, parks, rivers, sections, emission_points, control_units, red_line, "
                   "water_source — skipping layers with no embedded data).")
@click.option("--file", "files", multiple=True, metavar="LAYER:PATH",
              help="Use a file of yours for a catalog layer, e.g. towns:my_towns.gpkg (repeatable).")
@click.option("--result", "results", multiple=True, metavar="NAME:PATH",
              help="Add an analysis-result layer from a GeoPackage layer or file, e.g. "
                   "sections:out/water/water_layers.gpkg (repeatable; styled by NAME and columns).")
@click.option("--color-by", "color_by", multiple=True, metavar="LAYER:COLUMN",
              help="Colour a layer by a column (numeric -> choropleth with legend; for emission "
                   "points the column sizes the graduated circles), e.g. towns:target_basic.")
@click.option("--basemap", type=click.Choice(BASEMAPS), default=None,
              help="Background tiles (default: none, which needs no network); the others are loaded "
                   "from the provider when the map is opened (AMap: data shifted to GCJ-02 to match).")
@click.option("--tianditu-key", envvar="TIANDITU_KEY", default=None,
              help="Tianditu API key for tianditu-* basemaps (or set TIANDITU_KEY).")
@click.option("--offline/--online", default=None,
              help="Offline (the default) inlines Leaflet and every tool into the HTML so it opens "
                   "with no network; --online loads Leaflet from a CDN (smaller file).")
@click.option("--title", default=None, help="Title shown on the map.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Output HTML file, e.g. maps/overview.html.")
@lang_option
@input_options
@handle_errors
def map_cmd(layer_names, files, results, color_by, basemap, tianditu_key, offline, title, out, lang,
            assume_crs, from_gcj02, aoi):
    """Write an interactive HTML map (double-click to open; offline by default).

    With no options it draws the overview map of the embedded Haining layers.
    Layers carry Chinese popups (--lang en for English), a layer switcher,
    legends, scale bar, full-screen, measure, mini-map and a search box for
    towns and sections; approximate or synthetic layers get a caption.
    """
    settings.lang = lang
    names = [n.strip() for n in layer_names.split(",") if n.strip()] if layer_names else None
    _check_layers(names or [], "--layers", lang)
    paths = _pairs(files, "--file", lang)
    _check_layers(paths, "--file", lang)
    if names is not None:
        names += [n for n in paths if n not in names]
    inputs = Inputs(layers={n: LayerSource(p, assume_crs=assume_crs, from_gcj02=from_gcj02)
                            for n, p in paths.items()}, aoi=aoi)
    outcome = wf.layers_map(inputs, out, lang=lang, layers=names, result_files=_pairs(results, "--result", lang),
                            color_by=_pairs(color_by, "--color-by", lang), title=title, basemap=basemap,
                            offline=offline, tianditu_key=tianditu_key,
                            read_options={"assume_crs": assume_crs, "from_gcj02": from_gcj02})
    m, path = outcome.result, outcome.files[0]
    drawn = vocabulary.join([vocabulary.ui("layer_count", lang, "render", title=i["title"], n=i["features"])
                             for i in m.hn_geo["layers"]], lang)
    click.echo(vocabulary.ui("map_written", lang, "render", path=vocabulary.display_path(path),
                             size=round(path.stat().st_size / 1e6, 1),
                             mode=vocabulary.word("map_mode", "offline" if m.hn_geo["offline"] else "online",
                                                  lang, "render"),
                             basemap=vocabulary.word("basemap", m.hn_geo["basemap"], lang, "render"),
                             layers=drawn))
