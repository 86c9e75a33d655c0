import torch
import pytest

from hopfield_lab import device as dev


def test_pick_device_default_is_available():
    assert dev.pick_device().type in dev.available_devices()
    assert dev.available_devices()[-1] == "cpu"


def test_pick_device_rejects_missing_device():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ValueError, match="cuda"):
        dev.pick_device("cuda")


@pytest.mark.parametrize("value,expected", [("true", True), ("1", True), ("TRUE", True), ("", False), ("false", False)])
def test_in_ci_reads_the_variable(monkeypatch, value, expected):
    monkeypatch.setenv("CI", value)
    assert dev.in_ci() is expected


def test_ci_selects_small_sizes_even_on_a_gpu(monkeypatch):
    monkeypatch.setenv("CI", "true")
    hw = dev.hardware()
    assert hw.profile == "ci"
    assert "CI=true" in hw.reason
    assert dev.by_profile(hw, ci=1, cpu=2, gpu=3) == 1


def test_cpu_without_ci_selects_medium_sizes(no_ci):
    hw = dev.hardware(device="cpu")
    assert hw.profile == "cpu"
    assert dev.by_profile(hw, ci=1, cpu=2, gpu=3) == 2
    assert hw.memory_bytes > 0 and hw.cpu_threads >= 1
    assert "cpu" in str(hw)


def test_cuda_selects_the_papers_sizes(no_ci, monkeypatch):
    monkeypatch.setattr(dev, "pick_device", lambda prefer=None: torch.device("cuda"))
    monkeypatch.setattr(dev, "device_name", lambda d: "Fake GPU")
    monkeypatch.setattr(dev, "memory_bytes", lambda d: 80 * 2**30)
    hw = dev.hardware()
    assert hw.profile == "gpu" and hw.name == "Fake GPU"
    assert dev.by_profile(hw, ci=1, cpu=2, gpu=3) == 3


def test_timer_measures_the_block():
    import time

    with dev.timer("cpu") as t:
        time.sleep(0.02)
    assert 0.015 < t["seconds"] < 1.0


def test_size_for_seconds_follows_the_power_law():
    # a fake machine on which size n costs (n / 1000)**3 seconds
    cost = lambda n: (n / 1000) ** 3  # noqa: E731
    n = dev.size_for_seconds(cost, target=8.0, n0=500)
    assert n == 2000
    assert dev.size_for_seconds(cost, target=8.0, n0=500, n_max=1500) == 1500
    assert dev.size_for_seconds(cost, target=1e-9, n0=500) == 100  # never below one multiple


def test_time_call_on_thread_cpu_time_ignores_waiting():
    # a sleeping thread uses no CPU: its wall time counts, its CPU time does not (so other programs
    # sharing the cores, which make a thread wait, do not inflate a one-thread measurement)
    import time

    from hopfield_lab.device import time_call

    assert time_call(lambda: time.sleep(0.05)) >= 0.05
    assert time_call(lambda: time.sleep(0.05), thread_cpu=True) < 0.02
