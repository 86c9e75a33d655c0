"""Self-checks for the exercises: each says what is right, or what is wrong and why.

A check calls the student's function on cases of its own, compares with what the physics
requires, prints one line per finding (``✓`` or ``✗``) and returns True only if all pass.
It never raises: an unfinished exercise (``NotImplementedError``) is reported as such.
"""
from __future__ import annotations

from typing import Callable

import torch

from .measure import power_law_slope


class _Report:
    def __init__(self, name: str):
        self.name, self.ok, self.lines = name, True, []

    def check(self, condition: bool, good: str, bad: str) -> bool:
        self.lines.append(f"  ✓ {good}" if condition else f"  ✗ {bad}")
        self.ok &= bool(condition)
        return bool(condition)

    def done(self) -> bool:
        head = f"{self.name}: " + ("all checks passed" if self.ok else "not yet right")
        print("\n".join([head, *self.lines]))
        return self.ok


def _call(report: _Report, fn: Callable, *args):
    """Call the student's function; on failure record why and return None."""
    try:
        return fn(*args)
    except NotImplementedError:
        report.check(False, "", f"{getattr(fn, '__name__', 'the function')} is not implemented yet")
    except Exception as err:  # the student's bug: say which, do not crash the notebook
        report.check(False, "", f"calling {getattr(fn, '__name__', 'it')}{args} raised {type(err).__name__}: {err}")
    return None


def _call_matrix(report: _Report, fn: Callable, args: tuple, shape: tuple, what: str):
    """Call the student's function, read the result as a float64 matrix and check its shape;
    None (with the reason recorded) if any of that fails."""
    out = _call(report, fn, *args)
    if out is None:
        return None
    out = torch.as_tensor(out, dtype=torch.float64)
    if not report.check(tuple(out.shape) == shape, f"shape {what}", f"expected shape {shape} {what}, got {tuple(out.shape)}"):
        return None
    return out


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


def check_all_patterns_stable(fn: Callable[[torch.Tensor], bool]) -> bool:
    """``fn(xi)`` must say whether every stored pattern (column of xi) is an exact fixed point of
    the network W = xi xi^T - p I, a field of exactly 0 counting as a failure."""
    r = _Report("all_patterns_stable")
    gen = torch.Generator().manual_seed(21)
    few = (torch.randint(0, 2, (200, 3), generator=gen) * 2 - 1).double()
    many = (torch.randint(0, 2, (200, 60), generator=gen) * 2 - 1).double()
    got_few, got_many = _call(r, fn, few.clone()), _call(r, fn, many.clone())
    if got_few is None or got_many is None:
        return r.done()
    r.check(bool(got_few) is True, "3 random patterns in 200 neurons: all stable",
            "3 patterns in 200 neurons are all fixed points, but you said no: check the signs of the fields")
    r.check(bool(got_many) is False, "60 patterns in 200 neurons: not all stable",
            "with 60 patterns in 200 neurons some bit is unstable, but you said yes: check every bit of every pattern")
    # a tie: two neurons, one pattern plus its opposite-half twin give fields of exactly 0
    tie = torch.tensor([[1.0, 1.0], [1.0, -1.0]])
    got_tie = _call(r, fn, tie)
    if got_tie is not None:
        r.check(bool(got_tie) is False, "a field of exactly 0 counts as unstable",
                "a field of exactly 0 must count as a failure (h_i y_i > 0 strictly)")
    return r.done()


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
