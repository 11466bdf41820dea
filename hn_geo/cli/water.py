"""`hn-geo water`: classify monitoring sections (GB 3838-2002) and check the plan's targets."""
from __future__ import annotations

import warnings
from pathlib import Path

import click

from hn_geo.cli.options import handle_errors, lang_option, out_dir_option

DEFAULT_RESULTS = "water_results.csv"
_LOAD_COL = {"化学需氧量排放量": "cod_t", "氨氮排放量": "nh3n_t", "总磷排放量": "tp_t",
             "COD load": "cod_t", "NH3-N load": "nh3n_t", "TP load": "tp_t"}


@click.group()
def water():
    """Surface-water quality: classify sections per GB 3838-2002 (环办〔2011〕22号 rules)."""


def _optional_layer(name, path, what):
    """Load a layer; a missing embedded default only skips the step (with a warning)."""
    from hn_geo.core.errors import HnGeoWarning
    from hn_geo.ground.catalog import default_path, load_layer

    if path is None and not default_path(name).exists():
        warnings.warn(f"no embedded '{name}' layer ({default_path(name)}): {what} skipped",
                      HnGeoWarning, stacklevel=2)
        return None
    return load_layer(name, path)


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
@click.option("--snap-distance", type=float, default=1000.0, show_default=True,
              help="Metres from an emission point (or section) to its river reach.")
@click.option("--upstream-km", type=float, default=15.0, show_default=True,
              help="Kilometres upstream along the rivers to list emission points.")
@lang_option
@out_dir_option
@handle_errors
def classify(results, sections_path, rivers_path, points_path, year, dl_path, snap_distance,
             upstream_km, lang, out):
    """Classify the sections of RESULTS (CSV/XLSX, one row per section and date).

    Without RESULTS the embedded demo table (layers/water_results.csv, synthetic) is used.
    Writes water_*.csv, water.xlsx and water_layers.gpkg into --out.
    """
    from hn_geo.core.errors import HnGeoError
    from hn_geo.ground.catalog import layers_dir, load_layer
    from hn_geo.render.outputs import write_result
    from hn_geo.water import assess, read_results

    if results is None:
        results = layers_dir() / DEFAULT_RESULTS
        if not Path(results).exists():
            raise HnGeoError("no RESULTS file given and no embedded results table", path=results)
    samples = read_results(results, detection_limits=dl_path)
    sections = load_layer("sections", sections_path)
    rivers = _optional_layer("rivers", rivers_path, "upstream attribution")
    points = (_optional_layer("emission_points", points_path, "upstream attribution")
              if rivers is not None else None)
    res = assess(samples, sections, rivers, points, year=year, lang=lang,
                 snap_distance=snap_distance, max_upstream=upstream_km * 1000.0)
    written = write_result(res, out, lang=lang)
    click.echo(_section_table(res, lang))
    for k, v in res.summary.items():
        click.echo(f"{k}: {v}")
    up = res.tables.get("water_upstream")
    if up is not None and len(up):
        for (sid, name), g in up.groupby(["section_id", "name"], sort=False):
            top = "; ".join(f"{r.point_name} {getattr(r, _LOAD_COL[r.rank_by])} t/a ({r.along_km} km)"
                            for r in g.head(3).itertuples())
            head = "上游排放源" if lang == "zh" else "upstream dischargers"
            click.echo(f"{head} {sid} {name} [{g['rank_by'].iloc[0]}]: {top}")
    for note in res.notes:
        click.echo(f"* {note}")
    click.echo(f"{len(written)} file(s) written to {out}")


def _section_table(res, lang):
    """The sections of the reported year as a compact text table."""
    import pandas as pd

    from hn_geo.render.tables import localize

    cols = ["section_id", "name", "river", "section_type", "target_class", "n_samples",
            "water_class", "status", "plan_check", "exceed_items"]
    layer = pd.DataFrame(res.layers["sections"].drop(columns="geometry"))
    shown = localize(layer[[c for c in cols if c in layer.columns]], res.labels, lang)
    shown = shown.astype(object).where(shown.notna(), "-")
    with pd.option_context("display.max_rows", 200, "display.width", 200,
                           "display.max_colwidth", 40, "display.unicode.east_asian_width", True):
        return shown.to_string(index=False)
