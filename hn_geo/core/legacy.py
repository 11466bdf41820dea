"""TEMPORARY: the 0.1 result type, kept while the analyses move to :mod:`hn_geo.core.results`."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AnalysisResult:
    """Output of one analysis.

    Attributes
    ----------
    name : str
        Analysis name, e.g. 'water'; used for file names.
    tables : dict of str -> pandas.DataFrame
        Result tables with English snake_case columns, in display order.
    layers : dict of str -> geopandas.GeoDataFrame
        Result layers for maps and exports (CRS EPSG:4490).
    labels : dict of str -> (str, str)
        Column -> (Chinese label, English label) for the tables and layers.
    status_columns : tuple of str
        Columns holding a status word, coloured in workbooks and maps.
    summary : dict
        Key figures (label -> value) for a report's summary sheet and the CLI.
    notes : list of str
        Plain-language remarks (assumptions, deductions applied, data caveats).
    """

    name: str
    tables: dict = field(default_factory=dict)
    layers: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    status_columns: tuple = ()
    summary: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
