"""Self-checks for Notebook 08: dense associative memory (the energy difference of one flip for
F(x) = x^n), the continuous modern Hopfield network (one update; where single-pattern retrieval
sets in).

Every check compares the student's function with the plain formula on cases of its own and,
where the answer matches a known wrong variant, names that mistake.
"""
from __future__ import annotations

import math
from typing import Callable

import torch

from ._report import _Report, _pm1, _call, _number

__all__ = ["check_flip_energy_difference", "check_continuous_update", "check_retrieval_onset"]


# --- Exercise: flip_energy_difference ----------------------------------------------------------

def _energy(xi: torch.Tensor, s: torch.Tensor, n: int) -> float:
    return -float(((xi.T @ s) ** n).sum())


def _flip_variants(xi: torch.Tensor, s: torch.Tensor, i: int, n: int) -> dict[str, float]:
    flipped = s.clone()
    flipped[i] = -flipped[i]
    x = xi.T @ s
    half = x - s[i] * xi[i]  # the overlap changed by s_i xi_i only
    right = _energy(xi, flipped, n) - _energy(xi, s, n)
    a = s[i] * xi[i]
    return {
        "right": right,
        "sign": -right,
        "half step": float(-((half ** n) - x ** n).sum()),
        "n = 2": _energy(xi, flipped, 2) - _energy(xi, s, 2),
        "energy only": _energy(xi, flipped, n),
        "no minus": -(_energy(xi, flipped, n) + _energy(xi, s, n)),
        "derivative": float((2 * n * a * x ** (n - 1)).sum()),
        "no s_i": float(-(((x - 2 * xi[i]) ** n) - x ** n).sum()),
        "normalised": float(-((((x - 2 * a) / len(s)) ** n) - (x / len(s)) ** n).sum()),
    }


_FLIP_MISTAKES = {
    "sign": "the sign is reversed: dE = E(after the flip) - E(before), and E = -sum_mu F(x_mu)",
    "half step": "flipping s_i changes each overlap by -2 s_i xi_i^mu (s_i goes to -s_i), not by -s_i xi_i^mu",
    "n = 2": "you used F(x) = x^2 whatever n is: use the power n given",
    "energy only": "you returned the energy after the flip; return the difference E(after) - E(before)",
    "derivative": ("you used the derivative F'(x) = n x^(n-1) (a linearisation); a flip changes each overlap by a "
                   "finite step of 2: take the exact difference F(x - 2 s_i xi_i) - F(x)"),
    "no s_i": ("the step of each overlap is -2 s_i xi_i^mu: it depends on the sign of s_i, not only on xi_i^mu "
               "(your answer is right only where s_i = +1)"),
    "normalised": "use the overlap xi^mu . s itself, as in E = -sum_mu (xi^mu . s)^n, not divided by N",
}


def _flip_cases():
    gen = torch.Generator().manual_seed(81)
    xi = _pm1(gen, 11, 6)
    s = _pm1(gen, 11)
    for n, i in ((3, 4), (4, 0), (2, 7), (5, 10)):
        yield f"N = 11, K = 6, n = {n}, flip bit {i} (s_i = {int(s[i]):+d})", xi, s, i, n


def check_flip_energy_difference(fn: Callable) -> bool:
    """``fn(xi, s, i, n)`` must return E(s with bit i flipped) - E(s) for E(s) = -sum_mu (xi^mu . s)^n,
    xi (N, K) of +/-1, s (N,) of +/-1; s must not change."""
    r = _Report("flip_energy_difference")
    results = []
    for label, xi, s, i, n in _flip_cases():
        s_in, xi_in = s.clone(), xi.clone()
        out = _call(r, fn, xi_in, s_in, i, n, label=label)
        if out is None:
            return r.done()
        if not (torch.equal(s_in, s) and torch.equal(xi_in, xi)):
            r.check(False, "", f"{label}: s (or xi) was modified in place; flip a copy (s.clone())")
            return r.done()
        got = _number(r, out, label)
        if got is None:
            return r.done()
        results.append((label, got, _flip_variants(xi, s, i, n)))
    named = next((msg for key, msg in _FLIP_MISTAKES.items()
                  if all(abs(got - v[key]) <= 1e-9 * max(1.0, abs(v[key])) for _, got, v in results)), None)
    for label, got, v in results:
        r.check(abs(got - v["right"]) <= 1e-9 * max(1.0, abs(v["right"])), f"{label}: dE = {v['right']:.0f}",
                f"{label}: expected {v['right']:.0f}, got {got:.6g}" + (f" - {named}" if named else ""))
    return r.done()


# --- Exercise: continuous_update ---------------------------------------------------------------

def _softmax_update(x, q, beta, dim=0):
    return x @ torch.softmax(beta * (x.T @ q), dim=dim)


def _max_wrong_dim(x, q, beta):
    """The update with each pattern's row maximum (over the queries) subtracted before exp: not a softmax."""
    z = beta * (x.T @ q)
    e = torch.exp(z - z.max(dim=1, keepdim=True).values)
    w = e / e.sum(0, keepdim=True)
    return x @ w if bool(torch.isfinite(w).all()) else None


def _continuous_cases():
    gen = torch.Generator().manual_seed(82)
    x = torch.randn(5, 7, generator=gen, dtype=torch.float64)
    q = torch.randn(5, 3, generator=gen, dtype=torch.float64)
    yield "d = 5, K = 7 patterns, 3 queries, beta = 0.5", x, q, 0.5
    yield "the same, beta = 2", x, q, 2.0
    big = torch.randn(8, 6, generator=gen, dtype=torch.float64) * 10
    yield "patterns of norm ~30 at beta = 10 (exp(beta x) alone overflows)", big, big[:, :2] + 0.1, 10.0


def check_continuous_update(fn: Callable) -> bool:
    """``fn(X, Q, beta)`` must return X softmax(beta X^T Q), the softmax over the K patterns for
    each query (column of Q), shape (d, P), finite for large beta X^T Q."""
    r = _Report("continuous_update")
    for label, x, q, beta in _continuous_cases():
        x_in, q_in = x.clone(), q.clone()
        out = _call(r, fn, x_in, q_in, beta, label=label)
        if out is None:
            return r.done()
        if not (torch.equal(x_in, x) and torch.equal(q_in, q)):
            r.check(False, "", f"{label}: X or Q was modified in place; leave the inputs as they are")
            return r.done()
        try:
            got = torch.as_tensor(out, dtype=torch.float64)
        except (TypeError, ValueError, RuntimeError) as err:
            r.check(False, "", f"{label}: the result is not a tensor: {err}")
            return r.done()
        d, k = x.shape
        p = q.shape[1]
        if tuple(got.shape) != (d, p):
            hint = " - that is the softmax weights p; return X @ p" if tuple(got.shape) == (k, p) else ""
            r.check(False, "", f"{label}: expected shape (d, P) = {(d, p)}, got {tuple(got.shape)}{hint}")
            return r.done()
        want = _softmax_update(x, q, beta)
        if not bool(torch.isfinite(got).all()):
            r.check(False, "", f"{label}: the result has inf or NaN: exp(beta x) overflowed; subtract each column's "
                               "largest value before exp, or use torch.softmax")
            continue
        if torch.allclose(got, want, atol=1e-9, rtol=1e-9):
            r.check(True, f"{label}: X softmax(beta X^T Q)", "")
            continue
        r.check(False, "", f"{label}: {_update_mistake(got, want, x, q, beta)}")
    return r.done()


def _update_mistake(got: torch.Tensor, want: torch.Tensor, x: torch.Tensor, q: torch.Tensor, beta: float) -> str:
    """What a wrong X softmax(beta X^T Q) most likely is (the softmax's dimension, beta, a 1/sqrt(d))."""
    if q.shape[1] > 1 and torch.allclose(got, _softmax_update(x, q, beta, dim=1), atol=1e-9):
        return "the softmax runs over the queries; it must run over the patterns (dim 0 of X^T Q), one per query"
    if torch.allclose(got, _softmax_update(x, q, 1.0), atol=1e-9):
        return "beta is missing: softmax(beta X^T Q)"
    if torch.allclose(got, _softmax_update(x, q, beta / math.sqrt(x.shape[0])), atol=1e-9):
        return "no 1/sqrt(d) here: the only scale inside the softmax is the beta given"
    if torch.allclose(got, beta * _softmax_update(x, q, 1.0), atol=1e-9):
        return "beta belongs inside the softmax, multiplying X^T Q, not outside it"
    if _max_wrong_dim(x, q, beta) is not None and torch.allclose(got, _max_wrong_dim(x, q, beta), atol=1e-9):
        return ("you subtracted the largest value over the queries (dim 1); for a stable softmax subtract each "
                "query's own largest value over the patterns (dim 0), or use torch.softmax(..., dim=0)")
    if torch.allclose(got, x @ (x.T @ q), atol=1e-9):
        return "the softmax is missing: X softmax(beta X^T Q), not X X^T Q"
    return f"differs from X softmax(beta X^T Q) by up to {float((got - want).abs().max()):.3g}"


# --- Exercise: retrieval_onset -----------------------------------------------------------------

def _worst_error(x: torch.Tensor, beta: float) -> float:
    new = _softmax_update(x, x, beta)
    return float(((new - x).norm(dim=0) / x.norm(dim=0)).max())


def _mean_error(x: torch.Tensor, beta: float) -> float:
    new = _softmax_update(x, x, beta)
    return float(((new - x).norm(dim=0) / x.norm(dim=0)).mean())


def _worst_absolute(x: torch.Tensor, beta: float) -> float:
    return float((_softmax_update(x, x, beta) - x).norm(dim=0).max())


def _worst_by_row(x: torch.Tensor, beta: float) -> float:
    new = _softmax_update(x, x, beta)
    return float(((new - x).norm(dim=1) / x.norm(dim=1)).max())


def _onset(x: torch.Tensor, eps: float, error=_worst_error) -> float:
    low, high = 1e-4, 1e4
    while high / low > 1 + 1e-4:
        mid = math.sqrt(low * high)
        low, high = (low, mid) if error(x, mid) <= eps else (mid, high)
    return high


_ONSET_MISTAKES = [
    (_worst_absolute, "you used the absolute error ||new - x||; the task asks for the relative error "
                      "||new - x|| / ||x|| of each pattern"),
    (_worst_by_row, "the norms run over the wrong dimension: a pattern is a column, take norm(dim=0)"),
]


def _onset_cases():
    gen = torch.Generator().manual_seed(83)
    x = torch.randn(16, 20, generator=gen, dtype=torch.float64)
    yield "20 random patterns in d = 16, eps = 0.05", x / x.norm(dim=0) * 4, 0.05
    common = torch.randn(32, 1, generator=gen, dtype=torch.float64)
    x = common + 0.6 * torch.randn(32, 40, generator=gen, dtype=torch.float64)  # correlated, like images
    yield "40 correlated patterns in d = 32, eps = 0.02", x / x.norm(dim=0) * 5, 0.02
    x = torch.randn(40, 12, generator=gen, dtype=torch.float64)
    x = x / x.norm(dim=0) * (3 + torch.rand(12, generator=gen, dtype=torch.float64))   # norms from 3 to 4
    yield "12 random patterns of unequal norms (3 to 4) in d = 40, eps = 0.01", x, 0.01


def check_retrieval_onset(fn: Callable) -> bool:
    """``fn(X, eps)`` must return the smallest beta (within 1 %) at which one update from every
    stored pattern (column of X) lands within relative error eps of that pattern; X must not change."""
    r = _Report("retrieval_onset")
    for label, x, eps in _onset_cases():
        x_in = x.clone()
        out = _call(r, fn, x_in, eps, label=label)
        if out is None:
            return r.done()
        if not torch.equal(x_in, x):
            r.check(False, "", f"{label}: X was modified in place; leave the patterns as they are")
            return r.done()
        got = _number(r, out, label)
        if got is None:
            return r.done()
        if not (math.isfinite(got) and got > 0):
            r.check(False, "", f"{label}: beta must be a positive number, got {got}")
            continue
        want = _onset(x, eps)
        if abs(got / want - 1) <= 0.01:
            r.check(True, f"{label}: beta = {want:.4g}", "")
            continue
        named = next((msg for error, msg in _ONSET_MISTAKES if abs(got / _onset(x, eps, error) - 1) <= 0.01), None)
        fixed = next((e for e in (0.01, 0.05, 0.02, 0.1) if e != eps and abs(got / _onset(x, e) - 1) <= 0.01), None)
        if named is not None:
            msg = named
        elif fixed is not None:
            msg = f"your beta is the onset for eps = {fixed}, not for the eps given ({eps}): use the argument eps"
        elif got < want:
            worst = _worst_error(x, got)
            if abs(got / _onset(x, eps, _mean_error) - 1) <= 0.01:
                msg = (f"at your beta = {got:.4g} the *average* error is eps but the worst pattern is still off by "
                       f"{worst:.3g}: every pattern must be retrieved, use the largest error")
            else:
                msg = f"at your beta = {got:.4g} some pattern is still off by {worst:.3g} > eps = {eps}: beta is too small"
        else:
            msg = (f"already at beta = {want:.4g} every pattern is within eps; you want the smallest such beta "
                   f"(yours, {got:.4g}, is {100 * (got / want - 1):.0f} % too large): refine the search, e.g. bisection on log beta")
        r.check(False, "", f"{label}: {msg}")
    return r.done()
