"""Write one analysis result: its tables as CSV (UTF-8 with BOM) and XLSX, its layers as
GeoPackage -- every code rendered into words of one language.
"""
from __future__ import annotations

from pathlib import Path

from hn_geo import vocabulary
from hn_geo.render import tables, writers


def write_result(result, out_dir, *, lang="zh", formats=("csv", "xlsx", "gpkg")):
    """Write an :class:`~hn_geo.core.results.AnalysisResult` into ``out_dir``.

    Files: ``<table>.csv`` for each table, ``<name>.xlsx`` with a sheet per table (sheet
    names from the vocabulary), ``<name>_layers.gpkg`` with every layer (EPSG:4490;
    English field names, values in words).

    Returns
    -------
    list of Path
    """
    if hasattr(result, "labels"):  # 0.1 result type, while the analyses move over
        return _write_legacy(result, out_dir, lang, formats)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    shown = tables.present_result(result, lang=lang)
    if "csv" in formats:
        for stem, df in shown.items():
            written.append(tables.write_csv(df, out_dir / f"{stem}.csv"))
    if "xlsx" in formats and shown:
        status = {vocabulary.label(c, lang, result.name) for c in result.status_columns}
        sheets = {vocabulary.sheet_name(k, lang, result.name): df for k, df in shown.items()}
        written.append(tables.write_xlsx(sheets, out_dir / f"{result.name}.xlsx", status_columns=status))
    if "gpkg" in formats and result.layers:
        layers = {k: tables.present(g, lang=lang, scope=result.name, codes=result.codes,
                                    keep_geometry=True, labels=False, booleans=False)
                  for k, g in result.layers.items()}
        written.append(writers.write_gpkg_layers(layers, out_dir / f"{result.name}_layers.gpkg"))
    return written


def _write_legacy(result, out_dir, lang, formats):
    import pandas as pd

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if "csv" in formats or "xlsx" in formats:
        shown = {k: tables.localize(v, result.labels, lang) for k, v in result.tables.items()}
        if "csv" in formats:
            for stem, df in shown.items():
                written.append(tables.write_csv(df, out_dir / f"{stem}.csv"))
        if "xlsx" in formats and shown:
            heads = {tables.localize(pd.DataFrame(columns=[c]), result.labels, lang).columns[0]
                     for c in result.status_columns}
            written.append(tables.write_xlsx(shown, out_dir / f"{result.name}.xlsx", status_columns=heads))
    if "gpkg" in formats and result.layers:
        written.append(writers.write_gpkg_layers(result.layers, out_dir / f"{result.name}_layers.gpkg"))
    return written
