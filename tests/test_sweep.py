import multiprocessing
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
import torch

from hopfield_lab import sweep as sw
from hopfield_lab.dynamics import simulate

CALLS = []


def counted(n, alpha, seed=0):
    """A cheap stand-in that records every real call."""
    CALLS.append((n, alpha, seed))
    return {"n": n, "alpha": alpha, "seed": seed, "value": n * alpha + seed}


def same_run(a, b):
    return (torch.equal(a.overlaps, b.overlaps) and torch.equal(a.converged, b.converged)
            and torch.equal(a.two_cycle, b.two_cycle) and a.steps_run == b.steps_run)


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


def test_a_change_in_the_package_code_gives_new_keys(tmp_path, monkeypatch):
    package = tmp_path / "hopfield_lab"
    shutil.copytree(sw.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(sw, "PACKAGE", package)  # hash this copy of the package's code
    CALLS.clear()
    points = sw.grid(n=[10], alpha=[0.1, 0.2])
    before = [sw.cache_key(counted, p, 0) for p in points]
    sw.sweep(counted, points, cache=tmp_path / "cache", progress=False)
    sw.sweep(counted, points, cache=tmp_path / "cache", progress=False)
    assert len(CALLS) == 2
    rules = package / "rules.py"
    rules.write_text(rules.read_text() + "\n# a changed engine\n")
    assert all(sw.cache_key(counted, p, 0) != key for p, key in zip(points, before))
    sw.sweep(counted, points, cache=tmp_path / "cache", progress=False)
    assert len(CALLS) == 4  # the old results are not served


def test_a_change_in_a_notebook_function_gives_new_keys(tmp_path):
    def define(body):  # a function as a notebook cell defines it: no file behind it
        space = {}
        exec(compile(f"def measure(n, seed=0):\n    return {body}\n", "<cell>", "exec"), space)
        return space["measure"]

    first, second = define("n + 1"), define("n + 2")
    assert sw.cache_key(first, {"n": 1}, 0) != sw.cache_key(second, {"n": 1}, 0)
    assert sw.sweep(first, [{"n": 1}], cache=tmp_path, progress=False) == [2]
    assert sw.sweep(second, [{"n": 1}], cache=tmp_path, progress=False) == [3]  # not the cached 2


def test_no_cache_always_recomputes(tmp_path):
    CALLS.clear()
    sw.sweep(counted, [{"n": 1, "alpha": 0.5}], cache=None, progress=False)
    sw.sweep(counted, [{"n": 1, "alpha": 0.5}], cache=None, progress=False)
    assert len(CALLS) == 2


def test_the_cache_keeps_what_figures_need_and_stays_small(tmp_path):
    points = [dict(n=400, alpha=a, m0=0.8, steps=50) for a in (0.1, 0.2)]
    fresh = sw.sweep(simulate, points, seed=1, cache=tmp_path, progress=False)
    cached = sw.sweep(simulate, points, seed=1, cache=tmp_path, progress=False)
    full = [simulate(**p, seed=1) for p in points]
    for a, b, c in zip(fresh, cached, full):
        assert same_run(a, c) and same_run(b, c)  # every record the figures use
        assert a.final_state.shape == b.final_state.shape == (400, 0)  # the states are not kept
        assert a.mean_final_overlap == c.mean_final_overlap and a.fraction_two_cycle == c.fraction_two_cycle
    full_bytes = sum(r.final_state.numel() + r.overlaps.numel() * 8 for r in full)
    assert sw.cache_size(tmp_path) < full_bytes / 10, (sw.cache_size(tmp_path), full_bytes)
    whole = sw.sweep(simulate, points, seed=1, cache=tmp_path, progress=False, compact=False)
    assert torch.equal(whole[0].final_state, full[0].final_state)


def test_executors_give_identical_results(tmp_path):
    points = sw.grid(n=[200, 300], alpha=[0.1, 0.15])
    kw = dict(m0=0.8, steps=20)
    points = [{**p, **kw} for p in points]
    serial = sw.sweep(simulate, points, seed=3, cache=None, progress=False, compact=False)
    with ThreadPoolExecutor(2) as pool:
        threaded = sw.sweep(simulate, points, seed=3, cache=None, executor=pool, progress=False)
    # spawn, not fork: a forked child of a process whose torch thread pool is running can deadlock
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        processed = sw.sweep(simulate, points, seed=3, cache=tmp_path, executor=pool, progress=False, compact=False)
    for a, b, c in zip(serial, threaded, processed):
        assert same_run(a, b) and same_run(a, c)
        assert torch.equal(a.final_state, c.final_state)
    cached = sw.sweep(simulate, points, seed=3, cache=tmp_path, progress=False, compact=False)
    assert all(same_run(a, d) for a, d in zip(serial, cached))


def test_a_sweep_on_a_dask_cluster_gives_the_serial_results(tmp_path):
    pytest.importorskip("dask.distributed", reason="Dask is not installed (pip install 'dask[distributed]')")
    from dask.distributed import Client, LocalCluster

    points = [dict(n=n, alpha=a, m0=0.8, steps=20) for n in (200, 300) for a in (0.1, 0.15)]
    serial = sw.sweep(simulate, points, seed=5, cache=None, progress=False)
    start = time.perf_counter()
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        distributed = sw.sweep(simulate, points, seed=5, cache=tmp_path, executor=client.get_executor(), progress=False)
        workers = set(client.run(lambda: __import__("os").getpid()).values())
    assert len(workers) == 2  # two worker processes, not threads of this one
    assert all(same_run(a, b) for a, b in zip(serial, distributed))
    cached = sw.sweep(simulate, points, seed=5, cache=tmp_path, progress=False)  # the cluster's results were cached
    assert all(same_run(a, b) for a, b in zip(serial, cached))
    assert time.perf_counter() - start < 60


def test_the_progress_line_ends_as_a_record_of_what_ran():
    line = sw._Progress(total=12, cached=4, desc="Figs. 3-4", enabled=False)
    assert line.text().startswith("Figs. 3-4: 4/12 runs (4 from the cache)")
    for _ in range(8):
        line.advance()
    assert "about" not in line.text(final=True) and line.text(final=True).startswith("Figs. 3-4: 12 runs (4 from the cache) in ")
    sw.sweep(counted, [{"n": 1, "alpha": 0.5}], cache=None, progress=True)  # a bar on stderr outside a notebook
