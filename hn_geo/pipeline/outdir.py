"""The output folder of a run: one run at a time, the previous run's files replaced, every file known.

* :class:`FolderLock` -- an exclusive lock (``flock`` on ``.hn_geo_run.lock``; the kernel
  releases it when the process dies, so a killed run never blocks the next one). A run also
  refuses a folder inside the folder of a run that is going on.
* :func:`clear_previous` -- before writing, the files the previous run of this folder
  wrote (its ``run_summary.json`` and, if it was killed, its journal) are removed, with the
  temporary folders of killed writers: a run never leaves its files mixed with another
  run's (other files in the folder are never touched).
* :class:`Journal` -- every file written during the run is appended to
  ``.hn_geo_run.journal`` as it is written (:func:`hn_geo.core.files.recording`), so the
  files of a failed or killed step can be found and removed.
"""
from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

from hn_geo import vocabulary
from hn_geo.core import files
from hn_geo.core.errors import HnGeoError

try:  # POSIX; elsewhere the lock falls back to a pid file
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

SUMMARY_FILE = "run_summary.json"
LOCK_FILE = ".hn_geo_run.lock"
JOURNAL_FILE = ".hn_geo_run.journal"
TEMP_DEPTH = 4
"""Folders searched for stale temporary folders below the output folder (a run writes at most
``OUT/report/csv/``; ``--out ~`` must not walk the whole home folder)."""


def _held(path):
    """Whether another process holds the lock file ``path``."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        pid = int(os.read(fd, 32).decode().strip() or 0)
        return pid > 0 and pid != os.getpid() and _alive(pid)
    except (OSError, ValueError):
        return False
    finally:
        os.close(fd)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def refuse_inside_a_run(out):
    """Raise if a run is going on in a folder that holds ``out`` (or in ``out`` itself)."""
    out = Path(out).resolve()
    for folder in [out, *out.parents]:
        if (folder / LOCK_FILE).exists() and _held(folder / LOCK_FILE):
            raise HnGeoError(code="pipeline.out_locked", params={"path": str(vocabulary.display_path(folder))})


class FolderLock:
    """An exclusive lock on a run's output folder (and none held on a folder above it)."""

    def __init__(self, out):
        self.out = Path(out)
        self.path = self.out / LOCK_FILE
        self.fd = None

    def _locked(self, where):
        return HnGeoError(code="pipeline.out_locked", params={"path": str(where)})

    def __enter__(self):
        refuse_inside_a_run(self.out.parent)
        while self.fd is None:
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    raise self._locked(self.out) from None
            elif _held(self.path):
                os.close(fd)
                raise self._locked(self.out)
            try:  # the file locked must still be the one at the path (a run ending unlinks it)
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self.fd = fd
            else:
                os.close(fd)
        os.ftruncate(self.fd, 0)
        os.write(self.fd, f"{os.getpid()}\n".encode())
        return self

    def __exit__(self, *exc):
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self.fd)  # releases the flock
            self.fd = None
        return False


def _inside(out, rel):
    """``out / rel`` if ``rel`` is a relative path that stays inside ``out``, else None."""
    if not isinstance(rel, str) or not rel or rel.startswith(("/", "\\")) or ":" in rel[:2]:
        return None
    parts = PurePosixPath(rel).parts
    if ".." in parts or rel.endswith("/"):
        return None
    p = Path(out, *parts)
    try:
        p.parent.resolve().relative_to(Path(out).resolve())
    except (ValueError, OSError):
        return None
    return p


def previous_run(out):
    """``(state, relative paths)`` of what the previous run of ``out`` wrote (None, [] if none).

    The files come from its ``run_summary.json`` (outputs and partial files of every step)
    and, after a kill, from its journal.
    """
    out = Path(out)
    state, rels = None, []
    try:
        data = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if isinstance(data, dict) and "hn_geo_version" in data:
        state = data.get("state")
        for step in data.get("steps") or []:
            if isinstance(step, dict):
                rels += [r for key in ("outputs", "partial") for r in (step.get(key) or []) if isinstance(r, str)]
    try:
        rels += (out / JOURNAL_FILE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        pass
    return state, list(dict.fromkeys(r for r in rels if r))


def remove_files(out, rels):
    """Remove the files ``rels`` (relative to ``out``, never outside it) and the folders they
    leave empty; returns the number of files removed."""
    out = Path(out)
    n, folders = 0, set()
    for rel in rels:
        p = _inside(out, rel)
        if p is None or not (p.is_symlink() or p.is_file()):
            continue
        p.unlink()
        n += 1
        folders.update(q for q in p.parents if q != out and out in q.parents)
    for folder in sorted(folders, key=lambda q: len(q.parts), reverse=True):
        try:
            folder.rmdir()  # only when empty
        except OSError:
            pass
    return n


def clear_previous(out):
    """Remove what the previous run of ``out`` wrote, and stale temporary folders.

    Returns ``{"state": previous state or None, "removed": files, "temp": folders}``.
    """
    out = Path(out)
    state, rels = previous_run(out)
    removed = remove_files(out, [r for r in rels if r != SUMMARY_FILE])
    temp = files.remove_stale_temp(out, max_depth=TEMP_DEPTH)
    (out / JOURNAL_FILE).unlink(missing_ok=True)
    return {"state": state, "removed": removed, "temp": temp}


class Journal:
    """Every file written under ``out`` while recording, in order (also kept on disk)."""

    def __init__(self, out):
        self.out = Path(out)
        self.path = self.out / JOURNAL_FILE
        self.written = []
        self._fh = None
        self._root = self.out.resolve()

    def _record(self, path):
        try:
            rel = Path(path).resolve().relative_to(self._root).as_posix()
        except ValueError:
            return
        if rel in (SUMMARY_FILE, JOURNAL_FILE):
            return
        self._fh.write(rel + "\n")
        self._fh.flush()
        self.written.append(rel)

    def __enter__(self):
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (closed in __exit__)
        self._ctx = files.recording(self._record)
        self._ctx.__enter__()
        return self

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)
        self._fh.close()
        return False

    def close(self):
        """Forget the journal file (the summary lists every file from now on)."""
        self.path.unlink(missing_ok=True)

    def on_disk(self):
        """Every file the journal file names (written by this process or a lane's worker)."""
        self._fh.flush()
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return list(dict.fromkeys(self.written))
        return list(dict.fromkeys(line for line in lines if line))

    def since(self, mark):
        """Files written since ``len(self.written)`` was ``mark``."""
        return list(dict.fromkeys(self.written[mark:]))
