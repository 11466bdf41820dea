"""Options and helpers shared by the sub-command modules."""
from __future__ import annotations

import functools
import warnings

import click

from ..errors import HnGeoError, HnGeoWarning

lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                           help="Language of table headers, legends and popups.")
assume_crs_option = click.option("--assume-crs", metavar="CRS", default=None,
                                 help="CRS for input files that declare none, e.g. EPSG:4490.")
from_gcj02_option = click.option("--from-gcj02", is_flag=True, default=False,
                                 help="Input coordinates are GCJ-02 (Amap/Gaode): convert to WGS84.")
out_dir_option = click.option("--out", "out", required=True, type=click.Path(file_okay=False),
                              help="Output folder (created if missing).")


def handle_errors(func):
    """Turn HnGeoError into a clean CLI error; echo counted repair warnings to stderr."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", HnGeoWarning)
            try:
                result = func(*args, **kwargs)
            except HnGeoError as exc:
                _echo_warnings(caught)
                raise click.ClickException(str(exc)) from exc
        _echo_warnings(caught)
        return result

    return wrapper


def _echo_warnings(caught):
    for w in caught:
        if issubclass(w.category, HnGeoWarning):
            click.echo(f"warning: {w.message}", err=True)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
