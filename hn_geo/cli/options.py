"""Options and helpers shared by the sub-command modules (as rasterio's ``rio/options.py``)."""
from __future__ import annotations

import functools
import math
import warnings

import click

from hn_geo import vocabulary
from hn_geo.core import settings
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground.readers import parse_crs
from hn_geo.render.console import os_error_text
from hn_geo.render.escape import terminal_text


def _set_lang(ctx, param, value):
    if value:
        settings.lang = value
    return value


lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                           callback=_set_lang, is_eager=True,
                           help="Language of tables, legends, popups and messages.")
def _check_crs(ctx, param, value):
    """``--assume-crs``: a CRS pyproj knows, else a clear error naming the option."""
    if value is None:
        return None
    try:
        parse_crs(value)
    except HnGeoError as exc:
        raise click.BadParameter(exc.render(settings.lang), ctx=ctx, param=param) from None
    return value


class FiniteFloat(click.ParamType):
    """A finite number (no ``nan``/``inf``), optionally not below ``min``."""

    name = "number"

    def __init__(self, min=None):
        self.min = min

    def convert(self, value, param, ctx):
        if isinstance(value, float) and math.isfinite(value):
            number = value
        else:
            try:
                number = float(str(value).strip())
            except ValueError:
                number = math.nan
        if not math.isfinite(number):
            self.fail(vocabulary.message("ground.number_not_finite", {"value": str(value)}, settings.lang),
                      param, ctx)
        if self.min is not None and number < self.min:
            self.fail(vocabulary.message("ground.number_below_min", {"value": str(value), "min": self.min},
                                         settings.lang), param, ctx)
        return number


FINITE = FiniteFloat()
"""Type of a numeric option: any finite number."""
NON_NEGATIVE = FiniteFloat(min=0.0)
"""Type of a numeric option that cannot be negative (capacities, distances, counts)."""

assume_crs_option = click.option("--assume-crs", metavar="CRS", default=None, callback=_check_crs,
                                 help="CRS for input files that declare none, e.g. EPSG:4490.")
aoi_option = click.option("--aoi", "aoi", default=None, type=click.Path(exists=True, dir_okay=False),
                          help="Area of interest: a polygon file of the county the inputs belong to "
                               "(default: Haining, the embedded boundary). Features outside it are "
                               "counted in a warning; a layer with none inside is an error.")
from_gcj02_option = click.option("--from-gcj02", is_flag=True, default=False,
                                 help="Input coordinates are GCJ-02 (Amap/Gaode): convert to WGS84.")


def input_options(func):
    """``--assume-crs``, ``--from-gcj02`` and ``--aoi``: how a command reads the user's files."""
    for option in (aoi_option, from_gcj02_option, assume_crs_option):  # innermost first: shown in this order
        func = option(func)
    return func


encoding_option = click.option("--encoding", default=None, metavar="ENC",
                               help="Attribute encoding of the input (e.g. GBK), overriding a "
                                    "Shapefile's .cpg and the automatic UTF-8/GB18030 detection.")
layer_option = click.option("--layer", default=None, metavar="LAYER",
                            help="Layer of a multi-layer file (GeoPackage) or sheet of a workbook; "
                                 "the first by default.")
out_dir_option = click.option("--out", "out", required=True, type=click.Path(file_okay=False),
                              help="Output folder (created if missing).")


engine_option = click.option("--engine", type=click.Choice(["memory", "dask"]), default=None,
                              help="memory: one GeoDataFrame (default); dask: partition by partition over a "
                                   "partitioned GeoParquet dataset (results also as a partitioned dataset).")
scheduler_option = click.option("--scheduler", default=None, metavar="threads|processes|tcp://HOST:PORT",
                                 help="With --engine dask: dask's threads (default), a local cluster of worker "
                                      "processes, or the address of a running dask.distributed scheduler.")


class InputPath(click.ParamType):
    """An input file, a folder of GeoParquet parts, or a glob of parts (``data/part.*.parquet``)."""

    name = "path"

    def convert(self, value, param, ctx):
        import glob
        from pathlib import Path

        if Path(value).exists() or (any(c in value for c in "*?[") and glob.glob(value, recursive=True)):
            return value
        self.fail(f"'{value}' does not exist (nor does a glob match any file)", param, ctx)


def handle_errors(func):
    """Turn HnGeoError (and file-system errors) into a clean CLI error; echo repair warnings.

    The error message names the file, row/feature and field, in the command's ``--lang``;
    the exit code is 1. A file-system error (full disk, no permission, a file in the way) is
    a message naming the file (:func:`hn_geo.render.console.os_error_text`). HnGeoWarnings are
    echoed to stderr. Control characters of the data are shown as escapes, never sent to the
    terminal.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        error = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", HnGeoWarning)
            try:
                result = func(*args, **kwargs)
            except HnGeoError as exc:
                error = exc, exc.render(settings.lang)
            except OSError as exc:  # permission denied, disk full, folder in the way...
                error = exc, os_error_text(exc, settings.lang)
        # echo only after catch_warnings has restored showwarning: inside the block it would
        # append to ``caught`` while we iterate over it
        _echo_warnings(caught)
        if error is not None:
            raise click.ClickException(terminal_text(error[1])) from error[0]
        return result

    return wrapper


def _echo_warnings(caught):
    head = vocabulary.ui("warning", settings.lang, scope="pipeline")
    for w in caught:
        if issubclass(w.category, HnGeoWarning):
            msg = w.message.render(settings.lang) if isinstance(w.message, HnGeoWarning) else str(w.message)
            click.echo(terminal_text(f"{head}: {msg}"), err=True)
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
