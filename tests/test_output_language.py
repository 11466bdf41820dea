"""Every output of a Chinese run speaks Chinese, every output of an English run English.

Runs ``hn-geo run`` on the embedded data twice (zh, en) from a working folder with a relative
``--out``, then scans every file it wrote (CSV, XLSX cells and sheet names, map pages: text,
data blocks, legends, titles, layer control; the share package: README, SOURCES, field
dictionaries, metadata and GeoJSON properties; run_summary.json; the console summary) with
``output_scan``. It fails on an English sentence in the zh run, Chinese outside names and
quoted plan/rule text in the en run, an untranslated code, a machine path, or a workbook
number stored as text.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from output_scan import Scan, code_words, data_strings, quoted_chinese

import hn_geo
from hn_geo.cli import main

pytestmark = pytest.mark.slow
CODE_HEADERS = ("代码", "编号", "编码", "code", "id", "年份", "year")
"""Workbook columns whose text cells are identifiers (township codes, industry codes...)."""
SUMMARY_DISPLAY_KEYS = ("label", "text", "status_text", "title", "message", "warnings")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for lang in ("zh", "en"):
        work = tmp_path_factory.mktemp(f"run_{lang}")
        runner = CliRunner()
        with runner.isolated_filesystem(temp_dir=work) as cwd:
            res = runner.invoke(main, ["run", "--out", "out", "--lang", lang, "-q"])
            assert res.exit_code == 0, res.output
            out[lang] = (Path(cwd) / "out", res.output)
    return out


def _scan(lang, out_dir, console):
    roots = [str(Path(hn_geo.__file__).resolve().parents[1]), str(out_dir.resolve()),
             str(Path(out_dir).resolve().parent)]
    data = data_strings() | quoted_chinese()
    scan = Scan(lang, data, roots, code_words(lang))
    for line in console.splitlines():
        scan.text("console", "line", line)
    for p in sorted(out_dir.rglob("*")):
        rel = p.relative_to(out_dir).as_posix()
        if p.suffix == ".csv":
            scan.csv(p, rel)
        elif p.suffix == ".xlsx":
            scan.xlsx(p, rel, code_headers=CODE_HEADERS)
        elif p.suffix == ".html":
            scan.html(p, rel)
        elif p.suffix == ".zip":
            scan.zip(p, rel, skip=("SOURCES.md",) if lang == "en" else ())
        elif p.name == "run_summary.json":
            _summary(scan, p, rel)
    return scan.findings


def _summary(scan, path, rel):
    def walk(obj, where):
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k in SUMMARY_DISPLAY_KEYS:
                    for i, t in enumerate(v if isinstance(v, list) else [v]):
                        scan.text(rel, f"{where}.{k}[{i}]", t)
                else:
                    walk(v, f"{where}.{k}")
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                walk(v, f"{where}[{i}]")

    walk(json.loads(path.read_text(encoding="utf-8")), "")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_output_speaks_one_language(runs, lang):
    out_dir, console = runs[lang]
    findings = _scan(lang, out_dir, console)
    shown = "\n".join(f"{f} | {w} | {kind} | {text[:160]!r}" for f, w, kind, text in findings[:40])
    assert not findings, f"{len(findings)} finding(s) in the {lang} run:\n{shown}"


def test_the_scan_catches_what_it_looks_for():
    """The scanner itself: each kind of problem is found (so a clean run means something)."""
    scan = Scan("zh", {"海宁许村诚博印染有限公司"}, ["/work/main"], {"not_met"})
    scan.text("t", "a", "the buildings are marked approximate and synthetic")  # English sentence
    scan.text("t", "b", "not_met")                                              # a raw code
    scan.text("t", "c", "见 /work/main/hn_geo/data/access_rules.yaml")          # a machine path
    scan.text("t", "d", "海宁许村诚博印染有限公司")                               # data: fine
    scan.text("t", "e", "NOx 减排 537.7 t（目标 515 t）")                         # units: fine
    kinds = [f[2] for f in scan.findings]
    assert kinds.count("english-in-zh") == 1 and "code" in kinds and "path" in kinds
    en = Scan("en", {"上塘河"}, [], set())
    en.text("t", "a", "no discharger upstream of 上塘河")                           # a name: fine
    en.text("t", "b", "sections 达标")                                             # Chinese word
    assert [f[2] for f in en.findings] == ["chinese-in-en"]
