"""A learner's path (`make lab`): the notebooks a learner works on live in the git-ignored
work/ folder, so running and saving them leaves `git status` clean; nbgrader stays out of the
learner's install and out of the JupyterLab that `make lab` starts.

The JupyterLab check starts the real `make lab` (on a free port, in a temporary git repository
holding the course files) and asks its server, without a browser; the check in a browser
(headless Chromium: file browser, menus, Run All, save) is manual, see the README.
"""
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NBGRADER_EXTENSIONS = ["nbgrader.server_extensions." + e for e in
                       ("formgrader", "validate_assignment", "assignment_list", "course_list")]
INSTRUCTOR_TOOLS = {"nbgrader", "nbval", "pytest", "hypothesis", "dask", "nbconvert", "nbformat"}

needs_git_make = pytest.mark.skipif(not (shutil.which("git") and shutil.which("make")),
                                    reason="needs git and make")


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t",
                           *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def course_repo(tmp_path):
    """A git repository with what `make work` / `make lab` read, committed (as a fresh clone)."""
    repo = tmp_path / "course"
    for name in ("Makefile", ".gitignore", "pyproject.toml", "requirements.txt"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, repo / name)
    for folder in ("notebooks", "student"):
        (repo / folder).mkdir()
        for nb in (ROOT / folder).glob("[0-9][0-9]_*.ipynb"):
            shutil.copy(nb, repo / folder / nb.name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "course")
    return repo


def make(repo, *args, **kw):
    return subprocess.run(["make", "--no-print-directory", *args], cwd=repo, capture_output=True,
                          text=True, check=True, **kw)


@needs_git_make
def test_work_copies_the_student_versions_and_leaves_git_status_clean(course_repo):
    out = make(course_repo, "work").stdout
    work = course_repo / "work"
    course = sorted(p.name for p in (course_repo / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    student = sorted(p.name for p in (course_repo / "student").glob("[0-9][0-9]_*.ipynb"))
    assert student and set(student) < set(course)
    assert sorted(p.name for p in work.glob("*.ipynb")) == course
    for name in course:
        source = "student" if name in student else "notebooks"
        assert (work / name).read_bytes() == (course_repo / source / name).read_bytes(), name
        assert f"copied {source}/{name} to work/{name}" in out
    # the model answers beside them, for after a try
    assert sorted(p.name for p in (work / "solutions").glob("*.ipynb")) == student
    assert git(course_repo, "status", "--porcelain", "--untracked-files=all") == ""

    # a learner's run and save, then `make lab` again (e.g. after `git pull`): nothing is overwritten
    mine = work / student[0]
    mine.write_text(mine.read_text(encoding="utf-8").replace("YOUR CODE HERE", "my answer"),
                    encoding="utf-8")
    edited = mine.read_bytes()
    assert edited != (course_repo / "student" / student[0]).read_bytes()
    (work / course[-1]).unlink()
    again = make(course_repo, "work").stdout
    assert mine.read_bytes() == edited
    assert again.strip() == f"copied {'student' if course[-1] in student else 'notebooks'}/{course[-1]} to work/{course[-1]}"
    assert git(course_repo, "status", "--porcelain", "--untracked-files=all") == ""


def _extras():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]

    def closure(extra):
        names = set()
        for req in extras[extra]:
            name = re.match(r"[A-Za-z0-9_.-]+", req).group(0).lower().replace("-", "_")
            inner = re.search(r"\[(.*?)\]", req)
            if name == project["name"].lower().replace("-", "_"):
                for sub in inner.group(1).split(","):
                    names |= closure(sub.strip())
            else:
                names.add(name.replace("_", "-"))
        return names

    base = {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower() for r in project["dependencies"]}
    return base, closure


def test_the_student_install_set_has_no_instructor_or_test_tools():
    base, closure = _extras()
    learner = base | closure("lab")
    assert {"jupyterlab", "ipykernel", "ipywidgets", "torch"} <= learner
    assert not learner & INSTRUCTOR_TOOLS, learner & INSTRUCTOR_TOOLS
    # the instructors' and tests' set has them, on top of the learner's
    assert learner - base <= closure("dev")
    assert {"nbgrader", "nbval", "pytest", "hypothesis", "dask"} <= closure("dev")
    # requirements.txt (what `make lab` installs) asks for the learner's set and nothing else
    lines = [line.split("#")[0].strip() for line in
             (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    assert [line for line in lines if line] == ["-e .[lab]"]


@needs_git_make
def test_make_installs_the_instructor_tools_only_for_tests(course_repo, tmp_path):
    venv = tmp_path / "venv"  # dry runs (make -n): nothing is installed
    lab = make(course_repo, "-n", "lab", f"VENV={venv}").stdout
    test = make(course_repo, "-n", "test", f"VENV={venv}").stdout
    assert "-r requirements.txt" in lab and ".[dev]" not in lab
    assert '".[dev]"' in test
    assert "--notebook-dir=work" in lab
    for ext in NBGRADER_EXTENSIONS:
        assert f"--ServerApp.jpserver_extensions={ext}=False" in lab


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, ""


@needs_git_make
def test_make_lab_serves_work_without_nbgrader_and_a_save_leaves_git_status_clean(course_repo, tmp_path):
    pytest.importorskip("jupyterlab")
    # `make lab` with this test's Python environment as its venv (the stamp marked as made)
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "bin").symlink_to(Path(sys.executable).parent)
    port, token = free_port(), "learner-path-test"
    env = dict(os.environ, JUPYTER_PORT=str(port), JUPYTER_TOKEN=token, BROWSER="true",
               JUPYTER_CONFIG_PATH="")
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(["make", "--no-print-directory", "-o", f"{venv}/.installed", "lab",
                                 f"VENV={venv}"], cwd=course_repo, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base, auth = f"http://127.0.0.1:{port}", f"token={token}"
    try:
        for _ in range(240):
            if proc.poll() is not None:
                pytest.fail("make lab exited:\n" + log.read_text())
            try:
                if get(f"{base}/api/status?{auth}")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer in 120 s:\n" + log.read_text())

        # the server's root is work/: the learner's copies and the solutions, nothing tracked
        status, listing = get(f"{base}/api/contents?{auth}")
        names = {item["name"] for item in json.loads(listing)["content"]}
        assert status == 200 and "solutions" in names and "01_hebbian_theory.ipynb" in names
        assert not names & {"notebooks", "student", "README.md", "Makefile"}

        # nbgrader's pages are not served and its lab extension is disabled
        nbgrader_installed = importlib.util.find_spec("nbgrader") is not None
        assert get(f"{base}/formgrader?{auth}")[0] == 404
        page = get(f"{base}/lab?{auth}")[1]
        config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S).group(1))
        federated = {ext["name"] for ext in config.get("federated_extensions", [])}
        if "@jupyter/nbgrader" in federated:
            assert "@jupyter/nbgrader" in config["disabledExtensions"]

        # a save through JupyterLab's contents API (what Ctrl+S and autosave do)
        name = "01_hebbian_theory.ipynb"
        status, body = get(f"{base}/api/contents/{name}?{auth}")
        model = json.loads(body)
        model["content"]["cells"][0]["source"] += "\n\nmy notes"
        request = urllib.request.Request(
            f"{base}/api/contents/{name}?{auth}", method="PUT",
            data=json.dumps({"type": "notebook", "format": "json", "content": model["content"]}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as r:
            assert r.status == 200
        assert "my notes" in (course_repo / "work" / name).read_text(encoding="utf-8")
        assert git(course_repo, "status", "--porcelain", "--untracked-files=all") == ""
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    text = log.read_text()
    assert "Serving notebooks from local directory" in text and str(course_repo / "work") in text
    server_lines = [line for line in text.splitlines() if line.startswith("[")]  # not make's echo
    assert len(server_lines) > 5
    assert not [line for line in server_lines if "nbgrader" in line.lower()]
    if nbgrader_installed:  # the case that matters: `make test` has put nbgrader into the venv
        assert "@jupyter/nbgrader" in federated
