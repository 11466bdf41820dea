"""One year of hourly weather at a site: what the weather readers produce and the PV analysis uses.

The readers (:mod:`hn_geo.ground.weather`) build a :class:`Weather` from an EPW, TMY3 or PVGIS
file, or the embedded Haining default; :mod:`hn_geo.solar` computes yields from it. Its
``source`` and ``notes`` are message codes (:class:`~hn_geo.core.results.Msg`), rendered in
Chinese or English by the outputs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from hn_geo.core.results import Msg

COLUMNS = ("ghi", "dni", "dhi", "temp_air", "wind_speed")
"""The columns of :attr:`Weather.data`."""


@dataclass
class Weather:
    """One year of hourly weather at a site.

    Attributes
    ----------
    data : pandas.DataFrame
        Columns ``ghi``, ``dni``, ``dhi`` [W/m²], ``temp_air`` [°C], ``wind_speed`` [m/s];
        8760 rows; index tz-aware, labelled at mid-hour.
    latitude, longitude : float
        Site [degrees north, degrees east].
    altitude : float
        Site elevation [m above sea level].
    source : Msg
        What the data are (file name and format, or the embedded default).
    notes : list of Msg
        Repairs and caveats, for the analysis notes.
    """

    data: object
    latitude: float
    longitude: float
    altitude: float
    source: Msg
    notes: list = field(default_factory=list)

    @property
    def location(self):
        """The site as a :class:`pvlib.location.Location` (in the index's time zone)."""
        import pvlib  # heavy: loaded only when the sun is needed, not with hn_geo.core

        return pvlib.location.Location(self.latitude, self.longitude, tz=str(self.data.index.tz),
                                       altitude=self.altitude)

    def monthly_ghi(self):
        """Monthly global horizontal irradiation [kWh/m²] (index 1..12)."""
        return self.data["ghi"].groupby(self.data.index.month).sum() / 1000.0

    def replace(self, *, data=None, notes=None):
        """A copy with new ``data`` and/or ``notes`` (same site and source)."""
        return Weather(self.data if data is None else data, self.latitude, self.longitude,
                       self.altitude, self.source, list(self.notes if notes is None else notes))
