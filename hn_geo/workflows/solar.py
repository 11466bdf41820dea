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
from hn_geo.engines import cluster as engine_cluster
from hn_geo.engines import solar as dask_solar
from hn_geo.ground import buildings as _buildings  # noqa: F401  (registers the layer's preparer)
from hn_geo.ground.aoi import check_site
from hn_geo.ground.plan import plan_figure
from hn_geo.ground.rasters import read_dsm
from hn_geo.ground.weather import load_weather
from hn_geo.render.outputs import write_result
from hn_geo.render.plots import supply_curve_png
from hn_geo.solar import PVSystemConfig, RoofParams, dsm_roof_stats, rooftop_potential
from hn_geo.workflows.common import Outcome, check_engine, dataset_of, given, with_catalog_codes

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
        accepted = ["installed_mw", "target_mw", "homes_target", *ROOF_FIELDS, *SYSTEM_FIELDS]
        raise HnGeoError(code="solar.unknown_options", params={"bad": bad, "accepted": accepted},
                         field="options.solar")
    roof = {k: v for k, v in params.items() if k in ROOF_FIELDS}
    sysp = {k: v for k, v in params.items() if k in SYSTEM_FIELDS}
    if roof:
        roof_params = dataclasses.replace(roof_params or RoofParams(), **roof)
    if sysp:
        system = dataclasses.replace(system or PVSystemConfig(), **sysp)
    return roof_params, system


def run(inputs, out_dir, *, lang="zh", installed_mw=None, target_mw=None, homes_target=None,
        roof_params=None, system=None, engine=None, scheduler=None, **params):
    """Rooftop PV potential of the buildings layer, written to ``out_dir``.

    Parameters
    ----------
    inputs : hn_geo.ground.inputs.Inputs
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
    engine : {'memory', 'dask'}, optional
        ``dask``: partition by partition over the buildings dataset (:mod:`hn_geo.engines.solar`);
        the per-building results go to ``solar_buildings/`` (partitioned GeoParquet) instead of
        the GeoPackage. Default: in memory.
    scheduler : str, optional
        For ``engine='dask'``: ``threads`` (default), ``processes`` or ``tcp://host:port``.
    **params
        Fields of :class:`RoofParams` or :class:`PVSystemConfig` (``pitch_deg=30`` ...).

    Returns
    -------
    hn_geo.workflows.common.Outcome
    """
    roof_params, system = configs(roof_params, system, **params)
    weather = load_weather(inputs.file("weather"))
    dsm = inputs.file("dsm")
    plan = inputs.file("plan_targets")
    if target_mw is None:
        target_mw = plan_figure("pv_capacity", unit="MW", path=plan)
    if homes_target is None:
        homes_target = plan_figure("rooftop_pv_households", unit="homes", path=plan)
    if check_engine(engine) == "dask":
        if dsm is not None:
            raise HnGeoError(code="pipeline.engine_no_dsm", field="dsm")
        return _run_dask(inputs, Path(out_dir), lang, weather, scheduler,
                         given(installed_mw=installed_mw, target_mw=target_mw, homes_target=homes_target,
                               roof_params=roof_params, system=system))
    buildings = inputs.layer("buildings")
    check_site(weather.latitude, weather.longitude, buildings, path=inputs.file("weather"))
    dsm_stats = (dsm_roof_stats(buildings, read_dsm(dsm, around=buildings), **given(params=roof_params))
                 if dsm is not None else None)
    result = rooftop_potential(buildings, weather, target_mw=target_mw, homes_target=homes_target,
                               **given(installed_mw=installed_mw, roof_params=roof_params, system=system,
                                       dsm_stats=dsm_stats))
    out_dir = Path(out_dir)
    files = write_result(with_catalog_codes(result), out_dir, lang=lang)
    files.append(_chart(result, out_dir, lang))
    return Outcome(result, files)


def _chart(result, out_dir, lang):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="matplotlib")  # glyph warnings
        return supply_curve_png(result, out_dir / "solar_supply_curve.png", lang=lang)


def _run_dask(inputs, out_dir, lang, weather, scheduler, options):
    """The dask engine over the buildings dataset (the embedded layer is a dataset of one part)."""
    ddf = dataset_of(inputs, "buildings")
    if ddf.spatial_partitions is not None:  # the parts' bounding boxes stand for the buildings
        check_site(weather.latitude, weather.longitude, gpd.GeoDataFrame(geometry=ddf.spatial_partitions),
                   path=inputs.file("weather"))
    with engine_cluster.scheduler(scheduler) as client:
        result, parts = dask_solar.rooftop_potential(ddf, weather, out_dir=out_dir, lang=lang, client=client,
                                                     **options)
    files = write_result(with_catalog_codes(result), out_dir, lang=lang)
    points = result.meta.pop("supply_points")
    chart = dataclasses.replace(result, layers={"buildings": points})
    return Outcome(result, files + parts + [_chart(chart, out_dir, lang)])
