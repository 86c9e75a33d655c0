"""Parameter sweeps with a progress line, a small on-disk cache, and optional fan-out.

``sweep(fn, grid)`` calls ``fn(**point, seed=seed)`` for every point of ``grid`` (a list
of dicts) and returns the results in grid order. Each result is stored on disk under a
key made of everything that determines it: the function's name, the point's parameters,
the seed, and the *code* that computed it (a hash of every module of ``hopfield_lab`` and,
for a function defined elsewhere such as in a notebook, of its own source), plus the
versions of the package and of torch. So re-running a figure cell is instant, changing one
parameter recomputes only the points it touches, and a changed engine never serves old
results. (A notebook function that calls *other* notebook functions is keyed by its own
source only: clear the cache, or pass ``cache=None``, after changing those.)

The cache keeps what figures use: a :class:`~hopfield_lab.trajectory.Trajectory` loses its
final states (N x P bytes, the bulk of a run; ``final_state`` becomes an empty (N, 0)
tensor) and each file is zlib-compressed. Results are the same whether they come from the
cache or from a fresh run; ``compact=False`` keeps the states.

A large sweep can fan out through any ``concurrent.futures.Executor``: a thread or process
pool on one machine, or a cluster, for example Dask::

    from dask.distributed import Client
    client = Client("scheduler-address:8786")          # or Client(LocalCluster(...))
    results = sweep(simulate, grid, executor=client.get_executor())

or Ray (a ``concurrent.futures``-style wrapper). The function must then be importable by
the workers (a module-level function such as :func:`hopfield_lab.simulate`), and its
results picklable. For a local process pool use the "spawn" start method,
``ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn"))``: a process forked
while torch's thread pool is busy can deadlock.
"""
from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import marshal
import os
import pickle
import time
import zlib
from concurrent.futures import Executor, as_completed
from pathlib import Path
from typing import Any, Callable, Iterable

DEFAULT_CACHE = os.environ.get("HOPFIELD_LAB_CACHE", ".hopfield_cache")
PACKAGE = Path(__file__).resolve().parent  # the code whose hash keys every cached result


def _source_of(fn: Callable) -> bytes:
    """The source of ``fn`` (a notebook cell's function included), or its compiled code."""
    try:
        return inspect.getsource(fn).encode()
    except (OSError, TypeError):
        code = getattr(fn, "__code__", None)
        return marshal.dumps(code) if code is not None else repr(fn).encode()


def code_fingerprint(fn: Callable) -> str:
    """A hash of the code that computes ``fn``'s results: every module of ``hopfield_lab``
    (the engine and what it uses), plus ``fn``'s own source if it lives outside the package."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    if not (getattr(fn, "__module__", None) or "").startswith("hopfield_lab"):
        digest.update(_source_of(fn))
    return digest.hexdigest()[:16]


def cache_key(fn: Callable, point: dict, seed: int, version: str | None = None, code: str | None = None,
              compact: bool = True) -> str:
    """A stable name for one result: a hash of the function's name and code (see
    :func:`code_fingerprint`), the sorted parameters, the seed, the package and torch versions."""
    import torch

    from . import __version__

    payload = json.dumps({"fn": f"{fn.__module__}.{getattr(fn, '__qualname__', repr(fn))}", "point": point,
                          "seed": seed, "version": version or __version__, "torch": torch.__version__,
                          "code": code or code_fingerprint(fn), "compact": compact}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def compact_result(result: Any) -> Any:
    """What a sweep keeps of a result: a Trajectory without its final states (``final_state``
    becomes an empty (N, 0) tensor, so N stays readable); anything else unchanged."""
    from .trajectory import Trajectory

    if isinstance(result, Trajectory):
        import torch

        return dataclasses.replace(result, final_state=torch.empty((result.final_state.shape[0], 0), dtype=torch.int8))
    return result


def _run(fn: Callable, point: dict, seed: int, compact: bool) -> Any:
    """One point, on whichever process or worker runs it (compacted there: less to send back)."""
    result = fn(**point, seed=seed)
    return compact_result(result) if compact else result


def sweep(fn: Callable[..., Any], grid: Iterable[dict], *, seed: int = 0, cache: str | Path | None = DEFAULT_CACHE,
          executor: Executor | None = None, progress: bool = True, desc: str | None = None,
          compact: bool = True) -> list:
    """Results of ``fn(**point, seed=seed)`` for every point in ``grid``, in order; cached on disk.

    ``cache=None`` disables the cache. With an ``executor`` the points not in the cache run
    through ``executor.submit``; results are identical to a serial run because every point
    carries its own seed. ``progress`` shows one line that ends as a record of what ran
    (how many runs, how many from the cache, how long). ``compact`` drops a Trajectory's
    final states, from fresh and cached results alike (see the module docstring).
    """
    grid = [dict(point) for point in grid]
    name = getattr(fn, "__name__", type(fn).__name__)
    folder = None if cache is None else Path(cache) / name
    code = code_fingerprint(fn) if folder is not None else None
    results: list = [None] * len(grid)
    todo = []
    for i, point in enumerate(grid):
        path = None if folder is None else folder / f"{cache_key(fn, point, seed, code=code, compact=compact)}.pkl.z"
        if path is not None and path.exists():
            results[i] = pickle.loads(zlib.decompress(path.read_bytes()))
        else:
            todo.append((i, point, path))

    line = _Progress(len(grid), len(grid) - len(todo), desc or name, enabled=progress)

    def store(i, path, value):
        results[i] = value
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 6))
            tmp.replace(path)  # atomic: a half-written file is never read as a result
        line.advance()

    if executor is None:
        for i, point, path in todo:
            store(i, path, _run(fn, point, seed, compact))
    else:
        futures = {executor.submit(_run, fn, point, seed, compact): (i, path) for i, point, path in todo}
        for future in as_completed(futures):
            store(*futures[future], future.result())
    line.close()
    return results


def cache_size(cache: str | Path = DEFAULT_CACHE) -> int:
    """Bytes the sweep cache takes on disk."""
    return sum(path.stat().st_size for path in Path(cache).rglob("*") if path.is_file())


class _Progress:
    """One progress line. In a notebook it is a text output updated in place (at most twice a
    second) that ends as "12 runs (4 from the cache) in 31.2 s", so a stored notebook shows what
    ran, not a frozen bar; elsewhere a tqdm bar on stderr."""

    def __init__(self, total: int, cached: int, desc: str, enabled: bool = True):
        self.total, self.cached, self.done, self.desc = total, cached, cached, desc
        self.start = self.shown = time.perf_counter()
        self.handle = self.bar = None
        if not enabled:
            return
        try:
            from IPython import get_ipython

            in_kernel = getattr(get_ipython(), "kernel", None) is not None
        except ImportError:
            in_kernel = False
        if in_kernel:
            from IPython.display import display

            self.handle = display({"text/plain": self.text()}, raw=True, display_id=True)
        else:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=cached, desc=desc, unit="run")

    def text(self, final: bool = False) -> str:
        elapsed = time.perf_counter() - self.start
        from_cache = f" ({self.cached} from the cache)" if self.cached else ""
        if final:
            return f"{self.desc}: {self.total} runs{from_cache} in {elapsed:.1f} s"
        computed, left = self.done - self.cached, self.total - self.done
        eta = f", about {elapsed / computed * left:.0f} s left" if computed else ""
        return f"{self.desc}: {self.done}/{self.total} runs{from_cache}, {elapsed:.0f} s{eta}"

    def advance(self) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.handle is not None and time.perf_counter() - self.shown > 0.5:
            self.handle.update({"text/plain": self.text()}, raw=True)
            self.shown = time.perf_counter()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.handle is not None:
            self.handle.update({"text/plain": self.text(final=True)}, raw=True)


def grid(**axes) -> list[dict]:
    """The Cartesian product of named axes: ``grid(n=[1000, 2000], alpha=[0.13, 0.15])``."""
    points = [{}]
    for name, values in axes.items():
        points = [{**point, name: value} for point in points for value in values]
    return points
