"""Shared, generic fixtures. Keep this file small: module-specific helpers go in the test module."""
from __future__ import annotations

import pytest

# tiny_layer: small valid layers; HAINING_LON/LAT: a point inside Haining (CGCS2000 lon/lat)
from layer_factory import HAINING_LAT, HAINING_LON, tiny_layer  # noqa: F401 (re-exported)


@pytest.fixture
def tmp_layers_dir(tmp_path, monkeypatch):
    """An empty folder used as the embedded-layers folder (``HN_GEO_LAYERS``) for one test.

    Put files in it with e.g. ``hn_geo.io.write_gpkg(tiny_layer('towns'), d / 'towns.gpkg')``.
    """
    d = tmp_path / "layers"
    d.mkdir()
    monkeypatch.setenv("HN_GEO_LAYERS", str(d))
    return d


@pytest.fixture(autouse=True)
def english_messages():
    """Warnings and errors print in English inside tests (``str(warning)`` follows
    ``hn_geo.core.settings.lang``); a CLI command's ``--lang`` sets it for that command."""
    from hn_geo.core import settings

    settings.lang = "en"
    yield
    settings.lang = "en"


def pytest_collection_modifyitems(config, items):
    """Mark tests by what they need: a headless browser (the ``browser`` fixture) or the
    notebooks, so that ``-m "not slow and not browser and not notebooks"`` is the fast subset."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "browser" in names:
            item.add_marker(pytest.mark.browser)
        if item.module.__name__.endswith("test_notebooks"):
            item.add_marker(pytest.mark.notebooks)
