"""Self-checks for Notebook 01: Hebbian weights, the energy of a state."""
from __future__ import annotations

from typing import Callable

import torch

from ._report import _Report, _call, _number, _pm1

__all__ = ['check_hebbian_weights', 'check_energy']


def _hebb_reference(y: torch.Tensor) -> torch.Tensor:
    """W = sum_mu y^mu (y^mu)^T - p I, entry by entry (shares nothing with a matrix-product answer)."""
    n, p = y.shape
    w = torch.zeros(n, n, dtype=torch.float64)
    for i in range(n):
        for j in range(n):
            if i != j:
                w[i, j] = sum(float(y[i, mu] * y[j, mu]) for mu in range(p))
    return w


def check_hebbian_weights(fn: Callable[[torch.Tensor], torch.Tensor]) -> bool:
    """``fn(patterns)`` (patterns as the columns of an (N, p) +/-1 matrix) must return
    W = sum_mu y^mu (y^mu)^T - p I: Hebb's rule without self-connections."""
    r = _Report("hebbian_weights")
    n, p = 12, 3
    y = _pm1(torch.Generator().manual_seed(7), n, p)
    given = y.clone()
    out = _call(r, fn, given)
    if out is None:
        return r.done()
    w = torch.as_tensor(out, dtype=torch.float64)
    if tuple(w.shape) == (p, p):
        r.check(False, "", f"got shape {(p, p)} = (p, p): the patterns are the COLUMNS of the (N, p) matrix, "
                           "so sum the outer products of columns: patterns @ patterns.T is (N, N)")
        return r.done()
    if not r.check(tuple(w.shape) == (n, n), "shape (N, N)", f"expected shape {(n, n)} (N, N), got {tuple(w.shape)}"):
        return r.done()
    r.check(torch.equal(given, y), "leaves the patterns unchanged",
            "your function changed the patterns passed to it (an in-place operation): work on a copy")
    expected = _hebb_reference(y)
    r.check(torch.allclose(w, w.T), "symmetric, w_ij = w_ji", "not symmetric: Hebb's rule gives w_ij = w_ji")
    _check_hebb_diagonal(r, w, n, p)
    _check_hebb_off_diagonal(r, w, y, expected)
    single = _call(r, fn, y[:, :1].clone())
    if single is not None:
        h = torch.as_tensor(single, dtype=torch.float64) @ y[:, 0]
        r.check(bool((torch.sign(h) == y[:, 0]).all()), "one stored pattern is a fixed point",
                "a single stored pattern is not stable: check the signs")
    floats = _call(r, fn, y.float()) if r.ok else None  # only worth saying once the rest is right
    if floats is not None:
        r.check(torch.allclose(torch.as_tensor(floats, dtype=torch.float64), expected),
                "works for float32 patterns too", "float32 patterns give different weights")
    return r.done()


def _check_hebb_diagonal(r: _Report, w: torch.Tensor, n: int, p: int) -> None:
    """A zero diagonal; else which subtraction (none, I, N I, a 1/N scale) left it non-zero."""
    diag = w.diagonal()
    if bool((diag == 0).all()):
        r.check(True, "no self-connections (zero diagonal)", "")
        return
    value = float(diag.mean())
    why = {float(p): "it still has the self-connections: subtract p I, with p = patterns.shape[1]",
           float(p - 1): "you subtracted I; every diagonal entry of sum_mu y y^T is p, so subtract p I",
           float(p - n): "you subtracted N I: p is the number of patterns, patterns.shape[1], not N",
           p / n: "W is scaled by 1/N and keeps the diagonal: this exercise asks for sum y y^T - p I"}
    r.check(False, "", f"the diagonal is {value:g}, not zero: "
                       + why.get(value, "subtract p I (no neuron connects to itself)"))


def _check_hebb_off_diagonal(r: _Report, w: torch.Tensor, y: torch.Tensor, expected: torch.Tensor) -> None:
    """w_ij = sum_mu y_i y_j for i != j; else the mistake (p subtracted everywhere, one pattern only,
    a 1/N scale, the sign)."""
    n, p = y.shape
    off = ~torch.eye(n, dtype=torch.bool)
    last, first = torch.outer(y[:, -1], y[:, -1]), torch.outer(y[:, 0], y[:, 0])
    if torch.allclose(w[off], expected[off] - p):
        r.check(False, "", f"every off-diagonal weight is {p} too small: you subtracted p from every entry (a number, "
                           "or the vector torch.diag(W), broadcasts over the whole matrix); subtract it from the "
                           "diagonal only, p * torch.eye(N)")
    elif torch.allclose(w[off], last[off]) or torch.allclose(w[off], first[off]):
        r.check(False, "", "the weights hold only one pattern's outer product: in a loop, add each pattern's "
                           "y y^T to W (W = W + ..., or +=) instead of replacing W")
    elif torch.allclose(w[off] * n, expected[off]):
        r.check(False, "", "the weights are divided by N ([V20]'s J): this exercise asks for W = sum y y^T - p I")
    elif torch.allclose(w[off], -expected[off]):
        r.check(False, "", "the off-diagonal weights have the wrong sign: w_ij = +sum_mu y_i y_j")
    else:
        r.check(torch.allclose(w[off], expected[off]), "w_ij = sum over patterns of y_i y_j (i != j)",
                "wrong off-diagonal values: w_ij should be sum over patterns of y_i y_j")


def _energy_mistakes(w: torch.Tensor, s: torch.Tensor, expected: float) -> dict[float, str]:
    """{the energy a mistake gives: what to say}."""
    return {-expected: "the sign is flipped: E = MINUS 1/2 s^T W s, so aligned states have low energy",
            2 * expected: "twice the energy: you forgot the factor 1/2",
            -2 * expected: "both the sign and the factor 1/2 are missing",
            expected / 2: "half the energy: with the 1/2, sum over ALL pairs i, j (each pair counted twice)",
            expected / 10: "the energy divided by N: E = -1/2 s^T W s has no 1/N (that belongs to [V20]'s J)",
            float(-0.5 * w.sum()): "that is -1/2 times the sum of all w_ij: s * W * s multiplies every row by s "
                                   "twice along the same axis (broadcasting); use s @ W @ s"}


def check_energy(fn: Callable[[torch.Tensor, torch.Tensor], float]) -> bool:
    """``fn(W, s)`` must return E = -1/2 s^T W s (a number) for any square W, leave W and s
    unchanged, and show E(-s) = E(s)."""
    r = _Report("energy")
    gen = torch.Generator().manual_seed(3)
    a = torch.randn(10, 10, generator=gen, dtype=torch.float64)
    w = a + a.T
    w.fill_diagonal_(0)
    s = _pm1(gen, 10)
    e = _call(r, fn, w.clone(), s.clone())
    if e is None or (e := _number(r, e, "E", hint="the energy of one state is one number, "
                                  "s @ W @ s with s a vector")) is None:
        return r.done()
    expected = float(-0.5 * s @ w @ s)
    if abs(e - expected) >= 1e-9:
        why = next((say for value, say in _energy_mistakes(w, s, expected).items() if abs(e - value) < 1e-9),
                   "E = -1/2 sum_ij w_ij s_i s_j")
        r.check(False, "", f"got {e:.4f}, expected {expected:.4f}: {why}")
    else:
        r.check(True, "E = -1/2 s.W.s", "")
    _check_any_matrix(r, fn, w, s, gen)
    flipped = _call(r, fn, w.clone(), -s)
    if flipped is not None:
        r.check(abs(float(flipped) - e) < 1e-9, "E(-s) = E(s): the inverted state is as low as the state",
                "E(-s) differs from E(s), but every term s_i s_j is unchanged when all signs flip")
    aligned = _call(r, fn, torch.ones(4, 4, dtype=torch.float64) - torch.eye(4, dtype=torch.float64),
                    torch.ones(4, dtype=torch.float64))
    if aligned is not None:
        r.check(abs(float(aligned) + 6.0) < 1e-9, "4 aligned neurons with w = 1 have E = -6",
                f"4 aligned neurons with all w_ij = 1 gave E = {float(aligned):g}; expected -6")
    return r.done()


def _check_any_matrix(r: _Report, fn: Callable, w: torch.Tensor, s: torch.Tensor, gen: torch.Generator) -> None:
    """A W with a non-zero diagonal (W and s left unchanged) and a non-symmetric W (from ``gen``)."""
    w_diag = w.clone()
    w_diag.diagonal().copy_(torch.arange(1.0, 11.0, dtype=torch.float64))  # a W with self-couplings
    given_w, given_s = w_diag.clone(), s.clone()
    e_diag = _call(r, fn, given_w, given_s)
    if e_diag is not None:
        want = float(-0.5 * s @ w_diag @ s)
        r.check(torch.equal(given_w, w_diag) and torch.equal(given_s, s), "leaves W and s unchanged",
                "your function changed W or s passed to it (an in-place operation such as fill_diagonal_ or *=): "
                "work on a copy; the caller's matrix must stay as it was")
        if abs(float(e_diag) - want) >= 1e-9:
            pairs = float(-sum(w_diag[i, j] * s[i] * s[j] for i in range(10) for j in range(i + 1, 10)))
            hint = (" (you left out the i = j terms, or counted each pair once over i < j: that equals "
                    "-1/2 s^T W s only for a symmetric W with a zero diagonal)") if abs(float(e_diag) - pairs) < 1e-9 else ""
            r.check(False, "", f"a W with a non-zero diagonal gave {float(e_diag):.4f}, expected {want:.4f}: "
                               f"E = -1/2 s^T W s keeps the terms w_ii s_i^2 too{hint}")
        else:
            r.check(True, "any W: a non-zero diagonal counts too", "")
    skew = torch.randn(10, 10, generator=gen, dtype=torch.float64)  # not symmetric
    e_skew = _call(r, fn, skew.clone(), s.clone())
    if e_skew is not None:
        want = float(-0.5 * s @ skew @ s)
        r.check(abs(float(e_skew) - want) < 1e-9, "any W: a non-symmetric one too",
                f"a non-symmetric W gave {float(e_skew):.4f}, expected {want:.4f}: -1/2 s^T W s sums w_ij s_i s_j "
                "over ALL i and j, both triangles")
