"""Dense associative memory [KH16, D17] and the continuous modern Hopfield network [R20]
against plain references, exact integers and published values."""
import math

import pytest
import torch

from hopfield_lab import dense_memory as dm

FUNCTIONS = [dm.Polynomial(2), dm.Polynomial(3), dm.Polynomial(3, rectified=True), dm.Polynomial(4),
             dm.Exponential(1.0), dm.Exponential(0.3)]


def pm1(n, p, seed):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randint(0, 2, (n, p), generator=gen) * 2 - 1).double()


def flip_differences_loop(xi, states, function):
    """E(flipped) - E(state) for every bit and state from energy_reference: Python loops."""
    n, cols = states.shape
    out = [[0] * cols for _ in range(n)]
    for c in range(cols):
        e0 = dm.energy_reference(xi, states[:, c], function)
        for i in range(n):
            flipped = states[:, c].clone()
            flipped[i] = -flipped[i]
            out[i][c] = dm.energy_reference(xi, flipped, function) - e0
    return out


def test_energy_reference_is_the_formula():
    xi = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0]])
    s = torch.tensor([1.0, 1.0, 1.0])  # overlaps 1 and 1
    assert dm.energy_reference(xi, s, dm.Polynomial(3)) == -2
    assert dm.energy_reference(xi, -s, dm.Polynomial(3)) == 2
    assert dm.energy_reference(xi, -s, dm.Polynomial(3, rectified=True)) == 0
    assert dm.energy_reference(xi, s, dm.Exponential(1.0)) == pytest.approx(-2 * math.e)
    assert float(dm.energy(xi, s, dm.Polynomial(3))) == -2


@pytest.mark.parametrize("function", FUNCTIONS, ids=str)
def test_flip_energy_differences_match_the_plain_loop(function):
    xi, s = pm1(9, 5, 0), pm1(9, 4, 1)
    got = dm.flip_energy_differences(xi, s, function)
    ref = torch.tensor(flip_differences_loop(xi, s, function), dtype=torch.float64)
    if isinstance(function, dm.Polynomial):
        assert torch.equal(got, ref)  # exact integers
    else:
        assert torch.allclose(got, ref, rtol=1e-12, atol=1e-12)


def test_n2_is_the_classical_network():
    xi, s = pm1(30, 6, 2), pm1(30, 5, 3)
    w = xi @ xi.T - 6 * torch.eye(30, dtype=torch.float64)
    assert torch.equal(dm.flip_energy_differences(xi, s, dm.Polynomial(2)), 4 * s * (w @ s))


def test_int64_path_is_exact_above_2_to_the_53():
    xi = pm1(100, 40, 4)
    s = xi[:, :3].clone()
    s[:7] *= -1
    function = dm.Polynomial(8)
    assert 2 ** 53 < dm.exact_bound(100, 40, function) < 2 ** 63
    got = dm.flip_energy_differences(xi, s, function)
    assert got.dtype == torch.int64
    ref = flip_differences_loop(xi, s, function)
    assert all(int(got[i, c]) == ref[i][c] for i in range(100) for c in range(3))


def test_exact_arithmetic_is_refused_where_it_cannot_hold():
    xi = pm1(100, 10, 5)
    with pytest.raises(ValueError, match="cannot be exact"):
        dm.flip_energy_differences(xi, xi[:, :1], dm.Polynomial(12), arithmetic="exact")
    with pytest.raises(ValueError, match="arithmetic='exact' is not allowed"):
        dm.flip_energy_differences(xi, xi[:, :1], dm.Exponential(1.0), arithmetic="exact")
    big = dm.flip_energy_differences(xi, xi[:, :1], dm.Polynomial(12), arithmetic="float64")
    assert big.dtype == torch.float64


def test_exponential_decisions_do_not_overflow():
    xi = pm1(2000, 30, 6)
    probes = xi[:, :4].clone()
    assert bool(dm.one_step_stable(xi, probes, dm.Exponential(1.0)).all())  # beta N = 2000: e^2000 overflows
    assert bool(torch.isfinite(dm.flip_energy_differences(xi, probes, dm.Exponential(1.0), rescale=False)).all())


def test_capacity_formula_kh16_eq6():
    """[KH16, eq. 6]: N^(n-1) / (2 (2n-3)!! ln N); at N = 100: 10.9, 362, 7238."""
    assert dm.capacity_kh16(100, 2) == pytest.approx(100 / (2 * math.log(100)))
    assert dm.capacity_kh16(100, 3) == pytest.approx(1e4 / (6 * math.log(100)))
    assert dm.capacity_kh16(100, 4) == pytest.approx(1e6 / (30 * math.log(100)))
    assert round(dm.capacity_kh16(100, 4)) == 7238


@pytest.mark.parametrize("n, k, low, high", [(2, 20, 0.2, 0.5), (3, 360, 0.75, 0.95), (4, 7000, 0.8, 0.97),
                                             (4, 15000, 0.08, 0.3)])
def test_one_step_stability_near_the_reference_values(n, k, low, high):
    """N = 100, one-step stability of 200 stored patterns (reference: n = 2, K = 20: 30-45 %;
    n = 4: K = 7000 88-91 %, 15000 16 %; n = 3, K = 360: the Gaussian estimate ~ 0.88)."""
    xi = pm1(100, k, 7)
    frac = float(dm.one_step_stable(xi, xi[:, :200], dm.Polynomial(n)).double().mean())
    if k < 200:  # fewer patterns than probes: average over sets
        frac = sum(float(dm.one_step_stable(x, x, dm.Polynomial(n)).double().mean()) for x in
                   (pm1(100, k, s) for s in range(10))) / 10
    assert low <= frac <= high


def async_loop(xi, probes, function, order):
    """One sweep in the given order, each flip decided on energy_reference: plain Python."""
    s = probes.clone()
    for c in range(s.shape[1]):
        for i in order:
            flipped = s[:, c].clone()
            flipped[i] = -flipped[i]
            if dm.energy_reference(xi, flipped, function) < dm.energy_reference(xi, s[:, c], function):
                s[:, c] = flipped
    return s


@pytest.mark.parametrize("function", [dm.Polynomial(3), dm.Exponential(1.0)], ids=str)
def test_async_sweep_matches_the_plain_loop_and_lowers_the_energy(function):
    xi, probes = pm1(12, 6, 8), pm1(12, 3, 9)
    order = torch.randperm(12, generator=torch.Generator().manual_seed(5)).tolist()
    run = dm.async_sweeps(xi, probes, function, sweeps=1, seed=torch.Generator().manual_seed(5))
    assert torch.equal(run.final_state, async_loop(xi, probes, function, order))
    assert bool((run.energy[1] <= run.energy[0] + 1e-9).all())
    assert torch.allclose(run.energy[-1], dm.energy(xi, run.final_state, function))
    assert torch.equal(run.flips, (run.final_state != probes).sum(0))  # one sweep: each bit at most once


def test_async_sweeps_until_stable_end_at_a_one_step_stable_state():
    xi = pm1(40, 30, 10)
    run = dm.async_sweeps(xi, pm1(40, 5, 11), dm.Polynomial(3), sweeps=50, seed=0, until_stable=True)
    assert run.sweeps_run < 50
    assert bool(dm.one_step_stable(xi, run.final_state, dm.Polynomial(3)).all())
    assert bool((run.energy[1:] <= run.energy[:-1]).all())


def test_exponential_recall_near_the_reference():
    """N = 24, beta = 1, 2 flipped bits, one sweep: K = 1000 recalled ~95 % (reference)."""
    from hopfield_lab.patterns import corrupt

    xi = pm1(24, 1000, 12)
    probes = corrupt(xi[:, :200], 1 - 4 / 24, seed=1)
    run = dm.async_sweeps(xi, probes, dm.Exponential(1.0), sweeps=1, seed=2)
    assert 0.88 <= float((run.final_state == xi[:, :200]).all(0).double().mean()) <= 1.0


def test_lse_and_the_continuous_update_match_plain_formulas():
    gen = torch.Generator().manual_seed(13)
    x, q = torch.randn(5, 7, generator=gen, dtype=torch.float64), torch.randn(5, 3, generator=gen, dtype=torch.float64)
    for beta in (0.1, 1.0, 30.0):
        z = x.T @ q
        assert torch.allclose(dm.lse(beta, z), torch.log(torch.exp(beta * z).sum(0)) / beta)
        p = torch.exp(beta * z) / torch.exp(beta * z).sum(0)
        assert torch.allclose(dm.continuous_update(x, q, beta), x @ p)
        assert torch.allclose(dm.continuous_update(x, q[:, 0], beta), (x @ p)[:, 0])
    assert bool(torch.isfinite(dm.lse(1e4, torch.tensor([[1.0], [2.0]]))).all())


def test_continuous_energy_falls_at_every_update():
    gen = torch.Generator().manual_seed(14)
    x = torch.randn(16, 40, generator=gen, dtype=torch.float64)
    q = torch.randn(16, 25, generator=gen, dtype=torch.float64) * 3
    for beta in (0.05, 0.5, 5.0):
        state = q
        for _ in range(5):
            new = dm.continuous_update(x, state, beta)
            assert bool((dm.continuous_energy(x, new, beta) <= dm.continuous_energy(x, state, beta) + 1e-10).all())
            state = new
    assert bool((dm.continuous_energy(x, q, 1.0) >= 0).all())  # the constants make E >= 0


def test_continuous_retrieval_matches_the_reference_values():
    """d = 64, 10 000 patterns on the sphere of radius 8, query = pattern + 0.3 noise: relative
    error after one update 0.99 at beta = 0.01, 0.95 at 0.05, 0.008 at 0.25, ~0 at 1."""
    gen = torch.Generator().manual_seed(15)
    x = torch.randn(64, 10000, generator=gen, dtype=torch.float64)
    x = x / x.norm(dim=0) * 8
    q = x[:, :100] + 0.3 * torch.randn(64, 100, generator=gen, dtype=torch.float64)
    err = {b: float(dm.relative_error(dm.continuous_update(x, q, b), x[:, :100]).mean()) for b in (0.01, 0.05, 0.25, 1.0)}
    assert 0.98 <= err[0.01] <= 1.0 and 0.93 <= err[0.05] <= 0.96
    assert 0.003 <= err[0.25] <= 0.02 and err[1.0] < 1e-8


def test_retrieval_onset_is_the_smallest_beta_that_retrieves_every_pattern():
    gen = torch.Generator().manual_seed(16)
    x = torch.randn(20, 30, generator=gen, dtype=torch.float64)
    beta = dm.retrieval_onset(x, eps=0.05, rtol=1e-3)
    worst = lambda b: float(dm.relative_error(dm.continuous_update(x, x, b), x).max())
    assert worst(beta) <= 0.05 < worst(beta / 1.01)
    with pytest.raises(ValueError, match="not retrieved"):
        dm.retrieval_onset(torch.cat([x, 2 * x[:, :1]], 1), eps=0.05)  # pattern 0 is nearer to its double


def test_too_large_problems_are_refused_naming_what_fits():
    xi = pm1(100, 1000, 17)
    with pytest.raises(ValueError, match=r"at most K=\d+ fit"):
        dm.flip_energy_differences(xi, xi[:, :2], dm.Polynomial(3), memory_limit=400_000)
    with pytest.raises(ValueError, match="reduce it to fit"):
        dm.continuous_update(xi, xi[:, :2], 1.0, memory_limit=800_000)
    # a limit that holds the patterns but not all probes at once: chunks, same answer
    small = dm.flip_energy_differences(xi, xi[:, :50], dm.Polynomial(3), memory_limit=8 * 100 * 1000 + 8 * 4500 * 5)
    assert torch.equal(small, dm.flip_energy_differences(xi, xi[:, :50], dm.Polynomial(3)))


@pytest.mark.parametrize("call, words", [
    (lambda: dm.Polynomial(1), "n=1"),
    (lambda: dm.Polynomial(2.5), "n=2.5"),
    (lambda: dm.Exponential(0.0), "beta=0.0"),
    (lambda: dm.Exponential(-1.0), "beta=-1.0"),
    (lambda: dm.flip_energy_differences(torch.ones(4, 2), torch.ones(4, 1), dm.Polynomial(2), arithmetic="fast"),
     "arithmetic='fast'"),
    (lambda: dm.flip_energy_differences(torch.ones(4, 2), torch.ones(5, 1), dm.Polynomial(2)), "N=5"),
    (lambda: dm.energy(torch.full((4, 2), 0.5), torch.ones(4, 1), dm.Polynomial(2)), "+1 and -1"),
    (lambda: dm.energy(torch.ones(4, 2), torch.ones(4, 1), lambda x: x), "function="),
    (lambda: dm.async_sweeps(torch.ones(4, 2), torch.ones(4, 1), dm.Polynomial(2), sweeps=0), "sweeps=0"),
    (lambda: dm.continuous_update(torch.ones(4, 2), torch.ones(4, 1), beta=0.0), "beta=0.0"),
    (lambda: dm.continuous_update(torch.ones(4, 2), torch.ones(3, 1), beta=1.0), "do not fit"),
    (lambda: dm.retrieval_onset(torch.ones(4, 2), eps=0.0), "eps=0.0"),
    (lambda: dm.capacity_kh16(1, 2), "n_neurons=1"),
])
def test_bad_input_is_refused_with_the_parameter_named(call, words):
    with pytest.raises(ValueError) as err:
        call()
    assert words in str(err.value)


def test_async_sweep_in_exact_int64_matches_the_plain_loop():
    xi = pm1(100, 40, 22)
    probes = xi[:, :2].clone()
    probes[:30] *= -1
    function = dm.Polynomial(8)
    assert dm.exact_bound(100, 40, function) > 2 ** 53  # the int64 path
    order = torch.randperm(100, generator=torch.Generator().manual_seed(3)).tolist()
    run = dm.async_sweeps(xi, probes, function, sweeps=1, seed=torch.Generator().manual_seed(3))
    assert torch.equal(run.final_state, async_loop(xi, probes, function, order))
