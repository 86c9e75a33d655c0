"""Notebook 04's self-checks accept the solution, reject the stub and plausible wrong answers."""
import numpy as np
import pytest
import torch

from exercise_cases import assert_check_accepts_solution_rejects_stub_and_wrong
from hopfield_lab import exercises as ex


def hybrid_step(NJ, S, k, gen):
    rows = torch.randperm(S.shape[0], generator=gen)[: max(1, round(k * S.shape[0]))]
    h = NJ[rows] @ S
    S = S.clone()
    S[rows] = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[rows])).to(S.dtype)
    return S


def jacobi_iteration(xi, S, m):
    h = xi @ m
    return torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S)), xi.T @ S / xi.shape[0]


CASES = {
    ex.check_hybrid_step: (hybrid_step, [
        lambda NJ, S, k, gen: torch.where(NJ @ S > 0, 1.0, -1.0).to(S.dtype),  # ignores k: synchronous
        lambda NJ, S, k, gen: hybrid_step(NJ, S, k, torch.Generator().manual_seed(0)),  # ignores gen
    ]),
    ex.check_jacobi_iteration: (jacobi_iteration, [
        lambda xi, S, m: (jacobi_iteration(xi, S, m)[0], xi.T @ jacobi_iteration(xi, S, m)[0] / xi.shape[0]),  # even-odd
        lambda xi, S, m: (torch.sign(xi @ m), xi.T @ S),  # forgot 1/N
    ]),
}


@pytest.mark.parametrize("check", list(CASES), ids=lambda c: c.__name__)
def test_check_accepts_solution_rejects_stub_and_wrong_answers(check, capsys):
    solution, wrong_answers = CASES[check]
    assert_check_accepts_solution_rejects_stub_and_wrong(check, solution, wrong_answers, capsys)
