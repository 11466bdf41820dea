"""Reading and writing N features: hn_geo's `load_layer` and writers vs bare pyogrio (Arrow) / geopandas.

Cases (each in a fresh process, see ``benchmarks/harness.py``), on N real-shaped building
footprints (``scripts/build_buildings.py``) and N emission points:

* ``parquet``: ``load_layer('buildings', FILE.parquet)`` -- read = its ``readers.read_file``
  (GeoParquet through pyarrow, CRS and coordinate checks), compute = the rest of
  ``load_layer``: ``validate`` (schema, types, codes, ids, geometry validity, CRS) -- then
  ``writers.write_parquet``; read + compute is the ``load_layer`` time;
  ``parquet geopandas``: ``geopandas.read_parquet`` and ``GeoDataFrame.to_parquet``.
* ``gpkg``: the same from and to a GeoPackage (``writers.write_gpkg``);
  ``gpkg pyogrio``: ``pyogrio.read_dataframe(use_arrow=True)`` and
  ``pyogrio.write_dataframe(use_arrow=True)``.
* ``points``: ``load_layer('emission_points', FILE.gpkg)`` + ``write_gpkg``;
  ``points pyogrio``: the same with bare pyogrio (Arrow).

Goal (issue 17): ``load_layer`` of 1,000,000 buildings <= 3 s.

Usage::

    python benchmarks/io.py                     # 10k, 100k, 1M
    python benchmarks/io.py --n 1000000 --cases parquet "parquet geopandas" --repeat 3
"""
from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import harness

BASELINES = {"parquet": "parquet geopandas", "gpkg": "gpkg pyogrio", "points": "points pyogrio"}


def points_file(n):
    """N synthetic emission points inside Haining's bounding box (schema-valid), GeoPackage."""

    def make(path):
        import geopandas as gpd
        import numpy as np
        import shapely

        rng = np.random.default_rng(0)
        towns = np.array(["许村镇", "长安镇", "周王庙镇", "斜桥镇", "袁花镇", "黄湾镇"])
        gdf = gpd.GeoDataFrame({
            "point_id": np.char.add("EP", np.arange(n).astype(str)),
            "name": np.char.add("企业", np.arange(n).astype(str)),
            "industry_code": rng.choice(["2921", "1713", "3130"], n),
            "town": rng.choice(towns, n),
            "nox_t": rng.gamma(1.5, 2.0, n), "vocs_t": rng.gamma(1.5, 2.0, n),
            "cod_t": rng.gamma(1.5, 2.0, n), "nh3n_t": rng.gamma(1.5, 0.2, n),
        }, geometry=shapely.points(rng.uniform(120.30, 120.86, n), rng.uniform(30.27, 30.59, n)),
            crs="EPSG:4490")
        harness.write_frame(gdf, path)

    return harness.cached(f"points_{n}.gpkg", make)


def prepare(n, cases=("parquet", "gpkg", "points")):
    """The input files of ``cases`` (a 1M-building GeoPackage takes minutes to make)."""
    kinds = {c.split()[0] for c in cases}
    if "parquet" in kinds:
        harness.buildings_file(n)
    if "gpkg" in kinds:
        harness.buildings_file(n, ".gpkg")
    if "points" in kinds:
        points_file(n)


def _hn_geo(layer, path, suffix):
    def case(n, out):
        from hn_geo.ground import readers
        from hn_geo.ground.catalog import load_layer
        from hn_geo.render import writers

        ph = harness.Phases()
        ph.wrap(readers, "read_file", "read")
        for name in ("write_parquet", "write_gpkg"):
            ph.wrap(writers, name, "write")
        t0 = time.perf_counter()
        ph.start()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf = load_layer(layer, path(n))
        Path(out).mkdir(parents=True)
        (writers.write_parquet if suffix == ".parquet" else writers.write_gpkg)(gdf, Path(out) / f"out{suffix}")
        return dict(ph.result(time.perf_counter() - t0), features=len(gdf))

    return case


def _bare(path, suffix):
    def case(n, out):
        import geopandas as gpd
        import pyogrio

        lap = harness.stopwatch()
        gdf = gpd.read_parquet(path(n)) if suffix == ".parquet" else pyogrio.read_dataframe(path(n), use_arrow=True)
        lap("read")
        Path(out).mkdir(parents=True)
        if suffix == ".parquet":
            gdf.to_parquet(Path(out) / "out.parquet", index=False)
        else:
            pyogrio.write_dataframe(gdf, Path(out) / "out.gpkg", use_arrow=True)
        return dict(lap("write"), features=len(gdf))

    return case


CASES = {
    "parquet": _hn_geo("buildings", harness.buildings_file, ".parquet"),
    "parquet geopandas": _bare(harness.buildings_file, ".parquet"),
    "gpkg": _hn_geo("buildings", lambda n: harness.buildings_file(n, ".gpkg"), ".gpkg"),
    "gpkg pyogrio": _bare(lambda n: harness.buildings_file(n, ".gpkg"), ".gpkg"),
    "points": _hn_geo("emission_points", points_file, ".gpkg"),
    "points pyogrio": _bare(points_file, ".gpkg"),
}

if __name__ == "__main__":
    sys.exit(harness.main(__file__, __doc__.splitlines()[0], CASES, prepare, bench="io", baseline=BASELINES))
