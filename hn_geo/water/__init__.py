"""Water-quality assessment of monitoring sections (GB 3838-2002, 环办〔2011〕22号).

The results table is read on the input side (:mod:`hn_geo.ground.water_results`:
``read_results`` / ``prepare_results``, detection-limit notations, dates); this package is
the pure analysis, in codes and numbers:

==============================  ==========================================================
:mod:`~hn_geo.water.assess`     :func:`assess`: the whole assessment -> ``AnalysisResult``
:mod:`~hn_geo.water.classify`   item and section classes with the detection-limit rule,
                                means per period (``classify_values``, ``classify_samples``,
                                ``aggregate``)
:mod:`~hn_geo.water.describe`   class-setting items, exceeded items with multiples, main
                                pollutants (tuples of item codes)
:mod:`~hn_geo.water.sections`   section targets, lake flags, matching result rows, status
:mod:`~hn_geo.water.periods`    per-sample, annual and monthly tables; the plan check
:mod:`~hn_geo.water.compliance` the plan's two section indicators; river ratings
:mod:`~hn_geo.water.trend`      TN/TP of the sea-entry rivers, year on year
:mod:`~hn_geo.water.upstream`   emission points upstream of failing sections, by load
:mod:`~hn_geo.water.rivers`     the directed river network (snapping, upstream tracing)
==============================  ==========================================================

Class rule (22号): the section class is the worst class of the 21 items (water
temperature, total nitrogen and fecal coliform excluded); total nitrogen is reported
separately and classified only for lakes/reservoirs. The GB 3838 table itself is
:mod:`hn_geo.reference.gb3838`.
"""
from hn_geo.water.assess import CODES, assess
from hn_geo.water.classify import (
    aggregate,
    classify_samples,
    classify_values,
    item_codes,
    low_values,
    round_sig,
)
from hn_geo.water.compliance import INDICATORS, compliance, river_rating
from hn_geo.water.describe import describe, item_of
from hn_geo.water.periods import MAIN_ITEMS, period_table, plan_check, sample_table
from hn_geo.water.sections import match_sections, prepare_sections
from hn_geo.water.trend import SEA_ENTRY_RIVERS, sea_entry_rivers, sea_entry_trend
from hn_geo.water.upstream import attribute_upstream

__all__ = ["CODES", "INDICATORS", "MAIN_ITEMS", "SEA_ENTRY_RIVERS", "aggregate", "assess",
           "attribute_upstream", "classify_samples", "classify_values", "compliance", "describe",
           "item_codes", "item_of", "low_values", "match_sections", "period_table", "plan_check",
           "prepare_sections", "river_rating", "round_sig", "sample_table", "sea_entry_rivers",
           "sea_entry_trend"]
