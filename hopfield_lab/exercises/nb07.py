"""Self-checks for Notebook 07: learning rules beyond Hebb (stable patterns, the projection rule,
Storkey's rule).

Every check runs the student's function on cases of its own, some built to expose one mistake
each (a row of the network reversed so every pattern has exactly one bad bit, a field of exactly
0, a field that rounding left at 1e-17), compares with the plain formula and, where the answer
matches a known wrong variant, names that mistake.
"""
from __future__ import annotations

from typing import Callable

import torch

from ._report import _Report, _pm1, _call, _number, _as_matrix

__all__ = ["check_stable_fraction", "check_projection_weights", "check_storkey_step"]


# --- Exercise: stable_fraction -----------------------------------------------------------------

def _fractions(w: torch.Tensor, x: torch.Tensor, tol: float = 1e-9) -> dict[str, float]:
    """The right answer and the values of the wrong variants a check can name."""
    h = w @ x
    no_diagonal = w.clone()
    no_diagonal.fill_diagonal_(0.0)
    return {
        "right": float((h * x > tol).all(0).double().mean()),
        "bits": float((h * x > tol).double().mean()),
        "ties": float((h * x >= -tol).all(0).double().mean()),
        "strict": float((h * x > 0).all(0).double().mean()),
        "sign": float((h > tol).all(0).double().mean()),
        "first": float((h * x > tol)[:, 0].all()),
        "unstable": 1.0 - float((h * x > tol).all(0).double().mean()),
        "tol ignored": float((h * x > 1e-9).all(0).double().mean()),
        "diagonal removed": float(((no_diagonal @ x) * x > tol).all(0).double().mean()),
    }


_STABLE_MISTAKES = {
    "bits": "you returned the fraction of stable *bits*; a pattern counts only if every one of its bits is stable",
    "ties": "a field of exactly 0 must count as unstable (x_i h_i > tol, strictly)",
    "strict": "a field that rounding left at ~1e-17 is a zero field: compare x_i h_i with tol, not with 0",
    "sign": "compare the field with the pattern's bit: a bit is stable when x_i h_i > 0, not when h_i > 0",
    "first": "you checked only the first pattern; count every column of X",
    "unstable": "you returned the fraction of *unstable* patterns",
    "tol ignored": "you ignored the tol argument: compare x_i h_i with the tol given, not with a fixed number",
    "diagonal removed": "use W as it is given: its diagonal (self-coupling) is part of the field, do not remove it",
}


def _stable_cases():
    gen = torch.Generator().manual_seed(71)
    x = _pm1(gen, 40, 3)
    w = x @ x.T
    w.fill_diagonal_(0)
    yield "3 random patterns stored by Hebb's rule (all stable)", w, x, 1e-9
    x = _pm1(gen, 30, 4)
    w = x @ x.T
    w.fill_diagonal_(0)
    w[5] = -w[5]  # neuron 5 now opposes every pattern: one bad bit in each
    yield "a network whose neuron 5 opposes every pattern (one bad bit each)", w, x, 1e-9
    x = _pm1(gen, 50, 12)
    w = x[:, :1] @ x[:, :1].T
    w.fill_diagonal_(0)
    yield "a network that stores only the first of 12 patterns", w, x, 1e-9
    yield "a network without connections (every field is exactly 0)", torch.zeros(6, 6, dtype=torch.float64), _pm1(gen, 6, 2), 1e-9
    w = torch.tensor([[0.0, 0.1, 0.2, -0.3], [0.1, 0.0, 1.0, 1.0], [0.2, 1.0, 0.0, 1.0], [-0.3, 1.0, 1.0, 0.0]],
                     dtype=torch.float64)
    yield "a field 0.1 + 0.2 - 0.3 that rounding leaves at 5.6e-17", w, torch.ones(4, 1, dtype=torch.float64), 1e-9
    x = _pm1(gen, 40, 6)
    w = x @ x.T / 40
    w.fill_diagonal_(0)
    yield "6 patterns stored by Hebb's rule (fields near 1), tol = 0.7", w, x, 0.7
    x = _pm1(gen, 30, 5)
    w = 3 * torch.eye(30, dtype=torch.float64) - x @ x.T / 30
    yield "a network stable only through its diagonal (W = 3 I - X X^T / N)", w, x, 1e-9


def check_stable_fraction(fn: Callable) -> bool:
    """``fn(W, X, tol=1e-9)`` must return the fraction of columns of X that are fixed points of
    W: every bit strictly agrees with its field, x_i (W x)_i > tol."""
    r = _Report("stable_fraction")
    results = []
    for label, w, x, tol in _stable_cases():
        w_in, x_in = w.clone(), x.clone()
        out = _call(r, fn, w_in, x_in, tol, label=label) if tol != 1e-9 else _call(r, fn, w_in, x_in, label=label)
        if out is None:
            return r.done()
        if not (torch.equal(w_in, w) and torch.equal(x_in, x)):
            r.check(False, "", f"{label}: your function changed W or X in place; work on copies (the caller "
                               "still needs them)")
            return r.done()
        got = _number(r, out, label)
        if got is None:
            return r.done()
        results.append((label, got, _fractions(w, x, tol)))
    # the mistake that explains every case (checked in this order), if one does
    named = next((msg for key, msg in _STABLE_MISTAKES.items()
                  if all(abs(got - want[key]) < 1e-6 for _, got, want in results)), None)
    for label, got, want in results:
        r.check(abs(got - want["right"]) < 1e-6, f"{label}: {want['right']:.3g}",
                f"{label}: expected {want['right']:.3g}, got {got:.3g}" + (f" - {named}" if named else ""))
    return r.done()


# --- Exercise: projection_weights --------------------------------------------------------------

def _projection_cases():
    gen = torch.Generator().manual_seed(72)
    yield "10 random patterns of 30 neurons", _pm1(gen, 30, 10)
    base = _pm1(gen, 40, 1)
    x = base.repeat(1, 8)
    flips = torch.rand(40, 8, generator=gen) < 0.2  # 8 patterns, each 20 % away from a common one
    x[flips] = -x[flips]
    yield "8 correlated patterns (overlaps ~0.4) of 40 neurons", x


def check_projection_weights(fn: Callable) -> bool:
    """``fn(X)`` must return the projection-rule matrix W = X (X^T X)^-1 X^T, (N, N), diagonal kept."""
    r = _Report("projection_weights")
    for label, x in _projection_cases():
        n, p = x.shape
        x_in = x.clone()
        out = _call(r, fn, x_in, label=label)
        if out is None:
            return r.done()
        if not torch.equal(x_in, x):
            r.check(False, "", f"{label}: your function changed X in place (e.g. normalised it); work on a copy, "
                               "the caller still needs the patterns")
            return r.done()
        w = _as_matrix(r, out, (n, n), label)
        if w is None:
            if out is not None and tuple(torch.as_tensor(out).shape) == (p, p):
                r.check(False, "", "a (p, p) result is X^T X or its inverse alone: sandwich it, X (X^T X)^-1 X^T")
            return r.done()
        want = x @ torch.linalg.inv(x.T @ x) @ x.T
        if torch.allclose(w, want, atol=1e-10, rtol=0):
            r.check(True, f"{label}: W = X (X^T X)^-1 X^T, so W x = x for every stored pattern", "")
            continue
        off = ~torch.eye(n, dtype=torch.bool)
        hebb = x @ x.T
        zero_diag_g = x.T @ x - n * torch.eye(p, dtype=x.dtype)
        if torch.allclose(w, want, atol=1e-4):
            msg = (f"W is right only to {float((w - want).abs().max()):.1g}: computed in single precision (float32)? "
                   "keep X's float64, W x = x must hold to about 1e-12")
        elif torch.allclose(w[off], want[off], atol=1e-8) and bool((w.diagonal().abs() < 1e-12).all()):
            msg = "the diagonal is zero: return the projector itself, diagonal included (the notebook removes it later)"
        elif torch.allclose(w, hebb / n, atol=1e-8) or torch.allclose(w, hebb, atol=1e-8):
            msg = "this is Hebb's rule X X^T: put the inverse of the overlap matrix between them, X (X^T X)^-1 X^T"
        elif torch.allclose(w * n, want, atol=1e-8) or torch.allclose(w * p, want, atol=1e-8):
            msg = "W is scaled by 1/N (or 1/p): the projector needs no factor, W x = x exactly"
        elif torch.allclose(w, x @ torch.linalg.inv(zero_diag_g) @ x.T, atol=1e-8):
            msg = "the overlap matrix X^T X keeps its diagonal (N on it): do not zero it before inverting"
        elif torch.allclose(w, x @ (x.T @ x) @ x.T, atol=1e-6):
            msg = "you multiplied by X^T X; the rule needs its inverse, (X^T X)^-1"
        elif not torch.allclose(w, w.T, atol=1e-8):
            msg = "W is not symmetric: check the order of the factors, X (X^T X)^-1 X^T"
        else:
            bad = int((~torch.isclose(w @ x, x, atol=1e-8)).any(0).sum())
            msg = f"W x differs from x for {bad} of the {p} stored patterns; W must map each of them to itself"
        r.check(False, "", f"{label}: {msg}")
    return r.done()


# --- Exercise: storkey_step --------------------------------------------------------------------

def _storkey_variants(w: torch.Tensor, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """The right step and the wrong variants a check can name (w has a zero diagonal)."""
    n = x.shape[0]
    h = w @ x
    h_ij = h[:, None] - w * x[None, :]
    outer = x[:, None] * x[None, :]
    full = h[:, None].expand(n, n)

    def finish(delta, scale=1.0 / n, zero_diagonal=True):
        out = w + scale * delta
        if zero_diagonal:
            out = out.clone()
            out.fill_diagonal_(0.0)
        return out

    right = outer - x[:, None] * h_ij.T - h_ij * x[None, :]
    return {
        "right": finish(right),
        "hebb": finish(outer),
        "full field": finish(outer - x[:, None] * full.T - full * x[None, :]),
        "swapped": finish(outer - x[:, None] * h_ij - h_ij.T * x[None, :]),
        "not transposed": finish(outer - x[:, None] * h_ij - h_ij * x[None, :]),
        "wrong x in h_ij": finish(outer - x[:, None] * (h[:, None] - w * x[:, None]).T
                                  - (h[:, None] - w * x[:, None]) * x[None, :]),
        "one term": finish(outer - h_ij * x[None, :]),
        "other term": finish(outer - x[:, None] * h_ij.T),
        "no 1/N": finish(right, scale=1.0),
        "diagonal": finish(right, zero_diagonal=False),
    }


_STORKEY_MISTAKES = {
    "hebb": "this is the Hebbian step x_i x_j / N alone; Storkey subtracts the terms x_i h_ji and h_ij x_j",
    "full field": "h_ij must leave out k = i and k = j: h_ij = h_i - w_ij x_j (w_ii = 0), not the full field h_i",
    "swapped": "the indices are swapped: x_i pairs with h_ji (the local field on j), h_ij pairs with x_j",
    "not transposed": ("the term x_i h_ji needs the field at neuron j (leaving out i): that is your matrix of h_ij "
                       "transposed, not the matrix itself"),
    "wrong x in h_ij": "h_ij leaves out k = j, so subtract w_ij x_j (x at the column index j), not w_ij x_i",
    "one term": "the term - x_i h_ji is missing",
    "other term": "the term - h_ij x_j is missing",
    "no 1/N": "divide the change by N",
    "diagonal": "keep the diagonal at zero (no self-coupling)",
}


def _storkey_cases():
    from ..learning_rules import storkey

    gen = torch.Generator().manual_seed(73)
    x = _pm1(gen, 12, 4)
    yield "12 neurons, 3 patterns already stored, a 4th to learn", storkey(x[:, :3]), x[:, 3].clone()
    x = _pm1(gen, 20, 9)
    yield "20 neurons, 8 patterns already stored, a 9th to learn", storkey(x[:, :8]), x[:, 8].clone()


def check_storkey_step(fn: Callable) -> bool:
    """``fn(W, x)`` must return a new matrix: W after learning pattern x with Storkey's rule,
    w_ij + (x_i x_j - x_i h_ji - h_ij x_j) / N for i != j, h_ij = sum_{k != i, j} w_ik x_k, w_ii = 0."""
    r = _Report("storkey_step")
    x0 = torch.tensor([1.0, -1, 1, 1, -1, -1], dtype=torch.float64)
    first = _call(r, fn, torch.zeros(6, 6, dtype=torch.float64), x0.clone(), label="first pattern into W = 0")
    if first is None:
        return r.done()
    first = _as_matrix(r, first, (6, 6), "first pattern into W = 0")
    if first is None:
        return r.done()
    hebb = torch.outer(x0, x0) / 6
    hebb.fill_diagonal_(0.0)
    r.check(torch.allclose(first, hebb, atol=1e-6), "from W = 0 the first step is Hebb's x_i x_j / N (w_ii = 0)",
            "from W = 0 the first step should be Hebb's x_i x_j / N with a zero diagonal (h = 0 then)")
    results = []
    for label, w, x in _storkey_cases():
        n = x.shape[0]
        w_in, x_in = w.clone(), x.clone()
        out = _call(r, fn, w_in, x_in, label=label)
        if out is None:
            return r.done()
        if not torch.equal(w_in, w):
            r.check(False, "", f"{label}: W was modified in place; return a new matrix (W.clone() first)")
        if not torch.equal(x_in, x):
            r.check(False, "", f"{label}: x was modified in place; leave the pattern as it is")
        got = _as_matrix(r, out, (n, n), label)
        if got is None:
            return r.done()
        results.append((label, got, _storkey_variants(w, x)))
    named = next((msg for key, msg in _STORKEY_MISTAKES.items()
                  if all(torch.allclose(got, v[key], atol=1e-6) for _, got, v in results)), None)
    for label, got, v in results:
        worst = float((got - v["right"]).abs().max())
        r.check(torch.allclose(got, v["right"], atol=1e-6), f"{label}: matches Storkey's rule",
                f"{label}: " + (named or f"differs from Storkey's rule by up to {worst:.3g}"))
    return r.done()
