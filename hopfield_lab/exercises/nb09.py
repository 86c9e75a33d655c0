"""Self-checks for Notebook 09: Boltzmann machines (one Gibbs half-step of a restricted Boltzmann
machine with +/-1 units, the CD-1 gradient, the free energy of a visible state).

The RBM of the notebook: visible s in {-1, +1}^N, hidden h in {-1, +1}^M, energy
E(s, h) = -s^T W h - a.s - b.h. Every check compares the student's function with the plain
formula on cases of its own and, where the answer matches a known wrong variant, names that
mistake.
"""
from __future__ import annotations

from typing import Callable

import torch

from ._report import _Report, _as_matrix, _pm1, _call

__all__ = ["check_sample_hidden", "check_cd1_gradient", "check_free_energy"]


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return tuple(a.shape) == tuple(b.shape) and bool(torch.allclose(a, b, atol=1e-9, rtol=1e-9))


def _call_on_copies(r: _Report, fn: Callable, label: str, case: tuple):
    """``fn`` on copies of the case's tensors; None (reason recorded) if it failed or changed a copy."""
    given = tuple(t.clone() for t in case)
    out = _call(r, fn, *given, label=label)
    if out is None:
        return None
    if not all(torch.equal(g, k) for g, k in zip(given, case)):
        r.check(False, "", f"{label}: an input was modified in place; leave S, W, the biases and u as they are")
        return None
    return out


# --- Exercise: sample_hidden -------------------------------------------------------------------

def _sample(s, w, b, u):
    """The right answer: h_j = +1 where u_j < P(h_j = +1 | s) = sigmoid(2 (W^T s + b)_j), else -1."""
    x = w.T @ s + b[:, None]
    return torch.where(u < torch.sigmoid(2 * x), 1.0, -1.0).double()


def _sample_variants(s, w, b, u) -> dict[str, torch.Tensor]:
    x = w.T @ s + b[:, None]
    p = torch.sigmoid(2 * x)
    return {
        "no factor 2": torch.where(u < torch.sigmoid(x), 1.0, -1.0).double(),
        "reversed": torch.where(u > p, 1.0, -1.0).double(),
        "probability": p,
        "tanh": torch.tanh(x),
        "zero one": torch.where(u < p, 1.0, 0.0).double(),
        "no bias": torch.where(u < torch.sigmoid(2 * (w.T @ s)), 1.0, -1.0).double(),
        "sign": torch.where(x > 0, 1.0, -1.0).double(),
    }


_SAMPLE_MISTAKES = {
    "no factor 2": ("P(h_j = +1 | s) = sigmoid(2 x_j), not sigmoid(x_j): with +/-1 units the energy changes by 2 x_j "
                    "when h_j flips (sigmoid(x) is the rule for 0/1 units)"),
    "reversed": "h_j = +1 where u < P(h_j = +1 | s); your comparison is reversed (u > p gives +1 with probability 1 - p)",
    "probability": "you returned the probabilities P(h = +1 | s); return a sample, +1 where u < p and -1 elsewhere",
    "tanh": "you returned the mean E[h | s] = tanh(x); return a sample, +1 where u < p and -1 elsewhere",
    "zero one": "the hidden units are +/-1 here, not 0/1: return -1 where u >= p",
    "no bias": "the hidden bias b is missing: x = W^T s + b",
    "sign": "you returned sign(W^T s + b), the T = 0 rule; a Gibbs step samples: use u",
}


def _sample_cases():
    gen = torch.Generator().manual_seed(91)
    w = torch.randn(7, 5, generator=gen, dtype=torch.float64) * 0.6
    b = torch.randn(5, generator=gen, dtype=torch.float64) * 0.5
    s = _pm1(gen, 7, 40)
    u = torch.rand(5, 40, generator=gen, dtype=torch.float64)
    yield "N = 7 visible, M = 5 hidden, 40 states", s, w, b, u
    w2 = torch.randn(3, 9, generator=gen, dtype=torch.float64)
    b2 = torch.randn(9, generator=gen, dtype=torch.float64) + 0.8
    s2 = _pm1(gen, 3, 25)
    u2 = torch.rand(9, 25, generator=gen, dtype=torch.float64)
    yield "N = 3, M = 9, large biases, 25 states", s2, w2, b2, u2


def check_sample_hidden(fn: Callable) -> bool:
    """``fn(S, W, b, u)`` must return H (M, P): +1 where u < sigmoid(2 (W^T S + b)), else -1;
    S (N, P) of +/-1, W (N, M), b (M,), u (M, P) uniform numbers; no input changes."""
    r = _Report("sample_hidden")
    for label, s, w, b, u in _sample_cases():
        out = _call_on_copies(r, fn, label, (s, w, b, u))
        if out is None:
            return r.done()
        got = _as_matrix(r, out, tuple(u.shape), f"{label}: H (M, P)")
        if got is None:
            return r.done()
        want = _sample(s, w, b, u)
        if _close(got, want):
            r.check(True, f"{label}: a sample of +/-1 hidden units", "")
            continue
        named = next((msg for key, msg in _SAMPLE_MISTAKES.items() if _close(got, _sample_variants(s, w, b, u)[key])),
                     f"{int((got != want).sum())} of {want.numel()} hidden values differ from the sample "
                     "+1 where u < sigmoid(2 (W^T s + b)), -1 elsewhere")
        r.check(False, "", f"{label}: {named}")
    return r.done()


# --- Exercise: cd1_gradient --------------------------------------------------------------------

def _cd1(s, w, a, b, uh, uv, positive="mean", reconstruction="sample", negative="mean", scale="mean"):
    x0 = w.T @ s + b[:, None]
    h0 = torch.where(uh < torch.sigmoid(2 * x0), 1.0, -1.0).double()
    y = w @ h0 + a[:, None]
    s1 = torch.where(uv < torch.sigmoid(2 * y), 1.0, -1.0).double() if reconstruction == "sample" else torch.tanh(y)
    hp = torch.tanh(x0) if positive == "mean" else h0
    hn = {"mean": torch.tanh(w.T @ s1 + b[:, None]), "data": torch.tanh(x0)}[negative]
    p = s.shape[1] if scale == "mean" else 1
    return (s @ hp.T - s1 @ hn.T) / p, (s - s1).sum(1) / p, (hp - hn).sum(1) / p


_CD1_MISTAKES = [
    (lambda *z: tuple(-g for g in _cd1(*z)), "the sign is reversed: data term minus reconstruction term, "
                                            "<s h>_data - <s h>_reconstruction (the likelihood goes up)"),
    (lambda *z: _cd1(*z, scale="sum"), "divide by the number of states P: the gradient is an average over the batch"),
    (lambda *z: _cd1(*z, positive="sample"),
     "the data term uses the mean hidden values tanh(W^T s + b), not the sample h0 (the sample only drives the "
     "reconstruction)"),
    (lambda *z: _cd1(*z, reconstruction="mean"),
     "the reconstruction s1 is a sample (+1 where u_visible < sigmoid(2 (W h0 + a))), not its mean tanh(W h0 + a)"),
    (lambda *z: _cd1(*z, negative="data"),
     "the reconstruction term uses the hidden means of the reconstruction, tanh(W^T s1 + b), not those of the data"),
]


def _cd1_cases():
    gen = torch.Generator().manual_seed(92)
    for n, m, p in ((6, 4, 30), (5, 8, 12)):
        w = torch.randn(n, m, generator=gen, dtype=torch.float64) * 0.5
        a = torch.randn(n, generator=gen, dtype=torch.float64) * 0.3
        b = torch.randn(m, generator=gen, dtype=torch.float64) * 0.3
        s = _pm1(gen, n, p)
        uh = torch.rand(m, p, generator=gen, dtype=torch.float64)
        uv = torch.rand(n, p, generator=gen, dtype=torch.float64)
        yield f"N = {n} visible, M = {m} hidden, P = {p} states", s, w, a, b, uh, uv


def check_cd1_gradient(fn: Callable) -> bool:
    """``fn(S, W, a, b, u_hidden, u_visible)`` must return (dW, da, db), the CD-1 estimate of the
    log-likelihood gradient averaged over the P columns of S; no input changes."""
    r = _Report("cd1_gradient")
    for label, *case in _cd1_cases():
        s, w, a, b, uh, uv = case
        out = _call_on_copies(r, fn, label, tuple(case))
        if out is None:
            return r.done()
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            r.check(False, "", f"{label}: return three things, (dW, da, db)")
            return r.done()
        n, m = w.shape
        dw = _as_matrix(r, out[0], (n, m), f"{label}: dW")
        da = _as_matrix(r, out[1], (n,), f"{label}: da") if dw is not None else None
        db = _as_matrix(r, out[2], (m,), f"{label}: db") if da is not None else None
        if db is None:
            return r.done()
        want = _cd1(*case)
        if all(_close(g, w_) for g, w_ in zip((dw, da, db), want)):
            r.check(True, f"{label}: dW, da, db of CD-1", "")
            continue
        got = (dw, da, db)
        named = next((msg for variant, msg in _CD1_MISTAKES if all(_close(g, v) for g, v in zip(got, variant(*case)))),
                     None)
        if named is None:
            parts = [name for name, g, w_ in zip(("dW", "da", "db"), got, want) if not _close(g, w_)]
            named = f"{', '.join(parts)} differ from CD-1's (data term minus reconstruction term, averaged over P)"
            if _close(dw, want[0]) and not (_close(da, want[1]) and _close(db, want[2])):
                named += ": the bias gradients are <s>_data - <s1> and <tanh>_data - <tanh>_reconstruction"
        r.check(False, "", f"{label}: {named}")
    return r.done()


# --- Exercise: free_energy ---------------------------------------------------------------------

def _log2cosh(x):
    return torch.logaddexp(x, -x)


def _free(s, w, a, b):
    return -(a @ s) - _log2cosh(w.T @ s + b[:, None]).sum(0)


def _free_variants(s, w, a, b) -> dict[str, torch.Tensor]:
    x = w.T @ s + b[:, None]
    return {
        "sign": -_free(s, w, a, b),
        "no log 2": -(a @ s) - (_log2cosh(x) - torch.log(torch.tensor(2.0, dtype=torch.float64))).sum(0),
        "softplus": -(a @ s) - torch.nn.functional.softplus(x).sum(0),
        "softplus 2x": -(a @ s) - torch.nn.functional.softplus(2 * x).sum(0),
        "no visible bias": -_log2cosh(x).sum(0),
        "max": -(a @ s) - x.abs().sum(0),
    }


_FREE_MISTAKES = {
    "sign": "the sign is reversed: F(s) = -a.s - sum_j log 2cosh(x_j), so that P(s) ~ exp(-F(s))",
    "no log 2": ("sum_{h = +/-1} exp(h x) = 2 cosh(x): the log 2 per hidden unit is missing (it cancels in P(s), "
                 "but F is asked for exactly)"),
    "softplus": "log(1 + e^x) is the sum over a 0/1 hidden unit; these hidden units are +/-1: log(e^x + e^-x)",
    "softplus 2x": "log(1 + e^(2x)) is the sum over h in {0, 2}, not {-1, +1}: log(e^x + e^-x) = log 2cosh(x)",
    "no visible bias": "the visible bias term -a.s is missing",
    "max": ("you kept only the best hidden state, max_h h x = |x| (an energy minimum); the free energy sums over "
            "both values: log(e^x + e^-x)"),
}


def _free_cases():
    gen = torch.Generator().manual_seed(93)
    w = torch.randn(6, 4, generator=gen, dtype=torch.float64) * 0.7
    a = torch.randn(6, generator=gen, dtype=torch.float64) * 0.4
    b = torch.randn(4, generator=gen, dtype=torch.float64) * 0.4
    yield "N = 6 visible, M = 4 hidden, 10 states", _pm1(gen, 6, 10), w, a, b
    w = torch.randn(5, 7, generator=gen, dtype=torch.float64) * 300
    a = torch.randn(5, generator=gen, dtype=torch.float64)
    b = torch.randn(7, generator=gen, dtype=torch.float64)
    yield "N = 5, M = 7, weights ~300 (cosh overflows in float64)", _pm1(gen, 5, 6), w, a, b


def check_free_energy(fn: Callable) -> bool:
    """``fn(S, W, a, b)`` must return F (P,): F(s) = -a.s - sum_j log 2cosh((W^T s + b)_j) for each
    column s of S, finite for large fields; no input changes."""
    r = _Report("free_energy")
    for label, s, w, a, b in _free_cases():
        out = _call_on_copies(r, fn, label, (s, w, a, b))
        if out is None:
            return r.done()
        got = _as_matrix(r, out, (s.shape[1],), f"{label}: F, one number per state (column of S)")
        if got is None:
            return r.done()
        want = _free(s, w, a, b)
        if not bool(torch.isfinite(got).all()):
            r.check(False, "", f"{label}: F has inf or NaN: cosh(x) overflows for large x; write log 2cosh(x) "
                               "as |x| + log(1 + e^(-2|x|)), or torch.logaddexp(x, -x)")
            continue
        if bool(torch.allclose(got, want, atol=1e-9, rtol=1e-12)):
            r.check(True, f"{label}: F(s) = -a.s - sum_j log 2cosh(x_j)", "")
            continue
        variants = _free_variants(s, w, a, b)
        named = next((msg for key, msg in _FREE_MISTAKES.items()
                      if bool(torch.allclose(got, variants[key], atol=1e-9, rtol=1e-12))),
                     f"differs from -a.s - sum_j log 2cosh(x_j) by up to {float((got - want).abs().max()):.3g}")
        r.check(False, "", f"{label}: {named}")
    return r.done()
