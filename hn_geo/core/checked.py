"""Geometry arrays already checked valid, so that the writers need not check them again.

``validate`` checks every geometry of a layer it loads (``shapely.is_valid``, repairing what
is not) and the writers check every geometry they write; for a layer of 1M buildings written
unchanged into a result and a share package, that is the same 1.6 CPU s of GEOS work three
times. :func:`mark_valid` records which geometry *objects* were found valid (their
identities, while the array holding them is alive); :func:`known_valid` says whether an
array holds exactly those objects, in the same order. shapely geometries are immutable, so
the same objects are still valid; a geometry replaced, added or reordered is another object
and the array is checked again. An array whose first holder has been freed is checked again
(its objects' identities could be reused).

Arrays below :data:`MIN_SIZE` are not recorded: checking them costs less than this.
"""
from __future__ import annotations

import weakref

import numpy as np

MIN_SIZE = 10_000
"""Geometries below which an array is not recorded."""

_VALID = {}
"""{fingerprint: (weak reference to the checked array, identities of its geometries)}"""


def _fingerprint(arr):
    """(key, identities): the identities of the array's geometries, and a key for them."""
    ids = np.fromiter(map(id, arr), dtype=np.int64, count=len(arr))
    return (len(ids), hash(ids.tobytes())), ids


def mark_valid(geoms):
    """Record that every geometry of ``geoms`` (an object array, or a GeometryArray) is valid
    and present (none missing)."""
    arr = np.asarray(geoms, dtype=object)
    if len(arr) < MIN_SIZE:
        return
    key, ids = _fingerprint(arr)
    _VALID[key] = (weakref.ref(arr, lambda _ref, key=key: _VALID.pop(key, None)), ids)


def known_valid(geoms):
    """Whether ``geoms`` holds exactly the geometries of an array recorded by
    :func:`mark_valid` that is still alive (then every element is a valid geometry)."""
    arr = np.asarray(geoms, dtype=object)
    if len(arr) < MIN_SIZE or not _VALID:
        return False
    key, ids = _fingerprint(arr)
    entry = _VALID.get(key)
    return entry is not None and entry[0]() is not None and np.array_equal(entry[1], ids)
