"""Student versions: nbgrader's release plus the course's extras, nothing leaks, the committed copies are current."""
import json
import subprocess
import sys

import nbformat
import pytest

from conftest import NOTEBOOKS, ROOT
from hopfield_lab import course
from hopfield_lab.instructor import notebook_files
from hopfield_lab.__main__ import main
from hopfield_lab.instructor.student import (BEGIN, CONFIG, END, STUDENT_NOTE, exercise_notebooks, is_exercise_notebook,
                                             nbgrader_meta, raises_until_done, write_student_versions)

WITH_EXERCISES = exercise_notebooks(ROOT / "notebooks")
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def nbgrader(grade_id, *, solution=False, grade=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def demo_notebook(name="99_demo.ipynb"):
    """A small exercise notebook with every kind of nbgrader cell the course uses."""
    new_code, new_md = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    cells = [
        new_md(f"# 99 - Demo\n\n{course.colab_badge(name)}\n\ngoals"),
        new_code(f"def double(x):\n    {BEGIN}\n    return 2 * x\n    {END}\n\nprint(double(1))",
                 metadata=nbgrader("double_solution", solution=True)),
        new_code("# NBVAL_CHECK_OUTPUT\nassert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(-3) == -6\n"
                 "### END HIDDEN TESTS", metadata=nbgrader("double_test", grade=True, points=2)),
        new_md("**Think!** Why is 2 x the double of x?"),
        new_md("Because the model answer says so.", metadata=nbgrader("why_answer", solution=True, grade=True, points=1)),
        new_code("answer = 42", metadata=nbgrader("answer_solution", solution=True)),
        new_code("# NBVAL_CHECK_OUTPUT\nprint('done')"),
    ]
    cells[6].outputs = [nbformat.v4.new_output("stream", text="done\n")]
    cells[6].execution_count = 3
    cells[6].metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo notebook, its student version and the course directory made by the CLI."""
    tmp = tmp_path_factory.mktemp("student")
    (tmp / "notebooks").mkdir()
    source = demo_notebook()
    nbformat.write(source, tmp / "notebooks" / "99_demo.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]),
                   tmp / "notebooks" / "98_no_exercise.ipynb")
    (tmp / "student").mkdir()
    (tmp / "student" / "98_no_exercise.ipynb").write_text("{}")  # stale: its notebook has no exercise any more
    assert main(["student", "--source", str(tmp / "notebooks"), "--out", str(tmp / "student"),
                 "--course", str(tmp / "course")]) == 0
    return tmp, source, nbformat.read(tmp / "student" / "99_demo.ipynb", as_version=4)


def test_student_version_is_the_release_with_stubs_no_hidden_tests_and_no_answers(demo):
    tmp, source, student = demo
    assert sorted(p.name for p in (tmp / "student").iterdir()) == ["99_demo.ipynb"]  # only notebooks with exercises now
    cells = student.cells
    assert [c.cell_type for c in cells] == [c.cell_type for c in source.cells]
    assert cells[1].source == f"def double(x):\n    {STUB.replace(chr(10), chr(10) + '    ')}\n\nprint(double(1))"
    assert cells[2].source == "assert double(2) == 4"  # hidden tests and the output check are gone
    assert cells[4].source == "YOUR ANSWER HERE"
    assert cells[5].source == STUB  # a solution cell without markers is stubbed whole
    assert cells[6].source == "print('done')" and cells[6].outputs == [] and cells[6].execution_count is None
    assert all("execution" not in c.metadata for c in cells)
    assert student.metadata.kernelspec == notebook_files.KERNELSPEC  # stored as JupyterLab saves it
    assert nbgrader_meta(cells[2])["checksum"] and nbgrader_meta(cells[2])["points"] == 2  # nbgrader's release metadata


def test_cells_that_fail_until_done_are_tagged_and_only_those(demo):
    _, _, student = demo
    tagged = [i for i, c in enumerate(student.cells) if "raises-exception" in c.metadata.get("tags", [])]
    assert tagged == [1, 2, 5]  # the stubbed solutions (the def cell calls its stub) and the graded test


def test_badge_points_at_the_student_copy_and_the_source_is_untouched(demo):
    tmp, source, student = demo
    intro = student.cells[0].source
    assert intro.startswith("# 99 - Demo (student version)\n")
    assert course.colab_badge("99_demo.ipynb", folder="student") + STUDENT_NOTE in intro
    assert nbformat.read(tmp / "notebooks" / "99_demo.ipynb", as_version=4) == source


def test_course_directory_holds_the_config_and_the_exercise_notebooks(demo):
    tmp, source, _ = demo
    assert (tmp / "course" / "nbgrader_config.py").read_text() == CONFIG.read_text()
    assert sorted(p.name for p in (tmp / "course" / "source" / "hopfield").iterdir()) == ["99_demo.ipynb"]


def test_config_sets_a_long_execute_timeout():
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
    assert Execute(config=config).timeout >= 1800  # nbgrader's default, 30 s, stops the course's long cells


def test_a_solution_region_outside_a_solution_cell_is_refused_with_the_cell(tmp_path, capsys):
    nb = demo_notebook()
    del nb.cells[1].metadata["nbgrader"]
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, tmp_path / "notebooks" / "99_demo.ipynb")
    assert main(["student", "--source", str(tmp_path / "notebooks"), "--out", str(tmp_path / "student")]) == 2
    err = capsys.readouterr().err
    assert "99_demo.ipynb" in err and "Solution region detected in a non-solution cell" in err and "def double" in err
    assert "Traceback" not in err


def test_the_notebooks_with_exercises_are_the_expected_ones():
    assert {p.name[:2] for p in WITH_EXERCISES} >= {"00", "01", "04", "05", "06"}
    assert all(not is_exercise_notebook(nbformat.read(p, as_version=4)) for p in NOTEBOOKS if p not in WITH_EXERCISES)


def test_committed_student_notebooks_are_current(tmp_path):
    fresh = write_student_versions(ROOT / "notebooks", tmp_path)
    committed = sorted((ROOT / "student").glob("*.ipynb"))
    assert [p.name for p in fresh] == [p.name for p in committed], "run `make student` and commit student/"
    for new, old in zip(fresh, committed):
        assert json.loads(new.read_text()) == json.loads(old.read_text()), f"{old.name} is stale: run `make student`"


def instructor_only(path):
    """What a student must not see in the notebook at ``path``: each solution region (its
    lines), the hidden-test lines and the model-answer lines; and the lines anyone may see."""
    solutions, hidden, answers, public = [], [], [], set()
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown" and nbgrader_meta(cell).get("solution"):
            answers += [line.strip() for line in cell.source.splitlines()]
            continue
        region = None
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped.startswith(BEGIN):
                region = []
                solutions.append(region)
            elif stripped.startswith("### BEGIN HIDDEN TESTS"):
                region = hidden
            elif stripped.startswith((END, "### END HIDDEN TESTS")):
                region = None
            elif region is not None:
                region.append(stripped)
            else:
                public.add(stripped)
    return solutions, hidden, answers, public


def leaks(path, student):
    """What of the notebook at ``path`` that only an instructor may see shows in ``student``."""
    text = "\n".join(c.source for c in student.cells[1:])
    lines = {line.strip() for line in text.splitlines()}
    solutions, hidden, answers, public = instructor_only(path)
    found = [marker for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "NBVAL_CHECK_OUTPUT") if marker in text]
    for region in solutions:  # a deeper hint may give a line of a solution, not (nearly) all of it
        substantive = [line.removeprefix("return ") for line in region if len(line) >= 12 and not line.startswith("#")]
        shown = [line for line in substantive if line in text]
        if substantive and 3 * len(shown) >= 2 * len(substantive):
            found.append(f"the solution {region}")
    found += [f"hidden test {line!r}" for line in hidden  # anywhere, also inside a hint
              if len(line) >= 20 and line not in public and line in text]
    found += [f"model answer {line!r}" for line in answers  # as a line: it may repeat a phrase of the lesson
              if len(line) >= 20 and line not in public and line in lines]
    return found


def test_leak_check_catches_a_hint_that_is_the_solution(demo):
    tmp, source, student = demo
    assert leaks(tmp / "notebooks" / "99_demo.ipynb", student) == []
    hinted = nbformat.from_dict(student)
    hinted.cells[3].source += "\n<details><summary>Hint</summary>\n\n`return 2 * x`\n</details>"
    assert leaks(tmp / "notebooks" / "99_demo.ipynb", hinted) == ["the solution ['return 2 * x']"]


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_nothing_leaks_and_failing_cells_are_tagged(path):
    student = nbformat.read(ROOT / "student" / path.name, as_version=4)
    assert leaks(path, student) == []
    for cell in student.cells:
        assert cell.get("outputs", []) == []
        assert raises_until_done(cell) == ("raises-exception" in cell.metadata.get("tags", [])), cell.source[:60]
    assert course.colab_badge(path.name, folder="student") in student.cells[0].source
    assert "student version" in student.cells[0].source


def test_instructor_tooling_is_not_in_the_student_namespace():
    code = ("import sys, hopfield_lab; "
            "print(sorted(m for m in sys.modules if m.startswith('hopfield_lab.instructor')), "
            "hasattr(hopfield_lab.course, 'rewrite_repository'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[]", "False"]
