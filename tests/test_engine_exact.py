"""The engine against the independent reference (tests/reference.py): bit for bit, every rule.

Same overlaps at every step, the same convergence counts, the same 2-cycles and final
states, energies to 1e-12, for every update rule, T = 0 and T > 0, both tie rules,
lam in {0, 0.25, 0.5, 1, 2}, odd and even N.
"""
import pytest
import torch

from hopfield_lab import dynamics, trajectory
from hopfield_lab.fast import parallel_step as parallel
from hopfield_lab.dynamics import evolve, simulate
from hopfield_lab.update_rules import UPDATES
from hopfield_lab.patterns import corrupt, random_patterns
from reference import reference_run

# every rule of hopfield_lab.update_rules.UPDATES, with these settings where it takes one
RULE_SETTINGS = {"hybrid": [{"k": 0.3}, {"k": 1.0}], "blocks": [{"blocks": 2}, {"blocks": 7}, {"blocks": 60}]}
RULES = [(update, kw) for update in UPDATES for kw in RULE_SETTINGS.get(update, [{}])]
LAMS = [0.0, 0.25, 0.5, 1.0, 2.0]
MODES = [dict(temperature=0.0, tie="keep"), dict(temperature=0.0, tie="random"), dict(temperature=0.3, tie="random")]


def both(n, p, m0=0.5, steps=12, seed=0, speedups=True, **kw):
    V = random_patterns(n, p, seed=seed)
    S0 = corrupt(V, m0, seed=seed)
    return (evolve(V, S0, steps=steps, seed=seed, record_energy=True, speedups=speedups, **kw),
            reference_run(V, S0, steps=steps, seed=seed, **kw))


def assert_identical(fast, ref):
    assert fast.steps_run == ref["steps_run"]
    assert torch.equal(fast.overlaps, ref["overlaps"])
    assert torch.equal(fast.converged, ref["converged"])
    assert torch.equal(fast.two_cycle, ref["two_cycle"])
    assert torch.equal(fast.final_state, ref["final_state"])
    assert torch.allclose(fast.energy, ref["energy"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("update,kw", RULES, ids=[f"{u}{list(k.values())}" for u, k in RULES])
@pytest.mark.parametrize("lam", LAMS)
@pytest.mark.parametrize("mode", MODES, ids=["T0-keep", "T0-random", "T0.3"])
def test_every_rule_matches_the_reference(update, kw, lam, mode):
    n = 60 + LAMS.index(lam) % 2  # odd and even N
    p = 9 if lam in (0.25, 0.5) else 8  # (lam - 1) p not an integer for lam = 0.25, 0.5: float64 arithmetic
    fast, ref = both(n, p, lam=lam, update=update, **mode, **kw)
    assert_identical(fast, ref)
    assert fast.params["arithmetic"] == ("float64" if lam in (0.25, 0.5) else "float32")


@pytest.mark.parametrize("update,kw", RULES, ids=[f"{u}{list(k.values())}" for u, k in RULES])
@pytest.mark.parametrize("lam", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("mode", MODES, ids=["T0-keep", "T0-random", "T0.3"])
def test_every_rules_plain_step_matches_the_reference(update, kw, lam, mode):
    # speedups=False: hopfield_lab.dynamics.plain_step, float64, no optimisation of hopfield_lab.fast
    fast, ref = both(61, 9 if lam == 0.5 else 8, lam=lam, update=update, speedups=False, **mode, **kw)
    assert_identical(fast, ref)
    assert fast.params["arithmetic"] == "float64"


@pytest.mark.parametrize("update,kw", [("sync", {}), ("even-odd", {}), ("async", {}), ("hybrid", {"k": 0.2}),
                                       ("blocks", {"blocks": 5})])
@pytest.mark.parametrize("mode", [dict(tie="random"), dict(tie="keep"), dict(temperature=0.2)], ids=["random", "keep", "T"])
def test_plain_and_fast_steps_agree_bit_for_bit_at_n_600(update, kw, mode):
    # large enough for the fast step's optimisations (flips, chunks of the sweeps, dropped 2-cycles) to act
    V = random_patterns(600, 84, seed=5)
    S0 = corrupt(V, 0.7, seed=5)
    plain, fast = (evolve(V, S0, steps=25, seed=5, update=update, record_energy=True, speedups=sp, **mode, **kw)
                   for sp in (False, True))
    assert plain.steps_run == fast.steps_run
    for name in ("overlaps", "converged", "two_cycle", "final_state"):
        assert torch.equal(getattr(plain, name), getattr(fast, name)), name
    assert torch.allclose(plain.energy, fast.energy, rtol=0, atol=1e-12)
    if update == "sync" and mode == dict(tie="random"):
        assert fast.two_cycle.any()  # the case has the 2-cycles the fast step drops


def test_the_plain_step_is_selected_and_every_speedups_choice_gives_one_run(monkeypatch):
    from hopfield_lab.fast import Speedups

    calls = []
    plain = dynamics.plain_step
    monkeypatch.setattr(dynamics, "plain_step", lambda *a: calls.append(1) or plain(*a))
    runs = [simulate(500, 0.14, m0=0.7, steps=20, seed=2, speedups=sp)
            for sp in (False, True, Speedups.none(), Speedups(cached_gram_rows=False))]
    assert len(calls) == runs[0].steps_run + 1 and runs[0].params["arithmetic"] == "float64"
    assert all(torch.equal(r.overlaps, runs[0].overlaps) and torch.equal(r.two_cycle, runs[0].two_cycle) for r in runs)
    with pytest.raises(ValueError, match="speedups='plain' is not allowed"):
        simulate(100, 0.1, speedups="plain")


def test_ties_really_occur_and_both_tie_rules_match():
    # at N = 40, p = 8 zero fields are common (at p = 4 they cannot occur: h is 2 mod 4)
    for tie in ("keep", "random"):
        fast, ref = both(40, 8, m0=0.0, steps=15, lam=0.0, update="sync", tie=tie)
        assert ref["zero_fields"] > 20, "the case must contain ties"
        assert_identical(fast, ref)


@pytest.mark.parametrize("n,alpha,lam", [(800, 0.15, 0.0), (799, 0.12, 1.0)])
def test_sync_at_n_800_including_the_2_cycle_shortcut(n, alpha, lam):
    p = round(alpha * n)
    fast, ref = both(n, p, m0=0.8, steps=30, lam=lam, update="sync", tie="random")
    assert_identical(fast, ref)
    if lam == 0:
        # the shortcut was really taken: some probes sit in 2-cycles, the run went to the end
        assert fast.two_cycle.any() and fast.steps_run == 30


@pytest.mark.parametrize("update,kw,mode", [
    ("async", {}, dict(tie="random")), ("async", {}, dict(temperature=0.4)), ("blocks", {"blocks": 4}, dict(tie="random")),
    ("blocks", {"blocks": 300}, dict(tie="keep")), ("hybrid", {"k": 0.1}, dict(tie="random"))])
def test_other_rules_at_n_300_several_chunks(update, kw, mode, monkeypatch):
    # async sweeps run in chunks (hopfield_lab.sweeps: 512 neurons for the 40 probes here): at 128
    # neurons N = 300 spans three, the last one short
    from hopfield_lab.fast import async_chunks as sweeps

    monkeypatch.setattr(sweeps, "CHUNK_FEW_PROBES", 128)
    fast, ref = both(300, 40, m0=0.7, steps=4, update=update, **mode, **kw)
    assert_identical(fast, ref)


def test_async_in_one_chunk_and_in_long_chunks():
    # few probes (<= sweeps.FEW_PROBES): chunks of 512 neurons, one chunk at N = 300, two at N = 700
    for n in (300, 700):
        fast, ref = both(n, 40, m0=0.7, steps=4, update="async", temperature=0.4)
        assert_identical(fast, ref)


def test_hybrid_flags_no_2_cycle_where_the_state_merely_did_not_change():
    # issue 10, item 2: N = 200, alpha = 0.14, hybrid k = 0.01, tie keep, 50 steps flagged probes with
    # S(49) = S(50) = S(51). Under a stochastic rule no probe is a proven 2-cycle.
    traj = simulate(200, 0.14, update="hybrid", k=0.01, tie="keep", steps=50, seed=0)
    assert not traj.two_cycle.any()
    assert traj.fraction_moving > 0  # those probes are reported as still moving
    assert abs(traj.fraction_converged + traj.fraction_moving - 1.0) < 1e-12


@pytest.mark.parametrize("update,kw", [("async", {}), ("blocks", {"blocks": 3}), ("hybrid", {"k": 0.5}),
                                       ("sync", {}), ("even-odd", {})])
def test_non_integer_self_term_runs_in_float64(update, kw):
    # issue 10, item 1: lam = 0.5 with odd p crashed async / blocks / hybrid (mixed float32 / float64)
    traj = simulate(10, 0.1, lam=0.5, update=update, seed=0, **kw)
    assert traj.params["arithmetic"] == "float64"
    traj = simulate(200, 0.05, lam=0.05, update=update, seed=0, **kw)  # the explorer's case
    assert traj.params["arithmetic"] == "float64" and traj.mean_final_overlap > 0.9


def test_reduced_float32_matmul_precision_switches_to_float64():
    # can fail on a CPU: the engine must *choose* float64, whatever this CPU's products do
    previous = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("medium")
    try:
        fast, ref = both(61, 8, lam=0.0, update="sync", tie="keep")
    finally:
        torch.set_float32_matmul_precision(previous)
    assert fast.params["arithmetic"] == "float64"
    assert_identical(fast, ref)


@pytest.mark.parametrize("setting", ["cuda.matmul", "mkldnn.matmul", "top"])
def test_new_precision_api_is_detected(setting):
    # issue 10, item 6: after torch.backends.cuda.matmul.fp32_precision = 'tf32' the legacy getter raises
    holder = {"cuda.matmul": torch.backends.cuda.matmul, "mkldnn.matmul": getattr(torch.backends.mkldnn, "matmul", None),
              "top": torch.backends}[setting]
    if holder is None or not hasattr(holder, "fp32_precision"):
        pytest.skip("this torch has no fp32_precision API")
    previous = holder.fp32_precision
    try:
        holder.fp32_precision = "bf16" if setting == "mkldnn.matmul" else "tf32"
        traj = simulate(200, 0.1, seed=0)
    finally:
        holder.fp32_precision = previous
    assert traj.params["arithmetic"] == "float64"


def test_same_seed_same_run_other_seed_other_run():
    V = random_patterns(200, 30, seed=1)
    S0 = corrupt(V, 0.6, seed=2)
    for kw in ({"tie": "random"}, {"temperature": 0.3}, {"update": "async"}, {"update": "hybrid", "k": 0.2}):
        a, b, c = (evolve(V, S0, seed=s, steps=15, **kw) for s in (9, 9, 10))
        for field in ("overlaps", "converged", "two_cycle", "final_state"):
            assert torch.equal(getattr(a, field), getattr(b, field)), (kw, field)
        assert not torch.equal(a.final_state, c.final_state), kw


def test_simulate_with_the_dense_algorithm_gives_the_same_run():
    # the benchmark's yardstick: same patterns and probes, float32 dense algorithm, random ties
    engine = simulate(600, 0.14, m0=0.8, seed=4, steps=30)
    dense = simulate(600, 0.14, m0=0.8, seed=4, steps=30, algorithm="dense")
    assert dense.params["algorithm"] == "dense" and engine.params["algorithm"] == "engine"
    assert torch.equal(engine.overlaps, dense.overlaps)
    assert torch.equal(engine.final_state, dense.final_state)


# --- the checker is checked: deliberate bugs in the engine must fail the comparison ---------

def _settle_keep_tie_becomes_plus_one(settle):
    def mutated(new, s, *args, **kwargs):
        new[new == 0] = 1  # a zero field (a tie) now turns the neuron on instead of keeping it
        return settle(new, s, *args, **kwargs)
    return mutated


def _flips_keep_tie_becomes_plus_one(flips):
    def mutated(self, new, S, moved, t, active):
        new[new == 0] = 1
        return flips(self, new, S, moved, t, active)
    return mutated


def test_mutation_keep_tie_becomes_plus_one_is_caught(monkeypatch):
    # ties are decided over whole arrays in steps with many flips (update_rules.settle_ties), among the flipped
    # pairs in steps with few (ParallelStep._flips): each place's mutation must be caught on its own
    with monkeypatch.context() as patch:
        patch.setattr(parallel, "settle_ties", _settle_keep_tie_becomes_plus_one(parallel.settle_ties))
        fast, ref = both(40, 8, m0=0.0, steps=15, update="sync", tie="keep")
        assert ref["zero_fields"] > 0
        with pytest.raises(AssertionError):
            assert_identical(fast, ref)
    monkeypatch.setattr(parallel.ParallelStep, "_flips", _flips_keep_tie_becomes_plus_one(parallel.ParallelStep._flips))
    fast, ref = both(1000, 120, m0=0.8, steps=30, update="sync", tie="keep")
    with pytest.raises(AssertionError):
        assert_identical(fast, ref)


def _count_incremental_steps(monkeypatch) -> list:
    calls = []
    columns = parallel.ColumnCache.columns
    monkeypatch.setattr(parallel.ColumnCache, "columns", lambda self, *a: calls.append(a) or columns(self, *a))
    return calls


@pytest.mark.parametrize("sparse", ["one block", "blocks", None], ids=["sparse", "sparse-in-blocks", "dense-fallback"])
@pytest.mark.parametrize("n,p,lam,tie,least", [(1000, 120, 0.0, "random", 10), (800, 96, 0.0, "keep", 2),
                                                (800, 112, 2.0, "random", 2), (800, 112, 1.0, "keep", 2)])
def test_incremental_fields_are_taken_and_exact(n, p, lam, tie, least, sparse, monkeypatch):
    # late in a run few neurons flip: the step updates N h with cached rows of G instead of the
    # product (at N = 1000 with random ties, a probe whose tie is re-decided by a coin every step);
    # as a sparse product, and as the dense product of devices without sparse products (Apple MPS)
    calls = _count_incremental_steps(monkeypatch)
    if not sparse:
        monkeypatch.setattr(parallel, "SPARSE_DEVICES", ())
    if sparse == "blocks":  # a few probes per block of the sparse product
        from hopfield_lab.fast import arithmetic

        monkeypatch.setattr(arithmetic, "SCRATCH", 3 * n)
    fast, ref = both(n, p, m0=0.8, steps=30, lam=lam, update="sync", tie=tie)
    assert len(calls) >= least, "the case must take the incremental path"
    assert_identical(fast, ref)


def test_mutation_incremental_fields_with_the_wrong_columns_is_caught(monkeypatch):
    calls = _count_incremental_steps(monkeypatch)
    columns = parallel.ColumnCache.columns
    monkeypatch.setattr(parallel.ColumnCache, "columns", lambda self, *a: columns(self, *a).roll(1))  # stale slots
    fast, ref = both(1000, 120, m0=0.8, steps=30, lam=0.0, update="sync", tie="random")
    assert len(calls) >= 10
    with pytest.raises(AssertionError):
        assert_identical(fast, ref)


def test_mutation_incremental_fields_without_the_self_term_is_caught(monkeypatch):
    calls = _count_incremental_steps(monkeypatch)
    original = torch.Tensor.index_put_

    def forget_self_term(self, indices, values, accumulate=False):
        return self if accumulate else original(self, indices, values, accumulate)

    monkeypatch.setattr(torch.Tensor, "index_put_", forget_self_term)
    fast, ref = both(1000, 120, m0=0.8, steps=30, lam=0.0, update="sync", tie="random")  # c = -p
    assert len(calls) >= 2  # the mutated run diverges, and takes fewer incremental steps
    with pytest.raises(AssertionError):
        assert_identical(fast, ref)


def test_mutation_fixed_probes_read_one_is_caught(monkeypatch):
    original = trajectory.Recorder._complete

    def mutated(self, rows, steps_run, cycle_values):
        out = original(self, rows, steps_run, cycle_values)
        for t, cols in self.fixed_at:
            out[t + 1:, cols] = 1.0
        return out

    monkeypatch.setattr(trajectory.Recorder, "_complete", mutated)
    fast, ref = both(200, 10, m0=0.6, steps=12, update="sync", tie="keep")
    assert ref["steps_run"] > 1
    with pytest.raises(AssertionError):
        assert_identical(fast, ref)


@pytest.mark.parametrize("update", ["sync", "even-odd"])
def test_checked_float32_beyond_the_a_priori_bound(update, monkeypatch):
    # p N >= 2**24 no longer forces float64 for the parallel rules: each product's own bound is checked.
    # Scaled down: with the threshold at 2**12, N = 300, p = 40 (p N = 12000) runs checked float32 ...
    from hopfield_lab.fast import arithmetic

    monkeypatch.setattr(arithmetic, "EXACT_FLOAT32", 2**12)
    V = random_patterns(300, 40, seed=0)
    S0 = corrupt(V, 0.7, seed=0)
    net = arithmetic.Network(V, 0.0, checked=True)
    assert net.checked and net.dtype == torch.float32
    fast, ref = both(300, 40, m0=0.7, steps=10, update=update, tie="random")
    assert fast.params["arithmetic"] == "float32"
    assert_identical(fast, ref)
    # ... and overlaps whose fields could reach the threshold (sum |m| + |c| = 40 * 300 + 40) are refused
    with pytest.raises(arithmetic.NeedsFloat64):
        net.field(slice(None), torch.full((40, 3), 300.0), S0[:, :3])
    with pytest.raises(arithmetic.NeedsFloat64):
        net.check_exact(net.overlaps(S0), extra=2**12)


def test_a_run_whose_bound_fails_is_made_again_in_float64(monkeypatch):
    # identical patterns make sum_mu |m_mu| = p N: the checked product refuses and the run restarts in float64
    from hopfield_lab.fast import arithmetic

    monkeypatch.setattr(arithmetic, "EXACT_FLOAT32", 2**12)
    V = random_patterns(300, 1, seed=0).expand(300, 20).contiguous()
    S0 = corrupt(V, 0.6, seed=0)
    fast = evolve(V, S0, steps=6, seed=0, record_energy=True, tie="random")
    ref = reference_run(V, S0, steps=6, seed=0, tie="random")
    assert fast.params["arithmetic"] == "float64"
    assert_identical(fast, ref)


def test_mutation_async_guesses_accepted_unchecked_is_caught(monkeypatch):
    # the chunked sweep guesses the changes of a chunk and checks the guess; accepting it unchecked is wrong
    from hopfield_lab.fast import async_chunks as sweeps

    monkeypatch.setattr(sweeps, "_decided_until", lambda pending, actual, guess: torch.full(
        (guess.shape[0],), guess.shape[1], dtype=torch.long))
    for mode in (dict(tie="random"), dict(temperature=0.4)):
        fast, ref = both(300, 40, m0=0.7, steps=4, update="async", **mode)
        with pytest.raises(AssertionError):
            assert_identical(fast, ref)


@pytest.mark.parametrize("update,mode", [("sync", dict(tie="random")), ("sync", dict(tie="keep")),
                                         ("even-odd", dict(tie="random")), ("hybrid", dict(tie="keep")),
                                         ("sync", dict(temperature=0.3))])
def test_aligned_products_in_row_blocks_match_the_reference(update, mode, monkeypatch):
    # arithmetic.product pads the running probes to a multiple of 16 columns (37 -> 48) and writes them
    # straight into an output with aligned rows (the sync fields) or works in row blocks of
    # SCRATCH // 48 rows through a scratch block; lowered so an N = 301 run takes it
    from hopfield_lab.fast import arithmetic

    blocks = []
    mm = torch.mm
    monkeypatch.setattr(arithmetic, "SCRATCH", 2**10)
    monkeypatch.setattr(torch, "mm", lambda A, B, **kw: blocks.append((A.shape[0], B.shape[1])) or mm(A, B, **kw))
    kw = {"k": 0.5} if update == "hybrid" else {}
    fast, ref = both(301, 37, m0=0.7, steps=10, update=update, **mode, **kw)
    padded = [rows for rows, cols in blocks if cols == 48]
    assert padded, "the padded path must be taken"
    if update == "hybrid":  # fields of a subset of rows: no aligned output, row blocks
        assert min(padded) < 301
    assert_identical(fast, ref)


def test_mutation_aligned_product_keeping_a_padding_column_is_caught(monkeypatch):
    # the copy out of the scratch block shifted by one column: caught
    from hopfield_lab.fast import arithmetic

    monkeypatch.setattr(arithmetic, "SCRATCH", 2**10)
    product = arithmetic.product

    def shifted(A, B, out=None, **padded):
        h = product(A, B, out=out, **padded)
        if B.shape[1] % 16:
            h[:, :-1] = h[:, 1:].clone()
        return h

    monkeypatch.setattr(arithmetic, "product", shifted)
    fast, ref = both(301, 37, m0=0.7, steps=10, update="sync", tie="random")
    with pytest.raises(AssertionError):
        assert_identical(fast, ref)


def test_aligned_product_equals_the_plain_product():
    from hopfield_lab.fast import arithmetic

    torch.manual_seed(0)
    A = torch.randint(-3, 4, (5000, 40)).float()
    for cols in (1, 15, 17, 416, 419):
        B = torch.randint(-9, 10, (40, cols)).float()
        out = torch.full((5000, cols), float("nan"))
        assert torch.equal(arithmetic.product(A, B, out=out), A @ B) and torch.equal(out, A @ B)


@pytest.mark.parametrize("update,mode", [("sync", dict(tie="random")), ("even-odd", dict(tie="keep")),
                                         ("sync", dict(temperature=0.3)), ("async", dict(tie="random"))])
def test_int8_overlaps_match_the_reference(update, mode, monkeypatch):
    # the int8 product (oneDNN, x86) is used from arithmetic.INT8_MIN_WORK multiply-adds: lowered to 0 here
    from hopfield_lab.fast import arithmetic, int8

    if not int8.products_exact():
        pytest.skip("no exact int8 products on this machine")
    calls = []
    int8_overlaps = int8.byte_overlaps
    monkeypatch.setattr(arithmetic, "INT8_MIN_WORK", 0)
    monkeypatch.setattr(int8, "byte_overlaps", lambda *a: calls.append(1) or int8_overlaps(*a))
    fast, ref = both(301, 37, m0=0.6, steps=10, update=update, **mode)
    assert calls, "the int8 path must be taken"
    assert_identical(fast, ref)


def test_int8_rows_of_g_match_the_reference(monkeypatch):
    # the cache of hopfield_lab.parallel fills its rows of G = V V^T by int8 products (threshold lowered)
    from hopfield_lab.fast import arithmetic, int8

    if not int8.products_exact():
        pytest.skip("no exact int8 products on this machine")
    sizes = []
    gram_rows = arithmetic.Network.gram_rows
    monkeypatch.setattr(arithmetic, "INT8_MIN_WORK", 0)
    monkeypatch.setattr(arithmetic.Network, "gram_rows", lambda self, j: sizes.append(j.numel()) or gram_rows(self, j))
    fast, ref = both(1000, 120, m0=0.8, steps=30, lam=0.0, update="sync", tie="random")
    assert len(set(sizes)) >= 2, "rows must be filled several times, in different numbers"
    assert_identical(fast, ref)
    net = arithmetic.Network(random_patterns(500, 60, seed=3), 0.0)
    for k in (1, 7, 60):
        j = torch.randperm(500)[:k]
        assert torch.equal(net.gram_rows(j), net.V[j] @ net.V.T)


def _int8_field_changes(monkeypatch, **costs):
    """Force the int8 field changes (thresholds lowered) and record each: (probes, patterns moved by floats)."""
    from hopfield_lab.fast import arithmetic, int8

    if not int8.field_changes_exact():
        pytest.skip("no exact int8 field changes on this machine")
    calls = []
    change = arithmetic.Network.add_field_change
    monkeypatch.setattr(arithmetic, "INT8_FIELD_MIN_WORK", 0)
    for name, value in costs.items():
        monkeypatch.setattr(arithmetic, name, value)
    monkeypatch.setattr(arithmetic.Network, "add_field_change",
                        lambda self, h, dm, big: calls.append((h.shape[1], big.numel())) or change(self, h, dm, big))
    return calls


@pytest.mark.parametrize("lam,mode", [(0.0, dict(tie="random")), (0.0, dict(tie="keep")), (1.0, dict(tie="random")),
                                      (2.0, dict(tie="keep")), (0.0, dict(temperature=0.1))])
def test_int8_field_changes_match_the_reference(lam, mode, monkeypatch):
    # fields updated by V dm in int8 (arithmetic.Network.add_field_change) from the smallest products on; at T > 0
    # (many flips every step) preferred whatever the cost
    calls = _int8_field_changes(monkeypatch, **(dict(INT8_FIELD_COST=-1.0) if "temperature" in mode else {}))
    fast, ref = both(400, 48, m0=0.7, steps=25, lam=lam, update="sync", **mode)
    assert calls, "the int8 field change must be taken"
    assert_identical(fast, ref)


def test_int8_field_changes_after_probes_were_dropped_match_the_reference(monkeypatch):
    # always preferred here: the fields kept for fewer probes (rows still 16 columns apart) take the path too
    calls = _int8_field_changes(monkeypatch, INT8_FIELD_COST=-1.0)
    fast, ref = both(400, 48, m0=0.7, steps=25, lam=0.0, update="sync", tie="random")
    assert len({P for P, _ in calls}) >= 3, "the case must drop probes between int8 field changes"
    assert_identical(fast, ref)


def test_int8_field_changes_with_patterns_beyond_a_byte_match_the_reference(monkeypatch):
    # a byte taken as 3 here, and the int8 path always preferred: most steps move some patterns by more,
    # whose part then goes through the float product
    calls = _int8_field_changes(monkeypatch, INT8_STEP=3, INT8_FIELD_COST=-1.0)
    fast, ref = both(400, 48, m0=0.7, steps=25, lam=0.0, update="sync", tie="random")
    assert any(0 < big < 48 for _, big in calls), "the case must have patterns on both paths"
    assert_identical(fast, ref)


def test_int8_field_change_takes_half_the_even_change_in_a_byte(monkeypatch):
    # overlaps move by even numbers, so changes up to 254 go through the byte (as half of them); a larger
    # or an odd change puts its pattern on the float path, and the sum is the float product's either way
    from hopfield_lab.fast import arithmetic, int8

    if not int8.field_changes_exact():
        pytest.skip("no exact int8 field changes on this machine")
    monkeypatch.setattr(arithmetic, "INT8_FIELD_MIN_WORK", 0)
    net = arithmetic.Network(random_patterns(500, 60, seed=4), 0.0)
    dm = 2 * torch.randint(-127, 128, (60, 21), generator=torch.Generator().manual_seed(0)).float()
    dm[3, 0], dm[7, 5], dm[9, 2], dm[11, 1] = 254.0, -254.0, 256.0, 3.0
    big, size = net.int8_field_change(dm)
    assert big.tolist() == [9, 11] and size == float(dm.abs().sum(0).max())
    h = torch.randint(-2**20, 2**20, (500, 32)).float()[:, :21]
    expected = h + net.V @ dm
    net.add_field_change(h, dm, big)
    assert torch.equal(h, expected)


def test_mutation_int8_field_change_without_the_patterns_beyond_a_byte_is_caught(monkeypatch):
    from hopfield_lab.fast import arithmetic

    change = arithmetic.Network.add_field_change
    calls = _int8_field_changes(monkeypatch, INT8_STEP=3, INT8_FIELD_COST=-1.0)
    monkeypatch.setattr(arithmetic.Network, "add_field_change",  # their part left out
                        lambda self, h, dm, big: calls.append(1) or change(self, h, dm.index_fill(0, big, 0), big[:0]))
    fast, ref = both(400, 48, m0=0.7, steps=25, lam=0.0, update="sync", tie="random")
    assert calls
    with pytest.raises(AssertionError):
        assert_identical(fast, ref)


def test_mutation_int8_overlaps_with_the_wrong_zero_point_is_caught(monkeypatch):
    from hopfield_lab.fast import arithmetic, int8

    if not int8.products_exact():
        pytest.skip("no exact int8 products on this machine")
    monkeypatch.setattr(arithmetic, "INT8_MIN_WORK", 0)
    monkeypatch.setattr(int8, "byte_rows", lambda A: A.to(torch.int8).contiguous().view(torch.uint8).add_(127))
    fast, ref = both(301, 37, m0=0.6, steps=10, update="sync", tie="random")
    with pytest.raises(AssertionError):
        assert_identical(fast, ref)


def test_int8_products_are_checked_before_use_and_can_be_switched_off(monkeypatch):
    from hopfield_lab.fast import int8

    if not int8.field_changes_exact():
        pytest.skip("no exact int8 products on this machine")
    product = int8.byte_product
    monkeypatch.setattr(int8, "_INT8", {})  # check again, with a product that is off by one
    monkeypatch.setattr(int8, "byte_product", lambda *a: product(*a) + 1)
    assert int8.products_exact() is False and int8.field_changes_exact() is False
    monkeypatch.setattr(int8, "_INT8", {})  # rows of G right, overlaps off by one at one entry
    overlaps = int8.byte_overlaps
    monkeypatch.setattr(int8, "byte_product", product)
    monkeypatch.setattr(int8, "byte_overlaps", lambda rows, S: overlaps(rows, S).index_put_((torch.tensor([5]),
                                                                      torch.tensor([3])), torch.tensor(1.0), accumulate=True))
    assert int8.products_exact() is False
    monkeypatch.setattr(int8, "byte_overlaps", overlaps)
    monkeypatch.setattr(int8, "_INT8", {})  # a field change whose bytes wrap around beyond 100: only it refused
    add = int8.add_byte_product
    monkeypatch.setattr(int8, "add_byte_product", lambda rows, dm, out: add(rows, (dm + 100) % 200 - 100, out))
    assert int8.field_changes_exact() is False and int8.products_exact() is True
    monkeypatch.setattr(int8, "_INT8", {})  # a field change the CPU's library cannot make: only it refused
    monkeypatch.setattr(int8, "add_byte_product", lambda *a: (_ for _ in ()).throw(NotImplementedError("no sum")))
    assert int8.field_changes_exact() is False and int8.products_exact() is True
    monkeypatch.setattr(int8, "add_byte_product", add)
    monkeypatch.setattr(int8, "_INT8", {})
    assert int8.products_exact() is True and int8.field_changes_exact() is True


def test_the_int8_speedups_switch_the_int8_paths_off(monkeypatch):
    # the run's Speedups alone switch the int8 products off (no module global does)
    from hopfield_lab.fast import Speedups, arithmetic, int8

    monkeypatch.setattr(int8, "products_exact", lambda: True)
    monkeypatch.setattr(int8, "field_changes_exact", lambda: True)
    V = random_patterns(300, 40, seed=0)
    assert arithmetic.Network(V, 0.0)._int8(2**40) is True
    assert arithmetic.Network(V, 0.0, speedups=Speedups(int8_overlaps=False))._int8(2**40) is False
    dm = torch.full((40, 2**20 // 40), 2.0)
    assert arithmetic.Network(V, 0.0).int8_field_change(dm) is not None
    assert arithmetic.Network(V, 0.0, speedups=Speedups(int8_field_changes=False)).int8_field_change(dm) is None


def test_the_exactness_bound_is_recomputed_when_m_changes():
    # Network.exact keeps the last m's column sum (a step asks twice): an in-place change or another m
    # must not reuse it
    from hopfield_lab.fast import arithmetic

    net = arithmetic.Network(random_patterns(300, 40, seed=0), 0.0, checked=True)
    m = torch.full((40, 3), 10.0)
    assert net.exact(m)
    m.mul_(2**20)
    assert not net.exact(m)
    assert net.exact(torch.ones(40, 3)) and not net.exact(torch.full((40, 3), 2.0**20))


def test_kept_states_read_through_the_column_map():
    # after probes are dropped, S(t) of the kept probes is read through their column indices (no copy)
    S = torch.randn(50, 12)
    idx = torch.tensor([0, 3, 4, 9, 11])
    cols = torch.tensor([1, 4])
    assert torch.equal(dynamics._Columns(S, idx)[:, cols], S[:, idx][:, cols])


# issue 21, item 1: decimal lam that are not binary fractions. (lam - 1.0) * p is then not a whole
# number in floating point although lam p is (0.8 * 10 = 8, but (0.8 - 1.0) * 10 = -1.9999999999999996),
# and a rounded self-term turned exact ties (fields exactly 0) into +/-1e-14: 'keep' flipped neurons,
# 'random' threw no coin. Each case below is chosen so that the rounding happens and ties are possible
# (the field's parity allows 0: with p even, whether N h can be 0 depends on the parity of the number
# of -1 entries in V, hence the seeds), and the test checks that both hold.
DECIMAL_LAMS = [(0.7, 20), (0.8, 10), (0.9, 20), (1.1, 20), (1.2, 10)]


def _rounds_and_ties(lam, p, ref):
    assert not float((lam - 1.0) * p).is_integer(), "the case must be one that (lam - 1) p rounds"
    assert ref["zero_fields"] > 0, "the case must contain exact ties"


@pytest.mark.parametrize("update,kw", RULES, ids=[f"{u}{list(k.values())}" for u, k in RULES])
@pytest.mark.parametrize("lam,p", DECIMAL_LAMS)
@pytest.mark.parametrize("tie", ["keep", "random"])
def test_decimal_lam_keeps_exact_ties_in_every_rule(update, kw, lam, p, tie):
    n = 40 + DECIMAL_LAMS.index((lam, p)) % 2  # odd and even N
    kw = {"blocks": min(kw["blocks"], n)} if "blocks" in kw else kw  # blocks = 60: one neuron a block here
    fast, ref = both(n, p, m0=0.0, steps=10, seed=1, lam=lam, update=update, tie=tie, **kw)
    _rounds_and_ties(lam, p, ref)
    assert_identical(fast, ref)
    assert fast.params["arithmetic"] == "float32"  # an integer self-term: exact in float32


@pytest.mark.parametrize("lam,p,n", [(0.45, 200, 100), (0.85, 40, 60), (0.95, 40, 61), (1.05, 40, 60),
                                     (0.3, 180, 90), (0.55, 120, 81)])
@pytest.mark.parametrize("update,kw", [("sync", {}), ("async", {}), ("blocks", {"blocks": 5})])
def test_decimal_lam_with_larger_p_matches_the_reference(lam, p, n, update, kw):
    fast, ref = both(n, p, m0=0.0, steps=8, lam=lam, update=update, tie="keep", **kw)
    _rounds_and_ties(lam, p, ref)
    assert_identical(fast, ref)


def test_the_reported_lam_045_case_equals_an_exact_integer_coupling_matrix():
    # simulate(1000, 0.2, lam=0.45, m0=0, tie='keep', seed=1) differed from an exact-J run in 11,014 of
    # 200,000 final entries; here its first step against one made by hand with the integer J whose
    # diagonal is lam p - p = -110, and the whole run against the reference
    from hopfield_lab import paper_algorithm
    traj = simulate(1000, 0.2, lam=0.45, m0=0.0, tie="keep", steps=30, seed=1)
    V = random_patterns(1000, 200, seed=1)
    J = paper_algorithm.coupling_matrix(V, 0.0)
    J.diagonal().add_(-110 + 200)  # lam = 0 gives -200 on the diagonal; -110 is wanted
    S = corrupt(V, 0.0, seed=1).float()
    h = J @ S
    assert int((h == 0).sum()) > 0, "the probes must meet exact ties"
    assert torch.equal(paper_algorithm.coupling_matrix(V, 0.45), J)  # the yardstick's J, fixed too
    first = torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, S))  # one 'keep' step by hand
    assert torch.equal(traj.overlaps[1], (V * first).sum(0).double() / 1000)
    ref = reference_run(V, S, lam=0.45, steps=30, tie="keep", seed=1)
    assert torch.equal(traj.final_state, ref["final_state"]) and torch.equal(traj.overlaps, ref["overlaps"])


@pytest.mark.parametrize("update,mode", [("sync", dict(tie="random")), ("sync", dict(tie="keep", lam=0.5)),
                                         ("even-odd", dict(tie="random")), ("sync", dict(temperature=0.3))])
@pytest.mark.parametrize("int8_products", [False, True])
def test_compact_layout_in_small_blocks_matches_the_reference(update, mode, int8_products, monkeypatch):
    # issue 27: the parallel rules hold V as int8 and convert it a block of rows at a time (FIELD_BLOCK),
    # pass over the states in row blocks (PASS_BLOCK) and pack the states of the int8 overlaps a block of
    # probes at a time (OVERLAP_BLOCK); every block size lowered so a run of N = 400 takes several
    from hopfield_lab.fast import arithmetic, int8

    blocks = []
    rows = arithmetic.Network.rows
    monkeypatch.setattr(arithmetic, "FIELD_BLOCK", 48 * 70)
    monkeypatch.setattr(arithmetic, "PASS_BLOCK", 48 * 30)
    monkeypatch.setattr(int8, "OVERLAP_BLOCK", 400 * 20)
    if int8_products:  # else the float products (too small a product for int8)
        if not int8.products_exact():
            pytest.skip("no exact int8 products on this machine")
        monkeypatch.setattr(arithmetic, "INT8_MIN_WORK", 0)
    monkeypatch.setattr(arithmetic.Network, "rows", lambda self, a, b: blocks.append((a, b)) or rows(self, a, b))
    fast, ref = both(400, 48, m0=0.7, steps=25, update=update, **mode)
    assert len({a for a, _ in blocks}) >= 5, "V must be converted in several blocks of rows"
    assert_identical(fast, ref)
