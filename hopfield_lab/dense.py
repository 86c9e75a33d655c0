"""The plain dense algorithm of [V20]: build the N x N matrix J, then S <- sign(J S).

This is the yardstick for the engine in :mod:`hopfield_lab.dynamics`: the tests check the
engine bit for bit against it in float64, and the benchmarks time it in float32 (the
paper's setting) next to the engine. It is deliberately simple: J costs N^2 numbers of
memory and every step one N x N by N x P product; converged probes are dropped, as in
[V20], but probes in 2-cycles keep being stepped until ``steps`` is reached.

J is kept *unnormalized*, J = V V^T + (lam - 1) p I (N times the model's J): dividing by
the positive N cannot change a sign, and every entry stays an integer, so in float64 the
fields are exact and ties (fields of exactly 0) are seen as ties.
"""
from __future__ import annotations

import torch

from ._checks import generator_for
from .device import timer
from .dynamics import Recorder, Trajectory, classify, decide, schedule, stable, validate


def coupling_matrix(patterns: torch.Tensor, lam: float = 0.0, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """N J = V V^T + (lam - 1) p I: Hebb's rule with self-coupling J_ii = lam p / N."""
    V = patterns.to(dtype)
    J = V @ V.T
    J.diagonal().add_((lam - 1.0) * V.shape[1])
    return J


def evolve_dense(patterns: torch.Tensor, probes: torch.Tensor, *, targets: torch.Tensor | None = None,
                 lam: float = 0.0, steps: int = 100, update: str = "sync", k: float | None = None,
                 blocks: int | None = None, temperature: float = 0.0, tie: str = "random", seed: int = 0,
                 dtype: torch.dtype = torch.float64, record_energy: bool = False) -> Trajectory:
    """Same arguments and records as :func:`hopfield_lab.dynamics.evolve`, computed densely.

    Same update order and random choices for the same ``seed``; no 2-cycle shortcut.
    ``seconds`` includes building J.
    """
    n, p = patterns.shape
    validate(n=n, lam=lam, steps=steps, update=update, k=k, blocks=blocks, temperature=temperature, tie=tie)
    device, n_probes = patterns.device, probes.shape[1]
    targets = torch.arange(n_probes, device=device) if targets is None else targets.to(device)
    order_gen, noise_gen = generator_for(seed, "cpu"), generator_for(seed + 1, device)
    rec = Recorder(n_probes, n, device, record_energy)
    with timer(device) as clock:
        J = coupling_matrix(patterns, lam, dtype)
        V, S = patterns.to(dtype), probes.to(dtype)
        active = torch.arange(n_probes, device=device)
        S_prev, tie_prev = None, torch.zeros(n_probes, dtype=torch.bool, device=device)
        t = 0
        while True:
            own = (V[:, targets[active]] * S).sum(0).double() / n  # an exact integer over n, in float64
            energy = -(S * (J @ S)).sum(0).double() / (2 * n * n) if record_energy else None
            rec.observe(active, own, energy)
            rows_list = schedule(update, n, k, blocks, order_gen)
            settled = stable(J @ S, S, tie) if update == "hybrid" else None
            new = S.clone()
            tied = torch.zeros(S.shape[1], dtype=torch.bool, device=device)
            for rows in rows_list:
                h = J[rows] @ (S if update == "hybrid" else new)
                new[rows], tie_cols = decide(h, new[rows], n, temperature, tie, noise_gen)
                tied |= tie_cols
            fixed, cycle = classify(rec, temperature, (new != S).any(0), tied, settled, new, S_prev, tie_prev)
            if t == steps:
                break
            if bool(fixed.any()):  # drop converged probes, as [V20] does
                rec.drop_fixed(t, active[fixed], S[:, fixed])
                keep = ~fixed
                if not bool(keep.any()):
                    break
                S, new, tied, active = S[:, keep], new[:, keep], tied[keep], active[keep]
            S_prev, S, tie_prev = S, new, tied
            t += 1
    remaining = t == steps
    return rec.finish(t, active if remaining else None, S if remaining else None,
                      cycle if remaining else None, clock["seconds"],
                      dict(n=n, p=p, lam=lam, update=update, tie=tie, temperature=temperature,
                           device=device.type, algorithm="dense"))
