"""`hn-geo map`: write an interactive HTML map of catalog layers and result layers."""
from __future__ import annotations

from pathlib import Path

import click

from hn_geo.cli.options import assume_crs_option, from_gcj02_option, handle_errors, lang_option


def _pairs(values, option):
    """Parse repeated/comma-separated ``LAYER:VALUE`` options into a dict."""
    out = {}
    for value in values:
        for item in str(value).split(","):
            item = item.strip()
            if not item:
                continue
            if ":" not in item:
                raise click.BadParameter(f"expected LAYER:VALUE, got '{item}'", param_hint=option)
            name, val = item.split(":", 1)
            out[name.strip()] = val.strip()
    return out


@click.command("map")
@click.option("--layers", "layer_names", default=None, metavar="NAMES",
              help="Comma-separated catalog layers to draw (default: the overview set — boundary, "
                   "neighbors, towns, parks, rivers, sections, emission_points, control_units — "
                   "skipping layers with no embedded data).")
@click.option("--file", "files", multiple=True, metavar="LAYER:PATH",
              help="Use a file of yours for a catalog layer, e.g. towns:my_towns.gpkg (repeatable).")
@click.option("--result", "results", multiple=True, metavar="NAME:PATH",
              help="Add an analysis-result layer from a GeoPackage layer or file, e.g. "
                   "sections:out/water/water_layers.gpkg (repeatable; styled by NAME and columns).")
@click.option("--color-by", "color_by", multiple=True, metavar="LAYER:COLUMN",
              help="Colour a layer by a column (numeric -> choropleth with legend; for emission "
                   "points the column sizes the graduated circles), e.g. towns:target_basic.")
@click.option("--basemap", type=click.Choice(["none", "osm", "tianditu-vec", "tianditu-img", "amap",
                                              "amap-img"]),
              default="none", show_default=True,
              help="Background tiles. 'none' needs no network; the others are loaded from the "
                   "provider when the map is opened (AMap: data shifted to GCJ-02 to match).")
@click.option("--tianditu-key", envvar="TIANDITU_KEY", default=None,
              help="Tianditu API key for tianditu-* basemaps (or set TIANDITU_KEY).")
@click.option("--offline/--online", default=True, show_default=True,
              help="Offline (the default) inlines Leaflet and every tool into the HTML so it opens "
                   "with no network; --online loads Leaflet from a CDN (smaller file).")
@click.option("--title", default=None, help="Title shown on the map.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Output HTML file, e.g. maps/overview.html.")
@lang_option
@assume_crs_option
@from_gcj02_option
@handle_errors
def map_cmd(layer_names, files, results, color_by, basemap, tianditu_key, offline, title, out, lang,
            assume_crs, from_gcj02):
    """Write an interactive HTML map (double-click to open; offline by default).

    With no options it draws the overview map of the embedded Haining layers.
    Layers carry Chinese popups (--lang en for English), a layer switcher,
    legends, scale bar, full-screen, measure, mini-map and a search box for
    towns and sections; approximate or synthetic layers get a caption.
    """
    from hn_geo.ground.catalog import SCHEMAS
    from hn_geo.ground.readers import read_file
    from hn_geo.render import maps

    names = [n.strip() for n in layer_names.split(",") if n.strip()] if layer_names else None
    if names:
        unknown = [n for n in names if n not in SCHEMAS]
        if unknown:
            raise click.BadParameter(f"unknown layer(s) {', '.join(unknown)}; known: {', '.join(SCHEMAS)}",
                                     param_hint="--layers")
    paths = _pairs(files, "--file")
    for name in paths:
        if name not in SCHEMAS:
            raise click.BadParameter(f"unknown layer '{name}'", param_hint="--file")
    result_pairs = _pairs(results, "--result")
    if names is not None:
        names = names + [n for n in paths if n not in names]
    elif paths:
        names = list(paths)  # the user's files only (plus results)
    elif result_pairs:
        names = [n for n in ("boundary", "towns") if n not in result_pairs]  # context for results
    overview = names is None
    layers = maps.load_layers(names, paths, assume_crs=assume_crs, from_gcj02=from_gcj02) \
        if (names is None or names) else {}
    specs = [maps.LayerSpec(n, g, show=False if (overview and n in ("control_units", "red_line",
                                                                    "water_source")) else None)
             for n, g in layers.items()]
    for name, path in result_pairs.items():
        p = Path(path)
        layer = name if p.suffix.lower() == ".gpkg" else None
        gdf = read_file(p, layer=layer, assume_crs=assume_crs, from_gcj02=from_gcj02)
        specs = [s for s in specs if s.name != name]
        specs.append(maps.LayerSpec(name, gdf))
    if not specs:
        raise click.ClickException("no layers to draw (no embedded data found and no --file/--result)")
    if title is None and overview:
        title = "海宁市节能减排规划底图" if lang == "zh" else "Haining energy-saving plan: overview"
    m = maps.make_map(specs, basemap=basemap, offline=offline, lang=lang, title=title,
                      color_by=_pairs(color_by, "--color-by"), tianditu_key=tianditu_key)
    path = maps.save_map(m, out)
    drawn = ", ".join(f"{i['name']} ({i['features']})" for i in m.hn_geo["layers"])
    size = path.stat().st_size / 1e6
    click.echo(f"wrote {path} ({size:.1f} MB, {'offline' if offline else 'online'}, basemap {basemap}): {drawn}")
