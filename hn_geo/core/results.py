"""The result model: what every analysis returns, in codes and numbers, never in words.

An analysis is a pure function: frames (and plain parameters) in, an
:class:`AnalysisResult` out. It holds

* ``tables`` and ``layers`` with English snake_case columns. Status columns hold codes
  from :mod:`hn_geo.core.status`; other coded columns hold codes of a value family of the
  vocabulary (``codes`` says which); text that explains a row is a :class:`Msg`;
* ``figures``: the key figures, typed (:class:`Figure`: a number stays a number, with its
  unit and the period it refers to);
* ``notes``: method, assumption and data remarks as :class:`Msg` codes with parameters.

Turning codes into words is the outputs' job (:mod:`hn_geo.vocabulary` and
:mod:`hn_geo.render`), in Chinese or English.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Word:
    """A code of a value family, to be rendered as a word (``Word('pollutant', 'nox')``).

    Parameters
    ----------
    family : str
        Family under ``values:`` in the vocabulary (``'status'`` for status codes).
    code : str
    """

    family: str
    code: str

    def __str__(self):
        return self.code


@dataclass(frozen=True)
class Msg:
    """A message code with parameters, rendered from a template of the vocabulary.

    Parameters
    ----------
    code : str
        Key under ``messages:`` in ``hn_geo/data/labels.yaml``, e.g.
        ``'water.no_upstream_source'``.
    params : dict
        Values for the template's ``{placeholders}``: numbers, text, lists (joined in the
        output language), :class:`Word` or nested :class:`Msg`.
    """

    code: str
    params: dict = field(default_factory=dict)

    def __init__(self, code, params=None, **kw):
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "params", {**(params or {}), **kw})

    def __hash__(self):
        return hash((self.code, repr(sorted(self.params.items(), key=lambda kv: kv[0]))))

    def __str__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.code}({args})"


@dataclass(frozen=True)
class Figure:
    """A key figure: a typed value with its code, unit and period.

    Parameters
    ----------
    code : str
        Key under ``figures:`` in the vocabulary, e.g. ``'water.sections_not_met'``.
    value : int, float, str or None
        The value; numbers stay numbers. A str value is a code of ``family``.
    unit : str
        Unit code under ``units:`` ('' for counts and plain numbers).
    period : int or str, optional
        The year (``2025``) or span (``'2021-2025'``) the figure refers to.
    status : str, optional
        A status code when the figure is itself a verdict (e.g. 'not_met').
    family : str, optional
        Value family of a coded str value.
    target : float, optional
        The target the value is measured against, in the same unit.
    headline : bool
        One of the figures a planner asks first (sections failing, projects blocked, PV MW
        against 1.8 GW, towns behind): printed at the end of ``hn-geo run`` and on the
        dashboard.
    """

    code: str
    value: Any
    unit: str = ""
    period: Any = None
    status: str | None = None
    family: str | None = None
    target: float | None = None
    headline: bool = False

    def to_dict(self):
        """Plain, JSON-ready dict (numbers as numbers)."""
        value = self.value
        if hasattr(value, "item"):  # numpy scalar
            value = value.item()
        return {"code": self.code, "value": value, "unit": self.unit or None,
                "period": self.period, "status": self.status, "target": self.target,
                "family": self.family, "headline": self.headline}


@dataclass
class AnalysisResult:
    """Output of one analysis.

    Attributes
    ----------
    name : str
        Analysis name ('water', 'zoning', 'solar', 'targets'); the vocabulary scope of
        its column labels and the stem of its file names.
    tables : dict of str -> pandas.DataFrame
        Result tables, display order; keys are table codes (vocabulary ``tables:``).
    layers : dict of str -> geopandas.GeoDataFrame
        Result layers (EPSG:4490).
    codes : dict of str -> str
        Column -> value family for coded columns of the tables and layers
        (``'status'`` for status columns).
    figures : list of Figure
        Key figures, most important first.
    notes : list of Msg
        Method, assumption and data remarks.
    meta : dict
        Plain facts about the inputs (e.g. ``{'synthetic': True}``) for outputs' captions.
    """

    name: str
    tables: dict = field(default_factory=dict)
    layers: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)
    figures: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    @property
    def status_columns(self):
        """Columns holding status codes."""
        return tuple(c for c, fam in self.codes.items() if fam == "status")

    def figure(self, code):
        """The figure with ``code`` (KeyError if absent)."""
        for f in self.figures:
            if f.code == code:
                return f
        raise KeyError(code)


def notes_table(notes):
    """The notes of a result as a one-column table (``note``: :class:`Msg` objects, rendered by
    the outputs), e.g. the ``solar_notes`` table."""
    return pd.DataFrame({"note": list(notes)}, dtype=object)
