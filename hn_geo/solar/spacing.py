"""Row spacing of racked modules on flat roofs: no inter-row shading at the design instant.

Rows of south-facing modules are spaced so that no row shades the next at solar noon (or a
chosen hour angle) on the winter solstice at the site's latitude; at 30.5°N, 20° racks give a
ground coverage ratio of 0.71 (:func:`ground_coverage_ratio`).
"""
from __future__ import annotations

import numpy as np

WINTER_SOLSTICE_DECLINATION = -23.44
"""Solar declination on the winter solstice [degrees]."""


def solar_angles(latitude, declination, hour_angle=0.0):
    """Solar elevation and azimuth from south [degrees] for a latitude, declination and hour angle."""
    phi, dec, h = np.radians(latitude), np.radians(declination), np.radians(hour_angle)
    sin_alt = np.sin(phi) * np.sin(dec) + np.cos(phi) * np.cos(dec) * np.cos(h)
    alt = np.arcsin(sin_alt)
    cos_az = (np.sin(alt) * np.sin(phi) - np.sin(dec)) / (np.cos(alt) * np.cos(phi))
    az = np.arccos(np.clip(cos_az, -1, 1)) * np.sign(h)
    return np.degrees(alt), np.degrees(az)


def ground_coverage_ratio(tilt, latitude, hour_angle=0.0, declination=WINTER_SOLSTICE_DECLINATION):
    """GCR of south-facing rows that do not shade each other at the design instant.

    With module slant length L and tilt β, a row casts a shadow of length L·sinβ·cosγ/tanα
    behind it (α solar elevation, γ solar azimuth from south), so the row pitch is
    D = L·(cosβ + sinβ·cosγ/tanα) and GCR = L/D.

    Parameters
    ----------
    tilt : float
        Module tilt [degrees].
    latitude : float
        [degrees north]
    hour_angle : float
        Design instant [degrees] (0 = solar noon).
    declination : float
        Solar declination [degrees] (winter solstice: -23.44°).

    Returns
    -------
    float
    """
    alt, az = solar_angles(latitude, declination, hour_angle)
    if alt <= 0:
        raise ValueError(f"the sun is below the horizon at latitude {latitude}° at the design instant")
    b = np.radians(tilt)
    pitch = np.cos(b) + np.sin(b) * np.cos(np.radians(az)) / np.tan(np.radians(alt))
    return float(1.0 / pitch)


def row_spacing(module_length, tilt, latitude, hour_angle=0.0):
    """Row pitch and clear gap [m] between rows of modules of slant length ``module_length`` [m]."""
    pitch = module_length / ground_coverage_ratio(tilt, latitude, hour_angle)
    return pitch, pitch - module_length * np.cos(np.radians(tilt))
