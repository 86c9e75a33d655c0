"""Random streams: named by (seed, purpose); consecutive seeds share none; the noise is counter-based."""
import torch

from hopfield_lab import rng
from hopfield_lab.dynamics import simulate
from hopfield_lab.patterns import corrupt, random_patterns

STREAMS = ("patterns", "flips", "order", "noise")


def test_every_stream_of_consecutive_seeds_is_distinct():
    seeds = {(s, name): rng.stream_seed(s, name) for s in range(50) for name in STREAMS}
    assert len(set(seeds.values())) == len(seeds)


def test_runs_with_seeds_s_and_s_plus_1_share_no_random_numbers():
    # with seed + 1 arithmetic, the flip keys of seed s were the pattern bits of seed s + 1
    n, p = 400, 40
    for s in (0, 7):
        a, b = random_patterns(n, p, seed=s), random_patterns(n, p, seed=s + 1)
        assert abs(float((a * b).mean())) < 0.05  # unrelated patterns
        flips_s = (corrupt(a, 0.5, seed=s) != a).float()  # a quarter of the bits each
        flips_next = (corrupt(a, 0.5, seed=s + 1) != a).float()
        assert abs(float((flips_s * flips_next).mean()) - 0.25 * 0.25) < 0.01  # independent choices
        keys_s = torch.rand(p, n, generator=rng.generator(s, "flips"))
        assert not torch.equal(keys_s, torch.rand(p, n, generator=rng.generator(s + 1, "patterns")))
    u_a = rng.noise(3, 0, torch.arange(100), torch.arange(50))
    u_b = rng.noise(4, 0, torch.arange(100), torch.arange(50))
    assert abs(float(torch.corrcoef(torch.stack([u_a.flatten(), u_b.flatten()]))[0, 1])) < 0.05


def test_noise_is_uniform_and_keyed_by_step_neuron_and_probe():
    u = rng.noise(1, 5, torch.arange(500), torch.arange(200))
    assert 0 <= float(u.min()) and float(u.max()) < 1
    assert abs(float(u.mean()) - 0.5) < 0.01 and abs(float(u.var()) - 1 / 12) < 0.002
    # the same (step, neuron, probe) gives the same number whatever else is drawn with it
    assert float(rng.noise(1, 5, torch.tensor([17]), torch.tensor([42]))) == float(u[17, 42])
    assert float(rng.noise_at(1, 5, torch.tensor([17]), torch.tensor([42]))[0]) == float(u[17, 42])
    assert not torch.equal(rng.noise(1, 6, torch.arange(500), torch.arange(200)), u)
    neighbours = torch.corrcoef(torch.stack([u[:-1].flatten(), u[1:].flatten()]))[0, 1]
    assert abs(float(neighbours)) < 0.02
    u32 = rng.noise(1, 5, torch.arange(10), torch.arange(3), dtype=torch.float32)  # for devices without float64
    assert u32.dtype == torch.float32 and float(u32.max()) < 1


def test_consecutive_seeds_give_uncorrelated_runs():
    finals = [simulate(400, 0.14, m0=0.5, seed=s, steps=10).final_overlaps for s in (10, 11)]
    assert not torch.equal(finals[0], finals[1])


# --- seeds are integers: a float is refused, not cut to an integer ---------------------------------

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

from hopfield_lab import learning_rules  # noqa: E402
from hopfield_lab.patterns import digit_set, flip_bits  # noqa: E402

NOT_SEEDS = [torch.tensor(2.7), torch.tensor(2.0), torch.tensor(True), torch.tensor([3]), torch.tensor(2 + 0j),
             np.float32(2.0), np.float64(2.0), np.array(2.7), np.True_, 2.0, True, None, "7", [2]]


@pytest.mark.parametrize("seed", NOT_SEEDS, ids=repr)
def test_check_seed_refuses_what_is_not_an_integer(seed):
    # torch.tensor(2.7) was taken as seed 2 (int() cut it), and torch.tensor([3]) as seed 3
    with pytest.raises(ValueError, match=r"seed=.* is not allowed; a seed is an integer with 0 <= seed < 2\*\*63"):
        rng.check_seed(seed)


@pytest.mark.parametrize("call", [
    lambda: random_patterns(5, 2, seed=torch.tensor(2.7)),
    lambda: corrupt(random_patterns(5, 2), 0.5, seed=torch.tensor(2.7)),
    lambda: flip_bits(torch.ones(5), 2, seed=torch.tensor(2.7)),
    lambda: digit_set(3, seed=torch.tensor(2.7)),
    lambda: learning_rules.recall(torch.zeros(4, 4), torch.ones(4, 1), seed=torch.tensor(2.7)),
    lambda: rng.stream_seed(torch.tensor(2.7), "patterns"),
    lambda: simulate(50, 0.1, seed=torch.tensor(2.7), steps=2),
])
def test_a_float_tensor_seed_is_refused_everywhere(call):
    with pytest.raises(ValueError, match=r"seed=tensor\(2.7000\) is not allowed"):
        call()


@pytest.mark.parametrize("seed", [np.int64(7), np.uint8(7), np.int32(7), torch.tensor(7), torch.tensor(7, dtype=torch.int8),
                                  np.array(7)], ids=repr)
def test_integer_seeds_of_every_kind_name_the_same_streams(seed):
    assert rng.check_seed(seed) == 7 and type(rng.check_seed(seed)) is int
    assert torch.equal(random_patterns(20, 3, seed=seed), random_patterns(20, 3, seed=7))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**63 - 1))
def test_every_allowed_seed_is_itself_in_any_integer_form(seed):
    assert rng.check_seed(seed) == seed
    assert rng.check_seed(np.uint64(seed)) == seed
    assert rng.check_seed(torch.tensor(seed)) == seed
    assert rng.stream_seed(torch.tensor(seed), "x") == rng.stream_seed(seed, "x")


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.floats(), st.integers(max_value=-1), st.integers(min_value=2**63),
                 st.floats(-1e6, 1e6).map(torch.tensor), st.booleans(), st.text(max_size=2), st.none()))
def test_anything_else_is_refused_with_a_value_error(seed):
    with pytest.raises(ValueError, match=r"^seed=.* (is not allowed|is out of range)"):
        rng.check_seed(seed)


def test_a_generator_on_another_device_is_refused_by_name():
    # a user's torch.Generator went straight to torch, which raised a raw RuntimeError on a device mismatch
    from hopfield_lab._checks import generator_for

    fake = torch.Generator()  # on the CPU; asked for a draw on another device (meta: no GPU here)
    with pytest.raises(ValueError, match=r"seed is a torch.Generator on cpu; allowed: a generator on meta"):
        generator_for(fake, "meta")
    assert generator_for(fake, "cpu") is fake
