"""`hn-geo targets`: progress against the plan's quantified targets."""
from __future__ import annotations

import click
import pandas as pd

from hn_geo import vocabulary
from hn_geo.cli.options import NON_NEGATIVE, handle_errors, lang_option, out_dir_option
from hn_geo.core import settings
from hn_geo.core.results import Msg
from hn_geo.ground import plan
from hn_geo.ground.inputs import Inputs
from hn_geo.ground.stats import STAT_FILES
from hn_geo.ground.stats_columns import SPECS
from hn_geo.render import console
from hn_geo.targets import PATHS
from hn_geo.workflows import targets as workflow

STATS_HELP = (
    "Folder (or one .xlsx workbook with a sheet per table) holding town_energy, "
    "reduction_projects, indicators and optionally reduction_allocations (.csv or .xlsx; Chinese "
    "or English headers). Default: the embedded synthetic demo statistics.")
SCOPE = "targets"

SHOW = {
    "targets_energy": ["town", "intensity_cut_pct", "target_basic", "target_incentive",
                       "required_basic_pct", "intensity_status", "target_level", "exempt",
                       "allowance_margin_tce", "total_status"],
    "targets_reductions": ["pollutant", "reduction_t", "target_t", "completion_pct", "expected_t",
                           "status", "excluded_double_t"],
    "targets_double_counted": ["row", "project_id", "pollutant", "reduction_t", "reason", "duplicate_of"],
    "targets_indicators": ["clause", "name", "baseline", "target", "actual", "expected", "status"],
}
"""Tables echoed to the terminal, with their columns."""


@click.group()
def targets():
    """Track the plan's energy, coal, pollutant and indicator targets by town.

    \b
    Statistics files (see `hn-geo targets columns`):
      town_energy          town, year, GDP (comparable prices, 万元), total energy (tce),
                           newly added renewable electricity, nationally listed projects,
                           raw-material energy
      reduction_projects   project id, enterprise/emission point, town, pollutant,
                           reduction (t/a), year, measure
      indicators           indicator (target id or name), year, value [, unit]
      reduction_allocations  town, pollutant, allocated reduction (t)   (optional)
    """


def _echo_tables(result, lang, rows):
    for name, cols in SHOW.items():
        df = result.tables.get(name)
        if df is None:
            continue
        if name == "targets_indicators":
            df = df[df["actual"].notna()]
        df = df.round(2)  # display only: the files keep every digit
        title = vocabulary.title("tables", name, lang, SCOPE)
        click.echo("\n" + vocabulary.ui("table_head", lang, SCOPE, title=title, n=len(df)))
        if len(df):
            click.echo(console.table_text(df, lang, scope=SCOPE, codes=result.codes, columns=cols,
                                          rows=rows))


@targets.command("report")
@click.option("--stats", "stats", type=click.Path(exists=True), default=None, help=STATS_HELP)
@click.option("--targets", "plan_targets", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A plan-targets YAML of the layout of the embedded plan_targets.yaml "
                   "(default: the embedded one).")
@click.option("--year", type=click.IntRange(2021, 2030), default=None,
              help="Reporting year (default: latest year in the statistics, at most 2025).")
@click.option("--path", "path", type=click.Choice(PATHS), default=None,
              help="How 2025 targets are pro-rated to the reporting year (default: linear).")
@click.option("--kwh-factor", type=NON_NEGATIVE, default=None,
              help="tce per 万kWh for renewable electricity given in kWh "
                   "(default: 3.055, the 2020 coal-equivalent of thermal power).")
@click.option("--rows", type=int, default=20, show_default=True,
              help="Rows of each progress table echoed to the terminal.")
@lang_option
@out_dir_option
@handle_errors
def report_cmd(stats, plan_targets, year, path, kwh_factor, rows, lang, out):
    """Write progress tables (CSV + XLSX) and the towns map layer (GPKG) into OUT."""
    settings.lang = lang
    inputs = Inputs(files={"town_stats": stats, "plan_targets": plan_targets})
    outcome = workflow.run(inputs, out, lang=lang, year=year, path=path, kwh_factor=kwh_factor)
    result = outcome.result
    for line in console.figure_lines(result, lang):
        click.echo(line)
    _echo_tables(result, lang, rows)
    click.echo("")
    for line in console.note_lines(result, lang):
        click.echo(line)
    click.echo(console.files_line(outcome.files, lang))


@targets.command("list")
@click.option("--clause", default=None, help="Only targets of this clause, e.g. 附件2 or '三.（十）'.")
@click.option("--targets", "plan_targets", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A plan-targets YAML (default: the embedded one).")
@lang_option
@handle_errors
def list_cmd(clause, plan_targets, lang):
    """List the plan's quantified targets (id, clause, comparator, value, unit, name)."""
    settings.lang = lang
    t = plan.load_targets(plan_targets)
    if clause:
        t = t[t["clause"] == clause]
    df = pd.DataFrame({"id": t["id"], "clause": t["clause"], "comparator": t["comparator"],
                       "value": t["value"], "unit": t["unit_code"], "baseline_value": t["baseline_value"],
                       "name": [Msg("targets.plan_name", name=a, name_en=b)
                                for a, b in zip(t["name"], t["name_en"])]})
    click.echo(console.table_text(df, lang, scope=SCOPE, codes={"comparator": "comparator",
                                                                 "unit": "plan_unit"}))
    tt = plan.town_targets(plan_targets)
    towns = [vocabulary.ui("annex1_town", lang, SCOPE, town=a, basic=f"{b:g}", incentive=f"{c:g}")
             for a, b, c in zip(tt["town"], tt["target_basic"], tt["target_incentive"])]
    click.echo("\n" + vocabulary.ui("annex1", lang, SCOPE, towns=towns))


@targets.command("columns")
@lang_option
def columns_cmd(lang):
    """Show the accepted column names of each statistics file."""
    settings.lang = lang
    for name, spec in SPECS.items():
        click.echo(vocabulary.ui("columns_head", lang, SCOPE, name=name, alts=list(STAT_FILES[name])))
        for canon, col in spec.items():
            unit = vocabulary.ui(f"unit_{col.unit_kind}", lang, SCOPE) if col.unit_kind else ""
            click.echo(vocabulary.ui("columns_line", lang, SCOPE, canon=f"{canon:22s}",
                                     need=vocabulary.ui("required" if col.required else "optional", lang, SCOPE),
                                     dtype=vocabulary.word("dtype", col.dtype, lang, SCOPE), unit=unit,
                                     aliases=list(col.aliases)))
    click.echo(vocabulary.ui("columns_tail", lang, SCOPE))
