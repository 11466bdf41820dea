"""Analytic checks of the surface-model physics (hn_geo.solar.rasters)."""
import numpy as np
import pvlib
import pytest

from hn_geo.ground.weather import load_weather
from hn_geo.solar.rasters import horizon as H
from hn_geo.solar.rasters import irradiance as I
from hn_geo.solar.rasters import sun, surface
from hn_geo.solar.rasters.terrain import slope_aspect

RES = 0.5


@pytest.fixture(scope="module")
def weather():
    return load_weather(None)


@pytest.fixture(scope="module")
def tables(weather):
    return sun.sun_tables(weather)


def test_wall_shades_exactly_h_over_tan_elevation_at_winter_noon():
    h = 10.0
    z = np.zeros((200, 40), np.float32)
    z[140, :] = h                                  # an east-west wall, one pixel thick
    hz = H.horizon_angles(z, RES, radius_m=60)
    sl, asp = slope_aspect(z, RES)
    elevation = 90.0 - 30.5 - 23.44                # solar noon, winter solstice, 30.5° N
    visible = I.sun_visible(hz, sl, asp, H.directions(32), 180.0, elevation)
    north = (140 - np.arange(200)) * RES           # distance north of the wall [m]
    reach = h / np.tan(np.radians(elevation))      # 13.73 m
    col = visible[:, 20]
    assert not col[(north > 0) & (north < reach)].any()
    assert col[(north > reach) & (north < 60)].all()
    assert col[north < 0].all()                    # south of the wall: sunny


def test_open_flat_plane_has_svf_one_and_pvlib_irradiation(weather, tables):
    z = np.full((30, 30), 5.0, np.float32)
    hz = H.horizon_angles(z, RES, radius_m=10)
    sl, asp = slope_aspect(z, RES)
    svf = H.sky_view_factor(hz, sl, asp)
    assert np.allclose(svf, 1.0)
    annual = I.irradiation(hz, sl, asp, svf, tables).sum(axis=0)
    d = weather.data
    sp = weather.location.get_solarposition(d.index)
    poa = pvlib.irradiance.get_total_irradiance(
        0, 180, sp["apparent_zenith"], sp["azimuth"], d["dni"], d["ghi"], d["dhi"],
        dni_extra=pvlib.irradiance.get_extra_radiation(d.index),
        airmass=pvlib.atmosphere.get_relative_airmass(sp["apparent_zenith"]), albedo=0.2, model="perez")
    assert annual == pytest.approx(poa["poa_global"].sum() / 1000.0, rel=1e-4)


@pytest.mark.parametrize("tilt,azimuth", [(25, 180), (40, 90)])
def test_open_tilted_plane_matches_pvlib(weather, tables, tilt, azimuth):
    d = weather.data
    sp = weather.location.get_solarposition(d.index)
    poa = pvlib.irradiance.get_total_irradiance(
        tilt, azimuth, sp["apparent_zenith"], sp["azimuth"], d["dni"], d["ghi"], d["dhi"],
        dni_extra=pvlib.irradiance.get_extra_radiation(d.index),
        airmass=pvlib.atmosphere.get_relative_airmass(sp["apparent_zenith"]), albedo=0.2, model="perez")
    ours = I.unshaded_irradiation([tilt], [azimuth], tables)[0]
    assert ours == pytest.approx(poa["poa_global"].sum() / 1000.0, rel=0.005)


def test_street_canyon_floor_svf():
    h, w = 10.0, 20.0
    z = np.zeros((400, 120), np.float32)
    z[:, :20] = h
    z[:, 60:] = h                                  # floor: columns 20-59 (20 m)
    hz = H.horizon_angles(z, RES, radius_m=120)
    sl, asp = slope_aspect(z, RES)
    svf = H.sky_view_factor(hz, sl, asp)
    assert svf[200, 39] == pytest.approx(np.cos(np.arctan(2 * h / w)), rel=0.02)


def test_shade_fraction_north_of_a_wall_in_december(tables):
    z = np.zeros((120, 40), np.float32)
    z[80, :] = 10.0
    hz = H.horizon_angles(z, RES, radius_m=40)
    sl, asp = slope_aspect(z, RES)
    shade = I.shade_fraction(hz, sl, asp, tables)
    dec_noon = shade[24 * 11 + 12]
    assert dec_noon[75, 20] == 100 and dec_noon[100, 20] == 0     # 2.5 m north vs south of the wall
    assert shade[24 * 11 + 0].max() == 255                          # midnight: no sun, no value


@pytest.mark.slow
def test_tiles_with_halo_equal_the_whole_array(tables):
    rng = np.random.default_rng(1)
    z = np.zeros((180, 150), np.float32)
    for _ in range(25):
        r, c = rng.integers(0, 170), rng.integers(0, 140)
        z[r:r + 10, c:c + 10] = rng.uniform(3, 15)
    params = surface.RasterParams(search_radius_m=20.0, tile_px=64)
    whole = surface.surface_tile(z, RES, tables, params, halo_px=0)
    tiles = surface.plan_tiles(*z.shape, RES, params)
    assert len(tiles) == 9
    out = np.full(z.shape, np.nan, np.float32)
    for t in tiles:
        r0, c0, rows, cols = t.read_window
        padded = np.full((rows, cols), np.nan, np.float32)
        rr0, cc0 = max(r0, 0), max(c0, 0)
        rr1, cc1 = min(r0 + rows, z.shape[0]), min(c0 + cols, z.shape[1])
        padded[rr0 - r0:rr1 - r0, cc0 - c0:cc1 - c0] = z[rr0:rr1, cc0:cc1]
        res = surface.surface_tile(padded, RES, tables, params, halo_px=t.halo,
                                   outside=np.isnan(padded))
        out[t.row0:t.row0 + t.rows, t.col0:t.col0 + t.cols] = res["irradiation"][0]
    assert np.allclose(out, whole["irradiation"][0], rtol=1e-5, atol=1e-3)


def test_small_holes_are_filled_and_counted(tables):
    z = np.full((60, 60), 5.0, np.float32)
    z[30, 30] = np.nan
    z[0:5, 50:60] = np.nan
    out = surface.surface_tile(z, RES, tables, surface.RasterParams(search_radius_m=5, fill_holes_m=1.0),
                               halo_px=0)
    assert out["counts"]["filled"] >= 1 and out["counts"]["nodata"] > 0
    assert np.isfinite(out["irradiation"][0, 30, 30])
    assert np.isnan(out["irradiation"][0, 0, 59])
