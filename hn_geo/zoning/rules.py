"""The environmental access list (生态环境准入清单) as data: the rule model and its parser.

A bureau analyst edits a YAML file, never code; :func:`hn_geo.ground.rules.read_rules_file`
reads it into a plain mapping and :func:`parse` checks that mapping and builds an
:class:`AccessList`. The mapping holds

``industry_categories``
    Named categories (化工, 印染, 化纤, 建材, 涂装, ...) mapped to GB/T 4754-2017 code
    prefixes, so a rule may name either.
``solvent_types``
    The vocabulary of the projects' ``solvent_type`` field: which values are high-VOCs
    solvent-borne materials and which are low-VOCs.
``rules``
    Grouped by scope: ``all_units`` (every control unit), ``by_unit_type`` (unit-type codes
    ``priority`` / ``key`` / ``general``, i.e. 优先保护 / 重点管控 / 一般管控 -- the reader
    turns either word into the code -- optionally narrowed by ``sub_types``) and
    ``by_unit_code`` (one unit, e.g. ``ZH33048120001``). Every rule has an ``id``, a
    ``kind``, kind-specific ``params``, a ``severity`` (error / warning / info), the
    ``clause`` text quoted back to the user and its ``source``.

Rule kinds (:data:`RULE_KINDS`): ``prohibited_industry``, ``two_high``,
``high_vocs_solvent``, ``min_distance``, ``emission_cap``, ``energy_intensity``,
``green_channel``, ``park_only`` (the project must lie inside one of the listed parks of
the ``parks`` layer, or any park; e.g. 新建化工项目须进入合规园区). Each is described by a
JSON Schema (:data:`PARAM_SCHEMAS`); a mapping is
checked with :mod:`jsonschema` and every problem is reported at once, naming the rule id
and the field.

Industry codes follow GB/T 4754-2017 (国民经济行业分类): 2-digit division, 3-digit group or
4-digit class, optionally prefixed by the section letter (``C2614``).
:func:`parse_industry_codes` normalises and checks them against the table of the 97
divisions (:mod:`hn_geo.reference.industries`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from jsonschema import Draft202012Validator

from hn_geo.core.errors import HnGeoError
from hn_geo.reference import industries

RULE_KINDS = ("prohibited_industry", "two_high", "high_vocs_solvent", "min_distance",
              "emission_cap", "energy_intensity", "green_channel", "park_only")
SEVERITIES = ("error", "warning", "info")
POLLUTANTS = ("nox_t", "vocs_t", "cod_t", "nh3n_t")
"""Load columns of projects and emission points (t/a); the ``pollutant`` code is the name
without ``_t`` (``vocs_t`` -> ``vocs``)."""
DISTANCE_LAYERS = ("red_line", "water_source")
UNIT_TYPES = ("priority", "key", "general")
"""Unit-type codes (value family ``unit_type``: 优先保护, 重点管控, 一般管控)."""
UNIT_TYPE_DIGIT = {"priority": "1", "key": "2", "general": "3"}
"""The type digit of a national unit code (9th character) per unit type."""
PROJECT_STATUSES = ("new", "expansion", "existing")
"""Build-type codes of the projects' ``status`` (value family ``project_status``)."""
UNIT_CODE_RE = re.compile(r"^ZH\d{6}[123]\d{4}$")
DEFAULT_STATUSES = ("new", "expansion")

_CODE_LIST = {"type": "array", "items": {"type": "string", "pattern": r"^[A-T]?\d{2,4}$"},
              "minItems": 1}
_NAME_LIST = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}
_INDUSTRIES = {
    "type": "object", "additionalProperties": False,
    "properties": {"codes": _CODE_LIST, "categories": _NAME_LIST},
    "anyOf": [{"required": ["codes"]}, {"required": ["categories"]}],
}

#: JSON Schema of ``params`` for each rule kind.
PARAM_SCHEMAS = {
    "prohibited_industry": _INDUSTRIES,
    "two_high": {"type": "object", "additionalProperties": False, "properties": {}},
    "high_vocs_solvent": {
        "type": "object", "additionalProperties": False,
        "properties": {"solvent_types": _NAME_LIST},
    },
    "min_distance": {
        "type": "object", "additionalProperties": False, "required": ["layer", "distance_m"],
        "properties": {"layer": {"enum": list(DISTANCE_LAYERS)},
                       "distance_m": {"type": "number", "exclusiveMinimum": 0}},
    },
    "emission_cap": {
        "type": "object", "additionalProperties": False, "required": ["pollutant", "cap_t"],
        "properties": {"pollutant": {"enum": list(POLLUTANTS)},
                       "cap_t": {"type": "number", "minimum": 0}},
    },
    "energy_intensity": {
        "type": "object", "additionalProperties": False, "required": ["max_tce_per_wan"],
        "properties": {"max_tce_per_wan": {"type": "number", "exclusiveMinimum": 0},
                       "min_energy_tce": {"type": "number", "minimum": 0}},
    },
    "green_channel": {
        "type": "object", "additionalProperties": False, "required": ["below_tce_per_wan"],
        "properties": {"below_tce_per_wan": {"type": "number", "exclusiveMinimum": 0},
                       "min_energy_tce": {"type": "number", "minimum": 0}},
    },
    "park_only": {
        "type": "object", "additionalProperties": False,
        "properties": {"parks": _NAME_LIST},
    },
}

#: JSON Schema of one rule (params checked separately, per kind).
RULE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "kind", "severity", "clause", "source"],
    "properties": {
        "id": {"type": "string", "pattern": r"^[A-Za-z0-9_.\-]+$"},
        "kind": {"enum": list(RULE_KINDS)},
        "title": {"type": "string"},
        "params": {"type": "object"},
        "severity": {"enum": list(SEVERITIES)},
        "clause": {"type": "string", "minLength": 1},
        "source": {"type": "string", "minLength": 1},
        "statuses": {"type": "array", "items": {"enum": list(PROJECT_STATUSES)}, "minItems": 1},
        "sub_types": _NAME_LIST,
        "industries": _INDUSTRIES,
    },
}

#: JSON Schema of the mapping around the rules.
FILE_SCHEMA = {
    "type": "object",
    "required": ["version", "rules"],
    "properties": {
        "version": {"const": 1},
        "title": {"type": "string"},
        "source": {"type": "string"},
        "approximate": {"type": "boolean"},
        "industry_categories": {
            "type": "object",
            "additionalProperties": {
                "type": "object", "required": ["codes"], "additionalProperties": False,
                "properties": {"codes": _CODE_LIST, "note": {"type": "string"}},
            },
        },
        "solvent_types": {
            "type": "object", "additionalProperties": False,
            "properties": {"high_vocs": _NAME_LIST, "low_vocs": _NAME_LIST},
        },
        "rules": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "all_units": {"type": "array"},
                "by_unit_type": {
                    "type": "object", "additionalProperties": False,
                    "properties": {t: {"type": "array"} for t in UNIT_TYPES},
                },
                "by_unit_code": {"type": "object", "additionalProperties": {"type": "array"}},
            },
        },
    },
}


@dataclass(frozen=True)
class Rule:
    """One access-list rule.

    Attributes
    ----------
    id, kind, severity, clause, source : str
        ``clause`` and ``source`` are the quoted plan or rule text.
    params : dict
        Kind-specific parameters (see :data:`PARAM_SCHEMAS`); a ``prohibited_industry``
        rule also has ``prefixes`` (its codes and categories as digit prefixes).
    scope : {'all', 'type', 'code'}
    scope_value : str
        Unit-type code or unit code ('' for 'all').
    sub_types : tuple of str
        Unit sub-types the rule is narrowed to (empty: all).
    statuses : tuple of str
        Project build types (new / expansion / existing) the rule applies to.
    industry_prefixes : tuple of str
        Only projects whose industry code starts with one of these (empty: all).
    title : str
    """

    id: str
    kind: str
    severity: str
    clause: str
    source: str
    params: dict
    scope: str
    scope_value: str = ""
    sub_types: tuple = ()
    statuses: tuple = DEFAULT_STATUSES
    industry_prefixes: tuple = ()
    title: str = ""


@dataclass
class AccessList:
    """A parsed, validated access list.

    Attributes
    ----------
    rules : tuple of Rule
    categories : dict
        ``{category name: code prefixes}``.
    high_vocs, low_vocs : frozenset of str
        The solvent-type vocabulary.
    title, source : str
        The list's own title and source text.
    path : str or None
        Where the mapping came from (``parse(..., source=)``), for messages.
    """

    rules: tuple
    categories: dict = field(default_factory=dict)
    high_vocs: frozenset = frozenset()
    low_vocs: frozenset = frozenset()
    title: str = ""
    source: str = ""
    path: str | None = None

    def by_id(self, rule_id):
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def unit_codes(self):
        """Unit codes the rules name (scope 'code')."""
        return sorted({r.scope_value for r in self.rules if r.scope == "code"})

    def layers_needed(self):
        """The zone layers (``red_line``, ``water_source``) the distance rules measure to."""
        return sorted({r.params["layer"] for r in self.rules if r.kind == "min_distance"})

    def needs_parks(self):
        """Whether a ``park_only`` rule needs the ``parks`` layer."""
        return any(r.kind == "park_only" for r in self.rules)


# ----------------------------------------------------------------------------- GB/T 4754
def divisions():
    """GB/T 4754-2017 divisions (see :func:`hn_geo.reference.industries.divisions`)."""
    return industries.divisions()


_CODE_FORMAT = re.compile(r"^([A-T])?(\d{2}|\d{3}|\d{4})$")


def parse_industry_codes(codes):
    """Normalise GB/T 4754-2017 industry codes and check them.

    Accepts 2-, 3- or 4-digit codes, optionally prefixed by the section letter
    (``'C2614'``); surrounding blanks are stripped. A code is valid when its format is
    right, its first two digits are one of the 97 divisions, and a section letter, if
    given, is the division's section.

    Parameters
    ----------
    codes : array_like of str (None for missing)

    Returns
    -------
    normalised : numpy.ndarray of object
        Digits only ('' for invalid or missing codes).
    valid : numpy.ndarray of bool
    division_name : numpy.ndarray of object
        Chinese name of the division as the standard prints it ('' when invalid).
    """
    s = pd.Series(np.asarray(codes, dtype=object))
    uniq, inverse = np.unique(s.fillna("").astype(str).to_numpy(), return_inverse=True)
    section, names = industries.section_of(), industries.name_of()
    norm = np.empty(len(uniq), dtype=object)
    ok = np.zeros(len(uniq), dtype=bool)
    div_name = np.empty(len(uniq), dtype=object)
    for i, raw in enumerate(uniq):  # loop over distinct codes only (a few hundred at most)
        m = _CODE_FORMAT.match(raw.strip().upper())
        digits = m.group(2) if m else ""
        good = bool(m) and digits[:2] in section and (m.group(1) in (None, section[digits[:2]]))
        norm[i] = digits if good else ""
        ok[i] = good
        div_name[i] = names[digits[:2]] if good else ""
    return norm[inverse], ok[inverse], div_name[inverse]


def match_prefixes(codes, prefixes):
    """Boolean mask: which normalised codes start with any of ``prefixes``.

    Evaluated once per distinct code, so it is cheap on millions of rows.
    """
    codes = np.asarray(codes, dtype=object)
    if not prefixes:
        return np.ones(len(codes), dtype=bool)
    uniq, inverse = np.unique(codes.astype(str), return_inverse=True)
    hit = np.array([u != "" and u.startswith(tuple(prefixes)) for u in uniq], dtype=bool)
    return hit[inverse]


# ----------------------------------------------------------------------------- parsing
def _schema_errors(schema, instance, where, prefix=()):
    """jsonschema errors as "<where> field '<a.b>': <message>" strings."""
    out = []
    errors = Draft202012Validator(schema).iter_errors(instance)
    for err in sorted(errors, key=lambda e: list(map(str, e.path))):
        field_path = ".".join(str(p) for p in (*prefix, *err.path))
        out.append(f"{where}{' field ' + repr(field_path) if field_path else ''}: {err.message}")
    return out


def parse(mapping, *, source=None):
    """Check an access-list mapping and build the :class:`AccessList`.

    Parameters
    ----------
    mapping : dict
        The access list as plain data (the layout of ``hn_geo/data/access_rules.yaml``,
        with unit-type codes as the keys of ``rules.by_unit_type``), e.g. from
        :func:`hn_geo.ground.rules.read_rules_file`.
    source : str or Path, optional
        Where the mapping came from: named in errors and kept as ``AccessList.path``.

    Returns
    -------
    AccessList

    Raises
    ------
    HnGeoError
        Schema violations (every one, each naming the rule id and field), duplicate rule
        ids, unknown category names, malformed unit codes, no rules.
    """
    if not isinstance(mapping, dict):
        raise HnGeoError(code="zoning.rules_not_mapping", path=source)
    problems = _schema_errors(FILE_SCHEMA, mapping, "file")
    if problems:
        _raise_problems(problems, source)
    categories = {name: tuple(c.lstrip(industries.SECTIONS) for c in spec["codes"])
                  for name, spec in (mapping.get("industry_categories") or {}).items()}
    solvents = mapping.get("solvent_types") or {}
    rules, seen = [], {}
    for scope, value, where, items in _groups(mapping["rules"]):
        if scope == "code" and not UNIT_CODE_RE.match(value):
            problems.append(f"{where}: unit code {value!r} is not of the form ZH + 6-digit "
                            "admin code + type digit (1/2/3) + 4-digit sequence, e.g. ZH33048120001")
        for i, item in enumerate(items):
            rule = _parse_rule(item, scope, value, f"{where}[{i}]", categories, solvents, seen,
                               problems)
            if rule is not None:
                rules.append(rule)
    if problems:
        _raise_problems(problems, source)
    if not rules:
        raise HnGeoError(code="zoning.no_rules", path=source)
    return AccessList(rules=tuple(rules), categories=categories,
                      high_vocs=frozenset(solvents.get("high_vocs", ())),
                      low_vocs=frozenset(solvents.get("low_vocs", ())),
                      title=mapping.get("title", ""), source=mapping.get("source", ""),
                      path=None if source is None else str(source))


def _raise_problems(problems, source):
    raise HnGeoError(code="zoning.invalid_rules", path=source,
                     params={"n": len(problems), "problems": "\n  ".join(problems)})


def _groups(rules_doc):
    """(scope, scope value, where, items) for each group of rules."""
    groups = [("all", "", "rules.all_units", rules_doc.get("all_units") or [])]
    for t, items in (rules_doc.get("by_unit_type") or {}).items():
        groups.append(("type", t, f"rules.by_unit_type.{t}", items or []))
    for code, items in (rules_doc.get("by_unit_code") or {}).items():
        groups.append(("code", str(code), f"rules.by_unit_code.{code}", items or []))
    return groups


def _parse_rule(item, scope, value, where, categories, solvents, seen, problems):
    """One rule, or None after appending its problems."""
    rid = item.get("id") if isinstance(item, dict) else None
    label = f"rule {rid!r} ({where})" if rid else f"rule {where}"
    errs = _schema_errors(RULE_SCHEMA, item, label)
    if not errs and item["kind"] in PARAM_SCHEMAS:
        errs = _schema_errors(PARAM_SCHEMAS[item["kind"]], item.get("params", {}), label,
                              prefix=("params",))
    if errs:
        problems.extend(errs)
        return None
    if rid in seen:
        problems.append(f"{label} field 'id': duplicate id (also at {seen[rid]})")
        return None
    seen[rid] = where.rsplit("[", 1)[0]
    params = dict(item.get("params") or {})
    ind = item.get("industries")
    cat_names = list(params.get("categories", [])) + list((ind or {}).get("categories", []))
    unknown = [c for c in cat_names if c not in categories]
    if unknown:
        problems.append(f"{label} field 'categories': unknown industry categor"
                        f"{'y' if len(unknown) == 1 else 'ies'} {unknown}; defined: "
                        f"{sorted(categories)}")
        return None
    if item["kind"] == "high_vocs_solvent" and "solvent_types" not in params:
        if not solvents.get("high_vocs"):
            problems.append(f"{label} field 'params.solvent_types': none given and the file "
                            "defines no solvent_types.high_vocs list")
            return None
        params["solvent_types"] = list(solvents["high_vocs"])
    if item["kind"] == "prohibited_industry":
        params["prefixes"] = _prefixes(params, categories)
    return Rule(
        id=rid, kind=item["kind"], severity=item["severity"], clause=item["clause"].strip(),
        source=item["source"].strip(), params=params, scope=scope, scope_value=value,
        sub_types=tuple(item.get("sub_types", ())),
        statuses=tuple(item.get("statuses", DEFAULT_STATUSES)),
        industry_prefixes=_prefixes(ind, categories) if ind else (),
        title=item.get("title", ""),
    )


def _prefixes(spec, categories):
    """Code prefixes (digits only) from a {codes, categories} mapping."""
    out = [c.lstrip(industries.SECTIONS) for c in spec.get("codes", [])]
    for name in spec.get("categories", []):
        out.extend(categories[name])
    return tuple(dict.fromkeys(out))
