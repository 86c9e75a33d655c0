"""What every self-check shares: a report that prints one line per finding, and safe calls.

A check calls the student's function on cases of its own, compares with what the physics
requires, prints one line per finding (``✓`` or ``✗``) and returns True only if all pass.
It never raises: an unfinished exercise (``NotImplementedError``) is reported as such.
"""
from __future__ import annotations

import math
from typing import Callable

import torch


class _Report:
    def __init__(self, name: str):
        self.name, self.ok, self.lines = name, True, []
        self.unfinished = False  # set by _call when the student's function is still the stub

    def check(self, condition: bool, good: str, bad: str) -> bool:
        self.lines.append(f"  ✓ {good}" if condition else f"  ✗ {bad}")
        self.ok &= bool(condition)
        return bool(condition)

    def done(self) -> bool:
        head = f"{self.name}: " + ("all checks passed" if self.ok else "not yet right")
        print("\n".join([head, *self.lines]))
        return self.ok


def _call(r: _Report, fn: Callable, *args, label: str | None = None):
    """Call the student's function; on failure record why and return None. A stub
    (``NotImplementedError``) marks the report unfinished. An error names the case ``label``
    (not its tensors) when one is given, else the arguments."""
    name = getattr(fn, "__name__", None)
    try:
        return fn(*args)
    except NotImplementedError:
        r.check(False, "", f"{name or 'the function'} is not implemented yet")
        r.unfinished = True
    except Exception as err:  # the student's bug: say which, do not crash the notebook
        where = f"calling {name or 'it'}{args}" if label is None else f"{label}: {name or 'your function'}"
        r.check(False, "", f"{where} raised {type(err).__name__}: {err}")
    return None


def _pm1(gen: torch.Generator, *shape) -> torch.Tensor:
    """Random +/-1 entries of the given shape, float64, from ``gen``."""
    return (torch.randint(0, 2, shape, generator=gen) * 2 - 1).double()


def _number(r: _Report, out, label: str, what: str = "one number", *, finite: bool = False,
            hint: str = "") -> float | None:
    """``float(out)``, as the notebooks' hidden tests read the student's result, or None (reason
    recorded, ``hint`` added); ``finite``: NaN and infinities are refused too."""
    try:
        value = float(out)
    except (TypeError, ValueError, RuntimeError) as err:
        shape = getattr(out, "shape", None)
        detail = f" of shape {tuple(shape)}" if shape is not None else f" ({err})"
        r.check(False, "", f"{label}: return {what}, got {type(out).__name__}{detail}" + (f": {hint}" if hint else ""))
        return None
    if finite and not math.isfinite(value):
        r.check(False, "", f"{label}: returned {value}, not a finite number")
        return None
    return value


def _as_matrix(r: _Report, out, shape: tuple, what: str) -> torch.Tensor | None:
    """The student's output as a float64 tensor of the expected shape, or None (reason recorded)."""
    try:
        out = torch.as_tensor(out, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as err:
        r.check(False, "", f"{what}: return a tensor, got {type(out).__name__} ({err})")
        return None
    if tuple(out.shape) != shape:
        r.check(False, "", f"{what}: expected shape {shape}, got {tuple(out.shape)}")
        return None
    return out
