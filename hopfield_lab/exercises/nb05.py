"""Self-checks for Notebook 05: are all stored patterns fixed points?"""
from __future__ import annotations

from typing import Callable

import torch

from ._report import _Report, _call

__all__ = ['check_all_patterns_stable']


def check_all_patterns_stable(fn: Callable[[torch.Tensor], bool]) -> bool:
    """``fn(xi)`` must say whether every stored pattern (column of xi) is an exact fixed point of
    the network W = xi xi^T - p I, a field of exactly 0 counting as a failure."""
    r = _Report("all_patterns_stable")
    gen = torch.Generator().manual_seed(21)
    few = (torch.randint(0, 2, (200, 3), generator=gen) * 2 - 1).double()
    many = (torch.randint(0, 2, (200, 60), generator=gen) * 2 - 1).double()
    got_few, got_many = _call(r, fn, few.clone()), _call(r, fn, many.clone())
    if got_few is None or got_many is None:
        return r.done()
    r.check(bool(got_few) is True, "3 random patterns in 200 neurons: all stable",
            "3 patterns in 200 neurons are all fixed points, but you said no: check the signs of the fields")
    r.check(bool(got_many) is False, "60 patterns in 200 neurons: not all stable",
            "with 60 patterns in 200 neurons some bit is unstable, but you said yes: check every bit of every pattern")
    # a tie: two neurons, one pattern plus its opposite-half twin give fields of exactly 0
    tie = torch.tensor([[1.0, 1.0], [1.0, -1.0]])
    got_tie = _call(r, fn, tie)
    if got_tie is not None:
        r.check(bool(got_tie) is False, "a field of exactly 0 counts as unstable",
                "a field of exactly 0 must count as a failure (h_i y_i > 0 strictly)")
    return r.done()
