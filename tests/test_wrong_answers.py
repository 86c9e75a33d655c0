"""Wrong answers lose their points, their self-check names the mistake, and correct answers keep them.

For every exercise notebook: each wrong answer of ``tests/wrong_answers/nbXX.py`` (MORE_WRONG) and
of ``tests/nbgrader_wrong_answers.py`` (WRONG) replaces the model answer; the exercise's autograded
test cell is then run as nbgrader's autograde runs it, hidden tests included (the cell raises:
0 points). It must raise, and the self-check in it must have printed its phrase, never "all checks
passed" (a self-check that passes an answer the hidden tests fail would tell the student a wrong
answer is right). Each correct alternative (RIGHT) and the model answer must pass the whole cell.

In process and fast: the namespace of a notebook is its imports and function definitions, the
model answers of the other exercises (an answer may call an earlier one) and the module's PRELUDE;
the notebook's experiments are not run (nbval and tests/test_nbgrader_workflow.py run them).
"""
import ast
import contextlib
import importlib
import io
import json

import pytest

from conftest import NOTEBOOKS
from nbgrader_wrong_answers import WRONG

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN = "### BEGIN HIDDEN TESTS"


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _source(cell):
    return "".join(cell["source"])


def exercise_notebooks():
    out = []
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text())["cells"]
        if any(_meta(c).get("solution") and c["cell_type"] == "code" for c in cells):
            out.append(path)
    return out


def answers_module(path):
    try:
        return importlib.import_module(f"wrong_answers.nb{path.name[:2]}")
    except ModuleNotFoundError:
        return None


def fill(source, answers):
    """``source`` with the region of each BEGIN / END SOLUTION pair replaced by the next answer,
    indented like the marker."""
    answers = [answers] if isinstance(answers, str) else list(answers)
    lines, out, i = source.splitlines(), [], 0
    while i < len(lines):
        if lines[i].strip() == BEGIN:
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            while lines[i].strip() != END:
                i += 1
            assert answers, f"more solution regions than answers in:\n{source}"
            out += [indent + line if line else line for line in answers.pop(0).splitlines()]
        else:
            out.append(lines[i])
        i += 1
    assert not answers, f"more answers than solution regions in:\n{source}"
    return "\n".join(out)


def _definitions(source):
    """The imports and function / class definitions of a cell (what later cells may use), one by one."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics
        return []
    keep = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))]
    return [ast.get_source_segment(source, n) for n in keep]


class Exercises:
    """One exercise notebook: its prelude, solution cells and test cells by grade_id."""

    def __init__(self, path):
        self.path = path
        self.cells = json.loads(path.read_text())["cells"]
        module = answers_module(path)
        self.more = getattr(module, "MORE_WRONG", {})
        self.right = getattr(module, "RIGHT", {})
        self.prelude_extra = getattr(module, "PRELUDE", "")
        self.solutions = {_meta(c)["grade_id"]: _source(c) for c in self.cells
                          if c["cell_type"] == "code" and _meta(c).get("solution")}
        self.tests = [(i, _meta(c)["grade_id"], _source(c)) for i, c in enumerate(self.cells)
                      if c["cell_type"] == "code" and _meta(c).get("grade") and not _meta(c).get("solution")]

    def test_cell_for(self, solution_id):
        """The first autograded test cell after the solution cell."""
        where = next(i for i, c in enumerate(self.cells) if _meta(c).get("grade_id") == solution_id)
        return next(src for i, _, src in self.tests if i > where)

    def namespace(self, solution_id, answer):
        ns = {"__name__": "__exercise__"}
        with contextlib.redirect_stdout(io.StringIO()):
            exec("import hopfield_lab as hl", ns)
            for cell in self.cells:
                if cell["cell_type"] != "code" or _meta(cell).get("grade"):
                    continue
                gid = _meta(cell).get("grade_id")
                if gid in self.solutions:
                    changed = gid == solution_id and answer is not None
                    exec(fill(self.solutions[gid], answer) if changed else self.solutions[gid], ns)
                    continue
                for definition in _definitions(_source(cell)):
                    try:  # a definition whose defaults need the notebook's variables is left out
                        exec(definition, ns)
                    except NameError:
                        pass
            exec(self.prelude_extra, ns)
        return ns

    def grade(self, solution_id, answer=None):
        """Run the test cell after ``answer`` (None: the model answer): (points kept?, what the
        self-check printed)."""
        ns = self.namespace(solution_id, answer)
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                exec(self.test_cell_for(solution_id), ns)
        except Exception:  # noqa: BLE001 - any exception costs the cell's points, as in autograde
            return False, printed.getvalue()
        return True, printed.getvalue()


def _cases(kind):
    cases = []
    for path in exercise_notebooks():
        ex = Exercises(path)
        for gid in ex.solutions:
            if kind == "model":
                cases.append(pytest.param(path, gid, None, None, id=f"{path.stem[:2]}-{gid}"))
            elif kind == "wrong":
                wrong = ([(WRONG[gid], None)] if gid in WRONG else []) + list(ex.more.get(gid, []))
                for k, (answer, phrase) in enumerate(wrong):
                    cases.append(pytest.param(path, gid, answer, phrase, id=f"{path.stem[:2]}-{gid}-{k}"))
            else:
                for k, answer in enumerate(ex.right.get(gid, [])):
                    cases.append(pytest.param(path, gid, answer, None, id=f"{path.stem[:2]}-{gid}-{k}"))
    return cases


@pytest.fixture(autouse=True)
def _ci_sizes(monkeypatch):
    monkeypatch.setenv("CI", "true")


@pytest.mark.parametrize("path,gid,answer,phrase", _cases("model"))
def test_the_model_answer_keeps_its_points(path, gid, answer, phrase):
    kept, printed = Exercises(path).grade(gid)
    assert kept, printed
    assert "all checks passed" in printed


@pytest.mark.parametrize("path,gid,answer,phrase", _cases("wrong"))
def test_a_wrong_answer_loses_its_points_and_is_named(path, gid, answer, phrase):
    kept, printed = Exercises(path).grade(gid, answer)
    assert not kept, f"a wrong answer kept its points:\n{answer}\n{printed}"
    assert "all checks passed" not in printed, f"the self-check passed an answer the hidden tests fail:\n{printed}"
    if phrase is not None:
        assert phrase in printed, f"the self-check does not name the mistake ({phrase!r}):\n{printed}"


@pytest.mark.parametrize("path,gid,answer,phrase", _cases("right"))
def test_a_correct_alternative_keeps_its_points(path, gid, answer, phrase):
    kept, printed = Exercises(path).grade(gid, answer)
    assert kept and "all checks passed" in printed, f"a correct answer lost its points:\n{answer}\n{printed}"


def test_every_exercise_has_three_new_wrong_answers():
    missing = {}
    for path in exercise_notebooks():
        ex = Exercises(path)
        for gid in ex.solutions:
            if len(ex.more.get(gid, [])) < 3:
                missing[f"{path.stem[:2]}:{gid}"] = len(ex.more.get(gid, []))
    assert not missing, f"exercises with fewer than 3 wrong answers in tests/wrong_answers/: {missing}"
