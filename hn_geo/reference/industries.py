"""GB/T 4754-2017 (国民经济行业分类): the 97 divisions (大类) and their sections (门类).

The table is packaged data, ``hn_geo/data/gbt4754_2017_divisions.csv``: one row per
division with its 2-digit ``code``, its section letter (``A``..``T``) and its Chinese
``name`` as the standard prints it. Industry codes of projects and enterprises are 2-digit
divisions, 3-digit groups or 4-digit classes; their first two digits name the division.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

SECTIONS = "ABCDEFGHIJKLMNOPQRST"
"""The section letters of GB/T 4754-2017 (门类 A 农、林、牧、渔业 .. T 国际组织)."""


@lru_cache(maxsize=1)
def _table():
    path = resources.files("hn_geo") / "data" / "gbt4754_2017_divisions.csv"
    with resources.as_file(path) as p:
        return pd.read_csv(p, dtype=str, encoding="utf-8")


def divisions():
    """The divisions: DataFrame with ``code`` (2 digits), ``section`` (letter), ``name`` (zh).

    Returns
    -------
    pandas.DataFrame
        A copy (callers may change it).
    """
    return _table().copy()


@lru_cache(maxsize=1)
def section_of():
    """``{division code: section letter}`` (``{'26': 'C', ...}``)."""
    t = _table()
    return dict(zip(t["code"], t["section"]))


@lru_cache(maxsize=1)
def name_of():
    """``{division code: Chinese name}`` (``{'26': '化学原料和化学制品制造业', ...}``)."""
    t = _table()
    return dict(zip(t["code"], t["name"]))
