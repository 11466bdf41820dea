"""Workflow of the water assessment: results table + layers -> :func:`hn_geo.water.assess`
-> CSV/XLSX/GPKG.

Called by ``hn-geo water classify`` and by the batch run alike.
"""
from __future__ import annotations

from pathlib import Path

from hn_geo.core.errors import HnGeoError
from hn_geo.ground.catalog import layers_dir
from hn_geo.ground.plan import plan_figure
from hn_geo.ground.water_results import read_results
from hn_geo.render.outputs import write_result
from hn_geo.water import assess
from hn_geo.workflows.common import Outcome, given, with_catalog_codes

RESULTS_FILE = "water_results.csv"
"""The embedded demo results table (synthetic) in the layers folder."""
PLAN_TARGETS = {"provincial_target": "provincial_sections_class3",
                "handover_target": "boundary_sections_compliance"}
"""Analysis option -> target id in the plan's targets file (三.八, both 100 %)."""


def run(inputs, out_dir, *, lang="zh", year=None, snap_distance=None, max_upstream=None,
        sea_entry=None, detection_limits=None, sheet=None, water_body=None, classify_only=None):
    """Assess the monitoring results and write the water outputs into ``out_dir``.

    Parameters
    ----------
    inputs : hn_geo.ground.inputs.Inputs
        Files ``water_results`` (default: the embedded demo table), ``detection_limits``,
        ``plan_targets``; layers ``sections``, and optionally ``rivers`` and
        ``emission_points`` (upstream attribution).
    out_dir : str or Path
    lang : {'zh', 'en'}
        Language of the outputs.
    year, snap_distance, max_upstream, sea_entry
        Options of :func:`hn_geo.water.assess` (None: its defaults); distances [m].
    detection_limits : str or Path or dict, optional
        Detection limits for ``ND`` cells (default the ``detection_limits`` input file).
    sheet : str or int, optional
        One sheet of a results workbook (default: every sheet with the first one's header).
    water_body : {'river', 'lake'}, optional
        Water body of classified-only rows without a 水体类型 value (default river).
    classify_only : bool, optional
        Use no sections layer: every row is classified only (no target, compliance or
        upstream attribution). Rows of sections not in the layer are classified only anyway.

    Returns
    -------
    hn_geo.workflows.common.Outcome
    """
    results = inputs.file("water_results", default=layers_dir() / RESULTS_FILE)
    if results is None:
        raise HnGeoError("no results table given and no embedded one", code="water.no_results")
    limits = detection_limits if detection_limits is not None else inputs.file("detection_limits")
    samples = read_results(results, detection_limits=limits, sheet=sheet)
    sections = None if classify_only else inputs.layer("sections")
    rivers = None if classify_only else inputs.layer("rivers", optional=True)
    points = inputs.layer("emission_points", optional=True) if rivers is not None else None
    targets = inputs.file("plan_targets")
    plan = {opt: plan_figure(tid, path=targets) for opt, tid in PLAN_TARGETS.items()}
    result = assess(samples, sections, rivers, points, **plan,
                    **given(year=year, snap_distance=snap_distance, max_upstream=max_upstream,
                            sea_entry=sea_entry, water_body=water_body))
    result.meta.update(results_file=Path(results).name,
                       synthetic=inputs.files.get("water_results") is None)
    return Outcome(result, write_result(with_catalog_codes(result), out_dir, lang=lang))
