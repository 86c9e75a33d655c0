"""Learning rules: how the weights W of a Hopfield network are made from the patterns.

Every rule takes the patterns as the columns of an (N, p) matrix of +/-1 values and returns
a symmetric (N, N) float64 weight matrix. A neuron's field is h = W s and a state is a fixed
point when every bit agrees strictly with its field, s_i h_i > 0 (a field of exactly 0 is
not a decision, so it counts as unstable here).

- ``hebb``: W = X X^T / N. Local and one-shot, but correlated patterns add crosstalk that
  is no longer random noise; random patterns stay stable up to p ~ N / (2 ln N).
- ``storkey`` [S97]: incremental and local, each pattern corrects the weights by the
  fields the earlier patterns already make; capacity ~ N / sqrt(2 ln N).
- ``projection`` (pseudo-inverse) [PGD85, KS87]: W = X (X^T X)^-1 X^T, the orthogonal
  projector onto the patterns' span: W x = x for every stored pattern, up to p = N linearly
  independent ones, correlated or not. Non-local: O(N p^2 + p^3) to build.

By default the diagonal is zero (no self-coupling), as in the rest of the course. Fields are
sums of rounded float64 numbers (1/N is not exact), so a field within ``TIE`` = 1e-9 of 0
counts as exactly 0: not a decision (unstable; under recall the neuron keeps its state).

Bad input is refused with a ``ValueError`` naming the parameter: patterns that are not +/-1,
complex numbers (their imaginary part would be dropped), weights that are not finite or
whose shape does not match the patterns', and counts that are not integers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from ._checks import _short, check_choice, check_pm1_values, check_range, generator_for

__all__ = ["TIE", "hebb", "storkey", "storkey_step", "projection", "RULES", "local_fields", "stable_patterns",
           "stable_fraction", "stability_curve", "Recall", "recall"]


TIE = 1e-9


def _sign_keep(h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """sign(h), keeping s where |h| <= TIE."""
    return torch.where(h > TIE, 1.0, torch.where(h < -TIE, -1.0, s)).to(torch.float64)


def _real(value, name: str) -> torch.Tensor:
    """``value`` as a float64 tensor (a list read directly as float64, as ``torch.as_tensor(value,
    dtype=torch.float64)`` does); ``ValueError`` naming ``name`` unless it is real numbers."""
    try:
        x = torch.as_tensor(value)
        if not x.is_complex() and not isinstance(value, torch.Tensor) and not hasattr(value, "dtype"):
            return torch.as_tensor(value, dtype=torch.float64)  # a list: no round trip through float32
    except (TypeError, ValueError, RuntimeError, OverflowError) as err:
        raise ValueError(f"{name}={_short(value)} is not allowed; {name} must be a tensor of real numbers "
                         f"({err})") from None
    if x.is_complex():
        raise ValueError(f"{name} has dtype {x.dtype}; allowed: a real dtype (the imaginary part would be dropped)")
    return x.to(torch.float64)


def _weights(weights, n: int, against: str) -> torch.Tensor:
    """``weights`` as a float64 (n, n) matrix; ``ValueError`` unless it is one of finite real numbers
    with that shape (``against``: what fixes n, named in the message)."""
    w = _real(weights, "weights")
    if tuple(w.shape) != (n, n):
        raise ValueError(f"weights has shape {tuple(w.shape)}; expected ({n}, {n}) for {against}")
    finite = torch.isfinite(w)
    if not bool(finite.all()):
        i, j = (int(v) for v in (~finite).nonzero()[0])
        raise ValueError(f"weights[{i}, {j}]={float(w[i, j])!r} is not allowed; every weight must be a finite number")
    return w


def _count(name: str, value, low: int, high: int | None = None) -> int:
    """An integer count in [low, high] as a Python int (a 0-d integer tensor too); ``ValueError`` otherwise."""
    if (isinstance(value, torch.Tensor) and value.dim() == 0 and value.dtype != torch.bool
            and not value.is_floating_point() and not value.is_complex()):
        value = int(value)
    check_range(name, value, low, high, integer=True)
    return int(value)


def _patterns(patterns: torch.Tensor, name: str = "patterns") -> torch.Tensor:
    """``patterns`` as a float64 (N, p) matrix; ValueError unless it is one of +/-1 values."""
    try:
        x = torch.as_tensor(patterns)
    except (TypeError, ValueError, RuntimeError, OverflowError) as err:
        raise ValueError(f"{name}={_short(patterns)} is not allowed; {name} must be a tensor of +1 and -1 "
                         f"values ({err})") from None
    if x.is_complex():
        raise ValueError(f"{name} has dtype {x.dtype}; allowed: +1 and -1 in a real dtype "
                         "(the imaginary part would be dropped)")
    if x.dim() == 1:
        x = x[:, None]
    if x.dim() != 2 or x.shape[0] < 2 or x.shape[1] < 1:
        raise ValueError(f"{name} has shape {tuple(x.shape)}; expected (N, p) with N >= 2 neurons and p >= 1 patterns")
    x = x.to(torch.float64)
    check_pm1_values(name, x)
    return x


def hebb(patterns: torch.Tensor, self_coupling: bool = False) -> torch.Tensor:
    """Hebb's rule W = X X^T / N (zero diagonal unless ``self_coupling``)."""
    x = _patterns(patterns)
    w = x @ x.T / x.shape[0]
    if not self_coupling:
        w.fill_diagonal_(0.0)
    return w


def storkey_step(weights: torch.Tensor, pattern: torch.Tensor) -> torch.Tensor:
    """One step of Storkey's rule [S97]: the weights after learning one more pattern x.

    ``pattern`` is one +/-1 vector (N,), or an (N, k) matrix whose columns are learned one
    after the other, left to right (k steps, the same as k calls).

    w_ij += (x_i x_j - x_i h_ji - h_ij x_j) / N for i != j, with the local field
    h_ij = sum_{k != i, j} w_ik x_k = h_i - w_ij x_j (the diagonal is zero), h = W x.
    Returns a new matrix; ``weights`` is not modified.

    For a symmetric W (every W this rule makes) and x_i^2 = 1 the step is a rank-2 update:
    x_i h_ji = x_i h_j - w_ij and h_ij x_j = h_i x_j - w_ij, so
    W' = (1 + 2/N) W + (x x^T - x h^T - h x^T) / N  (diagonal set to 0): three passes over
    W instead of about ten (what it buys: ~3x at N = 512).
    """
    xs = _patterns(pattern, "pattern")
    n = xs.shape[0]
    w = _weights(weights, n, f"a pattern of {n} neurons")
    w = w.clone()
    for mu in range(xs.shape[1]):
        w = _storkey_step(w, xs[:, mu])
    return w


def _storkey_step(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``storkey_step`` for a float64 (N, N) W that it may overwrite and a +/-1 float64 x (N,)."""
    n = x.shape[0]
    w.fill_diagonal_(0.0)
    if torch.equal(w, w.T):
        return _storkey_update_(w, x)
    h = w @ x  # the plain formula
    h_ij = h[:, None] - w * x[None, :]  # the field on i without the contributions of i and j
    new = w + (x[:, None] * x[None, :] - x[:, None] * h_ij.T - h_ij * x[None, :]) / n
    new.fill_diagonal_(0.0)
    return new


def _storkey_update_(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Storkey's step in place for a symmetric, zero-diagonal float64 W and a +/-1 float64 x."""
    n = x.shape[0]
    h = w @ x
    w.mul_(1.0 + 2.0 / n).addr_(x, x - h, alpha=1.0 / n).addr_(h, x, alpha=-1.0 / n)
    w.fill_diagonal_(0.0)
    return w


def storkey(patterns: torch.Tensor) -> torch.Tensor:
    """Storkey's rule [S97]: start from W = 0 and apply ``storkey_step`` for each pattern in turn."""
    x = _patterns(patterns)
    w = torch.zeros(x.shape[0], x.shape[0], dtype=torch.float64, device=x.device)
    for mu in range(x.shape[1]):
        _storkey_update_(w, x[:, mu])
    return w


def projection(patterns: torch.Tensor, self_coupling: bool = False, rcond: float = 1e-10) -> torch.Tensor:
    """The projection (pseudo-inverse) rule W = X (X^T X)^+ X^T (zero diagonal unless ``self_coupling``).

    W is the orthogonal projector onto the span of the patterns, so W x = x for each of them.
    Linearly dependent patterns are handled by the pseudo-inverse (singular values below
    ``rcond`` times the largest are dropped). Cost: O(N p^2) for X^T X and X (.), O(p^3) to invert.
    """
    x = _patterns(patterns)
    check_range("rcond", rcond, 0.0, 1.0)
    gram = x.T @ x
    w = x @ torch.linalg.pinv(gram, rtol=rcond, hermitian=True) @ x.T
    w = (w + w.T) / 2  # symmetric up to rounding
    if not self_coupling:
        w.fill_diagonal_(0.0)
    return w


RULES: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {"hebb": hebb, "storkey": storkey, "projection": projection}


def local_fields(weights: torch.Tensor, states: torch.Tensor) -> torch.Tensor:
    """The local fields h = W s, one column per state.

    ``states``: an (N,) vector or an (N, P) matrix of finite real numbers; ``weights``: (N, N), finite.
    """
    s = _real(states, "states")
    if s.dim() not in (1, 2):
        raise ValueError(f"states has shape {tuple(s.shape)}; expected (N,) or (N, P): one column per state")
    finite = torch.isfinite(s)
    if not bool(finite.all()):
        raise ValueError(f"states has a non-finite entry ({float(s[~finite][0])!r}); "
                         "every entry must be a finite number")
    w = _weights(weights, s.shape[0], f"states of shape {tuple(s.shape)} (N = {s.shape[0]} neurons)")
    return w @ s


def stable_patterns(weights: torch.Tensor, patterns: torch.Tensor) -> torch.Tensor:
    """For each column x of ``patterns``: is it a fixed point, x_i (W x)_i > 0 for every i
    (a field within ``TIE`` of 0 counting as 0)?"""
    x = _patterns(patterns)
    w = _weights(weights, x.shape[0], f"patterns of shape {tuple(x.shape)} (N = {x.shape[0]} neurons)")
    return (w @ x * x > TIE).all(0)


def stable_fraction(weights: torch.Tensor, patterns: torch.Tensor) -> float:
    """The fraction of the columns of ``patterns`` that are fixed points of W."""
    return float(stable_patterns(weights, patterns).double().mean())


def stability_curve(rule: str, patterns: torch.Tensor, ps) -> torch.Tensor:
    """Fraction of stored patterns that are fixed points after storing the first p columns, for each p in ``ps``.

    ``ps`` is a sequence of integers in [1, number of columns] (for one p, ``ps=[p]``).
    Storkey's rule is incremental, so its curve is built in one pass over the patterns.
    """
    check_choice("rule", rule, RULES)
    x = _patterns(patterns)
    allowed = f"ps must be a sequence of integers p in [1, {x.shape[1]}] (for one p: ps=[p])"
    if isinstance(ps, (str, bytes)):
        raise ValueError(f"ps={ps!r} is not allowed; {allowed}")
    try:
        ps = list(ps)
    except TypeError:
        raise ValueError(f"ps={_short(ps)} is not allowed; {allowed}") from None
    ps = [_count("p", p, 1, x.shape[1]) for p in ps]
    out = torch.empty(len(ps), dtype=torch.float64)
    if rule == "storkey":
        w = torch.zeros(x.shape[0], x.shape[0], dtype=torch.float64)
        done = 0
        for k, p in sorted(enumerate(ps), key=lambda kp: kp[1]):
            for mu in range(done, p):
                _storkey_update_(w, x[:, mu])
            done = p
            out[k] = stable_fraction(w, x[:, :p])
        return out
    for k, p in enumerate(ps):
        out[k] = stable_fraction(RULES[rule](x[:, :p]), x[:, :p])
    return out


@dataclass(frozen=True)
class Recall:
    """The end of an asynchronous recall: ``final_state`` (N, P), whether each probe reached a
    fixed point (``converged``), and how many sweeps ran."""

    final_state: torch.Tensor
    converged: torch.Tensor
    sweeps_run: int


def recall(weights: torch.Tensor, probes: torch.Tensor, sweeps: int = 50,
           seed: int | torch.Generator = 0) -> Recall:
    """Asynchronous recall: sweep the neurons in a random order (a new order each sweep, the
    same for every probe), s_i <- sign(h_i) with h = W s, a field of 0 (within ``TIE``) keeping s_i; stop
    after a sweep that changes nothing or after ``sweeps`` sweeps.

    With a symmetric W and a non-negative diagonal (all three rules here) every sweep lowers
    the energy -s^T W s / 2 or leaves the state alone, so recall ends at a fixed point.
    """
    sweeps = _count("sweeps", sweeps, 1)
    s = _patterns(probes, "probes").clone()
    w = _weights(weights, s.shape[0], f"the probes, of shape {tuple(s.shape)} (N = {s.shape[0]} neurons)")
    gen = generator_for(seed, "cpu", stream="order")
    for sweep in range(1, sweeps + 1):
        changed = False
        for i in torch.randperm(s.shape[0], generator=gen).tolist():
            new = _sign_keep(w[i] @ s, s[i])  # the field of neuron i, fresh (no drift from rounding)
            if not torch.equal(new, s[i]):
                changed = True
                s[i] = new
        if not changed:
            break
    converged = (_sign_keep(w @ s, s) == s).all(0)
    return Recall(s, converged, sweep)
