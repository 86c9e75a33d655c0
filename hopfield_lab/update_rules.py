"""The update rules: which neurons a step updates, in which order, and how each decides.

- ``sync``: every neuron at once, S(t+1) = sign(J S(t)) [V20].
- ``async``: random sequential; each step visits all N neurons one at a time, in a fresh
  random order (one order per step, shared by all probes).
- ``hybrid``: each step updates a random subset of round(k N) neurons at once (k = 1 is
  sync, k -> 1/N approaches async).
- ``blocks``: B fixed contiguous blocks updated in turn, each block in parallel (B = 1 is
  sync, B = 2 the red-black split, B = N sequential in the fixed order 0..N-1).
- ``even-odd``: [G23]'s even-odd splitting on the network's bipartite form (N neurons
  coupled to p linear memory units): half-step 1 sets the memory units m = V^T S, half-step
  2 all neurons S = sign(V m + (lam - 1) p S). Its trajectory equals ``sync``; for lam = 1
  the network is exactly layered (J = V V^T / N, positive semi-definite: no 2-cycles).

A neuron decides from its field h (here N times the field, an integer when lam p is one):
at T = 0, S = sign(h), and a field of exactly 0 (a tie) either keeps the state (``keep``) or
is broken by a fair coin (``random``, as in [V20]); at T > 0 (Glauber dynamics),
P(S = +1) = (1 + tanh(h / (N T))) / 2. Every coin and every Glauber draw comes from the
counter-based stream of :mod:`hopfield_lab.rng`, keyed by (seed, step, neuron, probe).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ._checks import check_choice, check_range
from .rng import check_seed, noise, noise_at

UPDATES = ("sync", "async", "hybrid", "blocks", "even-odd")
TIES = ("random", "keep")
# What the engine needs to know of a rule, read through UpdateRule's properties (never by name elsewhere):
PARALLEL = ("sync", "even-odd")                  # every neuron at once: one row set, a field product per step
ONE_AT_A_TIME = ("async",)                       # every neuron alone, from the newest states
DETERMINISTIC = ("sync", "even-odd", "blocks")   # at T = 0 the next state is a function of the state
LAYERED = ("even-odd",)                          # the memory units m = V^T S are recomputed every step
NOISE_CHUNK = 2**20  # Glauber draws are made for at most this many (neuron, probe) pairs at a time


@dataclass(frozen=True)
class UpdateRule:
    """How a step updates the neurons, validated once: the rule ``update`` (with its ``k`` or
    ``blocks``), the temperature T (Glauber dynamics at T > 0), the tie rule and the ``seed`` of
    the update orders, coins and Glauber draws."""
    update: str = "sync"
    k: float | None = None
    blocks: int | None = None
    temperature: float = 0.0
    tie: str = "random"
    seed: int = 0

    def __post_init__(self):
        check_choice("update", self.update, UPDATES)
        check_choice("tie", self.tie, TIES)
        check_range("temperature", self.temperature, 0.0, None)
        object.__setattr__(self, "temperature", float(self.temperature))  # N T may exceed any int a float holds
        check_seed(self.seed)
        if self.update == "hybrid":
            if self.k is None:
                raise ValueError("k=None: update='hybrid' needs the fraction k of neurons per step, k in (0, 1]")
            check_range("k", self.k, 0.0, 1.0, low_open=True)
        if self.update == "blocks":
            if self.blocks is None:
                raise ValueError("blocks=None: update='blocks' needs the number of blocks, blocks in [1, N]")
            check_range("blocks", self.blocks, 1, None, integer=True)

    def check_size(self, n: int) -> None:
        """A ValueError if the rule cannot run on ``n`` neurons (more blocks than neurons)."""
        if self.update == "blocks":
            check_range("blocks", self.blocks, 1, n, integer=True)

    @property
    def parallel(self) -> bool:
        """Every neuron at once (one field product per step)?"""
        return self.update in PARALLEL

    @property
    def one_at_a_time(self) -> bool:
        """Every neuron alone, each from the newest states?"""
        return self.update in ONE_AT_A_TIME

    @property
    def deterministic(self) -> bool:
        """Is the next state a function of the state (T = 0, no random order)? Then a 2-cycle is for ever."""
        return self.temperature == 0 and self.update in DETERMINISTIC

    @property
    def layered(self) -> bool:
        """Is the network run in its bipartite form, the memory units recomputed every step ([G23])?"""
        return self.update in LAYERED

    def row_sets(self, n: int, order: torch.Generator) -> list:
        """The row sets one step updates, in order; each set is updated in parallel.

        sync / even-odd: all rows; hybrid: one random subset of round(k n) rows (at least 1);
        async: every row alone, in a fresh random order; blocks: B fixed contiguous blocks.
        Draws exactly one permutation per step from ``order`` for hybrid and async.
        """
        if self.parallel:
            return [slice(0, n)]
        if self.update == "hybrid":
            size = max(1, int(self.k * n + 0.5))
            return [torch.randperm(n, generator=order)[:size].sort().values]
        if self.update == "async":
            return [slice(i, i + 1) for i in torch.randperm(n, generator=order).tolist()]
        if self.update == "blocks":
            bounds = [(b * n + self.blocks // 2) // self.blocks for b in range(self.blocks + 1)]
            return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
        raise NotImplementedError(f"update={self.update!r} has no row sets")  # a rule added to UPDATES only


def validate(*, n=None, alpha=None, lam=0.0, m0=None, steps=100, update="sync", k=None, blocks=None,
             temperature=0.0, tie="random", seed=0) -> UpdateRule:
    """Raise a ``ValueError`` that names the first bad parameter, its value and what is allowed;
    return the rule."""
    if n is not None:
        check_range("n", n, 2, None, integer=True)
    if alpha is not None:
        check_range("alpha", alpha, 0, None, low_open=True)
    if m0 is not None:
        check_range("m0", m0, -1.0, 1.0)
    check_range("lam", lam, None, None)
    check_range("steps", steps, 0, None, integer=True)
    if n is not None and update == "blocks" and blocks is not None:
        check_range("blocks", blocks, 1, n, integer=True)
    rule = UpdateRule(update, k, blocks, temperature, tie, seed)
    if n is not None:
        rule.check_size(n)
    return rule


def visits_all(sets: list, n: int) -> bool:
    """Do the row sets of a step visit all ``n`` neurons (else a fixed point needs every field checked)?"""
    return sum(len(range(n)[rows]) if isinstance(rows, slice) else rows.numel() for rows in sets) >= n


def row_index(rows, device) -> torch.Tensor:
    """The neuron indices of a row set (a slice or an index tensor), as an int64 tensor."""
    if isinstance(rows, slice):
        return torch.arange(rows.start, rows.stop, device=device)
    return rows.to(device)


def decide(h: torch.Tensor, s: torch.Tensor, rows: torch.Tensor, probes: torch.Tensor, step: int, n: int,
           rule: UpdateRule, u: torch.Tensor | None = None,
           out: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """New +/-1 states of neurons ``rows`` for probes ``probes`` from their fields ``h`` (N times
    the field) and current states ``s``. Returns the states and, per probe, whether a tie was
    broken by a coin (then the step proves no fixed point). ``u``: the Glauber draws of these
    rows, if already made (see :func:`glauber_draws`); ``out``: where to write the states."""
    if rule.temperature > 0:
        no_ties = torch.zeros(h.shape[1], dtype=torch.bool, device=h.device)
        if u is not None:
            prob = torch.tanh(h.to(u.dtype) / (n * rule.temperature)).add_(1.0).mul_(0.5)
            return torch.where(u < prob, 1.0, -1.0).to(s.dtype), no_ties
        return _glauber(h, rows, probes, step, n, rule, out).to(s.dtype), no_ties
    return settle_ties(torch.sign(h) if out is None else torch.sign(h, out=out), s, rows, probes, step, rule)


def settle_ties(new: torch.Tensor, s: torch.Tensor, rows: torch.Tensor, probes: torch.Tensor, step: int,
                rule: UpdateRule) -> tuple[torch.Tensor, torch.Tensor]:
    """``new`` = sign(h) (0 at a tie) with its zeros decided in place by the tie rule; and, per probe,
    whether a coin was used."""
    no_ties = torch.zeros(new.shape[1], dtype=torch.bool, device=new.device)
    ties = new == 0
    if not bool(ties.any()):
        return new, no_ties
    i, j = ties.nonzero().unbind(1)
    new[i, j] = break_ties(s[i, j], rows[i], probes[j], step, rule).to(new.dtype)
    if rule.tie == "random":
        no_ties[j] = True
    return new, no_ties


def break_ties(states: torch.Tensor, rows: torch.Tensor, probes: torch.Tensor, step: int,
               rule: UpdateRule) -> torch.Tensor:
    """The tie rule, the one place it lives: the new states of the neurons ``rows[a]`` of probes
    ``probes[a]`` whose field is exactly 0 and whose state is ``states[a]``: kept (``keep``) or
    a fair coin keyed by (seed, step, neuron, probe) (``random``)."""
    if rule.tie == "keep":
        return states
    return coins(rule.seed, step, rows, probes, states.dtype)


def coins(seed: int, step: int, rows: torch.Tensor, probes: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """The fair coins that break the ties of neurons ``rows[a]`` of probes ``probes[a]``: +1 or -1."""
    u = noise_at(seed, step, rows, probes, dtype=uniform_dtype(rows.device))
    return torch.where(u < 0.5, 1.0, -1.0).to(dtype)


def uniform_dtype(device: torch.device) -> torch.dtype:
    return torch.float32 if device.type == "mps" else torch.float64  # MPS has no float64


def glauber_draws(seed: int, step: int, n: int, probes: torch.Tensor) -> torch.Tensor:
    """All of a step's Glauber draws, (N, P): for the rules that visit the neurons in many small sets."""
    return noise(seed, step, torch.arange(n, device=probes.device), probes, dtype=uniform_dtype(probes.device))


def _glauber(h, rows, probes, step, n, rule, out=None):
    """+1 where u < (1 + tanh(h / (N T))) / 2, in float64, in row chunks to bound the memory of the draws."""
    out = torch.empty_like(h) if out is None else out
    wide = uniform_dtype(h.device)
    chunk = max(1, NOISE_CHUNK // max(1, h.shape[1]))
    for a in range(0, h.shape[0], chunk):
        b = min(a + chunk, h.shape[0])
        prob = torch.tanh(h[a:b].to(wide) / (n * rule.temperature)).add_(1.0).mul_(0.5)
        u = noise(rule.seed, step, rows[a:b], probes, dtype=wide)
        out[a:b] = torch.where(u < prob, 1.0, -1.0)
    return out


def stable(h: torch.Tensor, s: torch.Tensor, tie: str) -> torch.Tensor:
    """Per column: is every neuron already aligned with its field (a fixed point at T = 0)?
    With random ties a zero field is not stable (a coin may flip it)."""
    agree = h * s > 0
    if tie == "keep":
        agree |= h == 0
    return agree.all(0)
