"""Figures of the course, one function per figure type.

Every function draws on the ``ax`` it is given (or on a new figure), labels what it
draws, and returns the axes; none calls ``plt.show()``: the notebook decides the layout.
Colours come from the Okabe-Ito palette, which stays distinct for colour-blind readers.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from .dynamics import Trajectory
from .measure import power_law_slope

# Okabe & Ito (2008), "Color universal design": distinct for all common colour-vision types.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
SEQUENTIAL = "viridis"


def _axes(ax):
    return plt.subplots(figsize=(5, 3.5), dpi=90)[1] if ax is None else ax


def colour(i: int) -> str:
    """The i-th colour of the palette (wrapping around)."""
    return PALETTE[i % len(PALETTE)]


def timing(sizes_by_label: Mapping[str, Sequence[float]], seconds_by_label: Mapping[str, Sequence[float]],
           ax=None, guide_power: float | None = 3.0, fit_last: int = 3, title: str = "Time vs problem size",
           xlabel: str = "size n") -> plt.Axes:
    """Log-log plot of seconds vs size, one line per label, with the slope fitted to the
    ``fit_last`` largest sizes in the legend and an n^guide_power guide line (through the first
    line's largest point; named with the x-axis label's last word when that is one letter)."""
    ax = _axes(ax)
    for i, (label, seconds) in enumerate(seconds_by_label.items()):
        sizes = np.asarray(sizes_by_label[label], dtype=float)
        seconds = np.asarray(seconds, dtype=float)
        slope = power_law_slope(sizes[-fit_last:], seconds[-fit_last:]) if len(sizes) >= 2 else float("nan")
        ax.loglog(sizes, seconds, "o-", color=colour(i), label=f"{label} (slope {slope:.2f})")
    if guide_power is not None and seconds_by_label:
        label, seconds = next(iter(seconds_by_label.items()))
        sizes = np.asarray(sizes_by_label[label], dtype=float)
        guide = seconds[-1] * (sizes / sizes[-1]) ** guide_power
        last = xlabel.split()[-1] if xlabel.split() else "n"
        symbol = last if len(last) == 1 else "n"  # the size's letter, as the x-axis names it ("neurons N")
        ax.loglog(sizes, guide, "--", color="grey", label=f"$\\propto {symbol}^{{{guide_power:g}}}$")
    ax.set(xlabel=xlabel, ylabel="time (s)", title=title)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    return ax


def overlap_traces(traj: Trajectory, ax=None, max_probes: int = 60, title: str | None = None) -> plt.Axes:
    """Overlap m(t) of (up to ``max_probes``) probes with their patterns, one thin line each."""
    ax = _axes(ax)
    m = traj.overlaps[:, :max_probes].numpy()
    ax.plot(np.arange(m.shape[0]), m, color=colour(0), alpha=0.35, lw=0.8)
    ax.plot(np.arange(m.shape[0]), traj.overlaps.mean(1).numpy(), color=colour(3), lw=2, label="mean of all probes")
    ax.set(xlabel="step t", ylabel="overlap m(t)", ylim=(min(-0.05, float(m.min()) - 0.05), 1.02),
           title=title or f"Overlap vs time (N = {traj.params.get('n')})")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def converged_fraction(trajs: Mapping[str, Trajectory], ax=None, title: str = "Probes at a fixed point") -> plt.Axes:
    """Fraction of probes sitting at a fixed point vs time, one line per labelled run."""
    ax = _axes(ax)
    for i, (label, traj) in enumerate(trajs.items()):
        ax.plot(np.arange(traj.converged.numel()), traj.converged.numpy() / traj.n_probes, color=colour(i), label=label)
    ax.set(xlabel="step t", ylabel="fraction converged", ylim=(-0.02, 1.02), title=title)
    ax.legend(fontsize=8)
    return ax


def final_overlap_histogram(trajs: Mapping[str, Trajectory], ax=None, bins: int = 40,
                            title: str = "Distribution of final overlaps") -> plt.Axes:
    """Histogram P(m_f) of final overlaps per labelled run, its mean marked by a dashed line."""
    ax = _axes(ax)
    edges = np.linspace(-1, 1, 2 * bins + 1)
    for i, (label, traj) in enumerate(trajs.items()):
        m = traj.final_overlaps.numpy()
        ax.hist(m, bins=edges, density=True, histtype="step", lw=1.5, color=colour(i),
                label=f"{label}: mean {m.mean():.3f}")
        ax.axvline(m.mean(), color=colour(i), ls="--", lw=1)
    ax.set(xlabel="final overlap $m_f$", ylabel="density $P(m_f)$", title=title, xlim=(-0.05, 1.02))
    ax.legend(fontsize=8, loc="upper left")
    return ax


def overlap_heatmap(traj: Trajectory, ax=None, title: str | None = None, colorbar: bool = True) -> plt.Axes:
    """Overlap of every probe (rows, sorted by final overlap) vs time (columns) as colours
    (0 to 1; negative overlaps show as 0); ``colorbar=False`` leaves the colour bar to the caller."""
    ax = _axes(ax)
    m = traj.overlaps.T
    m = m[m[:, -1].argsort()].numpy()
    image = ax.imshow(m, aspect="auto", cmap=SEQUENTIAL, vmin=0.0, vmax=1.0,
                      interpolation="nearest", origin="lower")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label="overlap m")
    ax.set(xlabel="step t", ylabel="probe (sorted by $m_f$)",
           title=title or f"Overlap of every probe, N = {traj.params.get('n')}")
    return ax


def patterns(images: torch.Tensor, shape: tuple[int, int], titles: Sequence[str] | None = None,
             axes=None, suptitle: str | None = None):
    """Show the columns of ``images`` (+/-1) as small black/white pictures in a row; returns the axes."""
    count = images.shape[1]
    if axes is None:
        fig, axes = plt.subplots(1, count, figsize=(max(1.4 * count, 5.0), 2.1), dpi=90, squeeze=False)
        axes = axes[0]
    for i, ax in enumerate(axes):
        ax.imshow(images[:, i].reshape(shape).numpy(), cmap="gray_r", vmin=-1, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    if suptitle:
        axes[0].figure.suptitle(suptitle, fontsize=9)
        axes[0].figure.tight_layout()
    return axes


def phase_map(x, y, values, ax=None, xlabel: str = r"load $\alpha$", ylabel: str = r"self-coupling $\lambda$",
              title: str = "", colorbar_label: str = "", vmin: float | None = None, vmax: float | None = None,
              cmap: str = SEQUENTIAL) -> plt.Axes:
    """A map of ``values[i, j]`` over the grid ``y[i]`` (rows) by ``x[j]`` (columns), with a colour bar."""
    ax = _axes(ax)
    mesh = ax.pcolormesh(np.asarray(x), np.asarray(y), np.asarray(values), shading="nearest", cmap=cmap,
                         vmin=vmin, vmax=vmax)
    ax.figure.colorbar(mesh, ax=ax, label=colorbar_label)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    return ax


# --- notebook 02, section 5: what the probes do --------------------------------------------

def wrong_bits_traces(traj: Trajectory, groups: Mapping[str, torch.Tensor], ax=None, per_group: int = 15,
                      last_step: int | None = None, title: str | None = None) -> plt.Axes:
    """Wrong bits d(t) = N (1 - m(t)) / 2 of up to ``per_group`` probes of each labelled group
    (``groups``: label -> boolean mask over the probes), one line each, coloured by group.

    The y-axis is symmetric-log (linear below 1), so a probe that climbs from hundreds of
    wrong bits to a handful stays readable, and a 2-cycle that alternates between, say, 20
    and 22 wrong bits shows as a zigzag. ``last_step`` crops the time axis.
    """
    ax = _axes(ax)
    n = traj.final_state.shape[0]
    wrong = (n * (1.0 - traj.overlaps) / 2.0).round().numpy()
    stop = wrong.shape[0] if last_step is None else min(wrong.shape[0], last_step + 1)
    t = np.arange(stop)
    for i, (label, mask) in enumerate(groups.items()):
        mask = torch.as_tensor(mask, dtype=torch.bool)
        cols = mask.nonzero().squeeze(1)[:per_group].tolist()
        ax.plot([], [], color=colour(i), lw=1.5, label=f"{label}: {int(mask.sum())} probes")
        for c in cols:
            ax.plot(t, wrong[:stop, c], color=colour(i), lw=0.9, alpha=0.75)
    ax.set_yscale("symlog", linthresh=1.0)
    shown = wrong[:stop][:, torch.cat([torch.as_tensor(m, dtype=torch.bool).nonzero().squeeze(1)[:per_group]
                                         for m in groups.values()]).numpy()] if groups else wrong[:stop]
    ticks = [v for v in (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)
             if shown.size and shown.min() <= v <= shown.max()]
    ax.set_yticks(ticks, [str(v) for v in ticks])
    ax.set(xlabel="step t", ylabel="wrong bits $N(1-m)/2$", xlim=(0, stop - 1),
           title=title or f"{per_group} probes per outcome, N = {n}")
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(True, which="major", alpha=0.3)
    return ax


def two_cycle_zoom(traj: Trajectory, probe: int, ax=None, last_step: int = 40, title: str | None = None) -> plt.Axes:
    """Overlap m(t) of one probe, with a marker per step, on a y-range fitted to its late steps,
    so that a 2-cycle's alternation between two overlaps is visible; both values are labelled."""
    ax = _axes(ax)
    m = traj.overlaps[:, probe].numpy()
    stop = min(m.size, last_step + 1)
    t = np.arange(stop)
    ax.plot(t, m[:stop], "o-", ms=3.5, lw=1.0, color=colour(1), label=f"probe {probe}")
    a, b = float(m[-1]), float(m[-2])
    lo, hi = min(a, b), max(a, b)
    pad = max(hi - lo, 2.0 / traj.final_state.shape[0])
    for value, where in ((hi, "bottom"), (lo, "top")):
        ax.axhline(value, color="grey", ls=":", lw=1)
        ax.annotate(f"m = {value:.4f}", (stop - 1, value), ha="right", va=where, fontsize=8,
                    xytext=(0, 3 if where == "bottom" else -3), textcoords="offset points")
    ax.set(xlabel="step t", ylabel="overlap m(t)", ylim=(lo - 1.5 * pad, hi + 1.5 * pad), xlim=(0, stop - 1),
           title=title or f"One 2-cycle, zoomed: probe {probe}")
    ax.ticklabel_format(axis="y", useOffset=False)
    return ax


def final_overlap_bars(traj: Trajectory, ax=None, bins: int = 40, label: str | None = None,
                       title: str = "Distribution of final overlaps") -> plt.Axes:
    """Histogram P(m_f) of one run's final overlaps as filled bars, the mean dashed, on an
    x-range that follows the data (within [-1, 1]): a run started at m0 < 0 ends near -1 and shows."""
    ax = _axes(ax)
    m = traj.final_overlaps.numpy()
    m = m[np.isfinite(m)]
    mean = float(m.mean()) if m.size else float("nan")
    lo = max(-1.02, min(-0.05, float(m.min(initial=0.0)) - 0.05))
    hi = min(1.02, max(0.05, float(m.max(initial=0.0)) + 0.05))
    ax.hist(m, bins=np.linspace(-1, 1, 2 * bins + 1), density=True, color=colour(0), alpha=0.85,
            label=f"{label or 'all probes'}: mean {mean:.3f}")
    ax.axvline(mean, color=colour(3), ls="--", lw=1.2)
    ax.set(xlabel="final overlap $m_f$", ylabel="density $P(m_f)$", title=title, xlim=(lo, hi))
    ax.legend(fontsize=8, loc="upper left" if mean > 0 else "upper right")
    return ax


def power_law_fits(sizes_by_label: Mapping[str, Sequence[float]], seconds_by_label: Mapping[str, Sequence[float]],
                   slopes: Mapping[str, float], fit_from: Mapping[str, float], ax=None,
                   title: str = "Time vs problem size", xlabel: str = "size n",
                   guide_power: float | None = 3.0) -> plt.Axes:
    """Log-log plot of seconds vs size, one colour per label, with the power law t = c n^a that the
    caller fitted: ``slopes[label]`` is a (computed by the caller, e.g. by a student's function),
    fitted to the points with n >= ``fit_from[label]`` (filled; the others open). The line is drawn
    over the fitted points, through their mean in log space, so legend, line and printout show one
    fit. An n^guide_power guide (dashed grey) passes through the first label's largest point."""
    ax = _axes(ax)
    for i, (label, seconds) in enumerate(seconds_by_label.items()):
        n = np.asarray(sizes_by_label[label], dtype=float)
        t = np.asarray(seconds, dtype=float)
        fitted = n >= fit_from[label]
        ax.loglog(n[~fitted], t[~fitted], "o", mfc="none", color=colour(i))
        ax.loglog(n[fitted], t[fitted], "o", color=colour(i))
        slope = float(slopes[label])
        log_c = float(np.mean(np.log(t[fitted]) - slope * np.log(n[fitted])))
        ax.loglog(n[fitted], np.exp(log_c) * n[fitted] ** slope, "-", color=colour(i),
                  label=f"{label}: slope {slope:.2f} (fit n ≥ {fit_from[label]:g})")
    if guide_power is not None and seconds_by_label:
        label, seconds = next(iter(seconds_by_label.items()))
        n = np.asarray(sizes_by_label[label], dtype=float)
        ax.loglog(n, seconds[-1] * (n / n[-1]) ** guide_power, "--", color="grey", lw=1,
                  label=f"$\\propto n^{{{guide_power:g}}}$ (guide)")
    ax.set(xlabel=xlabel, ylabel="time (s)", title=title)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    return ax
