"""Random streams: every random draw of a run comes from a stream named by (seed, purpose).

A run with seed s draws its patterns, the bits it flips, the update order and its noise
(random tie-breaks, Glauber decisions) from four streams whose seeds are hashes of
(s, "patterns"), (s, "flips"), (s, "order"), (s, "noise"). Seeds s and s + 1 therefore
share no stream (with ``seed + 1`` arithmetic, the flip keys of seed s would be the
pattern bits of seed s + 1, and a sweep over consecutive seeds would draw correlated
samples).

The noise is *counter-based*: the uniform number that decides neuron i of probe c at
step t is a hash of (stream, t, i, c), not the next number of a sequential generator.
So it does not depend on which probes are still running, on how a step is split into
chunks, or on the order in which an implementation visits the neurons: the engine and a
plain reference that steps every probe to the end draw exactly the same numbers.
"""
from __future__ import annotations

import hashlib
import operator

import torch

from ._checks import _short

SEED_LIMIT = 2**63  # seeds are 0 <= seed < 2**63 (torch's generators take 64-bit seeds)
_GOLDEN = -0x61C8864680B583EB  # 0x9E3779B97F4A7C15 as a signed 64-bit integer
_MIX1 = -0x40A7B892E31B1A47    # 0xBF58476D1CE4E5B9
_MIX2 = -0x6B2FB644ECCEEE15    # 0x94D049BB133111EB


def check_seed(seed) -> int:
    """``seed`` as a Python int, or a ``ValueError`` naming it and what is allowed.

    A seed is an integer: a Python int, a numpy integer, or a 0-d integer tensor. Floats are
    refused even when they hold a whole number (``torch.tensor(2.7)`` would otherwise become 2),
    and so are booleans, strings, None and tensors with more than one element.
    """
    value = None
    refused = isinstance(seed, (bool, float, complex, str, bytes)) or (
        isinstance(seed, torch.Tensor) and (seed.dim() != 0 or seed.dtype == torch.bool
                                            or seed.is_floating_point() or seed.is_complex()))
    if not refused:
        try:
            value = operator.index(seed)
        except (TypeError, ValueError, RuntimeError, NotImplementedError):
            refused = True
    if refused:
        raise ValueError(f"seed={_short(seed)} is not allowed; a seed is an integer with 0 <= seed < 2**63 "
                         "(a Python int, a numpy integer or a 0-d integer tensor)")
    if not 0 <= value < SEED_LIMIT:
        raise ValueError(f"seed={_short(value)} is out of range; allowed: 0 <= seed < 2**63")
    return value


def stream_seed(seed: int, name: str) -> int:
    """The seed of stream ``name`` of a run with ``seed``: 63 bits of SHA-256("seed:name")."""
    seed = check_seed(seed)
    digest = hashlib.sha256(f"hopfield_lab:{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def generator(seed: int, name: str, device: torch.device | str = "cpu") -> torch.Generator:
    """A ``torch.Generator`` on ``device`` for stream ``name`` of a run with ``seed``."""
    gen = torch.Generator(device=torch.device(device))
    gen.manual_seed(stream_seed(seed, name))
    return gen


def _shift(x: torch.Tensor, k: int) -> torch.Tensor:
    """Logical right shift of int64 (torch's >> is arithmetic), as a new tensor."""
    return (x >> k).bitwise_and_((1 << (64 - k)) - 1)


def _mix(x: torch.Tensor) -> torch.Tensor:
    """splitmix64's finalizer: a bijection of 64-bit integers that scrambles every bit (wrapping
    arithmetic). Overwrites ``x`` (in place: one temporary at a time)."""
    for k, factor in ((30, _MIX1), (27, _MIX2), (31, None)):
        x ^= _shift(x, k)
        if factor is not None:
            x *= factor
    return x


def _key(base: int, values: torch.Tensor) -> torch.Tensor:
    return _mix(values.to(torch.int64) * _GOLDEN + ((base & (2**63 - 1)) - (base & 2**63)))



def _keys(seed: int, step: int, rows: torch.Tensor, probes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    base = stream_seed(seed, "noise")
    row_key = _key(base, rows.reshape(-1) + (step << 32))          # one key per neuron and step
    col_key = _key(base ^ 0x5DEECE66D, probes.reshape(-1))          # one key per probe
    return row_key, col_key


def _uniform(x: torch.Tensor, dtype) -> torch.Tensor:
    x = _shift(x, 11 if dtype == torch.float64 else 40)
    return x.to(dtype).mul_(2.0**-53 if dtype == torch.float64 else 2.0**-24)


def noise(seed: int, step: int, rows: torch.Tensor, probes: torch.Tensor, dtype=torch.float64) -> torch.Tensor:
    """Uniform numbers in [0, 1), one per (row, probe): u[a, b] = U(seed, step, rows[a], probes[b]).

    ``rows`` are neuron indices, ``probes`` probe ids (int64 tensors on the run's device);
    the result has shape (len(rows), len(probes)). float64 has 53 random bits; on devices
    without float64 (Apple MPS) pass ``dtype=torch.float32`` (24 bits).
    """
    row_key, col_key = _keys(seed, step, rows, probes)
    return _uniform(_mix(row_key[:, None] ^ col_key[None, :]), dtype)  # row_key ^ col_key is a new tensor


def noise_at(seed: int, step: int, rows: torch.Tensor, probes: torch.Tensor, dtype=torch.float64) -> torch.Tensor:
    """The same numbers as :func:`noise`, for the pairs (rows[a], probes[a]) only (equal lengths)."""
    row_key, col_key = _keys(seed, step, rows, probes)
    return _uniform(_mix(row_key ^ col_key), dtype)
