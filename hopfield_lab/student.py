"""Student versions of the notebooks: solutions replaced by stubs, outputs cleared.

The course notebooks carry their solutions between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` (nbgrader's convention, so nbgrader works on them as they are). A
student version replaces each such block by a stub that raises ``NotImplementedError``,
tags the cell ``raises-exception`` (so the test suite may execute it), drops markdown
cells tagged ``solution``, removes output checks, clears every output and points the
"Open in Colab" badge at the student copy. Only notebooks with exercises get one.

    python -m hopfield_lab student            # writes student/*.ipynb from notebooks/
"""
from __future__ import annotations

import copy
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
STUDENT_NOTE = ("\n\n> **Student version.** Fill in the code cells marked `# YOUR CODE HERE`; "
                "the self-check cell after each exercise says what is right and what is not yet.")


def strip_solutions(source: str) -> tuple[str, bool]:
    """``source`` with every solution block replaced by an indented stub; and whether any was found."""
    out, inside, found = [], False, False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            if inside:
                raise ValueError(f"nested {BEGIN!r}")
            inside, found = True, True
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + STUB[0], indent + STUB[1]]
        elif stripped.startswith(END):
            if not inside:
                raise ValueError(f"{END!r} without {BEGIN!r}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN!r} is never closed")
    return "\n".join(out), found


def has_solutions(nb) -> bool:
    return any(c.cell_type == "code" and BEGIN in c.source for c in nb.cells)


def student_notebook(nb, name: str, repository: str | None = None):
    """The student version of notebook ``nb`` (an nbformat node) whose file name is ``name``."""
    from . import course

    repository = repository or course.REPOSITORY
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = list(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type == "markdown" and "solution" in tags:
            continue
        if cell.cell_type == "code":
            source, stubbed = strip_solutions(cell.source)
            cell.source = "\n".join(line for line in source.splitlines() if line.strip() != CHECK_MARK)
            cell.outputs, cell.execution_count = [], None
            if stubbed and "raises-exception" not in tags:
                cell.metadata["tags"] = tags + ["raises-exception"]
        cells.append(cell)
    intro = cells[0]
    badge = course.colab_badge(name, repository)
    if badge in intro.source:
        title, rest = intro.source.split("\n", 1)
        student_badge = course.colab_badge(name, repository, folder="student")
        intro.source = f"{title} (student version)\n" + rest.replace(badge, student_badge + STUDENT_NOTE, 1)
    nb.cells = cells
    return nb


def write_student_versions(source_dir: str | Path = "notebooks", out_dir: str | Path = "student",
                           repository: str | None = None) -> list[Path]:
    """Write the student version of every notebook in ``source_dir`` that has exercises; returns the paths."""
    import nbformat

    source_dir, out_dir = Path(source_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source_dir.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if not has_solutions(nb):
            continue
        target = out_dir / path.name
        nbformat.write(student_notebook(nb, path.name, repository), target)
        written.append(target)
    return written
