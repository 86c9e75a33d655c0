"""One step of the parallel rules (sync, even-odd): every neuron at once, exactly, with little work.

S(t+1) = sign(N h(t)), N h = V m + c S (:mod:`hopfield_lab.fast.arithmetic`). What a step does beyond
that one product lives behind two named optimisations:

*Optimisation (flips, not states).* When few bits flip (at most the sparse-update share of
:mod:`hopfield_lab.fast.arithmetic`), after the decisions only the flipped (neuron, probe) pairs are
handled: one comparison and one ``nonzero`` over the (N, P) states find them. A
zero field (a tie) shows up among them (sign 0 differs from +/-1) and is decided there, by
the tie rule; the overlaps follow the flips (a sparse update while few bits moved), and
whether a probe changed, and its largest number of flips, are counts over the pairs.

*Optimisation (incremental fields, sync).* With G = V V^T (N x N, never stored whole),

    N h(t+1) = N h(t) + (G + c I) (S(t+1) - S(t)),

so a step needs the columns of G of the flipped neurons only (G is symmetric: its rows).
A row costs as much as one probe's field, but late in a run few neurons flip, and the
same ones again and again (ties decided by coins, probes on their way into a 2-cycle).
The rows of recently flipped neurons are kept (:class:`ColumnCache`, at most p of them,
least recently used dropped). Each flip then adds one kept row to its probe's fields (per
probe a weighted sum of rows, :func:`hopfield_lab.fast.arithmetic.rows_by_probe`), N operations per
flip, instead of the product's N p per probe (measured at N = 32000 with 139 probes and 790
flips: 17 ms, where gathering the 790 columns and one dense product with them took 215 ms).
Each step takes the cheaper way, counted in field columns (N p operations of a dense product
each): a missing row is one, a flip ``SPARSE_FLIP / p``, allowing an
extra cost for filling the cache where it pays back: as much as the next steps would save
if the neurons that flipped now and in the last step flip again, over the steps the probes
are expected to keep running (:meth:`ParallelStep._payback`).
Exact: every number is an integer, and the sum bound (sum |m| + |c| + 2 p * most flips of
a probe < 2**24) is checked before the update is taken in float32.

*Optimisation (fields from the overlaps' change, sync).* The same update written with the
overlaps, N h(t+1) = N h(t) + V (m(t+1) - m(t)) + c (S(t+1) - S(t)), is one N x p product
like the full one, but its right factor is small: after the first steps an overlap moves
by twice its probe's flips at most, an even number, so half of it fits in a byte and the
product is made in int8
(:meth:`hopfield_lab.fast.arithmetic.Network.add_field_change`, ~0.55x the float product's time on
an x86 CPU, measured). Each step takes the cheapest of the product, this update
(``arithmetic.INT8_FIELD_COST`` of a product per probe) and the kept rows; early in a run many
different neurons flip and this update wins, late in a run the kept rows do.
"""
from __future__ import annotations

import torch

from . import Speedups, arithmetic
from .arithmetic import Arena, Network, rows_by_probe
from ..update_rules import UpdateRule, break_ties, decide, settle_ties

# one multiply-add of the flips' row sums costs about this many of a dense product: measured 35 with the
# sparse CSR product they first used; embedding_bag is 1.5x faster, so the count leans towards the product
SPARSE_FLIP = 32
SPARSE_DEVICES = ("cpu", "cuda")  # where the flips' rows are summed by embedding_bag (measured there)


def _row_blocks(A: torch.Tensor) -> list[tuple[int, int]]:
    """Row blocks (a, b) of an (N, P) array, PASS_BLOCK entries each: the whole-array passes of a step go
    through them, so no (N, P) temporary (a float sign, a bool comparison) exists (issue 27)."""
    step = max(1, arithmetic.PASS_BLOCK // max(1, A.shape[1]))
    return [(a, min(A.shape[0], a + step)) for a in range(0, A.shape[0], step)]


def _pairs(new: torch.Tensor, S: torch.Tensor, most: float) -> torch.Tensor | None:
    """The (neuron, probe) pairs where ``new`` and S differ (k x 2, sorted by neuron), or None if there
    are more than ``most``."""
    found, count = [], 0
    for a, b in _row_blocks(new):
        moved = torch.ne(new[a:b], S[a:b])
        count += int(torch.count_nonzero(moved))
        if count > most:
            return None
        pairs = moved.nonzero()
        pairs[:, 0] += a
        found.append(pairs)
    return torch.cat(found) if len(found) > 1 else found[0]


def _changed(new: torch.Tensor, S: torch.Tensor) -> torch.Tensor:
    """Per probe, whether any state differs."""
    changed = torch.zeros(new.shape[1], dtype=torch.bool, device=new.device)
    for a, b in _row_blocks(new):
        changed |= torch.ne(new[a:b], S[a:b]).any(0)
    return changed


class ColumnCache:
    """Rows G[j] = V_j V^T (= columns: G is symmetric) of recently used neurons j, in the run's
    arithmetic, one row per slot. At most ``capacity`` rows (allocated as needed); when full,
    the least recently used go."""

    def __init__(self, net: Network, capacity: int):
        self.net, self.capacity = net, capacity
        self.G = torch.empty(0, net.n, dtype=net.dtype, device=net.device)             # slot -> row of G
        self.slot = torch.full((net.n,), -1, dtype=torch.int64, device=net.device)  # neuron -> slot
        self.neuron = torch.empty(0, dtype=torch.int64, device=net.device)           # slot -> neuron
        self.used = torch.empty(0, dtype=torch.int64, device=net.device)             # slot -> last step used

    def missing(self, neurons: torch.Tensor) -> int:
        return int((self.slot[neurons] < 0).sum())

    def columns(self, neurons: torch.Tensor, t: int) -> torch.Tensor:
        """The slots holding G[neurons] (at most ``capacity`` distinct neurons), computing missing ones."""
        miss = neurons[self.slot[neurons] < 0]
        if miss.numel():
            free = self._free_slots(miss.numel(), neurons)
            self.slot[self.neuron[free][self.neuron[free] >= 0]] = -1
            self.neuron[free], self.slot[miss] = miss, free
            self.G[free] = self.net.gram_rows(miss)  # exact: |G_ij| <= p
        slots = self.slot[neurons]
        self.used[slots] = t
        return slots

    def _free_slots(self, k: int, needed: torch.Tensor) -> torch.Tensor:
        """k slots to fill: unused ones first, then the least recently used, never one of ``needed``."""
        held = self.slot[needed]
        held = held[held >= 0]
        size = self.G.shape[0]
        if size - held.numel() < k:  # grow (doubling, at most to capacity; |needed| <= capacity)
            grow = min(self.capacity, max(2 * size, held.numel() + k)) - size
            fresh = torch.full((grow,), -1, dtype=torch.int64, device=self.G.device)
            self.G = torch.cat([self.G, torch.empty(grow, self.G.shape[1], dtype=self.G.dtype, device=self.G.device)])
            self.neuron, self.used = torch.cat([self.neuron, fresh]), torch.cat([self.used, fresh])
        age = self.used.clone()
        age[held] = torch.iinfo(torch.int64).max
        return torch.sort(age, stable=True).indices[:k]

    def add_flips(self, h: torch.Tensor, j: torch.Tensor, c: torch.Tensor, d: torch.Tensor, t: int) -> None:
        """h[:, c] += d G[j] for every flip (j, c, d): per probe, a weighted sum of kept rows
        (:func:`hopfield_lab.fast.arithmetic.rows_by_probe`; a dense product with the gathered rows elsewhere)."""
        neurons, which = torch.unique(j, return_inverse=True)
        rows = self.columns(neurons, t)[which]  # the slot of each flip's row
        if self.G.device.type in SPARSE_DEVICES:  # in blocks of probes: no (P, N) temporary
            block = max(1, arithmetic.SCRATCH // self.G.shape[1])
            for first in range(0, h.shape[1], block):
                cols = min(block, h.shape[1] - first)
                inside = (c >= first) & (c < first + cols) if cols < h.shape[1] else slice(None)
                if cols < h.shape[1] and not bool(inside.any()):
                    continue  # no flips in these probes
                h[:, first:first + cols] += rows_by_probe(self.G, c[inside] - first, rows[inside], d[inside], cols).T
        else:
            kept, where = rows.unique(return_inverse=True)
            D = torch.zeros(kept.numel(), h.shape[1], dtype=h.dtype, device=h.device)
            D[where, c] = d
            h.addmm_(self.G[kept].T, D)


class ParallelStep:
    """The step of sync / even-odd, holding what carries over between steps: the exact fields
    N h(t) when the last step could update them, and the cache of G's columns."""

    def __init__(self, net: Network, rule: UpdateRule, arena: Arena, steps: int = 1, speedups: Speedups = Speedups()):
        self.net, self.rule, self.arena, self.speedups = net, rule, arena, speedups
        self.h: torch.Tensor | None = None  # N h(t) of the running probes, when known
        # the fields' own buffer (the states are int8: issue 27), flat; rows 16 columns apart on a CPU
        self._flat: torch.Tensor | None = None
        incremental = not rule.layered  # even-odd recomputes its memory units by definition
        self.cache = ColumnCache(net, net.p) if speedups.cached_gram_rows and incremental else None
        self.by_change = speedups.int8_field_changes and incremental  # by the overlaps' change where cheaper
        self.steps = steps
        self.last_hit, self.last_P = None, 0  # the neurons flipped in the last step, and its probes
        self.rows = torch.arange(net.n, device=net.device)

    def __call__(self, S: torch.Tensor, m: torch.Tensor, t: int, active: torch.Tensor):
        """S(t+1), m(t+1), and per probe whether it changed and whether a coin decided a tie."""
        net, rule = self.net, self.rule
        P = S.shape[1]
        if self.h is None:
            self.h = net.field(slice(None), m, S, out=self._fields(P))
        new = self.arena.take(P)
        for a, b in _row_blocks(new):  # the decisions a block of rows at a time, into the int8 states
            if rule.temperature > 0:  # Glauber: +/-1 decisions, no ties
                decide(self.h[a:b], S[a:b], self.rows[a:b], active, t, net.n, rule, out=new[a:b])
            else:
                new[a:b] = torch.sign(self.h[a:b])  # ties (sign 0) are decided below
        most = arithmetic.SPARSE_UPDATE_MAX * new.numel() if self.speedups.sparse_overlaps else -1
        pairs = _pairs(new, S, most)
        if pairs is None:
            # many flips (the first steps, high T): whole-array work; lists of the pairs would
            # cost more memory than the states themselves
            self._forget_fields(release=True)  # made anew by the next step: their memory goes meanwhile
            if rule.temperature > 0:
                tied = torch.zeros(P, dtype=torch.bool, device=net.device)
            else:  # the ties, over the whole array
                new, tied = settle_ties(new, S, self.rows, active, t, rule)
            return new, net.overlaps(new), _changed(new, S), tied, None
        j, c, tied = self._flips(new, S, pairs, t, active)
        del pairs
        d = 2 * new[j, c].to(net.dtype)  # S(t+1) - S(t) = +/-2 at every flip
        counts = torch.bincount(c, minlength=P)
        m_new = net.overlaps(new) if rule.layered else net.update_overlaps(m, new, j, c, d)
        self._next_fields(m, m_new, j, c, d, counts, t)
        return new, m_new, counts > 0, tied, None

    def _flips(self, new, S, pairs, t, active):
        """The (neuron, probe) pairs whose state changes (``pairs``: where new and S differ), ties
        (sign 0) decided on the way."""
        j, c = pairs.unbind(1)
        tied = torch.zeros(S.shape[1], dtype=torch.bool, device=S.device)
        zero = new[j, c] == 0
        if bool(zero.any()):
            jz, cz = j[zero], c[zero]
            new[jz, cz] = break_ties(S[jz, cz], jz, active[cz], t, self.rule)
            if self.rule.tie == "random":
                tied[cz] = True
        flipped = new[j, c] != S[j, c]
        return j[flipped], c[flipped], tied

    def _next_fields(self, m, m_new, j, c, d, counts, t) -> None:
        """Update N h to N h(t+1) in place where that is cheaper than the product, else let it go:
        by the kept rows of G of the flipped neurons, or by the change of the overlaps (int8)."""
        net, P = self.net, counts.numel()
        updating = self.cache is not None or self.by_change
        if not (updating and j.numel() and P):
            if j.numel() or not updating:  # with no flips the fields stay as they are
                self._forget_fields()
            return
        dm = m_new - m
        by_change, big = self._change_cost(m, dm) if self.by_change else (float("inf"), None)
        by_rows = False
        if self.cache is not None:
            alternative = min(P, by_change)  # what the next step costs without the kept rows
            hit = torch.bincount(j, minlength=net.n) > 0
            U = hit.nonzero().squeeze(1)
            apply = j.numel() * SPARSE_FLIP / net.p  # field columns' worth of work to add the kept rows
            fits = U.numel() <= self.cache.capacity
            cost = (self.cache.missing(U) if fits else 0) + apply
            exact = net.exact(m, extra=2 * net.p * int(counts.max()))  # h(t) + the flips' moves, partial sums
            payback = self._payback(hit, U.numel(), P, alternative - apply, t)
            self.last_hit, self.last_P = hit, P
            by_rows = fits and exact and cost < alternative + payback
        if by_rows:
            self.cache.add_flips(self.h, j, c, d, t)
        elif by_change < P:
            net.add_field_change(self.h, dm, big)
        else:
            self._forget_fields()
            return
        if net.c:
            self.h.index_put_((j, c), d * net.c, accumulate=True)

    def _change_cost(self, m, dm) -> tuple[float, torch.Tensor | None]:
        """Field columns' worth of work to add V dm to the fields (:meth:`Network.add_field_change`),
        and the patterns whose change exceeds a byte; infinite where that path is not open (no int8
        products, fields without aligned rows, a partial sum that could reach the exact-integer limit)."""
        net, P = self.net, self.h.shape[1]
        change = net.int8_field_change(dm)
        if change is None or self.h.stride() != (arithmetic._aligned(P), 1):
            return float("inf"), None
        big, size = change  # the largest sum of |dm|: what the change adds to a partial sum
        if not net.exact(m, extra=size + 2 * abs(net.c)):  # h(t), the change's partial sums, the self-term
            return float("inf"), None
        return P * (arithmetic.INT8_FIELD_COST + big.numel() / net.p), big

    def _fields(self, P: int) -> torch.Tensor:
        """An (N, P) array for the fields in their buffer (made anew when missing or twice too large)."""
        n, wide = self.net.n, arithmetic._aligned(P) if self.net.device.type == "cpu" else P
        if self._flat is None or not n * wide <= self._flat.numel() < 2 * n * wide:
            self._flat = None  # the old buffer goes first
            self._flat = torch.empty(n * wide, dtype=self.net.dtype, device=self.net.device)
        return self._flat[: n * wide].view(n, wide)[:, :P]

    def _forget_fields(self, release: bool = False) -> None:
        """N h(t+1) will come from the product: drop the fields (``release``: and their buffer)."""
        self.h = None
        if release:
            self._flat = None

    def _payback(self, hit: torch.Tensor, distinct: int, P: int, saved: float, t: int) -> float:
        """Columns of G worth computing now beyond what this step saves at once: filling the cache pays
        back over the next steps if the same neurons flip again (the share of this step's flipped
        neurons that also flipped in the last step) while the probes keep running (the steps left,
        at most the probes' expected lifetime at the rate they have been dropping)."""
        if self.last_hit is None or saved <= 0:
            return 0.0
        again = int((hit & self.last_hit).sum()) / distinct
        lifetime = P / max(1, self.last_P - P)
        return again * min(self.steps - t - 1, lifetime) * saved

    def keep(self, idx: torch.Tensor) -> None:
        """Only the probes ``idx`` keep running: shrink the kept fields with them, in their buffer (the
        kept columns move to the front a block of rows at a time: row r to r * wide, never past its old
        start, each block read before it is written), or into a smaller one once at most half is used."""
        if self.h is None:
            return
        n, k, old = self.net.n, idx.numel(), self.h
        wide = arithmetic._aligned(k) if self.net.device.type == "cpu" else k
        cols = torch.cat([idx, idx[-1:].expand(wide - k)])  # whole rows of 16 columns (a contiguous copy is fast)
        if self._flat.numel() >= 2 * n * wide:
            self._flat = None  # a smaller buffer (the old one goes with ``old``)
        target = self._fields(k).as_strided((n, wide), (wide, 1))
        for a, b in _row_blocks(old):
            target[a:b] = torch.index_select(old[a:b], 1, cols)
        self.h = target[:, :k]
