"""*Optimisation (int8 products):* +/-1 matrices multiplied as bytes, exactly, on x86 CPUs.

*Optimisation (int8 overlaps):* V and S hold only +/-1, so m = V^T S is a product of bytes
with int32 sums: oneDNN's int8 product on x86 CPUs, 1.5x faster than float32 at N = 8000 and
1.7x at N = 16000-32000 (measured, conversions included); the same for rows of G = V V^T
(:mod:`hopfield_lab.fast.parallel_step`'s cache: 1500 rows at N = 32000, 2.1 s -> 1.1 s). Used for large
products after a check, once per process, that it gives the float product's result
(:func:`int8_products`).

Where the check fails (this CPU's oneDNN, another device) every product stays a float product.
"""
from __future__ import annotations

import torch

INT8_MIN_WORK = 2**30  # multiply-adds from which the int8 product is faster (measured: 1.0x at 0.9e9, 1.5x at 7e9)
# int8 changes of the fields (Network.add_field_change): worth it from this many multiply-adds (measured: 0.90x the
# float product's time at 1.2e8, 0.67x at 1.9e8), where they cost this share of a float32 product (0.51-0.62 measured
# at N = 4000-32000, p = 0.12 N, 30-3840 probes)
INT8_FIELD_MIN_WORK = 2**27
INT8_FIELD_COST = 0.6
# the largest change of an overlap an int8 field change takes in one byte: changes are even (a flip moves an
# overlap by +/-2), so half of one, at most 127, is the byte (see add_field_change)
INT8_STEP = 254
# state entries whose int8 overlaps are made at once (byte_overlaps packs the states a block of probes at a time)
OVERLAP_BLOCK = 2**25


def products_exact() -> bool:
    """Can this process multiply +/-1 matrices exactly with oneDNN's int8 products (x86 CPUs)?
    Checked once, on a case with every sign pattern, against the float product."""
    return _checked("products", _check_products)


def field_changes_exact() -> bool:
    """Can this process also add int8 products of +/-1 rows and byte-sized changes into float32
    fields exactly (:meth:`Network.add_field_change`, oneDNN's "sum" post-op)? Checked once, with
    the largest byte pairs, against the float product; without it the overlaps keep their int8
    products."""
    return products_exact() and _checked("field changes", _check_field_changes)


_INT8: dict[str, bool] = {}  # the answers of int8_products and int8_field_changes, once checked


def _checked(name: str, check) -> bool:
    if name not in _INT8:
        try:
            _INT8[name] = bool(check())
        except (RuntimeError, AttributeError, NotImplementedError, TypeError, ValueError):
            _INT8[name] = False
    return _INT8[name]


def _check_products() -> bool:
    gen = torch.Generator().manual_seed(0)
    # long sums (K = 5003: several of the kernels' blocks), odd shapes
    V = torch.randint(0, 2, (5003, 37), generator=gen).float().mul_(2).sub_(1)
    S = torch.randint(0, 2, (5003, 21), generator=gen).float().mul_(2).sub_(1)
    V[:, 0], S[:, 0], S[:, 1] = 1.0, 1.0, -1.0  # sums at both ends of the range
    return torch.equal(byte_overlaps(byte_rows(V.T), S), V.T @ S) and \
        torch.equal(byte_product(byte_rows(V[:301]), packed_weights(V, 301), 5003), V[:301] @ V.T)


def _check_field_changes() -> bool:
    gen = torch.Generator().manual_seed(1)
    # changes up to a byte in size against rows of all +1 and all -1 (the largest pairs), long rows
    A = torch.randint(0, 2, (301, 1037), generator=gen).float().mul_(2).sub_(1)
    A[0], A[1] = 1.0, -1.0
    dm = torch.randint(-(INT8_STEP // 2), INT8_STEP // 2 + 1, (1037, 21), generator=gen).float().mul_(2)
    dm[:, 0], dm[:, 1] = INT8_STEP, -INT8_STEP
    h = torch.randint(-2**20, 2**20, (301, 32), generator=gen).float()
    expected = h[:, :21] + A @ dm
    add_byte_product(byte_rows(A), dm, h)
    return torch.equal(h[:, :21], expected)


def byte_rows(A: torch.Tensor) -> torch.Tensor:
    """A +/-1 matrix as contiguous unsigned bytes A + 128 (127 or 129), in a new array (an int8 ``A``, the
    compact patterns of :class:`~hopfield_lab.fast.arithmetic.Network`, is left as it is)."""
    out = torch.empty(A.shape, dtype=torch.uint8, device=A.device)
    out.view(torch.int8).copy_(A)
    return out.add_(128)


def byte_overlaps(rows: torch.Tensor, S: torch.Tensor) -> torch.Tensor:
    """V^T S from V^T as unsigned bytes and +/-1 states S, in float32: oneDNN's int8 product
    ((u8 - 128) times s8, summed in int32; every pair of products is at most 2 * 129 in size, so
    the CPUs without VNNI, which add pairs in int16, cannot saturate either). Exact: the sums
    are integers of at most N < 2**24. The states are packed (a copy and its packed form, 2 bytes an
    entry) for a block of OVERLAP_BLOCK entries at a time (issue 27: not for all probes at once)."""
    cols = S.shape[1]
    block = max(1, OVERLAP_BLOCK // max(1, S.shape[0]))
    if cols <= block:
        return byte_product(rows, packed_weights(S.T, rows.shape[0]), cols)
    out = torch.empty(rows.shape[0], cols, dtype=torch.float32, device=S.device)
    for a in range(0, cols, block):
        b = min(cols, a + block)
        out[:, a:b] = byte_product(rows, packed_weights(S[:, a:b].T, rows.shape[0]), b - a)
    return out


def packed_weights(W: torch.Tensor, rows: int) -> torch.Tensor:
    """A matrix W (cols x K) of integers of at most 127 in size (+/-1 here, or halved field changes) as
    oneDNN's packed int8 weights, for products with ``rows`` rows of K bytes."""
    return torch.ops.onednn.qlinear_prepack(W.to(torch.int8).contiguous(), [rows, W.shape[1]])


def byte_product(rows: torch.Tensor, weights: torch.Tensor, cols: int,
                  add_to: torch.Tensor | None = None, scale: float = 1.0) -> torch.Tensor:
    """(rows - 128) W^T in float32 (times ``scale``), W: ``cols`` rows of bytes packed by oneDNN;
    ``add_to``: added into that contiguous float32 array (rows x cols) instead of a new one."""
    ones = torch.full((cols,), scale, dtype=torch.float32, device=rows.device)
    zeros = torch.zeros(cols, dtype=torch.int64, device=rows.device)
    if add_to is None:
        return torch.ops.onednn.qlinear_pointwise(rows, 1.0, 128, weights, ones, zeros, None, 1.0, 0, torch.float32,
                                                  "none", [], "")
    out = torch.ops.onednn.qlinear_pointwise.binary(rows, 1.0, 128, weights, ones, zeros, add_to, None, 1.0, 0,
                                                    torch.float32, 1.0, 0, "sum", 1.0, "none", [], "")
    if out.data_ptr() != add_to.data_ptr():  # the sum was not made in place
        add_to.copy_(out)
    return add_to


def add_byte_product(rows: torch.Tensor, dm: torch.Tensor, out: torch.Tensor) -> None:
    """out[:, :P] += (rows - 128) dm, in place: ``rows`` (n, K) unsigned bytes, ``dm`` (K, P) even
    integers of at most INT8_STEP in size (dm / 2 in bytes, the product scaled by 2), ``out`` (n, P
    rounded up to a multiple of 16) contiguous float32 (its extra columns get zeros added)."""
    weights = torch.zeros(out.shape[1], dm.shape[0], dtype=torch.int8, device=dm.device)
    weights[: dm.shape[1]] = dm.T / 2
    byte_product(rows, packed_weights(weights, rows.shape[0]), out.shape[1], add_to=out, scale=2.0)
