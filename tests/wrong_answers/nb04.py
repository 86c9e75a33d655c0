"""Notebook 04: more wrong answers (each loses its points, its self-check names the mistake) and
correct alternatives (each keeps its points). See tests/wrong_answers/__init__.py."""

MORE_WRONG = {
    "hybrid_step_solution": [
        # forgets "at least one": for k N < 1/2, round(k N) = 0 and the step updates nobody
        ("""\
N = S.shape[0]
rows = torch.randperm(N, generator=gen)[: round(k * N)]
h = NJ[rows] @ S
S = S.clone()
S[rows] = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[rows])).to(S.dtype)
return S""", "a step updates at least one"),
        # rounds k N up
        ("""\
import math
N = S.shape[0]
rows = torch.randperm(N, generator=gen)[: max(1, math.ceil(k * N))]
h = NJ[rows] @ S
S = S.clone()
S[rows] = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[rows])).to(S.dtype)
return S""", "ceil(k N)"),
        # takes N from the number of probes (columns of S)
        ("""\
N = S.shape[1]
rows = torch.randperm(N, generator=gen)[: max(1, round(k * N))]
h = NJ[rows] @ S
S = S.clone()
S[rows] = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[rows])).to(S.dtype)
return S""", "not the number of probes"),
        # right values, but writes into the caller's S (no copy)
        ("""\
N = S.shape[0]
rows = torch.randperm(N, generator=gen)[: max(1, round(k * N))]
h = NJ[rows] @ S
S[rows] = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[rows])).to(S.dtype)
return S""", "modified in place"),
    ],
    "classify_ending_solution": [
        # a trajectory of two states is called "still moving" before anything is compared
        ("""\
if len(states) < 3:
    return "still moving"
if torch.equal(states[-1], states[-2]):
    return "fixed"
if torch.equal(states[-1], states[-3]):
    return "2-cycle"
return "still moving"
""", "even with no state before them"),
        # "equal" read as "overlap close to 1"
        ("""\
def same(a, b):
    return float((a.double() * b.double()).mean()) > 0.9
if same(states[-1], states[-2]):
    return "fixed"
if len(states) >= 3 and same(states[-1], states[-3]):
    return "2-cycle"
return "still moving"
""", "nearly equal is not equal"),
        # wants to see the cycle twice: A, B, A, B
        ("""\
if torch.equal(states[-1], states[-2]):
    return "fixed"
if len(states) >= 4 and torch.equal(states[-1], states[-3]) and torch.equal(states[-2], states[-4]):
    return "2-cycle"
return "still moving"
""", "three states are enough"),
    ],
    "jacobi_iteration_solution": [
        # right values, but the neuron layer overwrites the caller's S
        ("""\
m_new = xi.T @ S / xi.shape[0]
h = xi @ m
S[h > 0] = 1.0
S[h < 0] = -1.0
return S, m_new""", "in place"),
        # divides by the number of probes
        ("""\
h = xi @ m
S_new = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S))
return S_new, xi.T @ S / S.shape[1]""", "number of probes"),
        # copies the lambda = 0 field of section 1: a self-term the bipartite network does not have
        ("""\
N, p = xi.shape
h = xi @ m - p / N * S
S_new = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S))
return S_new, xi.T @ S / N""", "self-term"),
    ],
}

RIGHT = {
    "hybrid_step_solution": [
        # a boolean mask and the full field
        """\
N = S.shape[0]
chosen = torch.zeros(N, dtype=torch.bool)
chosen[torch.randperm(N, generator=gen)[: max(1, round(k * N))]] = True
h = NJ @ S
new = torch.where(h > 0, torch.ones_like(S), torch.where(h < 0, -torch.ones_like(S), S))
return torch.where(chosen[:, None], new, S)""",
        # torch.sign, ties patched afterwards, in a copy
        """\
n = len(S)
rows = torch.randperm(n, generator=gen)[: max(1, int(round(k * n)))]
h = NJ[rows] @ S
decided = torch.sign(h)
decided[h == 0] = S[rows][h == 0]
out = S.clone()
out[rows] = decided
return out""",
    ],
    "classify_ending_solution": [
        """\
last = [s.tolist() for s in states[-3:]]
if last[-1] == last[-2]:
    return "fixed"
if len(last) == 3 and last[-1] == last[0]:
    return "2-cycle"
return "still moving"
""",
        """\
if bool((states[-1] == states[-2]).all()):
    return "fixed"
return "2-cycle" if len(states) > 2 and bool((states[-1] == states[-3]).all()) else "still moving"
""",
    ],
    "jacobi_iteration_solution": [
        """\
m_new = xi.T @ S / len(xi)
h = xi @ m
S_new = torch.sign(h) + (h == 0) * S
return (S_new, m_new)""",
        """\
h = torch.einsum("im,mc->ic", xi, m) / xi.shape[0]
S_new = S.clone()
S_new[h > 0] = 1.0
S_new[h < 0] = -1.0
return S_new, torch.einsum("im,ic->mc", xi, S) / xi.shape[0]""",
    ],
}
