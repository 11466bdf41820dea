"""Print the README's "expected columns" table from the catalog schemas (Markdown).

    python scripts/readme_columns.py            # print the table
    python scripts/readme_columns.py --check    # exit 1 if README.md does not contain it
"""
from __future__ import annotations

import sys
from pathlib import Path

from hn_geo.ground import catalog

META = ("source", "approximate")


def _cols(fields):
    return ", ".join(f"`{f.name}`" + (f" ({f.unit})" if f.unit else "") for f in fields)


def table():
    lines = ["| layer | 名称 | geometry | required columns | optional columns |",
             "|---|---|---|---|---|"]
    for name, s in catalog.SCHEMAS.items():
        req = [f for f in s.fields if f.required]
        opt = [f for f in s.fields if not f.required and f.name not in META]
        lines.append(f"| `{name}` | {s.zh} | {'/'.join(s.geometry)} | {_cols(req)} | {_cols(opt)} |")
    return "\n".join(lines)


if __name__ == "__main__":
    text = table()
    if "--check" in sys.argv:
        readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
        sys.exit(0 if text in readme else 1)
    print(text)
