"""The supply curve over partitions: a global rank by specific yield, out of core.

The in-memory analysis ranks the buildings with PV by specific yield, best first, ties in
input order (a stable sort), and accumulates their capacity. Here the (yield, row) keys of
every partition are sorted by dask (range-partitioned, spilling to disk), then walked once
in sorted order: each step gets the running totals of the steps before it (count, capacity
sum, energy, houses) and continues them, so ranks are global and ``cum_mw`` is the same
sequential running sum as ``numpy.cumsum`` over all buildings. The walk also finds where the
capacity still needed is crossed and sums the best houses of the household programme
(:class:`hn_geo.solar.targets.PlanCheck`). Ranks are written to scratch parts and sent back
to the building partitions they came from.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from hn_geo.engines import cluster
from hn_geo.solar.targets import PlanCheck


@dataclass(frozen=True)
class State:
    """Running totals after a step of the walk."""

    count: int = 0
    cum_kwp: float = 0.0
    kwh: float = 0.0
    houses: int = 0
    homes_kwp: float = 0.0
    homes_kwh: float = 0.0
    crossing: int | None = None
    last_yield: float | None = None
    crossing_kwh: float | None = None


def _step(chunk, state, j, out, need_mw, n_homes):
    if len(chunk) == 0:
        return state
    kwp, kwh = chunk["kwp"].to_numpy(float), chunk["kwh"].to_numpy(float)
    cum = np.cumsum(np.concatenate([[state.cum_kwp], kwp]))[1:]  # the global running sum, continued
    cum_mw = cum / 1000.0
    rank = state.count + np.arange(1, len(chunk) + 1)
    pd.DataFrame({"_row": chunk["_row"].to_numpy(), "_part": chunk["_part"].to_numpy(), "supply_rank": rank,
                  "cum_mw": cum_mw, "kwh_per_kwp": -chunk["neg_spec"].to_numpy()}).to_parquet(Path(out) / f"part.{j:05d}.parquet", index=False)
    new = {}
    if state.crossing is None and cum_mw[-1] >= need_mw:
        i = int(np.searchsorted(cum_mw, need_mw))
        new.update(crossing=state.count + i + 1, last_yield=float(-chunk["neg_spec"].iloc[i]),
                   crossing_kwh=state.kwh + float(kwh[:i + 1].sum()))
    hidx = np.flatnonzero(chunk["house"].to_numpy(bool))
    take = hidx[:max(n_homes - state.houses, 0)]
    return replace(state, count=state.count + len(chunk), cum_kwp=float(cum[-1]), kwh=state.kwh + float(kwh.sum()),
                   houses=state.houses + hidx.size, homes_kwp=state.homes_kwp + float(kwp[take].sum()),
                   homes_kwh=state.homes_kwh + float(kwh[take].sum()), **new)


@dataclass
class Walk:
    """The end of the walk: totals, and the folder of the rank parts."""

    state: State
    ranks_dir: Path

    def by_part(self, n_parts):
        """Per building partition: its rows' ``_row``, ``supply_rank`` and ``cum_mw`` (delayed frames)."""
        empty = pd.DataFrame({"_row": np.zeros(0, np.int64), "supply_rank": np.zeros(0, np.int64),
                              "cum_mw": np.zeros(0)})
        if not any(self.ranks_dir.glob("part.*.parquet")):
            return [empty] * n_parts
        ranks = dd.read_parquet(str(self.ranks_dir))
        ranks = ranks.set_index("_part", divisions=list(range(n_parts)) + [n_parts - 1])
        return ranks.to_delayed()

    def curve(self, max_points=20000):
        """Points of the supply curve (``supply_rank``, ``cum_mw``, ``kwh_per_kwp``) for the chart:
        every building when there are few, else evenly spaced ones and each part's last."""
        files = sorted(self.ranks_dir.glob("part.*.parquet"))
        step = max(1, self.state.count // max_points)
        frames = []
        for f in files:
            df = pd.read_parquet(f, columns=["supply_rank", "cum_mw", "kwh_per_kwp"])
            keep = (df["supply_rank"].to_numpy() % step == 0)
            keep[-1] = True
            frames.append(df[keep])
        cols = {"supply_rank": np.zeros(0, np.int64), "cum_mw": np.zeros(0), "kwh_per_kwp": np.zeros(0)}
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(cols)

    def plan_check(self, *, target_mw, installed_mw, homes_target, total_kwp, total_kwh, n_houses, n_homes):
        """:class:`PlanCheck` as :func:`hn_geo.solar.targets.plan_check` computes it."""
        s = self.state
        need_mw = max(target_mw - installed_mw, 0.0)
        total_mw = float(total_kwp / 1000.0)
        reach = need_mw <= total_mw and s.count > 0 and s.crossing is not None
        return PlanCheck(target_mw, installed_mw, need_mw, total_mw, float(total_kwh / 1e6),
                         s.crossing if reach else None, s.last_yield if reach else None,
                         s.crossing_kwh / 1e6 if reach else None, homes_target, n_houses, n_homes,
                         s.homes_kwp, s.homes_kwh)


def rank(keys, ranks_dir, *, need_mw, n_homes, client=None, progress=True):
    """Sort the keys (``neg_spec``, ``_row``; dask, out of core) and walk them in order.

    Parameters
    ----------
    keys : dask.dataframe.DataFrame
        ``neg_spec`` (minus the specific yield), ``_row``, ``kwp``, ``kwh``, ``house``, ``_part``.
    """
    ranks_dir = Path(ranks_dir)
    ranks_dir.mkdir(parents=True, exist_ok=True)
    state = dask.delayed(State())
    if keys is not None:
        chunks = keys.sort_values(["neg_spec", "_row"]).to_delayed()
        for j, chunk in enumerate(chunks):
            state = dask.delayed(_step)(chunk, state, j, ranks_dir, need_mw, n_homes)
    (end,) = cluster.compute(state, client=client, progress=progress)
    return Walk(end, ranks_dir)
