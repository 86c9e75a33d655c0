"""Learning rules (Hebb, Storkey, projection) against plain references and known properties."""
import math

import numpy as np

import pytest
import torch

from hopfield_lab import learning_rules


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
    assert torch.allclose(learning_rules.storkey(x), storkey_loop(x), atol=1e-14)


def test_storkey_step_keeps_its_input_and_is_symmetric():
    x = pm1(12, 5, 3)
    w = learning_rules.storkey(x[:, :4])
    before = w.clone()
    w2 = learning_rules.storkey_step(w, x[:, 4])
    assert torch.equal(w, before)
    assert torch.allclose(w2, w2.T, atol=1e-15) and bool((w2.diagonal() == 0).all())
    assert torch.allclose(w2, learning_rules.storkey(x))


def test_storkey_first_pattern_is_hebb():
    x = pm1(10, 1, 4)
    assert torch.allclose(learning_rules.storkey(x), learning_rules.hebb(x))


def test_hebb_is_outer_product_over_n_with_zero_diagonal():
    x = pm1(8, 3, 5)
    w = sum(torch.outer(x[:, m], x[:, m]) for m in range(3)) / 8
    assert torch.allclose(learning_rules.hebb(x, self_coupling=True), w)
    w.fill_diagonal_(0)
    assert torch.allclose(learning_rules.hebb(x), w)


def test_projection_is_the_projector_onto_the_patterns():
    x = pm1(40, 20, 6)
    w = learning_rules.projection(x, self_coupling=True)
    assert torch.allclose(w @ x, x, atol=1e-10)          # every pattern a fixed vector
    assert torch.allclose(w @ w, w, atol=1e-10)          # a projector
    assert abs(float(w.trace()) - 20) < 1e-9              # of rank p
    assert learning_rules.stable_fraction(learning_rules.projection(x), x) == 1.0


def test_projection_handles_dependent_patterns():
    x = pm1(30, 6, 7)
    x = torch.cat([x, x[:, :2], -x[:, 2:3]], 1)  # repeated and negated columns
    w = learning_rules.projection(x, self_coupling=True)
    assert torch.allclose(w @ x, x, atol=1e-9)


def test_projection_stores_up_to_n_minus_one_random_patterns():
    x = pm1(32, 31, 8)
    assert learning_rules.stable_fraction(learning_rules.projection(x), x) == 1.0
    # p = N: the projector is the identity, with zero diagonal W = 0 and nothing is stable
    full = pm1(32, 32, 9)
    assert torch.linalg.matrix_rank(full) == 32
    assert learning_rules.stable_fraction(learning_rules.projection(full), full) == 0.0


def test_stable_patterns_counts_a_zero_field_as_unstable():
    w = torch.zeros(3, 3, dtype=torch.float64)
    assert not bool(learning_rules.stable_patterns(w, torch.ones(3, 1)).any())


def test_hebb_single_pattern_stability_follows_the_gaussian_estimate():
    """[McE87]: a stored pattern is exact with probability (1 - Phi_c(sqrt(N/p)))^N; at N = 200, p = 20: 0.86."""
    n, p, sets = 200, 20, 30
    frac = sum(learning_rules.stable_patterns(learning_rules.hebb(x), x).double().mean() for x in (pm1(n, p, s) for s in range(sets))) / sets
    expected = (1 - 0.5 * math.erfc(math.sqrt((n - 1) / (p - 1)) / math.sqrt(2))) ** n
    assert abs(float(frac) - expected) < 0.1


def test_storkey_stores_more_random_patterns_than_hebb():
    x = pm1(100, 30, 10)
    assert learning_rules.stable_fraction(learning_rules.storkey(x), x) > learning_rules.stable_fraction(learning_rules.hebb(x), x) + 0.5


def test_stability_curve_agrees_with_the_rules():
    x = pm1(30, 12, 11)
    for rule, fn in learning_rules.RULES.items():
        curve = learning_rules.stability_curve(rule, x, [8, 3, 12])  # any order
        expected = [learning_rules.stable_fraction(fn(x[:, :p]), x[:, :p]) for p in (8, 3, 12)]
        assert curve.tolist() == pytest.approx(expected)


def test_recall_returns_the_pattern_from_a_few_flips_and_leaves_probes_alone():
    x = pm1(100, 5, 12)
    w = learning_rules.hebb(x)
    probes = x.clone()
    probes[:10] *= -1
    before = probes.clone()
    out = learning_rules.recall(w, probes, seed=0)
    assert torch.equal(probes, before)
    assert torch.equal(out.final_state, x) and bool(out.converged.all())
    again = learning_rules.recall(w, probes, seed=0)
    assert torch.equal(again.final_state, out.final_state) and again.sweeps_run == out.sweeps_run


def test_recall_ends_at_fixed_points():
    x = pm1(60, 20, 13)
    w = learning_rules.hebb(x)
    out = learning_rules.recall(w, pm1(60, 10, 14), sweeps=100, seed=1)
    h = w @ out.final_state
    assert bool(out.converged.all())
    assert bool(((h * out.final_state >= -learning_rules.TIE)).all())


@pytest.mark.parametrize("call, words", [
    (lambda: learning_rules.hebb(torch.tensor([[1.0, 0.5], [1.0, -1.0]])),
     "patterns[0, 1]=0.5 is not allowed; every entry must be +1 or -1"),
    (lambda: learning_rules.hebb(torch.ones(1, 3)), "N >= 2"),
    (lambda: learning_rules.storkey_step(torch.zeros(3, 3), torch.ones(4)), "expected (4, 4)"),
    (lambda: learning_rules.projection(torch.ones(4, 2), rcond=2.0), "rcond=2.0"),
    (lambda: learning_rules.stability_curve("oja", torch.ones(4, 2), [1]), "rule='oja'"),
    (lambda: learning_rules.stability_curve("hebb", torch.ones(4, 2), [3]), "p=3"),
    (lambda: learning_rules.recall(torch.zeros(4, 4), torch.ones(4, 1), sweeps=0), "sweeps=0"),
    (lambda: learning_rules.recall(torch.zeros(3, 3), torch.ones(4, 1)), "expected (4, 4)"),
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
    assert torch.allclose(learning_rules.storkey_step(w, x), expected, atol=1e-12)


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


# --- review findings: storkey_step on a matrix, unchecked values, raw errors --------------------------

def test_storkey_step_learns_every_column_of_a_matrix_in_order():
    # storkey_step(W, X) with an (N, k) X learned only column 0, silently
    x = pm1(9, 7, 30)
    w0 = learning_rules.storkey(x[:, :2])
    one_by_one = w0
    for mu in range(2, 7):
        one_by_one = learning_rules.storkey_step(one_by_one, x[:, mu])
    assert torch.equal(learning_rules.storkey_step(w0, x[:, 2:7]), one_by_one)
    assert torch.allclose(learning_rules.storkey_step(w0, x[:, 2:7]), storkey_loop(x), atol=1e-14)
    # storkey's rank-2 update leaves W symmetric only up to rounding, so a later step may take the plain
    # formula: equal to the incremental storkey up to rounding, not bit for bit
    assert torch.allclose(learning_rules.storkey_step(torch.zeros(9, 9), x), learning_rules.storkey(x), rtol=0, atol=1e-13)
    # the plain-formula path (a W that is not symmetric) learns every column as well
    w = torch.randn(6, 6, generator=torch.Generator().manual_seed(31), dtype=torch.float64)
    y = pm1(6, 3, 32)
    loop = w
    for mu in range(3):
        loop = learning_rules.storkey_step(loop, y[:, mu])
    assert torch.equal(learning_rules.storkey_step(w, y), loop)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_recall_refuses_non_finite_weights(bad):
    # NaN weights made every field NaN: no neuron changed, and every probe was reported converged
    w = learning_rules.hebb(pm1(8, 2, 33))
    w[0, 1] = bad
    with pytest.raises(ValueError, match=rf"weights\[0, 1\]={bad!r} is not allowed; every weight must be a finite"):
        learning_rules.recall(w, pm1(8, 3, 34))
    with pytest.raises(ValueError, match=r"weights\[0, 1\]"):
        learning_rules.stable_patterns(w, pm1(8, 3, 34))
    with pytest.raises(ValueError, match=r"weights\[0, 1\]"):
        learning_rules.storkey_step(w, pm1(8, 1, 35))
    with pytest.raises(ValueError, match=r"weights\[0, 1\]"):
        learning_rules.local_fields(w, pm1(8, 1, 35))


X4 = pm1(4, 2, 36)
CX4 = X4.to(torch.complex128) + 1e-3j  # what was kept of it: the real part, the imaginary part dropped


@pytest.mark.parametrize("call, words", [
    (lambda: learning_rules.hebb(CX4), "patterns has dtype torch.complex128"),
    (lambda: learning_rules.storkey(CX4), "patterns has dtype torch.complex128"),
    (lambda: learning_rules.projection(CX4), "patterns has dtype torch.complex128"),
    (lambda: learning_rules.storkey_step(torch.zeros(4, 4), CX4[:, 0]), "pattern has dtype torch.complex128"),
    (lambda: learning_rules.storkey_step(learning_rules.hebb(X4).to(torch.complex128), X4[:, 0]),
     "weights has dtype torch.complex128"),
    (lambda: learning_rules.local_fields(learning_rules.hebb(X4).to(torch.complex64), X4), "weights has dtype torch.complex64"),
    (lambda: learning_rules.local_fields(learning_rules.hebb(X4), CX4), "states has dtype torch.complex128"),
    (lambda: learning_rules.stable_patterns(learning_rules.hebb(X4), CX4), "patterns has dtype torch.complex128"),
    (lambda: learning_rules.stable_patterns(learning_rules.hebb(X4).to(torch.complex128), X4),
     "weights has dtype torch.complex128"),
    (lambda: learning_rules.recall(learning_rules.hebb(X4).to(torch.complex128), X4), "weights has dtype torch.complex128"),
    (lambda: learning_rules.stability_curve("hebb", CX4, [1]), "patterns has dtype torch.complex128"),
    (lambda: learning_rules.hebb(CX4.numpy()), "patterns has dtype torch.complex128"),
])
def test_complex_input_is_refused_not_cut_to_its_real_part(call, words):
    with pytest.raises(ValueError) as err:
        call()
    assert words in str(err.value) and "imaginary part" in str(err.value)


@pytest.mark.parametrize("ps, words", [
    ([2.7], "p=2.7 is not allowed; p must be an integer, p in [1, 6]"),  # was read as p = 2
    ([3, 2.0], "p=2.0 is not allowed"),
    ([None], "p=None is not allowed"),
    ([torch.tensor(2.5)], "p=tensor(2.5000) is not allowed"),
    ([0], "p=0 is out of range"),
    (3, "ps=3 is not allowed; ps must be a sequence of integers p in [1, 6] (for one p: ps=[p])"),
    (None, "ps=None is not allowed"),
    ("12", "ps='12' is not allowed"),
])
def test_stability_curve_refuses_ps_that_are_not_integers(ps, words):
    with pytest.raises(ValueError) as err:
        learning_rules.stability_curve("hebb", pm1(12, 6, 37), ps)
    assert words in str(err.value)


def test_stability_curve_takes_integer_ps_of_any_integer_kind():
    x = pm1(12, 6, 38)
    expected = learning_rules.stability_curve("storkey", x, [2, 5])
    for ps in ([np.int64(2), np.int32(5)], np.array([2, 5]), torch.tensor([2, 5]), (p for p in (2, 5))):
        assert torch.equal(learning_rules.stability_curve("storkey", x, ps), expected)


@pytest.mark.parametrize("call, words", [
    (lambda: learning_rules.recall(learning_rules.hebb(X4), X4, sweeps=2.5),
     "sweeps=2.5 is not allowed; sweeps must be an integer"),
    (lambda: learning_rules.recall(learning_rules.hebb(X4), X4, sweeps="3"), "sweeps='3' is not allowed"),
    (lambda: learning_rules.local_fields(torch.zeros(3, 3), X4),
     "weights has shape (3, 3); expected (4, 4) for states of shape (4, 2)"),
    (lambda: learning_rules.local_fields(torch.zeros(4, 3), X4), "weights has shape (4, 3); expected (4, 4)"),
    (lambda: learning_rules.local_fields(torch.zeros(4, 4), torch.ones(4, 2, 1)), "states has shape (4, 2, 1)"),
    (lambda: learning_rules.local_fields(torch.zeros(4, 4), torch.tensor([1.0, float("nan"), 1, 1])),
     "states has a non-finite entry (nan)"),
    (lambda: learning_rules.stable_patterns(torch.zeros(3, 3), X4),
     "weights has shape (3, 3); expected (4, 4) for patterns of shape (4, 2)"),
    (lambda: learning_rules.stable_fraction(torch.zeros(5), X4), "weights has shape (5,); expected (4, 4)"),
    (lambda: learning_rules.recall(torch.zeros(3, 3), X4),
     "weights has shape (3, 3); expected (4, 4) for the probes, of shape (4, 2)"),
    (lambda: learning_rules.recall(None, X4), "weights=None is not allowed"),
    (lambda: learning_rules.hebb("abc"), "patterns='abc' is not allowed"),
    (lambda: learning_rules.hebb([[1, 10**30], [1, 1]]),
     "(46 characters) is not allowed; patterns must be a tensor of +1 and -1"),
    (lambda: learning_rules.stability_curve(["hebb"], X4, [1]),
     "rule=['hebb'] is not allowed; choose one of: hebb, storkey, projection"),
])
def test_raw_errors_became_value_errors_naming_the_parameter(call, words):
    # these were TypeErrors ("'float' object cannot be interpreted as an integer") or RuntimeErrors
    # ("mat1 and mat2 shapes cannot be multiplied")
    with pytest.raises(ValueError) as err:
        call()
    assert words in str(err.value)


# --- properties --------------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def pm1_matrices(draw, n_max=10, p_max=6):
    n, p = draw(st.integers(2, n_max)), draw(st.integers(1, p_max))
    bits = draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n * p, max_size=n * p))
    return torch.tensor(bits, dtype=torch.float64).reshape(n, p)


@SETTINGS
@given(pm1_matrices())
def test_storkey_over_k_patterns_is_k_storkey_steps(x):
    w = torch.zeros(x.shape[0], x.shape[0], dtype=torch.float64)
    for mu in range(x.shape[1]):
        w = learning_rules.storkey_step(w, x[:, mu])
    assert torch.equal(learning_rules.storkey_step(torch.zeros_like(w), x), w)  # the k steps, bit for bit
    # storkey's in-place update keeps W symmetric only up to rounding, and a step on a W that is not
    # exactly symmetric takes the plain formula: the same up to rounding
    assert torch.allclose(learning_rules.storkey(x), w, rtol=0, atol=1e-12)
    if x.shape[1] > 1:  # learned in two batches: the same as one pass
        k = x.shape[1] // 2
        assert torch.equal(learning_rules.storkey_step(learning_rules.storkey_step(torch.zeros_like(w), x[:, :k]), x[:, k:]), w)


@SETTINGS
@given(pm1_matrices(), st.sampled_from(list(learning_rules.RULES)))
def test_every_rule_gives_a_symmetric_zero_diagonal_matrix_and_fields_agree(x, rule):
    w = learning_rules.RULES[rule](x)
    n = x.shape[0]
    assert w.shape == (n, n) and w.dtype == torch.float64
    assert torch.allclose(w, w.T, atol=1e-12) and bool((w.diagonal() == 0).all())
    h = learning_rules.local_fields(w, x)
    assert torch.equal(learning_rules.stable_patterns(w, x), (h * x > learning_rules.TIE).all(0))
    out = learning_rules.recall(w, x, sweeps=3, seed=0)
    assert out.final_state.shape == x.shape and bool((out.final_state.abs() == 1).all())


ODD = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 12), st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(max_magnitude=2), st.text(max_size=3), st.just(10**30),
    st.lists(st.integers(-2, 2), max_size=4), st.just([[1, "a"]]), st.just(object()),
    st.builds(lambda n, p, v: torch.full((n, p), v), st.integers(0, 5), st.integers(0, 3),
              st.sampled_from([1.0, -1.0, 0.0, 0.5, float("nan"), float("inf")])),
    st.builds(lambda n, p, dt: torch.ones(n, p, dtype=dt), st.integers(1, 5), st.integers(1, 3),
              st.sampled_from([torch.float32, torch.int8, torch.uint8, torch.bool, torch.complex64, torch.float16])),
    st.builds(lambda n: torch.ones(n), st.integers(0, 5)),
    st.builds(lambda n: np.ones((n, n)), st.integers(1, 4)),
    st.builds(lambda n: torch.zeros(n, n), st.integers(1, 5)),
    st.builds(lambda n: torch.ones(n, 2, 2), st.integers(1, 3)),
)


def _calls():
    return {
        "hebb": lambda a, b, c: learning_rules.hebb(a),
        "storkey": lambda a, b, c: learning_rules.storkey(a),
        "projection": lambda a, b, c: learning_rules.projection(a, rcond=c),
        "storkey_step": lambda a, b, c: learning_rules.storkey_step(a, b),
        "fields": lambda a, b, c: learning_rules.local_fields(a, b),
        "stable_patterns": lambda a, b, c: learning_rules.stable_patterns(a, b),
        "stable_fraction": lambda a, b, c: learning_rules.stable_fraction(a, b),
        "stability_curve": lambda a, b, c: learning_rules.stability_curve("storkey", a, b),
        "stability_curve_rule": lambda a, b, c: learning_rules.stability_curve(c, torch.ones(4, 2), [1]),
        "recall": lambda a, b, c: learning_rules.recall(a, b, sweeps=2),
        "recall_sweeps": lambda a, b, c: learning_rules.recall(torch.zeros(4, 4), torch.ones(4, 1), sweeps=c),
        "recall_seed": lambda a, b, c: learning_rules.recall(torch.zeros(4, 4), torch.ones(4, 1), seed=c),
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(_calls())), ODD, ODD, ODD)
def test_odd_arguments_either_work_or_raise_value_error(name, a, b, c):
    try:
        _calls()[name](a, b, c)
    except ValueError:
        pass
