"""Notebook 06 (temperature): more wrong answers, each with the phrase its self-check must print,
and correct answers written differently (see tests/wrong_answers/__init__.py)."""

MORE_WRONG = {
    "glauber_probability_solution": [
        # h /= T divides the caller's fields
        ("""\
if T == 0:
    return 0.5 * (1 + torch.sign(h))
h /= T
return 0.5 * (1 + torch.tanh(h))""", "changed the fields h"),
        # torch.heaviside with 0 at the tie
        ("""\
if T == 0:
    return torch.heaviside(h, torch.zeros_like(h))
return 0.5 * (1 + torch.tanh(h / T))""", "a tie has P(+1) = 1/2"),
        # the logistic form without a T = 0 branch: 0 / 0 at a tie
        ("return torch.sigmoid(2 * h / T)", "NaN"),
        # a tie counted as +1
        ("""\
if T == 0:
    return (h >= 0).to(h.dtype)
return 0.5 * (1 + torch.tanh(h / T))""", "a tie has P(+1) = 1/2"),
    ],
    "glauber_step_solution": [
        # writes into the caller's S
        ("""\
n, p = xi.shape
h = (xi[rows] @ (xi.T @ S) - p * S[rows]) / n
S[rows] = torch.where(u < glauber_probability(h, T), 1.0, -1.0).to(S.dtype)
return S""", "changed the caller's S in place"),
        # notebook 02's deterministic rule at T = 0: a tie keeps its state
        ("""\
n, p = xi.shape
h = (xi[rows] @ (xi.T @ S) - p * S[rows]) / n
new = S.clone()
if T == 0:
    new[rows] = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S[rows])).to(S.dtype)
else:
    new[rows] = torch.where(u < glauber_probability(h, T), 1.0, -1.0).to(S.dtype)
return new""", "a field of exactly 0 kept"),
        # one row after the other, each from the state already changed
        ("""\
n, p = xi.shape
new = S.clone()
for k, i in enumerate(rows.tolist()):
    h = (xi[i] @ (xi.T @ new) - p * new[i]) / n
    new[i] = torch.where(u[k] < glauber_probability(h, T), 1.0, -1.0).to(S.dtype)
return new""", "one after the other"),
        # W = xi xi^T - I: one S_i subtracted instead of p S_i
        ("""\
n, p = xi.shape
h = (xi[rows] @ (xi.T @ S) - S[rows]) / n
new = S.clone()
new[rows] = torch.where(u < glauber_probability(h, T), 1.0, -1.0).to(S.dtype)
return new""", "you subtracted S[rows] once"),
        # divides by N + 1 (as if a bias unit were counted): a 2.5 % scale error that random u rarely notice
        ("""\
n, p = xi.shape
h = (xi[rows] @ (xi.T @ S) - p * S[rows]) / (n + 1)
new = S.clone()
new[rows] = torch.where(u < glauber_probability(h, T), 1.0, -1.0).to(S.dtype)
return new""", "divided by a number close to N but not N"),
    ],
    "mean_field_overlap_solution": [
        # no abs: from m = 1 the iterates fall, so the loop stops after one step
        ("""\
m = 1.0
while True:
    new = math.tanh(m / T)
    if new - m < 1e-12:
        return new
    m = new""", "one step from m = 1"),
        # stops at steps of 1e-6: far from converged near T_c
        ("""\
m = 1.0
for _ in range(100_000):
    new = math.tanh(m / T)
    if abs(new - m) < 1e-6:
        return new
    m = new
return m""", "not converged"),
        # the division outside the tanh
        ("""\
m = 1.0
for _ in range(100_000):
    new = math.tanh(m) / T
    if abs(new - m) < 1e-12:
        return new
    m = new
return m""", "tanh(m) / T"),
    ],
    "critical_temperature_solution": [
        # m > 0 as "ordered": a solver's leftover 1e-9 above T_c counts as order
        ("""\
while hi - lo > 1e-5:
    mid = (lo + hi) / 2
    if solve(mid) > 0:
        lo = mid
    else:
        hi = mid
return (lo + hi) / 2""", "not exactly 0"),
        # a grid of 100 temperatures instead of a bisection
        ("""\
for T in np.linspace(lo, hi, 100):
    if solve(T) <= 1e-3:
        return float(T)
return hi""", "more than the 1e-4"),
        # the bracket of m = tanh(m / T) whatever lo and hi are
        ("""\
lo, hi = 0.5, 1.5
while hi - lo > 1e-5:
    mid = (lo + hi) / 2
    if solve(mid) > 1e-3:
        lo = mid
    else:
        hi = mid
return (lo + hi) / 2""", "outside the bracket"),
        # stops when the interval is shorter than 1e-3
        ("""\
while hi - lo > 1e-3:
    mid = (lo + hi) / 2
    if solve(mid) > 1e-3:
        lo = mid
    else:
        hi = mid
return (lo + hi) / 2""", "more than the 1e-4"),
    ],
}

RIGHT = {
    "glauber_probability_solution": [
        # a vanishing temperature instead of a T = 0 branch: tanh(+-inf) = +-1, tanh(0) = 0
        "return 0.5 * (1 + torch.tanh(h / max(T, 1e-300)))",
        """\
if T == 0:
    return torch.where(h > 0, 1.0, torch.where(h < 0, 0.0, 0.5)).to(h.dtype)
return 1 / (1 + torch.exp(-2 * h / T))""",
    ],
    "glauber_step_solution": [
        # the dense coupling matrix
        """\
n, p = xi.shape
J = (xi @ xi.T - p * torch.eye(n, dtype=xi.dtype)) / n
h = J[rows] @ S
new = S.clone()
new[rows] = 2.0 * (u < glauber_probability(h, T)).to(S.dtype) - 1.0
return new""",
        # overlaps first, then a mask over the whole state
        """\
n, p = xi.shape
m = xi.T @ S
h = (xi[rows] @ m - p * S[rows]) / n
full = S.clone()
full[rows] = torch.where(u < glauber_probability(h, T), 1.0, -1.0).to(S.dtype)
return full""",
    ],
    "mean_field_overlap_solution": [
        # Newton's method on f(m) = m - tanh(m / T) from m = 1 (0 above T_c)
        """\
if T >= 1:
    return 0.0
m = 1.0
for _ in range(200):
    t = math.tanh(m / T)
    step = (m - t) / (1 - (1 - t * t) / T)
    m -= step
    if abs(step) < 1e-14:
        break
return m""",
        """\
m, new = 0.9, math.tanh(0.9 / T)
steps = 0
while abs(new - m) >= 1e-12 and steps < 100_000:
    m, new = new, math.tanh(new / T)
    steps += 1
return new""",
    ],
    "critical_temperature_solution": [
        # recursion
        """\
if hi - lo < 1e-6:
    return (lo + hi) / 2
mid = (lo + hi) / 2
if solve(mid) > 1e-3:
    return critical_temperature(solve, mid, hi)
return critical_temperature(solve, lo, mid)""",
        # a fixed number of halvings, the lower end returned
        """\
for _ in range(40):
    mid = 0.5 * (lo + hi)
    lo, hi = (mid, hi) if solve(mid) > 1e-3 else (lo, mid)
return lo""",
    ],
}
