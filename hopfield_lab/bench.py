"""The [V20] Fig. 2 timing table, measured here, next to the paper's numbers.

Workload (the paper's): alpha = 0.12, lambda = 0, m0 = 0.8, up to 100 synchronous steps,
timed from pattern generation to the end of the dynamics. Each size runs the engine and,
up to ``dense_max``, the paper's plain dense algorithm on the same patterns and probes,
so the ratio compares algorithms on the same machine in the same run.
"""
from __future__ import annotations

from dataclasses import dataclass

from .device import pick_device
from .dynamics import simulate

# [V20] Fig. 2: seconds on one Tesla T4 (GPU) and two Xeon cores @ 2.2 GHz (CPU; 32K estimated).
PAPER_SIZES = (1000, 2000, 4000, 8000, 16000, 32000)
PAPER_GPU_SECONDS = dict(zip(PAPER_SIZES, (0.0675, 0.133, 0.419, 2.41, 18.6, 209.0)))
PAPER_CPU_SECONDS = dict(zip(PAPER_SIZES, (0.376, 2.54, 20.7, 164.0, 1440.0, 11500.0)))
WORKLOAD = dict(alpha=0.12, lam=0.0, m0=0.8, steps=100, update="sync")


@dataclass(frozen=True)
class Row:
    """One size of the table: the engine's time, the dense algorithm's (or None), and what they found."""

    n: int
    device: str
    engine_seconds: float
    dense_seconds: float | None
    mean_final_overlap: float
    dense_mean_final_overlap: float | None
    fraction_two_cycle: float

    @property
    def ratio(self) -> float | None:
        return None if self.dense_seconds is None else self.dense_seconds / self.engine_seconds


def measure(n: int, device=None, dense: bool = True, seed: int = 0) -> Row:
    """Time the workload at size ``n`` with the engine and (if ``dense``) the dense algorithm."""
    device = pick_device(None if device is None else str(device))
    fast = simulate(n, seed=seed, device=device, **WORKLOAD)
    slow = simulate(n, seed=seed, device=device, algorithm="dense", **WORKLOAD) if dense else None
    return Row(n, device.type, fast.seconds, None if slow is None else slow.seconds, fast.mean_final_overlap,
               None if slow is None else slow.mean_final_overlap, fast.fraction_two_cycle)


def table(sizes=PAPER_SIZES[:4], device=None, dense_max: int = 8000, seed: int = 0, progress: bool = True) -> list[Row]:
    """Measure every size (dense up to ``dense_max``), with a progress bar."""
    from tqdm.auto import tqdm

    rows = []
    for n in tqdm(sizes, desc="Fig. 2 sizes", disable=not progress):
        rows.append(measure(n, device, dense=n <= dense_max, seed=seed))
    return rows


def format_table(rows: list[Row]) -> str:
    """A plain-text table: N, this machine's engine and dense times, their ratio, the paper's times."""
    def cell(x, fmt="{:.3g}"):
        return "-" if x is None else fmt.format(x)

    lines = [f"{'N':>6} {'device':>6} {'engine s':>9} {'dense s':>9} {'ratio':>7} {'m_f':>7} "
             f"{'paper GPU s':>11} {'paper CPU s':>11}"]
    for r in rows:
        lines.append(f"{r.n:>6} {r.device:>6} {cell(r.engine_seconds):>9} {cell(r.dense_seconds):>9} "
                     f"{cell(r.ratio, '{:.1f}x'):>7} {r.mean_final_overlap:>7.4f} "
                     f"{cell(PAPER_GPU_SECONDS.get(r.n)):>11} {cell(PAPER_CPU_SECONDS.get(r.n)):>11}")
    return "\n".join(lines)
