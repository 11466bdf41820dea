"""Per-building figures of a surface model in the rooftop-potential table.

:func:`apply_dsm_figures` is the hook :func:`hn_geo.solar.rooftop_potential` calls with
``dsm_figures=`` (the ``buildings`` table of :func:`hn_geo.solar.rasters.roof_segments`,
aligned with the buildings layer): where a building has surface-model pixels, its roof,
usable and module areas, capacity, energy, mount, tilt and azimuth replace the footprint
method's, and the supply curve is ranked again.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from hn_geo.solar.geometry import compass_codes

REPLACED = ("roof_area_m2", "usable_area_m2", "module_area_m2", "kwp", "kwh_year", "kwh_per_kwp",
            "mount", "tilt_deg", "azimuth_deg", "roof_type_used")


def apply_dsm_figures(b, figures):
    """Replace the per-building figures of ``b`` where ``figures`` has DSM pixels.

    Parameters
    ----------
    b : pandas.DataFrame
        Per-building table of the rooftop potential (one row per building).
    figures : pandas.DataFrame
        Same rows, with ``dsm_pixels`` and the :data:`REPLACED` columns.

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray, numpy.ndarray, int)
        The table (with ``method``: 'dsm' or 'footprint'), the supply order, its cumulative
        capacity [MW] and the number of buildings with DSM figures.
    """
    if len(figures) != len(b):
        raise ValueError("dsm_figures must have one row per building")
    f = figures.reset_index(drop=True)
    has = pd.to_numeric(f["dsm_pixels"], errors="coerce").fillna(0).to_numpy() > 0
    b = b.copy()
    for c in REPLACED:
        col = b[c].astype(object) if b[c].dtype == object or f[c].dtype == object else b[c]
        b[c] = np.where(has, f[c].to_numpy(), col.to_numpy())
    for c in ("kwp", "kwh_year", "kwh_per_kwp", "tilt_deg", "azimuth_deg"):
        b[c] = pd.to_numeric(b[c], errors="coerce").astype(float)
    kwp, spec = b["kwp"].to_numpy(dtype=float), b["kwh_per_kwp"].to_numpy(dtype=float)
    b["orientation"] = np.where(has, np.where(kwp > 0, np.where(b["mount"] == "rack", "S",
                                                                compass_codes(b["azimuth_deg"].to_numpy())), None),
                                b["orientation"].to_numpy())
    status = b["status"].to_numpy(dtype=object).copy()
    status[has] = np.where(kwp[has] > 0, "pv_possible", "area_too_small")
    b["status"] = status
    b["method"] = np.where(has, "dsm", "footprint")
    order = np.argsort(-np.nan_to_num(spec, nan=-1.0), kind="stable")
    order = order[kwp[order] > 0]
    cum = np.cumsum(kwp[order]) / 1000.0
    rank = np.zeros(len(b), dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    b["supply_rank"] = rank
    cm = np.full(len(b), np.nan)
    cm[order] = cum
    b["cum_mw"] = cm
    return b, order, cum, int(has.sum())
