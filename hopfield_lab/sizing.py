"""How much memory a run needs, and the largest run that fits: checked before allocating.

The estimates count the arrays a run holds at once at its peak, per update rule (see
:func:`run_bytes`; measured peaks are checked against them in tests/test_sizing.py). The
free memory is :func:`hopfield_lab.device.memory_bytes`: in a container (Binder, Colab,
Docker) the cgroup's limit, not the host's memory.
"""
from __future__ import annotations

from .device import memory_bytes
from .patterns import n_patterns
from .fast.arithmetic import ALIGN, FIELD_BLOCK, INT8_FIELD_MIN_WORK, INT8_MIN_WORK, PASS_BLOCK, SPARSE_UPDATE_MAX
from .fast.int8 import OVERLAP_BLOCK, field_changes_exact
from .update_rules import LAYERED, NOISE_CHUNK, ONE_AT_A_TIME, PARALLEL

# what a process's first int8 products cost once, whatever their size: oneDNN's kernels and buffers and
# the check of fast.int8's products_exact / field_changes_exact (measured: 29 MiB peak resident memory)
INT8_ONCE = 32 * 2**20

# arrays of (neuron, probe) entries a sequential rule holds at its peak, in units of the arithmetic's width
# (4 for float32), by what the rule is (hopfield_lab.update_rules): one-at-a-time rules their states, fields and
# next states in chunks, the rules of row sets one more (calibrated on measured peaks, see tests/test_sizing.py)
ONE_AT_A_TIME_STATES, ROW_SET_STATES = 3, 5
# a fixed cost of temperature > 0: the Glauber draws of one chunk (uniforms, thresholds, signs: 12-20 bytes
# per entry of a chunk measured at N = 2000-8000)
_NOISE_BYTES = 24
# the parallel rules (issue 27): bytes a flip of a sparse step costs while the fields follow it (its int64
# pair, neuron, probe and change, their sorted copies; calibrated on the peaks measured at N = 8000-65,536)
_FLIP_BYTES = 40


def run_bytes(n: int, p: int, n_probes: int | None = None, *, update: str = "sync", steps: int = 100,
              temperature: float = 0.0, record_energy: bool = False, width: int = 4, dense: bool = False,
              m0: float = 0.0, inputs: bool = True) -> int:
    """Bytes a run needs at its peak (see the module docstring); ``width``: 4 (float32) or 8 (float64).

    The peak is the larger of two phases: drawing the patterns and probes (``simulate``: the
    patterns and probes as int8 (float32 for the dense algorithm), the uniform keys of the flips
    and the flipped positions, whose number depends on ``m0``), and the run: the arrays the rule
    holds (:func:`_parallel_bytes`, :func:`_sequential_bytes`), the Glauber draws of one chunk and
    the records kept on the CPU ((steps + 1) x P float64 overlaps, twice while they are assembled,
    and as many energies when asked for). What the caller holds is counted unless ``inputs=False``
    (evolve's caller has its patterns and probes already). Measured (peak resident memory with
    glibc returning freed arrays, tests/test_sizing.py, benchmarks/RESULTS.md): the estimate is
    1-1.3x the peak of the T = 0 rules at N = 4000-65,536."""
    P = p if n_probes is None else n_probes
    flips = int(max(0.0, min(1.0, (1.0 - m0) / 2.0)) * n)  # an int: sizes stay exact integers however large
    pw = 4 if dense else 1  # the drawn patterns' and probes' width
    draw = (n * p if dense else 0) + pw * n * p + pw * n * P + 4 * n * P + 12 * P * flips  # bits; keys, flips
    int8_once = INT8_ONCE if _int8_products(n, p, P, width) else 0
    if update in PARALLEL and not dense:
        run = _parallel_bytes(n, p, P, update, width)
    else:
        run = _sequential_bytes(n, p, P, update, width, dense, inputs)
    if temperature > 0:
        run += _NOISE_BYTES * min(NOISE_CHUNK, n * P)
    run += 8 * (steps + 1) * P * 2 * (2 if record_energy else 1) + int8_once  # records, twice while assembled
    return int(max(draw if inputs else 0, run))


def _int8_products(n: int, p: int, P: int, width: int) -> bool:
    """Does a run make int8 products (fast.int8): overlaps or rows of G large enough, or field changes
    where this machine makes them exactly?"""
    if width != 4:
        return False
    return n * p * max(p, P) >= INT8_MIN_WORK or n * p * P >= INT8_FIELD_MIN_WORK and field_changes_exact()


def _parallel_bytes(n: int, p: int, P: int, update: str, width: int) -> int:
    """The compact layout of the parallel rules (issue 27, hopfield_lab.fast): V once as int8 (simulate's
    own draw), a block of its rows in the arithmetic, three int8 state buffers (simulate's probes the
    first), m(t), m(t+1) and their change; then the largest of the step's phases: the fields and a block
    of their signs; the fields, a block of the comparison and the flips of a sparse step; a many-flips
    step (no fields): V^T as bytes, the ties' mask and the packed states of a block of probes for the
    int8 overlaps; sync, once most probes have stopped: the cached rows of G and V packed for their int8
    products, with the states and fields at half their size at most (the buffers shrink then)."""
    Pa = _aligned(P)
    run = n * p + width * min(n, max(ALIGN, FIELD_BLOCK // p)) * p + 3 * n * Pa + 3 * width * p * P
    fields = width * n * Pa
    signs = fields + 4 * min(n * Pa, PASS_BLOCK)
    flips = fields + min(n * Pa, PASS_BLOCK) + _FLIP_BYTES * n * P * round(SPARSE_UPDATE_MAX * 10**6) // 10**6 + 2 * width * p * P
    overlaps = n * p + n * Pa + 2 * min(n * P, OVERLAP_BLOCK + n * ALIGN)
    cached = 0
    if update not in LAYERED:  # even-odd recomputes its memory units and keeps no rows of G
        cached = width * n * min(p, P) + n * p + (fields - 3 * n * Pa) // 2
    return run + max(signs, flips, overlaps, cached)


def _sequential_bytes(n: int, p: int, P: int, update: str, width: int, dense: bool, inputs: bool) -> int:
    """The rules of row sets (the patterns they were given as int8, V in the run's arithmetic), and the
    paper's dense algorithm (float32 patterns and probes): their state buffers, masks and final states,
    the int8 copies, the overlaps; the dense algorithm's N x N matrix J and J S."""
    if dense:
        run = (4 * n * p + 4 * n * P if inputs else 0) + (width * n * p if width != 4 or not inputs else 0)
        run += width * 4 * n * P + width * n * min(p, P) + 4 * n * n + 4 * n * P
        run += 3 * n * p if width == 4 else 0
    else:
        states = ONE_AT_A_TIME_STATES if update in ONE_AT_A_TIME else ROW_SET_STATES
        run = (n * p if inputs else 0) + width * n * p + width * states * n * P
        run += n * p if width == 4 else 0             # int8 overlaps: V^T as bytes
    run += 2 * n * P + 3 * width * p * P              # masks, final int8; overlaps m, the next m, their change
    return run + (n * P if width == 4 else 0)         # the states as bytes (int8 overlaps)


def _aligned(cols: int) -> int:
    return -(-cols // ALIGN) * ALIGN


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
