"""Notebook 09 (Boltzmann machines): wrong answers that must lose their points, with the phrase the
self-check prints for each, and correct answers written differently that keep them."""

MORE_WRONG = {
    "sample_hidden_solution": [
        # the 0/1 rule sigmoid(x): the factor 2 of +/-1 units forgotten
        ("""\
p = torch.sigmoid(W.T @ S + b[:, None])
return torch.where(u < p, 1.0, -1.0).to(p.dtype)""", "not sigmoid(x_j)"),
        # the comparison reversed
        ("""\
p = torch.sigmoid(2 * (W.T @ S + b[:, None]))
return torch.where(u > p, 1.0, -1.0).to(p.dtype)""", "reversed"),
        # the mean instead of a sample
        ("""\
return torch.tanh(W.T @ S + b[:, None])""", "mean E[h | s]"),
        # 0/1 hidden units
        ("""\
p = torch.sigmoid(2 * (W.T @ S + b[:, None]))
return (u < p).to(p.dtype)""", "not 0/1"),
        # the bias forgotten
        ("""\
p = torch.sigmoid(2 * (W.T @ S))
return torch.where(u < p, 1.0, -1.0).to(p.dtype)""", "bias b is missing"),
        # the caller's random numbers overwritten
        ("""\
u -= torch.sigmoid(2 * (W.T @ S + b[:, None]))
return torch.where(u < 0, 1.0, -1.0).to(u.dtype)""", "modified in place"),
    ],
    "cd1_gradient_solution": [
        # reconstruction minus data
        ("""\
H0 = sample_hidden(S, W, b, u_hidden)
S1 = sample_hidden(H0, W.T, a, u_visible)
m0, m1 = torch.tanh(W.T @ S + b[:, None]), torch.tanh(W.T @ S1 + b[:, None])
return (S1 @ m1.T - S @ m0.T) / S.shape[1], (S1 - S).mean(1), (m1 - m0).mean(1)""", "sign is reversed"),
        # summed over the batch instead of averaged
        ("""\
H0 = sample_hidden(S, W, b, u_hidden)
S1 = sample_hidden(H0, W.T, a, u_visible)
m0, m1 = torch.tanh(W.T @ S + b[:, None]), torch.tanh(W.T @ S1 + b[:, None])
return S @ m0.T - S1 @ m1.T, (S - S1).sum(1), (m0 - m1).sum(1)""", "divide by the number of states P"),
        # the sample h0 in the data term
        ("""\
H0 = sample_hidden(S, W, b, u_hidden)
S1 = sample_hidden(H0, W.T, a, u_visible)
m1 = torch.tanh(W.T @ S1 + b[:, None])
P = S.shape[1]
return (S @ H0.T - S1 @ m1.T) / P, (S - S1).mean(1), (H0 - m1).mean(1)""", "not the sample h0"),
        # a mean-field reconstruction instead of a sample
        ("""\
H0 = sample_hidden(S, W, b, u_hidden)
S1 = torch.tanh(W @ H0 + a[:, None])
m0, m1 = torch.tanh(W.T @ S + b[:, None]), torch.tanh(W.T @ S1 + b[:, None])
P = S.shape[1]
return (S @ m0.T - S1 @ m1.T) / P, (S - S1).mean(1), (m0 - m1).mean(1)""", "is a sample"),
        # the data's hidden means in the reconstruction term
        ("""\
H0 = sample_hidden(S, W, b, u_hidden)
S1 = sample_hidden(H0, W.T, a, u_visible)
m0 = torch.tanh(W.T @ S + b[:, None])
P = S.shape[1]
return (S @ m0.T - S1 @ m0.T) / P, (S - S1).mean(1), (m0 - m0).mean(1)""", "not those of the data"),
    ],
    "free_energy_solution": [
        # cosh overflows
        ("""\
x = W.T @ S + b[:, None]
return -(a @ S) - torch.log(2 * torch.cosh(x)).sum(0)""", "overflows"),
        # 0/1 hidden units: softplus
        ("""\
x = W.T @ S + b[:, None]
return -(a @ S) - torch.nn.functional.softplus(x).sum(0)""", "0/1 hidden unit"),
        # log cosh without the log 2
        ("""\
x = W.T @ S + b[:, None]
return -(a @ S) - (x.abs() + torch.log1p(torch.exp(-2 * x.abs())) - math.log(2)).sum(0)""", "log 2 per hidden unit"),
        # only the best hidden state
        ("""\
x = W.T @ S + b[:, None]
return -(a @ S) - x.abs().sum(0)""", "best hidden state"),
        # the visible bias forgotten
        ("""\
x = W.T @ S + b[:, None]
return -torch.logaddexp(x, -x).sum(0)""", "visible bias"),
    ],
}

RIGHT = {
    "sample_hidden_solution": [
        """\
x = W.T @ S + b[:, None]
return 2.0 * (u < (1 + torch.tanh(x)) / 2).double() - 1""",
        """\
import numpy as np
x = np.asarray(W).T @ np.asarray(S) + np.asarray(b)[:, None]
return torch.as_tensor(np.where(np.asarray(u) < 1 / (1 + np.exp(-2 * x)), 1.0, -1.0))""",
    ],
    "cd1_gradient_solution": [
        # written out without sample_hidden, einsum
        """\
x0 = W.T @ S + b[:, None]
H0 = torch.where(u_hidden < torch.sigmoid(2 * x0), 1.0, -1.0).double()
S1 = torch.where(u_visible < torch.sigmoid(2 * (W @ H0 + a[:, None])), 1.0, -1.0).double()
m0, m1 = torch.tanh(x0), torch.tanh(W.T @ S1 + b[:, None])
dW = torch.einsum("ip,jp->ij", S, m0).div(S.shape[1]) - torch.einsum("ip,jp->ij", S1, m1).div(S.shape[1])
return dW, S.mean(1) - S1.mean(1), m0.mean(1) - m1.mean(1)""",
    ],
    "free_energy_solution": [
        """\
x = W.T @ S + b[:, None]
return -(a @ S) - (x.abs() + torch.log1p(torch.exp(-2 * x.abs()))).sum(0)""",
        """\
x = W.T @ S + b[:, None]
return -(a @ S) - (torch.nn.functional.softplus(2 * x) - x).sum(0)""",
    ],
}
