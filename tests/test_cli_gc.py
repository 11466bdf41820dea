"""An `hn-geo` process collects garbage rarely enough for million-feature layers."""
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
