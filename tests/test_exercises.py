"""Every self-check accepts the solution, and rejects the stub and a plausible wrong answer."""
import numpy as np
import pytest
import torch

from hopfield_lab import exercises as ex


def stub(*args):
    raise NotImplementedError()


def random_symmetric(n, seed):
    a = torch.randn(n, n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return (a + a.T) / 2


def fit_slope(sizes, seconds):
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def hebbian_weights(patterns):
    n, p = patterns.shape
    return patterns @ patterns.T - p * torch.eye(n, dtype=patterns.dtype)


def network_energy(W, s):
    return float(-0.5 * s @ W @ s)


def hybrid_step(NJ, S, k, gen):
    rows = torch.randperm(S.shape[0], generator=gen)[: max(1, round(k * S.shape[0]))]
    h = NJ[rows] @ S
    S = S.clone()
    S[rows] = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[rows])).to(S.dtype)
    return S


def jacobi_iteration(xi, S, m):
    h = xi @ m
    return torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S)), xi.T @ S / xi.shape[0]


def all_patterns_stable(xi):
    h = xi @ (xi.T @ xi) - xi.shape[1] * xi
    return bool((h * xi > 0).all())


def glauber_probability(h, T):
    return 0.5 * (1 + torch.sign(h)) if T == 0 else 0.5 * (1 + torch.tanh(h / T))


CASES = {
    ex.check_random_symmetric: (random_symmetric, [
        lambda n, seed: torch.randn(n, n, generator=torch.Generator().manual_seed(seed)),  # not symmetric
        lambda n, seed: random_symmetric(n, seed) * 2 ** 0.5,  # (A + A^T) / sqrt(2): wrong variance
        lambda n, seed: random_symmetric(n, 0),  # ignores the seed
    ]),
    ex.check_fit_slope: (fit_slope, [
        lambda n, t: float(np.log(t[-1] / t[-2]) / np.log(n[-1] / n[-2])),  # two points only
        lambda n, t: float(np.polyfit(n, t, 1)[0]),  # not on log axes
    ]),
    ex.check_hebbian_weights: (hebbian_weights, [
        lambda y: y @ y.T,  # keeps self-connections
        lambda y: y @ y.T - torch.eye(y.shape[0], dtype=y.dtype),  # subtracts I instead of p I
    ]),
    ex.check_energy: (network_energy, [
        lambda W, s: float(s @ W @ s),  # sign and factor 1/2
        lambda W, s: float(-s @ W @ s),  # forgot the 1/2
    ]),
    ex.check_hybrid_step: (hybrid_step, [
        lambda NJ, S, k, gen: torch.where(NJ @ S > 0, 1.0, -1.0).to(S.dtype),  # ignores k: synchronous
        lambda NJ, S, k, gen: hybrid_step(NJ, S, k, torch.Generator().manual_seed(0)),  # ignores gen
    ]),
    ex.check_jacobi_iteration: (jacobi_iteration, [
        lambda xi, S, m: (jacobi_iteration(xi, S, m)[0], xi.T @ jacobi_iteration(xi, S, m)[0] / xi.shape[0]),  # even-odd
        lambda xi, S, m: (torch.sign(xi @ m), xi.T @ S),  # forgot 1/N
    ]),
    ex.check_all_patterns_stable: (all_patterns_stable, [
        lambda xi: bool(((xi @ (xi.T @ xi) - xi.shape[1] * xi) * xi >= 0).all()),  # ties count as stable
        lambda xi: bool(((xi @ (xi.T @ xi)) * xi > 0)[:, 0].all()),  # checks the first pattern only
    ]),
    ex.check_glauber_probability: (glauber_probability, [
        lambda h, T: torch.tanh(h / T),  # tanh is not a probability
        lambda h, T: 0.5 * (1 + torch.tanh(h / T)),  # divides by zero at T = 0
    ]),
}


@pytest.mark.parametrize("check", list(CASES), ids=lambda c: c.__name__)
def test_check_accepts_solution_rejects_stub_and_wrong_answers(check, capsys):
    solution, wrong_answers = CASES[check]
    assert check(solution) is True
    assert "all checks passed" in capsys.readouterr().out
    assert check(stub) is False
    assert "not implemented yet" in capsys.readouterr().out
    for wrong in wrong_answers:
        assert check(wrong) is False
        out = capsys.readouterr().out
        assert "✗" in out  # says what is wrong
