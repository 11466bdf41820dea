"""Reading a share package back: the package verified as a whole, column types restored.

A package is read only when it is what hn_geo writes (:mod:`hn_geo.render.share`): a zip
whose file names are safe (no absolute path, no ``..``, no name twice), whose members are
not zip bombs (size and compression ratio bounded), whose ``SHA256SUMS`` lists every file
once with its checksum (nothing missing, nothing unlisted, nothing changed), and whose
``metadata.json`` names the files it describes. Anything else is a clear
:class:`~hn_geo.core.errors.HnGeoError` naming the package and the file, never a raw
``KeyError``, ``BadZipFile`` or GDAL ``DataSourceError``.

Types come from the field dictionaries (``fields/*.csv``, their last column: a type word of
the package's language, or a type code of older packages).
"""
from __future__ import annotations

import hashlib
import io as _io
import json
import re
import warnings
import zipfile
from pathlib import Path, PurePosixPath

import pandas as pd
import pyogrio

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.render.escape import csv_untext

SUMS = "SHA256SUMS"
METADATA = "metadata.json"
MAX_MEMBER_BYTES = 8 << 30
"""Largest file a package may unpack to (8 GiB)."""
MAX_TOTAL_BYTES = 32 << 30
"""Largest total a package may unpack to (32 GiB)."""
MAX_RATIO = 200
"""Largest compression ratio of a member over 1 MiB (hn_geo's own packages stay under 15:1;
a zip bomb of zeros reaches 1000:1)."""
_SUMS_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")


def _fail(code, zip_path, **params):
    return HnGeoError(code=f"render.{code}", params=params, path=zip_path)


def _open(zip_path):
    try:
        return zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise _fail("not_a_package", zip_path, error=str(exc) or type(exc).__name__) from None


def safe_name(name):
    """Whether a member name stays inside the folder it is unpacked into."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return False
    return ".." not in PurePosixPath(name).parts


def check_members(zf, zip_path, *, max_member=None, max_total=None, max_ratio=None):
    """The package's file names (directories left out), after the safety checks.

    The limits default to :data:`MAX_MEMBER_BYTES`, :data:`MAX_TOTAL_BYTES` and :data:`MAX_RATIO`.

    Raises
    ------
    HnGeoError
        An unsafe or repeated name, a member too big or compressed suspiciously well.
    """
    max_member = MAX_MEMBER_BYTES if max_member is None else max_member
    max_total = MAX_TOTAL_BYTES if max_total is None else max_total
    max_ratio = MAX_RATIO if max_ratio is None else max_ratio
    seen, total = {}, 0
    for info in zf.infolist():
        name = info.filename
        if not safe_name(name):
            raise _fail("package_unsafe_name", zip_path, name=name)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            raise _fail("package_duplicate_name", zip_path, name=name, n=sum(i.filename == name for i in zf.infolist()))
        total += info.file_size
        if info.file_size > max_member or total > max_total:
            raise _fail("package_too_big", zip_path, name=name, size=round(info.file_size / 2**20, 1),
                        limit=round(min(max_member, max_total) / 2**20))
        if info.file_size > 1 << 20 and info.file_size > max_ratio * max(1, info.compress_size):
            raise _fail("package_ratio", zip_path, name=name, ratio=round(info.file_size / max(1, info.compress_size)),
                        limit=max_ratio)
    return [n for n in seen if not n.endswith("/")]


def _digest(zf, name, zip_path):
    h = hashlib.sha256()
    try:
        with zf.open(name) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _fail("package_bad_file", zip_path, name=name, error=str(exc) or type(exc).__name__) from None
    return h.hexdigest()


def _read_member(zf, name, zip_path, limit=64 << 20):
    """A small member's bytes (metadata, checksums, field dictionaries), at most ``limit``."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        raise _fail("package_too_big", zip_path, name=name, size=round(info.file_size / 2**20, 1),
                    limit=round(limit / 2**20))
    try:
        return zf.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise _fail("package_bad_file", zip_path, name=name, error=str(exc) or type(exc).__name__) from None


def _sums(zf, zip_path):
    raw = _read_member(zf, SUMS, zip_path)
    if raw is None:
        raise _fail("no_sums", zip_path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail("package_bad_file", zip_path, name=SUMS, error=str(exc)) from None
    listed = {}
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = _SUMS_LINE.fullmatch(line.rstrip("\r"))
        if m is None:
            raise _fail("sums_bad_line", zip_path, line=i)
        digest, name = m.group(1).lower(), m.group(2)
        if not safe_name(name):
            raise _fail("package_unsafe_name", zip_path, name=name)
        if name in listed:
            raise _fail("sums_duplicate", zip_path, name=name)
        listed[name] = digest
    return listed


def verify_checksums(zip_path):
    """Check a package as a whole against its ``SHA256SUMS``; returns the number of files checked.

    Every file of the zip (but ``SHA256SUMS``) must be listed once and match; every listed
    file must be there. Names and sizes are checked first (:func:`check_members`).

    Raises
    ------
    HnGeoError
        Naming the first file that is unsafe, missing, unlisted or does not match.
    """
    zip_path = Path(zip_path)
    with _open(zip_path) as zf:
        names = set(check_members(zf, zip_path))
        listed = _sums(zf, zip_path)
        for name in listed:
            if name not in names:
                raise _fail("sums_missing_file", zip_path, name=name)
        unlisted = sorted(names - set(listed) - {SUMS})
        if unlisted:
            raise _fail("sums_unlisted", zip_path, n=len(unlisted), names=unlisted[:5])
        for name, digest in listed.items():
            if _digest(zf, name, zip_path) != digest:
                raise _fail("checksum_mismatch", zip_path, name=name)
    return len(listed)


def _type_code(text):
    return vocabulary.code_of("field_type", text, scope="render") or "str"


def restore_types(df, fields):
    """Cast columns to the types recorded in a field dictionary (first column: name,
    last column: type)."""
    for name, kind in zip(fields.iloc[:, 0].map(csv_untext), fields.iloc[:, -1].map(_type_code)):
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


def _metadata(zf, zip_path, fmt):
    """``metadata.json`` checked: a layer list whose files are in the package."""
    raw = _read_member(zf, METADATA, zip_path)
    if raw is None:
        raise _fail("package_no_metadata", zip_path)
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _fail("package_bad_file", zip_path, name=METADATA, error=str(exc)) from None
    problem = _metadata_problem(meta, set(zf.namelist()), fmt)
    if problem:
        raise _fail(problem[0], zip_path, **problem[1])
    return meta


def _metadata_problem(meta, names, fmt):
    """``(message code, params)`` of the first problem of the metadata, or None."""
    if not isinstance(meta, dict) or not isinstance(meta.get("layers"), list):
        return "meta_no_layers", {}
    if fmt == "gpkg" and meta.get("geopackage") not in names:
        return "meta_file_missing", {"layer": "-", "key": "geopackage", "name": str(meta.get("geopackage"))}
    for i, lyr in enumerate(meta["layers"], start=1):
        if not isinstance(lyr, dict) or not isinstance(lyr.get("name"), str) or not isinstance(lyr.get("files"), dict):
            return "meta_bad_layer", {"i": i}
        count = lyr.get("feature_count")
        if not isinstance(count, int) or isinstance(count, bool):
            return "meta_bad_count", {"layer": lyr["name"]}
        files = lyr["files"]
        from_gpkg = fmt == "gpkg" or files.get("geojson") is None  # a layer too big for GeoJSON
        for key in ("fields", "geopackage_layer") if from_gpkg else ("geojson", "fields"):
            if not isinstance(files.get(key), str) or (key != "geopackage_layer" and files[key] not in names):
                return "meta_file_missing", {"layer": lyr["name"], "key": key, "name": str(files.get(key))}
        if from_gpkg and meta.get("geopackage") not in names:
            return "meta_file_missing", {"layer": lyr["name"], "key": "geopackage", "name": str(meta.get("geopackage"))}
    return None


def _fields(zf, zip_path, name):
    try:
        return pd.read_csv(_io.BytesIO(_read_member(zf, name, zip_path)), encoding="utf-8-sig", dtype=str,
                           keep_default_na=False)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise _fail("package_bad_file", zip_path, name=name, error=str(exc).splitlines()[0]) from None


def _read_layer(zip_path, meta, lyr, fmt):
    vsi = f"/vsizip/{Path(zip_path).resolve()}"
    geojson = lyr["files"].get("geojson") if fmt == "geojson" else None
    name = geojson or meta["geopackage"]
    try:
        if geojson:
            return pyogrio.read_dataframe(f"{vsi}/{name}")
        gdf = pyogrio.read_dataframe(f"{vsi}/{name}", layer=lyr["files"]["geopackage_layer"])
        # a layer without GeoJSON (written as GeoParquet): its GeoPackage layer, in WGS84 as asked
        return gdf.to_crs("EPSG:4326") if fmt == "geojson" and gdf.crs is not None else gdf
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
            pyogrio.errors.GeometryError, pyogrio.errors.CRSError, OSError) as exc:
        raise _fail("package_bad_file", zip_path, name=name, error=str(exc).replace(vsi + "/", "")) from None


def read_share_package(zip_path, *, fmt="geojson", verify=True):
    """Read a share package back into GeoDataFrames.

    Parameters
    ----------
    zip_path : str or Path
    fmt : {'geojson', 'gpkg'}
        Read the GeoJSON files (WGS84) or the GeoPackage layers (EPSG:4490).
    verify : bool
        Check the package against ``SHA256SUMS`` first (default True). File names and sizes
        are checked either way.

    Returns
    -------
    dict of str -> geopandas.GeoDataFrame
        In package order, column types restored from the field dictionaries.

    Raises
    ------
    HnGeoError
        The package is not a readable zip, holds unsafe names or a zip bomb, does not match
        its checksums, or its metadata or a file cannot be read (see the module docstring).
    """
    zip_path = Path(zip_path)
    if not zip_path.is_file():
        raise HnGeoError(code="render.file_not_found", path=zip_path)
    if fmt not in ("geojson", "gpkg"):
        raise ValueError(f"fmt must be 'geojson' or 'gpkg', not {fmt!r}")
    if verify:
        verify_checksums(zip_path)
    with _open(zip_path) as zf:
        check_members(zf, zip_path)
        meta = _metadata(zf, zip_path, fmt)
        fields = {lyr["name"]: _fields(zf, zip_path, lyr["files"]["fields"]) for lyr in meta["layers"]}
    out = {}
    for lyr in meta["layers"]:
        gdf = _read_layer(zip_path, meta, lyr, fmt)
        if len(gdf) != lyr["feature_count"]:
            warnings.warn(HnGeoWarning("render.count_mismatch", path=zip_path, layer=lyr["name"], n=len(gdf),
                                       expected=lyr["feature_count"]), stacklevel=2)
        try:
            out[lyr["name"]] = restore_types(gdf, fields[lyr["name"]])
        except (ValueError, TypeError) as exc:
            raise _fail("package_bad_file", zip_path, name=lyr["files"]["fields"], error=str(exc)) from None
    return out
