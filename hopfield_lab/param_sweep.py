"""Parameter sweeps with a progress line, a small on-disk cache, and optional fan-out.

``run_grid(fn, grid)`` calls ``fn(**point, seed=seed)`` for every point of ``grid`` (a list of
dicts, for example from :func:`grid`) and returns the results in grid order; a point with its
own ``seed`` (``grid(n=[100], seed=[0, 1, 2])``) runs with that seed instead. Each result is
stored on disk, so re-running a figure cell is instant, changing one parameter recomputes
only the points it touches, and a changed engine never serves old results.

What the cache key holds
------------------------
A result is stored in ``<cache>/<fn's name>/<key>.pkl.z`` (``cache=None``: not stored;
``cache=''`` is refused), where the key is a SHA-256 of:

- the function's name (module and qualified name), ``compact``, and the versions of
  ``hopfield_lab`` and of torch;
- the point's parameters and its seed (the point's ``seed`` if it has one, else the
  sweep's), each by type and exact value: numbers by their exact repr (``1``, ``1.0``,
  ``True`` and ``np.int64(1)`` are four keys), strings, bytes, and lists, tuples, dicts and
  sets of these; numpy arrays and scalars by dtype, shape and a SHA-256 of *all* their bytes
  (never by their abbreviated, rounded ``str``); torch tensors the same way
  (``.detach().cpu()``, conjugate and negative bits resolved), plus their device type; torch
  and numpy dtypes, torch devices, enums, ranges, paths, fractions and decimals by their
  exact text; dataclass instances by class and fields; functions by their code, as ``fn``
  below. Any other object (whose ``repr`` may be an address or a rounded summary) is refused
  with a ``ValueError`` naming the parameter: pass the numbers that define it, or use
  ``cache=None``;
- the *code that computes the result, as loaded in this process*:

  - every module of ``hopfield_lab`` that computes results by the bytes of its file (not the
    modules that draw, teach or grade: ``exercises/``, ``instructor/``, ``plots.py`` and
    ``explorer.py``, so editing a self-check's message keeps notebook 03's stored map), unless
    the module is loaded
    and its file changed after this process started (less than a second before counts as
    after): then by its code in memory (each function's bytecode, constants, names,
    defaults and closure, each class's methods, the module's values that cannot change).
    So an engine edited after import neither serves results of the edited file nor stores
    its own under that file's key. Otherwise, which modules happen to be loaded does not
    change the key. Where the start time is unknown (no ``/proc``, no psutil), loaded modules are
    always keyed by their code in memory. Functions and classes of yours patched into a
    package module are keyed by their code too;
  - for a function defined outside the package (a notebook cell, your own module, even
    one named ``hopfield_lab_something``) or in one of the modules left out above: its bytecode, constants, defaults and closure,
    and what it names, followed: your other functions and classes by their code, your
    global values that cannot change (numbers, strings, tuples), the named attributes of
    your modules, library functions by name and library version. Mutable globals (lists,
    dicts, arrays) count by type only, so pass such data as parameters; code reached in
    other ways (a function kept in a dict, a method of an object) is not followed, so
    after changing it use ``cache=None`` or clear the cache;
  - a ``functools.partial`` or a bound method: its function, and its bound values as
    parameters.

A result computed in a worker process is stored under the code *that worker* ran (a worker
started before an edit runs the old code; a :class:`CacheWarning` says so). A damaged cache
file is recomputed and overwritten; a folder that cannot be written (read-only, disk full)
leaves the sweep running uncached; a result that cannot be pickled is returned but not
stored. Each gives a :class:`CacheWarning`, and no temporary file is left behind.

The cache keeps what figures use: a :class:`~hopfield_lab.trajectory.Trajectory` loses its
final states (N x P bytes, the bulk of a run; ``final_state`` becomes an empty (N, 0)
tensor) and each file is zlib-compressed. Results are the same whether they come from the
cache or from a fresh run; ``compact=False`` keeps the states.

A large sweep can fan out through any ``concurrent.futures.Executor``: a thread or process
pool on one machine, or a cluster, for example Dask::

    from dask.distributed import Client
    client = Client("scheduler-address:8786")          # or Client(LocalCluster(...))
    results = run_grid(simulate, grid, executor=client.get_executor())

or Ray (a ``concurrent.futures``-style wrapper). The function must then be importable by
the workers (a module-level function such as :func:`hopfield_lab.simulate`), and its
results picklable. For a local process pool use the "spawn" start method,
``ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn"))``: a process forked
while torch's thread pool is busy can deadlock.
"""
from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
import pickle
import re
import site
import sys
import sysconfig
import time
import types
import uuid
import warnings
import zlib
from collections.abc import Mapping
from concurrent.futures import Executor, as_completed
from decimal import Decimal
from fractions import Fraction
from pathlib import Path, PurePath
from typing import Any, Callable, Iterable

from ._checks import _short

DEFAULT_CACHE = os.environ.get("HOPFIELD_LAB_CACHE", ".hopfield_cache")
PACKAGE = Path(__file__).resolve().parent  # the files whose code keys every cached result
_PACKAGE_NAME = __name__.rpartition(".")[0]  # "hopfield_lab"


class CacheWarning(UserWarning):
    """The sweep cache could not be read or written; the sweep went on (recomputing, or uncached)."""


# --- when this process started: a loaded module whose file is older was loaded from that file ---

def _process_start_ns() -> int | None:
    """When this process started (ns since the epoch, rounded down), or None if unknown."""
    try:  # Linux: start time in clock ticks after boot
        with open("/proc/self/stat") as stat:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat") as stat:
            boot = next(int(line.split()[1]) for line in stat if line.startswith("btime "))
        return (boot * 10**9 + ticks * 10**9 // os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, StopIteration, AttributeError):
        pass
    try:
        import psutil

        return int(psutil.Process().create_time() * 10**9)
    except Exception:  # no psutil, or no answer: treat every loaded module as possibly edited
        return None


# Taken when this module is imported and inherited by forked children (whose modules were
# loaded by the parent). A file changed less than a second before counts as changed.
_LOADED_SINCE_NS = _process_start_ns()
_MARGIN_NS = 10**9


# --- where code comes from: this package, a library, or the user's own code ---

@functools.lru_cache(maxsize=None)
def _library_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    try:
        roots.update(site.getsitepackages())
        roots.add(site.getusersitepackages())
    except AttributeError:  # an old virtualenv's site module
        pass
    roots.update(p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages"))
    return tuple(sorted(os.path.join(os.path.realpath(root), "") for root in roots if root))


@functools.lru_cache(maxsize=None)
def _is_library_file(file: str) -> bool:
    return os.path.realpath(file).startswith(_library_roots())


def _origin(module_name) -> str:
    """'package' (hopfield_lab or hopfield_lab.*, not hopfield_lab_helpers), 'library'
    (the standard library or an installed package) or 'user' (a notebook, your own files)."""
    if not isinstance(module_name, str):  # a function made by exec() without a module name
        return "user"
    if module_name == _PACKAGE_NAME or module_name.startswith(_PACKAGE_NAME + "."):
        return "package"
    top = module_name.partition(".")[0]
    if top == "__main__":  # a script, or a notebook (whose __main__ may be the kernel's launcher)
        return "user"
    if top in sys.builtin_module_names or top in getattr(sys, "stdlib_module_names", ()):
        return "library"
    module = sys.modules.get(module_name) or sys.modules.get(top)
    file = getattr(module, "__file__", None)
    if not isinstance(file, str):  # __main__ of a notebook, a module made in memory
        return "user"
    return "library" if _is_library_file(file) else "user"


# The package's modules that draw, teach or grade: they compute no result a sweep stores, so
# their files are not part of the key (a function of theirs swept itself is keyed by its code).
_NOT_ENGINE = ("exercises", "instructor", "plots", "explorer", "animation")


def _engine(module_name: str) -> bool:
    """Whether a module of the package (``hopfield_lab`` or ``hopfield_lab.*``) computes results."""
    parts = module_name.split(".")
    return len(parts) < 2 or parts[1] not in _NOT_ENGINE


def _by_code(module_name) -> bool:
    """Whether a function or class of ``module_name`` is keyed by its own code: yours, or one of
    the package's modules whose files are not keyed."""
    origin = _origin(module_name)
    return origin == "user" or origin == "package" and not _engine(module_name)


def _qualified(obj) -> str:
    return f"{getattr(obj, '__module__', None)}.{getattr(obj, '__qualname__', getattr(obj, '__name__', '?'))}"


def _library_ref(obj) -> list:
    """A library's function or class: by name and the library's version (an upgrade changes keys)."""
    module = getattr(obj, "__module__", None) or type(obj).__module__
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__qualname__
    version = getattr(sys.modules.get(str(module).partition(".")[0]), "__version__", "")
    return ["library", f"{module}.{name}", str(version) if isinstance(version, str) else ""]


_ALLOWED = ("allowed: None, bool, int, float, complex, str, bytes; lists, tuples, dicts and sets of these; numpy "
            "arrays and scalars; torch tensors, dtypes and devices; enums, ranges, paths, fractions, decimals; "
            "dataclass instances of these; functions")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _dtype_text(dtype) -> str:
    return str(dtype.descr)  # byte order and fields included: [('', '<f8')]


def _tag(base: str, value) -> str:
    """``base`` for the built-in type itself, else the subclass's name (a bool is not an int here)."""
    return base if type(value).__module__ == "builtins" else f"{base}:{_qualified(type(value))}"


def _builtin_token(v) -> list | None:
    """None, a number, a string, bytes, a fraction, decimal, path or range by its exact text (a bool
    is not an int here); None for anything else."""
    if v is None or v is Ellipsis:
        return [repr(v)]
    if isinstance(v, bool):
        return [_tag("bool", v), str(bool(v))]
    if isinstance(v, int):
        return [_tag("int", v), hex(v)]  # hex: no limit on digits
    if isinstance(v, float):
        return [_tag("float", v), float.__repr__(v)]  # repr round-trips: the exact value
    if isinstance(v, complex):
        return [_tag("complex", v), complex.__repr__(v)]
    if isinstance(v, str):
        return [_tag("str", v), str.__str__(v)]
    if isinstance(v, (bytes, bytearray)):
        return [_tag("bytes", v), bytes(v).hex()]
    if isinstance(v, (Fraction, Decimal, PurePath)):
        return [_qualified(type(v)), str(v)]
    if isinstance(v, range):
        return ["range", hex(v.start), hex(v.stop), hex(v.step)]
    return None


class _Tokens:
    """Turns parameters and code into tokens: nested lists of strings and integers, the same in
    every process for equal inputs (no ids, no addresses, sets sorted), different for different ones."""

    def __init__(self):
        self.seen: set[int] = set()
        self.alive: list = []  # keeps walked objects alive, so that an id is never reused during a walk
        self.home: str | None = None  # the package module whose code is being walked from memory
        self.budget = 20000  # functions and classes followed at most (a bound on the walk, deterministic)

    # -- values: parameters, seeds, a partial's or a bound method's values (strict) --

    def value(self, v, where: str) -> list:
        np = sys.modules.get("numpy")
        torch = sys.modules.get("torch")
        if isinstance(v, enum.Enum):
            return ["enum", self.reference(type(v)), v.name]
        if np is not None and isinstance(v, np.generic):  # before int and float: np.float64 is a float
            if v.dtype.hasobject:
                raise ValueError(f"{where}={_short(v)} is a numpy record holding Python objects and cannot be part "
                                 f"of a cache key; {_ALLOWED}; or run uncached with cache=None")
            return ["numpy.scalar", _dtype_text(v.dtype), _digest(v.tobytes())]
        token = _builtin_token(v)
        if token is not None:
            return token
        if torch is not None and isinstance(v, torch.Tensor):
            return self.tensor(v, where, torch)
        if torch is not None and isinstance(v, (torch.dtype, torch.device)):
            return [_qualified(type(v)), str(v)]
        if np is not None and isinstance(v, np.ndarray):
            return self.array(v, where, np)
        if np is not None and isinstance(v, np.dtype):
            return ["numpy.dtype", _dtype_text(v)]
        token = self.collection(v, where)
        if token is not None:
            return token
        if isinstance(v, (types.FunctionType, types.BuiltinFunctionType, types.MethodType, functools.partial, type)):
            return ["callable", self.callable(v, where)]
        raise ValueError(f"{where}={_short(v)} (a {_qualified(type(v))}) cannot be part of a cache key: its text "
                         f"may not say all of it; {_ALLOWED}. Pass the numbers that define it instead, "
                         f"or run uncached with cache=None")

    def collection(self, v, where: str) -> list | None:
        """A dict, list, tuple, set or dataclass instance by its items (None for anything else)."""
        if isinstance(v, Mapping):
            items = [[self.value(k, f"{where} key {_short(k)}"), self.value(x, f"{where}[{_short(k)}]")]
                     for k, x in v.items()]
            return [_qualified(type(v)), sorted(items, key=json.dumps)]
        if isinstance(v, (list, tuple)):
            return [_qualified(type(v)), [self.value(x, f"{where}[{i}]") for i, x in enumerate(v)]]
        if isinstance(v, (set, frozenset)):
            return [_qualified(type(v)), sorted((self.value(x, f"{where} item") for x in v), key=json.dumps)]
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return ["dataclass", self.reference(type(v)),
                    [[f.name, self.value(getattr(v, f.name), f"{where}.{f.name}")] for f in dataclasses.fields(v)]]
        return None

    def tensor(self, v, where, torch) -> list:
        try:
            t = v.detach()
            if t.layout != torch.strided:
                t = t.to_dense()
            if t.is_quantized or t.device.type == "meta":
                raise ValueError("quantized or meta")
            t = t.cpu().resolve_conj().resolve_neg().contiguous().reshape(-1)
            data = t.view(torch.uint8).numpy().tobytes() if t.numel() else b""
        except Exception as error:
            raise ValueError(f"{where}={_short(v)} is a torch tensor whose bytes cannot be read ({error}), so it "
                             f"cannot be part of a cache key; pass a dense CPU-readable tensor, or run uncached "
                             f"with cache=None") from None
        return ["torch.Tensor", str(v.dtype), v.device.type, list(v.shape), _digest(data)]

    def array(self, v, where, np) -> list:
        if v.dtype.hasobject:  # the bytes are addresses: key the items instead
            return ["numpy.ndarray[object]", list(v.shape),
                    [self.value(x, f"{where}.flat[{i}]") for i, x in enumerate(v.ravel())]]
        token = [_qualified(type(v)), _dtype_text(v.dtype), list(v.shape), _digest(v.tobytes())]
        if np.ma.isMaskedArray(v):
            token.append(self.array(np.ma.getmaskarray(v), where, np))
        return token

    def callable(self, fn, where: str) -> list:
        """``fn`` (or a function parameter) by its code: see the module docstring."""
        if isinstance(fn, functools.partial):
            return ["partial", self.callable(fn.func, where),
                    [self.value(a, f"{where} argument {i}") for i, a in enumerate(fn.args)],
                    self.value(dict(fn.keywords), f"{where} keywords")]
        if isinstance(fn, types.MethodType):
            return ["method", self.callable(fn.__func__, where), self.value(fn.__self__, f"{where}.__self__")]
        if isinstance(fn, (types.FunctionType, type)):
            return self.reference(fn)
        if isinstance(fn, types.BuiltinFunctionType) or (callable(fn) and _origin(type(fn).__module__) == "library"
                                                         and hasattr(fn, "__name__")):
            return _library_ref(fn)
        if dataclasses.is_dataclass(fn):
            return ["instance", self.value(fn, where)]
        raise ValueError(f"{where}={_short(fn)} cannot be part of a cache key; allowed: a function, a class, a "
                         f"functools.partial or bound method of keyable values, or a dataclass instance; "
                         f"or run uncached with cache=None")

    # -- code: functions and classes by their code, other values found in code leniently --

    def code(self, code: types.CodeType) -> list:
        consts = [self.code(c) if isinstance(c, types.CodeType) else self.constant(c) for c in code.co_consts]
        return ["code", getattr(code, "co_qualname", code.co_name), code.co_argcount, code.co_posonlyargcount,
                code.co_kwonlyargcount, code.co_flags, code.co_code.hex(), list(code.co_names),
                list(code.co_varnames), list(code.co_freevars), list(code.co_cellvars), consts]

    def constant(self, v) -> list | None:
        """A value that cannot change, by value (tuples and frozensets of such values too); else None."""
        if isinstance(v, (tuple, frozenset)):
            items = [self.constant(x) for x in v]
            if any(item is None for item in items):
                return None
            return [_qualified(type(v)), items if isinstance(v, tuple) else sorted(items, key=json.dumps)]
        if not _immutable(v):
            return None
        try:
            return self.value(v, "constant")
        except ValueError:
            return None

    def lenient(self, v) -> list:
        """A value found in code (a module's globals, a closure): functions and classes by their
        code, constants by value, modules by name, anything else (mutable data) by its type."""
        if isinstance(v, (types.FunctionType, type)):
            return self.reference(v)
        if isinstance(v, types.ModuleType):
            return ["module", v.__name__]
        if isinstance(v, functools.partial):
            return ["partial", self.lenient(v.func), [self.lenient(a) for a in v.args],
                    [[k, self.lenient(x)] for k, x in sorted(v.keywords.items())]]
        if isinstance(v, (staticmethod, classmethod)):
            return [type(v).__name__, self.lenient(v.__func__)]
        if isinstance(v, property):
            return ["property", [self.lenient(f) for f in (v.fget, v.fset, v.fdel)]]
        if isinstance(v, functools._lru_cache_wrapper):
            return ["lru_cache", self.lenient(v.__wrapped__)]
        if isinstance(v, (types.BuiltinFunctionType, types.MethodType)):
            return _library_ref(v) if isinstance(v, types.BuiltinFunctionType) else ["method", self.lenient(v.__func__)]
        if isinstance(v, tuple):
            return [_qualified(type(v)), [self.lenient(x) for x in v]]
        token = self.constant(v)
        return token if token is not None else ["object", _qualified(type(v))]

    def reference(self, obj) -> list:
        """A function or class: a package one by name (its module's code is keyed as a whole)
        unless it belongs to the module walked now; a library one by name and version; your
        own by its code."""
        module = getattr(obj, "__module__", None)
        origin = "user" if _by_code(module) else _origin(module)
        if origin == "library":
            return _library_ref(obj)
        if origin == "package" and module != self.home:
            return ["package", _qualified(obj)]
        if id(obj) in self.seen or self.budget <= 0:
            return ["seen" if id(obj) in self.seen else "not followed", _qualified(obj)]
        self.seen.add(id(obj))
        self.alive.append(obj)
        self.budget -= 1
        if isinstance(obj, type):
            return self.cls(obj)
        return self.function(obj, follow=origin == "user")

    def function(self, fn: types.FunctionType, follow: bool) -> list:
        cells = []
        for cell in fn.__closure__ or ():
            try:
                cells.append(self.lenient(cell.cell_contents))
            except ValueError:  # an empty cell
                cells.append(["empty"])
        token = ["function", _qualified(fn), self.code(fn.__code__), [self.default(d) for d in fn.__defaults__ or ()],
                 [[k, self.default(v)] for k, v in sorted((fn.__kwdefaults__ or {}).items())], cells]
        if follow:  # your own function: what it refers to by name
            names = sorted(_names(fn.__code__))
            space = fn.__globals__
            token.append([[name, self.follow(space[name], names)] for name in names if name in space])
        return token

    def default(self, v) -> list:
        try:
            return self.value(v, "default")
        except ValueError:
            return self.lenient(v)

    def follow(self, v, names) -> list:
        if isinstance(v, types.ModuleType) and _origin(v.__name__) == "user":
            space = vars(v)
            return ["module", v.__name__, [[name, self.lenient(space[name])] for name in names if name in space]]
        return self.lenient(v)

    def cls(self, cls: type) -> list:
        space = sorted(dict(vars(cls)).items(), key=lambda item: str(item[0]))
        return ["class", _qualified(cls), [_qualified(base) for base in cls.__bases__],
                [[str(name), self.lenient(value)] for name, value in space]]

    def module(self, module: types.ModuleType) -> list:
        """A loaded module's code, from memory."""
        self.home = module.__name__
        try:
            space = sorted(dict(vars(module)).items(), key=lambda item: str(item[0]))
            return ["memory", [[str(name), self.lenient(value)] for name, value in space if name not in _MODULE_SKIP]]
        finally:
            self.home = None

    def patched(self, module: types.ModuleType) -> list:
        """Functions and classes of yours put into a loaded package module (monkeypatching)."""
        found = []
        for name, value in sorted(dict(vars(module)).items(), key=lambda item: str(item[0])):
            if isinstance(value, (types.FunctionType, type)) and _by_code(getattr(value, "__module__", None)):
                found.append([str(name), self.reference(value)])
        return found


_MODULE_SKIP = {"__builtins__", "__cached__", "__file__", "__loader__", "__path__", "__spec__"}


def _immutable(v) -> bool:
    """A value that cannot change after it is made (so that code may rely on it as a constant)."""
    if v is None or v is Ellipsis or isinstance(v, (bool, int, float, complex, str, bytes, range, enum.Enum, Fraction,
                                                    Decimal, PurePath)):
        return True
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return bool(getattr(getattr(v, "__dataclass_params__", None), "frozen", False))
    np, torch = sys.modules.get("numpy"), sys.modules.get("torch")
    if np is not None and (isinstance(v, np.dtype) or isinstance(v, np.generic) and not v.dtype.hasobject):
        return True
    return torch is not None and isinstance(v, (torch.dtype, torch.device))


def _names(code: types.CodeType) -> set[str]:
    """Every global or attribute name a code object and its nested code use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


_FILES: dict[Path, tuple[tuple, str]] = {}  # path -> (stat, digest): a file is read again when it changes


def _file_digest(path: Path, stat: os.stat_result) -> str:
    signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    known = _FILES.get(path)
    if known is not None and known[0] == signature and time.time_ns() - stat.st_mtime_ns > 2 * 10**9:
        return known[1]
    digest = _digest(path.read_bytes())
    _FILES[path] = (signature, digest)
    return digest


def _package_token(tokens: _Tokens) -> list:
    """Every module of the package that computes results: its file, or its code in memory if it was
    loaded and its file changed since this process started (see the module docstring)."""
    parts, listed = [], set()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        name = ".".join((_PACKAGE_NAME,) + rel.with_suffix("").parts).removesuffix(".__init__")
        listed.add(name)
        if not _engine(name):
            continue
        module = sys.modules.get(name)
        try:
            stat = path.stat()
            digest = _file_digest(path, stat)
        except OSError:
            stat = digest = None
        loaded = isinstance(module, types.ModuleType)
        if loaded and (stat is None or _LOADED_SINCE_NS is None or stat.st_mtime_ns >= _LOADED_SINCE_NS - _MARGIN_NS):
            parts.append([rel.as_posix(), tokens.module(module)])
            continue
        part = [rel.as_posix(), "file", digest]
        patched = tokens.patched(module) if loaded else []
        parts.append(part + [patched] if patched else part)
    for name in sorted(n for n in list(sys.modules) if _origin(n) == "package" and _engine(n) and n not in listed):
        module = sys.modules.get(name)
        if isinstance(module, types.ModuleType):  # loaded, but no file of it here now
            parts.append([name, tokens.module(module)])
    return parts


def _hash(payload) -> str:
    return _digest(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode())


def _check_fn(fn) -> None:
    if not callable(fn):
        raise ValueError(f"fn={_short(fn)} is not allowed; fn must be a function, called as fn(**point, seed=seed), "
                         f"for example hopfield_lab.simulate")


def code_fingerprint(fn: Callable) -> str:
    """A hash of the code that computes ``fn``'s results, as loaded in this process: every module
    of ``hopfield_lab`` that computes results, and ``fn``'s own code if it lives outside them (see
    the module docstring for exactly what is included)."""
    _check_fn(fn)
    tokens = _Tokens()
    return _hash([_package_token(tokens), tokens.callable(fn, "fn")])[:16]


def _name(fn) -> str:
    return _qualified(fn) if hasattr(fn, "__module__") and hasattr(fn, "__qualname__") else _qualified(type(fn))


def _key(fn, point: Mapping, seed, version, code, compact, where: str) -> str:
    import torch

    from . import __version__

    point = dict(point)
    bad = [name for name in point if not isinstance(name, str)]
    if bad:
        raise ValueError(f"{where} has the key {bad[0]!r}; parameter names must be strings (keyword arguments of fn)")
    where_seed = f"{where}['seed']" if "seed" in point else "seed"
    seed = point.pop("seed", seed)
    tokens = _Tokens()
    values = [[name, tokens.value(point[name], f"{where}[{name!r}]")] for name in sorted(point)]
    payload = {"fn": _name(fn), "point": values, "seed": tokens.value(seed, where_seed),
               "version": version or __version__, "torch": str(torch.__version__),
               "code": code or code_fingerprint(fn), "compact": bool(compact)}
    return _hash(payload)[:24]


def cache_key(fn: Callable, point: dict, seed: int, version: str | None = None, code: str | None = None,
              compact: bool = True) -> str:
    """A stable name for one result: a hash of the function's name and code (see
    :func:`code_fingerprint`), the parameters and seed by type and exact value (a ``seed`` in
    ``point`` replaces ``seed``), the package and torch versions (see the module docstring)."""
    if not isinstance(point, Mapping):
        raise ValueError(f"point={_short(point)} is not allowed; point must be a dict of parameters")
    return _key(fn, point, seed, version, code, compact, "point")


def compact_result(result: Any) -> Any:
    """What a sweep keeps of a result: a Trajectory without its final states (``final_state``
    becomes an empty (N, 0) tensor, so N stays readable); anything else unchanged."""
    from .trajectory import Trajectory

    if isinstance(result, Trajectory):
        import torch

        return dataclasses.replace(result, final_state=torch.empty((result.final_state.shape[0], 0), dtype=torch.int8))
    return result


def _run(fn: Callable, point: dict, seed: int, compact: bool, parent: int | None = None) -> tuple[Any, str | None]:
    """One point, on whichever process or worker runs it (compacted there: less to send back).
    With ``parent`` (the id of the sweeping process, when it caches) a worker in another process
    also returns the fingerprint of the code it ran; otherwise the fingerprint is None."""
    point = dict(point)
    seed = point.pop("seed", seed)
    result = fn(**point, seed=seed)
    result = compact_result(result) if compact else result
    if parent is None or os.getpid() == parent:
        return result, None
    try:
        return result, code_fingerprint(fn)
    except Exception:  # never lose a result over its key: it is returned, not stored
        return result, ""


_MISS = object()


class _Cache:
    """The cache folder of one sweep: reads that survive damaged files, writes that give up
    (once, with a warning) when the folder cannot be written."""

    def __init__(self, folder: Path):
        self.folder, self.writable, self.warned_pickle = folder, True, False

    def load(self, path: Path):
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return _MISS
        except OSError as error:
            warnings.warn(f"cannot read the cache file {path} ({error}); this point is recomputed", CacheWarning,
                          stacklevel=3)
            return _MISS
        try:
            return pickle.loads(zlib.decompress(data))
        except Exception as error:  # truncated, empty, not zlib, not a pickle, a class gone
            warnings.warn(f"the cache file {path} is damaged ({type(error).__name__}: {error}); this point is "
                          f"recomputed and the file overwritten", CacheWarning, stacklevel=3)
            return _MISS

    def save(self, path: Path, value, where: str) -> None:
        if not self.writable:
            return
        try:
            data = zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 6)
        except Exception as error:
            if not self.warned_pickle:
                self.warned_pickle = True
                warnings.warn(f"the result of {where} cannot be pickled ({type(error).__name__}: {error}), so it is "
                              f"returned but not cached; return picklable values (numbers, tensors, arrays, dicts, "
                              f"dataclasses) to cache them", CacheWarning, stacklevel=4)
            return
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "xb") as file:
                file.write(data)
            os.replace(tmp, path)  # atomic: a half-written file is never read as a result
        except OSError as error:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
            self.writable = False
            warnings.warn(f"cannot write to the cache folder {self.folder} ({error}); the sweep goes on uncached "
                          f"(results are computed and returned, not stored)", CacheWarning, stacklevel=4)


def _points(grid) -> list[dict]:
    """``grid`` as a list of dicts, or a ValueError saying what is wrong."""
    example = "for example grid(n=[100, 200], alpha=[0.1])"
    if isinstance(grid, Mapping):
        raise ValueError(f"grid={_short(grid)} is a dict; grid must be a list of dicts, one per point: "
                         f"[{_short(grid)}] for this one point, or {example}")
    if grid is None or isinstance(grid, (str, bytes)) or not isinstance(grid, Iterable):
        raise ValueError(f"grid={_short(grid)} is not allowed; grid must be a list of dicts, one per point, {example}")
    points = []
    for i, point in enumerate(grid):
        if not isinstance(point, Mapping):
            raise ValueError(f"grid[{i}]={_short(point)} is not allowed; every point must be a dict of parameters, "
                             f"such as {{'n': 100, 'alpha': 0.1}}")
        bad = [name for name in point if not isinstance(name, str)]
        if bad:
            raise ValueError(f"grid[{i}] has the key {bad[0]!r}; parameter names must be strings (keyword "
                             f"arguments of fn)")
        points.append(dict(point))
    return points


def _cache_folder(cache, fn) -> Path | None:
    if cache is None:
        return None
    if not isinstance(cache, (str, os.PathLike)) or not isinstance(os.fspath(cache), str):
        raise ValueError(f"cache={_short(cache)} is not allowed; cache must be a folder (a str or pathlib.Path, "
                         f"created if missing) or None for no cache")
    if not os.fspath(cache).strip():
        raise ValueError(f"cache={os.fspath(cache)!r} is not allowed; cache must name a folder, such as "
                         f"'.hopfield_cache' (an empty name would fill the current folder), or be None for no cache")
    root = Path(cache)
    if root.exists() and not root.is_dir():
        raise ValueError(f"cache={os.fspath(cache)!r} is a file; cache must be a folder (created if missing) "
                         f"or None for no cache")
    name = re.sub(r"[^\w.-]+", "_", getattr(fn, "__name__", None) or type(fn).__name__).lstrip(".")
    return root / (name or "fn")


def run_grid(fn: Callable[..., Any], grid: Iterable[dict], *, seed: int = 0, cache: str | Path | None = DEFAULT_CACHE,
          executor: Executor | None = None, progress: bool = True, desc: str | None = None,
          compact: bool = True) -> list:
    """Results of ``fn(**point, seed=seed)`` for every point in ``grid``, in order; cached on disk.

    A point with its own ``seed`` runs with that seed. ``cache=None`` disables the cache (and
    then any parameter values are fine); ``cache=''`` is refused. With an ``executor`` the
    points not in the cache run through ``executor.submit``; results are identical to a serial
    run because every point carries its own seed. ``progress`` shows one line that ends as a
    record of what ran (how many runs, how many from the cache, how long). ``compact`` drops a
    Trajectory's final states, from fresh and cached results alike (see the module docstring).

    A damaged cache file is recomputed and overwritten; a cache that cannot be written, or a
    result that cannot be pickled, is not stored: each gives a :class:`CacheWarning`.
    """
    _check_fn(fn)
    points = _points(grid)
    folder = _cache_folder(cache, fn)
    sweep = _Sweep(fn, points, seed, compact, folder)
    todo = []
    for i, key in enumerate(sweep.keys):
        value = _MISS if key is None else sweep.cache.load(folder / f"{key}.pkl.z")
        if value is _MISS:
            todo.append(i)
        else:
            sweep.results[i] = value
    line = _Progress(len(points), len(points) - len(todo), desc or getattr(fn, "__name__", type(fn).__name__),
                     enabled=progress)
    parent = None if folder is None else os.getpid()
    if executor is None:
        for i in todo:
            sweep.store(i, *_run(fn, points[i], seed, compact, parent))
            line.advance()
    else:
        futures = {executor.submit(_run, fn, points[i], seed, compact, parent): i for i in todo}
        for future in as_completed(futures):
            sweep.store(futures[future], *future.result())
            line.advance()
    line.close()
    return sweep.results


class _Sweep:
    """The results of one run_grid, their keys, and where each fresh one is stored."""

    def __init__(self, fn: Callable, points: list[dict], seed, compact: bool, folder: Path | None):
        self.fn, self.points, self.seed, self.compact, self.folder = fn, points, seed, compact, folder
        self.cache = None if folder is None else _Cache(folder)
        self.code = None if folder is None else code_fingerprint(fn)
        self.keys = [None if folder is None else _key(fn, point, seed, None, self.code, compact, f"grid[{i}]")
                     for i, point in enumerate(points)]
        self.results: list = [None] * len(points)
        self.warned_workers = False

    def store(self, i: int, value, ran: str | None) -> None:
        """Keep result ``i``; cache it under the code that computed it (``ran``: a worker's fingerprint)."""
        self.results[i] = value
        if self.cache is None or not self.cache.writable:
            return
        # the code as it stands after the run (a module may have been loaded by it), or the worker's
        now = code_fingerprint(self.fn) if ran is None else ran
        if ran is not None and ran != self.code and not self.warned_workers:
            self.warned_workers = True
            warnings.warn("the workers ran other code than this process has loaded (a package file changed "
                          "since one of them started?); their results are stored under their own code",
                          CacheWarning, stacklevel=3)
        if now:
            key = self.keys[i] if now == self.code else _key(self.fn, self.points[i], self.seed, None, now,
                                                             self.compact, f"grid[{i}]")
            self.cache.save(self.folder / f"{key}.pkl.z", value, f"grid[{i}]")


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
    """The Cartesian product of named axes: ``grid(n=[1000, 2000], alpha=[0.13, 0.15])``, the
    first axis varying slowest. An axis is a list of values (a tuple, a range or a 1-D array
    too); an axis named ``seed`` gives each point its own seed; an empty axis gives no points."""
    points = [{}]
    for name, values in axes.items():
        if isinstance(values, (str, bytes, bytearray)):
            raise ValueError(f"{name}={values!r} is a string, not allowed as an axis; an axis must be a list of "
                             f"values: {name}=[{values!r}] for this one value")
        if isinstance(values, (Mapping, set, frozenset)):
            raise ValueError(f"{name}={_short(values)} is a {type(values).__name__}, not allowed as an axis; an "
                             f"axis must be a list of values in the order wanted, such as {name}=sorted(...)")
        try:
            values = list(values)
        except TypeError:
            raise ValueError(f"{name}={_short(values)} is not allowed; an axis must be a list of values: "
                             f"{name}=[{_short(values)}] for this one value") from None
        points = [{**point, name: value} for point in points for value in values]
    return points
