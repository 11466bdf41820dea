"""What every workflow returns, and the small helpers they share."""
from __future__ import annotations

from dataclasses import dataclass, field

from hn_geo.ground import catalog


@dataclass
class Outcome:
    """The result of one workflow run.

    Attributes
    ----------
    result : AnalysisResult or None
        The analysis result (None for output workflows: report, maps, share).
    files : list of Path
        Every file written, in order.
    """

    result: object = None
    files: list = field(default_factory=list)


def given(**options):
    """The options that were given (not None): what a workflow passes on to an analysis."""
    return {k: v for k, v in options.items() if v is not None}


def with_catalog_codes(result):
    """Declare the value families of the catalog fields a result carries through.

    A result layer may keep input fields (a project's ``source``, a section's
    ``section_type``); their codes are rendered like the catalog's own layers. Columns the
    analysis already declared keep its family.
    """
    families = {}
    for schema in catalog.SCHEMAS.values():
        for f in schema.fields:
            if f.family:
                families.setdefault(f.name, f.family)
    frames = list(result.tables.values()) + list(result.layers.values())
    present = {c for frame in frames for c in frame.columns}
    for col, fam in families.items():
        if col in present and col not in result.codes:
            result.codes[col] = fam
    return result
