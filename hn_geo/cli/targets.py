"""`hn-geo targets`: progress against the plan's quantified targets."""
from __future__ import annotations

import click

from hn_geo.cli.options import handle_errors, lang_option, out_dir_option

STATS_HELP = (
    "Folder (or one .xlsx workbook with a sheet per table) holding town_energy, "
    "reduction_projects, indicators and optionally reduction_allocations (.csv or .xlsx; Chinese "
    "or English headers). Embedded synthetic demo statistics when omitted.")


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


@targets.command("report")
@click.option("--stats", "stats", type=click.Path(exists=True), default=None, help=STATS_HELP)
@click.option("--year", type=click.IntRange(2021, 2030), default=None,
              help="Reporting year (default: latest year in the statistics).")
@click.option("--path", "path", type=click.Choice(["linear", "compound"]), default="linear",
              show_default=True, help="How 2025 targets are pro-rated to the reporting year.")
@click.option("--kwh-factor", type=float, default=None,
              help="tce per 万kWh for renewable electricity given in kWh "
                   "(default 3.055, 2020 coal-equivalent of thermal power).")
@click.option("--rows", type=int, default=20, show_default=True,
              help="Rows of each progress table echoed to the terminal.")
@lang_option
@out_dir_option
@handle_errors
def report_cmd(stats, year, path, kwh_factor, rows, lang, out):
    """Write progress tables (CSV + XLSX) and the towns map layer (GPKG) into OUT."""
    import pandas as pd

    from hn_geo import targets as tg
    from hn_geo.render.outputs import write_result
    from hn_geo.render.tables import localize

    kw = {} if kwh_factor is None else {"kwh_factor": kwh_factor}
    result = tg.targets_report(stats, year=year, path=path, lang=lang, **kw)
    written = write_result(result, out, lang=lang)
    show = {
        "targets_energy": ["town", "intensity_cut_pct", "target_basic", "target_incentive",
                           "required_basic_pct", "intensity_status", "exempt", "allowance_margin_tce",
                           "total_status"],
        "targets_reductions": ["pollutant", "reduction_t", "target_t", "completion_pct",
                               "expected_t", "status", "excluded_double_t"],
        "targets_double_counted": ["row", "project_id", "pollutant", "reduction_t", "reason",
                                   "duplicate_of"],
        "targets_indicators": ["clause", "name", "baseline", "target", "actual", "expected", "status"],
    }
    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.unicode.east_asian_width", True, "display.precision", 2):
        for name, cols in show.items():
            df = result.tables.get(name)
            if df is None:
                continue
            if name == "targets_indicators":
                df = df[df["actual"].notna()]
            click.echo(f"\n== {name} ({len(df)} rows) ==")
            if len(df):
                click.echo(localize(df[cols].head(rows), result.labels, lang).to_string(index=False))
    click.echo("")
    for k, v in result.summary.items():
        click.echo(f"{k}: {v}")
    for n in result.notes:
        click.echo(f"note: {n}")
    click.echo(f"wrote {len(written)} file(s) to {out}")


@targets.command("list")
@click.option("--clause", default=None, help="Only targets of this clause, e.g. 附件2 or '三.（十）'.")
@lang_option
@handle_errors
def list_cmd(clause, lang):
    """List the plan's quantified targets (id, clause, value, unit, comparator)."""
    from hn_geo import targets as tg

    t = tg.load_targets()
    if clause:
        t = t[t["clause"] == clause]
    for _, r in t.iterrows():
        name = r["name"] if lang == "zh" else r["name_en"]
        base = "" if r["baseline_value"] != r["baseline_value"] else f"  (2020: {r['baseline_value']:g})"
        click.echo(f"{r['id']:32s} {r['clause']:8s} {r['comparator']:>12s} {r['value']:g} {r['unit']}"
                   f"{base}  {name}")
    tt = tg.town_targets()
    click.echo("\n附件1 town targets (basic/incentive % cut 2020-2025): " + ", ".join(
        f"{a} {b:g}/{c:g}" for a, b, c in zip(tt["town"], tt["target_basic"], tt["target_incentive"])))


@targets.command("columns")
def columns_cmd():
    """Show the accepted column names of each statistics file."""
    from hn_geo import targets as tg

    specs = {"town_energy": tg.ENERGY_COLUMNS, "reduction_projects": tg.PROJECT_COLUMNS,
             "indicators": tg.INDICATOR_COLUMNS, "reduction_allocations": tg.ALLOCATION_COLUMNS}
    for name, spec in specs.items():
        click.echo(f"{name} (.csv/.xlsx; also {', '.join(tg.STAT_FILES[name])}):")
        for canon, (dtype, req, aliases, _kw, unit) in spec.items():
            u = {"energy": " [tce; 万tce/万吨标准煤 converted]", "gdp": " [万元; 亿元 converted]",
                 "mass": " [t; 万吨/kg converted]",
                 "electricity": " [tce, or 万kWh/亿kWh/kWh converted with --kwh-factor]"}.get(unit, "")
            click.echo(f"  {canon:22s} {'required' if req else 'optional'} {dtype:5s}{u}: "
                       f"{', '.join(aliases)}")
    click.echo("A unit may be given in brackets in the header, e.g. 能源消费总量（万吨标准煤）, or in a "
               "'unit'/'单位' column.")
