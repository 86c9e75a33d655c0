"""The simulation engine: exact Hopfield dynamics for many probes at once, on CPU or GPU.

Model ([V20] eqs. 1-2): N neurons S_i = +/-1, p patterns xi^mu (the columns of V, an
N x p matrix of +/-1), couplings

    J_ij = (1/N) sum_mu xi_i^mu xi_j^mu  (i != j),      J_ii = lam * p / N,

so J = (V V^T + (lam - 1) p I) / N and the local field on neuron i is

    h_i = (1/N) [ sum_mu V_imu m_mu + (lam - 1) p S_i ],   m = V^T S   (the p overlaps, times N).

Three facts make the engine fast without giving up a single bit of exactness:

1. *No N x N matrix.* h costs two N x p products instead of one N x N product, and
   memory is O(N p) instead of O(N^2). m is kept up to date incrementally: after a step,
   ``m += V[rows]^T (S_new - S)[rows]`` over the rows that changed.
2. *Exact integers in float32.* Every entry of V, S is +/-1, so m and N h are integers.
   float32 represents every integer below 2**24 exactly, and a sum of integers whose
   absolute values add up to less than 2**24 is exact in any order, blocked or fused.
   The engine checks that bound (sum_mu |m_mu| + |lam - 1| p) and falls back to float64
   where it fails, so signs, and exact zeros (ties), are always right.
3. *Finished probes cost nothing.* A probe at a fixed point is dropped; under a
   deterministic rule (sync, even-odd, fixed blocks at T = 0) so is a probe in a
   2-cycle, since its future is known: it alternates between its last two states. The
   records are completed from that knowledge, parity included, and equal full stepping.

Update rules (all combinable with temperature T >= 0; Glauber: P(S_i = +1) = (1 + tanh(h_i / T)) / 2):

- ``sync``: every neuron at once, S(t+1) = sign(J S(t)) [V20].
- ``async``: random sequential; each step visits all N neurons one at a time, in a fresh
  random order (one order per step, shared by all probes).
- ``hybrid``: each step updates a random subset of round(k N) neurons at once (k = 1 is
  sync, k -> 1/N approaches async).
- ``blocks``: B fixed contiguous blocks updated in turn, each block in parallel (B = 1 is
  sync, B = 2 the red-black split, B = N sequential in the fixed order 0..N-1).
- ``even-odd``: [G23]'s even-odd splitting on the network's bipartite form: N neurons
  coupled to p linear memory units. Half-step 1 updates all memory units at once,
  m = V^T S; half-step 2 updates all neurons at once, S = sign(V m + (lam - 1) p S).
  For lam = 1 this is exactly a layered (bipartite) network and one even-odd iteration
  equals one synchronous step of the classical network with J_ii = alpha (J = V V^T / N,
  positive semi-definite, hence no 2-cycles). For lam != 1 the term (lam - 1) p S_i is a
  self-loop the bipartite form lacks; we keep it as a local term, so the trajectory still
  equals ``sync`` with that lam, but the network is no longer strictly layered and the
  even-odd guarantees (energy descent, no 2-cycles) no longer hold.

Ties (a field exactly 0 at T = 0): ``random`` draws the new state at random [V20];
``keep`` leaves the neuron as it is.
"""
from __future__ import annotations

import gc
import math
import warnings
from dataclasses import dataclass, field, replace

import torch

from ._checks import check_choice, check_range, generator_for
from .device import memory_bytes, pick_device, timer
from .patterns import corrupt, random_patterns

UPDATES = ("sync", "async", "hybrid", "blocks", "even-odd")
TIES = ("random", "keep")
DETERMINISTIC = ("sync", "even-odd", "blocks")  # the next state is a function of the state (at T = 0)
EXACT_FLOAT32 = 2**24  # float32 holds every integer of smaller magnitude exactly


@dataclass(frozen=True)
class Trajectory:
    """What a run recorded, on the CPU, ready to plot.

    - ``overlaps[t, c]``: overlap m = (1/N) xi . S of probe c with its target pattern after t steps;
    - ``converged[t]``: how many probes sit at a fixed point at step t (at T > 0: how many
      did not change during step t);
    - ``two_cycle[c]``: probe c ends in a 2-cycle (S(t+1) = S(t-1) != S(t));
    - ``final_state``: the (N, P) states after the last step, int8;
    - ``energy[t, c]``: energy per neuron E / N = -S.J.S / (2N), when asked for;
    - ``steps_run``: steps taken (the run stops early once every probe is a fixed point);
    - ``seconds``: wall time (device synchronized); ``params``: what was run.
    """

    overlaps: torch.Tensor
    converged: torch.Tensor
    two_cycle: torch.Tensor
    final_state: torch.Tensor
    energy: torch.Tensor | None
    steps_run: int
    seconds: float
    params: dict = field(default_factory=dict)

    @property
    def n_probes(self) -> int:
        return self.overlaps.shape[1]

    @property
    def final_overlaps(self) -> torch.Tensor:
        return self.overlaps[-1]

    @property
    def mean_final_overlap(self) -> float:
        return float(self.overlaps[-1].mean())

    @property
    def fraction_converged(self) -> float:
        return float(self.converged[-1]) / self.n_probes

    @property
    def fraction_two_cycle(self) -> float:
        return float(self.two_cycle.double().mean())

    def summary(self) -> dict:
        """The headline numbers as plain Python values (what the CLI prints as JSON)."""
        return {**self.params, "steps_run": self.steps_run, "seconds": round(self.seconds, 6),
                "mean_final_overlap": round(self.mean_final_overlap, 6),
                "fraction_converged": round(self.fraction_converged, 6),
                "fraction_two_cycle": round(self.fraction_two_cycle, 6)}


# --- pieces shared with the dense reference (hopfield_lab.dense) ---------------------------

def schedule(update: str, n: int, k: float | None, blocks: int | None, gen: torch.Generator) -> list:
    """The row sets one step updates, in order; each set is updated in parallel.

    sync / even-odd: all rows; hybrid: one random subset of round(k n) rows; async: every
    row alone, in a fresh random order; blocks: B fixed contiguous blocks in turn.
    """
    if update in ("sync", "even-odd"):
        return [slice(None)]
    if update == "hybrid":
        size = max(1, int(round(k * n)))
        return [torch.randperm(n, generator=gen)[:size].sort().values]
    if update == "async":
        return [slice(i, i + 1) for i in torch.randperm(n, generator=gen).tolist()]
    bounds = [round(b * n / blocks) for b in range(blocks + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]


def decide(h: torch.Tensor, s: torch.Tensor, n: int, temperature: float, tie: str,
           gen: torch.Generator, inplace: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """New +/-1 states from fields ``h`` (N times the field) and current states ``s``.

    T = 0: sign(h), ties by ``tie``. T > 0: +1 with probability (1 + tanh(h / (N T))) / 2.
    Returns the new states (written over ``h`` when ``inplace``) and, per column, whether
    a tie was broken at random.
    """
    no_ties = torch.zeros(h.shape[1], dtype=torch.bool, device=h.device)
    if temperature > 0:
        prob = 0.5 * (1.0 + torch.tanh(h / (n * temperature)))
        u = torch.rand(h.shape, generator=gen, device=h.device, dtype=h.dtype)
        return torch.where(u < prob, 1.0, -1.0).to(s.dtype), no_ties
    new = torch.sign(h, out=h) if inplace else torch.sign(h)
    ties = new == 0
    n_ties = int(torch.count_nonzero(ties))
    if not n_ties:
        return new, no_ties
    if tie == "keep":
        new[ties] = s[ties].to(new.dtype)
        return new, no_ties
    coin = torch.randint(0, 2, (n_ties,), generator=gen, device=h.device)
    new[ties] = coin.to(new.dtype) * 2 - 1
    return new, ties.any(0)


def stable(h: torch.Tensor, s: torch.Tensor, tie: str) -> torch.Tensor:
    """Per column: is every neuron already aligned with its field (a fixed point at T = 0)?"""
    agree = h * s > 0
    if tie == "keep":
        agree |= h == 0
    return agree.all(0)


def classify(rec: "Recorder", temperature: float, changed, tied, settled, new, S_prev, tie_prev):
    """After a step from S(t) to S(t+1) = ``new``: which probes sit at a fixed point, which in a
    2-cycle (S(t+1) = S(t-1) != S(t), no random tie involved); records how many converged.

    At T > 0 nothing is fixed (the count records probes that did not change). ``settled``
    is the hybrid rule's full stability check (None for the others, where a step without
    change and without a random tie proves a fixed point).
    """
    if temperature > 0:
        rec.count_converged(int((~changed).sum()))
        return torch.zeros_like(changed), torch.zeros_like(changed)
    fixed = settled if settled is not None else ~changed & ~tied
    rec.count_converged(int(fixed.sum()))
    if S_prev is None:
        return fixed, torch.zeros_like(fixed)
    return fixed, ~fixed & ~tied & ~tie_prev & (new == S_prev).all(0)


class Recorder:
    """Collects per-step records of the active probes and completes those that were dropped."""

    def __init__(self, n_probes: int, n: int, device, energy: bool):
        self.n_probes, self.n = n_probes, n
        self.overlaps, self.energies, self.converged = [], [], []
        self.want_energy = energy
        self.final = torch.zeros(n, n_probes, dtype=torch.int8, device=device)
        self.two_cycle = torch.zeros(n_probes, dtype=torch.bool, device=device)
        self.fixed_at: list[tuple[int, torch.Tensor]] = []
        self.cycle_at: list[tuple[int, torch.Tensor, torch.Tensor, torch.Tensor | None]] = []
        self.n_fixed = 0
        self.device = device

    def observe(self, cols: torch.Tensor, overlaps: torch.Tensor, energy: torch.Tensor | None) -> None:
        row = torch.full((self.n_probes,), float("nan"), dtype=torch.float64, device=self.device)
        self.overlaps.append(row.index_copy(0, cols, overlaps.double()))
        if self.want_energy:
            self.energies.append(row.clone().index_copy(0, cols, energy.double()))

    def count_converged(self, n_fixed_now: int) -> None:
        self.converged.append(self.n_fixed + n_fixed_now)

    def drop_fixed(self, t: int, cols: torch.Tensor, states: torch.Tensor) -> None:
        if cols.numel():
            self.fixed_at.append((t, cols))
            self.final[:, cols] = states.to(torch.int8)
            self.n_fixed += cols.numel()

    def drop_cycle(self, t: int, steps: int, cols: torch.Tensor, state_a, state_b, over_b, energy_b) -> None:
        """Probes at state A = S(t) whose next state B = S(t+1) equals S(t-1): A, B, A, ... forever."""
        if cols.numel():
            self.cycle_at.append((t, cols, over_b.double(), None if energy_b is None else energy_b.double()))
            self.final[:, cols] = (state_a if (steps - t) % 2 == 0 else state_b).to(torch.int8)
            self.two_cycle[cols] = True

    def finish(self, steps_run: int, cols, states, cycles, seconds: float, params: dict) -> Trajectory:
        if cols is not None and cols.numel():
            self.final[:, cols] = states.to(torch.int8)
            self.two_cycle[cols] = cycles
        self.converged += [self.n_fixed] * (steps_run + 1 - len(self.converged))
        overlaps = self._complete(self.overlaps, steps_run, [c[2] for c in self.cycle_at])
        energy = (self._complete(self.energies, steps_run, [c[3] for c in self.cycle_at])
                  if self.want_energy else None)
        return Trajectory(overlaps.cpu(), torch.tensor(self.converged, dtype=torch.int64), self.two_cycle.cpu(),
                          self.final.cpu(), None if energy is None else energy.cpu(), steps_run, seconds, params)

    def _complete(self, rows: list, steps_run: int, cycle_values: list) -> torch.Tensor:
        out = torch.full((steps_run + 1, self.n_probes), float("nan"), dtype=torch.float64, device=self.device)
        out[:len(rows)] = torch.stack(rows)
        for t, cols in self.fixed_at:  # a fixed point stays put
            out[t + 1:, cols] = out[t, cols]
        for (t, cols, _b, _e), value_b in zip(self.cycle_at, cycle_values):  # A at t, B at t+1, A at t+2 ...
            out[t + 2::2, cols] = out[t, cols]
            out[t + 1::2, cols] = value_b
        return out


def validate(*, n: int | None = None, alpha: float | None = None, lam: float = 0.0, m0: float | None = None,
             steps: int = 100, update: str = "sync", k: float | None = None, blocks: int | None = None,
             temperature: float = 0.0, tie: str = "random") -> None:
    """Raise a ``ValueError`` that names the first bad parameter, its value and the allowed range."""
    if n is not None:
        check_range("n", n, 2, None)
    if alpha is not None:
        check_range("alpha", alpha, 0, None, low_open=True)
    if m0 is not None:
        check_range("m0", m0, -1.0, 1.0)
    check_range("lam", lam, None, None)
    check_range("steps", steps, 0, None)
    check_choice("update", update, UPDATES)
    check_choice("tie", tie, TIES)
    check_range("temperature", temperature, 0.0, None)
    if update == "hybrid":
        if k is None:
            raise ValueError("k=None: update='hybrid' needs the fraction k of neurons per step, k in (0, 1]")
        check_range("k", k, 0.0, 1.0, low_open=True)
    if update == "blocks":
        if blocks is None:
            raise ValueError(f"blocks=None: update='blocks' needs the number of blocks, blocks in [1, {n or 'N'}]")
        check_range("blocks", blocks, 1, n)


# --- the engine ------------------------------------------------------------------------------

def evolve(patterns: torch.Tensor, probes: torch.Tensor, *, targets: torch.Tensor | None = None,
           lam: float = 0.0, steps: int = 100, update: str = "sync", k: float | None = None,
           blocks: int | None = None, temperature: float = 0.0, tie: str = "random",
           seed: int = 0, record_energy: bool = False, params: dict | None = None,
           progress: bool = False) -> Trajectory:
    """Run the dynamics of the network storing ``patterns`` (N, p) from ``probes`` (N, P).

    Probe c is compared with pattern ``targets[c]`` (default: pattern c). ``seed`` drives
    the update order and the random choices (ties, Glauber noise). ``progress`` shows a
    bar over the steps with the number of probes still running. See the module docstring
    for the rules; the result is a :class:`Trajectory`.
    """
    n, p = patterns.shape
    validate(n=n, lam=lam, steps=steps, update=update, k=k, blocks=blocks, temperature=temperature, tie=tie)
    if probes.shape[0] != n:
        raise ValueError(f"probes has {probes.shape[0]} rows; it needs one per neuron, n={n}")
    device = patterns.device
    n_probes = probes.shape[1]
    targets = torch.arange(n_probes, device=device) if targets is None else targets.to(device)
    # float32 is exact for our integers only at full precision: TF32 / bf16 matmuls
    # (torch.set_float32_matmul_precision("high" or "medium")) would round, so use float64 then.
    full_precision = torch.get_float32_matmul_precision() == "highest"
    dtype = torch.float32 if n < EXACT_FLOAT32 // 2 and full_precision else torch.float64
    V = patterns.to(dtype)
    S = probes.to(dtype)
    self_coef = (lam - 1.0) * p
    integral = float(self_coef).is_integer()
    always_exact = integral and p * n + abs(self_coef) < EXACT_FLOAT32
    order_gen = generator_for(seed, "cpu")
    noise_gen = generator_for(seed + 1, device)
    drop_cycles = temperature == 0 and update in DETERMINISTIC
    arena = _Arena(n, n_probes, dtype, device, pooled=update in ("sync", "even-odd"))
    params = dict(params or {}, n=n, p=p, lam=lam, update=update, tie=tie, temperature=temperature,
                  device=device.type)

    def field(rows, m, S, out=None):
        """N times the local field on ``rows``: V[rows] m + (lam - 1) p S[rows], exact."""
        if always_exact or (integral and float(m.abs().sum(0).max()) + abs(self_coef) < EXACT_FLOAT32):
            h = torch.mm(V[rows], m, out=out)
            return h.add_(S[rows], alpha=self_coef) if self_coef else h
        return V[rows].double() @ m.double() + self_coef * S[rows].double()

    def overlaps_after(m, S, new, moved):
        """m(t+1) = V^T S(t+1): from scratch, or, when few bits moved, m + V^T (S(t+1) - S(t))
        as a sparse product (exact: small integers)."""
        nnz = int(torch.count_nonzero(moved))
        if nnz == 0:
            return m
        if nnz > 0.03 * moved.numel() or device.type not in ("cpu", "cuda"):
            return V.T @ new
        col, row = moved.T.nonzero().unbind(1)  # sorted by probe
        crow = torch.zeros(moved.shape[1] + 1, dtype=torch.int64, device=device)
        crow[1:] = torch.bincount(col, minlength=moved.shape[1]).cumsum(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "sparse CSR support is in beta"
            step = torch.sparse_csr_tensor(crow, row, new[row, col] - S[row, col], size=(moved.shape[1], n))
            return m + (step @ V).T

    def energy(m):
        """E / N = -(|m|^2 / N + (lam - 1) p) / (2 N), from S.J.S = |V^T S|^2 / N + (lam - 1) p."""
        return -(m.double().pow(2).sum(0) / n + self_coef) / (2 * n) if record_energy else None

    def one_step(S, m):
        """Apply one step; returns S(t+1), m(t+1), changed, tied (per column) and, for hybrid, stability."""
        if update in ("sync", "even-odd"):  # one parallel update of every row, into a reused buffer
            out = arena.take(S.shape[1])
            h = field(slice(None), m, S, out=out)
            new, tied = decide(h, S, n, temperature, tie, noise_gen, inplace=True)
            if new is not out:  # the float64 fallback
                new = out.copy_(new)
            moved = new != S
            m_new = V.T @ new if update == "even-odd" else overlaps_after(m, S, new, moved)
            return new, m_new, moved.any(0), tied, None
        rows_list = schedule(update, n, k, blocks, order_gen)
        full = field(slice(None), m, S) if update == "hybrid" else None
        settled = stable(full, S, tie) if full is not None else None
        S, m = S.clone(), m.clone()
        changed = torch.zeros(S.shape[1], dtype=torch.bool, device=device)
        tied = torch.zeros_like(changed)
        for rows in rows_list:
            h = full[rows] if full is not None else field(rows, m, S)
            new, tie_cols = decide(h, S[rows], n, temperature, tie, noise_gen)
            delta = new - S[rows]
            moved = delta != 0
            tied |= tie_cols
            if not bool(moved.any()):
                continue
            changed |= moved.any(0)
            S[rows] = new
            hit = moved.any(1).nonzero().squeeze(1)
            if hit.numel() * 2 < delta.shape[0]:  # few rows changed: touch only those
                m += V[rows][hit].T @ delta[hit]
            else:
                m += V[rows].T @ delta
        return S, m, changed, tied, settled

    def run() -> Trajectory:
        nonlocal S
        rec = Recorder(n_probes, n, device, record_energy)
        active = torch.arange(n_probes, device=device)
        S = arena.take(n_probes).copy_(S)
        m = V.T @ S
        S_prev, tie_prev = None, torch.zeros(n_probes, dtype=torch.bool, device=device)
        any_cycle = False
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc=f"{update} N={n}", unit="step", disable=not progress, leave=False)
        with timer(device) as clock:
            t = 0
            while True:
                own = m.gather(0, targets[active][None, :])[0].double() / n
                rec.observe(active, own, energy(m))
                new, m_new, changed, tied, settled = one_step(S, m)
                fixed, cycle = classify(rec, temperature, changed, tied, settled, new, S_prev, tie_prev)
                if t == steps:
                    break
                drop = fixed | cycle if drop_cycles else fixed
                if bool(drop.any()):
                    rec.drop_fixed(t, active[fixed], S[:, fixed])
                    if drop_cycles and bool(cycle.any()):
                        any_cycle = True
                        m_b = m_new[:, cycle]
                        rec.drop_cycle(t, steps, active[cycle], S[:, cycle], new[:, cycle],
                                       m_b.gather(0, targets[active[cycle]][None, :])[0].double() / n, energy(m_b))
                    keep = ~drop
                    if not bool(keep.any()):
                        break
                    idx = keep.nonzero().squeeze(1)
                    arena.give(S_prev)
                    new_kept = torch.index_select(new, 1, idx, out=arena.take(idx.numel()))
                    arena.give(new)
                    new, S_kept = new_kept, torch.index_select(S, 1, idx, out=arena.take(idx.numel()))
                    arena.give(S)
                    S, m_new, tied, active = S_kept, m_new[:, keep], tied[keep], active[keep]
                else:
                    arena.give(S_prev)
                S_prev, S, m, tie_prev = S, new, m_new, tied
                t += 1
                bar.update(1)
                bar.set_postfix(running=active.numel(), refresh=False)
        bar.close()
        remaining = active.numel() > 0 and t == steps
        steps_run = steps if (any_cycle or remaining) else t
        return rec.finish(steps_run, active if remaining else None, S if remaining else None,
                          cycle if remaining else None, clock["seconds"], params)

    return run()


class _Arena:
    """Three (N, P) buffers reused in turn for the previous, current and next states.

    A fresh tensor of many megabytes costs page faults every time it is touched anew (the
    allocator returns big blocks to the OS when they are freed); on a CPU those faults cost
    more than the arithmetic on the array. Reusing three buffers avoids that; as probes
    are dropped the arrays shrink inside them. Unpooled, ``take`` simply allocates.
    """

    def __init__(self, n: int, cols: int, dtype, device, pooled: bool = True):
        self.n, self.dtype, self.device, self.pooled = n, dtype, device, pooled
        self.free = [torch.empty(n * cols, dtype=dtype, device=device) for _ in range(3 if pooled else 0)]
        self.owner: dict[int, torch.Tensor] = {}

    def take(self, cols: int) -> torch.Tensor:
        if not self.pooled:
            return torch.empty(self.n, cols, dtype=self.dtype, device=self.device)
        flat = self.free.pop()
        view = flat[: self.n * cols].view(self.n, cols)
        self.owner[view.data_ptr()] = flat
        return view

    def give(self, view: torch.Tensor | None) -> None:
        if self.pooled and view is not None:
            self.free.append(self.owner.pop(view.data_ptr()))


def memory_needed(n: int, p: int, n_probes: int | None = None, dense: bool = False) -> int:
    """Bytes a run needs, roughly: V (4 N p) plus five N x P float32 arrays (S, the next S,
    the previous S, the field and the random keys that place the probes' flipped bits);
    the dense algorithm adds the N x N matrix J (4 N^2)."""
    n_probes = p if n_probes is None else n_probes
    return 4 * n * p + 20 * n * n_probes + (4 * n * n if dense else 0)


def largest_n(alpha: float, device: torch.device | str, fraction: float = 0.8, dense: bool = False) -> int:
    """The largest N whose run (p = alpha N probes) fits in ``fraction`` of the device's free memory."""
    budget = fraction * memory_bytes(device)
    return int(math.sqrt(budget / (24 * alpha + (4 if dense else 0))))


def _dense_float32(patterns, probes, params=None, **kwargs) -> Trajectory:
    from .dense import evolve_dense

    traj = evolve_dense(patterns, probes, dtype=torch.float32, **kwargs)
    return replace(traj, params={**traj.params, **(params or {})})


def simulate(n: int, alpha: float, lam: float = 0.0, m0: float = 0.8, steps: int = 100,
             update: str = "sync", k: float | None = None, blocks: int | None = None,
             temperature: float = 0.0, tie: str = "random", seed: int = 0,
             device: torch.device | str | None = None, record_energy: bool = False,
             algorithm: str = "engine", progress: bool = False) -> Trajectory:
    """[V20]'s experiment: p = round(alpha N) random patterns, one probe per pattern at overlap m0.

    Generates the patterns (seed), corrupts each to overlap ``m0`` (exactly
    round((1 - m0) N / 2) bits flipped, seed + 1), then runs :func:`evolve` (seed + 2).
    ``seconds`` covers pattern generation to the end of the dynamics, [V20]'s scope. The
    run is refused with a ``ValueError`` if it cannot fit in the device's memory.
    ``algorithm="dense"`` runs the paper's plain algorithm instead (float32 N x N matrix,
    :func:`hopfield_lab.dense.evolve_dense`), for comparison.
    """
    validate(n=n, alpha=alpha, lam=lam, m0=m0, steps=steps, update=update, k=k, blocks=blocks,
             temperature=temperature, tie=tie)
    device = pick_device(None if device is None else str(device))
    p = int(round(alpha * n))
    if p < 1:
        raise ValueError(f"alpha={alpha!r} gives p = round(alpha * n) = 0 patterns for n={n}; "
                         f"allowed: alpha >= {0.5 / n:.3g} at this n")
    check_choice("algorithm", algorithm, ("engine", "dense"))
    dense = algorithm == "dense"
    need, free = memory_needed(n, p, dense=dense), memory_bytes(device)
    if need > 0.8 * free:
        raise ValueError(f"n={n} needs about {need / 2**30:.1f} GiB at alpha={alpha}, but {device.type} has "
                         f"{free / 2**30:.1f} GiB free; allowed: n <= {largest_n(alpha, device, dense=dense)} on this device")
    params = dict(alpha=alpha, m0=m0, steps=steps, seed=seed, k=k, blocks=blocks)
    failed = None
    try:
        with timer(device) as clock:
            patterns = random_patterns(n, p, seed=seed, device=device)
            probes = corrupt(patterns, m0, seed=seed + 1)
        extra = {} if dense else {"progress": progress}
        run = _dense_float32 if dense else evolve
        traj = run(patterns, probes, **extra, lam=lam, steps=steps, update=update, k=k, blocks=blocks,
                      temperature=temperature, tie=tie, seed=seed + 2, record_energy=record_energy,
                  params=dict(params, algorithm=algorithm))
        return replace(traj, seconds=clock["seconds"] + traj.seconds)
    except torch.cuda.OutOfMemoryError as err:  # leave the kernel usable: free everything first
        failed = str(err).splitlines()[0]
    gc.collect()
    torch.cuda.empty_cache()
    raise MemoryError(f"n={n} ran out of GPU memory ({failed}); memory was freed. "
                      f"Try n <= {largest_n(alpha, device, 0.5, dense=dense)}.")

