"""Atomic file writes: every output file appears whole or not at all.

Every write goes to a private temporary folder beside the target and is renamed into
place, so a failure never leaves a half-written file (nor GDAL's ``-journal``/``-wal``
side files). The folder is removed on success and on any exception; a folder left by a
killed process (``.<name>.<pid>.<random>.tmp``) is removed by :func:`remove_stale_temp`
(the batch run does so at its start).

Errors name the file the caller asked for, never the temporary one: a full disk is an
``OSError`` with ``errno.ENOSPC`` even when the writer (GDAL, SQLite) reported it in its
own words, and a folder path running into a file is ``ENOTDIR`` naming that file.

:func:`recording` lets the batch run learn of every file as it is written (before it is
renamed into place), so that a failed or killed step's files can be found and removed.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

TEMP_NAME = re.compile(r"^\..+?\.(?:(?P<pid>\d+)\.)?[^.]+\.tmp$")
"""Names of the temporary folders of :func:`atomic_path` (older ones carry no pid)."""
STALE_AFTER_S = 600
"""A temporary folder without a pid is stale after this many seconds."""
_DISK_FULL = ("disk is full", "no space left", "disk full", "not enough space")
_listeners = []


@contextlib.contextmanager
def recording(callback):
    """Call ``callback(path)`` for every file :func:`atomic_path` is about to put in place.

    The call comes before the rename, so a process killed in between leaves at most a file
    the callback already knows of.
    """
    _listeners.append(callback)
    try:
        yield
    finally:
        _listeners.remove(callback)


def _pid_alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def is_stale_temp(path, now=None):
    """Whether ``path`` is a temporary folder of :func:`atomic_path` whose writer is gone."""
    path = Path(path)
    m = TEMP_NAME.match(path.name)
    if m is None or not path.is_dir() or path.is_symlink():
        return False
    if m.group("pid"):
        return not _pid_alive(int(m.group("pid")))
    try:
        return (now or time.time()) - path.stat().st_mtime > STALE_AFTER_S
    except OSError:
        return False


def remove_stale_temp(root, max_depth=None):
    """Remove the temporary folders of killed writers under ``root`` (at most ``max_depth``
    folders down, all the way by default); returns how many."""
    root = Path(root)
    if not root.is_dir():
        return 0
    n = 0
    for folder, dirs, _ in os.walk(root):
        if max_depth is not None and len(Path(folder).relative_to(root).parts) >= max_depth:
            dirs.clear()
        for d in list(dirs):
            p = Path(folder) / d
            if is_stale_temp(p):
                shutil.rmtree(p, ignore_errors=True)
                dirs.remove(d)
                n += 1
    return n


def _make_parent(path):
    """Create the folder of ``path``; a part of it that is a file is ENOTDIR naming that file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in [path.parent, *path.parent.parents] if p.exists() and not p.is_dir()),
                       path.parent)
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(blocker)) from None


def _disk_full(exc, folder):
    text = str(exc).lower()
    if any(w in text for w in _DISK_FULL):
        return True
    try:
        return shutil.disk_usage(folder).free < (1 << 16)
    except OSError:
        return False


def _named(exc, path, tmpdir):
    """The error of a write, naming ``path`` (the temporary folder never shows)."""
    if isinstance(exc, OSError):
        named = exc.filename is None or str(exc.filename).startswith(str(tmpdir))
        if not named:
            return None
        text = exc.strerror or (os.strerror(exc.errno) if exc.errno else str(exc))
        return type(exc)(exc.errno, text, str(path))
    if _disk_full(exc, path.parent):
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    return None


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path for ``path``; move it onto ``path`` on success.

    The temporary file has the target's own name, inside a private folder
    created next to the target (same file system, so the final
    :func:`os.replace` is atomic; GDAL sees the right extension). On an
    exception, or if the writer produced no file, the folder and everything
    in it are removed and an existing target is left as it was.

    Parameters
    ----------
    path : str or Path
        Final file path; its folder is created if missing.

    Yields
    ------
    pathlib.Path
        Where the writer must create the file.

    Raises
    ------
    OSError
        Naming ``path``: ``ENOSPC`` for a full disk (also when GDAL or SQLite said so in
        words), ``ENOTDIR`` when a part of the folder is a file, ``EACCES``/``EROFS`` ...
    """
    path = Path(path)
    _make_parent(path)
    try:
        tmpdir = Path(tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent))
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    tmp = tmpdir / path.name
    try:
        try:
            yield tmp
            if not tmp.is_file():
                raise OSError(errno.EIO, "the writer created no file", str(path))
            for callback in list(_listeners):
                callback(path)
            os.replace(tmp, path)
        except Exception as exc:
            named = _named(exc, path, tmpdir)
            if named is None:
                raise
            raise named from exc
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def write_bytes(data: bytes, path):
    """Write bytes atomically; returns the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(text: str, path, encoding="utf-8"):
    """Write text atomically (UTF-8 by default); returns the path."""
    return write_bytes(text.encode(encoding), path)
