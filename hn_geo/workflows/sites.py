"""The site-finder workflow: load the units, zones, parks, towns and access list -> cut the
city once (:func:`hn_geo.zoning.partition.partition`) -> one site analysis per profile
(:func:`hn_geo.zoning.sites.sites`) -> layers, tables, workbook and map.

Called by ``hn-geo zoning sites`` (one profile, every file straight into ``--out``) and by
the batch run's ``sites`` step (:func:`run_many`: per profile its tables and its map, one
workbook with a sheet per profile and one GeoPackage with a layer per profile).

Files of one profile: ``sites_<table>.csv`` (UTF-8 with BOM), ``sites.xlsx`` (a sheet per
table), ``sites_layers.gpkg`` (layers ``sites`` and ``site_parcels``, EPSG:4490),
``sites.geojson`` (the site polygons, RFC 7946) and ``sites.html`` (the offline map).
"""
from __future__ import annotations

import re
from pathlib import Path

from hn_geo import vocabulary, zoning
from hn_geo.ground.profiles import read_profiles
from hn_geo.render import maps, share, tables, writers
from hn_geo.workflows.common import Outcome, given
from hn_geo.workflows.maps import catalog_spec
from hn_geo.workflows.zoning import load_rules, rule_layers

STEM = "sites"
"""Stem of the files of one profile."""
CONTEXT = ("towns", "control_units", "parks", "water_source", "red_line")
"""Catalog layers drawn with the site polygons (towns and units hidden until ticked). Not the
boundary: the polygons tile it, and on a canvas map its unfilled polygon still takes the clicks
inside it."""
HIDDEN = ("towns", "control_units")
POPUP = ("status", "violated_rules", "clauses", "review_rules", "notice_rules", "unit_code",
         "unit_name", "park_name", "town", "area_ha")
"""Popup fields of the site polygons."""


def load(inputs):
    """The keyword arguments of :func:`hn_geo.zoning.partition.partition` from ``inputs``."""
    rules = load_rules(inputs.file("rules"))
    layers = rule_layers(inputs, rules)
    return {"units": inputs.layer("control_units"), "rules": rules,
            "points": inputs.layer("emission_points", optional=True),
            "red_line": layers["red_line"], "water_source": layers["water_source"],
            "parks": inputs.layer("parks", optional=True), "towns": inputs.layer("towns", optional=True),
            "boundary": inputs.layer("boundary", optional=True)}


def prepare(inputs):
    """The partition of the city for the inputs' layers and access list."""
    kw = load(inputs)
    return zoning.partition(kw.pop("units"), **kw)


def run(inputs, out_dir, *, lang="zh", profile=None, min_area_ha=None, parcels=None, map=True,
        basemap=None, offline=None, tianditu_key=None, partition=None):
    """Find the sites of one profile and write its files into ``out_dir``.

    Parameters
    ----------
    inputs : hn_geo.ground.inputs.Inputs
    out_dir : str or Path
    lang : {'zh', 'en'}
    profile : Mapping
        The project profile (:func:`hn_geo.zoning.profiles.normalise`).
    min_area_ha, parcels : optional
        As :func:`hn_geo.zoning.sites.sites`.
    map : bool
        Write ``sites.html``.
    basemap, offline, tianditu_key : optional
        Map options (default: no basemap, offline).
    partition : Partition, optional
        Reuse a partition of the same inputs.

    Returns
    -------
    Outcome
    """
    part = partition if partition is not None else prepare(inputs)
    result = zoning.sites(profile, partition=part, **given(min_area_ha=min_area_ha, parcels=parcels))
    files = write(inputs, result, out_dir, lang=lang, map=map, basemap=basemap, offline=offline,
                  tianditu_key=tianditu_key)
    return Outcome(result, files)


def run_many(inputs, out_dir, *, lang="zh", profiles=(), min_area_ha=None, parcels=None, map=True,
             basemap=None, offline=None, tianditu_key=None):
    """Find the sites of several profiles on one partition (the batch run's ``sites`` step).

    Parameters
    ----------
    profiles : iterable
        Profile mappings, or paths of profile YAML files (each may hold several,
        :func:`hn_geo.ground.profiles.read_profiles`).

    Writes, per profile, ``out_dir/<profile id>/sites_<table>.csv`` and its map
    ``out_dir/<profile id>/sites.html``; for all, ``out_dir/sites.xlsx`` (one sheet per
    profile: its area by verdict per town) and ``out_dir/sites_layers.gpkg`` (one layer of
    site polygons per profile, named ``sites_<profile id>``). ``hn-geo zoning sites`` writes
    one profile's every file (workbook, GeoJSON, parcels layer).

    Returns
    -------
    Outcome
        ``result``: the list of results, in profile order.
    """
    out_dir = Path(out_dir)
    part = prepare(inputs)
    items = [p for item in profiles
             for p in (read_profiles(item) if isinstance(item, (str, Path)) else [item])]
    results = zoning.sites_batch(items, partition=part,
                                 **given(min_area_ha=min_area_ha, parcels=parcels))
    files, used, layers, styled = [], set(), {}, []
    for res in results:
        folder = folder_name(res.meta["profile_id"], used)
        files += write_tables(res, out_dir / folder, lang=lang)
        name = f"{STEM}_{folder}"
        layers[name] = _shown_layers(res, lang)["sites"]
        styled.append(share.ShareLayer(name, res.layers["sites"], scope=res.name, table="sites",
                                       codes=dict(res.codes), title=map_title(res, lang)))
        if map:
            files.append(site_map(inputs, res, out_dir / folder / f"{STEM}.html", lang=lang, basemap=basemap,
                                  offline=offline, tianditu_key=tianditu_key))
    files.append(write_summary(results, out_dir / f"{STEM}.xlsx", lang=lang))
    files.append(share.write_styled_gpkg(styled, out_dir / f"{STEM}_layers.gpkg", lang=lang, shown=layers))
    return Outcome(results, files)


def folder_name(profile_id, used=None):
    """A safe, unique folder name for a profile id."""
    base = re.sub(r"[^\w.\-]+", "_", str(profile_id)).strip("._") or "profile"
    name, k = base[:60], 2
    used = set() if used is None else used
    while name.lower() in used:
        name, k = f"{base[:56]}_{k}", k + 1
    used.add(name.lower())
    return name


def write_tables(result, out_dir, *, lang="zh"):
    """The tables of a site result as ``sites_<table>.csv`` (UTF-8 with BOM)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [tables.write_csv(df, out_dir / f"{key}.csv")
            for key, df in tables.present_result(result, lang=lang).items()]


def _shown_layers(result, lang):
    return {k: tables.present(g, lang=lang, scope=result.name, codes=result.codes, keep_geometry=True,
                              labels=False, table=k, bool_words=False)
            for k, g in result.layers.items()}


def write(inputs, result, out_dir, *, lang="zh", map=True, basemap=None, offline=None, tianditu_key=None):
    """Write one site result: CSV tables, workbook, GeoPackage, GeoJSON and the map."""
    out_dir = Path(out_dir)
    files = write_tables(result, out_dir, lang=lang)
    files.append(tables.write_xlsx(tables.result_sheets(result, lang=lang), out_dir / f"{STEM}.xlsx"))
    shown = _shown_layers(result, lang)
    styled = [share.ShareLayer(k, g, scope=result.name, table=k, codes=dict(result.codes))
              for k, g in result.layers.items()]
    files.append(share.write_styled_gpkg(styled, out_dir / f"{STEM}_layers.gpkg", lang=lang, shown=shown))
    files.append(writers.write_geojson(shown["sites"], out_dir / f"{STEM}.geojson"))
    if map:
        files.append(site_map(inputs, result, out_dir / f"{STEM}.html", lang=lang, basemap=basemap,
                              offline=offline, tianditu_key=tianditu_key))
    return files


def map_title(result, lang):
    """``选址分析：<name>（行业代码 <code>）`` of a site result."""
    p = result.tables["sites_profile"].iloc[0]
    return vocabulary.message("zoning.sites_map_title", {"name": p["name"] or p["project_id"],
                                                         "industry": p["industry_code"]}, lang)


def site_map(inputs, result, path, *, lang="zh", basemap=None, offline=None, tianditu_key=None):
    """The offline map of a site result: polygons coloured by verdict (the status palette),
    the deciding clauses in each popup, the passing parcels, and the control units, parks,
    red line and water-source zones as context. Returns the HTML path."""
    context = [s for n in CONTEXT
               if (s := catalog_spec(inputs, n, show=False if n in HIDDEN else None)) is not None]
    codes = dict(result.codes)
    specs = context + [maps.LayerSpec("sites", result.layers["sites"], scope=result.name, codes=codes,
                                      color_by="status", fields=list(POPUP))]
    if len(result.layers["site_parcels"]):
        specs.append(maps.LayerSpec("site_parcels", result.layers["site_parcels"], scope=result.name,
                                    codes=codes, show=False))
    m = maps.make_map(specs, lang=lang, title=map_title(result, lang), basemap=basemap or "none",
                      offline=True if offline is None else bool(offline),
                      **given(tianditu_key=tianditu_key))
    return maps.save_map(m, path)


def write_summary(results, path, *, lang="zh"):
    """One workbook, one sheet per profile: its area by verdict per town."""
    sheets = []
    for res in results:
        one = type(res)(name=res.name, tables={"sites_towns": res.tables["sites_towns"]}, codes=res.codes)
        p = res.tables["sites_profile"].iloc[0]
        label = f"{p['project_id']} {p['name']}" if p["name"] else str(p["project_id"])
        sheets += tables.result_sheets(one, lang=lang, names={"sites_towns": label})
    return tables.write_xlsx(sheets, path)
