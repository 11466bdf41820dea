"""Status codes: the one small set every analysis writes into its status columns.

=============  =======================================================================
code           meaning
=============  =======================================================================
``met``        the target or limit is met (a section meets its class, a town its cut)
``not_met``    the target or limit is missed
``pass``       a project passes the access list
``fail``       a project violates a clause (blocked)
``review``     cannot be decided from the data: needs checking by hand (待核实)
``warn``       allowed with a warning clause (警示)
``on_track``   not yet due; progress so far is at or above the pro-rated path
``behind``     not yet due; progress so far is below the pro-rated path
``exempt``     exempt from the check (免予考核)
``no_data``    nothing to judge
=============  =======================================================================

Words and colours for each code are in ``hn_geo/data/labels.yaml`` (``status:``), read by
:mod:`hn_geo.vocabulary`; every output colours a code from that one table.
"""
from __future__ import annotations

STATUS_CODES = ("met", "not_met", "pass", "fail", "review", "warn", "on_track", "behind",
                "exempt", "no_data")

LEVELS = {"met": "good", "pass": "good", "exempt": "good", "on_track": "mid", "warn": "mid",
          "review": "mid", "not_met": "bad", "fail": "bad", "behind": "bad", "no_data": None}
"""Level of each code: 'good', 'mid', 'bad', or None (nothing to judge)."""

SEVERITY = {"fail": 0, "not_met": 0, "behind": 1, "review": 2, "warn": 3, "on_track": 4,
            "exempt": 5, "met": 6, "pass": 6, "no_data": 7}
"""Order from worst to best, for 'the worst status of a table'."""


def check(code):
    """Return ``code`` if it is a status code, else raise ValueError."""
    if code not in LEVELS:
        raise ValueError(f"unknown status code {code!r}; known: {', '.join(STATUS_CODES)}")
    return code


def worst(codes):
    """The worst status among ``codes`` (None when empty or all missing)."""
    found = [c for c in codes if isinstance(c, str) and c in SEVERITY]
    return min(found, key=SEVERITY.__getitem__) if found else None


def level(code):
    """'good', 'mid', 'bad' or None for a status code (None for anything else)."""
    return LEVELS.get(code) if isinstance(code, str) else None
