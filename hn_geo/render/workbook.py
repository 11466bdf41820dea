"""The report workbook: every analysis in one XLSX, plus the same tables as CSV.

:func:`write_report` takes the :class:`~hn_geo.core.results.AnalysisResult` objects of a
run and writes

* ``<report>.xlsx`` -- a summary sheet (each analysis' key figures: label with its period,
  the value as a number with its unit and target, the status word coloured from the
  figure's status code; then the list of sheets with links, and the notes) and one sheet
  per analysis table (sheet names from the vocabulary, in the run's language). Tables are
  written by the one sheet writer (:mod:`hn_geo.render.xlsx`): fitted widths, number formats,
  frozen filterable headers, status cells coloured from their codes, as static fills and as
  conditional formats;
* ``<csv_dir>/summary.csv`` and ``<csv_dir>/<analysis>_<table>.csv`` -- the same tables as
  CSV (UTF-8 with BOM).
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pandas as pd

from hn_geo import vocabulary
from hn_geo.core.results import Msg
from hn_geo.core.version import __version__
from hn_geo.render import tables, xlsx
from hn_geo.render.labels import analysis_title, ui, value_word

TAB_COLOURS = {"water": "2E75B6", "zoning": "C55A11", "solar": "BF8F00", "targets": "548235"}
"""Sheet-tab colour of each analysis' sheets."""
SUMMARY_COLUMNS = ("analysis", "figure", "value", "unit", "target", "status")
_TABLE_ROW = 4  # header row of the summary table


def figure_row(fig, lang, scope):
    """``(label, value, unit, target, status code)`` of a :class:`~hn_geo.core.results.Figure`.

    The value stays a number; a coded value becomes its word, a list its joined words.
    """
    value = fig.value
    if isinstance(value, str) and fig.family:
        value = vocabulary.word(fig.family, value, lang, scope)
    elif isinstance(value, (list, tuple)):
        value = vocabulary.join([vocabulary.render(v, lang, scope) for v in value], lang) if value else None
    elif isinstance(value, (Msg, bool)):
        value = vocabulary.render(value, lang, scope)
    unit = vocabulary.unit(fig.unit, lang) if fig.unit else ""
    return (vocabulary.figure_label(fig, lang, scope), xlsx.plain(value), unit, fig.target, fig.status)


def summary_rows(results, *, lang="zh", skipped=None):
    """Rows of the summary table and the status code of each row.

    Returns
    -------
    (list of tuple, list of str or None)
        Rows ``(analysis, figure, value, unit, target, status word)``; codes for colours.
    """
    rows, codes = [], []
    for res in results:
        title = analysis_title(res.name, lang)
        figs = [figure_row(f, lang, res.name) for f in res.figures]
        for label, value, unit, target, status in figs:
            word = vocabulary.word("status", status, lang) if status else ""
            rows.append((title, label, value, unit, target, word))
            codes.append(status)
    for name, state in (skipped or {}).items():
        state, message = state if isinstance(state, tuple) else ("skipped", state)
        text = vocabulary.render(message, lang, name if name in vocabulary.BLOCKS else None)
        rows.append((analysis_title(name, lang), value_word("step_state", state, lang), text, "", None, ""))
        codes.append(None)
    return rows, codes


def summary_table(results, *, lang="zh", skipped=None):
    """The summary table (key figures of every analysis) with localised headers."""
    rows, _ = summary_rows(results, lang=lang, skipped=skipped)
    return _summary_frame(rows, lang)


def _summary_frame(rows, lang):
    cols = [vocabulary.label(f"summary.{c}", lang, "render") for c in SUMMARY_COLUMNS]
    return pd.DataFrame(rows, columns=cols)


def table_sheet_names(results, *, lang="zh"):
    """``{(analysis, table): sheet name}`` of the table sheets :func:`write_report` writes
    (the vocabulary's sheet names, made safe and unique in the same order)."""
    used = {vocabulary.sheet_name("summary", lang, "render").lower()}
    keys = [(res.name, k) for res in results for k in res.tables]
    names = xlsx.sheet_names([vocabulary.sheet_name(k, lang, a) for a, k in keys], used)
    return dict(zip(keys, names))


def csv_stem(analysis, table):
    """Stem of a table's CSV under the report's ``csv/`` (``<analysis>_<table>``)."""
    return table if table.startswith(analysis) else f"{analysis}_{table}"


def _table_sheets(results, lang, used):
    """Sheets of every table, their contents rows and CSV stems."""
    sheets, contents, stems = [], [], []
    for res in results:
        tab = TAB_COLOURS.get(res.name)
        stem = {k: csv_stem(res.name, k) for k in res.tables}
        found = tables.result_sheets(res, lang=lang, tab=tab)
        titles = [vocabulary.title("tables", k, lang, res.name) for k in res.tables]
        names = xlsx.sheet_names([s.name for s in found], used)
        for sheet, name, title, key in zip(found, names, titles, res.tables):
            sheet.name = name
            if len(sheet.frame) > xlsx.EXCEL_MAX_ROWS - 1:
                title += ui("truncated", lang, n=xlsx.EXCEL_MAX_ROWS - 1)
            contents.append((analysis_title(res.name, lang), title, name, len(sheet.frame)))
            stems.append(stem[key])
        sheets += found
    return sheets, contents, stems


def _contents_block(page, contents, row, lang):
    xlsx.put(page, row, 1, ui("contents", lang), bold=True)
    for j, key in enumerate(("analysis", "table", "sheet", "rows"), start=1):
        xlsx.put(page, row + 1, j, vocabulary.label(f"contents.{key}", lang, "render"), bold=True)
    for i, (analysis, title, sheet, n) in enumerate(contents, start=row + 2):
        xlsx.put(page, i, 1, analysis)
        xlsx.put(page, i, 2, title)
        xlsx.link(page, i, 3, sheet)
        xlsx.put(page, i, 4, n, num_format="#,##0")
    return row + 2 + len(contents)


def _notes_block(page, results, row, lang):
    notes = []
    for res in results:
        title = analysis_title(res.name, lang)
        for n in res.notes:
            notes.append((title, vocabulary.render(n, lang, res.name)))
    if not notes:
        return row
    xlsx.put(page, row, 1, ui("notes", lang), bold=True)
    for i, (analysis, note) in enumerate(notes, start=row + 1):
        xlsx.put(page, i, 1, analysis)
        xlsx.put(page, i, 2, note)
    return row + 1 + len(notes)


def _summary_sheet(book, results, lang, skipped, contents):
    page = book.add_page(vocabulary.sheet_name("summary", lang, "render"))
    xlsx.put(page, 1, 1, ui("report_title", lang), bold=True, size=14)
    xlsx.put(page, 2, 1, ui("generated", lang, time=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                            version=__version__))
    rows, codes = summary_rows(results, lang=lang, skipped=skipped)
    summary = _summary_frame(rows, lang)
    xlsx.write_table(page, summary, status={len(SUMMARY_COLUMNS) - 1: codes}, keys=list(SUMMARY_COLUMNS),
                     start_row=_TABLE_ROW)
    row = _contents_block(page, contents, _TABLE_ROW + len(rows) + 2, lang)
    _notes_block(page, results, row + 1, lang)
    page.set_width(2, max(page.width(2) or 0, 30))
    return summary


def write_report(results, path, *, lang="zh", csv_dir=None, skipped=None, steps=None):
    """Write the report workbook (and the same tables as CSV).

    Parameters
    ----------
    results : iterable of AnalysisResult
        The analyses to report, in sheet order.
    path : str or Path
        The ``.xlsx`` file (written atomically).
    lang : {'zh', 'en'}
        Language of headers, sheet names, words and notes.
    csv_dir : str or Path, optional
        Folder for the CSV copies (UTF-8 with BOM): ``summary.csv`` and
        ``<analysis>_<table>.csv``. No CSVs when omitted.
    skipped : dict, optional
        ``{analysis: (state, message)}`` of analyses without a result (state 'skipped' or
        'failed'; the message a :class:`~hn_geo.core.results.Msg` or text), listed in the
        summary.
    steps : dict, optional
        Old name of ``skipped`` (TEMPORARY, for the 0.1 pipeline).

    Returns
    -------
    list of Path
        The workbook first, then the CSV files.
    """
    results = list(results)
    skipped = skipped if skipped is not None else steps
    path = Path(path)
    used = {vocabulary.sheet_name("summary", lang, "render").lower()}
    sheets, contents, stems = _table_sheets(results, lang, used)
    with xlsx.book(path) as book:
        summary = _summary_sheet(book, results, lang, skipped, contents)
        xlsx.add_sheets(book, sheets)
    written = [path]
    if csv_dir is not None:
        written.append(tables.write_csv(summary, Path(csv_dir) / "summary.csv"))
        for sheet, stem in zip(sheets, stems):
            written.append(tables.write_csv(sheet.frame, Path(csv_dir) / f"{stem}.csv"))
    return written
