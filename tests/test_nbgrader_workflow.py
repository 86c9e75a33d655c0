"""The instructor's nbgrader workflow, end to end, on a temporary course directory.

As README "For instructors" shows it: ``python -m hopfield_lab student --course DIR`` lays out
the course (its nbgrader_config.py, source/hopfield/ with every exercise notebook), ``nbgrader
generate_assignment hopfield`` releases them, and ``nbgrader autograde hopfield`` grades
five students: "solution" hands in the course notebooks, "stub" the student versions as
released, "wrong", "wrong2" and "wrong3" the student versions with every stub replaced by a
wrong answer (WRONG of nbgrader_wrong_answers.py, then the first two of each exercise's
tests/wrong_answers/nbXX.py): three wrong answers per exercise graded by nbgrader itself. The
scores are read from the gradebook.

Autograde executes every notebook five times, so this is the slowest test. To keep it cheap
the notebooks run at CI sizes (CI=true) whatever the environment says, the submissions leave
out the code cells after the last test cell and the self-contained demonstrations tagged
"autograde-skip" (they cannot change a score; nbval runs them in notebooks/ and student/), and the students' autogrades run three and then two at once, each
into its own copy of the gradebook.
"""
import ast
import html
import os
import re
import shutil
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from hopfield_lab.__main__ import main
from hopfield_lab.instructor.student import (ASSIGNMENT, CHECK_MARK, exercise_notebooks, nbgrader_meta,
                                             raises_until_done)
from nbgrader_wrong_answers import WRONG, more_wrong

pytest.importorskip("nbgrader")

SOURCE = ROOT / "notebooks"
EXERCISES = exercise_notebooks(SOURCE)
STUDENTS = ("solution", "stub", "wrong", "wrong2", "wrong3")
# three wrong answers per exercise through nbgrader itself: WRONG, and two of tests/wrong_answers/nbXX.py
WRONG_ANSWERS = {"wrong": WRONG, "wrong2": more_wrong(0), "wrong3": more_wrong(1)}
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
COURSE_ID = "hopfield-lab"  # set by the course's nbgrader_config.py
Score = namedtuple("Score", "score max_score auto_score needs_manual_grade cell_type")


def with_venv_path(env):
    """``env`` with this Python's bin folder first on PATH: nbgrader's gradebook runs ``alembic`` from PATH."""
    return {**env, "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])}


def start_nbgrader(course, *args, log):
    """``nbgrader <args>`` started in the course directory, as an instructor would; its log goes to ``log``."""
    env = {k: v for k, v in os.environ.items() if k != "HOPFIELD_LAB_CACHE"}  # each student's sweeps cache apart
    env = with_venv_path({**env, "CI": "true"})
    with open(log, "w") as out:  # the child keeps its own handle
        return subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, stdout=out,
                                stderr=subprocess.STDOUT)


def start_autograde(course, student, *extra):
    return start_nbgrader(course, "autograde", ASSIGNMENT, "--student", student, "--db", gradebook(course, student),
                          *extra, log=course / f"autograde-{student}.log")


def finish(process, log):
    """Wait for an nbgrader process; its log, asserting that it succeeded."""
    process.wait()
    text = Path(log).read_text()
    assert process.returncode == 0, f"{' '.join(map(str, process.args[2:]))} failed:\n{text[-6000:]}"
    return text


def nbgrader(course, *args):
    """``nbgrader <args>`` run in the course directory; its log."""
    log = course / f"{args[0]}.log"
    return finish(start_nbgrader(course, *args, log=log), log)


def code_solution(cell):
    return cell.cell_type == "code" and nbgrader_meta(cell).get("solution")


def solution_cells(nb):
    return [c for c in nb.cells if code_solution(c)]


def autograded(cell):
    """A test cell autograde scores (a graded code cell that is not a student's answer)."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")


def fill_stubs(source, answers):
    """``source`` with each stub replaced by the next of ``answers``, indented like the stub."""
    answers = [answers] if isinstance(answers, str) else list(answers)
    lines, out, i = source.splitlines(), [], 0
    while i < len(lines):
        if lines[i].strip() == STUB[0] and i + 1 < len(lines) and lines[i + 1].strip() == STUB[1]:
            assert answers, f"more stubs than wrong answers in:\n{source}"
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            out += [indent + line if line else line for line in answers.pop(0).splitlines()]
            i += 2
        else:
            out.append(lines[i])
            i += 1
    assert not answers, f"more wrong answers than stubs in:\n{source}"
    return "\n".join(out)


SKIP = "autograde-skip"  # the tag of a self-contained demonstration no graded cell depends on (01, 04: MNIST movies)


def graded_part(nb):
    """``nb`` without the ordinary code cells after its last autograded test cell and without the
    cells tagged SKIP: they cannot change a score (the written answers after it are markdown, not
    executed, and stay; the solution's full score shows that no graded cell needs a skipped one)."""
    nb = nbformat.from_dict(nb)
    last = max(i for i, c in enumerate(nb.cells) if autograded(c))
    nb.cells = [c for i, c in enumerate(nb.cells)
                if c.cell_type != "code" or nbgrader_meta(c) or i <= last and SKIP not in c.metadata.get("tags", [])]
    return nb


def wrong_submission(student_version, answers=WRONG):
    nb = nbformat.from_dict(student_version)
    for cell in solution_cells(nb):
        cell.source = fill_stubs(cell.source, answers[nbgrader_meta(cell)["grade_id"]])
    return nb


def gradebook(course, student):
    """The student's copy of the gradebook (see the ``graded`` fixture)."""
    return f"sqlite:///{course / f'gradebook-{student}.db'}"


def read_scores(course):
    """{(student, notebook): {grade_id: Score}} from the gradebooks, with nbgrader's Gradebook API."""
    from nbgrader.api import Gradebook

    scores = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", with_venv_path(dict(os.environ))["PATH"])
        for student in STUDENTS:
            with Gradebook(gradebook(course, student), course_id=COURSE_ID) as gb:
                assert gb.find_assignment(ASSIGNMENT).course_id == COURSE_ID  # the CLI read the course's config
                for path in EXERCISES:
                    submission = gb.find_submission_notebook(path.stem, ASSIGNMENT, student)
                    scores[student, path.stem] = {
                        g.name: Score(g.score, g.max_score, g.auto_score, g.needs_manual_grade, g.cell.cell_type)
                        for g in submission.grades}
    return scores


def hidden_lines(source):
    """Line numbers (1-based) between ### BEGIN HIDDEN TESTS and ### END HIDDEN TESTS."""
    lines, inside = set(), False
    for number, line in enumerate(source.splitlines(), 1):
        if line.strip().startswith("### BEGIN HIDDEN TESTS"):
            inside = True
        elif line.strip().startswith("### END HIDDEN TESTS"):
            inside = False
        elif inside:
            lines.add(number)
    return lines


def bound_and_loaded(source):
    """Names a cell binds, with their line numbers, and names it reads, with theirs."""
    tree = ast.parse("\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()))
    bound, loaded = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).append((node.id, node.lineno))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound += [((a.asname or a.name).split(".")[0], node.lineno) for a in node.names]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.append((node.name, node.lineno))
        elif isinstance(node, ast.arg):
            bound.append((node.arg, node.lineno))
    return bound, loaded


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_hidden_tests_stand_alone(path):
    """A name hidden tests read is not made only by another cell's hidden tests: those do not
    run once that cell's visible assert fails, and a right answer would then lose points."""
    cells = [c for c in nbformat.read(path, 4).cells if c.cell_type == "code"]
    made_in_hidden, made_elsewhere = {}, set()
    for cell in cells:
        hidden = hidden_lines(cell.source)
        for name, line in bound_and_loaded(cell.source)[0]:
            if line in hidden:
                made_in_hidden.setdefault(name, nbgrader_meta(cell).get("grade_id"))
            else:
                made_elsewhere.add(name)
    for cell in cells:
        hidden = hidden_lines(cell.source)
        bound, loaded = bound_and_loaded(cell.source)
        own = {name for name, _ in bound}
        for name, line in loaded:
            if line in hidden and name not in own and name not in made_elsewhere and name in made_in_hidden:
                raise AssertionError(f"{path.name}: the hidden tests of {nbgrader_meta(cell).get('grade_id')} use "
                                     f"{name!r}, which only the hidden tests of {made_in_hidden[name]} define")


Graded = namedtuple("Graded", "course student_dir log scores")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if not EXERCISES:
        pytest.skip("no exercise notebooks")
    missing = [nbgrader_meta(c)["grade_id"] for p in EXERCISES for c in solution_cells(nbformat.read(p, 4))
               if nbgrader_meta(c)["grade_id"] not in WRONG]
    assert not missing, f"add wrong answers for {missing} to tests/nbgrader_wrong_answers.py"
    tmp = tmp_path_factory.mktemp("nbgrader")
    course, student_dir = tmp / "course", tmp / "student"
    assert main(["student", "--source", str(SOURCE), "--out", str(student_dir),
                 "--course", str(course)]) == 0
    log = {"generate_assignment": nbgrader(course, "generate_assignment", ASSIGNMENT)}
    released = {p.name: nbformat.read(student_dir / p.name, 4) for p in EXERCISES}
    submissions = {"solution": {p.name: nbformat.read(p, 4) for p in EXERCISES},
                   "stub": released,
                   **{student: {name: wrong_submission(nb, answers) for name, nb in released.items()}
                      for student, answers in WRONG_ANSWERS.items()}}
    for student, notebooks in submissions.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        for name, nb in notebooks.items():
            nbformat.write(graded_part(nb), folder / name)
        # SQLite takes one writer at a time, so each student's autograde writes to its own copy of the gradebook
        shutil.copy(course / "gradebook.db", course / f"gradebook-{student}.db")
    # At most three autogrades at once (both cores of a CI machine busy), in two waves: more at once made
    # their kernels race for TCP ports ("ZMQError: Address already in use"); a run that loses such a race
    # anyway is repeated once
    for wave in (STUDENTS[:3], STUDENTS[3:]):
        running = {student: start_autograde(course, student) for student in wave}
        for student, process in running.items():
            logfile = course / f"autograde-{student}.log"
            process.wait()
            if process.returncode and "Address already in use" in logfile.read_text():
                process = start_autograde(course, student, "--force")
            log[f"autograde {student}"] = finish(process, logfile)
    return Graded(course, student_dir, log, read_scores(course))


def outputs_of(graded, student, notebook, grade_id):
    """What the autograded cell printed, for failure messages."""
    nb = nbformat.read(graded.course / "autograded" / student / ASSIGNMENT / f"{notebook}.ipynb", 4)
    cell = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)
    return "\n".join(o.get("text", "") or "\n".join(o.get("traceback", [])) for o in cell.outputs)[-3000:]


def test_generate_assignment_releases_every_exercise_notebook(graded):
    released = sorted(p.name for p in (graded.course / "release" / ASSIGNMENT).glob("*.ipynb"))
    assert released == [p.name for p in EXERCISES]


def comparable(nb):
    """The cells of a release without the course's extras (intro badge, tags, output checks)."""
    cells = []
    for i, cell in enumerate(nb.cells):
        meta = {k: v for k, v in nbgrader_meta(cell).items() if k != "checksum"}
        source = "" if i == 0 else "\n".join(l for l in cell.source.splitlines() if l.strip() != CHECK_MARK)
        cells.append((cell.cell_type, source, meta, cell.get("outputs", [])))
    return cells


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_student_version_is_what_nbgrader_releases(graded, path):
    cli = nbformat.read(graded.course / "release" / ASSIGNMENT / path.name, 4)
    ours = nbformat.read(graded.student_dir / path.name, 4)
    assert comparable(ours) == comparable(cli)


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_solutions_get_full_points(graded, path):
    scores = graded.scores["solution", path.stem]
    assert any(s.cell_type == "code" for s in scores.values()), f"{path.name} has no autograded test cell"
    for grade_id, s in scores.items():
        if s.cell_type == "code":
            assert s.score == s.max_score > 0, (f"{path.name} {grade_id}: {s.score} of {s.max_score} points for the "
                                                f"solution:\n{outputs_of(graded, 'solution', path.stem, grade_id)}")
        else:  # a written answer: graded by hand
            assert s.needs_manual_grade and s.auto_score is None, (grade_id, s)


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_released_stubs_get_zero(graded, path):
    for grade_id, s in graded.scores["stub", path.stem].items():
        assert s.score == 0 and not s.needs_manual_grade, (
            f"{path.name} {grade_id}: {s.score} of {s.max_score} points for the unfinished stub "
            f"(needs manual grade: {s.needs_manual_grade}):\n{outputs_of(graded, 'stub', path.stem, grade_id)}")


@pytest.mark.parametrize("student", list(WRONG_ANSWERS))
@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_each_wrong_answer_loses_points(graded, path, student):
    """The first autograded test cell after each wrong solution cell scores below full, by an
    assert that rejects the answer (not by a crash of the test cell itself); three wrong answers
    per exercise, each in its own submission."""
    scores = graded.scores[student, path.stem]
    cells = nbformat.read(path, 4).cells
    autograded_nb = nbformat.read(graded.course / "autograded" / student / ASSIGNMENT / path.name, 4)
    for i, cell in enumerate(cells):
        if code_solution(cell):
            test = next((c for c in cells[i + 1:] if autograded(c)), None)
            solution_id = nbgrader_meta(cell)["grade_id"]
            assert test is not None, f"{path.name}: no autograded test cell after {solution_id}"
            test_id = nbgrader_meta(test)["grade_id"]
            s = scores[test_id]
            assert s.score < s.max_score, (f"{path.name}: the wrong {solution_id} gets full points in {test_id}:\n"
                                           f"{WRONG_ANSWERS[student][solution_id]}\n"
                                           f"{outputs_of(graded, student, path.stem, test_id)}")
            ran = next(c for c in autograded_nb.cells if nbgrader_meta(c).get("grade_id") == test_id)
            assert [o.ename for o in ran.outputs if o.output_type == "error"] == ["AssertionError"], (
                f"{path.name} {test_id} did not reject the wrong {solution_id} by an assert:\n"
                f"{outputs_of(graded, student, path.stem, test_id)}")


@pytest.mark.parametrize("student", ["solution", "stub"])
def test_errors_only_where_expected(graded, student):
    """Solutions run clean; a student version raises only in cells tagged raises-exception (nbval runs it)."""
    for path in EXERCISES:
        nb = nbformat.read(graded.course / "autograded" / student / ASSIGNMENT / path.name, 4)
        for cell in nb.cells:
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            if errors and (student == "solution" or not raises_until_done(cell)):
                raise AssertionError(f"{student} {path.name}: cell raises {errors[0].ename}: {errors[0].evalue}\n"
                                     f"{cell.source[:400]}")


def test_feedback_and_export(graded):
    db = gradebook(graded.course, "wrong")
    graded.log["feedback"] = nbgrader(graded.course, "generate_feedback", ASSIGNMENT, "--student", "wrong", "--db", db)
    feedback = graded.course / "feedback" / "wrong" / ASSIGNMENT
    assert sorted(p.stem for p in feedback.glob("*.html")) == [p.stem for p in EXERCISES]
    # hidden tests stay hidden: no hidden test's code, nor a traceback quoting it, reaches the student
    for path in EXERCISES:
        page = (feedback / f"{path.stem}.html").read_text()
        text = html.unescape(re.sub(r"<[^>]+>", "", page))  # what the page shows (code highlighting removed)
        source = nbformat.read(path, 4)
        regions = [cell.source.split("BEGIN HIDDEN TESTS", 1)[1].split("END HIDDEN TESTS")[0]
                   for cell in source.cells if autograded(cell) and "BEGIN HIDDEN TESTS" in cell.source]
        visible = "\n".join(cell.source for cell in source.cells)
        for region in regions:
            visible = visible.replace(region, "")
        hidden = [line.strip() for region in regions for line in region.splitlines()[1:]
                  if len(line.strip()) > 12 and line.strip() not in visible]  # lines only hidden tests have
        assert hidden, f"{path.name}: the case must have hidden tests"
        shown = [line for line in hidden if line in text]
        assert not shown, f"{path.name}: hidden test code in the feedback: {shown[:3]}"
        assert "BEGIN HIDDEN TESTS" not in text
        assert "Cell In[" not in text, f"{path.name}: a traceback quoting the test cell's code is shown"
    graded.log["export"] = nbgrader(graded.course, "export", "--db", db)
    rows = (graded.course / "grades.csv").read_text().splitlines()
    assert rows[0].startswith("assignment,duedate,timestamp,student_id") and rows[1].startswith(f"{ASSIGNMENT},")
