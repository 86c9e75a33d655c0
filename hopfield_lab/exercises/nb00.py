"""Self-checks for Notebook 00: random symmetric matrices, fitting a power law."""
from __future__ import annotations

from typing import Callable

import torch

from ..measure import power_law_slope
from ._report import _Report, _call, _call_matrix

__all__ = ['check_random_symmetric', 'check_fit_slope']


def check_random_symmetric(fn: Callable[[int, int], torch.Tensor]) -> bool:
    """``fn(n, seed)`` must return (A + A^T) / 2 for A with i.i.d. standard Gaussian entries."""
    r = _Report("random_symmetric")
    a = _call_matrix(r, fn, (400, 0), (400, 400), "(n, n)")
    if a is None:
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


def check_fit_slope(fn: Callable[[list, list], float]) -> bool:
    """``fn(sizes, seconds)`` must return the least-squares slope of log(seconds) vs log(sizes)."""
    r = _Report("fit_slope")
    sizes = [100, 200, 400, 800, 1600]
    wobble = [1.10, 0.92, 1.05, 0.97, 1.02]  # measured times scatter; a two-point estimate is not enough
    seconds = [1e-8 * n**2.8 * w for n, w in zip(sizes, wobble)]
    got = _call(r, fn, sizes, seconds)
    if got is None:
        return r.done()
    expected = power_law_slope(sizes, seconds)
    r.check(abs(float(got) - expected) < 1e-6, "least-squares slope of log t vs log n",
            f"got {float(got):.4f}, expected {expected:.4f}: fit a line to (log n, log t) through all points")
    exact = _call(r, fn, [10, 20, 40], [1.0, 8.0, 64.0])
    if exact is not None:
        r.check(abs(float(exact) - 3.0) < 1e-6, "t = n^3 gives slope 3", f"t = n^3 gave {float(exact):.4f}, not 3")
    return r.done()
