"""The 整县推进 pilot rules as a table, and the economics, on top of the rooftop potential.

The 2021 national pilot for whole-county rooftop PV (整县（市、区）屋顶分布式光伏开发试点,
国家能源局综合司, 2021-06-20) asks that at least 50 % of the roof area of Party and
government buildings, 40 % of public buildings, 30 % of industrial and commercial buildings
and 20 % of rural homes can carry PV. :func:`pilot_categories` maps the buildings to these
categories (a user-overridable table; a ``pilot_category`` column overrides it per
building); :func:`pilot_table` reports per town and category the roofs, usable area,
potential MW, the MW the shares require and whether the potential meets them, with the
plan's capacity and household targets on the same table; :func:`programme` adds it, the
per-building LCOE and payback and the LCOE supply curve to a solar result.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import Figure, Msg, Word, notes_table
from hn_geo.solar.aggregate import TOTAL_ROW, UNKNOWN_TOWN
from hn_geo.solar.economics import CATEGORIES, EconomicParams, building_economics, lcoe_supply_curve

PILOT = ("party_government", "public", "industrial_commercial", "rural_homes")
SHARES = {"party_government": 50.0, "public": 40.0, "industrial_commercial": 30.0, "rural_homes": 20.0}
"""Minimum installable share of the roof area per pilot category [%] (the 2021 notice)."""
CATEGORY_MAP = {"public": "public", "industrial": "industrial_commercial", "commercial": "industrial_commercial",
                "residential_low_rise": "rural_homes", "residential": "none"}
PROGRAMME_COLUMNS = ["town", "category", "roofs", "roofs_with_pv", "roof_area_m2", "usable_area_m2",
                     "usable_share", "required_share", "potential_mw", "required_mw", "homes", "required_homes",
                     "assessment"]


def pilot_categories(buildings, roof_type_used, mapping=None):
    """Pilot category of each building.

    Parameters
    ----------
    buildings : pandas.DataFrame
        ``building_type``, optional ``storeys`` and ``pilot_category``.
    roof_type_used : array-like
        Roof type used by the potential ('pitched' / 'flat').
    mapping : dict, optional
        ``{building_type: category}``; ``residential_low_rise`` names the category of
        low-rise houses (pitched, or at most 3 storeys). Default :data:`CATEGORY_MAP`.

    Returns
    -------
    numpy.ndarray of str
        Codes of :data:`hn_geo.solar.economics.CATEGORIES`.

    Raises
    ------
    HnGeoError
        An unknown category in the mapping or in ``pilot_category``.
    """
    mapping = dict(CATEGORY_MAP if mapping is None else mapping)
    bad = sorted({str(v) for v in mapping.values()} - set(CATEGORIES))
    if bad:
        raise HnGeoError(code="solar.bad_pilot_category", params={"bad": bad, "known": list(CATEGORIES)},
                         field="pilot.categories")
    btype = buildings["building_type"].astype(object).to_numpy()
    storeys = (pd.to_numeric(buildings["storeys"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
               if "storeys" in buildings.columns else np.full(len(buildings), np.nan))
    low = (np.asarray(roof_type_used, dtype=object) == "pitched") | (storeys <= 3)
    codes, types = pd.factorize(btype)  # one look-up per building type
    cat = np.array([mapping.get(t, "none") for t in types] + ["none"], dtype=object)[codes]
    res = btype == "residential"
    cat[res & low] = mapping.get("residential_low_rise", "rural_homes")
    if "pilot_category" in buildings.columns:
        given = buildings["pilot_category"].astype(object).to_numpy()
        has = pd.notna(given)
        bad = sorted({str(v) for v in given[has]} - set(CATEGORIES))
        if bad:
            raise HnGeoError(code="solar.bad_pilot_category", params={"bad": bad, "known": list(CATEGORIES)},
                             field="pilot_category")
        cat[has] = given[has]
    return cat


def _rows(g, shares, density):
    roof, usable, kwp = g["roof_area_m2"].sum(), g["usable_area_m2"].sum(), g["kwp"].sum()
    cat = g.name[1] if isinstance(g.name, tuple) else g.name
    share = shares[cat]
    dens = kwp / usable if usable > 0 else density
    required = share / 100.0 * roof * dens / 1000.0
    status = "no_data" if len(g) == 0 or roof <= 0 else ("met" if usable >= share / 100.0 * roof else "not_met")
    return pd.Series({"roofs": len(g), "roofs_with_pv": int((g["kwp"] > 0).sum()), "roof_area_m2": roof,
                      "usable_area_m2": usable, "usable_share": 100.0 * usable / roof if roof > 0 else np.nan,
                      "required_share": share, "potential_mw": kwp / 1000.0, "required_mw": required,
                      "homes": int((g["kwp"] > 0).sum()) if cat == "rural_homes" else np.nan,
                      "assessment": status})


def pilot_table(b, category, *, shares=None, need_mw, homes_target):
    """The 整县推进 table (see the module docstring).

    Parameters
    ----------
    b : pandas.DataFrame
        Per-building results: ``town``, ``roof_area_m2``, ``usable_area_m2``, ``kwp``.
    category : numpy.ndarray
        Pilot category per building (:func:`pilot_categories`).
    shares : dict, optional
        Minimum installable shares [%] (default :data:`SHARES`).
    need_mw : float
        Capacity still needed for the plan's target [MW].
    homes_target : float
        Household systems targeted [homes].

    Returns
    -------
    pandas.DataFrame
        :data:`PROGRAMME_COLUMNS`; a row per town and category, a total row per category,
        then the plan's capacity (``plan_capacity``) and household (``plan_homes``) rows.
    """
    shares = dict(SHARES if shares is None else shares)
    df = pd.DataFrame({"town": b["town"].astype(object).where(b["town"].notna(), UNKNOWN_TOWN).to_numpy(),
                       "category": np.asarray(category, dtype=object),
                       **{c: b[c].to_numpy() for c in ("roof_area_m2", "usable_area_m2", "kwp")}})  # no geometry
    df = df[df["category"].isin(PILOT)]
    usable = df["usable_area_m2"].sum()
    density = df["kwp"].sum() / usable if usable > 0 else 0.0
    per = df.groupby(["town", "category"], sort=True).apply(_rows, shares, density, include_groups=False)
    per = per.reset_index() if len(per) else pd.DataFrame(columns=PROGRAMME_COLUMNS)
    tot = df.groupby("category", sort=False).apply(_rows, shares, density, include_groups=False)
    tot = tot.reindex(PILOT).reset_index() if len(tot) else pd.DataFrame({"category": list(PILOT)})
    tot.insert(0, "town", TOTAL_ROW)
    tot["assessment"] = tot["assessment"].fillna("no_data")
    all_mw = b["kwp"].sum() / 1000.0
    homes = int(((np.asarray(category) == "rural_homes") & (b["kwp"].to_numpy() > 0)).sum())
    plan = pd.DataFrame([
        {"town": TOTAL_ROW, "category": "plan_capacity", "roofs": len(b), "roofs_with_pv": int((b["kwp"] > 0).sum()),
         "roof_area_m2": b["roof_area_m2"].sum(), "usable_area_m2": b["usable_area_m2"].sum(),
         "potential_mw": all_mw, "required_mw": need_mw, "assessment": "met" if all_mw >= need_mw else "not_met"},
        {"town": TOTAL_ROW, "category": "plan_homes", "homes": homes, "required_homes": homes_target,
         "assessment": "met" if homes >= homes_target else "not_met"}])
    out = pd.concat([per, tot, plan], ignore_index=True).reindex(columns=PROGRAMME_COLUMNS)
    for c in ("roof_area_m2", "usable_area_m2"):
        out[c] = pd.to_numeric(out[c], errors="coerce").round(0)
    for c in ("potential_mw", "required_mw"):
        out[c] = pd.to_numeric(out[c], errors="coerce").round(3)
    for c in ("usable_share", "required_share"):
        out[c] = pd.to_numeric(out[c], errors="coerce").round(1)
    for c in ("roofs", "roofs_with_pv", "homes", "required_homes"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("Int64")
    return out


def programme(result, buildings, *, economics=None, mapping=None, shares=None, source=""):
    """Add the 整县推进 table, per-building LCOE and payback and the LCOE supply curve to a solar result.

    Parameters
    ----------
    result : hn_geo.core.results.AnalysisResult
        Of :func:`hn_geo.solar.rooftop_potential` (its ``buildings`` layer and figures).
    buildings : geopandas.GeoDataFrame
        The buildings layer it was computed from (same rows).
    economics : EconomicParams, optional
    mapping, shares : dict, optional
        Pilot category table and minimum shares (see :func:`pilot_categories`, :data:`SHARES`).
    source : str
        Where the shares come from (text of the notes' language).

    Returns
    -------
    AnalysisResult
        A copy with tables ``solar_programme`` and ``solar_lcoe_curve``, layer columns
        ``pilot_category``, ``capex_yuan``, ``lcoe_yuan_kwh``, ``payback_years``, figures and notes.
    """
    economics = economics or EconomicParams()
    layer = result.layers["buildings"].copy()
    cat = pilot_categories(buildings, layer["roof_type_used"].to_numpy(), mapping)
    eco = building_economics(layer["kwp"], layer["kwh_year"], cat, economics)
    layer["pilot_category"] = cat
    for c in eco.columns:
        layer[c] = eco[c].to_numpy()
    need = result.figure("solar.need_mw").value
    homes_target = result.figure("solar.homes_target").value
    table = pilot_table(layer, cat, shares=shares, need_mw=float(need), homes_target=float(homes_target))
    curve = lcoe_supply_curve(eco["lcoe_yuan_kwh"], layer["kwp"], layer["kwh_year"])
    lc = eco["lcoe_yuan_kwh"].to_numpy(dtype=float)
    w = layer["kwh_year"].to_numpy(dtype=float)
    ok = np.isfinite(lc) & (w > 0)
    mean_lcoe = round(float((lc[ok] * w[ok]).sum() / w[ok].sum()), 3) if ok.any() else None
    src = Msg("solar.note_pilot", shares=[Msg("solar.pilot_share_item", category=Word("solar.pilot_category", k),
                                              share=float(v)) for k, v in (shares or SHARES).items()],
              source=source)
    notes = [src] + economics.notes()
    tables = dict(result.tables)
    notes_tab = tables.pop("solar_notes", None)
    tables["solar_programme"] = table
    tables["solar_lcoe_curve"] = curve
    all_notes = list(result.notes) + notes
    if notes_tab is not None:
        tables["solar_notes"] = notes_table(all_notes)
    figures = list(result.figures) + [Figure("solar.mean_lcoe", mean_lcoe, "yuan_per_kwh")]
    codes = {**result.codes, "category": "solar.pilot_category", "pilot_category": "solar.pilot_category"}
    return dataclasses.replace(result, tables=tables, layers={**result.layers, "buildings": layer}, codes=codes,
                               figures=figures, notes=all_notes)
