"""Validation at the package's boundary: one clear ``ValueError`` per bad argument."""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
import torch


def check_range(name: str, value, low=None, high=None, *, low_open: bool = False, integer: bool = False) -> None:
    """Raise ``ValueError`` naming ``name``, its value and what is allowed unless ``value`` is a
    finite real number (an integer if ``integer``) with low <= value <= high.

    ``low_open`` makes the lower end exclusive (``0 < value``). ``None`` means unbounded.
    Booleans, strings, None, NaN and infinities are refused.
    """
    kind = "an integer" if integer else "a finite number"
    left = "(" if low_open else "["
    lo = "-inf" if low is None else low
    hi = "inf" if high is None else high
    allowed = f"{name} in {left}{lo}, {hi}]"
    is_number = isinstance(value, Integral if integer else Real) and not isinstance(value, bool)
    if not is_number:
        raise ValueError(f"{name}={value!r} is not allowed; {name} must be {kind}, {allowed}")
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        raise ValueError(f"{name}={_short(value)} is too large (above 1.8e308, the largest float); "
                         f"allowed: {allowed}") from None
    if not finite:
        raise ValueError(f"{name}={_short(value)} is out of range; allowed: {allowed}")
    ok = True
    if low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        raise ValueError(f"{name}={_short(value)} is out of range; allowed: {allowed}")


def _short(value) -> str:
    """``repr(value)``, cut in the middle when longer than 40 characters (a 400-digit integer)."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:18]}...{text[-18:]} ({len(text)} characters)"


def check_choice(name: str, value, choices) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name}={value!r} is not allowed; choose one of: {', '.join(map(str, choices))}")


def check_pm1(name: str, x, *, rows: int | None = None) -> None:
    """``x`` must be a 2-D torch tensor of +1/-1 values (columns are states); ``rows`` its row count."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"{name} is a {type(x).__module__}.{type(x).__name__}; allowed: a torch.Tensor of "
                         f"+1/-1 values, shape (N, columns) - convert with torch.as_tensor({name}, dtype=torch.float32)")
    if x.layout != torch.strided:
        raise ValueError(f"{name} is a {x.layout} tensor; allowed: a dense tensor (convert with {name}.to_dense())")
    if x.device.type == "meta":
        raise ValueError(f"{name} is on the meta device (shapes only, no values); allowed: a tensor with values "
                         "on cpu, cuda or mps")
    if x.dim() != 2 or x.shape[1] == 0:
        raise ValueError(f"{name} has shape {tuple(x.shape)}; allowed: (N, columns) with at least one column")
    if x.dtype == torch.bool or x.is_complex():
        raise ValueError(f"{name} has dtype {x.dtype}; allowed: +1/-1 values in a real dtype (map 0/1 to -1/+1 with 2 * x - 1)")
    check_pm1_values(name, x)
    if rows is not None and x.shape[0] != rows:
        raise ValueError(f"{name} has {x.shape[0]} rows; it needs one per neuron, N={rows}")


def check_pm1_values(name: str, x: torch.Tensor) -> None:
    """Every entry of the real 2-D tensor ``x`` must be +1 or -1: ``ValueError`` naming the first
    that is not, with its index and value (and the remedy for 0/1 patterns)."""
    bad = x.abs() != 1
    if bool(bad.any()):
        i, j = (int(v) for v in bad.nonzero()[0])
        raise ValueError(f"{name}[{i}, {j}]={float(x[i, j])!r} is not allowed; every entry must be +1 or -1"
                         + (" (0/1 patterns: use 2 * x - 1)" if bool(((x == 0) | (x == 1)).all()) else ""))


def generator_for(seed: int | torch.Generator, device: torch.device | str = "cpu",
                  stream: str = "default") -> torch.Generator:
    """A ``torch.Generator`` on ``device``: the given one, or stream ``stream`` of ``seed``
    (see :mod:`hopfield_lab.rng`: different streams and different seeds share no numbers)."""
    if isinstance(seed, torch.Generator):
        if seed.device.type != torch.device(device).type:
            raise ValueError(f"seed is a torch.Generator on {seed.device.type}; allowed: a generator on "
                             f"{torch.device(device).type} (the device of the draw) or an integer seed")
        return seed
    from .rng import generator

    return generator(seed, stream, device)


def real_tensor(x, name: str) -> torch.Tensor:
    """``x`` as a real strided tensor on a usable device (not copied when it is one already)."""
    if not isinstance(x, torch.Tensor):
        try:
            x = torch.as_tensor(x)
        except (TypeError, ValueError, RuntimeError, OverflowError) as err:
            raise ValueError(f"{name} could not be read as a tensor ({err}); allowed: a torch tensor, numpy array "
                             "or nested list of real numbers") from None
    if x.layout != torch.strided:
        raise ValueError(f"{name} has layout {x.layout}; allowed: a dense (strided) tensor - use {name}.to_dense()")
    if x.device.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"{name} is on device {x.device}; allowed: a tensor on cpu, cuda or mps")
    if x.is_complex():
        raise ValueError(f"{name} has dtype {x.dtype}; allowed: real numbers (complex values are not)")
    if x.dtype == torch.bool:
        raise ValueError(f"{name} has dtype torch.bool; allowed: real numbers (map 0/1 to -1/+1 with 2 * x - 1)")
    if not (x.is_floating_point() or x.dtype in (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)):
        raise ValueError(f"{name} has dtype {x.dtype}; allowed: a real floating-point or integer dtype")
    return x.detach()


def memory_limit_bytes(memory_limit, name: str = "memory_limit") -> int | None:
    if memory_limit is None:
        return None
    check_range(name, memory_limit, 1, None)
    return int(memory_limit)


def check_flag(name: str, value) -> bool:
    """``value`` as a bool; ``ValueError`` unless it is True or False (numpy's bool too; not 0, 1 or "yes")."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}={value!r} is not allowed; {name} must be True or False")
    return bool(value)
