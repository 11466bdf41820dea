"""`hn-geo water`: classify monitoring sections (GB 3838-2002) and check the plan's targets."""
from __future__ import annotations

import inspect

import click
import pandas as pd

from hn_geo import vocabulary
from hn_geo.cli.options import NON_NEGATIVE, aoi_option, handle_errors, lang_option, out_dir_option
from hn_geo.core import settings
from hn_geo.core.results import Word
from hn_geo.ground.inputs import Inputs, LayerSource
from hn_geo.render import console
from hn_geo.water import assess
from hn_geo.workflows import water as workflow
from hn_geo.workflows.common import given

SECTION_COLUMNS = ["section_id", "name", "river", "section_type", "target_class", "n_samples",
                   "water_class", "status", "plan_check", "exceed_items"]
"""Columns of the console table of the sections (the reported year)."""
TOP_POINTS = 3
"""Dischargers listed per failing section on the console."""

_DEFAULTS = {k: p.default for k, p in inspect.signature(assess).parameters.items()}


@click.group()
def water():
    """Surface-water quality: classify sections per GB 3838-2002 (环办〔2011〕22号 rules)."""


@water.command("classify")
@click.argument("results", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--sections", "sections_path", type=click.Path(exists=True, dir_okay=False),
              help="Sections layer (default: embedded layers/sections.gpkg).")
@click.option("--rivers", "rivers_path", type=click.Path(exists=True, dir_okay=False),
              help="River reaches for upstream attribution (default: embedded).")
@click.option("--points", "points_path", type=click.Path(exists=True, dir_okay=False),
              help="Emission points for upstream attribution (default: embedded).")
@click.option("--year", type=int, default=None, help="Year to report on the map layer (default: latest).")
@click.option("--detection-limits", "dl_path", type=click.Path(exists=True, dir_okay=False),
              help="CSV/XLSX of item, detection limit: used for cells that say only ND/未检出.")
@click.option("--sheet", default=None, metavar="SHEET",
              help="One sheet of a RESULTS workbook (default: every sheet with the first one's header).")
@click.option("--water-body", type=click.Choice(["river", "lake"]), default=None,
              help="Water body of the result rows whose section is not in the sections layer and "
                   "that have no 水体类型 column value (default: river).")
@click.option("--classify-only", is_flag=True, default=False,
              help="Use no sections layer: classify every result row (no targets, compliance or "
                   "upstream attribution).")
@click.option("--snap-distance", type=NON_NEGATIVE, default=None,
              help="Metres from an emission point (or section) to its river reach "
                   f"(default: {_DEFAULTS['snap_distance']:g} m, that of hn_geo.water.assess).")
@click.option("--upstream-km", type=NON_NEGATIVE, default=None,
              help="Kilometres upstream along the rivers to list emission points "
                   f"(default: {_DEFAULTS['max_upstream'] / 1000:g} km, that of hn_geo.water.assess).")
@aoi_option
@lang_option
@out_dir_option
@handle_errors
def classify(results, sections_path, rivers_path, points_path, year, dl_path, sheet, water_body,
             classify_only, snap_distance, upstream_km, aoi, lang, out):
    """Classify the sections of RESULTS (CSV/XLSX, one row per section and date).

    Without RESULTS the embedded demo table (layers/water_results.csv, synthetic) is used.
    Rows of sections that are not in the sections layer (a lab's own table) are classified
    only: classes and means, without target, compliance or upstream attribution; their
    water body comes from a 水体类型 column or --water-body. Writes water_*.csv,
    water.xlsx and water_layers.gpkg into --out.
    """
    settings.lang = lang
    layers = {name: LayerSource(path) for name, path in (("sections", sections_path),
                                                         ("rivers", rivers_path),
                                                         ("emission_points", points_path)) if path}
    inputs = Inputs(layers=layers, files=given(water_results=results, detection_limits=dl_path), aoi=aoi)
    outcome = workflow.run(inputs, out, lang=lang, year=year, snap_distance=snap_distance,
                           max_upstream=None if upstream_km is None else upstream_km * 1000.0,
                           sheet=sheet, water_body=water_body, classify_only=classify_only or None)
    res = outcome.result
    for line in console.figure_lines(res, lang):
        click.echo(line)
    click.echo(console.table_text(section_rows(res), lang, scope=res.name, codes=res.codes,
                                  columns=SECTION_COLUMNS))
    for line in upstream_lines(res.tables["water_upstream"], lang):
        click.echo(line)
    for line in console.note_lines(res, lang):
        click.echo(line)
    click.echo(console.files_line(outcome.files, lang))


def section_rows(res):
    """The console table of the sections: the layer's (with the reported year's results),
    then those classified only (results of sections not in the layer)."""
    annual = res.tables["water_sections"]
    this = annual[annual["year"] == res.meta["year"]]
    if "sections" not in res.layers:
        return this
    layer = pd.DataFrame(res.layers["sections"].drop(columns="geometry"))
    only = this[~this["section_id"].isin(set(layer["section_id"]))]
    return pd.concat([layer, only], ignore_index=True) if len(only) else layer


def upstream_lines(upstream, lang):
    """One console line per failing section: its top dischargers, load and distance."""
    lines = []
    if upstream is None or not len(upstream):
        return lines
    for (sid, name), g in upstream.groupby(["section_id", "name"], sort=False):
        load = g["rank_by"].iloc[0]
        points = [vocabulary.ui("upstream_point", lang, "water", name=r.point_name,
                                load=float(getattr(r, load)), km=float(r.along_km))
                  for r in g.head(TOP_POINTS).itertuples()]
        lines.append(vocabulary.ui("upstream_line", lang, "water", section_id=sid, name=name,
                                   rank_by=Word("water.load", load), points=points))
    return lines
