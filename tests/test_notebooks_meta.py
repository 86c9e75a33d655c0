"""The notebooks' common structure, the setup cell, and that a failing cell fails the tests."""
import json
import subprocess
import sys
import types

import pytest

from conftest import NOTEBOOKS, ROOT
from hopfield_lab import course


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


def run_setup_cell(monkeypatch, colab: bool):
    calls, real_run = [], subprocess.run

    def fake_run(cmd, *args, **kwargs):  # record pip installs; anything else (e.g. `uname`) runs
        if isinstance(cmd, (list, tuple)) and "pip" in cmd:
            calls.append(((cmd, *args), kwargs))
            return None
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
