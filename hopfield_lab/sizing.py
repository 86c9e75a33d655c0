"""How much memory a run needs, and the largest run that fits: checked before allocating.

The estimates count the arrays a run holds at once at its peak, per update rule (see
:func:`run_bytes`; measured peaks are checked against them in tests/test_sizing.py). The
free memory is :func:`hopfield_lab.device.memory_bytes`: in a container (Binder, Colab,
Docker) the cgroup's limit, not the host's memory.
"""
from __future__ import annotations

from .device import memory_bytes
from .patterns import n_patterns
from .fast.arithmetic import INT8_FIELD_MIN_WORK, INT8_MIN_WORK
from .update_rules import LAYERED, NOISE_CHUNK, ONE_AT_A_TIME, PARALLEL

# what a process's first int8 products cost once, whatever their size: oneDNN's kernels and buffers and
# the check of fast.int8's products_exact / field_changes_exact (measured: 29 MiB peak resident memory)
INT8_ONCE = 32 * 2**20

# arrays of (neuron, probe) entries a rule holds at its peak, in units of the arithmetic's width (4 for
# float32), by what the rule is (hopfield_lab.update_rules): the parallel rules the four pooled buffers of
# fast.arithmetic.Arena, one-at-a-time rules their states, fields and next states in chunks, the rules
# of row sets one more (calibrated on measured peaks, see tests/test_sizing.py)
PARALLEL_STATES, ONE_AT_A_TIME_STATES, ROW_SET_STATES = 4, 3, 5


def _state_arrays(update: str) -> int:
    return PARALLEL_STATES if update in PARALLEL else ONE_AT_A_TIME_STATES if update in ONE_AT_A_TIME \
        else ROW_SET_STATES
# a fixed cost of temperature > 0: the Glauber draws of one chunk (uniforms, thresholds, signs: 12-20 bytes
# per entry of a chunk measured at N = 2000-8000)
_NOISE_BYTES = 24


def run_bytes(n: int, p: int, n_probes: int | None = None, *, update: str = "sync", steps: int = 100,
              temperature: float = 0.0, record_energy: bool = False, width: int = 4, dense: bool = False,
              m0: float = 0.0, inputs: bool = True) -> int:
    """Bytes a run needs at its peak (see the module docstring); ``width``: 4 (float32) or 8 (float64).

    The peak is the larger of two phases: drawing the patterns and probes (``simulate``: the
    patterns, the probes, the uniform keys of the flips and the flipped positions, whose number
    depends on ``m0``), and the run, which holds the patterns and probes it was given (counted
    unless ``inputs=False``: evolve's caller has them already) and its own arrays: the patterns
    in the run's arithmetic if not float32, the rule's state buffers, masks and final states,
    the cached columns of G (sync), the int8 copies, the overlaps, the Glauber draws of one chunk
    and the records kept on the CPU ((steps + 1) x P float64 overlaps, twice while they are
    assembled, and as many energies when asked for). Measured at alpha = 0.12 (peak resident
    memory with glibc returning freed arrays, tests/test_sizing.py): 1.14-1.27x the peak for the
    T = 0 rules at N = 8000, 1.22x at 16,000, 1.17x at 32,000 (3.50 GiB measured; 17 GiB asked at
    65,536); more at N of a few thousand, where fixed costs (the int8 kernels' 32 MiB) weigh."""
    P = p if n_probes is None else n_probes
    held = 4 * n * p + 4 * n * P if inputs else 0  # the float32 patterns and probes
    flips = int(max(0.0, min(1.0, (1.0 - m0) / 2.0)) * n)  # an int: sizes stay exact integers however large
    draw = 4 * n * p + n * p + 4 * n * P + 4 * n * P + 12 * P * flips  # bits, patterns; probes, keys, flips
    run = held + (width * n * p if width != 4 or not inputs else 0)  # V in the run's arithmetic
    run += width * _state_arrays(update) * n * P + 2 * n * P  # state buffers; masks, final int8
    run += 3 * width * p * P                      # overlaps m, the next m, their change
    if update in PARALLEL and update not in LAYERED:
        run += width * n * min(p, P)              # the cached columns of G (hopfield_lab.fast.parallel_step)
    if width == 4:
        run += 3 * n * p + n * P                  # int8 products: V^T, V packed, V as bytes; the states as bytes
        if n * p * P >= min(INT8_FIELD_MIN_WORK, INT8_MIN_WORK):
            run += INT8_ONCE                      # products large enough to be made in int8
    if temperature > 0:
        run += _NOISE_BYTES * min(NOISE_CHUNK, n * P)
    run += 8 * (steps + 1) * P * 2 * (2 if record_energy else 1)  # records, twice while assembled
    if dense:
        run += 4 * n * n + 4 * n * P              # the paper's N x N matrix J and J S
    return int(max(draw if inputs else 0, run))


def largest_n(alpha: float, device, fraction: float = 0.8, **kwargs) -> int:
    """The largest N whose run (p = alpha N probes) fits in ``fraction`` of the device's free memory;
    0 if not even N = 2 fits (too many steps of records, or too large an alpha).
    ``kwargs`` as for :func:`run_bytes` (update, steps, temperature, record_energy, dense, m0)."""
    budget = fraction * memory_bytes(device)

    def fits(n: int) -> bool:
        return run_bytes(n, max(1, n_patterns(alpha, n)), **kwargs) <= budget

    if not fits(2):
        return 0
    lo, hi = 2, 4
    while fits(hi) and hi < 2**40:
        lo, hi = hi, hi * 2
    while hi - lo > 1:  # bisection: the estimate grows with N
        mid = (lo + hi) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid
    return lo


def largest_steps(n: int, p: int, device, fraction: float = 0.8, **kwargs) -> int:
    """The most steps a run of N = ``n``, ``p`` patterns fits with (its records grow with the steps);
    -1 if it does not fit even with 0 steps. ``kwargs`` as for :func:`run_bytes`, without ``steps``."""
    budget = fraction * memory_bytes(device)
    if run_bytes(n, p, steps=0, **kwargs) > budget:
        return -1
    lo, hi = 0, 1
    while run_bytes(n, p, steps=hi, **kwargs) <= budget:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if run_bytes(n, p, steps=mid, **kwargs) <= budget:
            lo = mid
        else:
            hi = mid
    return lo


def gib(nbytes: float) -> str:
    """A byte count in GiB for a message (any size, including beyond a float's range)."""
    try:
        return f"{nbytes / 2**30:.2f} GiB"
    except OverflowError:
        return f"more than 1e300 GiB ({len(str(int(nbytes)))}-digit bytes)"


def check_fits(n: int, p: int, alpha: float | None, device, fraction: float = 0.8, n_probes: int | None = None,
               **kwargs) -> None:
    """Refuse (``ValueError``) a run that needs more than ``fraction`` of the free memory, before
    allocating anything; the message names what fits with the same settings: the largest N
    (``alpha`` given: simulate's runs, p = alpha N), else the most steps, else smaller problems."""
    need, free = run_bytes(n, p, n_probes, **kwargs), memory_bytes(device)
    if need <= fraction * free:
        return
    steps = kwargs.get("steps", 100)
    where = f"{getattr(device, 'type', device)} has {gib(free)} free (a run may use {fraction:.0%} of it)"
    fits = largest_n(alpha, device, fraction, **kwargs) if alpha is not None and n_probes is None else 0
    if fits >= 2:
        hint = f"allowed: n <= {fits} on this device with these settings"
    else:
        at_most = largest_steps(n, p, device, fraction, n_probes=n_probes,
                                **{k: v for k, v in kwargs.items() if k != "steps"})
        if at_most >= 0:
            hint = (f"allowed: steps <= {at_most} at this size (the records of steps={steps} take "
                    f"{gib(8 * 2 * (steps + 1) * (p if n_probes is None else n_probes))})")
        elif alpha is not None:
            hint = "allowed: a smaller alpha (no n fits this one)"
        else:
            hint = "allowed: fewer patterns or probes, or fewer neurons"
    setting = f"alpha={alpha}" if alpha is not None else f"p={p} patterns"
    raise ValueError(f"n={n} needs about {gib(need)} ({setting}, steps={steps}), but {where}; {hint}")
