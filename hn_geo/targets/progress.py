"""Pro-rating the plan's 2025 targets to a reporting year, and the progress status codes.

The 14th Five-Year period runs from the 2020 baseline to the 2025 deadline; by year ``y`` the
share ``p = (y - 2020) / 5`` of it has elapsed. A 2025 target is pro-rated along one of two
paths (the ``pro_rating_path`` codes):

``linear``
    ``target * p`` (the default);
``compound``
    ``1 - (1 - target)**p``: equal annual rates of a percentage cut.
"""
from __future__ import annotations

import numpy as np

BASE_YEAR = 2020
"""Baseline year of the plan's targets (十四五: 2020)."""
DEADLINE = 2025
"""Year the plan's targets are due."""
PERIOD = DEADLINE - BASE_YEAR
PATHS = ("linear", "compound")
"""Codes of the pro-rating paths."""


def progress_fraction(year):
    """Share of the 2020-2025 period elapsed by ``year`` (0..1)."""
    return float(np.clip((year - BASE_YEAR) / PERIOD, 0.0, 1.0))


def check_path(path):
    """``path`` if it is a pro-rating path code, else ValueError."""
    if path not in PATHS:
        raise ValueError(f"path must be 'linear' or 'compound', not {path!r}")
    return path


def required_cut(target_pct, year, path="linear"):
    """Cut [%] required by ``year`` on the way to ``target_pct`` [%] in 2025.

    ``path='linear'``: ``target * p``; ``'compound'``: ``1 - (1 - target)**p`` (equal annual
    rates), with ``p = (year - 2020) / 5``.
    """
    p = progress_fraction(year)
    t = np.asarray(target_pct, dtype=float)
    if check_path(path) == "linear":
        return t * p
    return (1.0 - (1.0 - t / 100.0) ** p) * 100.0


def progress_status(actual, target, expected, final):
    """Status codes of amounts against a target and the pro-rated expectation.

    Parameters
    ----------
    actual, target, expected : array-like of float
        Achieved amount, the 2025 target and what the pro-rated path expects by now (NaN
        target: nothing to judge).
    final : bool
        The reporting year is the deadline: a target missed is ``not_met``, not ``behind``.

    Returns
    -------
    numpy.ndarray of str
        ``no_data`` (no target), ``met``, ``on_track``, ``behind`` or ``not_met``.
    """
    actual, target, expected = (np.asarray(x, dtype=float) for x in (actual, target, expected))
    with np.errstate(invalid="ignore"):
        return np.select([np.isnan(target), actual >= target, (actual >= expected) & (not final)],
                         ["no_data", "met", "on_track"], "not_met" if final else "behind").astype(object)
