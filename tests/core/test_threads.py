"""Element-wise geometry functions over the cores (issue 17)."""
from __future__ import annotations

import numpy as np
import shapely

from hn_geo.core import threads


def test_chunks_in_threads_give_the_plain_result(monkeypatch):
    rng = np.random.default_rng(0)
    n = 2 * threads.MIN_CHUNK + 7
    boxes = shapely.box(*(rng.random((4, n)) * [[1], [1], [2], [2]]))  # some boxes inverted
    bow = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])  # a bow-tie: invalid
    geoms = np.concatenate([boxes, [bow, None]])
    monkeypatch.setattr(threads, "workers", lambda: 2)
    seen = []
    real = shapely.is_valid

    def spy(values):
        seen.append(len(values))
        return real(values)

    got = threads.elementwise(spy, geoms)
    assert len(seen) == 2 and sum(seen) == len(geoms)  # two chunks, every element once
    assert np.array_equal(got, real(geoms)) and not got[-2] and not got[-1]
    env = threads.elementwise(shapely.oriented_envelope, geoms)
    assert shapely.equals(env[:-1], shapely.oriented_envelope(geoms[:-1])).all() and env[-1] is None


def test_small_arrays_and_one_core_take_the_plain_call(monkeypatch):
    calls = []
    monkeypatch.setattr(threads, "workers", lambda: 2)
    threads.elementwise(lambda v: calls.append(len(v)) or np.zeros(len(v), bool), np.arange(10))
    monkeypatch.setattr(threads, "workers", lambda: 1)
    threads.elementwise(lambda v: calls.append(len(v)) or np.zeros(len(v), bool), np.arange(10 ** 6))
    assert calls == [10, 10 ** 6]
