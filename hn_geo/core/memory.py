"""Garbage collection for million-feature layers.

Python's default collector thresholds (700, 10, 10) make it traverse the millions of
geometries and object arrays of a large layer thousands of times while a frame is read or
its geometries are built (about 2.5 CPU seconds of reading and roof geometry for 1M
buildings, ``benchmarks/solar.py``). hn_geo's frames hold few reference cycles, so
collecting less often costs no memory to speak of. An ``hn-geo`` process sets
:data:`GC_THRESHOLD` once; library calls that build large frames run inside
:func:`rare_collections`.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager

GC_THRESHOLD = (100_000, 50, 100)
"""Collector thresholds (generation 0 allocations, 1, 2) for large layers."""


@contextmanager
def rare_collections(threshold=GC_THRESHOLD):
    """Collect garbage at most as often as ``threshold`` says inside the block; the previous
    thresholds come back on exit (higher ones are left as they are)."""
    before = gc.get_threshold()
    if before[0] >= threshold[0]:
        yield
        return
    gc.set_threshold(*threshold)
    try:
        yield
    finally:
        gc.set_threshold(*before)
