"""Self-checks for Notebook 06: the Glauber probability, one Glauber step of a block of neurons,
the Curie-Weiss equation m = tanh(m / T) solved by iteration, and T_c located by bisection.

Every check runs the student's function on cases of its own, compares with what the physics
requires, and names the mistake it recognises (tanh instead of a probability, P(S = -1), a
missing factor 2, the self-coupling kept, no 1/N, the comparison turned round, a tie at T = 0
kept instead of drawn, rows updated one after the other, the caller's tensors changed in place,
m = 0 as the start, one step instead of a converged iteration, tanh(m) / T, a T_c that does not
come from the solver, a bracket ignored, m > 0 taken as order, a T_c coarser than 1e-4). The
hidden tests of the notebook use the same cases and tolerances (CRITICAL_TOL, MEAN_FIELD_TOL).
"""
from __future__ import annotations

import math
from typing import Callable

import torch

from ..theory import curie_weiss_overlap
from ._report import _Report, _call, _number, _pm1, _as_matrix

__all__ = ['check_glauber_probability', 'check_glauber_step', 'check_mean_field_overlap',
           'check_critical_temperature']


def glauber_reference(h: torch.Tensor, temperature: float) -> torch.Tensor:
    """P(S = +1) = (1 + tanh(h / T)) / 2; at T = 0 the step (1 + sign h) / 2."""
    h = torch.as_tensor(h, dtype=torch.float64)
    if temperature == 0:
        return 0.5 * (1 + torch.sign(h))
    return 0.5 * (1 + torch.tanh(h / temperature))


# --- Exercise: glauber_probability -------------------------------------------------------------------

def check_glauber_probability(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> bool:
    """``fn(h, T)`` must return P(S = +1) = (1 + tanh(h / T)) / 2 elementwise, with T = 0 the step
    function (1/2 at h = 0) and no division by zero."""
    r = _Report("glauber_probability")
    h = torch.tensor([-2.0, -0.5, -0.1, 0.0, 0.1, 0.5, 2.0], dtype=torch.float64)
    for T in (0.5, 1.0, 3.0):
        label = f"T = {T}"
        given = h.clone()
        got = _call(r, fn, given, T, label=label)
        if r.unfinished:
            return r.done()
        if not torch.equal(given, h):
            r.check(False, "", f"{label}: your function changed the fields h it was given (h /= T or h.div_(T) work "
                               "in place): compute into a new tensor, h / T")
            return r.done()
        if got is None or (got := _as_matrix(r, got, tuple(h.shape), label)) is None:
            continue
        want = glauber_reference(h, T)
        if torch.allclose(got, want, atol=1e-6):
            r.check(True, f"{label}: P(+1) = (1 + tanh(h / T)) / 2", "")
            continue
        r.check(False, "", f"{label}: {_probability_mistake(got, want, h, T)}")
    cold = _call(r, fn, h.clone(), 0.0, label="T = 0")
    if cold is not None and (cold := _as_matrix(r, cold, tuple(h.shape), "T = 0")) is not None:
        want = glauber_reference(h, 0.0)
        if bool(torch.isnan(cold).any()):
            r.check(False, "", "T = 0 gives NaN: h / 0 is not defined; treat T == 0 apart, as the sign rule")
        elif torch.allclose(cold[h != 0], want[h != 0]) and not torch.allclose(cold, want):
            r.check(False, "", f"T = 0: at h = 0 you give {float(cold[3]):g}; a tie has P(+1) = 1/2 ((1 + sign 0) / 2), "
                               "the limit of (1 + tanh(0 / T)) / 2")
        else:
            r.check(torch.allclose(cold, want), "T = 0: the deterministic sign rule (1/2 for a tie)",
                    "at T = 0 the probability must be 0 or 1 by the sign of h (1/2 at h = 0)")
    hot = _call(r, fn, h.clone(), 1e6, label="T = 1e6")
    if hot is not None and (hot := _as_matrix(r, hot, tuple(h.shape), "T = 1e6")) is not None:
        r.check(torch.allclose(hot, torch.full_like(hot, 0.5), atol=1e-5), "T -> infinity: pure noise, P = 1/2",
                "at very high T every neuron should be +1 with probability 1/2")
    return r.done()


def _probability_mistake(got: torch.Tensor, want: torch.Tensor, h: torch.Tensor, T: float) -> str:
    """What a wrong P(S = +1) most likely is (tanh alone, P(S = -1), a missing factor 2, h T)."""
    suspects = [
        (torch.tanh(h / T), "tanh(h / T) runs from -1 to 1, it is not a probability: P(+1) = (1 + tanh(h / T)) / 2"),
        (0.5 * (1 - torch.tanh(h / T)), "that is P(S = -1): a positive field must make +1 likely"),
        (torch.sigmoid(h / T), "1 / (1 + e^(-h/T)) is (1 + tanh(h / 2T)) / 2: Glauber's rule has a factor 2, "
                               "1 / (1 + e^(-2h/T))"),
        (0.5 * (1 + torch.tanh(h * T)), "beta = 1 / T: divide the field by T, do not multiply"),
        (torch.exp(h / T) / (1 + torch.exp(h / T)), "e^(h/T) / (1 + e^(h/T)) misses Glauber's factor 2: "
                                                    "1 / (1 + e^(-2h/T))"),
    ]
    return next((text for value, text in suspects if torch.allclose(got, value, atol=1e-6)),
                f"wrong values: at h = 0.5 expected {float(want[5]):.4f}, got {float(got[5]):.4g}")


# --- Exercise: glauber_step --------------------------------------------------------------------------

def step_case(seed: int, n: int = 40, p: int = 6, probes: int = 5, n_rows: int = 15, temperature: float = 0.6):
    """(S, xi, rows, T, u) for one Glauber step, float32 like the notebook; u kept away from P.
    (With N even and p odd, N h is odd: no field is exactly 0, so no decision hangs on rounding at T = 0.)"""
    gen = torch.Generator().manual_seed(seed)
    xi = _pm1(gen, n, p).float()
    S = _pm1(gen, n, probes).float()
    rows = torch.randperm(n, generator=gen)[:n_rows]
    u = torch.rand(len(rows), probes, generator=gen)
    P = glauber_reference(step_reference_field(S, xi, rows), temperature).float()
    near = (u - P).abs() < 1e-3  # no decision may hang on rounding
    u = torch.where(near, (P + 0.01).clamp(max=0.999), u)
    return S, xi, rows, temperature, u


def step_reference_field(S, xi, rows, self_coupling: bool = False, per_n: bool = True, shift: int = 0) -> torch.Tensor:
    """N h on ``rows`` divided by N (``shift``: by N + shift, a mistake), or not divided (``per_n=False``)."""
    S64, xi64 = S.double(), xi.double()
    n, p = xi.shape
    h = xi64[rows] @ (xi64.T @ S64) - (0 if self_coupling else p) * S64[rows]
    return h / (n + shift) if per_n else h


def scale_case(seed: int = 5, n: int = 40, p: int = 7, probes: int = 6, n_rows: int = 20, temperature: float = 0.6):
    """(S, xi, rows, T, u) with u halfway between P(h / N) and P(h / (N + 1)) in even probes and P(h / (N - 1))
    in odd ones: a field divided by N + 1 or N + 2 (or N - 1) takes other decisions (at a 2 % scale error the
    random u of step_case rarely notice). N even, p odd: no field is 0."""
    S, xi, rows, _, u = step_case(seed, n=n, p=p, probes=probes, n_rows=n_rows, temperature=temperature)
    P = glauber_reference(step_reference_field(S, xi, rows), temperature)
    other = torch.stack([glauber_reference(step_reference_field(S, xi, rows, shift=1 if c % 2 == 0 else -1),
                                           temperature)[:, c] for c in range(probes)], 1)
    return S, xi, rows, temperature, ((P + other) / 2).float()


def step_reference(S, xi, rows, temperature, u, above: bool = False, **field) -> torch.Tensor:
    """The state after the step; ``above`` (a mistake) takes +1 where u > P instead of u < P."""
    P = glauber_reference(step_reference_field(S, xi, rows, **field), temperature)
    out = S.double().clone()
    plus = u.double() > P if above else u.double() < P
    out[rows] = torch.where(plus, 1.0, -1.0).double()
    return out


def tie_case(seed: int = 4, n: int = 64, p: int = 6, probes: int = 6, n_rows: int = 20):
    """(S, xi, rows, 0.0, u) at T = 0 with fields of exactly 0 among the rows (N - 1 odd, p even: N h is
    even, so 0 occurs), u on both sides of 1/2 there: a tie must be decided by u < 1/2, not kept. N is a
    power of 2, so a field summed from terms already divided by N is still exactly 0."""
    for attempt in range(200):
        gen = torch.Generator().manual_seed(seed + 1000 * attempt)
        xi = _pm1(gen, n, p).float()
        S = _pm1(gen, n, probes).float()
        rows = torch.randperm(n, generator=gen)[:n_rows]
        zero = step_reference_field(S, xi, rows) == 0
        u = torch.rand(len(rows), probes, generator=gen)
        u = torch.where((u - 0.5).abs() < 1e-3, u + 0.01, u)
        # ties where the kept state differs from the Glauber draw, both ways
        keep_differs = zero & ((u < 0.5) != (S[rows] > 0))
        if int(keep_differs.sum()) >= 2 and bool((zero & (u < 0.5)).any()) and bool((zero & (u >= 0.5)).any()):
            return S, xi, rows, 0.0, u
    raise RuntimeError("no tie case found")


def step_sequential(S, xi, rows, temperature, u) -> torch.Tensor:
    """A mistake: the rows updated one after the other, each from the state the earlier ones changed."""
    S64, xi64 = S.double().clone(), xi.double()
    n, p = xi.shape
    for k, i in enumerate(rows.tolist()):
        h = (xi64[i] @ (xi64.T @ S64) - p * S64[i]) / n
        P = glauber_reference(h, temperature)
        S64[i] = torch.where(u[k].double() < P, 1.0, -1.0).double()
    return S64


def step_tie_kept(S, xi, rows, temperature, u) -> torch.Tensor:
    """A mistake at T = 0: a field of exactly 0 keeps the neuron's state (notebook 02's rule)."""
    out = step_reference(S, xi, rows, temperature, u)
    h = step_reference_field(S, xi, rows)
    out[rows] = torch.where(h == 0, S.double()[rows], out[rows])
    return out


def step_self_one(S, xi, rows, temperature, u) -> torch.Tensor:
    """A mistake: W = (xi xi^T - I) / N, one S_i subtracted instead of p S_i."""
    S64, xi64 = S.double(), xi.double()
    n, p = xi.shape
    h = (xi64[rows] @ (xi64.T @ S64) - S64[rows]) / n
    out = S64.clone()
    out[rows] = torch.where(u.double() < glauber_reference(h, temperature), 1.0, -1.0).double()
    return out


def step_cases():
    """(label, (S, xi, rows, T, u)) of the self-check (the hidden tests use others of the same kinds)."""
    return [("T = 0.6, 15 of 40 neurons", step_case(1)),
            ("T = 0, 10 of 40 neurons", step_case(2, p=5, n_rows=10, temperature=0.0)),
            ("T = 1.5, all 40 neurons", step_case(3, n_rows=40, temperature=1.5)),
            ("T = 0, 20 of 64 neurons, some fields exactly 0", tie_case()),
            ("T = 0.6, u between P(h / N) and P(h / (N +/- 1))", scale_case())]


def check_glauber_step(fn: Callable) -> bool:
    """``fn(S, xi, rows, T, u)`` must return the state after the neurons ``rows`` (all probes at
    once) take +1 where u < P(+1) and -1 elsewhere, P from the field h = (W S)[rows] / N with
    W = xi xi^T - p I computed from the old state; the other neurons keep their values."""
    r = _Report("glauber_step")
    for label, case in step_cases():
        S, xi, rows, T, u = case
        given = (S.clone(), xi.clone(), rows.clone(), T, u.clone())
        got = _call(r, fn, *given, label=label)
        if r.unfinished:
            return r.done()
        if got is None:
            if not any("raised" in line for line in r.lines[-1:]):
                r.check(False, "", f"{label}: nothing returned: return the new state")
            continue
        changed = [name for name, a, b in (("S", given[0], S), ("xi", given[1], xi), ("rows", given[2], rows),
                                           ("u", given[4], u)) if not torch.equal(a, b)]
        if changed:
            r.check(False, "", f"{label}: your function changed the caller's {', '.join(changed)} in place; write the "
                               "new values into a copy of S and return it (the caller may still need the old state)")
            continue
        if (got := _as_matrix(r, got, tuple(S.shape), label)) is None:
            continue
        want = step_reference(S, xi, rows, T, u)
        if torch.equal(got, want):
            r.check(True, f"{label}: the chosen neurons follow the Glauber rule, the others stay", "")
            continue
        r.check(False, "", f"{label}: {_step_mistake(got, S, xi, rows, T, u)}")
    return r.done()


def _step_mistake(got: torch.Tensor, S, xi, rows, T, u) -> str:
    """What a wrong Glauber step most likely did (not +/-1, other rows moved, u > P, the self-coupling
    kept, a field divided by a number near N or not at all, a tie kept at T = 0, rows one by one, ...)."""
    others = torch.ones(S.shape[0], dtype=torch.bool)
    others[rows] = False
    if not bool(((got == 1) | (got == -1)).all()):
        return ("spins are +1 or -1: set +1 where u < P and -1 elsewhere (torch.where(u < P, 1.0, -1.0)), "
                "not a probability or 0/1")
    if not torch.equal(got[others], S.double()[others]):
        return "neurons outside rows changed: only the neurons in rows are updated in this step"
    if torch.equal(got, step_reference(S, xi, rows, T, u, above=True)):
        return "S_i = +1 with probability P: choose +1 where u < P (you chose it where u > P)"
    if torch.equal(got, step_reference(S, xi, rows, T, u, self_coupling=True)):
        return ("the field keeps the self-coupling: W = xi xi^T - p I, so subtract p * S[rows] "
                "(h = (xi[rows] @ (xi.T @ S) - p * S[rows]) / N)")
    if any(torch.equal(got, step_reference(S, xi, rows, T, u, shift=k)) for k in (-2, -1, 1, 2)):
        return ("the field is divided by a number close to N but not N: the couplings are W / N with N = "
                "xi.shape[0], the number of neurons")
    if torch.equal(got, step_reference(S, xi, rows, T, u, per_n=False)):
        return "divide the field by N: the couplings are W / N, and T is measured in those units"
    if T == 0 and torch.equal(got, step_tie_kept(S, xi, rows, T, u)):
        return ("a field of exactly 0 kept the neuron's old value: in the Glauber rule a tie has P(+1) = 1/2 at "
                "T = 0 too, so u decides it like every other neuron (use your glauber_probability)")
    if torch.equal(got, step_sequential(S, xi, rows, T, u)):
        return ("you updated the rows one after the other, each from a state the earlier rows had already changed: "
                "compute every field of the block from the old state first, then set them all at once")
    if torch.equal(got, step_self_one(S, xi, rows, T, u)):
        return ("you subtracted S[rows] once: the diagonal of xi xi^T is p, so the self-coupling is p * S[rows]")
    if torch.equal(got, step_reference(S, xi, rows, T, u, self_coupling=True, per_n=False)):
        return "the field is h = (xi[rows] @ (xi.T @ S) - p * S[rows]) / N: subtract the self-coupling and divide by N"
    return ("the chosen neurons do not follow the rule: h from the old state for all rows at once, "
            "P = glauber_probability(h, T), +1 where u < P (and is glauber_probability right?)")


# --- Exercise: mean_field_overlap -------------------------------------------------------------------

def curie_weiss(temperature: float) -> float:
    """The largest root of m = tanh(m / T) (0 for T >= 1): the theory module's Newton solution."""
    return curie_weiss_overlap(temperature)


def _fixed_point(f: Callable[[float], float], start: float = 1.0) -> float:
    m = start
    for _ in range(100_000):
        new = f(m)
        if not math.isfinite(new) or abs(new - m) < 1e-13:
            return new
        m = new
    return m


MEAN_FIELD_TOL = 1e-6  # how close to the converged root (the task iterates to 1e-12 steps)


def _mean_field_mistake(got: dict, want: dict, low: list) -> str:
    """What a solver that is wrong at low T does wrong."""
    if all(abs(got[T] + want[T]) < 1e-6 for T in low):
        return "you found the negative solution -m: start the iteration from m = +1"
    if all(abs(got[T]) < 1e-6 for T in low) and abs(got[1.5] - curie_weiss(1 / 1.5)) < 1e-4:
        return "the equation is m = tanh(m / T): divide by T, do not multiply (you find m > 0 above T = 1 and m = 0 below)"
    if all(abs(got[T]) < 1e-6 for T in low):
        return "you return m = 0, which solves m = tanh(m / T) at every T: start from m = 1 to reach the positive solution"
    if all(abs(got[T] - _fixed_point(lambda m, T=T: math.tanh(m) / T)) < 1e-4 for T in low):
        return "you iterate m <- tanh(m) / T: the equation is m = tanh(m / T), divide inside the tanh"
    if all(abs(got[T] - math.tanh(1 / T)) < 1e-6 for T in low):
        return "that is tanh(1 / T), one step from m = 1: repeat m <- tanh(m / T) until m stops changing"
    if all(abs(got[T] - want[T]) < 1e-2 for T in low):
        return ("close, but not converged: expected m = " + ", ".join(f"{want[T]:.7f}" for T in low)
                + " at T = 0.5, 0.8, 0.9, got " + ", ".join(f"{got[T]:.7f}" for T in low)
                + ". Iterate until m changes by less than 1e-12, not a fixed number of steps")
    return ("expected m = " + ", ".join(f"{want[T]:.4f}" for T in low) + " at T = 0.5, 0.8, 0.9, got "
            + ", ".join(f"{got[T]:.4g}" for T in low))


def check_mean_field_overlap(fn: Callable[[float], float]) -> bool:
    """``fn(T)`` must return the positive solution of m = tanh(m / T) for T < 1 (0 above T_c = 1),
    converged to 1e-6."""
    r = _Report("mean_field_overlap")
    got = {}
    for T in (0.5, 0.8, 0.9, 0.97, 1.1, 1.5):
        out = _call(r, fn, T, label=f"T = {T}")
        if r.unfinished:
            return r.done()
        if out is not None and (value := _number(r, out, f"T = {T}", finite=True)) is not None:
            got[T] = value
    if len(got) < 6:
        return r.done()
    want = {T: curie_weiss(T) for T in got}
    low = [0.5, 0.8, 0.9]
    if all(abs(got[T] - want[T]) < 1e-6 for T in low):
        r.check(True, "T = 0.5, 0.8, 0.9: m = 0.9575, 0.7104, 0.5254", "")
    else:  # wrong already at low T: name that mistake only
        r.check(False, "", _mean_field_mistake(got, want, low))
        return r.done()
    if abs(got[0.97] - want[0.97]) < 1e-6:
        r.check(True, f"T = 0.97, close to T_c: m = {want[0.97]:.4f} (converged)", "")
    else:
        r.check(False, "", f"T = 0.97: expected m = {want[0.97]:.6f}, got {got[0.97]:.6f}: not converged. Near T_c each "
                           "step shrinks the error only by the slope (1 - m^2) / T, close to 1: iterate until m changes "
                           "by less than 1e-12, not a fixed number of steps")
    high = [T for T in (1.1, 1.5) if abs(got[T]) > 1e-6]
    r.check(not high, "T = 1.1, 1.5: m = 0 above T_c = 1",
            f"above T_c = 1 the only solution is m = 0; at T = {high[0] if high else ''} you return "
            f"{got[high[0]] if high else 0:.3g}: iterate to convergence")
    return r.done()


# --- Exercise: critical_temperature -------------------------------------------------------------------

CRITICAL_TOL = 1e-4  # the task's own precision


def critical_cases():
    """(scale, lo, hi, residue, label): solvers of m = tanh(m / (T / scale)), T_c = scale; ``residue`` is what
    the solver returns above T_c instead of 0 (an iteration stopped at 1e-12 steps leaves a few 1e-9)."""
    return [(1.0, 0.5, 1.5, 0.0, "m = tanh(m / T)"), (2.0, 1.2, 3.0, 0.0, "m = tanh(2 m / T)"),
            (0.75, 0.3, 1.2, 0.0, "m = tanh(0.75 m / T)"),
            (1.3, 0.8, 2.2, 3e-9, "m = tanh(1.3 m / T), solved by an iteration that leaves m ~ 3e-9 above T_c")]


def critical_solver(scale: float, residue: float = 0.0, calls: list | None = None) -> Callable[[float], float]:
    """A solver of m = tanh(scale m / T): the Curie-Weiss root at T / scale, ``residue`` where it is 0."""
    def solve(T):
        if calls is not None:
            calls.append(T)
        m = curie_weiss(T / scale)
        return m if m > 0 else residue
    return solve


def check_critical_temperature(fn: Callable[[Callable[[float], float], float, float], float]) -> bool:
    """``fn(solve, lo, hi)`` must locate, by bisection between lo and hi, the temperature above which
    ``solve(T)`` (a solver of a mean-field equation, like mean_field_overlap) gives m <= 1e-3, to within
    1e-4: T_c = 1 for m = tanh(m / T)."""
    r = _Report("critical_temperature")
    for scale, lo, hi, residue, label in critical_cases():
        calls = []
        out = _call(r, fn, critical_solver(scale, residue, calls), lo, hi, label=f"{label}, T in [{lo:g}, {hi:g}]")
        if r.unfinished:
            return r.done()
        if out is None or (got := _number(r, out, label, finite=True)) is None:
            continue
        outside = [T for T in calls if not lo <= T <= hi]
        if abs(got - scale) <= CRITICAL_TOL:
            r.check(True, f"{label}: T_c = {got:.4f} (exact: {scale:g})", "")
        elif not calls:
            r.check(False, "", f"{label}: your function never called the solver it was given; T_c must come from it "
                               f"(here T_c = {scale:g})")
        elif abs(got - 1.0) <= 2e-3:
            r.check(False, "", f"{label}: you return 1 whatever the solver: here T_c = {scale:g}; bisect on the solver "
                               "you are given, between lo and hi")
        elif got > hi or got < lo:
            r.check(False, "", f"{label}: {got:.4f} lies outside the bracket [{lo:g}, {hi:g}] you were given")
        elif outside:
            r.check(False, "", f"{label}: you asked the solver at T = {outside[0]:.4g}, outside the bracket "
                               f"[{lo:g}, {hi:g}] you were given: start the bisection from lo and hi, not from fixed "
                               "numbers")
        elif residue and got > scale and abs(got - hi) < 1e-3:
            r.check(False, "", f"{label}: T_c = {scale:g}, you found {got:.4f}, the top of the bracket: above T_c this "
                               f"solver returns m = {residue:g}, not exactly 0, and you counted that as ordered. "
                               "Call a state ordered only when m > 1e-3, as the task says")
        elif abs(got - scale) <= 0.02 * scale:
            r.check(False, "", f"{label}: T_c = {scale:g}, you found {got:.5f}: off by {abs(got - scale):.1e}, more "
                               "than the 1e-4 asked for. Bisect until the interval is shorter than 1e-4 (a grid of "
                               "temperatures is too coarse)")
        elif got < scale:
            r.check(False, "", f"{label}: T_c = {scale:g}, you found {got:.4f}: too low. m falls to 0 only at T_c "
                               "(like sqrt(3 (1 - T / T_c)) just below it): call a state 'ordered' when m > 1e-3, "
                               "and bisect until the interval is shorter than 1e-4")
        else:
            r.check(False, "", f"{label}: T_c = {scale:g}, you found {got:.4f}: too high; keep the bracket [lo, hi] "
                               "with m > 0 at lo and m = 0 at hi")
    return r.done()
