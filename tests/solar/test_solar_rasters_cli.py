"""`hn-geo solar rasters` on the embedded data: COGs opened with rasterio and gdalinfo, tables."""
import json
import shutil
import subprocess

import numpy as np
import pytest
import rasterio
from click.testing import CliRunner

from hn_geo.cli import main


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    d = tmp_path_factory.mktemp("rasters")
    r = CliRunner().invoke(main, ["solar", "rasters", "--out", str(d), "--lang", "en"])
    assert r.exit_code == 0, r.output
    return d


@pytest.mark.slow
def test_cogs_open_with_rasterio(out):
    with rasterio.open(out / "irradiation.tif") as src:
        assert src.count == 13 and src.crs.to_epsg() == 4549
        assert src.descriptions[0] == "annual irradiation" and src.descriptions[12] == "irradiation, month 12"
        assert src.overviews(1) and src.profile["tiled"]
        annual = src.read(1)
        # deep slots between towers get little (sky-view ~0.03), the best roofs about the optimum
        assert 0 < np.nanmin(annual) < np.nanmedian(annual) < np.nanmax(annual) < 1400
        assert np.isfinite(annual).all()
    with rasterio.open(out / "shade.tif") as src:
        assert src.count == 288 and src.nodata == 255
    with rasterio.open(out / "horizon.tif") as src:
        assert src.count == 32 and src.scales[0] == pytest.approx(0.01)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("gdalinfo") is None, reason="needs Debian's gdal-bin")
def test_cogs_with_gdalinfo(out):
    info = json.loads(subprocess.run(["gdalinfo", "-json", str(out / "sky_view.tif")], capture_output=True,
                                     text=True, check=True).stdout)
    assert info["metadata"]["IMAGE_STRUCTURE"]["LAYOUT"] == "COG"
    assert info["bands"][0]["description"] == "sky-view factor" and info["bands"][0]["overviews"]
    assert "4549" in info["coordinateSystem"]["wkt"]
    text = subprocess.run(["gdalinfo", str(out / "slope_aspect.tif")], capture_output=True, text=True,
                          check=True).stdout
    assert "Description = slope" in text and "Overviews:" in text


@pytest.mark.slow
def test_tables_and_segments(out):
    import pandas as pd

    seg = pd.read_csv(out / "solar_segments.csv", encoding="utf-8-sig")
    roofs = pd.read_csv(out / "solar_roofs.csv", encoding="utf-8-sig")
    assert len(seg) > len(roofs) > 0
    assert (roofs["capacity (kWp)"].fillna(0) >= 0).all()
    assert (out / "solar_layers.gpkg").exists()
