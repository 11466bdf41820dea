"""Economics of rooftop PV per building: LCOE, simple payback and the LCOE supply curve.

* LCOE (levelised cost of electricity, 元/kWh) = (capex + sum_t O&M / (1 + r)^t) /
  (sum_t E_t / (1 + r)^t), t = 1..N, with E_t = E (1 - d_1)(1 - d)^(t-1): the annual energy
  of the potential analysis after first-year and yearly degradation (IEA/NEA *Projected
  Costs of Generating Electricity*, 2020, eq. for LCOE with constant real discount rate).
* Simple payback (years) = capex / (E_1 (s p_self + (1 - s) p_export) - O&M): s the
  self-consumed share, p_self the avoided retail price, p_export the export price.
* Supply curve: buildings ranked by LCOE (cheapest first) with cumulative capacity [MW],
  binned by ``step`` 元/kWh.

Defaults come from ``hn_geo/data/pv_economics.yaml`` (read on the input side), each with its
source; :class:`EconomicParams` holds them per pilot category (:mod:`hn_geo.solar.programme`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError
from hn_geo.core.results import Msg, Word

CATEGORIES = ("party_government", "public", "industrial_commercial", "rural_homes", "none")
PER_CATEGORY = ("capex_yuan_per_w", "self_consumption", "retail_tariff")
SCALARS = ("lifetime_years", "discount_rate", "first_year_degradation", "annual_degradation",
           "om_yuan_per_w_year", "export_tariff")
LCOE_COLUMNS = ["lcoe_from", "lcoe_to", "buildings", "mw", "gwh_year", "cum_buildings", "cum_mw", "cum_gwh_year"]


@dataclass(frozen=True)
class EconomicParams:
    """Economic assumptions (see ``hn_geo/data/pv_economics.yaml`` for the defaults and sources).

    Attributes
    ----------
    lifetime_years : int
    discount_rate : float
        Real discount rate [1/a].
    first_year_degradation, annual_degradation : float
        [1], [1/a]
    om_yuan_per_w_year : float
        O&M [元/(W·a)].
    export_tariff : float
        Price of exported energy [元/kWh].
    capex_yuan_per_w, self_consumption, retail_tariff : dict
        Per pilot category: initial investment [元/W], self-consumed share [0-1], avoided
        retail price [元/kWh].
    sources : dict
        ``{parameter: source text}`` for the notes.
    """

    lifetime_years: int = 25
    discount_rate: float = 0.08
    first_year_degradation: float = 0.01
    annual_degradation: float = 0.004
    om_yuan_per_w_year: float = 0.048
    export_tariff: float = 0.4153
    capex_yuan_per_w: dict = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 3.18))
    self_consumption: dict = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0.5))
    retail_tariff: dict = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0.538))
    sources: dict = field(default_factory=dict)

    def __post_init__(self):
        checks = {"lifetime_years": (1, 60), "discount_rate": (0, 0.5), "first_year_degradation": (0, 0.2),
                  "annual_degradation": (0, 0.05), "om_yuan_per_w_year": (0, 1), "export_tariff": (0, 5)}
        for name, (lo, hi) in checks.items():
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not lo <= v <= hi:
                raise HnGeoError(code="solar.bad_economics", params={"name": name, "value": v, "lo": lo, "hi": hi},
                                 field=name)
        for name in PER_CATEGORY:
            missing = sorted(set(CATEGORIES) - set(getattr(self, name)))
            if missing:
                raise HnGeoError(code="solar.economics_missing", params={"name": name, "categories": missing},
                                 field=name)

    @classmethod
    def from_mapping(cls, data):
        """From the ``economics`` mapping of the YAML file (values with ``value``/``source``;
        sources as text, see :func:`hn_geo.ground.pv_economics.load_pv_economics`)."""
        kw, sources = {}, {}
        for name in SCALARS:
            if name in data:
                item = data[name]
                kw[name] = item["value"] if isinstance(item, dict) else item
                if isinstance(item, dict) and item.get("source"):
                    sources[name] = str(item["source"])
        for name in PER_CATEGORY:
            if name in data:
                item = dict(data[name])
                if item.get("source"):
                    sources[name] = str(item.pop("source"))
                kw[name] = {k: float(v) for k, v in item.items()}
        return cls(**kw, sources=sources)

    def notes(self):
        """One note per parameter: value(s) and source."""
        out = []
        for name in SCALARS + PER_CATEGORY:
            v = getattr(self, name)
            value = ([Msg("solar.category_value", category=Word("solar.pilot_category", k), value=float(x))
                      for k, x in v.items()] if isinstance(v, dict) else float(v))
            out.append(Msg("solar.note_economics_item", name=Word("solar.economic_parameter", name), value=value,
                           source=self.sources.get(name, "")))
        return out


def _annuity_factors(p):
    t = np.arange(1, int(p.lifetime_years) + 1)
    disc = (1.0 + p.discount_rate) ** -t
    energy = (1.0 - p.first_year_degradation) * (1.0 - p.annual_degradation) ** (t - 1)
    return float(disc.sum()), float((energy * disc).sum())


def building_economics(kwp, kwh_year, category, params):
    """LCOE and simple payback of each building.

    Parameters
    ----------
    kwp, kwh_year : numpy.ndarray
        Capacity [kWp] and first-year-before-degradation energy [kWh/a].
    category : numpy.ndarray of str
        Pilot category of each building (:data:`CATEGORIES`).
    params : EconomicParams

    Returns
    -------
    pandas.DataFrame
        ``capex_yuan``, ``lcoe_yuan_kwh``, ``payback_years`` (NaN without PV or when the
        yearly net revenue is not positive).
    """
    kwp, kwh = np.asarray(kwp, dtype=float), np.asarray(kwh_year, dtype=float)
    codes, cats = pd.factorize(pd.Series(category, dtype=object).fillna("none"))  # one look-up per category
    capex_w, s, retail = (np.array([m.get(c) for c in cats] + [None], dtype=float)[codes]  # None -> NaN
                          for m in (params.capex_yuan_per_w, params.self_consumption, params.retail_tariff))
    capex = kwp * 1000.0 * capex_w
    om = kwp * 1000.0 * params.om_yuan_per_w_year
    disc, disc_energy = _annuity_factors(params)
    has = (kwp > 0) & (kwh > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        lcoe = np.where(has, (capex + om * disc) / (kwh * disc_energy), np.nan)
        e1 = kwh * (1.0 - params.first_year_degradation)
        net = e1 * (s * retail + (1.0 - s) * params.export_tariff) - om
        payback = np.where(has & (net > 0), capex / net, np.nan)
    return pd.DataFrame({"capex_yuan": np.round(capex, 0), "lcoe_yuan_kwh": np.round(lcoe, 4),
                         "payback_years": np.round(payback, 1)})


def lcoe_supply_curve(lcoe, kwp, kwh, step=0.01):
    """Supply curve binned by LCOE, cheapest first.

    Parameters
    ----------
    lcoe, kwp, kwh : numpy.ndarray
        Per building [元/kWh], [kWp], [kWh/a] (buildings without PV are left out).
    step : float
        Bin width [元/kWh].

    Returns
    -------
    pandas.DataFrame
        :data:`LCOE_COLUMNS`.
    """
    lcoe, kwp, kwh = (np.asarray(a, dtype=float) for a in (lcoe, kwp, kwh))
    ok = np.isfinite(lcoe) & (kwp > 0)
    if not ok.any():
        return pd.DataFrame(columns=LCOE_COLUMNS)
    lo = np.floor(lcoe[ok] / step + 1e-9) * step
    df = pd.DataFrame({"lcoe_from": np.round(lo, 4), "kwp": kwp[ok], "kwh": kwh[ok]})
    g = df.groupby("lcoe_from", sort=True)
    out = pd.DataFrame({"buildings": g.size(), "mw": g["kwp"].sum() / 1000.0,
                        "gwh_year": g["kwh"].sum() / 1e6}).reset_index()
    out.insert(1, "lcoe_to", np.round(out["lcoe_from"] + step, 4))
    out["cum_buildings"] = out["buildings"].cumsum()
    out["cum_mw"] = out["mw"].cumsum()
    out["cum_gwh_year"] = out["gwh_year"].cumsum()
    return out.round({"mw": 3, "gwh_year": 3, "cum_mw": 3, "cum_gwh_year": 3})
