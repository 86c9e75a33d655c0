"""hopfield_lab.theory against published values of the replica-symmetric theory [AGS87]."""
import math

import pytest

from hopfield_lab import theory as th


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
