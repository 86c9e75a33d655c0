"""The continuous modern Hopfield network [R20]: real-valued patterns and states, one softmax update.

Patterns X (d, K) of real numbers, a state xi:

    E(xi) = -lse(beta, X^T xi) + xi^T xi / 2 + ln(K) / beta + M^2 / 2,   lse(beta, z) = ln(sum_mu e^(beta z_mu)) / beta,

M the largest pattern norm; the update xi <- X softmax(beta X^T xi) never raises E.

Problems too large for the device's free memory are processed in column chunks that fit.

[R20] H. Ramsauer et al., "Hopfield Networks is All You Need", arXiv:2008.02217.
"""
from __future__ import annotations

import math

import torch

from ._checks import check_range, memory_limit_bytes, real_tensor
from .device import columns_that_fit

__all__ = ["lse", "continuous_energy", "continuous_update", "relative_error", "retrieval_onset"]

_MAX_BISECTIONS = 200  # retrieval_onset: more halvings than any allowed rtol needs (never a hang)


def _finite(x: torch.Tensor, name: str) -> None:
    if x.is_floating_point() and not bool(torch.isfinite(x).all()):
        bad = x[~torch.isfinite(x)][0].item()
        raise ValueError(f"{name} holds {bad!r}; allowed: finite real numbers")


def _scaled_logits(beta: float, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
    """beta z, or where that overflows beta (z - max z) and the max (softmax and lse are shift-invariant)."""
    t = beta * z
    if bool(torch.isfinite(t).all()):
        return t, None
    z = z.to(torch.float64)  # beta itself may lie beyond the range of a narrower dtype
    top = z.max(0, keepdim=True).values
    return beta * (z - top), top[0]


def _lse(beta: float, z: torch.Tensor) -> torch.Tensor:
    t, top = _scaled_logits(beta, z)
    out = torch.logsumexp(t, dim=0) / beta
    return out if top is None else top + out


def lse(beta: float, z: torch.Tensor) -> torch.Tensor:
    """lse(beta, z) = ln(sum_mu exp(beta z_mu)) / beta along dim 0 (stable for any beta > 0)."""
    check_range("beta", beta, 0.0, None, low_open=True)
    z = real_tensor(z, "z")
    if z.dim() == 0 or z.shape[0] == 0:
        raise ValueError(f"z has shape {tuple(z.shape)}; expected at least one entry along dim 0")
    _finite(z, "z")
    return _lse(beta, z)


def _real_pair(patterns, queries) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """Shape-checked real patterns (d, K) and queries (d, P) (a vector: one query), not yet converted."""
    x, q = real_tensor(patterns, "patterns"), real_tensor(queries, "queries")
    vector = q.dim() == 1
    if vector:
        q = q[:, None]
    if x.dim() != 2 or q.dim() != 2 or x.shape[0] != q.shape[0]:
        raise ValueError(f"patterns {tuple(x.shape)} and queries {tuple(q.shape)} do not fit; expected (d, K) and (d, P)")
    if x.numel() == 0 or q.numel() == 0:
        raise ValueError(f"patterns {tuple(x.shape)} and queries {tuple(q.shape)}: allowed d >= 1, K >= 1 patterns "
                         "and P >= 1 queries")
    _finite(x, "patterns")
    _finite(q, "queries")
    return x, q, vector


def _dots(x: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    z = x.T @ q
    if not bool(torch.isfinite(z).all()):
        raise ValueError("patterns and queries are too large: their dot products X^T xi overflow float64 "
                         "(allowed: values whose products stay below 1.8e308)")
    return z


def continuous_energy(patterns: torch.Tensor, queries: torch.Tensor, beta: float) -> torch.Tensor:
    """[R20]: E(xi) = -lse(beta, X^T xi) + xi^T xi / 2 + ln(K) / beta + M^2 / 2 for each column xi."""
    check_range("beta", beta, 0.0, None, low_open=True)
    x, q, _ = _real_pair(patterns, queries)
    d, k = x.shape
    chunk = columns_that_fit(8 * (3 * k + d), q.shape[1], 8 * d * k, x.device, f"energies with K={k} patterns of d={d}")
    x, q = x.to(torch.float64), q.to(x.device, torch.float64)
    big_m = x.norm(dim=0).max()
    out = []
    for i in range(0, q.shape[1], chunk):
        qc = q[:, i:i + chunk]
        z = _dots(x, qc)
        if beta >= 1e-3:
            out.append(-_lse(beta, z) + 0.5 * (qc * qc).sum(0) + math.log(k) / beta + 0.5 * big_m ** 2)
        else:  # ln(K) / beta would swamp lse - ln(K) / beta = max z + ln(mean e^(beta (z - max z))) / beta
            top = z.max(0).values
            attraction = -(top + torch.log1p(torch.expm1(beta * (z - top)).mean(0)) / beta)
            out.append(attraction + 0.5 * (qc * qc).sum(0) + 0.5 * big_m ** 2)
    return torch.cat(out)


def continuous_update(patterns: torch.Tensor, queries: torch.Tensor, beta: float,
                      memory_limit: int | None = None) -> torch.Tensor:
    """One update of the continuous modern Hopfield network: xi <- X softmax(beta X^T xi), per column
    (stable for any beta > 0: where beta X^T xi overflows, its largest entry is subtracted first)."""
    check_range("beta", beta, 0.0, None, low_open=True)
    memory_limit = memory_limit_bytes(memory_limit)
    x, q, vector = _real_pair(patterns, queries)
    d, k = x.shape
    chunk = columns_that_fit(8 * 2 * k, q.shape[1], 8 * d * k, x.device, f"one update with K={k} patterns of d={d}",
                         memory_limit)
    x, q = x.to(torch.float64), q.to(x.device, torch.float64)
    out = torch.cat([x @ torch.softmax(_scaled_logits(beta, _dots(x, q[:, i:i + chunk]))[0], dim=0)
                     for i in range(0, q.shape[1], chunk)], 1)
    return out[:, 0] if vector else out


def relative_error(estimate: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """||estimate - target|| / ||target||, per column."""
    estimate, target = real_tensor(estimate, "estimate"), real_tensor(target, "target")
    if estimate.shape != target.shape or estimate.dim() not in (1, 2) or target.numel() == 0:
        raise ValueError(f"estimate {tuple(estimate.shape)} and target {tuple(target.shape)}: allowed two "
                         "non-empty vectors or (d, P) matrices of the same shape")
    _finite(target, "target")  # a NaN or inf estimate gives a NaN or inf error, as it should
    estimate, target = estimate.to(torch.float64), target.to(estimate.device, torch.float64)
    norm = target.norm(dim=0)
    if not bool((norm > 0).all()):
        raise ValueError("target has a column of zeros: its relative error is undefined; allowed: nonzero targets")
    return (estimate - target).norm(dim=0) / norm


def retrieval_onset(patterns: torch.Tensor, eps: float = 0.05, low: float = 1e-4, high: float = 1e4,
                    rtol: float = 1e-3) -> float:
    """The smallest beta at which one update from *every* stored pattern lands within relative
    error ``eps`` of it: bisection on log beta between ``low`` and ``high`` (to relative
    precision ``rtol``, 1e-12 <= rtol <= 1). The worst pattern's error falls as beta grows (its own
    softmax weight grows when it is the pattern most similar to itself, xi_i . xi_i > xi_i . xi_j, as for
    distinct patterns of equal norm); ``ValueError`` if it is still above eps at ``high``.
    """
    check_range("eps", eps, 0.0, 1.0, low_open=True)
    check_range("low", low, 0.0, None, low_open=True)
    check_range("high", high, low, None, low_open=True)
    check_range("rtol", rtol, 1e-12, 1.0)
    x, _, _ = _real_pair(patterns, patterns)
    x = x.to(torch.float64)
    if not bool((x.norm(dim=0) > 0).all()):
        raise ValueError("patterns has a column of zeros, whose relative error is undefined; allowed: nonzero patterns")

    def worst(beta):
        return float(relative_error(continuous_update(x, x, beta), x).max())

    if worst(high) > eps:
        raise ValueError(f"high={high!r}: even at beta = high some pattern is not retrieved within eps={eps}; "
                         "is some pattern more similar to another (a larger dot product) than to itself?")
    if worst(low) <= eps:
        return low
    for _ in range(_MAX_BISECTIONS):
        if not high / low > 1 + rtol:
            break
        product = low * high
        mid = math.sqrt(product) if 0 < product < math.inf else math.sqrt(low) * math.sqrt(high)
        if not low < mid < high:  # adjacent floats: nothing left to halve
            break
        low, high = (low, mid) if worst(mid) <= eps else (mid, high)
    return high
