"""Self-checks for Notebook 00: random symmetric matrices, fitting a power law."""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

from ..measure import power_law_slope
from ._report import _Report, _call, _number

__all__ = ['check_random_symmetric', 'check_fit_slope']


def _global_states():
    """torch's and numpy's global random states: a seeded function must leave both alone."""
    return torch.random.get_rng_state().clone(), np.random.get_state()[1].copy()


def _dtype_name(out) -> str:
    """'float64' for a float64 tensor or array (and for a plain list of Python floats)."""
    return str(getattr(out, "dtype", "float64")).replace("torch.", "")


def check_random_symmetric(fn: Callable[[int, int], torch.Tensor]) -> bool:
    """``fn(n, seed)`` must return (A + A^T) / 2 for A with i.i.d. standard Gaussian entries in
    float64, drawn from its own generator seeded with ``seed`` (not from the global random state)."""
    r = _Report("random_symmetric")
    torch_before, numpy_before = _global_states()
    raw = _call(r, fn, 400, 0)
    if raw is None:
        return r.done()
    torch_after, numpy_after = _global_states()
    a = torch.as_tensor(raw, dtype=torch.float64)
    if not r.check(tuple(a.shape) == (400, 400), "shape (n, n)", f"expected shape (400, 400) (n, n), got {tuple(a.shape)}"):
        return r.done()
    r.check(torch.equal(torch_before, torch_after) and np.array_equal(numpy_before, numpy_after),
            "draws from its own seeded generator",
            "it changed the global random state (torch.manual_seed / np.random.seed, or randn without "
            "generator=): draw from torch.Generator().manual_seed(seed) so other code is not affected")
    rounded = bool((a == a.float().double()).double().mean() > 0.5)  # float32 draws, converted afterwards
    r.check(_dtype_name(raw) == "float64" and not rounded, "float64",
            f"the matrix is {_dtype_name(raw)}" + (", but its entries were drawn in float32" if rounded else "")
            + ": the task asks for float64 (torch.randn draws float32 unless given dtype=torch.float64; "
            "converting afterwards keeps float32's rounding)")
    r.check(torch.allclose(a, a.T), "symmetric", "not symmetric: eigh/eigvalsh would read only one triangle")
    if _check_distribution(r, a):
        _check_seed_and_size(r, fn, a)
    return r.done()


def _check_distribution(r: _Report, a: torch.Tensor) -> bool:
    """Entries of (A + A^T)/2 for standard Gaussian A: mean 0, off-diagonal variance 1/2, diagonal
    variance 1. False when a mistake (a matrix product, uniform numbers) makes the rest moot."""
    diag_mean = float(a.diagonal().mean())
    if diag_mean > 20:  # A A^T: its diagonal holds sums of n squares
        r.check(False, "", f"the diagonal has mean {diag_mean:.0f}, about n or n/2: A @ A.T is a matrix product "
                           "(sums of n squares on the diagonal); the task adds A and its transpose, (A + A.T) / 2")
        return False
    mean = float(a.mean())
    if not r.check(abs(mean) < 0.05, "entries have mean 0",
                   f"the entries have mean {mean:.2f}, not 0: torch.rand draws uniform numbers in [0, 1); "
                   "use torch.randn (standard Gaussian)" if abs(mean - 0.5) < 0.1 else
                   f"the entries have mean {mean:.2f}; standard Gaussians have mean 0"):
        return False
    off = float(a[~torch.eye(a.shape[0], dtype=torch.bool)].var())
    if abs(off - 0.5) >= 0.05:
        r.check(False, "", f"off-diagonal variance {off:.3f}: {_variance_mistake(off)}")
    else:
        r.check(True, "off-diagonal variance 1/2, as for (A + A^T)/2", "")
    diag = float(a.diagonal().var())
    r.check(abs(diag - 1.0) < 0.25, "diagonal variance 1",
            f"diagonal variance {diag:.3f}; the diagonal of (A + A^T)/2 is A_ii, variance 1")
    return True


def _variance_mistake(off: float) -> str:
    """What an off-diagonal variance other than 1/2 says about how the matrix was made."""
    if abs(off - 2.0) < 0.2:
        return "(A + A^T) has variance 2: divide by 2"
    if abs(off - 1.0) < 0.1:
        return ("variance 1 is one triangle copied to the other (or (A + A^T)/sqrt 2); "
                "the task asks for (A + A^T)/2, whose off-diagonal variance is 1/2")
    if abs(off - 1 / 6) < 0.03:
        return "variance 1/6 is uniform numbers (torch.rand, or torch.rand * 2 - 1), not Gaussians: use torch.randn"
    return "(A + A^T)/2 of standard Gaussians has 1/2"


def _check_seed_and_size(r: _Report, fn: Callable, a: torch.Tensor) -> None:
    """The seed decides the matrix (same seed, same matrix; another seed, another), and n its size."""
    again = _call(r, fn, 400, 0)
    other = _call(r, fn, 400, 1)
    if again is not None and other is not None:
        r.check(torch.equal(torch.as_tensor(again, dtype=torch.float64), a), "same seed, same matrix",
                "the same seed gave a different matrix: use a torch.Generator seeded with `seed`")
        r.check(not torch.equal(torch.as_tensor(other, dtype=torch.float64), a), "different seeds differ",
                "different seeds gave the same matrix: the seed is ignored")
    small = _call(r, fn, 3, 5)
    if small is not None:
        r.check(tuple(torch.as_tensor(small).shape) == (3, 3), "any n works (n = 3)",
                f"n = 3 gave shape {tuple(torch.as_tensor(small).shape)}: use n, not a fixed size")


def _two_point(sizes, seconds):
    return math.log(seconds[-1] / seconds[-2]) / math.log(sizes[-1] / sizes[-2])


TOL = 1e-4  # the task's own accuracy: float32 arithmetic is enough


def _slope_mistakes(sizes: list, seconds: list, expected: float) -> list[tuple[float, str]]:
    """(the value a mistake gives, what to say) for the slope of ``seconds`` against ``sizes``."""
    x, y = np.log(sizes), np.log(seconds)
    rounded = "you rounded the slope: return it unrounded (round only when printing)"
    return [
        (float(np.polyfit(y, x, 1)[0]), "you fitted log n against log t (axes swapped): that gives about 1/slope"),
        (float(np.polyfit(x, y, 1)[1]), "that is the intercept: np.polyfit returns [slope, intercept]"),
        (_two_point(sizes, seconds), "that is the slope of the last two points only: fit a line through all of them"),
        (math.log(seconds[-1] / seconds[0]) / math.log(sizes[-1] / sizes[0]),
         "that is the slope between the end points (= the mean of the local slopes here): "
         "the least-squares fit uses every point"),
        (float(np.polyfit(x[-3:], y[-3:], 1)[0]),
         "you fitted only the last three points: fit_slope fits all the points it is given "
         "(the notebook chooses which ones to pass)"),
        (float(np.polyfit(sizes, seconds, 1)[0]), "that is the slope on linear axes: take logs of both n and t first"),
        (float(np.polyfit(x, seconds, 1)[0]), "you took the log of n only: take the log of t too"),
        (float(np.polyfit(np.log10(sizes), y, 1)[0]),
         "you mixed logarithms (log10 of n, natural log of t): use the same logarithm on both axes"),
        (float(np.polyfit(x, np.log10(seconds), 1)[0]),
         "you mixed logarithms (natural log of n, log10 of t): use the same logarithm on both axes"),
        (round(expected, 2), rounded),
        (round(expected, 1), rounded),
    ]


def check_fit_slope(fn: Callable[[list, list], float]) -> bool:
    """``fn(sizes, seconds)`` must return the least-squares slope of log(seconds) vs log(sizes),
    accurate to 1e-4."""
    r = _Report("fit_slope")
    sizes = [100, 200, 400, 800, 1600]
    wobble = [1.10, 0.92, 1.05, 0.97, 1.02]  # measured times scatter; a two-point estimate is not enough
    seconds = [1e-8 * n**2.8 * w for n, w in zip(sizes, wobble)]
    got = _call(r, fn, list(sizes), list(seconds))
    if got is None or (got := _number(r, got, "the slope", hint="return the slope only "
                                      "(np.polyfit returns [slope, intercept])")) is None:
        return r.done()
    expected = power_law_slope(sizes, seconds)
    if abs(got - expected) >= TOL:
        why = next((say for value, say in _slope_mistakes(sizes, seconds, expected)
                    if abs(got - value) < 1e-6 * max(1.0, abs(value))),
                   "fit a straight line to (log n, log t) through all points by least squares")
        r.check(False, "", f"got {got:.4f}, expected {expected:.4f}: {why}")
    else:
        r.check(True, "least-squares slope of log t vs log n", "")
    _check_other_data(r, fn, wobble)
    return r.done()


def _check_other_data(r: _Report, fn: Callable, wobble: list) -> None:
    """Unevenly spaced sizes, an exact power law, and constant times (slope 0)."""
    uneven = [50, 100, 300, 1000, 2000]
    times = [2e-7 * n**2.2 * w for n, w in zip(uneven, wobble)]
    spread = _call(r, fn, list(uneven), list(times))
    if spread is not None:
        want = power_law_slope(uneven, times)
        r.check(abs(float(spread) - want) < TOL, "unevenly spaced sizes: the least-squares slope too",
                f"sizes {uneven} gave {float(spread):.4f}, expected {want:.4f}: with uneven steps the mean of "
                "the local slopes is not the least-squares fit")
    exact = _call(r, fn, [10, 20, 40], [1.0, 8.0, 64.0])
    if exact is not None:
        r.check(abs(float(exact) - 3.0) < TOL, "t = n^3 gives slope 3", f"t = n^3 gave {float(exact):.4f}, not 3")
    flat = _call(r, fn, [100, 1000, 10000], [0.5, 0.5, 0.5])
    if flat is not None:
        r.check(abs(float(flat)) < TOL, "constant time (pure overhead) gives slope 0",
                f"constant times gave {float(flat):.4f}, not 0")
