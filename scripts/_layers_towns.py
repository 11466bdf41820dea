"""Town polygons of Haining: an area-constrained partition of the real boundary.

No open township boundaries exist for Haining, so the 12 towns/subdistricts are drawn
as a *partition* of the real county outline (``layers/boundary.gpkg``) whose parts have
the towns' areas:

1. **Target areas.** A town with a published area (:data:`AREAS`: figure, source and
   year, also in ``layers/SOURCES.md``) gets it as its target. The towns for which no
   published figure was found share what is left of the boundary as an unweighted
   diagram (weight 0): their areas are not fitted, and their ``source`` says so.
2. **Power diagram on a fine grid.** Every 100 m cell of the boundary's box goes to the
   town minimising ``|x' - seat|^2 - w`` (a power, or weighted Voronoi, diagram), where
   ``x'`` is the cell centre moved by a smooth seeded displacement field (a few long
   sine waves, amplitude ~0.7 km) so that borders wander like real ones instead of
   being straight bisectors. The weights ``w`` are fitted iteratively (each step moves
   a town's weight in proportion to its area deficit) until every town with a target is
   within 0.3 % of it.
3. **One piece, seat inside.** A disc of 400 m around each seat always belongs to its
   town; after every step, the parts of a town not connected to its seat are handed to
   the neighbour that claims them next, so each town stays one connected region.
4. **Polygons.** The label grid is turned into polygons (``rasterio.features.shapes``),
   the staircase borders simplified together (``shapely.coverage_simplify``, so shared
   borders stay shared), and the polygons cut by the boundary: they tile it exactly.
   Slivers a cut leaves apart from a town go to the neighbour sharing most border. The
   areas of the final polygons are measured again and the fit repeated with corrected
   targets when a town is off by more than 0.5 %.

Everything is deterministic (fixed seed, no randomness elsewhere).
"""
from __future__ import annotations

import numpy as np
import shapely
from rasterio import features
from rasterio.transform import from_origin
from scipy import ndimage, sparse
from scipy.sparse import csgraph

SEED = 20240318
CELL_M = 100.0
ROUGHNESS = 0.35  # amplitude of the uneven metric (1 +- 0.35)
SEAT_DISC_M = 400.0
TOLERANCE = 0.003  # grid fit: relative area error
POLY_TOLERANCE = 0.005  # final polygons: relative area error before a refit
SIMPLIFY_M = 160.0

# Published areas (km²) of the towns: code -> (km², source, year). Towns without an
# entry get a derived target (module docstring). Quoted in layers/SOURCES.md.
AREAS = {
    "330481108": (86.7, "百度百科 黄湾镇 (baike.baidu.hk/item/黃灣鎮/16190548): 行政区域面积86.7平方千米",
                  "2019"),
    "330481112": (74.7, "海宁市袁花镇镇情简介 (ncyszs.com/dtmap/yh422.html): 镇域面积74.7平方公里, "
                  "2007年数据", "2007"),
    "330481105": (53.72, "周王庙镇 (nmhdgaokao.com/zhejiangsheng/haining_zhouwangmiaozhen.html): "
                  "辖区面积约53.72平方公里", "n.d."),
}


def area_note(code):
    """The ``source`` text of a town's area: the published figure it was fitted to, or none."""
    if code in AREAS:
        km2, src, year = AREAS[code]
        return f"area fitted to the published {km2:g} km² ({src}; {year})"
    return "no published area found: area not fitted (unweighted share of the rest)"


def targets(codes):
    """Published target area (m²) of each town (NaN where none is published)."""
    return np.array([AREAS[c][0] * 1e6 if c in AREAS else np.nan for c in codes])


def _roughness(x, y, rng):
    """A smooth seeded field around 1 (0.65-1.35): the cost of crossing a place.

    A sum of 5 long sine waves (wavelengths 3-8 km) in random directions; borders of a
    diagram in this metric wander like real ones instead of being straight bisectors.
    """
    f = np.zeros_like(x)
    for _ in range(5):
        ang = rng.uniform(0, np.pi)
        wl = rng.uniform(3000.0, 8000.0)
        t = (x * np.cos(ang) + y * np.sin(ang)) * 2 * np.pi / wl + rng.uniform(0, 2 * np.pi)
        f += np.sin(t)
    return 1.0 + ROUGHNESS * f / 5 * 2


class Grid:
    """The fine grid over the boundary's box, with geodesic distances from each seat.

    Distances are shortest paths through the cells inside the boundary (8 neighbours),
    each step costing its length times the :func:`_roughness` field: distance inside
    the county, not through the estuary, in a slightly uneven metric.
    """

    def __init__(self, boundary, seats, rng):
        minx, miny, maxx, maxy = shapely.buffer(boundary, 5 * CELL_M).bounds
        self.x0, self.y1 = np.floor(minx / CELL_M) * CELL_M, np.ceil(maxy / CELL_M) * CELL_M
        self.nx = int(np.ceil((maxx - self.x0) / CELL_M))
        self.ny = int(np.ceil((self.y1 - miny) / CELL_M))
        xs = self.x0 + (np.arange(self.nx) + 0.5) * CELL_M
        ys = self.y1 - (np.arange(self.ny) + 0.5) * CELL_M
        X, Y = np.meshgrid(xs, ys)
        shapely.prepare(boundary)
        inside = shapely.contains_xy(boundary, X, Y)
        # the 4-connected main body of the cells inside (cells touching it only by a corner
        # along the jagged outline are labelled with their nearest main cell at the end)
        comp, _ = ndimage.label(inside)
        sizes = np.bincount(comp.ravel())
        sizes[0] = 0
        self.inside = comp == np.argmax(sizes)
        _, self.nearest = ndimage.distance_transform_edt(~self.inside, return_indices=True)
        self.seat_rc = [(int((self.y1 - p.y) // CELL_M), int((p.x - self.x0) // CELL_M)) for p in seats]
        for r, c in self.seat_rc:
            if not self.inside[r, c]:
                raise SystemExit("a town seat is not inside the boundary grid")
        self.dist = self._geodesic(_roughness(X, Y, rng))
        self.disc = np.stack([(X - p.x) ** 2 + (Y - p.y) ** 2 <= SEAT_DISC_M ** 2 for p in seats]) & self.inside
        self.transform = from_origin(self.x0, self.y1, CELL_M, CELL_M)

    def _geodesic(self, rough):
        idx = -np.ones(self.inside.shape, dtype=np.int64)
        idx[self.inside] = np.arange(self.inside.sum())
        rows, cols, cost = [], [], []
        for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
            c0, c1 = max(0, -dc), self.nx - max(0, dc)
            a, b = idx[:self.ny - dr, c0:c1], idx[dr:, c0 + dc:c1 + dc]
            ra, rb = rough[:self.ny - dr, c0:c1], rough[dr:, c0 + dc:c1 + dc]
            ok = (a >= 0) & (b >= 0)
            rows.append(a[ok])
            cols.append(b[ok])
            cost.append(np.hypot(dr, dc) * CELL_M * (ra[ok] + rb[ok]) / 2)
        n = int(self.inside.sum())
        g = sparse.coo_matrix((np.concatenate(cost), (np.concatenate(rows), np.concatenate(cols))),
                              shape=(n, n)).tocsr()
        seats = [idx[r, c] for r, c in self.seat_rc]
        d = csgraph.dijkstra(g, directed=False, indices=seats)
        out = np.full((len(seats),) + self.inside.shape, np.inf)
        out[:, self.inside] = d
        return out

    def labels(self, w):
        """Labels of the additively weighted diagram ``dist - w``, seat discs forced.

        In any geodesic metric its cells are star-shaped around their seats (a point of
        a cell sees its seat along a shortest path that stays in the cell), so towns come
        out connected; a rare split (a disc cut off by a neighbour) is repaired anyway.
        """
        cost = self.dist - w[:, None, None]
        cost = np.where(self.disc, -np.inf, cost)
        lab = np.argmin(cost, axis=0)
        for _ in range(20):
            changed = False
            for k, (r, c) in enumerate(self.seat_rc):
                comp, n = ndimage.label((lab == k) & self.inside)
                if n <= 1:
                    continue
                lost = (comp > 0) & (comp != comp[r, c])
                cost[k][lost] = np.inf
                lab[lost] = np.argmin(cost[:, lost], axis=0)
                changed = True
            if not changed:
                break
        return lab[self.nearest[0], self.nearest[1]]

    def areas(self, lab, n):
        return np.bincount(lab[self.inside], minlength=n) * CELL_M ** 2

    def border_lengths(self, lab, n):
        """Length (m) of each town's border with other towns, inside the boundary."""
        out = np.zeros(n)
        for a, b, m in ((lab[:, 1:], lab[:, :-1], self.inside[:, 1:] & self.inside[:, :-1]),
                        (lab[1:, :], lab[:-1, :], self.inside[1:, :] & self.inside[:-1, :])):
            diff = (a != b) & m
            out += np.bincount(a[diff], minlength=n) + np.bincount(b[diff], minlength=n)
        return out * CELL_M


def fit_weights(grid, target, w=None, max_iter=400):
    """Additive weights (m) giving each town with a target its area on the grid.

    Towns without a target (NaN) keep weight 0: they share the rest as an unweighted
    diagram. Raising a weight by ``dw`` moves the town's borders out by ``dw / 2``, so a
    step is ``dw = 2 * deficit / border length``, damped by half and capped at 1 km.
    """
    n = len(target)
    fit = np.isfinite(target)
    w = np.zeros(n) if w is None else w.copy()
    lab = grid.labels(w)
    for _ in range(max_iter):
        area = grid.areas(lab, n)
        err = np.where(fit, (target - area) / np.where(fit, target, 1.0), 0.0)
        if np.abs(err).max() < TOLERANCE:
            break
        border = np.maximum(grid.border_lengths(lab, n), 1000.0)
        step = np.clip((np.nan_to_num(target) - area) / border, -1000.0, 1000.0)
        w += np.where(fit, step, 0.0)
        lab = grid.labels(w)
    return w, lab


def _to_polygons(grid, lab, boundary, n):
    shapes = features.shapes(lab.astype(np.int32), transform=grid.transform, connectivity=4)
    parts = [[] for _ in range(n)]
    for geom, value in shapes:
        parts[int(value)].append(shapely.geometry.shape(geom))
    polys = np.array([shapely.union_all(p) for p in parts], dtype=object)
    polys = shapely.coverage_simplify(polys, SIMPLIFY_M)
    return shapely.make_valid(shapely.intersection(polys, boundary))


def _one_piece(polys, seats):
    """Hand every part of a town not holding its seat to the neighbour sharing most border."""
    polys = list(polys)
    for _ in range(20):
        moved = False
        for k, g in enumerate(polys):
            parts = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and p.area > 0]
            keep = [p for p in parts if p.intersects(seats[k])]
            if len(parts) == 1 and g.geom_type == "Polygon":
                continue
            polys[k] = keep[0] if keep else max(parts, key=lambda p: p.area)
            for p in parts:
                if p is polys[k] or p.equals(polys[k]):
                    continue
                shared = [(shapely.length(shapely.intersection(p.boundary, polys[j].boundary)), j)
                          for j in range(len(polys)) if j != k]
                j = max(shared)[1]
                polys[j] = shapely.union(polys[j], p)
                moved = True
        if not moved:
            break
    polys = np.array([shapely.normalize(shapely.make_valid(p)) for p in polys], dtype=object)
    # identical vertices along every shared edge (no T-junctions), so that the coverage
    # stays gap-free when re-projected to the storage CRS
    return shapely.coverage_clean(polys, gap_width=1.0)


def partition(codes, seats, boundary, seed=SEED, log=print):
    """Town polygons (shapely, EPSG:4549) and the published targets (m², NaN where none)."""
    rng = np.random.default_rng(seed)
    target = targets(codes)
    if np.nansum(target) >= boundary.area:
        raise SystemExit("published town areas exceed the boundary area")
    grid = Grid(boundary, seats, rng)
    scale = grid.inside.sum() * CELL_M ** 2 / boundary.area  # grid cells vs exact area
    goal = target * scale
    w = None
    fit = np.isfinite(target)
    for round_ in range(4):
        w, lab = fit_weights(grid, goal, w)
        polys = _one_piece(_to_polygons(grid, lab, boundary, len(codes)), seats)
        err = np.where(fit, shapely.area(polys) / np.where(fit, target, 1.0) - 1, 0.0)
        log(f"  town partition, round {round_ + 1}: max area error {np.abs(err).max():.2%}")
        if np.abs(err).max() < POLY_TOLERANCE:
            break
        goal = goal / (1 + err)  # measured polygon bias, corrected on the grid
    return polys, target
