"""Water-quality assessment of monitoring sections (GB 3838-2002, 环办〔2011〕22号).

Pipeline
--------
1. :func:`read_results` / :func:`prepare_results` turn a wide results table
   (one row per section and sampling date, one column per parameter; Chinese
   names or English codes, units in headers tolerated) into numbers. Values
   below the detection limit (``0.025L``, ``<0.025``, ``ND``/``未检出`` with
   the limit from a separate mapping) enter as half the detection limit and
   are flagged.
2. :func:`classify_values` classifies every item of every row at once (numpy
   over samples x items) and applies the detection-limit rule: a
   below-detection value never causes an exceedance of the reference (target)
   class on its own, even when half its detection limit is above the limit.
3. :func:`aggregate` averages samples per section and month or year
   (arithmetic means, then class, as the method prescribes).
4. :func:`assess` produces the full :class:`~hn_geo.results.AnalysisResult`:
   per-section annual and monthly classes, target compliance, the plan's
   two rates (省控 at or better than class III, 交接 sections meeting their
   target), river ratings, the TN/TP trend of the sea-entry rivers and the
   emission points upstream of the sections that miss their target.

Class rule (22号): the section class is the worst class of the 21 items
(water temperature, total nitrogen and fecal coliform excluded); total
nitrogen is reported separately and classified only for lakes/reservoirs.
超标倍数 (exceedance multiple) = (C - limit of the target class) / limit, not
computed for pH and dissolved oxygen.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoError, HnGeoWarning
from hn_geo.core.legacy import AnalysisResult
from hn_geo.reference import gb3838

SEA_ENTRY_RIVERS = ("长山河", "上塘河", "盐官下河")
"""The three main sea-entry rivers of the plan (TN/TP concentration control)."""
MAIN_ITEMS = ("do", "codmn", "cod", "bod5", "nh3n", "tp", "tn")
"""Items whose monthly means are listed in the monthly table (all items are in the annual one)."""
MONTHLY_COLUMNS = ("section_id", "name", "year", "month", "n_samples", "target_class", "water_class",
                   "water_class_num", "target_met", "status", "class_items", "exceed_items",
                   "max_multiple") + MAIN_ITEMS
PLAN_RATE = 100.0
"""Plan targets (三.八): 省控 at or better than III and 交接 compliance, both 100 %."""

ID_NAMES = ("section_id", "断面编号", "断面代码", "断面编码", "点位编码", "点位编号", "站点编码",
            "id", "code", "section_code", "编号")
NAME_NAMES = ("断面名称", "点位名称", "站点名称", "section", "section_name", "name", "断面", "名称")
DATE_NAMES = ("date", "sampling_date", "sample_date", "采样日期", "监测日期", "采样时间", "监测时间",
              "日期", "时间")
YEAR_NAMES = ("year", "年", "年份")
MONTH_NAMES = ("month", "月", "月份")
ND_WORDS = {"nd", "n.d.", "n.d", "未检出", "未检", "<dl", "bdl", "l", "<lod", "检出限以下"}
MISSING_WORDS = {"", "-", "--", "—", "——", "/", "na", "n/a", "nan", "none", "null", "未测", "未监测"}
NO_ND_ITEMS = ("wt", "ph", "do")
# emission-point load column per pollutant group
LOAD_OF = {"cod": "cod_t", "codmn": "cod_t", "bod5": "cod_t", "nh3n": "nh3n_t", "tp": "tp_t"}

_LT_RE = r"^[<＜≤]"
_L_RE = r"\d\s*[Ll]$"
_STRIP_RE = r"^[<＜≤]\s*|\s*[Ll]$"


# ----------------------------------------------------------------------------- parsing
def parse_values(raw, detection_limit=None):
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
    plain = np.array(pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan),
                     dtype=float, copy=True)
    plain[np.isinf(plain)] = np.nan
    num = np.where(plain >= 0, plain, np.nan)
    negative = plain < 0
    below = np.zeros(n, bool)
    missing = np.array(s.isna().to_numpy(), dtype=bool, copy=True)
    ndword = np.zeros(n, bool)
    rest = np.flatnonzero(np.isnan(plain) & ~missing)
    if rest.size:
        text = s.iloc[rest].astype(str).str.strip()
        low = text.str.lower()
        missing[rest] = low.isin(MISSING_WORDS).to_numpy()
        ndword[rest] = low.isin(ND_WORDS).to_numpy()
        lt = text.str.match(_LT_RE).to_numpy(bool)
        suffix = text.str.contains(_L_RE).to_numpy(bool)
        core = text.str.replace(_STRIP_RE, "", regex=True)
        rnum = np.array(pd.to_numeric(core, errors="coerce").to_numpy(dtype=float, na_value=np.nan),
                        dtype=float, copy=True)
        rnum[np.isinf(rnum)] = np.nan
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


def read_detection_limits(path):
    """Read a detection-limit mapping file (CSV/XLSX: item, detection limit).

    The item column may hold Chinese names or codes; the limit column is the
    second column or one named ``detection_limit``/``检出限``.

    Returns
    -------
    dict
        Item code -> detection limit (same unit as the results).
    """
    from hn_geo.ground.readers import read_table

    df = read_table(path)
    item_col = _find(df.columns, ("item", "code", "项目", "指标", "监测项目", "parameter")) or df.columns[0]
    dl_col = _find(df.columns, ("detection_limit", "dl", "检出限", "方法检出限", "limit"))
    if dl_col is None:
        if len(df.columns) < 2:
            raise HnGeoError("needs two columns: item and detection limit", path=path)
        dl_col = df.columns[1]
    out = {}
    for i, (item, val) in enumerate(zip(df[item_col], df[dl_col])):
        code = gb3838.match_item(item)
        if code is None:
            raise HnGeoError(f"unknown item {item!r}", path=path, row=i + 2, field=item_col)
        try:
            v = float(str(val).strip().rstrip("Ll"))
        except ValueError:
            raise HnGeoError(f"detection limit {val!r} is not a number", path=path, row=i + 2,
                             field=dl_col) from None
        if not v > 0:
            raise HnGeoError(f"detection limit {val!r} must be positive", path=path, row=i + 2,
                             field=dl_col)
        out[code] = v
    return out


def _parse_dates(df, path):
    dcol = _find(df.columns, DATE_NAMES)
    if dcol is not None:
        txt = df[dcol].astype(str).str.strip()
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
        used = [dcol]
    else:
        ycol, mcol = _find(df.columns, YEAR_NAMES), _find(df.columns, MONTH_NAMES)
        if ycol is None:
            raise HnGeoError(f"no sampling-date column (one of {list(DATE_NAMES)}, or year and month "
                             f"columns); columns found: {list(df.columns)}", path=path)
        y = pd.to_numeric(df[ycol], errors="coerce")
        mo = (pd.to_numeric(df[mcol].astype(str).str.replace("月", ""), errors="coerce")
              if mcol is not None else pd.Series(7, index=df.index))
        dates = pd.to_datetime(pd.DataFrame({"year": y, "month": mo, "day": 15}), errors="coerce")
        dcol, used = (ycol if mcol is None else f"{ycol}/{mcol}"), [ycol] + ([mcol] if mcol else [])
    bad = np.flatnonzero(dates.isna().to_numpy())
    if bad.size:
        first = df[used[0]].iloc[bad[0]]
        raise HnGeoError(f"{bad.size} date(s) cannot be read (first: {first!r}; rows "
                         f"{', '.join(str(i + 2) for i in bad[:5])}; row numbers count the header "
                         "as row 1)", path=path, row=int(bad[0]) + 2, field=dcol)
    return dates.dt.tz_localize(None) if dates.dt.tz is not None else dates, used


def prepare_results(df, path=None, detection_limits=None):
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
        ``section_key`` (id or name as written), ``key_kind`` is stored in
        ``attrs['key_columns']``; ``date`` (datetime64), ``row`` (spreadsheet
        row number), one float column per item code (half the detection limit
        for below-detection cells) and a bool ``nd_<code>`` column for each
        item that has below-detection cells.

    Raises
    ------
    HnGeoError
        A cell that is neither a number nor a detection-limit notation, a
        negative concentration, pH outside 0-14, an unreadable date, a
        below-detection pH/DO/temperature; each naming file, row and column.
    """
    where = path or "results table"
    df = pd.DataFrame(df).copy()
    df.columns = [str(c).strip() for c in df.columns]
    dls = {}
    for k, v in (detection_limits or {}).items():
        code = k if k in gb3838.standard().index else gb3838.match_item(k)
        if code is None:
            raise HnGeoError(f"detection limits: unknown item {k!r}", path=path)
        dls[code] = float(v)
    id_col = _find(df.columns, ID_NAMES)
    name_col = _find(df.columns, NAME_NAMES)
    if id_col is None and name_col is None:
        raise HnGeoError(f"no section column (one of {list(ID_NAMES[:5])} or {list(NAME_NAMES[:3])}); "
                         f"columns found: {list(df.columns)}", path=path)
    dates, date_cols = _parse_dates(df, path)
    items, unknown = {}, []
    for col in df.columns:
        if col in (id_col, name_col) or col in date_cols:
            continue
        code = gb3838.match_item(col)
        if code is None:
            unknown.append(col)
        elif code in items:
            raise HnGeoError(f"columns {items[code]!r} and {col!r} both hold {gb3838.name(code)} ({code})",
                             path=path, field=col)
        else:
            items[code] = col
    if unknown:
        warnings.warn(f"{where}: ignored {len(unknown)} column(s) that are not GB 3838 items: "
                      f"{', '.join(unknown)}", HnGeoWarning, stacklevel=2)
    if not items:
        raise HnGeoError("no parameter columns recognised (e.g. 溶解氧, 氨氮, 总磷 or do, nh3n, tp); "
                         f"columns found: {list(df.columns)}", path=path)
    out = pd.DataFrame({"date": dates.to_numpy(), "row": np.arange(len(df)) + 2}, index=df.index)
    out["section_id"] = (df[id_col].astype("string").str.strip() if id_col else pd.NA)
    out["section_name"] = (df[name_col].astype("string").str.strip() if name_col else pd.NA)
    n_nd_unknown = 0
    for code in gb3838.items():
        if code not in items:
            continue
        col = items[code]
        p = parse_values(df[col], dls.get(code))
        _raise_first(p["bad"].to_numpy(), df[col], "is neither a number nor a detection-limit "
                     "notation (e.g. 0.025L, <0.025, ND)", path, col)
        _raise_first(p["negative"].to_numpy(), df[col], "is negative", path, col)
        nd = p["nd"].to_numpy()
        if code in NO_ND_ITEMS:
            _raise_first(nd, df[col], f"is a below-detection notation, which {gb3838.name(code)} "
                         "cannot have", path, col)
        if code == "ph":
            v = p["value"].to_numpy()
            _raise_first(np.isfinite(v) & ((v < 0) | (v > 14)), df[col], "is outside pH 0-14",
                         path, col)
        out[code] = p["value"].to_numpy()
        if nd.any():
            out[f"nd_{code}"] = nd
            n_nd_unknown += int((nd & ~np.isfinite(p["value"].to_numpy())).sum())
    if n_nd_unknown:
        warnings.warn(f"{where}: {n_nd_unknown} below-detection value(s) have no known detection "
                      "limit (give one with --detection-limits); they count as class I in single "
                      "samples and are left out of means", HnGeoWarning, stacklevel=2)
    out.attrs["path"] = None if path is None else str(path)
    return out


def _raise_first(mask, raw, what, path, col):
    idx = np.flatnonzero(mask)
    if idx.size:
        rows = ", ".join(str(i + 2) for i in idx[:5])
        raise HnGeoError(f"{idx.size} value(s) {what}: first {raw.iloc[idx[0]]!r} (rows {rows}; "
                         "row numbers count the header as row 1)", path=path, row=int(idx[0]) + 2,
                         field=col)


def read_results(path, detection_limits=None, sheet=None):
    """Read a results table (CSV in UTF-8/GBK, or XLSX) -- see :func:`prepare_results`."""
    from hn_geo.ground.readers import read_table

    if isinstance(detection_limits, (str, Path)):
        detection_limits = read_detection_limits(detection_limits)
    return prepare_results(read_table(path, sheet=sheet), path=path,
                           detection_limits=detection_limits)


# ----------------------------------------------------------------------------- classification
def item_codes(frame):
    """Table 1 item columns present in a frame, in the standard's order."""
    return [c for c in gb3838.items() if c in frame.columns]


def classify_values(values, lake=None, reference=None, low=None):
    """Classify every item of every row, applying the detection-limit rule.

    Parameters
    ----------
    values : pandas.DataFrame
        Item-code columns; concentrations with below-detection values at half
        the detection limit (means of such values for periods).
    lake : array_like of bool, optional
        Lake/reservoir rows.
    reference : array_like of int, optional
        Reference (target) class per row, 1..5; class III when omitted.
    low : pandas.DataFrame, optional
        The same values with below-detection values at zero. Where it differs
        from ``values``, a below-detection value takes part: the item's class
        is then capped at the reference class unless the detected values
        alone (``low``) already exceed it -- below-detection values never
        cause an exceedance on their own.

    Returns
    -------
    pandas.DataFrame of int8
        Item classes 1..6, 0 = no value.
    """
    codes = item_codes(values)
    n = len(values)
    ref = (np.full(n, 3, dtype=np.int8) if reference is None
           else np.nan_to_num(np.asarray(reference, float), nan=3).astype(np.int8))
    c_half = gb3838.classify(values[codes], lake)
    if low is None:
        return c_half
    out = {}
    for c in codes:
        h = c_half[c].to_numpy()
        if c not in low.columns:
            out[c] = h
            continue
        lv = low[c].to_numpy(float)
        hv = values[c].to_numpy(float)
        differs = ~((lv == hv) | (np.isnan(lv) & np.isnan(hv)))
        if not differs.any():
            out[c] = h
            continue
        cl = gb3838.item_class(c, lv, lake)
        capped = np.where(cl > ref, np.maximum(h, cl), np.maximum(cl, np.minimum(h, ref)))
        out[c] = np.where(differs, capped, h).astype(np.int8)
    return pd.DataFrame(out, index=values.index)


def low_values(samples, only_nd=False):
    """The sample values with below-detection cells at zero (see :func:`classify_values`).

    With ``only_nd`` just the items that have ``nd_<code>`` flags.
    """
    codes = [c for c in item_codes(samples) if not only_nd or f"nd_{c}" in samples.columns]
    low = {}
    for c in codes:
        f = f"nd_{c}"
        v = samples[c].to_numpy(float)
        low[c] = np.where(samples[f].to_numpy(bool), 0.0, v) if f in samples.columns else v
    return pd.DataFrame(low, index=samples.index)


def classify_samples(samples, lake=None, reference=None):
    """Item classes and section class of every sample row (vectorised).

    Parameters
    ----------
    samples : pandas.DataFrame
        From :func:`prepare_results` (item columns and ``nd_<code>`` flags).
    lake, reference : see :func:`classify_values`.

    Returns
    -------
    item_classes : pandas.DataFrame of int8
    section_class : numpy.ndarray of int8
        Worst class over the 21 items of the method (0 = no value).
    """
    codes = item_codes(samples)
    has_nd = any(f"nd_{c}" in samples.columns for c in codes)
    cls = classify_values(samples[codes], lake, reference,
                          low_values(samples, only_nd=True) if has_nd else None)
    return cls, gb3838.section_class(cls)


def aggregate(samples, by):
    """Arithmetic means per group, with below-detection values at half (and at zero).

    Parameters
    ----------
    samples : pandas.DataFrame
        Item columns, ``nd_<code>`` flags and the ``by`` columns.
    by : list of str
        Group columns, e.g. ``['section_id', 'year']``.

    Returns
    -------
    means : pandas.DataFrame
        ``by`` columns, ``n_samples`` and the mean of each item.
    low : pandas.DataFrame
        The same means with below-detection values at zero, aligned with
        ``means`` (equal to it where no below-detection value took part).
    """
    codes = item_codes(samples)
    lowv = low_values(samples)
    half = samples[codes]
    # unknown-limit cells (value NaN, flagged) stay out of both means
    lowv = lowv.where(half.notna())
    keys = samples[by]
    g_half = pd.concat([keys, half], axis=1).groupby(by, sort=True, dropna=False)
    means = g_half[codes].mean()
    means.insert(0, "n_samples", g_half.size())
    low = pd.concat([keys, lowv], axis=1).groupby(by, sort=True, dropna=False)[codes].mean()
    # groups of unknown-limit non-detects only: detected values "zero" -> class I
    unknown = pd.DataFrame({c: (samples[f"nd_{c}"].to_numpy(bool) & samples[c].isna().to_numpy())
                            if f"nd_{c}" in samples.columns else np.zeros(len(samples), bool)
                            for c in codes}, index=samples.index)
    any_unknown = pd.concat([keys, unknown], axis=1).groupby(by, sort=True, dropna=False)[codes].any()
    low = low.where(~(low.isna() & any_unknown), 0.0)
    return means.reset_index(), low.reset_index(drop=True)


def round_sig(values, digits=4):
    """Round to ``digits`` significant figures (keeps small concentrations such as Hg)."""
    x = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.floor(np.log10(np.abs(x)))
        scale = np.where(np.isfinite(mag), 10.0 ** (digits - 1 - mag), 1.0)
        out = np.round(x * scale) / scale
    return np.where(np.isfinite(x) & (x != 0), out, x)


# ----------------------------------------------------------------------------- descriptions
def _join_items(mask, order_key, text, sep="、"):
    """Per row, join ``text`` of the items where ``mask`` holds, ordered by ``order_key`` descending.

    mask, order_key, text : (n, k) arrays. Vectorised over rows (loop over k only).
    """
    n, k = mask.shape
    out = np.full(n, "", dtype=object)
    if k == 0:
        return out
    key = np.where(mask, order_key, -np.inf)
    order = np.argsort(-key, axis=1, kind="stable")
    rows = np.arange(n)
    for j in range(k):
        col = order[:, j]
        sel = mask[rows, col]
        piece = text[rows, col]
        glue = np.where(out == "", "", sep)
        out = np.where(sel, out + glue + piece, out)
    return out


def _describe(means, item_cls, section_cls, target, lake, lang, main=True):
    """Text columns: class-setting items, exceeded items with multiples, main pollutants."""
    codes = [c for c in gb3838.class_items() if c in item_cls.columns]
    n = len(means)
    names = np.array([gb3838.name(c, lang) for c in codes], dtype=object)
    C = item_cls[codes].to_numpy() if codes else np.zeros((n, 0), np.int8)
    tgt = np.nan_to_num(np.asarray(target, float), nan=0).astype(int)
    mult_t = np.column_stack([gb3838.exceedance_multiple(c, means[c].to_numpy(float), tgt, lake)
                              for c in codes]) if codes else np.zeros((n, 0))
    mult_3 = np.column_stack([gb3838.exceedance_multiple(c, means[c].to_numpy(float),
                                                         np.full(n, 3), lake)
                              for c in codes]) if codes else np.zeros((n, 0))
    name_grid = np.broadcast_to(names, C.shape)
    sep = "、" if lang == "zh" else ", "

    def with_mult(m):
        txt = np.where(np.isfinite(m), np.char.mod("%.2f", np.nan_to_num(m)).astype(object), "")
        return np.where(txt == "", name_grid, name_grid + "(" + txt + ")")

    sc = np.asarray(section_cls)[:, None]
    defining = (C == sc) & (sc > 1)
    exceed = (C > tgt[:, None]) & (tgt[:, None] > 0) & (C > 0)
    # 22号: above class III, main pollutants = the three worst items (class, then multiple over III)
    order = C * 1000.0 + np.nan_to_num(mult_3, nan=0.0)
    over3 = C > 3
    if main:
        main = _join_items(over3, order, with_mult(mult_3), sep)
        main = np.array([sep.join(m.split(sep)[:3]) if m else "" for m in main], dtype=object)
    else:
        main = np.full(n, "", dtype=object)
    exceed_txt = _join_items(exceed, C * 1000.0 + np.nan_to_num(mult_t, nan=0.0), with_mult(mult_t), sep)
    max_mult = np.where(exceed, np.nan_to_num(mult_t, nan=0.0), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        max_mult = np.nanmax(np.column_stack([max_mult, np.full(n, np.nan)]), axis=1)
    return {"class_items": _join_items(defining, np.zeros(C.shape), name_grid, sep),
            "exceed_items": exceed_txt, "max_multiple": max_mult, "main_pollutants": main,
            "exceed_codes": [[codes[j] for j in np.flatnonzero(row)] for row in exceed]}


# ----------------------------------------------------------------------------- sections
def prepare_sections(sections, path=None):
    """Section table with numeric targets and lake flags.

    Returns a copy with ``target_num`` (1..5) and ``lake`` (bool) added.

    Raises
    ------
    HnGeoError
        Unreadable target classes (naming the feature).
    """
    s = sections.copy()
    s["section_id"] = s["section_id"].astype(str)
    tgt = gb3838.parse_class(s["target_class"].to_numpy(object))
    bad = np.flatnonzero(~np.isfinite(tgt))
    if bad.size:
        raise HnGeoError(f"{bad.size} target class(es) are not I..V (first: "
                         f"{s['target_class'].iloc[bad[0]]!r}, section {s['section_id'].iloc[bad[0]]})",
                         path=path or sections.attrs.get("hn_geo_source"), row=int(bad[0]) + 1,
                         field="target_class")
    s["target_num"] = tgt.astype(int)
    s["target_class"] = gb3838.class_name(tgt)
    s["lake"] = (s["water_body"].astype(str) == "湖库").to_numpy()
    return s


def match_sections(samples, sections):
    """Attach layer section ids to result rows (by id, else by name).

    Rows whose section is not in the layer are dropped with a warning that
    counts them and lists their sections.

    Returns
    -------
    pandas.DataFrame
        ``samples`` with ``section_id`` from the layer.
    """
    ids = set(sections["section_id"].astype(str))
    by_id = samples["section_id"].astype("string")
    sid = by_id.where(by_id.isin(ids))
    if samples["section_name"].notna().any():
        names = sections["name"].astype(str)
        dup = names[names.duplicated()].unique()
        name_map = dict(zip(names, sections["section_id"].astype(str)))
        from_name = samples["section_name"].astype("string").map(
            lambda v: name_map.get(v) if isinstance(v, str) and v not in dup else None)
        sid = sid.fillna(from_name.astype("string"))
    missing = sid.isna().to_numpy()
    out = samples.copy()
    out["section_id"] = sid
    if missing.any():
        keys = samples["section_id"].astype("string").fillna(samples["section_name"].astype("string"))
        absent = sorted(set(keys[missing].dropna().astype(str)))
        warnings.warn(f"{samples.attrs.get('path') or 'results table'}: {int(missing.sum())} row(s) of "
                      f"{len(absent)} section(s) not in the sections layer were left out: "
                      f"{', '.join(absent[:10])}{' ...' if len(absent) > 10 else ''} "
                      f"(first row {int(samples['row'].to_numpy()[missing][0])})",
                      HnGeoWarning, stacklevel=2)
        out = out[~missing]
    out.attrs = dict(samples.attrs)
    return out


def _period_table(samples, sections, by, lang):
    """Means, classes and compliance for each (section, period) group."""
    means, low = aggregate(samples, ["section_id"] + by)
    info = sections.set_index("section_id").loc[means["section_id"]]
    lake = info["lake"].to_numpy(bool)
    target = info["target_num"].to_numpy(int)
    codes = item_codes(means)
    item_cls = classify_values(means[codes], lake, target, low[codes])
    sc = gb3838.section_class(item_cls)
    desc = _describe(means, item_cls, sc, target, lake, lang)
    t = means[["section_id"] + by + ["n_samples"]].copy()
    for col in ("name", "river", "section_type", "water_body", "target_class"):
        t[col] = info[col].to_numpy()
    t["water_class"] = gb3838.class_name(sc)
    t["water_class_num"] = sc.astype(int)
    t["quality"] = gb3838.quality(sc, lang)
    t["target_met"] = _met(sc, target)
    t["status"] = _status(t["target_met"], lang)
    t["class_items"] = desc["class_items"]
    t["exceed_items"] = desc["exceed_items"]
    t["max_multiple"] = np.round(desc["max_multiple"], 3)
    t["main_pollutants"] = desc["main_pollutants"]
    if "tn" in means.columns:
        tn_cls = item_cls["tn"].to_numpy() if "tn" in item_cls.columns else np.zeros(len(t), int)
        t["tn_class"] = np.where(lake, gb3838.class_name(tn_cls), "")
    for c in codes:
        t[c] = round_sig(means[c].to_numpy(float))
    t.attrs["exceed_codes"] = desc["exceed_codes"]
    return t


# ----------------------------------------------------------------------------- plan indicators
def compliance(annual, lang="zh"):
    """The plan's two section indicators per year.

    Parameters
    ----------
    annual : pandas.DataFrame
        Per-section annual table (``year``, ``section_type``, ``water_class_num``,
        ``target_met``, ``section_id``, ``name``).

    Returns
    -------
    pandas.DataFrame
        One row per year and indicator: 省控 sections at or better than
        class III, 交接 sections meeting their own target; counts, rate (%),
        plan target (100 %) and status.
    """
    rows = []
    annual = annual[annual["water_class_num"] > 0]  # sections with a class
    for kind, label, ok in (("省控", _w("prov", lang), annual["water_class_num"] <= 3),
                            ("交接", _w("hand", lang), annual["target_met"].fillna(False))):
        sel = (annual["section_type"].astype(str) == kind).to_numpy()
        a = annual[sel].assign(ok=ok[sel].to_numpy(bool))
        for year, g in a.groupby("year", sort=True):
            n, m = len(g), int(g["ok"].sum())
            failing = g.loc[~g["ok"], ["name", "water_class"]]
            rows.append({"year": int(year), "indicator": label, "n_sections": n, "n_met": m,
                         "rate_pct": round(100.0 * m / n, 1) if n else np.nan,
                         "plan_target_pct": PLAN_RATE,
                         "status": _w("met" if m == n else "not met", lang),
                         "failing_sections": ("、" if lang == "zh" else ", ").join(
                             f"{a}({b})" for a, b in failing.itertuples(index=False))})
    return pd.DataFrame(rows, columns=["year", "indicator", "n_sections", "n_met", "rate_pct",
                                       "plan_target_pct", "status", "failing_sections"])


def river_rating(annual, samples=None, sections=None, lang="zh", min_sections=5):
    """Water-quality rating of each river per year (环办〔2011〕22号 河流水质评价).

    With ``min_sections`` (5) or more sections: the class-share method
    (I-III share >= 90 % 优; >= 75 % 良好; otherwise by the 劣V share:
    < 20 % 轻度污染, < 40 % 中度污染, else 重度污染). With fewer: the mean of
    all sections' concentrations, classified, rated like a section.

    Parameters
    ----------
    annual : pandas.DataFrame
        Per-section annual table with item means.
    """
    rows = []
    codes = item_codes(annual)
    for (river, year), g in annual[annual["water_class_num"] > 0].groupby(["river", "year"], sort=True):
        n = len(g)
        cls = g["water_class_num"].to_numpy()
        good = float(np.mean(cls <= 3) * 100)
        worst = float(np.mean(cls == 6) * 100)
        if n >= min_sections:
            method = _w("share", lang)
            if good >= 90:
                q = 1
            elif good >= 75:
                q = 3
            elif worst < 20:
                q = 4
            elif worst < 40:
                q = 5
            else:
                q = 6
            rclass = ""
        else:
            method = _w("mean", lang)
            lake = (g["water_body"].astype(str) == "湖库").all()
            m = g[codes].mean().to_frame().T
            q = int(gb3838.section_class(gb3838.classify(m, np.array([lake])))[0])
            rclass = gb3838.class_name([q])[0]
        rows.append({"river": river, "year": int(year), "n_sections": n, "method": method,
                     "share_I_III_pct": round(good, 1), "share_inferior_V_pct": round(worst, 1),
                     "river_class": rclass, "river_quality": gb3838.quality([q], lang)[0]})
    return pd.DataFrame(rows, columns=["river", "year", "n_sections", "method", "share_I_III_pct",
                                       "share_inferior_V_pct", "river_class", "river_quality"])


def sea_entry_trend(samples, sections, rivers=SEA_ENTRY_RIVERS, lang="zh"):
    """Annual TN and TP means of the sea-entry rivers and their year-on-year change.

    Parameters
    ----------
    samples : pandas.DataFrame
        Matched samples (``section_id``, ``year``, ``tn``, ``tp`` with ND flags).
    sections : pandas.DataFrame
        With ``section_id`` and ``river``.
    rivers : sequence of str
        River names (default the plan's 长山河, 上塘河, 盐官下河).

    Returns
    -------
    pandas.DataFrame
        ``river``, ``year``, ``n_samples``, ``tn``, ``tp`` (mg/L), changes
        against the previous and the first year (%) and the direction.
    """
    cols = ["river", "year", "n_samples", "tn", "tp", "tn_change_prev_pct", "tn_change_first_pct",
            "tp_change_prev_pct", "tp_change_first_pct", "trend"]
    present = [c for c in ("tn", "tp") if c in samples.columns]
    if not present:
        return pd.DataFrame(columns=cols)
    river_of = sections.set_index("section_id")["river"].astype(str)
    s = samples.assign(river=river_of.reindex(samples["section_id"].astype(str)).to_numpy())
    s = s[s["river"].isin(list(rivers))]
    if s.empty:
        return pd.DataFrame(columns=cols)
    means, _ = aggregate(s, ["river", "year"])
    out = means[["river", "year", "n_samples"] + present].copy()
    for c in ("tn", "tp"):
        if c not in out.columns:
            out[c] = np.nan
        g = out.groupby("river")[c]
        out[f"{c}_change_prev_pct"] = (100 * g.pct_change()).round(1)
        out[f"{c}_change_first_pct"] = (100 * (out[c] / g.transform("first") - 1)).round(1)
        out[c] = out[c].round(3)
    both = out[["tn_change_prev_pct", "tp_change_prev_pct"]].to_numpy(float)
    down = np.nan_to_num(both, nan=0) <= 0
    out["trend"] = np.where(np.isnan(both).all(axis=1), "",
                            np.where(down.all(axis=1), _w("down", lang),
                                     np.where((~down).all(axis=1), _w("up", lang), _w("mixed", lang))))
    return out[cols].reset_index(drop=True)


# ----------------------------------------------------------------------------- attribution
def attribute_upstream(failing, sections, rivers, points, snap_distance=1000.0,
                       max_upstream=15000.0, lang="zh"):
    """Emission points draining to each section that misses its target, ranked by load.

    Parameters
    ----------
    failing : pandas.DataFrame
        Section-year rows that miss their target (``section_id``, ``year``,
        ``exceed_items``) with ``attrs['exceed_codes']`` aligned to the rows.
    sections, rivers, points : geopandas.GeoDataFrame
        The layers (points need ``point_id``, ``name``, ``cod_t``,
        ``nh3n_t``, optionally ``tp_t``).
    snap_distance : float
        Metres from a point (or section) to its reach.
    max_upstream : float
        Metres along the river.

    Returns
    -------
    pandas.DataFrame
        One row per (section, point): along-river distance, loads, the load
        that ranks the point (that of the section's worst exceeded pollutant
        with a load: COD for COD/CODMn/BOD5, NH3-N, TP; COD otherwise), its
        rank and its share of the listed points' total. Only points with a
        COD, NH3-N or TP load above zero are considered.
    """
    from hn_geo.water.rivers import upstream_sources

    cols = ["section_id", "name", "year", "exceed_items", "rank", "point_id", "point_name",
            "industry", "town", "along_km", "snap_m", "cod_t", "nh3n_t", "tp_t", "rank_by",
            "load_share_pct"]
    if failing.empty:
        return pd.DataFrame(columns=cols)
    sec = sections[sections["section_id"].astype(str).isin(set(failing["section_id"]))]
    loads = [c for c in ("cod_t", "nh3n_t", "tp_t") if c in points.columns]
    # dischargers only: points with a water-pollutant load
    points = points[(points[loads].fillna(0).to_numpy(float) > 0).any(axis=1)] if loads else points
    if points.empty:
        return pd.DataFrame(columns=cols)
    pairs, _ = upstream_sources(rivers, sec, points, snap_distance, max_upstream)
    if pairs.empty:
        return pd.DataFrame(columns=cols)
    pts = points.assign(point_id=points["point_id"].astype(str)).set_index("point_id")
    for c in ("cod_t", "nh3n_t", "tp_t"):
        if c not in pts.columns:
            pts[c] = np.nan
    frames = []
    codes = failing.attrs.get("exceed_codes", [[]] * len(failing))
    for (sid, year, items, name), ex in zip(
            failing[["section_id", "year", "exceed_items", "name"]].itertuples(index=False), codes):
        p = pairs[pairs["section_id"] == sid]
        if p.empty:
            continue
        load = next((LOAD_OF[c] for c in ex if c in LOAD_OF), "cod_t")
        info = pts.loc[p["point_id"]]
        f = pd.DataFrame({"section_id": sid, "name": name, "year": year, "exceed_items": items,
                          "point_id": p["point_id"].to_numpy(),
                          "point_name": info["name"].to_numpy() if "name" in info else "",
                          "industry": info["industry"].to_numpy() if "industry" in info else "",
                          "town": info["town"].to_numpy() if "town" in info else "",
                          "along_km": (p["along_m"].to_numpy() / 1000).round(2),
                          "snap_m": p["snap_m"].to_numpy().round(0),
                          "cod_t": info["cod_t"].to_numpy(float), "nh3n_t": info["nh3n_t"].to_numpy(float),
                          "tp_t": info["tp_t"].to_numpy(float),
                          "rank_by": _w(load, lang)})
        key = f[load].fillna(0).to_numpy()
        f = f.iloc[np.lexsort((f["along_km"].to_numpy(), -key))].reset_index(drop=True)
        f.insert(4, "rank", np.arange(1, len(f) + 1))
        total = np.nansum(key)
        f["load_share_pct"] = (100 * f[load].fillna(0) / total).round(1) if total > 0 else np.nan
        frames.append(f)
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


# ----------------------------------------------------------------------------- the analysis
_WORDS = {
    "met": ("达标", "met"), "not met": ("未达标", "not met"), "no data": ("无数据", "no data"),
    "prov": ("省控断面达到或优于Ⅲ类比例", "provincial sections at or better than III"),
    "hand": ("交接断面水质达标率", "hand-over sections meeting their target"),
    "share": ("断面类别比例法", "class-share method"), "mean": ("浓度均值法", "mean-concentration method"),
    "down": ("下降", "down"), "up": ("上升", "up"), "mixed": ("升降不一", "mixed"),
    "cod_t": ("化学需氧量排放量", "COD load"), "nh3n_t": ("氨氮排放量", "NH3-N load"),
    "tp_t": ("总磷排放量", "TP load"),
}


def _w(key, lang):
    return _WORDS[key][0 if lang == "zh" else 1]


def labels():
    """Column labels ``{column: (zh, en)}`` of every water table and layer."""
    lab = {
        "section_id": ("断面编号", "section id"), "name": ("断面名称", "section"),
        "river": ("所在河流", "river"), "section_type": ("断面类型", "section type"),
        "water_body": ("水体类型", "water body"), "target_class": ("水质目标", "target class"),
        "year": ("年份", "year"), "month": ("月份", "month"), "date": ("采样日期", "sampling date"),
        "row": ("原表行号", "source row"),
        "n_samples": ("样品数", "samples"), "water_class": ("水质类别", "water class"),
        "water_class_num": ("水质类别（数字）", "class number"), "quality": ("水质状况", "quality"),
        "target_met": ("是否达标", "target met"), "status": ("达标情况", "status"),
        "class_items": ("定类项目", "class-setting items"),
        "exceed_items": ("超标项目（超标倍数）", "items over target (multiple)"),
        "max_multiple": ("最大超标倍数", "max exceedance multiple"),
        "main_pollutants": ("主要污染指标", "main pollutants"),
        "tn_class": ("总氮类别（湖库）", "TN class (lakes)"),
        "plan_check": ("规划考核", "plan check"),
        "indicator": ("指标", "indicator"), "n_sections": ("断面数", "sections"),
        "n_met": ("达标断面数", "sections met"), "rate_pct": ("比例 (%)", "rate (%)"),
        "plan_target_pct": ("规划目标 (%)", "plan target (%)"),
        "failing_sections": ("未达标断面", "failing sections"),
        "method": ("评价方法", "method"), "share_I_III_pct": ("Ⅰ～Ⅲ类比例 (%)", "class I-III (%)"),
        "share_inferior_V_pct": ("劣Ⅴ类比例 (%)", "worse than V (%)"),
        "river_class": ("河流水质类别", "river class"), "river_quality": ("河流水质状况", "river quality"),
        "tn_change_prev_pct": ("总氮较上年变化 (%)", "TN vs previous year (%)"),
        "tn_change_first_pct": ("总氮较首年变化 (%)", "TN vs first year (%)"),
        "tp_change_prev_pct": ("总磷较上年变化 (%)", "TP vs previous year (%)"),
        "tp_change_first_pct": ("总磷较首年变化 (%)", "TP vs first year (%)"),
        "trend": ("变化趋势", "trend"),
        "rank": ("排序", "rank"), "point_id": ("排放源编号", "point id"),
        "point_name": ("企业名称", "enterprise"), "industry": ("行业", "industry"),
        "town": ("所在镇（街道）", "town"), "along_km": ("沿河距离 (km)", "along river (km)"),
        "snap_m": ("距河道 (m)", "to river (m)"), "cod_t": ("化学需氧量排放量 (t/a)", "COD (t/a)"),
        "nh3n_t": ("氨氮排放量 (t/a)", "NH3-N (t/a)"), "tp_t": ("总磷排放量 (t/a)", "TP (t/a)"),
        "rank_by": ("排序依据", "ranked by"), "load_share_pct": ("负荷占比 (%)", "load share (%)"),
    }
    std = gb3838.standard()
    for code, row in std.iterrows():
        unit = row["unit"]
        lab[code] = (f"{row['name_zh']}({unit})", f"{row['name_en']} ({unit})")
    return lab


def assess(samples, sections, rivers=None, points=None, year=None, lang="zh",
           snap_distance=1000.0, max_upstream=15000.0, sea_entry=None):
    """Assess monitoring results against GB 3838-2002 and the plan's section targets.

    Parameters
    ----------
    samples : pandas.DataFrame
        From :func:`read_results` / :func:`prepare_results`.
    sections : geopandas.GeoDataFrame
        The ``sections`` layer.
    rivers, points : geopandas.GeoDataFrame, optional
        The ``rivers`` and ``emission_points`` layers, for upstream
        attribution of the sections that miss their target.
    year : int, optional
        Year shown on the sections layer and traced upstream (default the
        latest year in the results).
    lang : {'zh', 'en'}
        Language of status and text values (headers are localised on write).
    snap_distance : float
        Metres from an emission point or section to its river reach.
    max_upstream : float
        Metres upstream along the river network to list emission points.
    sea_entry : sequence of str, optional
        Rivers of the TN/TP trend table; default the rivers flagged
        ``sea_entry`` in ``rivers``, or :data:`SEA_ENTRY_RIVERS`.

    Returns
    -------
    hn_geo.results.AnalysisResult
        Tables ``water_sections`` (section x year, means of every item),
        ``water_monthly`` (means of :data:`MAIN_ITEMS`), ``water_samples``
        (class of every sample; the values are in the input), ``water_compliance``, ``water_rivers``,
        ``water_trend``, ``water_upstream``; layer ``sections`` (the chosen
        year: ``water_class`` 'I'..'V'/'劣V', ``water_class_num`` 1..6,
        ``target_met``, ``status``, ``exceed_items`` ...; sections without
        results have status 无数据/no data, class number 0 and null class and
        ``target_met``).
    """
    sec = prepare_sections(sections)
    s = match_sections(samples, sec)
    if s.empty:
        raise HnGeoError("no result row belongs to a section of the sections layer",
                         path=samples.attrs.get("path"))
    s = s.assign(year=s["date"].dt.year.astype(int), month=s["date"].dt.month.astype(int))
    info = sec.set_index("section_id").loc[s["section_id"]]
    item_cls, sc = classify_samples(s, info["lake"].to_numpy(bool), info["target_num"].to_numpy())
    smp = s[["section_id", "date", "row"]].copy()
    smp["name"] = info["name"].to_numpy()
    smp["water_class"] = gb3838.class_name(sc)
    smp["water_class_num"] = sc.astype(int)
    smp["target_met"] = _met(sc, info["target_num"].to_numpy())
    smp["status"] = _status(smp["target_met"], lang)
    smp["date"] = smp["date"].dt.strftime("%Y-%m-%d")
    desc = _describe(s, item_cls, sc, info["target_num"].to_numpy(), info["lake"].to_numpy(bool),
                     lang, main=False)
    smp["class_items"] = desc["class_items"]
    smp["exceed_items"] = desc["exceed_items"]

    annual = _period_table(s, sec, ["year"], lang)
    monthly = _period_table(s, sec, ["year", "month"], lang)
    years = sorted(annual["year"].unique())
    year = int(year) if year is not None else int(years[-1])
    if year not in years:
        raise HnGeoError(f"no results for year {year}; years in the table: {years}",
                         path=samples.attrs.get("path"), field="date")
    annual["plan_check"] = _plan_check(annual, lang)
    comp = compliance(annual, lang)
    rating = river_rating(annual, lang=lang)
    if sea_entry is None:
        flagged = (rivers.loc[rivers["sea_entry"].fillna(False).astype(bool), "name"].astype(str)
                   if rivers is not None and "sea_entry" in rivers.columns else pd.Series([], dtype=str))
        sea_entry = tuple(dict.fromkeys(flagged)) or SEA_ENTRY_RIVERS
    trend = sea_entry_trend(s, sec, sea_entry, lang)

    this = annual[annual["year"] == year]
    failing = this[_missed(this)].reset_index(drop=True)
    failing.attrs["exceed_codes"] = [c for c, ok in zip(annual.attrs["exceed_codes"],
                                                       (annual["year"] == year).to_numpy() & _missed(annual))
                                     if ok]
    notes = [
        "水质类别按 GB 3838-2002 表1 单因子评价；定类项目为环办〔2011〕22号 21 项（不含水温、总氮、粪大肠菌群）；"
        "总氮单独评价（湖库按湖库限值）。" if lang == "zh" else
        "Classes: GB 3838-2002 Table 1, single-factor; 21 items of 环办〔2011〕22号 (no water temperature, "
        "TN, fecal coliform); TN reported separately (lakes against lake limits).",
        "低于检出限的数据按检出限一半参与均值计算，单独不导致超标。" if lang == "zh" else
        "Below-detection values enter means at half the detection limit and never cause an exceedance "
        "on their own.",
    ]
    upstream = pd.DataFrame()
    if rivers is not None and points is not None:
        upstream = attribute_upstream(failing, sec, rivers, points, snap_distance, max_upstream, lang)
        traced = set(upstream["section_id"]) if len(upstream) else set()
        alone = [n for i, n in zip(failing["section_id"], failing["name"]) if i not in traced]
        if alone:
            notes.append(("未达标断面上游 {:g} km 河道内（距河道 {:g} m 以内）无化学需氧量/氨氮/总磷排放源："
                          "{}，超标可能来自上游来水或面源。").format(max_upstream / 1000, snap_distance,
                                                        "、".join(alone)) if lang == "zh" else
                         "No COD/NH3-N/TP discharger within {:g} km upstream ({:g} m of the river) of: {}; "
                         "the exceedance may come from inflow or diffuse sources.".format(
                             max_upstream / 1000, snap_distance, ", ".join(alone)))
    else:
        notes.append("未提供河网或排放源图层，未做上游溯源。" if lang == "zh" else
                     "No rivers/emission points given: upstream attribution skipped.")

    layer = sec.drop(columns=["target_num", "lake"]).copy()
    cols = ["year", "n_samples", "water_class", "water_class_num", "quality", "target_met", "status",
            "plan_check", "class_items", "exceed_items", "max_multiple", "main_pollutants"]
    t = this.set_index("section_id")[cols].reindex(layer["section_id"])
    for c in cols:
        layer[c] = t[c].to_numpy()
    nodata = t["water_class_num"].fillna(0).to_numpy() == 0
    layer["year"] = year
    layer["n_samples"] = t["n_samples"].fillna(0).astype(int).to_numpy()
    layer["water_class_num"] = t["water_class_num"].fillna(0).astype(int).to_numpy()
    # no data: class and compliance unknown (null), not "failed"
    layer["water_class"] = pd.Series(np.where(nodata, None, layer["water_class"].astype(object)),
                                     index=layer.index, dtype=object)
    layer["target_met"] = t["target_met"].astype("boolean").to_numpy()
    layer["status"] = np.where(nodata, _w("no data", lang), layer["status"].astype(object))
    if nodata.any():
        notes.append((f"{int(nodata.sum())} 个断面 {year} 年无监测数据。" if lang == "zh" else
                      f"{int(nodata.sum())} section(s) have no results in {year}."))

    summary = _summary(comp, this, year, lang, n_nodata=int(nodata.sum()))
    tables = {"water_sections": annual.sort_values(["year", "section_id"], ignore_index=True),
              "water_compliance": comp, "water_rivers": rating, "water_trend": trend,
              "water_upstream": upstream if len(upstream) else
              pd.DataFrame(columns=["section_id", "name", "year", "exceed_items", "rank", "point_id"]),
              "water_monthly": monthly[[c for c in MONTHLY_COLUMNS if c in monthly.columns]]
              .sort_values(["year", "month", "section_id"], ignore_index=True),
              "water_samples": smp.sort_values(["date", "section_id"], ignore_index=True)}
    return AnalysisResult(name="water", tables=tables, layers={"sections": layer}, labels=labels(),
                          status_columns=("status", "plan_check"), summary=summary, notes=notes)


def _met(section_cls, target):
    """Target met (nullable bool): NA where no item could be classified."""
    sc = np.asarray(section_cls)
    return pd.array(np.where(sc > 0, sc <= np.asarray(target), None), dtype="boolean")


def _status(met, lang):
    m = pd.array(met, dtype="boolean")
    return np.where(m.isna(), _w("no data", lang),
                    np.where(m.fillna(False), _w("met", lang), _w("not met", lang)))


def _missed(table):
    """Rows that have a class and miss their target."""
    return table["target_met"].eq(False).fillna(False).to_numpy(bool)


def _plan_check(annual, lang):
    """Plan check of a section-year: 省控 at or better than III; 交接 its own target."""
    st = annual["section_type"].astype(str).to_numpy()
    ok = np.where(st == "省控", annual["water_class_num"].to_numpy() <= 3,
                  annual["target_met"].fillna(False).to_numpy(bool))
    ok = ok & (annual["water_class_num"].to_numpy() > 0)
    word = np.where(ok, _w("met", lang), _w("not met", lang))
    return np.where(np.isin(st, ["省控", "交接"]), word, "")


def _summary(comp, this, year, lang, n_nodata=0):
    zh = lang == "zh"
    out = {("评价年份" if zh else "year"): year}
    for _, r in comp[comp["year"] == year].iterrows():
        out[f"{r['indicator']} (%)"] = f"{r['rate_pct']:.1f} ({r['n_met']}/{r['n_sections']})"
    worst = this[this["water_class_num"] > 0].sort_values(
        ["water_class_num", "max_multiple"], ascending=False, na_position="last").head(5)
    out["最差断面" if zh else "worst sections"] = ("；" if zh else "; ").join(
        f"{r.name_}({r.water_class}{('，' if zh else ', ') + r.exceed_items if r.exceed_items else ''})"
        for r in worst.rename(columns={"name": "name_"}).itertuples())
    out["未达标断面数" if zh else "sections not meeting target"] = int(_missed(this).sum())
    if n_nodata:
        out["无数据断面数" if zh else "sections without data"] = n_nodata
    return out
