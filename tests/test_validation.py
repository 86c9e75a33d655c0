import pytest
import torch

from hopfield_lab.dynamics import evolve, simulate


@pytest.mark.parametrize("kwargs,pattern", [
    (dict(n=1, alpha=0.1), r"n=1 .*allowed: n in \[2, inf\]"),
    (dict(n=100, alpha=0.0), r"alpha=0.0 .*allowed: alpha in \(0, inf\]"),
    (dict(n=100, alpha=-0.2), r"alpha=-0.2"),
    (dict(n=100, alpha=0.1, m0=1.2), r"m0=1.2 .*\[-1.0, 1.0\]"),
    (dict(n=100, alpha=0.1, update="hybrid", k=0.0), r"k=0.0 .*\(0.0, 1.0\]"),
    (dict(n=100, alpha=0.1, update="hybrid", k=1.5), r"k=1.5"),
    (dict(n=100, alpha=0.1, update="hybrid"), r"k=None"),
    (dict(n=100, alpha=0.1, update="blocks", blocks=0), r"blocks=0 .*\[1, 100\]"),
    (dict(n=100, alpha=0.1, update="glauber"), r"update='glauber' .*sync, async, hybrid, blocks, even-odd"),
    (dict(n=100, alpha=0.1, tie="up"), r"tie='up'"),
    (dict(n=100, alpha=0.1, temperature=-1.0), r"temperature=-1.0"),
    (dict(n=100, alpha=0.001), r"alpha=0.001 gives p = .* 0 patterns"),
])
def test_bad_input_names_parameter_value_and_range(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        simulate(**kwargs)


def test_too_big_for_memory_says_how_big_is_possible():
    with pytest.raises(ValueError, match=r"n=10000000 needs about .* GiB.*allowed: n <= \d+"):
        simulate(10_000_000, 0.12)


def test_evolve_checks_probe_shape():
    with pytest.raises(ValueError, match="probes has 5 rows"):
        evolve(torch.ones(10, 2), torch.ones(5, 2))
