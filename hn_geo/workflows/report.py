"""The report workbook of a run: ``hn_geo_report.xlsx`` and the same tables under ``csv/``."""
from __future__ import annotations

from pathlib import Path

from hn_geo.render.workbook import write_report
from hn_geo.workflows.common import Outcome

REPORT_NAME = "hn_geo_report.xlsx"


def run(results, out_dir, *, lang="zh", skipped=None):
    """Write the report workbook of ``results`` into ``out_dir``.

    Parameters
    ----------
    results : iterable of AnalysisResult
        The analyses to report, in sheet order.
    out_dir : str or Path
        Folder of ``hn_geo_report.xlsx`` and ``csv/``.
    lang : {'zh', 'en'}
    skipped : dict, optional
        ``{analysis: (state, message)}`` of analyses without a result ('skipped' or
        'failed'; the message a :class:`~hn_geo.core.results.Msg` or text).

    Returns
    -------
    Outcome
        ``files``: the workbook, then the CSV files.
    """
    out_dir = Path(out_dir)
    files = write_report(list(results), out_dir / REPORT_NAME, lang=lang, csv_dir=out_dir / "csv",
                         skipped=skipped)
    return Outcome(None, files)
