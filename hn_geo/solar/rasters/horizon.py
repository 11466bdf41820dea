"""Horizon angles in many directions and the sky-view factor, by ray marching over the array.

For every direction the whole array is shifted by the integer pixel offset of each step of
a ray and compared with itself: one vectorised numpy operation per (direction, step), no
loop over pixels. Steps are one pixel apart up to ``dense_m``; beyond, they grow
geometrically (``growth``) and sample a maximum-filtered copy of the surface as wide as the
step, so an obstacle thinner than a step is not jumped over.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from hn_geo.solar.rasters.terrain import plane_elevation


@dataclass(frozen=True)
class Step:
    """One sample of a ray: pixel offset, true distance [m] and the max-filter width [px]."""

    drow: int
    dcol: int
    distance: float
    pool: int


STRIP = 64
"""Rows per strip of the ray marching (the strip's arrays fit a core's cache)."""


def directions(n):
    """Azimuths of ``n`` equally spaced directions [degrees clockwise from north], north first."""
    return np.arange(n) * (360.0 / n)


def _pool(step_px):
    """Odd max-filter width for a step of ``step_px`` pixels (1, 3, 5, 9, 17, 33)."""
    for p in (1, 3, 5, 9, 17, 33):
        if step_px <= p + 1:
            return p
    return 33


def ray_steps(azimuth, res, radius_m, *, dense_m=20.0, growth=0.08):
    """The samples of one ray.

    Parameters
    ----------
    azimuth : float
        [degrees clockwise from north]
    res : float
        Pixel size [m].
    radius_m : float
        Search radius [m].
    dense_m : float
        Distance up to which every pixel is sampled [m].
    growth : float
        Beyond ``dense_m``, each step is this fraction of the distance.

    Returns
    -------
    list of Step
        Distinct pixel offsets, nearest first (rows grow southwards).
    """
    dist = list(np.arange(1, int(min(dense_m, radius_m) / res) + 1) * res)
    x = dist[-1] if dist else res
    while x < radius_m:
        x = min(max(x * (1.0 + growth), x + res), radius_m)
        dist.append(x)
    az = np.radians(azimuth)
    steps, seen, prev = [], set(), 0.0
    for d in dist:
        dc, dr = int(round(d * np.sin(az) / res)), int(round(-d * np.cos(az) / res))
        if (dr, dc) == (0, 0) or (dr, dc) in seen:
            continue
        seen.add((dr, dc))
        true_d = float(np.hypot(dr, dc) * res)
        steps.append(Step(dr, dc, true_d, 1 if d <= dense_m + 1e-9 else _pool((d - prev) / res)))
        prev = d
    return steps


def halo_pixels(res, radius_m):
    """Pixels a tile needs around its core so that every ray of ``radius_m`` stays inside."""
    return int(np.ceil(radius_m / res)) + 1


def horizon_angles(z, res, *, n_directions=32, radius_m=100.0, halo_px=0, dense_m=20.0, growth=0.08):
    """Horizon elevation angle of every pixel in ``n_directions`` directions.

    Parameters
    ----------
    z : numpy.ndarray
        Surface heights [m] (buildings, trees and terrain), rows north to south; NaN for no
        data (treated as no obstacle). May carry a halo of ``halo_px`` pixels on each side
        around the core whose horizons are wanted.
    res : float
        Pixel size [m] (square pixels).
    n_directions : int
        Directions, equally spaced from north (at least 8; 32 or more recommended).
    radius_m : float
        Search radius [m]: obstacles farther away are ignored.
    halo_px : int
        Width of the halo included in ``z`` [px]; where it is narrower than the rays need,
        the array is padded with "no obstacle".
    dense_m, growth : float
        Ray sampling (see :func:`ray_steps`).

    Returns
    -------
    numpy.ndarray of float32, shape (n_directions, rows, cols) of the core
        Horizon elevation [degrees]; the largest elevation angle of the surface along each
        ray, -90 where nothing along the ray is higher than the far side of a drop allows
        (open sky down to the search radius: negative below the horizontal).

    Notes
    -----
    The angle to a sample at horizontal distance ``d`` rising ``dz`` is ``atan(dz / d)``;
    the horizon is the maximum over the samples of the ray, as in GRASS ``r.horizon``
    (Hofierka 2002) but with integer pixel offsets and max-filtered far samples.

    References
    ----------
    .. [1] Dozier, J., Frew, J. (1990). Rapid calculation of terrain parameters for
       radiation modeling from digital elevation data. *IEEE Trans. Geosci. Remote Sens.*
       28(5), 963-969. :doi:`10.1109/36.58986`
    .. [2] Hofierka, J. (2002). GRASS GIS ``r.horizon`` manual.
    """
    if n_directions < 8:
        raise ValueError("n_directions must be at least 8")
    z = np.asarray(z, dtype=np.float32)
    core_shape = (z.shape[0] - 2 * halo_px, z.shape[1] - 2 * halo_px)
    need = halo_pixels(res, radius_m)
    pad = max(need - halo_px, 0)
    zz = np.pad(z, pad, mode="constant", constant_values=np.nan) if pad else z
    zz = np.where(np.isnan(zz), np.float32(-1e6), zz)  # no data / outside: no obstacle
    off = halo_px + pad
    zc = zz[off:off + core_shape[0], off:off + core_shape[1]]
    pools = {}
    out = np.empty((n_directions,) + core_shape, dtype=np.float32)
    rows, cols = core_shape
    buf = np.empty((STRIP, cols), dtype=np.float32)
    for j, az in enumerate(directions(n_directions)):
        steps = ray_steps(az, res, radius_m, dense_m=dense_m, growth=growth)
        for s in steps:
            if s.pool not in pools:
                pools[s.pool] = zz if s.pool == 1 else ndimage.maximum_filter(zz, size=s.pool, mode="nearest")
        inv = [np.float32(1.0 / s.distance) for s in steps]
        for r in range(0, rows, STRIP):  # strips of rows: the running maximum stays in cache
            n = min(STRIP, rows - r)
            t, b, zs = out[j, r:r + n], buf[:n], zc[r:r + n]
            t.fill(-np.inf)
            for s, iv in zip(steps, inv):
                r0, c0 = off + s.drow + r, off + s.dcol
                np.subtract(pools[s.pool][r0:r0 + n, c0:c0 + cols], zs, out=b)
                b *= iv
                np.maximum(t, b, out=t)
        np.degrees(np.arctan(out[j], out=out[j]), out=out[j])
    return out


def sky_view_factor(horizon, slope, aspect):
    """Sky-view factor of each pixel's surface from its horizon angles.

    The view factor of the visible sky from a Lambertian surface of the given slope and
    aspect (the fraction of isotropic sky irradiance it receives), by the integral of Dozier
    and Marks (1990) over the directions of ``horizon``; the effective horizon in each
    direction is the highest of the obstacle horizon, the plane's own surface and the
    horizontal. An open flat pixel has 1; an open plane of slope S has (1 + cos S) / 2.

    Parameters
    ----------
    horizon : numpy.ndarray, shape (n, rows, cols)
        Horizon elevation [degrees] in the directions of :func:`directions` (n).
    slope, aspect : numpy.ndarray, shape (rows, cols)
        [degrees] (aspect NaN on flat pixels).

    Returns
    -------
    numpy.ndarray of float32
        Sky-view factor [0-1].

    References
    ----------
    .. [1] Dozier, J., Marks, D. (1990). Fast and accurate computation of terrain radiation
       (as cited in Dozier & Frew 1990, eq. 7).
    .. [2] Oke, T. R. (1987). *Boundary Layer Climates*, 2nd ed., Routledge: the street
       canyon floor's sky-view factor cos(atan(2H/W)).
    """
    n = horizon.shape[0]
    s = np.radians(np.nan_to_num(slope, nan=0.0)).astype(np.float32)
    a = np.radians(np.nan_to_num(aspect, nan=0.0)).astype(np.float32)
    cs, ss = np.cos(s), np.sin(s)
    acc = np.zeros(horizon.shape[1:], dtype=np.float32)
    for j, az in enumerate(directions(n)):
        e = np.maximum(np.maximum(horizon[j], plane_elevation(slope, aspect, az)), 0.0)
        zen = np.radians(90.0 - e).astype(np.float32)
        sz = np.sin(zen)
        acc += cs * sz * sz + ss * np.cos(np.float32(np.radians(az)) - a) * (zen - sz * np.cos(zen))
    return np.clip(acc / n, 0.0, 1.0).astype(np.float32)


def effective_horizon(horizon_j, slope, aspect, azimuth):
    """Horizon of direction ``azimuth`` raised to the plane's own surface [degrees]."""
    return np.maximum(horizon_j, plane_elevation(slope, aspect, azimuth))
