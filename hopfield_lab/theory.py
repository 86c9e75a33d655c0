"""Closed-form and mean-field results for the Hopfield network, to set beside simulations.

The replica-symmetric theory of Amit, Gutfreund and Sompolinsky [AGS87] describes the
N -> infinity network with p = alpha N random patterns at temperature T = 1/beta by three
order parameters: the retrieval overlap m, the Edwards-Anderson parameter q and the
noise r from the non-condensed patterns:

    m = < tanh(beta (m + sqrt(alpha r) z)) >_z
    q = < tanh^2(beta (m + sqrt(alpha r) z)) >_z
    r = q / (1 - beta (1 - q))^2

with z a standard Gaussian. At T = 0 they reduce to one equation in y = m / sqrt(2 alpha r):

    y (sqrt(2 alpha) + (2 / sqrt(pi)) exp(-y^2)) = erf(y),      m = erf(y).

Results: alpha_c = 0.1379 (m = 0.9674 there) at T = 0; the retrieval boundary T_M(alpha);
the spin-glass line T_g = 1 + sqrt(alpha); and at alpha -> 0 Curie-Weiss, m = tanh(m / T).
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import check_range

_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(160)  # Gauss-Hermite for the Gaussian measure
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def _t0_equation(y: float, alpha: float) -> float:
    return y * (math.sqrt(2 * alpha) + 2 / math.sqrt(math.pi) * math.exp(-y * y)) - math.erf(y)


def retrieval_overlap_t0(alpha: float) -> float:
    """Retrieval overlap m(alpha) at T = 0, or 0.0 where no retrieval solution exists (alpha > alpha_c).

    Solves y (sqrt(2 alpha) + 2/sqrt(pi) e^{-y^2}) = erf(y) for the largest root y > 0 by
    scanning down from large y and bisecting; m = erf(y).
    """
    check_range("alpha", alpha, 0.0, None, low_open=True)
    ys = np.linspace(1.0 / math.sqrt(2 * alpha) + 3.0, 0.05, 2000)  # the root lies below 1/sqrt(2 alpha)
    values = [_t0_equation(y, alpha) for y in ys]
    for (y_hi, f_hi), (y_lo, f_lo) in zip(zip(ys, values), zip(ys[1:], values[1:])):
        if f_hi > 0 >= f_lo:
            for _ in range(80):
                mid = 0.5 * (y_hi + y_lo)
                if _t0_equation(mid, alpha) > 0:
                    y_hi = mid
                else:
                    y_lo = mid
            return math.erf(0.5 * (y_hi + y_lo))
    return 0.0


def alpha_c_t0(tol: float = 1e-6) -> tuple[float, float]:
    """(alpha_c, m at alpha_c) at T = 0: the largest alpha with a retrieval solution (0.1379, 0.9674)."""
    lo, hi = 0.05, 0.3
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if retrieval_overlap_t0(mid) > 0:
            lo = mid
        else:
            hi = mid
    return lo, retrieval_overlap_t0(lo)


def rs_solution(alpha: float, temperature: float, m_start: float = 1.0, iterations: int = 4000,
                tol: float = 1e-11) -> tuple[float, float, float]:
    """(m, q, r) of the replica-symmetric equations at (alpha, T), iterated from m = q = m_start.

    Starting at m = 1 follows the retrieval branch; a result m ~ 0 means no retrieval state
    exists there. Uses damped fixed-point iteration and Gauss-Hermite quadrature.
    """
    check_range("alpha", alpha, 0.0, None)
    check_range("temperature", temperature, 0.0, None, low_open=True)
    beta = 1.0 / temperature
    m, q = m_start, m_start
    r = 1.0
    for _ in range(iterations):
        field = beta * (m + math.sqrt(alpha * r) * _NODES)
        t = np.tanh(field)
        m_new = float(_WEIGHTS @ t)
        q_new = float(_WEIGHTS @ (t * t))
        denominator = 1.0 - beta * (1.0 - q_new)
        r_new = q_new / denominator**2 if denominator > 1e-9 else 1e9
        if abs(m_new - m) + abs(q_new - q) < tol:
            m, q, r = m_new, q_new, r_new
            break
        m, q, r = 0.5 * (m + m_new), 0.5 * (q + q_new), 0.5 * (r + r_new)
    return m, q, r


def retrieval_overlap(alpha: float, temperature: float) -> float:
    """Retrieval overlap m(alpha, T) from the RS equations (0 where there is no retrieval state)."""
    if temperature == 0:
        return retrieval_overlap_t0(alpha) if alpha > 0 else 1.0
    m = rs_solution(alpha, temperature)[0]
    return m if m > 0.05 else 0.0


def retrieval_boundary(alpha: float, tol: float = 1e-4) -> float:
    """T_M(alpha): the highest temperature at which the retrieval state exists (bisection in T).

    Reference values: T_M(0.01) = 0.801, T_M(0.05) = 0.542, T_M(0.10) = 0.315, T_M(0.13) = 0.149;
    near alpha = 0, T_M ~ 1 - 1.95 sqrt(alpha); T_M = 0 at alpha_c.
    """
    check_range("alpha", alpha, 0.0, None, low_open=True)
    if retrieval_overlap_t0(alpha) == 0:
        return 0.0
    lo, hi = 1e-3, 1.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if retrieval_overlap(alpha, mid) > 0:
            lo = mid
        else:
            hi = mid
    return lo


def spin_glass_temperature(alpha: float) -> float:
    """T_g = 1 + sqrt(alpha): below it the spin-glass (q > 0) phase exists."""
    check_range("alpha", alpha, 0.0, None)
    return 1.0 + math.sqrt(alpha)


def curie_weiss_overlap(temperature: float) -> float:
    """The positive solution of m = tanh(m / T) (alpha -> 0); 0 for T >= T_c = 1."""
    check_range("temperature", temperature, 0.0, None)
    if temperature >= 1.0:
        return 0.0
    if temperature == 0:
        return 1.0
    m = 1.0
    for _ in range(10000):
        m_new = math.tanh(m / temperature)
        if abs(m_new - m) < 1e-14:
            break
        m = m_new
    return m_new
