"""Write one analysis result: its tables as CSV (UTF-8 with BOM) and XLSX, its layers as
GeoPackage -- every code rendered into words of one language.
"""
from __future__ import annotations

from pathlib import Path

from hn_geo.render import tables, writers


def write_result(result, out_dir, *, lang="zh", formats=("csv", "xlsx", "gpkg")):
    """Write an :class:`~hn_geo.core.results.AnalysisResult` into ``out_dir``.

    Files: ``<table>.csv`` for each table, ``<name>.xlsx`` with a sheet per table (sheet
    names from the vocabulary, status cells coloured from their codes: the same sheet
    writer as the report workbook), ``<name>_layers.gpkg`` with every layer (EPSG:4490;
    English field names, values in words).

    Returns
    -------
    list of Path
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if "csv" in formats:
        shown = tables.present_result(result, lang=lang)
        for stem, df in shown.items():
            written.append(tables.write_csv(df, out_dir / f"{stem}.csv"))
    if "xlsx" in formats and result.tables:
        sheets = tables.result_sheets(result, lang=lang)
        written.append(tables.write_xlsx(sheets, out_dir / f"{result.name}.xlsx"))
    if "gpkg" in formats and result.layers:
        layers = {k: tables.present(g, lang=lang, scope=result.name, codes=result.codes, keep_geometry=True,
                                    labels=False, table=k, bool_words=False)
                  for k, g in result.layers.items()}
        written.append(writers.write_gpkg_layers(layers, out_dir / f"{result.name}_layers.gpkg"))
    return written
