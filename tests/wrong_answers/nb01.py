"""Notebook 01: more wrong answers and correct alternatives (see tests/wrong_answers/__init__.py)."""

MORE_WRONG = {
    "hebbian_weights_solution": [
        # replaces W in the loop instead of adding: only the last pattern is stored
        ("""\
n, p = patterns.shape
W = torch.zeros(n, n, dtype=patterns.dtype)
for k in range(p):
    W = torch.outer(patterns[:, k], patterns[:, k])
W.fill_diagonal_(0)
return W""", "only one pattern"),
        # subtracts the number p from every entry, not from the diagonal only
        ("""\
return patterns @ patterns.T - patterns.shape[1]""", "every entry"),
        # subtracts torch.diag(W), a vector, which broadcasts over every row
        ("""\
W = patterns @ patterns.T
return W - torch.diag(W)""", "every entry"),
        # normalizes the caller's patterns in place ([V20]'s 1/N)
        ("""\
n, p = patterns.shape
patterns /= n ** 0.5
return patterns @ patterns.T - p / n * torch.eye(n, dtype=patterns.dtype)""", "changed the patterns"),
    ],
    "network_energy_solution": [
        # each pair once, diagonal left out: right only for a symmetric W with zero diagonal
        ("""\
n = len(s)
return -sum(float(W[i, j] * s[i] * s[j]) for i in range(n) for j in range(i + 1, n))""", "i = j terms"),
        # zeroes the caller's diagonal first, "as in Hebb's rule"
        ("""\
W.fill_diagonal_(0)
return float(-0.5 * s @ W @ s)""", "changed W"),
        # broadcasting: s * W * s multiplies along the same axis twice
        ("""\
return float(-0.5 * (s * W * s).sum())""", "broadcasting"),
        # [V20]'s 1/N where the task has none
        ("""\
return float(-0.5 * s @ W @ s / len(s))""", "divided by N"),
    ],
}

RIGHT = {
    "hebbian_weights_solution": [
        """\
W = patterns @ patterns.T
return W - torch.diag(torch.diag(W))""",
        """\
n, p = patterns.shape
W = torch.zeros(n, n, dtype=patterns.dtype)
for k in range(p):
    W += torch.outer(patterns[:, k], patterns[:, k])
return W.fill_diagonal_(0)""",
        """\
return torch.einsum("ik,jk->ij", patterns, patterns) * (1 - torch.eye(patterns.shape[0], dtype=patterns.dtype))""",
    ],
    "network_energy_solution": [
        """\
return float(-0.5 * torch.dot(s, W @ s))""",
        """\
return -0.5 * (s[:, None] * W * s[None, :]).sum()""",
        """\
return -float((W * torch.outer(s, s)).sum()) / 2""",
    ],
}
