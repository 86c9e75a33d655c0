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
