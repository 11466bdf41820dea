"""The ``hn-geo`` command line: a thin click layer, one module per command group.

Sub-commands are imported lazily so ``hn-geo --help`` stays fast and each
module holds only wiring; the logic lives in the library modules.
"""
from __future__ import annotations

import atexit
import gc
import importlib
import importlib.util
import os
import sys

import click

from hn_geo.core.memory import GC_THRESHOLD
from hn_geo.core.version import __version__

# command name -> "module:attribute" under hn_geo.cli
COMMANDS = {
    "layers": "layers:layers",
    "water": "water:water",
    "zoning": "zoning:zoning",
    "solar": "solar:solar",
    "targets": "targets:targets",
    "map": "map:map_cmd",
    "export": "export:export",
    "run": "run:run",
    "init-config": "run:init_config",
}


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use."""

    def list_commands(self, ctx):
        # only the commands whose module is present (all of them in a release)
        return sorted(n for n, t in COMMANDS.items()
                      if importlib.util.find_spec(f"{__name__}.{t.split(':')[0]}") is not None)

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        mod = importlib.import_module(f"{__name__}.{module}")
        return getattr(mod, attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hn-geo")
def main():
    """hn-geo: GIS toolkit for Haining's 14th Five-Year energy-saving and emission-reduction plan.

    Load layers, run the analyses (water, zoning, solar, targets), draw offline maps and
    export share packages. Every command runs on the embedded Haining data when no input
    file is given. Run `hn-geo COMMAND --help` for details.
    """
    gc.set_threshold(*GC_THRESHOLD)  # million-feature layers: see hn_geo.core.memory


def console():
    """The ``hn-geo`` console script: the command, then a quick end of the process.

    When the command has finished -- every output written, closed and moved into place, the
    summary printed -- the exit handlers run (``atexit``: temporary folders, worker processes)
    and the process ends without the interpreter's teardown, which frees a run's results and
    every module one object at a time (0.7 s of the embedded ``hn-geo run``, more with a city
    of buildings) for nothing. An exception that escapes the command ends it the usual way.
    """
    try:
        main()  # click's standalone mode: ends with SystemExit
    except SystemExit as exc:
        code = exc.code
    else:  # pragma: no cover - standalone mode always exits
        code = 0
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (hn-geo ... | head): nothing more to say
            pass
    os._exit(code)
