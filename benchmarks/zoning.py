"""三线一单 check of N projects from a GeoPackage: the zoning workflow vs pyogrio + `geopandas.sjoin(within)`.

Cases (each in a fresh process, see ``benchmarks/harness.py``):

* ``hn_geo``: :func:`hn_geo.workflows.zoning.run` -- what ``hn-geo zoning check FILE`` and
  the batch run call -- with the projects given as a user layer: read = ``load_layer`` of
  the projects (and the embedded control units, emission points, red line and water-source
  zones the rules need), compute = :func:`hn_geo.zoning.check` with the full embedded access
  list (17 rules: distance rules, caps with the embedded emission points ...), write =
  ``write_result`` (CSV tables, ``zoning.xlsx``, ``zoning_layers.gpkg``).
* ``baseline``: ``pyogrio.read_dataframe(use_arrow=True)`` of the projects and the control
  units, ``geopandas.sjoin(predicate="within")``, projects per unit type, the joined points
  written with ``pyogrio.write_dataframe(use_arrow=True)`` and the counts as CSV.

The projects are random locations (95 % inside Haining, 5 % elsewhere in its bounding box)
with seeded synthetic attributes: industry codes of the embedded emission points plus a few
invalid ones, a status mix, two-high flags, solvent types, energy, value added and
pollutant loads.

Usage::

    python benchmarks/zoning.py                 # 10k, 100k, 1M
    python benchmarks/zoning.py --n 1000000 --repeat 3
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

import harness


def make_points(n, units, codes, seed=7):
    """N synthetic projects (schema ``projects``) over the control units' extent."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = units.total_bounds
    area = shapely.union_all(units.geometry.values)
    shapely.prepare(area)
    x = rng.uniform(minx, maxx, 3 * n)
    y = rng.uniform(miny, maxy, 3 * n)
    inside = shapely.contains_xy(area, x, y)
    n_out = n // 20  # 5 % outside Haining (reported, not checked)
    keep = rng.permutation(np.concatenate([np.flatnonzero(inside)[: n - n_out], np.flatnonzero(~inside)[:n_out]]))
    x, y = x[keep], y[keep]
    ind = rng.choice(np.append(codes, ["9999", "abc", "C2614"]), n)
    va = rng.uniform(500, 50000, n).round(-1)
    return gpd.GeoDataFrame({
        "project_id": np.char.add("P", np.arange(n).astype(str)),
        "name": "benchmark point",
        "industry_code": pd.array(ind, dtype="str"),
        "status": rng.choice(["new", "expansion", "existing"], n, p=[0.2, 0.1, 0.7]),
        "two_high": rng.random(n) < 0.01,
        "energy_tce": (va * rng.uniform(0.1, 1.5, n)).round(1),
        "value_added_wan": va,
        "solvent_type": rng.choice(["无", "水性涂料", "溶剂型涂料", "溶剂型油墨"], n, p=[0.85, 0.1, 0.03, 0.02]),
        "vocs_t": rng.exponential(0.5, n).round(3),
        "nox_t": rng.exponential(0.3, n).round(3),
        "cod_t": rng.exponential(0.3, n).round(3),
        "nh3n_t": rng.exponential(0.03, n).round(3),
    }, geometry=gpd.points_from_xy(x, y), crs="EPSG:4490")


def projects_file(n):
    def make(path):
        from hn_geo.ground.catalog import load_layer

        codes = load_layer("emission_points")["industry_code"].astype(str).to_numpy()
        harness.write_frame(make_points(n, load_layer("control_units"), codes), path)

    return harness.cached(f"projects_{n}.gpkg", make)


def prepare(n):
    projects_file(n)


def hn_geo(n, out):
    from hn_geo.ground.inputs import Inputs, LayerSource
    from hn_geo.workflows import zoning as workflow

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # counted warnings: outside Haining, unknown industry codes
        res = harness.timed_workflow(workflow, Inputs(layers={"projects": LayerSource(projects_file(n))}), out,
                                     write=("write_result",))
    result = res.pop("outcome").result
    fig = {f.code.split(".", 1)[1]: f.value for f in result.figures}
    return dict(res, figures=fig, out_mb=harness.out_size(out) / 1e6)


def baseline(n, out):
    import geopandas as gpd
    import pyogrio

    from hn_geo.ground.catalog import default_path  # the same control-units file

    lap = harness.stopwatch()
    pts = pyogrio.read_dataframe(projects_file(n), use_arrow=True)
    units = pyogrio.read_dataframe(default_path("control_units"), use_arrow=True).to_crs(pts.crs)
    lap("read")
    joined = gpd.sjoin(pts, units[["unit_code", "unit_type", "geometry"]], how="left", predicate="within")
    per_type = joined.groupby("unit_type", dropna=False).size().rename("projects")
    lap("compute")
    Path(out).mkdir(parents=True)
    pyogrio.write_dataframe(joined.drop(columns="index_right"), Path(out) / "projects.gpkg", use_arrow=True)
    per_type.to_csv(Path(out) / "per_unit_type.csv", encoding="utf-8-sig")
    return dict(lap("write"), figures={"pairs": int(joined["unit_code"].notna().sum())},
                out_mb=harness.out_size(out) / 1e6)


def notes(results):
    print()
    for n, cases in results.items():
        for case, r in cases.items():
            print(f"  {case:8s} N={n:>9,}: outputs {r['out_mb']:.0f} MB; {r['figures']}")


if __name__ == "__main__":
    sys.exit(harness.main(__file__, __doc__.splitlines()[0], {"hn_geo": hn_geo, "baseline": baseline}, prepare,
                          bench="zoning", notes=notes))
