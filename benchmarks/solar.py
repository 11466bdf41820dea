"""Benchmark: rooftop PV potential for 1,000,000 buildings, end to end.

Steps timed: generate synthetic footprints over Haining's towns and parks with
the seeded generator of ``scripts/build_buildings.py`` (vectorised shapely 2),
validate them against the ``buildings`` schema, then
:func:`hn_geo.solar.rooftop_potential` (roof geometry in EPSG:4549 with shapely
array functions, orientation classes, pvlib yields once per class, per-building
broadcast, per-town/per-type aggregation, supply curve). Goal: <= 30 s and
<= 4 GB peak resident memory on a 2-core machine.

Usage::

    python benchmarks/solar.py [--n 1000000]
"""
from __future__ import annotations

import argparse
import importlib.util
import resource
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("build_buildings", ROOT / "scripts" / "build_buildings.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def peak_rss_gb():
    """Peak resident set size of this process (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    args = ap.parse_args(argv)

    from hn_geo import solar
    from hn_geo.ground.catalog import get_schema, load_layer
    from hn_geo.ground.plan import plan_figure
    from hn_geo.ground.validate import validate
    from hn_geo.ground.weather import default_weather

    towns = load_layer("towns")
    try:
        parks = load_layer("parks")
    except Exception:  # noqa: BLE001 - parks layer optional
        parks = None
    gen = _generator()
    times = {}
    t0 = time.perf_counter()
    gdf = gen.generate(towns, parks, n=args.n, check_overlap=False)  # EPSG:4490 like a stored layer
    times["generate footprints"] = time.perf_counter() - t0
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = validate(gdf, get_schema("buildings"), path="<generated>")
    times["validate"] = time.perf_counter() - t
    t = time.perf_counter()
    weather = default_weather()
    times["weather (embedded default)"] = time.perf_counter() - t
    target_mw = plan_figure("pv_capacity", unit="MW")
    homes_target = plan_figure("rooftop_pv_households", unit="homes")
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = solar.rooftop_potential(gdf, weather, target_mw=target_mw, homes_target=homes_target,
                                         keep_geometry=False)
    times["rooftop_potential (roofs, yields, aggregation)"] = time.perf_counter() - t
    total = time.perf_counter() - t0

    s = {f.code.split(".", 1)[1]: f.value for f in result.figures}
    print(f"buildings: {len(gdf):,}  orientation classes: {len(result.tables['solar_classes'])}")
    for k, v in times.items():
        print(f"  {k:48s} {v:7.2f} s")
    print(f"total end to end: {total:.2f} s   (goal <= 30 s)")
    print(f"peak RSS: {peak_rss_gb():.2f} GB   (goal <= 4 GB)")
    print(f"potential: {s['potential_mw']:,} MW, {s['potential_gwh_year']:,} GWh/yr, "
          f"{s['mean_kwh_per_kwp']} kWh/kWp; {target_mw:,.0f} MW reached by the best "
          f"{s['buildings_to_reach_target']} roofs")
    return 0 if total <= 30 and peak_rss_gb() <= 4 else 1


if __name__ == "__main__":
    sys.exit(main())
