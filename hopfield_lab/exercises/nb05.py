"""Self-checks for Notebook 05: stored patterns as exact fixed points, and the signal-to-noise
bound on perfect recall step by step (crosstalk variance, Gaussian tail, union bound).

Every check runs the student's function on cases of its own, including cases built to expose
one mistake each (a pattern set where only the first pattern is stable, one where all but the
first are, a single unstable bit among hundreds, fields of exactly 0, fields that the self-
coupling would push just over 0, a Gaussian tail far out at x = 8, a union bound at several
targets E) and names the mistake it finds. The hidden tests of the notebook share the
acceptance functions (bit_error_accepted, capacity_accepted), so both agree.
"""
from __future__ import annotations

import math
from typing import Callable

import torch

from ..theory import _bisect
from ._report import _Report, _call, _number, _pm1

__all__ = ['check_aligned_fields', 'check_all_patterns_stable', 'check_crosstalk_variance',
           'check_bit_error_probability', 'check_union_bound_capacity']


def _close(a: float, b: float, rel: float = 1e-6, abs_: float = 0.0) -> bool:
    return abs(a - b) <= max(rel * abs(b), abs_)


# --- stored patterns as fixed points ---------------------------------------------------------------

def _patterns(rows: list[str]) -> torch.Tensor:
    """(N, p) float64 patterns from one string of '+'/'-' per pattern."""
    return torch.tensor([[1.0 if c == "+" else -1.0 for c in row] for row in rows], dtype=torch.float64).T


def _pm1_seeded(n: int, p: int, seed: int) -> torch.Tensor:
    """(N, p) random +/-1 patterns, float64, from their own seed."""
    return _pm1(torch.Generator().manual_seed(seed), n, p)


def _with_flips(base: torch.Tensor, flips: list[int]) -> torch.Tensor:
    out = base.clone()
    out[flips] *= -1
    return out


def aligned_reference(xi: torch.Tensor) -> torch.Tensor:
    """xi_i^nu h_i^nu with h = W xi, W = xi xi^T - p I (the plainest formula)."""
    xi = torch.as_tensor(xi, dtype=torch.float64)
    w = xi @ xi.T - xi.shape[1] * torch.eye(xi.shape[0], dtype=torch.float64)
    return xi * (w @ xi)


def stability_cases() -> dict[str, tuple[torch.Tensor, bool]]:
    """The pattern sets check_all_patterns_stable uses, with the right answer: name -> (xi, all stable?)."""
    base40, base100 = _pm1_seeded(40, 1, 5)[:, 0], _pm1_seeded(100, 1, 6)[:, 0]
    return {
        # 3 random patterns in 200 neurons: all stable (aligned fields near 199, crosstalk ~ 20)
        "few": (_pm1_seeded(200, 3, 21), True),
        "light": (_pm1_seeded(500, 10, 22), True),
        "heavy": (_pm1_seeded(200, 60, 23), False),
        # patterns 0-2 equal; 3 and 4 are copies with 2 bits flipped: those bits are unstable (h xi ~ -100)
        "first only": (torch.stack([base40, base40, base40, _with_flips(base40, [0, 1]), _with_flips(base40, [2, 3])], 1), False),
        # patterns 1-3 are pattern 0 with bits 0-2 flipped: pattern 0 has 3 unstable bits (h xi ~ -66), the rest are stable
        "all but first": (torch.stack([base40] + [_with_flips(base40, [0, 1, 2])] * 3, 1), False),
        # patterns 1, 2 are pattern 0 with bit 0 flipped: one unstable bit (h xi = -99) among N p = 300
        "one bit": (torch.stack([base100] + [_with_flips(base100, [0])] * 2, 1), False),
        # smallest h xi = -(p - 1) = -4 (p = 5): only W without -pI makes it positive
        "-(p-1)": (_patterns(["-++--+++-+-", "++--++--+++", "++--++++-++", "-++--+-++-+", "++-+--+-+++"]), False),
        # smallest h xi = -(p - 2) = -4 (p = 6): W = xi xi^T - I makes it positive
        "-(p-2)": (_patterns(["-+---+---++-", "+++++-+++---", "++--++++-++-", "-+-++--++---", "++-+++-++-++",
                              "+----+++++-+"]), False),
        # exactly one bit with h xi = 0, every other >= 4: a tie
        "tie": (_patterns(["+---++---+-+", "-+-+-++-+++-", "+---+--++-++", "++++-+++---+", "+-+++++--+-+",
                           "-++-+-++----"]), False),
    }


def check_aligned_fields(fn: Callable[[torch.Tensor], torch.Tensor]) -> bool:
    """``fn(xi)`` must return the (N, p) matrix xi_i^nu h_i^nu, h = W xi with W = xi xi^T - p I
    (no 1/N), whatever way it is computed."""
    r = _Report("aligned_fields")
    for label, xi in (("N = 60, p = 5", _pm1_seeded(60, 5, 31)), ("N = 30, p = 1", _pm1_seeded(30, 1, 32)),
                      ("N = 45, p = 8", _pm1_seeded(45, 8, 33))):
        given = xi.clone()
        out = _call(r, fn, given, label=label)
        if r.unfinished:
            return r.done()
        if out is None:
            continue
        if not torch.equal(given, xi):
            r.check(False, "", f"{label}: xi was changed in place; compute into a new tensor (xi * ..., not xi *= ...)")
            continue
        got = _aligned_result(r, label, out, *xi.shape)
        if got is None:
            continue
        want = aligned_reference(xi)
        if torch.allclose(got, want, atol=1e-9):
            r.check(True, f"{label}: h xi = (N - 1) + crosstalk for every bit", "")
        else:
            r.check(False, "", f"{label}: {_aligned_mistake(got, want, xi)}")
    return r.done()


def _aligned_result(r: _Report, label: str, out, n: int, p: int) -> torch.Tensor | None:
    """The student's result as an (N, p) float64 tensor, or None with the reason (transposed,
    summed over the patterns, another shape) recorded."""
    try:
        got = torch.as_tensor(out, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as err:
        r.check(False, "", f"{label}: return an (N, p) tensor or array, got {type(out).__name__} ({err})")
        return None
    if tuple(got.shape) == (p, n) and p != n:
        r.check(False, "", f"{label}: the result has shape (p, N) = {(p, n)}; return (N, p), one column per pattern")
    elif tuple(got.shape) == (n,) and p > 1:
        r.check(False, "", f"{label}: the result has shape (N,) = {(n,)}: you summed over the patterns; return "
                           "one column per pattern, (N, p)")
    elif tuple(got.shape) != (n, p):
        r.check(False, "", f"{label}: expected shape (N, p) = {(n, p)}, got {tuple(got.shape)}")
    else:
        return got
    return None


def _aligned_mistake(got: torch.Tensor, want: torch.Tensor, xi: torch.Tensor) -> str:
    """What a wrong xi_i h_i most likely is: the self-coupling kept or removed wrongly (every value off by
    the same amount), a 1/N, the fields without their bits, the right numbers in the wrong order."""
    n, p = xi.shape
    diff = got - want
    offset = float(diff.mean())
    if bool(torch.allclose(diff, torch.full_like(diff, offset), atol=1e-9)):
        if abs(offset - p) < 1e-9:
            return ("every value is p too large: you kept the self-coupling. xi xi^T has p on its diagonal "
                    "(each pattern adds xi_i^2 = 1), and W = xi xi^T - p I removes it: subtract p * xi")
        if abs(offset - (p - 1)) < 1e-9 and p > 1:
            return ("every value is p - 1 too large: you subtracted xi (W = xi xi^T - I); the diagonal of xi xi^T is p, "
                    "so subtract p * xi")
        if abs(offset - 1) < 1e-9:
            return "every value is 1 too large: subtract p * xi, not (p - 1) * xi (the diagonal of xi xi^T is p)"
        if abs(offset - (p - n)) < 1e-9:
            return ("every value is N - p too small: you removed N (the overlap of the pattern with itself, its signal, "
                    "or N * xi) instead of p: only the diagonal of W, p on each entry of xi xi^T's diagonal, goes")
        if abs(offset + p) < 1e-9:
            return "every value is p too small: subtract p * xi once (W xi = xi (xi^T xi) - p xi)"
    if torch.allclose(got, want / n, atol=1e-9) or torch.allclose(got * n, want + p, atol=1e-9):
        return "the values are N times too small: no 1/N here, use W = xi xi^T - p I as it is"
    if torch.allclose(got * xi, want, atol=1e-9):
        return "these are the fields h_i^nu; multiply each by its own bit, xi_i^nu h_i^nu (elementwise xi * h)"
    if torch.allclose(got, want.T.reshape(n, p), atol=1e-9) or torch.allclose(got.T.reshape(n, p), want, atol=1e-9):
        return "the numbers are right but in the wrong order: keep one column per pattern (no reshape of a (p, N) result)"
    return ("wrong values: expected xi * (xi @ (xi.T @ xi) - p * xi); for example at bit 0 of pattern 0 "
            f"{want[0, 0]:.0f}, you have {got[0, 0]:.6g}")


# which mistake a set of wrong verdicts shows: the first entry whose cases are all answered wrongly
_SOME_NOT_ALL = [
    (("heavy", "first only", "all but first", "one bit"),
     "you said yes whenever some bits are stable: the question is whether ALL bits of ALL "
     "patterns are, not whether any one is (use .all() over every entry, not .any())"),
    (("first only", "all but first"),
     "you said yes when only some patterns are fixed points: the question is whether ALL "
     "patterns are, not whether any one is (use .all() over every column)"),
    (("first only",),
     "patterns 0-2 are fixed points here but patterns 3 and 4 are not, and you said yes: you seem "
     "to check only the first pattern; check every column of xi"),
    (("all but first",),
     "pattern 0 has unstable bits here (all the others are fixed points), and you said yes: "
     "include pattern 0, check every column"),
]
_SELF_COUPLING = [
    (("-(p-1)",),
     "you kept the self-coupling (forgot -p I): without it every xi_i h_i is p too large "
     "(xi xi^T has p on its diagonal), so a bit at xi_i h_i = -(p - 1) looks stable. "
     "Use W xi = xi (xi^T xi) - p xi"),
    (("-(p-2)",),
     "you subtract xi, i.e. W = xi xi^T - I: the diagonal of xi xi^T is p, not 1, so subtract "
     "p * xi (a bit at xi_i h_i = -(p - 2) looked stable)"),
    (("tie",),
     "a bit whose field is exactly 0 (xi_i h_i = 0) counted as stable: it is a failure, test "
     "xi_i h_i > 0 strictly. (If you do, check that you subtract p * xi and not (p - 1) * xi, "
     "which adds 1 to every xi_i h_i.)"),
]


def _first_mistake(right: dict[str, bool], ladder: list) -> str | None:
    """The message of the first entry of ``ladder`` whose cases were all answered wrongly."""
    return next((why for names, why in ladder if not any(right[name] for name in names)), None)


def _stability_verdicts(r: _Report, fn: Callable, cases: dict) -> dict[str, bool] | None:
    """The student's True/False for every case, or None (reason recorded) when one cannot be had."""
    said = {}
    for name, (xi, _) in cases.items():
        given = xi.clone()
        out = _call(r, fn, given, label=f"the '{name}' case")
        if r.unfinished:
            return None
        if out is None:
            continue
        if not torch.equal(given, xi):
            r.check(False, "", "xi was changed in place; compute into a new tensor")
            return None
        try:
            said[name] = bool(out)
        except (TypeError, ValueError, RuntimeError):
            r.check(False, "", f"return one True/False for the whole set (got {type(out).__name__} "
                               f"{getattr(out, 'shape', '')}): use .all() over every bit of every pattern")
            return None
    return said if len(said) == len(cases) else None


def check_all_patterns_stable(fn: Callable[[torch.Tensor], bool]) -> bool:
    """``fn(xi)`` must say whether every stored pattern (column of xi) is an exact fixed point of
    W = xi xi^T - p I: every bit of every pattern has xi_i h_i > 0, a field of exactly 0 counting as
    a failure. One True/False for the whole set."""
    r = _Report("all_patterns_stable")
    cases = stability_cases()
    said = _stability_verdicts(r, fn, cases)
    if said is None:
        return r.done()
    right = {name: said[name] == want for name, (_, want) in cases.items()}
    r.check(right["few"] and right["light"], "sets of well-separated patterns (3 in N = 200, 10 in N = 500): all stable",
            "3 random patterns in 200 neurons (or 10 in 500) are all fixed points, but you said no: a bit is stable "
            "when xi_i h_i > 0, with h = W xi")
    r.check(right["heavy"], "60 random patterns in N = 200: not all stable",
            "with 60 random patterns in 200 neurons many bits are unstable, but you said yes")
    why = _first_mistake(right, _SOME_NOT_ALL)
    if why is not None:
        r.check(False, "", why)
    else:
        r.check(True, "a set where only some patterns are fixed points: not all stable", "")
        r.check(right["one bit"], "one unstable bit among N p = 300: not all stable",
                "exactly one bit out of N p = 300 is unstable here, and you said yes: every bit must be stable, "
                "not 99 % of them")
    if right["first only"] and right["all but first"] and right["one bit"]:  # else the cases below repeat that mistake
        why = _first_mistake(right, _SELF_COUPLING)
        r.check(why is None, "the self-coupling is removed (W = xi xi^T - p I) and a field of exactly 0 counts as unstable",
                why or "")
    return r.done()


def _answers(r: _Report, fn: Callable, cases: list[tuple[str, tuple]]):
    """(label, arguments, the student's answer as a finite number) for each (label, arguments) case
    whose answer can be read; stops at a stub (the report says so)."""
    for label, args in cases:
        got = _call(r, fn, *args, label=label)
        if r.unfinished:
            return
        if got is not None and (got := _number(r, got, label, finite=True)) is not None:
            yield label, args, got


def _np_cases(*sizes: tuple[int, int]) -> list[tuple[str, tuple[int, int]]]:
    return [(f"N = {n}, p = {p}", (n, p)) for n, p in sizes]


# --- the bound, step 1: crosstalk variance --------------------------------------------------------

def check_crosstalk_variance(fn: Callable[[int, int], float]) -> bool:
    """``fn(n, p)`` must return the crosstalk variance in units of the signal, (p - 1) / N
    ((p - 1) / (N - 1) and (N - 1)(p - 1) / N^2, the exact forms, are accepted too)."""
    r = _Report("crosstalk_variance")
    for label, (n, p), got in _answers(r, fn, _np_cases((1000, 101), (10, 2), (50, 26), (500, 1))):
        accepted = ((p - 1) / n, (p - 1) / (n - 1), (n - 1) * (p - 1) / n**2)
        if any(_close(got, a, 1e-6, 1e-12) for a in accepted):
            r.check(True, f"{label}: {got:.4g}", "")
            continue
        want = (p - 1) / n
        if p == 1 and got != 0:
            why = "with a single pattern there is no other pattern to interfere: the crosstalk is 0"
        elif _close(got, p / n, 1e-6) or _close(got, p / (n - 1), 1e-6):
            why = ("you used p / N: the pattern itself (mu = nu) gives the signal; only the other p - 1 patterns "
                   "add crosstalk, so (p - 1) / N")
        elif _close(got, math.sqrt(want), 1e-6) or _close(got, math.sqrt((p - 1) / (n - 1)), 1e-6):
            why = "that is the standard deviation sqrt((p - 1) / N); the variance is its square"
        elif want > 0 and (_close(got, 1 / want, 1e-6) or _close(got, (n - 1) / (p - 1), 1e-6)):
            why = "upside down: the variance grows with the number of other patterns and falls with N: (p - 1) / N"
        elif got == (p - 1) // n and want > 0:
            why = "integer division: (p - 1) // N rounds down to a whole number; use / for the real ratio"
        elif _close(got, (n - 1) * (p - 1) / n, 1e-6) or _close(got, p - 1, 1e-6):
            why = ("each term is +1/N or -1/N, so its variance is 1/N^2, not 1/N: (N - 1)(p - 1) terms give "
                   "(N - 1)(p - 1) / N^2, about (p - 1) / N")
        elif _close(got, (p - 1) / n**2, 1e-6) or _close(got, (p - 1) / (n * (n - 1)), 1e-6):
            why = ("you counted p - 1 terms: each of the p - 1 other patterns adds one term for every j != i, "
                   "(N - 1)(p - 1) terms of variance 1/N^2 in all")
        elif _close(got, (n - 1) * (p - 1), 1e-6) or _close(got, n * (p - 1), 1e-6):
            why = ("that is the variance of the crosstalk sum C itself; in units of the signal N - 1 ~ N divide by "
                   "N^2: (p - 1) / N")
        else:
            why = f"expected (p - 1) / N = {want:.4g}, got {got:.4g}"
        r.check(False, "", f"{label}: {why}")
    return r.done()


# --- the bound, step 2: the Gaussian tail ---------------------------------------------------------

def _tail(x: float) -> float:
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def bit_error_accepted(n: int, p: float, got: float) -> bool:
    """Whether ``got`` is the Gaussian tail erfc(x / sqrt 2) / 2 within 1e-3 (relative), x = 1 / sigma with
    sigma^2 = (p - 1) / N or one of its exact N - 1 forms: the self-check and the hidden tests both use it."""
    thresholds = (math.sqrt(n / (p - 1)), math.sqrt((n - 1) / (p - 1)), n / math.sqrt((n - 1) * (p - 1)))
    return any(_close(float(got), _tail(t), 1e-3) for t in thresholds)


def check_bit_error_probability(fn: Callable[[int, int], float]) -> bool:
    """``fn(n, p)`` must return P(z > 1 / sigma) = erfc(1 / (sigma sqrt 2)) / 2 for a standard
    Gaussian z, sigma^2 = (p - 1) / N (the N - 1 forms of sigma are accepted too)."""
    r = _Report("bit_error_probability")
    for label, (n, p), got in _answers(r, fn, _np_cases((100, 10), (1000, 72), (100, 45), (400, 101), (6400, 101))):
        x = math.sqrt(n / (p - 1))
        if bit_error_accepted(n, p, got):
            r.check(True, f"{label}: P = {got:.3g} (1 / sigma = {x:.3f})", "")
            continue
        density = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
        suspects = [
            (2 * _tail(x), "that is the two-sided tail P(|z| > 1/sigma); only crosstalk against the bit (z < -1/sigma) "
                           "flips it: erfc(x / sqrt 2) / 2"),
            (density / x, "that is the upper bound phi(x) / x of the tail; compute the tail itself, erfc(x / sqrt 2) / 2 "
                          "(math.erfc)"),
            (math.exp(-x * x / 2), "that is only the exponential factor e^(-N / 2(p - 1)); compute the Gaussian tail "
                                   "itself, erfc(x / sqrt 2) / 2"),
            (math.exp(-n / (2 * p)), "that is only the leading-order factor e^(-N / 2p); compute the Gaussian tail "
                                     "itself, erfc(x / sqrt 2) / 2 with x = 1 / sigma"),
            (_tail(math.sqrt(n / p)), "you used sigma^2 = p / N; the crosstalk variance is (p - 1) / N (your "
                                      "crosstalk_variance)"),
            (_tail(1 / x), "the threshold is 1 / sigma (the signal 1 over the noise sigma), not sigma"),
            (_tail(x * x), "the threshold is 1 / sigma, not 1 / sigma^2: take the square root of the variance"),
            (1 - _tail(x), "that is P(z < 1/sigma), the probability that the bit is stable; the error is the tail beyond"),
            (density, "that is the Gaussian density phi(x) at x = 1 / sigma, not the probability beyond it: the tail "
                      "erfc(x / sqrt 2) / 2"),
            (0.5 * math.erf(x / math.sqrt(2)), "erf is not erfc: erf(x / sqrt 2) / 2 is P(0 < z < x); the tail beyond x is "
                                               "erfc(x / sqrt 2) / 2 = (1 - erf(x / sqrt 2)) / 2"),
            (0.5 * math.erfc(x), "the standard Gaussian tail is erfc(x / sqrt 2) / 2: you left out the sqrt 2"),
            (1 - 0.5 * (1 + math.erf(x / math.sqrt(2))), "1 - (1 + erf(x / sqrt 2)) / 2 is the tail on paper, but far out "
             "(x = 8 here) the subtraction from 1 loses every digit: use erfc(x / sqrt 2) / 2, which keeps them"),
        ]
        if x > 6 and 0.0 <= got < 3 * _tail(x) and not any(_close(got, value, 1e-3) for value, _ in suspects[:-1]):
            suspects.insert(0, (got, "far out in the tail (x = 1 / sigma = 8 here) your value has lost its digits: "
                                     "1 - (something close to 1) cancels; use erfc(x / sqrt 2) / 2, which keeps them"))
        why = next((text for value, text in suspects if _close(got, value, 1e-3)),
                   f"expected erfc(x / sqrt 2) / 2 = {_tail(x):.4g} at x = 1 / sigma = {x:.4f}, got {got:.4g}")
        r.check(False, "", f"{label}: {why}")
    return r.done()


# --- the bound, step 3: the union bound solved for p ----------------------------------------------

def _solve(n: int, count: Callable[[float], float], target: float = 1.0) -> float:
    """The p in [1, N] where the increasing function count(p) reaches target (bisection)."""
    lo, hi = _bisect(lambda p: count(p) < target, 1.0, float(n), steps=100)
    return 0.5 * (lo + hi)


def capacity_reference(n: int, all_patterns: bool = True, target: float = 1.0) -> float:
    """The p solving N p P_bit = target (all patterns) or N P_bit = target (one), P_bit = erfc(sqrt(N/(p-1)/2))/2."""
    bits = (lambda p: n * p) if all_patterns else (lambda p: n)
    return _solve(n, lambda p: bits(p) * _tail(math.sqrt(n / (p - 1))) if p > 1 else 0.0, target)


CAPACITY_TOL = 0.01  # the task's own precision: p to within 0.01


def capacity_accepted(n: int, all_patterns: bool, expected_errors: float, got: float) -> bool:
    """Whether ``got`` is the root of the union-bound equation within CAPACITY_TOL (self-check and hidden tests)."""
    return abs(float(got) - capacity_reference(n, all_patterns, expected_errors)) <= CAPACITY_TOL


def capacity_cases() -> list[tuple[int, bool, float]]:
    """(N, all_patterns, expected_errors) of the self-check: both cases at three N, and other targets."""
    return [(100, True, 1.0), (100, False, 1.0), (1000, True, 1.0), (1000, False, 1.0), (10000, True, 1.0),
            (10000, False, 1.0), (1000, True, math.log(2)), (1000, False, math.log(2)), (300, True, 0.3)]


def _capacity_mistake(n: int, all_patterns: bool, errors: float, got: float, want: float) -> str:
    """What a wrong root found by the student most likely is."""
    bits = (lambda p: n * p) if all_patterns else (lambda p: n)
    suspects = [
        (n / (4 * math.log(n)), "that is the leading-order formula N / (4 ln N); solve N p P_bit(N, p) = E itself "
                                "(at finite N the answer is much larger: that is the point)"),
        (n / (2 * math.log(n)), "that is the leading-order formula N / (2 ln N); solve the equation itself"),
        (capacity_reference(n, not all_patterns, errors), "you solved the other case: all patterns means N p bits "
                                                          "in the union bound, one pattern N bits"),
        (_solve(n, lambda p: bits(p) * math.exp(-n / (2 * (p - 1))) if p > 1 else 0.0, errors),
         "you solved with the factor e^(-N / 2p) alone; use the full Gaussian tail, your bit_error_probability(N, p)"),
    ]
    if errors != 1.0:
        suspects.append((capacity_reference(n, all_patterns, 1.0), f"you solved for 1 expected unstable bit, but "
                         f"expected_errors = {errors:.4g} here: set the expected number equal to expected_errors"))
    else:
        suspects.append((capacity_reference(n, all_patterns, math.log(2)), "that sets the expected number of unstable "
                         "bits to ln 2; here expected_errors = 1"))
    why = next((text for value, text in suspects if _close(got, value, 0.01, 0.3)), None)
    if why is not None:
        return why
    if got == round(got) and abs(got - want) < 1.0:
        return (f"you returned the whole number {got:.0f}; the root is the real number p = {want:.3f}: bisect on "
                "real p, not over integers")
    if abs(got - want) < 1.0:
        return (f"expected p = {want:.3f}, got {got:.3f}: close, but not to within 0.01; bisect until the interval "
                "is much shorter than 0.01")
    if min(abs(got - 2.0), abs(got - 1.0), abs(got - n)) < 0.5:
        return (f"expected p = {want:.2f}, got {got:.4g}, an end of the search interval: the bisection moves the wrong "
                "end (where the expected number is below the target, the root lies above mid)")
    return (f"expected p = {want:.2f}, got {got:.4g}: bisect on p in [2, N] until the interval is tiny (and check "
            "bit_error_probability first: this uses it)")


def check_union_bound_capacity(fn: Callable[..., float]) -> bool:
    """``fn(n, all_patterns, expected_errors)`` must return the p (a real number, to within 0.01) at which the
    expected number of unstable bits reaches expected_errors: N p P_bit(N, p) = E for all patterns,
    N P_bit(N, p) = E for one."""
    r = _Report("union_bound_capacity")
    cases = [(f"N = {n}, {'all patterns' if every else 'one pattern'}, E = {errors:.3g}", (n, every, errors))
             for n, every, errors in capacity_cases()]
    for label, (n, all_patterns, errors), got in _answers(r, fn, cases):
        want = capacity_reference(n, all_patterns, errors)
        if capacity_accepted(n, all_patterns, errors, got):
            r.check(True, f"{label}: p = {got:.2f}", "")
        else:
            r.check(False, "", f"{label}: {_capacity_mistake(n, all_patterns, errors, got, want)}")
    return r.done()
