"""Solar from a surface model: rasters (COG), roof segments and per-building figures.

Inputs: the DSM ``inputs.file('dsm')`` (GeoTIFF, projected metre CRS; without one a
synthetic DSM of a demo district is built, :mod:`hn_geo.ground.dsm_demo`), the
``buildings`` layer (footprints for the roof mask and segments), the weather
``inputs.file('weather')``.

Outputs in ``out_dir``: Cloud-Optimised GeoTIFFs in the DSM's CRS -- ``slope_aspect.tif``,
``horizon.tif`` (one band per direction), ``sky_view.tif``, ``irradiation.tif`` (annual,
then 12 months, kWh/m²), ``shade.tif`` (12 x 24 bands, % of days shaded), ``roofs.tif``
(roof mask) and ``dsm.tif`` when synthetic -- the tables ``solar_segments`` and
``solar_roofs`` (CSV, ``solar.xlsx``) and the layer ``roof_segments``
(``solar_layers.gpkg``).

The DSM is processed in tiles of ``tile_px`` with a halo of the search radius, so a DSM far
larger than memory is read and written window by window.
"""
from __future__ import annotations

import dataclasses
import warnings
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio import features

from hn_geo import vocabulary
from hn_geo.core import threads
from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.results import AnalysisResult, Msg, notes_table
from hn_geo.core.settings import STORAGE_CRS
from hn_geo.ground import rasters as ground_rasters
from hn_geo.ground.dsm_demo import demo_dsm
from hn_geo.ground.weather import load_weather
from hn_geo.render.outputs import write_result
from hn_geo.render.rasters import CogWriter, finish_all
from hn_geo.solar import PVSystemConfig, RoofParams
from hn_geo.solar.rasters import (
    RasterParams,
    SegmentParams,
    plan_tiles,
    product_bands,
    roof_segments,
    sun_tables,
    surface_tile,
)
from hn_geo.workflows.common import Outcome, given

PRODUCTS = {  # name: (dtype, nodata, unit code, scale, resampling)
    "slope_aspect": ("float32", np.nan, "degree", None, "average"),
    "horizon": ("int16", -32768, "degree", 0.01, "average"),
    "sky_view": ("float32", np.nan, "ratio", None, "average"),
    "irradiation": ("float32", np.nan, "kwh_per_m2", None, "average"),
    "shade": ("uint8", 255, "pct", None, "nearest"),
    "roofs": ("uint8", None, "code", None, "nearest"),
}
CODES = {"roof_kind": "roof_type", "orientation": "solar.orientation", "mount": "solar.mount",
         "roof_type_used": "roof_type", "product": "solar.raster_product", "unit": "solar.unit",
         "building_type": "building_type"}
CACHE_MB = 256
"""GDAL block cache while the tiles are written [MB] (bounds memory next to the tiles)."""
RASTER_FIELDS = tuple(f.name for f in dataclasses.fields(RasterParams))
SEGMENT_FIELDS = tuple(f.name for f in dataclasses.fields(SegmentParams))


def band_words(name, codes, lang):
    """Band descriptions of a product in the output language."""
    out = []
    for c in codes:
        if c.startswith("horizon_"):
            out.append(vocabulary.ui("band_horizon", lang, scope="solar", azimuth=float(c[8:])))
        elif c.startswith("month_"):
            out.append(vocabulary.ui("band_month", lang, scope="solar", month=int(c[6:])))
        elif c.startswith("shade_"):
            out.append(vocabulary.ui("band_shade", lang, scope="solar", month=int(c[6:8]), hour=int(c[9:])))
        else:
            out.append(vocabulary.ui(f"band_{c}", lang, scope="solar"))
    return out


def _writers(out_dir, source, params, lang, synthetic, threads=2):
    bands = product_bands(params)
    bands["roofs"] = ["roof"]
    if synthetic:
        bands = {"dsm": ["dsm"], **bands}
    writers = {}
    for name, codes in bands.items():
        dtype, nodata, unit, scale, resampling = PRODUCTS.get(name, ("float32", np.nan, "metre", None, "average"))
        writers[name] = CogWriter(Path(out_dir) / f"{name}.tif", source.height, source.width, source.transform,
                                  source.crs, band_words(name, codes, lang), dtype=dtype, nodata=nodata,
                                  units=vocabulary.ui(f"unit_{unit}", lang, scope="solar"), scale=scale,
                                  resampling=resampling, threads=threads)
    return writers, bands


def _roof_mask(footprints, tile, transform):
    t = transform * transform.translation(tile.col0, tile.row0)
    if not len(footprints):
        return np.zeros((1, tile.rows, tile.cols), np.uint8)
    return features.rasterize(((g, 1) for g in footprints), out_shape=(tile.rows, tile.cols), transform=t,
                              fill=0, dtype="uint8")[None]


def _tile_out(source, tables, params, footprints, synthetic, tile, z):
    out = surface_tile(z, source.res, tables, params, halo_px=tile.halo,
                       outside=_outside(tile, source.height, source.width))
    out["roofs"] = _roof_mask(footprints, tile, source.transform)
    if synthetic:
        out["dsm"] = z[None, tile.halo:tile.halo + tile.rows, tile.halo:tile.halo + tile.cols]
    return out


def raster_pass(source, tables, params, footprints, out_dir, lang, synthetic=False, workers=None):
    """Every tile: read with halo, compute, write its core into each product. Returns
    ``({product: path}, counts)``.

    Tiles are read and written by this thread (one file handle) and computed by ``workers``
    threads (numpy and GDAL work outside Python's lock; default: the CPUs, at most 2), at
    most ``workers`` tiles in memory at a time; the COG conversions run ``workers`` at a time.
    """
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    workers = max(1, int(workers or min(2, threads.workers())))
    writers, _ = _writers(out_dir, source, params, lang, synthetic, workers)
    counts = {"filled": 0, "nodata": 0, "near_gap": 0, "tiles": 0}
    pending = deque()

    def drain(limit):
        while len(pending) > limit:
            tile, future = pending.popleft()
            out = future.result()
            for k, v in out.pop("counts").items():
                counts[k] += v
            counts["tiles"] += 1
            for name, w in writers.items():
                w.write(tile.row0, tile.col0, out[name])

    try:
        with ThreadPoolExecutor(workers) as pool, rasterio.Env(GDAL_CACHEMAX=CACHE_MB):
            for tile in plan_tiles(source.height, source.width, source.res, params):
                z = source.read(*tile.read_window)
                pending.append((tile, pool.submit(_tile_out, source, tables, params, footprints, synthetic,
                                                  tile, z)))
                drain(workers - 1)
            drain(0)
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    return finish_all(writers, workers), counts


def _outside(tile, height, width):
    r0, c0, rows, cols = tile.read_window
    r, c = np.arange(r0, r0 + rows)[:, None], np.arange(c0, c0 + cols)[None, :]
    return (r < 0) | (r >= height) | (c < 0) | (c >= width)


def _groups(footprints, source, params):
    """Footprints grouped by the tile holding their centroid, with the pixel window of each group."""
    inv = ~source.transform
    c = shapely.centroid(np.asarray(footprints))
    col, row = inv * (shapely.get_x(c), shapely.get_y(c))
    key = (np.floor(np.asarray(row) / params.tile_px) * 1e6 + np.floor(np.asarray(col) / params.tile_px))
    for k in np.unique(key):
        idx = np.flatnonzero(key == k)
        x0, y0, x1, y1 = shapely.total_bounds(np.asarray(footprints)[idx])
        cols_, rows_ = zip(*(inv * (x, y) for x, y in ((x0, y1), (x1, y0))))
        r0, c0 = max(int(np.floor(min(rows_))) - 1, 0), max(int(np.floor(min(cols_))) - 1, 0)
        r1 = min(int(np.ceil(max(rows_))) + 1, source.height)
        c1 = min(int(np.ceil(max(cols_))) + 1, source.width)
        yield idx, (r0, c0, r1 - r0, c1 - c0)


def segment_pass(footprints, ids, files, source, weather, tables, params, segment_params, roof_params,
                 system):
    """Roof segments of every footprint, group by group, from the written rasters."""
    n = len(footprints)
    segs, geoms, blds = [], [], []
    optimum = None
    for idx, (r0, c0, rows, cols) in _groups(footprints, source, params):
        if rows <= 0 or cols <= 0:
            continue
        sa = ground_rasters.read_window(files["slope_aspect"], r0, c0, rows, cols)
        annual = ground_rasters.read_window(files["irradiation"], r0, c0, rows, cols, bands=1)
        t = source.transform * source.transform.translation(c0, r0)
        rs = roof_segments([footprints[i] for i in idx], [ids[i] for i in idx],
                           {"slope": sa[0], "aspect": sa[1], "annual": annual}, t, source.res, weather, tables,
                           params=segment_params, roof_params=roof_params, system=system)
        segs.append(rs.segments)
        geoms += rs.geometry
        blds.append(rs.buildings.set_index(pd.Index(idx)))
        optimum = rs.optimum
    seg = pd.concat(segs, ignore_index=True) if segs else pd.DataFrame()
    bld = pd.concat(blds).reindex(range(n)) if blds else pd.DataFrame(index=range(n))
    if blds:
        bld["building_id"] = list(ids)
        bld["dsm_pixels"] = bld["dsm_pixels"].fillna(0).astype(int)
    return seg, geoms, bld, optimum


def options(raster_params=None, segment_params=None, **params):
    """:class:`RasterParams` and :class:`SegmentParams` with the given fields changed; the other
    options (fields of RoofParams/PVSystemConfig) are returned as they are."""
    params = given(**params)
    rp = {k: params.pop(k) for k in list(params) if k in RASTER_FIELDS}
    sp = {k: params.pop(k) for k in list(params) if k in SEGMENT_FIELDS}
    try:
        raster_params = dataclasses.replace(raster_params or RasterParams(), **rp)
        segment_params = dataclasses.replace(segment_params or SegmentParams(), **sp)
    except ValueError as exc:
        raise HnGeoError(code="solar.bad_raster_option", params={"detail": str(exc)}, field="options") from exc
    return raster_params, segment_params, params


def _configs(roof_params, system, params):
    roof_fields = {f.name for f in dataclasses.fields(RoofParams)}
    sys_fields = {f.name for f in dataclasses.fields(PVSystemConfig)}
    bad = sorted(set(params) - roof_fields - sys_fields)
    if bad:
        accepted = sorted(roof_fields | sys_fields | set(RASTER_FIELDS) | set(SEGMENT_FIELDS))
        raise HnGeoError(code="solar.unknown_options", params={"bad": bad, "accepted": accepted}, field="options")
    roof = {k: v for k, v in params.items() if k in roof_fields}
    sysp = {k: v for k, v in params.items() if k in sys_fields}
    return (dataclasses.replace(roof_params or RoofParams(), **roof) if roof else roof_params,
            dataclasses.replace(system or PVSystemConfig(), **sysp) if sysp else system)


def _source(inputs, buildings):
    """The DSM source, the buildings on it (in the DSM's CRS) and the facts of a synthetic DSM."""
    path = inputs.file("dsm")
    if path is None:
        raster, inside, facts = demo_dsm(buildings)
        return ground_rasters.ArraySource(raster), inside, facts
    src = ground_rasters.DsmSource(path)
    x0, y1 = src.transform * (0, 0)
    x1, y0 = src.transform * (src.width, src.height)
    geoms = buildings.geometry.to_crs(src.crs).values
    on = shapely.intersects(np.asarray(geoms), shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    return src, buildings[on], None


def _notes(source, params, segment_params, roof_params, counts, optimum, facts, n_buildings, weather):
    notes = []
    if facts is not None:
        x0, y0, x1, y1 = facts["bounds"]
        notes.append(Msg("solar.note_dsm_synthetic", buildings=facts["buildings"], trees=facts["trees"],
                         courtyards=facts["courtyards"], x0=x0, y0=y0, x1=x1, y1=y1, seed=facts["seed"]))
    else:
        notes.append(Msg("solar.note_dsm_file", source=source.source, rows=source.height, cols=source.width,
                         res=source.res))
    notes += [Msg("solar.note_weather", source=weather.source),
              Msg("solar.note_raster_method", directions=params.n_directions, radius=params.search_radius_m,
                  dense=params.dense_m, growth=params.growth * 100, bin=params.bin_deg, tiles=counts["tiles"])]
    if counts["filled"] or counts["nodata"] or counts["near_gap"]:
        notes.append(Msg("solar.note_raster_gaps", filled=counts["filled"], nodata=counts["nodata"],
                         near=counts["near_gap"], radius=params.search_radius_m, fill=params.fill_holes_m))
    if optimum is not None:
        notes.append(Msg("solar.note_optimum", tilt=optimum[0], azimuth=optimum[1], kwh=round(optimum[2], 1)))
    sp = segment_params
    notes += [Msg("solar.note_segments", share=sp.min_share * 100, slope=sp.max_slope_deg, area=sp.min_area_m2,
                  flat=sp.flat_deg, lo=sp.north_exclusion[0], hi=sp.north_exclusion[1], sieve=sp.sieve_m2),
              Msg("solar.note_panels", length=sp.module_length_m, width=sp.module_width_m, setback=sp.setback_m,
                  density=roof_params.module_density_kwp_m2, tilt=roof_params.rack_tilt_deg),
              Msg("solar.note_segment_buildings", n=n_buildings)]
    return notes


def _tables(seg, bld, buildings, files, bands):
    meta = buildings.reset_index(drop=True)
    for c in ("town", "building_type"):
        bld.insert(1, c, meta[c].to_numpy() if c in meta.columns else None)
    rows = [{"product": name, "file": Path(p).name, "bands": len(bands[name]),
             "unit": PRODUCTS.get(name, (None, None, "metre"))[2]} for name, p in files.items()]
    return bld, pd.DataFrame(rows)


def compute(inputs, out_dir, *, lang="zh", weather=None, buildings=None, raster_params=None,
            segment_params=None, roof_params=None, system=None, workers=None):
    """Rasters, segments and per-building figures of the inputs' DSM (or the demo DSM).

    ``workers``: threads computing tiles and converting COGs (default: the CPUs, at most 2).

    Returns
    -------
    (AnalysisResult, dict)
        The result (name 'solar'; tables ``solar_segments``, ``solar_roofs``,
        ``solar_rasters``, ``solar_notes``; layer ``roof_segments``; ``meta['rasters']``:
        product -> file) and the per-building figures aligned with ``buildings``
        (``figures``) for :func:`hn_geo.solar.rooftop_potential`.
    """
    params, segment_params = raster_params or RasterParams(), segment_params or SegmentParams()
    roof_params, system = roof_params or RoofParams(), system or PVSystemConfig()
    buildings = inputs.layer("buildings") if buildings is None else buildings
    weather = weather or load_weather(inputs.file("weather"))
    source, on, facts = _source(inputs, buildings)
    with source:
        fps = list(on.geometry.to_crs(source.crs).values)
        ids = on["building_id"].astype(str).tolist() if "building_id" in on.columns else [str(i) for i in on.index]
        tables = sun_tables(weather, n_directions=params.n_directions, bin_deg=params.bin_deg,
                            transposition=system.transposition, albedo=system.albedo)
        files, counts = raster_pass(source, tables, params, fps, out_dir, lang, synthetic=facts is not None,
                                    workers=workers)
        seg, geoms, bld, optimum = segment_pass(fps, ids, files, source, weather, tables, params,
                                                segment_params, roof_params, system)
        crs = source.crs
    if counts["nodata"] or counts["near_gap"]:
        warnings.warn(HnGeoWarning("solar.dsm_gaps", n=counts["nodata"], filled=counts["filled"],
                                   near=counts["near_gap"]), stacklevel=2)
    bands = {**product_bands(params), "roofs": ["roof"], "dsm": ["dsm"]}
    roofs_tab, files_tab = _tables(seg, bld.copy(), on, files, bands)
    layer = gpd.GeoDataFrame(seg, geometry=geoms, crs=crs).to_crs(STORAGE_CRS) if len(seg) else \
        gpd.GeoDataFrame(seg, geometry=[], crs=STORAGE_CRS)
    if facts is not None:
        layer["approximate"] = True
    notes = _notes(source, params, segment_params, roof_params, counts, optimum, facts, len(on), weather)
    result = AnalysisResult(
        name="solar",
        tables={"solar_segments": seg, "solar_roofs": roofs_tab, "solar_rasters": files_tab,
                "solar_notes": notes_table(notes)},
        layers={"roof_segments": layer}, codes=dict(CODES), notes=notes,
        meta={"synthetic": facts is not None, "rasters": {k: str(v) for k, v in files.items()}})
    full = bld.reindex(range(len(on)))
    figures = pd.DataFrame(index=buildings.index).join(full.set_index(on.index)) if len(on) else None
    return result, figures


def run(inputs, out_dir, *, lang="zh", roof_params=None, system=None, raster_params=None, segment_params=None,
        workers=None, **params):
    """Rasters, roof segments and per-building PV figures from a DSM, written to ``out_dir``.

    Parameters
    ----------
    inputs : hn_geo.ground.inputs.Inputs
        ``file('dsm')`` (the demo DSM without it), ``layer('buildings')``, ``file('weather')``.
    out_dir : str or Path
    lang : {'zh', 'en'}
    roof_params, system, raster_params, segment_params : optional
        :class:`~hn_geo.solar.RoofParams`, :class:`~hn_geo.solar.PVSystemConfig`,
        :class:`~hn_geo.solar.rasters.RasterParams`, :class:`~hn_geo.solar.rasters.SegmentParams`.
    workers : int, optional
        Threads computing tiles and converting COGs (default: the CPUs, at most 2).
    **params
        Fields of any of them (``search_radius_m=150``, ``n_directions=64``, ``setback_m=1`` ...).

    Returns
    -------
    hn_geo.workflows.common.Outcome
    """
    raster_params, segment_params, rest = options(raster_params, segment_params, **params)
    roof_params, system = _configs(roof_params, system, rest)
    out_dir = Path(out_dir)
    result, _ = compute(inputs, out_dir, lang=lang, raster_params=raster_params, segment_params=segment_params,
                        roof_params=roof_params, system=system, workers=workers)
    files = [Path(p) for p in result.meta["rasters"].values()]
    files += write_result(result, out_dir, lang=lang)
    return Outcome(result, files)
