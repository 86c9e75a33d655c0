"""Self-checks for Notebook 04: hybrid updates, the Jacobi / even-odd iteration."""
from __future__ import annotations

from typing import Callable

import torch

from ._report import _Report, _call

__all__ = ['check_hybrid_step', 'check_jacobi_iteration']


def _sign_keep(h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    return torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, s)).to(s.dtype)


def _small_network(seed: int = 11, n: int = 64, p: int = 12, probes: int = 5):
    gen = torch.Generator().manual_seed(seed)
    xi = (torch.randint(0, 2, (n, p), generator=gen) * 2 - 1).double()
    nj = xi @ xi.T - p * torch.eye(n, dtype=torch.float64)
    s = (torch.randint(0, 2, (n, probes), generator=gen) * 2 - 1).double()  # far from any fixed point
    return xi, nj, s


def check_hybrid_step(fn: Callable) -> bool:
    """``fn(NJ, S, k, gen)`` must update a random subset of round(k N) neurons at once (sign rule,
    ties keep), leave the others alone, return a new tensor, and draw the subset from ``gen``."""
    r = _Report("hybrid_step")
    _xi, nj, s = _small_network()
    before = s.clone()
    full = _call(r, fn, nj, s, 1.0, torch.Generator().manual_seed(0))
    if full is None:
        return r.done()
    r.check(torch.equal(s, before), "the input state is left unchanged", "the input S was modified in place: clone it first")
    r.check(torch.equal(torch.as_tensor(full, dtype=torch.float64), _sign_keep(nj @ before, before)),
            "k = 1 is the synchronous update", "k = 1 should update every neuron at once: sign(NJ S), ties keep their state")
    part = _call(r, fn, nj, before.clone(), 0.25, torch.Generator().manual_seed(1))
    if part is not None:
        part = torch.as_tensor(part, dtype=torch.float64)
        changed_rows = (part != before).any(1)
        r.check(int(changed_rows.sum()) <= 16, "k = 0.25 changes at most round(k N) = 16 of 64 neurons",
                f"{int(changed_rows.sum())} of 64 neurons changed with k = 0.25; only a random subset of 16 may update")
        target = _sign_keep(nj @ before, before)
        r.check(bool((part[changed_rows] == target[changed_rows]).all()), "updated neurons follow the sign of their field",
                "a neuron changed to the wrong value: it must take the sign of its field computed from the old state")
        again = _call(r, fn, nj, before.clone(), 0.25, torch.Generator().manual_seed(1))
        other = _call(r, fn, nj, before.clone(), 0.25, torch.Generator().manual_seed(2))
        if again is not None and other is not None:
            r.check(torch.equal(torch.as_tensor(again, dtype=torch.float64), part) and
                    not torch.equal(torch.as_tensor(other, dtype=torch.float64), part),
                    "the subset comes from the generator", "the random subset must be drawn with the given generator")
    return r.done()


def check_jacobi_iteration(fn: Callable) -> bool:
    """``fn(xi, S, m)`` must update both layers of the bipartite network from the *old* values:
    S' = sign(xi m) (ties keep), m' = xi^T S / N. Two such iterations equal one even-odd iteration."""
    r = _Report("jacobi_iteration")
    xi, _nj, s = _small_network(seed=5)
    n = xi.shape[0]
    m = xi.T @ s / n
    out = _call(r, fn, xi, s.clone(), m.clone())
    if out is None:
        return r.done()
    if not r.check(isinstance(out, tuple) and len(out) == 2, "returns (S_new, m_new)", "return a pair (S_new, m_new)"):
        return r.done()
    s1, m1 = (torch.as_tensor(x, dtype=torch.float64) for x in out)
    r.check(torch.equal(s1, _sign_keep(xi @ m, s)), "neurons: S' = sign(xi m) from the old memories",
            "S_new is wrong: every neuron takes the sign of sum_mu xi_i^mu m_mu, with the OLD m (ties keep)")
    r.check(torch.allclose(m1, xi.T @ s / n), "memories: m' = xi^T S / N from the old neurons",
            "m_new is wrong: it must use the OLD S (that is what makes it Jacobi, not even-odd)")
    out2 = _call(r, fn, xi, s1, m1)
    if out2 is not None:
        even_odd = _sign_keep(xi @ (xi.T @ s / n), s1)
        r.check(torch.equal(torch.as_tensor(out2[0], dtype=torch.float64), even_odd),
                "two Jacobi iterations = one even-odd iteration", "after two iterations S should equal sign(xi xi^T S / N)")
    return r.done()
