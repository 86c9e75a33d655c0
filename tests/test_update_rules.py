"""The update rules' registry (hopfield_lab.update_rules): what the engine reads of a rule is right for
every rule, so adding a rule touches update_rules.py, tests/reference.py and README.md, and a test here or
in tests/test_engine_exact.py fails when one of them is forgotten."""
import pathlib

import pytest
import torch

from hopfield_lab.dynamics import evolve
from hopfield_lab.patterns import corrupt, random_patterns
from hopfield_lab.update_rules import (DETERMINISTIC, LAYERED, ONE_AT_A_TIME, PARALLEL, UPDATES, UpdateRule,
                                       validate)
from reference import reference_run

SETTINGS = {"hybrid": {"k": 0.5}, "blocks": {"blocks": 3}}  # a rule that takes a setting, with one
README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def rule(update, **kw):
    return UpdateRule(update, **{**SETTINGS.get(update, {}), **kw})


def covered(sets, n):
    return sorted(i for rows in sets for i in (range(n)[rows] if isinstance(rows, slice) else rows.tolist()))


@pytest.mark.parametrize("update", UPDATES)
def test_every_rule_has_row_sets_that_visit_neurons_at_most_once(update):
    sets = rule(update).row_sets(12, torch.Generator().manual_seed(0))
    visited = covered(sets, 12)
    assert len(visited) == len(set(visited)) and set(visited) <= set(range(12))


def test_the_property_tables_name_rules_that_exist():
    assert set(PARALLEL + ONE_AT_A_TIME + DETERMINISTIC + LAYERED) <= set(UPDATES)
    assert set(LAYERED) <= set(PARALLEL)


@pytest.mark.parametrize("update", UPDATES)
def test_parallel_and_one_at_a_time_say_what_the_row_sets_are(update):
    sets = rule(update).row_sets(12, torch.Generator().manual_seed(0))
    every_neuron_at_once = len(sets) == 1 and covered(sets, 12) == list(range(12))
    every_neuron_alone = len(sets) == 12 and all(len(covered([rows], 12)) == 1 for rows in sets)
    assert rule(update).parallel == every_neuron_at_once
    assert rule(update).one_at_a_time == every_neuron_alone


@pytest.mark.parametrize("update", UPDATES)
def test_deterministic_says_whether_the_seed_can_change_a_run(update):
    # at T = 0 with ties kept only the update order can depend on the seed; a deterministic rule's run
    # (whose 2-cycles the engine proves and drops) must not
    V = random_patterns(60, 9, seed=1)
    S0 = corrupt(V, 0.4, seed=1)
    runs = [reference_run(V, S0, steps=6, seed=seed, tie="keep", **SETTINGS.get(update, {}), update=update)
            for seed in (0, 1, 2)]
    same = all(torch.equal(r["final_state"], runs[0]["final_state"]) and torch.equal(r["overlaps"], runs[0]["overlaps"])
               for r in runs)
    assert rule(update).deterministic == same
    assert not rule(update, temperature=0.1).deterministic


@pytest.mark.parametrize("update", UPDATES)
def test_the_reference_and_the_engine_know_every_rule(update):
    V = random_patterns(30, 4, seed=2)
    S0 = corrupt(V, 0.5, seed=2)
    ref = reference_run(V, S0, steps=3, **SETTINGS.get(update, {}), update=update)
    run = evolve(V, S0, steps=3, **SETTINGS.get(update, {}), update=update)
    assert torch.equal(run.final_state, ref["final_state"])


@pytest.mark.parametrize("update", UPDATES)
def test_the_readme_documents_every_rule(update):
    assert f"`{update}`" in README.read_text(encoding="utf-8"), f"README.md does not describe update={update!r}"


def test_a_rule_is_validated_once_with_a_named_error():
    assert validate(n=10, update="blocks", blocks=10) == UpdateRule("blocks", blocks=10)
    with pytest.raises(ValueError, match="blocks=11 is out of range"):
        validate(n=10, update="blocks", blocks=11)
    with pytest.raises(ValueError, match="update='gibbs'"):
        UpdateRule("gibbs")
    with pytest.raises(ValueError, match="k=None"):
        UpdateRule("hybrid")
    with pytest.raises(Exception):  # frozen: a rule cannot change after its checks
        UpdateRule().temperature = 1.0
