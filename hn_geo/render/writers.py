"""Writing layers: RFC 7946 GeoJSON, GeoPackage with its CRS, GeoParquet; all atomic.

GeoJSON is WGS84 with at most 7 decimals, UTF-8; GeoPackages and GeoParquet are written
in EPSG:4490 (CGCS2000) by default.
"""
from __future__ import annotations

import datetime as _dt
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.files import atomic_path, write_text
from hn_geo.core.settings import STORAGE_CRS, WGS84


def _cell_to_text(v):
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, (dict, list, tuple)):
        return json.dumps(v, ensure_ascii=False, default=str)
    if np.ndim(v) == 0 and pd.isna(v):
        return None
    return str(v)


def _prepare_for_write(gdf, crs=None):
    """Copy in ``crs`` with attribute columns GDAL can write.

    Time-zone aware dates become naive UTC; object columns holding
    non-text values (numbers mixed with text, lists, dicts) become text
    (lists/dicts as JSON).
    """
    if gdf.crs is None:
        raise HnGeoError("the layer has no CRS; set one before writing")
    out = gdf.to_crs(crs) if crs else gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_convert("UTC").dt.tz_localize(None)
        elif s.dtype == object:
            sample = s.dropna()
            if len(sample) and pd.api.types.infer_dtype(sample, skipna=True) != "string":
                out[col] = s.map(_cell_to_text).astype(object)
    return out


def _json_default(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, (_dt.date, _dt.datetime, pd.Timestamp)):
        return value.isoformat()
    return str(value)


def _properties(df):
    """Attribute rows as JSON-ready dicts: missing -> None, dates -> ISO 8601 text."""
    cols = {}
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            text = s.dt.strftime("%Y-%m-%dT%H:%M:%S")
            cols[col] = [None if pd.isna(v) else v for v in text.tolist()]
        elif pd.api.types.is_float_dtype(s.dtype):
            vals = s.to_numpy(dtype="float64", na_value=np.nan)
            inf = np.isinf(vals)
            if inf.any():  # JSON has no Infinity
                warnings.warn(f"column '{col}': {int(inf.sum())} infinite value(s) written as null "
                              "in the GeoJSON", HnGeoWarning, stacklevel=3)
            cols[col] = [None if not np.isfinite(v) else float(v) for v in vals.tolist()]
        else:
            cols[col] = [None if (v is None or (not isinstance(v, (list, dict)) and pd.isna(v))) else v
                         for v in s.astype(object).tolist()]
    names = list(cols)
    return [dict(zip(names, row)) for row in zip(*cols.values())] if names else [{}] * len(df)


def write_geojson(gdf, path, precision=7):
    """Write GeoJSON per RFC 7946 with exact decimal rounding.

    WGS84 lon/lat, polygons oriented by the right-hand rule (exterior rings
    counter-clockwise, holes clockwise), coordinates rounded to ``precision``
    decimals (error <= 0.5e-7 degree, about 5 mm), UTF-8 with Chinese text
    unescaped, no ``crs`` member; dates as ISO 8601 text, NaN as null.
    Written by hand rather than with GDAL's GeoJSON driver, whose
    COORDINATE_PRECISION also "intelli-rounds" values such as 120.6999994 to
    120.7 (an error of up to 1e-6 degree), which would break the exact round
    trip that share packages promise. Written atomically.
    """
    if gdf.crs is None:
        raise HnGeoError("the layer has no CRS; set one before writing")
    out = gdf.to_crs(WGS84)
    geoms = np.asarray(out.geometry.values, dtype=object)
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    geoms = shapely.transform(geoms, lambda c: np.round(c, precision))
    gjs = shapely.to_geojson(geoms)
    props = _properties(pd.DataFrame(out.drop(columns=out.geometry.name)))
    feats = []
    for p, g in zip(props, gjs):
        pj = json.dumps(p, ensure_ascii=False, default=_json_default, allow_nan=False)
        feats.append(f'{{"type": "Feature", "properties": {pj}, "geometry": {g or "null"}}}')
    text = '{\n"type": "FeatureCollection",\n"features": [\n' + ",\n".join(feats) + "\n]\n}\n"
    return write_text(text, path)


def write_gpkg(gdf, path, layer=None, crs=STORAGE_CRS):
    """Write one layer (named ``layer``, default the file stem) to a new GeoPackage.

    The CRS (``crs``, EPSG:4490 by default; ``None`` keeps the data's) is
    recorded in ``gpkg_spatial_ref_sys``. Written atomically.
    """
    path = Path(path)
    out = _prepare_for_write(gdf, crs)
    with atomic_path(path) as tmp:
        pyogrio.write_dataframe(out, tmp, driver="GPKG", layer=layer or path.stem, use_arrow=True)
    return path


def write_gpkg_layers(layers, path, crs=STORAGE_CRS):
    """Write several layers (``{name: GeoDataFrame}``) into one new GeoPackage atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        for name, gdf in layers.items():
            out = _prepare_for_write(gdf, crs)
            pyogrio.write_dataframe(out, tmp, driver="GPKG", layer=str(name), append=tmp.exists(),
                                    use_arrow=True)
    return path


def write_parquet(gdf, path, crs=STORAGE_CRS):
    """Write GeoParquet (CRS as PROJJSON in the ``geo`` metadata), atomically."""
    if gdf.crs is None:
        raise HnGeoError("the layer has no CRS; set one before writing", path=path)
    out = gdf.to_crs(crs) if crs else gdf
    with atomic_path(path) as tmp:
        out.to_parquet(tmp, index=False)
    return Path(path)


FORMATS = {"geojson": (".geojson", write_geojson), "gpkg": (".gpkg", write_gpkg),
           "parquet": (".parquet", write_parquet)}
SUFFIX_FORMATS = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg",
                  ".parquet": "parquet", ".geoparquet": "parquet"}


def write_layer(gdf, path, fmt=None):
    """Write a GeoDataFrame in format ``fmt`` ('geojson', 'gpkg', 'parquet') or by suffix."""
    path = Path(path)
    if fmt is None:
        fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt not in FORMATS:
        raise HnGeoError(f"unknown output format '{fmt}'; use one of {', '.join(FORMATS)} "
                         "(or a .geojson/.gpkg/.parquet file name)", path=path)
    return FORMATS[fmt][1](gdf, path)
