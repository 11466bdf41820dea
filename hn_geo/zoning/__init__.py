"""三线一单 environmental control units and access-list compliance checks.

For existing enterprises or proposed projects, answer: which control units (环境管控单元)
does each lie in, which access-list (生态环境准入清单) clauses apply there, and which does
it break. The analysis is pure: frames and a parsed access list in, an
:class:`~hn_geo.core.results.AnalysisResult` in codes out (reading the rules file and the
layers is the input side's: :mod:`hn_geo.ground.rules`, :mod:`hn_geo.ground.projects`,
:mod:`hn_geo.workflows.zoning`).

The spatial part is **one** bounding-box STRtree query of all project footprints against
the control units (plus, for distance rules, the zones buffered by the rule distance),
followed by the exact predicate per unit with the unit polygon prepared; every rule is
then evaluated as numpy operations over the (project, unit) pairs. Checking a million
points, rules, tables and layers included, takes about half the time of a bare
:func:`geopandas.sjoin` of the same data (``benchmarks/zoning.py``).

Conventions
-----------
* A project whose footprint intersects several units is checked against the rules of all
  of them; a rule reached through two units gives one finding naming both units.
* Distance rules: the shortest distance (EPSG:4549 metres) between the footprint and the
  nearest zone; exactly at the minimum distance passes, closer by more than
  :data:`DISTANCE_TOLERANCE_M` (1 mm) fails.
* Emission caps: the unit's existing load is the sum over the ``emission_points`` inside
  it; a new or expansion project fails when existing load + its own load exceeds the cap
  (equal passes). A project crossing several units is charged its full load in each.
* Energy intensity = ``energy_tce / value_added_wan`` [tce/万元]; the green channel (plan
  四.四, 0.52 tce/万元) is a notice strictly below its threshold, never a violation.
* Park-only rules: a project outside the parks the rule allows fails.
* Project ``status`` (status codes): ``fail`` (an ``error`` rule broken), ``warn`` (only
  ``warning`` rules broken), ``review`` (a rule could not be evaluated), ``pass``;
  ``no_data`` for a project in no control unit (not checked; ``outside`` is true).
* Finding ``severity`` (family ``severity``): ``violation`` / ``warning`` / ``notice``;
  its ``verdict`` (a status column) is ``fail`` / ``warn`` / ``pass``. Unit-cap ``cap_status``:
  ``not_met`` over the cap, ``met`` within.

Modules
-------
:mod:`~hn_geo.zoning.rules`       the access-list model and its parser (``parse``), GB/T 4754 codes
:mod:`~hn_geo.zoning.check`       :func:`check`: the analysis, its figures and notes
:mod:`~hn_geo.zoning.spatial`     the spatial join, distances, :func:`locate`, existing loads
:mod:`~hn_geo.zoning.attributes`  input checks and the project attributes as arrays
:mod:`~hn_geo.zoning.evaluate`    the rule kinds over (project, unit) pairs, findings, status
:mod:`~hn_geo.zoning.tables`      the result tables and layers
:mod:`~hn_geo.zoning.arrays`      small array helpers (coded and listed cells, counted warnings)

The site finder (选址) runs the same evaluation on the faces of the city instead of on
project footprints: where may a project of a given profile go?

:mod:`~hn_geo.zoning.sites`       :func:`sites`, :func:`sites_batch`: verdict polygons tiling the city
:mod:`~hn_geo.zoning.partition`   :func:`partition`: the faces on which every profile has one verdict
:mod:`~hn_geo.zoning.buffers`     the distance rules' polygons, edges on the check's line (±0.25 mm)
:mod:`~hn_geo.zoning.profiles`    a project profile (a project without a place), checked
:mod:`~hn_geo.zoning.site_tables` the site tables and layers (area by town/park, clauses, parcels)
"""
from __future__ import annotations

from hn_geo.zoning import rules
from hn_geo.zoning.check import CODES, check
from hn_geo.zoning.evaluate import DISTANCE_TOLERANCE_M, STATUS
from hn_geo.zoning.partition import Partition, partition
from hn_geo.zoning.rules import RULE_KINDS, AccessList, Rule, parse, parse_industry_codes
from hn_geo.zoning.sites import sites, sites_batch
from hn_geo.zoning.spatial import existing_loads, locate

__all__ = ["check", "locate", "existing_loads", "rules", "parse", "parse_industry_codes",
           "AccessList", "Rule", "RULE_KINDS", "CODES", "STATUS", "DISTANCE_TOLERANCE_M",
           "sites", "sites_batch", "partition", "Partition"]
