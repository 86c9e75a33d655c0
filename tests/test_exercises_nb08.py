"""Notebook 08's self-checks accept correct answers written differently and reject the stub and
plausible wrong answers, naming the mistake."""
import math

import numpy as np
import torch

from exercise_cases import case_tests
from hopfield_lab import dense_associative as dam, modern_hopfield as mh
from hopfield_lab import exercises as ex


# --- flip_energy_difference --------------------------------------------------------------------

def flip_energy_difference(xi, s, i, n):
    flipped = s.clone()
    flipped[i] = -flipped[i]
    return -((xi.T @ flipped) ** n).sum() + ((xi.T @ s) ** n).sum()


def flip_energy_difference_overlaps(xi, s, i, n):  # only the overlaps change: x -> x - 2 s_i xi_i
    x = xi.T @ s
    return float((x ** n - (x - 2 * s[i] * xi[i]) ** n).sum())


def flip_energy_difference_loops(xi, s, i, n):  # numpy and Python loops, integer result
    xi, s = np.asarray(xi, dtype=int), np.asarray(s, dtype=int)
    def energy(state):
        return -sum(int(xi[:, mu] @ state) ** n for mu in range(xi.shape[1]))
    t = s.copy()
    t[i] = -t[i]
    return energy(t) - energy(s)


def flip_package(xi, s, i, n):
    return dam.flip_energy_differences(xi, s[:, None], dam.Polynomial(n))[i, 0]


def flip_in_place(xi, s, i, n):
    e0 = -((xi.T @ s) ** n).sum()
    s[i] = -s[i]
    return -((xi.T @ s) ** n).sum() - e0


FLIP_WRONG = [
    (lambda xi, s, i, n: -flip_energy_difference(xi, s, i, n), "the sign is reversed"),
    (lambda xi, s, i, n: float((((xi.T @ s) ** n) - (xi.T @ s - s[i] * xi[i]) ** n).sum()), "not by -s_i xi_i^mu"),
    (lambda xi, s, i, n: flip_energy_difference(xi, s, i, 2), "use the power n given"),
    (lambda xi, s, i, n: -((xi.T @ torch.cat([s[:i], -s[i:i + 1], s[i + 1:]])) ** n).sum(), "energy after the flip"),
    (flip_in_place, "modified in place"),
    (lambda xi, s, i, n: flip_energy_difference(xi, s, i, n) / 2, None),
    (lambda xi, s, i, n: float((2 * n * s[i] * xi[i] * (xi.T @ s) ** (n - 1)).sum()), "derivative"),
    (lambda xi, s, i, n: float(((xi.T @ s) ** n - (xi.T @ s - 2 * xi[i]) ** n).sum()), "depends on the sign of s_i"),
    (lambda xi, s, i, n: float(((xi.T @ s / len(s)) ** n - ((xi.T @ s - 2 * s[i] * xi[i]) / len(s)) ** n).sum()),
     "not divided by N"),
]


# --- continuous_update -------------------------------------------------------------------------

def continuous_update(X, Q, beta):
    return X @ torch.softmax(beta * X.T @ Q, dim=0)


def continuous_update_by_hand(X, Q, beta):  # the max subtracted by hand, numpy
    X, Q = np.asarray(X), np.asarray(Q)
    z = beta * X.T @ Q
    w = np.exp(z - z.max(axis=0, keepdims=True))
    return X @ (w / w.sum(axis=0, keepdims=True))


def continuous_update_loop(X, Q, beta):  # one query at a time, logsumexp
    cols = []
    for c in range(Q.shape[1]):
        z = beta * (X.T @ Q[:, c])
        cols.append(X @ torch.exp(z - torch.logsumexp(z, 0)))
    return torch.stack(cols, 1)


def continuous_max_over_queries(X, Q, beta):  # a "stable" softmax shifted by the wrong maximum
    z = beta * (X.T @ Q)
    e = torch.exp(z - z.max(dim=1, keepdim=True).values)
    return X @ (e / e.sum(dim=0, keepdim=True))


def continuous_in_place(X, Q, beta):
    Q *= beta
    return X @ torch.softmax(X.T @ Q, dim=0)


CONTINUOUS_WRONG = [
    (lambda X, Q, beta: X @ torch.softmax(beta * X.T @ Q, dim=1), "over the queries"),
    (lambda X, Q, beta: X @ torch.softmax(X.T @ Q, dim=0), "beta is missing"),
    (lambda X, Q, beta: X @ (torch.exp(beta * X.T @ Q) / torch.exp(beta * X.T @ Q).sum(0)), "overflowed"),
    (lambda X, Q, beta: torch.softmax(beta * X.T @ Q, dim=0), "return X @ p"),
    (lambda X, Q, beta: X @ (X.T @ Q), "the softmax is missing"),
    (lambda X, Q, beta: X @ torch.softmax(beta * X.T @ Q / math.sqrt(X.shape[0]), dim=0), "no 1/sqrt(d)"),
    (lambda X, Q, beta: beta * (X @ torch.softmax(X.T @ Q, dim=0)), "beta belongs inside"),
    (continuous_max_over_queries, "largest value over the queries"),
    (continuous_in_place, "modified in place"),
]


# --- retrieval_onset ---------------------------------------------------------------------------

def worst_error(X, beta):
    new = continuous_update(X, X, beta)
    return float(((new - X).norm(dim=0) / X.norm(dim=0)).max())


def retrieval_onset(X, eps):
    low, high = 1e-3, 1e3
    while high / low > 1.001:
        mid = math.sqrt(low * high)
        if worst_error(X, mid) <= eps:
            high = mid
        else:
            low = mid
    return high


def retrieval_onset_grid(X, eps):  # a fine geometric grid, numpy
    betas = np.geomspace(1e-3, 1e3, 6000)
    for beta in betas:
        if worst_error(X, float(beta)) <= eps:
            return float(beta)


def onset_mean(X, eps):  # the average pattern instead of every pattern
    def mean_error(beta):
        new = continuous_update(X, X, beta)
        return float(((new - X).norm(dim=0) / X.norm(dim=0)).mean())
    low, high = 1e-3, 1e3
    while high / low > 1.001:
        mid = math.sqrt(low * high)
        low, high = (low, mid) if mean_error(mid) <= eps else (mid, high)
    return high


def onset_with(error):
    def onset(X, eps):
        low, high = 1e-3, 1e3
        while high / low > 1.001:
            mid = math.sqrt(low * high)
            low, high = (low, mid) if error(X, mid) <= eps else (mid, high)
        return high
    return onset


def absolute_error(X, beta):
    return float((continuous_update(X, X, beta) - X).norm(dim=0).max())


def error_by_row(X, beta):
    new = continuous_update(X, X, beta)
    return float(((new - X).norm(dim=1) / X.norm(dim=1)).max())


def onset_in_place(X, eps):
    X /= X.norm(dim=0)  # "normalise first": changes the caller's patterns
    return retrieval_onset(X, eps)


ONSET_WRONG = [
    (onset_mean, "use the largest error"),
    (lambda X, eps: float(np.geomspace(1e-3, 1e3, 13)[next(k for k, b in enumerate(np.geomspace(1e-3, 1e3, 13))
                                                         if worst_error(X, float(b)) <= eps)]), "refine the search"),
    (lambda X, eps: retrieval_onset(X, eps) / 2, "beta is too small"),
    (lambda X, eps: -retrieval_onset(X, eps), "positive number"),
    (onset_with(absolute_error), "absolute error"),
    (onset_with(error_by_row), "wrong dimension"),
    (lambda X, eps: retrieval_onset(X, 0.01), "use the argument eps"),
    (lambda X, eps: retrieval_onset(X, eps) * 1.015, "refine the search"),
    (onset_in_place, "modified in place"),
]


CASES = {
    ex.check_flip_energy_difference: (flip_energy_difference, [flip_energy_difference_overlaps,
                                                               flip_energy_difference_loops, flip_package], FLIP_WRONG),
    ex.check_continuous_update: (continuous_update, [continuous_update_by_hand, continuous_update_loop,
                                                     lambda X, Q, beta: mh.continuous_update(X, Q, beta)], CONTINUOUS_WRONG),
    ex.check_retrieval_onset: (retrieval_onset, [retrieval_onset_grid, lambda X, eps: mh.retrieval_onset(X, eps)],
                               ONSET_WRONG),
}


(test_check_accepts_solution_rejects_stub_and_wrong_answers,
 test_correct_answers_written_differently_pass) = case_tests(CASES)
