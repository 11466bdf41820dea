"""Text of the data escaped for the medium it goes into: spreadsheets, HTML, JSON in HTML, consoles.

Names, notes and values of the user's files are *data*: whatever they hold, they are shown as
the same text in every output, never run as a formula, as markup or as a terminal command.
Every writer of :mod:`hn_geo.render` passes text through one of these functions:

* :func:`csv_text` -- a CSV cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a
  leading ``'`` (OWASP's advice against CSV injection); numbers and text that reads as a plain
  number are left alone; :func:`csv_untext` undoes it when hn_geo reads its own CSVs back.
* :func:`xlsx_text` -- text of a workbook cell: characters XML 1.0 cannot hold become U+FFFD,
  line ends become ``\n`` as XML reads them (the cell itself is typed as text by
  :mod:`hn_geo.render.xlsx`, so it is never a formula).
* :func:`html_text` -- HTML text and attribute values (``& < > " '`` and ``{`` as entities).
* :func:`script_json` / :func:`json_for_html` -- JSON inside a ``<script>`` element: ``<``,
  ``>``, ``&``, U+2028 and U+2029 as ``\\uXXXX`` escapes, so no value (``</script>``,
  ``<!--<script>``) can end the element or put the HTML parser into another state.

Both also keep text from being read as a *Jinja template*: Folium/branca render the script
of a map element and then compile the result again as a template, so a ``{{ ... }}`` in a
town name would run as Python while the page is built. ``{`` is an entity in HTML text and
``\\u007b`` before ``{``, ``%`` or ``#`` in JSON.
* :func:`terminal_text` -- console lines: control characters (ESC sequences, BEL, backspace)
  shown as ``\\x1b`` escapes instead of acting on the terminal.
* :func:`markdown_text` -- text in a Markdown file (a share package's ``SOURCES.md``): markup
  characters backslash-escaped, so ``<img ...>`` or ``[x](javascript:...)`` stays text.
* :func:`finite_numbers` -- infinite numbers (which JSON and workbooks cannot hold, and a
  spreadsheet reads as text in CSV) become empty cells, with one counted warning per column.
* :func:`stored_text` -- text GDAL stores: NUL (which GDAL's C strings cut the text at) becomes
  U+FFFD; so it does in CSV, in workbooks and in the JSON of maps (an HTML page drops NUL).
"""
from __future__ import annotations

import html
import json
import re
import warnings

import numpy as np
import pandas as pd

from hn_geo.core.errors import HnGeoWarning

FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)."""
REPLACEMENT = "\ufffd"

_PLAIN_NUMBER = re.compile(r"[+-]?((\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")
_FORMULA_LIKE = re.compile(r"'*[=+\-@\t\r]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JSON_IN_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_IN_HTML_RE = re.compile("[<>&\u2028\u2029]")
_JSON_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def formula_like(text):
    """Whether a spreadsheet would read ``text`` as a formula (a plain number, a lone ``-`` or
    ``+`` is not one)."""
    if not isinstance(text, str) or text[:1] not in FORMULA_STARTERS or text in ("-", "+"):
        return False
    return not _PLAIN_NUMBER.fullmatch(text)


def csv_text(value):
    """A CSV cell value: text that a spreadsheet would read as a formula gets a leading ``'``.

    Text already starting with quotes before a formula character gets one more quote, so
    :func:`csv_untext` restores every text exactly. Non-text values are returned as they are.
    """
    if not isinstance(value, str) or not value:
        return value
    if formula_like(value) or (value[0] == "'" and _FORMULA_LIKE.match(value)):
        return "'" + value
    return value


def csv_untext(value):
    """The text :func:`csv_text` was given (one leading ``'`` before a formula character removed)."""
    if isinstance(value, str) and _NEUTRALISED.match(value):
        return value[1:]
    return value


def xlsx_text(text):
    """Text a workbook cell holds as given: XML-illegal control characters become U+FFFD and
    line ends ``\r\n`` or ``\r`` become ``\n`` (what every XML reader makes of them)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_ILLEGAL.sub(REPLACEMENT, text)


def stored_text(text):
    """Text GDAL stores whole: NUL becomes U+FFFD (GDAL would cut the text at it)."""
    return text.replace("\x00", REPLACEMENT) if "\x00" in text else text


def html_text(text):
    """Text as HTML (element content or a quoted attribute value); ``{`` as ``&#123;``, NUL
    (which the HTML parser drops) as U+FFFD."""
    return stored_text(html.escape("" if text is None else str(text), quote=True).replace("{", "&#123;"))


def json_for_html(text):
    """JSON text made safe inside a ``<script>`` element (and still the same JSON).

    ``<``, ``>``, ``&``, U+2028 and U+2029 can only occur inside JSON strings, where their
    ``\\uXXXX`` escapes mean the same characters; so can a ``{`` that opens a Jinja tag. A NUL
    (``\\u0000``) becomes U+FFFD, as wherever text is stored: the page would drop it when it
    shows the text as HTML.
    """
    text = _JSON_IN_HTML_RE.sub(lambda m: _JSON_IN_HTML[m.group(0)], text)
    if "{" in text:  # a Jinja opener ({{, {%, {#) only occurs inside strings: JSON never writes one
        text = _JINJA_OPEN.sub(r"\\u007b", text)
    return _JSON_NUL.sub(lambda m: m.group(1) + "\\ufffd", text) if "\\u0000" in text else text


def script_json(obj):
    """Compact JSON of ``obj`` safe inside a ``<script>`` element (UTF-8, no NaN)."""
    return json_for_html(json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False))


def terminal_text(text):
    """Text for a console line: control characters shown as escapes (``\\x1b``), never sent.

    Newlines and tabs are kept; a carriage return, escape, bell, backspace or a C1 control
    character would move the cursor, recolour or retitle the terminal.
    """
    text = "" if text is None else str(text)
    return _TERMINAL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def markdown_text(text):
    """Text for one line of Markdown: markup characters backslash-escaped (CommonMark), line
    breaks as spaces, control characters as escapes."""
    text = terminal_text(str(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    return _MARKDOWN.sub(r"\\\1", text)


def finite_numbers(df, path=None):
    """``df`` with its infinite numbers as empty cells (NaN), one warning ``render.infinite_blank``
    per column naming it and counting the cells (and ``path``)."""
    out = None
    for j in range(df.shape[1]):
        s = df.iloc[:, j]
        if pd.api.types.is_float_dtype(s.dtype):
            inf = np.isinf(s.to_numpy(dtype="float64", na_value=np.nan))
        elif s.dtype == object:
            inf = np.array([isinstance(v, (float, np.floating)) and bool(np.isinf(v)) for v in s.tolist()], dtype=bool)
        else:
            continue
        if inf.any():
            warnings.warn(HnGeoWarning("render.infinite_blank", path=path, column=str(df.columns[j]),
                                       n=int(inf.sum())), stacklevel=3)
            out = df.copy() if out is None else out
            out.isetitem(j, s.mask(inf))
    return df if out is None else out
