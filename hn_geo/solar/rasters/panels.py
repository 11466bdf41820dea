"""How many modules fit on the usable part of a roof segment.

Modules are laid in a regular grid aligned with the segment: on pitched segments flush with
the plane, portrait (long side up the slope: a module covers ``width x length cos(pitch)`` of
the horizontal footprint) or landscape, whichever fits more; on flat segments on racks facing south at ``rack_tilt`` in rows
spaced for no inter-row shading at the winter-solstice design instant (ground coverage
ratio from :func:`hn_geo.solar.spacing.ground_coverage_ratio`), one module per
``width x length / GCR`` cell. The usable polygon is first shrunk by the setback from the
footprint's edge; a module counts when its whole cell lies inside. Four grid offsets (0 and
half a cell in each direction) are tried and the best kept.
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely import affinity


def cell_sizes(pitched, pitch_deg, params, gcr):
    """(along-row, across-row) sizes of one module's cell on the horizontal [m]: portrait and
    landscape for flush modules, portrait racks on flat roofs."""
    length, width = params.module_length_m, params.module_width_m
    if pitched:
        c = np.cos(np.radians(pitch_deg))
        return [(width, length * c), (length, width * c)]
    return [(width, length / gcr)]


def count_in(poly, du, dv):
    """Most cells ``du`` x ``dv`` (axis-aligned) that fit inside ``poly``, over 4 grid offsets."""
    if poly is None or poly.is_empty or poly.area < du * dv:
        return 0
    x0, y0, x1, y1 = poly.bounds
    best = 0
    shapely.prepare(poly)
    for ox in (0.0, du / 2):
        for oy in (0.0, dv / 2):
            xs = np.arange(x0 + ox, x1 - du + 1e-9, du)
            ys = np.arange(y0 + oy, y1 - dv + 1e-9, dv)
            if not len(xs) or not len(ys):
                continue
            gx, gy = np.meshgrid(xs, ys)
            boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + du, gy.ravel() + dv)
            best = max(best, int(shapely.contains(poly, boxes).sum()))
    return best


def fit_panels(usable, footprints, pitched, pitch_deg, azimuth_deg, params, gcr, res=0.0):
    """Module count of each segment.

    Parameters
    ----------
    usable : list of shapely geometries or None
        Usable part of each segment, in a metre CRS.
    footprints : list of shapely geometries
        The footprint each segment belongs to (for the setback).
    pitched : numpy.ndarray of bool
        Flush modules (True) or racks facing south (False).
    pitch_deg, azimuth_deg : numpy.ndarray
        Segment pitch and aspect [degrees] (aspect of the grid's rows, grid north).
    params : hn_geo.solar.rasters.segments.SegmentParams
    gcr : float
        Ground coverage ratio of racks on flat roofs.
    res : float
        Pixel size of the polygons' grid [m]; they are grown by half a pixel (the pixel
        staircase of a footprint not aligned with the grid) before the setback is applied.

    Returns
    -------
    numpy.ndarray of int64
    """
    out = np.zeros(len(usable), dtype=np.int64)
    for i, (poly, fp) in enumerate(zip(usable, footprints)):
        if poly is None:
            continue
        inner = fp.buffer(-params.setback_m) if params.setback_m > 0 else fp
        if res:  # pixel polygons: grow by half a pixel to the footprint's true edge
            poly = poly.buffer(res / 2.0, join_style="mitre")
        poly = poly.intersection(inner)
        if poly.is_empty:
            continue
        # rotate so that rows run along x: a plane facing azimuth A has rows at A - 90
        facing = float(azimuth_deg[i]) if pitched[i] and np.isfinite(azimuth_deg[i]) else 180.0
        c = poly.centroid
        rotated = affinity.rotate(poly, facing - 180.0, origin=c)
        out[i] = max(count_in(rotated, du, dv)
                     for du, dv in cell_sizes(bool(pitched[i]), float(pitch_deg[i]), params, gcr))
    return out
