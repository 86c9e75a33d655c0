"""Dense associative memories [KH16]: binary states, energies of the overlaps (the continuous
modern Hopfield network [R20] is :mod:`hopfield_lab.modern_hopfield`).

**Binary dense memory.** K patterns xi^mu of N bits +/-1 (the columns of an (N, K) matrix)
and a state s of N bits have the energy

    E(s) = - sum_mu F(xi^mu . s),   F(x) = x^n  (``Polynomial(n)``)  or  F(x) = exp(beta x)  (``Exponential(beta)``).

n = 2 is the classical Hopfield network; ``Polynomial(n, rectified=True)`` is KH16's
rectified polynomial F(x) = max(x, 0)^n. A neuron flips when the flip lowers E. Flipping
bit i changes each overlap x_mu = xi^mu . s by -2 a_mu with a_mu = s_i xi_i^mu = +/-1; a
function of a = +/-1 is linear in a, so

    F(x - 2a) - F(x) = A(x) a + B(x),   A(x) = (F(x - 2) - F(x + 2)) / 2,   B(x) = (F(x - 2) + F(x + 2)) / 2 - F(x),
    dE_i = E(s with bit i flipped) - E(s) = -(s_i sum_mu xi_i^mu A(x_mu) + sum_mu B(x_mu)).

So the energy differences of all N flips, for P states at once, take one matrix product
(N, K) @ (K, P): a generalised field. (For n = 2, dE_i = 4 s_i h_i with the classical field
h = (Xi Xi^T - K I) s.)

**Exact arithmetic.** For polynomial F the overlaps are integers in [-N, N] and every term
above (doubled) is an integer bounded by 2 K (N + 2)^n. When 2 K (N + 2)^n <= 2^53 float64 represents all
of them and their sums exactly (any device); up to 2^63 int64 does (CPU only); beyond, float64
rounds (relative error ~1e-16). ``arithmetic="exact"`` refuses what cannot be exact.

**Exponential F: exact signs at any beta.** A - B above would cancel (both ~e^(2 beta) / 2, so
from beta ~ 18 nothing of dE survived). Instead: the overlaps of a state share the parity of N,
so x_mu = m - 2 j_mu with m = max_mu x_mu and a *level* j_mu = 0, 1, ...; with r = e^(-2 beta),

    dE_i = e^(beta m) sum_k C_k r^k,   C_k = p_k - p_(k-1) + q_k - q_(k+1)   (k = -1, 0, 1, ...),

p_k (q_k) the number of patterns at level k with a_mu = +1 (-1): integers. r is transcendental,
so dE_i = 0 exactly when every C_k is 0 (the flip only permutes the overlaps): a tie, reported
as 0. For moderate beta the two positive sums of e^(beta (x_mu - m)) (1 - e^(-/+2 beta)) (a_mu = +1,
-1) are formed by one matrix product and subtracted once, with an error bound; an entry within
its bound of 0 is decided from its integer C_k (in floats, or in high-precision decimals where
floats cannot tell). For large beta (4 K r <= 2^-26) only the lowest nonzero C_k0 and C_(k0+1)
matter, dE = C_k0 e^(beta (m - 2 k0)) (1 + r C_(k0+1) / C_k0), and the sign is that of C_k0. So the
sign of every dE is exact; its relative error is ~1e-14 in practice and at most ~2^20 times the
bound on the rounding (K (6 beta + 7) 2^-52: 2e-5 at K = 1000 and beta = 13), ~1e-13 for large
beta. A value beyond the float range comes out as +/-inf, or as a zero with the right sign
bit (``rescale=False`` returns dE e^(-beta m), which moves that range).

Every random draw takes a ``seed``; problems too large for the device's free memory are
refused with a ``ValueError`` that says what fits.

[KH16] D. Krotov, J. J. Hopfield, NeurIPS 2016. [D17] M. Demircigil et al., J. Stat. Phys. 168,
288 (2017). [R20] H. Ramsauer et al., "Hopfield Networks is All You Need", arXiv:2008.02217.
"""
from __future__ import annotations

import decimal
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as nnf

from ._checks import (check_choice, check_flag, check_pm1_values, check_range, generator_for, memory_limit_bytes,
                      real_tensor)
from .device import columns_that_fit, memory_bytes, pick_device

__all__ = ["Polynomial", "Exponential", "capacity_kh16", "overlaps", "dense_energy", "energy_reference",
           "flip_energy_differences", "one_step_stable", "DenseRun", "async_sweeps", "exact_bound"]

EXACT_FLOAT64 = 2 ** 53
EXACT_INT64 = 2 ** 63 - 1
_EPS = 2.0 ** -52


@dataclass(frozen=True)
class Polynomial:
    """F(x) = x^n, n >= 2 (n = 2: the classical Hopfield network); ``rectified``: F(x) = max(x, 0)^n."""

    n: int
    rectified: bool = False

    def __post_init__(self):
        check_range("n", self.n, 2, 30, integer=True)  # any integer type (numpy's too), not bool
        object.__setattr__(self, "n", int(self.n))
        object.__setattr__(self, "rectified", check_flag("rectified", self.rectified))

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return (x.clamp(min=0) if self.rectified else x) ** self.n


@dataclass(frozen=True)
class Exponential:
    """F(x) = exp(beta x), beta > 0 [D17]."""

    beta: float = 1.0

    def __post_init__(self):
        check_range("beta", self.beta, 0.0, 1e6, low_open=True)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(self.beta * x)


def _check_function(function) -> None:
    if not isinstance(function, (Polynomial, Exponential)):
        raise ValueError(f"function={function!r} is not allowed; use Polynomial(n) or Exponential(beta)")


def capacity_kh16(n_neurons: int, n: int) -> float:
    """[KH16, eq. 6]: error-free capacity K_max ~ N^(n-1) / (2 (2n - 3)!! ln N) of F(x) = x^n
    (inf where that exceeds the float range)."""
    check_range("n_neurons", n_neurons, 2, None)
    check_range("n", n, 2, 30, integer=True)
    double_factorial = math.prod(range(2 * n - 3, 0, -2))
    try:
        return n_neurons ** (n - 1) / (2 * double_factorial * math.log(n_neurons))
    except OverflowError:  # N^(n-1) beyond 1.8e308
        return math.inf


# --- input checks --------------------------------------------------------------------------------

def _binary(x, name: str) -> torch.Tensor:
    """``x`` as a 2-D tensor (a vector is one column), its values not yet checked nor converted."""
    x = real_tensor(x, name)
    if x.dim() == 1:
        x = x[:, None]
    if x.dim() != 2 or x.numel() == 0:
        raise ValueError(f"{name} has shape {tuple(x.shape)}; expected (N, columns) of +/-1 values")
    return x


def _pm1(x: torch.Tensor, name: str) -> torch.Tensor:
    """The checked +/-1 values of ``x`` in float64 (call after the memory checks: this copies)."""
    check_pm1_values(name, x)
    return x.to(torch.float64)


def _pair(patterns, states) -> tuple[torch.Tensor, torch.Tensor]:
    """Shape-checked (not yet converted) patterns (N, K) and states (N, P)."""
    xi, s = _binary(patterns, "patterns"), _binary(states, "states")
    if xi.shape[0] != s.shape[0]:
        raise ValueError(f"states have N={s.shape[0]} neurons but patterns have N={xi.shape[0]}; they must agree")
    return xi, s


def _converted(xi: torch.Tensor, s: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    xi = _pm1(xi, "patterns")
    return xi, _pm1(s, "states").to(xi.device)


def _fits_patterns(n_neurons: int, k: int, bytes_per_pattern: int, device, limit: int | None) -> None:
    """ValueError naming the largest K that fits when K patterns of N neurons do not."""
    device = pick_device(device)
    limit = memory_bytes(device) // 2 if limit is None else int(limit)
    if k * bytes_per_pattern > limit:
        k_fit = limit // bytes_per_pattern
        fit = f"at most K={k_fit} fit" if k_fit >= 1 else "not even K=1 fits"
        raise ValueError(f"K={k} patterns of N={n_neurons} neurons need {k * bytes_per_pattern / 2**30:.2f} GiB on "
                         f"{device.type}; {fit} in the {limit / 2**30:.2g} GiB allowed here "
                         f"(memory_limit, by default half the free memory)")


def exact_bound(n_neurons: int, k: int, function) -> float:
    """A bound on every integer met in the polynomial energy differences: 2 K (N + 2)^n (inf for exponential F)."""
    _check_function(function)
    check_range("n_neurons", n_neurons, 1, None, integer=True)
    check_range("k", k, 1, None, integer=True)
    if isinstance(function, Exponential):
        return math.inf
    try:
        return 2.0 * float(k) * float(n_neurons + 2) ** function.n
    except OverflowError:
        return math.inf


def _dtype_for(n_neurons: int, k: int, function, arithmetic: str, device) -> torch.dtype:
    check_choice("arithmetic", arithmetic, ("auto", "exact", "float64"))
    if isinstance(function, Exponential) or arithmetic == "float64":
        if arithmetic == "exact":
            raise ValueError("arithmetic='exact' is not allowed for Exponential F; use 'auto' or 'float64'")
        return torch.float64
    bound = exact_bound(n_neurons, k, function)
    if bound <= EXACT_FLOAT64:
        return torch.float64
    if bound <= EXACT_INT64 and torch.device(device).type == "cpu":
        return torch.int64
    if arithmetic == "exact":
        n = function.n
        k_fit = int(EXACT_FLOAT64 // (2 * (n_neurons + 2) ** n)) if torch.device(device).type != "cpu" else \
            int(EXACT_INT64 // (2 * (n_neurons + 2) ** n))
        fit = f"at most K={k_fit} are exact" if k_fit >= 1 else "not even K=1 is exact"
        raise ValueError(f"K={k} patterns with F = x^{n} at N={n_neurons} cannot be exact (2 K (N + 2)^n = {bound:.3g}); "
                         f"{fit} on {torch.device(device).type}; use arithmetic='float64'")
    return torch.float64


def _all_columns(chunk: int, columns: int, what: str, limit) -> None:
    """ValueError when work that must hold all ``columns`` at once fits only ``chunk`` of them."""
    if chunk < columns:
        raise ValueError(f"{what} for all {columns} columns at once does not fit in the memory allowed here "
                         f"({'half the free memory' if limit is None else f'memory_limit={limit}'}); "
                         f"at most {chunk} fit: pass fewer columns")


def overlaps(patterns: torch.Tensor, states: torch.Tensor) -> torch.Tensor:
    """x = Xi^T S: the overlap of every pattern (rows) with every state (columns), exact integers in float64."""
    xi, s = _pair(patterns, states)
    n, k = xi.shape
    chunk = columns_that_fit(8 * (n + k), s.shape[1], 8 * n * k, xi.device, f"overlaps of K={k} patterns of N={n}")
    _all_columns(chunk, s.shape[1], "overlaps", None)
    xi, s = _converted(xi, s)
    return xi.T @ s


def dense_energy(patterns: torch.Tensor, states: torch.Tensor, function) -> torch.Tensor:
    """E(s) = -sum_mu F(xi^mu . s) for each column s of ``states`` (float64)."""
    _check_function(function)
    xi, s = _pair(patterns, states)
    n, k = xi.shape
    chunk = columns_that_fit(8 * (n + 3 * k), s.shape[1], 8 * n * k, xi.device, f"energies of K={k} patterns of N={n}")
    xi, s = _converted(xi, s)
    return torch.cat([-function(xi.T @ s[:, i:i + chunk]).sum(0) for i in range(0, s.shape[1], chunk)])


def energy_reference(patterns, state, function) -> int | float:
    """The plainest energy of one state: Python loops over patterns and bits, Python integers for
    polynomial F (exact at any size), ``math.exp`` for exponential F (-inf beyond the float range).
    For tests, at small sizes."""
    _check_function(function)
    xi_t, s_t = _pair(patterns, state)
    if s_t.shape[1] != 1:
        raise ValueError(f"state has shape {tuple(s_t.shape)}; expected one state, (N,) or (N, 1)")
    xi_t, s_t = _converted(xi_t, s_t)
    xi = [[int(v) for v in row] for row in xi_t.tolist()]
    s = [int(v) for v in s_t[:, 0].tolist()]
    total = 0
    for mu in range(len(xi[0])):
        x = sum(xi[i][mu] * s[i] for i in range(len(s)))
        if isinstance(function, Polynomial):
            total -= (max(x, 0) if function.rectified else x) ** function.n
        else:
            try:
                total -= math.exp(function.beta * x)
            except OverflowError:
                total -= math.inf
    return total


def _coefficients(x: torch.Tensor, function) -> tuple[torch.Tensor, torch.Tensor]:
    """2 A(x), 2 B(x) with F(x - 2a) - F(x) = A(x) a + B(x) for a = +/-1 (module docstring).

    Doubled, so that integer F gives integers (the halves may be half-integers)."""
    down, up, here = function(x - 2), function(x + 2), function(x)
    return down - up, down + up - 2 * here


def _delta(xi_rows: torch.Tensor, x: torch.Tensor, s: torch.Tensor, function) -> torch.Tensor:
    """dE of flipping each neuron whose pattern bits are the rows of ``xi_rows`` (R, K), in the
    states ``s`` (R, P: those neurons' bits) whose overlaps with the patterns are ``x`` (K, P).
    Polynomial F (exponential F: ``_ExpState.flips``)."""
    a2, b2 = _coefficients(x, function)
    field2 = xi_rows.to(a2.dtype) @ a2  # 2 sum_mu xi_i^mu A(x_mu): a generalised field
    twice = -(s.to(a2.dtype) * field2 + b2.sum(0, keepdim=True))
    return twice // 2 if twice.dtype == torch.int64 else twice / 2  # 2 dE is an even integer for integer F


# --- exponential F: exact signs (module docstring) ----------------------------------------------

def _times_exp(v: torch.Tensor, arg: torch.Tensor) -> torch.Tensor:
    """v e^arg without a spurious overflow or underflow of e^arg alone (0 where v = 0, never NaN)."""
    e = torch.exp(arg)
    out = v * e
    fix = (e == math.inf) | (e < 2.0 ** -1022)
    if bool(fix.any()):
        logged = torch.sign(v) * torch.exp(arg + torch.log(v.abs()))
        out = torch.where(fix, logged, out)
    return torch.where(v == 0, torch.zeros_like(out), out)


def _decimal_flip(coefficients: list[int], k0: int, beta: float, top: float) -> tuple[int, float, float]:
    """Sign, dE e^(-beta m) and dE of sum_{k >= k0} C_k r^k (``coefficients`` from C_k0 on, the first
    nonzero) in decimal arithmetic, with more digits until its error bound leaves the sign certain."""
    for digits in (40, 160, 640, 2560):
        with decimal.localcontext() as ctx:
            ctx.prec, ctx.Emax, ctx.Emin = digits, decimal.MAX_EMAX, decimal.MIN_EMIN
            r = decimal.Decimal(-2.0 * beta).exp()
            value, size = decimal.Decimal(0), decimal.Decimal(0)
            for c in reversed(coefficients):
                value, size = value * r + c, size * r + abs(c)
            if abs(value) > size * len(coefficients) * decimal.Decimal(10) ** (4 - digits) or digits == 2560:
                sign = (value > 0) - (value < 0)
                scaled = value * (decimal.Decimal(-2.0 * beta) * k0).exp()
                full = value * (decimal.Decimal(beta) * (decimal.Decimal(top) - 2 * k0)).exp()
                return sign, float(scaled), float(full)  # float() of a decimal keeps the sign of an underflow
    raise AssertionError("unreachable")


class _ExpState:
    """What the flips of exponential F need about the overlaps ``x`` (K, P, updated in place by
    the caller, then ``refresh``): each column's largest overlap m and, for moderate beta, the
    weights w = e^(beta (x - m)) in (0, 1]."""

    def __init__(self, x: torch.Tensor, beta: float):
        self.x, self.beta = x, float(beta)
        k = x.shape[0]
        self.large = 2 * self.beta >= math.log(4 * k) + 26 * math.log(2)  # 4 K e^(-2 beta) <= 2^-26
        self.top = self.w = None
        self.refresh()

    def refresh(self, cols: torch.Tensor | None = None) -> None:
        if cols is None:
            self.top = self.x.max(0).values
            if not self.large:
                self.w = torch.exp(self.beta * (self.x - self.top))
            return
        xc = self.x.index_select(1, cols)
        top = xc.max(0).values
        self.top[cols] = top
        if not self.large:
            self.w.index_copy_(1, cols, torch.exp(self.beta * (xc - top)))

    def levels(self, cols: torch.Tensor | None = None) -> torch.Tensor:
        """j = (m - x) / 2, exact small integers (float64), for ``cols`` (all by default)."""
        if cols is None:
            return (self.top - self.x) / 2
        return (self.top[cols] - self.x.index_select(1, cols)) / 2

    def flips(self, xi_rows: torch.Tensor, s_rows: torch.Tensor, values: bool = True):
        """(sign, dE e^(-beta m), dE) of flipping the neurons whose pattern bits are the rows of
        ``xi_rows`` (R, K) with bits ``s_rows`` (R, P): the sign exact (int8), the values float64
        (None unless ``values``)."""
        if self.large:
            return self._flips_large(xi_rows, s_rows, values)
        b = self.beta
        plus_rows = (xi_rows > 0).to(self.w.dtype)
        sums = torch.cat([plus_rows, 1 - plus_rows]) @ self.w  # sum of w over xi_i^mu = +1, and over -1
        r_rows = xi_rows.shape[0]
        up = s_rows > 0
        plus = torch.where(up, sums[:r_rows], sums[r_rows:])  # a_mu = s_i xi_i^mu = +1
        minus = torch.where(up, sums[r_rows:], sums[:r_rows])  # a_mu = -1
        gain, loss = -math.expm1(-2 * b) * plus, math.expm1(2 * b) * minus
        scaled = gain - loss  # dE e^(-beta m): each side a sum of positive terms, one subtraction
        k = self.w.shape[0]
        gamma = (k * (6 * b + 7) + 2) * _EPS  # bounds the rounding error of scaled, relative to gain + loss
        unsure = (scaled.abs() <= max(2.0 ** -20, 64 * gamma) * (gain + loss)).nonzero()
        sign = torch.sign(scaled).to(torch.int8)
        full = _times_exp(scaled, b * self.top.expand_as(scaled)) if values else None
        if unsure.numel():
            rows, cols = unsure[:, 0], unsure[:, 1]
            e_sign, e_scaled, e_full = self._exact(xi_rows, s_rows, rows, cols)
            sign[rows, cols] = e_sign
            scaled[rows, cols] = e_scaled
            if values:
                full[rows, cols] = e_full
        return sign, (scaled if values else None), full

    def _exact(self, xi_rows, s_rows, rows, cols):
        """The flips of the entries (rows[f], cols[f]) from their integer coefficients C_k."""
        b, k = self.beta, self.x.shape[0]
        out_sign = torch.empty(rows.numel(), dtype=torch.int8, device=rows.device)
        out_scaled = torch.empty(rows.numel(), dtype=torch.float64, device=rows.device)
        out_full = torch.empty_like(out_scaled)
        length = int(self.levels(cols.unique()).max()) + 3  # k = -1 .. max level + 1
        step = max(1, 2 ** 18 // (k + length))
        for start in range(0, rows.numel(), step):
            r, c = rows[start:start + step], cols[start:start + step]
            lv = self.levels(c).T.round().to(torch.int64) + 1  # (F, K): index k + 1 of level k
            a = s_rows[r, c][:, None] * xi_rows[r]  # a_mu = s_i xi_i^mu
            p = torch.zeros(r.numel(), length, dtype=torch.float64, device=r.device)
            q = torch.zeros_like(p)
            p.scatter_add_(1, lv, (a > 0).to(torch.float64))
            q.scatter_add_(1, lv, (a < 0).to(torch.float64))
            coef = p - nnf.pad(p, (1, 0))[:, :length] + q - nnf.pad(q, (0, 1))[:, 1:]  # C_k, exact integers
            nonzero = coef != 0
            tie = ~nonzero.any(1)
            first = nonzero.to(torch.int8).argmax(1)  # index of C_k0, the first nonzero coefficient
            power = torch.arange(length, device=r.device)[None, :] - first[:, None]
            terms = coef * torch.exp(-2 * b * power.clamp(min=0).to(torch.float64)) * (power >= 0)
            value = terms.sum(1)  # sum_{k >= k0} C_k r^(k - k0)
            bound = (length + 4) * (2 * b + 2) * 2 * _EPS * terms.abs().sum(1) + 1e-300
            k0 = (first - 1).to(torch.float64)
            sign = torch.where(tie, 0.0, torch.sign(value))
            scaled = torch.where(tie, 0.0, value * torch.exp(-2 * b * k0))
            full = torch.where(tie, 0.0, _times_exp(value, b * (self.top[c] - 2 * k0)))
            for f in ((~tie) & (value.abs() <= bound)).nonzero()[:, 0].tolist():  # floats cannot tell
                row = [int(v) for v in coef[f, int(first[f]):].tolist()]
                sign[f], scaled[f], full[f] = _decimal_flip(row, int(first[f]) - 1, b, float(self.top[c[f]]))
            out_sign[start:start + step] = sign.to(torch.int8)
            out_scaled[start:start + step] = scaled
            out_full[start:start + step] = full
        return out_sign, out_scaled, out_full

    def _flips_large(self, xi_rows, s_rows, values):
        """Large beta: C_k0 and C_(k0+1) from the level counts, level by level until every entry has both."""
        b = self.beta
        levels = self.levels()
        occupied = set(levels.unique().tolist())
        deepest = int(max(occupied))
        zeros = torch.zeros(s_rows.shape, dtype=torch.float64, device=s_rows.device)
        lead, after, k0 = zeros.clone(), zeros.clone(), zeros.clone()
        found = torch.zeros(s_rows.shape, dtype=torch.bool, device=s_rows.device)
        p1, p2, q1 = zeros, zeros, zeros  # p_(t-1), p_(t-2), q_(t-1)
        for t in range(deepest + 3):
            if t in occupied:
                hot = (levels == t).to(torch.float64)
                d = s_rows * (xi_rows @ hot)
                total = hot.sum(0)
                pt, qt = (total + d) / 2, (total - d) / 2
            else:
                pt = qt = zeros
            coef = p1 - p2 + q1 - qt  # C_(t-1)
            after = torch.where(found & (k0 == t - 2), coef, after)
            new = ~found & (coef != 0)
            lead, k0 = torch.where(new, coef, lead), torch.where(new, float(t - 1), k0)
            found |= new
            p2, p1, q1 = p1, pt, qt
            if bool(found.all()) and bool((k0 <= t - 2).all()):
                break
        sign = torch.sign(lead).to(torch.int8)  # 0 where no coefficient is nonzero: a tie
        if not values:
            return sign, None, None
        value = lead + after * math.exp(-2 * b)
        scaled = torch.where(found, value * torch.exp(-2 * b * k0), zeros)
        full = torch.where(found, value * torch.exp(b * (self.top - 2 * k0)), zeros)
        return sign, scaled, full


def flip_energy_differences(patterns: torch.Tensor, states: torch.Tensor, function, arithmetic: str = "auto",
                            memory_limit: int | None = None, rescale: bool = True) -> torch.Tensor:
    """dE[i, c] = E(state c with bit i flipped) - E(state c), for every bit and every column.

    Polynomial F: exact integers when the bound of ``exact_bound`` allows (returned as float64,
    or int64 above 2^53 on the CPU); ``arithmetic="exact"`` raises ValueError otherwise.
    Exponential F: float64 with the exact sign (a tie is 0) and a small relative error (module
    docstring); values overflow to +/-inf once beta N > ~700. ``rescale=False`` returns
    dE e^(-beta max_mu x_mu) instead (the same signs; beyond e^(+/-708) again +/-inf or a zero
    with the sign bit of dE).
    Columns are processed in chunks that fit in ``memory_limit`` bytes (default: half the free memory).
    """
    _check_function(function)
    memory_limit = memory_limit_bytes(memory_limit)
    rescale = check_flag("rescale", rescale)
    xi, s = _pair(patterns, states)
    n, k = xi.shape
    dtype = _dtype_for(n, k, function, arithmetic, xi.device)
    _fits_patterns(n, k, 8 * n, xi.device, memory_limit)
    per_column = 8 * (3 * k + 16 * n) if isinstance(function, Exponential) else 8 * (4 * k + 2 * n)
    chunk = columns_that_fit(per_column, s.shape[1], 8 * n * k, xi.device,
                         f"dE for K={k} patterns of N={n} neurons", memory_limit)
    xi, s = _converted(xi, s)
    out = []
    for start in range(0, s.shape[1], chunk):
        sc = s[:, start:start + chunk]
        x = xi.T @ sc
        if isinstance(function, Exponential):
            _, scaled, full = _ExpState(x, function.beta).flips(xi, sc)
            out.append(full if rescale else scaled)
            continue
        if dtype == torch.int64:
            x = x.round().to(torch.int64)
        out.append(_delta(xi, x, sc, function))
    return torch.cat(out, 1)


def one_step_stable(patterns: torch.Tensor, probes: torch.Tensor, function, arithmetic: str = "auto",
                    memory_limit: int | None = None) -> torch.Tensor:
    """For each probe: does no single flip lower the energy (dE_i >= 0 for every bit i)?

    With the stored patterns as probes this is [KH16]'s one-step stability: a pattern is
    stable when one update of every bit, computed from the pattern itself, leaves it unchanged.
    Decided exactly (for exponential F from the exact signs of the module docstring).
    """
    if not isinstance(function, Exponential):
        return (flip_energy_differences(patterns, probes, function, arithmetic, memory_limit) >= 0).all(0)
    memory_limit = memory_limit_bytes(memory_limit)
    xi, s = _pair(patterns, probes)
    n, k = xi.shape
    _dtype_for(n, k, function, arithmetic, xi.device)
    _fits_patterns(n, k, 8 * n, xi.device, memory_limit)
    chunk = columns_that_fit(8 * (3 * k + 16 * n), s.shape[1], 8 * n * k, xi.device,
                         f"dE for K={k} patterns of N={n} neurons", memory_limit)
    xi, s = _converted(xi, s)
    out = []
    for start in range(0, s.shape[1], chunk):
        sc = s[:, start:start + chunk]
        sign, _, _ = _ExpState(xi.T @ sc, function.beta).flips(xi, sc, values=False)
        out.append((sign >= 0).all(0))
    return torch.cat(out)


@dataclass(frozen=True)
class DenseRun:
    """The end of asynchronous updates: ``final_state`` (N, P), the number of accepted flips
    per probe (``flips``), the ``energy`` after each sweep (sweeps + 1, P), ``sweeps_run``."""

    final_state: torch.Tensor
    flips: torch.Tensor
    energy: torch.Tensor
    sweeps_run: int


def async_sweeps(patterns: torch.Tensor, probes: torch.Tensor, function, sweeps: int = 1,
                 seed: int | torch.Generator = 0, until_stable: bool = False,
                 memory_limit: int | None = None) -> DenseRun:
    """Asynchronous updates of many probes at once: in each sweep the neurons are visited in
    a random order (the same for every probe, new each sweep, from ``seed``); a bit flips when
    its exact dE is negative (dE = 0 keeps it). The overlaps follow each flip (x -= 2 s_i xi_i),
    so a sweep costs O(N K P). ``until_stable`` stops early after a sweep without flips.
    All probes are updated together, so they must fit in memory at once.
    """
    _check_function(function)
    check_range("sweeps", sweeps, 1, None, integer=True)
    sweeps = int(sweeps)
    until_stable = check_flag("until_stable", until_stable)
    memory_limit = memory_limit_bytes(memory_limit)
    xi, s = _pair(patterns, probes)
    n, k = xi.shape
    dtype = _dtype_for(n, k, function, "auto", xi.device)
    _fits_patterns(n, k, 8 * n, xi.device, memory_limit)
    what = f"async updates of K={k} patterns of N={n} neurons"
    chunk = columns_that_fit(8 * (n + 6 * k), s.shape[1], 8 * n * k, xi.device, what, memory_limit)
    _all_columns(chunk, s.shape[1], what, memory_limit)
    gen = generator_for(seed, "cpu", stream="order")
    xi, s = _converted(xi, s)
    s = s.clone()
    if dtype == torch.int64:
        xi_w = xi.to(torch.int64)
        x = (xi.T @ s).round().to(torch.int64)
    else:
        xi_w, x = xi, xi.T @ s
    if isinstance(function, Exponential):
        sign_of_flip, refresh = _exact_exponential_rule(xi_w, s, x, function.beta)
    else:
        sign_of_flip, refresh = _cached_polynomial_rule(xi_w, s, x, function)
    return _async_loop(xi_w, s, x, function, sign_of_flip, refresh, sweeps, gen, until_stable)


def _exact_exponential_rule(xi_w: torch.Tensor, s: torch.Tensor, x: torch.Tensor, beta: float):
    """Exponential F: (sign of dE of neuron i in every probe, refresh(probes whose overlaps changed))."""
    # what it buys: the exact sign at any beta (module docstring), from the largest overlap and the
    # weights e^(beta (x - m)) of each probe, recomputed only for the probes a flip changed
    state = _ExpState(x, beta)

    def sign_of_flip(i: int) -> torch.Tensor:
        return state.flips(xi_w[i:i + 1], s[i:i + 1], values=False)[0][0]

    return sign_of_flip, state.refresh


def _cached_polynomial_rule(xi_w: torch.Tensor, s: torch.Tensor, x: torch.Tensor, function: Polynomial):
    """Polynomial F: (2 dE of neuron i in every probe, refresh(probes whose overlaps changed)), from
    2A(x) (K, P) and sum_mu 2B(x_mu) (P) kept between neurons."""
    # what it buys: ~5-10x in a sweep; a flip touches few probes, so only their columns are
    # recomputed, instead of three powers of the whole K x P matrix per neuron
    a2, b2 = _coefficients(x, function)
    b2_sum = b2.sum(0)

    def twice_delta(i: int) -> torch.Tensor:  # 2 dE = -(s_i sum_mu xi_i^mu 2A(x_mu) + sum_mu 2B(x_mu))
        return -(s[i].to(a2.dtype) * (xi_w[i] @ a2) + b2_sum)

    def refresh(cols: torch.Tensor) -> None:
        new_a2, new_b2 = _coefficients(x.index_select(1, cols), function)
        a2.index_copy_(1, cols, new_a2)
        b2_sum[cols] = new_b2.sum(0)

    return twice_delta, refresh


def _async_loop(xi_w: torch.Tensor, s: torch.Tensor, x: torch.Tensor, function, sign_of_flip, refresh,
                sweeps: int, gen: torch.Generator, until_stable: bool) -> DenseRun:
    """The sweeps for any F: neurons in a random order per sweep, a bit flips where
    ``sign_of_flip(i)`` < 0, the overlaps ``x`` follow each flip and ``refresh`` hears which probes moved."""
    # what it buys: the order, the flips, the overlaps and the energies written once for both rules
    flips = torch.zeros(s.shape[1], dtype=torch.int64, device=s.device)
    energies = [-function(x.double()).sum(0)]
    for sweep in range(1, sweeps + 1):
        before = int(flips.sum())
        for i in torch.randperm(s.shape[0], generator=gen).tolist():
            flip = (sign_of_flip(i) < 0).nonzero()[:, 0]
            if flip.numel():
                s[i, flip] = -s[i, flip]
                step = (2 * s[i, flip]).to(x.dtype)[None, :] * xi_w[i, :, None]  # x_mu changes by 2 s_i' xi_i^mu
                x.index_add_(1, flip, step)
                refresh(flip)
                flips[flip] += 1
        energies.append(-function(x.double()).sum(0))
        if until_stable and int(flips.sum()) == before:
            break
    return DenseRun(s, flips, torch.stack(energies), sweep)
