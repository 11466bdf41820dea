"""The small synthetic world of the zoning tests (EPSG:4549, metres): helpers shared by the
test modules and ``conftest.py``."""
from __future__ import annotations

import shapely

X0, Y0 = 560_000.0, 3_370_000.0  # a spot inside Haining, EPSG:4549


def square(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)
