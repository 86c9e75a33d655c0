"""Claims: a notebook's sentences checked against the run beside them.

A notebook states a result in words and then calls :func:`claim` on the numbers it just
computed. The claim prints ``✓ <the claim> (<value>)`` when the run agrees and raises
:class:`ClaimFailed` (which fails the notebook under nbval, and so CI) when it does not::

    claim("the fitted slope is close to 3", slope, between=(2.6, 3.4))
    claim("every stored pattern is a fixed point", n_unstable, equals=0)
    claim("async leaves fewer probes moving than sync", frac_async, below=frac_sync)
    claim("energy never rises", bool((dE <= 0).all()), shown=f"max step {dE.max():.2g}")

Bounds may depend on the size profile (``hl.by_profile``) where the physics does; the
prose then says only what holds at every size.
"""
from __future__ import annotations

import math
from numbers import Number

__all__ = ["claim", "ClaimFailed"]


class ClaimFailed(AssertionError):
    """A notebook's claim that its own run contradicts."""


def _show(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # numpy / torch scalars
        value = value.item()
    if isinstance(value, float):
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
            return f"{value:.3g}"
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    return str(value)


def claim(text: str, value, *, between: tuple | None = None, above=None, below=None, at_least=None,
          at_most=None, equals=None, tol: float = 0.0, shown: str | None = None):
    """Check ``value`` against the bound(s) given and print ``✓ text (value)``; raise otherwise.

    ``between=(lo, hi)``: lo <= value <= hi. ``above`` / ``below``: strict; ``at_least`` /
    ``at_most``: inclusive. ``equals``: value == equals (within ``tol`` for numbers). With no
    bound, ``value`` itself must be true (a bool). ``value`` may be a list or tuple: then every
    element must satisfy the bounds. ``shown`` replaces the value in the printed line.
    Returns ``value`` so a cell can go on using it.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text={text!r} is not allowed; a claim needs its sentence, a non-empty string")
    if between is not None and (not isinstance(between, (tuple, list)) or len(between) != 2):
        raise ValueError(f"between={between!r} is not allowed; give (low, high)")
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    bounds = dict(between=between, above=above, below=below, at_least=at_least, at_most=at_most, equals=equals)
    given = {name: bound for name, bound in bounds.items() if bound is not None}
    failures = []
    for v in values:
        x = v.item() if hasattr(v, "item") and getattr(v, "ndim", 1) == 0 else v
        if not given:
            if not isinstance(x, (bool, int)) or isinstance(x, int) and x not in (0, 1):
                raise ValueError(f"value={x!r} is not allowed without a bound; pass a bool, or a bound such as between=")
            if not x:
                failures.append("is false")
            continue
        if isinstance(x, Number) and not isinstance(x, bool) and isinstance(x, float) and math.isnan(x):
            failures.append("is NaN")
            continue
        if between is not None and not (between[0] <= x <= between[1]):
            failures.append(f"is not in [{_show(between[0])}, {_show(between[1])}]")
        if above is not None and not x > above:
            failures.append(f"is not above {_show(above)}")
        if below is not None and not x < below:
            failures.append(f"is not below {_show(below)}")
        if at_least is not None and not x >= at_least:
            failures.append(f"is below {_show(at_least)}")
        if at_most is not None and not x <= at_most:
            failures.append(f"is above {_show(at_most)}")
        if equals is not None:
            same = abs(x - equals) <= tol if isinstance(x, Number) and isinstance(equals, Number) else x == equals
            if not same:
                failures.append(f"is not {_show(equals)}" + (f" (tolerance {_show(tol)})" if tol else ""))
    display = shown if shown is not None else _show(value)
    if failures:
        raise ClaimFailed(f"✗ claim contradicted by this run: {text} — value {display} {failures[0]}")
    print(f"✓ {text} ({display})")
    return value
