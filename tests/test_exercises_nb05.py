"""Notebook 05's self-checks accept the solution, reject the stub and plausible wrong answers."""
import pytest
import torch

from exercise_cases import assert_check_accepts_solution_rejects_stub_and_wrong
from hopfield_lab import exercises as ex


def all_patterns_stable(xi):
    h = xi @ (xi.T @ xi) - xi.shape[1] * xi
    return bool((h * xi > 0).all())


CASES = {
    ex.check_all_patterns_stable: (all_patterns_stable, [
        lambda xi: bool(((xi @ (xi.T @ xi) - xi.shape[1] * xi) * xi >= 0).all()),  # ties count as stable
        lambda xi: bool(((xi @ (xi.T @ xi)) * xi > 0)[:, 0].all()),  # checks the first pattern only
    ]),
}


@pytest.mark.parametrize("check", list(CASES), ids=lambda c: c.__name__)
def test_check_accepts_solution_rejects_stub_and_wrong_answers(check, capsys):
    solution, wrong_answers = CASES[check]
    assert_check_accepts_solution_rejects_stub_and_wrong(check, solution, wrong_answers, capsys)
