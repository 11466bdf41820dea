"""Compact binary encoding of large map layers: polygons and their popup columns.

A layer of a million building footprints written as GeoJSON is a 300 MB page that takes
a minute to open. :func:`shapes_payload` writes it instead as a few typed arrays:

* **geometry** -- every vertex projected to Web Mercator metres (the page's own
  projection, so the browser only scales and shifts), quantised to ``QUANTUM_M``
  (0.5 m, below a pixel at zoom 18), features sorted along a Z-order curve so that
  neighbours follow each other, and *delta-coded*: one stream of zig-zag varints for the
  x/y steps from each vertex to the next across all rings (a few bytes per vertex), the
  vertex count of each ring and the ring count of each feature likewise;
* **popup columns** -- words dictionary-coded (``Uint8``/``Uint16`` codes and the list
  of words), numbers as ``Float32`` or ``Int32``, identifiers ``prefix + number`` as
  ``Int32``; the page formats numbers as :func:`~.values.format_number` does;
* **colour classes** -- one ``Uint8`` per feature.

Each array is gzip-compressed (the page inflates it with the browser's own
``DecompressionStream``, no library) and base64-encoded into the page's JSON data block.
``hn_geo/assets/hn_geo_shapes.js`` decodes it, builds a packed grid index for drawing and
hit-testing, and draws the features into Leaflet's canvas.
"""
from __future__ import annotations

import base64
import gzip
import math
import re

import numpy as np
import pandas as pd
import shapely

from hn_geo.render.maps.values import is_numeric, is_text, missing, plain_texts

QUANTUM_M = 0.5
"""Grid step of the stored vertices, in Web Mercator metres (~0.43 m on the ground here)."""
R_EARTH = 6378137.0
_ID_RE = re.compile(r"^(?P<prefix>\D*?)(?P<num>\d{1,9})$")


def b64(data: bytes, compress=True):
    """Base64 text of ``data`` (gzip-compressed first, with a fixed time stamp)."""
    if compress:
        data = gzip.compress(data, compresslevel=6, mtime=0)
    return base64.b64encode(data).decode("ascii")


def typed(arr, compress=True):
    """``{"t": type, "b": base64}`` of a numeric array in its smallest fitting type."""
    arr = np.asarray(arr)
    if arr.dtype.kind == "f":
        a, t = arr.astype("<f4"), "f32"
    else:
        lo, hi = (int(arr.min()), int(arr.max())) if arr.size else (0, 0)
        t, dt = next(((name, d) for name, d in (("u8", "<u1"), ("u16", "<u2"))
                      if np.iinfo(d).min <= lo and hi <= np.iinfo(d).max), ("i32", "<i4"))
        a = arr.astype(dt)
    return {"t": t, "b": b64(a.tobytes(), compress)}


VARINT_CHUNK = 1 << 20
"""Values encoded at a time by :func:`varints` (bounds its working memory to some 40 MB)."""


def varints(values):
    """Zig-zag LEB128 varints of signed integers (vectorised): small magnitudes take one byte."""
    v = np.asarray(values, dtype=np.int64)
    return b"".join(_varints(v[i:i + VARINT_CHUNK]) for i in range(0, len(v), VARINT_CHUNK))


def _varints(v):
    z = ((v << 1) ^ (v >> 63)).astype(np.uint64)
    nbytes = np.ones(len(z), dtype=np.uint8)
    for k in range(1, 10):
        nbytes += z >= np.uint64(1) << np.uint64(7 * k)
    out = np.zeros((len(z), int(nbytes.max()) if len(z) else 1), dtype=np.uint8)
    for k in range(out.shape[1]):
        byte = ((z >> np.uint64(7 * k)) & np.uint64(0x7F)).astype(np.uint8)
        out[:, k] = byte | ((nbytes > k + 1).astype(np.uint8) << 7)
    keep = np.arange(out.shape[1])[None, :] < nbytes[:, None]
    return out[keep].tobytes()


def mercator(lon, lat):
    """Web Mercator metres (EPSG:3857) of lon/lat degrees."""
    lat = np.clip(lat, -85.05112878, 85.05112878)
    x = R_EARTH * np.radians(lon)
    y = R_EARTH * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))
    return x, y


def _zorder(x, y):
    """Z-order (Morton) keys of integer coordinates (16 bits each)."""
    def spread(v):
        v = v.astype(np.uint64) & np.uint64(0xFFFF)
        v = (v | (v << np.uint64(8))) & np.uint64(0x00FF00FF)
        v = (v | (v << np.uint64(4))) & np.uint64(0x0F0F0F0F)
        v = (v | (v << np.uint64(2))) & np.uint64(0x33333333)
        return (v | (v << np.uint64(1))) & np.uint64(0x55555555)
    return spread(x) | (spread(y) << np.uint64(1))


def spatial_order(geoms):
    """Feature order along a Z-order curve of their bounding-box centres."""
    b = shapely.bounds(geoms)
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    span = max(np.ptp(cx), np.ptp(cy), 1e-12)
    ix = np.floor((cx - cx.min()) / span * 65535).astype(np.int64)
    iy = np.floor((cy - cy.min()) / span * 65535).astype(np.int64)
    return np.argsort(_zorder(ix, iy), kind="stable")


def encode_geometry(geoms):
    """Rings of polygon features (lon/lat) as delta-coded quantised Web Mercator varints.

    Returns the JSON-ready dict: ``x0``/``y0`` (origin, Mercator m), ``q`` (quantum, m),
    ``fr`` (rings per feature), ``rn`` (vertices per ring, closing vertex left out) and
    ``d`` (x, y steps of every vertex from the previous one, all rings in order).
    """
    geoms = np.asarray(geoms, dtype=object)
    if bool(np.all(shapely.get_type_id(geoms) == 3)):  # polygons only: no part to copy out
        polys, owner = geoms, np.arange(len(geoms))
    else:
        polys, owner = shapely.get_parts(geoms, return_index=True)
    n_int = shapely.get_num_interior_rings(polys)
    rings_per_poly = 1 + n_int
    xy, counts = _ring_coordinates(polys, n_int)
    last = np.cumsum(counts) - 1  # drop each ring's closing vertex
    keep = np.ones(len(xy), dtype=bool)
    keep[last] = False
    xy = xy[keep]
    counts = counts - 1
    mx, my = mercator(xy[:, 0], xy[:, 1])
    del xy, keep  # each array let go once used: 1M footprints hold 7.7M vertices (120 MB a copy)
    x0, y0 = float(np.floor(mx.min())) if len(mx) else 0.0, float(np.floor(my.min())) if len(my) else 0.0
    steps = np.empty(2 * len(mx), dtype=np.int64)
    for k, (m, origin) in enumerate(((mx, x0), (my, y0))):
        q = np.round((m - origin) / QUANTUM_M).astype(np.int64)
        steps[k::2] = np.diff(q, prepend=0)
        del q
    del mx, my
    feat_rings = np.bincount(owner, weights=rings_per_poly, minlength=len(geoms)).astype(np.int64)
    return {"n": int(len(geoms)), "x0": x0, "y0": y0, "q": QUANTUM_M,
            "fr": b64(varints(feat_rings)), "rn": b64(varints(counts)), "d": b64(varints(steps))}


def _ring_coordinates(polys, n_int):
    """Every vertex of the polygons (each exterior, then its holes, in order) and the vertex
    count of each ring. The rings of polygons with holes are counted one by one; a polygon
    without holes is its exterior (no ring is copied out of a million plain footprints)."""
    xy = shapely.get_coordinates(polys)
    first = np.cumsum(1 + n_int) - (1 + n_int)  # index of each polygon's exterior among the rings
    counts = np.zeros(int((1 + n_int).sum()), dtype=np.int64)
    plain = n_int == 0
    counts[first[plain]] = shapely.get_num_coordinates(polys[plain])
    holed = np.flatnonzero(~plain)
    if holed.size:
        k = 1 + n_int[holed]
        at = np.repeat(first[holed], k) + (np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k))
        counts[at] = shapely.get_num_coordinates(shapely.get_rings(polys[holed]))
    return xy, counts


def _id_column(texts):
    """``prefix + number`` identifiers (one prefix, numbers < 1e9) as Int32, else None."""
    found = _split_ids(texts)
    if found is not False:
        return found
    prefix, width, nums = None, None, []
    for t in texts:
        if t is None:
            return None
        m = _ID_RE.match(t)
        if m is None or (prefix is not None and (m["prefix"] != prefix or len(m["num"]) != width)):
            return None
        prefix, width = m["prefix"], len(m["num"])
        nums.append(int(m["num"]))
    return {"k": "id", "p": prefix or "", "w": width or 0, "a": typed(np.array(nums, dtype=np.int64))}


# the same pattern as _ID_RE in RE2 (pyarrow): Python's \d and \D are Unicode's decimal digits
_ID_RE2 = r"^(?P<prefix>\P{Nd}*?)(?P<num>\p{Nd}{1,9})$"


def _split_ids(texts):
    """:func:`_id_column` in pyarrow's C++ (one pass for a million ids), or False where
    Python's ``re`` could answer otherwise (a text ending in a newline, which ``$`` lets
    through) and the per-text loop has to decide."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(texts, type=pa.string())
    except (pa.ArrowException, TypeError):
        return False
    if arr.null_count:
        return None
    if len(arr) == 0 or pc.any(pc.ends_with(arr, "\n")).as_py():
        return False
    parts = pc.extract_regex(arr, _ID_RE2)
    if parts.null_count:
        return None
    prefix, num = parts.field("prefix"), parts.field("num")
    width = pc.utf8_length(num)
    if pc.count_distinct(prefix).as_py() != 1 or pc.count_distinct(width).as_py() != 1:
        return None
    if pc.all(pc.string_is_ascii(num)).as_py():
        nums = pc.cast(num, pa.int64()).to_numpy()
    else:  # other decimal digits (full-width ...): Python's int() reads them
        nums = np.array([int(v) for v in num.to_pylist()], dtype=np.int64)
    return {"k": "id", "p": prefix[0].as_py(), "w": width[0].as_py(), "a": typed(nums)}


def _texts(shown):
    """The display texts of a column as a list: str, or None for a missing value."""
    if is_text(shown):
        return plain_texts(shown).tolist()
    return [None if missing(t) else str(t) for t in shown.tolist()]


def _year_like(series):
    vals = pd.to_numeric(series, errors="coerce").dropna()
    return (series.name is not None and "year" in str(series.name).lower() and len(vals) > 0
            and bool((vals == np.round(vals)).all()) and vals.between(1000, 2999).all())


def encode_column(raw, shown, label):
    """One popup column: ``{"l": label, "k": kind, ...}``.

    ``raw`` is the layer's column (numbers stay numbers, formatted by the page), ``shown``
    the presented display text (codes as words) used for everything that is not a number
    (None will do for a numeric ``raw``).
    """
    if is_numeric(raw):
        v = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        ints = np.isfinite(v).all() and bool((v == np.round(v)).all()) and np.abs(v).max(initial=0) < 2 ** 31
        col = {"l": label, "k": "num", "a": typed(v.astype(np.int64) if ints else v)}
        if _year_like(raw):
            col["plain"] = True  # 2025, not 2,025
        return col
    texts = _texts(shown)
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object), use_na_sentinel=True)
    if len(uniques) <= 65535 and len(uniques) <= max(1, len(texts) // 4):
        codes = np.where(codes < 0, len(uniques), codes)
        return {"l": label, "k": "dict", "a": typed(codes), "d": [str(u) for u in uniques] + [None]}
    ident = _id_column(texts)
    if ident is not None:
        return {"l": label, **ident}
    return {"l": label, "k": "text", "v": texts}


def quantile_classes(values, n_classes):
    """Class 0..n-1 of each value by quantile breaks of the finite values (NaN -> 255),
    and the breaks (``n + 1`` values, first = minimum, last = maximum)."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    finite = v[np.isfinite(v)]
    if finite.size == 0:
        return np.full(len(v), 255, dtype=np.uint8), np.zeros(n_classes + 1)
    breaks = np.quantile(finite, np.linspace(0, 1, n_classes + 1))
    breaks = np.maximum.accumulate(breaks)
    cls = np.clip(np.searchsorted(breaks[1:-1], v, side="right"), 0, n_classes - 1).astype(np.uint8)
    cls[~np.isfinite(v)] = 255
    return cls, breaks


def shapes_payload(gdf, columns, shown, labels, classes):
    """The JSON-ready data of a compact polygon layer (features in spatial order).

    Parameters
    ----------
    gdf : GeoDataFrame in WGS84 lon/lat.
    columns : list of str
        Popup columns.
    shown : dict {column: display text Series}
        Presented values (:func:`~.values.shown_values`) of the columns that are not
        numeric (numbers go to the page as numbers: their display text is not needed).
    labels : dict {column: label}
    classes : array of uint8
        Colour class of each feature (255: no data).

    Returns
    -------
    dict, numpy.ndarray
        The payload and the order (positions in ``gdf`` of the features as stored).
    """
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    order = spatial_order(geoms)
    data = encode_geometry(geoms[order])
    data["cls"] = typed(np.asarray(classes, dtype=np.uint8)[order])
    data["cols"] = [encode_column(gdf[c].iloc[order].reset_index(drop=True),
                                  shown[c].iloc[order].reset_index(drop=True) if c in shown else None,
                                  labels[c]) for c in columns]
    return data, order


BLOB_KEYS = ("fr", "rn", "d", "b")


def split_blobs(data):
    """The payload with every base64 array replaced by its index in a list of blobs, and
    the list: the blobs go to the page in a ``<script type="application/octet-stream">``
    of their own, not as strings of the JSON data block (they are bytes, not words)."""
    blobs = []

    def walk(o):
        if isinstance(o, dict):
            out = {}
            for k, v in o.items():
                if k in BLOB_KEYS and isinstance(v, str):
                    blobs.append(v)
                    out[k] = len(blobs) - 1
                else:
                    out[k] = walk(v)
            return out
        if isinstance(o, list):
            return [walk(v) for v in o]
        return o

    return walk(data), blobs


def detail_zoom_for(sizes_m, lat=30.5):
    """Zoom from which features of typical size ``sizes_m`` (m) span >= 4 pixels."""
    typical = float(np.median(sizes_m)) if len(sizes_m) else 50.0
    z = math.log2(156543.03392 * math.cos(math.radians(lat)) * 4 / max(typical, 1.0))
    return int(min(18, max(12, math.ceil(z))))
