"""Measurements on +/-1 states: overlap, Hamming distance, energy; and power-law fits of timings.

All functions take vectors (N,) or matrices (N, P) whose columns are states, and return
one number per column.
"""
from __future__ import annotations

import torch


def overlap(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """m = (1/N) sum_i a_i b_i: 1 for equal states, -1 for opposite ones, ~0 for unrelated ones."""
    return (a.double() * b.double()).sum(0) / a.shape[0]


def hamming(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """d(a, b) = number of positions where a and b differ; m = 1 - 2 d / N."""
    return (a != b).sum(0)


def energy(weights: torch.Tensor, state: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """E = -1/2 sum_ij w_ij s_i s_j - sum_i b_i s_i (one value per column of ``state``)."""
    s = state.double()
    e = -0.5 * (s * (weights.double() @ s)).sum(0)
    if bias is not None:
        e = e - (bias.double().reshape(-1, *([1] * (s.dim() - 1))) * s).sum(0)
    return e


def power_law_slope(sizes, seconds) -> float:
    """The exponent a of a power law t ~ n^a: the slope of log t vs log n by least squares."""
    x = torch.log(torch.as_tensor(sizes, dtype=torch.float64))
    y = torch.log(torch.as_tensor(seconds, dtype=torch.float64))
    x = x - x.mean()
    return float((x * (y - y.mean())).sum() / (x * x).sum())
