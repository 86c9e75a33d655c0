import multiprocessing
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
import torch

from hopfield_lab import param_sweep as sw
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
    first = sw.run_grid(counted, points, cache=tmp_path, progress=False)
    assert len(CALLS) == 4
    again = sw.run_grid(counted, points, cache=tmp_path, progress=False)
    assert again == first and len(CALLS) == 4  # all hits
    changed = sw.grid(n=[10, 30], alpha=[0.1, 0.2])
    sw.run_grid(counted, changed, cache=tmp_path, progress=False)
    assert len(CALLS) == 6  # only the two new points ran
    sw.run_grid(counted, points, seed=1, cache=tmp_path, progress=False)
    assert len(CALLS) == 10  # a new seed misses everywhere
    import hopfield_lab

    monkeypatch.setattr(hopfield_lab, "__version__", "999.0")
    sw.run_grid(counted, points, cache=tmp_path, progress=False)
    assert len(CALLS) == 14  # a new package version misses everywhere
    monkeypatch.setattr(torch, "__version__", "0.0.1+other")  # another torch computes other floats
    sw.run_grid(counted, points, cache=tmp_path, progress=False)
    assert len(CALLS) == 18  # a new torch version misses everywhere


def test_a_change_in_the_package_code_gives_new_keys(tmp_path, monkeypatch):
    package = tmp_path / "hopfield_lab"
    shutil.copytree(sw.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(sw, "PACKAGE", package)  # hash this copy of the package's code
    CALLS.clear()
    points = sw.grid(n=[10], alpha=[0.1, 0.2])
    before = [sw.cache_key(counted, p, 0) for p in points]
    sw.run_grid(counted, points, cache=tmp_path / "cache", progress=False)
    sw.run_grid(counted, points, cache=tmp_path / "cache", progress=False)
    assert len(CALLS) == 2
    rules = package / "update_rules.py"
    rules.write_text(rules.read_text() + "\n# a changed engine\n")
    assert all(sw.cache_key(counted, p, 0) != key for p, key in zip(points, before))
    sw.run_grid(counted, points, cache=tmp_path / "cache", progress=False)
    assert len(CALLS) == 4  # the old results are not served


def test_the_key_follows_the_engine_not_the_modules_that_draw_teach_or_grade(tmp_path, monkeypatch):
    package = tmp_path / "hopfield_lab"
    shutil.copytree(sw.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(sw, "PACKAGE", package)  # hash this copy of the package's code
    point = {"n": 10, "alpha": 0.1}
    key = sw.cache_key(counted, point, 0)
    for name in ("exercises/nb05.py", "exercises/_report.py", "instructor/feedback.py", "plots.py", "explorer.py"):
        path = package / name
        path.write_text(path.read_text().replace("not yet right", "not quite right") + "\n# an edited message\n")
        assert sw.cache_key(counted, point, 0) == key, name  # notebook 03's map stays valid
    engine = package / "dynamics.py"
    engine.write_text(engine.read_text() + "\n# a changed engine\n")
    assert sw.cache_key(counted, point, 0) != key


def test_a_swept_function_of_a_module_left_out_of_the_key_is_keyed_by_its_code():
    from hopfield_lab.exercises import nb05

    token = sw._Tokens().callable(nb05.capacity_reference, "fn")
    assert token[0] == "function" and token[1] == "hopfield_lab.exercises.nb05.capacity_reference"
    assert sw._Tokens().callable(simulate, "fn") == ["package", "hopfield_lab.dynamics.simulate"]  # its file is keyed


def test_a_change_in_a_notebook_function_gives_new_keys(tmp_path):
    def define(body):  # a function as a notebook cell defines it: no file behind it
        space = {}
        exec(compile(f"def measure(n, seed=0):\n    return {body}\n", "<cell>", "exec"), space)
        return space["measure"]

    first, second = define("n + 1"), define("n + 2")
    assert sw.cache_key(first, {"n": 1}, 0) != sw.cache_key(second, {"n": 1}, 0)
    assert sw.run_grid(first, [{"n": 1}], cache=tmp_path, progress=False) == [2]
    assert sw.run_grid(second, [{"n": 1}], cache=tmp_path, progress=False) == [3]  # not the cached 2


def test_no_cache_always_recomputes(tmp_path):
    CALLS.clear()
    sw.run_grid(counted, [{"n": 1, "alpha": 0.5}], cache=None, progress=False)
    sw.run_grid(counted, [{"n": 1, "alpha": 0.5}], cache=None, progress=False)
    assert len(CALLS) == 2


def test_the_cache_keeps_what_figures_need_and_stays_small(tmp_path):
    points = [dict(n=400, alpha=a, m0=0.8, steps=50) for a in (0.1, 0.2)]
    fresh = sw.run_grid(simulate, points, seed=1, cache=tmp_path, progress=False)
    cached = sw.run_grid(simulate, points, seed=1, cache=tmp_path, progress=False)
    full = [simulate(**p, seed=1) for p in points]
    for a, b, c in zip(fresh, cached, full):
        assert same_run(a, c) and same_run(b, c)  # every record the figures use
        assert a.final_state.shape == b.final_state.shape == (400, 0)  # the states are not kept
        assert a.mean_final_overlap == c.mean_final_overlap and a.fraction_two_cycle == c.fraction_two_cycle
    full_bytes = sum(r.final_state.numel() + r.overlaps.numel() * 8 for r in full)
    assert sw.cache_size(tmp_path) < full_bytes / 10, (sw.cache_size(tmp_path), full_bytes)
    whole = sw.run_grid(simulate, points, seed=1, cache=tmp_path, progress=False, compact=False)
    assert torch.equal(whole[0].final_state, full[0].final_state)


def test_executors_give_identical_results(tmp_path):
    points = sw.grid(n=[200, 300], alpha=[0.1, 0.15])
    kw = dict(m0=0.8, steps=20)
    points = [{**p, **kw} for p in points]
    serial = sw.run_grid(simulate, points, seed=3, cache=None, progress=False, compact=False)
    with ThreadPoolExecutor(2) as pool:
        threaded = sw.run_grid(simulate, points, seed=3, cache=None, executor=pool, progress=False)
    # spawn, not fork: a forked child of a process whose torch thread pool is running can deadlock
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        processed = sw.run_grid(simulate, points, seed=3, cache=tmp_path, executor=pool, progress=False, compact=False)
    for a, b, c in zip(serial, threaded, processed):
        assert same_run(a, b) and same_run(a, c)
        assert torch.equal(a.final_state, c.final_state)
    cached = sw.run_grid(simulate, points, seed=3, cache=tmp_path, progress=False, compact=False)
    assert all(same_run(a, d) for a, d in zip(serial, cached))


def test_a_sweep_on_a_dask_cluster_gives_the_serial_results(tmp_path):
    pytest.importorskip("dask.distributed", reason="Dask is not installed (pip install 'dask[distributed]')")
    from dask.distributed import Client, LocalCluster

    points = [dict(n=n, alpha=a, m0=0.8, steps=20) for n in (200, 300) for a in (0.1, 0.15)]
    serial = sw.run_grid(simulate, points, seed=5, cache=None, progress=False)
    start = time.perf_counter()
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        distributed = sw.run_grid(simulate, points, seed=5, cache=tmp_path, executor=client.get_executor(), progress=False)
        workers = set(client.run(lambda: __import__("os").getpid()).values())
    assert len(workers) == 2  # two worker processes, not threads of this one
    assert all(same_run(a, b) for a, b in zip(serial, distributed))
    cached = sw.run_grid(simulate, points, seed=5, cache=tmp_path, progress=False)  # the cluster's results were cached
    assert all(same_run(a, b) for a, b in zip(serial, cached))
    assert time.perf_counter() - start < 60


def test_the_progress_line_ends_as_a_record_of_what_ran():
    line = sw._Progress(total=12, cached=4, desc="Figs. 3-4", enabled=False)
    assert line.text().startswith("Figs. 3-4: 4/12 runs (4 from the cache)")
    for _ in range(8):
        line.advance()
    assert "about" not in line.text(final=True) and line.text(final=True).startswith("Figs. 3-4: 12 runs (4 from the cache) in ")
    sw.run_grid(counted, [{"n": 1, "alpha": 0.5}], cache=None, progress=True)  # a bar on stderr outside a notebook


# --- the cache key: the code loaded in this process (findings 2a, 2b), parameters by exact value (2c) ---

import copy  # noqa: E402
import errno  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pickle  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
import zlib  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from hopfield_lab import dynamics  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

PROBE_RUN = """
import json, pathlib, sys
root, mode = pathlib.Path(sys.argv[1]), sys.argv[2]
sys.path.insert(0, str(root))
import hopfield_lab
assert pathlib.Path(hopfield_lab.__file__).resolve().parent == (root / "hopfield_lab").resolve(), hopfield_lab.__file__
from hopfield_lab import param_sweep as sw, probe
before = sw.code_fingerprint(probe.value)
import hopfield_lab.theory, hopfield_lab.learning_rules  # more of the package loaded: the key must not move
loaded_more = sw.code_fingerprint(probe.value)
if mode == "edit":  # the engine's file is edited while this process runs the old code
    path = root / "hopfield_lab" / "probe.py"
    path.write_text(path.read_text().replace("n + 5", "n + 60"))
result = sw.run_grid(probe.value, [{"n": 0}], cache=root / "cache", progress=False)
print(json.dumps({"before": before, "loaded_more": loaded_more, "after": sw.code_fingerprint(probe.value),
                  "result": result}))
"""


def test_a_package_file_edited_after_import_neither_serves_nor_stores_under_the_new_key(tmp_path):
    package = tmp_path / "hopfield_lab"
    shutil.copytree(sw.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__", "*.tmp"))
    (package / "probe.py").write_text("def value(n, seed=0):\n    return n + 5\n")
    old = time.time() - 3600  # files older than any of the processes below, as in a checkout
    for path in package.rglob("*.py"):
        os.utime(path, (old, old))
    (tmp_path / "run.py").write_text(PROBE_RUN)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1"}

    def run(mode):
        done = subprocess.run([sys.executable, str(tmp_path / "run.py"), str(tmp_path), mode], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    first = run("plain")
    assert first["result"] == [5]
    assert first["before"] == first["loaded_more"] == first["after"]  # which modules are loaded does not matter
    stale = run("edit")  # computes with the code it loaded (n + 5) after the file says n + 60
    assert stale["result"] == [5]
    assert stale["before"] == first["before"] != stale["after"]  # from the edit on: keyed by the code in memory
    fresh = run("plain")  # a new process loads n + 60: the stale process's result is not served
    assert fresh["result"] == [60]
    assert fresh["before"] not in (first["before"], stale["after"])


def test_a_function_of_yours_patched_into_the_package_changes_the_key(monkeypatch):
    before = sw.code_fingerprint(simulate)

    def evolve(*args, **kwargs):  # a student's replacement for the engine's loop
        raise NotImplementedError

    monkeypatch.setattr(dynamics, "evolve", evolve)
    assert sw.code_fingerprint(simulate) != before


def test_a_module_named_like_the_package_is_keyed_by_its_code(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.syspath_prepend(str(tmp_path))
    helpers = tmp_path / "hopfield_lab_helpers.py"  # starts with "hopfield_lab", is not the package
    helpers.write_text("def measure(n, seed=0):\n    return n + 1\n")
    importlib.invalidate_caches()
    try:
        module = importlib.import_module("hopfield_lab_helpers")
        assert sw.run_grid(module.measure, [{"n": 1}], cache=tmp_path / "cache", progress=False) == [2]
        key = sw.code_fingerprint(module.measure)
        helpers.write_text("def measure(n, seed=0):\n    return n + 20\n")
        assert sw.code_fingerprint(module.measure) == key  # not reloaded: the loaded code still computes n + 1
        module = importlib.reload(module)
        assert sw.code_fingerprint(module.measure) != key
        assert sw.run_grid(module.measure, [{"n": 1}], cache=tmp_path / "cache", progress=False) == [21]
    finally:
        sys.modules.pop("hopfield_lab_helpers", None)


def test_a_notebook_function_is_keyed_by_the_functions_and_constants_it_uses(tmp_path):
    cell = {}  # one notebook's namespace: cells define functions and constants in it

    def run_cell(source):
        exec(compile(source, "<cell>", "exec"), cell)

    run_cell("OFFSET = 1\ndef helper(n):\n    return n + OFFSET\ndef measure(n, seed=0):\n    return helper(n)\n")
    assert sw.run_grid(cell["measure"], [{"n": 1}], cache=tmp_path, progress=False) == [2]
    run_cell("def helper(n):\n    return 10 * n + OFFSET\n")  # only the helper changed
    assert sw.run_grid(cell["measure"], [{"n": 1}], cache=tmp_path, progress=False) == [11]
    run_cell("OFFSET = 5\n")  # only a constant changed
    assert sw.run_grid(cell["measure"], [{"n": 1}], cache=tmp_path, progress=False) == [15]


def echo(x, seed=0):
    return x


def key_of(value, **kw):
    return sw.cache_key(echo, {"x": value, **kw}, 0, version="test", code="fixed")


def test_arrays_and_tensors_whose_text_is_equal_get_different_keys(tmp_path):
    a = np.zeros(2000)
    b = a.copy()
    b[1000] = 1.0
    assert str(a) == str(b)  # abbreviated: the middle is not shown
    t, u = torch.tensor([0.12345678]), torch.tensor([0.12345679])
    assert str(t) == str(u) and not torch.equal(t, u)  # rounded to 4 digits
    assert key_of(a) != key_of(b) and key_of(t) != key_of(u)
    results = sw.run_grid(echo, [{"x": a}, {"x": t}], cache=tmp_path, progress=False)
    cached = sw.run_grid(echo, [{"x": b}, {"x": u}, {"x": a}, {"x": t}], cache=tmp_path, progress=False)
    assert np.array_equal(results[0], a) and torch.equal(results[1], t)
    assert np.array_equal(cached[0], b) and torch.equal(cached[1], u)  # not the first array's result
    assert np.array_equal(cached[2], a) and torch.equal(cached[3], t)


def test_arrays_are_keyed_by_dtype_shape_and_bytes():
    x = np.arange(6, dtype=np.float64)
    keys = {key_of(x), key_of(x.reshape(2, 3)), key_of(x.astype(np.float32)), key_of(torch.from_numpy(x)),
            key_of(torch.from_numpy(x).reshape(3, 2)), key_of(x.tolist())}
    assert len(keys) == 6
    assert key_of(x[::2]) == key_of(x[::2].copy())  # a strided view: the same values, the same key
    t = torch.arange(6.0)
    assert key_of(t[::2]) == key_of(t[::2].clone())
    assert key_of(t.reshape(2, 3).T) == key_of(t.reshape(2, 3).T.contiguous())
    z = torch.tensor([1 + 2j])
    assert key_of(z.conj()) == key_of(torch.tensor([1 - 2j])) != key_of(z)  # the conjugate bit counts
    assert key_of(1) != key_of(1.0) != key_of(True) and key_of(1) != key_of(np.int64(1)) and key_of("1") != key_of(1)
    assert key_of({"a": 1, "b": 2}) == key_of({"b": 2, "a": 1})  # a dict's order does not count


def test_an_object_without_an_exact_key_is_refused_with_cache_and_fine_without(tmp_path):
    class Opaque:  # its repr is an address: it cannot say what it holds
        pass

    with pytest.raises(ValueError, match=r"grid\[1\]\['x'\]=.*Opaque.*cannot be part of a cache key.*cache=None"):
        sw.run_grid(echo, [{"x": 1}, {"x": Opaque()}], cache=tmp_path, progress=False)
    assert not list(tmp_path.rglob("*.pkl.z"))  # refused before anything ran
    thing = Opaque()
    assert sw.run_grid(echo, [{"x": thing}], cache=None, progress=False) == [thing]


def reference_form(value):
    """What makes two parameter values the same: type and exact value (an array's dtype, shape, bytes)."""
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, torch.Tensor):
        return ("tensor", str(value.dtype), tuple(value.shape), value.numpy().tobytes())
    if isinstance(value, float):
        return ("float", repr(value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(reference_form(x) for x in value))
    if isinstance(value, dict):
        return ("dict", frozenset((k, reference_form(x)) for k, x in value.items()))
    if isinstance(value, frozenset):
        return ("frozenset", frozenset(reference_form(x) for x in value))
    return (type(value).__name__, value)


ARRAYS = hnp.arrays(st.sampled_from([np.float64, np.float32, np.int64, np.int8, np.bool_]),
                    hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4))
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4) | st.binary(max_size=4)
           | ARRAYS | ARRAYS.map(lambda a: torch.from_numpy(a.copy())))
PARAMS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
                      | st.dictionaries(st.text(max_size=3), inner, max_size=3)
                      | st.frozensets(st.text(max_size=3) | st.integers(), max_size=4), max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(PARAMS, st.data())
def test_two_parameter_values_share_a_key_exactly_when_they_are_the_same(a, data):
    b = data.draw(st.one_of(PARAMS, st.just(copy.deepcopy(a))))
    assert (reference_form(a) == reference_form(b)) == (key_of(a) == key_of(b))
    assert key_of(pickle.loads(pickle.dumps(a))) == key_of(a)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(["n", "alpha", "m0", "steps", "update"]), PARAMS, max_size=4),
       st.dictionaries(st.sampled_from(["n", "alpha", "m0", "steps", "update"]), PARAMS, max_size=4))
def test_two_points_share_a_key_exactly_when_they_are_the_same(p, q):
    same = p.keys() == q.keys() and all(reference_form(p[k]) == reference_form(q[k]) for k in p)
    assert same == (sw.cache_key(echo, p, 0, version="t", code="c") == sw.cache_key(echo, q, 0, version="t", code="c"))


KEYS_IN_A_CHILD = """
import json, pickle, sys
from hopfield_lab import param_sweep as sw
from hopfield_lab.dynamics import simulate
values = pickle.load(sys.stdin.buffer)
print(json.dumps([sw.cache_key(simulate, {"x": v}, 3, version="t", code="c") for v in values]))
"""


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PARAMS, min_size=20, max_size=20))
def test_a_key_is_the_same_in_another_process(values):
    here = [sw.cache_key(simulate, {"x": v}, 3, version="t", code="c") for v in values]
    env = {**os.environ, "PYTHONHASHSEED": str(int.from_bytes(os.urandom(2), "big")), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", KEYS_IN_A_CHILD], input=pickle.dumps(values), capture_output=True,
                          env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    assert json.loads(done.stdout) == here  # sets of strings too, though their order follows the hash seed


# --- robustness of the cache (finding 10) ---

DAMAGE = {"truncated": lambda data: data[: len(data) // 2], "empty": lambda data: b"",
          "not zlib": lambda data: b"this is not zlib", "not a pickle": lambda data: zlib.compress(b"not a pickle")}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_cache_file_is_recomputed_and_overwritten(tmp_path, damage):
    CALLS.clear()
    point = {"n": 3, "alpha": 0.5}
    first = sw.run_grid(counted, [point], cache=tmp_path, progress=False)
    [path] = tmp_path.rglob("*.pkl.z")
    path.write_bytes(DAMAGE[damage](path.read_bytes()))
    with pytest.warns(sw.CacheWarning, match=re.escape(str(path)) + ".* damaged"):
        again = sw.run_grid(counted, [point], cache=tmp_path, progress=False)
    assert again == first and len(CALLS) == 2  # recomputed
    assert pickle.loads(zlib.decompress(path.read_bytes())) == first[0]  # and overwritten
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sw.run_grid(counted, [point], cache=tmp_path, progress=False) == first and len(CALLS) == 2


def test_a_full_disk_warns_once_keeps_every_result_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sw.os, "replace", full)  # the temporary file was written, the last step fails
    CALLS.clear()
    points = sw.grid(n=[1, 2, 3], alpha=[0.5])
    with pytest.warns(sw.CacheWarning) as caught:
        results = sw.run_grid(counted, points, cache=tmp_path, progress=False)
    assert [r["n"] for r in results] == [1, 2, 3] and len(CALLS) == 3
    messages = [str(w.message) for w in caught if issubclass(w.category, sw.CacheWarning)]
    assert len(messages) == 1 and str(tmp_path / "counted") in messages[0] and "No space left" in messages[0]
    assert not list(tmp_path.rglob("*.tmp")) and not list(tmp_path.rglob("*.pkl.z"))


def test_a_cache_folder_that_cannot_be_made_warns_and_the_sweep_goes_on(tmp_path):
    (tmp_path / "counted").write_text("a file where the function's folder would go")
    CALLS.clear()
    with pytest.warns(sw.CacheWarning, match=re.escape(str(tmp_path / "counted"))):
        results = sw.run_grid(counted, sw.grid(n=[1, 2], alpha=[0.5]), cache=tmp_path, progress=False)
    assert [r["n"] for r in results] == [1, 2] and len(CALLS) == 2


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_warns_and_the_sweep_goes_on(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.warns(sw.CacheWarning, match=re.escape(str(folder))):
            results = sw.run_grid(counted, [{"n": 1, "alpha": 0.5}], cache=folder, progress=False)
        assert results[0]["n"] == 1 and not list(folder.rglob("*.tmp"))
    finally:
        folder.chmod(0o755)


def unpicklable(n, seed=0):
    return lambda: n + seed


def test_a_result_that_cannot_be_pickled_is_returned_with_a_warning_and_not_cached(tmp_path):
    with pytest.warns(sw.CacheWarning, match=r"grid\[0\] cannot be pickled"):
        results = sw.run_grid(unpicklable, [{"n": 1}, {"n": 2}], cache=tmp_path, progress=False)
    assert [r() for r in results] == [1, 2]
    assert not list(tmp_path.rglob("*.pkl.z")) and not list(tmp_path.rglob("*.tmp"))


def test_a_seed_axis_gives_each_point_its_seed(tmp_path):
    CALLS.clear()
    points = sw.grid(n=[1], alpha=[0.5], seed=[0, 1, 2])
    assert [r["seed"] for r in sw.run_grid(counted, points, seed=7, cache=tmp_path, progress=False)] == [0, 1, 2]
    assert [r["seed"] for r in sw.run_grid(counted, points, seed=7, cache=None, progress=False)] == [0, 1, 2]
    assert len(CALLS) == 6
    # the point's seed is the key's seed: the same run as a sweep with seed=1
    assert sw.cache_key(counted, {"n": 1, "alpha": 0.5, "seed": 1}, 7) == sw.cache_key(counted, {"n": 1, "alpha": 0.5},
                                                                                      1)
    assert sw.run_grid(counted, [{"n": 1, "alpha": 0.5}], seed=1, cache=tmp_path, progress=False)[0]["seed"] == 1
    assert len(CALLS) == 6  # from the cache


def test_grid_axes_are_lists_tuples_ranges_or_arrays():
    assert sw.grid(n=(1, 2), k=range(2), a=np.array([0.5])) == [
        {"n": 1, "k": 0, "a": 0.5}, {"n": 1, "k": 1, "a": 0.5}, {"n": 2, "k": 0, "a": 0.5}, {"n": 2, "k": 1, "a": 0.5}]
    assert sw.grid() == [{}] and sw.grid(n=[]) == []


@pytest.mark.parametrize("call, message", [
    (lambda tmp: sw.run_grid(None, [{"n": 1}], cache=None), r"fn=None is not allowed; fn must be a function"),
    (lambda tmp: sw.run_grid(counted, None, cache=None), r"grid=None is not allowed; grid must be a list of dicts"),
    (lambda tmp: sw.run_grid(counted, 5, cache=None), r"grid=5 is not allowed"),
    (lambda tmp: sw.run_grid(counted, "n", cache=None), r"grid='n' is not allowed"),
    (lambda tmp: sw.run_grid(counted, {"n": 1, "alpha": 0.5}, cache=None), r"grid=\{.*\} is a dict; .*list of dicts"),
    (lambda tmp: sw.run_grid(counted, [{"n": 1, "alpha": 0.5}, 3], cache=None),
     r"grid\[1\]=3 is not allowed; every point must be a dict"),
    (lambda tmp: sw.run_grid(counted, [{1: 2}], cache=None), r"grid\[0\] has the key 1; parameter names must be strings"),
    (lambda tmp: sw.grid(n=5), r"n=5 is not allowed; an axis must be a list of values"),
    (lambda tmp: sw.grid(n="abc"), r"n='abc' is a string, not allowed as an axis"),
    (lambda tmp: sw.grid(n={1, 2}), r"n=\{1, 2\} is a set, not allowed as an axis"),
    (lambda tmp: sw.grid(n=np.float64(3.0)), r"n=.*3.0.* is not allowed; an axis must be a list"),
    (lambda tmp: sw.run_grid(counted, [{"n": 1, "alpha": 0.5}], cache=3),
     r"cache=3 is not allowed; cache must be a folder"),
    (lambda tmp: sw.run_grid(counted, [{"n": 1, "alpha": 0.5}], cache=""), r"cache='' is not allowed"),
    (lambda tmp: sw.run_grid(counted, [{"n": 1, "alpha": 0.5}], cache=tmp / "file"), r"cache='.*file' is a file"),
])
def test_bad_sweep_arguments_are_refused_with_a_clear_message(tmp_path, monkeypatch, call, message):
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.chdir(tmp_path)
    CALLS.clear()
    with pytest.raises(ValueError, match=message):
        call(tmp_path)
    assert CALLS == [] and sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # nothing ran, nothing written


def test_no_module_of_the_engine_holds_a_function_of_the_modules_left_out_of_the_key():
    # a function of plots/explorer/animation/exercises/instructor found in a module of the engine reads as
    # monkeypatching (it is keyed by its code): only in a process that loaded that module, so a worker that
    # did not would store its results under another key (seen as "the workers ran other code" in CI when
    # animation imported plots.colour)
    import importlib
    import pkgutil
    import sys
    import types

    import hopfield_lab

    for info in pkgutil.walk_packages(hopfield_lab.__path__, "hopfield_lab."):
        if not info.name.startswith(("hopfield_lab.instructor.feedback", "hopfield_lab.instructor.nbgrader_config")):
            importlib.import_module(info.name)
    found = [(name, attr) for name, module in list(sys.modules.items())
             if name.startswith("hopfield_lab") and isinstance(module, types.ModuleType) and sw._engine(name)
             for attr, value in vars(module).items()
             if isinstance(value, (types.FunctionType, type)) and sw._by_code(getattr(value, "__module__", None))]
    assert not found, f"engine modules holding functions keyed by their code: {found}"
