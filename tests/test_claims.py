import pytest
import torch

from hopfield_lab.claims import ClaimFailed, claim


def test_a_true_claim_prints_the_sentence_and_the_value(capsys):
    assert claim("the slope is close to 3", 2.93, between=(2.6, 3.4)) == 2.93
    assert capsys.readouterr().out == "✓ the slope is close to 3 (2.93)\n"


@pytest.mark.parametrize("value,bounds", [
    (3.5, dict(between=(2.6, 3.4))), (0.1, dict(above=0.1)), (0.2, dict(below=0.2)),
    (4, dict(at_least=5)), (6, dict(at_most=5)), (3, dict(equals=0)), (0.5, dict(equals=0.4, tol=0.05)),
    (False, {}), ([0.9, 0.7], dict(at_least=0.8)), (float("nan"), dict(below=1.0)),
])
def test_a_contradicted_claim_raises_with_the_sentence_and_the_value(value, bounds):
    with pytest.raises(ClaimFailed, match="the claim in words"):
        claim("the claim in words", value, **bounds)


def test_bounds_are_inclusive_or_strict_as_named_and_tensors_are_read(capsys):
    claim("at least", 5, at_least=5)
    claim("a tensor scalar", torch.tensor(0.25), between=(0.2, 0.3))
    claim("within tolerance", 0.43, equals=0.4, tol=0.05)
    claim("a bool", True, shown="custom text")
    out = capsys.readouterr().out
    assert "✓ a tensor scalar (0.25)" in out and "✓ a bool (custom text)" in out


def test_bad_use_is_a_clear_value_error():
    with pytest.raises(ValueError, match="text="):
        claim("", 1.0, above=0)
    with pytest.raises(ValueError, match="between="):
        claim("x", 1.0, between=(1,))
    with pytest.raises(ValueError, match="value=0.5 .*without a bound"):
        claim("x", 0.5)


@pytest.mark.parametrize("value,bounds", [
    (0.1, dict(below=0.2)), (0.3, dict(above=0.2)), (5, dict(at_most=5)), (5, dict(at_least=5)),
    (4, dict(at_most=5)), (2.6, dict(between=(2.6, 3.4))), (3.4, dict(between=(2.6, 3.4))),
])
def test_every_bound_passes_the_values_it_names(value, bounds, capsys):
    # a mutation inverting `below` (x > below instead of x < below) survived: no case passed a below or at_most bound
    assert claim("the claim", value, **bounds) == value
    assert capsys.readouterr().out.startswith("✓ the claim")
