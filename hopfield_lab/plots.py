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
    ``fit_last`` largest sizes in the legend and an n^guide_power guide line."""
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
        ax.loglog(sizes, guide, "--", color="grey", label=f"$\\propto n^{{{guide_power:g}}}$")
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
