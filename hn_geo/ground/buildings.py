"""Input repair of the ``buildings`` layer: Chinese and English synonyms of building types.

The catalog field ``buildings.building_type`` has the value family ``building_type``, so
validation already accepts the family's words in either language (居住建筑, 'Residential').
:func:`normalise_building_types` adds the other names surveys use (住宅, 厂房, 学校,
'factory' ...) and is registered as the layer's preparer in
:data:`hn_geo.ground.inputs.PREPARERS` (it runs on a user's file before validation).
"""
from __future__ import annotations

import warnings

import pandas as pd

from hn_geo.core.errors import HnGeoWarning
from hn_geo.ground.inputs import PREPARERS

TYPE_ALIASES = {
    "住宅": "residential", "居住": "residential", "居住建筑": "residential", "民居": "residential",
    "house": "residential", "housing": "residential", "apartments": "residential",
    "工业": "industrial", "厂房": "industrial", "工业厂房": "industrial", "仓库": "industrial",
    "factory": "industrial", "warehouse": "industrial", "industry": "industrial",
    "公共": "public", "公共建筑": "public", "学校": "public", "医院": "public", "school": "public",
    "hospital": "public", "government": "public", "civic": "public",
    "商业": "commercial", "商业建筑": "commercial", "商场": "commercial", "办公": "commercial",
    "retail": "commercial", "office": "commercial", "shop": "commercial",
}
"""Names of building types accepted and mapped to the codes of the ``building_type`` family."""


def normalise_building_types(gdf, path=None):
    """Map Chinese/English synonyms of building types to the family's codes (counted warning).

    Values that are neither a code nor a known synonym are left for validation to report
    (file, feature and field).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer as read.
    path : str or Path, optional
        Its file, named in the warning.

    Returns
    -------
    geopandas.GeoDataFrame
        ``gdf`` itself when nothing was mapped, else a copy.
    """
    if "building_type" not in gdf.columns:
        return gdf
    raw = gdf["building_type"].astype("string")
    # a table of the distinct values (a handful), then one vectorised lookup per building
    table = {v: TYPE_ALIASES.get(v.strip().lower(), v.strip().lower()) for v in pd.unique(raw.dropna())}
    renamed = [v for v, m in table.items() if m != v]
    if renamed:
        changed = raw.isin(renamed).fillna(False).to_numpy()
        gdf = gdf.copy()
        gdf["building_type"] = raw.map(table).astype("string")
        vals = sorted({v.strip() for v in renamed})
        warnings.warn(HnGeoWarning("solar.building_types_mapped", path=path, n=int(changed.sum()),
                                   values=vals[:6]), stacklevel=2)
    return gdf


PREPARERS["buildings"] = normalise_building_types
