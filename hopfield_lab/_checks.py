"""Validation at the package's boundary: one clear ``ValueError`` per bad argument."""
from __future__ import annotations

import torch


def check_range(name: str, value, low=None, high=None, *, low_open: bool = False) -> None:
    """Raise ``ValueError`` naming ``name``, its value and the allowed range unless low <= value <= high.

    ``low_open`` makes the lower end exclusive (``0 < value``). ``None`` means unbounded.
    """
    ok = value == value  # rejects NaN
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        left = "(" if low_open else "["
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"{name}={value!r} is out of range; allowed: {name} in {left}{lo}, {hi}]")


def check_choice(name: str, value, choices) -> None:
    """Raise ``ValueError`` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not allowed; choose one of: {', '.join(map(str, choices))}")


def generator_for(seed: int | torch.Generator, device: torch.device | str = "cpu") -> torch.Generator:
    """A ``torch.Generator`` on ``device``: the given one, or a new one seeded with ``seed``."""
    if isinstance(seed, torch.Generator):
        return seed
    gen = torch.Generator(device=torch.device(device))
    gen.manual_seed(int(seed))
    return gen
