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
