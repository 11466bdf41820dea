"""Maps of a run: the overview of the catalog layers and one map per analysis result.

The catalog layers come from the run's :class:`~hn_geo.ground.inputs.Inputs` (a layer the
user gave replaces the embedded one on every map); :mod:`hn_geo.render.maps` draws what it
is given. Used by ``hn-geo map`` and by the batch run.
"""
from __future__ import annotations

import warnings
from pathlib import Path

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground import catalog, readers
from hn_geo.ground import rasters as ground_rasters
from hn_geo.render import maps
from hn_geo.workflows.common import Outcome

OVERVIEW_LAYERS = ("boundary", "neighbors", "towns", "parks", "rivers", "sections", "emission_points",
                   "control_units", "red_line", "water_source")
"""Catalog layers of the overview map (those without data are left out with a warning)."""
BASE_CONTEXT = ("boundary", "towns")
CONTEXT = {"water": ("rivers",), "zoning": ("rivers", "red_line", "water_source"), "solar": ("towns",)}
"""Catalog layers drawn under each analysis' result layers (besides the boundary and towns)."""


def catalog_spec(inputs, name, **options):
    """A catalog layer of the inputs as a :class:`~hn_geo.render.maps.LayerSpec` (None if absent).

    The spec carries the layer's words (``ground`` block), the value families of its coded
    fields and its id field.
    """
    gdf = inputs.layer(name, optional=True)
    if gdf is None:
        return None
    schema = catalog.get_schema(name)
    codes = {f.name: f.family for f in schema.fields if getattr(f, "family", None)}
    return maps.LayerSpec(name, gdf, scope="ground", codes=codes, id_field=schema.id_field, **options)


def catalog_specs(inputs, names, *, hidden=()):
    """Specs of the catalog layers ``names`` the inputs have; the others are left out with a
    warning."""
    specs, absent = [], []
    for name in names:
        spec = catalog_spec(inputs, name, show=False if name in hidden else None)
        (specs if spec is not None else absent).append(spec if spec is not None else name)
    if absent:
        warnings.warn(HnGeoWarning("render.layers_missing", n=len(absent), layers=absent), stacklevel=2)
    return specs


def _map_options(basemap, offline, tianditu_key):
    opts = {"basemap": basemap or "none", "offline": True if offline is None else bool(offline)}
    if tianditu_key:
        opts["tianditu_key"] = tianditu_key
    return opts


def result_file_specs(files, **read_options):
    """Result layers from files (``{name: path}``): a GeoPackage's layer ``name``, or the file.

    A file named ``<analysis>_layers.gpkg`` (written by an analysis) is labelled with that
    analysis' words; its values are already words.
    """
    specs = []
    for name, path in (files or {}).items():
        p = Path(path)
        gdf = readers.read_file(p, layer=name if p.suffix.lower() == ".gpkg" else None, **read_options)
        stem = p.stem[:-len("_layers")] if p.stem.endswith("_layers") else p.stem
        scope = stem if stem in vocabulary.BLOCKS else None
        specs.append(maps.LayerSpec(name, gdf, scope=scope))
    return specs


def layers_map(inputs, out_path, *, lang="zh", layers=None, result_files=None, color_by=None, title=None,
               basemap=None, offline=None, tianditu_key=None, read_options=None):
    """One map of catalog layers and result layers read from files (``hn-geo map``).

    Parameters
    ----------
    inputs : hn_geo.ground.inputs.Inputs
    out_path : str or Path
        The HTML file.
    layers : list of str, optional
        Catalog layers to draw (default: the user's own layers; the boundary and towns
        under result files; else the overview set).
    result_files : dict, optional
        ``{layer name: path}`` of result layers (e.g. ``sections: out/water/water_layers.gpkg``).
    color_by : dict, optional
        ``{layer: column}``.

    Returns
    -------
    Outcome
        ``files`` holds the HTML file; ``result`` the folium map.
    """
    result_files = dict(result_files or {})
    names, overview = layers, False
    if names is None:
        user = [n for n in OVERVIEW_LAYERS if inputs.is_user(n)] + \
               [n for n in inputs.layers if n not in OVERVIEW_LAYERS]
        names = user or ([n for n in BASE_CONTEXT if n not in result_files] if result_files else None)
    if names is None:
        names, overview = list(OVERVIEW_LAYERS), True
    specs = catalog_specs(inputs, names, hidden=maps.HIDDEN_ON_OVERVIEW if overview else ())
    extra = result_file_specs(result_files, **(read_options or {}))
    specs = [s for s in specs if s.name not in result_files] + extra
    if not specs:
        raise HnGeoError(code="render.no_embedded_layers")
    if title is None and overview:
        title = vocabulary.ui("overview_title", lang, scope="render")
    m = maps.make_map(specs, lang=lang, title=title, color_by=color_by,
                      **_map_options(basemap, offline, tianditu_key))
    return Outcome(m, [maps.save_map(m, out_path)])


def overview_map(inputs, out_path, *, lang="zh", basemap=None, offline=None, tianditu_key=None):
    """The overview map of the inputs' catalog layers; returns the HTML path."""
    specs = catalog_specs(inputs, OVERVIEW_LAYERS)
    if not specs:
        raise HnGeoError(code="render.no_embedded_layers")
    m = maps.overview_map(specs, lang=lang, **_map_options(basemap, offline, tianditu_key))
    return maps.save_map(m, out_path)


def raster_overlays(result, lang):
    """Raster overlays of a result: the annual irradiation of a solar result with surface-model
    rasters (``meta['rasters']``), read from its COG's overviews."""
    path = (result.meta.get("rasters") or {}).get("irradiation")
    if not path or not Path(path).exists():
        return []
    r = ground_rasters.read_overview(path, max_size=2048)
    return [maps.RasterOverlay("annual_irradiation", r.array, r.transform, r.crs,
                               vocabulary.ui("overlay_irradiation", lang, scope="solar"))]


def result_map(inputs, result, out_path, *, lang="zh", basemap=None, offline=None, tianditu_key=None):
    """The map of one analysis result over its context layers; returns the HTML path."""
    names = [n for n in BASE_CONTEXT + CONTEXT.get(result.name, ()) if n not in result.layers]
    context = [s for n in dict.fromkeys(names) if (s := catalog_spec(inputs, n)) is not None]
    m = maps.result_map(result, context, lang=lang, rasters=raster_overlays(result, lang),
                        **_map_options(basemap, offline, tianditu_key))
    return maps.save_map(m, out_path)


def run(inputs, out_dir, *, lang="zh", results=None, overview=True, per_analysis=True, basemap=None,
        offline=True, tianditu_key=None):
    """Write the maps of a run: ``overview.html`` and ``<analysis>.html`` per result with layers.

    Parameters
    ----------
    inputs : hn_geo.ground.inputs.Inputs
        Where the catalog layers come from.
    out_dir : str or Path
    lang : {'zh', 'en'}
    results : iterable of AnalysisResult, optional
    overview, per_analysis : bool
        Which maps to write.
    basemap : str, optional
        'none' (default), 'osm', 'tianditu-vec', 'tianditu-img', 'amap', 'amap-img'.
    offline : bool
        Inline every asset (default).
    tianditu_key : str, optional

    Returns
    -------
    Outcome
        ``files``: the HTML files written.
    """
    out_dir = Path(out_dir)
    opts = {"lang": lang, "basemap": basemap, "offline": offline, "tianditu_key": tianditu_key}
    files = []
    if overview:
        files.append(overview_map(inputs, out_dir / "overview.html", **opts))
    if per_analysis:
        for res in results or ():
            if res.layers:
                files.append(result_map(inputs, res, out_dir / f"{res.name}.html", **opts))
    return Outcome(None, files)
