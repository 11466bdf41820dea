"""hn_geo: GIS toolkit for Haining's 14th Five-Year energy-saving and emission-reduction plan.

Data flows one way: layers/io -> analyses (pure functions on GeoDataFrames) -> outputs
(maps, tables, share packages). The CLI (``hn-geo``) and notebooks only wire these together.
"""
from .catalog import (METRIC_CRS, SCHEMAS, STORAGE_CRS, WGS84, get_schema,  # noqa: F401
                      load_layer)
from .errors import HnGeoError, HnGeoWarning  # noqa: F401

__version__ = "0.1.0"


def list_layers():
    """Names of the catalog's layers."""
    return list(SCHEMAS)
