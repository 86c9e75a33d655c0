import json
import subprocess
import sys

import pytest
import torch

from hopfield_lab.__main__ import main


def test_simulate_json_has_the_documented_fields(capsys):
    assert main(["simulate", "--n", "500", "--alpha", "0.1", "--m0", "0.9", "--json", "--seed", "3"]) == 0
    out = json.loads(capsys.readouterr().out.strip())
    for key in ("n", "p", "alpha", "lam", "m0", "update", "steps_run", "seconds", "mean_final_overlap",
                "fraction_converged", "device"):
        assert key in out
    assert out["n"] == 500 and out["p"] == 50 and out["update"] == "sync"
    assert 0.9 < out["mean_final_overlap"] <= 1.0


def test_simulate_readable_summary(capsys):
    assert main(["simulate", "--n", "300", "--alpha", "0.1", "--update", "hybrid", "--k", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "mean final overlap" in out and "hybrid" in out


def test_bad_input_exits_2_with_a_clear_message():
    run = subprocess.run([sys.executable, "-m", "hopfield_lab", "simulate", "--n", "100", "--alpha", "0.1",
                          "--m0", "3"], capture_output=True, text=True)
    assert run.returncode == 2
    assert "m0=3.0 is out of range" in run.stderr
    run = subprocess.run([sys.executable, "-m", "hopfield_lab", "simulate", "--n", "100", "--alpha", "0.1",
                          "--update", "nope"], capture_output=True, text=True)
    assert run.returncode == 2 and "invalid choice" in run.stderr


def test_bench_prints_the_table_with_ratios(capsys):
    assert main(["bench", "--sizes", "300", "600", "--dense-max", "300"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip().startswith(("300", "600"))]
    assert len(lines) == 2
    assert lines[0].split()[4].endswith("x")  # a ratio where the dense algorithm ran
    assert lines[1].split()[3] == "-"  # none above --dense-max


def test_one_benchmark_driver_writes_the_results_tables(capsys):
    # benchmarks/bench_engine.py and `python -m hopfield_lab bench` are the same driver (hopfield_lab.bench.main)
    assert main(["bench", "--sizes", "300", "--dense-max", "300", "--markdown", "--sweep-sizes", "300"]) == 0
    out = capsys.readouterr().out
    fig2 = [line for line in out.splitlines() if line.startswith("| 300 |") and "MiB" in line]
    assert len(fig2) == 1 and "x**" in fig2[0]  # ratio, and the peak memory of its own process
    sweeps = [line for line in out.splitlines() if line.startswith("| 300 |") and "MiB" not in line]
    assert len(sweeps) == 1 and sweeps[0].count("x") >= 2  # async / sync and Glauber async / sync


def test_the_benchmark_script_runs_the_same_driver():
    run = subprocess.run([sys.executable, "benchmarks/bench_engine.py", "--help"], capture_output=True, text=True,
                         cwd=__import__("pathlib").Path(__file__).resolve().parents[1])
    assert run.returncode == 0 and "--sweep-sizes" in run.stdout


def test_what_each_idea_buys_is_measured_on_the_same_dynamics(capsys):
    from hopfield_lab import bench

    rows = bench.ideas(1000)
    assert len(rows) == 1 + len(bench.IDEAS) and rows[0]["speed-up"] == 1.0
    assert len({round(r["mean_final_overlap"], 12) for r in rows}) == 1  # every variant computes the same run
    assert all(r["seconds"] > 0 for r in rows) and "engine" in rows[-1]["idea"]
    assert main(["bench", "--sizes", "300", "--dense-max", "300", "--ideas", "300"]) == 0
    assert sum(line.startswith("| ") and "x |" in line for line in capsys.readouterr().out.splitlines()) == len(rows)


def test_the_plain_step_from_the_command_line_gives_the_same_run(capsys):
    assert main(["simulate", "--n", "400", "--alpha", "0.1", "--json", "--plain"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main(["simulate", "--n", "400", "--alpha", "0.1", "--json"]) == 0
    fast = json.loads(capsys.readouterr().out)
    assert plain["mean_final_overlap"] == fast["mean_final_overlap"] and plain["steps_run"] == fast["steps_run"]
    assert plain["arithmetic"] == "float64" and fast["arithmetic"] == "float32"


def _stepped_columns(monkeypatch):
    """Counts the probes each parallel step is given."""
    from hopfield_lab.fast import parallel_step

    columns, step = [], parallel_step.ParallelStep.__call__
    monkeypatch.setattr(parallel_step.ParallelStep, "__call__",
                        lambda self, S, *a: columns.append(S.shape[1]) or step(self, S, *a))
    return columns


def test_the_two_cycle_speedup_really_switches(monkeypatch):
    # without 2-cycle dropping a run steps its 2-cycles to the end (still naming them); same overlaps
    from hopfield_lab import dynamics
    from hopfield_lab.fast import Speedups

    columns = _stepped_columns(monkeypatch)
    on = dynamics.simulate(1000, 0.12, seed=0)
    stepped_on = sum(columns)
    columns.clear()
    off = dynamics.simulate(1000, 0.12, seed=0, speedups=Speedups(drop_two_cycles=False))
    assert on.two_cycle.any() and torch.equal(on.two_cycle, off.two_cycle)
    assert torch.equal(on.overlaps, off.overlaps) and sum(columns) > stepped_on


def test_the_int8_field_speedup_really_switches(monkeypatch):
    # the ideas table's last switch turns the int8 field changes off (and only them); same overlaps
    from hopfield_lab import dynamics
    from hopfield_lab.fast import Speedups, arithmetic, int8

    if not int8.field_changes_exact():
        pytest.skip("no exact int8 field changes on this machine")
    calls = []
    change = arithmetic.Network.add_field_change
    monkeypatch.setattr(arithmetic.Network, "add_field_change", lambda *a: calls.append(1) or change(*a))
    on = dynamics.simulate(3000, 0.12, seed=0)
    taken = len(calls)
    off = dynamics.simulate(3000, 0.12, seed=0, speedups=Speedups(int8_field_changes=False))
    assert taken > 0 and len(calls) == taken
    assert torch.equal(on.overlaps, off.overlaps)


def test_the_ideas_table_adds_one_idea_per_row():
    # each row switches on exactly one more idea than the row before, and the last row is the engine
    from dataclasses import asdict

    from hopfield_lab import bench
    from hopfield_lab.fast import Speedups

    rows = [asdict(on) for _, on in bench.IDEAS]
    assert all(sum(a[k] != b[k] for k in a) == 1 and all(b[k] >= a[k] for k in a) for a, b in zip(rows, rows[1:]))
    assert bench.IDEAS[-1][1] == Speedups()


# issue 21, items 9 and 17
@pytest.mark.parametrize("args,message", [
    (["--alpha", "1e300"], "n=100 needs about .* allowed: a smaller alpha"),
    (["--alpha", "0.1", "--n", "1" + "0" * 400], r"n=100000+\.\.\.0+ \(401 characters\) is too large"),
    (["--alpha", "nan"], "alpha=nan is out of range"),
])
def test_huge_or_non_finite_values_exit_2_with_a_message(capsys, args, message):
    argv = ["simulate", "--n", "100", *args] if "--n" not in args else ["simulate", *args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert __import__("re").search(message, err), err


def test_a_negative_value_in_exponent_form_is_taken_as_a_value(capsys):
    # argparse reads "-1e-3" as an option ("expected one argument"); only --lam=-1e-3 worked
    assert main(["simulate", "--n", "60", "--alpha", "0.1", "--lam", "-1e-3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["lam"] == -1e-3
    assert main(["simulate", "--n", "60", "--alpha", "0.1", "--m0", "-5e-1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["m0"] == -0.5
