"""Scan every output of a run for text a reader should never see.

Used by ``test_output_language.py`` on a zh run and an en run of ``hn-geo run``. A finding is
(file, place, problem, text). Problems:

* ``english-in-zh``: a Chinese run shows an English sentence (three or more English words in a
  row, once units, abbreviations, standards, file names and data values are taken out);
* ``chinese-in-en``: an English run shows Chinese characters outside names and quoted plan or
  rule text (the data the user or the plan wrote: layer attributes, clause texts, quotes);
* ``code``: an internal code instead of a word (``not_met``, ``reduce_by``, ``>=``, ``True``,
  ``linear``, ``nan`` ...);
* ``path``: a machine path (the repository, the virtualenv, the output folder, /tmp, /home);
* ``number-as-text``: a workbook cell holding a number as text ('1800.0').
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e]")
WORD = r"[A-Za-z][A-Za-z'’\-]+"
SENTENCE = re.compile(rf"{WORD}(?:[ ,;:/()]+{WORD}){{2,}}")
NUMBER_TEXT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")

# English tokens a Chinese text may carry: units, abbreviations, standards, software, formats
ALLOWED_EN = {
    "cod", "codmn", "bod", "nox", "vocs", "voc", "so2", "nh3-n", "tp", "tn", "ph", "do", "gb", "hj",
    "kwh", "kwp", "kw", "mw", "gw", "gwh", "mwh", "tce", "epsg", "cgcs2000", "wgs84", "gcj-02", "utm",
    "pvlib", "perez", "haydavies", "sapm", "pvwatts", "iam", "dc", "ac", "ineichen", "erbs", "cswd",
    "epw", "tmy", "tmy3", "pvgis", "cma", "nrel", "gagnon", "et", "al", "hn_geo", "hn-geo", "geojson",
    "geopackage", "gpkg", "geoparquet", "csv", "xlsx", "utf-8", "bom", "qgis", "gdal", "sha256sums",
    "readme", "txt", "json", "html", "zip", "rfc", "dsm", "png", "osm", "amap", "tianditu", "leaflet",
    "openstreetmap", "run", "out", "verbose", "continue_on_error", "false", "true", "lang",
    "layers", "mg", "km", "m", "ha", "t", "a", "i", "ii", "iii", "iv", "v", "vi", "id", "no",
    "sql", "python", "numpy", "pandas", "geopandas", "shapely", "pyproj", "rasterio", "folium",
    "hn", "geo", "gbt", "cm", "e", "n", "s", "w", "ne", "nw", "se", "sw", "lcoe",
}
CODES = {
    "not_met", "on_track", "no_data", "reduce_by", "reduce_by_pp", "increase_by", "about", ">=", "<=",
    "==", "linear", "compound", "True", "False", "true", "false", "nan", "NaN", "None", "none", "null",
    "pv_possible", "area_too_small", "footprint_tiny", "inferior_V", "incentive_met", "basic_met",
}


def texts_of_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for r, row in enumerate(csv.reader(fh), start=1):
            for c, cell in enumerate(row, start=1):
                yield f"row {r} col {c}", cell, r == 1


def cells_of_xlsx(path):
    wb = openpyxl.load_workbook(path, read_only=False, data_only=False)
    for ws in wb.worksheets:
        yield f"sheet name {ws.title!r}", ws.title, True, None
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                yield f"{ws.title}!{cell.coordinate}", cell.value, cell.row == 1, cell


class _HtmlText(HTMLParser):
    """Text nodes and title/alt attributes outside <script>/<style>, plus JSON data blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self._skip, self._json = [], 0, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
            self._json = tag == "script" and "json" in (attrs.get("type") or "")
        for key in ("title", "alt", "placeholder", "aria-label"):
            if attrs.get(key):
                self.out.append(attrs[key])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
            self._json = False

    def handle_data(self, data):
        if self._json:
            try:
                self.out.extend(_json_strings(json.loads(data)))
            except ValueError:
                pass
        elif not self._skip and data.strip():
            self.out.append(data.strip())


def _json_strings(obj, key=None):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _json_strings(v, k)
    elif isinstance(obj, list):
        for v in obj:
            yield from _json_strings(v, key)


def texts_of_html(path):
    p = _HtmlText()
    p.feed(Path(path).read_text(encoding="utf-8"))
    for i, t in enumerate(p.out):
        yield f"text {i}", t, False


def english_sentence(text, data_strings):
    t = str(text)
    for d in data_strings:
        if d and d in t:
            t = t.replace(d, " ")
    t = re.sub(r"\S+\.(csv|xlsx|gpkg|geojson|json|txt|html|png|zip|yaml|epw|tif|parquet)\b", " ", t)
    t = re.sub(r"https?://\S+", " ", t)
    t = re.sub(r"\b[A-Z]{2,}[\w\-]*\b", " ", t)  # abbreviations: COD, NOx-like, GB, PV
    for m in SENTENCE.finditer(t):
        words = [w for w in re.findall(WORD, m.group(0)) if w.lower() not in ALLOWED_EN]
        if len(words) >= 3:
            return m.group(0)
    return None


def chinese_outside_data(text, data_strings):
    t = str(text)
    if not CJK.search(t):
        return None
    for d in sorted(data_strings, key=len, reverse=True):
        if d and CJK.search(d) and d in t:
            t = t.replace(d, " ")
    left = CJK.findall(t)
    return "".join(left) if left else None


def machine_path(text, roots):
    t = str(text)
    for r in roots:
        if r and r in t:
            return r
    m = re.search(r"(?<![\w.])/(tmp|home|root|usr|opt|work|var)/\S+", t)
    return m.group(0) if m else None


class Scan:
    """Collects findings over the outputs of one run."""

    def __init__(self, lang, data_strings, roots, code_words):
        self.lang = lang
        self.data = {d for d in data_strings if isinstance(d, str) and d.strip()}
        self.roots = [r for r in roots if r]
        self.codes = set(CODES) | set(code_words)
        self.findings = []

    def text(self, file, where, value, header=False):
        if not isinstance(value, str):
            return
        v = value.strip()
        if not v or v in self.data:
            return
        if v in self.codes:
            self.findings.append((file, where, "code", v))
        p = machine_path(v, self.roots)
        if p:
            self.findings.append((file, where, "path", v))
        if self.lang == "zh":
            s = english_sentence(v, self.data)
            if s:
                self.findings.append((file, where, "english-in-zh", v))
        else:
            c = chinese_outside_data(v, self.data)
            if c:
                self.findings.append((file, where, "chinese-in-en", v))

    def csv(self, path, label):
        for where, cell, header in texts_of_csv(path):
            self.text(label, where, cell, header)

    def xlsx(self, path, label, code_headers=()):
        headers = {}
        for where, value, header, cell in cells_of_xlsx(path):
            self.text(label, where, value, header)
            if cell is None:
                continue
            if header:
                headers[(cell.parent.title, cell.column)] = str(value)
            elif isinstance(value, str) and NUMBER_TEXT.match(value.strip()):
                head = headers.get((cell.parent.title, cell.column), "")
                if not any(h in head for h in code_headers):
                    self.findings.append((label, where, "number-as-text", f"{head}: {value}"))

    def html(self, path, label):
        for where, text, _ in texts_of_html(path):
            self.text(label, where, text)

    def json_file(self, path, label, skip_keys=()):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        self._json(data, label, "", skip_keys)

    def _json(self, obj, label, where, skip_keys):
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k not in skip_keys:
                    self._json(v, label, f"{where}.{k}", skip_keys)
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                self._json(v, label, f"{where}[{i}]", skip_keys)
        else:
            self.text(label, where, obj)

    def zip(self, path, label, code_headers=()):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                data = z.read(name)
                sub = f"{label}:{name}"
                if name.endswith((".txt", ".md")):
                    for i, line in enumerate(data.decode("utf-8").splitlines(), start=1):
                        self.text(sub, f"line {i}", line)
                elif name.endswith(".csv"):
                    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
                    for r, row in enumerate(rows, start=1):
                        for c, cell in enumerate(row, start=1):
                            self.text(sub, f"row {r} col {c}", cell)
                elif name.endswith((".geojson", ".json")):
                    obj = json.loads(data.decode("utf-8"))
                    if isinstance(obj, dict) and obj.get("type") == "FeatureCollection":
                        for i, f in enumerate(obj.get("features", [])[:2000]):
                            for k, v in (f.get("properties") or {}).items():
                                self.text(sub, f"feature {i} {k}", v)
                        for k in ("name", "title", "description"):
                            self.text(sub, k, obj.get(k))
                    else:
                        self._json(obj, sub, "", ("sha256", "files", "hn_geo_version", "created"))
