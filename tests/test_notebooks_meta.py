"""The notebooks' common structure, the setup cell, and that a failing cell fails the tests."""
import json
import subprocess
import sys
import types

import pytest

from conftest import NOTEBOOKS, ROOT
from hopfield_lab import course
from hopfield_lab.instructor import notebook_files


def cells(path):
    return json.loads(path.read_text())["cells"]


def source(cell):
    return "".join(cell["source"])


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:1] == ["00_environment_check.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_title_badge_goals_times_and_the_setup_cell(path):
    nb = cells(path)
    intro = source(nb[0])
    assert intro.startswith("# ")
    assert course.colab_badge(path.name) in intro
    assert "Learning goals" in intro and "CPU" in intro and "GPU" in intro
    first_code = next(c for c in nb if c["cell_type"] == "code")
    assert source(first_code) == course.setup_cell()
    outro = source(nb[-1])
    assert "Summary" in outro and "Next" in outro


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_errors_and_small_files(path):
    for cell in cells(path):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", source(cell)[:80]
    assert path.stat().st_size < 3e6


STORED = NOTEBOOKS + sorted((ROOT / "student").glob("[0-9][0-9]_*.ipynb"))


def run_setup_cell(monkeypatch, colab: bool, pip_returncode: int = 0, pip_stderr: str = ""):
    calls, real_run = [], subprocess.run

    def fake_run(cmd, *args, **kwargs):  # record pip installs; anything else (e.g. `uname`) runs
        if isinstance(cmd, (list, tuple)) and "pip" in cmd:
            calls.append(((cmd, *args), kwargs))
            return subprocess.CompletedProcess(cmd, pip_returncode, "", pip_stderr)
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", fake_run)
    if colab:
        monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
        import importlib.util

        monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    exec(compile(course.setup_cell(), "setup-cell", "exec"), {})
    return calls


def test_setup_cell_does_nothing_outside_colab(monkeypatch, capsys):
    assert run_setup_cell(monkeypatch, colab=False) == []
    assert "hopfield_lab ready" in capsys.readouterr().out


def test_setup_cell_on_colab_installs_only_the_course_package(monkeypatch, capsys):
    calls = run_setup_cell(monkeypatch, colab=True)
    assert len(calls) == 1
    cmd = calls[0][0][0]
    assert cmd[1:4] == ["-m", "pip", "install"] and "--no-deps" in cmd
    assert cmd[-1] == f"git+https://github.com/{course.REPOSITORY}"
    assert not any("torch" in c or "ipywidgets" in c for c in cmd)
    assert "Change runtime type" in capsys.readouterr().out  # no GPU here: say how to get one


@pytest.mark.parametrize("stderr, why", [
    ("fatal: unable to access 'https://github.com/x/': Could not resolve host: github.com", "cannot reach github.com"),
    ("fatal: could not read Username for 'https://github.com': No such device or address",
     f"no public repository github.com/{course.REPOSITORY}"),
    ("remote: Repository not found.", "set REPOSITORY to the course's OWNER/REPO"),
    ("ERROR: No matching distribution found for something", "pip says:"),
])
def test_setup_cell_on_colab_says_why_an_install_failed(monkeypatch, stderr, why):
    with pytest.raises(RuntimeError) as failed:
        run_setup_cell(monkeypatch, colab=True, pip_returncode=1, pip_stderr=stderr)
    message = str(failed.value)
    assert message.startswith("Installing the course package failed") and why in message
    assert stderr in message  # pip's own words follow


def test_setup_cell_in_a_kernel_without_the_package_says_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "hopfield_lab", None)  # `import hopfield_lab` fails as in a foreign kernel
    with pytest.raises(ModuleNotFoundError) as failed:
        run_setup_cell(monkeypatch, colab=False)
    message = str(failed.value)
    assert "make lab" in message and "Change Kernel" in message and sys.executable in message
    assert failed.value.__suppress_context__  # one clear error, not a chained traceback


def test_setup_cell_stays_short():
    assert len(course.setup_cell().splitlines()) <= 25


def test_refresh_setup_cells_replaces_only_the_first_code_cell(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("import hopfield_lab as hl  # old"),
                nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, tmp_path / "01_a.ipynb")
    assert notebook_files.refresh_setup_cells(tmp_path) == [tmp_path / "01_a.ipynb"]
    new = nbformat.read(tmp_path / "01_a.ipynb", as_version=4)
    assert [c.source for c in new.cells] == ["# Title", course.setup_cell(), "x = 1"]
    assert [c.id for c in new.cells] == [c.id for c in nb.cells]
    assert notebook_files.refresh_setup_cells(tmp_path) == []  # nothing left to do


def test_normalize_notebook_writes_what_jupyterlab_saves(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                            "version_minor": 0}}
    cell = nbformat.v4.new_code_cell("x", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "x"}, metadata={"width": 500.0, "r": 0.5})]
    nb.cells = [cell]
    path = tmp_path / "a.ipynb"
    nbformat.write(nb, path)
    assert notebook_files.normalize_notebook(path) is True
    text = path.read_text()
    assert '"width": 500\n' in text and '"r": 0.5' in text  # JavaScript writes 500.0 as 500
    data = json.loads(text)
    assert data["metadata"]["kernelspec"] == notebook_files.KERNELSPEC
    assert "widgets" not in data["metadata"]  # no output shows a widget: the state is stale
    assert notebook_files.normalize_notebook(path) is False  # idempotent


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_stored_notebooks_are_normalized(path, tmp_path):
    """Opening them in JupyterLab then changes nothing (fix: notebook_files.normalize_notebook)."""
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    assert notebook_files.normalize_notebook(copy) is False, f"run hopfield_lab.notebook_files.normalize_notebook on {path}"


def test_the_pre_save_hook_keeps_the_stored_kernel_metadata(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(notebook_files.KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    (tmp_path / "nb").mkdir()
    nbformat.write(nb, tmp_path / "nb" / "a.ipynb")
    model = {"type": "notebook", "content": json.loads(nbformat.writes(nb))}
    model["content"]["metadata"]["language_info"]["version"] = "3.12.3"  # the student's kernel
    model["content"]["metadata"]["kernelspec"]["display_name"] = "Python 3"
    notebook_files.keep_stored_kernel_metadata(model=model, path="nb/a.ipynb", contents_manager=types.SimpleNamespace(root_dir=str(tmp_path)))
    assert model["content"]["metadata"]["language_info"]["version"] == "3.11.7"
    assert model["content"]["metadata"]["kernelspec"] == notebook_files.KERNELSPEC
    fresh = {"type": "notebook", "content": {"metadata": {"language_info": {"version": "3.12.3"}}}}
    notebook_files.keep_stored_kernel_metadata(model=fresh, path="nb/new.ipynb", contents_manager=None)  # not on disk yet
    assert fresh["content"]["metadata"]["language_info"]["version"] == "3.12.3"


def test_a_notebook_cell_that_raises_fails_the_test_command(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("raise RuntimeError('boom')")]
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval-lax",
                          "--nbval-current-env", str(path)], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1, run.stdout[-2000:]
    assert "boom" in run.stdout
