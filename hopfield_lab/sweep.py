"""Parameter sweeps with a progress bar, an on-disk cache, and optional fan-out.

``sweep(fn, grid)`` calls ``fn(**point, seed=seed)`` for every point of ``grid`` (a list
of dicts) and returns the results in grid order. Each result is stored on disk under a
key made of the function's name, the point's parameters, the seed and the package
version, so re-running a figure cell is instant and changing one parameter recomputes
only the points it touches.

A large sweep can fan out through any ``concurrent.futures.Executor``: a thread or process
pool on one machine, or a cluster through an existing engine, for example Dask::

    from dask.distributed import Client
    client = Client("scheduler-address:8786")
    results = sweep(simulate, grid, executor=client.get_executor())

or Ray (``ray.util.multiprocessing.Pool`` or a ``concurrent.futures``-style wrapper). The
function must then be importable by the workers (a module-level function such as
:func:`hopfield_lab.simulate`), and its results picklable. For a local process pool use
the "spawn" start method, ``ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn"))``:
a process forked while torch's thread pool is busy can deadlock.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from concurrent.futures import Executor, as_completed
from pathlib import Path
from typing import Any, Callable, Iterable

DEFAULT_CACHE = os.environ.get("HOPFIELD_LAB_CACHE", ".hopfield_cache")


def cache_key(fn: Callable, point: dict, seed: int, version: str | None = None) -> str:
    """A stable name for one result: hash of function, sorted parameters, seed and package version."""
    from . import __version__

    payload = json.dumps({"fn": f"{fn.__module__}.{fn.__qualname__}", "point": point, "seed": seed,
                          "version": version or __version__}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def sweep(fn: Callable[..., Any], grid: Iterable[dict], *, seed: int = 0, cache: str | Path | None = DEFAULT_CACHE,
          executor: Executor | None = None, progress: bool = True, desc: str | None = None) -> list:
    """Results of ``fn(**point, seed=seed)`` for every point in ``grid``, in order; cached on disk.

    ``cache=None`` disables the cache. With an ``executor`` the points not in the cache run
    through ``executor.submit``; results are identical to a serial run because every point
    carries its own seed.
    """
    from tqdm.auto import tqdm

    grid = [dict(point) for point in grid]
    folder = None if cache is None else Path(cache) / fn.__name__
    results: list = [None] * len(grid)
    todo = []
    for i, point in enumerate(grid):
        path = None if folder is None else folder / f"{cache_key(fn, point, seed)}.pkl"
        if path is not None and path.exists():
            with open(path, "rb") as fh:
                results[i] = pickle.load(fh)
        else:
            todo.append((i, point, path))

    bar = tqdm(total=len(grid), initial=len(grid) - len(todo), desc=desc or fn.__name__, disable=not progress)

    def store(i, path, value):
        results[i] = value
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            with open(tmp, "wb") as fh:
                pickle.dump(value, fh)
            tmp.replace(path)  # atomic: a half-written file is never read as a result
        bar.update(1)

    if executor is None:
        for i, point, path in todo:
            store(i, path, fn(**point, seed=seed))
    else:
        futures = {executor.submit(fn, **point, seed=seed): (i, path) for i, point, path in todo}
        for future in as_completed(futures):
            store(*futures[future], future.result())
    bar.close()
    return results


def grid(**axes) -> list[dict]:
    """The Cartesian product of named axes: ``grid(n=[1000, 2000], alpha=[0.13, 0.15])``."""
    points = [{}]
    for name, values in axes.items():
        points = [{**point, name: value} for point in points for value in values]
    return points
