"""`solar potential` with a DSM: per-building figures of the rasters replace the orientation
classes (and the notes say so); DSMs the analysis cannot use are refused naming the file."""
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from hn_geo.core.errors import HnGeoError
from hn_geo.ground.inputs import Inputs, LayerSource
from hn_geo.workflows import solar as workflow
from hn_geo.workflows import solar_rasters

X0, Y1, RES = 568000.0, 3377080.0, 1.0


def scene(tmp_path, crs="EPSG:4549", res=RES):
    """80 m x 80 m: a flat 6 m roof in the open, the same roof north of a 30 m tower, and a
    third building off the DSM."""
    z = np.zeros((80, 80), np.float32)
    z[10:30, 10:30] = 6.0          # open roof A
    z[50:62, 50:70] = 6.0          # roof B ...
    z[63:75, 50:70] = 30.0         # ... with a tower right to its south
    dsm = tmp_path / "dsm.tif"
    x0, y1 = (X0, Y1) if crs == "EPSG:4549" else (120.6, 30.5)
    with rasterio.open(dsm, "w", driver="GTiff", width=80, height=80, count=1, dtype="float32", crs=crs,
                       transform=from_origin(x0, y1, res, res)) as dst:
        dst.write(z, 1)
    polys = [shapely.box(X0 + 10, Y1 - 30, X0 + 30, Y1 - 10), shapely.box(X0 + 50, Y1 - 62, X0 + 70, Y1 - 50),
             shapely.box(X0 + 500, Y1 - 520, X0 + 520, Y1 - 500)]
    gdf = gpd.GeoDataFrame({"building_id": ["A", "B", "C"], "town": ["甲镇"] * 3,
                            "building_type": ["public", "public", "industrial"], "storeys": [2, 2, 2],
                            "roof_type": ["flat"] * 3}, geometry=polys, crs="EPSG:4549")
    path = tmp_path / "b.gpkg"
    gdf.to_crs("EPSG:4490").to_file(path)
    return dsm, path


@pytest.mark.slow
def test_potential_takes_the_dsm_figures_per_building(tmp_path):
    dsm, fp = scene(tmp_path)
    out = workflow.run(Inputs(layers={"buildings": LayerSource(fp)}, files={"dsm": dsm}), tmp_path / "out",
                       lang="en", search_radius_m=40.0)
    b = out.result.layers["buildings"].set_index("building_id")
    assert list(b["method"]) == ["dsm", "dsm", "footprint"]
    assert (b["kwp"] > 0).all()
    # the tower to the south cuts roof B's yield per kWp below roof A's
    assert b.loc["B", "kwh_per_kwp"] < 0.9 * b.loc["A", "kwh_per_kwp"]
    note = [n for n in out.result.notes if n.code == "solar.note_dsm_figures"]
    assert note and note[0].params["n"] == 2 and note[0].params["total"] == 3
    assert (tmp_path / "out" / "rasters" / "irradiation.tif").exists()
    assert "solar_programme" in out.result.tables and "roof_segments" in out.result.layers


def test_geographic_or_coarse_dsm_is_refused_naming_the_file(tmp_path):
    dsm, fp = scene(tmp_path, crs="EPSG:4490", res=0.00001)
    with pytest.raises(HnGeoError) as err:
        solar_rasters.run(Inputs(layers={"buildings": LayerSource(fp)}, files={"dsm": dsm}), tmp_path / "o")
    assert err.value.code == "solar.dsm_not_projected" and Path(err.value.path).name == "dsm.tif"
    feet = tmp_path / "ft"
    feet.mkdir()
    dsm, _ = scene(feet, crs="EPSG:2227")   # California zone 3, US survey feet
    with pytest.raises(HnGeoError) as err:
        solar_rasters.run(Inputs(layers={"buildings": LayerSource(fp)}, files={"dsm": dsm}), tmp_path / "o2")
    assert err.value.code == "solar.dsm_not_metres"
