"""Console text of a result: key figures, compact tables and notes, in one language.

The CLI commands print through these functions, so a command's console lines and its
tables say the same thing in the same words. Text of the data is shown as text: control
characters (an ESC sequence in a name) are printed as ``\x1b`` escapes
(:func:`hn_geo.render.escape.terminal_text`).
"""
from __future__ import annotations

import errno
from pathlib import Path

import pandas as pd

from hn_geo import vocabulary
from hn_geo.render.escape import terminal_text
from hn_geo.render.tables import present


def figure_lines(result, lang="zh", *, codes=None):
    """``label: value`` lines of the result's key figures (only ``codes`` if given)."""
    figs = [f for f in result.figures if codes is None or f.code in codes]
    if not figs:
        return []
    labels = [vocabulary.figure_label(f, lang, result.name) for f in figs]
    width = max(_width(t) for t in labels)
    sep = "：" if lang == "zh" else ": "
    return [terminal_text(f"{lab}{' ' * (width - _width(lab))}{sep}{vocabulary.figure_value(f, lang, result.name)}")
            for lab, f in zip(labels, figs)]


def note_lines(result, lang="zh", bullet="* "):
    """The result's notes, one line each."""
    return [terminal_text(bullet + vocabulary.render(n, lang, result.name)) for n in result.notes]


def table_text(df, lang="zh", *, scope=None, codes=None, columns=None, rows=None):
    """A compact text table of a result frame (codes rendered, empty cells as '-')."""
    if columns is not None:
        df = df[[c for c in columns if c in df.columns]]
    if rows is not None:
        df = df.head(rows)
    shown = present(df, lang=lang, scope=scope, codes=codes)
    shown = shown.astype(object).where(shown.notna() & (shown.astype(str) != ""), "-")
    with pd.option_context("display.max_rows", 500, "display.width", 200, "display.max_columns", 30,
                           "display.max_colwidth", 40, "display.unicode.east_asian_width", True):
        return terminal_text(shown.to_string(index=False))


def files_line(files, lang="zh"):
    """'wrote N file(s) to DIR' in ``lang``."""
    files = list(files)
    folders = sorted({str(vocabulary.display_path(p.parent)) for p in files}) if files else []
    return vocabulary.ui("wrote_files", lang, scope="render", n=len(files),
                         folder=vocabulary.join(folders, lang) if folders else "-")


def _width(text):
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def os_error_text(exc, lang="zh", *, reason_only=False):
    """A file-system error as a message of ``lang`` naming the file: ``磁盘已满（out/water/water.xlsx）``.

    The reason is the vocabulary's word for the error number (ENOSPC, EACCES, EROFS, ENOTDIR
    ...), else the system's text; ``reason_only`` leaves out the file.
    """
    name = errno.errorcode.get(exc.errno or 0)
    if name == "EEXIST" and exc.filename is not None and Path(exc.filename).is_file():
        name = "ENOTDIR"  # a folder was to be made where a file is
    what = vocabulary.word("os_error", name, lang, "render", default="") if name else ""
    if not what:
        what = vocabulary.ui("os_error_other", lang, "render", name=name or type(exc).__name__)
    if reason_only:
        return what
    path = exc.filename if exc.filename is not None else None
    if path is not None and exc.errno in (errno.ENOTDIR, errno.EEXIST):  # name the file in the way
        p = Path(path)
        path = next((q for q in (p, *p.parents) if q.exists() and not q.is_dir()), p)
    return terminal_text(vocabulary.message("pipeline.os_error", {
        "what": what, "path": vocabulary.display_path(path) if path is not None else "-"}, lang))
