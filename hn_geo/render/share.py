"""Share packages: one zip that other departments open in any GIS or script.

A package holds, for every layer,

* ``<name>.geojson`` -- RFC 7946 GeoJSON (WGS84 lon/lat, right-hand winding, at most 7
  decimals, UTF-8 with Chinese text intact);
* ``fields/<name>_fields.csv`` -- field dictionary (field, label, unit, type in the run's
  language), UTF-8 with BOM so Excel opens it;

and, once for the package,

* ``<package>.gpkg`` -- every layer in one GeoPackage in CGCS2000 (EPSG:4490);
* ``metadata.json`` -- per layer: name, title, feature count, bounding box, CRS,
  provenance, creation time, hn_geo version;
* ``README.txt`` -- what the files are, for the recipients;
* ``SOURCES.md`` -- data provenance (``layers/SOURCES.md``, given by the caller);
* ``SHA256SUMS`` -- ``sha256sum`` format, check with ``sha256sum -c SHA256SUMS``.

Every word (titles, labels, field types, README, provenance) comes from the vocabulary, in
the run's language; coded values are written as words of that language (booleans stay
booleans). The layers are given by the caller as :class:`ShareLayer` objects
(:mod:`hn_geo.workflows.share` reads catalog layers and files). The zip is built in a
temporary folder and renamed into place: a failure midway leaves no partial package.
:func:`hn_geo.render.share_read.read_share_package` reads a package back.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hn_geo import vocabulary
from hn_geo.core import files as io_f
from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import Msg
from hn_geo.core.settings import LANGS, STORAGE_CRS, WGS84
from hn_geo.core.version import __version__
from hn_geo.render import palette, tables
from hn_geo.render import writers as io_w
from hn_geo.render.escape import markdown_text
from hn_geo.render.labels import analysis_title, column_parts, layer_title, ui, value_word
from hn_geo.render.share_read import read_share_package, verify_checksums  # noqa: F401  (re-exported)

FIELD_COLUMNS = ("name", "label", "unit", "type")
GEOJSON_CRS = "OGC:CRS84"


@dataclass
class ShareLayer:
    """One layer of a share package.

    Attributes
    ----------
    name : str
        Layer name in the package (file stem, GeoPackage layer name).
    gdf : geopandas.GeoDataFrame
    scope : str, optional
        Vocabulary block of its words: 'ground' for catalog layers, an analysis name for
        result layers.
    table : str, optional
        Layer code for its title and labels (``<table>.<column>``; default ``name``).
    codes : dict
        ``{column: value family}`` of coded columns, written as words.
    labels : dict
        ``{column: (zh, en) or (zh, en, unit)}`` for columns the vocabulary does not know.
    title : str, optional
        Title (default: the vocabulary's layer title).
    origin : Msg or str, optional
        Where the layer comes from (the first part of its provenance).
    """

    name: str
    gdf: object
    scope: str | None = None
    table: str | None = None
    codes: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    title: str | None = None
    origin: object = None

    @property
    def key(self):
        return self.table or self.name


def result_layers(result):
    """The layers of an analysis result as :class:`ShareLayer` objects.

    Layer names are prefixed with the analysis name unless they already start with it
    (``water`` + ``sections`` -> ``water_sections``).
    """
    out = []
    for key, gdf in result.layers.items():
        name = key if key.startswith(result.name) else f"{result.name}_{key}"
        out.append(ShareLayer(
            name, gdf, scope=result.name, table=key, codes=dict(result.codes),
            origin=Msg("render.origin_result", analysis=result.name)))
    return out


def title_of(layer, lang):
    """Title of a share layer in ``lang``.

    A result layer (scope: an analysis) has its analysis' title for it, else the analysis
    title and the catalog layer's (``水环境质量评价·水质监测断面``).
    """
    if layer.title:
        return layer.title
    result = layer.scope in vocabulary.BLOCKS and layer.scope not in ("ground", "common")
    own = ((vocabulary.load().get(layer.scope) or {}).get("layers") or {}).get(layer.key) if result else None
    if own is not None:
        return vocabulary.title("layers", layer.key, lang, layer.scope)
    lab = layer.labels.get(layer.key)
    if lab is not None:
        return lab if isinstance(lab, str) else lab[0 if lang == "zh" else 1]
    base = layer_title(layer.key, lang, default=layer.name)
    if result:
        return ui("result_layer_title", lang, analysis=analysis_title(layer.scope, lang), layer=base)
    return base


def provenance(layer, lang):
    """Where a layer comes from, in ``lang``: origin | source texts | approximate count."""
    gdf = layer.gdf
    parts = []
    if layer.origin is not None:
        origin = layer.origin
        if isinstance(origin, Msg) and origin.code == "render.origin_result":
            origin = Msg(origin.code, analysis=analysis_title(origin.params["analysis"], lang))
        parts.append(vocabulary.render(origin, lang))
    if "source" in gdf.columns:
        vals = [vocabulary.word("ground.provenance", v, lang)
                for v in pd.Series(gdf["source"]).dropna().astype(str).unique()]
        if len(vals):
            more = ui("more_sources", lang, n=len(vals) - 5) if len(vals) > 5 else ""
            parts.append("; ".join(vals[:5]) + more)
    if "approximate" in gdf.columns:
        n = int(pd.Series(gdf["approximate"]).fillna(False).astype(bool).sum())
        if n:
            parts.append(ui("approx_features", lang, n=n, total=len(gdf)))
    return " | ".join(parts)


# ----------------------------------------------------------------------------- field dictionary
def dtype_name(series):
    """Type code of a column: str, int, float, bool, date, datetime."""
    dt = series.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "bool"
    if pd.api.types.is_integer_dtype(dt):
        return "int"
    if pd.api.types.is_float_dtype(dt):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dt):
        return "datetime"
    sample = series.dropna()
    if len(sample):
        first = sample.iloc[:100]
        if all(isinstance(v, _dt.date) and not isinstance(v, _dt.datetime) for v in first):
            return "date"
        if all(isinstance(v, (bool, np.bool_)) for v in first):
            return "bool"
    return "str"


def _override(layer, col, lang):
    lab = layer.labels.get(col)
    if lab is None or isinstance(lab, str):
        return None if lab is None else (lab, "")
    text = lab[0 if lang == "zh" else 1]
    if len(lab) >= 3:
        return text, lab[2] or ""
    return column_parts(col, lang, overrides={col: text})


def field_dictionary(layer, *, lang="zh", gdf=None):
    """Field dictionary of a layer: one row per attribute column (headers in ``lang``).

    Labels and units come from the vocabulary (the layer's scope and table, then the
    catalog's ``ground`` words); a unit written as a trailing parenthesis of a label
    ("面积 (km²)") is split out.
    """
    gdf = layer.gdf if gdf is None else gdf
    rows = []
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        label, unit = _override(layer, col, lang) or column_parts(col, lang, scope=layer.scope, table=layer.key,
                                                                  any_layer=True)
        rows.append((col, label, unit, value_word("field_type", dtype_name(gdf[col]), lang)))
    heads = [vocabulary.label(f"fields.{c}", lang, "render") for c in FIELD_COLUMNS]
    return pd.DataFrame(rows, columns=heads)


# ----------------------------------------------------------------------------- writing
def write_rfc7946(gdf, path, precision=7):
    """Write GeoJSON per RFC 7946 (exact decimal rounding): see :func:`hn_geo.render.writers.write_geojson`."""
    return io_w.write_geojson(gdf, path, precision=precision)


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _readme_text(meta, lang):
    width = max([len(m["name"]) for m in meta["layers"]] + [8])
    lines = [f"  {m['name']:<{width}s}  {m['feature_count']:>8d}  {m['title']}" for m in meta["layers"]]
    return ui("readme", lang, created=meta["created"], generator=meta["generator"],
              geopackage=meta["geopackage"], layers="\n".join(lines)).rstrip("\n") + "\n"


def _sources_text(meta, lang):
    lines = [ui("sources_missing", lang), ""]
    lines += [f"- **{markdown_text(m['name'])}** ({markdown_text(m['title'])}): {markdown_text(m['source'] or '-')}"
              for m in meta["layers"]]  # the data's text stays text
    return "\n".join(lines) + "\n"


def _bbox(gdf):
    g = gdf.to_crs(WGS84).geometry
    g = g[g.notna() & ~g.is_empty]
    if g.empty:
        return None
    return [round(float(v), 7) for v in g.total_bounds]


def _in_words(layer, lang):
    """The layer with its coded values in words of ``lang`` (booleans and numbers kept)."""
    codes = palette.qualified_codes(layer.codes, layer.scope)
    return tables.present(layer.gdf, lang=lang, scope=layer.scope, codes=codes, keep_geometry=True,
                          labels=False, table=layer.key, bool_words=False)


def _layer_meta(layer, gdf, fd, lang, created, files):
    geom_types = sorted(pd.Series(gdf.geometry.geom_type).dropna().unique().tolist())
    return {
        "name": layer.name, "title": title_of(layer, lang), "feature_count": int(len(gdf)),
        "geometry_types": geom_types, "bbox": _bbox(gdf), "bbox_crs": GEOJSON_CRS,
        "crs": {"geojson": GEOJSON_CRS, "geopackage": STORAGE_CRS, "source": gdf.crs.to_string()},
        "source": provenance(layer, lang), "created": created, "hn_geo_version": __version__,
        "files": files, "fields": fd.iloc[:, 0].tolist(),
    }


def _write_layers(layers, root, lang, created, meta):
    """GeoJSONs, field dictionaries and the GeoPackage into ``root``; returns the file names."""
    names, shown = [], {}
    with warnings.catch_warnings():
        # GDAL notes the temporary '.tmp' suffix of atomic writes; not a user matter
        warnings.filterwarnings("ignore", message=".*(file name|filename|file) extension.*")
        for lyr in layers:
            if lyr.gdf.crs is None:
                raise HnGeoError(code="render.layer_no_crs", params={"layer": lyr.name})
            gdf = shown[lyr.name] = io_w.valid_geometries(_in_words(lyr, lang), lyr.name)  # warns once
            gj, fields_name = f"{lyr.name}.geojson", f"fields/{lyr.name}_fields.csv"
            write_rfc7946(gdf, root / gj)
            fd = field_dictionary(lyr, lang=lang, gdf=gdf)
            tables.write_csv(fd, root / fields_name)
            names += [gj, fields_name]
            meta["layers"].append(_layer_meta(lyr, gdf, fd, lang, created, {
                "geojson": gj, "geopackage_layer": lyr.name, "fields": fields_name}))
        io_w.write_gpkg_layers(shown, root / meta["geopackage"])
    return names + [meta["geopackage"]]


def write_share_package(layers, out, *, lang="zh", package_name=None, created=None, sources=None):
    """Write a share package zip.

    Parameters
    ----------
    layers : iterable of ShareLayer
        The layers, in package order (names made unique and file-safe).
    out : str or Path
        The zip file to write (replaced atomically).
    lang : {'zh', 'en'}
        Language of every word in the package: titles, field dictionaries, README,
        provenance, coded values. Attribute names stay the English column names.
    package_name : str, optional
        Stem of the GeoPackage inside (default: the zip's stem).
    created : datetime, optional
        Creation time recorded in the metadata (default: now, UTC).
    sources : str, optional
        Text of ``SOURCES.md`` (the embedded layers' provenance document); a list of the
        layers' provenance when not given.

    Returns
    -------
    dict
        The package metadata (as written to ``metadata.json``).
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise HnGeoError(code="render.not_zip", path=out)
    layers = unique_names(list(layers))
    if not layers:
        raise HnGeoError(code="render.nothing_to_export")
    created = (created or _dt.datetime.now(_dt.timezone.utc)).isoformat(timespec="seconds")
    package_name = package_name or out.stem
    meta = {"package": package_name, "lang": lang, "created": created, "generator": f"hn_geo {__version__}",
            "hn_geo_version": __version__, "geopackage": f"{package_name}.gpkg",
            "geopackage_crs": STORAGE_CRS, "geojson_crs": GEOJSON_CRS,
            "sources": "SOURCES.md", "checksums": "SHA256SUMS", "layers": []}
    with tempfile.TemporaryDirectory(prefix="hn_geo_share_") as tmpdir:
        root = Path(tmpdir)
        (root / "fields").mkdir()
        files = _write_layers(layers, root, lang, created, meta)
        # BOM: older Windows Notepad opens UTF-8 Chinese text correctly only with it
        (root / "README.txt").write_text(_readme_text(meta, lang), encoding="utf-8-sig")
        (root / "SOURCES.md").write_text(sources if sources is not None else _sources_text(meta, lang),
                                         encoding="utf-8")
        (root / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                            encoding="utf-8")
        files += ["README.txt", "SOURCES.md", "metadata.json"]
        (root / "SHA256SUMS").write_text("".join(f"{_sha256(root / f)}  {f}\n" for f in files), encoding="utf-8")
        files.append("SHA256SUMS")
        with io_f.atomic_path(out) as tmp:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for f in files:
                    zf.write(root / f, arcname=f)
    return meta


def unique_names(layers):
    """Layers with file-safe, unique names (later duplicates get ``_2``, ``_3`` ...)."""
    seen = {}
    for lyr in layers:
        base = re.sub(r"[^\w\-]+", "_", lyr.name).strip("_") or "layer"
        name, k = base, 2
        while name in seen:
            name, k = f"{base}_{k}", k + 1
        lyr.name = name
        seen[name] = lyr
    return list(seen.values())
