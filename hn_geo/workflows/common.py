"""What every workflow returns, and the small helpers they share."""
from __future__ import annotations

from dataclasses import dataclass, field

from hn_geo.core.errors import HnGeoError
from hn_geo.engines import ENGINES
from hn_geo.ground import catalog, datasets
from hn_geo.ground.inputs import PREPARERS


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


def check_engine(engine):
    """``engine`` ('memory' when None) if it is one of :data:`hn_geo.engines.ENGINES`."""
    engine = engine or "memory"
    if engine not in ENGINES:
        raise HnGeoError(code="pipeline.bad_engine", params={"value": engine, "known": list(ENGINES)},
                         field="engine")
    return engine


def dataset_of(inputs, name, *, default=None):
    """Layer ``name`` of ``inputs`` as a lazy partitioned frame (:func:`hn_geo.ground.datasets.open_dataset`):
    the user's dataset or file, else ``default``, else the embedded layer (one part each)."""
    src = inputs.layers.get(name)
    if src is None:
        path = default if default is not None else inputs.source_of(name)
        ddf, _ = datasets.open_dataset(path, name, prepare=PREPARERS.get(name))
        return ddf
    ddf, _ = datasets.open_dataset(src.path, name, prepare=PREPARERS.get(name), assume_crs=src.assume_crs,
                                   from_gcj02=src.from_gcj02)
    return ddf
