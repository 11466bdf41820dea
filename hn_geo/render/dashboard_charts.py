"""The dashboard's charts: what each analysis' result says, drawn from its tables and figures.

One builder per analysis reads the result's tables (codes, numbers) and typed figures and
returns :class:`Chart` objects: plain SVG (:mod:`.dashboard_svg`), a legend and the tables
the chart is drawn from (the page links them to their workbook sheet and CSV). Targets come
from the result (the plan's figures the analysis was given), never from this module. A
result without a table a chart needs simply has no such chart.

============  ===========================================================================
water         sections per water class by year; the plan's two section indicators by year
              (省控 ≥ III, 交接 达标) against their targets
targets       each town's energy-intensity cut against its 附件1 basic and incentive targets
              (and the pro-rated path); key-project pollutant reductions against the plan
solar         the supply curve (cumulative MW over roofs, best yield first) against the
              plan's MW target; the household programme against the low-rise houses
zoning        projects per verdict; the access-list clauses that block projects
============  ===========================================================================
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hn_geo import vocabulary
from hn_geo.core.results import Msg
from hn_geo.render import dashboard_svg as svg
from hn_geo.render import palette
from hn_geo.render.labels import ui, value_word
from hn_geo.render.tables import present

SERIES_COLOURS = ("#2b6cb0", "#7b3294", "#1b9e77", "#d95f02")
NEUTRAL = "#8da0cb"


@dataclass
class Chart:
    """One chart of the dashboard.

    ``legend``: ``(label, colour, kind)`` with kind 'box', 'line', 'dash' or 'dot';
    ``tables``: the result tables it is drawn from; ``items``: lines of text listed under it
    (e.g. the clauses, which are too long for a chart).
    """

    key: str
    title: str
    svg: str
    legend: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    items: list = field(default_factory=list)
    note: str | None = None


def _fig(result, code):
    try:
        return result.figure(code)
    except KeyError:
        return None


def _shown(result, table, lang):
    return present(result.tables[table], lang=lang, scope=result.name, codes=result.codes, labels=False,
                   table=table)


def _status_word(code, lang):
    return vocabulary.word("status", code, lang) if palette.is_status(code) else ""


def _unit(code, lang):
    return vocabulary.unit(code, lang) if code else ""


def _with_unit(value, unit, lang):
    text = vocabulary.format_number(value, lang)
    return f"{text}{unit}" if unit in ("", "%") else f"{text} {unit}"


def _status_legend(codes, lang):
    return [(vocabulary.word("status", c, lang), palette.status_colour(c), "box") for c in palette.status_order(codes)]


# ----------------------------------------------------------------------------- water
def water_charts(result, lang):
    charts = []
    if "water_sections" in result.tables:
        charts.append(_water_classes(result, lang))
    if "water_compliance" in result.tables:
        charts.append(_water_rates(result, lang))
    return [c for c in charts if c is not None]


def _water_classes(result, lang):
    df = result.tables["water_sections"]
    if not {"year", "water_class"} <= set(df.columns) or df.empty:
        return None
    years = sorted(int(y) for y in df["year"].dropna().unique())
    counts = df.groupby(["year", df["water_class"].fillna("no_data")]).size()
    stacks = []
    for code in (*palette.WATER_CLASSES, "no_data"):
        values = [int(counts.get((y, code), 0)) for y in years]
        if not any(values):
            continue
        if code == "no_data":
            label, colour = vocabulary.word("status", "no_data", lang), palette.NO_DATA
        else:
            label = ui("class_legend", lang, cls=vocabulary.word("water_class", code, lang, "water"),
                       quality=value_word("water_quality", code, lang))
            colour = palette.FAMILY_COLOURS["water_class"][code]
        stacks.append(svg.Stack(label, colour, values))
    title = ui("dash_chart_water_classes", lang)
    body = svg.stacked_columns([str(y) for y in years], stacks, lang=lang, title=title,
                               unit=_unit("sections", lang) if lang == "zh" else "")
    return Chart("water-classes", title, body, [(s.label, s.colour, "box") for s in stacks], ["water_sections"])


def _water_rates(result, lang):
    df = result.tables["water_compliance"]
    if df.empty:
        return None
    series, refs, statuses = [], {}, set()
    for k, (code, part) in enumerate(df.sort_values("year").groupby("indicator", sort=False)):
        label = vocabulary.word("indicator", code, lang, "water")
        pts = [(int(y), None if pd.isna(v) else float(v)) for y, v in zip(part["year"], part["rate_pct"])]
        cols = [palette.status_colour(s) if palette.is_status(s) else palette.NO_DATA for s in part["status"]]
        statuses |= set(part["status"].dropna())
        series.append(svg.Series(label, SERIES_COLOURS[k % len(SERIES_COLOURS)], pts, cols))
        for t in part["plan_target_pct"].dropna().unique():
            refs.setdefault(float(t), []).append(label)
    ref_lines = [svg.Ref(t, ui("dash_plan_target", lang, value=_with_unit(t, "%", lang)), "#444444")
                 for t in refs]
    years = sorted({p[0] for s in series for p in s.points})
    title = ui("dash_chart_water_rates", lang)
    body = svg.line_chart(series, lang=lang, title=title, refs=ref_lines, x_labels=[(y, str(y)) for y in years],
                          y_unit="%", y_max=100.0)
    legend = [(s.label, s.colour, "line") for s in series] + _status_legend(statuses, lang)
    legend += [(r.label, r.colour, "dash") for r in ref_lines]
    return Chart("water-rates", title, body, legend, ["water_compliance"])


# ----------------------------------------------------------------------------- targets
def targets_charts(result, lang):
    charts = []
    if "targets_energy" in result.tables:
        charts.append(_energy(result, lang))
    if "targets_reductions" in result.tables:
        charts.append(_reductions(result, lang))
    return [c for c in charts if c is not None]


def _energy(result, lang):
    df = result.tables["targets_energy"].reset_index(drop=True)
    if "intensity_cut_pct" not in df.columns or df["intensity_cut_pct"].dropna().empty:
        return None
    shown = _shown(result, "targets_energy", lang)
    year = int(df["year"].dropna().iloc[0]) if "year" in df.columns and df["year"].notna().any() else None
    rows, statuses = [], set()
    city = [i for i, t in enumerate(df["town"]) if isinstance(t, Msg)]
    order = city + list(df.drop(index=city)["intensity_cut_pct"].sort_values(ascending=False).index)
    for i in order:
        r = df.loc[i]
        cut = r["intensity_cut_pct"]
        status = r.get("intensity_status")
        statuses.add(status)
        marks = []
        for col, key, colour, dashed in (("target_basic", "dash_basic", "#222222", False),
                                         ("target_incentive", "dash_incentive", "#1a9850", False),
                                         ("required_basic_pct", "dash_required", "#555555", True)):
            if col in df.columns and pd.notna(r.get(col)):
                marks.append(svg.Mark(float(r[col]), ui(key, lang, value=_with_unit(r[col], "%", lang), year=year),
                                      colour, dashed))
        text = _with_unit(round(float(cut), 1), "%", lang) if pd.notna(cut) else "-"
        rows.append(svg.Bar(str(shown.loc[i, "town"]), None if pd.isna(cut) else float(cut),
                            palette.status_colour(status) if palette.is_status(status) else palette.NO_DATA,
                            f"{text} {_status_word(status, lang)}".strip(), marks, strong=i in city))
    title = ui("dash_chart_energy", lang)
    body = svg.bars(rows, lang=lang, title=title, unit="%", value_width=130)
    legend = _status_legend(statuses, lang) + [
        (ui("dash_basic_legend", lang), "#222222", "line"), (ui("dash_incentive_legend", lang), "#1a9850", "line"),
        (ui("dash_required_legend", lang, year=year), "#555555", "dash")]
    return Chart("targets-energy", title, body, legend, ["targets_energy"])


def _reductions(result, lang):
    df = result.tables["targets_reductions"]
    if df.empty or not {"pollutant", "reduction_t", "target_t"} <= set(df.columns):
        return None
    unit = _unit("t", lang)
    rows, statuses = [], set()
    for _, r in df.iterrows():
        target = r["target_t"]
        if pd.isna(target) or not target:
            continue
        pct = 100.0 * float(r["reduction_t"]) / float(target)
        statuses.add(r.get("status"))
        marks = [svg.Mark(100.0, ui("dash_plan_target", lang, value=_with_unit(target, unit, lang)))]
        if pd.notna(r.get("expected_t")):
            marks.append(svg.Mark(100.0 * float(r["expected_t"]) / float(target),
                                  ui("dash_expected", lang, value=_with_unit(r["expected_t"], unit, lang)),
                                  "#555555", True))
        word = vocabulary.word("pollutant", r["pollutant"], lang)
        text = ui("dash_of_target", lang, done=vocabulary.format_number(float(r["reduction_t"]), lang),
                  target=vocabulary.format_number(float(target), lang), unit=unit)
        rows.append(svg.Bar(word, pct, palette.status_colour(r["status"]) if palette.is_status(r["status"])
                            else palette.NO_DATA, text, marks, tip=f"{word}{svg.colon(lang)}{text} · {_status_word(r['status'], lang)}"))
    if not rows:
        return None
    title = ui("dash_chart_reductions", lang)
    body = svg.bars(rows, lang=lang, title=title, unit="%", x_max=max(120.0, max(r.value for r in rows) * 1.05),
                    value_width=150)
    year = int(df["year"].dropna().iloc[0]) if "year" in df.columns and df["year"].notna().any() else None
    legend = _status_legend(statuses, lang) + [(ui("dash_target_legend", lang), "#222222", "line"),
                                               (ui("dash_required_legend", lang, year=year), "#555555", "dash")]
    return Chart("targets-reductions", title, body, legend, ["targets_reductions"])


# ----------------------------------------------------------------------------- solar
def solar_charts(result, lang):
    charts = []
    if "solar_supply_curve" in result.tables:
        charts.append(_supply(result, lang))
    charts.append(_homes(result, lang))
    return [c for c in charts if c is not None]


def _supply(result, lang):
    df = result.tables["solar_supply_curve"]
    if df.empty or not {"cum_buildings", "cum_mw"} <= set(df.columns):
        return None
    pts = [(0, 0.0)] + [(int(b), float(m)) for b, m in zip(df["cum_buildings"], df["cum_mw"])]
    mw = _unit("mw", lang)
    refs = []
    need, target = _fig(result, "solar.need_mw"), _fig(result, "solar.target_mw")
    goal = need or target
    if goal is not None and goal.value is not None:
        refs.append(svg.Ref(float(goal.value), ui("dash_plan_target", lang, value=_with_unit(goal.value, mw, lang))))
    potential = _fig(result, "solar.potential_mw")
    colour = palette.status_colour(potential.status) if potential and potential.status else SERIES_COLOURS[0]
    label = vocabulary.figure_label(potential, lang, "solar") if potential else ui("dash_supply", lang)
    series = [svg.Series(label, colour, pts)]
    title = ui("dash_chart_supply", lang)
    body = svg.line_chart(series, lang=lang, title=title, refs=refs, y_unit="", x_unit="")
    legend = [(f"{label}{svg.colon(lang)}{_with_unit(pts[-1][1], mw, lang)}", colour, "line")]
    legend += [(r.label, r.colour, "dash") for r in refs]
    return Chart("solar-supply", title, body, legend, ["solar_supply_curve"],
                 note=ui("dash_supply_axes", lang, mw=mw))


def _homes(result, lang):
    target, houses = _fig(result, "solar.homes_target"), _fig(result, "solar.low_rise_houses")
    if target is None or houses is None or target.value is None or houses.value is None:
        return None
    homes, mw = _unit("homes", lang), _unit("mw", lang)
    mark = svg.Mark(float(target.value), ui("dash_plan_target", lang, value=_with_unit(target.value, homes, lang)))
    houses_mw = _fig(result, "solar.homes_mw")
    text = _with_unit(houses.value, homes, lang) + (
        ui("dash_about", lang, value=_with_unit(round(float(houses_mw.value), 1), mw, lang)) if houses_mw else "")
    colour = palette.status_colour(houses.status) if houses.status else NEUTRAL
    rows = [svg.Bar(vocabulary.figure_label(target, lang, "solar"), float(target.value), NEUTRAL,
                    _with_unit(target.value, homes, lang)),
            svg.Bar(vocabulary.figure_label(houses, lang, "solar"), float(houses.value), colour, text, [mark])]
    title = ui("dash_chart_homes", lang)
    body = svg.bars(rows, lang=lang, title=title, value_width=150)
    legend = _status_legend({houses.status}, lang) + [(mark.label, mark.colour, "line")]
    return Chart("solar-homes", title, body, legend, ["solar_targets"] if "solar_targets" in result.tables else [])


# ----------------------------------------------------------------------------- zoning
def zoning_charts(result, lang):
    charts = []
    if "projects" in result.tables:
        charts.append(_verdicts(result, lang))
    if "violations" in result.tables:
        charts.append(_clauses(result, lang))
    return [c for c in charts if c is not None]


def _verdicts(result, lang):
    df = result.tables["projects"]
    if "status" not in df.columns or df.empty:
        return None
    counts = df["status"].value_counts()
    unit = _unit("projects", lang)
    rows = [svg.Bar(vocabulary.word("status", c, lang), int(counts[c]), palette.status_colour(c),
                    _with_unit(int(counts[c]), unit, lang)) for c in palette.status_order(counts.index)]
    title = ui("dash_chart_verdicts", lang)
    return Chart("zoning-verdicts", title, svg.bars(rows, lang=lang, title=title), [], ["projects"])


def _clauses(result, lang):
    df = result.tables["violations"]
    if df.empty or "rule_id" not in df.columns:
        return None
    blocking = df[df["verdict"] == "fail"] if "verdict" in df.columns else df
    if blocking.empty:
        return None
    shown = _shown(result, "violations", lang).loc[blocking.index]
    groups = []
    for rule, part in blocking.groupby("rule_id", sort=False):
        ids = list(dict.fromkeys(part["project_id"].astype(str)))
        kind = shown.loc[part.index[0], "rule_kind"] if "rule_kind" in shown.columns else ""
        clause = part["clause"].iloc[0] if "clause" in part.columns else ""
        groups.append((len(ids), str(rule), str(kind), str(clause), ids))
    groups.sort(key=lambda g: (-g[0], g[1]))
    unit = _unit("projects", lang)
    fail = palette.status_colour("fail")
    rows = [svg.Bar(f"{rule} {kind}".strip(), n, fail, _with_unit(n, unit, lang)) for n, rule, kind, _, _ in groups]
    items = [ui("dash_clause_item", lang, rule=rule, clause=clause, projects=vocabulary.join(ids, lang))
             for _, rule, _, clause, ids in groups]
    title = ui("dash_chart_clauses", lang)
    return Chart("zoning-clauses", title, svg.bars(rows, lang=lang, title=title, value_width=100), [],
                 ["violations"], items=items)


CHARTS = {"water": water_charts, "zoning": zoning_charts, "solar": solar_charts, "targets": targets_charts}
"""Chart builders by analysis name."""


def charts_for(result, lang):
    """The charts of one result (none for an analysis without a builder)."""
    func = CHARTS.get(result.name)
    return func(result, lang) if func else []

