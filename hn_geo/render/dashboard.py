"""The dashboard: one offline page with what a run found, ``index.html`` of the output folder.

:func:`write_dashboard` writes a single self-contained HTML file (no script, no network,
opens by double-click; charts are SVG written into the page, so Chinese labels are drawn by
the reader's own fonts) holding

* a card per analysis: its key figures (:class:`~hn_geo.core.results.Figure`, headline
  figures first and large) with their status words in the status table's colours
  (:func:`hn_geo.vocabulary.status_style`), the card edged in the colour of its worst status,
  a 示意数据 mark when the inputs are synthetic, the figures without a verdict and the notes
  folded away (one click opens them), and links to its map, its workbook sheet and its CSV;
  an analysis that did not run gets a grey card saying why;
* the charts of each analysis (:mod:`.dashboard_charts`), each with its legend and links to
  the sheet and CSV it is drawn from;
* links to the report workbook, the overview map, the share package and the run summary.

Every word comes from the vocabulary in the run's language; every value of the data is
escaped. Links are relative to the page (:class:`Links`, filled by
:mod:`hn_geo.workflows.dashboard` from the files the run wrote).
"""
from __future__ import annotations

import datetime as _dt
import html
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError
from hn_geo.core.files import write_text
from hn_geo.core.settings import LANGS
from hn_geo.core.status import level, worst
from hn_geo.core.version import __version__
from hn_geo.render.dashboard_charts import charts_for
from hn_geo.render.labels import analysis_title, ui, value_word

FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Hiragino Sans GB", '
         '"WenQuanYi Micro Hei", "Segoe UI", Roboto, Helvetica, Arial, sans-serif')
ANALYSIS_ORDER = ("water", "zoning", "solar", "targets")

CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:%(fonts)s;color:#222;background:#f3f4f6;font-size:14px;line-height:1.45}
header{background:#1f3b57;color:#fff;padding:14px 28px 12px}
header h1{margin:0 0 4px;font-size:22px;font-weight:600}
header .meta{margin:0;color:#c9d6e3;font-size:13px}
header nav{margin-top:8px;display:flex;flex-wrap:wrap;gap:8px}
header nav a{color:#fff;background:#2f5478;border-radius:4px;padding:3px 10px;text-decoration:none;font-size:13px}
header nav a:hover{background:#3d6a96}
main{padding:16px 28px 28px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:14px}
.card{background:#fff;border-radius:6px;border-top:6px solid #bdbdbd;padding:12px 16px 10px;
 box-shadow:0 1px 3px rgba(0,0,0,.12);display:flex;flex-direction:column}
.card h2{margin:0;font-size:17px;display:flex;align-items:center;gap:8px;flex-wrap:wrap}
.chip{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;line-height:20px;
 white-space:nowrap}
.chip.approx{background:#fff4ce;color:#7a5b00;font-weight:400}
.headline{margin:10px 0 6px}
.headline .fig{margin-bottom:6px}
.headline .value{font-size:24px;font-weight:700;line-height:1.2}
.headline .label{color:#555;font-size:13px}
.figs{list-style:none;margin:4px 0 8px;padding:0;font-size:13px}
.figs li{display:flex;justify-content:space-between;gap:10px;border-bottom:1px dotted #e2e2e2;padding:2px 0}
.figs .v{text-align:right;max-width:62%%}
.links{margin-top:auto;padding-top:6px;font-size:13px;display:flex;flex-wrap:wrap;gap:4px 12px}
.links a{color:#1f5fa8}
details{font-size:12px;color:#555;margin-top:4px}
details.more .figs{font-size:12px;color:#333}
details li{margin:2px 0}
.muted{color:#777}
section.analysis{margin-top:22px}
section.analysis>h2{font-size:18px;margin:0 0 8px;border-left:5px solid #1f3b57;padding-left:8px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:14px}
figure.chart{margin:0;background:#fff;border-radius:6px;padding:10px 14px 10px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
figure.chart figcaption{font-weight:600;font-size:14px;margin-bottom:4px}
.chart-svg{display:block;max-width:100%%;height:auto}
.chart-svg text{font-family:%(fonts)s}
.chart-svg .bar:hover,.chart-svg .point:hover{opacity:.8}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:#444;margin:4px 0 2px}
.legend span{display:inline-flex;align-items:center;gap:5px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px}
.legend i.line{height:3px;width:16px;border-radius:0}
.legend i.dash{height:0;width:16px;border-top:2px dashed;border-radius:0;background:none!important}
.note{font-size:12px;color:#666;margin:2px 0}
ol.items{font-size:12px;margin:4px 0 2px;padding-left:20px;color:#333}
.data{font-size:12px;margin-top:4px}
.data a{color:#1f5fa8}
footer{padding:6px 28px 20px;color:#666;font-size:12px}
@media print{header nav,.links,.data{display:none}body{background:#fff}}
"""


@dataclass
class Links:
    """Where the page links to, relative to the page (None or absent: not written).

    ``maps``: ``{analysis: path}``; ``sheets``: ``{(analysis, table): sheet name}`` of the
    report workbook ``workbook``; ``csv``: ``{(analysis, table): path}``.
    """

    maps: dict = field(default_factory=dict)
    overview: str | None = None
    workbook: str | None = None
    sheets: dict = field(default_factory=dict)
    csv: dict = field(default_factory=dict)
    share: str | None = None
    sites: str | None = None
    summary: str | None = None


def esc(text):
    return html.escape("" if text is None else str(text), quote=True)


def href(path, fragment=None):
    """A relative link (each part URL-quoted), with an optional ``#fragment``."""
    url = "/".join(urllib.parse.quote(p) for p in Path(path).as_posix().split("/"))
    return url + (f"#{urllib.parse.quote(fragment, safe='')}" if fragment else "")


def _a(path, text, cls=None, fragment=None):
    c = f' class="{cls}"' if cls else ""
    return f'<a href="{esc(href(path, fragment))}"{c}>{esc(text)}</a>'


def _chip(code, lang):
    st = vocabulary.status_style(code)
    return (f'<span class="chip" style="background:#{st["fill"]};color:#{st["font"]}">'
            f'{esc(vocabulary.word("status", code, lang))}</span>')


def _figure_item(fig, lang, scope, big=False):
    label = esc(vocabulary.figure_label(fig, lang, scope))
    value = esc(vocabulary.figure_value(fig, lang, scope))
    chip = _chip(fig.status, lang) if fig.status else ""
    if big:
        colour = f' style="color:{vocabulary.status_style(fig.status)["colour"]}"' \
            if fig.status and level(fig.status) == "bad" else ""
        return (f'<div class="fig" data-figure="{esc(fig.code)}"><div class="value"{colour}>{value}</div>'
                f'<div class="label">{label} {chip}</div></div>')
    return f'<li data-figure="{esc(fig.code)}"><span>{label}</span><span class="v">{value} {chip}</span></li>'


def _table_links(analysis, tables, links, lang):
    out = []
    for t in tables:
        sheet = links.sheets.get((analysis, t))
        if links.workbook and sheet:
            out.append(_a(links.workbook, ui("dash_sheet", lang, sheet=sheet), "sheet", f"'{sheet}'!A1"))
        csv = links.csv.get((analysis, t))
        if csv:
            out.append(_a(csv, ui("dash_csv", lang, file=Path(csv).name), "csv"))
    return out


def _table_status(result):
    """The worst status of the result's first table (its main one), for a card whose figures
    carry none (e.g. projects failing: a count)."""
    if not result.tables:
        return None
    df = next(iter(result.tables.values()))
    cols = [c for c in result.status_columns if c in df.columns][:1]
    return worst(df[cols[0]].dropna().unique().tolist()) if cols else None


def card(result, links, lang):
    """The HTML card of one analysis' result."""
    name = result.name
    figs = list(result.figures)
    heads = [f for f in figs if f.headline] or figs[:1]
    rest = [f for f in figs if f not in heads]
    status = worst([f.status for f in heads]) or worst([f.status for f in figs]) or _table_status(result)
    edge = vocabulary.status_style(status)["colour"] if status else "#bdbdbd"
    parts = [f'<article class="card" id="card-{esc(name)}" data-analysis="{esc(name)}" '
             f'data-status="{esc(status or "")}" style="border-top-color:{edge}">',
             f"<h2>{esc(analysis_title(name, lang))}{_chip(status, lang) if status else ''}"
             + (f'<span class="chip approx">{esc(ui("dash_synthetic", lang))}</span>'
                if result.meta.get("synthetic") else "") + "</h2>",
             '<div class="headline">' + "".join(_figure_item(f, lang, name, True) for f in heads) + "</div>"]
    judged = [f for f in rest if f.status or f.target is not None]
    more = [f for f in rest if f not in judged]
    if judged:
        parts.append('<ul class="figs">' + "".join(_figure_item(f, lang, name) for f in judged) + "</ul>")
    if more:  # counts and facts without a verdict: folded away, one click to open
        parts.append(f'<details class="more"><summary>{esc(ui("dash_more", lang, n=len(more)))}</summary>'
                     '<ul class="figs">' + "".join(_figure_item(f, lang, name) for f in more) + "</ul></details>")
    if result.notes:
        notes = "".join(f"<li>{esc(vocabulary.render(n, lang, name))}</li>" for n in result.notes)
        parts.append(f"<details><summary>{esc(ui('dash_notes', lang, n=len(result.notes)))}</summary>"
                     f"<ul>{notes}</ul></details>")
    link_html = []
    if links.maps.get(name):
        link_html.append(_a(links.maps[name], ui("dash_map", lang), "map"))
    link_html += _table_links(name, list(result.tables)[:1], links, lang)
    link_html.append(f'<a href="#{esc(name)}" class="charts-link">{esc(ui("dash_to_charts", lang))}</a>')
    parts.append('<div class="links">' + "".join(link_html) + "</div></article>")
    return "".join(parts)


def skipped_card(name, state, message, lang):
    """The grey card of an analysis that did not run (skipped or failed), saying why."""
    text = vocabulary.render(message, lang, name if name in vocabulary.BLOCKS else None)
    return (f'<article class="card" id="card-{esc(name)}" data-analysis="{esc(name)}" data-status="">'
            f"<h2>{esc(analysis_title(name, lang))}"
            f'<span class="chip" style="background:#ededed;color:#595959">{esc(value_word("step_state", state, lang))}'
            f'</span></h2><p class="muted">{esc(text)}</p></article>')


def _legend(items):
    if not items:
        return ""
    spans = []
    for label, colour, kind in items:
        cls = f' class="{kind}"' if kind in ("line", "dash") else ""
        style = f"border-color:{colour};color:{colour}" if kind == "dash" else f"background:{colour}"
        spans.append(f'<span><i{cls} style="{style}"></i>{esc(label)}</span>')
    return '<div class="legend">' + "".join(spans) + "</div>"


def chart_html(result, chart, links, lang):
    """One chart as a ``<figure>``: title, SVG, legend, listed items, note, data links."""
    parts = [f'<figure class="chart" id="chart-{esc(chart.key)}" data-chart="{esc(chart.key)}">',
             f"<figcaption>{esc(chart.title)}</figcaption>", chart.svg, _legend(chart.legend)]
    if chart.items:
        parts.append('<ol class="items">' + "".join(f"<li>{esc(t)}</li>" for t in chart.items) + "</ol>")
    if chart.note:
        parts.append(f'<p class="note">{esc(chart.note)}</p>')
    data = _table_links(result.name, chart.tables, links, lang)
    if data:
        parts.append(f'<div class="data">{esc(ui("dash_data", lang))}' + " · ".join(data) + "</div>")
    parts.append("</figure>")
    return "".join(parts)


def _ordered(results):
    rank = {n: i for i, n in enumerate(ANALYSIS_ORDER)}
    return sorted(results, key=lambda r: rank.get(r.name, len(rank)))


def _nav(links, lang):
    items = [(links.workbook, "dash_workbook"), (links.overview, "dash_overview_map"), (links.share, "dash_share"),
             (links.sites, "dash_sites"), (links.summary, "dash_summary")]
    return "<nav>" + "".join(_a(p, ui(code, lang)) for p, code in items if p) + "</nav>"


def page_html(results, *, lang="zh", links=None, skipped=None, created=None):
    """The dashboard page of a run's results (HTML text)."""
    if lang not in LANGS:
        raise HnGeoError(code="render.bad_lang", params={"lang": lang, "known": list(LANGS)})
    links = links or Links()
    results = _ordered(list(results))
    created = created or _dt.datetime.now()
    title = ui("dash_title", lang)
    cards = [card(r, links, lang) for r in results]
    cards += [skipped_card(n, *(s if isinstance(s, tuple) else ("skipped", s)), lang)
              for n, s in (skipped or {}).items()]
    sections = []
    for r in results:
        charts = charts_for(r, lang)
        if charts:
            sections.append(f'<section class="analysis" id="{esc(r.name)}"><h2>{esc(analysis_title(r.name, lang))}'
                            '</h2><div class="charts">' + "".join(chart_html(r, c, links, lang) for c in charts)
                            + "</div></section>")
    synthetic = any(r.meta.get("synthetic") for r in results)
    foot = [esc(ui("dash_footer", lang, version=__version__))]
    if synthetic:
        foot.insert(0, esc(ui("dash_synthetic_note", lang)))
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS % {'fonts': FONTS}}</style></head><body>"
            f"<header><h1>{esc(title)}</h1><p class=\"meta\">"
            f"{esc(ui('generated', lang, time=created.strftime('%Y-%m-%d %H:%M'), version=__version__))}</p>"
            f"{_nav(links, lang)}</header><main><section class=\"cards\">{''.join(cards)}</section>"
            f"{''.join(sections)}</main><footer>{'<br>'.join(foot)}</footer></body></html>\n")


def write_dashboard(results, path, *, lang="zh", links=None, skipped=None, created=None):
    """Write the dashboard page (atomically, UTF-8).

    Parameters
    ----------
    results : iterable of AnalysisResult
    path : str or Path
        The ``.html`` file (``index.html`` of a run).
    lang : {'zh', 'en'}
    links : Links, optional
        Where the page links to, relative to it.
    skipped : dict, optional
        ``{analysis: (state, message)}`` of analyses without a result.
    created : datetime, optional

    Returns
    -------
    Path
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise HnGeoError(code="render.not_html", path=path)
    return write_text(page_html(results, lang=lang, links=links, skipped=skipped, created=created), path)
