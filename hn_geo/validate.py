"""Validate a GeoDataFrame against a layer schema; repair what can be repaired.

Errors name the file, the feature (1-based position and id) and the field.
Repairs (invalid geometries made valid, Polygon promoted to MultiPolygon) are
reported in one warning per kind that counts them. Nothing is dropped.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import shapely

from .catalog import STORAGE_CRS
from .errors import HnGeoError, HnGeoWarning

TRUE = {"true", "t", "1", "yes", "y", "是", "√", "1.0"}
FALSE = {"false", "f", "0", "no", "n", "否", "", "0.0"}


def _where(gdf, idx, id_field):
    """Describe features at positions ``idx`` for error messages."""
    parts = []
    for i in idx[:5]:
        ident = gdf[id_field].iloc[i] if id_field in gdf.columns else None
        parts.append(f"#{i + 1}" + (f" ({id_field}={ident})" if ident is not None else ""))
    more = f" and {len(idx) - 5} more" if len(idx) > 5 else ""
    return ", ".join(parts) + more


def _to_str(s):
    """Text column; integer-valued floats (codes read as numbers) lose their '.0'."""
    if pd.api.types.is_float_dtype(s):
        vals = s.to_numpy()
        isint = np.isfinite(vals) & (vals == np.round(vals))
        out = s.astype(object)
        out[isint] = [str(int(v)) for v in vals[isint]]
        out[~np.isfinite(vals)] = None
        out[np.isfinite(vals) & ~isint] = [str(v) for v in vals[np.isfinite(vals) & ~isint]]
        return out.astype("string")
    return s.astype("string").str.strip()


def _to_bool(s):
    if pd.api.types.is_bool_dtype(s):
        return s.astype("boolean"), np.zeros(len(s), bool)
    txt = s.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[txt.isin(TRUE).fillna(False).to_numpy()] = True
    out[txt.isin(FALSE).fillna(False).to_numpy()] = False
    bad = (out.isna() & txt.notna()).to_numpy()
    return out, bad


def coerce_column(s, dtype):
    """Convert a column to a schema dtype.

    Returns
    -------
    values : pandas.Series
    bad : numpy.ndarray of bool
        Positions whose non-empty value could not be converted.
    """
    notna = s.notna().to_numpy()
    if dtype == "str":
        return _to_str(s), np.zeros(len(s), bool)
    if dtype in ("float", "int"):
        vals = pd.to_numeric(s, errors="coerce")
        bad = vals.isna().to_numpy() & notna
        if dtype == "int":
            frac = vals.notna().to_numpy() & (vals.fillna(0).to_numpy() % 1 != 0)
            bad |= frac
            return vals.round().astype("Int64"), bad
        return vals.astype(float), bad
    if dtype == "bool":
        return _to_bool(s)
    if dtype == "date":
        vals = pd.to_datetime(s, errors="coerce")
        return vals, vals.isna().to_numpy() & notna
    raise ValueError(f"unknown dtype {dtype}")


def validate(gdf, schema, path=None, crs=STORAGE_CRS):
    """Check and normalise a layer.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        As read, with a CRS.
    schema : hn_geo.catalog.LayerSchema
    path : str, optional
        The file it came from (for messages).
    crs : str
        CRS of the result.

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows in the same order, typed columns, valid geometries, in ``crs``.

    Raises
    ------
    HnGeoError
    """
    if len(gdf) == 0:
        raise HnGeoError(f"layer '{schema.name}' is empty", path=path)
    gdf = gdf.copy()
    missing = [c for c in schema.required if c not in gdf.columns]
    if missing:
        found = [c for c in gdf.columns if c != gdf.geometry.name]
        raise HnGeoError(f"missing required column(s) {missing} for layer '{schema.name}'; "
                         f"columns found: {found}", path=path)
    for f in schema.fields:
        if f.name not in gdf.columns:
            continue
        vals, bad = coerce_column(gdf[f.name], f.dtype)
        if bad.any():
            idx = np.flatnonzero(bad)
            sample = gdf[f.name].iloc[idx[0]]
            raise HnGeoError(f"{idx.size} value(s) are not of type {f.dtype} "
                             f"(first: {sample!r} at {_where(gdf, idx, schema.id_field)})",
                             path=path, row=int(idx[0]) + 1, field=f.name)
        gdf[f.name] = vals
        if not f.nullable and f.required:
            nulls = np.flatnonzero(vals.isna().to_numpy())
            if nulls.size:
                raise HnGeoError(f"{nulls.size} empty value(s) at {_where(gdf, nulls, schema.id_field)}",
                                 path=path, row=int(nulls[0]) + 1, field=f.name)
        if f.choices:
            present = vals.notna().to_numpy()
            wrong = np.flatnonzero(present & ~vals.isin(f.choices).fillna(False).to_numpy())
            if wrong.size:
                raise HnGeoError(f"{wrong.size} value(s) not among {list(f.choices)} "
                                 f"(first: {vals.iloc[wrong[0]]!r} at {_where(gdf, wrong, schema.id_field)})",
                                 path=path, row=int(wrong[0]) + 1, field=f.name)
    ids = gdf[schema.id_field]
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        values = sorted(set(map(str, ids[dup])))
        raise HnGeoError(f"duplicate ids {values[:10]}{' ...' if len(values) > 10 else ''} "
                         f"at {_where(gdf, np.flatnonzero(dup), schema.id_field)}",
                         path=path, field=schema.id_field)
    gdf = _check_geometry(gdf, schema, path)
    if gdf.crs is None:
        raise HnGeoError("no CRS", path=path)
    return gdf.to_crs(crs)


def _check_geometry(gdf, schema, path):
    geom = gdf.geometry.values
    empty = np.flatnonzero(shapely.is_missing(geom) | shapely.is_empty(geom))
    if empty.size:
        raise HnGeoError(f"{empty.size} feature(s) have no geometry: {_where(gdf, empty, schema.id_field)}",
                         path=path, row=int(empty[0]) + 1, field="geometry")
    invalid = ~shapely.is_valid(geom)
    n_invalid = int(invalid.sum())
    if n_invalid:
        fixed = shapely.make_valid(geom[invalid])
        if "Polygon" in schema.geometry:
            # make_valid may return collections holding stray lines/points: keep the polygons
            fixed = np.array([_polygonal(g) for g in fixed], dtype=object)
        geom = geom.copy()
        geom[invalid] = fixed
        warnings.warn(f"{path or schema.name}: repaired {n_invalid} invalid geometr"
                      f"{'y' if n_invalid == 1 else 'ies'} with make_valid "
                      f"({_where(gdf, np.flatnonzero(invalid), schema.id_field)})",
                      HnGeoWarning, stacklevel=3)
    types = shapely.get_type_id(geom)
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                      "MultiLineString", "MultiPolygon", "GeometryCollection"])[types]
    wrong = np.flatnonzero(~np.isin(names, schema.geometry))
    if wrong.size:
        raise HnGeoError(f"{wrong.size} feature(s) have geometry type {names[wrong[0]]}, "
                         f"layer '{schema.name}' takes {list(schema.geometry)}: "
                         f"{_where(gdf, wrong, schema.id_field)}",
                         path=path, row=int(wrong[0]) + 1, field="geometry")
    return gdf.set_geometry(geom, crs=gdf.crs) if n_invalid else gdf


def _polygonal(g):
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    polys = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not polys:
        return g
    return shapely.union_all(polys)
