"""The solar map's irradiation overlay and roof segments, drawn in headless Chromium.

A courtyard block (12 m high, an 8 m x 8 m courtyard) on flat ground as a DSM: the overlay
must be an offline image with a legend, and at street zoom its courtyard floor must be
darker (less irradiation) than the open ground south of the block.
"""
from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from PIL import Image
from rasterio.transform import from_origin

from hn_geo.ground.inputs import Inputs, LayerSource
from hn_geo.workflows import maps as maps_flow
from hn_geo.workflows import solar_rasters

from .test_maps import map_var, open_map

X0, Y1, RES = 539400.0, 3368600.0, 0.5


def courtyard_block(tmp_path):
    """DSM GeoTIFF (60 m x 60 m) and the block's footprint (EPSG:4549 -> 4490 GeoPackage)."""
    n = int(60 / RES)
    z = np.full((n, n), 3.0, np.float32)
    outer, inner = (20, 40), (26, 34)          # metres from the north-west corner
    o = slice(int(outer[0] / RES), int(outer[1] / RES))
    i = slice(int(inner[0] / RES), int(inner[1] / RES))
    z[o, o] = 15.0
    z[i, i] = 3.0
    dsm = tmp_path / "block.tif"
    with rasterio.open(dsm, "w", driver="GTiff", width=n, height=n, count=1, dtype="float32", crs="EPSG:4549",
                       transform=from_origin(X0, Y1, RES, RES)) as dst:
        dst.write(z, 1)
    ring = shapely.box(X0 + outer[0], Y1 - outer[1], X0 + outer[1], Y1 - outer[0])
    hole = shapely.box(X0 + inner[0], Y1 - inner[1], X0 + inner[1], Y1 - inner[0])
    fp = gpd.GeoDataFrame({"building_id": ["B1"], "town": ["硖石街道"], "building_type": ["public"],
                           "storeys": [4], "roof_type": ["flat"]}, geometry=[ring.difference(hole)],
                          crs="EPSG:4549")
    path = tmp_path / "block.gpkg"
    fp.to_crs("EPSG:4490").to_file(path)
    return dsm, path


def lonlat(x, y):
    return gpd.GeoSeries([shapely.Point(x, y)], crs="EPSG:4549").to_crs("EPSG:4326").iloc[0].coords[0]


def test_browser_solar_map_shows_the_irradiation_overlay_and_the_shaded_courtyard(browser, tmp_path):
    dsm, fp = courtyard_block(tmp_path)
    inputs = Inputs(layers={"buildings": LayerSource(fp)}, files={"dsm": dsm})
    result = solar_rasters.run(inputs, tmp_path / "out", lang="zh", search_radius_m=30.0).result
    assert len(result.layers["roof_segments"]) > 0
    html = maps_flow.result_map(inputs, result, tmp_path / "solar_map.html", lang="zh")
    page = open_map(browser, html)
    try:
        assert page.errors == [] and page.blocked == []
        img = page.query_selector("img.leaflet-image-layer")
        assert img is not None and img.get_attribute("src").startswith("data:image/png;base64,")
        listed = page.eval_on_selector_all(".leaflet-control-layers-overlays input + span",
                                           "els => els.map(e => e.textContent.trim())")
        assert "年辐照量 (kWh/m²)" in listed
        assert "年辐照量 (kWh/m²)" in page.inner_text("body")     # the legend's title
        mvar = map_var(page)
        centre = lonlat(X0 + 30.0, Y1 - 30.0)
        page.evaluate(f"([lat, lon]) => {mvar}.setView([lat, lon], 19, {{animate: false}})", [centre[1], centre[0]])
        page.wait_for_timeout(400)
        png = page.screenshot()
        (tmp_path / "street_zoom.png").write_bytes(png)
        shot = Image.open(io.BytesIO(png)).convert("L")

        def grey(x, y):
            lon, lat = lonlat(x, y)
            px = page.evaluate(f"([a, b]) => {{ const p = {mvar}.latLngToContainerPoint([a, b]);"
                               f" const r = {mvar}.getContainer().getBoundingClientRect();"
                               " return [p.x + r.left, p.y + r.top]; }", [lat, lon])
            return float(np.mean(np.asarray(shot)[int(px[1]) - 2:int(px[1]) + 3, int(px[0]) - 2:int(px[0]) + 3]))

        court = grey(X0 + 30.0, Y1 - 31.0)       # the courtyard floor, south of its centre
        open_south = grey(X0 + 30.0, Y1 - 50.0)  # open ground 10 m south of the block
        roof = grey(X0 + 23.0, Y1 - 37.0)        # the open roof (segment on the overlay's scale)
        assert court < open_south - 30 and court < roof - 30, (court, open_south, roof)
    finally:
        page.close()
