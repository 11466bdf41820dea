"""Read an access-list YAML file (生态环境准入清单) into a plain mapping.

The rule model and its checks are the analysis' (:func:`hn_geo.zoning.rules.parse`); this
module only reads the file: YAML with the safe loader, errors naming the file (and the
line of a syntax error). The unit types under ``rules.by_unit_type`` may be written in
Chinese or English (优先保护 / priority protection / priority); they are turned into the
codes of the ``unit_type`` family here, on input.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from hn_geo import vocabulary
from hn_geo.core.errors import HnGeoError
from hn_geo.ground.yamlfile import MAX_BYTES, BoundedLoader


def default_rules_path():
    """Path of the embedded default access list (``hn_geo/data/access_rules.yaml``)."""
    return Path(str(resources.files("hn_geo") / "data" / "access_rules.yaml"))


def read_rules_file(path=None):
    """Read an access-list YAML file.

    Parameters
    ----------
    path : str or Path, optional
        The embedded default (:func:`default_rules_path`) when omitted.

    Returns
    -------
    dict
        The file's mapping, unit-type keys as codes; anything else as written (the
        parser checks it).

    Raises
    ------
    HnGeoError
        File missing, not UTF-8, not valid YAML (with line and column), not a mapping.
    """
    path = Path(path) if path is not None else default_rules_path()
    if not path.exists():
        raise HnGeoError(code="zoning.rules_not_found", path=path)
    if path.stat().st_size > MAX_BYTES:
        raise HnGeoError(code="zoning.rules_not_yaml",
                         params={"problem": f"> {MAX_BYTES / 1e6:.0f} MB"}, path=path)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=BoundedLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = str(getattr(exc, "problem", None) or exc)
        if mark is None:
            raise HnGeoError(code="zoning.rules_not_yaml", params={"problem": problem},
                             path=path) from exc
        raise HnGeoError(code="zoning.rules_not_yaml_at",
                         params={"line": mark.line + 1, "column": mark.column + 1,
                                 "problem": problem}, path=path) from exc
    except UnicodeDecodeError as exc:
        raise HnGeoError(code="zoning.rules_not_utf8", path=path) from exc
    if not isinstance(doc, dict):
        raise HnGeoError(code="zoning.rules_not_mapping", path=path)
    return _unit_type_codes(doc)


def _unit_type_codes(doc):
    """``rules.by_unit_type`` keys as unit-type codes (unknown words are left for the
    parser to report)."""
    rules = doc.get("rules")
    by_type = rules.get("by_unit_type") if isinstance(rules, dict) else None
    if not isinstance(by_type, dict):
        return doc
    coded = {}
    for key, items in by_type.items():
        code = vocabulary.code_of("unit_type", key) or key
        if code in coded:  # the same type written twice (优先保护 and priority)
            coded[code] = list(coded[code] or []) + list(items or [])
        else:
            coded[code] = items
    return {**doc, "rules": {**rules, "by_unit_type": coded}}
