"""Rooftop PV of N real-shaped buildings from a GeoParquet file: `hn-geo solar potential` vs geopandas + pvlib.

Cases (each in a fresh process, see ``benchmarks/harness.py``):

* ``hn_geo``: the command a user runs, ``hn-geo solar potential FILE --out DIR``, in-process
  (click's ``main``); read = ``load_layer`` of the file (read + validation) and the weather,
  compute = the analysis as the workflow calls it, write = ``write_result`` (CSV tables,
  ``solar.xlsx``, the per-building ``solar_layers.gpkg``) and the supply-curve PNG.
* ``baseline``: what a competent user would write: ``geopandas.read_parquet``, ``to_crs``
  EPSG:4549, areas and minimum rotated rectangles (ridge along the long side), one
  ``pvlib.modelchain.ModelChain`` (PVWatts DC/AC, SAPM cell temperature, physical IAM, Perez)
  per (tilt, azimuth) orientation class, per-building capacity and energy, per-town and
  per-type sums and the supply curve, the per-building layer written with
  ``pyogrio.write_dataframe(use_arrow=True)`` and the tables as CSV.

The buildings are the embedded layer's generator (``scripts/build_buildings.py``: 5-12
vertices, L/T/U/E shapes, courtyards; no rectangle) run for N footprints without the overlap
check. Goal (issue 17): N = 1,000,000 in <= 12 s for the whole ``hn-geo solar potential``
process on this 2-core machine.

Usage::

    python benchmarks/solar.py                          # 10k, 100k, 1M
    python benchmarks/solar.py --n 1000000 3000000 --repeat 3
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import harness

WEATHER_CSV = "weather_default.csv"


def prepare(n):
    harness.buildings_file(n)

    def make(path):
        from hn_geo.ground.weather import default_weather

        default_weather().data.to_csv(path)

    harness.cached(WEATHER_CSV, make)


def hn_geo(n, out):
    """``hn-geo solar potential FILE --out OUT`` in this process, phases timed."""
    from hn_geo.cli import main as cli
    from hn_geo.ground.inputs import Inputs
    from hn_geo.workflows import solar as workflow

    ph = harness.Phases()
    ph.wrap(Inputs, "layer", "read")
    ph.wrap(workflow, "load_weather", "read")
    ph.wrap(workflow, "write_result", "write")
    ph.wrap(workflow, "supply_curve_png", "write")
    outcomes, run = [], workflow.run

    def keep(*args, **kwargs):
        outcomes.append(run(*args, **kwargs))
        return outcomes[-1]

    workflow.run = keep
    t0 = time.perf_counter()
    ph.start()
    cli.main(["solar", "potential", str(harness.buildings_file(n)), "--out", str(out)], standalone_mode=False)
    res = ph.result(time.perf_counter() - t0)
    result = outcomes[0].result
    fig = {f.code.split(".", 1)[1]: f.value for f in result.figures}
    res.update(buildings=len(result.layers["buildings"]), classes=len(result.tables["solar_classes"]),
               mw=fig["potential_mw"], gwh=fig["potential_gwh_year"], out_mb=harness.out_size(out) / 1e6)
    return res


# ----------------------------------------------------------------------------- the baseline
USABLE = {"residential": 0.5, "industrial": 0.8, "public": 0.6, "commercial": 0.55}
GCR, DENSITY, PITCH, RACK = 0.71, 0.22, 25.0, 20.0


def _yields(weather, classes):
    import pvlib

    loc = pvlib.location.Location(30.51, 120.68, tz="Etc/GMT-8", altitude=5)
    temp = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]
    out = []
    for tilt, az in zip(classes["tilt"], classes["az"]):
        system = pvlib.pvsystem.PVSystem(
            surface_tilt=tilt, surface_azimuth=az, module_parameters={"pdc0": 1.0, "gamma_pdc": -0.0035},
            inverter_parameters={"pdc0": 1.0 / 1.1, "eta_inv_nom": 0.96},
            temperature_model_parameters=temp["open_rack_glass_polymer" if tilt == RACK else
                                              "close_mount_glass_glass"])
        mc = pvlib.modelchain.ModelChain(system, loc, aoi_model="physical", spectral_model="no_loss",
                                         transposition_model="perez", losses_model="pvwatts")
        mc.run_model(weather)
        out.append(float(mc.results.ac.clip(lower=0).sum()))  # kWh per kWp (hourly data)
    return out


def baseline(n, out):
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import pyogrio
    import shapely

    lap = harness.stopwatch()
    gdf = gpd.read_parquet(harness.buildings_file(n))
    weather = pd.read_csv(harness.DATA / WEATHER_CSV, index_col=0, parse_dates=True)
    lap("read")
    m = gdf.to_crs("EPSG:4549")
    area = m.area.to_numpy()
    corners = shapely.get_coordinates(m.geometry.minimum_rotated_rectangle().values).reshape(-1, 5, 2)
    e1, e2 = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 1]
    long = np.where((np.hypot(*e1.T) >= np.hypot(*e2.T))[:, None], e1, e2)
    ridge = np.degrees(np.arctan2(long[:, 0], long[:, 1])) % 180
    pitched = (gdf["roof_type"] == "pitched").to_numpy()
    south = (ridge + 90) % 360
    south = np.where(np.abs(south - 180) <= 90, south, (south + 180) % 360)  # the plane facing south
    az = np.where(pitched, np.round(south / 5) * 5 % 360, 180.0)
    tilt = np.where(pitched, PITCH, RACK)
    classes = pd.DataFrame({"tilt": tilt, "az": az}).drop_duplicates().reset_index(drop=True)
    classes["kwh_per_kwp"] = _yields(weather, classes)
    frac = gdf["building_type"].map(USABLE).to_numpy()
    module = np.where(pitched, area / np.cos(np.radians(PITCH)) / 2 * frac * 0.9, area * frac * GCR)
    kwp = np.where(module >= 10, module * DENSITY, 0.0)
    res = pd.DataFrame({"building_id": gdf["building_id"], "town": gdf["town"],
                        "building_type": gdf["building_type"], "tilt": tilt, "az": az, "kwp": kwp})
    res = res.merge(classes, on=["tilt", "az"], how="left")
    res["kwh"] = res["kwp"] * res["kwh_per_kwp"]
    towns = res.groupby("town")[["kwp", "kwh"]].sum()
    types = res.groupby("building_type")[["kwp", "kwh"]].sum()
    curve = res[res["kwp"] > 0].sort_values("kwh_per_kwp", ascending=False)
    curve = pd.DataFrame({"kwh_per_kwp": curve["kwh_per_kwp"], "cum_mw": curve["kwp"].cumsum() / 1000})
    lap("compute")
    Path(out).mkdir(parents=True)
    layer = gpd.GeoDataFrame(res, geometry=gdf.geometry.values, crs=gdf.crs)
    pyogrio.write_dataframe(layer, Path(out) / "solar.gpkg", layer="buildings", use_arrow=True)
    for name, df in (("towns", towns), ("types", types), ("classes", classes)):
        df.to_csv(Path(out) / f"{name}.csv", encoding="utf-8-sig")
    curve.iloc[:: max(1, len(curve) // 1000)].to_csv(Path(out) / "supply_curve.csv", encoding="utf-8-sig")
    times = lap("write")
    return dict(times, buildings=len(res), classes=len(classes), mw=round(kwp.sum() / 1000, 1),
                gwh=round(res["kwh"].sum() / 1e6, 1), out_mb=harness.out_size(out) / 1e6)


def notes(results):
    print()
    for n, cases in results.items():
        for case, r in cases.items():
            print(f"  {case:8s} N={n:>9,}: {r['buildings']:,} buildings, {r['classes']} orientation classes, "
                  f"{r['mw']:,} MW, {r['gwh']:,} GWh/yr, outputs {r['out_mb']:.0f} MB")


if __name__ == "__main__":
    sys.exit(harness.main(__file__, __doc__.splitlines()[0], {"hn_geo": hn_geo, "baseline": baseline}, prepare,
                          bench="solar", notes=notes))
