"""The 12 towns and subdistricts (镇/街道) of Haining and matching of town names.

Statistics tables from different bureaus spell town names differently:
``硖石`` or ``硖石街道``, ``许村`` or ``许村镇``, ``海宁市许村镇``, pinyin
``Xucun``/``Xucun Town``, traditional characters (``長安鎮``), or the 9/12-digit
NBS township code. :func:`match_towns` maps all of these to the official
9-digit code and reports which names needed a repair.

Official names and codes: National Bureau of Statistics 2023 statistical
division codes (统计用区划代码, county 330481 海宁市), the same 12 units as
附件1 of the plan.
"""
from __future__ import annotations

import re
import unicodedata
import warnings

import pandas as pd

from hn_geo.core.errors import HnGeoError, HnGeoWarning

# code, official name, kind, pinyin (without suffix)
TOWNS = (
    ("330481001", "硖石街道", "街道", "Xiashi"),
    ("330481002", "海洲街道", "街道", "Haizhou"),
    ("330481003", "海昌街道", "街道", "Haichang"),
    ("330481004", "马桥街道", "街道", "Maqiao"),
    ("330481101", "许村镇", "镇", "Xucun"),
    ("330481103", "长安镇", "镇", "Chang'an"),
    ("330481105", "周王庙镇", "镇", "Zhouwangmiao"),
    ("330481106", "丁桥镇", "镇", "Dingqiao"),
    ("330481107", "斜桥镇", "镇", "Xieqiao"),
    ("330481108", "黄湾镇", "镇", "Huangwan"),
    ("330481110", "盐官镇", "镇", "Yanguan"),
    ("330481112", "袁花镇", "镇", "Yuanhua"),
)
CODES = tuple(t[0] for t in TOWNS)
NAMES = tuple(t[1] for t in TOWNS)
NAME_BY_CODE = {t[0]: t[1] for t in TOWNS}
CODE_BY_NAME = {t[1]: t[0] for t in TOWNS}

# Traditional -> simplified for the characters of the 12 names (and their suffixes).
_TRAD = str.maketrans({"硤": "硖", "許": "许", "長": "长", "灣": "湾", "鎮": "镇", "馬": "马",
                       "橋": "桥", "廟": "庙", "鹽": "盐", "黃": "黄", "寧": "宁", "晝": "昼",
                       "街": "街", "區": "区", "縣": "县", "鄉": "乡",
                       # variant characters seen in tables: 峡石 for 硖石, 斜橋 ...
                       "峡": "硖", "峽": "硖"})
_PREFIXES = ("浙江省", "嘉兴市", "嘉興市", "海宁市", "海宁", "海寧市")
_ZH_SUFFIXES = ("街道办事处", "街道办", "街道", "镇人民政府", "镇政府", "镇", "乡")
_EN_SUFFIXES = ("subdistrict", "sub-district", "street", "jiedao", "town", "zhen")


def _core_zh(name):
    """Chinese core of a name: simplified, no city prefix, no 镇/街道 suffix."""
    s = unicodedata.normalize("NFKC", str(name)).translate(_TRAD)
    s = re.sub(r"\s+", "", s)
    changed = True
    while changed:
        changed = False
        for p in _PREFIXES:
            if s.startswith(p) and len(s) > len(p):
                s, changed = s[len(p):], True
    for suf in _ZH_SUFFIXES:
        if s.endswith(suf) and len(s) > len(suf):
            return s[: -len(suf)]
    return s


def _core_en(name):
    s = unicodedata.normalize("NFKC", str(name)).lower()
    s = re.sub(r"[\s'’\-_.,]", "", s)
    for suf in _EN_SUFFIXES:
        suf = suf.replace("-", "")
        if s.endswith(suf) and len(s) > len(suf):
            s = s[: -len(suf)]
            break
    return s


_BY_CORE_ZH = {_core_zh(t[1]): t[0] for t in TOWNS}
_BY_CORE_EN = {_core_en(t[3]): t[0] for t in TOWNS}


def _match_one(name):
    """Return (code, method) for one name, or (None, None)."""
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return None, None
    raw = str(name).strip()
    if raw in CODE_BY_NAME:
        return CODE_BY_NAME[raw], "exact"
    m = re.fullmatch(r"(\d{9}|\d{12})(?:\.0)?", raw)
    if m:
        # township code: 9 digits, or the 12-digit form ending in 000
        digits = m.group(1)
        if len(digits) == 12 and digits.endswith("000"):
            digits = digits[:9]
        if digits in NAME_BY_CODE:
            return digits, "code"
    core = _core_zh(raw)
    if core in _BY_CORE_ZH:
        return _BY_CORE_ZH[core], "variant"
    core = _core_en(raw)
    if core in _BY_CORE_EN:
        return _BY_CORE_EN[core], "pinyin"
    return None, None


def town_mapping(names):
    """How each distinct name maps to an official town.

    Parameters
    ----------
    names : iterable of str

    Returns
    -------
    pandas.DataFrame
        Columns ``input``, ``code``, ``town`` (official name; empty when
        unknown) and ``method`` ('exact', 'code', 'variant', 'pinyin' or
        'unknown'), one row per distinct input, in first-seen order.
    """
    seen = list(dict.fromkeys(str(n).strip() for n in names
                              if n is not None and not (not isinstance(n, str) and pd.isna(n))))
    rows = []
    for n in seen:
        code, method = _match_one(n)
        rows.append((n, code, NAME_BY_CODE.get(code), method or "unknown"))
    return pd.DataFrame(rows, columns=["input", "code", "town", "method"])


def match_towns(names, *, path=None, field=None, on_unknown="raise"):
    """Map town names (or codes, pinyin, variants) to official 9-digit codes.

    Parameters
    ----------
    names : iterable of str
        Names as found in a user table.
    path, field : optional
        File and column the names come from, for messages.
    on_unknown : {'raise', 'warn'}
        Unknown names raise :class:`HnGeoError` (default) listing them and the
        12 official names; with ``'warn'`` they map to ``None`` and an
        :class:`HnGeoWarning` counts them.

    Returns
    -------
    list of str or None
        One code per input name, in input order.

    Warns
    -----
    HnGeoWarning
        When names needed a repair (suffix, prefix, pinyin, traditional
        characters, code): counts them and shows the mapping.
    """
    names = list(names)
    mapping = town_mapping(names)
    lookup = {i: (c if isinstance(c, str) else None) for i, c in zip(mapping["input"], mapping["code"])}
    stripped = [None if n is None or (not isinstance(n, str) and pd.isna(n)) else str(n).strip()
                for n in names]
    codes = [lookup.get(n) if n is not None else None for n in stripped]
    unknown = mapping[mapping["method"] == "unknown"]
    empty = [i for i, n in enumerate(stripped) if n is None or n == ""]
    if len(unknown) or empty:
        bad = [i for i, c in enumerate(codes) if c is None]
        params = {"n_unknown": len(unknown), "unknown": list(unknown["input"]), "n_empty": len(empty),
                  "rows": [i + 2 for i in bad[:10]], "more": "…" if len(bad) > 10 else "",
                  "official": list(NAMES)}
        if on_unknown == "raise":
            raise HnGeoError(code="ground.unknown_towns", params=params, path=path, field=field,
                             row=bad[0] + 2)
        warnings.warn(HnGeoWarning("ground.unknown_towns_skipped", path=path, **params), stacklevel=2)
    repaired = mapping[mapping["method"].isin(["variant", "pinyin", "code"])]
    if len(repaired):
        n_rows = sum(1 for n in stripped if n in set(repaired["input"]))
        pairs = [f"{a}→{b}" for a, b in zip(repaired["input"], repaired["town"])]
        warnings.warn(HnGeoWarning("ground.towns_mapped", path=path, n=len(repaired), rows=n_rows,
                                   pairs=pairs), stacklevel=2)
    return codes


def normalise_towns(values, *, path=None, field="town"):
    """A layer's town column with every recognised name written as the official name.

    The same matching as :func:`match_towns` (suffixes, prefixes, pinyin, traditional and
    variant characters, codes): ``Xiashi``, ``硖石`` and ``峡石街道`` all become ``硖石街道``,
    so a per-town table has one row per town. Names that match no town are kept as they
    are; empty values stay empty.

    Parameters
    ----------
    values : pandas.Series
    path, field : optional
        File and column, for the warnings.

    Returns
    -------
    pandas.Series
        Same index; ``values`` itself when nothing changed.

    Warns
    -----
    HnGeoWarning
        ``ground.towns_mapped`` counting the names (and rows) mapped, and
        ``ground.unknown_towns_kept`` counting the names that match no town.
    """
    text = pd.Series(values).astype("string").str.strip()
    mapping = town_mapping(list(text.dropna().unique()))  # distinct names, in order of appearance
    if mapping.empty:
        return values
    official = {a: b for a, b in zip(mapping["input"], mapping["town"]) if isinstance(b, str)}
    repaired = mapping[mapping["method"].isin(["variant", "pinyin", "code"])]
    unknown = list(mapping.loc[mapping["method"] == "unknown", "input"])
    if unknown:
        n_rows = int(text.isin(unknown).sum())
        warnings.warn(HnGeoWarning("ground.unknown_towns_kept", path=path, field=field, n=len(unknown),
                                   rows=n_rows, names=unknown[:10], official=list(NAMES)), stacklevel=3)
    if repaired.empty:
        return values
    pairs = [f"{a}→{b}" for a, b in zip(repaired["input"], repaired["town"])]
    n_rows = int(text.isin(set(repaired["input"])).sum())
    warnings.warn(HnGeoWarning("ground.towns_mapped", path=path, n=len(repaired), rows=n_rows,
                               pairs=pairs[:10]), stacklevel=3)
    return text.map(official).fillna(text).astype("string")


def town_table():
    """The 12 towns as a DataFrame: ``code``, ``name``, ``kind``, ``name_en``."""
    return pd.DataFrame(
        [(c, n, k, f"{p} {'Subdistrict' if k == '街道' else 'Town'}") for c, n, k, p in TOWNS],
        columns=["code", "name", "kind", "name_en"])
