"""The engine's optimisations, out of the reading path, switched by one argument.

:func:`hopfield_lab.dynamics.evolve` and :func:`~hopfield_lab.dynamics.simulate` take
``speedups``: ``False`` runs the plain step of :mod:`hopfield_lab.dynamics` (the
textbook loop over row sets, in float64); ``True`` (the default) or a :class:`Speedups`
runs the fast step with the optimisations it names. Every one of them gives the same
trajectory bit for bit (tests/test_engine_exact.py); what each buys is measured in
notebook 02 (``bench.ideas``) and benchmarks/RESULTS.md.

Modules: :mod:`~hopfield_lab.fast.arithmetic` (exact integer fields in float32, the
checked bound, aligned products, reused buffers), :mod:`~hopfield_lab.fast.int8`
(oneDNN's int8 products, checked once per process), :mod:`~hopfield_lab.fast.parallel_step`
(sync and even-odd by flips), :mod:`~hopfield_lab.fast.async_chunks` (sequential sweeps by
guess and check).
"""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Speedups:
    """Which of the fast step's optimisations are on (all, by default). The fast step always
    keeps float32 where it is exact, reuses its buffers, pads products to whole cache lines and
    sweeps asynchronous rules in chunks; these are the ones notebook 02 measures one by one."""
    drop_two_cycles: bool = True      # a deterministic probe in a 2-cycle is not stepped further
    sparse_overlaps: bool = True      # m follows the flipped bits only (arithmetic.Network.update_overlaps)
    cached_gram_rows: bool = True     # fields follow the flips through kept rows of V V^T (parallel_step)
    int8_overlaps: bool = True        # m = V^T S and rows of V V^T as int8 products (fast.int8)
    int8_field_changes: bool = True   # fields follow the overlaps' change by an int8 product (fast.int8)

    @classmethod
    def none(cls) -> "Speedups":
        """Every switchable optimisation off (the fast step's own bookkeeping stays)."""
        return cls(**{f.name: False for f in fields(cls)})


def as_speedups(speedups) -> Speedups | None:
    """``speedups`` as a :class:`Speedups`, or None for the plain step; a ValueError for anything else."""
    if speedups is True:
        return Speedups()
    if speedups is False:
        return None
    if isinstance(speedups, Speedups):
        return speedups
    raise ValueError(f"speedups={speedups!r} is not allowed; allowed: True (every optimisation), False (the "
                     "plain step) or a hopfield_lab.fast.Speedups")
