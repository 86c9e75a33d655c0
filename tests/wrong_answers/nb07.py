"""Notebook 07 (learning rules): wrong answers that must lose their points, with the phrase the
self-check prints for each, and correct answers written differently that keep them."""

MORE_WRONG = {
    "stable_fraction_solution": [
        # tol hard-coded: the default works, another tol is ignored
        ("""\
return float(((W @ X) * X > 1e-9).all(dim=0).double().mean())""", "you ignored the tol argument"),
        # the diagonal removed "because Hopfield nets have none": a self-coupling in W is part of the field
        ("""\
W = W.clone()
W.fill_diagonal_(0)
return float(((W @ X) * X > tol).all(dim=0).double().mean())""", "do not remove it"),
        # the aligned fields written into the caller's X
        ("""\
X *= W @ X
return float((X > tol).all(dim=0).double().mean())""", "changed W or X in place"),
        # sign comparison: a field of 1e-17 counts as agreeing
        ("""\
return float((torch.sign(W @ X) == X).all(dim=0).double().mean())""", "rounding left at ~1e-17"),
    ],
    "projection_weights_solution": [
        # normalising the caller's patterns in place (the projector itself is unchanged by it)
        ("""\
X /= X.norm(dim=0)
return X @ torch.linalg.solve(X.T @ X, X.T)""", "changed X in place"),
        # Hebb's 1/N carried over
        ("""\
return X @ torch.linalg.solve(X.T @ X, X.T) / X.shape[0]""", "scaled by 1/N"),
        # single precision
        ("""\
Xf = X.float()
return Xf @ torch.linalg.solve(Xf.T @ Xf, Xf.T)""", "single precision"),
        # the overlap matrix without its diagonal, "like the weights"
        ("""\
G = X.T @ X
G.fill_diagonal_(0)
return X @ torch.linalg.solve(G, X.T)""", "keeps its diagonal"),
    ],
    "storkey_step_solution": [
        # H used for both terms: x_i h_ij instead of x_i h_ji
        ("""\
N = x.shape[0]
h = W @ x
H = h[:, None] - W * x[None, :]
W_new = W + (torch.outer(x, x) - x[:, None] * H - H * x[None, :]) / N
W_new.fill_diagonal_(0)
return W_new""", "transposed, not the matrix itself"),
        # the update written into the caller's W
        ("""\
N = x.shape[0]
h = W @ x
H = h[:, None] - W * x[None, :]
W += (torch.outer(x, x) - x[:, None] * H.T - H * x[None, :]) / N
W.fill_diagonal_(0)
return W""", "W was modified in place"),
        # h_ij = h_i - w_ij x_i: the pattern broadcast along the wrong index
        ("""\
N = x.shape[0]
h = W @ x
H = h[:, None] - W * x[:, None]
W_new = W + (torch.outer(x, x) - x[:, None] * H.T - H * x[None, :]) / N
W_new.fill_diagonal_(0)
return W_new""", "not w_ij x_i"),
    ],
}

RIGHT = {
    "stable_fraction_solution": [
        """\
return (((W @ X) * X) > tol).all(0).float().mean().item()""",
        """\
import numpy as np
W, X = np.asarray(W), np.asarray(X)
return float(np.mean([np.all(X[:, k] * (W @ X[:, k]) > tol) for k in range(X.shape[1])]))""",
        """\
h = torch.einsum("ij,jk->ik", W, X)
return torch.mean(torch.all(h * X > tol, dim=0).double())""",
    ],
    "projection_weights_solution": [
        """\
return X @ torch.linalg.inv(X.T @ X) @ X.T""",
        """\
return X @ torch.linalg.pinv(X)""",
        """\
Q, _ = torch.linalg.qr(X)
return Q @ Q.T""",
        """\
return X @ torch.linalg.lstsq(X.T @ X, X.T).solution""",
    ],
    "storkey_step_solution": [
        # the rank-2 form (W symmetric, x_i^2 = 1)
        """\
N = x.shape[0]
h = W @ x
W_new = (1 + 2 / N) * W + (torch.outer(x, x) - torch.outer(x, h) - torch.outer(h, x)) / N
W_new.fill_diagonal_(0)
return W_new""",
        # the formula as printed, loops
        """\
N = x.shape[0]
new = W.clone()
for i in range(N):
    for j in range(N):
        if i != j:
            h_ij = sum(W[i, k] * x[k] for k in range(N) if k not in (i, j))
            h_ji = sum(W[j, k] * x[k] for k in range(N) if k not in (i, j))
            new[i, j] = W[i, j] + (x[i] * x[j] - x[i] * h_ji - h_ij * x[j]) / N
return new""",
    ],
}
