"""Share packages: one zip that other departments open in any GIS or script.

A package holds, for every layer,

* ``<name>.geojson`` -- RFC 7946 GeoJSON (WGS84 lon/lat, right-hand winding,
  at most 7 decimals, UTF-8 with Chinese text intact);
* ``fields/<name>_fields.csv`` -- field dictionary (name, Chinese label,
  English label, unit, type), UTF-8 with BOM so Excel opens it;

and, once for the package,

* ``<package>.gpkg`` -- every layer in one GeoPackage in CGCS2000 (EPSG:4490)
  for GIS desktops;
* ``metadata.json`` -- per layer: name, titles, feature count, bounding box,
  CRS, source/provenance, creation time, hn_geo version;
* ``README.txt`` -- what the files are, for the recipients (Chinese and English);
* ``SOURCES.md`` -- data provenance (``layers/SOURCES.md``);
* ``SHA256SUMS`` -- ``sha256sum`` format, check with ``sha256sum -c SHA256SUMS``.

The zip is built in a temporary file and renamed into place
(:func:`hn_geo.io.atomic_path`): a failure midway leaves no partial package.
:func:`read_share_package` reads a package back (checksums verified, types
restored from the field dictionaries).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import io as _io
import json
import re
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.settings import STORAGE_CRS, WGS84
from hn_geo.core.version import __version__
from hn_geo.ground import catalog

FIELD_HEADERS = {"zh": ("字段名", "中文名称", "英文名称", "单位", "类型"),
                 "en": ("name", "Chinese label", "English label", "unit", "type")}
GEOJSON_CRS = "OGC:CRS84"
_UNIT_RE = re.compile(r"^(?P<label>.*?)\s*[（(](?P<unit>[^()（）]{1,14})[)）]\s*$")


@dataclass
class ShareLayer:
    """One layer of a share package.

    Attributes
    ----------
    name : str
        Layer name in the package (file stem, GeoPackage layer name).
    gdf : geopandas.GeoDataFrame
    title_zh, title_en : str
    labels : dict
        ``{column: (zh, en)}`` or ``{column: (zh, en, unit)}``.
    source : str
        Where the layer comes from (provenance text).
    """

    name: str
    gdf: object
    title_zh: str = ""
    title_en: str = ""
    labels: dict = field(default_factory=dict)
    source: str = ""


# ----------------------------------------------------------------------------- collecting layers
def embedded_layer_names():
    """Catalog layers whose embedded default file is present."""
    names = []
    for name, schema in catalog.SCHEMAS.items():
        if schema.default_file and catalog.default_path(name).exists():
            names.append(name)
    return names


def catalog_labels(name):
    """``{column: (zh, en, unit)}`` of a catalog layer."""
    return {f.name: (f.zh, f.en, f.unit) for f in catalog.get_schema(name).fields}


def _all_catalog_labels():
    out = {}
    for name in catalog.SCHEMAS:
        for col, lab in catalog_labels(name).items():
            out.setdefault(col, lab)
    return out


def catalog_layer(name, path=None, **load_kwargs):
    """Load a catalog layer as a :class:`ShareLayer` (embedded default unless ``path``)."""
    gdf = catalog.load_layer(name, path, **load_kwargs)
    schema = catalog.get_schema(name)
    return ShareLayer(name, gdf, schema.zh, schema.en, catalog_labels(name),
                      _provenance(gdf, Path(gdf.attrs.get("hn_geo_source", "")).name))


def result_layers(result):
    """The layers of an :class:`hn_geo.results.AnalysisResult` as :class:`ShareLayer` objects.

    Layer names are prefixed with the analysis name unless they already start
    with it (``water`` + ``sections`` -> ``water_sections``).
    """
    out = []
    for key, gdf in result.layers.items():
        name = key if key.startswith(result.name) else f"{result.name}_{key}"
        if key in result.labels:
            zh, en = _pair(result.labels[key], key)
        else:
            from hn_geo.render.workbook import ANALYSIS_TITLES

            azh, aen = ANALYSIS_TITLES.get(result.name, (result.name, result.name))
            lzh, len_ = (catalog.get_schema(key).zh, catalog.get_schema(key).en) if key in catalog.SCHEMAS \
                else (key, key)
            zh, en = f"{azh}·{lzh}", f"{aen}: {len_}"
        out.append(ShareLayer(name, gdf, zh, en, dict(result.labels),
                              _provenance(gdf, f"hn_geo {result.name} analysis result")))
    return out


def analysis_labels(name):
    """Column labels of an analysis' results (``hn_geo.<name>.labels()`` or ``.LABELS``), else {}.

    Used for result GeoPackages (``<name>_layers.gpkg``) given by path, whose columns
    are not in the catalog.
    """
    import importlib
    import importlib.util

    if name not in ("water", "zoning", "solar", "targets") or \
            importlib.util.find_spec(f"hn_geo.{name}") is None:
        return {}
    mod = importlib.import_module(f"hn_geo.{name}")
    lab = getattr(mod, "labels", None)
    if callable(lab):
        try:
            lab = lab()
        except TypeError:
            lab = None
    if not isinstance(lab, dict):
        lab = getattr(mod, "LABELS", None)
    return dict(lab) if isinstance(lab, dict) else {}


def file_layers(path):
    """Every layer of a vector file (e.g. a result ``*_layers.gpkg``) as :class:`ShareLayer`."""
    import pyogrio

    from hn_geo.ground import readers as io_r

    path = Path(path)
    if not path.exists():
        raise HnGeoError("file not found", path=path)
    try:
        names = [row[0] for row in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio.errors.DataSourceError
        raise HnGeoError(f"cannot read as a vector file ({exc})", path=path) from exc
    out = []
    stem = path.stem[:-len("_layers")] if path.stem.endswith("_layers") else path.stem
    multi = path.suffix.lower() == ".gpkg"  # GeoPackage layers are named <file stem>_<layer>
    for lyr in names:
        gdf = io_r.read_file(path, layer=lyr if len(names) > 1 else None)
        name = lyr if multi else path.stem
        if multi and stem and not name.startswith(stem):
            name = f"{stem}_{name}"
        title_zh, title_en = name, name
        if lyr in catalog.SCHEMAS:
            title_zh, title_en = catalog.get_schema(lyr).zh, catalog.get_schema(lyr).en
        out.append(ShareLayer(name, gdf, title_zh, title_en, analysis_labels(stem),
                              _provenance(gdf, f"file {path.name}" + (f", layer {lyr}" if multi else ""))))
    return out


def resolve_layers(items):
    """Turn catalog names and/or file paths into :class:`ShareLayer` objects.

    Parameters
    ----------
    items : iterable of str, Path or ShareLayer
        Catalog layer names (embedded default files), paths of vector files
        (every layer of a GeoPackage is taken), or ready ShareLayer objects.
        Empty: every embedded layer that is present.
    """
    items = list(items) or embedded_layer_names()
    if not items:
        raise HnGeoError("no layers to export: no embedded layer files are present and none were named")
    out = []
    for item in items:
        if isinstance(item, ShareLayer):
            out.append(item)
        elif isinstance(item, str) and item in catalog.SCHEMAS:
            out.append(catalog_layer(item))
        elif Path(item).exists():
            out.extend(file_layers(item))
        else:
            raise HnGeoError(f"'{item}' is neither a catalog layer ({', '.join(catalog.SCHEMAS)}) "
                             "nor an existing file")
    return _unique_names(out)


def _unique_names(layers):
    seen = {}
    for lyr in layers:
        base = re.sub(r"[^\w\-]+", "_", lyr.name).strip("_") or "layer"
        name, k = base, 2
        while name in seen:
            name, k = f"{base}_{k}", k + 1
        if name != lyr.name:
            lyr.name = name
        seen[name] = lyr
    return list(seen.values())


def _pair(label, default):
    if label is None:
        return default, default
    if isinstance(label, str):
        return label, label
    return label[0], label[1]


def _provenance(gdf, origin):
    parts = [origin] if origin else []
    if "source" in gdf.columns:
        vals = pd.Series(gdf["source"]).dropna().astype(str).unique()
        if len(vals):
            parts.append("; ".join(vals[:5]) + (f" (+{len(vals) - 5} more)" if len(vals) > 5 else ""))
    if "approximate" in gdf.columns:
        n = int(pd.Series(gdf["approximate"]).fillna(False).astype(bool).sum())
        if n:
            parts.append(f"{n} of {len(gdf)} features approximate or synthetic")
    return " | ".join(parts)


# ----------------------------------------------------------------------------- field dictionary
def dtype_name(series):
    """Schema-style type name of a column: str, int, float, bool, date, datetime."""
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


def field_dictionary(layer, lang="zh"):
    """Field dictionary of a layer: one row per attribute column.

    Labels come from ``layer.labels`` (catalog schema or result labels), then
    from any catalog layer that has a column of the same name; a unit written
    as a trailing parenthesis of the label ("面积 (km²)") is split out.

    Returns
    -------
    pandas.DataFrame
        Columns named by ``FIELD_HEADERS[lang]``.
    """
    known = _all_catalog_labels()
    gdf = layer.gdf
    rows = []
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        lab = layer.labels.get(col) or known.get(col)
        if lab is None or isinstance(lab, str):
            zh, en, unit = (lab or col), (lab or col), ""
        elif len(lab) >= 3:
            zh, en, unit = lab[0], lab[1], lab[2]
        else:
            zh, en, unit = lab[0], lab[1], ""
            m_zh, m_en = _UNIT_RE.match(zh), _UNIT_RE.match(en)
            if m_zh and m_en and m_zh["unit"] == m_en["unit"]:
                zh, en, unit = m_zh["label"], m_en["label"], m_en["unit"]
        rows.append((col, zh, en, unit, dtype_name(gdf[col])))
    return pd.DataFrame(rows, columns=list(FIELD_HEADERS[lang]))


# ----------------------------------------------------------------------------- writing
def write_rfc7946(gdf, path, precision=7):
    """Write GeoJSON per RFC 7946 (exact decimal rounding): see :func:`hn_geo.io.write_geojson`."""
    from hn_geo.render import writers as io_w

    return io_w.write_geojson(gdf, path, precision=precision)


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sources_text(layers):
    src = catalog.layers_dir() / "SOURCES.md"
    if src.exists():
        return src.read_text(encoding="utf-8")
    lines = ["# Sources of the layers in this package", "",
             "(layers/SOURCES.md was not found; provenance recorded per layer)", ""]
    lines += [f"- **{lyr.name}** ({lyr.title_zh}): {lyr.source or 'unknown'}" for lyr in layers]
    return "\n".join(lines) + "\n"


def _readme_text(meta):
    """Plain-text guide for the recipients of a package (Chinese and English)."""
    width = max([len(m["name"]) for m in meta["layers"]] + [8])
    lines = [
        "海宁市 hn_geo 数据共享包 / Haining hn_geo share package",
        f"生成时间 / created: {meta['created']}    {meta['generator']}",
        "",
        "内容 / contents",
        "  <图层>.geojson            每个图层一个 GeoJSON（RFC 7946：WGS84 经纬度，UTF-8）",
        "                            one GeoJSON per layer (RFC 7946: WGS84 lon/lat, UTF-8)",
        f"  {meta['geopackage']:<26s}全部图层，CGCS2000（EPSG:4490），可在 QGIS / ArcGIS 中直接打开",
        "                            every layer in CGCS2000 (EPSG:4490) for GIS desktops",
        "  fields/<图层>_fields.csv  字段字典：字段名、中文名称、英文名称、单位、类型 / field dictionary",
        "  metadata.json             元数据：要素数、范围、坐标系、来源 / metadata per layer",
        "  SOURCES.md                数据来源 / data sources and provenance",
        "  SHA256SUMS                校验和 / checksums:  sha256sum -c SHA256SUMS",
        "",
        "图层 / layers",
    ]
    lines += [f"  {m['name']:<{width}s}  {m['feature_count']:>8d}  {m['title_zh']} / {m['title_en']}"
              for m in meta["layers"]]
    lines += ["", "注意：部分图层为合成或近似数据（见 SOURCES.md 及各图层的 approximate、source 字段），不是测绘成果。",
              "Note: some layers are synthetic or approximate (see SOURCES.md and the approximate/source "
              "fields); they are not survey data."]
    return "\n".join(lines) + "\n"


def _bbox(gdf):
    g = gdf.to_crs(WGS84).geometry
    g = g[g.notna() & ~g.is_empty]
    if g.empty:
        return None
    return [round(float(v), 7) for v in g.total_bounds]


def write_share_package(layers, out, *, lang="zh", package_name=None, created=None):
    """Write a share package zip.

    Parameters
    ----------
    layers : iterable of str, Path or ShareLayer
        See :func:`resolve_layers` (empty: every embedded layer present).
    out : str or Path
        The zip file to write (replaced atomically).
    lang : {'zh', 'en'}
        Language of the field dictionaries' headers and of ``metadata.json``'s
        ``title``. Attribute names stay the English column names.
    package_name : str, optional
        Stem of the GeoPackage inside (default: the zip's stem).
    created : datetime, optional
        Creation time recorded in the metadata (default: now, UTC).

    Returns
    -------
    dict
        The package metadata (as written to ``metadata.json``).

    Raises
    ------
    HnGeoError
        Unknown layer names or unreadable files; nothing is written then.
    """
    from hn_geo.core import files as io_f
    from hn_geo.render import tables
    from hn_geo.render import writers as io_w

    if lang not in FIELD_HEADERS:
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise HnGeoError("the share package must be a .zip file", path=out)
    layers = resolve_layers(layers)
    created = (created or _dt.datetime.now(_dt.timezone.utc)).isoformat(timespec="seconds")
    package_name = package_name or out.stem
    meta = {"package": package_name, "created": created, "generator": f"hn_geo {__version__}",
            "hn_geo_version": __version__, "geopackage": f"{package_name}.gpkg",
            "geopackage_crs": STORAGE_CRS, "geojson_crs": GEOJSON_CRS,
            "sources": "SOURCES.md", "checksums": "SHA256SUMS", "layers": []}
    with tempfile.TemporaryDirectory(prefix="hn_geo_share_") as tmpdir:
        root = Path(tmpdir)
        (root / "fields").mkdir()
        files = []
        with warnings.catch_warnings():
            # GDAL notes the temporary '.tmp' suffix of atomic writes; not a user matter
            warnings.filterwarnings("ignore", message=".*(file name|filename|file) extension.*")
            for lyr in layers:
                gdf = lyr.gdf
                if gdf.crs is None:
                    raise HnGeoError(f"layer '{lyr.name}' has no CRS")
                gj = f"{lyr.name}.geojson"
                write_rfc7946(gdf, root / gj)
                fd = field_dictionary(lyr, lang)
                fields_name = f"fields/{lyr.name}_fields.csv"
                tables.write_csv(fd, root / fields_name)
                files += [gj, fields_name]
                geom_types = sorted(pd.Series(gdf.geometry.geom_type).dropna().unique().tolist())
                meta["layers"].append({
                    "name": lyr.name,
                    "title": lyr.title_zh if lang == "zh" else lyr.title_en,
                    "title_zh": lyr.title_zh, "title_en": lyr.title_en,
                    "feature_count": int(len(gdf)),
                    "geometry_types": geom_types,
                    "bbox": _bbox(gdf), "bbox_crs": GEOJSON_CRS,
                    "crs": {"geojson": GEOJSON_CRS, "geopackage": STORAGE_CRS,
                            "source": gdf.crs.to_string()},
                    "source": lyr.source,
                    "created": created, "hn_geo_version": __version__,
                    "files": {"geojson": gj, "geopackage_layer": lyr.name, "fields": fields_name},
                    "fields": fd.iloc[:, 0].tolist(),
                })
            gpkg = f"{package_name}.gpkg"
            io_w.write_gpkg_layers({lyr.name: lyr.gdf for lyr in layers}, root / gpkg)
        files.append(gpkg)
        # BOM: older Windows Notepad opens UTF-8 Chinese text correctly only with it
        (root / "README.txt").write_text(_readme_text(meta), encoding="utf-8-sig")
        (root / "SOURCES.md").write_text(_sources_text(layers), encoding="utf-8")
        (root / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                            encoding="utf-8")
        files += ["README.txt", "SOURCES.md", "metadata.json"]
        sums = "".join(f"{_sha256(root / f)}  {f}\n" for f in files)
        (root / "SHA256SUMS").write_text(sums, encoding="utf-8")
        files.append("SHA256SUMS")
        with io_f.atomic_path(out) as tmp:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for f in files:
                    zf.write(root / f, arcname=f)
    return meta


# ----------------------------------------------------------------------------- reading back
def verify_checksums(zip_path):
    """Check every file of a package against its ``SHA256SUMS``.

    Raises
    ------
    HnGeoError
        Naming the first file that is missing or does not match.
    """
    zip_path = Path(zip_path)
    with zipfile.ZipFile(zip_path) as zf:
        try:
            sums = zf.read("SHA256SUMS").decode("utf-8")
        except KeyError:
            raise HnGeoError("no SHA256SUMS in the package", path=zip_path) from None
        names = set(zf.namelist())
        checked = 0
        for line in sums.splitlines():
            if not line.strip():
                continue
            digest, name = line.split(None, 1)
            name = name.lstrip("*")
            if name not in names:
                raise HnGeoError(f"file '{name}' listed in SHA256SUMS is missing", path=zip_path)
            if hashlib.sha256(zf.read(name)).hexdigest() != digest:
                raise HnGeoError(f"checksum mismatch for '{name}'", path=zip_path)
            checked += 1
    return checked


def _restore_types(df, fields):
    """Cast columns to the types recorded in a field dictionary."""
    for name, kind in zip(fields.iloc[:, 0], fields.iloc[:, 4]):
        if name not in df.columns:
            continue
        s = df[name]
        if kind == "int":
            df[name] = pd.to_numeric(s).astype("Int64" if s.isna().any() else "int64")
        elif kind == "float":
            df[name] = pd.to_numeric(s).astype("float64")
        elif kind == "bool":
            df[name] = s.astype("boolean" if s.isna().any() else bool)
        elif kind == "date":
            df[name] = pd.to_datetime(s).dt.date.where(s.notna(), None)
        elif kind == "datetime":
            df[name] = pd.to_datetime(s)
        else:
            df[name] = s.astype("str").where(s.notna(), None)
    return df


def read_share_package(zip_path, fmt="geojson", verify=True):
    """Read a share package back into GeoDataFrames.

    Parameters
    ----------
    zip_path : str or Path
    fmt : {'geojson', 'gpkg'}
        Read the GeoJSON files (WGS84) or the GeoPackage layers (EPSG:4490).
    verify : bool
        Check ``SHA256SUMS`` first (default True).

    Returns
    -------
    dict of str -> geopandas.GeoDataFrame
        In package order, column types restored from the field dictionaries.
    """
    import pyogrio

    zip_path = Path(zip_path)
    if not zip_path.exists():
        raise HnGeoError("file not found", path=zip_path)
    if verify:
        verify_checksums(zip_path)
    with zipfile.ZipFile(zip_path) as zf:
        meta = json.loads(zf.read("metadata.json").decode("utf-8"))
        fields = {lyr["name"]: pd.read_csv(_io.BytesIO(zf.read(lyr["files"]["fields"])),
                                          encoding="utf-8-sig", dtype=str, keep_default_na=False)
                  for lyr in meta["layers"]}
    out = {}
    vsi = f"/vsizip/{zip_path.resolve()}"
    for lyr in meta["layers"]:
        if fmt == "geojson":
            gdf = pyogrio.read_dataframe(f"{vsi}/{lyr['files']['geojson']}")
        elif fmt == "gpkg":
            gdf = pyogrio.read_dataframe(f"{vsi}/{meta['geopackage']}", layer=lyr["files"]["geopackage_layer"])
        else:
            raise ValueError(f"fmt must be 'geojson' or 'gpkg', not {fmt!r}")
        if len(gdf) != lyr["feature_count"]:
            warnings.warn(f"{zip_path}: layer {lyr['name']} has {len(gdf)} features, metadata says "
                          f"{lyr['feature_count']}", HnGeoWarning, stacklevel=2)
        out[lyr["name"]] = _restore_types(gdf, fields[lyr["name"]])
    return out
