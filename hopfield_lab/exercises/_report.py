"""What every self-check shares: a report that prints one line per finding, and safe calls.

A check calls the student's function on cases of its own, compares with what the physics
requires, prints one line per finding (``✓`` or ``✗``) and returns True only if all pass.
It never raises: an unfinished exercise (``NotImplementedError``) is reported as such.
"""
from __future__ import annotations

from typing import Callable

import torch


class _Report:
    def __init__(self, name: str):
        self.name, self.ok, self.lines = name, True, []

    def check(self, condition: bool, good: str, bad: str) -> bool:
        self.lines.append(f"  ✓ {good}" if condition else f"  ✗ {bad}")
        self.ok &= bool(condition)
        return bool(condition)

    def done(self) -> bool:
        head = f"{self.name}: " + ("all checks passed" if self.ok else "not yet right")
        print("\n".join([head, *self.lines]))
        return self.ok


def _call(report: _Report, fn: Callable, *args):
    """Call the student's function; on failure record why and return None."""
    try:
        return fn(*args)
    except NotImplementedError:
        report.check(False, "", f"{getattr(fn, '__name__', 'the function')} is not implemented yet")
    except Exception as err:  # the student's bug: say which, do not crash the notebook
        report.check(False, "", f"calling {getattr(fn, '__name__', 'it')}{args} raised {type(err).__name__}: {err}")
    return None


def _call_matrix(report: _Report, fn: Callable, args: tuple, shape: tuple, what: str):
    """Call the student's function, read the result as a float64 matrix and check its shape;
    None (with the reason recorded) if any of that fails."""
    out = _call(report, fn, *args)
    if out is None:
        return None
    out = torch.as_tensor(out, dtype=torch.float64)
    if not report.check(tuple(out.shape) == shape, f"shape {what}", f"expected shape {shape} {what}, got {tuple(out.shape)}"):
        return None
    return out


def _pm1(gen: torch.Generator, *shape) -> torch.Tensor:
    """Random +/-1 entries of the given shape, float64, from ``gen``."""
    return (torch.randint(0, 2, shape, generator=gen) * 2 - 1).double()


def _run(r: _Report, fn: Callable, label: str, *args):
    """Call the student's function on a named case; on failure record why (naming the case, not
    dumping its tensors), mark the report unfinished on a stub, and return None."""
    try:
        return fn(*args)
    except NotImplementedError:
        r.check(False, "", f"{getattr(fn, '__name__', 'the function')} is not implemented yet")
        r.unfinished = True
    except Exception as err:  # the student's bug: say which, do not crash the notebook
        r.check(False, "", f"{label}: {getattr(fn, '__name__', 'your function')} raised {type(err).__name__}: {err}")
    return None


def _number(r: _Report, out, label: str, what: str = "one number") -> float | None:
    """The student's result as one float, or None (reason recorded)."""
    try:
        t = torch.as_tensor(out, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as err:
        r.check(False, "", f"{label}: the result is not a number ({type(out).__name__}): {err}")
        return None
    if t.numel() != 1:
        r.check(False, "", f"{label}: return {what}, not a tensor of shape {tuple(t.shape)}")
        return None
    return float(t.reshape(()))


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
