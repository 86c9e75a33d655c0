"""Self-checks for the exercises: each says what is right, or what is wrong and why.

A check calls the student's function on cases of its own, compares with what the physics
requires, prints one line per finding (``✓`` or ``✗``) and returns True only if all pass.
It never raises: an unfinished exercise (``NotImplementedError``) is reported as such.
"""
from __future__ import annotations

from typing import Callable

import torch

from .measure import power_law_slope


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


def check_random_symmetric(fn: Callable[[int, int], torch.Tensor]) -> bool:
    """``fn(n, seed)`` must return (A + A^T) / 2 for A with i.i.d. standard Gaussian entries."""
    r = _Report("random_symmetric")
    a = _call(r, fn, 400, 0)
    if a is None:
        return r.done()
    a = torch.as_tensor(a, dtype=torch.float64)
    if not r.check(a.shape == (400, 400), "shape (n, n)", f"expected shape (400, 400), got {tuple(a.shape)}"):
        return r.done()
    r.check(torch.allclose(a, a.T), "symmetric", "not symmetric: eigh/eigvalsh would read only one triangle")
    off = a[~torch.eye(400, dtype=torch.bool)]
    r.check(abs(float(off.var()) - 0.5) < 0.05, "off-diagonal variance 1/2, as for (A + A^T)/2",
            f"off-diagonal variance {float(off.var()):.3f}; (A + A^T)/2 of standard Gaussians has 1/2")
    r.check(abs(float(a.diagonal().var()) - 1.0) < 0.25, "diagonal variance 1",
            f"diagonal variance {float(a.diagonal().var()):.3f}; expected 1")
    again = _call(r, fn, 400, 0)
    other = _call(r, fn, 400, 1)
    if again is not None and other is not None:
        r.check(torch.equal(torch.as_tensor(again, dtype=torch.float64), a), "same seed, same matrix",
                "the same seed gave a different matrix: use a torch.Generator seeded with `seed`")
        r.check(not torch.equal(torch.as_tensor(other, dtype=torch.float64), a), "different seeds differ",
                "different seeds gave the same matrix: the seed is ignored")
    return r.done()


def check_scaling(sizes, seconds, slope: float, low: float = 1.5, high: float = 3.8) -> bool:
    """``slope`` must be the least-squares slope of log(seconds) vs log(sizes), and plausible for O(n^3)."""
    r = _Report("scaling fit")
    sizes, seconds = list(sizes), list(seconds)
    if not r.check(len(sizes) == len(seconds) >= 3, "one time per size, at least 3 sizes",
                   f"{len(sizes)} sizes but {len(seconds)} times; need at least 3 of each"):
        return r.done()
    r.check(all(t > 0 for t in seconds), "all times positive", "some time is not positive")
    reference = power_law_slope(sizes, seconds)
    r.check(abs(slope - reference) < 0.05, "slope is the least-squares fit of log t vs log n",
            f"your slope {slope:.2f} differs from the fit of your data, {reference:.2f}: fit log(t) against log(n)")
    r.check(low <= reference <= high, "slope in the range an O(n^3) algorithm shows at these sizes",
            f"fitted slope {reference:.2f} is outside [{low}, {high}]: use larger sizes, so that the O(n^3) "
            "work dominates the fixed overheads")
    return r.done()


def check_hebbian_weights(fn: Callable[[torch.Tensor], torch.Tensor]) -> bool:
    """``fn(patterns)`` (patterns as the columns of an (N, p) +/-1 matrix) must return
    W = sum_mu y^mu (y^mu)^T - p I: Hebb's rule without self-connections."""
    r = _Report("hebbian_weights")
    gen = torch.Generator().manual_seed(7)
    y = (torch.randint(0, 2, (12, 3), generator=gen) * 2 - 1).double()
    w = _call(r, fn, y.clone())
    if w is None:
        return r.done()
    w = torch.as_tensor(w, dtype=torch.float64)
    if not r.check(w.shape == (12, 12), "shape (N, N)", f"expected (12, 12) for 12 neurons, got {tuple(w.shape)}"):
        return r.done()
    r.check(torch.allclose(w, w.T), "symmetric, w_ij = w_ji", "not symmetric: Hebb's rule gives w_ij = w_ji")
    r.check(bool((w.diagonal() == 0).all()), "no self-connections (zero diagonal)",
            "the diagonal is not zero: subtract p I (no neuron connects to itself)")
    expected = y @ y.T - 3 * torch.eye(12, dtype=torch.float64)
    r.check(torch.allclose(w, expected), "equals sum of y y^T minus p I",
            "wrong values: w_ij should be sum over patterns of y_i y_j (for i != j)")
    single = _call(r, fn, y[:, :1].clone())
    if single is not None:
        h = torch.as_tensor(single, dtype=torch.float64) @ y[:, 0]
        r.check(bool((torch.sign(h) == y[:, 0]).all()), "one stored pattern is a fixed point",
                "a single stored pattern is not stable: check the signs")
    return r.done()


def check_energy(fn: Callable[[torch.Tensor, torch.Tensor], float]) -> bool:
    """``fn(W, s)`` must return E = -1/2 s^T W s, and show E(-s) = E(s)."""
    r = _Report("energy")
    gen = torch.Generator().manual_seed(3)
    a = torch.randn(10, 10, generator=gen, dtype=torch.float64)
    w = a + a.T
    w.fill_diagonal_(0)
    s = (torch.randint(0, 2, (10,), generator=gen) * 2 - 1).double()
    e = _call(r, fn, w, s)
    if e is None:
        return r.done()
    expected = float(-0.5 * s @ w @ s)
    r.check(abs(float(e) - expected) < 1e-9, "E = -1/2 s.W.s",
            f"got {float(e):.4f}, expected {expected:.4f}: E = -1/2 sum_ij w_ij s_i s_j (mind the 1/2 and the sign)")
    flipped = _call(r, fn, w, -s)
    if flipped is not None:
        r.check(abs(float(flipped) - float(e)) < 1e-9, "E(-s) = E(s): the inverted state is as low as the state",
                "E(-s) differs from E(s), but every term s_i s_j is unchanged when all signs flip")
    return r.done()
