"""Notebook 01's self-checks accept the solution, reject the stub and plausible wrong answers."""
import pytest
import torch

from exercise_cases import assert_check_accepts_solution_rejects_stub_and_wrong
from hopfield_lab import exercises as ex


def hebbian_weights(patterns):
    n, p = patterns.shape
    return patterns @ patterns.T - p * torch.eye(n, dtype=patterns.dtype)


def network_energy(W, s):
    return float(-0.5 * s @ W @ s)


CASES = {
    ex.check_hebbian_weights: (hebbian_weights, [
        lambda y: y @ y.T,  # keeps self-connections
        lambda y: y @ y.T - torch.eye(y.shape[0], dtype=y.dtype),  # subtracts I instead of p I
    ]),
    ex.check_energy: (network_energy, [
        lambda W, s: float(s @ W @ s),  # sign and factor 1/2
        lambda W, s: float(-s @ W @ s),  # forgot the 1/2
    ]),
}


@pytest.mark.parametrize("check", list(CASES), ids=lambda c: c.__name__)
def test_check_accepts_solution_rejects_stub_and_wrong_answers(check, capsys):
    solution, wrong_answers = CASES[check]
    assert_check_accepts_solution_rejects_stub_and_wrong(check, solution, wrong_answers, capsys)
