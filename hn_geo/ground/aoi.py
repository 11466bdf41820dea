"""The area of interest: where a run's features must be, and the check of every layer against it.

hn_geo works on one county: Haining by default (the embedded ``boundary`` layer), another
one when the user gives its outline (``aoi:`` in the run config, ``--aoi FILE``,
``Inputs(aoi=...)``, ``load_layer(..., aoi=...)``). Coordinates that are valid numbers but
in the wrong place -- points in Beijing, at (0, 0), latitudes with the wrong sign, UTM-51N
metres declared as EPSG:4549 (300 km west), buildings 700 km away -- pass every type check;
this check catches them. Each layer's schema says how its features relate to the area
(:attr:`hn_geo.ground.catalog.LayerSchema.aoi`):

``inside``  features within the area, give or take :data:`TOLERANCE_M` (boundary sections,
            GCJ-02 offsets): features outside give a warning counting them (with a few ids
            and how far they are); none inside is an error.
``near``    context layers (neighbouring counties): within :data:`NEAR_M`.
``area``    the ``boundary`` layer *is* the area: one outline of about its size and place
            (a 90-county province file is not Haining's boundary).

Distances and areas are geodesic or in an azimuthal equidistant projection centred on the
area, so they hold for any county.
"""
from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pyproj
import shapely

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.settings import STORAGE_CRS
from hn_geo.ground.catalog import default_path
from hn_geo.ground.readers import read_file

TOLERANCE_M = 2000.0
"""Features this close to the area count as inside it [m]."""
NEAR_M = 50000.0
"""Context layers (``near``) reach this far from the area [m]."""
MIN_OVERLAP = 0.8
"""A boundary layer and the area must overlap by this share of their union (intersection
over union)."""
SITE_MAX_KM = 200.0
"""A site (a weather station) farther than this from the data it serves is flagged [km]."""
LISTED = 5
"""Ids named at most in a warning."""
_GEOD = pyproj.Geod(ellps="GRS80")


@dataclass(frozen=True, eq=False)
class AreaOfInterest:
    """One county's outline (lon/lat, EPSG:4490) and the tolerances of the check.

    Parameters
    ----------
    geometry : shapely geometry
        Polygon or MultiPolygon in EPSG:4490.
    name : str
        What the area is (a county name), for messages.
    path : Path, optional
        The file it comes from.
    tolerance_m : float
        Features this close count as inside [m].
    """

    geometry: object
    name: str
    path: Path | None = None
    tolerance_m: float = TOLERANCE_M

    @functools.cached_property
    def _local(self):
        """(to-local, from-local) transforms of an equidistant projection centred on the area."""
        c = self.geometry.centroid
        local = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +ellps=GRS80 +units=m")
        fwd = pyproj.Transformer.from_crs(STORAGE_CRS, local, always_xy=True)
        back = pyproj.Transformer.from_crs(local, STORAGE_CRS, always_xy=True)
        return fwd, back, _project(self.geometry, fwd)

    @functools.cached_property
    def _coarse(self):
        """The area in local metres simplified by 100 m, prepared: for distances in km."""
        coarse = self._local[2].simplify(100.0)
        shapely.prepare(coarse)
        return coarse

    def within(self, metres):
        """The area grown by ``metres``, in lon/lat (prepared for fast tests)."""
        return _grown(self, float(metres))

    def distance_km(self, geoms):
        """Distance of each lon/lat geometry from the area [km] (0 inside; to 0.1 km)."""
        fwd = self._local[0]
        return shapely.distance(_project(np.asarray(geoms), fwd), self._coarse) / 1000.0

    @property
    def area_km2(self):
        return abs(_GEOD.geometry_area_perimeter(self.geometry)[0]) / 1e6


def _project(geoms, transformer):
    """Geometries with every coordinate passed through a pyproj transformer (vectorised)."""
    return shapely.transform(geoms, lambda c: np.column_stack(transformer.transform(c[:, 0], c[:, 1])))


@functools.lru_cache(maxsize=16)
def _grown(aoi, metres):
    _, back, local = aoi._local
    grown = (_project(local.simplify(metres / 40.0).buffer(metres, quad_segs=4), back) if metres > 0
             else aoi.geometry)
    shapely.prepare(grown)
    return grown


def from_frame(gdf, *, name=None, path=None, tolerance_m=TOLERANCE_M):
    """An area of interest from the polygons of a GeoDataFrame (any CRS).

    Raises
    ------
    HnGeoError
        ``ground.aoi_not_polygon``: the file holds no polygon.
    """
    geoms = gdf.to_crs(STORAGE_CRS).geometry
    polys = geoms[geoms.notna() & geoms.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polys.empty:
        raise HnGeoError(code="ground.aoi_not_polygon", path=path)
    geom = shapely.make_valid(shapely.union_all(polys.to_numpy()))
    if name is None:
        col = next((c for c in ("name", "名称", "NAME") if c in gdf.columns), None)
        name = str(gdf[col].iloc[0]) if col is not None and len(gdf) == 1 else (
            Path(path).stem if path is not None else "area of interest")
    return AreaOfInterest(geom, name, None if path is None else Path(path), tolerance_m)


def read_aoi(path, *, layer=None, assume_crs=None, tolerance_m=TOLERANCE_M):
    """The area of interest of a polygon file (GeoJSON, GeoPackage, Shapefile ...)."""
    return from_frame(read_file(path, layer=layer, assume_crs=assume_crs), path=path,
                      tolerance_m=tolerance_m)


@functools.lru_cache(maxsize=4)
def _default(path, mtime):
    return from_frame(read_file(path), path=path)


def default_aoi():
    """Haining: the ``boundary`` layer of the layers folder (``HN_GEO_LAYERS``), else the
    installed package's; None when neither exists."""
    candidates = [default_path("boundary")]
    try:
        candidates.append(Path(str(resources.files("hn_geo.layers"))) / "boundary.gpkg")
    except ModuleNotFoundError:  # pragma: no cover
        pass
    for p in candidates:
        if p.exists():
            return _default(p, p.stat().st_mtime)
    return None


def resolve(aoi):
    """The :class:`AreaOfInterest` meant by ``aoi``: None (Haining, the default), False (no
    check), a file, or an AreaOfInterest."""
    if aoi is False:
        return None
    if aoi is None:
        return default_aoi()
    if isinstance(aoi, AreaOfInterest):
        return aoi
    return read_aoi(aoi)


# ----------------------------------------------------------------------------- the check
def check_layer(gdf, schema, aoi=None, *, path=None):
    """Check a validated layer (EPSG:4490) against the area of interest.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
    schema : hn_geo.ground.catalog.LayerSchema
        Its ``aoi`` policy says how the features relate to the area.
    aoi : AreaOfInterest or str or Path or None or False
        See :func:`resolve`.
    path : optional
        The file, for messages.

    Warns
    -----
    HnGeoWarning
        ``ground.aoi_outside``: some features lie outside the area (counted, a few ids).

    Raises
    ------
    HnGeoError
        ``ground.aoi_none_inside`` (no feature in the area) or
        ``ground.aoi_boundary_mismatch`` (a boundary layer that is not the area).
    """
    area = resolve(aoi)
    if area is None or schema.aoi is None or len(gdf) == 0:
        return
    if schema.aoi == "area":
        _check_area(gdf, schema, area, path)
        return
    reach = area.tolerance_m if schema.aoi == "inside" else NEAR_M
    geoms = gdf.geometry.to_numpy()
    ok = _touches(geoms, area.within(reach))
    out = np.flatnonzero(~ok)
    if not out.size:
        return
    dist = area.distance_km(geoms[out])
    params = {"layer": schema.name, "n": int(out.size), "total": len(gdf), "aoi": area.name,
              "km": reach / 1000.0, "nearest": float(dist.min()), "farthest": float(dist.max())}
    if out.size == len(gdf):
        b = gdf.total_bounds
        raise HnGeoError(code="ground.aoi_none_inside", path=path, field="geometry",
                         params={**params, "bounds": f"{b[0]:.4f},{b[1]:.4f},{b[2]:.4f},{b[3]:.4f}"})
    ids = gdf[schema.id_field].iloc[out[:LISTED]].astype(str).tolist() if schema.id_field in gdf else []
    warnings.warn(HnGeoWarning("ground.aoi_outside", path=path, ids=ids,
                               more="…" if out.size > LISTED else "", **params), stacklevel=3)


def _touches(geoms, grown):
    """Whether each geometry meets ``grown`` (missing ones count as meeting it): the centre of
    its bounding box first (cheap, settles almost all), the whole geometry for the rest."""
    b = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        ok = shapely.is_missing(geoms) | shapely.intersects_xy(grown, (b[:, 0] + b[:, 2]) / 2,
                                                               (b[:, 1] + b[:, 3]) / 2)
    rest = np.flatnonzero(~ok)
    if rest.size:
        ok[rest] = shapely.intersects(geoms[rest], grown)
    return ok


def _check_area(gdf, schema, area, path):
    """A boundary layer must be the area: about its size and in its place."""
    geom = shapely.make_valid(shapely.union_all(gdf.geometry.dropna().to_numpy()))
    inter = abs(_GEOD.geometry_area_perimeter(shapely.intersection(geom, area.geometry))[0])
    mine = abs(_GEOD.geometry_area_perimeter(geom)[0])
    union = mine + area.area_km2 * 1e6 - inter
    overlap = inter / union if union > 0 else 0.0
    if overlap >= MIN_OVERLAP:
        return
    b = gdf.total_bounds
    raise HnGeoError(code="ground.aoi_boundary_mismatch", path=path, field="geometry",
                     params={"layer": schema.name, "n": len(gdf), "area_km2": mine / 1e6,
                             "aoi": area.name, "aoi_km2": area.area_km2, "pct": 100.0 * overlap,
                             "bounds": f"{b[0]:.4f},{b[1]:.4f},{b[2]:.4f},{b[3]:.4f}"})


def _mean_centre(frame):
    """Mean (lon, lat) [degrees] of the features' bounding-box centres, in the storage CRS.

    One vectorised pass over the bounds and one point reprojected: a million buildings cost
    about as little as ten.
    """
    b = shapely.bounds(frame.geometry.to_numpy())
    x, y = np.nanmean((b[:, 0] + b[:, 2]) / 2.0), np.nanmean((b[:, 1] + b[:, 3]) / 2.0)
    if frame.crs is not None:  # one point: the same CRS is a no-op transformation
        x, y = pyproj.Transformer.from_crs(frame.crs, STORAGE_CRS, always_xy=True).transform(x, y)
    return float(x), float(y)


def check_site(lat, lon, around, *, code="ground.weather_far", path=None, max_km=SITE_MAX_KM):
    """Flag a site (e.g. a weather station) far from the features it serves.

    Parameters
    ----------
    lat, lon : float
        The site [degrees].
    around : geopandas.GeoDataFrame
        The features (the mean of their bounding-box centres is compared).
    code : str
        Message code of the warning (``ground.weather_far``).
    path : optional
        The site's file.

    Returns
    -------
    float
        The distance [km].

    Warns
    -----
    HnGeoWarning
        ``code`` when the site is more than ``max_km`` away.
    """
    cx, cy = _mean_centre(around)
    km = _GEOD.inv(float(lon), float(lat), cx, cy)[2] / 1000.0
    if km > max_km:
        warnings.warn(HnGeoWarning(code, path=path, km=km, max_km=max_km,
                                   lat=float(lat), lon=float(lon), clat=cy, clon=cx), stacklevel=2)
    return km
