"""*Optimisation (asynchronous sweeps in chunks):* exact sequential updates with few Python iterations.

An asynchronous sweep visits the N neurons one at a time, in a random order, each deciding
from the newest states. Done literally that is N Python iterations per sweep, each a tiny
product: slow. Instead, take the next B neurons of the order (a chunk) and, for every probe
at once, compute their fields from the current states with one product, H = V[chunk] m.
For a given probe, every decision before its first change is final (nothing it depends on
moved); apply that change, correct the fields of the chunk's other neurons with the chunk's
Gram block G = V[chunk] V[chunk]^T (a flip of neuron j moves the field of neuron k by
2 s_j G_kj), and re-decide only past that position, only for the probes that changed.
Python iterations ~ the most changes of a probe within a chunk, instead of B, and each
iteration remakes the decisions of the probes that just changed only (at T > 0 the tanh of
the Glauber rule is most of the cost).

Exact: the same order, the same counter-based draws (:mod:`hopfield_lab.rng`), the same
integer fields (every G entry and every field is an integer, exact in the run's arithmetic),
so the trajectory equals the one-neuron-at-a-time loop bit for bit (tests/test_engine_exact.py).
"""
from __future__ import annotations

import torch

from .rng import noise, noise_at

CHUNK = 128  # neurons per chunk; measured best of 64 / 128 / 256 at N = 2000-8000 (benchmarks/)


def sweep(net, S: torch.Tensor, m: torch.Tensor, order: list[int] | torch.Tensor, step: int, probes: torch.Tensor,
          temperature: float, tie: str, seed: int):
    """One sequential sweep over ``order`` (every neuron once), in place on S (N, P) and m (p, P).

    Returns per probe whether it changed and whether a random tie was broken."""
    order = torch.as_tensor(order, device=S.device)
    changed = torch.zeros(S.shape[1], dtype=torch.bool, device=S.device)
    tied = torch.zeros_like(changed)
    for start in range(0, order.numel(), CHUNK):
        rows = order[start:start + CHUNK]
        _chunk(net, S, m, rows, step, probes, temperature, tie, seed, changed, tied)
    return changed, tied


def _chunk(net, S, m, rows, step, probes, temperature, tie, seed, changed, tied):
    # Inside a chunk the arrays are probe-major, (P, B): the live probes are then whole rows.
    B = rows.numel()
    Vr = net.V[rows]
    H = m.T @ Vr.T                  # (P, B): fields without the self-term, from the current states
    s = S[rows].T.contiguous()      # the chunk's states, updated as decisions change them
    before = s.clone()
    u = noise(seed, step, rows, probes, dtype=_wide(S)).T.contiguous() if temperature > 0 else None
    G = None                        # the Gram block (symmetric), made only if some probe changes
    position = torch.arange(B, device=S.device)[None, :]
    live = torch.arange(S.shape[1], device=S.device)  # probes whose chunk is not decided to the end yet
    start = torch.zeros_like(live)  # their first undecided position
    while True:  # decisions are remade only for the live probes: after a change, only those moved
        sL = s[live]
        h = H[live] + net.c * sL if net.c else H[live]
        pending = position >= start[:, None]
        new = _decide(h.T, sL.T, rows, probes[live], step, net.n, temperature, tie, seed,
                      None if u is None else u[live].T).T
        change = (new != sL) & pending
        has = change.any(1)
        first = torch.where(has, change.to(torch.int8).argmax(1), B)  # the first change, per probe
        if temperature == 0 and tie == "random":  # a coin decided some neuron up to that change?
            tied[live] |= ((h == 0) & pending & (position <= first[:, None])).any(1)
        keep = has.nonzero().squeeze(1)
        if not keep.numel():
            break
        live, at = live[keep], first[keep]
        value = new[keep, at]
        s[live, at] = value
        if G is None:
            G = Vr @ Vr.T
        H.index_add_(0, live, G.index_select(0, at) * (2 * value)[:, None])  # the flip moves the chunk's fields
        start = at + 1
    delta = s - before
    moved = (delta != 0).any(1)
    if bool(moved.any()):
        changed |= moved
        S[rows] = s.T
        m += Vr.T @ delta.T


def _wide(S: torch.Tensor) -> torch.dtype:
    return torch.float32 if S.device.type == "mps" else torch.float64


def _decide(h, s, rows, probes, step, n, temperature, tie, seed, u):
    """The rule's decisions for fields h (B, P'): as :func:`hopfield_lab.rules.decide`, for given draws."""
    if temperature > 0:
        prob = torch.tanh(h.to(u.dtype) / (n * temperature)).add_(1.0).mul_(0.5)
        return torch.where(u < prob, 1.0, -1.0).to(s.dtype)
    new = torch.sign(h)
    zero = new == 0
    if bool(zero.any()):
        if tie == "keep":
            new[zero] = s[zero]
        else:
            i, j = zero.nonzero().unbind(1)
            coin = noise_at(seed, step, rows[i], probes[j], dtype=_wide(s))
            new[i, j] = torch.where(coin < 0.5, 1.0, -1.0).to(new.dtype)
    return new
