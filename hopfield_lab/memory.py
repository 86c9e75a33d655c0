"""How much memory a run needs, and the largest run that fits: checked before allocating.

The estimates count every array a run holds at its peak, per update rule (measured peaks
are checked against them in tests/test_memory.py): the patterns V and the probes, the
state buffers of the rule, the Glauber draws (made in chunks), the records kept on the
CPU ((steps + 1) x P float64 overlaps, twice while they are assembled, and as many
energies when asked for) and the final states.
"""
from __future__ import annotations

from .device import memory_bytes
from .fields import INT8_FIELD_MIN_WORK, INT8_MIN_WORK
from .rules import NOISE_CHUNK

# what a process's first int8 products cost once, whatever their size: oneDNN's kernels and buffers and
# the check of fields.int8_products / int8_field_changes (measured: 29 MiB peak resident memory)
INT8_ONCE = 32 * 2**20

# bytes per (neuron, probe) entry at a rule's peak, in units of the arithmetic's width
# (4 for float32), plus fixed bytes per entry (bool masks, int8 finals): measured, see tests/test_memory.py
_STATE_WIDTHS = {"sync": 5, "even-odd": 5, "hybrid": 6, "blocks": 5, "async": 4}


def run_bytes(n: int, p: int, n_probes: int | None = None, *, update: str = "sync", steps: int = 100,
              temperature: float = 0.0, record_energy: bool = False, width: int = 4, dense: bool = False) -> int:
    """Bytes a run needs at its peak (see the module docstring); ``width``: 4 (float32) or 8 (float64)."""
    P = p if n_probes is None else n_probes
    need = width * n * p + 4 * n * p               # V in the run's arithmetic + the float32 patterns
    need += 4 * n * P + 16 * n * P                 # the probes; corrupting them (keys, indices)
    need += width * _STATE_WIDTHS.get(update, 6) * n * P + 3 * n * P  # state buffers, masks, final int8
    need += 2 * width * p * P                      # overlaps m and the next m
    if update == "sync":
        need += width * n * min(p, P)              # the cached columns of G (hopfield_lab.parallel)
    if width == 4:
        need += 3 * n * p + 2 * n * P              # int8 products: V^T, V packed, V, the states as bytes, packed
        need += 3 * 4 * p * P                      # an int8 field change: the overlaps' change, its size, bytes
        if n * p * P >= min(INT8_FIELD_MIN_WORK, INT8_MIN_WORK):
            need += INT8_ONCE                      # products large enough to be made in int8
    if temperature > 0:
        need += 48 * min(NOISE_CHUNK, n * P)       # draws, probabilities, hashes of one chunk
        if update in ("async", "blocks"):
            need += 8 * n * P + 48 * n * P         # a whole step's draws at once, and their hashes
    need += 8 * (steps + 1) * P * 2 * (2 if record_energy else 1)  # records, twice while assembled
    if dense:
        need += 4 * n * n + 4 * n * P              # the paper's N x N matrix J and J S
    return int(need)


def largest_n(alpha: float, device, fraction: float = 0.8, **kwargs) -> int:
    """The largest N whose run (p = alpha N probes) fits in ``fraction`` of the device's free memory.
    ``kwargs`` as for :func:`run_bytes` (update, steps, temperature, record_energy, dense)."""
    budget = fraction * memory_bytes(device)
    lo, hi = 2, 2
    while run_bytes(hi, max(1, int(alpha * hi + 0.5)), **kwargs) <= budget and hi < 2**31:
        lo, hi = hi, hi * 2
    while hi - lo > 1:  # bisection: the estimate grows with N
        mid = (lo + hi) // 2
        if run_bytes(mid, max(1, int(alpha * mid + 0.5)), **kwargs) <= budget:
            lo = mid
        else:
            hi = mid
    return lo


def check_fits(n: int, p: int, alpha: float, device, fraction: float = 0.8, **kwargs) -> None:
    """Refuse (``ValueError``) a run that needs more than ``fraction`` of the free memory, before
    allocating anything; the message names the largest N that fits with the same settings."""
    need, free = run_bytes(n, p, **kwargs), memory_bytes(device)
    if need > fraction * free:
        steps = kwargs.get("steps")
        fits = largest_n(alpha, device, fraction, **kwargs)
        hint = f"allowed: n <= {fits} on this device with these settings" if fits >= 2 else \
            f"allowed: fewer steps (steps={steps} needs {8 * 2 * (steps + 1) / 2**20:.0f} MiB of records per probe)"
        raise ValueError(f"n={n} needs about {need / 2**30:.2f} GiB at alpha={alpha}, but {getattr(device, 'type', device)} "
                         f"has {free / 2**30:.2f} GiB free; {hint}")

