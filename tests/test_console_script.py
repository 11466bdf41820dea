"""The ``hn-geo`` console script ends the process quickly, with the command's exit code, its
output flushed and the exit handlers run (issue 17: 0.7 s of interpreter teardown per run)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import atexit, sys
    from pathlib import Path
    marker = Path(sys.argv[1])
    atexit.register(lambda: marker.write_text("exit handlers ran"))

    class Big:  # stands for a run's results: freed by the interpreter's teardown, if it runs
        def __del__(self):
            marker.with_suffix(".teardown").write_text("torn down")

    big = Big()
    sys.argv = ["hn-geo", *sys.argv[2:]]
    from hn_geo.cli import console
    console()
    print("never reached")
""")


def _console(tmp_path, *args):
    marker = tmp_path / "marker.txt"
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(marker), *args], capture_output=True,
                          text=True, timeout=120)
    return proc, marker.read_text() if marker.exists() else None, marker.with_suffix(".teardown").exists()


def test_success_prints_and_exits_zero(tmp_path):
    proc, marker, torn_down = _console(tmp_path, "--version")
    assert proc.returncode == 0 and "hn-geo, version" in proc.stdout and "never reached" not in proc.stdout
    assert marker == "exit handlers ran" and not torn_down  # the teardown was skipped


def test_plain_main_tears_down(tmp_path):
    """The control for the test above: the same script through ``main`` does free the object."""
    marker = tmp_path / "marker.txt"
    script = SCRIPT.replace("import console", "import main as console")
    subprocess.run([sys.executable, "-c", script, str(marker), "--version"], capture_output=True, timeout=120)
    assert marker.with_suffix(".teardown").read_text() == "torn down"


def test_a_usage_error_keeps_its_exit_code_and_message(tmp_path):
    proc, marker, _ = _console(tmp_path, "run", "--out", str(tmp_path / "o"), "--jobs", "none")
    assert proc.returncode == 2 and "--jobs" in proc.stderr and marker == "exit handlers ran"


def test_a_failing_command_exits_one_with_its_message(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    proc, marker, _ = _console(tmp_path, "run", "--out", str(afile), "-q", "--lang", "en")
    assert proc.returncode == 1 and "is a file, not a folder" in proc.stdout + proc.stderr
    assert marker == "exit handlers ran"
