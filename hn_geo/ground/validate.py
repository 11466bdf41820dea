"""Validate a GeoDataFrame against a layer schema; repair what can be repaired.

Errors name the file, the feature (1-based position and id) and the field.
Repairs are reported in one warning per kind that counts them: columns
found under their Chinese/English label, another case, or a Shapefile's
10-character truncated name are renamed to the schema name; invalid
geometries are made valid; single-part MultiPoints become Points where the
layer takes Points. Nothing is dropped.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import shapely

from hn_geo import vocabulary
from hn_geo.core import checked, threads
from hn_geo.core.columns import text_column
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.settings import STORAGE_CRS
from hn_geo.ground.tables import row_labels
from hn_geo.ground.towns import normalise_towns

TRUE = {"true", "t", "1", "yes", "y", "是", "√", "1.0"}
FALSE = {"false", "f", "0", "no", "n", "否", "", "0.0"}
_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
GEOM_TYPES = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                       "MultiLineString", "MultiPolygon", "GeometryCollection"])
_TYPE_ID = {name: i for i, name in enumerate(GEOM_TYPES)}
"""shapely's type id of each geometry type name."""


def _first_row(gdf):
    """Number the user sees for the first feature: 1, or 2 for a table (header on row 1)."""
    return int(gdf.attrs.get("hn_geo_first_row", 1))  # set by hn_geo.io.read_file (FIRST_ROW_ATTR)


def _row(gdf, i):
    """The row (feature number, spreadsheet row, or ``sheet!row``) of position ``i``."""
    label = row_labels(gdf, first=_first_row(gdf))[int(i)]
    return int(label) if isinstance(label, (int, np.integer)) else label


def _where(gdf, idx, id_field):
    """Describe features at positions ``idx`` for error messages.

    Features are '#n' (1-based) in vector files and 'row n' (as a spreadsheet
    numbers it) in tables, followed by their id when known.
    """
    first = _first_row(gdf)
    parts = []
    for i in idx[:5]:
        ident = gdf[id_field].iloc[i] if id_field in gdf.columns else None
        ident = None if ident is None or (np.ndim(ident) == 0 and pd.isna(ident)) else ident
        label = f"#{i + 1}" if first == 1 else f"row {_row(gdf, i)}"
        parts.append(label + (f" ({id_field}={ident})" if ident is not None else ""))
    more = f" and {len(idx) - 5} more" if len(idx) > 5 else ""
    return ", ".join(parts) + more


def _to_str(s):
    """Text column, stripped, empty text as missing; integer-valued floats lose their '.0'."""
    if s.dtype == object:
        s = s.infer_objects()
    if pd.api.types.is_float_dtype(s):
        vals = s.to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(vals)
        isint = finite & (vals == np.round(vals))
        out = np.full(len(vals), None, dtype=object)
        out[isint] = [str(int(v)) for v in vals[isint]]
        out[finite & ~isint] = [repr(float(v)) for v in vals[finite & ~isint]]
        return pd.Series(out, index=s.index, dtype="string")
    out = s.astype("string").str.strip()
    return out.mask(out == "", pd.NA)


def _to_bool(s):
    if pd.api.types.is_bool_dtype(s):
        return s.astype("boolean"), np.zeros(len(s), bool)
    txt = s.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[txt.isin(TRUE).fillna(False).to_numpy()] = True
    out[txt.isin(FALSE).fillna(False).to_numpy()] = False
    bad = (out.isna() & txt.notna()).to_numpy()
    return out, bad


def _to_number(s):
    """Float values (NaN where missing or not a number); text may hold 1,234.5 separators."""
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return pd.Series(s.astype("Float64").to_numpy(dtype=float, na_value=np.nan), index=s.index)
    txt = s.astype("string").str.strip()
    txt = txt.mask(txt == "", pd.NA)
    sep = txt.str.fullmatch(_THOUSANDS).fillna(False).to_numpy()
    if sep.any():
        txt[sep] = txt[sep].str.replace(",", "", regex=False)
    vals = pd.to_numeric(txt, errors="coerce")
    return pd.Series(vals.astype("Float64").to_numpy(dtype=float, na_value=np.nan), index=s.index)


def coerce_column(s, dtype):
    """Convert a column to a schema dtype.

    Returns
    -------
    values : pandas.Series
    bad : numpy.ndarray of bool
        Positions whose non-empty value could not be converted.
    """
    notna = s.notna().to_numpy().copy()
    if dtype == "str":
        return _to_str(s), np.zeros(len(s), bool)
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        notna &= (s.astype("string").str.strip() != "").fillna(False).to_numpy()
    if dtype in ("float", "int"):
        vals = _to_number(s)
        arr = vals.to_numpy()
        bad = ~np.isfinite(arr) & notna  # not a number, or inf/-inf/nan written out
        if dtype == "int":
            bad |= np.isfinite(arr) & (arr % 1 != 0)
            ints = pd.array(np.where(np.isfinite(arr) & ~bad, arr, 0).astype("int64"), dtype="Int64")
            ints[~np.isfinite(arr) | bad] = pd.NA
            return pd.Series(ints, index=s.index), bad
        return vals, bad
    if dtype == "bool":
        return _to_bool(s)
    if dtype == "date":
        text = s.dtype == object or pd.api.types.is_string_dtype(s)
        vals = pd.to_datetime(s, errors="coerce", format="mixed" if text else None)
        return vals, vals.isna().to_numpy() & notna
    raise ValueError(f"unknown dtype {dtype}")


def _norm(text):
    """Header text for loose matching: lower case, no spaces, ASCII brackets."""
    return re.sub(r"\s+", "", str(text)).lower().replace("（", "(").replace("）", ")")


def match_columns(gdf, schema, path=None):
    """Rename columns that hold a schema field under another name.

    A column matches a missing field when its name, compared without case
    and spaces, is the field's name, its Chinese or English label (with or
    without unit), or the field name cut to 10 characters (Shapefile DBF
    limit). Only unambiguous matches are renamed, with one warning listing
    them.

    Returns
    -------
    geopandas.GeoDataFrame
        ``gdf`` itself when nothing matched, else a renamed copy.
    """
    geom = gdf.geometry.name
    cols = [c for c in gdf.columns if c != geom]
    present = set(cols)
    renames = {}
    for f in schema.fields:
        if f.name in present:
            continue
        keys = {_norm(k) for k in (f.name, f.zh, f.en, f.label("zh"), f.label("en"), *f.aliases)}
        if len(f.name) > 10:
            keys.add(_norm(f.name[:10]))
        cands = [c for c in cols if c not in renames and c not in schema_names(schema)
                 and _norm(c) in keys]
        if len(cands) == 1:
            renames[cands[0]] = f.name
    if not renames:
        return gdf
    listed = ", ".join(f"'{a}' -> '{b}'" for a, b in renames.items())
    warnings.warn(f"{path or schema.name}: renamed {len(renames)} column(s) to the schema "
                  f"names of layer '{schema.name}': {listed}", HnGeoWarning, stacklevel=3)
    return gdf.rename(columns=renames)


def schema_names(schema):
    """Set of the field names of ``schema``."""
    return {f.name for f in schema.fields}


def _to_codes(vals, family):
    """Map the words of a value family (either language, or the codes) to codes; unknown
    values stay as they are (the choices check names them)."""
    codes, uniq = pd.factorize(vals)  # one look-up per distinct value; missing -> -1 -> None
    return pd.Series(text_column(codes, [vocabulary.code_of(family, v) or v for v in uniq]), index=vals.index)


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
        Same rows in the same order, typed columns (str fields as pandas
        ``string``, int as ``Int64``, float as ``float64``, bool as
        ``boolean``), valid geometries, in ``crs``. Extra columns are kept.

    Raises
    ------
    HnGeoError
        Empty layer, missing required columns (listing the columns found),
        values of the wrong type, empty required values, values outside
        ``choices``, duplicate ids, missing or wrong-type geometries, no CRS.
        Each names the file, the first feature (1-based, with its id) and
        the field.
    """
    if len(gdf) == 0:
        raise HnGeoError(f"layer '{schema.name}' is empty: no features", path=path,
                         code="ground.layer_empty", params={"layer": schema.name})
    if gdf.crs is None:
        raise HnGeoError("the layer has no CRS", path=path, code="ground.layer_no_crs")
    gdf = match_columns(gdf, schema, path).copy()
    missing = [c for c in schema.required if c not in gdf.columns]
    if missing:
        found = [c for c in gdf.columns if c != gdf.geometry.name]
        raise HnGeoError(f"missing required column(s) {missing} for layer '{schema.name}'; "
                         f"columns found: {found}", path=path, field=missing[0], code="ground.missing_columns",
                         params={"missing": missing, "layer": schema.name, "found": [str(c) for c in found]})
    for f in schema.fields:
        if f.name in gdf.columns:
            gdf[f.name] = _check_field(gdf, f, schema, path)
    ids = gdf[schema.id_field]
    present = ids.notna()
    unique = ids.nunique(dropna=True) == int(present.sum())  # the common case, told without marking rows
    dup = np.zeros(len(ids), bool) if unique else (ids.duplicated(keep=False) & present).to_numpy()
    if dup.any():
        values = sorted(set(map(str, ids[dup])))
        idx = np.flatnonzero(dup)
        raise HnGeoError(f"{len(values)} duplicate id value(s) {values[:10]}"
                         f"{' ...' if len(values) > 10 else ''} at "
                         f"{_where(gdf, idx, schema.id_field)}",
                         path=path, row=_row(gdf, idx[0]), field=schema.id_field, code="ground.duplicate_ids",
                         params={"n": len(values), "values": values[:10], "more": " …" if len(values) > 10 else "",
                                 "where": _where(gdf, idx, schema.id_field)})
    gdf = _check_geometry(gdf, schema, path)
    out = in_crs(gdf, crs)
    if gdf.crs == crs:  # not reprojected: the geometries checked are the ones returned
        checked.mark_valid(out.geometry.values)
    return out


def in_crs(gdf, crs):
    """``gdf`` in ``crs``; no coordinate is touched when its CRS is already that one.

    (``GeoDataFrame.to_crs`` reprojects unless the CRS objects are exactly the same: a
    GeoParquet's PROJJSON EPSG:4490 is equal to, but not exactly the same as, 'EPSG:4490'.)
    """
    if gdf.crs == crs:
        return gdf if gdf.crs.is_exact_same(crs) else gdf.set_crs(crs, allow_override=True)
    return gdf.to_crs(crs)


def _check_field(gdf, f, schema, path):
    """The values of field ``f``, typed, coded and checked (raising on the first problem)."""
    vals, bad = coerce_column(gdf[f.name], f.dtype)
    if bad.any():
        idx = np.flatnonzero(bad)
        sample = gdf[f.name].iloc[idx[0]]
        kind = f"finite numbers ({f.dtype})" if f.dtype in ("int", "float") else f"of type {f.dtype}"
        raise HnGeoError(f"{idx.size} value(s) are not {kind} "
                         f"(first: {sample!r} at {_where(gdf, idx, schema.id_field)})",
                         path=path, row=_row(gdf, idx[0]), field=f.name,
                         code="ground.values_not_number" if f.dtype in ("int", "float") else "ground.values_not_type",
                         params={"n": int(idx.size), "dtype": f.dtype, "first": repr(sample),
                                 "where": _where(gdf, idx, schema.id_field)})
    if not f.nullable and f.required:
        nulls = np.flatnonzero(vals.isna().to_numpy())
        if nulls.size:
            raise HnGeoError(f"{nulls.size} empty value(s) in a required field, at "
                             f"{_where(gdf, nulls, schema.id_field)}",
                             path=path, row=_row(gdf, nulls[0]), field=f.name, code="ground.values_empty",
                             params={"n": int(nulls.size), "where": _where(gdf, nulls, schema.id_field)})
    if f.min is not None or f.max is not None:
        _check_range(gdf, vals, f, schema, path)
    if f.family:  # coded field: zh or en words (or the codes) -> codes
        vals = _to_codes(vals, f.family)
    if f.towns:
        vals = normalise_towns(vals, path=path, field=f.name)
    if f.choices:
        present = vals.notna().to_numpy()
        wrong = np.flatnonzero(present & ~vals.isin(f.choices).fillna(False).to_numpy())
        if wrong.size:
            raise HnGeoError(f"{wrong.size} value(s) not among {list(f.choices)} "
                             f"(first: {vals.iloc[wrong[0]]!r} at "
                             f"{_where(gdf, wrong, schema.id_field)})",
                             path=path, row=_row(gdf, wrong[0]), field=f.name, code="ground.values_not_among",
                             params={"n": int(wrong.size), "choices": list(f.choices),
                                     "first": repr(vals.iloc[wrong[0]]),
                                     "where": _where(gdf, wrong, schema.id_field)})
    return vals


def _check_range(gdf, vals, f, schema, path):
    """Range rule of a number field: values below ``f.min`` or above ``f.max`` are errors."""
    arr = vals.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        for bound, mask, code in ((f.min, arr < (f.min if f.min is not None else -np.inf), "below_min"),
                                  (f.max, arr > (f.max if f.max is not None else np.inf), "above_max")):
            idx = np.flatnonzero(mask)
            if bound is None or not idx.size:
                continue
            raise HnGeoError(code=f"ground.value_{code}", path=path, row=_row(gdf, idx[0]), field=f.name,
                             params={"n": int(idx.size), "bound": float(bound),
                                     "first": float(arr[idx[0]]),
                                     "where": _where(gdf, idx, schema.id_field)})


def _check_geometry(gdf, schema, path):
    geom = np.asarray(gdf.geometry.values, dtype=object).copy()  # shapely's functions take it as it is
    changed = False
    missing = np.flatnonzero(shapely.is_missing(geom) | shapely.is_empty(geom))
    if missing.size:
        raise HnGeoError(f"{missing.size} feature(s) have no geometry (missing, empty or "
                         f"unreadable): "
                         f"{_where(gdf, missing, schema.id_field)}",
                         path=path, row=_row(gdf, missing[0]), field="geometry")
    invalid = ~threads.elementwise(shapely.is_valid, geom)
    n_invalid = int(invalid.sum())
    if n_invalid:
        fixed = shapely.make_valid(geom[invalid])
        if "Polygon" in schema.geometry:
            # make_valid may return collections holding zero-area lines/points: keep the polygons
            fixed = np.array([_polygonal(g) for g in fixed], dtype=object)
        geom[invalid] = fixed
        changed = True
        warnings.warn(f"{path or schema.name}: repaired {n_invalid} invalid geometr"
                      f"{'y' if n_invalid == 1 else 'ies'} with make_valid "
                      f"({_where(gdf, np.flatnonzero(invalid), schema.id_field)})",
                      HnGeoWarning, stacklevel=3)
    kinds = shapely.get_type_id(geom)  # compared as numbers: no type name per feature
    if "Point" in schema.geometry and "MultiPoint" not in schema.geometry:
        single = (kinds == _TYPE_ID["MultiPoint"]) & (shapely.get_num_geometries(geom) == 1)
        if single.any():
            geom[single] = shapely.get_geometry(geom[single], 0)
            kinds = shapely.get_type_id(geom)
            changed = True
            warnings.warn(f"{path or schema.name}: converted {int(single.sum())} single-part "
                          "MultiPoint feature(s) to Point", HnGeoWarning, stacklevel=3)
    wrong = np.flatnonzero(~np.isin(kinds, [_TYPE_ID[t] for t in schema.geometry if t in _TYPE_ID]))
    if wrong.size:
        raise HnGeoError(f"{wrong.size} feature(s) have geometry type {GEOM_TYPES[kinds[wrong[0]]]}, "
                         f"layer '{schema.name}' takes {list(schema.geometry)}: "
                         f"{_where(gdf, wrong, schema.id_field)}",
                         path=path, row=_row(gdf, wrong[0]), field="geometry")
    return gdf.set_geometry(geom, crs=gdf.crs) if changed else gdf


def _polygonal(g):
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    polys = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not polys:
        return g
    return shapely.union_all(polys)
