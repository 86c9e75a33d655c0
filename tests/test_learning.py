"""Learning rules (Hebb, Storkey, projection) against plain references and known properties."""
import math

import pytest
import torch

from hopfield_lab import learning


def pm1(n, p, seed):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randint(0, 2, (n, p), generator=gen) * 2 - 1).double()


def storkey_loop(patterns):
    """Storkey's rule [S97] as printed: w_ij += (x_i x_j - x_i h_ji - h_ij x_j) / N for i != j,
    h_ij = sum_{k != i, j} w_ik x_k; plain Python, shares nothing with the package."""
    n, p = patterns.shape
    w = [[0.0] * n for _ in range(n)]
    for mu in range(p):
        x = [float(v) for v in patterns[:, mu]]

        def local(i, j):
            return sum(w[i][k] * x[k] for k in range(n) if k != i and k != j)

        w = [[0.0 if i == j else w[i][j] + (x[i] * x[j] - x[i] * local(j, i) - local(i, j) * x[j]) / n
              for j in range(n)] for i in range(n)]
    return torch.tensor(w, dtype=torch.float64)


@pytest.mark.parametrize("n, p, seed", [(5, 1, 0), (7, 4, 1), (9, 6, 2)])
def test_storkey_matches_the_plain_loop(n, p, seed):
    x = pm1(n, p, seed)
    assert torch.allclose(learning.storkey(x), storkey_loop(x), atol=1e-14)


def test_storkey_step_keeps_its_input_and_is_symmetric():
    x = pm1(12, 5, 3)
    w = learning.storkey(x[:, :4])
    before = w.clone()
    w2 = learning.storkey_step(w, x[:, 4])
    assert torch.equal(w, before)
    assert torch.allclose(w2, w2.T, atol=1e-15) and bool((w2.diagonal() == 0).all())
    assert torch.allclose(w2, learning.storkey(x))


def test_storkey_first_pattern_is_hebb():
    x = pm1(10, 1, 4)
    assert torch.allclose(learning.storkey(x), learning.hebb(x))


def test_hebb_is_outer_product_over_n_with_zero_diagonal():
    x = pm1(8, 3, 5)
    w = sum(torch.outer(x[:, m], x[:, m]) for m in range(3)) / 8
    assert torch.allclose(learning.hebb(x, self_coupling=True), w)
    w.fill_diagonal_(0)
    assert torch.allclose(learning.hebb(x), w)


def test_projection_is_the_projector_onto_the_patterns():
    x = pm1(40, 20, 6)
    w = learning.projection(x, self_coupling=True)
    assert torch.allclose(w @ x, x, atol=1e-10)          # every pattern a fixed vector
    assert torch.allclose(w @ w, w, atol=1e-10)          # a projector
    assert abs(float(w.trace()) - 20) < 1e-9              # of rank p
    assert learning.stable_fraction(learning.projection(x), x) == 1.0


def test_projection_handles_dependent_patterns():
    x = pm1(30, 6, 7)
    x = torch.cat([x, x[:, :2], -x[:, 2:3]], 1)  # repeated and negated columns
    w = learning.projection(x, self_coupling=True)
    assert torch.allclose(w @ x, x, atol=1e-9)


def test_projection_stores_up_to_n_minus_one_random_patterns():
    x = pm1(32, 31, 8)
    assert learning.stable_fraction(learning.projection(x), x) == 1.0
    # p = N: the projector is the identity, with zero diagonal W = 0 and nothing is stable
    full = pm1(32, 32, 9)
    assert torch.linalg.matrix_rank(full) == 32
    assert learning.stable_fraction(learning.projection(full), full) == 0.0


def test_stable_patterns_counts_a_zero_field_as_unstable():
    w = torch.zeros(3, 3, dtype=torch.float64)
    assert not bool(learning.stable_patterns(w, torch.ones(3, 1)).any())


def test_hebb_single_pattern_stability_follows_the_gaussian_estimate():
    """[McE87]: a stored pattern is exact with probability (1 - Phi_c(sqrt(N/p)))^N; at N = 200, p = 20: 0.86."""
    n, p, sets = 200, 20, 30
    frac = sum(learning.stable_patterns(learning.hebb(x), x).double().mean() for x in (pm1(n, p, s) for s in range(sets))) / sets
    expected = (1 - 0.5 * math.erfc(math.sqrt((n - 1) / (p - 1)) / math.sqrt(2))) ** n
    assert abs(float(frac) - expected) < 0.1


def test_storkey_stores_more_random_patterns_than_hebb():
    x = pm1(100, 30, 10)
    assert learning.stable_fraction(learning.storkey(x), x) > learning.stable_fraction(learning.hebb(x), x) + 0.5


def test_stability_curve_agrees_with_the_rules():
    x = pm1(30, 12, 11)
    for rule, fn in learning.RULES.items():
        curve = learning.stability_curve(rule, x, [8, 3, 12])  # any order
        expected = [learning.stable_fraction(fn(x[:, :p]), x[:, :p]) for p in (8, 3, 12)]
        assert curve.tolist() == pytest.approx(expected)


def test_recall_returns_the_pattern_from_a_few_flips_and_leaves_probes_alone():
    x = pm1(100, 5, 12)
    w = learning.hebb(x)
    probes = x.clone()
    probes[:10] *= -1
    before = probes.clone()
    out = learning.recall(w, probes, seed=0)
    assert torch.equal(probes, before)
    assert torch.equal(out.final_state, x) and bool(out.converged.all())
    again = learning.recall(w, probes, seed=0)
    assert torch.equal(again.final_state, out.final_state) and again.sweeps_run == out.sweeps_run


def test_recall_ends_at_fixed_points():
    x = pm1(60, 20, 13)
    w = learning.hebb(x)
    out = learning.recall(w, pm1(60, 10, 14), sweeps=100, seed=1)
    h = w @ out.final_state
    assert bool(out.converged.all())
    assert bool(((h * out.final_state >= -learning.TIE)).all())


@pytest.mark.parametrize("call, words", [
    (lambda: learning.hebb(torch.tensor([[1.0, 0.5], [1.0, -1.0]])), "+1 and -1"),
    (lambda: learning.hebb(torch.ones(1, 3)), "N >= 2"),
    (lambda: learning.storkey_step(torch.zeros(3, 3), torch.ones(4)), "expected (4, 4)"),
    (lambda: learning.projection(torch.ones(4, 2), rcond=2.0), "rcond=2.0"),
    (lambda: learning.stability_curve("oja", torch.ones(4, 2), [1]), "rule='oja'"),
    (lambda: learning.stability_curve("hebb", torch.ones(4, 2), [3]), "p=3"),
    (lambda: learning.recall(torch.zeros(4, 4), torch.ones(4, 1), sweeps=0), "sweeps=0"),
    (lambda: learning.recall(torch.zeros(3, 3), torch.ones(4, 1)), "expected (4, 4)"),
])
def test_bad_input_is_refused_with_the_parameter_named(call, words):
    with pytest.raises(ValueError, match=None) as err:
        call()
    assert words in str(err.value)


def test_storkey_step_on_a_non_symmetric_matrix_uses_the_plain_formula():
    gen = torch.Generator().manual_seed(20)
    w = torch.randn(6, 6, generator=gen, dtype=torch.float64)
    x = pm1(6, 1, 21)[:, 0]
    n = 6
    w0 = w.clone()
    w0.fill_diagonal_(0)
    expected = torch.zeros(6, 6, dtype=torch.float64)
    for i in range(n):
        for j in range(n):
            if i != j:
                h_ij = sum(w0[i, k] * x[k] for k in range(n) if k not in (i, j))
                h_ji = sum(w0[j, k] * x[k] for k in range(n) if k not in (i, j))
                expected[i, j] = w0[i, j] + (x[i] * x[j] - x[i] * h_ji - h_ij * x[j]) / n
    assert torch.allclose(learning.storkey_step(w, x), expected, atol=1e-12)


def test_digit_set_gives_distinct_binary_or_grey_digits():
    from hopfield_lab.patterns import digit_set

    x, labels = digit_set()
    assert x.shape == (64, 1752) and labels.shape == (1752,)
    assert len({tuple(c) for c in x.T.tolist()}) == 1752 and bool((x.abs() == 1).all())
    a, _ = digit_set(20, seed=3)
    b, _ = digit_set(20, seed=3)
    assert torch.equal(a, b) and not torch.equal(a, digit_set(20, seed=4)[0])
    grey, _ = digit_set(5, binary=False)
    assert float(grey.min()) >= -1 and float(grey.max()) <= 1
    with pytest.raises(ValueError, match="count"):
        digit_set(0)
