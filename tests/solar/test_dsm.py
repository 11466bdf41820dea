"""The roof surface model: read on the input side (hn_geo.ground.rasters), slope and shading in
the analysis (hn_geo.solar.dsm)."""
import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from hn_geo.core.errors import HnGeoError
from hn_geo.ground.rasters import Raster, read_dsm
from hn_geo.solar import dsm_roof_stats, roofs

X0, Y0 = 568000.0, 3377000.0  # near Haining in EPSG:4549


def frame(polys, types, roof_type):
    n = len(polys)
    gdf = gpd.GeoDataFrame({"building_id": [f"b{i}" for i in range(n)], "town": "t",
                            "building_type": types, "roof_type": roof_type}, geometry=polys, crs="EPSG:4549")
    return gdf.to_crs("EPSG:4490")


@pytest.fixture
def scene(tmp_path):
    # 1 m DSM, 120 m x 120 m, ground at 0 m
    x0, y0 = X0, Y0 + 120
    z = np.zeros((120, 120), dtype="float32")
    # building A: gable roof, ridge east-west at row 20, eaves at rows 10 and 30, pitch 30°
    rows = np.arange(10, 31)
    z[10:31, 10:50] = (6 + (10 - np.abs(rows - 20)) * np.tan(np.radians(30)))[:, None]
    # building B: flat roof 6 m (rows 60-79) with a 40 m tower right to its south (rows 81-90)
    z[60:80, 60:100] = 6.0
    z[81:91, 60:100] = 40.0
    p = tmp_path / "dsm.tif"
    with rasterio.open(p, "w", driver="GTiff", width=120, height=120, count=1, dtype="float32",
                       crs="EPSG:4549", transform=from_origin(x0, y0, 1.0, 1.0)) as dst:
        dst.write(z, 1)
    a = shapely.box(x0 + 10, y0 - 31, x0 + 50, y0 - 10)
    b = shapely.box(x0 + 60, y0 - 80, x0 + 100, y0 - 60)
    return p, frame([a, b], ["residential", "commercial"], ["unknown", "flat"])


def test_dsm_slope_and_winter_shading(scene):
    p, gdf = scene
    raster = read_dsm(p)
    assert isinstance(raster, Raster) and raster.source == "dsm.tif" and raster.array.shape == (120, 120)
    stats = dsm_roof_stats(gdf, raster)
    assert stats["slope_deg"][0] == pytest.approx(30, abs=2)
    assert stats["slope_deg"][1] < 2
    assert stats["unshaded"][0] == pytest.approx(1.0)
    # the tower's noon shadow on the solstice reaches (40 - 6) / tan(36.06°) = 46.7 m: whole roof shaded
    assert stats["unshaded"][1] < 0.05
    r = roofs.roof_planes(gdf, dsm_stats=stats)
    assert r.table["roof_type_used"].tolist() == ["pitched", "flat"]
    assert r.planes["tilt"][0, 0] == pytest.approx(30, abs=2)
    assert r.table["module_area_m2"].iloc[1] == 0      # shaded roof: no usable area left
    note = [n for n in r.notes if n.code == "solar.note_dsm"][0]
    assert note.params == {"source": "dsm.tif", "n": 2, "total": 2}


def test_window_read_gives_the_same_statistics(scene):
    p, gdf = scene
    whole = dsm_roof_stats(gdf, read_dsm(p))
    window = read_dsm(p, around=gdf.iloc[[1]], margin_m=25.0)  # the tower is 1-11 m south
    assert window.array.shape[0] < 80 and window.array.shape[1] < 90
    part = dsm_roof_stats(gdf.iloc[[1]], window)
    assert part["slope_deg"][0] == pytest.approx(whole["slope_deg"][1])
    assert part["unshaded"][0] == pytest.approx(whole["unshaded"][1])


def test_dsm_errors_name_the_file_with_a_code(tmp_path, scene):
    with pytest.raises(HnGeoError) as err:
        read_dsm(tmp_path / "missing.tif")
    assert err.value.code == "solar.dsm_unreadable" and "missing.tif" in str(err.value)
    p = tmp_path / "geo.tif"
    with rasterio.open(p, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32",
                       crs="EPSG:4490", transform=from_origin(120.6, 30.6, 0.001, 0.001)) as dst:
        dst.write(np.zeros((4, 4), "float32"), 1)
    with pytest.raises(HnGeoError) as err:
        read_dsm(p)
    assert err.value.code == "solar.dsm_not_projected"
