"""Progress against the plan's quantified targets: energy dual control, reductions, indicators.

The targets themselves are plan data (``hn_geo/data/plan_targets.yaml``, read by
:mod:`hn_geo.ground.plan`); the statistics are read and checked by :mod:`hn_geo.ground.stats`.
The functions here are pure: frames in, codes and numbers out.

Modules
-------
:mod:`~hn_geo.targets.progress`
    The 2020-2025 period, pro-rating of targets (linear / compound), progress status codes.
:mod:`~hn_geo.targets.energy`
    :func:`energy_dual_control` -- 四.（一） 能耗双控 by town (附件1 basic/incentive targets):
    intensity cut since 2020 after the deductions the plan allows, status, exemption from the
    total check, the total-energy allowance.
:mod:`~hn_geo.targets.reductions`
    :func:`pollutant_reductions`, :func:`find_double_counted` -- 四.（二） key-project
    reductions (NOx 515 t, VOCs 2585 t, COD 1200 t, NH3-N 85 t) by pollutant, town and year.
:mod:`~hn_geo.targets.indicators`
    :func:`indicator_progress` -- every other target (二, 三, 附件2): actual vs baseline and
    target, met / on track / behind on the linear path from 2020 to 2025.
:mod:`~hn_geo.targets.figures`
    The key figures for the reporting year.
:mod:`~hn_geo.targets.report`
    :func:`targets_report` -- all of the above as one :class:`~hn_geo.core.results.AnalysisResult`.

Examples
--------
>>> from hn_geo.ground import plan, stats
>>> from hn_geo import targets
>>> t = plan.load_targets()
>>> res = targets.targets_report(stats.read_stats(targets=t), targets=t,
...                              town_targets=plan.town_targets())  # doctest: +SKIP
"""
from hn_geo.targets.energy import CITY_CODE, energy_dual_control
from hn_geo.targets.indicators import indicator_progress
from hn_geo.targets.progress import BASE_YEAR, DEADLINE, PATHS, progress_fraction, required_cut
from hn_geo.targets.reductions import POLLUTANTS, find_double_counted, pollutant_reductions
from hn_geo.targets.report import CODES, report, targets_report

__all__ = ["targets_report", "report", "energy_dual_control", "pollutant_reductions",
           "find_double_counted", "indicator_progress", "progress_fraction", "required_cut",
           "BASE_YEAR", "DEADLINE", "PATHS", "POLLUTANTS", "CITY_CODE", "CODES"]
