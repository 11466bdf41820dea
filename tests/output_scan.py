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


_OPTIONS_RE = re.compile(r"new L\.hnGeo\.\w+\((\{.*?\})\)(?:\.addTo|;)", re.S)
_OVERLAY_RE = re.compile(r'"([^"\n]+)"\s*:\s*[a-z_]+_[0-9a-f]{32}\b')
_TAG_RE = re.compile(r"<[^>]+>")


def texts_of_html(path):
    """Texts a reader sees on a map page: HTML text, JSON data blocks, the options of the
    page's own controls (titles, captions, legends, search) and the layer-control names."""
    page = Path(path).read_text(encoding="utf-8")
    p = _HtmlText()
    p.feed(page)
    out = list(p.out)
    for m in _OPTIONS_RE.finditer(page):
        try:
            opts = json.loads(m.group(1))
        except ValueError:
            continue
        for text in _json_strings(opts):
            out += [t.strip() for t in _TAG_RE.split(text) if t.strip()]
    out += _OVERLAY_RE.findall(page)
    for i, t in enumerate(out):
        yield f"text {i}", t, False


def english_sentence(text, data_strings):
    t = str(text)
    if not SENTENCE.search(t):
        return None
    for d in data_strings:
        if d and len(d) > 3 and d in t:
            t = t.replace(d, " ")
    t = re.sub(r"\S+\.(csv|xlsx|gpkg|geojson|json|txt|html|png|zip|yaml|epw|tif|parquet)\b", " ", t)
    t = re.sub(r"https?://\S+", " ", t)
    t = re.sub(r"\b[A-Z]{2,}[\w\-]*\b", " ", t)  # abbreviations: COD, NOx-like, GB, PV
    for m in SENTENCE.finditer(t):
        words = [w for w in re.findall(WORD, m.group(0)) if w.lower() not in ALLOWED_EN]
        if len(words) >= 3:
            return m.group(0)
    return None


CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def data_tokens(data_strings):
    """The runs of Chinese characters of every data string: a Chinese run in an English
    output is fine when it is one of these (a name, a quoted clause, a term of the data)."""
    return {run for d in data_strings for run in CJK_RUN.findall(str(d))}


def chinese_outside_data(text, tokens):
    left = [run for run in CJK_RUN.findall(str(text)) if run not in tokens]
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
        self.tokens = data_tokens(self.data)
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
            c = chinese_outside_data(v, self.tokens)
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

    def zip(self, path, label, code_headers=(), skip=()):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name in skip:
                    continue
                data = z.read(name)
                sub = f"{label}:{name}"
                if name.endswith((".txt", ".md")):
                    for i, line in enumerate(data.decode("utf-8").splitlines(), start=1):
                        self.text(sub, f"line {i}", line)
                elif name.endswith(".csv"):
                    rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
                    first = 2 if name.startswith("fields/") else 1  # a field dictionary's names are identifiers
                    for r, row in enumerate(rows, start=1):
                        for c, cell in enumerate(row, start=1):
                            if c >= first:
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
                        self._json(obj, sub, "", ("sha256", "files", "hn_geo_version", "created", "name",
                                                  "fields", "geopackage", "crs", "lang", "package",
                                                  "generator", "checksums", "sources", "readme"))


# ----------------------------------------------------------------------------- what counts as data
def data_strings():
    """Every text value the embedded inputs hold (layer attributes, results and statistics
    tables, the access list, the plan's targets): names and quoted texts a run may show in
    either language."""
    import geopandas as gpd
    import pandas as pd
    import pyogrio
    import yaml

    from hn_geo.ground import catalog
    from hn_geo.ground.rules import default_rules_path
    from hn_geo.ground.plan import targets_path

    out = set()
    layers = catalog.layers_dir()
    for path in list(layers.glob("*.gpkg")) + list(layers.glob("*.parquet")):
        df = gpd.read_parquet(path) if path.suffix == ".parquet" else pyogrio.read_dataframe(path, read_geometry=False)
        for c in df.columns:
            if c != "geometry" and (df[c].dtype == object or pd.api.types.is_string_dtype(df[c])):
                out |= {str(v) for v in df[c].dropna().unique()}
    for path in list(layers.glob("*.csv")) + list((layers / "stats").glob("*.csv")):
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        out |= set(df.columns)
        for c in df.columns:
            out |= set(df[c].dropna().unique())

    def walk(obj):
        if isinstance(obj, str):
            out.add(obj)
        elif isinstance(obj, dict):
            for k, v in obj.items():
                walk(k)
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    for path in (default_rules_path(), targets_path()):
        walk(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    return {s for s in out if s and s.strip()}


def quoted_chinese():
    """Chinese fragments the vocabulary's English texts quote on purpose (entries marked
    ``en_keeps_chinese``: clause numbers such as 附件1, standards such as 环办〔2011〕22号,
    Chinese header names a reader types)."""
    from hn_geo import vocabulary

    frags = set()

    def walk(node):
        if isinstance(node, dict):
            if node.get("en_keeps_chinese") and isinstance(node.get("en"), str):
                frags.update(re.findall(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+[\w.（）()〔〕]*",
                                        node["en"]))
            for v in node.values():
                walk(v)

    walk(vocabulary.load())
    return frags


def code_words(lang):
    """Codes of the vocabulary whose word in ``lang`` differs from the code itself: such a
    code in an output is a code that was not rendered."""
    from hn_geo import vocabulary

    codes, words = set(), set()
    for block in vocabulary.load().values():
        for family, entries in ((block or {}).get("values") or {}).items():
            for code, item in (entries or {}).items():
                if not isinstance(item, dict):
                    continue
                words.add(str(item.get(lang)))
                if item.get(lang) != code and (lang == "zh" or "_" in str(code)):
                    codes.add(str(code))
    return {c for c in codes - words if not c.isdigit()}  # numbers (industry codes) are identifiers
