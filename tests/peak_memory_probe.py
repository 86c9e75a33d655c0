"""Run one simulation in this process and print its peak memory (RSS above the start) and the estimate.

Used by tests/test_sizing.py in a subprocess: ``python peak_memory_probe.py FAKE_FREE_BYTES JSON_KWARGS``.
The free memory the package sees is faked, the run is sized to the largest N that fits,
and the peak resident set (VmHWM, reset first through /proc/self/clear_refs) is measured.
"""
import json
import sys

import torch

import hopfield_lab.device as device
import hopfield_lab.sizing as sizing
from hopfield_lab.dynamics import simulate
from hopfield_lab.patterns import n_patterns


def rss(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def main():
    fake, kwargs = int(sys.argv[1]), json.loads(sys.argv[2])
    torch.set_num_threads(1)
    simulate(200, 0.1, steps=2, **{k: v for k, v in kwargs.items() if k not in ("n", "alpha", "steps")})  # warm up
    sizing.memory_bytes = lambda dev: fake
    device.memory_bytes = lambda dev: fake
    alpha = kwargs.pop("alpha")
    run = dict({k: kwargs[k] for k in ("update", "steps", "temperature") if k in kwargs}, m0=kwargs.get("m0", 0.8))
    n = kwargs.pop("n", None) or sizing.largest_n(alpha, "cpu", **run)
    p = n_patterns(alpha, n)
    estimate = sizing.run_bytes(n, p, **run)
    before = rss("VmRSS")
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset the peak (VmHWM) to the current RSS
    simulate(n, alpha, **kwargs)
    peak = rss("VmHWM") - before
    print(json.dumps(dict(n=n, estimate=estimate, peak=peak, fake=fake)))


if __name__ == "__main__":
    main()
