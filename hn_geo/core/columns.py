"""Text columns of a million rows without a million Python strings.

pandas 3 keeps text in Arrow (``str`` dtype). A NumPy object array of words handed to a
DataFrame is converted string by string (0.08 s per 1M rows), and so is every
``.to_numpy()`` of a text column. Coded columns (a few distinct words) are better built from
their codes with one Arrow ``take`` (0.01 s), and text columns taken over as they are.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
"""pandas' default text dtype (``str``)."""


def text_column(codes, words):
    """A ``str`` column of ``words[codes]``; a code of -1 is missing.

    Parameters
    ----------
    codes : numpy.ndarray of int
        Index into ``words`` per row (-1: missing).
    words : sequence of str or None

    Returns
    -------
    pandas.api.extensions.ExtensionArray
        Of dtype ``str``, one element per code.
    """
    codes = np.asarray(codes)
    words = pa.array([None if w is None else str(w) for w in words] + [None], type=pa.large_string())
    picked = words.take(pa.array(np.where(codes < 0, len(words) - 1, codes).astype(np.int64)))
    return pd.array(picked, dtype=TEXT)


def pick_text(mask_words, default=None):
    """A ``str`` column from ``[(mask, word), ...]`` (later masks win) and a ``default`` word.

    Parameters
    ----------
    mask_words : list of (numpy.ndarray of bool, str or None)
    default : str or None

    Returns
    -------
    pandas.api.extensions.ExtensionArray
    """
    n = len(mask_words[0][0])
    codes = np.zeros(n, dtype=np.int64)
    for k, (mask, _) in enumerate(mask_words, start=1):
        codes[np.asarray(mask, bool)] = k
    return text_column(codes, [default] + [w for _, w in mask_words])


def as_text(series):
    """A text column's values as a ``str`` array (Arrow text is taken over, not converted)."""
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        return series.array if series.dtype == TEXT else series.array.astype(TEXT)  # same Arrow data
    return pd.array(series.astype(object).to_numpy(), dtype=TEXT)
