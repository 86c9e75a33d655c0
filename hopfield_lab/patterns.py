"""Patterns to store and probes to recall them from.

Every pattern is a column of +/-1 values: a matrix ``(N, p)`` holds p patterns of N
neurons. Random patterns are unbiased (each bit +1 or -1 with probability 1/2);
image patterns come from scikit-learn's 8x8 digits, which ship with the package (no
download). Every random draw takes a ``seed`` or a ``torch.Generator``; a seed selects a stream of its
own per purpose ("patterns", "flips": :mod:`hopfield_lab.rng`), so patterns and the bits
flipped in their probes never share random numbers, whatever the seeds.
"""
from __future__ import annotations

import torch

from ._checks import check_range, generator_for


def random_patterns(n: int, p: int, seed: int | torch.Generator = 0, device: torch.device | str = "cpu",
                    dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """``p`` random unbiased +/-1 patterns of ``n`` neurons, as the columns of an (n, p) matrix."""
    check_range("n", n, 1, None, integer=True)
    check_range("p", p, 1, None, integer=True)
    gen = generator_for(seed, device, "patterns")
    bits = torch.randint(0, 2, (n, p), generator=gen, device=device, dtype=torch.int8)
    return bits.to(dtype).mul_(2).sub_(1)


def n_flips(n: int, m0: float) -> int:
    """How many bits to flip so a pattern of n bits has overlap m0: round((1 - m0) n / 2)."""
    return int(round((1.0 - m0) * n / 2.0))


def corrupt(patterns: torch.Tensor, m0: float, seed: int | torch.Generator = 0) -> torch.Tensor:
    """Each column with exactly ``round((1 - m0) N / 2)`` randomly chosen bits flipped.

    The overlap of a probe with its pattern is then ``m = 1 - 2 d / N = m0`` (up to
    rounding of d). The flipped positions are the ``d`` smallest of N uniform keys per
    column, so every set of d positions is equally likely.
    """
    check_range("m0", m0, -1.0, 1.0)
    n, cols = patterns.shape
    d = n_flips(n, m0)
    probes = patterns.clone()
    if d == 0:
        return probes
    gen = generator_for(seed, patterns.device, "flips")
    keys = torch.rand(cols, n, generator=gen, device=patterns.device)
    # the set of the d smallest keys, unsorted (the order does not matter; the kernel selects before it
    # sorts, so the set is the same, ties included: tests/test_patterns.py), 1.4x faster at N = 8000
    flip = keys.topk(d, dim=1, largest=False, sorted=False).indices  # (cols, d)
    probes.T.scatter_(1, flip, -patterns.T.gather(1, flip))  # along rows of the transposed views: 2x faster
    return probes


def flip_bits(pattern: torch.Tensor, n_bits: int, seed: int | torch.Generator = 0) -> torch.Tensor:
    """A copy of a single +/-1 vector with ``n_bits`` distinct random positions flipped."""
    n = pattern.numel()
    check_range("n_bits", n_bits, 0, n, integer=True)
    gen = generator_for(seed, pattern.device, "flips")
    where = torch.randperm(n, generator=gen, device=pattern.device)[:n_bits]
    out = pattern.clone()
    out[where] = -out[where]
    return out


def digit_patterns(digits: tuple[int, ...] = (0, 1, 2, 3), threshold: float = 8.0,
                   upscale: int = 1) -> torch.Tensor:
    """scikit-learn's 8x8 handwritten digits as +/-1 patterns, one column per digit.

    For each requested digit, the first sample of that class is thresholded (ink above
    ``threshold`` of 16 -> +1, else -1) and optionally enlarged ``upscale`` times per
    side, giving (64 * upscale**2, len(digits)) patterns. Reshape a column to
    ``(8 * upscale, 8 * upscale)`` to see it.
    """
    from sklearn.datasets import load_digits

    data = load_digits()
    columns = []
    for digit in digits:
        check_range("digit", digit, 0, 9)
        image = torch.as_tensor(data.images[list(data.target).index(digit)], dtype=torch.float32)
        image = image.repeat_interleave(upscale, 0).repeat_interleave(upscale, 1)
        columns.append(torch.where(image > threshold, 1.0, -1.0).flatten())
    return torch.stack(columns, dim=1)


def digit_set(count: int | None = None, seed: int | torch.Generator = 0, binary: bool = True,
              threshold: float = 8.0, dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    """Many of scikit-learn's 8x8 handwritten digits as patterns (N = 64): correlated, real images.

    ``binary``: +/-1 (ink above ``threshold`` of 16 -> +1), repeated images removed (of the
    1797, 1752 differ once thresholded); else grey levels scaled to [-1, 1]. ``count``
    images drawn at random without repetition (from ``seed``), or all of them in the data set's
    order. Returns (patterns (64, count), labels (count,)); reshape a column to (8, 8) to see it.
    """
    from sklearn.datasets import load_digits

    data = load_digits()
    images = torch.as_tensor(data.images.reshape(len(data.images), 64), dtype=torch.float64)
    labels = torch.as_tensor(data.target)
    if binary:
        images = torch.where(images > threshold, 1.0, -1.0).double()
        seen, keep = set(), []
        for k, row in enumerate(images.to(torch.int8).tolist()):
            if tuple(row) not in seen:
                seen.add(tuple(row))
                keep.append(k)
        images, labels = images[keep], labels[keep]
    else:
        images = images / 8.0 - 1.0
    if count is not None:
        check_range("count", count, 1, len(images))
        pick = torch.randperm(len(images), generator=generator_for(seed, "cpu", "patterns"))[:count]
        images, labels = images[pick], labels[pick]
    return images.T.contiguous().to(dtype), labels
