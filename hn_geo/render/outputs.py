"""Write one analysis result: CSV (UTF-8 with BOM) + XLSX tables and a GeoPackage of its layers."""
from __future__ import annotations

from pathlib import Path


def write_result(result, out_dir, lang="zh", formats=("csv", "xlsx", "gpkg")):
    """Write an :class:`AnalysisResult` into ``out_dir``.

    Files: ``<table>.csv`` for each table, ``<name>.xlsx`` with a sheet per
    table, ``<name>_layers.gpkg`` with every layer (CRS EPSG:4490).

    Returns
    -------
    list of Path
    """
    from hn_geo.render import tables, writers

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
        written.append(writers.write_gpkg_layers(result.layers, out_dir / f"{result.name}_layers.gpkg"))
    return written


def _empty(col):
    import pandas as pd

    return pd.DataFrame(columns=[col])
