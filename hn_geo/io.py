"""Reading and writing layers and tables: real formats, atomic writes.

Readers go through pyogrio (GDAL): GeoJSON, GeoPackage (any layer),
Shapefile (attribute encoding from .cpg, otherwise detected: UTF-8 or
GBK/GB18030), GeoParquet (via pyarrow), and CSV/XLSX tables with lon/lat
columns. Writers produce RFC 7946 GeoJSON (WGS84, <= 7 decimals, UTF-8),
GeoPackage with its CRS, and GeoParquet. Every write goes to a temporary file
in the target folder and is renamed into place, so a failure never leaves a
half-written file.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from .catalog import STORAGE_CRS, WGS84
from .errors import HnGeoError, HnGeoWarning

VECTOR_SUFFIXES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG",
                   ".shp": "ESRI Shapefile", ".parquet": "Parquet", ".geoparquet": "Parquet",
                   ".zip": None}
TABLE_SUFFIXES = {".csv", ".xlsx", ".xls", ".txt"}
LON_NAMES = ("lon", "lng", "longitude", "x", "经度", "东经")
LAT_NAMES = ("lat", "latitude", "y", "纬度", "北纬")


# ----------------------------------------------------------------------------- atomic writes
@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    On an exception the temporary file is removed and the target is left as
    it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)  # writers (GDAL) want to create the file themselves
    tmp = Path(tmp)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes(data: bytes, path):
    """Write bytes atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(text: str, path, encoding="utf-8"):
    """Write text atomically."""
    return write_bytes(text.encode(encoding), path)


# ----------------------------------------------------------------------------- reading
def _garbled(series):
    """True if decoded-as-Latin-1 text holds high bytes (so it was not Latin-1 text)."""
    s = series.dropna().astype(str)
    if s.empty:
        return False
    return bool(s.str.contains(r"[\x80-\xff]", regex=True).any())


def _detect_dbf_encoding(path):
    """Guess the attribute encoding of a Shapefile without a .cpg file.

    Returns ``None`` when GDAL's own choice (from .cpg or the DBF language
    driver id) should be kept, otherwise 'UTF-8' or 'GB18030'.
    """
    for ext in (".cpg", ".CPG"):
        if path.with_suffix(ext).exists():
            return None
    df = pyogrio.read_dataframe(path, read_geometry=False, encoding="ISO-8859-1")
    text_cols = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])]
    raw = b"\n".join(
        "\n".join(df[c].dropna().astype(str)).encode("latin-1", errors="ignore") for c in text_cols
    )
    if not raw or raw.isascii():
        return None
    try:
        raw.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("gb18030")
        return "GB18030"
    except UnicodeDecodeError:
        return None


def _find_col(columns, names):
    low = {str(c).strip().lower(): c for c in columns}
    for n in names:
        if n in low:
            return low[n]
    return None


def read_table(path, sheet=None, **kwargs):
    """Read a CSV (UTF-8, UTF-8 with BOM, or GBK) or XLSX table into a DataFrame.

    All cells are read as text; callers convert and report bad cells.
    """
    path = Path(path)
    if not path.exists():
        raise HnGeoError("file not found", path=path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls"):
        df = pd.read_excel(path, sheet_name=sheet or 0, dtype=str, **kwargs)
    else:
        last = None
        for enc in ("utf-8-sig", "gb18030"):
            try:
                df = pd.read_csv(path, dtype=str, encoding=enc, keep_default_na=False,
                                 na_values=[""], **kwargs)
                break
            except UnicodeDecodeError as exc:
                last = exc
        else:
            raise HnGeoError(f"cannot decode text as UTF-8 or GBK/GB18030 ({last})", path=path)
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise HnGeoError("the table has no rows", path=path)
    return df


def _table_to_gdf(path, df, lon=None, lat=None, crs=WGS84):
    lon = lon or _find_col(df.columns, LON_NAMES)
    lat = lat or _find_col(df.columns, LAT_NAMES)
    if lon is None or lat is None:
        raise HnGeoError("no longitude/latitude columns found (expected one of "
                         f"{LON_NAMES} and {LAT_NAMES}); columns found: {list(df.columns)}", path=path)
    out = {}
    for col in (lon, lat):
        vals = pd.to_numeric(df[col], errors="coerce")
        bad = np.flatnonzero(vals.isna().to_numpy())
        if bad.size:
            rows = ", ".join(str(i + 2) for i in bad[:5])
            raise HnGeoError(f"{bad.size} value(s) are not numbers (first rows: {rows}; "
                             f"row numbers count the header as row 1)", path=path, field=col,
                             row=int(bad[0]) + 2)
        out[col] = vals.to_numpy()
    geom = gpd.points_from_xy(out[lon], out[lat])
    return gpd.GeoDataFrame(df.drop(columns=[lon, lat]), geometry=geom, crs=crs)


def read_file(path, layer=None, encoding=None, assume_crs=None, from_gcj02=False,
              lon=None, lat=None):
    """Read a vector file or a lon/lat table into a GeoDataFrame (CRS untouched).

    Parameters
    ----------
    path : str or Path
    layer : str, optional
        Layer of a GeoPackage (the first one by default).
    encoding : str, optional
        Shapefile attribute encoding, overriding .cpg and detection.
    assume_crs : str, optional
        CRS for data that declares none (CSV/XLSX default to WGS84 lon/lat).
    from_gcj02 : bool
        Convert GCJ-02 (Amap) lon/lat to WGS84.
    lon, lat : str, optional
        Coordinate columns of a table (detected by name otherwise).

    Raises
    ------
    HnGeoError
        Missing or empty file, no CRS, coordinates that do not fit the CRS.
    """
    path = Path(path)
    if not path.exists():
        raise HnGeoError("file not found", path=path)
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        df = read_table(path)
        gdf = _table_to_gdf(path, df, lon, lat, crs=assume_crs or WGS84)
    elif suffix in (".parquet", ".geoparquet"):
        try:
            gdf = gpd.read_parquet(path)
        except Exception as exc:  # pyarrow / geopandas raise several types
            raise HnGeoError(f"not a readable GeoParquet file ({exc})", path=path) from exc
    else:
        kwargs = {}
        if suffix == ".shp":
            enc = encoding or _detect_dbf_encoding(path)
            if enc and not encoding:
                warnings.warn(f"{path}: no .cpg file; attribute encoding detected as {enc}",
                              HnGeoWarning, stacklevel=2)
            if enc:
                kwargs["encoding"] = enc
        elif encoding:
            kwargs["encoding"] = encoding
        try:
            gdf = pyogrio.read_dataframe(path, layer=layer, **kwargs)
        except Exception as exc:  # pyogrio.errors.DataSourceError and friends
            raise HnGeoError(f"cannot read as a vector file ({exc})", path=path) from exc
    if len(gdf) == 0:
        raise HnGeoError("the file has no features", path=path)
    if gdf.crs is None:
        if assume_crs is None:
            raise HnGeoError("the file declares no CRS; state one with --assume-crs "
                             "(e.g. EPSG:4490 for CGCS2000 lon/lat, EPSG:4549 for CGCS2000 GK zone 40)",
                             path=path)
        gdf = gdf.set_crs(assume_crs)
    check_coordinates(gdf, path)
    if from_gcj02:
        from .crs import from_gcj02 as _from_gcj02

        gdf = _from_gcj02(gdf.to_crs(WGS84))
    return gdf


def check_coordinates(gdf, path=None):
    """Catch projected coordinates declared as geographic, and the reverse."""
    geoms = gdf.geometry
    ok = geoms.notna() & ~geoms.is_empty
    if not ok.any():
        return
    minx, miny, maxx, maxy = geoms[ok].total_bounds
    if gdf.crs.is_geographic:
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            raise HnGeoError(
                f"coordinates ({minx:.1f}..{maxx:.1f}, {miny:.1f}..{maxy:.1f}) are outside "
                f"longitude/latitude range but the CRS {gdf.crs.to_string()} is geographic: "
                "the data look projected; give the right CRS with --assume-crs", path=path)
    elif gdf.crs.is_projected:
        if -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90 and (maxx - minx) < 10:
            raise HnGeoError(
                f"coordinates ({minx:.4f}..{maxx:.4f}, {miny:.4f}..{maxy:.4f}) look like "
                f"longitude/latitude but the CRS {gdf.crs.to_string()} is projected", path=path)


# ----------------------------------------------------------------------------- writing
def _prepare_for_write(gdf):
    """Make attribute columns writable by GDAL (dates, objects, pandas NA)."""
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.dt.tz_convert("UTC").dt.tz_localize(None)
        elif s.dtype == object:
            sample = s.dropna()
            if len(sample) and not all(isinstance(v, str) for v in sample.iloc[:50]):
                out[col] = s.map(lambda v: v if v is None or isinstance(v, str) or pd.isna(v)
                                 else str(v))
    return out


def write_geojson(gdf, path):
    """Write RFC 7946 GeoJSON: WGS84 lon/lat, right-hand rule, <= 7 decimals, UTF-8."""
    out = _prepare_for_write(gdf.to_crs(WGS84))
    with atomic_path(path) as tmp:
        pyogrio.write_dataframe(out, tmp, driver="GeoJSON",
                                layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": 7,
                                               "WRITE_NAME": "NO"})
    return Path(path)


def write_gpkg(gdf, path, layer=None, crs=STORAGE_CRS):
    """Write one layer to a new GeoPackage (CRS recorded)."""
    path = Path(path)
    out = _prepare_for_write(gdf.to_crs(crs) if crs else gdf)
    with atomic_path(path) as tmp:
        pyogrio.write_dataframe(out, tmp, driver="GPKG", layer=layer or path.stem)
    return path


def write_gpkg_layers(layers, path, crs=STORAGE_CRS):
    """Write several layers ({name: GeoDataFrame}) into one GeoPackage atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        for name, gdf in layers.items():
            out = _prepare_for_write(gdf.to_crs(crs) if crs else gdf)
            pyogrio.write_dataframe(out, tmp, driver="GPKG", layer=name, append=tmp.exists())
    return path


def write_parquet(gdf, path, crs=STORAGE_CRS):
    """Write GeoParquet (CRS in the metadata)."""
    out = gdf.to_crs(crs) if crs else gdf
    with atomic_path(path) as tmp:
        out.to_parquet(tmp, index=False)
    return Path(path)


FORMATS = {"geojson": (".geojson", write_geojson), "gpkg": (".gpkg", write_gpkg),
           "parquet": (".parquet", write_parquet)}


def write_layer(gdf, path, fmt=None):
    """Write a GeoDataFrame in the format named by ``fmt`` or by the file suffix."""
    path = Path(path)
    if fmt is None:
        fmt = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg",
               ".parquet": "parquet", ".geoparquet": "parquet"}.get(path.suffix.lower())
    if fmt not in FORMATS:
        raise HnGeoError(f"unknown output format '{fmt}'; use one of {', '.join(FORMATS)}", path=path)
    return FORMATS[fmt][1](gdf, path)
