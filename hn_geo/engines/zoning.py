"""The zoning check partition by partition (dask): the same results as
:func:`hn_geo.zoning.check` for project sets that do not fit in memory.

* **Broadcast** (once, :func:`hn_geo.zoning.check.prepare`): the control units in EPSG:4490,
  the rules skipped for unknown unit codes, the applicability matrix, the existing loads per
  unit from the emission points and the buffered red-line / water-source zones of the
  distance rules, the parks of the park-only rules.
* **Per partition** (:func:`hn_geo.zoning.check.check_part`): attributes, the (project, unit)
  pairs, rule evaluation and status of its projects; the partition writes its part of the
  ``projects`` and ``violations`` layers (``OUT/zoning_projects/``,
  ``OUT/zoning_violations/``) and returns counts per unit, per town and per status, the
  emission-cap sums and its findings (one row per project and broken rule).
* **Combined**: the unit, town and utilisation tables from the added-up counts and sums, the
  findings sorted as the in-memory check sorts them (severity, rule, input row), the figures
  and notes. The findings tables are collected on the client: they hold one row per finding,
  not per project.
"""
from __future__ import annotations

from pathlib import Path

import dask
import numpy as np
import pandas as pd

from hn_geo.core.results import AnalysisResult, Word
from hn_geo.engines import cluster
from hn_geo.engines.parts import Dataset
from hn_geo.zoning import tables as tb
from hn_geo.zoning.check import CODES, check_part, key_figures, notes, prepare
from hn_geo.zoning.evaluate import STATUS

OUTPUTS = {"projects": "zoning_projects", "violations": "zoning_violations"}
"""Result layer -> folder of its dataset in the output folder."""
UNIT_COUNTS = ("n_projects", *tb.COUNT_COLUMNS, "n_violations")
TOWN_COUNTS = ("n_projects", *tb.COUNT_COLUMNS, "n_violations", "n_notices")


def _findings(at, f, R, unit_codes, rows):
    """The violations and notices of a partition with their global sort keys."""
    found = tb.finding_tables(at, f, R, unit_codes)
    sort = np.lexsort((f.g_rule, f.g_sev))  # the order of finding_tables
    viol = f.is_violation[sort]
    for name, sel in (("violations", sort[viol]), ("notices", sort[~viol])):
        found[name] = found[name].assign(_sev=f.g_sev[sel], _rule=f.g_rule[sel], _row=rows[f.g_proj[sel]])
    return found


def _zoning_part(gdf, prep, k, outputs):
    """Check partition ``k``: its layers written, its counts, sums and findings returned."""
    units, R = prep.units, prep.rules.rules
    with cluster.recorded() as warns:
        part = check_part(gdf, prep)
    at, pp, pu, f, st = part.attrs, part.pp, part.pu, part.f, part.status_idx
    ptab = tb.project_table(at, units, pp, pu, f, st, R)
    layers = tb.project_layers(gdf, part.geoms, ptab, st)
    files = [outputs[name].write(layers[name], k) for name in OUTPUTS]
    town = tb.town_table(units, pp, pu, f, st, part.outside)
    return {"units": tb.unit_table(units, pp, pu, f, st, prep.ex_loads, prep.ex_counts),
            "towns": town.iloc[:len(town) - int(part.outside.any())],
            "outside": int(part.outside.sum()),
            "caps": tb.cap_sums(prep.rules, prep.A, units, pp, pu, at, f, prep.skipped),
            "status": np.bincount(st, minlength=len(STATUS)),
            "n_violations": int(f.is_violation.sum()), "n_notices": int((~f.is_violation).sum()),
            "findings": _findings(at, f, R, units["unit_code"].astype(str).to_numpy(),
                                  gdf.index.to_numpy(dtype=np.int64)),
            "synthetic": "approximate" in gdf.columns and bool(gdf["approximate"].fillna(False).astype(bool).any()),
            "warnings": warns, "files": [p for p in files if p is not None]}


def _added(parts, key, columns):
    out = parts[0][key].copy()
    for c in columns:
        out[c] = np.sum([p[key][c].to_numpy() for p in parts], axis=0)
    return out


def _towns(parts):
    table = _added(parts, "towns", TOWN_COUNTS)
    outside = sum(p["outside"] for p in parts)
    if outside:
        row = {c: 0 for c in table.columns}
        row.update(town=Word("zoning.location", "outside"), n_projects=outside)
        table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    return table


def _caps(parts):
    out = {}
    for j in parts[0]["caps"]:
        out[j] = (np.sum([p["caps"][j][0] for p in parts], axis=0), np.sum([p["caps"][j][1] for p in parts], axis=0))
    return out


def _sorted(parts, name):
    table = pd.concat([p["findings"][name] for p in parts], ignore_index=True)
    order = np.lexsort((table["_row"].to_numpy(), table["_rule"].to_numpy(), table["_sev"].to_numpy()))
    return table.iloc[order].drop(columns=["_sev", "_rule", "_row"]).reset_index(drop=True)


def check(source, units, *, rules, points=None, red_line=None, water_source=None, parks=None, out_dir,
          lang="zh", client=None, progress=True):
    """The zoning check of a partitioned projects dataset.

    Parameters
    ----------
    source : dask_geopandas.GeoDataFrame
        Validated projects, indexed by the global row number
        (:func:`hn_geo.ground.datasets.open_dataset`).
    units, rules, points, red_line, water_source, parks
        As for :func:`hn_geo.zoning.check` (small: broadcast to every partition).
    out_dir : Path
        Where ``zoning_projects/`` and ``zoning_violations/`` are written.

    Returns
    -------
    (AnalysisResult, list of Path)
        Tables ``violations``, ``notices``, ``units``, ``towns``, ``utilisation`` as the
        in-memory check gives them (the per-project table is the ``zoning_projects``
        dataset), layer ``control_units``, figures and notes; and the datasets' part files.
    """
    prep = prepare(source._meta, units, rules=rules, points=points, red_line=red_line, water_source=water_source,
                   parks=parks)
    out_dir = Path(out_dir)
    outputs = {name: Dataset.create(out_dir / folder, lang=lang, scope="zoning", layer=name, codes=CODES)
               for name, folder in OUTPUTS.items()}
    try:
        parts = cluster.compute(*[dask.delayed(_zoning_part)(p, prep, k, outputs)
                                  for k, p in enumerate(source.to_delayed())], client=client, progress=progress)
        files = [f for ds in outputs.values() for f in ds.commit()]
    except BaseException:
        for ds in outputs.values():
            ds.discard()
        raise
    cluster.merge_warnings([w for p in parts for w in p["warnings"]])
    return _result(parts, prep, points, units), files


def _result(parts, prep, points, units_in):
    units = prep.units
    unit_table = _added(parts, "units", UNIT_COUNTS)
    utilisation, max_util = tb.utilisation_table(prep.rules, prep.A, units, prep.ex_loads, _caps(parts))
    unit_table["max_utilisation_pct"] = max_util
    tables = {"violations": _sorted(parts, "violations"), "notices": _sorted(parts, "notices"),
              "units": unit_table, "towns": _towns(parts), "utilisation": utilisation}
    counts = np.sum([p["status"] for p in parts], axis=0)
    synthetic = any(p["synthetic"] for p in parts) or (
        "approximate" in units_in.columns and bool(units_in["approximate"].fillna(False).astype(bool).any()))
    return AnalysisResult(
        name="zoning", tables=tables, layers={"control_units": tb.unit_layer(units, unit_table)},
        codes=dict(CODES),
        figures=key_figures(counts, sum(p["n_violations"] for p in parts), sum(p["n_notices"] for p in parts),
                            len(units), len(prep.rules.rules)),
        notes=notes(prep.rules, points is None),
        meta={"synthetic": synthetic, "engine": "dask", "partitions": len(parts)})
