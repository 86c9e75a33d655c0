"""The benchmarks, in one place: [V20]'s Fig. 2 timing table and the cost of a sweep per update rule.

Fig. 2 workload (the paper's): alpha = 0.12, lambda = 0, m0 = 0.8, up to 100 synchronous
steps, timed from pattern generation to the end of the dynamics. Each size runs the engine
and, up to ``dense_max``, the paper's plain dense algorithm on the same patterns and probes
(same seed), so the ratio compares algorithms on the same machine in the same run.

Sweep costs: seconds per step of sync, async and Glauber-async (T > 0) updates at the same
N, so "async at close to synchronous speed" is a measured ratio.

Used by ``python -m hopfield_lab bench``, by ``benchmarks/bench_engine.py`` (which writes the
table of benchmarks/RESULTS.md, each run in its own process so its peak memory can be read)
and by notebook 02.
"""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

from .device import pick_device
from .dynamics import simulate
from .fast import Speedups

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
    peak_rss_mib: float | None = None

    @property
    def ratio(self) -> float | None:
        return None if self.dense_seconds is None else self.dense_seconds / self.engine_seconds


def run_isolated(n: int, algorithm: str = "engine", device: str = "cpu", seed: int = 0, **overrides) -> dict:
    """One run of the workload in a fresh process (``python -m hopfield_lab simulate --json``);
    adds ``peak_rss_mib``, that process's peak resident memory."""
    work = dict(WORKLOAD, **overrides)
    # the child reports its own peak resident memory after the run (RUSAGE_CHILDREN would give the
    # largest of all children so far)
    report = ("import json, resource, sys; from hopfield_lab.__main__ import main; code = main(sys.argv[1:]); "
              "print(json.dumps({'peak_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})); sys.exit(code)")
    cmd = [sys.executable, "-c", report, "simulate", "--n", str(n), "--seed", str(seed), "--device", device,
           "--algorithm", algorithm, "--json"]
    for key in ("alpha", "lam", "m0", "steps", "update", "temperature", "k", "blocks"):
        if work.get(key) is not None:
            cmd += [f"--{key}", str(work[key])]
    lines = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()
    result = json.loads(lines[-2])
    result["peak_rss_mib"] = json.loads(lines[-1])["peak_kib"] / 1024
    return result


def time_workload(n: int, device=None, dense: bool = True, seed: int = 0, isolated: bool = False) -> Row:
    """Time the workload at size ``n`` with the engine and (if ``dense``) the dense algorithm."""
    device = pick_device(device)
    if isolated:
        fast = run_isolated(n, "engine", device.type, seed)
        slow = run_isolated(n, "dense", device.type, seed) if dense else None
        return Row(n, device.type, fast["seconds"], None if slow is None else slow["seconds"],
                   fast["mean_final_overlap"], None if slow is None else slow["mean_final_overlap"],
                   fast["fraction_two_cycle"], fast["peak_rss_mib"])
    fast = simulate(n, seed=seed, device=device, **WORKLOAD)
    slow = simulate(n, seed=seed, device=device, algorithm="dense", **WORKLOAD) if dense else None
    return Row(n, device.type, fast.seconds, None if slow is None else slow.seconds, fast.mean_final_overlap,
               None if slow is None else slow.mean_final_overlap, fast.fraction_two_cycle)


def table(sizes=PAPER_SIZES[:4], device=None, dense_max: int = 8000, seed: int = 0, progress: bool = True,
          isolated: bool = False) -> list[Row]:
    """Measure every size (dense up to ``dense_max``), with a progress bar."""
    from tqdm.auto import tqdm

    return [time_workload(n, device, dense=n <= dense_max, seed=seed, isolated=isolated)
            for n in tqdm(sizes, desc="Fig. 2 sizes", disable=not progress)]


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


def markdown_table(rows: list[Row]) -> str:
    """The Fig. 2 table as markdown, for benchmarks/RESULTS.md."""
    out = ["| N | engine s | dense s | dense / engine | engine m_f | dense m_f | 2-cycles | engine peak RSS | "
           "paper T4 GPU s | paper 2-core CPU s |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append("| " + " | ".join([
            str(r.n), f"{r.engine_seconds:.3f}", "-" if r.dense_seconds is None else f"{r.dense_seconds:.3f}",
            "-" if r.ratio is None else f"**{r.ratio:.1f}x**", f"{r.mean_final_overlap:.4f}",
            "-" if r.dense_mean_final_overlap is None else f"{r.dense_mean_final_overlap:.4f}",
            f"{r.fraction_two_cycle:.1%}", "-" if r.peak_rss_mib is None else f"{r.peak_rss_mib:.0f} MiB",
            str(PAPER_GPU_SECONDS.get(r.n, "-")), str(PAPER_CPU_SECONDS.get(r.n, "-"))]) + " |")
    return "\n".join(out)


IDEAS = (  # (label, speedups): each row adds one idea of the engine to the one before
    ("fields as two N x p products (exact integers), fixed points dropped",
     Speedups(drop_two_cycles=False, sparse_overlaps=False, cached_gram_rows=False, int8_field_changes=False)),
    ("+ 2-cycles dropped (their future is known)",
     Speedups(sparse_overlaps=False, cached_gram_rows=False, int8_field_changes=False)),
    ("+ overlaps updated from the flipped bits only",
     Speedups(cached_gram_rows=False, int8_field_changes=False)),
    ("+ fields updated from cached columns of xi xi^T",
     Speedups(int8_field_changes=False)),
    ("+ fields updated by the overlaps' change in bytes (the engine)",
     Speedups()),
)


def ideas(n: int, device=None, seed: int = 0, dense: Row | None = None, repeats: int = 2) -> list[dict]:
    """What each idea buys: the Fig. 2 workload at size ``n``, first with the paper's dense
    algorithm, then with the engine's ideas switched on one after the other (:data:`IDEAS`).
    Every row computes the same dynamics exactly (the same mean final overlap). ``dense``: a
    :class:`Row` of :func:`table` at this ``n`` and ``seed`` whose dense run is used instead of a new one.
    Each engine row is the best of ``repeats`` runs (a single run of about a second can be slowed
    by 20 % or more by anything else on the machine)."""
    device = pick_device(device)
    if dense is None or dense.n != n or dense.dense_seconds is None:
        traj = simulate(n, seed=seed, device=device, algorithm="dense", **WORKLOAD)
        dense = Row(n, device.type, 0.0, traj.seconds, 0.0, traj.mean_final_overlap, 0.0)
    rows = [dict(idea="the paper's algorithm: N x N matrix J, every probe not at a fixed point stepped",
                 seconds=dense.dense_seconds, mean_final_overlap=dense.dense_mean_final_overlap)]
    for label, speedups in IDEAS:
        runs = [simulate(n, seed=seed, device=device, speedups=speedups, **WORKLOAD) for _ in range(max(1, repeats))]
        traj = min(runs, key=lambda run: run.seconds)
        rows.append(dict(idea=label, seconds=traj.seconds, mean_final_overlap=traj.mean_final_overlap))
    for row in rows:
        row["speed-up"] = rows[0]["seconds"] / row["seconds"]
    return rows


def format_ideas(rows: list[dict]) -> str:
    lines = [f"{'seconds':>8} {'speed-up':>9} {'m_f':>7}  what is computed"]
    lines += [f"{r['seconds']:8.3f} {r['speed-up']:8.1f}x {r['mean_final_overlap']:7.4f}  {r['idea']}" for r in rows]
    return "\n".join(lines)


def sweep_costs(n: int, temperature: float = 0.3, alpha: float = 0.05, steps: int = 10, device=None,
                seed: int = 0, repeats: int = 5) -> dict:
    """Seconds per step of sync, async (T = 0) and Glauber async / sync (T = ``temperature``) at size ``n``,
    from m0 = 0.8, and the ratios async / sync at the same temperature. Each is the best of ``repeats``
    runs after one unmeasured run (short runs on a shared machine vary by 2x or more)."""
    out = {}
    for name, update, temp in (("sync", "sync", 0.0), ("async", "async", 0.0),
                               ("glauber-sync", "sync", temperature), ("glauber-async", "async", temperature)):
        runs = [simulate(n, alpha, m0=0.8, steps=steps, update=update, temperature=temp, tie="keep", seed=seed,
                         device=device) for _ in range(repeats + 1)]
        out[name] = min(traj.seconds / max(1, traj.steps_run) for traj in runs[1:])
    out["async / sync"] = out["async"] / out["sync"]
    out["glauber async / sync"] = out["glauber-async"] / out["glauber-sync"]
    return out


def command_line(argv: list[str] | None = None) -> int:
    """``benchmarks/bench_engine.py`` and ``python -m hopfield_lab bench``: print the tables."""
    import argparse
    import datetime
    import platform

    import torch

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000, 8000])
    parser.add_argument("--dense-max", type=int, default=8000, help="largest N also timed with the dense algorithm")
    parser.add_argument("--sweep-sizes", type=int, nargs="*", default=[], help="N for the per-sweep costs (async, Glauber)")
    parser.add_argument("--ideas", type=int, nargs="*", default=[], help="N for the table of what each idea buys")
    parser.add_argument("--device", choices=("cpu", "cuda", "mps"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", action="store_true", help="markdown tables, each run in its own process")
    args = parser.parse_args(argv)
    device = pick_device(args.device)
    print(f"# {datetime.date.today()} on {platform.processor() or platform.machine()}, {torch.get_num_threads()} "
          f"threads, torch {torch.__version__}, device {device.type}")
    print("[V20] Fig. 2 workload: alpha = 0.12, lambda = 0, m0 = 0.8, up to 100 sync steps")
    rows = table(args.sizes, device=device, dense_max=args.dense_max, seed=args.seed, progress=not args.markdown,
                 isolated=args.markdown)
    print(markdown_table(rows) if args.markdown else format_table(rows))
    for n in args.ideas:
        print(f"\nWhat each idea buys at N = {n} (same run, same patterns and probes; engine rows the best of 2 "
              "runs; speed-up vs the first row)")
        print("| seconds | speed-up | m_f | what is computed |\n|---|---|---|---|")
        for r in ideas(n, device=device, seed=args.seed):
            print(f"| {r['seconds']:.3f} | {r['speed-up']:.1f}x | {r['mean_final_overlap']:.4f} | {r['idea']} |")
    if args.sweep_sizes:
        print("\nSeconds per step (alpha = 0.05, m0 = 0.8, 10 steps, ties kept; Glauber at T = 0.3; best of 5 runs after a warm-up)")
        print("| N | sync | async | async / sync | Glauber sync | Glauber async | Glauber async / sync |")
        print("|---|---|---|---|---|---|---|")
        for n in args.sweep_sizes:
            c = sweep_costs(n, device=device, seed=args.seed)
            print(f"| {n} | {c['sync']:.4f} | {c['async']:.4f} | {c['async / sync']:.1f}x | {c['glauber-sync']:.4f} | "
                  f"{c['glauber-async']:.4f} | **{c['glauber async / sync']:.1f}x** |")
    return 0
