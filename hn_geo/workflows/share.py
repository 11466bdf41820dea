"""The share package of a run (or of ``hn-geo export``): catalog layers, files, result layers.

Catalog layers come from the run's :class:`~hn_geo.ground.inputs.Inputs` (the user's file
or the embedded one), vector files given by path are read here (every layer of a
GeoPackage), result layers from the analysis results; :mod:`hn_geo.render.share` writes
the zip in the run's language.
"""
from __future__ import annotations

from pathlib import Path

from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import Msg
from hn_geo.ground import catalog, readers
from hn_geo.render.share import GEOJSON_MAX_MB, ShareLayer, result_layers, write_share_package
from hn_geo.workflows.common import Outcome
from hn_geo.workflows.maps import BASE_CONTEXT, CONTEXT

QGIS_STYLES_TABLE = "layer_styles"
"""QGIS' style table in a GeoPackage (a share package's own): styles, not a layer to export."""


def catalog_layer(inputs, name):
    """A catalog layer of the inputs as a :class:`~hn_geo.render.share.ShareLayer`.

    Raises
    ------
    HnGeoError
        The layer has neither a user file nor an embedded default.
    """
    gdf = inputs.layer(name, optional=True)
    if gdf is None:
        raise HnGeoError(code="render.no_layer_file", params={"layer": name})
    schema = catalog.get_schema(name)
    if inputs.is_user(name):
        origin = Msg("render.origin_user", file=Path(inputs.source_of(name)).name)
    else:
        origin = Msg("render.origin_embedded", file=schema.default_file)
    codes = {f.name: f.family for f in schema.fields if getattr(f, "family", None)}
    return ShareLayer(name, gdf, scope="ground", table=name, codes=codes, origin=origin)


def file_layers(path):
    """Every layer of a vector file (e.g. a result ``<analysis>_layers.gpkg``) as ShareLayers.

    GeoPackage layers are named ``<file stem>_<layer>``; a result file's layers are
    labelled with its analysis' words (their values are already words). QGIS' style table
    (``layer_styles``) is not a layer.
    """
    path = Path(path)
    if not path.exists():
        raise HnGeoError(code="render.file_not_found", path=path)
    names = [n for n in readers.list_layers(path) if n != QGIS_STYLES_TABLE]
    stem = path.stem[:-len("_layers")] if path.stem.endswith("_layers") else path.stem
    multi = path.suffix.lower() == ".gpkg"
    out = []
    for lyr in names:
        gdf = readers.read_file(path, layer=lyr if len(names) > 1 else None)
        name = lyr if multi else path.stem
        if multi and stem and not name.startswith(stem):
            name = f"{stem}_{name}"
        origin = (Msg("render.origin_file_layer", file=path.name, layer=lyr) if multi
                  else Msg("render.origin_file", file=path.name))
        out.append(ShareLayer(name, gdf, scope=stem, table=lyr if multi else None, origin=origin))
    return out


def available(inputs):
    """Catalog layers the inputs have (the user's or embedded), in catalog order."""
    return [n for n in catalog.SCHEMAS if inputs.has_layer(n)]


def resolve(inputs, items):
    """ShareLayers of catalog layer names and/or vector file paths (or ShareLayers as they are)."""
    out = []
    for item in items:
        if isinstance(item, ShareLayer):
            out.append(item)
        elif isinstance(item, str) and item in catalog.SCHEMAS:
            out.append(catalog_layer(inputs, item))
        elif Path(item).exists():
            out.extend(file_layers(item))
        else:
            raise HnGeoError(code="render.not_a_layer", params={"item": str(item), "known": list(catalog.SCHEMAS)})
    return out


def sources_text():
    """Text of the embedded layers' ``SOURCES.md`` (None when absent)."""
    src = catalog.layers_dir() / "SOURCES.md"
    return src.read_text(encoding="utf-8") if src.exists() else None


def run(inputs, out_path, *, lang="zh", results=None, layers=None, include_results=True, geojson_max_mb=None):
    """Write a share package zip.

    Parameters
    ----------
    inputs : hn_geo.ground.inputs.Inputs
        Where catalog layers come from.
    out_path : str or Path
        The zip file (replaced atomically).
    lang : {'zh', 'en'}
        Language of every word in the package.
    results : iterable of AnalysisResult, optional
    layers : list of str or Path, optional
        Catalog layer names and/or vector files; default: every catalog layer the inputs
        have.
    include_results : bool
        Add the result layers of ``results``.
    geojson_max_mb : float, optional
        Largest GeoJSON per layer in MB (default
        :data:`~hn_geo.render.share.GEOJSON_MAX_MB`); bigger layers go as GeoParquet.

    Returns
    -------
    Outcome
        ``result``: the package metadata (as in ``metadata.json``); ``files``: the zip.
    """
    items = resolve(inputs, layers) if layers else [catalog_layer(inputs, n) for n in available(inputs)]
    if include_results:
        for res in results or ():
            items += result_layers(res)
    # the full provenance document (layers/SOURCES.md) is English: an English package carries
    # it, a Chinese one the per-layer provenance in Chinese with a pointer to it
    contexts = {name: BASE_CONTEXT + CONTEXT.get(name, ()) for name in {r.name for r in results or ()}}
    meta = write_share_package(items, out_path, lang=lang, sources=sources_text() if lang == "en" else None,
                               geojson_max_mb=GEOJSON_MAX_MB if geojson_max_mb is None else geojson_max_mb,
                               contexts=contexts)
    return Outcome(meta, [Path(out_path)])
