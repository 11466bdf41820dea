"""The dashboard of a run: ``index.html`` in the output folder, linking what the run wrote.

The page (:mod:`hn_geo.render.dashboard`) links each analysis to its map, its sheet of the
report workbook and its CSV, when the run wrote them: the links are found among the files
the run's earlier steps wrote (``files``), relative to the page, so the output folder can be
moved or zipped whole.
"""
from __future__ import annotations

from pathlib import Path

from hn_geo.render.dashboard import Links, write_dashboard
from hn_geo.render.workbook import csv_stem, table_sheet_names
from hn_geo.workflows.common import Outcome
from hn_geo.workflows.report import REPORT_NAME

INDEX = "index.html"
SUMMARY = "run_summary.json"
SITES = "sites/sites.xlsx"
"""The site finder's workbook (the run's ``sites`` step), linked from the page's header."""


def _rel(path, root):
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return None


def links_of(results, out_dir, files, *, lang="zh"):
    """The :class:`~hn_geo.render.dashboard.Links` of a run's files (relative to ``out_dir``)."""
    written = {r for f in files or () if (r := _rel(f, out_dir)) is not None}
    links = Links(summary=SUMMARY)
    for res in results:
        if f"maps/{res.name}.html" in written:
            links.maps[res.name] = f"maps/{res.name}.html"
        for table in res.tables:
            stem = csv_stem(res.name, table)
            for cand in (f"report/csv/{stem}.csv", f"{res.name}/{stem}.csv", f"{res.name}/{table}.csv"):
                if cand in written:
                    links.csv[(res.name, table)] = cand
                    break
    if "maps/overview.html" in written:
        links.overview = "maps/overview.html"
    if f"report/{REPORT_NAME}" in written:
        links.workbook = f"report/{REPORT_NAME}"
        links.sheets = table_sheet_names(results, lang=lang)
    links.sites = SITES if SITES in written else None
    links.share = next((r for r in sorted(written) if r.startswith("share/") and r.endswith(".zip")), None)
    return links


def run(results, out_dir, *, lang="zh", files=None, skipped=None):
    """Write ``index.html`` of the run into ``out_dir``.

    Parameters
    ----------
    results : iterable of AnalysisResult
    out_dir : str or Path
        The run's output folder (the page's links are relative to it).
    lang : {'zh', 'en'}
    files : iterable of Path, optional
        Files the run wrote so far (maps, workbook, CSV, share package): what the page links.
    skipped : dict, optional
        ``{analysis: (state, message)}`` of analyses without a result.

    Returns
    -------
    Outcome
        ``files``: the page.
    """
    results = list(results)
    out_dir = Path(out_dir)
    links = links_of(results, out_dir, files, lang=lang)
    path = write_dashboard(results, out_dir / INDEX, lang=lang, links=links, skipped=skipped)
    return Outcome(None, [path])
