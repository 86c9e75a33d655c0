"""Self-checks for Notebook 01: Hebbian weights, the energy of a state."""
from __future__ import annotations

from typing import Callable

import torch

from ._report import _Report, _call, _call_matrix

__all__ = ['check_hebbian_weights', 'check_energy']


def check_hebbian_weights(fn: Callable[[torch.Tensor], torch.Tensor]) -> bool:
    """``fn(patterns)`` (patterns as the columns of an (N, p) +/-1 matrix) must return
    W = sum_mu y^mu (y^mu)^T - p I: Hebb's rule without self-connections."""
    r = _Report("hebbian_weights")
    gen = torch.Generator().manual_seed(7)
    y = (torch.randint(0, 2, (12, 3), generator=gen) * 2 - 1).double()
    w = _call_matrix(r, fn, (y.clone(),), (12, 12), "(N, N)")
    if w is None:
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
