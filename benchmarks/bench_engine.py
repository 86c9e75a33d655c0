"""Benchmark: the engine against the paper's plain dense algorithm on [V20]'s Fig. 2 workload.

    python benchmarks/bench_engine.py                    # CPU: N = 1K..32K, dense up to 8K
    python benchmarks/bench_engine.py --device cuda      # a GPU: dense up to 32K as well

Workload: alpha = 0.12, lambda = 0, m0 = 0.8, up to 100 synchronous steps, timed from
pattern generation to the end of the dynamics (the paper's scope). Every run is a separate
process (`python -m hopfield_lab simulate --json`), so its peak memory can be read, and
both algorithms see the same patterns and probes (same seed). Prints a markdown table with
the ratio dense / engine and the peak resident memory of each engine run.
"""
from __future__ import annotations

import argparse
import datetime
import json
import platform
import resource
import subprocess
import sys

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from hopfield_lab.bench import PAPER_CPU_SECONDS, PAPER_GPU_SECONDS, WORKLOAD  # noqa: E402


def run(n: int, algorithm: str, device: str, seed: int) -> dict:
    cmd = [sys.executable, "-m", "hopfield_lab", "simulate", "--n", str(n), "--alpha", str(WORKLOAD["alpha"]),
           "--lam", str(WORKLOAD["lam"]), "--m0", str(WORKLOAD["m0"]), "--steps", str(WORKLOAD["steps"]),
           "--seed", str(seed), "--device", device, "--algorithm", algorithm, "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    # peak RSS of the largest child so far; engine sizes run in increasing order, before any dense run
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000, 8000, 16000, 32000])
    parser.add_argument("--dense-max", type=int, default=8000)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import torch

    print(f"# {datetime.date.today()} on {platform.processor() or platform.machine()}, "
          f"{torch.get_num_threads()} threads, torch {torch.__version__}, device {args.device}")
    engine = {}
    for n in args.sizes:
        engine[n] = run(n, "engine", args.device, args.seed)
        print(f"engine N={n}: {engine[n]['seconds']:.3f} s", file=sys.stderr, flush=True)
    dense = {}
    for n in [n for n in args.sizes if n <= args.dense_max]:
        dense[n] = run(n, "dense", args.device, args.seed)
        print(f"dense  N={n}: {dense[n]['seconds']:.3f} s", file=sys.stderr, flush=True)
    print("| N | engine s | dense s | dense / engine | engine m_f | dense m_f | 2-cycles | engine peak RSS | "
          "paper T4 GPU s | paper 2-core CPU s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, e in engine.items():
        d = dense.get(n)
        cells = [str(n), f"{e['seconds']:.3f}", f"{d['seconds']:.3f}" if d else "-",
                 f"{d['seconds'] / e['seconds']:.1f}x" if d else "-", f"{e['mean_final_overlap']:.4f}",
                 f"{d['mean_final_overlap']:.4f}" if d else "-", f"{e['fraction_two_cycle']:.1%}",
                 f"{e['peak_rss_mib']:.0f} MiB", f"{PAPER_GPU_SECONDS.get(n, '-')}", f"{PAPER_CPU_SECONDS.get(n, '-')}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
