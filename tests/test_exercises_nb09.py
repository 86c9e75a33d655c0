"""Notebook 09's self-checks accept correct answers written differently and reject the stub and
plausible wrong answers, naming the mistake."""
import numpy as np
import torch

from exercise_cases import case_tests
from hopfield_lab import exercises as ex


# --- sample_hidden -----------------------------------------------------------------------------

def sample_hidden(S, W, b, u):
    p = torch.sigmoid(2 * (W.T @ S + b[:, None]))
    return torch.where(u < p, 1.0, -1.0).to(p.dtype)


def sample_hidden_tanh(S, W, b, u):  # P(h = +1) = (1 + tanh x) / 2, numpy
    x = np.asarray(W).T @ np.asarray(S) + np.asarray(b)[:, None]
    return np.where(np.asarray(u) < (1 + np.tanh(x)) / 2, 1.0, -1.0)


def sample_hidden_loops(S, W, b, u):  # one hidden unit and one state at a time
    out = torch.empty_like(u)
    for j in range(W.shape[1]):
        for c in range(S.shape[1]):
            x = float(W[:, j] @ S[:, c] + b[j])
            out[j, c] = 1.0 if float(u[j, c]) < 1 / (1 + np.exp(-2 * x)) else -1.0
    return out


def sample_in_place(S, W, b, u):
    u -= torch.sigmoid(2 * (W.T @ S + b[:, None]))
    return torch.where(u < 0, 1.0, -1.0)


SAMPLE_WRONG = [
    (lambda S, W, b, u: torch.where(u < torch.sigmoid(W.T @ S + b[:, None]), 1.0, -1.0), "not sigmoid(x_j)"),
    (lambda S, W, b, u: torch.where(u > torch.sigmoid(2 * (W.T @ S + b[:, None])), 1.0, -1.0), "reversed"),
    (lambda S, W, b, u: torch.sigmoid(2 * (W.T @ S + b[:, None])), "return a sample"),
    (lambda S, W, b, u: torch.tanh(W.T @ S + b[:, None]), "mean E[h | s]"),
    (lambda S, W, b, u: torch.where(u < torch.sigmoid(2 * (W.T @ S + b[:, None])), 1.0, 0.0), "+/-1 here, not 0/1"),
    (lambda S, W, b, u: torch.where(u < torch.sigmoid(2 * (W.T @ S)), 1.0, -1.0), "bias b is missing"),
    (lambda S, W, b, u: torch.where(W.T @ S + b[:, None] > 0, 1.0, -1.0), "T = 0 rule"),
    (lambda S, W, b, u: sample_hidden(S, W, b, u).T, "expected shape"),
    (sample_in_place, "modified in place"),
]


# --- cd1_gradient ------------------------------------------------------------------------------

def cd1_gradient(S, W, a, b, u_hidden, u_visible):
    H0 = sample_hidden(S, W, b, u_hidden)
    S1 = sample_hidden(H0, W.T, a, u_visible)  # the visible half-step is the same rule with W^T
    m0, m1 = torch.tanh(W.T @ S + b[:, None]), torch.tanh(W.T @ S1 + b[:, None])
    P = S.shape[1]
    return (S @ m0.T - S1 @ m1.T) / P, (S - S1).mean(1), (m0 - m1).mean(1)


def cd1_gradient_einsum(S, W, a, b, u_hidden, u_visible):  # numpy, einsum, written out
    S, W, a, b = map(np.asarray, (S, W, a, b))
    x0 = W.T @ S + b[:, None]
    h0 = np.where(np.asarray(u_hidden) < 1 / (1 + np.exp(-2 * x0)), 1.0, -1.0)
    y = W @ h0 + a[:, None]
    s1 = np.where(np.asarray(u_visible) < 1 / (1 + np.exp(-2 * y)), 1.0, -1.0)
    m0, m1 = np.tanh(x0), np.tanh(W.T @ s1 + b[:, None])
    dW = np.einsum("ip,jp->ij", S, m0) / S.shape[1] - np.einsum("ip,jp->ij", s1, m1) / S.shape[1]
    return dW, (S - s1).mean(1), (m0 - m1).mean(1)


def cd1_variant(**kw):
    def grad(S, W, a, b, uh, uv):
        H0 = sample_hidden(S, W, b, uh)
        y = W @ H0 + a[:, None]
        S1 = torch.tanh(y) if kw.get("mean_recon") else torch.where(uv < torch.sigmoid(2 * y), 1.0, -1.0).double()
        m0 = H0 if kw.get("sample_pos") else torch.tanh(W.T @ S + b[:, None])
        m1 = torch.tanh(W.T @ S + b[:, None]) if kw.get("data_neg") else torch.tanh(W.T @ S1 + b[:, None])
        P = 1 if kw.get("sum") else S.shape[1]
        sign = -1 if kw.get("sign") else 1
        out = ((S @ m0.T - S1 @ m1.T) / P, (S - S1).sum(1) / P, (m0 - m1).sum(1) / P)
        if kw.get("no_bias"):
            out = (out[0], torch.zeros_like(a), torch.zeros_like(b))
        return tuple(sign * g for g in out)
    return grad


def cd1_in_place(S, W, a, b, u_hidden, u_visible):
    W *= 1.0
    u_hidden.clamp_(0.0, 0.5)
    return cd1_gradient(S, W, a, b, u_hidden, u_visible)


CD1_WRONG = [
    (cd1_variant(sign=True), "sign is reversed"),
    (cd1_variant(sum=True), "divide by the number of states P"),
    (cd1_variant(sample_pos=True), "not the sample h0"),
    (cd1_variant(mean_recon=True), "is a sample"),
    (cd1_variant(data_neg=True), "not those of the data"),
    (cd1_variant(no_bias=True), "bias gradients"),
    (lambda *z: cd1_gradient(*z)[0], "return three things"),
    (lambda *z: (cd1_gradient(*z)[0].T, *cd1_gradient(*z)[1:]), "expected shape"),
    (cd1_in_place, "modified in place"),
]


# --- free_energy -------------------------------------------------------------------------------

def free_energy(S, W, a, b):
    x = W.T @ S + b[:, None]
    return -(a @ S) - torch.logaddexp(x, -x).sum(0)


def free_energy_abs(S, W, a, b):  # |x| + log(1 + e^(-2|x|)), numpy
    x = np.asarray(W).T @ np.asarray(S) + np.asarray(b)[:, None]
    return -(np.asarray(a) @ np.asarray(S)) - (np.abs(x) + np.log1p(np.exp(-2 * np.abs(x)))).sum(0)


def free_energy_softplus(S, W, a, b):  # log 2cosh x = -x + softplus(2x)
    x = W.T @ S + b[:, None]
    return -(a @ S) - (torch.nn.functional.softplus(2 * x) - x).sum(0)


def free_in_place(S, W, a, b):
    S *= 1.0
    b += 0.0
    W.mul_(2.0)
    return free_energy(S, W / 2, a, b)


FREE_WRONG = [
    (lambda S, W, a, b: -free_energy(S, W, a, b), "sign is reversed"),
    (lambda S, W, a, b: -(a @ S) - torch.log(2 * torch.cosh(W.T @ S + b[:, None])).sum(0), "overflows"),
    (lambda S, W, a, b: -(a @ S) - (torch.logaddexp(W.T @ S + b[:, None], -(W.T @ S + b[:, None]))
                                    - np.log(2)).sum(0), "log 2 per hidden unit"),
    (lambda S, W, a, b: -(a @ S) - torch.nn.functional.softplus(W.T @ S + b[:, None]).sum(0), "0/1 hidden unit"),
    (lambda S, W, a, b: free_energy(S, W, 0 * a, b), "visible bias"),
    (lambda S, W, a, b: -(a @ S) - (W.T @ S + b[:, None]).abs().sum(0), "best hidden state"),
    (lambda S, W, a, b: free_energy(S, W, a, b).sum(), "expected shape"),
    (free_in_place, "modified in place"),
]


CASES = {
    ex.check_sample_hidden: (sample_hidden, [sample_hidden_tanh, sample_hidden_loops], SAMPLE_WRONG),
    ex.check_cd1_gradient: (cd1_gradient, [cd1_gradient_einsum], CD1_WRONG),
    ex.check_free_energy: (free_energy, [free_energy_abs, free_energy_softplus], FREE_WRONG),
}


(test_check_accepts_solution_rejects_stub_and_wrong_answers,
 test_correct_answers_written_differently_pass) = case_tests(CASES)
