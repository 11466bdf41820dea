"""Package-wide settings: coordinate reference systems and the display language.

One module, as in osmnx's ``settings``: constants the whole package shares. Method
parameters have their defaults in the signatures of the functions that use them, and the
plan's figures (1,800 MW, 10,000 homes, ...) live in ``hn_geo/data/plan_targets.yaml``.
"""
from __future__ import annotations

STORAGE_CRS = "EPSG:4490"
"""CGCS2000 geographic: the CRS every layer is returned in and written to GeoPackages."""
METRIC_CRS = "EPSG:4549"
"""CGCS2000 / 3-degree Gauss-Kruger CM 120E: areas, lengths and distances around Haining."""
WGS84 = "EPSG:4326"
"""GeoJSON (RFC 7946) and web maps."""

LANGS = ("zh", "en")
"""Languages every user-facing word exists in (``hn_geo/data/labels.yaml``)."""

lang = "zh"
"""Language in which warnings and errors print their message (``str(warning)``).

Outputs take an explicit ``lang``; this setting only decides how a Python warning or
exception reads when shown by the interpreter. The CLI sets it from ``--lang``.
"""
