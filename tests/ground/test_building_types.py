"""Building types on input: the family's words (validation) and further synonyms (the preparer)."""
import warnings

import geopandas as gpd
import pytest
import shapely

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.ground import inputs
from hn_geo.ground.buildings import normalise_building_types
from hn_geo.ground.catalog import get_schema
from hn_geo.ground.validate import validate


def frame(types, roof=None):
    n = len(types)
    return gpd.GeoDataFrame({"building_id": [f"b{i}" for i in range(n)], "building_type": types,
                             "roof_type": roof or [None] * n},
                            geometry=[shapely.box(120.68 + i * 0.001, 30.51, 120.6805 + i * 0.001, 30.5105)
                                      for i in range(n)], crs="EPSG:4490")


def test_synonyms_mapped_with_a_counted_warning():
    gdf = frame(["住宅", "Factory", "temple"])
    with pytest.warns(HnGeoWarning) as rec:
        fixed = normalise_building_types(gdf, path="b.gpkg")
    w = rec[0].message
    assert w.code == "solar.building_types_mapped" and w.params["n"] == 2
    assert "mapped 2 building type" in w.render("en")
    assert fixed["building_type"].tolist()[:2] == ["residential", "industrial"]
    with pytest.raises(HnGeoError):   # 'temple' is left for validation to report
        validate(fixed, get_schema("buildings"), path="b.gpkg")


def test_family_words_accepted_by_validation():
    gdf = frame(["居住建筑", "Industrial", "商业建筑"], ["平屋顶", "pitched", None])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = validate(gdf, get_schema("buildings"))
    assert out["building_type"].tolist() == ["residential", "industrial", "commercial"]
    assert out["roof_type"].tolist()[:2] == ["flat", "pitched"]


def test_preparer_registered():
    assert inputs.PREPARERS["buildings"] is normalise_building_types
