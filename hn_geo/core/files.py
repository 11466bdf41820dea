"""Atomic file writes: every output file appears whole or not at all.

Every write goes to a private temporary folder beside the target and is renamed into
place, so a failure never leaves a half-written file (nor GDAL's ``-journal``/``-wal``
side files).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path


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
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    tmp = tmpdir / path.name
    try:
        yield tmp
        if not tmp.is_file():
            raise OSError(f"writing {path} failed: the writer created no file")
        os.replace(tmp, path)
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

