"""Exact fields and overlaps without the N x N matrix: the engine's arithmetic, and its optimisations.

With the patterns as the columns of V (N x p, entries +/-1) and the self-coupling
J_ii = lam p / N, the coupling matrix is J = (V V^T + c I) / N with c = (lam - 1) p (an exact
integer whenever lam p is one: :func:`self_term`), so

    N h = V m + c S,    m = V^T S   (the p overlaps, times N).

Two N x p products replace one N x N product (memory O(N p), not O(N^2)).

*Exact integers in float32.* When c is an integer, m and N h are integers. float32 holds
every integer below 2**24 exactly, and a sum of integers whose magnitudes add up to less
than 2**24 is exact in any order, blocked or fused. For m = V^T S that sum is at most N;
for N h = V m + c S it is at most sum_mu |m_mu| + |c| <= p N + |c|. The arithmetic is chosen
once per run: float32 when these bounds hold and float32 products run at full precision
(no TF32 / bf16), float64 otherwise (a non-integer c). Signs, and exact zeros (ties), are
then always right.

*Optimisation (checked float32):* p N reaches 2**24 at N ~ 12000 (alpha = 0.12), yet for
the states a run meets sum_mu |m_mu| is about N + p sqrt(N), hundreds of times less. So a
``checked`` network (the parallel rules, one field product per step) keeps float32 beyond
p N = 2**24 and checks the actual bound of every product before making it; a product the
bound does not clear raises :class:`NeedsFloat64`, and the run starts again in float64
(:func:`hopfield_lab.dynamics.evolve`). Measured: float64 products cost 2x float32 on CPUs.

The int8 products that replace some of these float products: :mod:`hopfield_lab.fast.int8`.
"""
from __future__ import annotations

import torch

from . import Speedups, int8
from .int8 import INT8_FIELD_MIN_WORK, INT8_MIN_WORK, INT8_STEP

EXACT_FLOAT32 = 2**24  # float32 holds every integer of smaller magnitude exactly
SPARSE_UPDATE_MAX = 0.03  # update m sparsely while at most this fraction of bits moved (measured)
ALIGN = 16  # float32 columns per 64-byte cache line: output rows of this many columns keep CPU GEMMs fast
SCRATCH = 2**21  # elements of the aligned scratch block of :func:`product` (8 MiB in float32)
# entries of V a compact network converts to its arithmetic at once for a float product (64 MiB in float32):
# all of V up to N ~ 11,800 at alpha = 0.12, blocks of N / 8 rows at N = 32,000 (issue 27)
FIELD_BLOCK = 2**24
# entries of the (N, P) arrays that a compact run's whole-array passes (signs, comparisons) take at once: their
# temporaries (4 MiB in float32) stay in the cache and on malloc's heap (glibc gives arrays above 32 MiB back to
# the system when freed, and the next one costs a page fault every 4 KiB)
PASS_BLOCK = 2**20


def full_precision_float32() -> bool:
    """Do float32 matrix products run at full precision? Checks the legacy API
    (``torch.set_float32_matmul_precision``) and the newer per-backend ``fp32_precision`` settings."""
    try:
        if torch.get_float32_matmul_precision() != "highest":
            return False
    except RuntimeError:  # raised when the legacy and the new API have both been used
        pass
    settings = [getattr(torch.backends, "fp32_precision", None)]
    for backend in ("cuda", "mkldnn", "cudnn"):
        matmul = getattr(getattr(torch.backends, backend, None), "matmul", None)
        settings.append(getattr(matmul, "fp32_precision", None))
        settings.append(getattr(getattr(torch.backends, backend, None), "fp32_precision", None))
    return all(s in (None, "none", "ieee") for s in settings)


class NeedsFloat64(ArithmeticError):
    """A checked float32 product could lose exactness: the run must be made in float64."""


SELF_TERM_RTOL = 1e-9  # lam p this close (relative) to an integer is that integer (see self_term)


def self_term(lam: float, p: int) -> float:
    """The self-term c = (lam - 1) p of N h = V m + c S, an exact integer whenever lam p is one.

    A decimal lam such as 0.45 or 0.8 is not a binary fraction: (lam - 1.0) * p rounds to
    -110.00000000000001 for lam = 0.45, p = 200, and a field that is exactly 0 in the model
    (a tie) would come out as a rounding error of either sign. So lam p is computed first and,
    within SELF_TERM_RTOL (relative) of an integer, taken as that integer; c = lam p - p then
    is an integer too (an ``int``). Otherwise c is the float lam p - p (no field can be 0:
    an integer plus a non-integer)."""
    lam_p = lam * p
    whole = round(lam_p)
    if abs(lam_p - whole) <= SELF_TERM_RTOL * max(1.0, abs(lam_p)) and abs(whole) < 2**53:
        return int(whole) - p
    return float(lam_p) - p  # beyond 2**53 (a huge lam): a float, whose sign decides every field anyway


def float32_bound_holds(n: int, p: int, lam: float) -> bool:
    """Is every product of any run exact in float32 (|N h| <= p N + |c| < 2**24, c an integer)?"""
    c = self_term(lam, p)
    return isinstance(c, int) and p * n + abs(c) < EXACT_FLOAT32


def choose_dtype(n: int, p: int, lam: float, device: torch.device, checked: bool = False) -> torch.dtype:
    """float32 if every product of the run is exact in it, else float64 (see the module docstring).
    ``checked``: the run checks the bound of each field product itself, so float32 needs only
    an integer c and exact overlaps (N + |c| < 2**24)."""
    c = self_term(lam, p)
    exact = isinstance(c, int) and n + abs(c) < EXACT_FLOAT32 if checked else float32_bound_holds(n, p, lam)
    if exact and full_precision_float32():
        return torch.float32
    if device.type == "mps":
        raise ValueError(f"lam={lam!r} with p={p}, n={n} needs float64 arithmetic to stay exact, which Apple's MPS "
                         "lacks; allowed on mps: lam * p an integer, p * n < 2**24 and full float32 precision "
                         "(or run on device='cpu')")
    return torch.float64


class Network:
    """The stored patterns V and the self-term c = (lam - 1) p, in the run's arithmetic.

    ``checked``: check the exactness bound of every field product (see the module docstring);
    ``dtype``: force the arithmetic (the float64 rerun of a checked run); ``speedups``: which
    optimisations of the products are on (:class:`hopfield_lab.fast.Speedups`, default all).

    *Optimisation (compact patterns, issue 27):* a ``compact`` network (the parallel rules) holds
    V as int8 +/-1 (int8 patterns are taken as they are, not copied: simulate's own draw), a
    quarter of float32's memory, and converts a block of FIELD_BLOCK entries of its rows at a time
    to the arithmetic for its float products (:meth:`rows`); the same integer sums, so exact."""

    def __init__(self, patterns: torch.Tensor, lam: float, checked: bool = False, dtype: torch.dtype | None = None,
                 speedups: Speedups = Speedups(), compact: bool = False):
        self.n, self.p = patterns.shape
        self.speedups, self.compact = speedups, compact
        self.device = patterns.device
        self.dtype = dtype or choose_dtype(self.n, self.p, lam, self.device, checked)
        self.V = patterns.to(torch.int8).contiguous() if compact else patterns.to(self.dtype)  # V as held
        self.block = max(ALIGN, min(self.n, FIELD_BLOCK // self.p)) if compact else self.n  # rows converted at once
        self._scratch = None  # compact: a block of V's rows in the arithmetic, reused
        self.c = self_term(lam, self.p)
        # only where the a priori bound p N + |c| < 2**24 does not already cover every product
        self.checked = checked and self.dtype == torch.float32 and not float32_bound_holds(self.n, self.p, lam)
        self._summed = (None, 0, 0.0)  # the last m whose largest column sum of |m| was needed, its version, the sum
        self._int8_patterns = None  # V^T as unsigned bytes (+/-1 + 128), made at the first int8 overlaps
        self._int8_packed = None    # V as oneDNN's packed int8 weights, made at the first int8 rows of G
        self._int8_V = None         # V as unsigned bytes, made at the first int8 field change

    def exact(self, m: torch.Tensor, extra: float = 0.0) -> bool:
        """Does every partial sum of V m + c S (plus ``extra``) stay below the run's exact-integer limit
        (2**24 in float32, 2**53 in float64)? ``m``: at least one column."""
        limit = EXACT_FLOAT32 if self.dtype == torch.float32 else 2**53
        if not (m is self._summed[0] and m._version == self._summed[1]):  # a step asks twice of the same m
            self._summed = (m, m._version, float(m.abs().sum(0).max()))
        return self._summed[2] + abs(self.c) + extra < limit

    def check_exact(self, m: torch.Tensor, extra: float = 0.0) -> None:
        """Raise :class:`NeedsFloat64` unless every partial sum of V m + c S (plus ``extra``) stays below 2**24."""
        if self.checked and m.numel() and not self.exact(m, extra):
            raise NeedsFloat64(f"sum |m| + |c| reaches 2**24 at n={self.n}, p={self.p}")

    def rows(self, a: int, b: int) -> torch.Tensor:
        """V[a:b] in the run's arithmetic (compact: in a reused scratch block, valid until the next call)."""
        if not self.compact:
            return self.V[a:b]
        if self._scratch is None:
            self._scratch = torch.empty(self.block, self.p, dtype=self.dtype, device=self.device)
        return self._scratch[: b - a].copy_(self.V[a:b])

    def gathered(self, neurons: torch.Tensor) -> torch.Tensor:
        """V[neurons] (at most a block of them) in the run's arithmetic, in the scratch block of :meth:`rows`."""
        if not self.compact:
            return self.V[neurons]
        self.rows(0, 0)
        return self._scratch[: neurons.numel()].copy_(self.V[neurons])

    def blocks(self) -> list[tuple[int, int]]:
        """The row blocks (a, b) of V that :meth:`rows` converts at once (one block unless compact)."""
        return [(a, min(self.n, a + self.block)) for a in range(0, self.n, self.block)]

    def overlaps(self, S: torch.Tensor) -> torch.Tensor:
        """m = V^T S: N times the overlap of every pattern with every state (S: +/-1 states)."""
        if self._int8(self.n * self.p * S.shape[1]):
            rows = self._int8_patterns if self._int8_patterns is not None else int8.byte_rows(self.V.T)
            if not self.compact:  # kept; a compact network makes V^T's bytes for each product (issue 27)
                self._int8_patterns = rows
            return int8.byte_overlaps(rows, S)
        if not self.compact:
            return self.V.T @ S
        m = torch.zeros(self.p, S.shape[1], dtype=self.dtype, device=self.device)
        for a, b in self.blocks():  # the int8 states converted a block of rows at a time, with V's
            m.addmm_(self.rows(a, b).T, S[a:b].to(self.dtype))
        return m

    def gram_rows(self, neurons: torch.Tensor) -> torch.Tensor:
        """Rows G[neurons] of G = V V^T (entries of at most p in size), in the run's arithmetic."""
        if self._int8(neurons.numel() * self.n * self.p):
            if self._int8_packed is None:
                self._int8_packed = int8.packed_weights(self.V, neurons.numel())
            return int8.byte_product(int8.byte_rows(self.V[neurons]), self._int8_packed, self.n)
        left = self.V[neurons].to(self.dtype)
        out = torch.empty(neurons.numel(), self.n, dtype=self.dtype, device=self.device)
        for a, b in self.blocks():
            out[:, a:b] = left @ self.rows(a, b).T
        return out

    def int8_field_change(self, dm: torch.Tensor) -> tuple[torch.Tensor, float] | None:
        """Can N h follow a change ``dm`` (p, P) of the overlaps by an int8 product
        (:meth:`add_field_change`)? If so: the patterns whose change exceeds a byte in some probe
        (their part goes through a float product), and the largest column sum of |dm| (what the
        change adds to a partial sum of N h at most). None where not: not a CPU, not float32, too
        small a product, int8 products not exact here."""
        if not self.speedups.int8_field_changes or self.n * self.p * dm.shape[1] < INT8_FIELD_MIN_WORK or \
                self.dtype != torch.float32 or self.device.type != "cpu" or not int8.field_changes_exact():
            return None
        size = dm.abs()
        # an odd change cannot occur (every overlap has the parity of N); one would go through floats
        big = ((size > INT8_STEP) | (dm.remainder(2) != 0)).any(1)
        return big.nonzero().squeeze(1), float(size.sum(0).max())

    def add_field_change(self, h: torch.Tensor, dm: torch.Tensor, big: torch.Tensor) -> None:
        """N h += V dm, in place: the fields follow a change ``dm`` of the overlaps.

        *Optimisation (int8 field changes):* after the first steps of a run, an overlap moves by
        twice its probe's flips at most (tens), and always by an even number, so dm / 2 fits in a
        byte: V dm is then one int8 product, times 2 (oneDNN; V as unsigned bytes 127 / 129, dm / 2
        as signed bytes, pairs of products at most 2 * 129 * 127 < 2**15, so the CPUs without
        VNNI, which add pairs in int16, cannot saturate), added into h by the product itself (its
        "sum" post-op): 0.55x the time of the float product V m(t+1) at N = 8000-32000 (measured).
        The patterns ``big`` whose change exceeds a byte (at N = 32000, the probes' own patterns in
        the second step) go through a float product.
        Exact when every partial sum of N h(t) plus the sums of V dm stays below 2**24 (the
        caller checks the bound): integers throughout, int32 sums in the int8 product.
        ``h``: (N, P) with rows 16 columns apart (:meth:`Arena.take` with ``aligned=True``)."""
        n, wide = h.shape[0], _aligned(h.shape[1])
        if self._int8_V is None:
            self._int8_V = int8.byte_rows(self.V)
        int8.add_byte_product(self._int8_V, dm.index_fill(0, big, 0) if big.numel() else dm,
                          h.as_strided((n, wide), (wide, 1)))
        if big.numel():
            h.addmm_(self.V[:, big].to(self.dtype), dm[big])

    def _int8(self, work: int) -> bool:
        """Is a +/-1 product of ``work`` multiply-adds to be made in int8 (see the module docstring)?"""
        return self.speedups.int8_overlaps and work >= INT8_MIN_WORK and self.dtype == torch.float32 and \
            self.device.type == "cpu" and int8.products_exact()

    def field(self, rows, m: torch.Tensor, S: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
        """N times the local field on ``rows``: V[rows] m + c S[rows] (a compact network: every row)."""
        self.check_exact(m)
        if not self.compact:
            h = product(self.V[rows], m, out=out)
            return h.add_(S[rows], alpha=self.c) if self.c else h
        P = m.shape[1]
        h = torch.empty(self.n, P, dtype=self.dtype, device=self.device) if out is None else out
        padded = None  # m padded to whole cache lines once for all blocks (see product)
        if self.device.type == "cpu" and P % ALIGN:
            padded = torch.zeros(self.p, _aligned(P), dtype=self.dtype, device=self.device)
            padded[:, :P] = m
        for a, b in self.blocks():  # V's rows converted a block at a time
            product(self.rows(a, b), m, out=h[a:b], padded=padded)
        if self.c:  # the int8 states converted a few rows at a time
            step = max(1, PASS_BLOCK // max(1, P))
            for a in range(0, self.n, step):
                h[a:a + step].add_(S[a:a + step].to(self.dtype), alpha=self.c)
        return h

    def energy(self, m: torch.Tensor) -> torch.Tensor:
        """E / N = -S.J.S / (2 N) = -(|m|^2 + c N) / (2 N^2), from S.S = N."""
        return -(m.double().pow(2).sum(0) + self.c * self.n) / (2 * self.n * self.n) if self.device.type != "mps" \
            else -(m.cpu().double().pow(2).sum(0) + self.c * self.n) / (2 * self.n * self.n)

    def update_overlaps(self, m: torch.Tensor, new: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor,
                        delta: torch.Tensor) -> torch.Tensor:
        """m(t+1) = V^T S(t+1), given the flips (``rows``, ``cols``) and their changes ``delta`` = +/-2.
        *Optimisation (sparse overlap update):* when few bits moved, m + V^T (S(t+1) - S(t)) over
        the flipped bits only (the rows of V they touch, summed per probe); exact (small integers).
        Measured at N = 8000: a step's overlaps cost ~3 % of a full product late in a run."""
        nnz = rows.numel()
        if nnz == 0:
            return m
        if not self.speedups.sparse_overlaps or nnz > SPARSE_UPDATE_MAX * new.numel() or \
                self.device.type not in ("cpu", "cuda"):
            return self.overlaps(new)
        if not self.compact:
            return m + rows_by_probe(self.V, cols, rows, delta, new.shape[1]).T
        # compact: the rows of the flipped neurons only, converted a block of them at a time
        if rows.numel() > 1 and not bool((rows[1:] >= rows[:-1]).all()):  # (ParallelStep's come sorted)
            order = torch.sort(rows, stable=True).indices
            rows, cols, delta = rows[order], cols[order], delta[order]
        neurons, slot = torch.unique_consecutive(rows, return_inverse=True)
        firsts = torch.arange(0, neurons.numel() + self.block, self.block, device=rows.device)
        bounds = torch.searchsorted(slot, firsts.clamp_(max=neurons.numel())).tolist()
        change = None  # (P, p): summed in the layout rows_by_probe gives, added to m once
        for k, (lo, hi) in enumerate(zip(bounds, bounds[1:])):
            if hi > lo:
                table = self.gathered(neurons[k * self.block:(k + 1) * self.block])
                part = rows_by_probe(table, cols[lo:hi], slot[lo:hi] - k * self.block, delta[lo:hi], new.shape[1])
                change = part if change is None else change.add_(part)
        return m + change.T


def rows_by_probe(table: torch.Tensor, probes: torch.Tensor, index: torch.Tensor, values: torch.Tensor,
                  n_probes: int) -> torch.Tensor:
    """(n_probes, table's columns): row c sums ``values[a] * table[index[a]]`` over the pairs a of probe
    c (``probes[a] == c``); sorted by probe, one bag per probe (``embedding_bag``, 1.5x faster than a
    sparse CSR product: measured at N = 32000, 1.2 million pairs, 0.84 s vs 1.27 s)."""
    order = torch.sort(probes, stable=True).indices
    offsets = torch.zeros(n_probes, dtype=torch.int64, device=probes.device)
    offsets[1:] = torch.bincount(probes, minlength=n_probes).cumsum(0)[:-1]
    return torch.nn.functional.embedding_bag(index[order], table, offsets, mode="sum",
                                             per_sample_weights=values[order])


def _aligned(cols: int) -> int:
    """``cols`` rounded up to a multiple of ALIGN."""
    return -(-cols // ALIGN) * ALIGN


def product(A: torch.Tensor, B: torch.Tensor, out: torch.Tensor | None = None,
            padded: torch.Tensor | None = None) -> torch.Tensor:
    """A @ B, into ``out`` if given; ``padded``: B padded as below, made once by a caller that multiplies
    it by several blocks of rows (:meth:`Network.field`).

    *Optimisation (aligned output rows):* on a CPU, a product whose output rows are not a
    whole number of cache lines (B's columns, the running probes, not a multiple of 16) runs
    ~40 % slower (measured: N = 8000, p = 960, 953 columns 113 ms, 960 columns 79 ms). So B is
    padded with zero columns to a multiple of 16 and the product is made in row blocks into a
    small aligned scratch block, each copied out: 80 ms for the 953 columns. Every entry is
    the same sum of the same integers (exact in any order), so the result is the same."""
    rows, cols = A.shape[0], B.shape[1]
    out = torch.empty(rows, cols, dtype=A.dtype, device=A.device) if out is None else out
    if A.device.type != "cpu" or cols % ALIGN == 0 or rows * cols < SCRATCH:
        return torch.mm(A, B, out=out)
    wide = _aligned(cols)
    if padded is None:
        padded = torch.zeros(B.shape[0], wide, dtype=B.dtype, device=B.device)
        padded[:, :cols] = B
    if out.stride() == (wide, 1):  # ``out`` has aligned rows already (Arena.take(cols, aligned=True))
        torch.mm(A, padded, out=out.as_strided((rows, wide), (wide, 1)))
        return out
    block = max(1, SCRATCH // wide)
    scratch = torch.empty(min(block, rows), wide, dtype=A.dtype, device=A.device)
    for a in range(0, rows, block):
        b = min(rows, a + block)
        out[a:b] = torch.mm(A[a:b], padded, out=scratch[: b - a])[:, :cols]
    return out


class Arena:
    """*Optimisation (buffer reuse):* three (N, P) buffers reused in turn for the previous,
    current and next states (int8 +/-1 for the compact parallel rules, issue 27).

    A fresh tensor of many megabytes costs page faults every time it is touched anew (the
    allocator returns big blocks to the OS when they are freed); on a CPU those faults cost
    more than the arithmetic on the array. Reusing three buffers avoids that; as probes
    are dropped the arrays shrink inside them, and once at most half of the room is used
    (:meth:`shrink`) smaller buffers replace them as they come back (the memory follows the
    running probes). ``first``: a contiguous (N, P) array of the dtype handed over (simulate's
    probes): it is the first array taken, not copied. Unpooled, ``take`` simply allocates.
    """

    def __init__(self, n: int, cols: int, dtype, device, pooled: bool = True, first: torch.Tensor | None = None):
        self.n, self.dtype, self.device, self.pooled = n, dtype, device, pooled
        self.cols = _aligned(cols) if device.type == "cpu" else cols  # room for aligned rows
        self.free = [torch.empty(n * self.cols, dtype=dtype, device=device)
                     for _ in range((3 - (first is not None)) if pooled else 0)]
        if pooled and first is not None:
            self.free.append(first.view(-1))
        self.owner: dict[int, torch.Tensor] = {}

    def take(self, cols: int, aligned: bool = False) -> torch.Tensor:
        """An (N, cols) array; ``aligned``: on a CPU, its rows start ``cols`` rounded up to a multiple
        of 16 apart (a strided view), so :func:`product` can write them without a scratch copy."""
        if not self.pooled:
            return torch.empty(self.n, cols, dtype=self.dtype, device=self.device)
        flat = self.free.pop() if self.free else torch.empty(self.n * self.cols, dtype=self.dtype, device=self.device)
        wide = _aligned(cols) if aligned and self.device.type == "cpu" else cols
        view = flat[: self.n * wide].view(self.n, wide)[:, :cols]
        self.owner[view.data_ptr()] = flat
        return view

    def give(self, view: torch.Tensor | None) -> None:
        if self.pooled and view is not None:
            flat = self.owner.pop(view.data_ptr())
            if flat.numel() <= self.n * self.cols:  # a buffer of the present size (or the first array)
                self.free.append(flat)

    def shrink(self, cols: int) -> None:
        """Only ``cols`` columns are used from now on: at most half the room, smaller buffers from now on."""
        wide = _aligned(cols) if self.device.type == "cpu" else cols
        if self.pooled and 2 * wide <= self.cols:
            self.cols = wide
            self.free = [flat for flat in self.free if flat.numel() <= self.n * wide]
