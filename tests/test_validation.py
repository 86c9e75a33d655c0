"""Bad input gets a ValueError that names the parameter, its value and what is allowed."""
import json
import subprocess
import sys

import pytest
import torch

from hopfield_lab.dynamics import evolve, simulate
from hopfield_lab.patterns import corrupt, random_patterns


@pytest.mark.parametrize("kwargs,pattern", [
    (dict(n=1, alpha=0.1), r"n=1 .*allowed: n in \[2, inf\]"),
    (dict(n=100.0, alpha=0.1), r"n=100.0 is not allowed; n must be an integer"),
    (dict(n=100, alpha=0.0), r"alpha=0.0 .*allowed: alpha in \(0, inf\]"),
    (dict(n=100, alpha=-0.2), r"alpha=-0.2"),
    (dict(n=100, alpha=float("inf")), r"alpha=inf is out of range"),
    (dict(n=100, alpha=0.1, lam=float("inf")), r"lam=inf is out of range"),
    (dict(n=100, alpha=0.1, lam=float("nan")), r"lam=nan is out of range"),
    (dict(n=100, alpha=0.1, m0=1.2), r"m0=1.2 .*\[-1.0, 1.0\]"),
    (dict(n=100, alpha=0.1, steps=2.5), r"steps=2.5 is not allowed; steps must be an integer"),
    (dict(n=100, alpha=0.1, steps=2.5, temperature=0.5), r"steps=2.5"),
    (dict(n=100, alpha=0.1, steps=float("inf"), temperature=0.5), r"steps=inf"),
    (dict(n=100, alpha=0.1, steps=True), r"steps=True is not allowed"),
    (dict(n=100, alpha=0.1, update="hybrid", k=0.0), r"k=0.0 .*\(0.0, 1.0\]"),
    (dict(n=100, alpha=0.1, update="hybrid", k=1.5), r"k=1.5"),
    (dict(n=100, alpha=0.1, update="hybrid"), r"k=None"),
    (dict(n=100, alpha=0.1, update="blocks", blocks=0), r"blocks=0 .*\[1, 100\]"),
    (dict(n=100, alpha=0.1, update="blocks", blocks=2.5), r"blocks=2.5 is not allowed; blocks must be an integer"),
    (dict(n=100, alpha=0.1, update="glauber"), r"update='glauber' .*sync, async, hybrid, blocks, even-odd"),
    (dict(n=100, alpha=0.1, tie="up"), r"tie='up'"),
    (dict(n=100, alpha=0.1, temperature=-1.0), r"temperature=-1.0"),
    (dict(n=100, alpha=0.1, seed=None), r"seed=None is not allowed"),
    (dict(n=100, alpha=0.1, seed="7"), r"seed='7' is not allowed"),
    (dict(n=100, alpha=0.1, seed=2**64), r"seed=18446744073709551616 is out of range; allowed: 0 <= seed < 2\*\*63"),
    (dict(n=100, alpha=0.1, seed=-1), r"seed=-1 is out of range"),
    (dict(n=100, alpha=0.1, device="gpu"), r"device='gpu' is not allowed; choose one of: cpu, cuda, mps"),
    (dict(n=100, alpha=0.1, algorithm="fast"), r"algorithm='fast'"),
    (dict(n=100, alpha=0.1, update="async", algorithm="dense"), r"algorithm='dense' with update='async'"),
    (dict(n=100, alpha=0.001), r"alpha=0.001 gives p = .* 0 patterns .*allowed: alpha >= 0.005"),
])
def test_bad_input_names_parameter_value_and_range(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        simulate(**kwargs)


def test_the_smallest_allowed_alpha_is_accepted():
    # alpha = 0.005 at n = 100 is 0.5 patterns, rounded half up: p = 1 (it was refused, saying "allowed: alpha >= 0.005")
    assert simulate(100, 0.005, steps=3).params["p"] == 1


def test_too_big_for_memory_says_how_big_is_possible():
    with pytest.raises(ValueError, match=r"n=10000000 needs about .* GiB.*allowed: n <= \d+"):
        simulate(10_000_000, 0.12)


def test_too_many_steps_for_the_records_is_refused_before_allocating():
    # the records are (steps + 1) x P float64: 10^8 steps would need ~25 GB
    with pytest.raises(ValueError, match=r"n=1000 needs about .* GiB"):
        simulate(1000, 0.12, steps=100_000_000, temperature=0.5)


V = random_patterns(20, 3, seed=0)
S0 = corrupt(V, 0.5, seed=0)


@pytest.mark.parametrize("patterns,probes,kw,pattern", [
    ((V > 0).float(), S0, {}, r"patterns\[\d+, \d+\]=0.0 is not allowed; every entry must be \+1 or -1 \(0/1 patterns: use 2 \* x - 1\)"),
    (V > 0, S0, {}, r"patterns has dtype torch.bool"),
    (V, torch.where(S0 > 0, S0, torch.zeros_like(S0)), {}, r"probes\[\d+, \d+\]=0.0 is not allowed"),
    (V, S0.clone().index_fill_(0, torch.tensor([3]), float("nan")), {}, r"probes\[3, 0\]=nan is not allowed"),
    (V.numpy(), S0, {}, r"patterns is a numpy.ndarray; allowed: a torch.Tensor"),
    (V, S0.numpy(), {}, r"probes is a numpy.ndarray"),
    (V, S0[:5], {}, r"probes has 5 rows; it needs one per neuron, N=20"),
    (V, S0, dict(targets=torch.tensor([0, 1])), r"targets=.* shape \(3,\)"),
    (V, S0, dict(targets=torch.tensor([0, 1, 3])), r"targets has values in \[0, 3\]; allowed: 0 <= target < p=3"),
    (V, S0, dict(targets=torch.tensor([0.0, 1.0, 2.0])), r"targets=.*integer torch.Tensor"),
    (V, S0, dict(targets=[0, 1, 2]), r"targets=\[0, 1, 2\] is not allowed"),
    (V, torch.cat([S0, S0], 1), {}, r"targets=None with 6 probes and 3 patterns"),
])
def test_evolve_refuses_what_is_not_a_set_of_pm1_states(patterns, probes, kw, pattern):
    with pytest.raises(ValueError, match=pattern):
        evolve(patterns, probes, **kw)


def test_evolve_accepts_integer_targets_and_other_real_dtypes():
    traj = evolve(V.to(torch.int8), S0.double(), targets=torch.tensor([2, 1, 0]))
    assert traj.overlaps.shape[1] == 3


def test_cli_refuses_infinite_lam_with_a_message_not_invalid_json():
    run = subprocess.run([sys.executable, "-m", "hopfield_lab", "simulate", "--n", "100", "--alpha", "0.1",
                          "--lam", "inf", "--json"], capture_output=True, text=True)
    assert run.returncode == 2 and run.stdout == ""
    assert "lam=inf is out of range" in run.stderr
    run = subprocess.run([sys.executable, "-m", "hopfield_lab", "simulate", "--n", "10", "--alpha", "0.1",
                          "--lam", "0.5", "--update", "async", "--json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr  # issue 10 item 1: this crashed with a dtype error
    assert json.loads(run.stdout)["arithmetic"] == "float64"


# issue 21, items 8, 9 and 16
def test_simulate_needs_n_and_alpha():
    with pytest.raises(ValueError, match=r"alpha=None is not allowed; alpha must be a finite number"):
        simulate(100, None)
    with pytest.raises(ValueError, match=r"n=None is not allowed; n must be an integer"):
        simulate(None, 0.1)


@pytest.mark.parametrize("kwargs,message", [
    (dict(n=100, alpha=1e300), r"n=100 needs about .*allowed: a smaller alpha"),
    (dict(n=10**400, alpha=0.1), r"n=10000.*\(401 characters\) is too large"),
    (dict(n=100, alpha=0.1, steps=10**400), r"steps=10000.* is too large"),
    (dict(n=100, alpha=0.1, update="blocks", blocks=10**400), r"blocks=10000.* is too large"),
])
def test_huge_values_give_a_value_error_not_an_overflow(kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate(**kwargs)


def test_the_memory_refusal_suggests_what_fits():
    # simulate(2, 0.5, steps=10**12) was refused with "allowed: n <= 2", a size it refuses too
    from hopfield_lab.sizing import largest_steps

    with pytest.raises(ValueError, match=r"allowed: steps <= (\d+) at this size") as err:
        simulate(2, 0.5, steps=10**12)
    most = int(__import__("re").search(r"steps <= (\d+)", str(err.value)).group(1))
    assert most == largest_steps(2, 1, "cpu", m0=0.8)
    assert 10**6 < most < 10**12
    traj = simulate(2, 0.5, steps=5)  # and a run within it goes
    assert traj.steps_run <= 5


def test_evolve_refuses_a_run_whose_records_do_not_fit_before_running(monkeypatch):
    # evolve had no memory check: steps=10**9 with a probe in a 2-cycle ran to the end, then asked for
    # (steps + 1) x P float64 records and raised a bare MemoryError
    from hopfield_lab import dynamics
    V = torch.tensor([[1.0, 1.0], [1.0, -1.0]])  # N = 2, p = 2
    S = torch.tensor([[1.0, -1.0], [-1.0, 1.0]])
    ran = []
    monkeypatch.setattr(dynamics, "_run", lambda *a, **k: ran.append(1))
    with pytest.raises(ValueError, match=r"n=2 needs about .* GiB \(p=2 patterns, steps=1000000000\).*allowed: steps <= \d+"):
        evolve(V, S, steps=10**9)
    assert not ran


def test_evolve_with_one_neuron_names_patterns():
    with pytest.raises(ValueError, match=r"patterns has shape \(1, 2\).*at least 2 rows"):
        evolve(torch.ones(1, 2), torch.ones(1, 2))


# issue 21, item 14: unusual tensor kinds
def test_evolve_reads_patterns_that_require_gradients_as_values():
    V = random_patterns(50, 5, seed=0)
    S = corrupt(V, 0.6, seed=0)
    plain = evolve(V, S, steps=5)
    graded = evolve(V.clone().requires_grad_(True), S.clone().requires_grad_(True), steps=5)
    assert torch.equal(plain.overlaps, graded.overlaps) and torch.equal(plain.final_state, graded.final_state)


@pytest.mark.parametrize("kind,message", [("sparse", r"patterns is a torch.sparse_coo tensor; allowed: a dense"),
                                          ("meta", r"patterns is on the meta device")])
def test_evolve_refuses_sparse_and_meta_tensors(kind, message):
    V = random_patterns(50, 5, seed=0)
    S = corrupt(V, 0.6, seed=0)
    bad = V.to_sparse() if kind == "sparse" else torch.empty(50, 5, device="meta")
    with pytest.raises(ValueError, match=message):
        evolve(bad, S)


def test_evolve_refuses_params_that_are_not_a_dict():
    V = random_patterns(50, 5, seed=0)
    with pytest.raises(ValueError, match=r"params=\[1, 2\] is not allowed; params must be a dict"):
        evolve(V, V, params=[1, 2])


def test_a_huge_lam_runs_and_keeps_every_probe():
    # found by the property tests: lam = 6.1e18 made the self-term an integer too large for torch (OverflowError)
    traj = simulate(30, 0.1, lam=6.148914691236519e18, steps=3, m0=0.2)
    assert traj.fraction_converged == 1.0 and torch.all(traj.overlaps[-1] == traj.overlaps[0])
