"""Notebook 05 (perfect-recall capacity): more wrong answers, each with the phrase its self-check
must print, and correct answers written differently (see tests/wrong_answers/__init__.py)."""

MORE_WRONG = {
    "aligned_fields_solution": [
        # removes the pattern's overlap with itself (its signal N) instead of the diagonal p of W
        ("""\
overlaps = xi.T @ xi
overlaps.fill_diagonal_(0)
return xi * (xi @ overlaps)""", "N - p too small"),
        # subtracts N xi: the wrong dimension of xi taken for p
        ("""\
n = xi.shape[0]
return xi * (xi @ (xi.T @ xi) - n * xi)""", "N - p too small"),
        # multiplies into the caller's xi (the next cell's patterns are then the aligned fields)
        ("""\
p = xi.shape[1]
h = xi @ (xi.T @ xi) - p * xi
xi *= h
return xi""", "changed in place"),
        # one aligned field per neuron, summed over the patterns
        ("""\
p = xi.shape[1]
return (xi * (xi @ (xi.T @ xi) - p * xi)).sum(1)""", "summed over the patterns"),
    ],
    "all_patterns_stable_solution": [
        # a field of exactly 0 counted as stable
        ("return bool((aligned_fields(xi) >= 0).all())", "exactly 0"),
        # any bit stable instead of every bit
        ("return bool((aligned_fields(xi) > 0).any())", "not .any()"),
        # 99 % of the bits stable is "good enough"
        ("return bool((aligned_fields(xi) > 0).double().mean() > 0.99)", "not 99 % of them"),
        # most patterns exact instead of all
        ("return bool((aligned_fields(xi) > 0).all(0).double().mean() > 0.5)", "only some patterns"),
    ],
    "crosstalk_variance_solution": [
        ("return (p - 1) // n", "integer division"),
        # each +-1/N term given variance 1/N instead of 1/N^2
        ("return (n - 1) * (p - 1) / n", "variance is 1/N^2"),
        # counts only the p - 1 other patterns, not the (N - 1)(p - 1) terms
        ("return (p - 1) / n ** 2", "you counted p - 1 terms"),
    ],
    "bit_error_probability_solution": [
        # both tails
        ("return math.erfc(math.sqrt(n / (p - 1)) / math.sqrt(2))", "two-sided"),
        # erf for erfc
        ("return 0.5 * math.erf(math.sqrt(n / (p - 1)) / math.sqrt(2))", "erf is not erfc"),
        # 1 - CDF: right on paper, no digits left far out in the tail (N = 10^9 in the notebook)
        ("return 1 - 0.5 * (1 + math.erf(math.sqrt(n / (p - 1)) / math.sqrt(2)))", "lost its digits"),
        # the density at x instead of the tail beyond it
        ("""\
x = math.sqrt(n / (p - 1))
return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)""", "Gaussian density"),
        # torch's normal CDF: the same cancellation
        ("return float(torch.special.ndtr(torch.tensor(-math.sqrt(n / (p - 1)), dtype=torch.float64)))",
         "lost its digits"),
    ],
    "union_bound_capacity_solution": [
        # ignores expected_errors: always one expected unstable bit
        ("""\
lo, hi = 2.0, float(n)
while hi - lo > 1e-6:
    mid = (lo + hi) / 2
    expected = (n * mid if all_patterns else n) * bit_error_probability(n, mid)
    if expected < 1:
        lo = mid
    else:
        hi = mid
return (lo + hi) / 2""", "you solved for 1 expected unstable bit"),
        # the largest whole number p below the target, not the real root
        ("""\
p = 2
while (n * (p + 1) if all_patterns else n) * bit_error_probability(n, p + 1) <= expected_errors:
    p += 1
return p""", "whole number"),
        # stops when the interval is shorter than 1
        ("""\
lo, hi = 2.0, float(n)
while hi - lo > 1:
    mid = (lo + hi) / 2
    if (n * mid if all_patterns else n) * bit_error_probability(n, mid) < expected_errors:
        lo = mid
    else:
        hi = mid
return (lo + hi) / 2""", "not to within 0.01"),
        # moves the wrong end of the interval
        ("""\
lo, hi = 2.0, float(n)
while hi - lo > 1e-6:
    mid = (lo + hi) / 2
    if (n * mid if all_patterns else n) * bit_error_probability(n, mid) < expected_errors:
        hi = mid
    else:
        lo = mid
return (lo + hi) / 2""", "moves the wrong end"),
    ],
}

RIGHT = {
    "aligned_fields_solution": [
        """\
n, p = xi.shape
W = xi @ xi.T - p * torch.eye(n, dtype=xi.dtype)
return xi * (W @ xi)""",
        """\
overlaps = torch.einsum("im,in->mn", xi, xi)
return xi * (torch.einsum("im,mn->in", xi, overlaps) - xi.shape[1] * xi)""",
    ],
    "all_patterns_stable_solution": [
        "return bool(torch.all(torch.sign(xi @ (xi.T @ xi) - xi.shape[1] * xi) == xi))",
        "return aligned_fields(xi).min().item() > 0",
    ],
    "crosstalk_variance_solution": [
        "return (n - 1) * (p - 1) / n ** 2",
        "return (p - 1) / (n - 1)",
    ],
    "bit_error_probability_solution": [
        """\
x = math.sqrt((n - 1) / (p - 1))
return 0.5 * math.erfc(x / math.sqrt(2))""",
        "return float(torch.special.erfc(torch.tensor(math.sqrt(n / (2 * (p - 1))), dtype=torch.float64)) / 2)",
    ],
    "union_bound_capacity_solution": [
        # Newton on the logarithm of the expected number
        """\
def g(p):
    bits = n * p if all_patterns else n
    return math.log(bits * bit_error_probability(n, p)) - math.log(expected_errors)
p = n / (2 * math.log(n))
for _ in range(100):
    slope = (g(p * 1.0001) - g(p)) / (p * 1e-4)
    p = max(p - g(p) / slope, 1.5)
return p""",
        # bisection on log p, a fixed number of halvings
        """\
lo, hi = math.log(2.0), math.log(n)
for _ in range(80):
    mid = (lo + hi) / 2
    p = math.exp(mid)
    if (n * p if all_patterns else n) * bit_error_probability(n, p) < expected_errors:
        lo = mid
    else:
        hi = mid
return math.exp((lo + hi) / 2)""",
    ],
}
