"""Print the package layout: one line per module with the first line of its docstring.

    python scripts/layout.py            # the tree README.md shows under "Layout"
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _first_line(path):
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    line = doc.strip().splitlines()[0] if doc.strip() else ""
    return line.rstrip(".")


def tree(pkg=ROOT / "hn_geo", depth=0):
    lines = []
    for p in sorted(pkg.iterdir(), key=lambda q: (q.is_file(), q.name)):
        if p.name.startswith(("_", ".")) and p.name != "__init__.py" or p.name == "__pycache__":
            continue
        if p.is_dir() and (p / "__init__.py").exists():
            lines.append(f"{'  ' * depth}{p.name}/  {_first_line(p / '__init__.py')}")
            lines += tree(p, depth + 1)
        elif p.suffix == ".py" and p.name != "__init__.py":
            lines.append(f"{'  ' * depth}{p.name:<{max(1, 24 - 2 * depth)}} {_first_line(p)}")
    return lines


if __name__ == "__main__":
    print("hn_geo/")
    print("\n".join("  " + line for line in tree()))
