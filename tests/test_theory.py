"""hopfield_lab.theory against published values of the replica-symmetric theory [AGS87]."""
import math

import numpy as np

import pytest

from hopfield_lab import theory as th
from conftest import ends_within


def test_alpha_c_and_overlap_there():
    alpha_c, m_c = th.alpha_c_t0()
    assert alpha_c == pytest.approx(0.1379, abs=5e-4)
    assert m_c == pytest.approx(0.967, abs=2e-3)
    assert th.retrieval_overlap_t0(0.14) == 0.0  # no retrieval state above alpha_c


@pytest.mark.parametrize("alpha,m", [(0.10, 0.9980), (0.12, 0.9932), (0.13, 0.9872), (0.137, 0.9754), (0.01, 1.0)])
def test_t0_overlap(alpha, m):
    assert th.retrieval_overlap_t0(alpha) == pytest.approx(m, abs=5e-4)


@pytest.mark.parametrize("alpha,t_m", [(0.01, 0.801), (0.05, 0.542), (0.10, 0.315), (0.12, 0.215), (0.13, 0.149)])
def test_retrieval_boundary(alpha, t_m):
    assert th.retrieval_boundary(alpha) == pytest.approx(t_m, abs=4e-3)


def test_retrieval_boundary_near_zero_load():
    alpha = 0.001
    assert th.retrieval_boundary(alpha) == pytest.approx(1 - 1.95 * math.sqrt(alpha), abs=0.01)


@pytest.mark.parametrize("t,m", [(0.5, 0.9575), (0.8, 0.7104), (0.9, 0.5254), (1.0, 0.0), (1.5, 0.0)])
def test_curie_weiss(t, m):
    assert th.curie_weiss_overlap(t) == pytest.approx(m, abs=1e-4)


def test_spin_glass_line_and_finite_t_overlap():
    assert th.spin_glass_temperature(0.04) == pytest.approx(1.2)
    # at small alpha the RS overlap approaches Curie-Weiss
    assert th.retrieval_overlap(1e-6, 0.5) == pytest.approx(0.9575, abs=1e-3)
    assert th.retrieval_overlap(0.05, 0.6) == 0.0  # above T_M(0.05) = 0.542


def test_bad_input():
    with pytest.raises(ValueError, match="alpha=-0.1"):
        th.retrieval_overlap_t0(-0.1)


# --- the finite-temperature solver near alpha_c and at low T -----------------------------------

@pytest.mark.parametrize("alpha", [0.05, 0.10, 0.13, 0.137])
def test_finite_t_overlap_approaches_the_t0_solution(alpha):
    assert th.retrieval_overlap(alpha, 0.002) == pytest.approx(th.retrieval_overlap_t0(alpha), abs=2e-3)


def test_retrieval_just_below_alpha_c_at_low_temperature():
    # the old iteration lost the retrieval state here while finding one at 0.145 > alpha_c
    for t in (0.005, 0.01, 0.02):
        assert th.retrieval_overlap(0.1379, t) == pytest.approx(0.97, abs=0.01)
    t_m = th.retrieval_boundary(0.1379)
    assert 0.0 < t_m < th.retrieval_boundary(0.135) < th.retrieval_boundary(0.13)


@pytest.mark.parametrize("t", [0.001, 0.01, 0.05, 0.1, 0.3])
def test_no_retrieval_above_alpha_c_at_any_temperature(t):
    assert th.retrieval_overlap(0.145, t) == 0.0
    assert th.retrieval_overlap(0.2, t) == 0.0


def test_retrieval_boundary_falls_with_load_and_vanishes_at_alpha_c():
    alphas = [0.005, 0.02, 0.05, 0.08, 0.11, 0.13, 0.137]
    t_m = [th.retrieval_boundary(a, tol=1e-3) for a in alphas]
    assert all(a > b for a, b in zip(t_m, t_m[1:]))
    assert th.retrieval_boundary(0.139) == 0.0


def test_rs_solution_satisfies_its_equations():
    m, q, r = th.rs_solution(0.05, 0.4)
    beta = 1 / 0.4
    z, w = np.polynomial.hermite_e.hermegauss(200)
    w = w / w.sum()
    t = np.tanh(beta * (m + math.sqrt(0.05 * r) * z))
    assert m == pytest.approx(float(w @ t), abs=1e-6)
    assert q == pytest.approx(float(w @ t**2), abs=1e-6)
    assert r == pytest.approx(q / (1 - beta * (1 - q)) ** 2, rel=1e-5)


def test_rs_solution_without_retrieval():
    m, q, r = th.rs_solution(0.05, 1.5)  # above T_g = 1.22: paramagnet
    assert m == 0.0 and q == pytest.approx(0.0, abs=1e-8)
    m, q, r = th.rs_solution(0.05, 0.8)  # between T_M and T_g: spin glass
    assert m == 0.0 and q > 0.05


def test_curie_weiss_solves_its_equation_near_t_c():
    for t in (0.99, 0.999):
        m = th.curie_weiss_overlap(t)
        assert m > 0 and m == pytest.approx(math.tanh(m / t), abs=1e-12)
        assert m == pytest.approx(math.sqrt(3 * (1 - t)), rel=0.05)


# --- perfect recall (notebook 05) -----------------------------------------------------------------

def test_crosstalk_variance_and_bit_error():
    assert th.crosstalk_variance(1000, 101) == pytest.approx(0.1)
    assert th.bit_error_probability(1000, 1) == 0.0
    # 1 / sigma = 2: the one-sided Gaussian tail P(z > 2)
    assert th.bit_error_probability(400, 101) == pytest.approx(0.02275, abs=1e-5)


def test_measured_crosstalk_matches_the_theory():
    import torch

    from hopfield_lab import random_patterns

    n, p = 400, 41
    xi = random_patterns(n, p, seed=3, dtype=torch.float64)
    aligned = xi * (xi @ (xi.T @ xi) - p * xi)
    crosstalk = aligned / n - (n - 1) / n
    assert float(crosstalk.var()) == pytest.approx(th.crosstalk_variance(n, p), rel=0.05)


@pytest.mark.parametrize("n", [100, 1000, 10**4, 10**6])
def test_union_bound_capacity_solves_its_equation_and_tends_to_the_leading_order(n):
    p_all, p_one = th.union_bound_capacity(n), th.union_bound_capacity(n, all_patterns=False)
    assert n * p_all * th.bit_error_probability(n, p_all) == pytest.approx(1.0, rel=1e-6)
    assert n * th.bit_error_probability(n, p_one) == pytest.approx(1.0, rel=1e-6)
    assert n / (4 * math.log(n)) < p_all < p_one
    assert p_one > n / (2 * math.log(n))


def test_union_bound_ratio_to_the_leading_order_falls_slowly():
    ratios = [th.union_bound_capacity(n) / (n / (4 * math.log(n))) for n in (10**2, 10**4, 10**8, 10**16)]
    assert all(a > b > 1 for a, b in zip(ratios, ratios[1:]))


def test_one_pattern_exact_probability():
    assert th.one_pattern_exact_leading_order(1000) == pytest.approx(0.898, abs=1e-3)
    assert th.one_pattern_exact_leading_order(1e4) == pytest.approx(0.911, abs=1e-3)
    assert th.exact_recall_probability(1000, 1) == 1.0


# --- tiny T uses the T = 0 limit (review finding 4) -----------------------------------------------

@pytest.mark.parametrize("t", [1e-9, 1e-12, 1e-17, 1e-18, 5e-324])
def test_retrieval_state_at_tiny_temperature_is_the_t0_limit(t):
    """The T -> 0 limit at alpha = 0.1: m = 0.99800, r = 1.0431 (was m = 0 at 1e-17, r = 1.0 below, NaN at 5e-324)."""
    m, q, r = th.rs_solution(0.1, t)
    assert m == pytest.approx(0.99800, abs=1e-5) and r == pytest.approx(1.04306, abs=1e-4)
    assert 1 - 1e-8 < q <= 1.0
    assert th.retrieval_overlap(0.1, t) == m == pytest.approx(th.retrieval_overlap_t0(0.1), abs=1e-9)


@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.137])
def test_rs_solution_is_continuous_where_the_t0_limit_takes_over(alpha):
    below, above = th.rs_solution(alpha, 0.99999e-9), th.rs_solution(alpha, 1.00001e-9)
    assert below == pytest.approx(above, rel=1e-6)


@pytest.mark.parametrize("t", [1e-9, 1e-12, 5e-324])
def test_spin_glass_at_tiny_temperature(t):
    """alpha = 0.2 > alpha_c: m = 0, q -> 1, r -> (1 + sqrt(2 / (pi alpha)))^2 = 7.7513 (was 976563 at 1e-9)."""
    m, q, r = th.rs_solution(0.2, t)
    assert m == 0.0 and q == pytest.approx(1.0, abs=1e-8)
    assert r == pytest.approx((1 + math.sqrt(2 / (math.pi * 0.2))) ** 2, rel=1e-6)


def test_rs_solution_at_zero_load_gives_the_limit_of_r():
    """alpha -> 0: r = q / (1 - C)^2 with q = m^2 and C = beta (1 - q): 1.319 at T = 0.5 (was a placeholder 1.0)."""
    m, q, r = th.rs_solution(0, 0.5)
    assert m == pytest.approx(0.9575, abs=1e-4) and q == pytest.approx(m * m)
    assert r == pytest.approx(q / (1 - 2 * (1 - q)) ** 2) and r == pytest.approx(1.319, abs=1e-3)
    assert th.rs_solution(0, 1.0) == (0.0, 0.0, 0.0)  # the paramagnet (r was 1e9 at T = 1)
    assert th.rs_solution(0, 2.0) == (0.0, 0.0, 0.0)


# --- tolerances that never end, and unchecked arguments (findings 6, 7, 15) ------------------------



@pytest.mark.parametrize("tol", [0.0, -1e-4, float("nan"), 1e-13, 2.0])
def test_bisection_tolerances_are_checked(tol):
    with ends_within(120):
        with pytest.raises(ValueError, match="tol="):
            th.retrieval_boundary(0.1, tol=tol)
        with pytest.raises(ValueError, match="tol="):
            th.alpha_c_t0(tol=tol)


def test_smallest_tolerance_ends():
    with ends_within(300):
        assert th.alpha_c_t0(tol=1e-12)[0] == pytest.approx(0.13790, abs=1e-5)


@pytest.mark.parametrize("args, words", [
    (("10", 1), "n='10'"), ((10, "1"), "p='1'"), ((10, 1, "yes"), "all_patterns='yes'"), ((1, 1), "n=1"),
    ((10.5, 2), "n=10.5"), ((10, 0.5), "p=0.5"), ((10, float("nan")), "p=nan"), ((None, 1), "n=None"),
])
def test_exact_recall_probability_checks_its_arguments(args, words):
    with pytest.raises(ValueError) as err:
        th.exact_recall_probability(*args)
    assert words in str(err.value)


def test_exact_recall_probability_accepts_numpy_numbers():
    assert th.exact_recall_probability(np.int64(1000), np.float64(40.0), all_patterns=np.bool_(False)) == \
        th.exact_recall_probability(1000, 40.0, all_patterns=False)


# --- property tests (hypothesis) ----------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


@PROPERTY
@given(alpha=st.floats(0.0, 0.3), log_t=st.floats(-744.0, 1.0))
def test_property_rs_solution_is_a_state_at_any_temperature(alpha, log_t):
    t = math.exp(log_t)
    m, q, r = th.rs_solution(alpha, t)
    assert 0.0 <= m <= 1.0 and 0.0 <= q <= 1.0 and 0.0 <= r < math.inf
    assert th.retrieval_overlap(alpha, t) == m
    if alpha > 0 and t < 1e-3:  # near T = 0: the T = 0 overlap (below alpha_c; none above)
        assert m == pytest.approx(th.retrieval_overlap_t0(alpha), abs=5e-3) or abs(alpha - 0.1379) < 2e-3


_BAD = [float("nan"), float("inf"), -float("inf"), -1, 0, -0.5, 2.5, 10**400, 1e300, "abc", None, True, 1j, [],
        np.float64("nan"), np.int64(-3), 1e-320]

_THEORY_CALLS = {
    th.retrieval_overlap_t0: dict(alpha=0.1),
    th.alpha_c_t0: dict(tol=1e-3),
    th.rs_solution: dict(alpha=0.05, temperature=0.4),
    th.retrieval_overlap: dict(alpha=0.05, temperature=0.4),
    th.retrieval_boundary: dict(alpha=0.05, tol=1e-2),
    th.spin_glass_temperature: dict(alpha=0.05),
    th.curie_weiss_overlap: dict(temperature=0.5),
    th.crosstalk_variance: dict(n=100, p=5),
    th.bit_error_probability: dict(n=100, p=5),
    th.exact_recall_probability: dict(n=100, p=5, all_patterns=True),
    th.union_bound_capacity: dict(n=100, all_patterns=True, expected_errors=1.0),
    th.one_pattern_exact_leading_order: dict(n=100),
}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(data=st.data())
def test_property_theory_bad_input_raises_only_value_error(data):
    function = data.draw(st.sampled_from(sorted(_THEORY_CALLS, key=lambda f: f.__name__)), label="function")
    kwargs = dict(_THEORY_CALLS[function])
    name = data.draw(st.sampled_from(sorted(kwargs)), label="argument")
    kwargs[name] = data.draw(st.sampled_from(_BAD), label=name)
    with ends_within(300):
        try:
            result = function(**kwargs)
        except ValueError:
            return
    values = result if isinstance(result, tuple) else (result,)
    assert not any(isinstance(v, float) and math.isnan(v) for v in values)


def test_alpha_c_t0_reads_m_c_at_the_maximiser():
    # 05 printed m_c = 0.9676 against the closed form's 0.96742: m was read at an alpha just below alpha_c,
    # where m(alpha) has a square-root singularity
    alpha_c, m_c = th.alpha_c_t0()
    assert abs(alpha_c - 0.137906) < 2e-6 and abs(m_c - 0.96742) < 2e-5
    assert th.retrieval_overlap_t0(alpha_c - 1e-5) > 0 and th.retrieval_overlap_t0(alpha_c + 1e-5) == 0


def test_thermodynamic_transition_lies_below_t_m_and_reaches_0_near_alpha_0051():
    # [AGS87]: retrieval states are global free-energy minima below T_c(alpha), metastable between T_c and
    # T_M; T_c reaches T = 0 near alpha = 0.051 (here the RS free energies, resolved down to T = 0.02)
    values = [th.thermodynamic_transition(a) for a in (0.005, 0.02, 0.05)]
    assert all(0 < v < th.retrieval_boundary(a) for v, a in zip(values, (0.005, 0.02, 0.05)))
    assert values[0] > values[1] > values[2]  # falls with the load
    assert th.thermodynamic_transition(0.06) == 0.0  # every retrieval state metastable
    assert th.thermodynamic_transition(0.045) > 0.2 and th.thermodynamic_transition(0.054) < 0.15
