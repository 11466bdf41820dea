"""The targets workflow: statistics and plan targets in -> progress report -> tables, workbook, layer.

Called by ``hn-geo targets report`` and by the batch run (step ``targets``).
"""
from __future__ import annotations

import warnings

from hn_geo.core.errors import HnGeoWarning
from hn_geo.ground import plan
from hn_geo.ground.stats import demo_stats_dir, read_stats
from hn_geo.render.outputs import write_result
from hn_geo.targets import targets_report
from hn_geo.workflows.common import Outcome, given, with_catalog_codes


def load(inputs, *, kwh_factor=None):
    """The analysis' inputs: ``(stats, targets, town_targets, towns)``.

    Statistics from ``inputs.file('town_stats')`` (the embedded synthetic demo statistics
    otherwise), the plan's targets from ``inputs.file('plan_targets')`` (the embedded
    ``plan_targets.yaml`` otherwise), the towns layer (the user's or the embedded one; None,
    with a warning, when there is neither).
    """
    plan_file = inputs.file("plan_targets")
    targets = plan.load_targets(plan_file)
    town_targets = plan.town_targets(plan_file)
    stats = read_stats(inputs.file("town_stats", demo_stats_dir()), targets=targets,
                       **given(kwh_factor=kwh_factor))
    towns = inputs.layer("towns", optional=True)
    if towns is None:
        warnings.warn(HnGeoWarning("targets.no_towns_layer"), stacklevel=2)
    return stats, targets, town_targets, towns


def run(inputs, out_dir, *, lang="zh", year=None, path=None, kwh_factor=None):
    """Progress against the plan's targets, written into ``out_dir``.

    Parameters
    ----------
    inputs : hn_geo.ground.inputs.Inputs
        Files ``town_stats`` (folder or workbook) and ``plan_targets`` (YAML); layer ``towns``.
    out_dir : str or Path
    lang : {'zh', 'en'}
        Language of the files written.
    year : int, optional
        Reporting year (default: the latest year of the statistics, at most 2025).
    path : {'linear', 'compound'}, optional
        How 2025 targets are pro-rated to the year (default: the analysis', linear).
    kwh_factor : float, optional
        tce per 万kWh for renewable electricity given in kWh (default: the reader's, 3.055).

    Returns
    -------
    Outcome
        The :class:`~hn_geo.core.results.AnalysisResult` and the files written.
    """
    stats, targets, town_targets, towns = load(inputs, kwh_factor=kwh_factor)
    result = targets_report(stats, targets=targets, town_targets=town_targets, towns=towns,
                            **given(year=year, path=path))
    files = write_result(with_catalog_codes(result), out_dir, lang=lang)
    return Outcome(result, files)
