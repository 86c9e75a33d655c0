"""Benchmark the engine against the paper's plain algorithm, and async / Glauber against sync.

    python benchmarks/bench_engine.py --markdown --sizes 1000 2000 4000 8000 16000 32000 \
        --sweep-sizes 2000 4000 8000            # the tables of benchmarks/RESULTS.md

The one driver is hopfield_lab.bench (also behind ``python -m hopfield_lab bench`` and
notebook 02); with --markdown every Fig. 2 run is a separate process, so the table can
report its peak resident memory.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from hopfield_lab.bench import command_line  # noqa: E402

if __name__ == "__main__":
    sys.exit(command_line())
