"""GB 3838-2002 surface-water quality classes and the 环办〔2011〕22号 evaluation rules.

The limits of Table 1 (地表水环境质量标准基本项目标准限值) are data, in
``hn_geo/data/gb3838.csv``: one row per item with its code, Chinese name,
unit, bound type (``upper`` limit, ``lower`` limit for dissolved oxygen,
``range`` for pH 6-9, ``none`` for water temperature), the class I..V limits,
the lake/reservoir (湖、库) variants where the standard has them (total
phosphorus; total nitrogen is only defined for lakes and reservoirs), whether
the item enters the section class under the national assessment method
(环办〔2011〕22号: 21 items, i.e. all but water temperature, total nitrogen
and fecal coliform) and whether an exceedance multiple is computed for it
(not for water temperature, pH and dissolved oxygen).

Classes are integers 1..6 (6 = 劣V, worse than class V); 0 means "no value". As codes
(:func:`class_code`) they are ``'I'`` .. ``'V'`` and ``'inferior_V'``; their words, like the
item names and the quality ratings (:func:`quality_code`), are in the vocabulary
(``water`` block of ``hn_geo/data/labels.yaml``). The Chinese and English item names of the
data file serve to recognise results-table headers (:func:`match_item`), not as output words.
Limits are inclusive: a value equal to the class-k limit is in class k.
Dissolved oxygen class I is "饱和率 90%（或 7.5）": the 7.5 mg/L figure is used.
Every function here works on whole arrays (samples x items) with numpy.

Sources: GB 3838-2002 《地表水环境质量标准》 Table 1 (values checked against
published copies of the table); 环办〔2011〕22号 《地表水环境质量评价办法（试行）》.
``tests/test_gb3838.py`` pins every limit from an independent transcription.
"""
from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

import numpy as np
import pandas as pd

CLASS_CODES = ("I", "II", "III", "IV", "V", "inferior_V")
"""Class codes by number 1..6 (index 0 is class I); family ``water_class`` of the vocabulary."""
INFERIOR_V = 6
QUALITY_CODES = ("excellent", "excellent", "good", "slightly_polluted", "moderately_polluted",
                 "heavily_polluted")
"""Qualitative rating of a section class 1..6 (22号 断面水质定性评价: 优 优 良好 轻度污染
中度污染 重度污染); family ``quality`` of the vocabulary."""
# relative tolerance for "equal to the limit" after float arithmetic (means)
RTOL = 1e-9

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
_UNICODE_ROMAN = {"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V", "ⅰ": "I", "ⅱ": "II",
                  "ⅲ": "III", "ⅳ": "IV", "ⅴ": "V"}


@lru_cache(maxsize=1)
def standard():
    """The GB 3838-2002 Table 1 limits as a DataFrame indexed by item code.

    Columns: ``name_zh``, ``name_en``, ``unit``, ``bound``, ``limit_I`` ..
    ``limit_V``, ``lake_I`` .. ``lake_V``, ``range_min``, ``in_class`` (bool),
    ``multiple`` (bool), ``plausible_min`` / ``plausible_max`` (not part of the standard:
    the values beyond which a surface-water result is taken for a typing or unit error by
    the results reader, e.g. NH3-N above 500 mg/L, DO above 40 mg/L, pH outside 0-14),
    ``aliases`` (tuple of str).
    """
    path = resources.files("hn_geo") / "data" / "gb3838.csv"
    with resources.as_file(path) as p:
        df = pd.read_csv(p, dtype={"code": str, "aliases": str}, keep_default_na=True)
    df = df.set_index("code")
    df["in_class"] = df["in_class"].astype(bool)
    df["multiple"] = df["multiple"].astype(bool)
    df["aliases"] = [tuple(a.split("|")) if isinstance(a, str) else () for a in df["aliases"]]
    for c in df.columns:
        if c.startswith(("limit_", "lake_", "plausible_")) or c == "range_min":
            df[c] = df[c].astype(float)
    return df


def items():
    """All item codes of Table 1, in the standard's order."""
    return list(standard().index)


def class_items():
    """The 21 items that set a section's class (环办〔2011〕22号)."""
    s = standard()
    return list(s.index[s["in_class"]])


@cache
def _spec(code):
    """(bound, general limits, lake limits, range minimum, multiple) of an item, cached."""
    row = standard().loc[code]
    gen = row[[f"limit_{c}" for c in CLASS_CODES[:5]]].to_numpy(float)
    lk = row[[f"lake_{c}" for c in CLASS_CODES[:5]]].to_numpy(float)
    if not np.isfinite(lk).any():
        lk = gen
    gen.flags.writeable = False
    lk.flags.writeable = False
    return row["bound"], gen, lk, float(row["range_min"]), bool(row["multiple"])


def limits(code, lake=False):
    """Class I..V limits of an item (numpy array of 5 floats, NaN where undefined).

    Parameters
    ----------
    code : str
        Item code (``'tp'``, ``'do'`` ...).
    lake : bool
        Lake/reservoir (湖库) limits where the standard has them (TP, TN).
    """
    _, gen, lk, _, _ = _spec(code)
    return (lk if lake else gen).copy()


def _limit_matrix(code, lake):
    """(n, 5) limits for each row, or (1, 5) when no row differs."""
    _, gen, lk, _, _ = _spec(code)
    gen, lk = gen[None, :], lk[None, :]
    if lake is None or np.array_equal(gen, lk, equal_nan=True):
        return gen
    lake = np.asarray(lake, bool)
    if lake.ndim == 0:
        return lk if bool(lake) else gen
    return np.where(lake[:, None], lk, gen)


def item_class(code, values, lake=None):
    """Class (1..6) of each value of one item; 0 where the value or the limits are missing.

    Parameters
    ----------
    code : str
        Item code.
    values : array_like of float
        Concentrations in the unit of the standard (mg/L; pH unitless; DO mg/L;
        fecal coliform count/L).
    lake : bool or array_like of bool, optional
        Lake/reservoir rows (changes TP limits; TN is only classified for lakes).

    Returns
    -------
    numpy.ndarray of int8
    """
    v0 = np.asarray(values, dtype=float)
    v = v0.reshape(-1)
    bound, gen, _, lo, _ = _spec(code)
    out = np.zeros(v.shape, dtype=np.int8)
    ok = np.isfinite(v)
    if bound == "none":
        return out.reshape(v0.shape)
    if bound == "range":
        hi = gen[0]
        inside = (v >= lo * (1 - RTOL)) & (v <= hi * (1 + RTOL))
        out[ok] = np.where(inside[ok], 1, INFERIOR_V)
        return out.reshape(v0.shape)
    lim = _limit_matrix(code, None if lake is None else np.asarray(lake, bool).reshape(-1)
                        if np.ndim(lake) else lake)  # (n or 1, 5)
    has = np.broadcast_to(np.isfinite(lim).all(axis=1), v.shape)
    # count the class limits the value is worse than; 5 limits -> 1..6
    cls = np.ones(v.shape, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        for k in range(5):
            lk = lim[:, k]
            if bound == "upper":
                cls += v > lk * (1 + RTOL)
            else:  # lower bound: dissolved oxygen
                cls += v < lk * (1 - RTOL)
    sel = ok & has
    out[sel] = cls[sel]
    return out.reshape(v0.shape)


def classify(values, lake=None, codes=None):
    """Class of every item of every sample.

    Parameters
    ----------
    values : pandas.DataFrame
        One column per item code (missing items simply absent), float values.
    lake : array_like of bool, optional
        Per-row lake/reservoir flag.
    codes : list of str, optional
        Items to classify (default: the columns that are Table 1 items).

    Returns
    -------
    pandas.DataFrame of int8
        Same index, one column per item, classes 1..6, 0 = no value.
    """
    known = set(standard().index)
    codes = [c for c in (codes or values.columns) if c in known]
    return pd.DataFrame({c: item_class(c, values[c].to_numpy(float), lake) for c in codes},
                        index=values.index)


def section_class(item_classes, codes=None):
    """Section class: the worst class over the 22号 items (0 where none has a value).

    Parameters
    ----------
    item_classes : pandas.DataFrame
        From :func:`classify`.
    codes : list of str, optional
        Items to use; default the 21 items of the method present in the frame.
    """
    codes = [c for c in (codes or class_items()) if c in item_classes.columns]
    if not codes:
        return np.zeros(len(item_classes), dtype=np.int8)
    return item_classes[codes].to_numpy().max(axis=1).astype(np.int8)


def target_limit(code, target, lake=None):
    """The limit of ``code`` at each row's target class (NaN if undefined).

    Parameters
    ----------
    target : array_like of int
        Target classes 1..5.
    """
    t = np.asarray(target)
    n = t.shape[0]
    lim = np.broadcast_to(_limit_matrix(code, lake), (n, 5))
    valid = (t >= 1) & (t <= 5)
    idx = np.clip(t, 1, 5).astype(int) - 1
    out = lim[np.arange(n), idx].astype(float)
    out[~valid] = np.nan
    return out


def exceedance_multiple(code, values, target, lake=None):
    """超标倍数 over the target class: ``(C - limit) / limit`` where C exceeds it, else NaN.

    Not computed (NaN) for water temperature, pH and dissolved oxygen
    (环办〔2011〕22号).
    """
    v = np.asarray(values, dtype=float)
    if not _spec(code)[4]:
        return np.full(v.shape, np.nan)
    lim = target_limit(code, target, lake)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = (v - lim) / lim
    m[~(v > lim * (1 + RTOL))] = np.nan
    return m


def class_code(num):
    """Class codes ('I'..'V', 'inferior_V') of class numbers; None for 0/NaN. Vectorised.

    Returns
    -------
    numpy.ndarray of object
    """
    return _lookup(num, CLASS_CODES)


def quality_code(num):
    """Quality codes (``excellent`` .. ``heavily_polluted``) of section classes; None for 0/NaN."""
    return _lookup(num, QUALITY_CODES)


def _lookup(num, codes):
    arr = np.asarray(num, dtype=float)
    table = np.array((None,) + tuple(codes), dtype=object)
    idx = np.clip(np.where(np.isfinite(arr), arr, 0).astype(int), 0, 6)
    return table[idx]


def parse_class(values):
    """Parse target classes: 'III', 'Ⅲ', 'III类', 'Ⅲ类', 3, '3', '3类' -> 3.

    Returns
    -------
    numpy.ndarray of float
        1..5, NaN where the text is not a class I..V (callers report those).
    """
    s = pd.Series(values, dtype=object).map(lambda v: "" if v is None or
                                            (isinstance(v, float) and np.isnan(v)) else str(v))
    s = s.str.strip().str.replace("类", "", regex=False).str.replace("水", "", regex=False)
    for u, a in _UNICODE_ROMAN.items():
        s = s.str.replace(u, a, regex=False)
    s = s.str.upper().str.replace(r"\s+", "", regex=True)
    s = s.str.translate(str.maketrans("１２３４５", "12345"))
    num = pd.to_numeric(s.str.replace(r"\.0$", "", regex=True), errors="coerce")
    out = num.where(num.isin([1, 2, 3, 4, 5])).to_numpy(float)
    roman = s.map(_ROMAN).to_numpy(float)
    return np.where(np.isfinite(out), out, roman)


_KEY_DROP = re.compile(r"[\s_\-·()（）\[\]【】]+")
_TRAILING_NOTE = re.compile(r"\s*[（(\[【][^（()）\[\]【】]*[)）\]】]\s*$")


def _key(text):
    return _KEY_DROP.sub("", str(text).strip().lower())


@lru_cache(maxsize=1)
def _header_map():
    out = {}
    for code, row in standard().iterrows():
        for key in (code, row["name_zh"], row["name_en"], *row["aliases"]):
            out[_key(key)] = code
    return out


def match_item(header):
    """Item code for a results-table header, or None.

    Accepts Chinese names, English codes and names, with or without a unit or
    a note in brackets: '氨氮', '氨氮(mg/L)', 'NH3-N', 'nh3n', '总磷（以P计）',
    '粪大肠菌群(个/L)', 'pH值', 'CODMn', '铬(六价)(mg/L)', 'Cr6+'.
    """
    hm = _header_map()
    text = str(header).strip().lower()
    while True:
        code = hm.get(_key(text))
        if code is not None:
            return code
        shorter = _TRAILING_NOTE.sub("", text)
        if shorter == text:
            return None
        text = shorter
