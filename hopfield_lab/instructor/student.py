"""Student versions of the notebooks, released by nbgrader, and the instructor's course directory.

An exercise notebook carries nbgrader metadata: solution cells (code between
``### BEGIN SOLUTION`` and ``### END SOLUTION``, or a written model answer), autograded test
cells with points (and tests between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``).
Its student version is what ``nbgrader generate_assignment`` releases - solutions replaced by
``# YOUR CODE HERE`` / ``raise NotImplementedError()``, model answers by "YOUR ANSWER HERE",
hidden tests removed, outputs cleared - made by nbgrader itself with the course's
``nbgrader_config.py``, plus three things for this course:

- the "Open in Colab" badge points at the student copy, with a line on how to work;
- the cells that raise until the student has finished (a stubbed solution cell, an
  autograded test cell) are tagged ``raises-exception``, so "Run all" goes on past them and
  the test suite (nbval) can execute the student version;
- ``# NBVAL_CHECK_OUTPUT`` marks and execution timestamps are dropped, and the file is stored
  as JupyterLab saves it (``notebook_files.normalize_notebook``), so opening it changes nothing.

    python -m hopfield_lab student                              # student/*.ipynb from notebooks/
    python -m hopfield_lab student --course ~/hopfield-course   # and an nbgrader course there
"""
from __future__ import annotations

import copy
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

ASSIGNMENT = "hopfield"
CONFIG = Path(__file__).with_name("nbgrader_config.py")
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
RAISES = "raise NotImplementedError()"
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
STUDENT_NOTE = ("\n\n> **Student version.** Fill in the code cells marked `# YOUR CODE HERE` and the answers "
                "marked YOUR ANSWER HERE; the self-check cell after each exercise says what is right and "
                "what is not yet.")


def nbgrader_meta(cell) -> dict:
    """The cell's nbgrader metadata ({} for an ordinary cell)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def is_exercise_notebook(nb) -> bool:
    """Whether ``nb`` has an exercise: a solution or graded cell, or a solution region anywhere
    (nbgrader then refuses a region outside a solution cell and names the cell)."""
    return any(nbgrader_meta(c).get("solution") or nbgrader_meta(c).get("grade") or BEGIN in c.source
               for c in nb.cells)


def exercise_notebooks(source_dir: str | Path = "notebooks") -> list[Path]:
    """The course notebooks in ``source_dir`` (``NN_name.ipynb``) that have exercises."""
    import nbformat

    return [path for path in sorted(Path(source_dir).glob("[0-9][0-9]_*.ipynb"))
            if is_exercise_notebook(nbformat.read(path, as_version=4))]


def make_course(course_dir: str | Path, notebooks: list[Path], assignment: str = ASSIGNMENT) -> Path:
    """Lay out an nbgrader course directory: the course's ``nbgrader_config.py`` and
    ``source/<assignment>/`` holding ``notebooks``. Returns the course directory."""
    course_dir = Path(course_dir).resolve()
    source = course_dir / "source" / assignment
    source.mkdir(parents=True, exist_ok=True)
    shutil.copy(CONFIG, course_dir / "nbgrader_config.py")
    for path in notebooks:
        shutil.copy(path, source / Path(path).name)
    return course_dir


def generate_assignment(course_dir: str | Path, assignment: str = ASSIGNMENT, database: bool = True) -> list[Path]:
    """Run ``nbgrader generate_assignment <assignment>`` in ``course_dir`` with the course's
    config (in this process; ``database=False`` is ``--no-db``). Returns the released notebooks;
    raises ``RuntimeError`` with nbgrader's log if nbgrader refuses."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log
    from traitlets.config.loader import PyFileConfigLoader

    course_dir = Path(course_dir).resolve()
    config = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
    config.CourseDirectory.root = str(course_dir)
    config.CourseDirectory.assignment_id = assignment
    config.BaseConverter.force = True
    if not database:  # what `--no-db` sets
        config.SaveCells.enabled, config.GenerateAssignment.no_database = False, True
    elif shutil.which("alembic") is None:  # nbgrader's gradebook runs `alembic` from PATH
        os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    app = GenerateAssignment(coursedir=CourseDirectory(config=config), config=config)
    level = app.log.level
    app.log.setLevel(logging.INFO)  # the log then names each notebook as nbgrader converts it
    try:
        result = capture_log(app)
    finally:
        app.log.setLevel(level)
    if not result["success"]:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{_without_tracebacks(result['log'])}")
    return sorted((course_dir / "release" / assignment).glob("*.ipynb"))


def _without_tracebacks(log: str) -> str:
    """nbgrader's warnings and errors (with the cell they quote) and the notebooks it converted."""
    kept, keeping = [], False
    for line in log.splitlines():
        if line.startswith("["):
            keeping = (line.startswith(("[WARNING]", "[ERROR]")) and not line.startswith("[ERROR] Traceback")
                       or "Converting notebook" in line)
        if keeping:
            kept.append(line)
    return "\n".join(kept)


def raises_until_done(cell) -> bool:
    """Whether a released code cell raises until the student has finished: a stubbed solution
    cell, or an autograded test cell (its asserts fail on the stub)."""
    meta = nbgrader_meta(cell)
    if cell.cell_type != "code":
        return False
    if meta.get("solution"):
        return RAISES in cell.source
    return bool(meta.get("grade"))


def student_notebook(released, name: str, repository: str | None = None):
    """Our student version of ``released`` (the nbformat node nbgrader released for the
    notebook file ``name``): the badge, the ``raises-exception`` tags, no output checks and
    no execution timestamps."""
    from nbgrader.utils import compute_checksum

    from .. import course

    repository = repository or course.REPOSITORY
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timestamps of the instructor's run
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines() if line.strip() != CHECK_MARK)
        if source != cell.source:
            cell.source = source
            if "checksum" in nbgrader_meta(cell):  # keep `nbgrader validate` content with the cell
                cell.metadata.nbgrader.checksum = compute_checksum(cell)
        tags = list(cell.metadata.get("tags", []))
        if raises_until_done(cell) and "raises-exception" not in tags:
            cell.metadata["tags"] = tags + ["raises-exception"]
    intro = nb.cells[0]
    badge = course.colab_badge(name, repository)
    if badge in intro.source:
        title, rest = intro.source.split("\n", 1)
        student_badge = course.colab_badge(name, repository, folder="student")
        intro.source = f"{title} (student version)\n" + rest.replace(badge, student_badge + STUDENT_NOTE, 1)
    return nb


def write_student_versions(source_dir: str | Path = "notebooks", out_dir: str | Path = "student",
                           repository: str | None = None, course_dir: str | Path | None = None) -> list[Path]:
    """Write the student version of every exercise notebook in ``source_dir`` to ``out_dir``
    (nbgrader releases them in a scratch course directory) and remove stale ones (``NN_*.ipynb``
    whose notebook has no exercise any more); returns the paths written. With
    ``course_dir``, also lay out an nbgrader course directory there for the instructor
    (:func:`make_course`; then ``nbgrader generate_assignment hopfield`` in it)."""
    import nbformat

    from . import notebook_files

    notebooks = exercise_notebooks(source_dir)
    if course_dir is not None:
        make_course(course_dir, notebooks)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        released = generate_assignment(make_course(scratch, notebooks), database=False)
        written = []
        for path in released:
            target = out_dir / path.name
            nbformat.write(student_notebook(nbformat.read(path, as_version=4), path.name, repository), target)
            notebook_files.normalize_notebook(target)
            written.append(target)
    for stale in set(out_dir.glob("[0-9][0-9]_*.ipynb")) - set(written):  # its notebook has no exercise any more
        stale.unlink()
    return written
