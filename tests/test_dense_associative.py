"""Dense associative memory [KH16, D17] and the continuous modern Hopfield network [R20]
against plain references, exact integers and published values."""
import math

import numpy as np
import pytest
import torch

from hopfield_lab import dense_associative as dam, modern_hopfield as mh
from hopfield_lab.device import columns_that_fit
from conftest import ends_within

FUNCTIONS = [dam.Polynomial(2), dam.Polynomial(3), dam.Polynomial(3, rectified=True), dam.Polynomial(4),
             dam.Exponential(1.0), dam.Exponential(0.3)]


def pm1(n, p, seed):
    gen = torch.Generator().manual_seed(seed)
    return (torch.randint(0, 2, (n, p), generator=gen) * 2 - 1).double()


def flip_differences_loop(xi, states, function):
    """E(flipped) - E(state) for every bit and state from energy_reference: Python loops."""
    n, cols = states.shape
    out = [[0] * cols for _ in range(n)]
    for c in range(cols):
        e0 = dam.energy_reference(xi, states[:, c], function)
        for i in range(n):
            flipped = states[:, c].clone()
            flipped[i] = -flipped[i]
            out[i][c] = dam.energy_reference(xi, flipped, function) - e0
    return out


def test_energy_reference_is_the_formula():
    xi = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0]])
    s = torch.tensor([1.0, 1.0, 1.0])  # overlaps 1 and 1
    assert dam.energy_reference(xi, s, dam.Polynomial(3)) == -2
    assert dam.energy_reference(xi, -s, dam.Polynomial(3)) == 2
    assert dam.energy_reference(xi, -s, dam.Polynomial(3, rectified=True)) == 0
    assert dam.energy_reference(xi, s, dam.Exponential(1.0)) == pytest.approx(-2 * math.e)
    assert float(dam.dense_energy(xi, s, dam.Polynomial(3))) == -2


@pytest.mark.parametrize("function", FUNCTIONS, ids=str)
def test_flip_energy_differences_match_the_plain_loop(function):
    xi, s = pm1(9, 5, 0), pm1(9, 4, 1)
    got = dam.flip_energy_differences(xi, s, function)
    ref = torch.tensor(flip_differences_loop(xi, s, function), dtype=torch.float64)
    if isinstance(function, dam.Polynomial):
        assert torch.equal(got, ref)  # exact integers
    else:
        assert torch.allclose(got, ref, rtol=1e-12, atol=1e-12)


def test_n2_is_the_classical_network():
    xi, s = pm1(30, 6, 2), pm1(30, 5, 3)
    w = xi @ xi.T - 6 * torch.eye(30, dtype=torch.float64)
    assert torch.equal(dam.flip_energy_differences(xi, s, dam.Polynomial(2)), 4 * s * (w @ s))


def test_int64_path_is_exact_above_2_to_the_53():
    xi = pm1(100, 40, 4)
    s = xi[:, :3].clone()
    s[:7] *= -1
    function = dam.Polynomial(8)
    assert 2 ** 53 < dam.exact_bound(100, 40, function) < 2 ** 63
    got = dam.flip_energy_differences(xi, s, function)
    assert got.dtype == torch.int64
    ref = flip_differences_loop(xi, s, function)
    assert all(int(got[i, c]) == ref[i][c] for i in range(100) for c in range(3))


def test_exact_arithmetic_is_refused_where_it_cannot_hold():
    xi = pm1(100, 10, 5)
    with pytest.raises(ValueError, match="cannot be exact"):
        dam.flip_energy_differences(xi, xi[:, :1], dam.Polynomial(12), arithmetic="exact")
    with pytest.raises(ValueError, match="arithmetic='exact' is not allowed"):
        dam.flip_energy_differences(xi, xi[:, :1], dam.Exponential(1.0), arithmetic="exact")
    big = dam.flip_energy_differences(xi, xi[:, :1], dam.Polynomial(12), arithmetic="float64")
    assert big.dtype == torch.float64


def test_exponential_decisions_do_not_overflow():
    xi = pm1(2000, 30, 6)
    probes = xi[:, :4].clone()
    assert bool(dam.one_step_stable(xi, probes, dam.Exponential(1.0)).all())  # beta N = 2000: e^2000 overflows
    assert bool(torch.isfinite(dam.flip_energy_differences(xi, probes, dam.Exponential(1.0), rescale=False)).all())


def test_capacity_formula_kh16_eq6():
    """[KH16, eq. 6]: N^(n-1) / (2 (2n-3)!! ln N); at N = 100: 10.9, 362, 7238."""
    assert dam.capacity_kh16(100, 2) == pytest.approx(100 / (2 * math.log(100)))
    assert dam.capacity_kh16(100, 3) == pytest.approx(1e4 / (6 * math.log(100)))
    assert dam.capacity_kh16(100, 4) == pytest.approx(1e6 / (30 * math.log(100)))
    assert round(dam.capacity_kh16(100, 4)) == 7238


@pytest.mark.parametrize("n, k, low, high", [(2, 20, 0.2, 0.5), (3, 360, 0.75, 0.95), (4, 7000, 0.8, 0.97),
                                             (4, 15000, 0.08, 0.3)])
def test_one_step_stability_near_the_reference_values(n, k, low, high):
    """N = 100, one-step stability of 200 stored patterns (reference: n = 2, K = 20: 30-45 %;
    n = 4: K = 7000 88-91 %, 15000 16 %; n = 3, K = 360: the Gaussian estimate ~ 0.88)."""
    xi = pm1(100, k, 7)
    frac = float(dam.one_step_stable(xi, xi[:, :200], dam.Polynomial(n)).double().mean())
    if k < 200:  # fewer patterns than probes: average over sets
        frac = sum(float(dam.one_step_stable(x, x, dam.Polynomial(n)).double().mean()) for x in
                   (pm1(100, k, s) for s in range(10))) / 10
    assert low <= frac <= high


def async_loop(xi, probes, function, order):
    """One sweep in the given order, each flip decided on energy_reference: plain Python."""
    s = probes.clone()
    for c in range(s.shape[1]):
        for i in order:
            flipped = s[:, c].clone()
            flipped[i] = -flipped[i]
            if dam.energy_reference(xi, flipped, function) < dam.energy_reference(xi, s[:, c], function):
                s[:, c] = flipped
    return s


@pytest.mark.parametrize("function", [dam.Polynomial(3), dam.Exponential(1.0)], ids=str)
def test_async_sweep_matches_the_plain_loop_and_lowers_the_energy(function):
    xi, probes = pm1(12, 6, 8), pm1(12, 3, 9)
    order = torch.randperm(12, generator=torch.Generator().manual_seed(5)).tolist()
    run = dam.async_sweeps(xi, probes, function, sweeps=1, seed=torch.Generator().manual_seed(5))
    assert torch.equal(run.final_state, async_loop(xi, probes, function, order))
    assert bool((run.energy[1] <= run.energy[0] + 1e-9).all())
    assert torch.allclose(run.energy[-1], dam.dense_energy(xi, run.final_state, function))
    assert torch.equal(run.flips, (run.final_state != probes).sum(0))  # one sweep: each bit at most once


def test_async_sweeps_until_stable_end_at_a_one_step_stable_state():
    xi = pm1(40, 30, 10)
    run = dam.async_sweeps(xi, pm1(40, 5, 11), dam.Polynomial(3), sweeps=50, seed=0, until_stable=True)
    assert run.sweeps_run < 50
    assert bool(dam.one_step_stable(xi, run.final_state, dam.Polynomial(3)).all())
    assert bool((run.energy[1:] <= run.energy[:-1]).all())


def test_exponential_recall_near_the_reference():
    """N = 24, beta = 1, 2 flipped bits, one sweep: K = 1000 recalled ~95 % (reference)."""
    from hopfield_lab.patterns import corrupt

    xi = pm1(24, 1000, 12)
    probes = corrupt(xi[:, :200], 1 - 4 / 24, seed=1)
    run = dam.async_sweeps(xi, probes, dam.Exponential(1.0), sweeps=1, seed=2)
    assert 0.88 <= float((run.final_state == xi[:, :200]).all(0).double().mean()) <= 1.0


def test_lse_and_the_continuous_update_match_plain_formulas():
    gen = torch.Generator().manual_seed(13)
    x, q = torch.randn(5, 7, generator=gen, dtype=torch.float64), torch.randn(5, 3, generator=gen, dtype=torch.float64)
    for beta in (0.1, 1.0, 30.0):
        z = x.T @ q
        assert torch.allclose(mh.lse(beta, z), torch.log(torch.exp(beta * z).sum(0)) / beta)
        p = torch.exp(beta * z) / torch.exp(beta * z).sum(0)
        assert torch.allclose(mh.continuous_update(x, q, beta), x @ p)
        assert torch.allclose(mh.continuous_update(x, q[:, 0], beta), (x @ p)[:, 0])
    assert bool(torch.isfinite(mh.lse(1e4, torch.tensor([[1.0], [2.0]]))).all())


def test_continuous_energy_falls_at_every_update():
    gen = torch.Generator().manual_seed(14)
    x = torch.randn(16, 40, generator=gen, dtype=torch.float64)
    q = torch.randn(16, 25, generator=gen, dtype=torch.float64) * 3
    for beta in (0.05, 0.5, 5.0):
        state = q
        for _ in range(5):
            new = mh.continuous_update(x, state, beta)
            assert bool((mh.continuous_energy(x, new, beta) <= mh.continuous_energy(x, state, beta) + 1e-10).all())
            state = new
    assert bool((mh.continuous_energy(x, q, 1.0) >= 0).all())  # the constants make E >= 0


def test_continuous_retrieval_matches_the_reference_values():
    """d = 64, 10 000 patterns on the sphere of radius 8, query = pattern + 0.3 noise: relative
    error after one update 0.99 at beta = 0.01, 0.95 at 0.05, 0.008 at 0.25, ~0 at 1."""
    gen = torch.Generator().manual_seed(15)
    x = torch.randn(64, 10000, generator=gen, dtype=torch.float64)
    x = x / x.norm(dim=0) * 8
    q = x[:, :100] + 0.3 * torch.randn(64, 100, generator=gen, dtype=torch.float64)
    err = {b: float(mh.relative_error(mh.continuous_update(x, q, b), x[:, :100]).mean()) for b in (0.01, 0.05, 0.25, 1.0)}
    assert 0.98 <= err[0.01] <= 1.0 and 0.93 <= err[0.05] <= 0.96
    assert 0.003 <= err[0.25] <= 0.02 and err[1.0] < 1e-8


def test_retrieval_onset_is_the_smallest_beta_that_retrieves_every_pattern():
    gen = torch.Generator().manual_seed(16)
    x = torch.randn(20, 30, generator=gen, dtype=torch.float64)
    beta = mh.retrieval_onset(x, eps=0.05, rtol=1e-3)
    worst = lambda b: float(mh.relative_error(mh.continuous_update(x, x, b), x).max())
    assert worst(beta) <= 0.05 < worst(beta / 1.01)
    with pytest.raises(ValueError, match="not retrieved"):
        mh.retrieval_onset(torch.cat([x, 2 * x[:, :1]], 1), eps=0.05)  # pattern 0 is nearer to its double


def test_too_large_problems_are_refused_naming_what_fits():
    xi = pm1(100, 1000, 17)
    with pytest.raises(ValueError, match=r"at most K=\d+ fit"):
        dam.flip_energy_differences(xi, xi[:, :2], dam.Polynomial(3), memory_limit=400_000)
    with pytest.raises(ValueError, match="reduce it to fit"):
        mh.continuous_update(xi, xi[:, :2], 1.0, memory_limit=800_000)
    # a limit that holds the patterns but not all probes at once: chunks, same answer
    small = dam.flip_energy_differences(xi, xi[:, :50], dam.Polynomial(3), memory_limit=8 * 100 * 1000 + 8 * 4500 * 5)
    assert torch.equal(small, dam.flip_energy_differences(xi, xi[:, :50], dam.Polynomial(3)))


@pytest.mark.parametrize("call, words", [
    (lambda: dam.Polynomial(1), "n=1"),
    (lambda: dam.Polynomial(2.5), "n=2.5"),
    (lambda: dam.Exponential(0.0), "beta=0.0"),
    (lambda: dam.Exponential(-1.0), "beta=-1.0"),
    (lambda: dam.flip_energy_differences(torch.ones(4, 2), torch.ones(4, 1), dam.Polynomial(2), arithmetic="fast"),
     "arithmetic='fast'"),
    (lambda: dam.flip_energy_differences(torch.ones(4, 2), torch.ones(5, 1), dam.Polynomial(2)), "N=5"),
    (lambda: dam.dense_energy(torch.full((4, 2), 0.5), torch.ones(4, 1), dam.Polynomial(2)),
     "patterns[0, 0]=0.5 is not allowed; every entry must be +1 or -1"),
    (lambda: dam.dense_energy(torch.ones(4, 2), torch.ones(4, 1), lambda x: x), "function="),
    (lambda: dam.async_sweeps(torch.ones(4, 2), torch.ones(4, 1), dam.Polynomial(2), sweeps=0), "sweeps=0"),
    (lambda: mh.continuous_update(torch.ones(4, 2), torch.ones(4, 1), beta=0.0), "beta=0.0"),
    (lambda: mh.continuous_update(torch.ones(4, 2), torch.ones(3, 1), beta=1.0), "do not fit"),
    (lambda: mh.retrieval_onset(torch.ones(4, 2), eps=0.0), "eps=0.0"),
    (lambda: dam.capacity_kh16(1, 2), "n_neurons=1"),
])
def test_bad_input_is_refused_with_the_parameter_named(call, words):
    with pytest.raises(ValueError) as err:
        call()
    assert words in str(err.value)


def test_async_sweep_in_exact_int64_matches_the_plain_loop():
    xi = pm1(100, 40, 22)
    probes = xi[:, :2].clone()
    probes[:30] *= -1
    function = dam.Polynomial(8)
    assert dam.exact_bound(100, 40, function) > 2 ** 53  # the int64 path
    order = torch.randperm(100, generator=torch.Generator().manual_seed(3)).tolist()
    run = dam.async_sweeps(xi, probes, function, sweeps=1, seed=torch.Generator().manual_seed(3))
    assert torch.equal(run.final_state, async_loop(xi, probes, function, order))


# --- exponential F at large beta: exact signs (review finding 3) ----------------------------------

def exact_flip(xi, state, beta):
    """dE of every bit of one state, exactly: None for a tie (the flip only permutes the overlaps,
    and e^(beta x) sums of different multisets differ since e^(2 beta) is transcendental), else the
    Decimal value from the overlaps that do not cancel, at 400 digits."""
    import decimal
    from collections import Counter

    xi, s = [[int(v) for v in row] for row in xi.tolist()], [int(v) for v in state.tolist()]
    x = [sum(xi[i][mu] * s[i] for i in range(len(s))) for mu in range(len(xi[0]))]
    out = []
    with decimal.localcontext() as ctx:
        ctx.prec, ctx.Emax, ctx.Emin = 400, decimal.MAX_EMAX, decimal.MIN_EMIN
        b = decimal.Decimal(beta)
        for i in range(len(s)):
            before, after = Counter(x), Counter(v - 2 * s[i] * xi[i][mu] for mu, v in enumerate(x))
            if before == after:
                out.append(None)
            else:
                out.append(sum(c * (b * v).exp() for v, c in (before - after).items())
                           - sum(c * (b * v).exp() for v, c in (after - before).items()))
    return out, max(x)


def assert_matches_exact(got, ref):
    """``got`` (a float) has the sign of ``ref`` (None: a tie, which must be 0.0) and its value
    within 1e-9 relative, or +/-inf / a signed zero where ref lies beyond the float range."""
    if ref is None:
        assert got == 0.0
        return
    assert math.copysign(1.0, got) == (1.0 if ref > 0 else -1.0), (got, ref)
    if abs(ref) > 1.7e308:
        assert math.isinf(got)
    elif abs(ref) < 2.3e-308:
        assert abs(got) < 2.3e-308
    else:
        assert abs(got / float(ref) - 1) < 1e-9, (got, ref)


def test_exponential_beta_20_example_of_the_review():
    """N = 2, K = 3, beta = 20, s = (-1, -1): flipping bit 1 lowers E by e^40 - 1 (was -0.0 and stable)."""
    xi = torch.tensor([[-1.0, -1.0, -1.0], [-1.0, 1.0, 1.0]])  # overlaps 2, 0, 0 -> 0, 2, 2
    s = torch.tensor([[-1.0], [-1.0]])
    function = dam.Exponential(20.0)
    de = dam.flip_energy_differences(xi, s, function)
    assert float(de[1, 0]) == pytest.approx(-(math.exp(40) - 1), rel=1e-12)
    assert float(de[0, 0]) == pytest.approx(math.exp(40) + 1 - 2 * math.exp(-40), rel=1e-12)  # overlaps -> 0, -2, -2
    assert not bool(dam.one_step_stable(xi, s, function)[0])
    run = dam.async_sweeps(xi, s, function, sweeps=1, seed=0)
    assert int(run.flips[0]) >= 1 and float(run.energy[-1, 0]) < float(run.energy[0, 0])


@pytest.mark.parametrize("beta", [20.0, 100.0, 355.0, 700.0])
def test_exponential_flips_match_exact_arithmetic_at_large_beta(beta):
    gen = torch.Generator().manual_seed(int(beta))
    for n, k in [(2, 3), (5, 4), (7, 6), (10, 8)]:
        xi = pm1(n, k, int(beta) + n)
        probes = torch.cat([xi, (torch.randint(0, 2, (n, 4), generator=gen) * 2 - 1).double()], 1)
        function = dam.Exponential(beta)
        full = dam.flip_energy_differences(xi, probes, function)
        scaled = dam.flip_energy_differences(xi, probes, function, rescale=False)
        stable = dam.one_step_stable(xi, probes, function)
        assert not bool(torch.isnan(full).any() or torch.isnan(scaled).any())
        for c in range(probes.shape[1]):
            ref, top = exact_flip(xi, probes[:, c], beta)
            assert bool(stable[c]) == all(r is None or r > 0 for r in ref)
            for i, r in enumerate(ref):
                assert_matches_exact(float(full[i, c]), r)
                assert_matches_exact(float(scaled[i, c]), None if r is None else r * (-r.__class__(beta) * top).exp())


@pytest.mark.parametrize("beta", [1.0, 20.0, 700.0])
def test_exponential_tie_is_an_exact_zero(beta):
    """s = (1, 1), patterns (1, 1) and (-1, 1): flipping bit 0 swaps the overlaps 2 and 0, dE = 0
    exactly (was 3e-15 at beta = 1, -0.0 at 20, NaN at 700); bit 1 lowers nothing."""
    xi, s = torch.tensor([[1.0, -1.0], [1.0, 1.0]]), torch.tensor([1.0, 1.0])
    de = dam.flip_energy_differences(xi, s, dam.Exponential(beta))
    assert float(de[0, 0]) == 0.0 and float(de[1, 0]) > 0
    assert bool(dam.one_step_stable(xi, s, dam.Exponential(beta))[0])


def async_exact_loop(xi, probes, beta, order):
    s = probes.clone()
    for c in range(s.shape[1]):
        for i in order:
            ref, _ = exact_flip(xi, s[:, c], beta)
            if ref[i] is not None and ref[i] < 0:
                s[i, c] = -s[i, c]
    return s


@pytest.mark.parametrize("beta", [20.0, 355.0, 700.0])
def test_async_sweep_at_large_beta_matches_an_exact_loop(beta):
    xi, probes = pm1(8, 6, 30), pm1(8, 5, 31)
    order = torch.randperm(8, generator=torch.Generator().manual_seed(4)).tolist()
    run = dam.async_sweeps(xi, probes, dam.Exponential(beta), sweeps=1, seed=torch.Generator().manual_seed(4))
    assert torch.equal(run.final_state, async_exact_loop(xi, probes, beta, order))


# --- the continuous network: NaN, complex, huge beta, K = 0 (findings 6, 12) ----------------------

def test_continuous_update_and_energy_are_stable_at_huge_beta():
    x = torch.tensor([[1.0, 0.0, 0.6], [0.0, 1.0, 0.6]], dtype=torch.float64)
    q = torch.tensor([0.9, 0.5], dtype=torch.float64)  # nearest by dot product: pattern 0 (0.9 > 0.84 > 0.5)
    assert torch.equal(mh.continuous_update(x, q, 1e308), x[:, 0])  # was NaN
    assert float(mh.lse(1e308, torch.tensor([[1.0], [3.0]]))[0]) == 3.0
    energy = mh.continuous_energy(x, q, 1e308)
    assert float(energy[0]) == pytest.approx(-0.9 + 0.5 * (0.81 + 0.25) + 0.5 * 1.0, abs=1e-12)  # M = 1
    tiny = mh.continuous_energy(x, q, 1e-300)  # the beta -> 0 limit: -mean(z) + |q|^2 / 2 + M^2 / 2
    assert float(tiny[0]) == pytest.approx(-(0.9 + 0.5 + 0.84) / 3 + 0.53 + 0.5, abs=1e-12)
    for beta in (0.05, 1.0, 30.0):  # the plain formulas, unchanged where they were finite
        z = x.T @ q[:, None]
        assert torch.equal(mh.continuous_update(x, q, beta), x @ torch.softmax(beta * z, dim=0)[:, 0])


@pytest.mark.parametrize("call, words", [
    (lambda: mh.continuous_update(torch.tensor([[float("nan"), 1.0]]), torch.ones(1, 1), 1.0), "patterns holds nan"),
    (lambda: mh.continuous_update(torch.ones(2, 2), torch.tensor([1.0, float("inf")]), 1.0), "queries holds inf"),
    (lambda: mh.continuous_energy(torch.ones(2, 2, dtype=torch.complex64), torch.ones(2, 1), 1.0), "complex"),
    (lambda: mh.continuous_update(torch.ones(2, 2), torch.ones(2, 1, dtype=torch.complex128), 1.0), "complex"),
    (lambda: dam.dense_energy(torch.ones(2, 2, dtype=torch.complex64), torch.ones(2, 1), dam.Polynomial(2)), "complex"),
    (lambda: dam.flip_energy_differences(torch.ones(2, 2), torch.ones(2, 1, dtype=torch.complex64),
                                        dam.Exponential(1.0)), "complex"),
    (lambda: mh.continuous_update(torch.ones(4, 0), torch.ones(4, 1), 1.0), "K >= 1"),
    (lambda: mh.continuous_energy(torch.ones(4, 0), torch.ones(4, 1), 1.0), "K >= 1"),
    (lambda: mh.continuous_update(torch.full((2, 2), 1e200, dtype=torch.float64),
                                      torch.full((2, 1), 1e200, dtype=torch.float64), 1.0), "overflow"),
    (lambda: mh.lse(1.0, torch.tensor([1.0, float("nan")])), "z holds nan"),
    (lambda: dam.async_sweeps(torch.ones(4, 2), torch.ones(4, 1), dam.Polynomial(2), sweeps=2.5), "sweeps=2.5"),
    (lambda: dam.async_sweeps(torch.ones(4, 2), torch.ones(4, 1), dam.Polynomial(2), until_stable="no"), "until_stable"),
    (lambda: columns_that_fit(0, 1, 0, "cpu", "work"), "bytes_per_column=0"),
    (lambda: columns_that_fit(8, 1, -1, "cpu", "work"), "fixed_bytes=-1"),
    (lambda: columns_that_fit(8, 1, 0, "gpu", "work"), "device='gpu'"),
    (lambda: dam.capacity_kh16(100, 2.5), "n=2.5"),
    (lambda: mh.relative_error(torch.ones(3, 2), torch.ones(3, 1)), "same shape"),
    (lambda: mh.relative_error(torch.ones(3, 1), torch.zeros(3, 1)), "zeros"),
    (lambda: dam.flip_energy_differences(torch.ones(4, 2), torch.ones(4, 1), dam.Polynomial(2),
                                        memory_limit=float("nan")), "memory_limit=nan"),
    (lambda: dam.flip_energy_differences(torch.ones(4, 2), torch.ones(4, 1), dam.Polynomial(2), memory_limit="1G"),
     "memory_limit='1G'"),
    (lambda: dam.flip_energy_differences(torch.ones(4, 2), torch.ones(4, 1), dam.Polynomial(2), memory_limit=-5),
     "memory_limit=-5"),
    (lambda: mh.continuous_update(torch.ones(4, 2), torch.ones(4, 1), 1.0, memory_limit=0), "memory_limit=0"),
    (lambda: dam.dense_energy([["a", "b"]], torch.ones(1, 1), dam.Polynomial(2)), "patterns could not be read"),
    (lambda: dam.dense_energy(torch.ones(2, 2, dtype=torch.bool), torch.ones(2, 1), dam.Polynomial(2)), "torch.bool"),
    (lambda: dam.energy_reference(torch.ones(2, 2), torch.ones(2, 2), dam.Polynomial(2)), "one state"),
    (lambda: dam.flip_energy_differences(torch.ones(2, 2), torch.ones(2, 1), dam.Exponential(1.0), rescale=None),
     "rescale=None"),
    (lambda: dam.Polynomial(3, rectified="yes"), "rectified='yes'"),
])
def test_more_bad_input_is_refused_with_the_parameter_named(call, words):
    with pytest.raises(ValueError) as err:
        call()
    assert words in str(err.value)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_check_memory_on_a_missing_device_is_a_value_error():
    with pytest.raises(ValueError, match="device='cuda' is not available"):  # was an AssertionError
        columns_that_fit(8, 1, 0, "cuda", "work")


def test_memory_refusals_name_what_fits():
    xi = pm1(100, 1000, 17)
    with pytest.raises(ValueError, match="not even K=1 fits"):  # was "at most K=-1 fit" for -5, now refused as such
        dam.flip_energy_differences(xi, xi[:, :2], dam.Polynomial(3), memory_limit=10)


def test_numpy_integers_are_accepted_everywhere():
    assert dam.Polynomial(np.int64(3)) == dam.Polynomial(3)
    assert dam.capacity_kh16(np.int64(100), np.int32(3)) == dam.capacity_kh16(100, 3)
    run = dam.async_sweeps(torch.ones(4, 2), torch.ones(4, 1), dam.Polynomial(2), sweeps=np.int64(2))
    assert run.final_state.shape == (4, 1)
    assert dam.capacity_kh16(1e300, 30) == math.inf  # beyond the float range, not an OverflowError


def test_relative_error_of_equal_shapes_is_the_plain_formula():
    est, tgt = torch.tensor([[1.0, 0.0], [0.0, 2.0]]), torch.tensor([[1.0, 1.0], [1.0, 2.0]])
    assert torch.allclose(mh.relative_error(est, tgt), (est - tgt.double()).norm(dim=0) / tgt.norm(dim=0))


def test_async_sweeps_checks_memory_before_converting(monkeypatch):
    """A big int8 input is refused before it is copied to float64 (it was converted first: 8 bytes per bit)."""
    big = torch.ones(1, 1, dtype=torch.int8).expand(20_000, 20_000)  # a view: no memory of its own
    real_to = torch.Tensor.to

    def guarded_to(self, *args, **kwargs):
        if self.numel() >= 10**8:
            raise AssertionError("a 3 GB copy was made before the memory check")
        return real_to(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", guarded_to)
    for call in (lambda: dam.async_sweeps(big, big[:, :1], dam.Polynomial(2), memory_limit=10**8),
                 lambda: dam.flip_energy_differences(big, big[:, :1], dam.Polynomial(2), memory_limit=10**8),
                 lambda: dam.one_step_stable(big, big[:, :1], dam.Exponential(1.0), memory_limit=10**8)):
        with pytest.raises(ValueError, match="fit"):
            call()


# --- hangs (finding 7) ------------------------------------------------------------------------------



@pytest.mark.parametrize("rtol", [0.0, -1e-3, float("nan"), 1e-13])
def test_retrieval_onset_refuses_a_tolerance_that_would_never_end(rtol):
    x = pm1(10, 4, 40)
    with ends_within(120), pytest.raises(ValueError, match="rtol="):
        mh.retrieval_onset(x, rtol=rtol)


# --- property tests (hypothesis) ----------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def pm1_matrix(draw, n, k):
    return torch.tensor(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=n * k, max_size=n * k)),
                        dtype=torch.float64).reshape(n, k)


@PROPERTY
@given(data=st.data(), beta=st.floats(0.1, 700.0))
def test_property_exponential_flip_signs_and_stability_are_exact(data, beta):
    n, k, p = data.draw(st.integers(1, 7)), data.draw(st.integers(1, 6)), data.draw(st.integers(1, 3))
    xi = pm1_matrix(data.draw, n, k)
    probes = xi[:, :p] if data.draw(st.booleans()) else pm1_matrix(data.draw, n, p)  # stored patterns, or any
    function = dam.Exponential(beta)
    full = dam.flip_energy_differences(xi, probes, function)
    scaled = dam.flip_energy_differences(xi, probes, function, rescale=False)
    stable = dam.one_step_stable(xi, probes, function)
    for c in range(probes.shape[1]):
        ref, _ = exact_flip(xi, probes[:, c], beta)
        for i, r in enumerate(ref):
            for got in (float(full[i, c]), float(scaled[i, c])):
                if r is None:
                    assert got == 0.0
                else:
                    assert math.copysign(1.0, got) == (1.0 if r > 0 else -1.0)
        assert bool(stable[c]) == all(r is None or r > 0 for r in ref)


@PROPERTY
@given(data=st.data(), beta=st.floats(0.1, 700.0))
def test_property_async_sweep_follows_the_exact_signs(data, beta):
    n, k, p = data.draw(st.integers(2, 6)), data.draw(st.integers(1, 5)), data.draw(st.integers(1, 3))
    xi, probes = pm1_matrix(data.draw, n, k), pm1_matrix(data.draw, n, p)
    order_seed = data.draw(st.integers(0, 1000))
    order = torch.randperm(n, generator=torch.Generator().manual_seed(order_seed)).tolist()
    run = dam.async_sweeps(xi, probes, dam.Exponential(beta), sweeps=1, seed=torch.Generator().manual_seed(order_seed))
    assert torch.equal(run.final_state, async_exact_loop(xi, probes, beta, order))


@PROPERTY
@given(data=st.data(), beta=st.one_of(st.sampled_from([1e-300, 1e-3, 1.0, 1e3, 1e300, 1e308]),
                                      st.floats(-700.0, 709.0).map(math.exp)))
def test_property_continuous_network_is_finite_at_any_beta(data, beta):
    d, k, p = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 5)), data.draw(st.integers(1, 3))
    values = st.floats(-1e3, 1e3, allow_nan=False)
    x = torch.tensor(data.draw(st.lists(values, min_size=d * k, max_size=d * k)), dtype=torch.float64).reshape(d, k)
    q = torch.tensor(data.draw(st.lists(values, min_size=d * p, max_size=d * p)), dtype=torch.float64).reshape(d, p)
    new = mh.continuous_update(x, q, beta)
    assert bool(torch.isfinite(new).all())
    assert bool((new <= x.max(1, keepdim=True).values + 1e-9).all())  # a convex combination of the patterns
    assert bool((new >= x.min(1, keepdim=True).values - 1e-9).all())
    assert not bool(torch.isnan(mh.continuous_energy(x, q, beta)).any())
    z = x.T @ q
    assert bool((mh.lse(beta, z) >= z.max(0).values - 1e-9 * (1 + z.abs().max())).all())


def _bad_values():
    return [float("nan"), float("inf"), -float("inf"), -1, 0, 2.5, -2.5, 10**400, 1e300, "abc", None, True, 1j, [],
            [[1.0, 2.0], [3.0]], torch.tensor([]), torch.ones(2, 2, dtype=torch.complex64),
            torch.ones(3, dtype=torch.bool), torch.full((4, 2), float("nan")), np.array(["a"]), object(),
            torch.ones(5, 2), torch.zeros(4, 3), torch.ones(4, 2, 3), np.int64(-3), torch.tensor(2.7),
            dam.Polynomial(2), dam.Exponential(700.0)]


_CALLS = {
    dam.Polynomial: dict(n=3, rectified=False),
    dam.Exponential: dict(beta=1.0),
    dam.capacity_kh16: dict(n_neurons=100, n=3),
    dam.overlaps: dict(patterns=pm1(4, 3, 50), states=pm1(4, 2, 51)),
    dam.dense_energy: dict(patterns=pm1(4, 3, 50), states=pm1(4, 2, 51), function=dam.Polynomial(2)),
    dam.energy_reference: dict(patterns=pm1(4, 3, 50), state=pm1(4, 1, 51), function=dam.Exponential(1.0)),
    dam.flip_energy_differences: dict(patterns=pm1(4, 3, 50), states=pm1(4, 2, 51), function=dam.Exponential(1.0),
                                     arithmetic="auto", memory_limit=None, rescale=True),
    dam.one_step_stable: dict(patterns=pm1(4, 3, 50), probes=pm1(4, 2, 51), function=dam.Polynomial(3),
                             arithmetic="auto", memory_limit=None),
    dam.async_sweeps: dict(patterns=pm1(4, 3, 50), probes=pm1(4, 2, 51), function=dam.Exponential(1.0), sweeps=2,
                          seed=0, until_stable=False, memory_limit=None),
    dam.exact_bound: dict(n_neurons=4, k=3, function=dam.Polynomial(3)),
    mh.lse: dict(beta=1.0, z=torch.randn(3, 2, generator=torch.Generator().manual_seed(52))),
    mh.continuous_energy: dict(patterns=torch.randn(4, 3, generator=torch.Generator().manual_seed(53)),
                               queries=torch.randn(4, 2, generator=torch.Generator().manual_seed(54)), beta=1.0),
    mh.continuous_update: dict(patterns=torch.randn(4, 3, generator=torch.Generator().manual_seed(53)),
                               queries=torch.randn(4, 2, generator=torch.Generator().manual_seed(54)), beta=1.0,
                               memory_limit=None),
    mh.relative_error: dict(estimate=torch.randn(4, 2, generator=torch.Generator().manual_seed(55)),
                            target=torch.randn(4, 2, generator=torch.Generator().manual_seed(56))),
    mh.retrieval_onset: dict(patterns=torch.randn(6, 4, generator=torch.Generator().manual_seed(57)), eps=0.05,
                             low=1e-4, high=1e4, rtol=1e-3),
    columns_that_fit: dict(bytes_per_column=8, columns=2, fixed_bytes=0, device="cpu", what="work", limit=None),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(data=st.data())
def test_property_bad_input_raises_only_value_error(data):
    """Any public function, one or two arguments replaced by junk: a result or a ValueError, never
    another exception, never a hang."""
    function = data.draw(st.sampled_from(sorted(_CALLS, key=lambda f: f.__name__)), label="function")
    kwargs = dict(_CALLS[function])
    for name in data.draw(st.lists(st.sampled_from(sorted(kwargs)), min_size=1, max_size=2, unique=True), label="args"):
        kwargs[name] = data.draw(st.sampled_from(_bad_values()), label=name)
    with ends_within(120):
        try:
            function(**kwargs)
        except ValueError:
            pass
