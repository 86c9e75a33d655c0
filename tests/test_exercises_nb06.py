"""Notebook 06's self-checks accept the solution, reject the stub and plausible wrong answers."""
import pytest
import torch

from exercise_cases import assert_check_accepts_solution_rejects_stub_and_wrong
from hopfield_lab import exercises as ex


def glauber_probability(h, T):
    return 0.5 * (1 + torch.sign(h)) if T == 0 else 0.5 * (1 + torch.tanh(h / T))


CASES = {
    ex.check_glauber_probability: (glauber_probability, [
        lambda h, T: torch.tanh(h / T),  # tanh is not a probability
        lambda h, T: 0.5 * (1 + torch.tanh(h / T)),  # divides by zero at T = 0
    ]),
}


@pytest.mark.parametrize("check", list(CASES), ids=lambda c: c.__name__)
def test_check_accepts_solution_rejects_stub_and_wrong_answers(check, capsys):
    solution, wrong_answers = CASES[check]
    assert_check_accepts_solution_rejects_stub_and_wrong(check, solution, wrong_answers, capsys)
