"""Monitoring results tables (water quality): from the file as exported to numbers.

A results table has one row per section and sampling date and one column per GB 3838
item; headers may be Chinese names or English codes, with units in brackets
(``氨氮(mg/L)``, ``NH3-N``, ``nh3n``). :func:`read_results` reads a CSV (UTF-8/GBK) or
XLSX file, :func:`prepare_results` turns such a frame into numbers for
:func:`hn_geo.water.assess`:

* values below the detection limit (``0.025L``, ``<0.025``, ``ND``/``未检出`` with the limit
  from :func:`read_detection_limits`) enter as half the detection limit and are flagged
  (``nd_<item>`` columns), so the analysis can apply the detection-limit rule;
* dates may be ISO, ``2024年3月5日``, ``2024.3.5``, Excel serial day numbers, or separate
  year and month columns (the 15th of the month is assumed);
* every bad cell raises :class:`~hn_geo.core.errors.HnGeoError` naming the file, the
  spreadsheet row (the header is row 1) and the column.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.results import Msg, Word
from hn_geo.ground.tables import ROWS_ATTR, RowLabels, read_table, row_labels
from hn_geo.ground.water_columns import WATER_BODY_NAMES, date_column, loose_item, water_body_codes
from hn_geo.reference import gb3838

ID_NAMES = ("section_id", "断面编号", "断面代码", "断面编码", "点位编码", "点位编号", "站点编码",
            "id", "code", "section_code", "编号")
NAME_NAMES = ("断面名称", "点位名称", "站点名称", "section", "section_name", "name", "断面", "名称")
DATE_NAMES = ("date", "sampling_date", "sample_date", "采样日期", "监测日期", "采样时间", "监测时间",
              "日期", "时间", "发布日期", "发布时间", "检测日期", "报告日期")
YEAR_NAMES = ("year", "年", "年份")
MONTH_NAMES = ("month", "月", "月份")
ND_WORDS = {"nd", "n.d.", "n.d", "未检出", "未检", "<dl", "bdl", "l", "<lod", "检出限以下"}
MISSING_WORDS = {"", "-", "--", "—", "——", "/", "na", "n/a", "nan", "none", "null", "未测", "未监测"}
NO_ND_ITEMS = ("wt", "ph", "do")
"""Items that cannot be below a detection limit (water temperature, pH, dissolved oxygen)."""

_LT_RE = r"^[<＜≤]"
_L_RE = r"\d\s*[Ll]$"
_STRIP_RE = r"^[<＜≤]\s*|\s*[Ll]$"
_DASHES_RE = r"^[-—–－_/／\\*＊.·~～]+$"
"""A cell of dashes, slashes or dots only (``---``, ``——``, ``/``) is "not measured"."""


# ----------------------------------------------------------------------------- cells
def _numbers(texts):
    """Float array of cells, NaN where not a number (and for infinities)."""
    arr = np.array(pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float, na_value=np.nan),
                   dtype=float, copy=True)
    arr[np.isinf(arr)] = np.nan
    return arr


def parse_values(raw, *, detection_limit=None):
    """Parse one column of result cells.

    Parameters
    ----------
    raw : pandas.Series
        Cell texts (or numbers): ``'0.52'``, ``'0.025L'``, ``'<0.025'``,
        ``'ND'``/``'未检出'``, empty/``'-'`` for not measured.
    detection_limit : float, optional
        Detection limit for cells that say only ``ND`` (unknown otherwise).

    Returns
    -------
    pandas.DataFrame
        ``value`` (float; half the detection limit for below-detection cells;
        NaN when not measured or the limit is unknown), ``nd`` (bool,
        below detection), ``dl`` (detection limit, NaN if unknown or
        detected), ``bad`` (bool, neither a number nor a notation),
        ``negative`` (bool).
    """
    s = pd.Series(raw)
    n = len(s)
    # fast path: plain numbers; only the other cells go through the notation regex
    plain = _numbers(s)
    num = np.where(plain >= 0, plain, np.nan)
    negative = plain < 0
    below = np.zeros(n, bool)
    missing = np.array(s.isna().to_numpy(), dtype=bool, copy=True)
    ndword = np.zeros(n, bool)
    rest = np.flatnonzero(np.isnan(plain) & ~missing)
    if rest.size:
        text = s.iloc[rest].astype(str).str.strip()
        low = text.str.lower()
        missing[rest] = (low.isin(MISSING_WORDS) | low.str.fullmatch(_DASHES_RE)).to_numpy(bool)
        ndword[rest] = low.isin(ND_WORDS).to_numpy()
        lt = text.str.match(_LT_RE).to_numpy(bool)
        suffix = text.str.contains(_L_RE).to_numpy(bool)
        rnum = _numbers(text.str.replace(_STRIP_RE, "", regex=True))
        ok = np.isfinite(rnum) & ~(lt & suffix)
        num[rest] = np.where(ok & (rnum >= 0), rnum, np.nan)
        negative[rest] = ok & (rnum < 0)
        below[rest] = (lt | suffix) & ok & (rnum >= 0)
    parsed = np.isfinite(num) | negative
    bad = ~(parsed | missing | ndword)
    dl = np.where(below, num, np.nan)
    if detection_limit is not None and np.isfinite(detection_limit):
        dl = np.where(ndword, float(detection_limit), dl)
    nd = below | ndword
    value = np.where(nd, dl / 2.0, np.where(parsed, num, np.nan))
    return pd.DataFrame({"value": value, "nd": nd, "dl": dl, "bad": bad,
                         "negative": negative}, index=s.index)


def _find(columns, names):
    low = {str(c).strip().lower(): c for c in columns}
    for n in names:
        if n.lower() in low:
            return low[n.lower()]
    return None


def _item_code(key):
    return key if key in gb3838.standard().index else gb3838.match_item(key)


# ----------------------------------------------------------------------------- detection limits
def read_detection_limits(path):
    """Read a detection-limit mapping file (CSV/XLSX: item, detection limit).

    The item column may hold Chinese names or codes; the limit column is the
    second column or one named ``detection_limit``/``检出限``.

    Returns
    -------
    dict
        Item code -> detection limit (same unit as the results).
    """
    df = read_table(path)
    item_col = _find(df.columns, ("item", "code", "项目", "指标", "监测项目", "parameter")) or df.columns[0]
    dl_col = _find(df.columns, ("detection_limit", "dl", "检出限", "方法检出限", "limit"))
    if dl_col is None:
        if len(df.columns) < 2:
            raise HnGeoError("needs two columns: item and detection limit", path=path,
                             code="water.dl_columns")
        dl_col = df.columns[1]
    out = {}
    for i, (item, val) in enumerate(zip(df[item_col], df[dl_col])):
        code = gb3838.match_item(item)
        if code is None:
            raise HnGeoError(f"unknown item {item!r}", path=path, row=i + 2, field=item_col,
                             code="water.dl_unknown_item", params={"item": str(item)})
        try:
            v = float(str(val).strip().rstrip("Ll"))
        except ValueError:
            raise HnGeoError(f"detection limit {val!r} is not a number", path=path, row=i + 2,
                             field=dl_col, code="water.dl_not_number",
                             params={"value": str(val)}) from None
        if not v > 0:
            raise HnGeoError(f"detection limit {val!r} must be positive", path=path, row=i + 2,
                             field=dl_col, code="water.dl_not_positive", params={"value": str(val)})
        out[code] = v
    return out


def _limits_by_code(detection_limits, path):
    out = {}
    for k, v in (detection_limits or {}).items():
        code = _item_code(k)
        if code is None:
            raise HnGeoError(f"detection limits: unknown item {k!r}", path=path,
                             code="water.dl_unknown_item", params={"item": str(k)})
        out[code] = float(v)
    return out


# ----------------------------------------------------------------------------- dates
def _dates_from_text(col):
    txt = col.astype(str).str.strip()
    txt = (txt.str.replace(r"(\d+)\s*年\s*(\d+)\s*月\s*(\d+)\s*日?", r"\1-\2-\3", regex=True)
           .str.replace(r"^(\d+)\s*年\s*(\d+)\s*月?$", r"\1-\2-15", regex=True)
           .str.replace(".", "-", regex=False).str.replace("/", "-", regex=False))
    dates = pd.to_datetime(txt, errors="coerce", format="mixed")
    # Excel serial day numbers (a date column exported as numbers)
    serial = pd.to_numeric(txt, errors="coerce")
    is_serial = (serial >= 20000) & (serial <= 80000)
    if is_serial.any():
        dates = dates.where(~is_serial, pd.to_datetime(serial.where(is_serial), unit="D",
                                                       origin="1899-12-30"))
    return dates


def parse_dates(df, path=None):
    """Sampling dates of a results frame.

    Parameters
    ----------
    df : pandas.DataFrame
        With a date column (:data:`DATE_NAMES`) or year (and month) columns.
    path : str, optional
        The file, for messages.

    Returns
    -------
    dates : pandas.Series of datetime64
        Timezone-naive.
    used : list of str
        The columns the dates were read from.

    Raises
    ------
    HnGeoError
        No date column; dates that cannot be read (naming the first row).
    """
    dcol = date_column(df.columns, DATE_NAMES)
    if dcol is not None:
        dates, used = _dates_from_text(df[dcol]), [dcol]
    else:
        ycol, mcol = _find(df.columns, YEAR_NAMES), _find(df.columns, MONTH_NAMES)
        if ycol is None:
            raise HnGeoError(f"no sampling-date column (one of {list(DATE_NAMES)}, or year and month "
                             f"columns); columns found: {list(df.columns)}", path=path,
                             code="water.no_date_column",
                             params={"expected": list(DATE_NAMES), "found": list(df.columns)})
        y = pd.to_numeric(df[ycol], errors="coerce")
        mo = (pd.to_numeric(df[mcol].astype(str).str.replace("月", ""), errors="coerce")
              if mcol is not None else pd.Series(7, index=df.index))
        dates = pd.to_datetime(pd.DataFrame({"year": y, "month": mo, "day": 15}), errors="coerce")
        dcol, used = (ycol if mcol is None else f"{ycol}/{mcol}"), [ycol] + ([mcol] if mcol else [])
    bad = np.flatnonzero(dates.isna().to_numpy())
    if bad.size:
        first = df[used[0]].iloc[bad[0]]
        rows = list(row_labels(df)[bad[:5]])
        raise HnGeoError(f"{bad.size} date(s) cannot be read (first: {first!r}; rows "
                         f"{', '.join(map(str, rows))}; row numbers count the header as row 1)",
                         path=path, row=rows[0], field=dcol, code="water.bad_dates",
                         params={"n": int(bad.size), "first": str(first), "rows": rows})
    return dates.dt.tz_localize(None) if dates.dt.tz is not None else dates, used


# ----------------------------------------------------------------------------- tables
def _item_columns(df, skip, path):
    """``{item code: column}`` of the GB 3838 item columns; warns about loosely matched
    headers (naming each) and about the other columns."""
    items, unknown, loose = {}, [], []
    for col in df.columns:
        if col in skip:
            continue
        code = gb3838.match_item(col)
        if code is None:
            code = loose_item(col)
            if code is not None and code not in items:
                loose.append(Msg("water.header_as_item", header=col, item=Word("water.item", code)))
        if code is None:
            unknown.append(col)
        elif code in items:
            raise HnGeoError(f"columns {items[code]!r} and {col!r} both hold item {code}",
                             path=path, field=col, code="water.duplicate_item",
                             params={"first": items[code], "second": col,
                                     "item": Word("water.item", code)})
        else:
            items[code] = col
    if loose:
        warnings.warn(HnGeoWarning("water.headers_loose", path=path or None, n=len(loose),
                                   pairs=loose), stacklevel=3)
    if unknown:
        warnings.warn(HnGeoWarning("water.ignored_columns", path=path or None, n=len(unknown),
                                   columns=unknown), stacklevel=3)
    if not items:
        raise HnGeoError(f"no parameter columns recognised; columns found: {list(df.columns)}",
                         path=path, code="water.no_items", params={"found": list(df.columns)})
    return items


def _check_column(p, raw, code, path, col, labels):
    """Raise on the first bad, negative, impossible below-detection or implausible cell
    (outside the item's ``plausible_min``..``plausible_max`` of the reference data)."""
    nd = p["nd"].to_numpy()
    v = p["value"].to_numpy()
    item = Word("water.item", code)
    lo, hi = (float(x) for x in gb3838.standard().loc[code, ["plausible_min", "plausible_max"]])
    checks = [(p["bad"].to_numpy(), "water.value_not_number", {}),
              (p["negative"].to_numpy(), "water.value_negative", {})]
    if code in NO_ND_ITEMS:
        checks.append((nd, "water.value_nd_not_allowed", {"item": item}))
    with np.errstate(invalid="ignore"):
        checks.append((np.isfinite(v) & ~nd & ((v < lo) | (v > hi)), "water.value_implausible",
                       {"item": item, "low": lo, "high": hi}))
    for mask, msg, extra in checks:
        idx = np.flatnonzero(mask)
        if idx.size:
            rows = list(labels[idx[:5]])
            first = str(raw.iloc[idx[0]])
            raise HnGeoError(f"{idx.size} value(s) in {col!r} rejected ({msg}): first {first!r} "
                             f"(rows {', '.join(map(str, rows))}; the header is row 1)",
                             path=path, row=rows[0], field=col, code=msg,
                             params={"n": int(idx.size), "first": first, "rows": rows, **extra})


def _drop_duplicates(df, labels, path):
    """Rows that repeat an earlier row exactly (every cell) are one sample: kept once, counted."""
    dup = df.duplicated(keep="first").to_numpy()
    if not dup.any():
        return df, labels
    rows = list(labels[dup][:5])
    warnings.warn(HnGeoWarning("water.duplicate_samples", path=path or None, n=int(dup.sum()),
                               rows=rows, more="…" if dup.sum() > 5 else ""), stacklevel=3)
    return df[~dup], labels[~dup]


def _water_body(df, col, labels, path):
    """Water-body codes of the ``水体类型`` column (None where empty), or None without one."""
    if col is None:
        return None
    codes, bad = water_body_codes(df[col])
    idx = np.flatnonzero(bad)
    if idx.size:
        rows = list(labels[idx[:5]])
        first = str(df[col].iloc[idx[0]])
        raise HnGeoError(f"{idx.size} water-body value(s) are neither river nor lake: first {first!r}",
                         path=path, row=rows[0], field=col, code="water.bad_water_body",
                         params={"n": int(idx.size), "first": first, "rows": rows})
    return codes


def prepare_results(df, *, path=None, detection_limits=None):
    """Turn a wide text results table into numbers.

    Parameters
    ----------
    df : pandas.DataFrame
        As read (text cells). Columns: a section id and/or name column, a
        date column (or year and month), and parameter columns (Chinese
        names or codes, units in brackets allowed).
    path : str, optional
        The file it came from, for messages.
    detection_limits : dict, optional
        Item code (or name) -> detection limit, for ``ND`` cells.

    Returns
    -------
    pandas.DataFrame
        ``date`` (datetime64), ``row`` (spreadsheet row number, or ``sheet!row`` for a
        workbook read from several sheets), ``section_id`` and ``section_name`` (as
        written; either may be missing), ``water_body`` (codes ``river``/``lake``, when the
        table has a 水体类型 column), one float column per item
        code (half the detection limit for below-detection cells) and a bool
        ``nd_<code>`` column for each item that has below-detection cells.
        ``attrs['path']`` is the file.

    Raises
    ------
    HnGeoError
        A cell that is neither a number nor a detection-limit notation, a
        negative concentration, a value outside the item's plausible range (pH 0-14,
        NH3-N above 500 mg/L, DO above 40 mg/L ...: ``plausible_min``/``plausible_max`` of
        ``hn_geo/data/gb3838.csv``), an unreadable date, a below-detection
        pH/DO/temperature, a water body neither river nor lake; each naming file, row and
        column. Rows repeating an earlier row exactly are kept once (counted warning).
    """
    labels = row_labels(df)
    df = pd.DataFrame(df).copy()
    df.columns = [str(c).strip() for c in df.columns]
    df, labels = _drop_duplicates(df, labels, path)
    dls = _limits_by_code(detection_limits, path)
    id_col = _find(df.columns, ID_NAMES)
    name_col = _find(df.columns, NAME_NAMES)
    if id_col is None and name_col is None:
        expected = list(ID_NAMES[:5]) + list(NAME_NAMES[:3])
        raise HnGeoError(f"no section column (one of {expected}); columns found: {list(df.columns)}",
                         path=path, code="water.no_section_column",
                         params={"expected": expected, "found": list(df.columns)})
    df.attrs[ROWS_ATTR] = RowLabels(labels)
    dates, date_cols = parse_dates(df, path)
    wb_col = _find(df.columns, WATER_BODY_NAMES)
    items = _item_columns(df, {id_col, name_col, wb_col, *date_cols}, path)
    out = pd.DataFrame({"date": dates.to_numpy(), "row": labels}, index=df.index)
    out["section_id"] = (df[id_col].astype("string").str.strip() if id_col else pd.NA)
    out["section_name"] = (df[name_col].astype("string").str.strip() if name_col else pd.NA)
    water_body = _water_body(df, wb_col, labels, path)
    if water_body is not None:
        out["water_body"] = water_body
    n_nd_unknown = 0
    for code in gb3838.items():
        if code not in items:
            continue
        col = items[code]
        p = parse_values(df[col], detection_limit=dls.get(code))
        _check_column(p, df[col], code, path, col, labels)
        nd = p["nd"].to_numpy()
        out[code] = p["value"].to_numpy()
        if nd.any():
            out[f"nd_{code}"] = nd
            n_nd_unknown += int((nd & ~np.isfinite(p["value"].to_numpy())).sum())
    if n_nd_unknown:
        warnings.warn(HnGeoWarning("water.nd_no_limit", path=path or None, n=n_nd_unknown),
                      stacklevel=2)
    out.attrs["path"] = None if path is None else str(path)
    return out


def read_results(path, *, detection_limits=None, sheet=None):
    """Read a results table (CSV in UTF-8/GBK, or XLSX) -- see :func:`prepare_results`.

    Parameters
    ----------
    path : str or Path
    detection_limits : dict or str or Path, optional
        Item -> detection limit, or a file for :func:`read_detection_limits`.
    sheet : str or int, optional
        Worksheet of a workbook.
    """
    if isinstance(detection_limits, (str, Path)):
        detection_limits = read_detection_limits(detection_limits)
    return prepare_results(read_table(path, sheet=sheet), path=path,
                           detection_limits=detection_limits)
