"""Weather readers (EPW, TMY3, PVGIS), time-zone handling, gap and time-zone checks, the DNI/DHI/GHI
closure, the embedded default (hn_geo.ground.weather); warnings and notes as codes."""
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pytest
from layer_factory import shared_data

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.results import Msg, Word
from hn_geo.ground import weather

EPW = shared_data("weather/CHN_Zhejiang.Hangzhou.584570_CSWD.epw")


def codes(record):
    """{code: warning} of the HnGeoWarnings recorded."""
    return {w.message.code: w.message for w in record if issubclass(w.category, HnGeoWarning)}


def raised(exc_info):
    return exc_info.value.code, exc_info.value.params


@pytest.fixture(scope="module")
def default():
    return weather.default_weather()


# ----------------------------------------------------------------------------- helpers
EPW_HEADER = [
    "LOCATION,Testville,ZJ,CHN,TEST,000000,{lat},{lon},{tz},5.0",
    "DESIGN CONDITIONS,0", "TYPICAL/EXTREME PERIODS,0", "GROUND TEMPERATURES,0",
    "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0", "COMMENTS 1,synthetic test file", "COMMENTS 2,",
    "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
]


def write_epw(path, w, tz=8.0, shift_hours=0, drop=()):
    """Write weather ``w`` (mid-hour labels, UTC+8) as an EPW file (hour-ending local time).

    ``shift_hours`` moves the values later by that many hours (a mislabelled
    file); ``drop`` removes data rows (gaps).
    """
    d = w.data
    vals = {c: np.roll(d[c].to_numpy(), shift_hours) for c in d.columns}
    end = d.index + pd.Timedelta(minutes=30)  # hour-ending label
    rows = []
    for i, t in enumerate(end):
        if i in drop:
            continue
        # EPW hour 24 is midnight at the end of the day
        day = t - pd.Timedelta(hours=1) if t.hour == 0 else t
        hour = 24 if t.hour == 0 else t.hour
        fields = [2019, day.month, day.day, hour, 0, "?", f"{vals['temp_air'][i]:.1f}", "10.0", "70",
                  "101300", "0", "1367", "300", f"{vals['ghi'][i]:.0f}", f"{vals['dni'][i]:.0f}",
                  f"{vals['dhi'][i]:.0f}", "0", "0", "0", "0", "0", "0",
                  f"{vals['wind_speed'][i]:.1f}", "5", "5", "9999", "9", "999999999", "0", "0.0", "0",
                  "88", "0.0", "0", "0"]
        rows.append(",".join(str(f) for f in fields))
    head = [h.format(lat=w.latitude, lon=w.longitude, tz=tz) for h in EPW_HEADER]
    Path(path).write_text("\n".join(head + rows) + "\n")
    return path


# ----------------------------------------------------------------------------- time zones
def test_named_timezone_sign_convention():
    assert weather.named_timezone(8) == "Etc/GMT-8"
    assert weather.named_timezone(-5) == "Etc/GMT+5"
    assert weather.named_timezone(0) == "Etc/GMT"
    assert weather.named_timezone(5.5) is None


def test_fix_timezone_converts_fixed_offset_keeping_instants():
    idx = pd.date_range("2019-06-01", periods=3, freq="h").tz_localize(8 * 3600)  # as pvlib read_epw does
    fixed = weather.fix_timezone(idx)
    assert str(fixed.tz) == "Etc/GMT-8"
    assert (fixed.tz_convert("UTC") == idx.tz_convert("UTC")).all()
    assert fixed[0].hour == 0


# ----------------------------------------------------------------------------- embedded default
def test_default_weather_reproduces_monthly_normals(default):
    norms = weather.monthly_normals()
    assert len(default.data) == 8760
    assert str(default.data.index.tz) == "Etc/GMT-8"
    assert (default.data.index.minute == 30).all()
    np.testing.assert_allclose(default.monthly_ghi().to_numpy(), norms["ghi_kwh_m2"].to_numpy(), rtol=1e-6)
    dhi = default.data["dhi"].groupby(default.data.index.month).sum().to_numpy() / 1000
    np.testing.assert_allclose(dhi, norms["dhi_kwh_m2"].to_numpy(), rtol=0.02)


def test_default_weather_closure_and_shape(default):
    d = default.data
    sp = default.location.get_solarposition(d.index)
    cosz = np.cos(np.radians(sp["apparent_zenith"].to_numpy()))
    day = cosz > 0.1
    np.testing.assert_allclose((d["dni"] * cosz + d["dhi"]).to_numpy()[day], d["ghi"].to_numpy()[day],
                               rtol=1e-6, atol=1e-6)
    assert (d["ghi"].to_numpy()[cosz < -0.02] == 0).all()  # sun more than ~1° below the horizon
    # daily cloudiness: days range from overcast to about clear sky, as in a real year
    cs = default.location.get_clearsky(d.index, solar_position=sp)
    day_ratio = d["ghi"].groupby(d.index.day_of_year).sum() / cs["ghi"].groupby(d.index.day_of_year).sum()
    assert day_ratio.max() < 1.25 and day_ratio.min() < 0.2
    assert 0.2 < day_ratio.std() < 0.4
    # seeded: the same year every time
    again = weather.default_weather()
    assert (again.data["ghi"].to_numpy() == d["ghi"].to_numpy()).all()
    assert abs(weather.noon_offset_hours(default)) < 0.1


def test_embedded_figures_cross_check_published_annual_total():
    # Hangzhou 1981-2010 mean annual global radiation 4196.41 MJ/m2 (科技通报 2012, 28(5):59-64)
    annual = weather.monthly_normals()["ghi_kwh_m2"].sum()
    assert abs(annual - 4196.41 / 3.6) / (4196.41 / 3.6) < 0.05


# ----------------------------------------------------------------------------- EPW round trip and checks
def test_epw_round_trip_mid_hour(tmp_path, default):
    p = write_epw(tmp_path / "ok.epw", default)
    w = weather.read_weather(p)
    assert str(w.data.index.tz) == "Etc/GMT-8"
    assert w.data.index[0] == pd.Timestamp("2019-01-01 00:30", tz="Etc/GMT-8")
    np.testing.assert_allclose(w.data["ghi"].to_numpy(), default.data["ghi"].round().to_numpy(), atol=0.5)
    assert w.latitude == pytest.approx(default.latitude)


def test_epw_in_utc_labelled_local_is_refused(tmp_path, default):
    # same hourly values, but the values are shifted by 8 h (data in UTC, file says UTC+8)
    p = write_epw(tmp_path / "utc.epw", default, shift_hours=-8)
    with pytest.raises(HnGeoError) as err:
        weather.read_weather(p)
    assert err.value.code == "solar.weather_noon_mismatch" and err.value.params["offset"] > 7
    assert "solar noon" in err.value.render("en") and "utc.epw" in err.value.render("en")


def test_epw_declared_utc_for_china_is_refused(tmp_path, default):
    p = write_epw(tmp_path / "tz0.epw", default, tz=0.0)
    with pytest.raises(HnGeoError) as err:
        weather.read_weather(p)
    assert err.value.code == "solar.weather_noon_mismatch"


def test_epw_one_hour_shift_is_corrected_with_warning(tmp_path, default):
    p = write_epw(tmp_path / "late.epw", default, shift_hours=1)
    with pytest.warns(HnGeoWarning) as rec:
        w = weather.read_weather(p)
    late = codes(rec)["solar.weather_hour_late"]
    assert late.params["shift"] == -1 and "moved all 8760 hourly values -1 h" in late.render("en")
    np.testing.assert_allclose(w.data["ghi"].to_numpy(), default.data["ghi"].round().to_numpy(), atol=0.5)
    # the repair is a note naming the file, not its path
    note = [n for n in w.notes if n.code == "solar.weather_repair"][0]
    assert note.params["file"] == "late.epw" and note.params["repair"].code == "solar.weather_hour_late"
    assert all(isinstance(n, Msg) for n in w.notes)
    with pytest.raises(HnGeoError) as err:
        weather.read_weather(p, fix_hour_shift=False)
    assert err.value.code == "solar.weather_noon_mismatch"


def test_epw_short_gap_interpolated_long_gap_refused(tmp_path, default):
    noon = 24 * 171 + 11  # 20 June, 11:30
    p = write_epw(tmp_path / "gap2.epw", default, drop=(noon, noon + 1))
    with pytest.warns(HnGeoWarning) as rec:
        w = weather.read_weather(p)
    gap = codes(rec)["solar.weather_interpolated"]
    assert gap.params["gaps"] == 1 and gap.params["longest"] == 2
    assert "1 gap(s) of at most 2 h" in gap.render("en") and "gap2.epw" in gap.render("en")
    assert len(w.data) == 8760 and w.data["ghi"].notna().all()
    assert w.data["ghi"].iloc[noon] > 0
    p = write_epw(tmp_path / "gap6.epw", default, drop=tuple(range(noon, noon + 6)))
    with pytest.raises(HnGeoError) as err:
        weather.read_weather(p)
    assert err.value.code == "solar.weather_gaps_too_long" and err.value.params["longest"] == 6
    assert "longest gap 6 h" in err.value.render("en")


def test_unknown_weather_format(tmp_path):
    p = tmp_path / "w.txt"
    p.write_text("nothing")
    with pytest.raises(HnGeoError) as err:
        weather.read_weather(p)
    assert raised(err) == ("solar.weather_unknown_type", {"suffix": ".txt"})
    assert "unknown weather file type" in err.value.render("en")


def test_pvgis_json_in_utc(tmp_path, default):
    d = default.data
    utc = (d.index - pd.Timedelta(minutes=30)).tz_convert("UTC")  # hour-start labels, UTC
    src = {
        "inputs": {"location": {"latitude": default.latitude, "longitude": default.longitude, "elevation": 5.0}},
        "meta": {"inputs": {}},
        "outputs": {"months_selected": [{"month": m, "year": 2010} for m in range(1, 13)],
                    "tmy_hourly": [{"time(UTC)": t.strftime("%Y%m%d:%H%M"), "T2m": a, "RH": 70.0,
                                    "G(h)": g, "Gb(n)": b, "Gd(h)": h, "IR(h)": 300.0, "WS10m": ws,
                                    "WD10m": 0.0, "SP": 101300.0}
                                   for t, g, b, h, a, ws in zip(utc, d["ghi"], d["dni"], d["dhi"],
                                                                d["temp_air"], d["wind_speed"])]},
    }
    p = tmp_path / "pvgis.json"
    p.write_text(json.dumps(src))
    w = weather.read_weather(p)
    assert str(w.data.index.tz) == "Etc/GMT-8"
    assert len(w.data) == 8760
    np.testing.assert_allclose(w.monthly_ghi().to_numpy(), default.monthly_ghi().to_numpy(), rtol=1e-3)
    assert abs(weather.noon_offset_hours(w)) < 0.1


# ----------------------------------------------------------------------------- the real CSWD EPW file
def test_real_cswd_epw(recwarn):
    if EPW is None:
        pytest.skip("shared weather data not available")
    raw, meta = pvlib.iotools.read_epw(EPW)
    assert "UTC+08:00" in str(raw.index.tz)  # the quirk fix_timezone handles
    w = weather.read_weather(EPW)
    assert str(w.data.index.tz) == "Etc/GMT-8"
    assert len(w.data) == 8760 and (w.data.index.minute == 30).all()
    found = codes(recwarn)
    assert "solar.weather_hour_late" in found                  # CSWD labels hours one hour late
    assert "solar.weather_closure" in found                    # and its DNI/DHI/GHI disagree
    assert w.source == Msg("solar.weather_source_file", file=EPW.name,
                           format=Word("solar.weather_format", "epw"))
    assert abs(weather.noon_offset_hours(w)) < 0.3
    # the embedded monthly figures are this station's CSWD monthly sums
    monthly = raw["ghi"].groupby(raw.index.month).sum().to_numpy() / 1000
    np.testing.assert_allclose(weather.monthly_normals()["ghi_kwh_m2"].to_numpy(), monthly, atol=0.006)
    temp = raw["temp_air"].groupby(raw.index.month).mean().to_numpy()
    np.testing.assert_allclose(weather.monthly_normals()["temp_air_c"].to_numpy(), temp, atol=0.006)


def test_tmy3_hour_ending_labels(tmp_path, default):
    d = default.data
    end = d.index + pd.Timedelta(minutes=30)  # TMY3: hour-ending local standard time, 24:00 at midnight
    date = (end - pd.Timedelta(minutes=1)).strftime("%m/%d/%Y")
    hour = np.where(end.hour == 0, 24, end.hour)
    lines = [f"999999,TESTVILLE,ZJ,8.0,{default.latitude},{default.longitude},5.0",
             "Date (MM/DD/YYYY),Time (HH:MM),GHI (W/m^2),DNI (W/m^2),DHI (W/m^2),Dry-bulb (C),Wspd (m/s)"]
    lines += [f"{a},{h:02d}:00,{g:.0f},{b:.0f},{c:.0f},{t:.1f},{ws:.1f}"
              for a, h, g, b, c, t, ws in zip(date, hour, d["ghi"], d["dni"], d["dhi"], d["temp_air"],
                                              d["wind_speed"])]
    p = tmp_path / "tmy3.csv"
    p.write_text("\n".join(lines) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", HnGeoWarning)   # no gap: 24:00 on 31 Dec stays in the year
        w = weather.read_weather(p)
    assert len(w.data) == 8760 and w.data.index[-1] == pd.Timestamp("2019-12-31 23:30", tz="Etc/GMT-8")
    np.testing.assert_allclose(w.data["ghi"].to_numpy(), d["ghi"].round().to_numpy(), atol=0.5)


def test_leap_day_rows_dropped_with_warning(tmp_path, default):
    p = write_epw(tmp_path / "ok.epw", default)
    text = p.read_text().replace("\n2019,", "\n2020,")   # the same rows, labelled as a leap year...
    lines = text.splitlines()
    head, rows = lines[:8], lines[8:]
    feb28 = [r for r in rows if r.split(",")[1:3] == ["2", "28"]]
    leap = [r.replace("2020,2,28,", "2020,2,29,", 1) for r in feb28]   # ...with a 29 February added
    i = rows.index(feb28[-1]) + 1
    p.write_text("\n".join(head + rows[:i] + leap + rows[i:]) + "\n")
    with pytest.warns(HnGeoWarning) as rec:
        w = weather.read_weather(p)
    assert codes(rec)["solar.weather_leap_dropped"].params == {"n": 24}
    assert len(w.data) == 8760


def test_pvgis_csv_with_minute_stamps(tmp_path, default):
    d = default.data
    utc = (d.index - pd.Timedelta(minutes=30)).tz_convert("UTC") + pd.Timedelta(minutes=10)  # HH:10 stamps
    lines = [f"Latitude (decimal degrees): {default.latitude}", f"Longitude (decimal degrees): {default.longitude}",
             "Elevation (m): 5.0", "Irradiance Time Offset (h): 0.1761", "month,year"]
    lines += [f"{m},2012" for m in range(1, 13)]
    lines.append("time(UTC),T2m,RH,G(h),Gb(n),Gd(h),IR(h),WS10m,WD10m,SP")
    lines += [f"{t:%Y%m%d:%H%M},{a:.2f},70.0,{g:.1f},{b:.1f},{h:.1f},300.0,{ws:.2f},0.0,101300.0"
              for t, g, b, h, a, ws in zip(utc, d["ghi"], d["dni"], d["dhi"], d["temp_air"], d["wind_speed"])]
    lines += ["T2m: 2-m air temperature (degree Celsius)", "G(h): Global irradiance on the horizontal plane (W/m2)"]
    p = tmp_path / "pvgis_tmy.csv"
    p.write_text("\r\n".join(lines) + "\r\n")
    w = weather.read_weather(p)
    assert w.latitude == pytest.approx(default.latitude)
    assert str(w.data.index.tz) == "Etc/GMT-8" and (w.data.index.minute == 30).all()
    np.testing.assert_allclose(w.data["ghi"].to_numpy(), d["ghi"].to_numpy(), atol=0.06)


def test_closure_repaired_with_a_counted_warning(tmp_path, default):
    half = default.replace(data=default.data.assign(dni=default.data["dni"] * 0.5))
    p = write_epw(tmp_path / "half.epw", half)
    with pytest.warns(HnGeoWarning) as rec:
        w = weather.read_weather(p)
    closure = codes(rec)["solar.weather_closure"]
    assert closure.params["n"] > 1000 and closure.params["before"] < -10
    # after the repair DNI·cos z + DHI is GHI again
    sp = w.location.get_solarposition(w.data.index)
    cosz = np.cos(np.radians(sp["apparent_zenith"].to_numpy()))
    up = cosz > 0.1
    d = w.data
    np.testing.assert_allclose((d["dni"] * cosz + d["dhi"]).to_numpy()[up], d["ghi"].to_numpy()[up],
                               rtol=0.06, atol=11)
    assert any(n.params.get("repair", Msg("x")).code == "solar.weather_closure" for n in w.notes)


def test_default_weather_speaks_in_codes(default):
    assert default.source == Msg("solar.weather_source_default")
    assert default.notes == [Msg("solar.weather_default")]
    assert weather.load_weather(None).source == default.source
