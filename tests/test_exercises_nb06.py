"""Notebook 06's self-checks accept the solution (and correct answers written differently), reject
the stub and every plausible wrong answer, and name the mistake in their feedback."""
import math

import numpy as np
import pytest
import torch
from exercise_cases import assert_check_accepts_solution_rejects_stub_and_wrong

from hopfield_lab import exercises as ex
from hopfield_lab import theory
from hopfield_lab.exercises import nb06

# --- glauber_probability -------------------------------------------------------------------------------

def glauber_probability(h, T):
    return 0.5 * (1 + torch.sign(h)) if T == 0 else 0.5 * (1 + torch.tanh(h / T))


def glauber_logistic(h, T):  # the same rule written as a logistic function
    if T == 0:
        return torch.where(h > 0, 1.0, torch.where(h < 0, 0.0, 0.5)).to(h.dtype)
    return 1 / (1 + torch.exp(-2 * h / T))


def glauber_numpy(h, T):
    x = np.asarray(h)
    return 0.5 * (1 + np.sign(x)) if T == 0 else 0.5 * (1 + np.tanh(x / T))


def glauber_inplace(h, T):  # h /= T divides the caller's tensor
    if T == 0:
        return 0.5 * (1 + torch.sign(h))
    h /= T
    return 0.5 * (1 + torch.tanh(h))


def glauber_floor(h, T):  # a tiny temperature instead of the T = 0 branch: the same numbers
    return 0.5 * (1 + torch.tanh(h / max(T, 1e-12)))


GLAUBER_WRONG = [
    (lambda h, T: torch.tanh(h / T), "not a probability"),
    (lambda h, T: 0.5 * (1 + torch.tanh(h / T)), "NaN"),                         # divides by zero at T = 0
    (lambda h, T: 0.5 * (1 - torch.tanh(h / T)) if T else 0.5 * (1 - torch.sign(h)), "P(S = -1)"),
    (lambda h, T: torch.sigmoid(h / T) if T else 0.5 * (1 + torch.sign(h)), "factor 2"),
    (lambda h, T: 0.5 * (1 + torch.tanh(h * T)), "divide the field by T"),
    (lambda h, T: glauber_probability(h, T) if T else (h > 0).double(), "a tie has P(+1) = 1/2"),
    (lambda h, T: glauber_probability(h, T) if T else (h >= 0).double(), "a tie has P(+1) = 1/2"),
    (glauber_inplace, "changed the fields h"),
    (lambda h, T: glauber_probability(h, T) if T else torch.heaviside(h, torch.tensor(0.0, dtype=h.dtype)),
     "a tie has P(+1) = 1/2"),
    (lambda h, T: torch.sigmoid(2 * h / T), "NaN"),
]


def test_glauber_probability(capsys):
    for other in (glauber_logistic, glauber_numpy, glauber_floor):
        assert ex.check_glauber_probability(other) is True, capsys.readouterr().out
    wrong, says = zip(*GLAUBER_WRONG)
    assert_check_accepts_solution_rejects_stub_and_wrong(ex.check_glauber_probability, glauber_probability, list(wrong),
                                                         capsys, list(says))


# --- glauber_step ----------------------------------------------------------------------------------------

def glauber_step(S, xi, rows, T, u):
    n, p = xi.shape
    h = (xi[rows] @ (xi.T @ S) - p * S[rows]) / n
    S = S.clone()
    S[rows] = torch.where(u < glauber_probability(h, T), 1.0, -1.0)
    return S


def glauber_step_inplace_numpy(S, xi, rows, T, u):  # numpy arithmetic, the state changed in place
    x, s = xi.numpy().astype(np.float64), S.numpy()
    n, p = x.shape
    r = rows.numpy()
    h = (x[r] @ (x.T @ s) - p * s[r]) / n
    prob = glauber_numpy(h, T)
    s[r] = np.where(u.numpy() < prob, 1.0, -1.0)
    return S


def glauber_step_dense(S, xi, rows, T, u):  # the dense coupling matrix J = (xi xi^T - p I) / N
    n, p = xi.shape
    J = (xi @ xi.T - p * torch.eye(n)) / n
    h = J[rows] @ S
    new = S.clone()
    new[rows] = 2.0 * (u < glauber_probability(h, T)).float() - 1.0
    return new


def glauber_step_einsum(S, xi, rows, T, u):
    n, p = xi.shape
    m = torch.einsum("ip,ic->pc", xi, S)
    h = (torch.einsum("rp,pc->rc", xi[rows], m) - p * S[rows]) / n
    mask = torch.zeros_like(S, dtype=torch.bool)
    mask[rows] = True
    new_rows = torch.where(u < glauber_probability(h, T), 1.0, -1.0)
    full = S.clone()
    full[rows] = new_rows
    return torch.where(mask, full, S)


def glauber_step_inplace(S, xi, rows, T, u):  # no copy: the caller's state is overwritten
    n, p = xi.shape
    h = (xi[rows] @ (xi.T @ S) - p * S[rows]) / n
    S[rows] = torch.where(u < glauber_probability(h, T), 1.0, -1.0)
    return S


def glauber_step_tie_kept(S, xi, rows, T, u):  # notebook 02's deterministic rule at T = 0: a tie keeps its state
    n, p = xi.shape
    h = (xi[rows] @ (xi.T @ S) - p * S[rows]) / n
    new = S.clone()
    if T == 0:
        new[rows] = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[rows]))
    else:
        new[rows] = torch.where(u < glauber_probability(h, T), 1.0, -1.0)
    return new


def glauber_step_sequential(S, xi, rows, T, u):  # row by row, each from the state already changed
    n, p = xi.shape
    new = S.clone()
    for k, i in enumerate(rows.tolist()):
        h = (xi[i] @ (xi.T @ new) - p * new[i]) / n
        new[i] = torch.where(u[k] < glauber_probability(h, T), 1.0, -1.0)
    return new


def glauber_step_minus_s(S, xi, rows, T, u):  # W = (xi xi^T - I) / N
    n, p = xi.shape
    h = (xi[rows] @ (xi.T @ S) - S[rows]) / n
    new = S.clone()
    new[rows] = torch.where(u < glauber_probability(h, T), 1.0, -1.0)
    return new


def _step(self_coupling=False, per_n=True, flip=False, all_rows=False, zero_one=False, none=False):
    def fn(S, xi, rows, T, u):
        n, p = xi.shape
        h = xi[rows] @ (xi.T @ S) - (0 if self_coupling else p) * S[rows]
        if per_n:
            h = h / n
        P = glauber_probability(h, T)
        new = torch.where((u > P) if flip else (u < P), 1.0, 0.0 if zero_one else -1.0)
        if none:
            S[rows] = new
            return None
        out = S.clone()
        out[rows] = new
        if all_rows:
            rest = torch.ones(n, dtype=torch.bool)
            rest[rows] = False
            out[rest] = torch.where(xi[rest] @ (xi.T @ S) - p * S[rest] > 0, 1.0, -1.0)
        return out
    return fn


STEP_WRONG = [
    (_step(self_coupling=True), "self-coupling"),
    (_step(per_n=False), "divide the field by N"),
    (_step(self_coupling=True, per_n=False), "subtract the self-coupling and divide by N"),
    (_step(flip=True), "you chose it where u > P"),
    (_step(all_rows=True), "outside rows changed"),
    (_step(zero_one=True), "+1 or -1"),
    (_step(none=True), "return the new state"),
    (lambda S, xi, rows, T, u: S.clone(), "do not follow the rule"),
    (glauber_step_inplace_numpy, "changed the caller's S in place"),
    (glauber_step_inplace, "changed the caller's S in place"),
    (glauber_step_tie_kept, "a field of exactly 0 kept"),
    (glauber_step_sequential, "one after the other"),
    (glauber_step_minus_s, "you subtracted S[rows] once"),
]


def test_glauber_step(capsys):
    for other in (glauber_step_dense, glauber_step_einsum):
        assert ex.check_glauber_step(other) is True, capsys.readouterr().out
    wrong, says = zip(*STEP_WRONG)
    assert_check_accepts_solution_rejects_stub_and_wrong(ex.check_glauber_step, glauber_step, list(wrong), capsys,
                                                         list(says))


def test_step_cases_tell_the_mistakes_apart():
    for seed, p, n_rows, T in ((1, 6, 15, 0.6), (2, 5, 10, 0.0), (3, 6, 40, 1.5)):
        S, xi, rows, T, u = nb06.step_case(seed, p=p, n_rows=n_rows, temperature=T)
        right = nb06.step_reference(S, xi, rows, T, u)
        if T > 0:  # at T = 0 only signs matter, so the wrong fields may agree there
            for field in (dict(self_coupling=True), dict(per_n=False)):
                assert not torch.equal(right, nb06.step_reference(S, xi, rows, T, u, **field)), (seed, field)
            assert not torch.equal(right, nb06.step_reference(S, xi, rows, T, u, above=True)), seed


# --- mean_field_overlap and critical_temperature ---------------------------------------------------------

def mean_field_overlap(T):
    m = 1.0
    for _ in range(100_000):
        new = math.tanh(m / T)
        if abs(new - m) < 1e-12:
            return new
        m = new
    return m


def _iterate(start=1.0, steps=None, times=False, sign=1):
    def fn(T):
        m = start
        for _ in range(steps or 100_000):
            new = math.tanh(m * T if times else m / T)
            if steps is None and abs(new - m) < 1e-12:
                m = new
                break
            m = new
        return sign * m
    return fn


def _iterate_no_abs(T):  # stops when new - m < 1e-12: from m = 1 the sequence falls, so at once
    m = 1.0
    while True:
        new = math.tanh(m / T)
        if new - m < 1e-12:
            return new
        m = new


def _iterate_tol(tol):
    def fn(T):
        m = 1.0
        for _ in range(100_000):
            new = math.tanh(m / T)
            if abs(new - m) < tol:
                return new
            m = new
        return m
    return fn


def _iterate_outside(T):  # the division outside the tanh
    m = 1.0
    for _ in range(100_000):
        new = math.tanh(m) / T
        if abs(new - m) < 1e-12:
            return new
        m = new
    return m


MEAN_FIELD_WRONG = [
    (_iterate(start=0.0), "start from m = 1"),
    (_iterate(steps=1), "one step from m = 1"),
    (_iterate(times=True), "divide by T, do not multiply"),
    (_iterate(steps=50), "not converged"),
    (_iterate(sign=-1), "negative solution"),
    (lambda T: math.tanh(1 / T) ** 0.5, "expected m ="),
    (_iterate_no_abs, "one step from m = 1"),
    (_iterate_tol(1e-6), "not converged"),
    (_iterate_outside, "tanh(m) / T"),
]


def test_mean_field_feedback_names_one_mistake(capsys):
    for wrong, _ in MEAN_FIELD_WRONG[:3]:
        ex.check_mean_field_overlap(wrong)
        assert capsys.readouterr().out.count("✗") == 1


def test_mean_field_overlap(capsys):
    assert ex.check_mean_field_overlap(theory.curie_weiss_overlap) is True
    wrong, says = zip(*MEAN_FIELD_WRONG)
    assert_check_accepts_solution_rejects_stub_and_wrong(ex.check_mean_field_overlap, mean_field_overlap, list(wrong),
                                                         capsys, list(says))


def critical_temperature(solve, lo, hi):
    while hi - lo > 1e-5:
        mid = (lo + hi) / 2
        if solve(mid) > 1e-3:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def critical_temperature_scan(solve, lo, hi):  # a fine scan instead of bisection
    grid = np.linspace(lo, hi, 20001)
    ordered = [T for T in grid if solve(T) > 1e-4]
    return float(ordered[-1])


def _bisect(threshold=1e-3, tol=1e-5):
    def fn(solve, lo, hi):
        while hi - lo > tol:
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if solve(mid) > threshold else (lo, mid)
        return (lo + hi) / 2
    return fn


def _bisect_wrong_end(solve, lo, hi):
    while hi - lo > 1e-5:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if solve(mid) > 1e-3 else (mid, hi)
    return (lo + hi) / 2


def _scan(points):
    def fn(solve, lo, hi):
        grid = np.linspace(lo, hi, points)
        return float(next(T for T in grid if solve(T) <= 1e-3))
    return fn


def _fixed_bracket(solve, lo, hi):  # the bracket of m = tanh(m / T), whatever was given
    lo, hi = 0.5, 1.5
    while hi - lo > 1e-5:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if solve(mid) > 1e-3 else (lo, mid)
    return (lo + hi) / 2


CRITICAL_WRONG = [
    (lambda solve, lo, hi: 1.0, "never called the solver"),
    (lambda solve, lo, hi: (solve(lo), 1.0)[1], "whatever the solver"),
    (_bisect(threshold=0.5), "too low"),
    (_bisect(tol=0.5), "too"),
    (lambda solve, lo, hi: (solve(lo), hi + 1)[1], "outside the bracket"),
    (_bisect_wrong_end, "too high"),                                       # moves the wrong end: runs to hi
    (_bisect(threshold=0.0), "not exactly 0"),                             # m > 0 is 'ordered'
    (_scan(100), "more than the 1e-4"),                                    # a grid of 100 temperatures
    (_fixed_bracket, "outside the bracket"),                               # ignores lo and hi
    (_bisect(tol=1e-3), "more than the 1e-4"),                             # stops too early
]


def test_critical_temperature(capsys):
    assert ex.check_critical_temperature(critical_temperature_scan) is True, capsys.readouterr().out
    wrong, says = zip(*CRITICAL_WRONG)
    assert_check_accepts_solution_rejects_stub_and_wrong(ex.check_critical_temperature, critical_temperature,
                                                         list(wrong), capsys, list(says))


def test_curie_weiss_reference_matches_the_theory_module():
    for T in (0.3, 0.5, 0.9, 0.99, 1.0, 1.2):
        assert nb06.curie_weiss(T) == pytest.approx(theory.curie_weiss_overlap(T), abs=1e-12)


def test_tie_case_has_ties_that_the_kept_state_rule_decides_differently():
    S, xi, rows, T, u = nb06.tie_case()
    h = nb06.step_reference_field(S, xi, rows)
    assert T == 0 and bool((h == 0).any())
    assert not torch.equal(nb06.step_reference(S, xi, rows, T, u), nb06.step_tie_kept(S, xi, rows, T, u))
    # the field is exactly 0 however it is summed: N is a power of 2, so terms divided by N first are exact
    n, p = xi.shape
    dense = ((xi @ xi.T - p * torch.eye(n)) / n)[rows] @ S
    assert torch.equal(dense == 0, h == 0)
    assert not torch.equal(nb06.step_reference(S, xi, rows, T, u), nb06.step_sequential(S, xi, rows, T, u))


def test_the_residue_case_tells_a_zero_threshold_apart():
    for scale, lo, hi, residue, _ in nb06.critical_cases():
        solve = nb06.critical_solver(scale, residue)
        assert solve(lo) > 1e-3 and solve(hi) <= 1e-3
        assert (solve(hi) > 0) == (residue > 0)
