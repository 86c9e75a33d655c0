"""Notebook 00: more wrong answers and correct alternatives (see tests/wrong_answers/__init__.py)."""

MORE_WRONG = {
    "random_symmetric_solution": [
        # torch.randn's default dtype: float32, converted afterwards (the task names float64)
        ("""\
gen = torch.Generator().manual_seed(seed)
a = torch.randn(n, n, generator=gen)
return ((a + a.T) / 2).double()""", "float64"),
        # a matrix product instead of a sum: A A^T is symmetric too
        ("""\
gen = torch.Generator().manual_seed(seed)
a = torch.randn(n, n, generator=gen, dtype=torch.float64)
return (a @ a.T) / 2""", "matrix product"),
        # makes a generator but does not pass it: randn draws from the global random state
        ("""\
gen = torch.Generator().manual_seed(seed)
a = torch.randn(n, n, dtype=torch.float64)
return (a + a.T) / 2""", "global random state"),
        # the uniform habit: rand * 2 - 1 has mean 0 but is not Gaussian
        ("""\
gen = torch.Generator().manual_seed(seed)
a = torch.rand(n, n, generator=gen, dtype=torch.float64) * 2 - 1
return (a + a.T) / 2""", "uniform numbers"),
    ],
    "fit_slope_solution": [
        # log10 on one axis, natural log on the other
        ("""\
return float(np.polyfit(np.log10(sizes), np.log(seconds), 1)[0])""", "mixed logarithms"),
        # the mean of the local slopes: not the least-squares fit when the sizes are unevenly spaced
        ("""\
x, y = np.log(sizes), np.log(seconds)
return float(np.mean(np.diff(y) / np.diff(x)))""", "end points"),
        # copies the notebook's "fit the three largest sizes" into the function
        ("""\
return float(np.polyfit(np.log(sizes[-3:]), np.log(seconds[-3:]), 1)[0])""", "last three points"),
        # rounds the result for printing
        ("""\
return round(float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0]), 2)""", "rounded"),
    ],
}

RIGHT = {
    "random_symmetric_solution": [
        """\
a = torch.normal(0.0, 1.0, (n, n), generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
return 0.5 * (a + a.transpose(0, 1))""",
        """\
a = np.random.default_rng(seed).standard_normal((n, n))
return (a + a.T) / 2""",
        """\
gen = torch.Generator()
gen.manual_seed(seed)
a = torch.randn((n, n), generator=gen, dtype=torch.float64)
return (a + a.mT) / 2""",
    ],
    "fit_slope_solution": [
        # float32 arithmetic is enough for the task's 1e-4
        """\
x = torch.log(torch.tensor(sizes, dtype=torch.float32))
y = torch.log(torch.tensor(seconds, dtype=torch.float32))
X = torch.stack([x, torch.ones_like(x)], dim=1)
return float(torch.linalg.lstsq(X, y[:, None]).solution[0, 0])""",
        """\
import scipy.stats
return scipy.stats.linregress(np.log2(sizes), np.log2(seconds)).slope""",
        """\
x, y = np.log(np.asarray(sizes, dtype=float)), np.log(np.asarray(seconds, dtype=float))
return float(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum())""",
    ],
}
