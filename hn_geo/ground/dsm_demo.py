"""The demo surface model: a synthetic DSM of one district of the embedded buildings.

When ``hn-geo solar rasters`` gets no DSM, :func:`demo_dsm` builds one so that the raster
analysis runs on the embedded data. It is **synthetic** (seed :data:`SEED`; documented in
``layers/SOURCES.md``):

* the district is the 400 m x 400 m square (EPSG:4549, on a 400 m grid) holding the most
  buildings, among squares with at least three building types and both flat and pitched
  roofs (:func:`demo_district`);
* flat ground at 5.0 m; each footprint is raised to ground + ``height_m`` (storeys x 3 m
  where the height is missing); pitched roofs are gables with the ridge along the long
  axis of the footprint's minimum rotated rectangle, pitch drawn from 22-30° (seeded), the
  eaves at the building height; flat roofs of 7 storeys or more carry a stair/lift housing
  (6 m x 4 m, 3 m high, seeded position); flat public and commercial blocks of at least
  1,200 m² with both sides over 30 m are courtyard blocks (an inner court inset 12 m, at
  ground level);
* trees: crowns of 2-4 m radius, 6-12 m high (half-ellipsoids), seeded on open ground at
  least 3 m from any footprint, one per 600 m² of open ground on average;
* 0.5 m pixels, in EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E).
"""
from __future__ import annotations

import numpy as np
import shapely
from rasterio import features
from rasterio.transform import from_origin

from hn_geo.core.settings import METRIC_CRS
from hn_geo.ground.rasters import Raster

SEED = 20210620
"""Seed of the demo DSM (the 整县推进 pilot notice is of June 2021)."""
GROUND_M = 5.0
SIZE_M = 400.0
RES_M = 0.5


def demo_district(buildings, size_m=SIZE_M):
    """Bounds (x0, y0, x1, y1) in EPSG:4549 of the demo district (see the module docstring)."""
    b = buildings.to_crs(METRIC_CRS)
    c = shapely.centroid(np.asarray(b.geometry.values))
    ix = np.floor(shapely.get_x(c) / size_m).astype(np.int64)
    iy = np.floor(shapely.get_y(c) / size_m).astype(np.int64)
    roof = b["roof_type"].astype(object).to_numpy() if "roof_type" in b.columns else np.full(len(b), None)
    df = {"k": ix * 100000 + iy, "t": b["building_type"].astype(object).to_numpy(), "r": roof}
    import pandas as pd

    g = pd.DataFrame(df).groupby("k").agg(n=("t", "size"), types=("t", "nunique"),
                                         pitched=("r", lambda r: int((r == "pitched").sum())),
                                         flat=("r", lambda r: int((r == "flat").sum())))
    ok = g[(g["types"] >= 3) & (g["pitched"] > 0) & (g["flat"] > 0)]
    k = int((ok if len(ok) else g).sort_values(["n"], ascending=False, kind="stable").index[0])
    x0, y0 = (k // 100000) * size_m, (k % 100000) * size_m
    return float(x0), float(y0), float(x0 + size_m), float(y0 + size_m)


def _heights(b):
    h = b["height_m"].to_numpy(dtype=float, na_value=np.nan) if "height_m" in b.columns else np.full(len(b), np.nan)
    if "storeys" in b.columns:
        st = b["storeys"].to_numpy(dtype=float, na_value=np.nan)
        h = np.where(np.isfinite(h), h, st * 3.0)
    return np.where(np.isfinite(h), h, 6.0)


def _gable(z, geom, top, pitch, transform):
    """Raise the pixels of ``geom`` to a gable roof with eaves at ``top``."""
    rect = shapely.minimum_rotated_rectangle(geom)
    xy = np.asarray(rect.exterior.coords)[:4]
    e = np.diff(np.vstack([xy, xy[:1]]), axis=0)
    long_i = int(np.argmax(np.hypot(e[:, 0], e[:, 1])))
    u = e[long_i] / np.hypot(*e[long_i])
    nrm = np.array([-u[1], u[0]])
    half = np.hypot(*e[(long_i + 1) % 4]) / 2.0
    centre = xy.mean(axis=0)
    mask = features.geometry_mask([geom], z.shape, transform, invert=True)
    rows, cols = np.nonzero(mask)
    x = transform.c + (cols + 0.5) * transform.a
    y = transform.f + (rows + 0.5) * transform.e
    d = np.abs((x - centre[0]) * nrm[0] + (y - centre[1]) * nrm[1])
    z[rows, cols] = top + np.maximum(half - d, 0.0) * np.tan(np.radians(pitch))


def _burn(z, geom, value, transform):
    if geom.is_empty:
        return None
    mask = features.geometry_mask([geom], z.shape, transform, invert=True)
    z[mask] = value
    return mask


def _flat_roof(z, geom, top, row, rng, transform):
    _burn(z, geom, top, transform)
    court = 0
    w, h = geom.bounds[2] - geom.bounds[0], geom.bounds[3] - geom.bounds[1]
    if row.building_type in ("public", "commercial") and geom.area >= 1200 and min(w, h) > 30:
        inner_court = geom.buffer(-12.0, join_style="mitre")
        if not inner_court.is_empty:
            _burn(z, inner_court, GROUND_M, transform)
            court = 1
    if (row.storeys if row.storeys == row.storeys else 0) >= 7 and min(w, h) > 10:
        inner = geom.buffer(-4.0)
        if not inner.is_empty:
            x0, y0, x1, y1 = inner.bounds
            cx, cy = rng.uniform(x0, max(x0, x1 - 6)), rng.uniform(y0, max(y0, y1 - 4))
            _burn(z, shapely.box(cx, cy, cx + 6, cy + 4).intersection(inner), top + 3.0, transform)
    return court


def _trees(z, open_ground, rng, transform):
    n = rng.poisson(open_ground.sum() * RES_M * RES_M / 600.0)
    rows, cols = np.nonzero(open_ground)
    if n == 0 or not len(rows):
        return 0
    pick = rng.choice(len(rows), size=n, replace=False)
    yy, xx = np.mgrid[0:z.shape[0], 0:z.shape[1]]
    for r0, c0 in zip(rows[pick], cols[pick]):
        radius, height = rng.uniform(2.0, 4.0), rng.uniform(6.0, 12.0)
        rp = int(np.ceil(radius / RES_M))
        sl = slice(max(r0 - rp, 0), r0 + rp + 1), slice(max(c0 - rp, 0), c0 + rp + 1)
        d2 = ((yy[sl] - r0) ** 2 + (xx[sl] - c0) ** 2) * (RES_M / radius) ** 2
        crown = GROUND_M + height * np.sqrt(np.clip(1.0 - d2, 0.0, None))
        z[sl] = np.where(d2 < 1.0, np.maximum(z[sl], crown), z[sl])
    return int(n)


def demo_dsm(buildings, *, bounds=None, res=RES_M, seed=SEED):
    """Build the synthetic demo DSM (see the module docstring).

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        The ``buildings`` layer (any CRS).
    bounds : (x0, y0, x1, y1), optional
        District in EPSG:4549 (default: :func:`demo_district`).
    res : float
        Pixel size [m].
    seed : int

    Returns
    -------
    (Raster, geopandas.GeoDataFrame, dict)
        The DSM (``source`` None: it is no file), the buildings inside the district and
        facts for the notes (``trees``, ``buildings``, ``courtyards``, bounds).
    """
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = bounds or demo_district(buildings)
    transform = from_origin(x0, y1, res, res)
    shape = (int(round((y1 - y0) / res)), int(round((x1 - x0) / res)))
    z = np.full(shape, GROUND_M, dtype=np.float32)
    b = buildings.to_crs(METRIC_CRS)
    inside = b[shapely.within(np.asarray(b.geometry.values), shapely.box(x0, y0, x1, y1))]
    tops = GROUND_M + _heights(inside)
    courts = 0
    for row, geom, top in zip(inside.itertuples(), inside.geometry.values, tops):
        if getattr(row, "roof_type", None) == "pitched":
            _gable(z, geom, top, rng.uniform(22.0, 30.0), transform)
        else:
            courts += _flat_roof(z, geom, top, row, rng, transform)
    near = features.geometry_mask([g.buffer(3.0) for g in inside.geometry.values] or [shapely.Point(0, 0)],
                                  shape, transform, invert=True)
    trees = _trees(z, ~near, rng, transform)
    facts = {"trees": trees, "buildings": int(len(inside)), "courtyards": courts,
             "bounds": [x0, y0, x1, y1], "seed": seed}
    return Raster(z, transform, METRIC_CRS, None), buildings.loc[inside.index], facts
