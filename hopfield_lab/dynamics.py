"""The simulation engine: exact Hopfield dynamics for many probes at once, on CPU or GPU.

Model ([V20] eqs. 1-2): N neurons S_i = +/-1 and p = round(alpha N) patterns xi^mu (the
columns of V, N x p, entries +/-1; alpha means p / N with p rounded half up), couplings

    J_ij = (1/N) sum_mu xi_i^mu xi_j^mu  (i != j),      J_ii = lam p / N,

and the probes (the columns of S, N x P) evolve under one of the update rules of
:mod:`hopfield_lab.update_rules` (``UPDATES``; temperature T >= 0).

The main loop (:func:`_run`) is the loop of notebook 02: record, step, classify, drop the
probes whose future is known (a probe at a fixed point, and under a deterministic rule a
probe in a 2-cycle: it alternates between its last two states for ever).

The step is one of two, nanoGPT-style, chosen by one argument, ``speedups``:

- :func:`plain_step` (``speedups=False``): every rule as the textbook writes it, about 20
  lines; the row sets of the rule in turn, N h = V m + c S, decide, update m.
- the fast step (``speedups=True`` or a :class:`hopfield_lab.fast.Speedups` naming which
  optimisations are on): the same trajectory bit for bit, with the optimisations of
  :mod:`hopfield_lab.fast`, each named there with what it buys (measured): exact float32
  and int8 arithmetic, the parallel rules' step by flips with incremental fields, sweeps in
  chunks by guess and check, 2-cycles dropped.
"""
from __future__ import annotations

import gc
import traceback
from dataclasses import replace

import torch

from .fast import Speedups, as_speedups, async_chunks
from ._checks import check_choice, check_pm1, check_range
from .device import pick_device, timer
from .fast.arithmetic import Arena, NeedsFloat64, Network, choose_dtype
from .fast.parallel_step import ParallelStep
from .patterns import flipped, n_patterns, random_patterns
from .rng import generator
from .sizing import check_fits
from .trajectory import Recorder, Trajectory
from .update_rules import TIES, UPDATES, UpdateRule, decide, glauber_draws, row_index, stable, validate, visits_all

__all__ = ["evolve", "simulate", "plain_step", "Trajectory", "UPDATES", "TIES"]


# rows of m(t-1) kept for the 2-cycle test of the next step (a test before the states are compared)
KEY_ROWS = 64


def plain_step(V: torch.Tensor, c: float, S: torch.Tensor, m: torch.Tensor, t: int, probes: torch.Tensor,
               rule: UpdateRule, order: torch.Generator):
    """One step of any rule as the textbook writes it (``speedups=False``): the row sets of the
    rule in turn, each deciding from the newest states,

        N h = V m + c S  on the set's rows,   S = decide(h)   (sign, the tie rule, or Glauber at T > 0),
        m = V^T S  updated by the set's changes.

    Returns S(t+1), m(t+1) and, per probe, whether it changed, whether a coin broke a tie, and
    (for a rule that visits only some neurons) whether every neuron was already aligned with
    its field. V, S, m in float64: every field is an integer (c one) or a sum no rounding can
    turn to 0, so the decisions are exact."""
    n = V.shape[0]
    sets = rule.row_sets(n, order)
    old, S, m = S, S.clone(), m.clone()
    tied = torch.zeros(S.shape[1], dtype=torch.bool, device=S.device)
    settled = None if visits_all(sets, n) else stable(V @ m + c * S, S, rule.tie)
    for rows in sets:
        h = V[rows] @ m + c * S[rows]
        new, coin = decide(h, S[rows], row_index(rows, S.device), probes, t, n, rule)
        tied |= coin
        m += V[rows].T @ (new - S[rows])
        S[rows] = new
    return S, m, (S != old).any(0), tied, settled


def evolve(patterns: torch.Tensor, probes: torch.Tensor, *, targets: torch.Tensor | None = None,
           lam: float = 0.0, steps: int = 100, update: str = "sync", k: float | None = None,
           blocks: int | None = None, temperature: float = 0.0, tie: str = "random",
           seed: int = 0, record_energy: bool = False, params: dict | None = None,
           progress: bool = False, speedups: bool | Speedups = True) -> Trajectory:
    """Run the dynamics of the network storing ``patterns`` (N, p) from ``probes`` (N, P).

    Probe c is compared with pattern ``targets[c]`` (default: pattern c). ``seed`` drives the
    update order and the random choices (ties, Glauber noise), through the streams (seed,
    "order") and (seed, "noise") of :mod:`hopfield_lab.rng`. ``progress`` shows a bar over the
    steps with the number of probes still running. ``speedups``: ``False`` runs
    :func:`plain_step`, ``True`` (default) or a :class:`hopfield_lab.fast.Speedups` the fast
    step; every choice gives the same trajectory. Returns a :class:`Trajectory`.
    """
    check_pm1("patterns", patterns)
    check_pm1("probes", probes, rows=patterns.shape[0])
    # the dynamics are not differentiable (signs): tensors that require gradients are read as values
    patterns, probes = patterns.detach(), probes.detach()
    if params is not None and not isinstance(params, dict):
        raise ValueError(f"params={params!r} is not allowed; params must be a dict (extra entries for the "
                         "trajectory's params) or None")
    n, p = patterns.shape
    if probes.device != patterns.device:
        raise ValueError(f"probes are on {probes.device}, patterns on {patterns.device}; allowed: the same device")
    if n < 2:
        raise ValueError(f"patterns has shape {tuple(patterns.shape)}: {n} neuron; allowed: at least 2 rows (neurons)")
    rule = validate(n=n, lam=lam, steps=steps, update=update, k=k, blocks=blocks, temperature=temperature, tie=tie,
                    seed=seed)
    fast = as_speedups(speedups)
    targets = _check_targets(targets, probes.shape[1], p, patterns.device)
    width = 4 if fast and choose_dtype(n, p, lam, patterns.device, rule.parallel) == torch.float32 else 8
    check_fits(n, p, None, patterns.device, n_probes=probes.shape[1], update=update, steps=steps,
               temperature=temperature, record_energy=record_energy, width=width, inputs=False)
    return _evolve(patterns, probes, targets, rule, lam, fast, steps=steps, record_energy=record_energy,
                   params=params, progress=progress)


def _evolve(patterns, probes, targets, rule: UpdateRule, lam, fast: Speedups | None, **run) -> Trajectory:
    """evolve after its checks (simulate's own patterns and probes need none). ``probes``: an (N, P)
    tensor, or (simulate) a function that returns them in a new array, which the run then takes as its
    first states instead of a copy (a float64 rerun calls it again)."""
    n, p = patterns.shape
    # the fast parallel rules hold V and the states as int8 (compact: issue 27)
    net = Network(patterns, lam, checked=rule.parallel, speedups=fast, compact=rule.parallel) if fast else \
        Network(patterns, lam, dtype=torch.float64, speedups=Speedups.none())
    while True:
        order = generator(rule.seed, "order", "cpu")
        params = dict(run.pop("params", None) or {}, n=n, p=p, lam=lam, update=rule.update, tie=rule.tie,
                      temperature=rule.temperature, device=net.device.type,
                      arithmetic=str(net.dtype).replace("torch.", ""))
        try:
            return _run(net, probes, targets, rule, order, fast, params=params, **run)
        except NeedsFloat64 as err:  # a checked float32 product could have lost exactness: again in float64
            if net.device.type == "mps":
                raise ValueError(f"{err}: this run needs float64 arithmetic to stay exact, which Apple's MPS "
                                 "lacks; allowed on mps: smaller n * p (or run on device='cpu')") from None
            net = Network(patterns, lam, dtype=torch.float64, speedups=fast, compact=net.compact)  # at most twice
            run["params"] = params


def _stepper(net: Network, rule: UpdateRule, order, fast: Speedups | None, arena: Arena, steps: int):
    """The step function of a run: nanoGPT-style, the fast step or the plain one."""
    if not fast:
        return lambda S, m, t, active: plain_step(net.V, net.c, S, m, t, active, rule, order)
    if rule.parallel:
        return ParallelStep(net, rule, arena, steps, fast)
    return lambda S, m, t, active: _sequential_step(net, rule, order, S, m, t, active)


def _run(net: Network, probes, targets, rule: UpdateRule, order, fast: Speedups | None, *, steps, record_energy,
         params, progress) -> Trajectory:
    """The main loop: record, step, classify, drop the probes whose future is known; repeat."""
    arena, S = _first_states(net, probes)
    n_probes = S.shape[1]
    drop_cycles = bool(fast) and fast.drop_two_cycles  # else a 2-cycle is flagged and stepped on
    step = _stepper(net, rule, order, fast, arena, steps)
    stepper = step if arena.pooled else None  # the step whose buffers follow the dropped probes
    rec = Recorder(n_probes, net.n, record_energy)
    active = torch.arange(n_probes, device=net.device)  # the probes still being stepped
    m = net.overlaps(S)
    S_prev, m_prev, tie_prev = None, None, torch.zeros(n_probes, dtype=torch.bool, device=net.device)
    any_cycle, t = False, 0
    known = torch.zeros(n_probes, dtype=torch.bool, device=net.device)  # 2-cycles named, not dropped
    bar = _progress_bar(steps, f"{rule.update} N={net.n}", progress)
    with timer(net.device) as clock:
        while True:
            rec.observe(active, m.gather(0, targets[active][None, :])[0],
                        net.energy(m) if record_energy else None)
            new, m_new, changed, tied, settled = step(S, m, t, active)
            fixed, cycle = classify(rec, rule.temperature, rule.deterministic, changed, tied, settled,
                                    new, S_prev, tie_prev | known[active], m_new, m_prev)
            if not drop_cycles and bool(cycle.any()):  # named once, then stepped on
                rec.two_cycle[active[cycle].cpu()] = True
                known[active[cycle]] = True
                cycle = torch.zeros_like(cycle)
            if t == steps:
                break
            keep = ~(fixed | cycle)
            if not bool(keep.all()):  # some probes' future is known: record it, stop stepping them
                any_cycle |= _record_known_futures(rec, net, t, steps, fixed, cycle, S, new, m_new, targets[active],
                                                   active, record_energy)
                if not bool(keep.any()):
                    break
                S, new, m, m_new, tied, active = _keep_columns(arena, stepper, keep, S, new, S_prev, m, m_new, tied, active)
            else:
                _give(arena, S_prev)
            # m(t) is kept for the next step's 2-cycle test by its first KEY_ROWS overlaps (issue 27)
            S_prev, m_prev, S, m, tie_prev = S, m[:KEY_ROWS].clone(), new, m_new, tied
            t += 1
            bar.update(1)
            bar.set_postfix(running=active.numel(), refresh=False)
    remaining = active.numel() > 0 and t == steps
    _finish_bar(bar, steps, t, remaining)
    steps_run = steps if (any_cycle or remaining) else t
    if remaining and rule.deterministic:  # a 2-cycle that shows up in the very last step
        rec.two_cycle[active[cycle].cpu()] = True
    return rec.finish(steps_run, active if remaining else None, S if remaining else None, clock["seconds"], params)


def _first_states(net: Network, probes):
    """The run's buffers of states and S(0) in the first: the fast parallel rules keep int8 states in three
    reused buffers (compact, issue 27), the first of them simulate's drawn probes themselves (``probes`` a
    function that draws them, see :func:`_evolve`); the other rules copy the probes into their states."""
    drawn = callable(probes)
    probes = probes() if drawn else probes
    states = torch.int8 if net.compact else net.dtype
    first = probes if drawn and probes.dtype == states and probes.is_contiguous() else None
    arena = Arena(net.n, probes.shape[1], states, net.device, pooled=net.compact, first=first)
    S = arena.take(probes.shape[1])
    return arena, S if first is not None else S.copy_(probes)


def _record_known_futures(rec, net, t, steps, fixed, cycle, S, new, m_new, targets, active, record_energy) -> bool:
    """Probes at a fixed point stay put; a probe in a 2-cycle alternates between S(t) and S(t+1)
    for ever: hand both to the recorder. Returns whether any 2-cycle was dropped."""
    rec.drop_fixed(t, active[fixed], S[:, fixed])
    if not bool(cycle.any()):
        return False
    m_b = m_new[:, cycle]
    rec.drop_cycle(t, steps, active[cycle], S[:, cycle], new[:, cycle], m_b.gather(0, targets[cycle][None, :])[0],
                   net.energy(m_b) if record_energy else None)
    return True


def _sequential_step(net: Network, rule: UpdateRule, order, S, m, t, active):
    """The fast step of the rules that visit row sets in turn (async: one neuron at a time, in
    chunks (:mod:`hopfield_lab.fast.async_chunks`); blocks; hybrid: one random subset), each set
    in parallel from the newest states; m follows every change (a rank-|set| update)."""
    sets = rule.row_sets(net.n, order)
    if rule.one_at_a_time or len(sets) == net.n:  # one neuron at a time: in chunks
        S, m = S.clone(), m.clone()
        changed, tied = async_chunks.sweep(net, S, m, [rows.start for rows in sets], t, active, rule)
        return S, m, changed, tied, None
    full = None if visits_all(sets, net.n) else net.field(slice(None), m, S)  # hybrid: is every neuron aligned?
    settled = stable(full, S, rule.tie) if full is not None else None
    S, m = S.clone(), m.clone()
    changed = torch.zeros(S.shape[1], dtype=torch.bool, device=net.device)
    tied = torch.zeros_like(changed)
    draws = glauber_draws(rule.seed, t, net.n, active) if rule.temperature > 0 and len(sets) > 1 else None
    for rows in sets:
        h = full[rows] if full is not None else net.field(rows, m, S)
        new, tie_cols = decide(h, S[rows], row_index(rows, net.device), active, t, net.n, rule,
                               u=None if draws is None else draws[rows])
        tied |= tie_cols
        delta = new - S[rows]
        moved = delta != 0
        if not bool(moved.any()):
            continue
        changed |= moved.any(0)
        S[rows] = new
        hit = moved.any(1).nonzero().squeeze(1)
        m += net.V[rows][hit].T @ delta[hit] if hit.numel() * 2 < delta.shape[0] else net.V[rows].T @ delta
    return S, m, changed, tied, settled


def classify(rec: Recorder, temperature: float, deterministic: bool, changed, tied, settled, new, S_prev, tie_prev,
             m_new=None, m_prev=None):
    """After a step S(t) -> S(t+1) = ``new``: which probes sit at a fixed point, which in a
    proven 2-cycle; records how many converged.

    Fixed point (T = 0): the step changed nothing and broke no random tie (hybrid, which
    visits only some neurons, needs ``settled``: every neuron aligned with its field).
    2-cycle: only under a deterministic rule, S(t+1) = S(t-1) != S(t) with no random tie in
    either step; then the future is known. Under async / hybrid / T > 0 a repeat is chance:
    such probes are still moving. At T > 0 nothing is fixed; the count is of probes that did
    not change in this step. *Optimisation:* equal states have equal overlaps, so the full
    (N, P) comparison runs only on probes whose overlaps m(t+1) = m(t-1) (p << N; ``m_prev``
    may be the first rows of m(t-1) only).
    """
    none = torch.zeros_like(changed)
    if temperature > 0:
        rec.count_converged(int((~changed).sum()))
        return none, none
    fixed = settled if settled is not None else ~changed & ~tied
    rec.count_converged(int(fixed.sum()))
    if S_prev is None or not deterministic:
        return fixed, none
    candidates = changed & ~tied & ~tie_prev
    if m_new is not None and m_prev is not None:  # m_prev: some of m(t-1)'s rows (equal states: equal rows)
        candidates &= (m_new[:m_prev.shape[0]] == m_prev).all(0)
    if not bool(candidates.any()):
        return fixed, none
    cols = candidates.nonzero().squeeze(1)
    cycle = none.clone()
    cycle[cols] = (new[:, cols] == S_prev[:, cols]).all(0)
    return fixed, cycle


class _Columns:
    """Columns ``idx`` of ``full``, not copied: the states S(t) of the kept probes, which the next
    step reads only as S(t - 1) of its few 2-cycle candidates (:func:`classify`).
    *Optimisation:* one copy of the (N, P) states less each time probes are dropped."""

    def __init__(self, full: torch.Tensor, idx: torch.Tensor):
        self.full, self.idx = full, idx

    def __getitem__(self, key):
        rows, cols = key
        return self.full[rows, self.idx[cols]]


def _give(arena: Arena, states) -> None:
    arena.give(states.full if isinstance(states, _Columns) else states)


def _keep_columns(arena: Arena, stepper, keep, S, new, S_prev, m, m_new, tied, active):
    """Shrink the running set to the columns ``keep``, inside the reused buffers."""
    idx = keep.nonzero().squeeze(1)
    if stepper is None:
        return S[:, keep], new[:, keep], m[:, keep], m_new[:, keep], tied[keep], active[keep]
    _give(arena, S_prev)
    arena.shrink(idx.numel())
    new_kept = torch.index_select(new, 1, idx, out=arena.take(idx.numel()))
    arena.give(new)
    stepper.keep(idx)
    return _Columns(S, idx), new_kept, m[:, keep], m_new[:, keep], tied[keep], active[keep]


def _progress_bar(steps: int, desc: str, show: bool):
    from tqdm.auto import tqdm

    return tqdm(total=steps, desc=desc, unit="step", disable=not show, leave=True)


def _finish_bar(bar, steps: int, t: int, remaining: bool) -> None:
    """An early stop is a success: fill the bar and say why it stopped (a closed, unfilled
    notebook bar turns red and reads as a failure)."""
    if not bar.disable and t < steps and not remaining:
        bar.set_postfix_str(f"every probe settled after {t} steps", refresh=False)
        bar.update(steps - bar.n)
    bar.close()


def _check_targets(targets, n_probes: int, p: int, device) -> torch.Tensor:
    if targets is None:
        if n_probes > p:
            raise ValueError(f"targets=None with {n_probes} probes and {p} patterns; allowed: pass targets "
                             "(the pattern index of each probe) when there are more probes than patterns")
        return torch.arange(n_probes, device=device)
    if not isinstance(targets, torch.Tensor) or targets.dtype.is_floating_point or targets.dtype == torch.bool \
            or targets.shape != (n_probes,):
        raise ValueError(f"targets={targets!r} is not allowed; targets must be an integer torch.Tensor of shape "
                         f"({n_probes},), one pattern index per probe")
    if n_probes and (int(targets.min()) < 0 or int(targets.max()) >= p):
        raise ValueError(f"targets has values in [{int(targets.min())}, {int(targets.max())}]; allowed: 0 <= target < p={p}")
    return targets.to(device=device, dtype=torch.int64)


def simulate(n: int, alpha: float, lam: float = 0.0, m0: float = 0.8, steps: int = 100,
             update: str = "sync", k: float | None = None, blocks: int | None = None,
             temperature: float = 0.0, tie: str = "random", seed: int = 0,
             device: torch.device | str | None = None, record_energy: bool = False,
             algorithm: str = "engine", progress: bool = False, speedups: bool | Speedups = True) -> Trajectory:
    """[V20]'s experiment: p = round(alpha N) random patterns, one probe per pattern at overlap m0.

    Draws the patterns (stream (seed, "patterns")), flips exactly round((1 - m0) N / 2) bits
    of each (stream (seed, "flips")), then runs :func:`evolve` (streams "order", "noise").
    ``seconds`` covers pattern generation to the end of the dynamics, [V20]'s scope. A run
    that cannot fit in the device's memory is refused with a ``ValueError`` before anything
    is allocated. ``algorithm="dense"`` runs the paper's plain algorithm instead
    (:func:`hopfield_lab.paper_algorithm.evolve_dense`, sync only), for comparison;
    ``speedups`` chooses the engine's step (see :func:`evolve`).
    """
    check_range("n", n, 2, None, integer=True)  # validate skips a None n, alpha or m0; simulate needs them
    check_range("alpha", alpha, 0, None, low_open=True)
    check_range("m0", m0, -1.0, 1.0)
    rule = validate(n=n, alpha=alpha, lam=lam, m0=m0, steps=steps, update=update, k=k, blocks=blocks,
                    temperature=temperature, tie=tie, seed=seed)
    check_choice("algorithm", algorithm, ("engine", "dense"))
    fast = as_speedups(speedups)
    device = pick_device(device)
    p = n_patterns(alpha, n)
    if p < 1:
        raise ValueError(f"alpha={alpha!r} gives p = round(alpha * n) = 0 patterns for n={n}; "
                         f"allowed: alpha >= {0.5 / n:.3g} at this n")
    dense = algorithm == "dense"
    if dense and (update != "sync" or temperature > 0):
        raise ValueError(f"algorithm='dense' with update={update!r}, temperature={temperature!r}; allowed: the paper's "
                         "algorithm runs update='sync' at temperature=0")
    width = 4 if dense or fast and choose_dtype(n, p, lam, device, rule.parallel) == torch.float32 else 8
    check_fits(n, p, alpha, device, update=update, steps=steps, temperature=temperature,
               record_energy=record_energy, width=width, dense=dense, m0=m0)
    params = dict(alpha=alpha, m0=m0, steps=steps, seed=seed, k=k, blocks=blocks, algorithm=algorithm)
    try:
        return _simulate(n, p, m0, device, rule, dense, params, lam=lam, fast=fast, steps=steps,
                         record_energy=record_energy, progress=progress)
    except (torch.cuda.OutOfMemoryError, RuntimeError) as err:
        if not isinstance(err, torch.cuda.OutOfMemoryError) and "out of memory" not in str(err).lower():
            raise  # not a memory problem (MPS reports one as a RuntimeError "... out of memory")
        failed = str(err).splitlines()[0]
        traceback.clear_frames(err.__traceback__)  # the run's frames hold its arrays: let them go
    raise _out_of_memory(failed, n, alpha, device, update, steps)


def _out_of_memory(failed: str, n, alpha, device, update, steps) -> MemoryError:
    """After a run ran out of memory: its frames (patterns, probes, states) are cleared; return their
    memory to the device and say what fits."""
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
    elif device.type == "mps":
        torch.mps.empty_cache()
    from .sizing import largest_n

    return MemoryError(f"n={n} ran out of {device.type} memory ({failed}); its arrays were freed. "
                       f"Try n <= {largest_n(alpha, device, 0.5, update=update, steps=steps)}.")


def _simulate(n, p, m0, device, rule: UpdateRule, dense, params, *, lam, fast, **run) -> Trajectory:
    """Draw patterns and probes, run; everything allocated here is freed when it returns or raises."""
    with timer(device) as clock:
        # int8 for the engine (issue 27: the same draw in a quarter of float32's memory, used in place)
        patterns = random_patterns(n, p, seed=rule.seed, device=device, dtype=torch.float32 if dense else torch.int8)
        probes = flipped(patterns, m0, seed=rule.seed)  # corrupt without checking the patterns it drew
    if dense:
        from .paper_algorithm import evolve_dense

        run.pop("progress")
        traj = evolve_dense(patterns, probes, lam=lam, dtype=torch.float32, seed=rule.seed, tie=rule.tie, **run)
        traj = replace(traj, params={**traj.params, **params})
    else:
        targets = torch.arange(p, device=device)
        drawn = [probes]  # handed to the run, not held here; a float64 rerun draws them again
        del probes
        traj = _evolve(patterns, lambda: drawn.pop() if drawn else flipped(patterns, m0, seed=rule.seed), targets,
                       rule, lam, fast, params=params, **run)
    return replace(traj, seconds=clock["seconds"] + traj.seconds)
