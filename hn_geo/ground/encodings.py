"""Attribute encodings of Shapefiles, checked against the text they produce.

A DBF holds bytes; the ``.cpg`` file (or the DBF header's language driver) says how to read
them, and is often wrong: GBK data with a ``.cpg`` of ``UTF-8``, UTF-8 data said to be
``GBK``, GBK said to be ``ISO-8859-1`` (the mojibake ``º£ÄþÊÐ`` for 海宁市), or no
``.cpg`` at all (GDAL then reads ISO-8859-1). The text bytes are read once more without
decoding and every candidate is judged by the text it gives:

* bytes that are valid UTF-8 (and not plain ASCII) are UTF-8 -- GBK text is almost
  never valid UTF-8, while UTF-8 bytes read as GBK give rare characters;
* otherwise bytes that decode as GB18030 to common Chinese (GB 2312 characters) are GBK,
  when the declared encoding is a single-byte one or does not decode them.

A repair is a counted warning naming the declared and the used encoding; an explicit
``encoding=`` (``--encoding``) is never second-guessed.
"""
from __future__ import annotations

import codecs
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pyogrio

from hn_geo.core.errors import HnGeoWarning

COMMON_SHARE = 0.9
"""Share of the non-ASCII characters of a GB18030 decoding that must be common Chinese
(GB 2312) for bytes to be taken as GBK."""
_SINGLE_BYTE = ("latin", "iso8859", "cp125", "cp437", "cp850", "ascii", "mac")


def text_bytes(df):
    """Raw bytes of the column names and text values of a frame read as ISO-8859-1 (lossless)."""
    cols = [c for c in df.columns if c != "geometry"
            and (df[c].dtype == object or pd.api.types.is_string_dtype(df[c]))]
    parts = [" ".join(map(str, df.columns))]
    parts += ["\n".join(df[c].dropna().astype(str)) for c in cols]
    return "\n".join(parts).encode("latin-1", errors="replace")


def _non_ascii_cells(df):
    cols = [c for c in df.columns if c != "geometry"
            and (df[c].dtype == object or pd.api.types.is_string_dtype(df[c]))]
    return int(sum(df[c].dropna().astype(str).map(lambda s: not s.isascii()).sum() for c in cols))


def _common_chinese_share(text):
    """Share of the non-ASCII characters of ``text`` that are in GB 2312 (common Chinese)."""
    wide = [ch for ch in text if ord(ch) > 127]
    if not wide:
        return 0.0
    ok = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
            ok += 1
        except UnicodeEncodeError:
            pass
    return ok / len(wide)


def guess_encoding(raw, declared=None):
    """'UTF-8', 'GB18030' or None (keep the declared one) for raw DBF text bytes.

    Parameters
    ----------
    raw : bytes
    declared : str, optional
        The encoding the file names (``.cpg``), a Python codec name; None when it names
        none (GDAL then reads ISO-8859-1).
    """
    if not raw or raw.isascii():
        return None
    kind = _kind(declared)
    try:
        raw.decode("utf-8")
        return None if kind == "utf-8" else "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return None
    if kind in ("gbk", "gb18030"):
        return None
    if kind in (None, "utf-8") or _common_chinese_share(text) >= COMMON_SHARE:
        return "GB18030"
    return None


def _kind(declared):
    if declared is None:
        return None
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return "unknown"
    if name in ("utf-8", "utf-8-sig"):
        return "utf-8"
    if name in ("gbk", "gb2312", "cp936"):
        return "gbk"
    if name == "gb18030":
        return "gb18030"
    return "single" if name.startswith(_SINGLE_BYTE) else name


def cpg_file(path, layer=None):
    """The .cpg file of a Shapefile (``path.shp``, a folder of them, or a .zip), or None."""
    path = Path(path)
    if path.is_dir():
        cands = [path / f"{layer}{ext}" for ext in (".cpg", ".CPG")]
    elif path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(".cpg")
                         and (layer is None or Path(n).stem == layer)]
        except zipfile.BadZipFile:
            return None
        return Path(names[0]) if names else None
    else:
        cands = [path.with_suffix(ext) for ext in (".cpg", ".CPG")]
    return next((p for p in cands if p.exists()), None)


def cpg_encoding(path, layer=None):
    """The encoding a Shapefile's .cpg names, as a Python codec name (None: no .cpg)."""
    cpg = cpg_file(path, layer)
    if cpg is None:
        return None
    try:
        if Path(path).suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as zf:
                text = zf.read(str(cpg)).decode("ascii", errors="replace")
        else:
            text = cpg.read_text(encoding="ascii", errors="replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    text = text.strip().strip("\x00").upper().replace("_", "-")
    if text.isdigit():  # Windows code page numbers
        return {"65001": "utf-8", "936": "gbk", "54936": "gb18030", "88591": "latin-1"}.get(
            text, f"cp{text}")
    if text in ("8859-1", "88591", "ISO88591"):
        return "latin-1"
    return text or None


def raw_dbf(path, layer=None):
    """The attribute table read as ISO-8859-1: every byte kept, nothing decoded."""
    return pyogrio.read_dataframe(path, layer=layer, read_geometry=False, encoding="ISO-8859-1")


def shapefile_encoding(path, layer, encoding, stacklevel=4):
    """Encoding to pass to pyogrio for a Shapefile layer (None: GDAL's own choice is right).

    The user's ``encoding`` wins. Otherwise the text bytes are judged against the .cpg's
    encoding (or GDAL's ISO-8859-1 default when there is none); a different choice is
    returned with an :class:`HnGeoWarning` that names both and counts the values read.
    """
    if encoding:
        return encoding
    declared = cpg_encoding(path, layer)
    if declared is None:
        gdal_enc = pyogrio.read_info(path, layer=layer).get("encoding") or ""
        if gdal_enc.upper() not in ("", "ISO-8859-1", "LATIN1"):
            return None  # code page from the DBF header (language driver id)
    raw = raw_dbf(path, layer)
    enc = guess_encoding(text_bytes(raw), declared)
    if enc is None:
        return None
    n = _non_ascii_cells(raw)
    if declared is None:
        warnings.warn(HnGeoWarning("ground.encoding_detected", path=path, used=enc, n=n),
                      stacklevel=stacklevel)
    else:
        cpg = cpg_file(path, layer)
        warnings.warn(HnGeoWarning("ground.encoding_repaired", path=path, declared=declared.upper(),
                                   cpg=cpg.name if cpg is not None else "-", used=enc, n=n),
                      stacklevel=stacklevel)
    return enc
