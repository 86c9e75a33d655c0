"""Property tests (hypothesis) over the public entry points: evolve, simulate and the CLI.

For random valid inputs the engine equals the independent reference bit for bit (decimal
lam, ties, every rule); for random bad values of any parameter the answer is a result or a
ValueError that names the parameter, never another exception and never a hang.
"""
import contextlib
import io
from unittest import mock

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hopfield_lab.__main__ import main
from hopfield_lab import sizing
from hopfield_lab.dynamics import evolve, simulate
from hopfield_lab.patterns import corrupt, random_patterns
from reference import reference_run

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RULES = st.sampled_from([("sync", {}), ("even-odd", {}), ("async", {}), ("hybrid", {"k": 0.4}), ("blocks", {"blocks": 3})])
# decimal lam (not binary fractions), binary fractions and 0
LAMS = st.sampled_from([0.0, 0.25, 0.3, 0.45, 0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 0.37])


@SETTINGS
@given(n=st.integers(3, 40), p=st.integers(1, 30), lam=LAMS, rule=RULES, tie=st.sampled_from(["keep", "random"]),
       temperature=st.sampled_from([0.0, 0.0, 0.4]), m0=st.sampled_from([-0.2, 0.0, 0.5]), seed=st.integers(0, 2**31))
def test_evolve_equals_the_reference_on_random_valid_inputs(n, p, lam, rule, tie, temperature, m0, seed):
    update, kw = rule
    if update == "blocks":
        kw = {"blocks": min(3, n)}
    V = random_patterns(n, p, seed=seed)
    S = corrupt(V, m0, seed=seed)
    fast = evolve(V, S, lam=lam, steps=6, update=update, tie=tie, temperature=temperature, seed=seed, **kw)
    ref = reference_run(V, S, lam=lam, steps=6, update=update, tie=tie, temperature=temperature, seed=seed, **kw)
    assert fast.steps_run == ref["steps_run"]
    assert torch.equal(fast.overlaps, ref["overlaps"]) and torch.equal(fast.final_state, ref["final_state"])
    assert torch.equal(fast.converged, ref["converged"]) and torch.equal(fast.two_cycle, ref["two_cycle"])


ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.integers(10**300, 10**400),
                     st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
                     st.complex_numbers(max_magnitude=10), st.lists(st.integers(0, 3), max_size=3),
                     st.just(torch.tensor(2.7)), st.just(torch.ones(2)))
PARAMS = ["n", "alpha", "lam", "m0", "steps", "update", "k", "blocks", "temperature", "tie", "seed", "device",
          "algorithm"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(PARAMS), value=ANYTHING)
def test_simulate_gives_a_result_or_a_value_error_naming_the_parameter(name, value):
    kwargs = dict(n=40, alpha=0.1, steps=3, update="hybrid" if name == "k" else "blocks" if name == "blocks" else "sync")
    kwargs.update({"k": 0.5} if name != "k" and kwargs["update"] == "hybrid" else {})
    kwargs[name] = value
    try:
        # the runs stay small: any n or alpha beyond 256 MiB of work is refused (by name) before a product
        with mock.patch.object(sizing, "memory_bytes", lambda device: 2**28):
            traj = simulate(**kwargs)
    except ValueError as err:
        assert f"{name}=" in str(err) or name in str(err), (name, value, str(err))
        return
    # accepted: then it was a valid value and the run is a real one
    assert traj.overlaps.shape[0] == traj.steps_run + 1 and bool(torch.isfinite(traj.overlaps).all())


NUMBERS = st.one_of(st.integers(-10**5, 10**5).map(str), st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.just("1" + "0" * 400), st.just("-1e-3"), st.just("abc"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(option=st.sampled_from(["--n", "--alpha", "--lam", "--m0", "--steps", "--temperature", "--seed", "--k"]),
       value=NUMBERS)
def test_the_cli_exits_0_or_2_and_never_with_a_traceback(option, value):
    argv = ["simulate", "--n", "30", "--alpha", "0.1", "--steps", "3", "--update", "hybrid", "--k", "0.5", option, value]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse: an unreadable number ("abc" for --n) exits 2 with usage
            code = stop.code
    err = err.getvalue()
    assert code in (0, 2), (argv, code, err)
    assert "Traceback" not in err
    if code == 2:
        assert "error" in err
