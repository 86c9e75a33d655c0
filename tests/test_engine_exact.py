"""The engine against the plain dense float64 algorithm: bit for bit, every rule.

With tie rule "keep" and T = 0 both implementations must produce identical records: the
same overlaps at every step, the same convergence counts, the same 2-cycles and final
states, for the same update order and random subsets (same seed).
"""
import pytest
import torch

from hopfield_lab.dense import evolve_dense
from hopfield_lab.dynamics import evolve, simulate
from hopfield_lab.patterns import corrupt, random_patterns

RULES = [("sync", {}), ("even-odd", {}), ("hybrid", {"k": 0.3}), ("hybrid", {"k": 1.0}),
         ("blocks", {"blocks": 2}), ("blocks", {"blocks": 7}), ("async", {})]


def both(n, alpha, lam, update, m0=0.8, steps=25, seed=0, **kw):
    p = max(1, round(alpha * n))
    V = random_patterns(n, p, seed=seed)
    S0 = corrupt(V, m0, seed=seed + 1)
    args = dict(lam=lam, update=update, tie="keep", seed=seed + 2, steps=steps, record_energy=True, **kw)
    return evolve(V, S0, **args), evolve_dense(V, S0, **args)


def assert_identical(fast, dense):
    assert fast.steps_run == dense.steps_run
    assert torch.equal(fast.overlaps, dense.overlaps)
    assert torch.equal(fast.converged, dense.converged)
    assert torch.equal(fast.two_cycle, dense.two_cycle)
    assert torch.equal(fast.final_state, dense.final_state)
    assert torch.allclose(fast.energy, dense.energy, rtol=0, atol=1e-12)


@pytest.mark.parametrize("update,kw", RULES)
@pytest.mark.parametrize("n,alpha", [(200, 0.05), (301, 0.14), (250, 0.2)])
@pytest.mark.parametrize("lam", [0.0, 1.0])
def test_every_rule_matches_the_dense_reference(update, kw, n, alpha, lam):
    fast, dense = both(n, alpha, lam, update, **kw)
    assert_identical(fast, dense)


@pytest.mark.parametrize("n,alpha,lam", [(1000, 0.14, 0.0), (1000, 0.16, 0.0), (999, 0.12, 1.0), (1000, 0.05, 0.0)])
def test_sync_at_n_1000_matches_including_the_2_cycle_shortcut(n, alpha, lam):
    fast, dense = both(n, alpha, lam, "sync", steps=60)
    assert_identical(fast, dense)
    if alpha >= 0.14 and lam == 0:
        # the shortcut was really taken: some probes sit in 2-cycles, the run went to the end
        assert fast.two_cycle.any() and fast.steps_run == 60


@pytest.mark.parametrize("update,kw", [("async", {}), ("blocks", {"blocks": 4}), ("hybrid", {"k": 0.1})])
def test_other_rules_at_n_1000(update, kw):
    fast, dense = both(1000, 0.1, 0.0, update, steps=6, **kw)
    assert_identical(fast, dense)


def test_ties_at_even_n_are_real_and_handled_identically():
    # even N and even p make exact zero fields common; "keep" must treat them the same
    fast, dense = both(200, 0.2, 0.0, "sync", m0=0.2, steps=40)
    assert_identical(fast, dense)


def test_blocks_with_b_equal_n_is_sequential_update_in_fixed_order():
    n, p = 120, 12
    V = random_patterns(n, p, seed=5)
    S0 = corrupt(V, 0.5, seed=6)
    fast = evolve(V, S0, update="blocks", blocks=n, tie="keep", steps=10)
    # an independent, naive sequential loop: neuron 0, 1, ..., N-1, each with the newest states
    J = (V.double() @ V.double().T) - p * torch.eye(n, dtype=torch.float64)
    S = S0.double().clone()
    for _ in range(fast.steps_run):
        for i in range(n):
            h = J[i] @ S
            S[i] = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[i]))
    assert torch.equal(fast.final_state.double(), S)


def test_hybrid_k1_and_even_odd_equal_sync():
    V = random_patterns(400, 56, seed=1)
    S0 = corrupt(V, 0.8, seed=2)
    sync = evolve(V, S0, update="sync", tie="keep")
    for other in (evolve(V, S0, update="even-odd", tie="keep"), evolve(V, S0, update="hybrid", k=1.0, tie="keep")):
        assert torch.equal(sync.overlaps, other.overlaps)
        assert torch.equal(sync.final_state, other.final_state)


def test_same_seed_same_result_with_random_ties_and_temperature():
    V = random_patterns(200, 30, seed=1)
    S0 = corrupt(V, 0.6, seed=2)
    for kw in ({"tie": "random"}, {"temperature": 0.3}):
        a = evolve(V, S0, seed=9, **kw)
        b = evolve(V, S0, seed=9, **kw)
        c = evolve(V, S0, seed=10, **kw)
        assert torch.equal(a.overlaps, b.overlaps)
        if "temperature" in kw:
            assert not torch.equal(a.overlaps, c.overlaps)


def test_reduced_float32_matmul_precision_falls_back_to_exact_float64():
    previous = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("medium")  # would allow TF32 / bf16 products, which round
    try:
        fast, dense = both(301, 0.14, 0.0, "sync")
    finally:
        torch.set_float32_matmul_precision(previous)
    assert_identical(fast, dense)


def test_simulate_with_the_dense_algorithm_gives_the_same_run():
    # the benchmark's yardstick: same patterns and probes, float32 dense algorithm, same records
    engine = simulate(600, 0.14, m0=0.8, tie="keep", seed=4)
    dense = simulate(600, 0.14, m0=0.8, tie="keep", seed=4, algorithm="dense")
    assert dense.params["algorithm"] == "dense" and engine.params["algorithm"] == "engine"
    assert torch.equal(engine.overlaps, dense.overlaps)
    assert torch.equal(engine.final_state, dense.final_state)
