"""Self-checks for Notebook 06: the Glauber probability."""
from __future__ import annotations

from typing import Callable

import torch

from ._report import _Report, _call

__all__ = ['check_glauber_probability']


def check_glauber_probability(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> bool:
    """``fn(h, T)`` must return P(S = +1) = (1 + tanh(h / T)) / 2, with T = 0 the step function (1/2 at h = 0)."""
    r = _Report("glauber_probability")
    h = torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0], dtype=torch.float64)
    got = _call(r, fn, h.clone(), 0.5)
    if got is None:
        return r.done()
    expected = 0.5 * (1 + torch.tanh(h / 0.5))
    r.check(torch.allclose(torch.as_tensor(got, dtype=torch.float64), expected, atol=1e-9),
            "P(+1) = (1 + tanh(h / T)) / 2", "wrong values at T = 0.5: P(+1) = (1 + tanh(h / T)) / 2, not tanh itself or exp")
    cold = _call(r, fn, h.clone(), 0.0)
    if cold is not None:
        r.check(torch.allclose(torch.as_tensor(cold, dtype=torch.float64), torch.tensor([0, 0, 0.5, 1, 1], dtype=torch.float64)),
                "T = 0: the deterministic sign rule (1/2 for a tie)",
                "at T = 0 the probability must be 0 or 1 by the sign of h (1/2 at h = 0), without dividing by zero")
    hot = _call(r, fn, h.clone(), 1e6)
    if hot is not None:
        r.check(torch.allclose(torch.as_tensor(hot, dtype=torch.float64), torch.full((5,), 0.5, dtype=torch.float64), atol=1e-5),
                "T -> infinity: pure noise, P = 1/2", "at very high T every neuron should be +1 with probability 1/2")
    return r.done()
