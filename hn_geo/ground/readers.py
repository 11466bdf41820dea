"""Reading layers and tables: real formats, CRS and encodings checked on the way in.

Readers go through pyogrio (GDAL): GeoJSON, GeoPackage (any layer), Shapefile
(attribute encoding from .cpg, otherwise detected: UTF-8 or GBK/GB18030), GeoParquet
(via pyarrow), and CSV/XLSX tables with lon/lat columns.
"""
from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.settings import WGS84
from hn_geo.ground.encodings import shapefile_encoding
from hn_geo.ground.tables import ROWS_ATTR, TABLE_ENCODINGS, read_table, row_labels  # noqa: F401

VECTOR_SUFFIXES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG",
                   ".shp": "ESRI Shapefile", ".parquet": "Parquet", ".geoparquet": "Parquet",
                   ".zip": None}
TABLE_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".xls", ".txt", ".tsv"}
# column names recognised as coordinates in tables (compared lower-cased, stripped)
LON_NAMES = ("lon", "lng", "long", "longitude", "x", "point_x", "经度", "东经", "经度(°)", "经度（°）")
LAT_NAMES = ("lat", "latitude", "y", "point_y", "纬度", "北纬", "纬度(°)", "纬度（°）")
# GeoDataFrame.attrs key: row number of the first feature as the user sees it (tables: 2)
FIRST_ROW_ATTR = "hn_geo_first_row"

def _find_col(columns, names):
    low = {str(c).strip().lower(): c for c in columns}
    for n in names:
        if n in low:
            return low[n]
    return None


def _table_to_gdf(path, df, lon=None, lat=None, crs=WGS84):
    """Point GeoDataFrame from a table's coordinate columns (row numbers as in a spreadsheet)."""
    lon = lon or _find_col(df.columns, LON_NAMES)
    lat = lat or _find_col(df.columns, LAT_NAMES)
    for given, name in ((lon, "longitude"), (lat, "latitude")):
        if given is not None and given not in df.columns:
            raise HnGeoError(f"no {name} column '{given}'; columns found: {list(df.columns)}",
                             path=path)
    if lon is None or lat is None:
        raise HnGeoError("no longitude/latitude columns found (expected one of "
                         f"{list(LON_NAMES)} and {list(LAT_NAMES)}); "
                         f"columns found: {list(df.columns)}", path=path, code="ground.no_lonlat_columns",
                         params={"lon": list(LON_NAMES), "lat": list(LAT_NAMES),
                                 "columns": [str(c) for c in df.columns]})
    out = {}
    for col in (lon, lat):
        cells = df[col]
        if cells.dtype == object or pd.api.types.is_string_dtype(cells):
            cells = cells.astype("string").str.strip().str.rstrip("°").str.strip()
        vals = pd.to_numeric(cells, errors="coerce")
        bad = np.flatnonzero(~np.isfinite(vals.to_numpy(dtype=float, na_value=np.nan)))
        if bad.size:
            first = df[col].iloc[bad[0]]
            what = "empty" if pd.isna(first) else f"not a number ({first!r})"
            labels = row_labels(df)
            rows = ", ".join(str(r) for r in labels[bad[:5]])
            raise HnGeoError(f"{bad.size} coordinate value(s) are empty or not finite numbers; first is "
                             f"{what}; rows {rows}{' ...' if bad.size > 5 else ''} "
                             "(row 1 is the header)", path=path, field=col, row=labels[bad[0]])
        out[col] = vals.to_numpy(dtype=float)
    geom = gpd.points_from_xy(out[lon], out[lat])
    gdf = gpd.GeoDataFrame(df.drop(columns=[lon, lat]), geometry=geom, crs=crs)
    gdf.attrs.update(df.attrs)
    return gdf


def list_layers(path):
    """Names of the layers in a vector file (one for GeoJSON/Shapefile).

    Raises
    ------
    HnGeoError
        If GDAL cannot open the file.
    """
    try:
        return [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:
        raise HnGeoError(f"cannot open as a vector file ({exc})", path=path) from exc


def _choose_layer(path, layer):
    """The layer to read: the one asked for, else the first with geometries (with a warning
    when there are several)."""
    try:
        listed = pyogrio.list_layers(path)
    except Exception as exc:
        raise HnGeoError(f"cannot open as a vector file ({exc})", path=path) from exc
    names = [str(n) for n in listed[:, 0]]
    spatial = [str(n) for n, kind in listed if kind is not None]
    if not names:
        raise HnGeoError("the file holds no layers", path=path)
    if layer is not None:
        if str(layer) not in names:
            raise HnGeoError(f"no layer '{layer}'; layers found: {names}", path=path)
        if str(layer) not in spatial:
            raise HnGeoError(f"layer '{layer}' has no geometries (an attribute table); layers with "
                             f"geometries: {spatial}", path=path)
        return layer
    if not spatial:
        raise HnGeoError(f"no layer with geometries; layers found (attribute tables): {names}", path=path)
    if len(names) > 1:
        warnings.warn(f"{path}: {len(names)} layers found {names}; reading the first with "
                      f"geometries, '{spatial[0]}' (choose another with layer=/--layer)",
                      HnGeoWarning, stacklevel=4)
    return spatial[0]


def _read_vector(path, layer, encoding):
    if Path(path).suffix.lower() in (".json", ".geojson") and _is_json_array(path):
        return _read_feature_array(path)
    layer = _choose_layer(path, layer)
    kwargs = {}
    try:
        driver = pyogrio.read_info(path, layer=layer).get("driver")
    except Exception as exc:
        raise HnGeoError(f"cannot read layer '{layer}' ({exc})", path=path) from exc
    is_shp = driver == "ESRI Shapefile"
    enc = shapefile_encoding(path, layer, encoding) if is_shp else encoding
    if enc:
        kwargs["encoding"] = enc
    elif not is_shp:
        kwargs["use_arrow"] = True  # GDAL's columnar Arrow stream: several times faster
    if driver == "GeoJSON":
        kwargs["DATE_AS_STRING"] = "YES"  # JSON has no dates: '2024-01-05' stays the text it is
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*More than one layer found.*")
            warnings.filterwarnings("ignore", message=".*Non closed ring detected.*")
            try:
                return pyogrio.read_dataframe(path, layer=layer, **kwargs)
            except shapely.errors.GEOSException:
                return _read_unparseable(path, layer, kwargs)
    except UnicodeDecodeError as exc:
        raise HnGeoError(f"attribute text is not valid {enc or 'UTF-8'} ({exc}); "
                         "give the right encoding (e.g. GBK) with encoding=/--encoding",
                         path=path) from exc
    except Exception as exc:  # pyogrio.errors.DataSourceError and friends
        raise HnGeoError(f"cannot read as a vector file ({exc})", path=path) from exc


def _is_json_array(path):
    """Whether a .json file is a bare JSON array (as DataV/Amap mirrors publish features)."""
    with open(path, "rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"[")


def _read_feature_array(path):
    """A bare JSON array of GeoJSON Features, read as the FeatureCollection it stands for."""
    try:
        items = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise HnGeoError(code="ground.json_array_unreadable", params={"what": str(exc)[:200]},
                         path=path) from None
    bad = next((i for i, f in enumerate(items)
                if not isinstance(f, dict) or f.get("type") != "Feature"), None)
    if bad is not None or not items:
        raise HnGeoError(code="ground.json_array_not_features", path=path,
                         row=None if bad is None else bad + 1,
                         params={"n": len(items), "item": 0 if bad is None else bad + 1})
    collection = json.dumps({"type": "FeatureCollection", "features": items}).encode("utf-8")
    try:
        gdf = pyogrio.read_dataframe(io.BytesIO(collection), DATE_AS_STRING="YES")
    except Exception as exc:  # pyogrio.errors.DataSourceError and friends
        raise HnGeoError(code="ground.json_array_unreadable", params={"what": str(exc)[:200]},
                         path=path) from exc
    warnings.warn(HnGeoWarning("ground.json_array_read", path=path, n=len(items)), stacklevel=4)
    return gdf


def parse_crs(text, *, path=None, field=None):
    """A CRS given as text (``EPSG:4490``, ``4549``, WKT, PROJ), checked.

    Raises
    ------
    HnGeoError
        ``ground.bad_crs``: not a CRS pyproj knows (e.g. ``EPSG:999999``), naming the text.
    """
    if text is None or isinstance(text, pyproj.CRS):
        return text
    value = str(text).strip()
    if value.isdigit():
        value = f"EPSG:{value}"
    try:
        return pyproj.CRS.from_user_input(value)
    except (pyproj.exceptions.CRSError, TypeError, ValueError) as exc:
        raise HnGeoError(code="ground.bad_crs", params={"crs": str(text)[:100], "what": str(exc)[:160]},
                         path=path, field=field) from None


def _read_parquet(path, lon=None, lat=None, assume_crs=None):
    """GeoParquet, or a plain Parquet table with lon/lat columns."""
    try:
        return gpd.read_parquet(path)
    except Exception as exc:  # pyarrow / geopandas raise several types
        try:
            df = pd.read_parquet(path)
        except Exception:
            raise HnGeoError(f"not a readable Parquet file ({exc})", path=path) from exc
        if len(df) == 0:
            raise HnGeoError(f"the file has no rows (columns found: {list(df.columns)})",
                             path=path) from None
        try:
            return _table_to_gdf(path, df, lon, lat, crs=assume_crs or WGS84)
        except HnGeoError as exc2:
            raise HnGeoError(f"not GeoParquet (no 'geo' metadata) and {exc2.message}",
                             path=path, row=exc2.row, field=exc2.field) from exc


def _read_unparseable(path, layer, kwargs):
    """Re-read a layer whose geometries GEOS rejects: close unclosed rings, count them.

    Geometries that still cannot be built (e.g. rings of fewer than 4 points)
    come back as missing, so validation reports those features by number.
    """
    fixed = pyogrio.read_dataframe(path, layer=layer, on_invalid="fix", **kwargs)
    plain = pyogrio.read_dataframe(path, layer=layer, on_invalid="ignore", **kwargs)
    n_fixed = int((plain.geometry.isna() & fixed.geometry.notna()).sum())
    n_bad = int((fixed.geometry.isna() & plain.geometry.isna()).sum())
    if n_fixed:
        warnings.warn(f"{path}: repaired {n_fixed} geometr{'y' if n_fixed == 1 else 'ies'} "
                      "with unclosed rings (closed them)", HnGeoWarning, stacklevel=4)
    if n_bad:
        warnings.warn(f"{path}: {n_bad} feature(s) have a missing geometry or one that cannot be "
                      "built (e.g. a ring of fewer than 4 points)", HnGeoWarning, stacklevel=4)
    return fixed


def read_file(path, layer=None, encoding=None, assume_crs=None, from_gcj02=False,
              lon=None, lat=None):
    """Read a vector file or a lon/lat table into a GeoDataFrame.

    Parameters
    ----------
    path : str or Path
        GeoJSON, GeoPackage, Shapefile (``.shp`` or zipped), GeoParquet, or a
        CSV/XLSX table with longitude/latitude columns.
    layer : str, optional
        Layer of a multi-layer file (GeoPackage), or sheet of a workbook. The
        first by default (with a warning listing the others when there are
        several).
    encoding : str, optional
        Attribute encoding (e.g. ``'GBK'``), overriding a Shapefile's .cpg and
        the detection.
    assume_crs : str, optional
        CRS of data that declare none (CSV/XLSX default to WGS84 lon/lat).
        Also overrides a declared CRS whose range the coordinates do not fit
        while the assumed one fits (typically GeoJSON, which always declares
        WGS84, holding projected metres), with a warning.
    from_gcj02 : bool
        The lon/lat are GCJ-02 (Amap/Gaode/Tencent): convert them to WGS84.
    lon, lat : str, optional
        Coordinate columns of a table (detected by name otherwise).

    Returns
    -------
    geopandas.GeoDataFrame
        With a CRS (WGS84 after ``from_gcj02``, otherwise as declared/assumed).

    Raises
    ------
    HnGeoError
        Missing or empty file, unknown layer, no CRS, coordinates that do not
        fit the CRS.
    """
    path = Path(path)
    assume_crs = parse_crs(assume_crs, field="assume_crs")
    if not path.exists():
        raise HnGeoError("file not found", path=path)
    if path.is_file() and path.stat().st_size == 0:
        raise HnGeoError("the file is empty (0 bytes)", path=path)
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        df = read_table(path, sheet=layer)
        gdf = _table_to_gdf(path, df, lon, lat, crs=assume_crs or WGS84)
        gdf.attrs[FIRST_ROW_ATTR] = 2  # messages give spreadsheet rows (row 1 is the header)
    elif suffix in (".parquet", ".geoparquet"):
        gdf = _read_parquet(path, lon, lat, assume_crs)
    else:
        gdf = _read_vector(path, layer, encoding)
    if len(gdf) == 0:
        cols = [c for c in gdf.columns if c != "geometry"]
        raise HnGeoError(f"the file has no features (columns found: {cols})", path=path)
    if gdf.crs is None:
        if assume_crs is None:
            raise HnGeoError("the file declares no CRS (e.g. a Shapefile without .prj); state "
                             "it with assume_crs=/--assume-crs (EPSG:4490 for CGCS2000 lon/lat, "
                             "EPSG:4549 for CGCS2000 / 3-degree GK CM 120E metres)", path=path)
        gdf = gdf.set_crs(assume_crs)
    elif assume_crs is not None and not gdf.crs.equals(assume_crs):
        if _fits(gdf, assume_crs) and not _fits(gdf, gdf.crs):
            warnings.warn(f"{path}: coordinates do not fit the declared CRS {gdf.crs.to_string()}; "
                          f"using the stated CRS {assume_crs}", HnGeoWarning, stacklevel=2)
            gdf = gdf.set_crs(assume_crs, allow_override=True)
        else:
            warnings.warn(f"{path}: the file declares CRS {gdf.crs.to_string()}, which its "
                          f"coordinates fit; the stated CRS {assume_crs} is ignored",
                          HnGeoWarning, stacklevel=2)
    check_coordinates(gdf, path)
    if from_gcj02:
        from hn_geo.core.crs import from_gcj02 as _from_gcj02

        gdf = _from_gcj02(gdf.to_crs(WGS84))
    return gdf


def _bounds(gdf):
    """(minx, miny, maxx, maxy) of the layer; missing and empty geometries are ignored."""
    b = shapely.total_bounds(np.asarray(gdf.geometry.values, dtype=object))
    return None if np.isnan(b).all() else tuple(b)


def _fits(gdf, crs):
    """Whether the data's bounds are plausible in ``crs`` (see check_coordinates)."""
    try:
        check_coordinates(gdf.set_crs(crs, allow_override=True))
        return True
    except HnGeoError:
        return False


def check_coordinates(gdf, path=None):
    """Catch projected coordinates declared as geographic, and the reverse.

    Geographic data must lie within longitude -180..180 and latitude -90..90;
    projected data whose every coordinate lies within that range (and spans
    less than 10 units) are taken for degrees mislabelled as metres.

    Raises
    ------
    HnGeoError
        Naming the file, the bounds found and the CRS.
    """
    b = _bounds(gdf)
    if b is None:
        return
    minx, miny, maxx, maxy = b
    crs = gdf.crs
    if crs.is_geographic:
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            if -90 <= minx and maxx <= 90 and -180 <= miny and maxy <= 180:
                hint = ("longitude and latitude look swapped (x holds latitudes); "
                        "swap the columns")
            else:
                hint = "the data look projected (metres); state the right CRS with --assume-crs"
            raise HnGeoError(
                f"coordinates x {minx:.1f}..{maxx:.1f}, y {miny:.1f}..{maxy:.1f} are outside "
                f"the longitude/latitude range but the CRS {crs.to_string()} is geographic: "
                f"{hint}", path=path)
    elif crs.is_projected:
        if -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90 and (maxx - minx) < 10:
            raise HnGeoError(
                f"coordinates x {minx:.4f}..{maxx:.4f}, y {miny:.4f}..{maxy:.4f} look like "
                f"longitude/latitude degrees but the CRS {crs.to_string()} is projected "
                "(metres); the data are probably EPSG:4490 or EPSG:4326", path=path)


# ----------------------------------------------------------------------------- writing
