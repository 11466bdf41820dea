"""GB 3838-2002 assessment of N monitoring rows from a CSV: the water workflow vs pandas + the standard's table.

Cases (each in a fresh process, see ``benchmarks/harness.py``):

* ``hn_geo``: :func:`hn_geo.workflows.water.run` -- what ``hn-geo water classify FILE`` and
  the batch run call: read = the results table (``read_results``: text cells, ``0.025L``
  notation, dates, checks naming file/row/column) and the sections layer (``load_layer``)
  and the embedded rivers and emission points, compute = :func:`hn_geo.water.assess`
  (sample, period and annual classes, targets, river ratings, upstream dischargers of
  failing sections), write = ``write_result`` (CSV tables, ``water.xlsx``,
  ``water_layers.gpkg``).
* ``baseline``: ``pandas.read_csv``, the Chinese headers matched to item codes, ``L`` cells
  as half their value, one vectorised class per item and sample (the standard's Table 1 from
  ``hn_geo.reference.gb3838``, which a user would otherwise type in), annual means per
  section and year and their classes, two CSV files.

Inputs: the embedded demo table (25 sections x 60 monthly samples, synthetic) repeated over
``ceil(N / 60)`` sections -- copies of the embedded sections a few hundred metres apart, so
that rivers and dischargers still apply -- and cut to N rows.

Usage::

    python benchmarks/water.py                  # 10k, 100k, 1M
    python benchmarks/water.py --n 100000 --repeat 3
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

import harness

PER_SECTION = 60


def inputs(n):
    """(results CSV, sections GeoPackage) of N rows over ceil(N / 60) sections."""

    def make_sections(path):
        import geopandas as gpd
        import numpy as np
        import pandas as pd

        from hn_geo.ground.catalog import load_layer

        base = load_layer("sections")
        k = -(-n // PER_SECTION)
        s = base.iloc[np.arange(k) % len(base)].reset_index(drop=True)
        copy = np.arange(k) // len(base)  # 0: the embedded section itself
        suffix = pd.Series(np.where(copy > 0, np.char.add("-", copy.astype(str)), ""))
        s["section_id"] = s["section_id"].astype(str) + suffix
        s["name"] = s["name"].astype(str) + suffix
        m = s.to_crs("EPSG:4549")
        rng = np.random.default_rng(3)
        shift = np.where(copy > 0, 1.0, 0.0)
        x = m.geometry.x.to_numpy() + shift * rng.uniform(-300, 300, k)
        y = m.geometry.y.to_numpy() + shift * rng.uniform(-300, 300, k)
        m = m.set_geometry(gpd.points_from_xy(x, y), crs="EPSG:4549")
        harness.write_frame(m.to_crs("EPSG:4490"), path)

    def make_results(path):
        import pandas as pd

        from hn_geo.ground.catalog import layers_dir

        base = pd.read_csv(layers_dir() / "water_results.csv", dtype=str, encoding="utf-8-sig")
        ids = base.columns[0]
        names = base.columns[1]
        order = {sid: g.index.to_numpy() for sid, g in base.groupby(ids, sort=False)}
        sections = list(order)
        k = -(-n // PER_SECTION)
        parts = []
        for j in range(k):
            sid = sections[j % len(sections)]
            rows = base.loc[order[sid]]
            if j >= len(sections):
                rows = rows.assign(**{ids: f"{sid}-{j // len(sections)}",
                                      names: rows[names] + f"-{j // len(sections)}"})
            parts.append(rows)
        df = pd.concat(parts, ignore_index=True).iloc[:n]
        df.to_csv(path, index=False, encoding="utf-8-sig")

    return (harness.cached(f"water_results_{n}.csv", make_results),
            harness.cached(f"water_sections_{n}.gpkg", make_sections))


def prepare(n):
    inputs(n)


def hn_geo(n, out):
    from hn_geo.ground.inputs import Inputs, LayerSource
    from hn_geo.workflows import water as workflow

    results, sections = inputs(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = harness.timed_workflow(workflow, Inputs(layers={"sections": LayerSource(sections)},
                                                      files={"water_results": results}),
                                     out, read=("read_results",), write=("write_result",))
    result = res.pop("outcome").result
    fig = {f.code.split(".", 1)[1]: f.value for f in result.figures}
    return dict(res, figures=fig, out_mb=harness.out_size(out) / 1e6)


def baseline(n, out):
    import numpy as np
    import pandas as pd

    from hn_geo.reference import gb3838

    lap = harness.stopwatch()
    df = pd.read_csv(inputs(n)[0], dtype=str, encoding="utf-8-sig")
    lap("read")
    sid, date = df.columns[0], pd.to_datetime(df.iloc[:, 2])
    values, classes = {}, {}
    for col in df.columns[3:]:
        code = gb3838.match_item(col)
        if code is None:
            continue
        txt = df[col].str.strip()
        below = txt.str.endswith("L").fillna(False)
        v = pd.to_numeric(txt.str.rstrip("L"), errors="coerce").to_numpy()
        values[code] = np.where(below, v / 2, v)
        classes[code] = gb3838.item_class(code, values[code])
    sample_class = np.max(np.column_stack(list(classes.values())), axis=1)
    means = pd.DataFrame(values).assign(section=df[sid], year=date.dt.year).groupby(["section", "year"]).mean()
    annual = np.max(np.column_stack([gb3838.item_class(c, means[c].to_numpy()) for c in values]), axis=1)
    lap("compute")
    Path(out).mkdir(parents=True)
    pd.DataFrame({"section": df[sid], "date": date, "class": sample_class}).to_csv(
        Path(out) / "samples.csv", index=False, encoding="utf-8-sig")
    means.assign(section_class=annual).to_csv(Path(out) / "annual.csv", encoding="utf-8-sig")
    return dict(lap("write"), figures={"section_years": len(means), "inferior_V": int((annual == 6).sum())},
                out_mb=harness.out_size(out) / 1e6)


def notes(results):
    print()
    for n, cases in results.items():
        for case, r in cases.items():
            print(f"  {case:8s} N={n:>9,}: outputs {r['out_mb']:.0f} MB; {r['figures']}")


if __name__ == "__main__":
    sys.exit(harness.main(__file__, __doc__.splitlines()[0], {"hn_geo": hn_geo, "baseline": baseline}, prepare,
                          bench="water", notes=notes))
