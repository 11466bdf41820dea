"""The supply-curve chart's step line (hn_geo.render.plots): every building up to a few
thousand, an even sample (ends kept) beyond."""
import numpy as np

from hn_geo.render import plots


def test_small_curves_keep_every_step():
    cum, spec = np.array([1.0, 2.5, 4.0]), np.array([1100.0, 1050.0, 990.0])
    x, y = plots._steps(cum, spec)
    np.testing.assert_array_equal(x, [0.0, 1.0, 2.5, 4.0])
    np.testing.assert_array_equal(y, [1100.0, 1100.0, 1050.0, 990.0])


def test_large_curves_are_sampled_with_both_ends():
    n = 1_000_003
    cum = np.cumsum(np.full(n, 0.01))
    spec = np.linspace(1200.0, 800.0, n)
    x, y = plots._steps(cum, spec)
    assert len(x) <= plots.STEP_POINTS + 2
    assert x[0] == 0.0 and x[1] == cum[0] and x[-1] == cum[-1] and y[-1] == spec[-1]
    assert (np.diff(x) > 0).all() and (np.diff(y) <= 0).all()
    # no sampled vertex is off the full curve
    k = np.searchsorted(cum, x[1:])
    np.testing.assert_array_equal(spec[k], y[1:])
