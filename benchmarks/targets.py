"""Plan-targets report with N reduction-project rows: the targets workflow vs pandas.

Cases (each in a fresh process, see ``benchmarks/harness.py``):

* ``hn_geo``: :func:`hn_geo.workflows.targets.run` -- what ``hn-geo targets report --stats
  DIR`` and the batch run call -- on a statistics folder holding the embedded town energy,
  indicator and allocation tables and a ``reduction_projects.csv`` of N rows: read =
  ``read_stats`` (town-name matching, pollutant names, units, checks) and the towns layer,
  compute = :func:`hn_geo.targets.targets_report` (energy dual control, reductions with
  double counting, indicators), write = ``write_result`` (CSV, ``targets.xlsx``,
  ``targets_layers.gpkg``).
* ``baseline``: ``pandas.read_csv`` of the projects, duplicates (project, pollutant)
  dropped, reductions per pollutant and per town and year summed, two CSV files.

The N rows are the embedded demo projects (synthetic) resampled with new project and
emission-source ids (about 2 % of the ids repeated: double counts) and jittered amounts.

Usage::

    python benchmarks/targets.py                # 10k, 100k, 1M
"""
from __future__ import annotations

import shutil
import sys
import warnings
from pathlib import Path

import harness


def stats_dir(n):
    """A statistics folder: the embedded tables, with N reduction-project rows."""

    def make(path):
        import numpy as np
        import pandas as pd

        from hn_geo.ground.stats import demo_stats_dir

        path.mkdir(parents=True)
        for f in Path(demo_stats_dir()).glob("*.csv"):
            if f.stem != "reduction_projects":
                shutil.copy(f, path / f.name)
        base = pd.read_csv(Path(demo_stats_dir()) / "reduction_projects.csv", dtype=str, encoding="utf-8-sig")
        rng = np.random.default_rng(1)
        df = base.iloc[rng.integers(0, len(base), n)].reset_index(drop=True)
        cols = list(df.columns)
        ids = rng.integers(0, int(n * 0.98) + 1, n)
        df[cols[0]] = np.char.add("JP", ids.astype(str))
        df[cols[1]] = np.char.add("HN-E", rng.integers(0, max(n // 5, 1), n).astype(str))
        amount = pd.to_numeric(df[cols[5]]) * rng.uniform(0.02, 0.2, n)
        df[cols[5]] = amount.round(3).astype(str)
        df.to_csv(path / "reduction_projects.csv", index=False, encoding="utf-8-sig")

    return harness.cached(f"stats_{n}", make)


def prepare(n):
    stats_dir(n)


def hn_geo(n, out):
    from hn_geo.ground.inputs import Inputs
    from hn_geo.workflows import targets as workflow

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = harness.timed_workflow(workflow, Inputs(files={"town_stats": stats_dir(n)}), out,
                                     read=("read_stats",), write=("write_result",))
    result = res.pop("outcome").result
    fig = {f.code.split(".", 1)[1]: f.value for f in result.figures}
    return dict(res, figures={k: v for k, v in fig.items() if "reduction" in k or "double" in k},
                out_mb=harness.out_size(out) / 1e6)


def baseline(n, out):
    import pandas as pd

    lap = harness.stopwatch()
    df = pd.read_csv(Path(stats_dir(n)) / "reduction_projects.csv", dtype=str, encoding="utf-8-sig")
    lap("read")
    pid, town, pol, amount, year = (df.columns[i] for i in (0, 3, 4, 5, 6))
    df[amount] = pd.to_numeric(df[amount], errors="coerce")
    dup = df.duplicated([pid, pol], keep="first")
    kept = df[~dup]
    per_pollutant = kept.groupby(pol)[amount].sum()
    per_town = kept.groupby([town, year, pol])[amount].sum()
    lap("compute")
    Path(out).mkdir(parents=True)
    per_pollutant.to_csv(Path(out) / "per_pollutant.csv", encoding="utf-8-sig")
    per_town.to_csv(Path(out) / "per_town.csv", encoding="utf-8-sig")
    return dict(lap("write"), figures={"double_counted": int(dup.sum())}, out_mb=harness.out_size(out) / 1e6)


def notes(results):
    print()
    for n, cases in results.items():
        for case, r in cases.items():
            print(f"  {case:8s} N={n:>9,}: outputs {r['out_mb']:.1f} MB; {r['figures']}")


if __name__ == "__main__":
    sys.exit(harness.main(__file__, __doc__.splitlines()[0], {"hn_geo": hn_geo, "baseline": baseline}, prepare,
                          bench="targets", notes=notes))
