"""Which device runs, how big a problem it can take, and clocks that tell the truth.

A notebook asks three questions before it simulates anything: *where* does torch run
(CUDA GPU, Apple MPS, or the CPU), *how large* should the problems be on this hardware
(small in CI, medium on a laptop CPU, the paper's sizes on a GPU), and *how long* did a
piece of work take. GPU kernels run asynchronously, so a timer must synchronize the
device before it reads the clock, or it measures only how long it took to queue the work.
"""
from __future__ import annotations

import os
import platform
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, TypeVar

import torch

from ._checks import check_range, memory_limit_bytes

T = TypeVar("T")


def pick_device(prefer: str | torch.device | None = None) -> torch.device:
    """The best device torch can use here: CUDA, then Apple MPS, then the CPU.

    ``prefer`` ("cpu", "cuda", "mps") forces a choice; asking for one that is not
    available raises a ``ValueError`` that says what is.
    """
    available = available_devices()
    if prefer is None:
        return torch.device(available[0])
    if isinstance(prefer, torch.device):
        prefer = str(prefer)
    try:
        name = torch.device(prefer).type if isinstance(prefer, str) else None
    except RuntimeError:
        name = None
    if name not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device={prefer!r} is not allowed; choose one of: cpu, cuda, mps (available here: "
                         f"{', '.join(available)})")
    if name not in available:
        raise ValueError(f"device={prefer!r} is not available here; available: {', '.join(available)}")
    return torch.device(prefer)


def available_devices() -> list[str]:
    """Device types torch can run on here, best first (the CPU is always last)."""
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    return found + ["cpu"]


def in_ci() -> bool:
    """True under continuous integration (the ``CI`` variable set to a true value)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def on_colab() -> bool:
    """True inside Google Colab."""
    import sys

    return "google.colab" in sys.modules


def memory_bytes(device: torch.device | str) -> int:
    """Memory free for new tensors on ``device``, in bytes.

    CUDA: what the driver reports free. CPU (and MPS, which shares it): the kernel's
    ``MemAvailable`` where /proc/meminfo exists (else total physical memory), and no more
    than a container's memory limit allows: in Docker, Binder or Colab /proc/meminfo shows the
    host's memory, while the container may use only its cgroup's limit
    (:func:`cgroup_free_bytes`).
    """
    device = torch.device(device)
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    host = _host_available()
    limited = cgroup_free_bytes()
    return host if limited is None else min(host, limited)


def _host_available() -> int:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


CGROUP_ROOT = "/sys/fs/cgroup"  # where the cgroup file systems are mounted (tests point it at a fake tree)
_V1_UNLIMITED = 2**60  # cgroup v1 writes "no limit" as a number near 2**63


def cgroup_free_bytes() -> int | None:
    """What this process's memory cgroups (v2 and v1) still allow: the smallest limit minus its
    usage, where usage does not count the page cache the kernel can drop (``inactive_file``, as
    ``docker stats`` does). None where no cgroup sets a limit (or none can be read).

    Both the cgroup at the mount point and this process's own (from /proc/self/cgroup) are read:
    a container sees its own cgroup at the mount point, a process on a host in a sub-group."""
    own_v1, own_v2 = "", ""
    try:
        with open("/proc/self/cgroup") as fh:
            for line in fh:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                if controllers == "":
                    own_v2 = path
                elif "memory" in controllers.split(","):
                    own_v1 = path
    except (OSError, ValueError):
        pass
    free = []
    # v2 (memory.max, memory.current), mounted alone or beside v1 under unified/
    for folder in {CGROUP_ROOT, CGROUP_ROOT + own_v2, CGROUP_ROOT + "/unified" + own_v2}:
        limit = _read_number(os.path.join(folder, "memory.max"))
        if limit is not None:
            used = _read_number(os.path.join(folder, "memory.current")) or 0
            free.append(limit - used + min(used, _stat(folder, "inactive_file")))
    for folder in {CGROUP_ROOT + "/memory", CGROUP_ROOT + "/memory" + own_v1}:  # v1
        limit = _read_number(os.path.join(folder, "memory.limit_in_bytes"))
        if limit is not None and limit < _V1_UNLIMITED:
            used = _read_number(os.path.join(folder, "memory.usage_in_bytes")) or 0
            free.append(limit - used + min(used, _stat(folder, "total_inactive_file")))
    return max(0, min(free)) if free else None


def _read_number(path: str) -> int | None:
    """The integer in a cgroup file; None if it is missing, unreadable or "max" (no limit)."""
    try:
        with open(path) as fh:
            text = fh.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _stat(folder: str, key: str) -> int:
    """One entry of a cgroup's memory.stat (0 if absent)."""
    try:
        with open(os.path.join(folder, "memory.stat")) as fh:
            for line in fh:
                name, _, value = line.partition(" ")
                if name == key and value.strip().isdigit():
                    return int(value)
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class Hardware:
    """What runs the notebook: the device, its name and free memory, and the size profile.

    ``profile`` is "ci" (CI=true: small sizes, so the whole course is tested in minutes),
    "cpu" (medium sizes, minutes on a laptop) or "gpu" (the paper's sizes); ``reason``
    says why in one sentence, for the notebook to print.
    """

    device: torch.device
    name: str
    memory_bytes: int
    cpu_threads: int
    profile: str
    reason: str

    def __str__(self) -> str:
        return (f"device: {self.device.type} ({self.name}), {self.memory_bytes / 2**30:.1f} GiB free, "
                f"{self.cpu_threads} CPU threads\nsizes: {self.profile!r} - {self.reason}")


def device_name(device: torch.device | str) -> str:
    """A readable name: the GPU's model, or the CPU's processor string."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple GPU (MPS)"
    return platform.processor() or platform.machine() or "CPU"


def hardware(device: torch.device | str | None = None, ci: bool | None = None) -> Hardware:
    """Describe the hardware and choose the size profile for it.

    ``CI=true`` always selects the small "ci" profile, even on a GPU, so CI runs stay
    short; otherwise a CUDA GPU selects "gpu" and anything else "cpu".
    """
    device = pick_device(None if device is None else str(device))
    ci = in_ci() if ci is None else ci
    if ci:
        profile, reason = "ci", "CI=true, so small problem sizes that run in seconds"
    elif device.type == "cuda":
        profile, reason = "gpu", "a CUDA GPU is present, so the paper's problem sizes"
    else:
        profile, reason = "cpu", (f"no CUDA GPU ({device.type} runs), so medium sizes; "
                                  "on a GPU this notebook runs at the paper's sizes")
    return Hardware(device, device_name(device), memory_bytes(device), torch.get_num_threads(), profile, reason)


def by_profile(hw: Hardware, *, ci: T, cpu: T, gpu: T) -> T:
    """Pick the value for the hardware's profile: ``by_profile(hw, ci=500, cpu=2000, gpu=32000)``."""
    return {"ci": ci, "cpu": cpu, "gpu": gpu}[hw.profile]


def synchronize(device: torch.device | str | None = None) -> None:
    """Wait until every queued kernel on ``device`` has finished (no-op on the CPU)."""
    device = torch.device("cpu" if device is None else device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


@contextmanager
def timer(device: torch.device | str | None = None) -> Iterator[dict]:
    """Time a block on ``device``: ``with timer(dev) as t: ...`` then ``t["seconds"]``.

    Synchronizes the device before starting and before stopping the clock, so GPU work
    queued inside the block is counted.
    """
    result = {"seconds": float("nan")}
    synchronize(device)
    start = time.perf_counter()
    try:
        yield result
    finally:
        synchronize(device)
        result["seconds"] = time.perf_counter() - start


def time_call(fn: Callable[[], object], device: torch.device | str | None = None, repeat: int = 1,
              thread_cpu: bool = False) -> float:
    """Best wall time of ``repeat`` calls of ``fn()`` in seconds, device synchronized.
    ``thread_cpu``: the calling thread's CPU time instead (``time.thread_time``), for work torch
    runs on this one thread (one CPU thread): other programs sharing the cores do not inflate it."""
    best = float("inf")
    for _ in range(max(1, repeat)):
        if thread_cpu:
            start = time.thread_time()
            fn()
            best = min(best, time.thread_time() - start)
            continue
        with timer(device) as t:
            fn()
        best = min(best, t["seconds"])
    return best


def size_for_seconds(seconds_at: Callable[[int], float], target: float, n0: int,
                     power: float = 3.0, n_max: int | None = None, multiple: int = 100) -> int:
    """The problem size n whose cost ``~ n**power`` should take about ``target`` seconds.

    Times one run at ``n0`` (``seconds_at(n0)``), scales by the power law, and rounds to
    a ``multiple``; used to shrink the O(n^3) demos to what the hardware manages.
    """
    t0 = max(seconds_at(n0), 1e-6)
    n = max(multiple, int(round(n0 * (target / t0) ** (1.0 / power) / multiple)) * multiple)
    return min(n, n_max) if n_max else n


def columns_that_fit(bytes_per_column: int, columns: int, fixed_bytes: int, device, what: str,
                 limit: int | None = None) -> int:
    """How many of ``columns`` (probes, states) to process at once so the work fits in memory.

    The work needs ``fixed_bytes`` plus ``bytes_per_column`` per column; ``limit`` (bytes)
    defaults to half the free memory of ``device``. Raises ``ValueError`` saying what fits
    when even one column does not.
    """
    check_range("bytes_per_column", bytes_per_column, 1, None, integer=True)
    check_range("columns", columns, 0, None, integer=True)
    check_range("fixed_bytes", fixed_bytes, 0, None, integer=True)
    if not isinstance(what, str):
        raise ValueError(f"what={what!r} is not allowed; what must be a string (it names the work in messages)")
    device = pick_device(device)  # a ValueError naming what is available, for a device that is not
    limit = memory_bytes(device) // 2 if limit is None else memory_limit_bytes(limit, "limit")
    room = limit - fixed_bytes
    if room < bytes_per_column:
        raise ValueError(f"{what} needs {(fixed_bytes + bytes_per_column) / 2**20:.1f} MiB on {device.type}, "
                         f"more than the {limit / 2**20:.1f} MiB allowed here; reduce it to fit")
    return max(1, min(columns, room // bytes_per_column))
