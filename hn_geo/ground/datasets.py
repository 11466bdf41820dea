"""Partitioned GeoParquet datasets: a layer given as a folder of parquet parts or a glob.

A province-size layer (tens of millions of building footprints, millions of project
points) does not fit in one GeoDataFrame. It is kept as a *dataset*: a folder of GeoParquet
files (``part.0.parquet``, ``part.1.parquet`` ... as dask-geopandas' ``to_parquet`` writes
them, or any names; hive-style sub-folders are searched too) or a glob such as
``data/buildings_*.parquet``. Each part is a complete GeoParquet file with its own CRS.

* :func:`parts` lists the parts in their natural order (``part.2`` before ``part.10``);
  that order, and the rows inside each part, is the *row order* of the dataset: every
  row's global number (0-based) is the index of the frames read here, so results of the
  partitioned engine can be put back in the order the in-memory engine sees.
* :func:`describe` reads only the parquet footers: rows and the bounding box of each part
  (GeoParquet ``bbox`` metadata, else the row-group statistics of a covering column).
* :func:`read_part` reads and validates one part against a catalog schema; a problem is an
  :class:`~hn_geo.core.errors.HnGeoError` naming the part's file, the row *inside that part*
  and the field.
* :func:`read_all` concatenates every part (the in-memory engine on a dataset).
* :func:`open_dataset` builds the lazy dask-geopandas frame, one partition per part, with
  the parts' bounding boxes as ``spatial_partitions`` and optionally re-partitioned along
  dask-geopandas' own Hilbert or geohash curve (``spatial_shuffle``).
* :func:`validate_dataset` checks a dataset part by part (``hn-geo layers validate``) and
  the ids across parts, and reports each part's problems under its file name.
"""
from __future__ import annotations

import glob as _glob
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.settings import STORAGE_CRS
from hn_geo.ground import catalog, readers, validate

SUFFIXES = (".parquet", ".geoparquet", ".pq")
"""File suffixes of dataset parts."""
SHUFFLES = ("hilbert", "geohash", "morton")
"""Spatial orderings of dask-geopandas' ``spatial_shuffle``."""


def _is_glob(text):
    return any(ch in str(text) for ch in "*?[")


def is_dataset(path):
    """Whether ``path`` names a dataset: a folder holding parquet parts, or a glob."""
    if path is None:
        return False
    text = str(path)
    if _is_glob(text) and not Path(text).exists():
        return True
    p = Path(text)
    return p.is_dir() and any(q.suffix.lower() in SUFFIXES for q in p.rglob("*") if q.is_file())


def _natural(path):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(path))]


def parts(path):
    """The part files of a dataset, in natural order.

    Raises
    ------
    HnGeoError
        ``ground.dataset_empty`` when the folder or glob holds no parquet part.
    """
    text = str(path)
    if _is_glob(text) and not Path(text).exists():
        found = [Path(p) for p in _glob.glob(text, recursive=True)]
    elif Path(text).is_file():  # one GeoParquet file: a dataset of one part
        found = [Path(text)]
    else:
        found = [q for q in Path(text).rglob("*")]
    found = [p for p in found if p.is_file() and p.suffix.lower() in SUFFIXES
             and not any(s.startswith((".", "_")) for s in p.parts[-2:])]
    if not found:
        raise HnGeoError(code="ground.dataset_empty", params={"path": text}, path=text)
    return sorted(found, key=_natural)


@dataclass(frozen=True)
class Part:
    """One part of a dataset, as its footer describes it.

    Attributes
    ----------
    path : Path
    rows : int
    offset : int
        Global number of its first row.
    bbox : tuple of float or None
        (minx, miny, maxx, maxy) in the part's CRS, from the GeoParquet metadata.
    crs : object
        The part's CRS (PROJJSON dict, or None: OGC:CRS84 by the GeoParquet default).
    """

    path: Path
    rows: int
    offset: int
    bbox: tuple | None = None
    crs: object = field(default=None, compare=False)


def _footer(path):
    try:
        meta = pq.read_metadata(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError ...
        raise HnGeoError(code="ground.dataset_bad_part", params={"why": str(exc)}, path=path) from exc
    geo = json.loads((meta.metadata or {}).get(b"geo", b"{}") or b"{}")
    col = (geo.get("columns") or {}).get(geo.get("primary_column", "geometry"), {})
    bbox = col.get("bbox")
    return meta.num_rows, (tuple(float(v) for v in bbox[:4]) if bbox and len(bbox) >= 4 else None), \
        col.get("crs", "OGC:CRS84") if geo else None


def describe(path):
    """The parts of a dataset with their rows, row offsets and bounding boxes (footers only).

    Returns
    -------
    list of Part
    """
    out, offset = [], 0
    for p in parts(path):
        rows, bbox, crs = _footer(p)
        if rows:  # an empty part (a writer's empty partition) holds nothing to read
            out.append(Part(p, rows, offset, bbox, crs))
        offset += rows
    if not out:
        raise HnGeoError(code="ground.dataset_empty", params={"path": str(path)}, path=str(path))
    return out


def read_part(part, name, *, prepare=None, assume_crs=None, from_gcj02=False, crs=STORAGE_CRS, source=None):
    """Read and validate one part against catalog layer ``name``.

    Parameters
    ----------
    part : Part or str or Path
    name : str
        Catalog layer name (``'buildings'``, ``'projects'`` ...).
    prepare : callable, optional
        ``func(raw, path) -> GeoDataFrame`` run before validation (the layer's preparer).
    assume_crs, from_gcj02
        As for :func:`hn_geo.ground.readers.read_file`.

    Returns
    -------
    geopandas.GeoDataFrame
        Validated, in ``crs``, indexed by the global row number (``part.offset`` + row).
    """
    path = part.path if isinstance(part, Part) else Path(part)
    offset = part.offset if isinstance(part, Part) else 0
    if source is None:
        raw = readers.read_file(path, assume_crs=assume_crs, from_gcj02=from_gcj02)
    else:  # the first rows only, for the columns and dtypes (the lazy frame's meta)
        raw = gpd.read_parquet(source)
        if raw.crs is None and assume_crs is not None:
            raw = raw.set_crs(assume_crs)
    if prepare is not None:
        raw = prepare(raw, path)
    gdf = validate.validate(raw, catalog.get_schema(name), path=path, crs=crs)
    gdf.index = pd.RangeIndex(offset, offset + len(gdf))
    gdf.attrs.update(hn_geo_layer=name, hn_geo_source=str(path))
    return gdf


def read_all(path, name, **options):
    """Every part of a dataset, validated, as one GeoDataFrame (the in-memory engine).

    Ids must be unique across the parts (checked like a single file's).
    """
    frames = [read_part(p, name, **options) for p in describe(path)]
    gdf = pd.concat(frames)
    dup = duplicate_ids(gdf[catalog.get_schema(name).id_field])
    if dup:
        raise HnGeoError(code="ground.dataset_duplicate_ids", params={"n": len(dup), "ids": dup[:10]},
                         path=str(path), field=catalog.get_schema(name).id_field)
    gdf.attrs.update(hn_geo_layer=name, hn_geo_source=str(path))
    return gdf


def duplicate_ids(ids):
    """The id values that occur more than once (in order of first occurrence)."""
    s = pd.Series(ids).dropna()
    return [str(v) for v in s[s.duplicated(keep="first")].drop_duplicates()]


def _bbox_4490(part):
    if part.bbox is None:
        return None
    box = shapely.segmentize(shapely.box(*part.bbox), max(part.bbox[2] - part.bbox[0], 1e-9) / 8)
    src = "OGC:CRS84" if part.crs in (None, "OGC:CRS84") else part.crs
    return gpd.GeoSeries([box], crs=src).to_crs(STORAGE_CRS).envelope.iloc[0]


def open_dataset(path, name, *, prepare=None, assume_crs=None, from_gcj02=False, shuffle=None,
                 npartitions=None):
    """A dataset as a lazy dask-geopandas GeoDataFrame: one partition per part.

    Each partition is read and validated by :func:`read_part` when it is computed (its
    errors name the part's file); its index is the global row number, so the frame's
    divisions are known. ``spatial_partitions`` are the parts' bounding boxes from the
    footers (EPSG:4490) when every part declares one.

    Parameters
    ----------
    path : str or Path
        Folder of parts or glob.
    name : str
        Catalog layer.
    shuffle : {'hilbert', 'geohash', 'morton'}, optional
        Re-partition along dask-geopandas' space-filling curve (``spatial_shuffle``) --
        for datasets whose parts are not spatially compact. The global row number is kept
        in the index.
    npartitions : int, optional
        Partitions after a shuffle (default: as many as parts).

    Returns
    -------
    (dask_geopandas.GeoDataFrame, list of Part)
    """
    import dask
    import dask.dataframe as dd
    import dask_geopandas

    described = describe(path)
    meta = _meta(described[0], name, prepare=prepare, assume_crs=assume_crs, from_gcj02=from_gcj02)
    with dask.config.set({"dataframe.convert-string": False}):  # keep the validated dtypes
        ddf = dd.from_map(_PartReader(name, prepare, assume_crs, from_gcj02), described, meta=meta,
                          divisions=[p.offset for p in described] + [described[-1].offset
                                                                      + max(described[-1].rows - 1, 0)],
                          label=f"read-{name}", enforce_metadata=False)
    if not isinstance(ddf, dask_geopandas.GeoDataFrame):
        ddf = dask_geopandas.from_dask_dataframe(ddf, geometry=meta.geometry.name)
    boxes = [_bbox_4490(p) for p in described]
    if all(b is not None for b in boxes):
        ddf.spatial_partitions = gpd.GeoSeries(boxes, crs=STORAGE_CRS)
    if shuffle:
        if shuffle not in SHUFFLES:
            raise HnGeoError(code="ground.dataset_bad_shuffle", params={"value": shuffle,
                                                                        "known": list(SHUFFLES)})
        ddf = ddf.assign(_row=ddf.index).spatial_shuffle(by=shuffle, npartitions=npartitions or len(described))
        ddf = ddf.map_partitions(_row_index, meta=meta)
    return ddf, described


def _row_index(df):
    """The global row number back as the index after a spatial shuffle (which indexes by curve)."""
    return df.set_index("_row").rename_axis(None)


def _meta(part, name, sample=64, **options):
    """The empty validated frame of a part's first rows: the columns and dtypes of every partition."""
    f = pq.ParquetFile(part.path)
    table = pa.Table.from_batches([next(f.iter_batches(batch_size=sample))])
    sink = pa.BufferOutputStream()
    pq.write_table(table.replace_schema_metadata(f.schema_arrow.metadata), sink)
    head = pa.BufferReader(sink.getvalue())
    return read_part(Part(part.path, sample, 0, part.bbox, part.crs), name, source=head, **options).iloc[:0]


class _PartReader:
    """Picklable reader of one part (what a dask worker runs)."""

    def __init__(self, name, prepare, assume_crs, from_gcj02):
        self.name, self.prepare, self.assume_crs, self.from_gcj02 = name, prepare, assume_crs, from_gcj02

    def __call__(self, part):
        return read_part(part, self.name, prepare=self.prepare, assume_crs=self.assume_crs,
                         from_gcj02=self.from_gcj02)


@dataclass
class PartReport:
    """What :func:`validate_dataset` found in one part.

    Attributes
    ----------
    path : Path
    rows : int
        Rows in the footer.
    error : HnGeoError or None
        The first problem validation stops at (file, row inside the part, field).
    warnings : list
        Repairs made (HnGeoWarning messages).
    bounds : tuple or None
        Bounds in EPSG:4490 of a valid part.
    """

    path: Path
    rows: int
    error: HnGeoError | None = None
    warnings: list = field(default_factory=list)
    bounds: tuple | None = None


def _check_part(part, name, options):
    report = PartReport(part.path, part.rows)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HnGeoWarning)
        try:
            gdf = read_part(part, name, **options)
        except HnGeoError as exc:
            report.error = exc
            gdf = None
    report.warnings = [w.message for w in caught if issubclass(w.category, HnGeoWarning)]
    if gdf is None:
        return report, None
    report.bounds = tuple(float(v) for v in gdf.total_bounds)
    ids = gdf[catalog.get_schema(name).id_field]
    return report, pd.util.hash_pandas_object(ids.astype(str), index=False).to_numpy()


def validate_dataset(path, name, **options):
    """Validate every part of a dataset against catalog layer ``name``, one part at a time.

    Memory holds one part and a 64-bit hash per id (for the ids across parts).

    Returns
    -------
    (list of PartReport, HnGeoError or None)
        One report per part, and the cross-part problem (ids that occur in several parts,
        naming the parts) if any.
    """
    reports, hashes = [], []
    for part in describe(path):
        report, h = _check_part(part, name, options)
        reports.append(report)
        hashes.append(h if h is not None else np.zeros(0, np.uint64))
    return reports, _cross_part_ids(reports, hashes, name)


def _cross_part_ids(reports, hashes, name):
    allh = np.concatenate(hashes) if hashes else np.zeros(0, np.uint64)
    which = np.repeat(np.arange(len(hashes)), [h.size for h in hashes])
    order = np.argsort(allh, kind="stable")
    sh = allh[order]
    dup = np.flatnonzero(sh[1:] == sh[:-1])
    if not dup.size:
        return None
    in_parts = sorted({int(which[order][i]) for i in dup} | {int(which[order][i + 1]) for i in dup})
    return HnGeoError(code="ground.dataset_duplicate_ids_parts",
                      params={"n": int(np.unique(sh[dup]).size),
                              "parts": [reports[i].path.name for i in in_parts[:10]]},
                      field=catalog.get_schema(name).id_field)
