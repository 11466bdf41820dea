"""Roof geometry: areas in EPSG:4549, plane azimuths, winter-solstice row spacing, bad input
(hn_geo.solar.roofs, .geometry, .spacing)."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pvlib
import pyproj
import pytest
import shapely
from shapely.affinity import rotate

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.solar import geometry, roofs, spacing

X0, Y0 = 568000.0, 3377000.0  # near Haining in EPSG:4549


def frame(polys, types, roof_type=None, storeys=None, crs="EPSG:4549"):
    n = len(polys)
    gdf = gpd.GeoDataFrame({"building_id": [f"b{i}" for i in range(n)], "town": "t",
                            "building_type": types, "roof_type": roof_type or [None] * n,
                            "storeys": storeys or [None] * n}, geometry=polys, crs=crs)
    return gdf.to_crs("EPSG:4490")


def test_flat_roof_area_and_module_area():
    gdf = frame([shapely.box(X0, Y0, X0 + 60, Y0 + 12)], ["residential"], ["flat"])
    r = roofs.roof_planes(gdf)
    row = r.table.iloc[0]
    assert row["roof_area_m2"] == pytest.approx(720.0, abs=0.2)   # 60 m x 12 m, back from EPSG:4490
    frac = roofs.USABLE_FRACTION["residential"][1]                  # 720 m² is a 'medium' building
    gcr = spacing.ground_coverage_ratio(20, 30.5)
    assert row["size_class"] == "medium"
    assert row["usable_area_m2"] == pytest.approx(720 * frac, abs=0.2)
    assert row["module_area_m2"] == pytest.approx(720 * frac * gcr, abs=0.2)
    assert r.planes["azimuth"][0, 0] == 180 and r.planes["tilt"][0, 0] == 20


def test_long_axis_bearing_of_rotated_rectangles():
    base = shapely.box(0, 0, 40, 10)  # long axis east-west
    geoms = [rotate(base, a, origin="centroid") for a in (0, 30, 90, -45)]
    bearing, elong = geometry.long_axis_bearing(np.array(geoms))
    # rotating counter-clockwise by a turns the bearing (clockwise from north) from 90 to 90 - a
    np.testing.assert_allclose(bearing, [90, 60, 0, 135], atol=1e-6)
    np.testing.assert_allclose(elong, 4.0, rtol=1e-9)


def test_meridian_convergence_matches_proj():
    lon, lat = np.array([120.3, 120.68, 120.9]), np.array([30.3, 30.51, 30.6])
    f = pyproj.Proj("EPSG:4549").get_factors(lon, lat)
    np.testing.assert_allclose(geometry.meridian_convergence(lon, lat), f.meridian_convergence, atol=1e-4)


def test_pitched_plane_azimuths_true_north():
    # a rectangle whose long side runs along a true meridian (built in lon/lat): ridge N-S, planes E and W
    lon, lat, dlat, dlon = 120.68, 30.51, 0.0004, 0.0001
    poly = shapely.Polygon([(lon, lat), (lon + dlon, lat), (lon + dlon, lat + dlat), (lon, lat + dlat)])
    gdf = gpd.GeoDataFrame({"building_id": ["a"], "town": "t", "building_type": ["residential"],
                            "roof_type": ["pitched"]}, geometry=[poly], crs="EPSG:4490")
    r = roofs.roof_planes(gdf)
    az = np.sort(r.planes["azimuth"][0])
    np.testing.assert_allclose(az, [90.0, 270.0], atol=0.02)
    assert (r.planes["module_area_m2"][0] > 0).all()   # east and west both used


def test_pitched_roof_ridge_east_west_uses_only_the_south_plane():
    p = roofs.RoofParams()
    gdf = frame([shapely.box(X0, Y0, X0 + 14, Y0 + 10)], ["residential"], ["pitched"])
    r = roofs.roof_planes(gdf, p)
    az = r.planes["azimuth"][0]
    areas = r.planes["module_area_m2"][0]
    south = int(np.argmin(np.abs(az - 180)))
    assert abs(az[south] - 180) < 1 and areas[1 - south] == 0     # the north plane is excluded
    sloped = 140 / np.cos(np.radians(p.pitch_deg))
    assert r.table["roof_area_m2"].iloc[0] == pytest.approx(sloped, abs=0.2)
    frac = roofs.USABLE_FRACTION["residential"][0]
    assert areas[south] == pytest.approx(sloped / 2 * frac * p.flush_fill, rel=1e-3)


def test_unknown_roof_type_guess():
    polys = [shapely.box(X0 + i * 100, Y0, X0 + i * 100 + 12, Y0 + 10) for i in range(3)]
    gdf = frame(polys, ["residential", "residential", "commercial"], ["unknown", None, None], [2, 12, 2])
    r = roofs.roof_planes(gdf)
    assert r.table["roof_type_used"].tolist() == ["pitched", "flat", "flat"]


def test_gcr_hand_computed_and_against_pvlib_sun():
    # solar elevation at solar noon on the winter solstice at 30.5°N: 90 - 30.5 - 23.44 = 36.06°
    alt, az = spacing.solar_angles(30.5, -23.44, 0.0)
    assert alt == pytest.approx(36.06, abs=1e-6) and az == pytest.approx(0.0)
    # pvlib's SPA at true solar noon, 2019-12-22, 30.5°N 120.5°E, agrees to 0.1°
    times = pd.date_range("2019-12-22 11:00", "2019-12-22 13:00", freq="1min", tz="Etc/GMT-8")
    sp = pvlib.solarposition.get_solarposition(times, 30.5, 120.5)
    assert sp["elevation"].max() == pytest.approx(36.06, abs=0.1)
    gcr = spacing.ground_coverage_ratio(20, 30.5)
    hand = 1 / (np.cos(np.radians(20)) + np.sin(np.radians(20)) / np.tan(np.radians(36.06)))
    assert gcr == pytest.approx(hand, rel=1e-4)
    assert gcr == pytest.approx(0.710, abs=0.001)
    # a stricter design window (9:00-15:00 solar time, GB 50797) needs wider spacing
    assert spacing.ground_coverage_ratio(20, 30.5, hour_angle=45) < gcr
    # flat modules never shade each other
    assert spacing.ground_coverage_ratio(0, 30.5) == pytest.approx(1.0)


def test_winter_solstice_row_spacing_shadow_fits_the_gap():
    length, tilt, lat = 2.3, 20.0, 30.5
    pitch, gap = spacing.row_spacing(length, tilt, lat)
    alt, _ = spacing.solar_angles(lat, -23.44, 0.0)
    top = length * np.sin(np.radians(tilt))
    shadow = top / np.tan(np.radians(alt))   # shadow of the row's top edge at noon
    assert gap == pytest.approx(shadow, rel=1e-9)
    assert pitch == pytest.approx(length * np.cos(np.radians(tilt)) + shadow, rel=1e-9)
    # higher latitude, lower sun, wider spacing
    assert spacing.row_spacing(length, tilt, 40.0)[0] > pitch


def test_tiny_and_zero_area_buildings_warn_and_get_no_pv():
    polys = [shapely.box(X0, Y0, X0 + 1, Y0 + 1), shapely.box(X0 + 50, Y0, X0 + 80, Y0 + 20)]
    gdf = frame(polys, ["public", "public"], ["flat", "flat"])
    with pytest.warns(HnGeoWarning) as rec:
        r = roofs.roof_planes(gdf)
    w = [x.message for x in rec if getattr(x.message, "code", "") == "solar.tiny_footprints"][0]
    assert w.params["n"] == 1 and w.params["area"] == 5.0 and w.params["first"] == ["b0"]
    assert "1 building(s) have a footprint under 5 m²" in w.render("en")
    assert r.tiny.tolist() == [True, False]
    assert r.table["module_area_m2"].iloc[0] == 0 and r.table["module_area_m2"].iloc[1] > 0


def test_minimum_module_area():
    # 4 m x 5 m flat roof: 20 m² x 0.55 x 0.71 = 7.8 m² of modules < 10 m² minimum
    gdf = frame([shapely.box(X0, Y0, X0 + 4, Y0 + 5)], ["residential"], ["flat"])
    assert roofs.roof_planes(gdf).table["module_area_m2"].iloc[0] == 0
    big = roofs.RoofParams(min_module_area_m2=5.0)
    assert roofs.roof_planes(gdf, big).table["module_area_m2"].iloc[0] > 5


def test_unknown_building_type_is_an_error_with_a_code():
    gdf = frame([shapely.box(X0, Y0, X0 + 20, Y0 + 20)] * 2, ["residential", "temple"])
    with pytest.raises(HnGeoError) as err:
        roofs.roof_planes(gdf)
    assert err.value.code == "solar.unknown_building_types" and err.value.params["types"] == ["temple"]
    assert "temple" in err.value.render("en") and "temple" in err.value.render("zh")


def test_module_density_validated():
    with pytest.raises(HnGeoError) as err:
        roofs.RoofParams(module_density_kwp_m2=22)
    assert err.value.code == "solar.implausible_density"
    assert "implausible" in err.value.render("en")


def test_vectorised_many_buildings_fast():
    rng = np.random.default_rng(1)
    n = 20000
    x, y = X0 + rng.uniform(0, 1e4, n), Y0 + rng.uniform(0, 1e4, n)
    polys = shapely.box(x, y, x + rng.uniform(8, 60, n), y + rng.uniform(8, 30, n))
    gdf = frame(list(polys), rng.choice(list(roofs.USABLE_FRACTION), n).tolist())
    r = roofs.roof_planes(gdf)
    assert len(r.table) == n
    np.testing.assert_allclose(r.table["roof_area_m2"].where(r.table["roof_type_used"] == "flat").dropna(),
                               shapely.area(polys)[r.table["roof_type_used"] == "flat"], atol=0.2)


def test_rectangle_fast_path_matches_oriented_envelope():
    rng = np.random.default_rng(4)
    rects = [rotate(shapely.box(0, 0, L, W), a, origin="centroid")
             for L, W, a in zip(rng.uniform(5, 50, 30), rng.uniform(5, 50, 30), rng.uniform(-90, 90, 30))]
    # L-shapes and a polygon with a hole take the oriented_envelope path
    others = [shapely.Polygon([(0, 0), (30, 0), (30, 10), (10, 10), (10, 20), (0, 20)]),
              shapely.box(0, 0, 40, 10).difference(shapely.box(5, 2, 8, 4))]
    geoms = np.array(rects + others, dtype=object)
    fast, _, centre = geometry.long_axis_bearing(geoms, return_centre=True)
    env = shapely.oriented_envelope(geoms)
    ref, _ = geometry.long_axis_bearing(env)
    diff = np.abs((fast - ref + 90) % 180 - 90)
    assert diff.max() < 1e-6
    np.testing.assert_allclose(centre, shapely.get_coordinates(shapely.centroid(env)), atol=1e-6)


def test_to_crs_array_matches_geopandas():
    g = gpd.GeoSeries([shapely.box(X0, Y0, X0 + 30, Y0 + 20), shapely.box(X0 + 1e3, Y0, X0 + 1e3 + 5, Y0 + 9)],
                      crs="EPSG:4549")
    fast = geometry.to_crs_array(g.values, g.crs, "EPSG:4490")
    ref = g.to_crs("EPSG:4490").values
    assert shapely.equals_exact(fast, np.asarray(ref), tolerance=1e-9).all()
    assert g.values[0].bounds[0] == X0  # input untouched


def test_roof_notes_are_codes():
    gdf = frame([shapely.box(X0, Y0, X0 + 30, Y0 + 20)], ["public"])
    notes = roofs.roof_planes(gdf).notes
    assert [n.code for n in notes] == ["solar.note_roof_guess", "solar.note_flat_racks",
                                       "solar.note_usable_share", "solar.note_module_density"]
    assert notes[1].params["gcr"] == pytest.approx(0.710, abs=0.001)


def test_to_crs_array_in_chunks_matches_one_call(monkeypatch):
    from hn_geo.core import threads

    rng = np.random.default_rng(3)
    n = 2 * threads.MIN_CHUNK + 11
    x, y = X0 + rng.random(n) * 5e4, Y0 + rng.random(n) * 5e4
    geoms = np.concatenate([shapely.box(x, y, x + 20, y + 12), [None]])
    monkeypatch.setattr(threads, "workers", lambda: 2)
    chunks = []
    real = geometry._project
    monkeypatch.setattr(geometry, "_project", lambda c, s, d: chunks.append(len(c)) or real(c, s, d))
    fast = geometry.to_crs_array(geoms, "EPSG:4549", "EPSG:4490")
    assert len(chunks) == 2 and sum(chunks) == 5 * n  # every coordinate once, in two chunks
    ref = gpd.GeoSeries(geoms, crs="EPSG:4549").to_crs("EPSG:4490").values
    assert shapely.equals_exact(fast[:-1], np.asarray(ref)[:-1], tolerance=1e-9).all() and fast[-1] is None
