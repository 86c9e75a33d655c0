"""Notebook 04's self-checks accept the solution (and correct answers written differently), reject
the stub and every plausible wrong answer, and name the mistake in their feedback."""
import math

import numpy as np
import torch
from exercise_cases import case_tests

from hopfield_lab import exercises as ex
from hopfield_lab.exercises import nb04

# --- hybrid_step -------------------------------------------------------------------------------

def hybrid_step(NJ, S, k, gen):
    rows = torch.randperm(S.shape[0], generator=gen)[: max(1, round(k * S.shape[0]))]
    h = NJ[rows] @ S
    S = S.clone()
    S[rows] = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[rows])).to(S.dtype)
    return S


def hybrid_step_numpy(NJ, S, k, gen):  # numpy arithmetic, a boolean mask, the subset still from gen
    n = S.shape[0]
    chosen = np.zeros(n, dtype=bool)
    chosen[torch.randperm(n, generator=gen)[: max(1, round(k * n))].numpy()] = True
    h = NJ.numpy() @ S.numpy()
    new = S.numpy().copy()
    new[chosen] = np.where(h[chosen] > 0, 1.0, np.where(h[chosen] < 0, -1.0, new[chosen]))
    return new


def hybrid_step_einsum(NJ, S, k, gen):  # full field by einsum, then a masked update
    n = S.shape[0]
    rows = torch.randperm(n, generator=gen)[: max(1, round(k * n))]
    h = torch.einsum("ij,jc->ic", NJ, S)
    mask = torch.zeros(n, 1, dtype=torch.bool)
    mask[rows] = True
    return torch.where(mask & (h != 0), torch.sign(h), S)


def _hybrid(mutate_rows=lambda rows: rows, decide=None, inplace=False, n_rows=None):
    def fn(NJ, S, k, gen):
        n = S.shape[0]
        rows = mutate_rows(torch.randperm(n, generator=gen)[: (n_rows or (lambda n, k: max(1, round(k * n))))(n, k)])
        h = NJ[rows] @ S
        out = S if inplace else S.clone()
        out[rows] = decide(h, S[rows]).to(S.dtype) if decide else torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[rows]))
        return out
    return fn


HYBRID_WRONG = [
    (lambda NJ, S, k, gen: torch.where(NJ @ S > 0, 1.0, -1.0).to(S.dtype), "changed with k = 0.25"),  # ignores k
    (lambda NJ, S, k, gen: hybrid_step(NJ, S, k, torch.Generator().manual_seed(0)), "given generator"),  # ignores gen
    (_hybrid(mutate_rows=lambda rows: rows[: len(rows) // 2]), "only part of the subset"),  # half of round(kN)
    (_hybrid(decide=lambda h, s: torch.where(h > 0, -1.0, torch.where(h < 0, 1.0, s))), "sign is flipped"),
    (_hybrid(decide=lambda h, s: torch.sign(h)), "0 (torch.sign(0) is 0)"),  # ties to 0
    (_hybrid(decide=lambda h, s: torch.where(h > 0, 1.0, -1.0)), "you set -1"),  # ties to -1
    (_hybrid(decide=lambda h, s: torch.where(h >= 0, 1.0, -1.0)), "you set +1"),  # ties to +1
    (_hybrid(inplace=True), "modified in place"),
    (_hybrid(n_rows=lambda n, k: int(k * n)), "int(k N)"),  # floor instead of round
    (lambda NJ, S, k, gen: _with_replacement(NJ, S, k, gen), "with replacement"),
    (lambda NJ, S, k, gen: _per_probe(NJ, S, k, gen), "different neurons"),
    (lambda NJ, S, k, gen: _sequential(NJ, S, k, gen), "from the old state"),
    (_hybrid(n_rows=lambda n, k: round(k * n)), "a step updates at least one"),  # no max(1, .): k N < 1/2 updates nobody
    (_hybrid(n_rows=lambda n, k: max(1, math.ceil(k * n))), "ceil(k N)"),  # rounds up
    (lambda NJ, S, k, gen: _probes_as_n(NJ, S, k, gen), "not the number of probes"),  # N = S.shape[1]
]


def _probes_as_n(NJ, S, k, gen):  # takes N from the columns (probes) of S
    n = S.shape[1]
    rows = torch.randperm(n, generator=gen)[: max(1, round(k * n))]
    return _hybrid(mutate_rows=lambda _: rows)(NJ, S, k, gen)


def _with_replacement(NJ, S, k, gen):
    rows = torch.randint(0, S.shape[0], (max(1, round(k * S.shape[0])),), generator=gen)
    return _hybrid(mutate_rows=lambda _: rows)(NJ, S, k, gen)


def _per_probe(NJ, S, k, gen):  # an independent random subset for every probe
    out = S.clone()
    for c in range(S.shape[1]):
        out[:, c:c + 1] = hybrid_step(NJ, S[:, c:c + 1], k, gen)
    return out


def _sequential(NJ, S, k, gen):  # updates the chosen neurons one by one from the newest state
    S = S.clone()
    for i in torch.randperm(S.shape[0], generator=gen)[: max(1, round(k * S.shape[0]))].tolist():
        h = NJ[i] @ S
        S[i] = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[i]))
    return S


# --- classify_ending ---------------------------------------------------------------------------

def classify_ending(states):
    if torch.equal(states[-1], states[-2]):
        return "fixed"
    if len(states) >= 3 and torch.equal(states[-1], states[-3]):
        return "2-cycle"
    return "still moving"


def classify_ending_numpy(states):
    s = np.asarray(torch.stack(list(states)) if isinstance(states, (list, tuple)) else states)
    if (s[-1] == s[-2]).all():
        return "fixed"
    return "2-cycle" if len(s) >= 3 and np.array_equal(s[-1], s[-3]) else "still moving"


def classify_ending_hamming(states):  # by counting differing neurons
    d1 = int((states[-1] != states[-2]).sum())
    d2 = int((states[-1] != states[-3]).sum()) if len(states) > 2 else -1
    return "fixed" if d1 == 0 else "2-cycle" if d2 == 0 else "still moving"


def _ending(order):
    def fn(states):
        tests = {"fixed": lambda: torch.equal(states[-1], states[-2]),
                 "2-cycle": lambda: len(states) >= 3 and torch.equal(states[-1], states[-3])}
        return next((name for name in order if tests[name]()), "still moving")
    return fn


ENDING_WRONG = [
    (_ending(["2-cycle", "fixed"]), "test 'fixed' first"),  # S(t+1) = S(t-1) first: fixed points read as 2-cycles
    (lambda st: "fixed" if torch.equal(st[-1], st[-2]) else "2-cycle" if torch.equal(st[-1], st[0]) else "still moving",
     "not with the first state"),
    (lambda st: "fixed" if bool((st[-1] == st[-2]).any()) else "2-cycle" if len(st) > 2 and bool((st[-1] == st[-3]).any())
     else "still moving", "every neuron agrees"),
    (lambda st: "fixed point" if torch.equal(st[-1], st[-2]) else "cycle", "return one of the strings"),
    (lambda st: "fixed" if torch.equal(st[-1], st[-2]) else "2-cycle" if torch.equal(st[-1], st[-3]) else "still moving",
     "raised IndexError"),  # fails on two states
    (lambda st: "fixed" if torch.equal(st[-1], st[-2]) else "2-cycle", "still moving"),  # never "still moving"
    (lambda st: "still moving" if len(st) < 3 else _ending(["fixed", "2-cycle"])(st), "even with no state before them"),
    (lambda st: "fixed" if float((st[-1] * st[-2]).double().mean()) > 0.9 else
     "2-cycle" if len(st) > 2 and float((st[-1] * st[-3]).double().mean()) > 0.9 else "still moving",
     "nearly equal is not equal"),  # overlap close to 1 taken for equality
    (lambda st: "fixed" if torch.equal(st[-1], st[-2]) else
     "2-cycle" if len(st) >= 4 and torch.equal(st[-1], st[-3]) and torch.equal(st[-2], st[-4]) else "still moving",
     "three states are enough"),  # wants to see the cycle twice
]


# --- jacobi_iteration --------------------------------------------------------------------------

def jacobi_iteration(xi, S, m):
    h = xi @ m
    return torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S)), xi.T @ S / xi.shape[0]


def jacobi_iteration_numpy(xi, S, m):
    x, s = xi.numpy(), S.numpy()
    h = x @ m.numpy()
    return np.where(h > 0, 1.0, np.where(h < 0, -1.0, s)), x.T @ s / x.shape[0]


def jacobi_iteration_einsum(xi, S, m):
    h = torch.einsum("im,mc->ic", xi, m)
    return torch.where(h == 0, S, torch.sign(h)), torch.einsum("im,ic->mc", xi, S) / len(xi)


def _jac(s_new=None, m_new=None, wrap=tuple):
    def fn(xi, S, m):
        n = xi.shape[0]
        s1 = s_new(xi, S, m) if s_new else jacobi_iteration(xi, S, m)[0]
        m1 = m_new(xi, S, m, s1) if m_new else xi.T @ S / n
        return wrap((s1, m1))
    return fn


JACOBI_WRONG = [
    (_jac(m_new=lambda xi, S, m, s1: xi.T @ s1 / xi.shape[0]), "NEW S"),  # even-odd
    (_jac(s_new=lambda xi, S, m: torch.sign(xi @ m), m_new=lambda xi, S, m, s1: xi.T @ S), "0 (torch.sign(0) is 0)"),
    (_jac(s_new=lambda xi, S, m: torch.sign(xi @ m)), "0 (torch.sign(0) is 0)"),  # ties to 0
    (_jac(s_new=lambda xi, S, m: torch.where(xi @ m > 0, 1.0, -1.0)), "you set -1"),  # ties to -1
    (_jac(s_new=lambda xi, S, m: torch.where(xi @ m >= 0, 1.0, -1.0)), "you set +1"),  # ties to +1
    (_jac(s_new=lambda xi, S, m: -jacobi_iteration(xi, S, m)[0]), "sign is flipped"),
    (_jac(m_new=lambda xi, S, m, s1: xi.T @ S / (xi.shape[0] - 1)), "divided by N - 1"),
    (_jac(m_new=lambda xi, S, m, s1: xi.T @ S / xi.shape[1]), "divided by p"),
    (_jac(m_new=lambda xi, S, m, s1: xi.T @ S), "N times too large"),
    (_jac(m_new=lambda xi, S, m, s1: m), "equals the m you were given"),
    (_jac(s_new=lambda xi, S, m: jacobi_iteration(xi, S, xi.T @ S / xi.shape[0])[0]), "new m"),
    (_jac(wrap=list), "list"),
    (lambda xi, S, m: jacobi_iteration(xi, S, m)[::-1], "shape"),  # (m_new, S_new)
    (lambda xi, S, m: _jacobi_in_place(xi, S, m), "in place"),
    (_jac(m_new=lambda xi, S, m, s1: xi.T @ S / S.shape[1]), "number of probes"),
    (_jac(s_new=lambda xi, S, m: _sign_keep(xi @ m - xi.shape[1] / xi.shape[0] * S, S)), "self-term"),  # lambda = 0's field
]


def _sign_keep(h, S):
    return torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S))


def _jacobi_in_place(xi, S, m):  # right values, but the caller's S is overwritten
    m_new = xi.T @ S / xi.shape[0]
    h = xi @ m
    S[h > 0] = 1.0
    S[h < 0] = -1.0
    return S, m_new


CASES = {
    ex.check_hybrid_step: (hybrid_step, [hybrid_step_numpy, hybrid_step_einsum], HYBRID_WRONG),
    ex.check_classify_ending: (classify_ending, [classify_ending_numpy, classify_ending_hamming], ENDING_WRONG),
    ex.check_jacobi_iteration: (jacobi_iteration, [jacobi_iteration_numpy, jacobi_iteration_einsum], JACOBI_WRONG),
}


(test_check_accepts_solution_rejects_stub_and_wrong_answers,
 test_correct_answers_written_differently_pass) = case_tests(CASES)


def test_the_cases_contain_ties_and_a_subset_where_every_neuron_flips():
    cases = nb04.hybrid_cases()
    (nj, s, _), (nj_u, s_u, _) = cases[0], cases[2]
    assert any(round(k * s_k.shape[0]) == 0 for _, s_k, k in cases)  # a k N < 1/2: at least one neuron must still update
    assert int(((nj @ s) == 0).sum()) >= s.shape[1]  # ties occur (the disconnected neuron, at least)
    assert bool(((nj_u @ s_u) * s_u < 0).all())  # every neuron unstable: the flips count the rows updated
    assert any(bool(((xi @ m) == 0).any()) for xi, _, m in nb04.jacobi_cases())
    assert bool(((nb04.jacobi_cases()[1][0] @ nb04.jacobi_cases()[1][2]) == 0).any(0).all())  # a tie in every probe


def test_the_wrong_answers_differ_from_the_solution_on_the_cases():
    """Each wrong answer is wrong (not just reported as wrong): it differs somewhere on the cases."""
    for nj, s, k in nb04.hybrid_cases():
        right = hybrid_step(nj, s.clone(), k, torch.Generator().manual_seed(1))
        assert right.shape == s.shape
    for name, states, want, _ in nb04.ending_cases():
        assert classify_ending(states) == want, name
