"""hn_geo: GIS toolkit for Haining's 14th Five-Year energy-saving and emission-reduction plan.

Data flows one way: inputs (:mod:`hn_geo.ground`: catalog, readers, validation, CRS) ->
analyses (:mod:`hn_geo.water`, :mod:`hn_geo.zoning`, :mod:`hn_geo.solar`,
:mod:`hn_geo.targets`: pure functions returning codes and numbers) -> outputs
(:mod:`hn_geo.render`: vocabulary, tables, workbook, maps, share packages). The CLI
(``hn-geo``), the batch pipeline and notebooks wire them through :mod:`hn_geo.workflows`.
"""
from hn_geo import vocabulary  # noqa: F401  (installs the message renderer)
from hn_geo.core.errors import HnGeoError, HnGeoWarning  # noqa: F401
from hn_geo.core.settings import METRIC_CRS, STORAGE_CRS, WGS84  # noqa: F401
from hn_geo.core.version import __version__  # noqa: F401
from hn_geo.ground.catalog import SCHEMAS, get_schema, load_layer  # noqa: F401


def list_layers():
    """Names of the catalog's layers."""
    return list(SCHEMAS)
