"""Dense associative memories [KH16] and the continuous modern Hopfield network [R20].

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
For exponential F the terms are scaled by e^(-beta max_mu x_mu) per state before summing
(the sign of dE, which decides a flip, does not change) and scaled back.

**Continuous modern Hopfield network** [R20]. Patterns X (d, K) of real numbers, a state xi:

    E(xi) = -lse(beta, X^T xi) + xi^T xi / 2 + ln(K) / beta + M^2 / 2,   lse(beta, z) = ln(sum_mu e^(beta z_mu)) / beta,

M the largest pattern norm; the update xi <- X softmax(beta X^T xi) never raises E.

Every random draw takes a ``seed``; problems too large for the device's free memory are
refused with a ``ValueError`` that says what fits.

[KH16] D. Krotov, J. J. Hopfield, NeurIPS 2016. [D17] M. Demircigil et al., J. Stat. Phys. 168,
288 (2017). [R20] H. Ramsauer et al., "Hopfield Networks is All You Need", arXiv:2008.02217.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ._checks import check_choice, check_range, generator_for
from .device import memory_bytes

__all__ = ["Polynomial", "Exponential", "capacity_kh16", "overlaps", "energy", "energy_reference",
           "flip_energy_differences", "one_step_stable", "DenseRun", "async_sweeps", "exact_bound",
           "lse", "continuous_energy", "continuous_update", "relative_error", "retrieval_onset",
           "check_memory"]

EXACT_FLOAT64 = 2 ** 53
EXACT_INT64 = 2 ** 63 - 1


@dataclass(frozen=True)
class Polynomial:
    """F(x) = x^n, n >= 2 (n = 2: the classical Hopfield network); ``rectified``: F(x) = max(x, 0)^n."""

    n: int
    rectified: bool = False

    def __post_init__(self):
        if not isinstance(self.n, int) or isinstance(self.n, bool):
            raise ValueError(f"n={self.n!r} is not allowed; the power n must be an integer >= 2")
        check_range("n", self.n, 2, 30)

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
    """[KH16, eq. 6]: error-free capacity K_max ~ N^(n-1) / (2 (2n - 3)!! ln N) of F(x) = x^n."""
    check_range("n_neurons", n_neurons, 2, None)
    check_range("n", n, 2, 30)
    double_factorial = math.prod(range(2 * n - 3, 0, -2))
    return n_neurons ** (n - 1) / (2 * double_factorial * math.log(n_neurons))


def _binary(x, name: str) -> torch.Tensor:
    x = torch.as_tensor(x)
    if x.dim() == 1:
        x = x[:, None]
    if x.dim() != 2 or x.numel() == 0:
        raise ValueError(f"{name} has shape {tuple(x.shape)}; expected (N, columns) of +/-1 values")
    x = x.to(torch.float64)
    if not bool((x.abs() == 1).all()):
        raise ValueError(f"{name} must hold only +1 and -1 (found {x[x.abs() != 1][0].item()!r})")
    return x


def _pair(patterns, states) -> tuple[torch.Tensor, torch.Tensor]:
    xi, s = _binary(patterns, "patterns"), _binary(states, "states")
    if xi.shape[0] != s.shape[0]:
        raise ValueError(f"states have N={s.shape[0]} neurons but patterns have N={xi.shape[0]}; they must agree")
    return xi, s.to(xi.device)


def check_memory(bytes_per_column: int, columns: int, fixed_bytes: int, device, what: str,
                 limit: int | None = None) -> int:
    """How many of ``columns`` (probes, states) to process at once so the work fits in memory.

    The work needs ``fixed_bytes`` plus ``bytes_per_column`` per column; ``limit`` (bytes)
    defaults to half the free memory of ``device``. Raises ``ValueError`` saying what fits
    when even one column does not.
    """
    limit = memory_bytes(device) // 2 if limit is None else int(limit)
    room = limit - fixed_bytes
    if room < bytes_per_column:
        raise ValueError(f"{what} needs {(fixed_bytes + bytes_per_column) / 2**20:.1f} MiB on {torch.device(device).type}, "
                         f"more than the {limit / 2**20:.1f} MiB allowed here; reduce it to fit")
    return max(1, min(columns, room // bytes_per_column))


def _fits_patterns(n_neurons: int, k: int, bytes_per_pattern: int, device, limit: int | None) -> None:
    """ValueError naming the largest K that fits when K patterns of N neurons do not."""
    limit = memory_bytes(device) // 2 if limit is None else int(limit)
    if k * bytes_per_pattern > limit:
        raise ValueError(f"K={k} patterns of N={n_neurons} neurons need {k * bytes_per_pattern / 2**30:.2f} GiB on "
                         f"{torch.device(device).type}; at most K={limit // bytes_per_pattern} fit in the "
                         f"{limit / 2**30:.2f} GiB allowed here (half the free memory)")


def exact_bound(n_neurons: int, k: int, function) -> float:
    """A bound on every integer met in the polynomial energy differences: 2 K (N + 2)^n (inf for exponential F)."""
    _check_function(function)
    if isinstance(function, Exponential):
        return math.inf
    return 2.0 * float(k) * float(n_neurons + 2) ** function.n


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


def overlaps(patterns: torch.Tensor, states: torch.Tensor) -> torch.Tensor:
    """x = Xi^T S: the overlap of every pattern (rows) with every state (columns), exact integers in float64."""
    xi, s = _pair(patterns, states)
    return xi.T @ s


def energy(patterns: torch.Tensor, states: torch.Tensor, function) -> torch.Tensor:
    """E(s) = -sum_mu F(xi^mu . s) for each column s of ``states`` (float64)."""
    _check_function(function)
    return -function(overlaps(patterns, states)).sum(0)


def energy_reference(patterns, state, function) -> int | float:
    """The plainest energy of one state: Python loops over patterns and bits, Python integers for
    polynomial F (exact at any size), ``math.exp`` for exponential F. For tests, at small sizes."""
    _check_function(function)
    xi = [[int(v) for v in row] for row in _binary(patterns, "patterns").tolist()]
    s = [int(v) for v in _binary(state, "state")[:, 0].tolist()]
    total = 0
    for mu in range(len(xi[0])):
        x = sum(xi[i][mu] * s[i] for i in range(len(s)))
        if isinstance(function, Polynomial):
            total -= (max(x, 0) if function.rectified else x) ** function.n
        else:
            total -= math.exp(function.beta * x)
    return total


def _coefficients(x: torch.Tensor, function) -> tuple[torch.Tensor, torch.Tensor]:
    """2 A(x), 2 B(x) with F(x - 2a) - F(x) = A(x) a + B(x) for a = +/-1 (module docstring).

    Doubled, so that integer F gives integers (the halves may be half-integers)."""
    down, up, here = function(x - 2), function(x + 2), function(x)
    return down - up, down + up - 2 * here


def _delta(xi_rows: torch.Tensor, x: torch.Tensor, s: torch.Tensor, function, rescale: bool = True) -> torch.Tensor:
    """dE of flipping each neuron whose pattern bits are the rows of ``xi_rows`` (R, K), in the
    states ``s`` (R, P: those neurons' bits) whose overlaps with the patterns are ``x`` (K, P).
    Exponential F without ``rescale``: dE times e^(-beta max_mu x_mu) > 0 (same sign, no overflow)."""
    shift = None
    if isinstance(function, Exponential):
        shift = x.max(0, keepdim=True).values  # e^(beta (x - max)) <= 1: no overflow
        x = x - shift
    a2, b2 = _coefficients(x, function)
    field2 = xi_rows.to(a2.dtype) @ a2  # 2 sum_mu xi_i^mu A(x_mu): a generalised field
    twice = -(s.to(a2.dtype) * field2 + b2.sum(0, keepdim=True))
    delta = twice // 2 if twice.dtype == torch.int64 else twice / 2  # 2 dE is an even integer for integer F
    if shift is not None and rescale:
        delta = delta * torch.exp(function.beta * shift)
    return delta


def flip_energy_differences(patterns: torch.Tensor, states: torch.Tensor, function, arithmetic: str = "auto",
                            memory_limit: int | None = None, rescale: bool = True) -> torch.Tensor:
    """dE[i, c] = E(state c with bit i flipped) - E(state c), for every bit and every column.

    Polynomial F: exact integers when the bound of ``exact_bound`` allows (returned as float64,
    or int64 above 2^53 on the CPU); ``arithmetic="exact"`` raises ValueError otherwise.
    Exponential F: float64, which overflows to +/-inf once beta N > ~700; ``rescale=False``
    returns dE e^(-beta max_mu x_mu) instead (the same signs, never overflowing).
    Columns are processed in chunks that fit in ``memory_limit`` bytes (default: half the free memory).
    """
    _check_function(function)
    xi, s = _pair(patterns, states)
    n, k = xi.shape
    dtype = _dtype_for(n, k, function, arithmetic, xi.device)
    _fits_patterns(n, k, 8 * n, xi.device, memory_limit)
    chunk = check_memory(8 * (4 * k + 2 * n), s.shape[1], 8 * n * k, xi.device,
                         f"dE for K={k} patterns of N={n} neurons", memory_limit)
    out = []
    for start in range(0, s.shape[1], chunk):
        sc = s[:, start:start + chunk]
        x = xi.T @ sc
        if dtype == torch.int64:
            x = x.round().to(torch.int64)
        out.append(_delta(xi, x, sc, function, rescale))
    return torch.cat(out, 1)


def one_step_stable(patterns: torch.Tensor, probes: torch.Tensor, function, arithmetic: str = "auto",
                    memory_limit: int | None = None) -> torch.Tensor:
    """For each probe: does no single flip lower the energy (dE_i >= 0 for every bit i)?

    With the stored patterns as probes this is [KH16]'s one-step stability: a pattern is
    stable when one update of every bit, computed from the pattern itself, leaves it unchanged.
    """
    return (flip_energy_differences(patterns, probes, function, arithmetic, memory_limit, rescale=False) >= 0).all(0)


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
    """
    _check_function(function)
    check_range("sweeps", sweeps, 1, None)
    xi, s = _pair(patterns, probes)
    s = s.clone()
    n, k = xi.shape
    dtype = _dtype_for(n, k, function, "auto", xi.device)
    _fits_patterns(n, k, 8 * n, xi.device, memory_limit)
    check_memory(8 * 4 * k, s.shape[1], 8 * n * k, xi.device, f"async updates of K={k} patterns of N={n} neurons",
                 memory_limit)
    if dtype == torch.int64:
        xi_w = xi.to(torch.int64)
        x = (xi.T @ s).round().to(torch.int64)
    else:
        xi_w, x = xi, xi.T @ s
    gen = generator_for(seed, "cpu", stream="order")
    flips = torch.zeros(s.shape[1], dtype=torch.int64, device=s.device)
    energies = [-function(x.double()).sum(0)]
    # Exponential F, optimised (about 5x fewer passes over the K x P overlaps than the generic
    # path): keep e = exp(beta (x - c)) with c each probe's largest overlap at the start of the
    # sweep, and multiply the flipped probes' columns by exp(+/-2 beta) instead of re-exponentiating.
    # Within a sweep x - c <= 2N, so e stays finite while 2 beta N < 600.
    fast_exp = isinstance(function, Exponential) and 2 * function.beta * n < 600
    # Polynomial F, optimised: keep 2A(x) (K x P) and sum_mu 2B(x_mu) (P) and recompute them only
    # for the probes whose overlaps just changed (a flip touches few probes), instead of three
    # powers of the whole K x P matrix per neuron (what it buys: ~5-10x in a sweep).
    cached = isinstance(function, Polynomial)
    if cached:
        a2, b2 = _coefficients(x, function)
        b2_sum = b2.sum(0)
    for sweep in range(1, sweeps + 1):
        before = int(flips.sum())
        if fast_exp:
            b = function.beta
            e = torch.exp(b * (x - x.max(0, keepdim=True).values))
            total = e.sum(0)
        for i in torch.randperm(n, generator=gen).tolist():
            if fast_exp:  # dE e^(-beta c) = sinh(2 beta) s_i sum_mu xi_i^mu e_mu - (cosh(2 beta) - 1) sum_mu e_mu
                d = math.sinh(2 * b) * s[i] * (xi_w[i] @ e) - (math.cosh(2 * b) - 1) * total
            elif cached:  # 2 dE = -(s_i sum_mu xi_i^mu 2A(x_mu) + sum_mu 2B(x_mu)); only its sign matters here
                d = -(s[i].to(a2.dtype) * (xi_w[i] @ a2) + b2_sum)
            else:
                d = _delta(xi_w[i:i + 1], x, s[i:i + 1], function, rescale=False)[0]
            flip = (d < 0).nonzero()[:, 0]
            if flip.numel():
                s[i, flip] = -s[i, flip]
                step = (2 * s[i, flip]).to(x.dtype)[None, :] * xi_w[i, :, None]  # x_mu changes by 2 s_i' xi_i^mu
                x.index_add_(1, flip, step)
                if fast_exp:
                    cols = e.index_select(1, flip) * torch.exp(b * step)  # e^(+/-2 beta) on K x (flipped) entries
                    e.index_copy_(1, flip, cols)
                    total[flip] = cols.sum(0)
                elif cached:
                    new_a2, new_b2 = _coefficients(x.index_select(1, flip), function)
                    a2.index_copy_(1, flip, new_a2)
                    b2_sum[flip] = new_b2.sum(0)
                flips[flip] += 1
        energies.append(-function(x.double()).sum(0))
        if until_stable and int(flips.sum()) == before:
            break
    return DenseRun(s, flips, torch.stack(energies), sweep)


def lse(beta: float, z: torch.Tensor) -> torch.Tensor:
    """lse(beta, z) = ln(sum_mu exp(beta z_mu)) / beta along dim 0 (stable for any beta > 0)."""
    check_range("beta", beta, 0.0, None, low_open=True)
    return torch.logsumexp(beta * z, dim=0) / beta


def _real_pair(patterns, queries) -> tuple[torch.Tensor, torch.Tensor, bool]:
    x = torch.as_tensor(patterns).to(torch.float64)
    q = torch.as_tensor(queries).to(torch.float64)
    vector = q.dim() == 1
    if vector:
        q = q[:, None]
    if x.dim() != 2 or q.dim() != 2 or x.shape[0] != q.shape[0]:
        raise ValueError(f"patterns {tuple(x.shape)} and queries {tuple(q.shape)} do not fit; expected (d, K) and (d, P)")
    return x, q.to(x.device), vector


def continuous_energy(patterns: torch.Tensor, queries: torch.Tensor, beta: float) -> torch.Tensor:
    """[R20]: E(xi) = -lse(beta, X^T xi) + xi^T xi / 2 + ln(K) / beta + M^2 / 2 for each column xi."""
    x, q, _ = _real_pair(patterns, queries)
    big_m = x.norm(dim=0).max()
    return -lse(beta, x.T @ q) + 0.5 * (q * q).sum(0) + math.log(x.shape[1]) / beta + 0.5 * big_m ** 2


def continuous_update(patterns: torch.Tensor, queries: torch.Tensor, beta: float,
                      memory_limit: int | None = None) -> torch.Tensor:
    """One update of the continuous modern Hopfield network: xi <- X softmax(beta X^T xi), per column."""
    check_range("beta", beta, 0.0, None, low_open=True)
    x, q, vector = _real_pair(patterns, queries)
    d, k = x.shape
    chunk = check_memory(8 * 2 * k, q.shape[1], 8 * d * k, x.device, f"one update with K={k} patterns of d={d}",
                         memory_limit)
    out = torch.cat([x @ torch.softmax(beta * (x.T @ q[:, i:i + chunk]), dim=0)
                     for i in range(0, q.shape[1], chunk)], 1)
    return out[:, 0] if vector else out


def relative_error(estimate: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """||estimate - target|| / ||target||, per column."""
    estimate, target = torch.as_tensor(estimate, dtype=torch.float64), torch.as_tensor(target, dtype=torch.float64)
    return (estimate - target).norm(dim=0) / target.norm(dim=0)


def retrieval_onset(patterns: torch.Tensor, eps: float = 0.05, low: float = 1e-4, high: float = 1e4,
                    rtol: float = 1e-3) -> float:
    """The smallest beta at which one update from *every* stored pattern lands within relative
    error ``eps`` of it: bisection on log beta between ``low`` and ``high`` (to relative
    precision ``rtol``). The worst pattern's error falls as beta grows (its own softmax weight
    grows when it is the pattern most similar to itself, xi_i . xi_i > xi_i . xi_j, as for
    distinct patterns of equal norm); ``ValueError`` if it is still above eps at ``high``.
    """
    check_range("eps", eps, 0.0, 1.0, low_open=True)
    check_range("low", low, 0.0, None, low_open=True)
    check_range("high", high, low, None, low_open=True)
    x = torch.as_tensor(patterns, dtype=torch.float64)

    def worst(beta):
        return float(relative_error(continuous_update(x, x, beta), x).max())

    if worst(high) > eps:
        raise ValueError(f"high={high!r}: even at beta = high some pattern is not retrieved within eps={eps}; "
                         "is some pattern more similar to another (a larger dot product) than to itself?")
    if worst(low) <= eps:
        return low
    while high / low > 1 + rtol:
        mid = math.sqrt(low * high)
        low, high = (low, mid) if worst(mid) <= eps else (mid, high)
    return high
