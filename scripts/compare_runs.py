"""Compare the tables and layers of two output folders, value by value.

    python scripts/compare_runs.py OLD_DIR NEW_DIR [--only water,solar] [--show 5]

For every CSV file and every GeoPackage layer under OLD_DIR, the file of the same relative
path under NEW_DIR is read and compared: columns (added, removed), rows, and every cell --
numbers equal to 1e-9 relative (CSV float formatting may differ), text exactly. Prints one
line per file and the first differing cells; exits 1 when anything differs. Used to show
that a restructuring changed no value of ``hn-geo run`` on the embedded data (the closing
note of each such change lists the intended differences).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio


def _frame_csv(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _frame_gpkg(path, layer):
    df = pyogrio.read_dataframe(path, layer=layer, read_geometry=True)
    df["geometry_wkb_len"] = df.geometry.apply(lambda g: 0 if g is None else len(g.wkb))
    return pd.DataFrame(df.drop(columns="geometry")).astype(str)


def _num(s):
    return pd.to_numeric(s.str.replace(",", "", regex=False), errors="coerce")


def compare_frames(old, new, show=5):
    """List of difference strings between two text frames (same column names compared)."""
    diffs = []
    removed = [c for c in old.columns if c not in new.columns]
    added = [c for c in new.columns if c not in old.columns]
    if removed:
        diffs.append(f"columns removed: {removed}")
    if added:
        diffs.append(f"columns added: {added}")
    if len(old) != len(new):
        diffs.append(f"rows {len(old)} -> {len(new)}")
        return diffs
    for col in [c for c in old.columns if c in new.columns]:
        a, b = old[col].reset_index(drop=True), new[col].reset_index(drop=True)
        if a.equals(b):
            continue
        na, nb = _num(a), _num(b)
        both = na.notna() & nb.notna()
        same = (a == b) | (both & np.isclose(na.fillna(0), nb.fillna(0), rtol=1e-9, atol=1e-12))
        same |= (a.isin(["", "nan", "None"]) & b.isin(["", "nan", "None"]))
        bad = np.flatnonzero(~same.to_numpy())
        if bad.size:
            ex = "; ".join(f"row {i + 2}: {a[i]!r} -> {b[i]!r}" for i in bad[:show])
            diffs.append(f"column {col!r}: {bad.size} cell(s) differ ({ex})")
    return diffs


def compare_dirs(old_dir, new_dir, only=None, show=5):
    old_dir, new_dir = Path(old_dir), Path(new_dir)
    report, n_bad = [], 0
    for path in sorted(old_dir.rglob("*")):
        rel = path.relative_to(old_dir)
        if only and rel.parts[0] not in only:
            continue
        if path.suffix == ".csv":
            pairs = [(rel, None)]
        elif path.suffix == ".gpkg":
            pairs = [(rel, name) for name, _ in pyogrio.list_layers(path)]
        else:
            continue
        for rel_, layer in pairs:
            what = f"{rel_}" + (f" [{layer}]" if layer else "")
            other = new_dir / rel_
            if not other.exists():
                report.append(f"MISSING {what}")
                n_bad += 1
                continue
            try:
                if layer is None:
                    a, b = _frame_csv(path), _frame_csv(other)
                else:
                    a, b = _frame_gpkg(path, layer), _frame_gpkg(other, layer)
            except Exception as exc:  # noqa: BLE001 - report, keep comparing
                report.append(f"ERROR {what}: {type(exc).__name__}: {exc}")
                n_bad += 1
                continue
            diffs = compare_frames(a, b, show)
            if diffs:
                n_bad += 1
                report.append(f"DIFF {what}\n    " + "\n    ".join(diffs))
            else:
                report.append(f"same {what}")
    return report, n_bad


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--only", default=None, help="comma-separated top-level folders (water,solar,...)")
    ap.add_argument("--show", type=int, default=5, help="differing cells shown per column")
    args = ap.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    report, n_bad = compare_dirs(args.old, args.new, only, args.show)
    print("\n".join(report))
    print(f"{n_bad} file(s)/layer(s) differ")
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main())
