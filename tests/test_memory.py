"""Garbage collection for million-feature layers (hn_geo.core.memory): the CLI and the large-frame builders."""
import gc

from click.testing import CliRunner

from hn_geo import cli


def test_cli_sets_gc_thresholds():
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        res = CliRunner().invoke(cli.main, ["layers", "--help"])
        assert res.exit_code == 0, res.output
        assert gc.get_threshold() == cli.GC_THRESHOLD
        assert cli.GC_THRESHOLD[0] >= 10_000
    finally:
        gc.set_threshold(*before)


def test_rare_collections_restores_and_keeps_higher_thresholds():
    from hn_geo.core.memory import GC_THRESHOLD, rare_collections

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with rare_collections():
            assert gc.get_threshold() == GC_THRESHOLD
        assert gc.get_threshold() == (700, 10, 10)
        gc.set_threshold(500_000, 10, 10)
        with rare_collections():
            assert gc.get_threshold() == (500_000, 10, 10)
        assert gc.get_threshold() == (500_000, 10, 10)
    finally:
        gc.set_threshold(*before)


def test_roof_planes_and_load_layer_run_with_rare_collections(monkeypatch):
    from hn_geo.ground import readers
    from hn_geo.ground.catalog import load_layer
    from hn_geo.solar import roofs

    seen = []
    read = readers.read_file
    monkeypatch.setattr(readers, "read_file", lambda *a, **k: (seen.append(gc.get_threshold()), read(*a, **k))[1])
    to_crs = roofs.to_crs_array
    monkeypatch.setattr(roofs, "to_crs_array", lambda *a: (seen.append(gc.get_threshold()), to_crs(*a))[1])
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        gdf = load_layer("buildings")
        assert seen == [cli.GC_THRESHOLD]
        assert gc.get_threshold() == (700, 10, 10)
        assert len(roofs.roof_planes(gdf.iloc[:50]).table) == 50
        assert seen == [cli.GC_THRESHOLD] * 2
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
