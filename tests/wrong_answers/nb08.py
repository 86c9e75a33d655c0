"""Notebook 08 (dense associative memory): wrong answers that must lose their points, with the phrase
the self-check prints for each, and correct answers written differently that keep them."""

MORE_WRONG = {
    "flip_energy_difference_solution": [
        # the derivative F'(x) = n x^(n-1) times the step, instead of the exact difference
        ("""\
x = xi.T @ s
return float((2 * n * s[i] * xi[i] * x ** (n - 1)).sum())""", "derivative"),
        # the step -2 xi_i^mu without s_i
        ("""\
x = xi.T @ s
x_new = x - 2 * xi[i]
return float(-(x_new ** n).sum() + (x ** n).sum())""", "depends on the sign of s_i"),
        # normalised overlaps m = x / N, as in the classical network
        ("""\
N = s.shape[0]
x = xi.T @ s / N
x_new = x - 2 * s[i] * xi[i] / N
return float(-(x_new ** n).sum() + (x ** n).sum())""", "not divided by N"),
        # the caller's state flipped and left flipped
        ("""\
E0 = -((xi.T @ s) ** n).sum()
s[i] = -s[i]
E1 = -((xi.T @ s) ** n).sum()
return float(E1 - E0)""", "modified in place"),
    ],
    "continuous_update_solution": [
        # attention's 1/sqrt(d) added
        ("""\
return X @ torch.softmax(beta * (X.T @ Q) / math.sqrt(X.shape[0]), dim=0)""", "no 1/sqrt(d)"),
        # a "stable" softmax that subtracts the maximum over the wrong dimension
        ("""\
z = beta * (X.T @ Q)
e = torch.exp(z - z.max(dim=1, keepdim=True).values)
return X @ (e / e.sum(dim=0, keepdim=True))""", "largest value over the queries"),
        # beta outside the softmax
        ("""\
return beta * (X @ torch.softmax(X.T @ Q, dim=0))""", "beta belongs inside"),
        # the caller's queries scaled in place
        ("""\
Q *= beta
return X @ torch.softmax(X.T @ Q, dim=0)""", "modified in place"),
    ],
    "retrieval_onset_solution": [
        # absolute instead of relative error
        ("""\
def worst_error(beta):
    new = torch.as_tensor(continuous_update(X, X, beta), dtype=torch.float64)
    return float((new - X).norm(dim=0).max())

low, high = 1e-3, 1e3
while high / low > 1.001:
    mid = math.sqrt(low * high)
    if worst_error(mid) <= eps:
        high = mid
    else:
        low = mid
return high""", "absolute error"),
        # eps = 0.01 of the notebook's own use hard-coded
        ("""\
def worst_error(beta):
    new = torch.as_tensor(continuous_update(X, X, beta), dtype=torch.float64)
    return float(((new - X).norm(dim=0) / X.norm(dim=0)).max())

low, high = 1e-3, 1e3
while high / low > 1.001:
    mid = math.sqrt(low * high)
    if worst_error(mid) <= 0.01:
        high = mid
    else:
        low = mid
return high""", "use the argument eps"),
        # norms over the rows (components) instead of the columns (patterns)
        ("""\
def worst_error(beta):
    new = torch.as_tensor(continuous_update(X, X, beta), dtype=torch.float64)
    return float(((new - X).norm(dim=1) / X.norm(dim=1)).max())

low, high = 1e-3, 1e3
while high / low > 1.001:
    mid = math.sqrt(low * high)
    if worst_error(mid) <= eps:
        high = mid
    else:
        low = mid
return high""", "wrong dimension"),
        # a coarse grid instead of a search to 1 %
        ("""\
for beta in np.geomspace(1e-3, 1e3, 60):
    new = torch.as_tensor(continuous_update(X, X, float(beta)), dtype=torch.float64)
    if float(((new - X).norm(dim=0) / X.norm(dim=0)).max()) <= eps:
        return float(beta)
return float("nan")""", "refine the search"),
    ],
}

RIGHT = {
    "flip_energy_difference_solution": [
        """\
t = s.clone()
t[i] = -t[i]
return float(-((xi.T @ t) ** n).sum() + ((xi.T @ s) ** n).sum())""",
        """\
total = 0.0
for mu in range(xi.shape[1]):
    x = float(xi[:, mu] @ s)
    total -= (x - 2 * float(s[i] * xi[i, mu])) ** n - x ** n
return total""",
    ],
    "continuous_update_solution": [
        """\
return X @ torch.softmax(beta * (Q.T @ X), dim=1).T""",
        """\
z = beta * (X.T @ Q)
w = torch.exp(z - z.max(dim=0, keepdim=True).values)
return X @ (w / w.sum(dim=0, keepdim=True))""",
        """\
z = beta * (X.T @ Q)
return X @ torch.exp(z - torch.logsumexp(z, dim=0, keepdim=True))""",
    ],
    "retrieval_onset_solution": [
        # bisection on log10 beta, a fixed number of halvings
        """\
def ok(beta):
    new = torch.as_tensor(continuous_update(X, X, beta), dtype=torch.float64)
    return float(((new - X).norm(dim=0) / X.norm(dim=0)).max()) <= eps

lo, hi = -3.0, 3.0
for _ in range(40):
    mid = (lo + hi) / 2
    lo, hi = (lo, mid) if ok(10 ** mid) else (mid, hi)
return 10 ** hi""",
        # a fine grid, then one refinement
        """\
import numpy as np
def worst(beta):
    new = torch.as_tensor(continuous_update(X, X, float(beta)), dtype=torch.float64)
    return float(((new - X).norm(dim=0) / X.norm(dim=0)).max())
grid = np.geomspace(1e-3, 1e3, 200)
k = next(k for k, b in enumerate(grid) if worst(b) <= eps)
fine = np.geomspace(grid[max(k - 1, 0)], grid[k], 200)
return float(next(b for b in fine if worst(b) <= eps))""",
    ],
}
