"""The paper's plain algorithm [V20]: build the N x N matrix J, then S <- sign(J S), synchronously.

This is the yardstick the benchmarks and notebook 02 time next to the engine, written as
the paper describes it and sharing no code with the engine (it takes only the model's reading
of lam, :func:`hopfield_lab.fast.arithmetic.self_term`, so that both mean the same network):
J costs N^2 numbers and every step one N x N by N x P product; converged probes are dropped, as in [V20], but probes in
2-cycles are stepped until ``steps``. J is kept unnormalized, N J = V V^T + (lam - 1) p I
(dividing by N > 0 changes no sign), so its entries are integers. Ties (a field exactly 0)
are broken by the same counter-based coins as the engine's (:mod:`hopfield_lab.rng`), so
on the same patterns and probes both give the same run.

A fair yardstick is a good implementation of the algorithm: on a CPU a product whose output
rows are not a whole number of 64-byte cache lines runs ~40 % slower (a BLAS quirk, not the
algorithm), so the running probes are padded with zero columns to a multiple of 16 before
each product (measured at N = 8000: 44 s unpadded, 29 s padded; the engine pads as well).
"""
from __future__ import annotations

import torch

from .device import timer
from .fast.arithmetic import self_term
from .rng import noise_at
from .trajectory import Trajectory

ALIGN = 16  # float32 columns per 64-byte cache line


def coupling_matrix(patterns: torch.Tensor, lam: float = 0.0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """N J = V V^T + (lam - 1) p I: Hebb's rule with self-coupling J_ii = lam p / N. The diagonal
    term is the engine's (:func:`hopfield_lab.fast.arithmetic.self_term`: an exact integer whenever lam p is
    one, e.g. lam = 0.45, p = 200), so both read lam the same way and exact ties stay exact."""
    V = patterns.to(dtype)
    J = V @ V.T
    J.diagonal().add_(self_term(lam, V.shape[1]))
    return J


def _padded_product(J: torch.Tensor, S: torch.Tensor) -> torch.Tensor:
    """J @ S with S's columns padded to a multiple of 16 (see the module docstring)."""
    cols = S.shape[1]
    if S.device.type != "cpu" or cols % ALIGN == 0:
        return J @ S
    padded = torch.zeros(S.shape[0], -(-cols // ALIGN) * ALIGN, dtype=S.dtype, device=S.device)
    padded[:, :cols] = S
    return (J @ padded)[:, :cols]


def _signs(h: torch.Tensor, S: torch.Tensor, tie: str, seed: int, t: int, alive: torch.Tensor):
    """S(t+1) = sign(N J S), a zero field (a tie) kept or decided by the coin of (seed, t, neuron, probe);
    and, per probe, whether a coin was used."""
    new = torch.sign(h)
    zero = new == 0
    coin_flipped = torch.zeros(S.shape[1], dtype=torch.bool, device=S.device)
    if bool(zero.any()):
        if tie == "keep":
            new[zero] = S[zero]
        else:
            i, j = zero.nonzero().unbind(1)
            new[i, j] = torch.where(noise_at(seed, t, i, alive[j]) < 0.5, 1.0, -1.0).to(S.dtype)
            coin_flipped[j] = True
    return new, coin_flipped


def evolve_dense(patterns: torch.Tensor, probes: torch.Tensor, *, lam: float = 0.0, steps: int = 100,
                 tie: str = "random", seed: int = 0, dtype: torch.dtype = torch.float32,
                 record_energy: bool = False) -> Trajectory:
    """Synchronous dynamics by the dense algorithm; records as :func:`hopfield_lab.evolve`
    (overlaps with pattern c for probe c, converged counts, final states). ``seconds``
    includes building J. 2-cycles are not detected (``two_cycle`` all False)."""
    n, p = patterns.shape
    n_probes, device = probes.shape[1], patterns.device
    overlaps = torch.full((steps + 1, n_probes), float("nan"), dtype=torch.float64)
    energies = torch.full_like(overlaps, float("nan")) if record_energy else None
    converged = []
    final = torch.zeros(n, n_probes, dtype=torch.int8)
    with timer(device) as clock:
        J = coupling_matrix(patterns, lam, dtype)
        V, S = patterns.to(dtype), probes.to(dtype)
        alive = torch.arange(n_probes, device=device)  # probes not yet at a fixed point
        t = 0
        while True:
            overlaps[t, alive.cpu()] = (V[:, alive] * S).sum(0).double().cpu() / n
            h = _padded_product(J, S)
            if record_energy:
                energies[t, alive.cpu()] = (-(S.double() * h.double()).sum(0) / (2 * n * n)).cpu()
            new, coin_flipped = _signs(h, S, tie, seed, t, alive)
            done = (new == S).all(0) & ~coin_flipped
            converged.append(n_probes - S.shape[1] + int(done.sum()))
            if t == steps:
                break
            if bool(done.any()):  # drop converged probes, as [V20] does
                final[:, alive[done].cpu()] = S[:, done].cpu().to(torch.int8)
                for records in (overlaps, energies) if record_energy else (overlaps,):
                    records[t + 1:, alive[done].cpu()] = records[t, alive[done].cpu()]
                keep = ~done
                if not bool(keep.any()):
                    break
                new, alive = new[:, keep], alive[keep]
            S = new
            t += 1
    if alive.numel() and t == steps:
        final[:, alive.cpu()] = S.cpu().to(torch.int8)
    steps_run = t
    return Trajectory(overlaps[:steps_run + 1], torch.tensor(converged, dtype=torch.int64),
                      torch.zeros(n_probes, dtype=torch.bool), final,
                      None if energies is None else energies[:steps_run + 1], steps_run, clock["seconds"],
                      dict(n=n, p=p, lam=lam, update="sync", tie=tie, temperature=0.0, device=device.type,
                           algorithm="dense"))
