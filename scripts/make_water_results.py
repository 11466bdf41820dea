"""Generate the embedded demo monitoring results: layers/water_results.csv (SYNTHETIC).

Monthly samples 2021-2025 for every section of the embedded ``sections`` layer, in the wide
form of Chinese monitoring exports (one row per section and sampling date, Chinese headers with
units, below-detection values as ``0.01L`` or ``<0.004``). The numbers are drawn from seeded
log-normal distributions around typical Hangjiahu plain-river levels (class II-IV), with seasonal
cycles, a slow improvement over the years (TN/TP on the sea-entry rivers 长山河, 上塘河,
盐官下河 falling by a few per cent a year) and a few sections given roles so that
``hn-geo water classify`` shows every outcome: a 省控 section and a 交接 section that miss
their target in the latest year, a badly polluted 市控 section (劣V early on) and a clean
upstream inflow section (some class I samples). They are NOT measurements.

Usage: python scripts/make_water_results.py [--seed 20210101] [--out layers/water_results.csv]
The script checks the coverage it promises by classifying its own output and stops otherwise.
"""
from __future__ import annotations

import argparse
import io
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hn_geo import water  # noqa: E402
from hn_geo.core.files import write_bytes  # noqa: E402
from hn_geo.ground.catalog import load_layer  # noqa: E402
from hn_geo.ground.water_results import prepare_results  # noqa: E402

YEARS = range(2021, 2026)
SEED = 20210101
SEA_ENTRY = water.SEA_ENTRY_RIVERS

# column header, decimals; order as in a typical export
HEADERS = {
    "wt": ("水温(℃)", 1), "ph": ("pH值", 2), "do": ("溶解氧(mg/L)", 1), "codmn": ("高锰酸盐指数(mg/L)", 1),
    "cod": ("化学需氧量(mg/L)", 0), "bod5": ("五日生化需氧量(mg/L)", 1), "nh3n": ("氨氮(mg/L)", 3),
    "tp": ("总磷(mg/L)", 3), "tn": ("总氮(mg/L)", 2), "cu": ("铜(mg/L)", 4), "zn": ("锌(mg/L)", 3),
    "f": ("氟化物(mg/L)", 2), "se": ("硒(mg/L)", 4), "as": ("砷(mg/L)", 4), "hg": ("汞(mg/L)", 5),
    "cd": ("镉(mg/L)", 4), "cr6": ("六价铬(mg/L)", 3), "pb": ("铅(mg/L)", 4), "cn": ("氰化物(mg/L)", 3),
    "phenol": ("挥发酚(mg/L)", 4), "oil": ("石油类(mg/L)", 2), "las": ("阴离子表面活性剂(mg/L)", 2),
    "sulfide": ("硫化物(mg/L)", 3), "fcoli": ("粪大肠菌群(个/L)", 0),
}
# typical method detection limits (mg/L) used for the "L" values of the demo
DL = {"nh3n": 0.025, "tp": 0.01, "cu": 0.001, "zn": 0.05, "se": 0.0004, "as": 0.0003, "hg": 0.00004,
      "cd": 0.0001, "cr6": 0.004, "pb": 0.001, "cn": 0.004, "phenol": 0.0003, "oil": 0.01,
      "las": 0.05, "sulfide": 0.005}
# median level of the trace items (mg/L) and log-sd; many fall below the detection limit
TRACE = {"cu": (0.002, 0.6), "zn": (0.03, 0.6), "f": (0.45, 0.25), "se": (0.0003, 0.5),
         "as": (0.0012, 0.5), "hg": (0.00002, 0.6), "cd": (0.00008, 0.6), "cr6": (0.003, 0.5),
         "pb": (0.0012, 0.6), "cn": (0.002, 0.6), "phenol": (0.0005, 0.6), "oil": (0.015, 0.6),
         "las": (0.05, 0.5), "sulfide": (0.006, 0.6)}


def roles(sections):
    """Pick the sections that play a role, by rule (works for any sections layer)."""
    s = sections.sort_values("section_id")
    prov = s[s["section_type"] == "provincial"]
    hand = s[s["section_type"] == "handover"]
    city = s[s["section_type"] == "municipal"]
    out = {}

    def first(df, prefer=None):
        if prefer is not None and (df["river"] == prefer).any():
            return df[df["river"] == prefer]["section_id"].iloc[0]
        return df["section_id"].iloc[0] if len(df) else None

    out["clean"] = first(hand)
    out["fail_prov"] = first(prov, "上塘河")
    rest = hand[hand["section_id"] != out["clean"]]
    out["fail_hand"] = first(rest, "洛塘河") if len(rest) else None
    weak = city[city["water_body"] == "river"]
    iv = weak[weak["target_class"].astype(str) == "IV"]
    out["worst"] = (iv if len(iv) else weak)["section_id"].iloc[-1] if len(weak) else None
    return {k: v for k, v in out.items() if v is not None}


def generate(sections, seed=SEED):
    rng = np.random.default_rng(seed)
    role = {v: k for k, v in roles(sections).items()}
    rows = []
    for sec in sections.sort_values("section_id").itertuples():
        r = role.get(sec.section_id, "")
        lake = sec.water_body == "lake"
        sea = sec.river in SEA_ENTRY
        # section pollution factor: ~0.75-1.05 for ordinary sections (class II-III), by role otherwise
        f = {"clean": 0.42, "fail_prov": 1.0, "fail_hand": 1.05, "worst": 1.3}.get(r, rng.uniform(0.72, 1.02))
        if str(sec.target_class).upper().startswith("IV") and not r:
            f = rng.uniform(1.15, 1.3)
        lab_lt = rng.random() < 0.3  # this lab writes "<DL" instead of "DLL"
        for year in YEARS:
            k = year - YEARS.start
            improve = 0.97 ** k
            for month in range(1, 13):
                day = int(rng.integers(4, 16))
                season = np.cos(2 * np.pi * (month - 7.5) / 12)  # +1 mid-summer, -1 mid-winter
                ln = lambda med, sd=0.18: float(med * np.exp(rng.normal(0, sd)))  # noqa: E731
                v = {}
                v["wt"] = 18.5 + 11.5 * season + rng.normal(0, 1.2)
                v["ph"] = float(np.clip(rng.normal(7.55, 0.22), 6.6, 8.6))
                v["do"] = max(0.8, 7.6 - 1.9 * season - 2.8 * (f - 0.8) + rng.normal(0, 0.45))
                v["codmn"] = ln(4.6 * f * improve * (1 + 0.12 * season))
                v["cod"] = ln(3.4 * v["codmn"], 0.12)
                v["bod5"] = ln(0.62 * v["codmn"], 0.15)
                v["nh3n"] = ln(0.55 * f ** 1.6 * improve * (1 - 0.3 * season), 0.3)
                v["tp"] = ln(0.15 * f * improve * (1 + 0.15 * season), 0.22)
                v["tn"] = ln(2.7 * f ** 0.5 * improve * (1 - 0.12 * season), 0.15)
                if sea:  # plan: TN/TP concentration control on the sea-entry rivers
                    v["tn"] *= 0.95 ** k
                    v["tp"] *= 0.94 ** k
                if lake:  # lake/reservoir: lower TP, TN against lake limits, summer pH up
                    v["tp"] = ln(0.036 * improve * (1 + 0.3 * season), 0.2)
                    v["tn"] = ln(1.25 * improve, 0.15)
                    v["ph"] = float(np.clip(v["ph"] + 0.6 * max(season, 0), 6.6, 9.3))
                if r == "clean":
                    v["tp"] = ln(0.04 * (1 + 0.4 * season), 0.35)
                    v["nh3n"] = ln(0.16 * (1 - 0.3 * season), 0.3)
                    v["do"] = max(v["do"], 6.0 + rng.normal(0, 0.4)) + 1.2 * max(-season, 0)
                elif r == "fail_prov" and year in (2021, 2025):  # NH3-N: class IV these years
                    v["nh3n"] = ln(1.25 * (1 - 0.25 * season), 0.12)
                elif r == "fail_hand":  # TP stays above class III
                    v["tp"] = ln(0.26 * (0.97 ** k) * (1 + 0.1 * season), 0.12)
                elif r == "worst":  # 劣V early, improving to V/IV
                    v["nh3n"] = ln(3.1 * 0.78 ** k * (1 - 0.2 * season), 0.15)
                    v["do"] = max(1.0, v["do"] - 1.2)
                for c, (med, sd) in TRACE.items():
                    v[c] = ln(med, sd)
                v["fcoli"] = ln(2500 * f * (1 + 0.5 * season), 0.6)
                rows.append(_format_row(sec, year, month, day, v, lab_lt))
    return pd.DataFrame(rows)


def _format_row(sec, year, month, day, v, lab_lt):
    row = {"断面编号": sec.section_id, "断面名称": sec.name, "采样日期": f"{year}-{month:02d}-{day:02d}"}
    for code, (head, dec) in HEADERS.items():
        x = v[code]
        dl = DL.get(code)
        if dl is not None and x < dl:
            d = np.format_float_positional(dl, trim="-")
            txt = f"<{d}" if lab_lt else f"{d}L"
        else:
            txt = f"{x:.{dec}f}" if dec else f"{round(x):d}"
        row[head] = txt
    return row


def check(df, sections):
    """Classify the generated table and check the promised coverage."""
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        samples = prepare_results(pd.read_csv(io.StringIO(buf.getvalue()), dtype=str))
        res = water.assess(samples, sections)
    smp, annual = res.tables["water_samples"], res.tables["water_sections"]
    latest = annual[annual["year"] == annual["year"].max()]
    problems = []
    missing = {"I", "II", "III", "IV", "V", "inferior_V"} - set(smp["water_class"])
    if missing:
        problems.append(f"sample classes never reached: {missing}")
    for kind in ("provincial", "handover"):
        lt = latest[latest["section_type"] == kind]
        if lt["target_met"].all() or not lt["target_met"].any():
            problems.append(f"latest year: {kind} sections should include met and not met")
    if "inferior_V" not in set(annual["water_class"]):
        problems.append("no section-year is 劣V")
    trend = res.tables["water_trend"]
    if set(trend["river"]) != set(SEA_ENTRY) & set(sections["river"]):
        problems.append("trend table lacks a sea-entry river")
    return problems, res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path, default=REPO / "layers" / "water_results.csv")
    args = ap.parse_args(argv)
    sections = load_layer("sections")
    df = generate(sections, args.seed)
    problems, res = check(df, sections)
    if problems:
        raise SystemExit("coverage check failed: " + "; ".join(problems))
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    write_bytes(buf.getvalue().encode("utf-8-sig"), args.out)
    size = args.out.stat().st_size
    print(f"{args.out}: {len(df)} rows, {len(sections)} sections, years {YEARS.start}-{YEARS.stop - 1}, "
          f"{size / 1024:.0f} KiB")
    for fig in res.figures:
        print(f"  {fig.code} ({fig.period}): {fig.value}")


if __name__ == "__main__":
    main()
