"""What a run records: the :class:`Trajectory`, and the :class:`Recorder` that fills it in.

Records live on the CPU in float64 (every device can hand its numbers to the CPU; Apple's
MPS has no float64). Probes that stop being stepped (a fixed point; under a deterministic
rule also a 2-cycle, whose future is known) have their records completed from that
knowledge, so the result equals stepping every probe to the end.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass(frozen=True)
class Trajectory:
    """What a run recorded, on the CPU, ready to plot.

    - ``overlaps[t, c]``: overlap m = (1/N) xi . S of probe c with its target pattern after t steps;
    - ``converged[t]``: how many probes sit at a fixed point at step t (at T > 0: how many
      did not change during step t);
    - ``two_cycle[c]``: probe c ends in a 2-cycle, S(t+1) = S(t-1) != S(t) for ever. Only a
      deterministic rule (``update_rules.DETERMINISTIC`` at T = 0, no random tie involved) can
      prove that; under a rule with a random order or T > 0 a repeat S(t+1) = S(t-1) is chance, and such a
      probe counts as *still moving* (neither converged nor in a 2-cycle);
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

    @property
    def fraction_moving(self) -> float:
        """Probes neither at a fixed point nor in a proven 2-cycle when the run ended (at T = 0)."""
        return max(0.0, 1.0 - self.fraction_converged - self.fraction_two_cycle)

    def summary(self) -> dict:
        """The headline numbers as plain Python values (what the CLI prints as JSON)."""
        return {**self.params, "steps_run": self.steps_run, "seconds": round(self.seconds, 6),
                "mean_final_overlap": round(self.mean_final_overlap, 6),
                "fraction_converged": round(self.fraction_converged, 6),
                "fraction_two_cycle": round(self.fraction_two_cycle, 6),
                "fraction_moving": round(self.fraction_moving, 6)}


class Recorder:
    """Collects per-step records of the running probes (on the CPU) and completes those that stopped."""

    def __init__(self, n_probes: int, n: int, energy: bool):
        self.n_probes, self.n, self.want_energy = n_probes, n, energy
        self.overlaps, self.energies, self.converged = [], [], []
        # the final states of the probes that stopped, as they stop: assembled by finish (issue 27: no (N, P)
        # array from the start of the run)
        self.finals: list[tuple[torch.Tensor, torch.Tensor]] = []
        self.two_cycle = torch.zeros(n_probes, dtype=torch.bool)
        self.fixed_at: list[tuple[int, torch.Tensor]] = []
        self.cycle_at: list[tuple[int, torch.Tensor, torch.Tensor, torch.Tensor | None]] = []
        self.n_fixed = 0

    def observe(self, cols: torch.Tensor, overlaps: torch.Tensor, energy: torch.Tensor | None) -> None:
        """Record step t for the running probes ``cols``: their overlaps times N, integers in any
        dtype (divided by N here, in float64), and their energies per neuron."""
        cols = cols.cpu()
        row = torch.full((self.n_probes,), float("nan"), dtype=torch.float64)
        self.overlaps.append(row.index_copy(0, cols, overlaps.cpu().double() / self.n))
        if self.want_energy:
            self.energies.append(row.clone().index_copy(0, cols, energy.cpu().double()))

    def count_converged(self, n_fixed_now: int) -> None:
        self.converged.append(self.n_fixed + n_fixed_now)

    def drop_fixed(self, t: int, cols: torch.Tensor, states: torch.Tensor) -> None:
        """Probes ``cols`` are at a fixed point since step t: their records stay as they are."""
        if cols.numel():
            cols = cols.cpu()
            self.fixed_at.append((t, cols))
            self.finals.append((cols, states.cpu().to(torch.int8)))
            self.n_fixed += cols.numel()

    def drop_cycle(self, t: int, steps: int, cols: torch.Tensor, state_a, state_b, over_b, energy_b) -> None:
        """Probes at state A = S(t) whose next state B = S(t+1) equals S(t-1): A, B, A, ... for ever."""
        if cols.numel():
            cols = cols.cpu()
            self.cycle_at.append((t, cols, over_b.cpu().double() / self.n, None if energy_b is None else energy_b.cpu().double()))
            self.finals.append((cols, (state_a if (steps - t) % 2 == 0 else state_b).cpu().to(torch.int8)))
            self.two_cycle[cols] = True

    def finish(self, steps_run: int, cols, states, seconds: float, params: dict) -> Trajectory:
        """The trajectory; ``cols`` / ``states``: probes still running at the end and their states."""
        final = torch.zeros(self.n, self.n_probes, dtype=torch.int8)
        if cols is not None and cols.numel():
            final[:, cols.cpu()] = states.cpu().to(torch.int8)
        while self.finals:  # each block's memory goes once it is in place
            cols, states = self.finals.pop()
            final[:, cols] = states
        self.converged += [self.n_fixed] * (steps_run + 1 - len(self.converged))
        overlaps = self._complete(self.overlaps, steps_run, [c[2] for c in self.cycle_at])
        energy = (self._complete(self.energies, steps_run, [c[3] for c in self.cycle_at])
                  if self.want_energy else None)
        return Trajectory(overlaps, torch.tensor(self.converged, dtype=torch.int64), self.two_cycle,
                          final, energy, steps_run, seconds, params)

    def _complete(self, rows: list, steps_run: int, cycle_values: list) -> torch.Tensor:
        out = torch.full((steps_run + 1, self.n_probes), float("nan"), dtype=torch.float64)
        out[:len(rows)] = torch.stack(rows)
        for t, cols in self.fixed_at:  # a fixed point stays put
            out[t + 1:, cols] = out[t, cols]
        for (t, cols, _b, _e), value_b in zip(self.cycle_at, cycle_values):  # A at t, B at t+1, A at t+2 ...
            out[t + 2::2, cols] = out[t, cols]
            out[t + 1::2, cols] = value_b
        return out
