"""Notebook 00's self-checks accept the solution and answers written differently, reject the stub
and plausible wrong answers, and name each mistake."""
import numpy as np
import pytest
import torch

from exercise_cases import case_tests
from hopfield_lab import exercises as ex

pytestmark = pytest.mark.filterwarnings("ignore:Polyfit may be poorly conditioned")


def random_symmetric(n, seed):
    a = torch.randn(n, n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return (a + a.T) / 2


def fit_slope(sizes, seconds):
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def torch_global_seed(n, seed):
    torch.manual_seed(seed)
    a = torch.randn(n, n)
    return (a + a.T) / 2


def numpy_global_seed(n, seed):
    np.random.seed(seed)
    a = np.random.randn(n, n)
    return (a + a.T) / 2


def one_triangle(n, seed):
    a = torch.randn(n, n, generator=torch.Generator().manual_seed(seed))
    return a.triu() + a.triu(1).T


RANDOM_SYMMETRIC_RIGHT = [
    random_symmetric,
    lambda n, seed: (lambda a: ((a + a.T) / 2).tolist())(np.random.default_rng(seed).standard_normal((n, n))),  # numpy, list
    lambda n, seed: (lambda a: (a + a.T) / 2)(np.random.default_rng(seed).standard_normal((n, n))),  # numpy array
    lambda n, seed: (lambda a: 0.5 * (a + a.transpose(0, 1)))(
        torch.normal(0.0, 1.0, (n, n), generator=torch.Generator().manual_seed(seed), dtype=torch.float64)),
]
RANDOM_SYMMETRIC_WRONG = [
    (lambda n, seed: torch.randn(n, n, generator=torch.Generator().manual_seed(seed)), "not symmetric"),
    (lambda n, seed: random_symmetric(n, seed) * 2, "divide by 2"),  # (A + A^T)
    (lambda n, seed: random_symmetric(n, seed) * 2 ** 0.5, "(A + A^T)/2"),  # (A + A^T) / sqrt(2)
    (one_triangle, "one triangle"),
    (lambda n, seed: random_symmetric(n, 0), "seed is ignored"),
    (lambda n, seed: (lambda a: (a + a.T) / 2)(torch.rand(n, n, generator=torch.Generator().manual_seed(seed))), "torch.randn"),
    (torch_global_seed, "global random state"),
    (numpy_global_seed, "global random state"),
    (lambda n, seed: random_symmetric(400, seed), "fixed size"),
    (lambda n, seed: random_symmetric(n, seed).float(), "float64"),  # float32
    (lambda n, seed: (lambda a: ((a + a.T) / 2).double())(torch.randn(n, n, generator=torch.Generator().manual_seed(seed))),
     "drawn in float32"),
    (lambda n, seed: (lambda a: (a @ a.T) / 2)(torch.randn(n, n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)),
     "matrix product"),
    (lambda n, seed: (lambda a: (a + a.T) / 2)(torch.randn(n, n, dtype=torch.float64)), "global random state"),
    (lambda n, seed: (lambda a: (a + a.T) / 2)(torch.rand(n, n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 2 - 1),
     "uniform numbers"),
]

FIT_SLOPE_RIGHT = [
    fit_slope,
    lambda n, t: float(np.polyfit(np.log10(n), np.log10(t), 1)[0]),  # log10: same slope
    lambda n, t: np.linalg.lstsq(np.stack([np.log(n), np.ones(len(n))], 1), np.log(t), rcond=None)[0][0],
    lambda n, t: (lambda x, y: float(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()))(
        torch.log(torch.tensor(n, dtype=torch.float64)), torch.log(torch.tensor(t, dtype=torch.float64))),
    lambda n, t: (lambda x, y: float(torch.linalg.lstsq(torch.stack([x, torch.ones_like(x)], 1), y[:, None]).solution[0, 0]))(
        torch.log(torch.tensor(n, dtype=torch.float32)), torch.log(torch.tensor(t, dtype=torch.float32))),  # float32: within 1e-4
]
FIT_SLOPE_WRONG = [
    (lambda n, t: float(np.log(t[-1] / t[-2]) / np.log(n[-1] / n[-2])), "last two points"),
    (lambda n, t: float(np.polyfit(n, t, 1)[0]), "linear axes"),
    (lambda n, t: float(np.polyfit(np.log(t), np.log(n), 1)[0]), "axes swapped"),
    (lambda n, t: float(np.polyfit(np.log(n), np.log(t), 1)[1]), "intercept"),
    (lambda n, t: np.polyfit(np.log(n), np.log(t), 1), "one number"),
    (lambda n, t: float(np.polyfit(np.log(n), t, 1)[0]), "log of t too"),
    (lambda n, t: float(np.log(t[-1] / t[0]) / np.log(n[-1] / n[0])), "end points"),
    (lambda n, t: float(np.mean(np.diff(np.log(t)) / np.diff(np.log(n)))), "end points"),  # mean of local slopes
    (lambda n, t: float(np.polyfit(np.log10(n), np.log(t), 1)[0]), "mixed logarithms"),
    (lambda n, t: float(np.polyfit(np.log(n[-3:]), np.log(t[-3:]), 1)[0]), "last three points"),
    (lambda n, t: round(float(np.polyfit(np.log(n), np.log(t), 1)[0]), 2), "rounded"),
]


CASES = {
    ex.check_random_symmetric: (random_symmetric, RANDOM_SYMMETRIC_RIGHT, RANDOM_SYMMETRIC_WRONG),
    ex.check_fit_slope: (fit_slope, FIT_SLOPE_RIGHT, FIT_SLOPE_WRONG),
}

(test_check_accepts_solution_rejects_stub_and_wrong_answers,
 test_correct_answers_written_differently_pass) = case_tests(CASES)
