"""Student versions: stubs instead of solutions, nothing leaks, and the committed copies are current."""
import json

import nbformat
import pytest

from conftest import NOTEBOOKS, ROOT
from hopfield_lab import course
from hopfield_lab.student import BEGIN, END, strip_solutions, write_student_versions

WITH_EXERCISES = [p for p in NOTEBOOKS if BEGIN in p.read_text()]


def test_strip_solutions_keeps_indentation_and_the_rest():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\nprint(f(1))"
    out, found = strip_solutions(source)
    assert found
    assert out == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\nprint(f(1))"
    assert strip_solutions("x = 1") == ("x = 1", False)
    with pytest.raises(ValueError, match="never closed"):
        strip_solutions(f"{BEGIN}\nx = 1")


def test_the_notebooks_with_exercises_are_the_expected_ones():
    assert {p.name[:2] for p in WITH_EXERCISES} >= {"00", "01", "04", "05", "06"}


def test_committed_student_notebooks_are_current(tmp_path):
    fresh = write_student_versions(ROOT / "notebooks", tmp_path)
    committed = sorted((ROOT / "student").glob("*.ipynb"))
    assert [p.name for p in fresh] == [p.name for p in committed], "run `make student` and commit student/"
    for new, old in zip(fresh, committed):
        assert json.loads(new.read_text()) == json.loads(old.read_text()), f"{old.name} is stale: run `make student`"


def solution_lines(path):
    lines, inside = [], False
    for cell in nbformat.read(path, as_version=4).cells:
        for line in cell.source.splitlines():
            if line.strip().startswith(BEGIN):
                inside = True
            elif line.strip().startswith(END):
                inside = False
            elif inside and len(line.strip()) >= 20:
                lines.append(line.strip())
    return lines


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=lambda p: p.name)
def test_no_solution_leaks_and_stub_cells_are_tagged(path):
    student = nbformat.read(ROOT / "student" / path.name, as_version=4)
    code = [c for c in student.cells if c.cell_type == "code"]
    text = "\n".join(c.source for c in code)
    assert BEGIN not in text and END not in text and "NBVAL_CHECK_OUTPUT" not in text
    for line in solution_lines(path):
        assert line not in text, f"solution line leaked: {line}"
    for cell in code:
        assert cell.outputs == []
        stubbed = "raise NotImplementedError()" in cell.source
        assert stubbed == ("raises-exception" in cell.metadata.get("tags", [])), cell.source[:60]
    assert course.colab_badge(path.name, folder="student") in student.cells[0].source
    assert "student version" in student.cells[0].source


def test_student_notebook_drops_solution_markdown_and_clears_outputs():
    from hopfield_lab.student import student_notebook

    nb = nbformat.v4.new_notebook()
    intro = nbformat.v4.new_markdown_cell(f"# Title\n\n{course.colab_badge('99_x.ipynb')}\n\ngoals")
    answer = nbformat.v4.new_markdown_cell("The answer is 42.")
    answer.metadata["tags"] = ["solution"]
    task = nbformat.v4.new_code_cell(f"def f():\n    {BEGIN}\n    return 42\n    {END}\nf()")
    task.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "42"}, execution_count=1)]
    check = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(f)")
    nb.cells = [intro, answer, task, check]
    out = student_notebook(nb, "99_x.ipynb")
    assert [c.cell_type for c in out.cells] == ["markdown", "code", "code"]
    assert "The answer is 42." not in json.dumps(out)
    assert out.cells[1].outputs == [] and out.cells[1].metadata["tags"] == ["raises-exception"]
    assert "return 42" not in out.cells[1].source and "raise NotImplementedError()" in out.cells[1].source
    assert out.cells[2].source == "print(f)" and "tags" not in out.cells[2].metadata
    assert out.cells[0].source.startswith("# Title (student version)\n")
    assert nb.cells[2].outputs  # the source notebook is left as it was
