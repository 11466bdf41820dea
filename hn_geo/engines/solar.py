"""Rooftop PV potential partition by partition (dask): the same results as
:func:`hn_geo.solar.rooftop_potential` for inputs that do not fit in memory.

1. **Broadcast** (once): the specific yield of every orientation class the roof parameters
   can produce (racks at ``rack_tilt_deg`` facing ``rack_azimuth_deg``; flush planes at
   ``pitch_deg`` in every azimuth bin that is not north-facing), by
   :func:`hn_geo.solar.physics.orientation_yields` -- a few dozen pvlib runs, whatever N.
2. **Per partition**: roof planes (:func:`hn_geo.solar.roofs.roof_planes`), the classes looked
   up in the broadcast table (a class it lacks is computed by the same function in the worker,
   so the numbers are the same) and the per-building figures of the in-memory analysis; the
   partition writes its per-building rows to a scratch part and returns small sums (per town,
   per type, per yield bin, per class), counts, notes and warnings.
3. **Supply curve**: the buildings with PV, sorted by (specific yield descending, row number)
   with dask's out-of-core sort -- the in-memory order (stable by input row) -- are ranked and
   their capacity accumulated in one pass along the sorted partitions (a sequential running
   sum seeded with the previous partition's end, so ``cum_mw`` is the in-memory cumulative
   sum bit for bit). The same pass finds where the target is crossed and the best houses of
   the household programme.
4. **Output**: the ranks go back to their building partitions (dask ``set_index`` on the
   partition number), each partition is rounded like the in-memory layer, presented and
   written as a part of ``OUT/solar_buildings/``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import dask
import dask.dataframe as dd
import geopandas as gpd
import numpy as np
import pandas as pd
import pvlib

from hn_geo.core.results import AnalysisResult, Msg, Word, notes_table
from hn_geo.engines import cluster, ranking
from hn_geo.engines.parts import Dataset, Scratch
from hn_geo.solar import physics
from hn_geo.solar import potential as pot
from hn_geo.solar.aggregate import SUM_COLUMNS, group_sums, supply_finish, supply_sums, totals_table
from hn_geo.solar.physics import MOUNTS, PVSystemConfig
from hn_geo.solar.roofs import RoofParams, roof_planes
from hn_geo.solar.targets import figures, low_rise_houses, targets_table

OUTPUT = "solar_buildings"
"""Folder of the per-building dataset in the output folder."""


def candidate_classes(params):
    """Every orientation class (mount, tilt, azimuth bin) the roof parameters give without a DSM."""
    step = params.azimuth_bin_deg
    lo, hi = params.north_exclusion
    bins = np.unique(np.round(np.arange(0, 360, step) / step) * step % 360).astype(np.int64)
    bins = bins[(bins >= np.floor(lo / step) * step) & (bins <= np.ceil(hi / step) * step)]
    rack_az = int(np.round(params.rack_azimuth_deg / step) * step % 360)
    rows = [("rack", int(np.round(params.rack_tilt_deg)), rack_az)]
    rows += [("flush", int(np.round(params.pitch_deg)), int(a)) for a in bins]
    return pd.DataFrame(rows, columns=["mount", "tilt", "azimuth"]).astype({"tilt": np.int64, "azimuth": np.int64})


@dataclass
class _Context:
    """What every partition task receives (broadcast once)."""

    weather: object
    params: RoofParams
    system: PVSystemConfig
    yields: pd.DataFrame
    scratch: Path
    keys_dir: Path = field(init=False)

    def __post_init__(self):
        self.keys_dir = self.scratch / "keys"


def _lookup(classes, ctx):
    """Yields of a partition's classes from the broadcast table (missing ones computed here)."""
    got = classes.merge(ctx.yields, on=["mount", "tilt", "azimuth"], how="left")
    missing = got["kwh_per_kwp"].isna().to_numpy()
    if missing.any():
        extra = physics.orientation_yields(ctx.weather, classes[missing], ctx.system)
        got.loc[missing, ["kwh_per_kwp", "poa_kwh_m2"]] = extra[["kwh_per_kwp", "poa_kwh_m2"]].to_numpy()
    return got[["mount", "tilt", "azimuth", "kwh_per_kwp", "poa_kwh_m2"]]


def _solar_part(gdf, ctx, k):
    """Pass 1 on partition ``k``: per-building figures to scratch, small sums returned."""
    with cluster.recorded() as warns:
        roofs = roof_planes(gdf, ctx.params)
        classes, inverse, used = pot._classes(roofs.planes, ctx.params)
        yields = _lookup(classes, ctx)
        b, _, _ = pot._per_building(roofs, yields, inverse, used, ctx.params, roofs.tiny)
    kwp, kwh, spec = (b[c].to_numpy(dtype=float) for c in ("kwp", "kwh_year", "kwh_per_kwp"))
    houses = low_rise_houses(gdf, b["roof_type_used"], kwp)
    rows = gdf.index.to_numpy(dtype=np.int64)
    stage = gpd.GeoDataFrame(b[pot.LAYER_COLUMNS].assign(_row=rows), geometry=gdf.geometry.values, crs=gdf.crs)
    if "approximate" in gdf.columns:
        stage["approximate"] = gdf["approximate"].to_numpy()
    stage.to_parquet(ctx.scratch / f"stage.{k:05d}.parquet")
    pv = kwp > 0
    keys = pd.DataFrame({"neg_spec": -spec[pv], "_row": rows[pv], "kwp": kwp[pv], "kwh": kwh[pv],
                         "house": houses[pv], "_part": np.full(int(pv.sum()), k, dtype=np.int64)})
    keys.to_parquet(ctx.keys_dir / f"part.{k:05d}.parquet", index=False)
    return {"towns": group_sums(b, "town"), "types": group_sums(b, "building_type"),
            "supply": supply_sums(spec[pv], kwp[pv], kwh[pv]),
            "classes": yields.copy(),  # with class_kwp, set by the per-building step
            "kwp": float(kwp.sum()), "kwh": float(kwh.sum()), "n": len(b), "n_pv": int(pv.sum()),
            "n_houses": int(houses.sum()), "notes": roofs.notes, "warnings": warns,
            "synthetic": pot._synthetic(gdf), "rows": len(gdf)}


def _class_table(parts):
    """The orientation classes of every partition, class capacity added up, in the in-memory order."""
    allc = pd.concat([p["classes"] for p in parts], ignore_index=True)
    g = allc.groupby(["mount", "tilt", "azimuth"], sort=False)
    out = g.agg(kwh_per_kwp=("kwh_per_kwp", "first"), poa_kwh_m2=("poa_kwh_m2", "first"),
                class_kwp=("class_kwp", "sum")).reset_index()
    key = (pd.Series(out["mount"]).map({m: i for i, m in enumerate(MOUNTS)}).to_numpy(np.int64) * 1000
           + out["tilt"].to_numpy(np.int64)) * 1000 + out["azimuth"].to_numpy(np.int64)
    out = out.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)
    out = out.rename(columns={"mount": "class_mount", "tilt": "class_tilt", "azimuth": "class_azimuth"})
    return out.round({"kwh_per_kwp": 1, "poa_kwh_m2": 1, "class_kwp": 1})


def _finish_part(stage_path, ranks, ds, k):
    """Pass 3 on partition ``k``: global ranks in, rounded like the in-memory layer, written."""
    b = gpd.read_parquet(stage_path)
    r = ranks.set_index("_row") if len(ranks) else None
    rank = np.zeros(len(b), dtype=np.int64)
    cum = np.full(len(b), np.nan)
    if r is not None:
        pos = pd.Index(b["_row"].to_numpy()).get_indexer(r.index.to_numpy())
        rank[pos] = r["supply_rank"].to_numpy()
        cum[pos] = r["cum_mw"].to_numpy()
    b["supply_rank"], b["cum_mw"] = rank, cum
    layer = pot._layer(b.drop(columns=["_row"]), b, keep_geometry=True)
    return ds.write(layer, k)


def rooftop_potential(source, weather, *, target_mw, homes_target, installed_mw=0.0, roof_params=None,
                      system=None, out_dir, lang="zh", client=None, progress=True):
    """Rooftop PV potential of a partitioned buildings dataset.

    Parameters
    ----------
    source : dask_geopandas.GeoDataFrame
        The validated buildings, one partition per part, indexed by the global row number
        (:func:`hn_geo.ground.datasets.open_dataset`).
    weather, target_mw, homes_target, installed_mw, roof_params, system
        As for :func:`hn_geo.solar.rooftop_potential`.
    out_dir : Path
        Where ``solar_buildings/`` (the per-building dataset) is written.
    lang : {'zh', 'en'}
        Language of the dataset's values.
    client : distributed.Client, optional
        The scheduler's client (:func:`hn_geo.engines.cluster.scheduler`).

    Returns
    -------
    (AnalysisResult, list of Path)
        The result with the same tables and figures as the in-memory analysis and no layer
        (the per-building layer is the dataset; ``meta['supply_points']`` holds points of the
        supply curve for the chart), and the dataset's part files.
    """
    pot._check_targets(installed_mw, target_mw, homes_target)
    params = roof_params or RoofParams()
    system = system or PVSystemConfig()
    yields = physics.orientation_yields(weather, candidate_classes(params), system)
    out_dir = Path(out_dir)
    ds = Dataset.create(out_dir / OUTPUT, lang=lang, scope="solar", layer="buildings", codes=pot.CODES)
    try:
        with Scratch(out_dir) as scratch:
            ctx = _Context(weather, params, system, yields, scratch)
            ctx.keys_dir.mkdir()
            parts = source.to_delayed()
            stats = cluster.compute(*[dask.delayed(_solar_part)(p, ctx, k) for k, p in enumerate(parts)],
                                    client=client, progress=progress)
            cluster.merge_warnings([w for s in stats for w in s["warnings"]])
            n_houses = sum(s["n_houses"] for s in stats)
            need_mw = max(float(target_mw) - float(installed_mw), 0.0)
            n_homes = int(min(float(homes_target), n_houses))
            keys = dd.read_parquet(str(ctx.keys_dir)) if sum(s["n_pv"] for s in stats) else None
            walk = ranking.rank(keys, scratch / "ranks", need_mw=need_mw, n_homes=n_homes, client=client,
                                progress=progress)
            ranked = walk.by_part(len(parts))
            curve = walk.curve()
            cluster.compute(*[dask.delayed(_finish_part)(scratch / f"stage.{k:05d}.parquet", r, ds, k)
                              for k, r in enumerate(ranked)], client=client, progress=progress)
        files = ds.commit()
    except BaseException:
        ds.discard()
        raise
    result = _result(stats, walk, weather, params, system, target_mw, installed_mw, homes_target, n_homes)
    result.meta["supply_points"] = curve
    return result, files


def _result(stats, walk, weather, params, system, target_mw, installed_mw, homes_target, n_homes):
    add = lambda key: pd.concat([s[key] for s in stats]).groupby(level=0, dropna=False, sort=True).sum()  # noqa: E731
    towns, types = add("towns"), add("types")
    total_kwp, total_kwh = sum(s["kwp"] for s in stats), sum(s["kwh"] for s in stats)
    n_houses = sum(s["n_houses"] for s in stats)
    pc = walk.plan_check(target_mw=float(target_mw), installed_mw=float(installed_mw),
                         homes_target=float(homes_target), total_kwp=total_kwp, total_kwh=total_kwh,
                         n_houses=n_houses, n_homes=n_homes)
    classes = _class_table(stats)
    n = sum(s["n"] for s in stats)
    synthetic = all(s["synthetic"] for s in stats)
    notes = _notes(stats, weather, system, params, len(classes), n, synthetic, target_mw, installed_mw)
    mean = round(float(total_kwh / total_kwp), 1) if total_kwp > 0 else None
    return AnalysisResult(
        name="solar",
        tables={"solar_towns": totals_table(towns[list(SUM_COLUMNS)], "town", target_mw),
                "solar_types": totals_table(types[list(SUM_COLUMNS)], "building_type", target_mw),
                "solar_supply_curve": supply_finish(add("supply")), "solar_targets": targets_table(pc),
                "solar_classes": classes, "solar_notes": notes_table(notes)},
        layers={}, codes=dict(pot.CODES),
        figures=figures(pc, n, sum(s["n_pv"] for s in stats), mean), notes=notes,
        meta={"synthetic": synthetic, "engine": "dask", "partitions": len(stats)})


def _notes(stats, weather, system, params, n_classes, n, synthetic, target_mw, installed_mw):
    """The in-memory analysis' notes, the per-partition roof notes added up."""
    notes = [Msg("solar.note_synthetic")] if synthetic else []
    notes += list(weather.notes) + cluster.merge_msgs([s["notes"] for s in stats]) + [
        Msg("solar.note_weather", source=weather.source),
        Msg("solar.note_physics", pvlib=pvlib.__version__,
            transposition=Word("solar.transposition", system.transposition), gamma=system.gamma_pdc * 100,
            losses=system.loss_fraction() * 100, inverter=system.eta_inv_nom * 100,
            dc_ac=system.dc_ac_ratio),
        Msg("solar.note_classes", classes=n_classes, bin=params.azimuth_bin_deg, buildings=n),
        Msg("solar.note_installed_none" if installed_mw == 0 else "solar.note_installed",
            target=target_mw, installed=installed_mw),
    ]
    return notes
