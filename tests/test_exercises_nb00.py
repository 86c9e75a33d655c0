"""Notebook 00's self-checks accept the solution, reject the stub and plausible wrong answers."""
import numpy as np
import pytest
import torch

from exercise_cases import assert_check_accepts_solution_rejects_stub_and_wrong
from hopfield_lab import exercises as ex


def random_symmetric(n, seed):
    a = torch.randn(n, n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return (a + a.T) / 2


def fit_slope(sizes, seconds):
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


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
}


@pytest.mark.parametrize("check", list(CASES), ids=lambda c: c.__name__)
def test_check_accepts_solution_rejects_stub_and_wrong_answers(check, capsys):
    solution, wrong_answers = CASES[check]
    assert_check_accepts_solution_rejects_stub_and_wrong(check, solution, wrong_answers, capsys)
