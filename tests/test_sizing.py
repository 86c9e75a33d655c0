"""The memory estimate is checked before allocating, and the real peak stays under the memory it assumed.

Each case fakes the free memory the package sees, sizes the run to the largest N that
fits, runs it in a fresh process and reads the peak resident set (tests/peak_memory_probe.py).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from hopfield_lab.sizing import largest_n, run_bytes

PROBE = Path(__file__).with_name("peak_memory_probe.py")
FAKE_FREE = 64 * 2**20


@pytest.mark.parametrize("kwargs", [
    dict(update="sync"), dict(update="hybrid", k=0.3), dict(update="blocks", blocks=4),
    dict(update="async", steps=1), dict(update="sync", temperature=0.5), dict(update="blocks", blocks=3, temperature=0.5),
], ids=["sync", "hybrid", "blocks", "async", "sync-T", "blocks-T"])
def test_peak_memory_stays_under_the_free_memory_the_check_assumed(kwargs):
    kwargs = dict(dict(alpha=0.12, steps=3), **kwargs)
    # glibc's malloc keeps freed large arrays on its heap once its (dynamic) mmap threshold has
    # risen, so the same run's resident peak varied from 49 to 67 MiB here; with a fixed threshold
    # every array is returned when freed and the peak is that of the arrays alive at once (26 MiB)
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072")
    run = subprocess.run([sys.executable, str(PROBE), str(FAKE_FREE), json.dumps(kwargs)],
                         capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["n"] >= 700  # a real run, sized by the check
    assert got["peak"] <= FAKE_FREE, got
    assert got["peak"] <= 1.05 * got["estimate"], got  # the estimate covers the peak


def test_records_count_in_the_estimate():
    few, many = run_bytes(1000, 120, steps=100), run_bytes(1000, 120, steps=100_000)
    assert many - few >= 8 * 120 * (100_000 - 100)  # at least one float64 per probe and step


def test_largest_n_fits_and_one_more_does_not(monkeypatch):
    import hopfield_lab.sizing as sizing

    monkeypatch.setattr(sizing, "memory_bytes", lambda device: 2**30)
    n = largest_n(0.12, "cpu", update="hybrid", steps=50)
    assert run_bytes(n, round(0.12 * n), update="hybrid", steps=50) <= 0.8 * 2**30
    assert run_bytes(n + 10, round(0.12 * (n + 10)), update="hybrid", steps=50) > 0.8 * 2**30


# issue 21, item 5: in a container /proc/meminfo shows the host's memory; the cgroup's limit is what counts
MiB = 2**20


def _fake_cgroup(root, version, limit, used, inactive):
    if version == 2:
        (root / "memory.max").write_text(f"{limit}\n")
        (root / "memory.current").write_text(f"{used}\n")
        (root / "memory.stat").write_text(f"anon {used - inactive}\ninactive_file {inactive}\nactive_file 0\n")
    else:
        (root / "memory").mkdir()
        (root / "memory" / "memory.limit_in_bytes").write_text(f"{limit}\n")
        (root / "memory" / "memory.usage_in_bytes").write_text(f"{used}\n")
        (root / "memory" / "memory.stat").write_text(f"cache {inactive}\ntotal_inactive_file {inactive}\n")


@pytest.mark.parametrize("version", [1, 2])
def test_the_free_memory_is_the_cgroup_limit_when_it_is_below_the_host(tmp_path, monkeypatch, version):
    import hopfield_lab.device as device

    host = device._host_available()
    limit = 512 * MiB
    assert limit < host, "the faked limit must be below this machine's free memory"
    _fake_cgroup(tmp_path, version, limit, used=100 * MiB, inactive=40 * MiB)
    monkeypatch.setattr(device, "CGROUP_ROOT", str(tmp_path))
    assert device.cgroup_free_bytes() == (512 - 100 + 40) * MiB  # the droppable page cache counts as free
    assert device.memory_bytes("cpu") == (512 - 100 + 40) * MiB


def test_no_cgroup_limit_leaves_the_host_memory(tmp_path, monkeypatch):
    import hopfield_lab.device as device

    (tmp_path / "memory.max").write_text("max\n")  # v2 without a limit
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory" / "memory.limit_in_bytes").write_text("9223372036854771712\n")  # v1 without a limit
    monkeypatch.setattr(device, "CGROUP_ROOT", str(tmp_path))
    assert device.cgroup_free_bytes() is None
    assert abs(device.memory_bytes("cpu") - device._host_available()) < 256 * MiB  # the host's, read again


def test_a_run_that_fits_the_host_but_not_the_container_is_refused_before_allocating(tmp_path, monkeypatch):
    import hopfield_lab.device as device
    from hopfield_lab import simulate

    _fake_cgroup(tmp_path, 2, 256 * MiB, used=200 * MiB, inactive=0)
    monkeypatch.setattr(device, "CGROUP_ROOT", str(tmp_path))
    n = 8000  # about 0.3 GB: fits the host's free memory, not the 56 MiB the container has left
    assert run_bytes(n, 960) < 0.8 * device._host_available()
    allocated = []
    monkeypatch.setattr(torch, "randint", lambda *a, **k: allocated.append(1) or pytest.fail("allocated"))
    with pytest.raises(ValueError, match=r"n=8000 needs about .* GiB .* 0.05 GiB free .*; allowed: n <= \d+"):
        simulate(n, 0.12)
    assert not allocated
    fits = largest_n(0.12, "cpu")
    assert run_bytes(fits, round(0.12 * fits)) <= 0.8 * 56 * MiB


@pytest.mark.parametrize("update", ["sync", "async"])
def test_the_estimate_is_within_1_3x_of_the_measured_peak_at_n_8000(update):
    # issue 21, item 5: the estimate asked twice the measured peak (N = 32,000: 6.9 GB against 4.4), so runs
    # that fit were refused. Here: at least the peak, at most 1.3 times it
    kwargs = dict(alpha=0.12, steps=100 if update == "sync" else 1, update=update, n=8000)
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072")
    run = subprocess.run([sys.executable, str(PROBE), str(2**40), json.dumps(kwargs)],
                         capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["peak"] <= got["estimate"] <= 1.3 * got["peak"], got


def test_the_cached_columns_of_g_count_where_they_are_kept():
    # sync keeps up to min(p, P) rows of G = V V^T (fast.parallel_step.ColumnCache) and V packed for their int8
    # products; even-odd, which recomputes its memory units, keeps none. The rows fill once most probes have
    # stopped (issue 27: the states and fields have shrunk by then), so they raise sync's estimate only where
    # they outweigh the first steps' fields and flips: hardly with one probe per pattern, clearly with few probes
    for n, p, probes in ((8000, 960, None), (2000, 100, 300), (8000, 960, 100), (8000, 960, 10)):
        for width in (4, 8):
            kept = min(p, p if probes is None else probes)
            more = run_bytes(n, p, probes, update="sync", width=width) - \
                run_bytes(n, p, probes, update="even-odd", width=width)
            assert 0 <= more <= width * n * kept + n * p
            if probes is None:
                assert more <= 0.01 * run_bytes(n, p, probes, update="sync", width=width)
            if probes is not None and probes < p:
                assert more > 0
