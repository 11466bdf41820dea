"""Atomic writes (hn_geo.core.files): whole or nothing, temp folders never left, errors naming the file."""
from __future__ import annotations

import errno
import os
import subprocess
import sys

import pytest

from hn_geo.core import files


def test_failed_write_leaves_nothing_and_names_the_target(tmp_path):
    target = tmp_path / "out" / "a.xlsx"
    with pytest.raises(OSError) as exc:
        with files.atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert exc.value.errno == errno.ENOSPC and exc.value.filename == str(target)
    assert os.listdir(target.parent) == []


def test_a_library_saying_disk_full_in_words_is_enospc(tmp_path):
    target = tmp_path / "l.gpkg"
    with pytest.raises(OSError) as exc:
        with files.atomic_path(target):
            raise RuntimeError("failed to execute insert : database or disk is full")
    assert exc.value.errno == errno.ENOSPC and exc.value.filename == str(target)
    assert isinstance(exc.value.__cause__, RuntimeError)
    with pytest.raises(ValueError):  # any other error stays what it is
        with files.atomic_path(target):
            raise ValueError("a bug")
    assert os.listdir(tmp_path) == []


def test_a_folder_path_through_a_file_is_enotdir_naming_the_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(NotADirectoryError) as exc:
        files.write_text("t", tmp_path / "afile" / "sub" / "x.txt")
    assert exc.value.errno == errno.ENOTDIR and exc.value.filename == str(tmp_path / "afile")


def test_temp_folder_names_carry_the_pid_and_stale_ones_are_removed(tmp_path):
    seen = []
    with files.atomic_path(tmp_path / "x.csv") as tmp:
        seen.append(tmp.parent.name)
        tmp.write_text("1")
    m = files.TEMP_NAME.match(seen[0])
    assert m and int(m.group("pid")) == os.getpid()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "sub").mkdir()
    stale = tmp_path / "sub" / f".y.xlsx.{dead.pid}.q0hn4ci5.tmp"
    stale.mkdir()
    (stale / "y.xlsx").write_bytes(b"half")
    mine = tmp_path / f".z.csv.{os.getpid()}.q0hn4ci5.tmp"
    mine.mkdir()
    old = tmp_path / ".w.csv.q0hn4ci5.tmp"  # an older name without a pid
    old.mkdir()
    os.utime(old, (0, 0))
    user = tmp_path / ".my.notes.tmp.d"
    user.mkdir()
    assert files.remove_stale_temp(tmp_path) == 2
    assert not stale.exists() and not old.exists() and mine.exists() and user.exists()


def test_recording_sees_each_file_before_it_is_placed(tmp_path):
    seen = []
    with files.recording(lambda p: seen.append((p.name, p.exists()))):
        files.write_text("a", tmp_path / "a.txt")
        with pytest.raises(OSError):
            with files.atomic_path(tmp_path / "b.txt"):
                pass  # no file written: nothing placed, nothing recorded
    files.write_text("c", tmp_path / "c.txt")
    assert seen == [("a.txt", False)]
