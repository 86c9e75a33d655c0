"""Notebook 07's self-checks accept correct answers written differently and reject the stub and
plausible wrong answers, naming the mistake."""
import numpy as np
import torch

from exercise_cases import case_tests
from hopfield_lab import exercises as ex
from hopfield_lab import learning_rules


# --- stable_fraction ---------------------------------------------------------------------------

def stable_fraction(W, X, tol=1e-9):
    return float(((W @ X) * X > tol).all(0).double().mean())


def stable_fraction_numpy(W, X, tol=1e-9):  # numpy, a loop over patterns, a bool mean
    W, X = np.asarray(W), np.asarray(X)
    return np.mean([bool(np.all(X[:, k] * (W @ X[:, k]) > tol)) for k in range(X.shape[1])])


def stable_fraction_tensor(W, X, tol=1e-9):  # returns a 0-dim tensor
    return torch.mean(torch.all(torch.einsum("ij,jk->ik", W, X) * X > tol, dim=0).float())


def stable_without_diagonal(W, X, tol=1e-9):
    W = W.clone()
    W.fill_diagonal_(0)
    return float(((W @ X) * X > tol).all(0).double().mean())


def stable_in_place(W, X, tol=1e-9):
    X *= W @ X
    return float((X > tol).all(0).double().mean())


STABLE_WRONG = [
    (lambda W, X, tol=1e-9: float(((W @ X) * X > tol).double().mean()), "fraction of stable *bits*"),
    (lambda W, X, tol=1e-9: float(((W @ X) * X >= 0).all(0).double().mean()), "exactly 0 must count as unstable"),
    (lambda W, X, tol=1e-9: float(((W @ X) * X > 0).all(0).double().mean()), "rounding left at ~1e-17"),
    (lambda W, X, tol=1e-9: float((W @ X > tol).all(0).double().mean()), "x_i h_i > 0, not when h_i > 0"),
    (lambda W, X, tol=1e-9: float(((W @ X) * X > tol)[:, 0].all()), "only the first pattern"),
    (lambda W, X, tol=1e-9: 1 - float(((W @ X) * X > tol).all(0).double().mean()), "*unstable* patterns"),
    (lambda W, X, tol=1e-9: ((W @ X) * X > tol).all(0).double(), "return one number"),
    (lambda W, X, tol=1e-9: float(((W @ X) * X > 1e-9).all(0).double().mean()), "you ignored the tol argument"),
    (stable_without_diagonal, "do not remove it"),
    (stable_in_place, "changed W or X in place"),
    (lambda W, X, tol=1e-9: float((torch.sign(W @ X) == X).all(0).double().mean()), "rounding left at ~1e-17"),
]


# --- projection_weights ------------------------------------------------------------------------

def projection_weights(X):
    return X @ torch.linalg.inv(X.T @ X) @ X.T


def projection_solve(X):
    return X @ torch.linalg.solve(X.T @ X, X.T)


def projection_qr(X):  # an orthonormal basis of the span: W = Q Q^T
    q, _ = torch.linalg.qr(X)
    return q @ q.T


def projection_numpy(X):
    X = np.asarray(X)
    return X @ np.linalg.pinv(X)


def zero_diagonal(X):
    W = projection_weights(X)
    W.fill_diagonal_(0)
    return W


def projection_in_place(X):
    X /= X.norm(dim=0)  # the projector does not change, the caller's patterns do
    return X @ torch.linalg.solve(X.T @ X, X.T)


def projection_zero_diagonal_overlap(X):
    G = X.T @ X
    G.fill_diagonal_(0)
    return X @ torch.linalg.solve(G, X.T)


PROJECTION_WRONG = [
    (lambda X: X @ X.T / X.shape[0], "Hebb's rule"),
    (lambda X: X @ X.T, "Hebb's rule"),
    (lambda X: X @ (X.T @ X) @ X.T, "needs its inverse"),
    (zero_diagonal, "diagonal included"),
    (lambda X: torch.linalg.pinv(X) @ X, "sandwich it"),
    (lambda X: X @ torch.linalg.inv(X.T @ X) @ X.T / 2, "W must map each of them to itself"),
    (lambda X: X @ torch.linalg.inv(X.T @ X) @ torch.linalg.pinv(X), "W must map each of them to itself"),  # inverse twice
    (projection_in_place, "changed X in place"),
    (lambda X: X @ torch.linalg.solve(X.T @ X, X.T) / X.shape[0], "scaled by 1/N"),
    (lambda X: (lambda f: f @ torch.linalg.solve(f.T @ f, f.T))(X.float()), "single precision"),
    (projection_zero_diagonal_overlap, "keeps its diagonal"),
]


# --- storkey_step ------------------------------------------------------------------------------

def storkey_step(W, x):
    N = x.shape[0]
    h = W @ x
    H = h[:, None] - W * x[None, :]          # H[i, j] = h_ij = sum_{k != i, j} w_ik x_k
    W = W + (torch.outer(x, x) - x[:, None] * H.T - H * x[None, :]) / N
    W.fill_diagonal_(0)
    return W


def storkey_step_loops(W, x):  # the formula as printed, numpy loops
    W, x = np.asarray(W, dtype=float), np.asarray(x, dtype=float)
    N = len(x)
    new = W.copy()
    for i in range(N):
        for j in range(N):
            if i == j:
                continue
            h_ij = sum(W[i, k] * x[k] for k in range(N) if k not in (i, j))
            h_ji = sum(W[j, k] * x[k] for k in range(N) if k not in (i, j))
            new[i, j] = W[i, j] + (x[i] * x[j] - x[i] * h_ji - h_ij * x[j]) / N
    return new


def storkey_variant(kind):
    def step(W, x):
        N = x.shape[0]
        h = W @ x
        H = h[:, None] - W * x[None, :]
        full = h[:, None].expand(N, N)
        delta = {
            "hebb": torch.outer(x, x),
            "full": torch.outer(x, x) - x[:, None] * full.T - full * x[None, :],
            "swapped": torch.outer(x, x) - x[:, None] * H - H.T * x[None, :],
            "one": torch.outer(x, x) - H * x[None, :],
            "not transposed": torch.outer(x, x) - x[:, None] * H - H * x[None, :],
            "wrong x": torch.outer(x, x) - x[:, None] * (h[:, None] - W * x[:, None]).T
                       - (h[:, None] - W * x[:, None]) * x[None, :],
        }.get(kind, torch.outer(x, x) - x[:, None] * H.T - H * x[None, :])
        out = W + delta * (1.0 if kind == "no1N" else 1.0 / N)
        if kind != "diag":
            out.fill_diagonal_(0)
        return out
    return step


def storkey_in_place(W, x):
    new = storkey_step(W, x)
    W.copy_(new)
    return W


def storkey_changes_x(W, x):
    new = storkey_step(W, x)
    x.neg_()  # scribbles on the caller's pattern
    return new


STORKEY_WRONG = [
    (storkey_variant("hebb"), "Hebbian step"),
    (storkey_variant("full"), "h_ij must leave out k = i and k = j"),
    (storkey_variant("swapped"), "the indices are swapped"),
    (storkey_variant("one"), "the term - x_i h_ji is missing"),
    (storkey_variant("no1N"), "divide the change by N"),
    (storkey_variant("diag"), "keep the diagonal at zero"),
    (storkey_in_place, "modified in place"),
    (storkey_variant("not transposed"), "transposed, not the matrix itself"),
    (storkey_variant("wrong x"), "not w_ij x_i"),
    (storkey_changes_x, "x was modified in place"),
]


CASES = {
    ex.check_stable_fraction: (stable_fraction, [stable_fraction_numpy, stable_fraction_tensor], STABLE_WRONG),
    ex.check_projection_weights: (projection_weights, [projection_solve, projection_qr, projection_numpy], PROJECTION_WRONG),
    ex.check_storkey_step: (storkey_step, [storkey_step_loops, learning_rules.storkey_step], STORKEY_WRONG),
}


(test_check_accepts_solution_rejects_stub_and_wrong_answers,
 test_correct_answers_written_differently_pass) = case_tests(CASES)
