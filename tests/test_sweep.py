import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import torch

from hopfield_lab import sweep as sw
from hopfield_lab.dynamics import simulate

CALLS = []


def counted(n, alpha, seed=0):
    """A cheap stand-in that records every real call."""
    CALLS.append((n, alpha, seed))
    return {"n": n, "alpha": alpha, "seed": seed, "value": n * alpha + seed}


def test_grid_is_the_cartesian_product():
    assert sw.grid(n=[1, 2], alpha=[0.1]) == [{"n": 1, "alpha": 0.1}, {"n": 2, "alpha": 0.1}]


def test_cache_hits_and_misses(tmp_path, monkeypatch):
    CALLS.clear()
    points = sw.grid(n=[10, 20], alpha=[0.1, 0.2])
    first = sw.sweep(counted, points, cache=tmp_path, progress=False)
    assert len(CALLS) == 4
    again = sw.sweep(counted, points, cache=tmp_path, progress=False)
    assert again == first and len(CALLS) == 4  # all hits
    changed = sw.grid(n=[10, 30], alpha=[0.1, 0.2])
    sw.sweep(counted, changed, cache=tmp_path, progress=False)
    assert len(CALLS) == 6  # only the two new points ran
    sw.sweep(counted, points, seed=1, cache=tmp_path, progress=False)
    assert len(CALLS) == 10  # a new seed misses everywhere
    import hopfield_lab

    monkeypatch.setattr(hopfield_lab, "__version__", "999.0")
    sw.sweep(counted, points, cache=tmp_path, progress=False)
    assert len(CALLS) == 14  # a new package version misses everywhere


def test_no_cache_always_recomputes(tmp_path):
    CALLS.clear()
    sw.sweep(counted, [{"n": 1, "alpha": 0.5}], cache=None, progress=False)
    sw.sweep(counted, [{"n": 1, "alpha": 0.5}], cache=None, progress=False)
    assert len(CALLS) == 2


def test_executors_give_identical_results(tmp_path):
    points = sw.grid(n=[200, 300], alpha=[0.1, 0.15])
    kw = dict(m0=0.8, steps=20)
    points = [{**p, **kw} for p in points]
    serial = sw.sweep(simulate, points, seed=3, cache=None, progress=False)
    with ThreadPoolExecutor(2) as pool:
        threaded = sw.sweep(simulate, points, seed=3, cache=None, executor=pool, progress=False)
    # spawn, not fork: a forked child of a process whose torch thread pool is running can deadlock
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        processed = sw.sweep(simulate, points, seed=3, cache=tmp_path, executor=pool, progress=False)
    for a, b, c in zip(serial, threaded, processed):
        assert torch.equal(a.overlaps, b.overlaps) and torch.equal(a.overlaps, c.overlaps)
        assert torch.equal(a.final_state, c.final_state)
    cached = sw.sweep(simulate, points, seed=3, cache=tmp_path, progress=False)
    assert all(torch.equal(a.overlaps, d.overlaps) for a, d in zip(serial, cached))
