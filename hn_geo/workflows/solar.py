"""Rooftop PV potential: load the inputs, run :func:`hn_geo.solar.rooftop_potential`, write.

Inputs: the ``buildings`` layer (``inputs.layer``; Chinese building types such as 住宅 are
mapped by :mod:`hn_geo.ground.buildings`), the weather file ``inputs.file('weather')`` (EPW,
TMY3 or PVGIS; the embedded Haining year otherwise), the optional roof surface model
``inputs.file('dsm')`` and the plan's targets ``inputs.file('plan_targets')`` (the embedded
plan by default), which give the capacity target (``pv_capacity``, 180 万千瓦 = 1,800 MW) and
the household programme (``rooftop_pv_households``, 1 万户 = 10,000 homes) unless the
options give them.

Outputs in ``out_dir``: the tables (CSV, ``solar.xlsx``), the per-building layer
(``solar_layers.gpkg``) and the supply-curve chart ``solar_supply_curve.png``.
"""
from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import geopandas as gpd

from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import Msg, notes_table
from hn_geo.ground import buildings as _buildings  # noqa: F401  (registers the layer's preparer)
from hn_geo.ground.aoi import check_site
from hn_geo.ground.plan import plan_figure
from hn_geo.ground.pv_economics import load_pv_economics
from hn_geo.ground.weather import load_weather
from hn_geo.render.outputs import write_result
from hn_geo.render.plots import lcoe_curve_png, supply_curve_png
from hn_geo.solar import PVSystemConfig, RoofParams, rooftop_potential
from hn_geo.solar.economics import EconomicParams
from hn_geo.solar.programme import programme
from hn_geo.workflows import solar_rasters
from hn_geo.workflows.common import Outcome, check_engine, dataset_of, given, with_catalog_codes

RASTERS = ("dsm", "demo", "none")
"""Values of the ``rasters`` option: the given DSM, the synthetic demo district, none."""

ROOF_FIELDS = tuple(f.name for f in dataclasses.fields(RoofParams))
SYSTEM_FIELDS = tuple(f.name for f in dataclasses.fields(PVSystemConfig))


def configs(roof_params=None, system=None, **params):
    """:class:`RoofParams` and :class:`PVSystemConfig` with the given fields changed.

    Parameters
    ----------
    roof_params : RoofParams, optional
    system : PVSystemConfig, optional
    **params
        Fields of either (``module_density_kwp_m2=0.2``, ``transposition='haydavies'`` ...);
        None values are "not given".

    Returns
    -------
    (RoofParams or None, PVSystemConfig or None)
        None when neither the object nor any of its fields was given.

    Raises
    ------
    HnGeoError
        An option that is a field of neither.
    """
    params = given(**params)
    bad = sorted(set(params) - set(ROOF_FIELDS) - set(SYSTEM_FIELDS))
    if bad:
        accepted = ["installed_mw", "target_mw", "homes_target", "rasters", *ROOF_FIELDS, *SYSTEM_FIELDS,
                    *solar_rasters.RASTER_FIELDS, *solar_rasters.SEGMENT_FIELDS]
        raise HnGeoError(code="solar.unknown_options", params={"bad": bad, "accepted": accepted},
                         field="options.solar")
    roof = {k: v for k, v in params.items() if k in ROOF_FIELDS}
    sysp = {k: v for k, v in params.items() if k in SYSTEM_FIELDS}
    if roof:
        roof_params = dataclasses.replace(roof_params or RoofParams(), **roof)
    if sysp:
        system = dataclasses.replace(system or PVSystemConfig(), **sysp)
    return roof_params, system


def _rasters_mode(rasters, dsm):
    mode = rasters or ("dsm" if dsm is not None else "none")
    if mode not in RASTERS or (mode == "dsm" and dsm is None):
        raise HnGeoError(code="solar.bad_rasters_option", params={"value": rasters, "known": list(RASTERS)},
                         field="options.solar.rasters")
    return "dsm" if dsm is not None and mode != "none" else mode


def _merge(result, extra):
    """The solar result with the surface-model tables, layer, notes and rasters added."""
    tables = {k: v for k, v in result.tables.items() if k != "solar_notes"}
    tables.update({k: v for k, v in extra.tables.items() if k != "solar_notes"})
    notes = list(result.notes) + list(extra.notes)
    tables["solar_notes"] = notes_table(notes)
    return dataclasses.replace(result, tables=tables, layers={**result.layers, **extra.layers},
                               codes={**extra.codes, **result.codes}, notes=notes,
                               meta={**result.meta, "rasters": extra.meta["rasters"],
                                     "rasters_synthetic": extra.meta["synthetic"]})


def run(inputs, out_dir, *, lang="zh", installed_mw=None, target_mw=None, homes_target=None,
        roof_params=None, system=None, rasters=None, engine=None, scheduler=None, **params):
    """Rooftop PV potential of the buildings layer, written to ``out_dir``.

    Parameters
    ----------
    inputs : hn_geo.ground.inputs.Inputs
        Also ``file('dsm')`` (surface model) and ``file('economics')`` (programme rules and
        economics, ``hn_geo/data/pv_economics.yaml`` by default).
    out_dir : str or Path
    lang : {'zh', 'en'}
        Language of the outputs.
    installed_mw : float, optional
        PV already grid-connected [MW] (default: the analysis' 0).
    target_mw : float, optional
        Capacity target [MW] (default: the plan's ``pv_capacity``, 1,800 MW).
    homes_target : float, optional
        Household systems targeted [homes] (default: the plan's ``rooftop_pv_households``,
        10,000).
    roof_params : RoofParams, optional
    system : PVSystemConfig, optional
    rasters : {'dsm', 'demo', 'none'}, optional
        Surface-model rasters (:mod:`hn_geo.workflows.solar_rasters`, written to
        ``out_dir/rasters``): with a DSM they are computed and its per-building figures replace
        the orientation classes; 'demo' computes them for the synthetic demo district only
        (the potential keeps the footprint method); default: 'dsm' with a DSM, else 'none'.
    engine : {'memory', 'dask'}, optional
        ``dask``: partition by partition over the buildings dataset (:mod:`hn_geo.engines.solar`);
        the per-building results go to ``solar_buildings/`` (partitioned GeoParquet) instead of
        the GeoPackage; no surface model. Default: in memory.
    scheduler : str, optional
        For ``engine='dask'``: ``threads`` (default), ``processes`` or ``tcp://host:port``.
    **params
        Fields of :class:`RoofParams`, :class:`PVSystemConfig`,
        :class:`~hn_geo.solar.rasters.RasterParams` or :class:`~hn_geo.solar.rasters.SegmentParams`.

    Returns
    -------
    hn_geo.workflows.common.Outcome
    """
    raster_params, segment_params, params = solar_rasters.options(**params)
    roof_params, system = configs(roof_params, system, **params)
    weather = load_weather(inputs.file("weather"))
    mode = _rasters_mode(rasters, inputs.file("dsm"))
    out_dir = Path(out_dir)
    plan = inputs.file("plan_targets")
    if target_mw is None:
        target_mw = plan_figure("pv_capacity", unit="MW", path=plan)
    if homes_target is None:
        homes_target = plan_figure("rooftop_pv_households", unit="homes", path=plan)
    if check_engine(engine) == "dask":
        if mode != "none":
            raise HnGeoError(code="pipeline.engine_no_dsm", field="dsm")
        return _run_dask(inputs, out_dir, lang, weather, scheduler,
                         given(installed_mw=installed_mw, target_mw=target_mw, homes_target=homes_target,
                               roof_params=roof_params, system=system))
    buildings = inputs.layer("buildings")
    check_site(weather.latitude, weather.longitude, buildings, path=inputs.file("weather"))
    extra, figures = None, None
    if mode != "none":
        extra, figures = solar_rasters.compute(
            inputs, out_dir / "rasters", lang=lang, weather=weather, buildings=buildings,
            raster_params=raster_params, segment_params=segment_params, roof_params=roof_params, system=system)
    result = rooftop_potential(buildings, weather, target_mw=target_mw, homes_target=homes_target,
                               **given(installed_mw=installed_mw, roof_params=roof_params, system=system,
                                       dsm_figures=figures if mode == "dsm" else None))
    eco = load_pv_economics(inputs.file("economics"), lang=lang)
    pilot = eco["pilot"]
    result = programme(result, buildings, economics=EconomicParams.from_mapping(eco["economics"]),
                       mapping=pilot.get("categories"), shares=pilot.get("shares"),
                       source=str(pilot.get("source", "")))
    if extra is not None:
        result = _merge(result, extra)
    files = [Path(p) for p in (extra.meta["rasters"].values() if extra is not None else ())]
    files += write_result(with_catalog_codes(result), out_dir, lang=lang)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="matplotlib")  # glyph warnings
        files.append(supply_curve_png(result, out_dir / "solar_supply_curve.png", lang=lang))
        files.append(lcoe_curve_png(result, out_dir / "solar_lcoe_curve.png", lang=lang))
    return Outcome(result, files)


def _chart(result, out_dir, lang):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="matplotlib")  # glyph warnings
        return supply_curve_png(result, out_dir / "solar_supply_curve.png", lang=lang)


def _run_dask(inputs, out_dir, lang, weather, scheduler, options):
    """The dask engine over the buildings dataset (the embedded layer is a dataset of one part)."""
    from hn_geo.engines import cluster as engine_cluster  # dask only when its engine runs
    from hn_geo.engines import solar as dask_solar

    ddf = dataset_of(inputs, "buildings")
    if ddf.spatial_partitions is not None:  # the parts' bounding boxes stand for the buildings
        check_site(weather.latitude, weather.longitude, gpd.GeoDataFrame(geometry=ddf.spatial_partitions),
                   path=inputs.file("weather"))
    with engine_cluster.scheduler(scheduler) as client:
        result, parts = dask_solar.rooftop_potential(ddf, weather, out_dir=out_dir, lang=lang, client=client,
                                                     **options)
    # the 整县推进 table and the economics need every building in memory: said in a note
    result = dataclasses.replace(result, notes=[*result.notes, Msg("solar.note_programme_memory_only")])
    if "solar_notes" in result.tables:
        result.tables["solar_notes"] = notes_table(result.notes)
    files = write_result(with_catalog_codes(result), out_dir, lang=lang)
    points = result.meta.pop("supply_points")
    chart = dataclasses.replace(result, layers={"buildings": points})
    return Outcome(result, files + parts + [_chart(chart, out_dir, lang)])
