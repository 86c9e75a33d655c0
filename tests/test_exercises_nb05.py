"""Notebook 05's self-checks accept the solution (and correct answers written differently), reject
the stub and every plausible wrong answer, and name the mistake in their feedback."""
import math

import numpy as np
import pytest
import torch
from exercise_cases import assert_check_accepts_solution_rejects_stub_and_wrong

from hopfield_lab import exercises as ex
from hopfield_lab import theory
from hopfield_lab.exercises import nb05

# --- aligned_fields --------------------------------------------------------------------------------

def aligned_fields(xi):
    p = xi.shape[1]
    return xi * (xi @ (xi.T @ xi) - p * xi)


def aligned_fields_dense(xi):  # builds W
    W = xi @ xi.T - xi.shape[1] * torch.eye(xi.shape[0], dtype=xi.dtype)
    return xi * (W @ xi)


def aligned_fields_numpy(xi):
    x = np.asarray(xi)
    return x * (x @ (x.T @ x) - x.shape[1] * x)


def aligned_fields_einsum(xi):
    overlaps = torch.einsum("im,in->mn", xi, xi)
    return xi * (torch.einsum("im,mn->in", xi, overlaps) - xi.shape[1] * xi)


def aligned_fields_lists(xi):  # plain Python loops over lists, diagonal skipped
    x = xi.tolist()
    n, p = len(x), len(x[0])
    out = [[0.0] * p for _ in range(n)]
    for nu in range(p):
        for i in range(n):
            h = sum(x[i][mu] * x[j][mu] * x[j][nu] for j in range(n) if j != i for mu in range(p))
            out[i][nu] = x[i][nu] * h
    return out


def _aligned(offset=0.0, scale=1.0, times_bit=True):
    def fn(xi):
        p = xi.shape[1]
        h = (xi @ (xi.T @ xi) - p * xi) / scale
        return (xi * h if times_bit else h) + offset
    return fn


def aligned_inplace(xi):
    p = xi.shape[1]
    h = xi @ (xi.T @ xi) - p * xi
    xi *= h
    return xi


ALIGNED_WRONG = [
    (lambda xi: xi * (xi @ (xi.T @ xi)), "kept the self-coupling"),                       # forgot -pI
    (lambda xi: xi * (xi @ (xi.T @ xi) - xi), "you subtracted xi"),                       # W = xi xi^T - I
    (lambda xi: xi * (xi @ (xi.T @ xi) - (xi.shape[1] - 1) * xi), "not (p - 1) * xi"),   # p - 1
    (_aligned(times_bit=False), "multiply each by its own bit"),         # fields, not aligned
    (lambda xi: aligned_fields(xi) / xi.shape[0], "no 1/N here"),
    (lambda xi: aligned_fields(xi).T, "shape (p, N)"),
    (aligned_inplace, "changed in place"),
    (lambda xi: xi * (xi @ (xi.T @ xi) - 2 * xi.shape[1] * xi), "subtract p * xi once"),
    (lambda xi: xi * (xi @ (xi.T @ xi).fill_diagonal_(0)), "N - p too small"),            # own overlap removed
    (lambda xi: xi * (xi @ (xi.T @ xi) - xi.shape[0] * xi), "N - p too small"),           # N for p
    (lambda xi: aligned_fields(xi).sum(1), "summed over the patterns"),
]


@pytest.mark.parametrize("solution", [aligned_fields, aligned_fields_dense, aligned_fields_numpy, aligned_fields_einsum,
                                      aligned_fields_lists])
def test_aligned_fields_accepts_correct_answers(solution, capsys):
    assert ex.check_aligned_fields(solution) is True, capsys.readouterr().out


def test_aligned_fields_rejects_wrong_answers(capsys):
    wrong, says = zip(*ALIGNED_WRONG)
    assert_check_accepts_solution_rejects_stub_and_wrong(ex.check_aligned_fields, aligned_fields, list(wrong), capsys,
                                                         list(says))


# --- all_patterns_stable ---------------------------------------------------------------------------

def all_patterns_stable(xi):
    return bool((aligned_fields(xi) > 0).all())


def all_patterns_stable_dense(xi):
    n, p = xi.shape
    W = xi @ xi.T - p * torch.eye(n, dtype=xi.dtype)
    return bool((torch.sign(W @ xi) == xi).all())  # sign(0) = 0 never equals a bit: ties fail


def all_patterns_stable_numpy(xi):
    x = np.asarray(xi)
    h = x @ (x.T @ x) - x.shape[1] * x
    return bool(np.all(h * x > 0))


def all_patterns_stable_loop(xi):  # pattern by pattern, lists of columns
    p = xi.shape[1]
    for nu in range(p):
        h = sum(xi[:, mu] * float(xi[:, mu] @ xi[:, nu]) for mu in range(p)) - p * xi[:, nu]
        if not bool((h * xi[:, nu] > 0).all()):
            return False
    return True


def all_patterns_stable_einsum(xi):
    return torch.einsum("in,in->in", xi, torch.einsum("im,jm,jn->in", xi, xi, xi) - xi.shape[1] * xi).min().item() > 0


def _stable(offset=0, strict=True, reduce=lambda ok: ok.all()):
    def fn(xi):
        p = xi.shape[1]
        a = xi * (xi @ (xi.T @ xi) - (p - offset) * xi)
        return bool(reduce(a > 0 if strict else a >= 0))
    return fn


STABLE_WRONG = [
    (_stable(reduce=lambda ok: ok[:, 0].all()), "check only the first pattern"),          # first pattern only
    (_stable(reduce=lambda ok: ok.all(0).any()), "not whether any one is"),               # any pattern
    (_stable(reduce=lambda ok: ok.double().mean() >= 0.99), "not 99 % of them"),          # >= 99 % of bits
    (_stable(offset=0, strict=False), "exactly 0"),                                       # ties count as stable
    (_stable(offset=1), "not (p - 1) * xi"),                                              # subtracts (p - 1) xi
    (lambda xi: bool((xi * (xi @ (xi.T @ xi)) > 0).all()), "forgot -p I"),                 # forgot -pI
    (lambda xi: bool((xi * (xi @ (xi.T @ xi) - xi) > 0).all()), "W = xi xi^T - I"),         # subtracts I
    (lambda xi: (aligned_fields(xi) > 0).all(0), "one True/False for the whole set"),      # one answer per pattern
    (lambda xi: bool((aligned_fields(xi) < 0).all()), "xi_i h_i > 0"),                     # sign confused
    (_stable(reduce=lambda ok: ok.any()), "not .any()"),                                   # any bit at all
]


@pytest.mark.parametrize("solution", [all_patterns_stable, all_patterns_stable_dense, all_patterns_stable_numpy,
                                      all_patterns_stable_loop, all_patterns_stable_einsum])
def test_all_patterns_stable_accepts_correct_answers(solution, capsys):
    assert ex.check_all_patterns_stable(solution) is True, capsys.readouterr().out


def test_all_patterns_stable_rejects_wrong_answers_and_names_the_mistake(capsys):
    wrong, says = zip(*STABLE_WRONG)
    assert_check_accepts_solution_rejects_stub_and_wrong(ex.check_all_patterns_stable, all_patterns_stable, list(wrong),
                                                         capsys, list(says))


def test_each_mistake_gets_one_diagnosis(capsys):
    """A wrong answer is told its own mistake, not a second one it does not make."""
    for wrong, not_said in ((STABLE_WRONG[0][0], ("exactly 0", "forgot -p I", "any one")),
                            (STABLE_WRONG[1][0], ("exactly 0", "forgot -p I", "first pattern")),
                            (STABLE_WRONG[2][0], ("exactly 0", "forgot -p I", "first pattern", "any one"))):
        ex.check_all_patterns_stable(wrong)
        out = capsys.readouterr().out
        assert out.count("✗") == 1 and not any(phrase in out for phrase in not_said), out


def test_self_coupling_mistakes_are_not_blamed_on_ties(capsys):
    for wrong in (lambda xi: bool((xi * (xi @ (xi.T @ xi)) > 0).all()),
                  lambda xi: bool((xi * (xi @ (xi.T @ xi) - xi) > 0).all())):
        ex.check_all_patterns_stable(wrong)
        assert "exactly 0" not in capsys.readouterr().out


def test_stability_cases_are_what_they_claim():
    for name, (xi, want) in nb05.stability_cases().items():
        a = nb05.aligned_reference(xi)
        assert bool((a > 0).all()) == want, name
    cases = nb05.stability_cases()
    first = nb05.aligned_reference(cases["first only"][0]) > 0
    assert first[:, :3].all() and not first[:, 3].all() and not first[:, 4].all()
    assert (~first).double().mean() > 0.01  # more than 1 % of bits unstable: the ">= 99 %" answer says no
    rest = nb05.aligned_reference(cases["all but first"][0]) > 0
    assert not rest[:, 0].all() and rest[:, 1:].all() and (~rest).double().mean() > 0.01
    one = nb05.aligned_reference(cases["one bit"][0])
    assert int((one <= 0).sum()) == 1 and float(one.min()) < -cases["one bit"][0].shape[1]
    for name, low in (("-(p-1)", 1), ("-(p-2)", 2), ("tie", None)):
        xi = cases[name][0]
        p = xi.shape[1]
        a = nb05.aligned_reference(xi)
        assert float(a.min()) == (-(p - low) if low else 0.0), name


# --- the bound step by step ------------------------------------------------------------------------

def crosstalk_variance(n, p):
    return (p - 1) / n


VARIANCE_WRONG = [
    (lambda n, p: p / n, "only the other p - 1 patterns"),
    (lambda n, p: math.sqrt((p - 1) / n), "standard deviation"),
    (lambda n, p: n / (p - 1) if p > 1 else 0.0, "upside down"),
    (lambda n, p: (n - 1) * (p - 1), "divide by N^2"),
    (lambda n, p: (p - 1) / n**2, "you counted p - 1 terms"),
    (lambda n, p: (p - 1) // n, "integer division"),
    (lambda n, p: (n - 1) * (p - 1) / n, "variance is 1/N^2"),
    (lambda n, p: 2 * (p - 1) / n, "expected (p - 1) / N"),
]


def test_crosstalk_variance(capsys):
    for other in (lambda n, p: (p - 1) / (n - 1), lambda n, p: (n - 1) * (p - 1) / n**2, theory.crosstalk_variance):
        assert ex.check_crosstalk_variance(other) is True
    wrong, says = zip(*VARIANCE_WRONG)
    assert_check_accepts_solution_rejects_stub_and_wrong(ex.check_crosstalk_variance, crosstalk_variance, list(wrong),
                                                         capsys, list(says))


def bit_error_probability(n, p):
    return 0.5 * math.erfc(math.sqrt(n / (p - 1)) / math.sqrt(2))


def bit_error_scipy_like(n, p):  # the tail through torch's special functions, sigma from N - 1
    x = torch.tensor(math.sqrt((n - 1) / (p - 1)), dtype=torch.float64)
    return float(torch.special.erfc(x / math.sqrt(2)) / 2)


def bit_error_ndtr(n, p):  # torch's normal CDF: 1 - Phi(x) computed as Phi(-x) = 1 - ..., no digits left far out
    return float(torch.special.ndtr(-torch.tensor(math.sqrt(n / (p - 1)), dtype=torch.float64)))


def _tail(x):
    return 0.5 * math.erfc(x / math.sqrt(2))


BIT_WRONG = [
    (lambda n, p: math.erfc(math.sqrt(n / (p - 1)) / math.sqrt(2)), "two-sided"),
    (lambda n, p: math.exp(-n / (2 * (p - 1))) / math.sqrt(2 * math.pi * n / (p - 1)), "upper bound"),
    (lambda n, p: math.exp(-n / (2 * (p - 1))), "exponential factor"),
    (lambda n, p: math.exp(-n / (2 * p)), "leading-order factor"),
    (lambda n, p: _tail(math.sqrt(n / p)), "sigma^2 = p / N"),
    (lambda n, p: _tail(math.sqrt((p - 1) / n)), "not sigma"),
    (lambda n, p: _tail(n / (p - 1)), "not 1 / sigma^2"),
    (lambda n, p: 1 - _tail(math.sqrt(n / (p - 1))), "the bit is stable"),
    (lambda n, p: 0.5 * math.erfc(math.sqrt(n / (p - 1))), "left out the sqrt 2"),
    (lambda n, p: "small", "return one number"),
    (lambda n, p: math.exp(-n / (2 * (p - 1))) / math.sqrt(2 * math.pi), "Gaussian density"),
    (lambda n, p: 0.5 * math.erf(math.sqrt(n / (p - 1)) / math.sqrt(2)), "erf is not erfc"),
    (lambda n, p: 1 - 0.5 * (1 + math.erf(math.sqrt(n / (p - 1)) / math.sqrt(2))), "lost its digits"),
    (bit_error_ndtr, "lost its digits"),
]


def test_bit_error_probability(capsys):
    for other in (bit_error_scipy_like, theory.bit_error_probability):
        assert ex.check_bit_error_probability(other) is True, capsys.readouterr().out
    wrong, says = zip(*BIT_WRONG)
    assert_check_accepts_solution_rejects_stub_and_wrong(ex.check_bit_error_probability, bit_error_probability,
                                                         list(wrong), capsys, list(says))


def union_bound_capacity(n, all_patterns=True, expected_errors=1.0):
    lo, hi = 1.0, float(n)
    while hi - lo > 1e-6:
        mid = (lo + hi) / 2
        expected = (n * mid if all_patterns else n) * bit_error_probability(n, mid)
        lo, hi = (mid, hi) if expected < expected_errors else (lo, mid)
    return (lo + hi) / 2


def union_bound_fixed_point(n, all_patterns=True, expected_errors=1.0):  # iterate p <- p (E / expected)^(small power)
    p = n / (4 * math.log(n))
    for _ in range(3000):
        expected = (n * p if all_patterns else n) * bit_error_probability(n, p)
        p *= (expected_errors / expected) ** 0.05
    return p


def union_bound_newton(n, all_patterns=True, expected_errors=1.0):  # Newton on log(expected) - log(E), numeric slope
    def g(p):
        return math.log((n * p if all_patterns else n) * bit_error_probability(n, p)) - math.log(expected_errors)
    p = n / (2 * math.log(n))
    for _ in range(100):
        slope = (g(p * 1.0001) - g(p)) / (p * 1e-4)
        p = max(p - g(p) / slope, 1.5)
    return p


def union_bound_integer(n, all_patterns=True, expected_errors=1.0):  # the largest integer p with E below the target
    p = 2
    while (n * (p + 1) if all_patterns else n) * bit_error_probability(n, p + 1) <= expected_errors:
        p += 1
    return p


def union_bound_coarse(n, all_patterns=True, expected_errors=1.0):  # stops when the interval is below 1
    lo, hi = 2.0, float(n)
    while hi - lo > 1:
        mid = (lo + hi) / 2
        expected = (n * mid if all_patterns else n) * bit_error_probability(n, mid)
        lo, hi = (mid, hi) if expected < expected_errors else (lo, mid)
    return (lo + hi) / 2


def union_bound_wrong_end(n, all_patterns=True, expected_errors=1.0):
    lo, hi = 2.0, float(n)
    while hi - lo > 1e-6:
        mid = (lo + hi) / 2
        expected = (n * mid if all_patterns else n) * bit_error_probability(n, mid)
        lo, hi = (lo, mid) if expected < expected_errors else (mid, hi)
    return (lo + hi) / 2


def _solve(n, count, target=1.0):
    return nb05._solve(n, count, target)


CAPACITY_WRONG = [
    (lambda n, a=True, e=1.0: n / (4 * math.log(n)) if a else n / (2 * math.log(n)), "leading-order formula"),
    (lambda n, a=True, e=1.0: union_bound_capacity(n, not a, e), "the other case"),
    (lambda n, a=True, e=1.0: _solve(n, lambda p: (n * p if a else n) * math.exp(-n / (2 * (p - 1))), e), "e^(-N / 2p) alone"),
    (lambda n, a=True, e=1.0: _solve(n, lambda p: (n * p if a else n) * bit_error_probability(n, p), math.log(2)), "ln 2"),
    (lambda n, a=True, e=1.0: union_bound_capacity(n, a, 1.0), "you solved for 1 expected unstable bit"),
    (lambda n, a=True, e=1.0: union_bound_capacity(n, a, e) * 1.1, "expected p"),
    (union_bound_integer, "whole number"),
    (union_bound_coarse, "not to within 0.01"),
    (union_bound_wrong_end, "moves the wrong end"),
]


def test_union_bound_capacity(capsys):
    for other in (union_bound_fixed_point, union_bound_newton,
                  lambda n, a=True, e=1.0: theory.union_bound_capacity(n, all_patterns=a, expected_errors=e)):
        assert ex.check_union_bound_capacity(other) is True, capsys.readouterr().out
    wrong, says = zip(*CAPACITY_WRONG)
    assert_check_accepts_solution_rejects_stub_and_wrong(ex.check_union_bound_capacity, union_bound_capacity,
                                                         list(wrong), capsys, list(says))


def test_capacity_reference_matches_the_theory_module():
    for n in (100, 1000, 10000):
        for a in (True, False):
            for e in (1.0, math.log(2)):
                assert nb05.capacity_reference(n, a, e) == pytest.approx(
                    theory.union_bound_capacity(n, all_patterns=a, expected_errors=e), rel=1e-6)
