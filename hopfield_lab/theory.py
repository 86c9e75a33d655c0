"""Closed-form and mean-field results for the Hopfield network, to set beside simulations.

The replica-symmetric theory of Amit, Gutfreund and Sompolinsky [AGS87] describes the
N -> infinity network with p = alpha N random patterns at temperature T = 1/beta by three
order parameters: the retrieval overlap m, the Edwards-Anderson parameter q and the
noise r from the non-condensed patterns:

    m = < tanh(beta (m + sqrt(alpha r) z)) >_z
    q = < tanh^2(beta (m + sqrt(alpha r) z)) >_z
    r = q / (1 - C)^2,      C = beta (1 - q) = beta < sech^2(beta (m + sqrt(alpha r) z)) >_z

with z a standard Gaussian. At T = 0 they reduce to one equation in y = m / sqrt(2 alpha r):

    y (sqrt(2 alpha) + (2 / sqrt(pi)) exp(-y^2)) = erf(y),      m = erf(y).

Results: alpha_c = 0.1379 (m = 0.9674 there) at T = 0; the retrieval boundary T_M(alpha);
the spin-glass line T_g = 1 + sqrt(alpha); and at alpha -> 0 Curie-Weiss, m = tanh(m / T).

How the finite-T equations are solved (and why not by plain iteration): at low T the
integrands are steps of width T / sigma in z, which a fixed Gauss-Hermite rule misses, and
near alpha_c the iteration slows down without end. So the Gaussian averages are taken by
Gauss-Legendre panels that resolve the step wherever it lies, and the equations are
reduced to one in sigma = sqrt(alpha r): for each sigma the largest root m of the m
equation is found by Newton's method (the right-hand side is concave in m > 0, so Newton
from m = 1 descends onto it or proves there is none), and the retrieval state is the
smallest sigma with sigma = sqrt(alpha q) / (1 - C) on that branch.

Below T = 1e-9 the step is narrower than the spacing of floats near z0 (T / sigma below one
ulp of m / sigma from about T = 1e-16), so there the T = 0 limit is used instead: the
retrieval state m = erf(y), sigma = sqrt(alpha) + sqrt(2/pi) e^{-y^2}, r = sigma^2 / alpha,
C = sqrt(2/pi) e^{-y^2} / sigma, q = 1 - C T (and y = 0, m = 0 for the spin glass). Its
error there is O(T^2), far below what the finite-T solver resolves at such T.

Also here: the signal-to-noise estimates of perfect recall [McE87] used in notebook 05.
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import check_flag, check_range

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(10)
_Z_MAX = 10.0  # Gaussian weight beyond |z| = 10 is below 1e-22
_FIXED_BREAKS = np.array([-_Z_MAX, -6.0, -3.0, -1.5, 0.0, 1.5, 3.0, 6.0, _Z_MAX])
_STEP_BREAKS = np.array([-40.0, -10.0, -3.0, -1.0, 0.0, 1.0, 3.0, 10.0, 40.0])  # in units of T / sigma
_M_FLOOR = 0.05  # a retrieval overlap below this counts as none (as at T >= T_c for alpha -> 0)
_T0_BELOW = 1e-9  # below this temperature the T = 0 equations are used (module docstring)
_TOL_RANGE = (1e-12, 1.0)  # allowed bisection tolerances: a positive floor, so a bisection always ends
_MAX_BISECTIONS = 200  # more halvings than any allowed tolerance needs (2^-200 << 1e-12): never a hang


def _bisect(on_a_side, a: float, b: float, steps: int, tol: float = 0.0) -> tuple[float, float]:
    """Bisection on the interval between ``a`` and ``b`` (in either order): the midpoint replaces
    ``a`` where ``on_a_side(mid)``, else ``b``; ``steps`` halvings at most, fewer once |b - a| <= tol.
    Returns the final (a, b)."""
    for _ in range(steps):
        if not abs(b - a) > tol:
            break
        mid = 0.5 * (a + b)
        if on_a_side(mid):
            a = mid
        else:
            b = mid
    return a, b


def _t0_equation(y: float, alpha: float) -> float:
    return y * (math.sqrt(2 * alpha) + 2 / math.sqrt(math.pi) * math.exp(-y * y)) - math.erf(y)


def _t0_root(alpha: float) -> float | None:
    """The largest root y > 0 of the T = 0 equation (None where there is none, alpha > alpha_c)."""
    start = 1.0 / math.sqrt(2 * alpha) + 3.0  # the root lies below 1/sqrt(2 alpha)
    if _t0_equation(start, alpha) <= 0:  # alpha < ~1e-32: the + 3 is lost to rounding, start above the root
        start = 1.0 / math.sqrt(2 * alpha) * (1 + 1e-6)
    ys = np.linspace(start, 0.05, 2000).tolist()
    values = [_t0_equation(y, alpha) for y in ys]
    for (y_hi, f_hi), (y_lo, f_lo) in zip(zip(ys, values), zip(ys[1:], values[1:])):
        if f_hi > 0 >= f_lo:
            y_hi, y_lo = _bisect(lambda y: _t0_equation(y, alpha) > 0, y_hi, y_lo, steps=80)
            return 0.5 * (y_hi + y_lo)
    return None


def retrieval_overlap_t0(alpha: float) -> float:
    """Retrieval overlap m(alpha) at T = 0, or 0.0 where no retrieval solution exists (alpha > alpha_c).

    Solves y (sqrt(2 alpha) + 2/sqrt(pi) e^{-y^2}) = erf(y) for the largest root y > 0 by
    scanning down from large y and bisecting; m = erf(y).
    """
    check_range("alpha", alpha, 0.0, None, low_open=True)
    y = _t0_root(alpha)
    return 0.0 if y is None else math.erf(y)


def _check_tol(name: str, tol) -> None:
    check_range(name, tol, *_TOL_RANGE)


def alpha_c_t0(tol: float = 1e-6) -> tuple[float, float]:
    """(alpha_c, m_c) at T = 0: the largest alpha with a retrieval solution (0.137906, 0.96742).

    With y = m / (sqrt 2 sigma), the T = 0 equations give alpha(y) = (erf(y) / y - 2 e^{-y^2} /
    sqrt(pi))^2 / 2 along the retrieval branch; alpha_c is its maximum and m_c = erf(y*) at the
    maximiser (read off at the maximiser, not at an alpha just below alpha_c, where m(alpha) has
    a square-root singularity and loses digits). ``tol``: the width of the final interval in y,
    1e-12 <= tol <= 1 (golden-section search on [0.5, 3]).
    """
    _check_tol("tol", tol)

    def alpha_of(y: float) -> float:
        return 0.5 * (math.erf(y) / y - 2.0 / math.sqrt(math.pi) * math.exp(-y * y)) ** 2

    golden = (math.sqrt(5.0) - 1.0) / 2.0
    lo, hi = 0.5, 3.0
    for _ in range(_MAX_BISECTIONS):
        if not hi - lo > tol:
            break
        a, b = hi - golden * (hi - lo), lo + golden * (hi - lo)
        lo, hi = (lo, b) if alpha_of(a) > alpha_of(b) else (a, hi)
    y = 0.5 * (lo + hi)
    return alpha_of(y), math.erf(y)


# --- finite temperature ----------------------------------------------------------------------

def _t0_limit(alpha: float, temperature: float, y: float) -> tuple[float, float, float]:
    """(m, q, r) of the RS state at T -> 0 (alpha > 0) with y = m / (sqrt 2 sigma): y = 0 is the
    spin glass (m = 0). From m = erf(y), C = sqrt(2/pi) e^{-y^2} / sigma and sigma (1 - C) = sqrt(alpha):
    sigma = sqrt(alpha) + sqrt(2/pi) e^{-y^2}; q = 1 - C T to first order in T."""
    bump = math.sqrt(2.0 / math.pi) * math.exp(-y * y)
    sigma = math.sqrt(alpha) + bump
    return math.erf(y), 1.0 - bump / sigma * temperature, (1.0 + bump / math.sqrt(alpha)) ** 2


def _gaussian_averages(m, sigma, beta: float):
    """<tanh x>, <tanh^2 x> and C = beta <sech^2 x> over z ~ N(0, 1), x = beta (m + sigma z).

    ``m`` and ``sigma`` are 1-d arrays of equal length (one average per pair). The z axis is
    cut into Gauss-Legendre panels at fixed points (for the Gaussian) and around the step
    of tanh at z0 = -m / sigma, whose width is T / sigma (for the integrand), so the
    averages stay accurate from T -> 0 to high T.
    """
    m, sigma = np.atleast_1d(np.asarray(m, float)), np.atleast_1d(np.asarray(sigma, float))
    sigma = np.maximum(sigma, 1e-300)
    z0 = -m / sigma
    width = 1.0 / (beta * sigma)
    breaks = np.concatenate([np.broadcast_to(_FIXED_BREAKS, (m.size, _FIXED_BREAKS.size)),
                             np.clip(z0[:, None] + _STEP_BREAKS[None, :] * np.minimum(width, 1e3)[:, None],
                                     -_Z_MAX, _Z_MAX)], axis=1)
    breaks.sort(axis=1)
    left, right = breaks[:, :-1, None], breaks[:, 1:, None]
    half = 0.5 * (right - left)
    z = (left + half * (1.0 + _GL_NODES)).reshape(m.size, -1)
    w = (half * _GL_WEIGHTS).reshape(m.size, -1) * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    x = beta * (m[:, None] + sigma[:, None] * z)
    e = np.exp(-2.0 * np.abs(x))
    tanh = np.sign(x) * (1.0 - e) / (1.0 + e)
    sech2 = 4.0 * e / (1.0 + e) ** 2
    t_mean = (w * tanh).sum(1)
    s_mean = (w * sech2).sum(1)
    return t_mean, 1.0 - s_mean, beta * s_mean


def _largest_overlap(sigma, beta: float, iterations: int = 100):
    """For each sigma: the largest root m of m = <tanh(beta (m + sigma z))> (0 where none), with q and C there.

    The right-hand side g(m) is increasing and concave for m > 0 (its second derivative is the
    Gaussian average of the odd function tanh'', negative on the side the Gaussian leans to), so
    Newton's method from m = 1 descends monotonically onto the largest root; if g' reaches 1
    first, there is no positive root.
    """
    sigma = np.atleast_1d(np.asarray(sigma, float))
    m = np.ones_like(sigma)
    alive = np.ones(sigma.shape, bool)
    for _ in range(iterations):
        g, q, slope = _gaussian_averages(m, sigma, beta)
        residual = g - m
        alive &= slope < 1.0
        step = np.where(alive, residual / np.where(alive, 1.0 - slope, 1.0), 0.0)
        m = np.where(alive, m + step, 0.0)
        alive &= m > 0
        m = np.where(alive, m, 0.0)
        if np.all(np.abs(step) < 1e-13):
            break
    g, q, slope = _gaussian_averages(m, sigma, beta)
    return m, q, slope


def _sigma_mismatch(sigma, alpha: float, beta: float):
    """sqrt(alpha q) / (1 - C) - sigma on the retrieval branch (+inf where C >= 1, NaN where m = 0)."""
    m, q, c = _largest_overlap(sigma, beta)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.where(c < 1.0, np.sqrt(alpha * q) / (1.0 - c) - sigma, np.inf)
    return np.where(m > _M_FLOOR, gap, np.nan), m, q


def _retrieval_state(alpha: float, temperature: float, refine: bool = True):
    """(m, q, r) of the retrieval state at (alpha, T > 0), or None if there is none."""
    if alpha == 0:  # Curie-Weiss: q = m^2, and r = q / (1 - C)^2 with C = beta (1 - q), its alpha -> 0 limit
        m = curie_weiss_overlap(temperature)
        if m <= _M_FLOOR:
            return None
        q = m * m
        return m, q, q / (1.0 - (1.0 - q) / temperature) ** 2
    if temperature < _T0_BELOW:
        y = _t0_root(alpha)
        return None if y is None else _t0_limit(alpha, temperature, y)
    beta = 1.0 / temperature
    scale = math.sqrt(alpha)
    sigmas = scale * np.geomspace(1e-3, 30.0, 81)
    gap, _, _ = _sigma_mismatch(sigmas, alpha, beta)
    valid = ~np.isnan(gap)
    if not valid[0]:
        return None
    last = int(np.argmin(valid)) if not valid.all() else len(sigmas)  # the branch ends where m vanishes
    gap, sigmas = gap[:last], sigmas[:last]
    below = np.nonzero(gap <= 0)[0]
    if below.size == 0:
        bracket = _bracket_near_tangency(gap, sigmas, alpha, beta)
        if bracket is None:
            return None
        lo_root, hi_root = bracket
    else:
        j = int(below[0])
        if j == 0:
            return None
        lo_root, hi_root = sigmas[j - 1], sigmas[j]
    if refine:
        lo_root, hi_root = _bisect(lambda s: _sigma_mismatch(np.array([s]), alpha, beta)[0][0] > 0,
                                   lo_root, hi_root, steps=60)
    sigma = 0.5 * (lo_root + hi_root)
    _, m, q = _sigma_mismatch(np.array([sigma]), alpha, beta)
    return float(m[0]), float(q[0]), float(sigma * sigma / alpha)


def _bracket_near_tangency(gap, sigmas, alpha: float, beta: float) -> tuple[float, float] | None:
    """No crossing on the grid: the minimum of the gap may still dip below 0 between grid points
    (near tangency, i.e. close to T_M). Look closer only where it comes near 0: a golden-section
    search for the minimum, which stops at the first sigma with gap <= 0 (then it brackets a root
    with the grid point below) or returns None."""
    i = int(np.argmin(gap))
    if gap[i] > 0.05 * sigmas[i]:
        return None
    lo, hi = sigmas[max(i - 1, 0)], sigmas[min(i + 1, len(sigmas) - 1)]
    for _ in range(30):
        a, b = hi - 0.618 * (hi - lo), lo + 0.618 * (hi - lo)
        ga, gb = np.nan_to_num(_sigma_mismatch(np.array([a, b]), alpha, beta)[0], nan=np.inf)
        if min(ga, gb) <= 0:
            return sigmas[max(i - 1, 0)], (a if ga <= 0 else b)
        if ga < gb:
            hi = b
        else:
            lo = a
    return None


def rs_solution(alpha: float, temperature: float) -> tuple[float, float, float]:
    """(m, q, r) of the replica-symmetric equations at (alpha, T > 0): the retrieval state if one exists.

    Where there is no retrieval state, m = 0 and (q, r) are those of the symmetric state
    (q > 0, the spin glass, below T_g = 1 + sqrt(alpha); q = r = 0, the paramagnet, above), found by
    damped iteration.
    """
    check_range("alpha", alpha, 0.0, None)
    check_range("temperature", temperature, 0.0, None, low_open=True)
    state = _retrieval_state(alpha, temperature)
    if state is not None:
        return state
    if alpha == 0:  # no noise from other patterns: the paramagnet, q = 0 and so r = q / (1 - C)^2 = 0
        return 0.0, 0.0, 0.0
    if temperature < _T0_BELOW:  # the spin glass at T -> 0 (module docstring)
        return 0.0, *_t0_limit(alpha, temperature, 0.0)[1:]
    beta, q, r = 1.0 / temperature, 1.0, 1.0
    for _ in range(5000):
        _, q_new, c = _gaussian_averages(np.zeros(1), np.array([math.sqrt(alpha * r)]), beta)
        q_new, c = float(q_new[0]), float(c[0])
        r_new = q_new / (1.0 - c) ** 2 if c < 1.0 - 1e-9 else 1e9
        if abs(q_new - q) < 1e-12 and abs(r_new - r) <= 1e-12 * max(1.0, r):  # both settled, not q alone
            break
        q, r = 0.5 * (q + q_new), 0.5 * (r + r_new)
    return 0.0, q, r


def retrieval_overlap(alpha: float, temperature: float) -> float:
    """Retrieval overlap m(alpha, T) from the RS equations (0 where there is no retrieval state)."""
    check_range("alpha", alpha, 0.0, None)
    check_range("temperature", temperature, 0.0, None)
    if temperature < _T0_BELOW and alpha > 0:  # T = 0 and the T -> 0 limit (module docstring)
        return retrieval_overlap_t0(alpha)
    if temperature == 0:
        return 1.0
    state = _retrieval_state(alpha, temperature)
    return 0.0 if state is None else state[0]


def retrieval_boundary(alpha: float, tol: float = 1e-4) -> float:
    """T_M(alpha): the highest temperature at which the retrieval state exists (bisection in T).

    Reference values: T_M(0.01) = 0.801, T_M(0.05) = 0.542, T_M(0.10) = 0.315, T_M(0.13) = 0.149;
    near alpha = 0, T_M ~ 1 - 1.95 sqrt(alpha); T_M = 0 at alpha_c = 0.1379.
    ``tol``: the width of the final bisection interval in T, 1e-12 <= tol <= 1.
    """
    check_range("alpha", alpha, 0.0, None, low_open=True)
    _check_tol("tol", tol)
    if retrieval_overlap_t0(alpha) == 0:
        return 0.0
    lo, _ = _bisect(lambda t: _retrieval_state(alpha, t, refine=False) is not None, 0.0, 1.0,
                    steps=_MAX_BISECTIONS, tol=tol)
    return lo



# --- the thermodynamic transition T_c(alpha) [AGS87] ----------------------------------------

_Z_GRID = np.linspace(-_Z_MAX, _Z_MAX, 8001)
_Z_WEIGHTS = np.exp(-_Z_GRID ** 2 / 2) / np.exp(-_Z_GRID ** 2 / 2).sum()


def _spin_glass_state(alpha: float, temperature: float) -> tuple[float, float, float] | None:
    """(0, q, r) of the RS spin-glass state (m = 0, q > 0): sigma (1 - C) = sqrt(alpha q) with
    q = <tanh^2(beta sigma z)>, C = beta (1 - q), sigma^2 = alpha r (bisection in sigma; None above T_g)."""
    beta = 1.0 / temperature

    def q_and_c(sigma):
        t = np.tanh(beta * sigma * _Z_GRID)
        q = float((_Z_WEIGHTS * t * t).sum())
        return q, beta * (1.0 - q)

    def mismatch(sigma):
        q, c = q_and_c(sigma)
        return sigma * (1.0 - c) - math.sqrt(alpha * q)

    grid = np.geomspace(1e-4, math.sqrt(alpha) + 2.0, 400)
    negative = [k for k, s in enumerate(grid) if mismatch(s) < 0]
    if not negative or negative[-1] == len(grid) - 1:
        return None
    lo, hi = _bisect(lambda s: mismatch(s) < 0, grid[negative[-1]], grid[negative[-1] + 1], steps=80)
    sigma = 0.5 * (lo + hi)
    q, _ = q_and_c(sigma)
    return 0.0, q, sigma * sigma / alpha


def rs_free_energy(alpha: float, temperature: float, m: float, q: float, r: float) -> float:
    """AGS's replica-symmetric free energy per neuron at a solution (m, q, r), up to a constant common to
    all states: m^2/2 + alpha/(2 beta) [ln(1 - beta(1 - q)) - beta q / (1 - beta(1 - q))]
    + alpha beta r (1 - q) / 2 - (1/beta) <<ln 2 cosh beta (m + sqrt(alpha r) z)>>."""
    beta = 1.0 / temperature
    x = np.abs(beta * (m + math.sqrt(alpha * r) * _Z_GRID))
    log_cosh = float((_Z_WEIGHTS * (x + np.log1p(np.exp(-2 * x)))).sum())
    c = 1.0 - beta * (1.0 - q)
    return (0.5 * m * m + alpha / (2 * beta) * (math.log(c) - beta * q / c) + 0.5 * alpha * beta * r * (1 - q)
            - log_cosh / beta)


def thermodynamic_transition(alpha: float, tol: float = 1e-3, t_min: float = 0.02) -> float:
    """T_c(alpha) [AGS87]: the highest temperature at which the retrieval state has a lower RS free energy
    than the spin-glass state (bisection in T on [t_min, T_M(alpha)]); 0.0 where it is higher already at
    t_min (alpha above about 0.052: every retrieval state is metastable). Between T_c and T_M the
    retrieval state exists but is metastable."""
    check_range("alpha", alpha, 0.0, None, low_open=True)
    _check_tol("tol", tol)

    def retrieval_lower(T):
        state, glass = _retrieval_state(alpha, T), _spin_glass_state(alpha, T)
        if state is None:
            return False
        return glass is None or rs_free_energy(alpha, T, *state) < rs_free_energy(alpha, T, *glass)

    lo, hi = t_min, retrieval_boundary(alpha, tol=tol)
    if hi <= lo or not retrieval_lower(lo):
        return 0.0
    lo, hi = _bisect(retrieval_lower, lo, hi, steps=_MAX_BISECTIONS, tol=tol)
    return 0.5 * (lo + hi)


def spin_glass_temperature(alpha: float) -> float:
    """T_g = 1 + sqrt(alpha): below it the spin-glass (q > 0) phase exists."""
    check_range("alpha", alpha, 0.0, None)
    return 1.0 + math.sqrt(alpha)


def curie_weiss_overlap(temperature: float) -> float:
    """The positive solution of m = tanh(m / T) (alpha -> 0); 0 for T >= T_c = 1.

    Newton's method from m = 1 (tanh(m / T) - m is concave for m > 0), so it converges in a few
    steps even close to T_c, where plain iteration m <- tanh(m / T) slows down without end.
    """
    check_range("temperature", temperature, 0.0, None)
    if temperature >= 1.0:
        return 0.0
    if temperature == 0:
        return 1.0
    m = 1.0
    for _ in range(200):
        t = math.tanh(m / temperature)
        step = (t - m) / (1.0 - (1.0 - t * t) / temperature)
        m += step
        if abs(step) < 1e-15:
            break
    return m


# --- perfect recall: the signal-to-noise estimates of [McE87] (notebook 05) -----------------------

def crosstalk_variance(n: int, p: int) -> float:
    """Variance of the crosstalk on one bit, in units of the signal: (p - 1) / N.

    Bit i of pattern nu sees the field xi_i^nu h_i = (N - 1) + C with W = xi xi^T - p I; the
    crosstalk C sums (N - 1)(p - 1) independent +/-1 terms, so C / N has mean 0 and variance
    (N - 1)(p - 1) / N^2, which is (p - 1) / N to leading order (the signal (N - 1) / N is 1).
    """
    check_range("n", n, 2, None, integer=True)
    check_range("p", p, 1, None)
    return (p - 1) / n


def bit_error_probability(n: int, p: float) -> float:
    """P(a stored bit is unstable) in the Gaussian approximation: P(z > 1 / sigma) = erfc(1 / (sigma sqrt 2)) / 2,
    with sigma^2 = (p - 1) / N the crosstalk variance (0 for a single pattern)."""
    check_range("n", n, 2, None, integer=True)
    check_range("p", p, 1, None)
    if p == 1:
        return 0.0
    return 0.5 * math.erfc(math.sqrt(n / (p - 1)) / math.sqrt(2.0))


def exact_recall_probability(n: int, p: float, all_patterns: bool = True) -> float:
    """P(every bit of all p patterns, or of one given pattern, is stable), treating the N p (or N)
    bits as independent rare events: exp(-(expected number of unstable bits))."""
    check_range("n", n, 2, None, integer=True)
    check_range("p", p, 1, None)
    check_flag("all_patterns", all_patterns)
    bits = n * p if all_patterns else n
    return math.exp(-bits * bit_error_probability(n, p))


def union_bound_capacity(n: int, all_patterns: bool = True, expected_errors: float = 1.0) -> float:
    """The p at which the expected number of unstable bits reaches ``expected_errors``:
    N p P_bit(N, p) = 1 (all patterns) or N P_bit(N, p) = 1 (one given pattern), by bisection.

    To leading order in ln N the solutions are N / (4 ln N) and N / (2 ln N) [McE87]; at any
    finite N they are larger, since ln(N p) < 2 ln N and the tail has a prefactor < 1.
    """
    check_range("n", n, 3, None, integer=True)
    check_flag("all_patterns", all_patterns)
    check_range("expected_errors", expected_errors, 0.0, None, low_open=True)
    bits = (lambda p: n * p) if all_patterns else (lambda p: n)
    lo, hi = _bisect(lambda p: bits(p) * bit_error_probability(n, p) < expected_errors, 1.0, float(n), steps=100)
    return 0.5 * (lo + hi)


def one_pattern_exact_leading_order(n: float) -> float:
    """Leading-order P(one given pattern is exact) at p = N / (2 ln N): exp(-1 / sqrt(4 pi ln N)).

    From N P_bit with sigma^2 = p / N = 1 / (2 ln N) and the tail P(z > x) ~ e^{-x^2/2} / (x sqrt(2 pi)):
    N e^{-ln N} / sqrt(4 pi ln N). It rises only from 0.88 at N = 100 to 0.91 at N = 10^4.
    """
    check_range("n", n, 2, None)
    return math.exp(-1.0 / math.sqrt(4.0 * math.pi * math.log(n)))
