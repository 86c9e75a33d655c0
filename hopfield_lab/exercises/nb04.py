"""Self-checks for Notebook 04: the hybrid step, telling a 2-cycle from a trajectory, the Jacobi
iteration of the bipartite network.

Every check runs the student's function on cases of its own, including cases built to expose
one mistake each (fields of exactly 0, a network where every chosen neuron must flip, states
that repeat without cycling), and names the mistake it finds.
"""
from __future__ import annotations

import math
from typing import Callable

import torch

from ._report import _Report, _pm1, _call, _as_matrix

__all__ = ['check_classify_ending', 'check_hybrid_step', 'check_jacobi_iteration']

ENDINGS = ("fixed", "2-cycle", "still moving")


def _sign_keep_exact(h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """sign(h), and the old state where h is exactly 0."""
    return torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, s.double())).double()


def _what_went_wrong_with_signs(got: torch.Tensor, h: torch.Tensor, old: torch.Tensor, where: str) -> str | None:
    """Name the mistake when ``got`` differs from sign(h) with ties keeping ``old``; None if it does not."""
    want = _sign_keep_exact(h, old)
    if torch.equal(got, want):
        return None
    ties, rest = h == 0, h != 0
    if bool(rest.any()) and torch.equal(got[rest], -want[rest]):
        return f"{where}: the sign is flipped; a neuron takes +1 where its field is positive and -1 where it is negative"
    if torch.equal(got[rest], want[rest]) and bool(ties.any()):
        at_ties = got[ties]
        for value, name in ((0.0, "0 (torch.sign(0) is 0)"), (-1.0, "-1"), (1.0, "+1")):
            if bool((at_ties == value).all()):
                return f"{where}: where the field is exactly 0 you set {name}; a tie must keep the neuron's state"
        return f"{where}: where the field is exactly 0 the neuron must keep its state"
    return None


# --- Exercise: hybrid_step ---------------------------------------------------------------------

def _tie_network(seed: int = 11, n: int = 64, p: int = 12, probes: int = 5):
    """A random Hebbian network (N J = xi xi^T - p I) with neuron 0 disconnected, so its field is
    exactly 0 in every probe (a tie, guaranteed), and random states far from any fixed point."""
    gen = torch.Generator().manual_seed(seed)
    xi = _pm1(gen, n, p)
    nj = xi @ xi.T - p * torch.eye(n, dtype=torch.float64)
    nj[0, :] = nj[:, 0] = 0.0
    return nj, _pm1(gen, n, probes)


def _all_unstable(n: int = 64, probes: int = 7):
    """N J = -(all-ones - I) and S = +1 everywhere: every neuron's field is -(N - 1), so every
    neuron that is updated flips. The number of flipped rows is the number of rows updated."""
    nj = -(torch.ones(n, n, dtype=torch.float64) - torch.eye(n, dtype=torch.float64))
    return nj, torch.ones(n, probes, dtype=torch.float64)


def hybrid_cases():
    """The cases check_hybrid_step uses, for tests: [(NJ, S, k), ...]."""
    nj, s = _tie_network()
    return [(nj, s, 1.0), (nj, s, 0.25), (*_all_unstable(), 0.45), (*_all_unstable(), 0.3),
            (*_all_unstable(), 1 / 64), (*_all_unstable(), 0.005)]


def check_hybrid_step(fn: Callable) -> bool:
    """``fn(NJ, S, k, gen)`` must update a random subset of round(k N) neurons (at least 1) at once,
    the same subset for every probe, drawn from ``gen``: each takes the sign of its field from the
    old state, a field of exactly 0 keeps the state; the others stay; a new tensor is returned."""
    r = _Report("hybrid_step")
    nj, s = _tie_network()
    before = s.clone()
    full = _call(r, fn, nj, s, 1.0, torch.Generator().manual_seed(0), label="k = 1")
    if full is None:
        return r.done()
    r.check(torch.equal(s, before), "the input state is left unchanged", "the input S was modified in place: clone it first")
    full = _as_matrix(r, full, tuple(s.shape), "the new state")
    if full is None:
        return r.done()
    h = nj @ before
    wrong = _what_went_wrong_with_signs(full, h, before, "k = 1")
    if wrong is None and not torch.equal(full, _sign_keep_exact(h, before)):
        wrong = "k = 1 should update every neuron at once: S_i = sign(h_i) for all i, h = NJ S from the old state"
    r.check(wrong is None, "k = 1 is the synchronous update (ties keep their state)", wrong or "")
    _check_random_subset(r, fn, nj, before)
    _check_subset_sizes(r, fn)
    return r.done()


def _check_random_subset(r: _Report, fn: Callable, nj: torch.Tensor, before: torch.Tensor) -> None:
    """k = 0.25: at most round(k N) neurons change, each to the sign of its old field (ties stay),
    and the subset comes from the generator given."""
    def step(seed):
        return _call(r, fn, nj, before.clone(), 0.25, torch.Generator().manual_seed(seed), label="k = 0.25")

    part = step(1)
    if part is None or (part := _as_matrix(r, part, tuple(before.shape), "the new state")) is None:
        return
    changed = (part != before).any(1)
    r.check(int(changed.sum()) <= 16, "k = 0.25 changes at most round(k N) = 16 of 64 neurons",
            f"{int(changed.sum())} of 64 neurons changed with k = 0.25; only a random subset of 16 may update")
    h = nj @ before
    moved, target = part != before, _sign_keep_exact(h, before)
    if bool((moved & (h == 0)).any()):
        r.check(False, "", "k = 0.25: a neuron whose field is exactly 0 changed; a tie keeps the neuron's state")
    else:
        r.check(bool((part[moved] == target[moved]).all()), "updated neurons follow the sign of their field",
                "k = 0.25: a neuron changed to a value other than the sign of its field computed from the old "
                "state (compute the fields of the whole subset first, then set them)")
    again, other = step(1), step(2)
    if again is not None and other is not None:
        r.check(torch.equal(torch.as_tensor(again, dtype=torch.float64), part) and
                not torch.equal(torch.as_tensor(other, dtype=torch.float64), part),
                "the subset comes from the generator", "the random subset must be drawn with the given generator gen")


def _check_subset_sizes(r: _Report, fn: Callable) -> None:
    """On a network where every updated neuron flips, the flips count the neurons updated:
    max(1, round(k N)) of them, one subset for every probe."""
    shared = True
    # 0.45 N = 28.8 and 0.3 N = 19.2 tell round from int and from ceil; 0.005 N = 0.32 rounds to 0,
    # and at least one neuron must update
    for k, label, size in ((0.45, "k = 0.45", 29), (0.3, "k = 0.3", 19), (1 / 64, "k = 1/N", 1),
                           (0.005, "k = 0.005 (k N = 0.32 < 1/2)", 1)):
        nj_u, s_u = _all_unstable()
        kept = s_u.clone()
        got = _call(r, fn, nj_u, s_u, k, torch.Generator().manual_seed(3), label=label)
        if not torch.equal(s_u, kept):
            r.check(False, "", f"{label}: the input S was modified in place: clone it first")
            continue
        if got is None or (got := _as_matrix(r, got, tuple(s_u.shape), "the new state")) is None:
            continue
        if not torch.equal(got, got[:, :1].expand_as(got)):
            shared = r.check(False, "", "the probes were updated on different neurons: draw one subset per step and use "
                                        "it for every column")
            continue
        c, n = int((got[:, 0] == -1).sum()), s_u.shape[0]
        if c == size:
            count = f"max(1, round(k N)) = {size}" if round(k * n) == 0 else f"round(k N) = {size}"
            r.check(True, f"{label}: exactly {count} of 64 neurons updated (every one unstable here, so every one flips)", "")
        else:
            r.check(False, "", f"{label}: {_count_mistake(c, size, k, n, s_u.shape[1])}")
    if shared:
        r.check(True, "one subset per step, the same for every probe", "")


def _count_mistake(c: int, size: int, k: float, n: int, probes: int) -> str:
    """Why ``c`` neurons flipped where max(1, round(k N)) = ``size`` should have (every one is unstable)."""
    if c == 0 and round(k * n) == 0:
        return "round(k N) = 0, and you updated no neuron; a step updates at least one: max(1, round(k N))"
    if c == 0:
        return (f"no neuron changed, yet every chosen neuron has S_i = +1 and field -(N - 1) < 0: "
                f"all round(k N) = {size} must flip to -1")
    if c == max(1, round(k * probes)) and c != size:
        return (f"{c} neurons updated = round(k P) for the P = {probes} probes: N is the "
                "number of neurons, S.shape[0] (rows), not the number of probes (columns)")
    if c < size and c == int(k * n):
        return f"you updated int(k N) = {c} neurons; use round(k N) = {size}"
    if c > size and c == math.ceil(k * n):
        return f"you updated ceil(k N) = {c} neurons; use round(k N) = {size}"
    if c < size:
        return (f"only {c} of the round(k N) = {size} chosen neurons changed, yet every neuron "
                "is unstable here and must flip: did you update only part of the subset, or draw "
                "neurons with replacement (the same one twice)? torch.randperm gives distinct ones")
    return f"{c} neurons changed; only a random subset of round(k N) = {size} may update"


# --- Exercise: classify_ending -------------------------------------------------------------------

def ending_cases(n: int = 200, seed: int = 4):
    """(name, states, expected verdict, what a wrong verdict means) for check_classify_ending."""
    gen = torch.Generator().manual_seed(seed)
    a = _pm1(gen, n)
    b, c, d = a.clone(), a.clone(), a.clone()
    b[:3] *= -1           # B differs from A in 3 neurons
    c[2:7] *= -1          # C differs from A in 5 neurons, and shares neuron 2's flip with B
    d[10] *= -1           # D differs from A in one neuron only (overlap 1 - 2/N)
    repeat = {"2-cycle": "a state that does not change, S(t+1) = S(t), is a fixed point, even though S(t+1) = S(t-1) "
                         "holds too: test 'fixed' first",
              None: "the last two states are equal, S(t+1) = S(t): a fixed point (compare states[-1] with states[-2])"}
    equal_all = "two states are equal only if every neuron agrees (torch.equal, or (a == b).all())"
    back_two = "compare the last state with the one two steps back, S(t-1), not with the first state of the list"
    return [
        ("[C, A, A]", [c, a, a], "fixed", repeat),
        ("[A, A, A]", [a, a, a], "fixed", repeat),
        ("[A, A]", [a, a], "fixed", "two equal states in a row: a fixed point, even with no state before them"),
        ("[A, B, A]", [a, b, a], "2-cycle", "A -> B -> A: the deterministic rule repeats A, B forever, a 2-cycle; "
                                            "three states are enough, no need to see the cycle twice"),
        ("[C, B, A, B, A]", [c, b, a, b, a], "2-cycle", back_two),
        ("[A, B, C]", [a, b, c], "still moving", equal_all),
        ("[A, B, C, A]", [a, b, c, a], "still moving", back_two),
        ("[A, B]", [a, b], "still moving", "with two different states and nothing before them, the probe is still moving"),
        ("[A, D] (one neuron apart)", [a, d], "still moving",
         "D differs from A in one neuron: nearly equal is not equal; states are equal only if every neuron agrees"),
        ("[B, A, D] (one neuron apart)", [b, a, d], "still moving",
         "D differs from A in one neuron: nearly equal is not equal; states are equal only if every neuron agrees"),
    ]


def check_classify_ending(fn: Callable) -> bool:
    """``fn(states)`` gets the states of one probe under a deterministic rule, oldest first (a list
    of 1-D tensors, or a (T, N) tensor) and must return "fixed" if the last state repeats the one
    before, "2-cycle" if it repeats the one two steps back, else "still moving"."""
    r = _Report("classify_ending")
    for name, states, want, why in ending_cases():
        got = _call(r, fn, [s.clone() for s in states], label=name)
        if r.unfinished:
            return r.done()
        if got is None:
            continue
        if not isinstance(got, str) or got not in ENDINGS:
            r.check(False, "", f"{name}: returned {got!r}; return one of the strings {', '.join(map(repr, ENDINGS))}")
            continue
        if isinstance(why, dict):
            why = why.get(got, why[None])
        r.check(got == want, f"{name} -> {want!r}", f"{name}: you said {got!r}, but it is {want!r}: {why}")
    # the same trajectory as one (T, N) tensor of int8, as the notebook's records store it
    stacked = torch.stack(ending_cases()[4][1]).to(torch.int8)
    got = _call(r, fn, stacked, label="a (T, N) tensor")
    if got is not None:
        r.check(got == "2-cycle", "works on a (T, N) int8 tensor as well as on a list",
                f"for the same trajectory as a (T, N) int8 tensor you said {got!r}: index states[-1], states[-2], states[-3]")
    return r.done()


# --- Exercise: jacobi_iteration ------------------------------------------------------------------

def jacobi_cases():
    """[(xi, S, m), ...] for check_jacobi_iteration. The second case has m unrelated to S and
    fields xi m of exactly 0 on about half the neurons (ties, guaranteed)."""
    gen = torch.Generator().manual_seed(5)
    n, p = 64, 12
    xi = _pm1(gen, n, p)
    s = _pm1(gen, n, 5)
    xi2 = _pm1(gen, n, 2)
    s2 = _pm1(gen, n, 3)
    m2 = torch.tensor([[0.25, -0.5, 0.125], [0.25, 0.5, -0.125]], dtype=torch.float64)  # xi_1 m_1 + xi_2 m_2 = 0 or +-2 m
    return [(xi, s, xi.T @ s / n), (xi2, s2, m2)]


def check_jacobi_iteration(fn: Callable) -> bool:
    """``fn(xi, S, m)`` must update both layers of the bipartite network from the *old* values and
    return the tuple (S_new, m_new): S_new = sign(xi m) (ties keep S), m_new = xi^T S / N."""
    r = _Report("jacobi_iteration")
    for case, (xi, s, m) in enumerate(jacobi_cases()):
        if not _check_jacobi_case(r, fn, f"case {case + 1}", xi, s, m):
            return r.done()
    xi, s, m = jacobi_cases()[0]
    first = _call(r, fn, xi.clone(), s.clone(), m.clone(), label="a first iteration")
    if first is None:
        return r.done()
    s_first = torch.as_tensor(first[0], dtype=torch.float64)
    second = _call(r, fn, xi.clone(), s_first.clone(), torch.as_tensor(first[1], dtype=torch.float64).clone(),
                   label="a second iteration")
    if second is not None:
        even_odd = _sign_keep_exact(xi @ (xi.T @ s / xi.shape[0]), s_first)
        r.check(torch.equal(torch.as_tensor(second[0], dtype=torch.float64), even_odd),
                "two Jacobi iterations contain one even-odd iteration", "after two iterations S should equal sign(xi xi^T S / N)")
    return r.done()


def _check_jacobi_case(r: _Report, fn: Callable, label: str, xi: torch.Tensor, s: torch.Tensor, m: torch.Tensor) -> bool:
    """One Jacobi iteration on one case; False when the answer cannot be read (stop checking)."""
    given = (xi.clone(), s.clone(), m.clone())
    out = _call(r, fn, *given, label=label)
    if out is None:
        return False
    changed = [name for name, a, b in zip(("xi", "S", "m"), given, (xi, s, m)) if not torch.equal(a, b)]
    if changed:
        r.check(False, "", f"{label}: your function changed its input {' and '.join(changed)} in place; "
                           "compute S_new and m_new as new tensors and leave the inputs as they were")
        return False
    if isinstance(out, list):
        r.check(False, "", "you returned a list; return the tuple (S_new, m_new)")
        return False
    if not (isinstance(out, tuple) and len(out) == 2):
        r.check(False, "", f"return the tuple (S_new, m_new); got {type(out).__name__}")
        return False
    if label == "case 1":
        r.check(True, "returns the tuple (S_new, m_new)", "")
    s1 = _as_matrix(r, out[0], tuple(s.shape), "S_new (the first element)")
    m1 = _as_matrix(r, out[1], tuple(m.shape), "m_new (the second element)")
    if s1 is None or m1 is None:
        return False
    h = xi @ m
    wrong = _jacobi_neuron_mistake(s1, xi, s, m)
    r.check(wrong is None, f"{label}: neurons S' = sign(xi m) from the old memories" +
            (", ties keep their state" if bool((h == 0).any()) else ""), wrong or "")
    if torch.allclose(m1, xi.T @ s / xi.shape[0]):
        r.check(True, f"{label}: memories m' = xi^T S / N from the old neurons", "")
    else:
        r.check(False, "", _jacobi_memory_mistake(m1, xi, s, m, s1))
    return True


def _jacobi_neuron_mistake(s1: torch.Tensor, xi: torch.Tensor, s: torch.Tensor, m: torch.Tensor) -> str | None:
    """What is wrong with S_new, None if it is sign(xi m) with ties keeping S."""
    n = xi.shape[0]
    h = xi @ m
    wrong = _what_went_wrong_with_signs(s1, h, s, "S_new")
    if wrong is not None or torch.equal(s1, _sign_keep_exact(h, s)):
        return wrong
    if torch.equal(s1, _sign_keep_exact(xi @ (xi.T @ s / n), s)):
        return "S_new was computed from a new m = xi^T S / N; Jacobi uses the m it was given (the old one)"
    if torch.equal(s1, _sign_keep_exact(xi @ m - xi.shape[1] / n * s, s)):
        return ("you subtracted a self-term p/N S from the field: the bipartite network's field is xi m "
                "alone (it is the network with J_ii = alpha, lambda = 1)")
    return "S_new is wrong: every neuron takes the sign of sum_mu xi_i^mu m_mu, with the old m (ties keep)"


def _jacobi_memory_mistake(m1: torch.Tensor, xi: torch.Tensor, s: torch.Tensor, m: torch.Tensor,
                           s1: torch.Tensor) -> str:
    """What a wrong m_new most likely is (a wrong divisor, the new S, m itself)."""
    n = xi.shape[0]
    raw = xi.T @ s
    named = [(raw / (n - 1), "m_new is divided by N - 1; the overlap is m_mu = (1/N) sum_i xi_i^mu S_i: divide by N"),
             (raw / xi.shape[1], "m_new is divided by p (the number of patterns); divide by N, the number of neurons"),
             (raw / s.shape[1], "m_new is divided by P, the number of probes (columns of S); divide by N, the number "
                                "of neurons (rows)"),
             (raw, "m_new is N times too large: divide xi^T S by N"),
             (xi.T @ s1 / n, "m_new uses the NEW S; Jacobi computes both layers from the old values (using the new S is even-odd)"),
             (m, "m_new equals the m you were given: compute it from S")]
    return next((msg for value, msg in named if torch.allclose(m1, value)),
                "m_new is wrong: m_new = xi^T S / N, with the old S")
