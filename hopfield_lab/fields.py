"""Exact fields and overlaps without the N x N matrix: the engine's arithmetic, and its optimisations.

With the patterns as the columns of V (N x p, entries +/-1) and the self-coupling
J_ii = lam p / N, the coupling matrix is J = (V V^T + c I) / N with c = (lam - 1) p, so

    N h = V m + c S,    m = V^T S   (the p overlaps, times N).

Two N x p products replace one N x N product (memory O(N p), not O(N^2)).

*Exact integers in float32.* When c is an integer, m and N h are integers. float32 holds
every integer below 2**24 exactly, and a sum of integers whose magnitudes add up to less
than 2**24 is exact in any order, blocked or fused: |N h| <= p N + |c|. The arithmetic is
chosen once per run: float32 when that bound holds and float32 products run at full
precision (no TF32 / bf16), float64 otherwise (a non-integer c, or huge N p). Signs, and
exact zeros (ties), are then always right.
"""
from __future__ import annotations

import warnings

import torch

EXACT_FLOAT32 = 2**24  # float32 holds every integer of smaller magnitude exactly
SPARSE_UPDATE_MAX = 0.03  # update m sparsely while at most this fraction of bits moved (measured)


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


def choose_dtype(n: int, p: int, lam: float, device: torch.device) -> torch.dtype:
    """float32 if every product of the run is exact in it, else float64 (see the module docstring)."""
    c = (lam - 1.0) * p
    exact = float(c).is_integer() and p * n + abs(c) < EXACT_FLOAT32 and n < EXACT_FLOAT32
    if exact and full_precision_float32():
        return torch.float32
    if device.type == "mps":
        raise ValueError(f"lam={lam!r} with p={p}, n={n} needs float64 arithmetic to stay exact, which Apple's MPS "
                         "lacks; allowed on mps: lam * p an integer, p * n < 2**24 and full float32 precision "
                         "(or run on device='cpu')")
    return torch.float64


class Network:
    """The stored patterns V and the self-term c = (lam - 1) p, in the run's arithmetic."""

    def __init__(self, patterns: torch.Tensor, lam: float):
        self.n, self.p = patterns.shape
        self.device = patterns.device
        self.dtype = choose_dtype(self.n, self.p, lam, self.device)
        self.V = patterns.to(self.dtype)
        self.c = (lam - 1.0) * self.p

    def overlaps(self, S: torch.Tensor) -> torch.Tensor:
        """m = V^T S: N times the overlap of every pattern with every state."""
        return self.V.T @ S

    def field(self, rows, m: torch.Tensor, S: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
        """N times the local field on ``rows``: V[rows] m + c S[rows]."""
        h = torch.mm(self.V[rows], m, out=out)
        return h.add_(S[rows], alpha=self.c) if self.c else h

    def energy(self, m: torch.Tensor) -> torch.Tensor:
        """E / N = -S.J.S / (2 N) = -(|m|^2 + c N) / (2 N^2), from S.S = N."""
        return -(m.double().pow(2).sum(0) + self.c * self.n) / (2 * self.n * self.n) if self.device.type != "mps" \
            else -(m.cpu().double().pow(2).sum(0) + self.c * self.n) / (2 * self.n * self.n)

    def update_overlaps(self, m: torch.Tensor, S: torch.Tensor, new: torch.Tensor, moved: torch.Tensor) -> torch.Tensor:
        """m(t+1) = V^T S(t+1). *Optimisation (sparse overlap update):* when few bits moved,
        m + V^T (S(t+1) - S(t)) over the moved bits only, as a sparse product; exact (small
        integers). Measured at N = 8000: a step's overlaps cost ~3 % of a full product late in a run."""
        nnz = int(torch.count_nonzero(moved))
        if nnz == 0:
            return m
        if nnz > SPARSE_UPDATE_MAX * moved.numel() or self.device.type not in ("cpu", "cuda"):
            return self.V.T @ new
        col, row = moved.T.nonzero().unbind(1)  # sorted by probe
        crow = torch.zeros(moved.shape[1] + 1, dtype=torch.int64, device=self.device)
        crow[1:] = torch.bincount(col, minlength=moved.shape[1]).cumsum(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "sparse CSR support is in beta"
            step = torch.sparse_csr_tensor(crow, row, new[row, col] - S[row, col], size=(moved.shape[1], self.n))
            return m + (step @ self.V).T


class Arena:
    """*Optimisation (buffer reuse):* three (N, P) buffers reused in turn for the previous,
    current and next states.

    A fresh tensor of many megabytes costs page faults every time it is touched anew (the
    allocator returns big blocks to the OS when they are freed); on a CPU those faults cost
    more than the arithmetic on the array. Reusing three buffers avoids that; as probes
    are dropped the arrays shrink inside them. Unpooled, ``take`` simply allocates.
    """

    def __init__(self, n: int, cols: int, dtype, device, pooled: bool = True):
        self.n, self.dtype, self.device, self.pooled = n, dtype, device, pooled
        self.free = [torch.empty(n * cols, dtype=dtype, device=device) for _ in range(3 if pooled else 0)]
        self.owner: dict[int, torch.Tensor] = {}

    def take(self, cols: int) -> torch.Tensor:
        if not self.pooled:
            return torch.empty(self.n, cols, dtype=self.dtype, device=self.device)
        flat = self.free.pop()
        view = flat[: self.n * cols].view(self.n, cols)
        self.owner[view.data_ptr()] = flat
        return view

    def give(self, view: torch.Tensor | None) -> None:
        if self.pooled and view is not None:
            self.free.append(self.owner.pop(view.data_ptr()))
