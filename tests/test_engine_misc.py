"""Out-of-memory handling, records every device can hold, and a progress bar that reads right."""
import weakref

import pytest
import torch

from hopfield_lab import dynamics, update_rules
from hopfield_lab.fast.arithmetic import choose_dtype
from hopfield_lab.trajectory import Recorder


@pytest.mark.parametrize("error", [torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB"),
                                   RuntimeError("MPS backend out of memory (MPS allocated: 9 GB)")])
def test_out_of_memory_frees_the_run_and_says_what_fits(monkeypatch, error):
    held = []

    def runs_out(patterns, probes, **kwargs):
        held.append(weakref.ref(patterns))
        held.append(weakref.ref(probes))
        raise error

    monkeypatch.setattr(dynamics, "_evolve", lambda patterns, probes, *a, **kw: runs_out(patterns, probes))
    with pytest.raises(MemoryError, match=r"n=500 ran out of .* memory .*freed. Try n <= \d+"):
        dynamics.simulate(500, 0.1)
    assert held and all(ref() is None for ref in held), "patterns and probes must really be freed"


def test_other_runtime_errors_are_not_reported_as_memory(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("expected m1 and m2 to have the same dtype")

    monkeypatch.setattr(dynamics, "_evolve", broken)
    with pytest.raises(RuntimeError, match="same dtype"):
        dynamics.simulate(100, 0.1)


def test_records_are_float64_on_the_cpu_whatever_the_device_arithmetic():
    # Apple's MPS has no float64: the engine hands float32 integers to the recorder, which keeps float64 on the CPU
    rec = Recorder(3, 10, energy=True)
    rec.observe(torch.tensor([0, 2]), torch.tensor([6.0, -10.0], dtype=torch.float32), torch.tensor([-0.5, -0.25]))
    traj = rec.finish(0, None, None, 0.0, {})
    assert traj.overlaps.dtype == torch.float64 and traj.overlaps.device.type == "cpu"
    assert traj.overlaps[0, 0] == 0.6 and traj.overlaps[0, 2] == -1.0 and torch.isnan(traj.overlaps[0, 1])
    assert update_rules.uniform_dtype(torch.device("mps")) == torch.float32
    with pytest.raises(ValueError, match="needs float64 arithmetic .* MPS"):
        choose_dtype(100, 9, 0.5, torch.device("mps"))


def test_an_early_stop_fills_the_progress_bar_and_says_why(monkeypatch):
    bars = []
    make = dynamics._progress_bar

    def spy(steps, desc, show):
        bar = make(steps, desc, True)
        bars.append(bar)
        return bar

    monkeypatch.setattr(dynamics, "_progress_bar", spy)
    traj = dynamics.simulate(500, 0.05, m0=0.9, steps=100, tie="keep", progress=True)
    assert traj.steps_run < 100  # stopped early: every probe settled
    bar = bars[0]
    assert bar.n == bar.total == 100  # filled: reads as done, not as stalled
    assert "settled after" in str(bar.postfix)
