"""Wrong answers for the nbgrader workflow test: grade_id of a solution cell -> what a student
who got it wrong writes in place of the stub (``# YOUR CODE HERE`` / ``raise
NotImplementedError()``) of the released notebook; indented like the stub by the test. A cell
with several solution regions takes a tuple, one answer per region, in order.

Each is a mistake students make (issue 12 names the first three); autograde must score the
graded test cell after it below full points. Every code solution cell of every exercise
notebook needs an entry: the workflow test names the ones that have none.
"""

WRONG = {
    # Each answer makes one mistake and uses none of the student's other functions (they are
    # wrong too in the test's "wrong" submission), so its own mistake is what costs the points.

    # 00: seeds the global random state (torch.manual_seed) instead of a generator of its own
    "random_symmetric_solution": """\
torch.manual_seed(seed)
a = torch.randn(n, n, dtype=torch.float64)
return (a + a.T) / 2""",

    # 00: the slope of the last two points, not the least-squares fit through all of them
    "fit_slope_solution": """\
return float(np.log(seconds[-1] / seconds[-2]) / np.log(sizes[-1] / sizes[-2]))""",

    # 01: forgets to remove the self-connections (-p I)
    "hebbian_weights_solution": """\
return patterns @ patterns.T""",

    # 01: forgets the factor 1/2
    "network_energy_solution": """\
return float(-(s @ W @ s))""",

    # 04: updates half of round(kN) neurons ("at most round(kN)" is not "exactly")
    "hybrid_step_solution": """\
N = S.shape[0]
rows = torch.randperm(N, generator=gen)[: max(1, round(k * N) // 2)]
h = NJ[rows] @ S
S = S.clone()
S[rows] = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[rows])).to(S.dtype)
return S""",

    # 04: looks for a 2-cycle before a fixed point: a fixed point also repeats two steps back
    "classify_ending_solution": """\
if len(states) >= 3 and torch.equal(states[-1], states[-3]):
    return "2-cycle"
if torch.equal(states[-1], states[-2]):
    return "fixed"
return "still moving"
""",

    # 04: torch.sign maps a tie (a field of exactly 0) to 0 instead of keeping the neuron's state
    "jacobi_iteration_solution": """\
return torch.sign(xi @ m), xi.T @ S / xi.shape[0]""",

    # 05: forgets -pI: the field of a pattern on itself counted p times too often
    "aligned_fields_solution": """\
return xi * (xi @ (xi.T @ xi))""",

    # 05: checks the first pattern only - the all-vs-one distinction the notebook teaches
    "all_patterns_stable_solution": """\
p = xi.shape[1]
h = xi @ (xi.T @ xi[:, :1]) - p * xi[:, :1]
return bool((h * xi[:, :1] > 0).all())""",

    # 05: p terms of crosstalk instead of p - 1 (the pattern's own term is signal, not noise)
    "crosstalk_variance_solution": """\
return p / n""",

    # 05: the Gaussian tail without the sqrt(2) of erfc's argument
    "bit_error_probability_solution": """\
return 0.5 * math.erfc(math.sqrt(n / (p - 1)))""",

    # 05: the union bound over the N bits of one pattern, also when all p patterns must hold
    "union_bound_capacity_solution": """\
lo, hi = 2.0, float(n)
while hi - lo > 1e-6:
    mid = (lo + hi) / 2
    if n * 0.5 * math.erfc(math.sqrt(n / (mid - 1)) / math.sqrt(2)) < 1:
        lo = mid
    else:
        hi = mid
return (lo + hi) / 2""",

    # 06: the logistic function without the factor 2: P = 1 / (1 + exp(-h / T))
    "glauber_probability_solution": """\
if T == 0:
    return 0.5 * (1 + torch.sign(h))
return 1 / (1 + torch.exp(-h / T))""",

    # 06: forgets the self-coupling: the field includes the neuron's own p S_i / N
    "glauber_step_solution": """\
n, p = xi.shape
h = xi[rows] @ (xi.T @ S) / n
prob = 0.5 * (1 + torch.sign(h)) if T == 0 else 0.5 * (1 + torch.tanh(h / T))
S = S.clone()
S[rows] = torch.where(u < prob, 1.0, -1.0).to(S.dtype)
return S""",

    # 06: starts the iteration at m = 0, which is a solution at every T: it never leaves it
    "mean_field_overlap_solution": """\
m = 0.0
for _ in range(100_000):
    new = math.tanh(m / T)
    if abs(new - m) < 1e-12:
        return new
    m = new
return m""",

    # 06: bisection that moves the wrong end: it runs away from T_c to an end of the bracket
    "critical_temperature_solution": """\
while hi - lo > 1e-5:
    mid = (lo + hi) / 2
    if solve(mid) > 1e-3:
        hi = mid
    else:
        lo = mid
return (lo + hi) / 2""",

    # 07: the fraction of stable bits, not of patterns whose every bit is stable
    "stable_fraction_solution": """\
return float(((W @ X) * X > tol).double().mean())""",

    # 07: Hebb's rule instead of the projection (the inverse of the overlap matrix forgotten)
    "projection_weights_solution": """\
return X @ X.T / X.shape[0]""",

    # 07: Storkey's step without the local-field terms: Hebb's increment
    "storkey_step_solution": """\
W_new = W + torch.outer(x, x) / x.shape[0]
W_new.fill_diagonal_(0)
return W_new""",

    # 08: flipping s_i changes each overlap by s_i xi_i, not by 2 s_i xi_i
    "flip_energy_difference_solution": """\
x = xi.T @ s
x_new = x - s[i] * xi[i]
return float(-(x_new ** n).sum() + (x ** n).sum())""",

    # 08: the softmax over the queries instead of over the stored patterns
    "continuous_update_solution": """\
return X @ torch.softmax(beta * (X.T @ Q), dim=1)""",

    # 08: the average pattern within eps instead of every pattern (the worst one)
    "retrieval_onset_solution": """\
def mean_error(beta):
    new = X @ torch.softmax(beta * (X.T @ X), dim=0)
    return float(((new - X).norm(dim=0) / X.norm(dim=0)).mean())

low, high = 1e-3, 1e3
while high / low > 1.001:
    mid = math.sqrt(low * high)
    if mean_error(mid) <= eps:
        high = mid
    else:
        low = mid
return high""",

    # 09: the 0/1 rule sigmoid(x), without the factor 2 of +/-1 units
    "sample_hidden_solution": """\
p = torch.sigmoid(W.T @ S + b[:, None])
return torch.where(u < p, 1.0, -1.0).to(p.dtype)""",

    # 09: reconstruction minus data (the likelihood goes down); written out, no sample_hidden
    "cd1_gradient_solution": """\
H0 = torch.where(u_hidden < torch.sigmoid(2 * (W.T @ S + b[:, None])), 1.0, -1.0).double()
S1 = torch.where(u_visible < torch.sigmoid(2 * (W @ H0 + a[:, None])), 1.0, -1.0).double()
m0, m1 = torch.tanh(W.T @ S + b[:, None]), torch.tanh(W.T @ S1 + b[:, None])
return (S1 @ m1.T - S @ m0.T) / S.shape[1], (S1 - S).mean(1), (m1 - m0).mean(1)""",

    # 09: log(2 cosh x) computed directly: overflows for large fields
    "free_energy_solution": """\
x = W.T @ S + b[:, None]
return -(a @ S) - torch.log(2 * torch.cosh(x)).sum(0)""",
}


def more_wrong(k):
    """{grade_id: answer}: the k-th (0-based) of the new wrong answers of tests/wrong_answers/nbXX.py for
    every exercise, so nbgrader's own autograde grades three wrong answers per exercise: WRONG above and
    the first two of these (tests/test_nbgrader_workflow.py's students "wrong2" and "wrong3")."""
    import importlib
    import pkgutil

    import wrong_answers

    answers = {}
    for module in pkgutil.iter_modules(wrong_answers.__path__):
        for grade_id, wrong in getattr(importlib.import_module(f"wrong_answers.{module.name}"), "MORE_WRONG", {}).items():
            answers[grade_id] = wrong[k][0]
    return answers
