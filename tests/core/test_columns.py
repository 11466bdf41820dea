"""Text columns built from codes (hn_geo.core.columns, issue 17)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from hn_geo.core.columns import as_text, pick_text, text_column


def test_text_from_codes_is_the_column_pandas_would_make():
    got = pd.Series(text_column(np.array([1, 0, -1, 2, 1]), ["flat", "pitched", None]))
    want = pd.Series(np.array(["pitched", "flat", None, None, "pitched"], dtype=object))  # pandas' own
    pd.testing.assert_series_equal(got, want)
    assert got.dtype == pd.Series(["x"]).dtype and got.isna().tolist() == [False, False, True, True, False]


def test_later_masks_win_over_earlier_ones_and_the_default():
    got = pick_text([(np.array([True, True, False]), "area_too_small"), (np.array([True, False, False]), "tiny")],
                    default="pv_possible")
    assert list(got) == ["tiny", "area_too_small", "pv_possible"]


def test_arrow_text_is_taken_over_other_text_converted():
    s = pd.Series(["a", None, "b"])
    assert as_text(s) is s.array
    nullable = pd.Series(["a", None], dtype="string")  # na_value pd.NA, same Arrow storage
    obj = pd.Series(np.array(["a", None], dtype=object), dtype=object)
    for col in (nullable, obj):
        out = pd.Series(as_text(col))
        assert out.dtype == s.dtype and out.iloc[0] == "a" and pd.isna(out.iloc[1])
