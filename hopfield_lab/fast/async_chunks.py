"""*Optimisation (asynchronous sweeps in chunks):* exact sequential updates with few Python iterations.

An asynchronous sweep visits the N neurons one at a time, in a random order, each deciding
from the newest states. Done literally that is N Python iterations per sweep, each a tiny
product: slow. Instead, take the next B neurons of the order (a chunk) and, for every probe
at once, compute their fields from the current states with one product, H = V[chunk] m.
A flip of neuron j moves the field of neuron k by 2 s_j G_kj, with G = V[chunk] V[chunk]^T
the chunk's Gram block.

*Guess and check.* Decide every neuron of the chunk from H as if nothing moved before it:
that guesses which neurons change. If exactly the guessed changes happen, in order, the
field of neuron k is H_k plus the moves of the guessed changes before k: one small product
with the part of G above its diagonal, for all probes at once. Decide again from those
fields: up to the first position where the decision differs from the guess, the guess was
right (each field used only right guesses before it), so everything up to and including
that position is decided, exactly. Apply those flips and repeat from there with the new
decisions as the next guess, for the probes not finished: the fields follow the difference
between the changes now made or guessed and those they assumed, one product with the
triangle of G per round, over the positions not yet decided by every probe (measured,
Glauber at N = 2000, 100 probes: 26 -> 19 ms a sweep, against a product with the triangle
and one with all of G a round, over the whole chunk). Python iterations per chunk ~ the
wrong guesses of the worst probe, not B or its number of flips.

Exact: the same order, the same counter-based draws (:mod:`hopfield_lab.rng`), the same
integer fields (every G entry and every field is an integer, exact in the run's arithmetic),
so the trajectory equals the one-neuron-at-a-time loop bit for bit (tests/test_engine_exact.py).
"""
from __future__ import annotations

import torch

from ..rng import noise
from ..update_rules import UpdateRule, decide, uniform_dtype

# Neurons per chunk. Measured with the rounds of one product (Glauber, T = 0.3, alpha = 0.05, ms per
# sweep, best of 3): P = 100 probes 256: 26.3, 384: 19.7, 512: 20.9; P = 200: 256: 69.4, 384: 68.5,
# 512: 69.1; P = 400: 256: 278, 384: 288, 512: 300. With few probes a chunk's worst probe guesses
# wrong less often, so chunks can be longer.
CHUNK = 256
CHUNK_FEW_PROBES = 512  # for at most FEW_PROBES probes
FEW_PROBES = 128


def sweep(net, S: torch.Tensor, m: torch.Tensor, order: list[int] | torch.Tensor, step: int, probes: torch.Tensor,
          rule: UpdateRule):
    """One sequential sweep over ``order`` (every neuron once), in place on S (N, P) and m (p, P).

    Returns per probe whether it changed and whether a random tie was broken."""
    order = torch.as_tensor(order, device=S.device)
    changed = torch.zeros(S.shape[1], dtype=torch.bool, device=S.device)
    tied = torch.zeros_like(changed)
    # the sweep's Glauber draws in one call (probe-major, in the order of the sweep), not one per chunk
    draws = noise(rule.seed, step, order, probes, dtype=uniform_dtype(S.device)).T if rule.temperature > 0 else None
    chunk = CHUNK_FEW_PROBES if S.shape[1] <= FEW_PROBES else CHUNK
    for start in range(0, order.numel(), chunk):
        rows = order[start:start + chunk]
        u = None if draws is None else draws[:, start:start + chunk].contiguous()
        _chunk(net, S, m, rows, step, probes, rule, changed, tied, u)
    return changed, tied


def _chunk(net, S, m, rows, step, probes, rule, changed, tied, u):
    # Inside a chunk the arrays are probe-major, (P, B): the live probes are then whole rows.
    B, dtype = rows.numel(), net.V.dtype
    Vr, s, h = _chunk_fields(net, S, m, rows)
    before = s.clone()
    position = torch.arange(B, device=S.device)[None, :]
    live = torch.arange(S.shape[1], device=S.device)  # probes whose chunk is not decided to the end yet
    start = torch.zeros_like(live)  # their first undecided position
    Gu = _Triangle(Vr)              # the part of the Gram block above its diagonal (j < k), when needed

    def decisions(h, sL, a):        # of the positions from a on
        return decide(h.T, sL.T, rows[a:], probes[live], step, net.n, rule,
                      u=None if u is None else u[live, a:].T)[0].T

    sL = s
    guess = decisions(h, s, 0) != s  # the changes if nothing moved before them
    if bool(guess.any()):  # h: the fields if exactly the guessed changes happen, in order
        Gu.move(h, guess.to(dtype).mul_(s).mul_(-2), 0)
    while True:
        a = int(start.min())        # every live probe has decided the positions before a
        pending = position[:, a:] >= start[:, None]
        D = decisions(h[:, a:], sL[:, a:], a)
        actual = D != sL[:, a:]
        g = guess[:, a:] & pending
        stop = _decided_until(pending, actual, g) + a
        decided = pending & (position[:, a:] < stop[:, None])
        if rule.temperature == 0 and rule.tie == "random":  # a coin decided some neuron of the decided range?
            tied[live] |= ((h[:, a:] == 0) & decided).any(1)
        flips = decided & actual
        going = (stop < B).nonzero().squeeze(1)
        # the next guess: the decisions after the decided range; the fields follow the difference
        # between the changes now made or guessed and those they assumed, each a move of -2 sL (integers)
        nxt = actual & pending & ~decided
        diff = (flips.to(dtype) + nxt.to(dtype) - g.to(dtype)).mul_(sL[:, a:]).mul_(-2) if going.numel() else None
        if bool(flips.any()):
            sL = sL.clone()
            sL[:, a:] = torch.where(flips, D, sL[:, a:])
            s.index_copy_(0, live, sL)
        if not going.numel():
            break
        live, start, sL, h, diff = live[going], stop[going], sL[going], h[going], diff[going]
        guess = torch.zeros(going.numel(), B, dtype=torch.bool, device=S.device)
        guess[:, a:] = nxt[going]
        if bool(diff.any()):
            Gu.move(h, diff, a)
    _write_back(S, m, rows, Vr, s, before, changed)


def _chunk_fields(net, S, m, rows):
    """The chunk's rows of V, its states (P, B) and their fields from the current states; a neuron's
    own state does not change before it decides, so its self-term is added once."""
    Vr = net.V[rows]
    s = S[rows].T.contiguous()
    h = m.T @ Vr.T
    if net.c:
        h.add_(s, alpha=net.c)
    return Vr, s, h


class _Triangle:
    """The chunk's Gram block above its diagonal, made at its first use."""

    def __init__(self, Vr):
        self.Vr, self.G = Vr, None

    def move(self, h, changes, a):  # h[:, a:] += the fields' moves by state changes (0, +/-2) at positions a on
        if self.G is None:
            self.G = torch.triu(self.Vr @ self.Vr.T, diagonal=1)
        h[:, a:].addmm_(changes, self.G[a:, a:])


def _write_back(S, m, rows, Vr, s, before, changed):
    """The chunk's new states into S, the overlaps m following them; which probes changed."""
    delta = s - before
    moved = (delta != 0).any(1)
    if bool(moved.any()):
        changed |= moved
        S[rows] = s.T
        m += Vr.T @ delta.T


def _decided_until(pending, actual, guess):
    """Per probe, the end of the range the guess decided: up to and including the first position
    where the decisions differ from the guess (its field was right: every guess before it was)."""
    wrong = pending & (actual != guess)
    last = guess.shape[1] - 1
    return torch.where(wrong, torch.arange(last + 1, device=wrong.device), last).amin(1) + 1
