"""Schedulers, computing with progress, and warnings raised inside partition tasks.

* :func:`scheduler` -- ``threads`` (dask's threaded scheduler), ``processes`` (a
  ``distributed.LocalCluster`` of worker processes on this machine, one per core) or
  ``tcp://host:port`` (a running dask.distributed scheduler: ``dask scheduler`` on one machine,
  ``dask worker tcp://host:8786`` on each of the others).
* :func:`compute` -- ``dask.compute`` on that scheduler; a progress bar on the console for runs
  longer than a few seconds (dask's ``ProgressBar`` locally, distributed's ``progress`` on a
  cluster), on standard error.
* Warnings: the analyses warn with :class:`~hn_geo.core.errors.HnGeoWarning` (counted, with the
  first ids). A partition task records them (:func:`recorded`, thread-safe: dask's threaded
  scheduler runs several tasks at once) and returns them as plain data; :func:`merge_warnings`
  adds up the counts of the same warning over every partition and re-emits one warning per
  kind in the caller, as the in-memory engine would.
"""
from __future__ import annotations

import contextlib
import logging
import sys
import threading
import warnings

import dask
import numpy as np

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.results import Msg

SCHEDULERS = ("threads", "processes")
"""Local schedulers; any ``tcp://`` (or ``tls://``) address names a distributed one."""
LISTED = ("n", "ids", "first")
"""Warning parameters that differ per partition: a count and the first ids."""
SHOWN = 5
"""How many ids a merged warning names (as the analyses do)."""
PROGRESS_AFTER_S = 3.0
"""The progress bar appears once a computation has run this long [s]."""


def check_scheduler(value):
    """``value`` if it names a scheduler, else HnGeoError ``pipeline.bad_scheduler``."""
    if value is None or value in SCHEDULERS or str(value).startswith(("tcp://", "tls://", "inproc://")):
        return value
    raise HnGeoError(code="pipeline.bad_scheduler", params={"value": value}, field="scheduler")


@contextlib.contextmanager
def scheduler(value=None):
    """Run the dask computations inside the block on scheduler ``value``.

    Yields
    ------
    distributed.Client or None
        The client of a distributed scheduler (None for ``threads``).
    """
    value = check_scheduler(value) or "threads"
    if value == "threads":
        with dask.config.set(scheduler="threads"):
            yield None
        return
    from distributed import Client, LocalCluster

    if value == "processes":
        with LocalCluster(n_workers=None, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(value, timeout=20, set_as_default=True)
    except OSError as exc:
        raise HnGeoError(code="pipeline.scheduler_unreachable", params={"address": value, "why": str(exc)},
                         field="scheduler") from exc
    with client:
        yield client


def compute(*collections, client=None, progress=True):
    """Compute dask collections on the current scheduler, with a progress bar on long runs."""
    with _warnings_kept():
        return _compute(collections, client, progress)


@contextlib.contextmanager
def _warnings_kept():
    """The caller's warning filters and ``showwarning`` as they were before the computation:
    ``warnings.catch_warnings`` blocks of library code overlapping in worker threads restore
    each other's state out of order and may leave an ``ignore`` filter behind."""
    state = (warnings.filters, warnings.showwarning, getattr(warnings, "_showwarnmsg_impl", None))
    try:
        yield
    finally:
        warnings.filters, warnings.showwarning = state[0], state[1]
        if state[2] is not None:
            warnings._showwarnmsg_impl = state[2]
        getattr(warnings, "_filters_mutated", lambda: None)()  # private: resets the once-registries


def _compute(collections, client, progress):
    if client is not None:
        futures = client.compute(list(collections))
        if progress and sys.stderr.isatty():
            from distributed import progress as _progress

            _progress(futures, notebook=False)
        return tuple(client.gather(futures))
    if not progress:
        return dask.compute(*collections)
    from dask.diagnostics import ProgressBar

    with ProgressBar(minimum=PROGRESS_AFTER_S, dt=0.5, out=sys.stderr):
        return dask.compute(*collections)


# --- warnings raised inside partition tasks -------------------------------------------------------
# Filters and ``showwarning`` are process-wide, and library code in other worker threads enters
# and leaves ``warnings.catch_warnings`` at any time (pandas does): recording through them loses
# or mixes up warnings. Instead ``warnings.warn`` itself is wrapped once: an HnGeoWarning raised
# in a thread that records goes straight to that thread's sink; everything else is passed on.
_local = threading.local()
_hook_lock = threading.Lock()
_original_warn = warnings.warn


def _warn(message, category=None, stacklevel=1, source=None, **kw):
    sink = getattr(_local, "sink", None)
    if sink is not None and isinstance(message, HnGeoWarning):
        sink.append((message.code, message.path, dict(message.params)))
        return
    _original_warn(message, category, stacklevel + 1, source, **kw)


def _install():
    """Route the HnGeoWarnings of threads that record (see :func:`recorded`) to their sink."""
    with _hook_lock:
        if warnings.warn is not _warn:
            warnings.warn = _warn


@contextlib.contextmanager
def recorded():
    """Record the HnGeoWarnings of this thread inside the block (as plain tuples), every
    occurrence, whatever the warning filters.

    Yields
    ------
    list of (code, path, params)
    """
    _install()
    sink = []
    previous, _local.sink = getattr(_local, "sink", None), sink
    try:
        yield sink
    finally:
        _local.sink = previous


def _ids_of(value):
    if isinstance(value, Msg) and value.code.endswith("ids_more"):
        return list(value.params.get("ids", [])), int(value.params.get("more", 0))
    if isinstance(value, (list, tuple)):
        return list(value), 0
    return None, 0


def _merge_ids(values, code, shown=5):
    ids, more = [], 0
    for v in values:
        got, extra = _ids_of(v)
        ids += got
        more += extra
    total = len(ids) + more
    if total > shown:
        return Msg(code, ids=[str(i) for i in ids[:shown]], more=total - shown)
    return [str(i) for i in ids]


def merge_warnings(records):
    """Re-emit the recorded warnings of every partition, one per kind, counts added up.

    Warnings with the same code, path and parameters other than ``n`` (a count) and ``ids``
    (the first ids) are one kind: their counts are summed and the ids merged (the first five
    and how many more), as the in-memory engine reports them.
    """
    merged = {}
    for code, path, params in records:
        key = (code, path, repr(sorted((k, v) for k, v in params.items() if k not in LISTED)))
        merged.setdefault(key, []).append(params)
    for (code, path, _), group in merged.items():
        params = dict(group[0])
        if all("n" in p for p in group):
            params["n"] = sum(int(p["n"]) for p in group)
        if "ids" in params:
            first = group[0]["ids"]
            more_code = first.code if isinstance(first, Msg) else f"{code.split('.')[0]}.ids_more"
            params["ids"] = _merge_ids([p["ids"] for p in group], more_code)
        if "first" in params:  # the first few ids, without a count of the others
            params["first"] = [i for p in group for i in p["first"]][:SHOWN]
        warnings.warn(HnGeoWarning(code, path=path, **params), stacklevel=2)


COUNTS = ("n", "pitched", "total")
"""Parameters of notes that count something (added up over partitions)."""


def _key(msg):
    return (msg.code, repr(sorted((k, v) for k, v in msg.params.items() if k not in COUNTS)))


def merge_msgs(lists):
    """Notes of every partition as one list: the same note once, its counts added up, in the
    order the partitions give them (a note missing in some keeps its place among the others)."""
    order, merged = [], {}
    for notes in lists:
        keys = [_key(m) for m in notes]
        for i, (key, msg) in enumerate(zip(keys, notes)):
            if key not in merged:
                later = [order.index(k) for k in keys[i + 1:] if k in merged]
                order.insert(min(later) if later else len(order), key)
                merged[key] = dict(msg.params)
            else:
                for c in COUNTS:
                    if c in msg.params and isinstance(msg.params[c], (int, np.integer)):
                        merged[key][c] = int(merged[key][c]) + int(msg.params[c])
    return [Msg(key[0], merged[key]) for key in order]
