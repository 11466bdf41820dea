"""The result every analysis returns, and how outputs write it.

Analyses (water, zoning, solar, targets) are pure functions: they take
GeoDataFrames/DataFrames and return an :class:`AnalysisResult`. They never
print or write files; :func:`write_result` (called by the CLI and the batch
pipeline) writes the tables as CSV (UTF-8 with BOM) and XLSX and the layers
as GeoPackage.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class AnalysisResult:
    """Output of one analysis.

    Attributes
    ----------
    name : str
        Analysis name, e.g. 'water'; used for file names.
    tables : dict of str -> pandas.DataFrame
        Result tables with English snake_case columns, in display order.
    layers : dict of str -> geopandas.GeoDataFrame
        Result layers for maps and exports (CRS EPSG:4490).
    labels : dict of str -> (str, str)
        Column -> (Chinese label, English label) for the tables and layers.
    status_columns : tuple of str
        Columns holding a status word, coloured in workbooks and maps.
    summary : dict
        Key figures (label -> value) for a report's summary sheet and the CLI.
    notes : list of str
        Plain-language remarks (assumptions, deductions applied, data caveats).
    """

    name: str
    tables: dict = field(default_factory=dict)
    layers: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    status_columns: tuple = ()
    summary: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def write_result(result, out_dir, lang="zh", formats=("csv", "xlsx", "gpkg")):
    """Write an :class:`AnalysisResult` into ``out_dir``.

    Files: ``<table>.csv`` for each table, ``<name>.xlsx`` with a sheet per
    table, ``<name>_layers.gpkg`` with every layer (CRS EPSG:4490).

    Returns
    -------
    list of Path
    """
    from . import io, tables

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if "csv" in formats or "xlsx" in formats:
        shown = {k: tables.localize(v, result.labels, lang) for k, v in result.tables.items()}
        if "csv" in formats:
            for stem, df in shown.items():
                written.append(tables.write_csv(df, out_dir / f"{stem}.csv"))
        if "xlsx" in formats and shown:
            heads = {tables.localize(_empty(c), result.labels, lang).columns[0]
                     for c in result.status_columns}
            written.append(tables.write_xlsx(shown, out_dir / f"{result.name}.xlsx", status_columns=heads))
    if "gpkg" in formats and result.layers:
        written.append(io.write_gpkg_layers(result.layers, out_dir / f"{result.name}_layers.gpkg"))
    return written


def _empty(col):
    import pandas as pd

    return pd.DataFrame(columns=[col])
