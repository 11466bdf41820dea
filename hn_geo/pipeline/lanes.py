"""Steps side by side: on two cores a run's steps go in two lanes, one of them in a worker.

The steps of a phase never read each other's results: an analysis reads only its inputs, and
the report, the maps and the share package read only the analyses' results. So with
``jobs: 2`` (the default on a machine of two or more cores) each phase runs one lane in the
run's own process and the other in a worker *forked* from it: the worker starts at once (no
second import of the libraries) and sees the inputs and results already in memory
(copy-on-write). It sends each step's record back through a pipe, with the result when the
step is an analysis; the run's process keeps the summary, the file list and the results.

=======  ===============================  ============================
phase    lane 1 (the run's process)       lane 2 (the forked worker)
=======  ===============================  ============================
1        solar                            water, zoning, targets
2        report, maps, sites              export (the share package)
3        dashboard (links every file of the run: last, alone)
=======  ===============================  ============================

The solar step stays in the run's process because its result (one row per building) is the
largest: it is never copied through the pipe. It is also the longest analysis and the only
one that needs pvlib, which is imported when it starts (0.5 s with scipy), so the three
others go beside it. One lane at a time (``jobs: 1``) when the
machine has one core, when the platform cannot fork, with ``continue_on_error: false`` (the
first failure must stop what follows), with the dask engine (its own cluster of workers
is not to be forked) and, unless ``jobs: 2`` says so, inside a Jupyter kernel.

A worker that dies (killed, out of memory) fails its remaining steps with a message saying
so; its files are removed (the run's journal on disk names every file either process wrote).
Ctrl-C reaches both processes; SIGTERM to the run is passed on to the worker, which settles
its step (partial files removed) and reports it as interrupted.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import sys

from hn_geo.core import threads

LANES = (
    (("solar",), ("water", "zoning", "targets")),
    (("report", "maps", "sites"), ("export",)),
    (("dashboard",), ()),
)
"""The phases of a run and their two lanes (the first runs in the run's process)."""
STOP_WAIT_S = 60.0
"""How long an interrupted run waits for the worker to settle its step [s]."""


def can_fork():
    """Whether this platform can fork a worker (POSIX, the ``fork`` start method)."""
    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods()


def in_kernel():
    """Whether this process is a Jupyter kernel (whose sockets and output threads a fork would
    copy): IPython already imported and its shell the kernel's."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if hasattr(ipython, "get_ipython") else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def resolve_jobs(jobs, *, engine=None, continue_on_error=True):
    """Lanes a run uses: 1 or 2.

    Parameters
    ----------
    jobs : int, 'auto' or None
        The config's ``jobs`` (``auto``/None: 2 on a machine of two or more cores, 1 inside a
        Jupyter kernel; an explicit 2 forks there too).
    engine : str, optional
        The run's engine (``dask``: one lane).
    continue_on_error : bool
        False: one lane (the first failure stops the rest).

    Returns
    -------
    int
    """
    if jobs in (None, "auto"):
        jobs = 2 if threads.workers() >= 2 and not in_kernel() else 1  # the cores this process may use
    if engine == "dask" or not continue_on_error or not can_fork():
        return 1
    return 2 if int(jobs) >= 2 else 1


def plan(names, jobs):
    """The phases of a run: a list of phases, each a list of one or two lanes of step names.

    Steps keep their run order inside a lane; a step of no phase of :data:`LANES` runs alone
    before the dashboard. With ``jobs`` 1 there is one phase of one lane: ``names``.
    """
    names = list(names)
    if jobs < 2:
        return [[names]] if names else []
    known = {n for phase in LANES for lane in phase for n in lane}
    phases = []
    for k, phase in enumerate(LANES):
        if k == len(LANES) - 1:
            phases += [[[n]] for n in names if n not in known]
        lanes = [[n for n in names if n in lane] for lane in phase]
        lanes = [lane for lane in lanes if lane]
        if lanes:
            phases.append(lanes)
    return phases


def side_by_side(here, there, *, run_here, run_there, merge, lost):
    """Run the steps ``here`` in this process and ``there`` in a forked worker.

    Parameters
    ----------
    here, there : list of str
        Step names of the two lanes.
    run_here : callable
        ``run_here(name)``: runs one step in this process (may raise KeyboardInterrupt).
    run_there : callable
        ``run_there(name) -> (record, result or None)``, called in the worker; on
        KeyboardInterrupt it returns the record marked ``interrupted`` (the lane then stops).
    merge : callable
        ``merge(record, result)``: takes a worker step's outcome into this process.
    lost : callable
        ``lost(names, exitcode)``: the worker ended before reporting these steps.
    """
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_worker, args=(list(there), run_there, sender), name="hn-geo-lane")
    worker.start()
    sender.close()
    pending = list(there)
    try:
        for name in here:
            run_here(name)
            pending = _drain(receiver, pending, merge, wait=False)
        pending = _drain(receiver, pending, merge, wait=True)
    except KeyboardInterrupt:
        _stop(worker)
        pending = _drain(receiver, pending, merge, wait=True, timeout=STOP_WAIT_S)
        raise
    finally:
        worker.join(STOP_WAIT_S)
        if worker.is_alive():
            worker.kill()
            worker.join()
        receiver.close()
        if pending:
            lost(pending, worker.exitcode)


def _stop(worker):
    """Pass the interruption on to the worker (it may have had its own Ctrl-C already)."""
    if worker.is_alive() and worker.pid:
        try:
            os.kill(worker.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def _drain(receiver, pending, merge, *, wait, timeout=None):
    """Take the worker's finished steps; returns the names still pending."""
    pending = list(pending)
    while pending:
        if not wait and not receiver.poll():
            break
        if timeout is not None and not receiver.poll(timeout):
            break
        try:
            record, result = receiver.recv()
        except (EOFError, OSError):  # the worker ended without a word for these steps
            break
        merge(record, result)
        pending = [n for n in pending if n != record.name]
    return pending


def _worker(names, run_there, sender):
    """The worker's lane: each step's record (and result) sent as soon as it is done."""
    try:
        for name in names:
            record, result = run_there(name)
            try:
                sender.send((record, result))
            except Exception as exc:  # a result that cannot be sent: the step failed here
                record.status, record.message = "failed", f"{type(exc).__name__}: {exc}"
                sender.send((record, None))
            if record.status == "interrupted":
                return
    finally:
        sender.close()
