"""The console summary of a run, in the run's language: steps, files, key figures."""
from __future__ import annotations

from pathlib import Path

from hn_geo import vocabulary
from hn_geo.pipeline.run import SUMMARY_FILE, step_title

MARKS = {"ok": "✓", "failed": "✗", "skipped": "-"}


def format_summary(report, verbose=False):
    """Plain-text summary of a run: a line per step, files produced, warnings counted, and
    the headline figures of each analysis."""
    lang = report.lang
    w = _words(lang)
    lines = [w("run_head", state=w("state_ok" if report.ok else "state_failed"),
               seconds=round(report.seconds, 1), out=vocabulary.display_path(report.out_dir))]
    titles = {s.name: step_title(s.name, lang) for s in report.steps}
    width = max(_width(t) for t in titles.values())
    for s in report.steps:
        pad = " " * (width - _width(titles[s.name]))
        line = (f" {MARKS.get(s.status, '?')} {titles[s.name]}{pad}  {w('status_' + s.status)}  "
                + w("step_tail", seconds=round(s.seconds, 1), n=len(s.outputs)))
        if s.warnings:
            line += w("step_warnings", n=len(s.warnings))
        if s.message:
            line += f" — {s.message}"
        lines.append(line)
        lines += _files(s, report.out_dir, verbose, w)
        if verbose:
            lines += [f"      {w('warning')}: {m}" for m in s.warnings]
    lines += _figures(report, lang, w)
    n_warn = sum(len(s.warnings) for s in report.steps)
    failed = [titles[s.name] for s in report.steps if s.status == "failed"]
    tail = w("run_tail", n=len(report.outputs), warnings=n_warn,
             summary=vocabulary.display_path(Path(report.out_dir) / SUMMARY_FILE))
    if n_warn and not verbose:
        tail += w("run_tail_verbose")
    if failed:
        tail += w("run_tail_failed", steps=vocabulary.join(failed, lang))
    lines.append(tail)
    start = [p for p in ("index.html", "report/hn_geo_report.xlsx", "maps/overview.html")
             if (Path(report.out_dir) / p) in {Path(o) for o in report.outputs}]
    if start:
        lines.append(w("start_with", files=vocabulary.join(
            [vocabulary.display_path(Path(report.out_dir) / p) for p in start], lang)))
    return "\n".join(lines)


def _files(step, out_dir, verbose, w):
    rel = [_rel(p, out_dir) for p in step.outputs]
    if verbose:
        return [f"      {p}" for p in rel]
    lines, csv = [], {}
    for p in rel:  # key files by name; CSV tables counted per folder
        if p.suffix.lower() == ".csv":
            csv.setdefault(p.parent, []).append(p)
        else:
            lines.append(f"      {p.as_posix()}")
    lines += [f"      {folder.as_posix()}/*.csv " + w("csv_tables", n=len(files)) for folder, files in csv.items()]
    return lines


def _figures(report, lang, w):
    lines = []
    for name, res in report.results.items():
        heads = [f for f in res.figures if f.headline]
        if not heads:
            continue
        if not lines:
            lines.append(w("key_figures"))
        title = vocabulary.title("title", name, lang)
        for f in heads:
            lines.append(f"   {title} · {vocabulary.figure_label(f, lang, name)}"
                         f"{'：' if lang == 'zh' else ': '}{vocabulary.figure_value(f, lang, name)}")
    return lines


def _words(lang):
    def w(code, **params):
        return vocabulary.ui(code, lang, scope="pipeline", **params)
    return w


def _rel(path, root):
    try:
        return Path(path).resolve().relative_to(Path(root).resolve())
    except ValueError:
        return Path(vocabulary.display_path(path))


def _width(text):
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))
