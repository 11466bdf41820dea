"""Which value family a column of a map layer holds.

A layer's ``codes`` say it (``AnalysisResult.codes``; the catalog's field families, passed
by :mod:`hn_geo.workflows.maps`). A few catalog columns carry their family by convention
(:data:`CONVENTIONS`), so a layer handed to :func:`~hn_geo.render.maps.make_map` as a bare
frame is still coloured by its codes and shows their words.
"""
from __future__ import annotations

from hn_geo import vocabulary
from hn_geo.render import palette

CONVENTIONS = {"water_class": "water_class", "target_class": "water_class", "unit_type": "unit_type",
               "build_type": "project_status", "section_type": "section_type", "water_body": "water_body",
               "building_type": "building_type", "roof_type": "roof_type"}
"""Family of catalog columns that do not declare one."""
LAYER_CONVENTIONS = {("projects", "status"): "project_status", ("towns", "kind"): "town_kind"}
"""Family of a column of one catalog layer (``projects.status`` is the project's build type)."""


def column_family(spec, column):
    """Value family of a column of a layer: its ``codes``, else the catalog convention."""
    fam = (spec.codes or {}).get(column)
    if fam:
        return fam
    if spec.scope == "ground" and (spec.name, column) in LAYER_CONVENTIONS:
        return LAYER_CONVENTIONS[(spec.name, column)]
    return CONVENTIONS.get(column)


def _codes_of(family):
    scope = palette.FAMILY_SCOPES.get(family)
    if not vocabulary.has_family(family, scope):
        return set()
    return set(vocabulary.words(family, "zh", scope))


def word_codes(spec, gdf):
    """``{column: family}`` of the columns whose values are shown as words: the declared ones,
    and conventional ones whose every value is a code of the family (words stay as they are)."""
    out = {c: f for c, f in palette.qualified_codes(spec.codes, spec.scope).items() if c in gdf.columns}
    for col in gdf.columns:
        if col in out or col == gdf.geometry.name:
            continue
        fam = column_family(spec, col)
        if fam is None:
            continue
        values = {v for v in gdf[col].dropna().tolist()}
        if values and all(isinstance(v, str) for v in values) and values <= _codes_of(fam):
            out[col] = palette.qualified(fam, spec.scope)
    return out
