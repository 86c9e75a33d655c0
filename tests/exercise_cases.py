"""Shared by the tests/test_exercises_nbXX.py files: a check accepts the solution and rejects
the stub and every plausible wrong answer, saying what is wrong."""
import pytest


def stub(*args):
    raise NotImplementedError()


def assert_check_accepts_solution_rejects_stub_and_wrong(check, solution, wrong_answers, capsys, says=None):
    """``says``: optional list, one expected phrase per wrong answer (the feedback must name the mistake)."""
    assert check(solution) is True
    assert "all checks passed" in capsys.readouterr().out
    assert check(stub) is False
    assert "not implemented yet" in capsys.readouterr().out
    for i, wrong in enumerate(wrong_answers):
        assert check(wrong) is False, f"wrong answer {i} passed"
        out = capsys.readouterr().out
        assert "✗" in out  # says what is wrong
        if says is not None and says[i] is not None:
            assert says[i] in out, f"wrong answer {i}: feedback does not name the mistake: {out}"


def assert_cases(cases: dict, check, capsys, variants_only: bool = False):
    """For CASES = {check: (solution, [correct variants], [(wrong answer, phrase naming the mistake)])}:
    the solution passes, the stub and every wrong answer fail with their mistake named; or, with
    ``variants_only``, every correct answer written differently passes."""
    solution, variants, wrong = cases[check]
    if variants_only:
        for other in variants:
            assert check(other) is True, capsys.readouterr().out
            capsys.readouterr()
        return
    assert_check_accepts_solution_rejects_stub_and_wrong(check, solution, [w for w, _ in wrong], capsys,
                                                         says=[s for _, s in wrong])


def case_tests(cases: dict):
    """The two tests of a module's CASES table (see assert_cases), for the module to bind to its
    own test_ names: the solution, stub and wrong answers; and the correct answers written differently."""
    @pytest.mark.parametrize("check", list(cases), ids=lambda c: c.__name__)
    def solution_stub_and_wrong_answers(check, capsys):
        assert_cases(cases, check, capsys)

    @pytest.mark.parametrize("check", list(cases), ids=lambda c: c.__name__)
    def correct_answers_written_differently(check, capsys):
        assert_cases(cases, check, capsys, variants_only=True)

    return solution_stub_and_wrong_answers, correct_answers_written_differently
