"""Hostile and messy inputs (issue 12, input side): run each through the CLI, print what happens.

Usage: ``python scripts/hostile_inputs.py [--out FOLDER]``. Every case builds its input file
from the embedded layers (or the shared CSWD weather file, when present), runs one
``hn-geo`` command in-process (click's runner) and prints one line: the class, the case, the
outcome (``traceback``, ``error`` with its first words, ``warned`` or ``silent``) and what the
outputs show (rows used, names read, towns in the table ...). A case is *silent* when the
command exits 0 without a warning about the problem. The table of the issue's closing note
is made from this script's output before and after the fix.
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import shapely
from click.testing import CliRunner

from hn_geo.cli import main
from hn_geo.ground.catalog import layers_dir, load_layer

REPO = Path(__file__).resolve().parents[1]
EPW = next((d / "shared" / "data" / "weather" / "CHN_Zhejiang.Hangzhou.584570_CSWD.epw"
            for d in REPO.parents if (d / "shared" / "data").exists()), Path("/nonexistent"))
RESULTS = layers_dir() / "water_results.csv"


def run(*args):
    """(exit code, stdout+stderr text, exception or None) of one hn-geo command."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
    exc = res.exception if res.exception and not isinstance(res.exception, SystemExit) else None
    return res.exit_code, res.output, exc


def outcome(code, text, exc, needle=None):
    """'traceback', 'error: ...', 'warned: ...' or 'silent'."""
    if exc is not None:
        return f"traceback ({type(exc).__name__}: {str(exc)[:70]})"
    if code != 0:
        line = [ln for ln in text.strip().splitlines() if ln.strip()][-1]
        return "error: " + line.replace("Error: ", "")[:150]
    warned = [ln for ln in text.splitlines() if ln.lower().startswith(("warning", "警告"))]
    hits = [ln for ln in warned if needle is None or any(n in ln for n in needle)]
    return ("warned: " + hits[0][:150]) if hits else "silent (exit 0)"


def write_xlsx(path, sheets):
    """An XLSX with one sheet per item, every cell written as text (as a lab's export)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, df in sheets.items():
        ws = book.create_sheet(name)
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append([None if pd.isna(v) else str(v) for v in row])
    book.save(path)
    return path


def results_frame():
    return pd.read_csv(RESULTS, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def samples_used(out):
    p = out / "water_samples.csv"
    return len(pd.read_csv(p, encoding="utf-8-sig")) if p.exists() else None


# ----------------------------------------------------------------------------- cases
def multi_sheet_results(tmp):
    df = results_frame()
    p = tmp / "results_2sheets.xlsx"
    write_xlsx(p, {"上半年": df.iloc[:300], "下半年": df.iloc[300:1500]})
    out = tmp / "o_ms"
    r = run("water", "classify", p, "--out", out, "--lang", "en")
    return outcome(*r, needle=["sheet"]), f"samples used {samples_used(out)} of 1500"


def multi_sheet_projects(tmp):
    pr = load_layer("projects", layers_dir() / "projects_demo.gpkg")
    df = pd.DataFrame(pr.drop(columns="geometry"))
    pts = pr.geometry.representative_point()
    df["lon"], df["lat"] = pts.x, pts.y
    p = tmp / "projects_2sheets.xlsx"
    write_xlsx(p, {"一批": df.iloc[:3], "二批": df.iloc[3:]})
    out = tmp / "o_mp"
    r = run("zoning", "check", p, "--out", out, "--lang", "en")
    f = out / "projects.csv"
    n = len(pd.read_csv(f, encoding="utf-8-sig")) if f.exists() else None
    return outcome(*r, needle=["sheet"]), f"projects checked {n} of {len(df)}"


def emission_layer(tmp, name, **changes):
    ep = load_layer("emission_points")
    for col, (i, v) in changes.items():
        ep[col] = ep[col].astype(object)
        ep.loc[i, col] = v
    p = tmp / f"{name}.gpkg"
    ep.to_file(p)
    return p


def negative_load(tmp):
    p = emission_layer(tmp, "ep_neg", nox_t=(0, -1e6))
    return outcome(*run("layers", "validate", p, "--as", "emission_points", "--lang", "en")), ""


def infinite_load(tmp):
    ep = load_layer("emission_points")
    df = pd.DataFrame(ep.drop(columns="geometry")).astype(str)
    df["lon"], df["lat"] = ep.geometry.x, ep.geometry.y
    df.loc[0, "vocs_t"] = "inf"
    p = tmp / "ep_inf.csv"
    df.to_csv(p, index=False)
    return outcome(*run("layers", "validate", p, "--as", "emission_points", "--lang", "en")), ""


def negative_project(tmp):
    pr = load_layer("projects", layers_dir() / "projects_demo.gpkg")
    pr.loc[0, "vocs_t"] = -1000
    p = tmp / "pr_neg.gpkg"
    pr.to_file(p)
    return outcome(*run("layers", "validate", p, "--as", "projects", "--lang", "en")), ""


def absurd_concentration(tmp, col):
    df = results_frame()
    df.loc[5, col] = "1e9"
    p = tmp / f"absurd_{col[:2]}.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    return outcome(*run("water", "classify", p, "--out", tmp / "o_abs", "--lang", "en")), ""


def target_nan(tmp):
    return outcome(*run("solar", "potential", small_buildings(tmp), "--target-mw", "nan",
                        "--out", tmp / "o_nan", "--lang", "en")), ""


def duplicates(tmp):
    df = results_frame()
    df = pd.concat([df, df.iloc[:10]], ignore_index=True)
    p = tmp / "dups.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    out = tmp / "o_dup"
    r = run("water", "classify", p, "--out", out, "--lang", "en")
    return outcome(*r, needle=["duplicate"]), f"samples {samples_used(out)} (1500 distinct)"


def lying_cpg(tmp, data_enc, cpg):
    gdf = load_layer("red_line").assign(name="海宁市生态保护红线钱塘江段")
    d = tmp / f"cpg_{data_enc}"
    d.mkdir(exist_ok=True)
    p = d / "zones.shp"
    pyogrio.write_dataframe(gdf, p, encoding=data_enc)
    (d / "zones.cpg").write_text(cpg)
    r = run("layers", "validate", p, "--as", "red_line", "--lang", "en")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            name = str(load_layer("red_line", p)["name"].iloc[0])
    except Exception as exc:  # noqa: BLE001 - the harness reports every failure
        name = type(exc).__name__
    return outcome(*r, needle=["encod", "decod"]), f"name read: {name}"


def moved_sections(tmp, label, fn, crs="EPSG:4490"):
    s = load_layer("sections")
    s = s.set_geometry(shapely.transform(s.geometry.values, fn), crs=crs)
    p = tmp / f"sec_{label}.gpkg"
    s.to_file(p)
    return outcome(*run("layers", "validate", p, "--as", "sections", "--lang", "en"),
                   needle=["area of interest", "outside"]), ""


def utm_as_4549(tmp):
    s = load_layer("sections").to_crs("EPSG:32651")
    s = s.set_crs("EPSG:4549", allow_override=True)
    p = tmp / "sec_utm.gpkg"
    s.to_file(p)
    return outcome(*run("layers", "validate", p, "--as", "sections", "--lang", "en"),
                   needle=["area of interest", "outside"]), ""


def small_buildings(tmp, shift=(0.0, 0.0), towns=None):
    b = load_layer("buildings").iloc[:300].copy()
    if towns:
        b["town"] = b["town"].astype(object)
        for i, t in enumerate(towns):
            b.loc[b.index[i * 20:(i + 1) * 20], "town"] = t
    b = b.set_geometry(b.geometry.translate(*shift), crs=b.crs)
    p = tmp / f"b_{shift[0]:.0f}_{len(towns or ())}.gpkg"
    b.to_file(p)
    return p


def far_buildings(tmp):
    p = small_buildings(tmp, shift=(-7.5, 0.0))  # ~700 km west
    out = tmp / "o_far"
    r = run("solar", "potential", p, "--out", out, "--lang", "en")
    f = out / "solar_towns.csv"
    towns = list(pd.read_csv(f, encoding="utf-8-sig").iloc[:, 0]) if f.exists() else None
    return outcome(*r, needle=["area of interest", "outside"]), f"towns: {towns}"


def far_weather(tmp):
    if not EPW.exists():
        return "skipped (no shared EPW)", ""
    lines = EPW.read_text(encoding="latin-1").splitlines(True)
    head = lines[0].split(",")
    head[6], head[7] = "39.93", "116.28"  # Beijing, ~1,100 km from Haining
    lines[0] = ",".join(head)
    p = tmp / "beijing.epw"
    p.write_text("".join(lines), encoding="latin-1")
    r = run("solar", "potential", small_buildings(tmp), "--weather", p, "--out", tmp / "o_w",
            "--lang", "en")
    return outcome(*r, needle=["km from"]), ""


def town_variants(tmp):
    p = small_buildings(tmp, towns=["Xiashi", "硖石", "峡石街道"])
    out = tmp / "o_towns"
    r = run("solar", "potential", p, "--out", out, "--lang", "en")
    f = out / "solar_towns.csv"
    towns = list(pd.read_csv(f, encoding="utf-8-sig").iloc[:, 0]) if f.exists() else None
    return outcome(*r, needle=["town"]), f"town rows: {towns}"


def config_case(tmp, text, encoding="utf-8"):
    p = tmp / f"cfg_{abs(hash(text)) % 10**6}.yaml"
    p.write_bytes(text.encode(encoding))
    out = tmp / f"o_{p.stem}"
    r = run("run", p, "--out", out, "--only", "solar", "--lang", "en")
    summary = out / "run_summary.json"
    if r[0] != 0 and r[2] is None and summary.exists():  # the run started: what did the step say?
        failed = [s for s in json.loads(summary.read_text())["steps"] if s["status"] == "failed"]
        if failed:
            return f"step failed: {failed[0]['message'][:120]}", ""
    return outcome(*r), ""


def bad_crs(tmp, crs):
    s = load_layer("sections")
    df = pd.DataFrame(s.drop(columns="geometry"))
    df["x"], df["y"] = s.to_crs(4549).geometry.x, s.to_crs(4549).geometry.y
    p = tmp / "sec_xy.csv"
    df.to_csv(p, index=False)
    return outcome(*run("layers", "validate", p, "--as", "sections", "--assume-crs", crs,
                        "--lang", "en")), ""


def lab_table(tmp):
    """A lab's own table: sections not in any layer, 水体类型, ---, pH*, cut headers, 发布日期."""
    df = results_frame().iloc[:120].copy()
    df["断面编号"] = "LAB-" + df["断面编号"]
    df["断面名称"] = "实验室" + df["断面名称"]
    df = df.rename(columns={"采样日期": "发布日期", "pH值": "pH*", "高锰酸盐指数(mg/L)": "高锰酸盐指",
                            "五日生化需氧量(mg/L)": "五日生化需量"})
    df.insert(2, "水体类型", "河流")
    df.loc[3, "氨氮(mg/L)"] = "---"
    p = tmp / "lab.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    out = tmp / "o_lab"
    r = run("water", "classify", p, "--out", out, "--lang", "en")
    return outcome(*r, needle=["loosely", "header"]), f"samples classified {samples_used(out)} of 120"


def datav_array(tmp):
    b = load_layer("boundary")
    feats = json.loads(b.to_json())["features"]
    for f in feats:
        f["properties"] = {"adcode": 330481, "name": "海宁市", "level": "district"}
    p = tmp / "datav_330481.json"
    p.write_text(json.dumps(feats, ensure_ascii=False), encoding="utf-8")
    return outcome(*run("layers", "validate", p, "--as", "boundary", "--lang", "en")), ""


def zhejiang_as_boundary(tmp):
    cells = [shapely.box(x, y, x + 0.55, y + 0.45) for x in np.arange(118.0, 123.0, 0.55)
             for y in np.arange(27.0, 31.2, 0.45)][:90]
    gdf = gpd.GeoDataFrame({"code": [f"33{i:04d}" for i in range(90)],
                            "name": [f"县{i}" for i in range(90)]}, geometry=cells, crs="EPSG:4326")
    p = tmp / "zhejiang.geojson"
    gdf.to_file(p)
    return outcome(*run("layers", "validate", p, "--as", "boundary", "--lang", "en")), ""


CASES = [
    ("multi-sheet workbook", "water results, 2 sheets (300 + 1,200 rows)", multi_sheet_results),
    ("multi-sheet workbook", "projects, 2 sheets (3 + 19)", multi_sheet_projects),
    ("range rules", "emission point nox_t = -1e6 t", negative_load),
    ("range rules", "emission point vocs_t = inf (CSV)", infinite_load),
    ("range rules", "project vocs_t = -1000", negative_project),
    ("range rules", "NH3-N 1e9 mg/L", lambda t: absurd_concentration(t, "氨氮(mg/L)")),
    ("range rules", "DO 1e9 mg/L", lambda t: absurd_concentration(t, "溶解氧(mg/L)")),
    ("range rules", "--target-mw nan", target_nan),
    ("duplicate samples", "10 exact duplicate rows", duplicates),
    ("lying .cpg", "UTF-8 data, .cpg GBK", lambda t: lying_cpg(t, "UTF-8", "GBK")),
    ("lying .cpg", "GBK data, .cpg ISO-8859-1", lambda t: lying_cpg(t, "GBK", "ISO-8859-1")),
    ("area of interest", "sections in Beijing",
     lambda t: moved_sections(t, "bj", lambda c: c + np.array([116.40 - 120.6, 39.90 - 30.45]))),
    ("area of interest", "sections at (0, 0)", lambda t: moved_sections(t, "00", lambda c: c * 0 + 1e-4)),
    ("area of interest", "sections in the southern hemisphere",
     lambda t: moved_sections(t, "south", lambda c: c * np.array([1.0, -1.0]))),
    ("area of interest", "UTM-51N metres declared EPSG:4549", utm_as_4549),
    ("area of interest", "buildings 700 km west", far_buildings),
    ("area of interest", "weather file ~1,100 km away", far_weather),
    ("town names", "buildings town Xiashi / 硖石 / 峡石街道", town_variants),
    ("config", "analyses: 42", lambda t: config_case(t, "analyses: 42\n")),
    ("config", "layers: as a list", lambda t: config_case(t, "layers:\n  - towns.gpkg\n")),
    ("config", "GBK-encoded config", lambda t: config_case(t, "# 配置\nlang: zh\n", "gbk")),
    ("config", "installed_mw: \"lots\"",
     lambda t: config_case(t, "options:\n  solar: {installed_mw: lots}\n")),
    ("CRS strings", "--assume-crs EPSG:999999", lambda t: bad_crs(t, "EPSG:999999")),
    ("CRS strings", "--assume-crs garbage", lambda t: bad_crs(t, "not a crs")),
    ("lab table", "no sections layer, 水体类型, ---, pH*, cut headers, 发布日期", lab_table),
    ("DataV / boundary", "bare JSON array of features", datav_array),
    ("DataV / boundary", "90-county Zhejiang as boundary", zhejiang_as_boundary),
]


def main_(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=None, help="Keep the inputs and outputs in this folder.")
    ap.add_argument("--only", default=None, help="Run the cases whose class contains this text.")
    args = ap.parse_args(argv)
    tmp = Path(args.out or tempfile.mkdtemp(prefix="hn_geo_hostile_"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        for cls, case, fn in CASES:
            if args.only and args.only not in cls:
                continue
            try:
                what, shown = fn(tmp)
            except Exception as exc:  # noqa: BLE001 - the harness itself must go on
                what, shown = f"harness failed ({type(exc).__name__}: {exc})", ""
            print(f"{cls} | {case} | {what} | {shown}", flush=True)
    finally:
        if args.out is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main_()
