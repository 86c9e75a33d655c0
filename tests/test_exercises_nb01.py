"""Notebook 01's self-checks accept the solution and answers written differently, reject the stub
and plausible wrong answers, and name each mistake."""
import numpy as np
import torch

from exercise_cases import case_tests
from hopfield_lab import exercises as ex


def hebbian_weights(patterns):
    n, p = patterns.shape
    return patterns @ patterns.T - p * torch.eye(n, dtype=patterns.dtype)


def hebbian_loops(patterns):
    n, p = patterns.shape
    return [[0.0 if i == j else float(sum(patterns[i, k] * patterns[j, k] for k in range(p))) for j in range(n)]
            for i in range(n)]


def hebbian_in_place(patterns):
    patterns.mul_(1.0)  # harmless
    patterns[0] = -patterns[0]  # changes the caller's patterns
    patterns[0] = -patterns[0]
    patterns[1, 0] = 5.0
    return hebbian_weights(patterns)


def hebbian_last_only(patterns):
    n, p = patterns.shape
    for k in range(p):
        W = torch.outer(patterns[:, k], patterns[:, k])
    return W.fill_diagonal_(0)


def energy_zeroes_diagonal(W, s):
    W.fill_diagonal_(0)
    return float(-0.5 * s @ W @ s)


def network_energy(W, s):
    return float(-0.5 * s @ W @ s)


HEBB_RIGHT = [
    hebbian_weights,
    hebbian_loops,  # lists
    lambda y: torch.einsum("ik,jk->ij", y, y) * (1 - torch.eye(y.shape[0], dtype=y.dtype)),  # einsum, masked diagonal
    lambda y: (lambda a: a @ a.T - a.shape[1] * np.eye(a.shape[0]))(np.asarray(y)),  # numpy
    lambda y: sum(torch.outer(y[:, k], y[:, k]) for k in range(y.shape[1])).fill_diagonal_(0),
]
HEBB_WRONG = [
    (lambda y: y @ y.T, "self-connections"),
    (lambda y: y @ y.T - torch.eye(y.shape[0], dtype=y.dtype), "subtracted I"),
    (lambda y: y @ y.T - y.shape[0] * torch.eye(y.shape[0], dtype=y.dtype), "subtracted N I"),
    (lambda y: (y @ y.T - y.shape[1] * torch.eye(y.shape[0], dtype=y.dtype)) / y.shape[0], "divided by N"),
    (lambda y: y.T @ y - y.shape[1] * torch.eye(y.shape[1], dtype=y.dtype), "COLUMNS"),
    (lambda y: y.shape[1] * torch.eye(y.shape[0], dtype=y.dtype) - y @ y.T, "wrong sign"),
    (hebbian_in_place, "changed the patterns"),
    (hebbian_last_only, "only one pattern"),
    (lambda y: y @ y.T - y.shape[1], "every entry"),
    (lambda y: (lambda w: w - torch.diag(w))(y @ y.T), "every entry"),
]

ENERGY_RIGHT = [
    network_energy,
    lambda W, s: -0.5 * torch.einsum("i,ij,j->", s, W, s),  # 0-d tensor
    lambda W, s: -0.5 * sum(float(W[i, j] * s[i] * s[j]) for i in range(len(s)) for j in range(len(s))),  # all pairs
    lambda W, s: -0.5 * (s[:, None] * W * s[None, :]).sum(),  # 0-d tensor, broadcasting done right
    lambda W, s: float(-0.5 * np.asarray(s) @ np.asarray(W) @ np.asarray(s)),  # numpy
]
ENERGY_WRONG = [
    (lambda W, s: float(s @ W @ s), "sign and the factor 1/2"),
    (lambda W, s: float(-s @ W @ s), "forgot the factor 1/2"),
    (lambda W, s: float(0.5 * s @ W @ s), "sign is flipped"),
    (lambda W, s: -0.25 * float(s @ W @ s), "each pair counted twice"),
    (lambda W, s: -0.5 * W @ s * s, "one number"),  # per-neuron terms, not summed
    (lambda W, s: -sum(float(W[i, j] * s[i] * s[j]) for i in range(len(s)) for j in range(i + 1, len(s))), "i = j terms"),
    (energy_zeroes_diagonal, "changed W"),
    (lambda W, s: float(-0.5 * (s * W * s).sum()), "broadcasting"),
    (lambda W, s: float(-0.5 * s @ W @ s / len(s)), "divided by N"),
    (lambda W, s: float(-0.5 * s @ torch.triu(W) @ s * 2), "both triangles"),  # upper triangle doubled
]


CASES = {
    ex.check_hebbian_weights: (hebbian_weights, HEBB_RIGHT, HEBB_WRONG),
    ex.check_energy: (network_energy, ENERGY_RIGHT, ENERGY_WRONG),
}

(test_check_accepts_solution_rejects_stub_and_wrong_answers,
 test_correct_answers_written_differently_pass) = case_tests(CASES)
