"""Reading a share package back: checksums verified, column types restored.

Types come from the field dictionaries (``fields/*.csv``, their last column: a type word of
the package's language, or a type code of older packages).
"""
from __future__ import annotations

import hashlib
import io as _io
import json
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pyogrio

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError, HnGeoWarning


def verify_checksums(zip_path):
    """Check every file of a package against its ``SHA256SUMS``; returns the files checked.

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
            raise HnGeoError(code="render.no_sums", path=zip_path) from None
        names = set(zf.namelist())
        checked = 0
        for line in sums.splitlines():
            if not line.strip():
                continue
            digest, name = line.split(None, 1)
            name = name.lstrip("*")
            if name not in names:
                raise HnGeoError(code="render.sums_missing_file", params={"name": name}, path=zip_path)
            if hashlib.sha256(zf.read(name)).hexdigest() != digest:
                raise HnGeoError(code="render.checksum_mismatch", params={"name": name}, path=zip_path)
            checked += 1
    return checked


def _type_code(text):
    return vocabulary.code_of("field_type", text, scope="render") or "str"


def restore_types(df, fields):
    """Cast columns to the types recorded in a field dictionary (first column: name,
    last column: type)."""
    for name, kind in zip(fields.iloc[:, 0], fields.iloc[:, -1].map(_type_code)):
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


def read_share_package(zip_path, *, fmt="geojson", verify=True):
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
    zip_path = Path(zip_path)
    if not zip_path.exists():
        raise HnGeoError(code="render.file_not_found", path=zip_path)
    if fmt not in ("geojson", "gpkg"):
        raise ValueError(f"fmt must be 'geojson' or 'gpkg', not {fmt!r}")
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
        if fmt == "geojson" and lyr["files"].get("geojson"):
            gdf = pyogrio.read_dataframe(f"{vsi}/{lyr['files']['geojson']}")
        else:  # a layer too big for GeoJSON (GeoParquet instead): its GeoPackage layer, in WGS84 then
            gdf = pyogrio.read_dataframe(f"{vsi}/{meta['geopackage']}", layer=lyr["files"]["geopackage_layer"])
            gdf = gdf.to_crs("EPSG:4326") if fmt == "geojson" else gdf
        if len(gdf) != lyr["feature_count"]:
            warnings.warn(HnGeoWarning("render.count_mismatch", path=zip_path, layer=lyr["name"], n=len(gdf),
                                       expected=lyr["feature_count"]), stacklevel=2)
        out[lyr["name"]] = restore_types(gdf, fields[lyr["name"]])
    return out
