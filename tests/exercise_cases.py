"""Shared by the tests/test_exercises_nbXX.py files: a check accepts the solution and rejects
the stub and every plausible wrong answer, saying what is wrong."""


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
