"""Columns of a monitoring results table: item headers (exact and loose), dates, water bodies.

Published tables name their columns in many ways. An item header is recognised exactly
(:func:`hn_geo.reference.gb3838.match_item`: Chinese or English names, codes, units in
brackets) or *loosely* (:func:`loose_item`): with a footnote mark (``pH*``, ``总磷#``) or
cut short or missing a character (``高锰酸盐指``, ``五日生化需量``, as some exports truncate
headers) -- a loose match is always named in a warning, so a wrong guess is seen. The
water body of a section (``水体类型``: 河流/湖库) may be a column of the table.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher

import numpy as np
import pandas as pd

from hn_geo import vocabulary
from hn_geo.reference import gb3838

LOOSE_RATIO = 0.85
"""Least similarity (difflib ratio) of a header to an item name for a loose match."""
LOOSE_MIN_CHARS = 4
"""Names and headers shorter than this are matched exactly only (铜 and 锌 are one letter apart)."""
WATER_BODY_NAMES = ("water_body", "水体类型", "水体", "水域类型", "水体类别", "河湖类型")
WATER_BODY_WORDS = {"河流": "river", "河": "river", "河道": "river", "江": "river", "江河": "river",
                    "溪": "river", "stream": "river", "湖库": "lake", "湖泊": "lake", "湖": "lake",
                    "水库": "lake", "库": "lake", "湖、库": "lake", "reservoir": "lake"}
"""Words of a water-body column beyond the ``water_body`` family's own (河流 / 湖库)."""
DATE_WORDS = ("日期", "时间", "date")
"""A header containing one of these is a date column when none is named exactly."""
_MARKS = re.compile(r"[*＊#＃†‡※△▲◆]+")
_NOTE = re.compile(r"\s*[（(\[【][^（()）\[\]【】]*[)）\]】]\s*$")
_DROP = re.compile(r"[\s_\-·()（）\[\]【】]+")


def _key(text):
    text = _MARKS.sub("", str(text)).strip().lower()
    while True:
        shorter = _NOTE.sub("", text)
        if shorter == text:
            break
        text = shorter
    return _DROP.sub("", text)


def _names():
    std = gb3838.standard()
    out = []
    for code, row in std.iterrows():
        for name in (row["name_zh"], row["name_en"], *row["aliases"]):
            k = _key(name)
            if len(k) >= LOOSE_MIN_CHARS:
                out.append((k, code))
    return out


def loose_item(header):
    """Item code of a header that names an item only approximately, or None.

    ``pH*`` (a footnote mark) -> ``ph``; ``高锰酸盐指`` -> ``codmn``; ``五日生化需量`` ->
    ``bod5``. A header is matched when, without marks and bracketed notes, it is an item
    name, or it is at least :data:`LOOSE_RATIO` similar to exactly one item's names.
    """
    cleaned = _MARKS.sub("", str(header)).strip()
    if cleaned != str(header).strip():
        code = gb3838.match_item(cleaned)
        if code is not None:
            return code
    key = _key(header)
    if len(key) < LOOSE_MIN_CHARS:
        return None
    best = {}
    for name, code in _names():
        r = SequenceMatcher(None, key, name).ratio()
        best[code] = max(best.get(code, 0.0), r)
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < LOOSE_RATIO:
        return None
    if len(ranked) > 1 and ranked[1][1] >= LOOSE_RATIO:
        return None  # two items alike: no guess
    return ranked[0][0]


def date_column(columns, names):
    """The date column: one of ``names`` (exactly, any case), else the only header that
    contains 日期/时间/date (``发布日期``); None when there is none or several."""
    low = {str(c).strip().lower(): c for c in columns}
    for n in names:
        if n.lower() in low:
            return low[n.lower()]
    cands = [c for c in columns if any(w in str(c).lower() for w in DATE_WORDS)]
    return cands[0] if len(cands) == 1 else None


def water_body_codes(raw):
    """Water-body codes (``river``/``lake``) of a column's cells; None where empty.

    Returns
    -------
    codes : numpy.ndarray of object
    bad : numpy.ndarray of bool
        Cells that are neither (河流/河/江/river, 湖库/湖泊/水库/lake/reservoir).
    """
    text = pd.Series(raw).astype("string").str.strip()
    codes = np.full(len(text), None, dtype=object)
    bad = np.zeros(len(text), bool)
    for i, v in enumerate(text):
        if v is pd.NA or v == "":
            continue
        code = vocabulary.code_of("water_body", v) or WATER_BODY_WORDS.get(v.lower())
        if code in ("river", "lake"):
            codes[i] = code
        else:
            bad[i] = True
    return codes, bad
