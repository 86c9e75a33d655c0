"""An independent reference for the engine: the plainest code that could be right.

It shares no code with hopfield_lab's engine (no rules, fields, trajectory or dynamics
module): an explicit N x N integer coupling matrix, every probe stepped to the very end
one neuron set at a time, its own tie rule, classification and records. The only thing
it takes from the package is the random draws it must reproduce: the seeds of the named
streams and the counter-based noise of hopfield_lab.rng.
"""
from fractions import Fraction

import torch

from hopfield_lab.rng import noise, noise_at, stream_seed


def reference_run(patterns, probes, *, lam=0.0, steps=20, update="sync", k=None, blocks=None,
                  temperature=0.0, tie="random", seed=0, targets=None):
    V = patterns.to(torch.int64)
    N, p = V.shape
    P = probes.shape[1]
    targets = torch.arange(P) if targets is None else targets
    probe_ids = torch.arange(P)
    # N J = V V^T + (lam - 1) p I; keep the integer part exact, add lam p on the diagonal.
    # lam is read as the simple fraction it stands for (0.45 -> 9/20), so lam p = 90 at p = 200
    # is the integer it means, whatever the binary rounding of 0.45 * 200
    J0 = V @ V.T - p * torch.eye(N, dtype=torch.int64)  # zero diagonal
    lam_p = Fraction(lam).limit_denominator(10**6) * p
    self_term = int(lam_p) if lam_p.denominator == 1 else float(lam_p)

    def fields(rows, S):
        if isinstance(self_term, int):  # integer fields: a tie is an exact 0
            return (J0[rows] @ S + self_term * S[rows]).to(torch.float64)
        return (J0[rows] @ S).to(torch.float64) + self_term * S[rows].to(torch.float64)

    order = torch.Generator().manual_seed(stream_seed(seed, "order"))
    S = probes.to(torch.int64).clone()
    states, coins, stable_at, zero_fields = [S.clone()], [], [], 0
    for t in range(steps + 1):  # one step beyond the records: classify the last recorded state
        if update in ("sync", "even-odd"):
            sets = [list(range(N))]
        elif update == "hybrid":
            size = max(1, int(k * N + 0.5))
            sets = [sorted(torch.randperm(N, generator=order)[:size].tolist())]
        elif update == "async":
            sets = [[i] for i in torch.randperm(N, generator=order).tolist()]
        elif update == "blocks":
            cut = [(b * N + blocks // 2) // blocks for b in range(blocks + 1)]
            sets = [list(range(cut[b], cut[b + 1])) for b in range(blocks)]
        else:
            raise NotImplementedError(f"the reference has no update={update!r}: write its row sets here")
        if update == "hybrid":  # hybrid visits some neurons only: is every neuron aligned with its field?
            h_all = fields(list(range(N)), S)
            ok = h_all * S.to(torch.float64) > 0
            if tie == "keep":
                ok |= h_all == 0
            stable_at.append(ok.all(0))
        coin = torch.zeros(P, dtype=torch.bool)
        new = S.clone()
        for rows in sets:
            base = S if update == "hybrid" else new  # hybrid: the subset updates from the old state
            h = fields(rows, base)
            rows_t = torch.tensor(rows)
            if temperature > 0:
                u = noise(seed, t, rows_t, probe_ids)
                decided = torch.where(u < 0.5 * (1.0 + torch.tanh(h / (N * temperature))), 1, -1)
            else:
                decided = torch.where(h > 0, 1, torch.where(h < 0, -1, 0))
                for a, c in (decided == 0).nonzero().tolist():
                    zero_fields += 1
                    if tie == "keep":
                        decided[a, c] = new[rows[a], c]
                    else:
                        u = noise_at(seed, t, torch.tensor([rows[a]]), torch.tensor([c]))
                        decided[a, c] = 1 if float(u) < 0.5 else -1
                        coin[c] = True
            new[rows_t] = decided
        coins.append(coin)
        S = new
        states.append(S.clone())

    deterministic = temperature == 0 and update in ("sync", "even-odd", "blocks")
    fixed = []
    for t in range(steps + 1):
        if temperature > 0:
            fixed.append((states[t + 1] == states[t]).all(0))
        elif update == "hybrid":
            fixed.append(stable_at[t])
        else:
            fixed.append((states[t + 1] == states[t]).all(0) & ~coins[t])
    two_cycle = torch.zeros(P, dtype=torch.bool)
    ever_fixed = torch.zeros(P, dtype=torch.bool)
    cycled = False
    for t in range(steps + 1):
        if deterministic and t >= 1:
            new_cycle = ((states[t + 1] == states[t - 1]).all(0) & (states[t + 1] != states[t]).any(0)
                         & ~coins[t] & ~coins[t - 1] & ~ever_fixed & ~two_cycle)
            if t < steps and new_cycle.any():
                cycled = True
            two_cycle |= new_cycle
        ever_fixed |= fixed[t] if temperature == 0 else torch.zeros(P, dtype=torch.bool)
    # the run stops early once every probe has been at a fixed point (and none was in a 2-cycle)
    steps_run = steps
    first_fixed = [next((t for t in range(steps + 1) if fixed[t][c]), None) for c in range(P)]
    if temperature == 0 and not cycled and all(f is not None for f in first_fixed) and max(first_fixed) < steps:
        steps_run = max(first_fixed)
    overlaps = torch.stack([(V[:, targets] * states[t]).sum(0).to(torch.float64) / N for t in range(steps_run + 1)])
    NJ = J0 + self_term * torch.eye(N, dtype=torch.float64)
    energy = torch.stack([-(states[t].to(torch.float64) * (NJ @ states[t].to(torch.float64))).sum(0) / (2 * N * N)
                          for t in range(steps_run + 1)])
    converged = torch.tensor([int(f.sum()) for f in fixed[:steps_run + 1]])
    return dict(overlaps=overlaps, energy=energy, converged=converged, two_cycle=two_cycle,
                final_state=states[steps_run].to(torch.int8), steps_run=steps_run, zero_fields=zero_fields)
