"""Project profiles for the site finder, read from a YAML file or one row of a projects table.

A profile is a project without a place (the fields of the catalog schema 'projects' that
the access list reads); the analysis checks it (:func:`hn_geo.zoning.profiles.normalise`).
Here it is only read: a YAML file holding one profile mapping, a list of them or a
``profiles:`` list; or the row of a projects table (CSV/XLSX, with or without coordinates,
or any vector file: the geometry is ignored) whose ``project_id`` is given. Table cells
are text: numbers and the two-high flag are converted here, errors name the file, row
and field.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from hn_geo.core.errors import HnGeoError
from hn_geo.ground import catalog, readers
from hn_geo.ground.yamlfile import read_yaml

FIELDS = ("project_id", "name", "industry_code", "status", "two_high", "solvent_type",
          "energy_tce", "value_added_wan", "nox_t", "vocs_t", "cod_t", "nh3n_t")
"""Columns of a projects table that make a profile (others, such as coordinates, are ignored)."""
NUMBERS = ("energy_tce", "value_added_wan", "nox_t", "vocs_t", "cod_t", "nh3n_t")
TRUE = ("true", "1", "yes", "y", "是", "t")
FALSE = ("false", "0", "no", "n", "否", "f", "")


def read_profiles(path):
    """The profiles of a YAML file: one mapping, a list of mappings or ``{profiles: [...]}``.

    Returns
    -------
    list of dict

    Raises
    ------
    HnGeoError
        Unreadable YAML, an empty file, an item that is not a mapping (naming the item).
    """
    path = Path(path)
    doc = read_yaml(path, what="project profile")
    if isinstance(doc, dict) and isinstance(doc.get("profiles"), list):
        doc = doc["profiles"]
    items = doc if isinstance(doc, list) else [doc]
    if not items or doc is None:
        raise HnGeoError(code="zoning.profile_not_mapping", path=path)
    for k, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise HnGeoError(code="zoning.profile_not_mapping", path=path, row=k)
        for col in NUMBERS:
            value = item.get(col)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                check_range(col, float(value), path, k)
    return [dict(item) for item in items]


def profile_from_projects(path, project_id, *, layer=None):
    """The profile of the row of a projects table whose ``project_id`` is ``project_id``.

    Parameters
    ----------
    path : str or Path
        A CSV/XLSX table (coordinates optional) or a vector file of projects.
    project_id : str
    layer : str, optional
        Sheet of a workbook or layer of a GeoPackage.

    Returns
    -------
    dict
        The profile fields the row gives (numbers as floats, ``two_high`` as bool).
    """
    path = Path(path)
    if path.suffix.lower() in readers.TABLE_SUFFIXES:
        frame = readers.read_table(path, sheet=layer)
        first_row = 2
    else:
        frame = readers.read_file(path, layer=layer)
        frame = frame.drop(columns=frame.geometry.name)
        first_row = 1
    if "project_id" not in frame.columns:
        raise HnGeoError(code="zoning.missing_column", path=path, field="project_id",
                         params={"what": path.name, "column": "project_id"})
    ids = frame["project_id"].astype(str).str.strip()
    hit = np.flatnonzero(ids.to_numpy() == str(project_id).strip())
    if hit.size != 1:
        code = "zoning.profile_row_not_found" if hit.size == 0 else "zoning.profile_row_twice"
        raise HnGeoError(code=code, path=path, field="project_id",
                         params={"id": str(project_id), "ids": ids.head(8).tolist(), "n": int(hit.size)})
    row = frame.iloc[int(hit[0])]
    where = int(hit[0]) + first_row
    out = {}
    for col in FIELDS:
        if col not in frame.columns:
            continue
        value = row[col]
        if col in NUMBERS:
            value = _number(value, path, where, col)
            check_range(col, value, path, where)
        elif col == "two_high":
            value = _flag(value, path, where)
        elif value is not None and not (isinstance(value, float) and math.isnan(value)):
            value = str(value).strip()
        else:
            value = None
        out[col] = value
    return out


def check_range(col, value, path, row):
    """The range rule of the catalog schema 'projects' for a profile number (None passes).

    Raises
    ------
    HnGeoError
        ``ground.value_below_min`` / ``ground.value_above_max`` naming file, row and field
        (a profile with ``vocs_t: -1000`` would pass every cap).
    """
    field = next((f for f in catalog.get_schema("projects").fields if f.name == col), None)
    if value is None or field is None or math.isnan(value):
        return
    for bound, out, code in ((field.min, field.min is not None and value < field.min, "below_min"),
                             (field.max, field.max is not None and value > field.max, "above_max")):
        if out:
            raise HnGeoError(code=f"ground.value_{code}", path=path, row=row, field=col,
                             params={"n": 1, "bound": float(bound), "first": value, "where": f"#{row}"})


def _number(value, path, row, col):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).replace(",", "").strip())
    except ValueError:
        raise HnGeoError(code="zoning.profile_bad_number", path=path, row=row, field=col,
                         params={"field": col, "value": str(value)}) from None


def _flag(value, path, row):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise HnGeoError(code="zoning.profile_bad_flag", path=path, row=row, field="two_high",
                     params={"field": "two_high", "value": str(value)})
