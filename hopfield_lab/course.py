"""The course's own plumbing: where it lives, the setup cell every notebook starts with.

``REPOSITORY`` is the one place that names the course's GitHub repository; the notebooks'
"Open in Colab" badges and their setup cells carry the same slug, and a test checks that
they agree. An instructor who forks the course runs ``python -m hopfield_lab badges
OWNER/REPO`` once to point everything at the fork (``hopfield_lab.instructor.badges``).

The tools that edit the notebook files (setup cells, JupyterLab's way of saving) are
instructor tooling: :mod:`hopfield_lab.instructor.notebook_files`.
"""
from __future__ import annotations


from .device import hardware, on_colab

REPOSITORY = "hopfield-lab/hopfield-lab"
BRANCH = "main"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"  # the MIME type of a widget in a notebook output

SETUP_CELL = '''# @title Setup: run this cell first {{ display-mode: "form" }}
# On Google Colab this installs the course package `hopfield_lab` (only it: torch, numpy and
# ipywidgets stay as Colab ships them). Elsewhere `make lab` has installed everything.
import importlib.util, subprocess, sys

REPOSITORY = "{repository}"
if "google.colab" in sys.modules and importlib.util.find_spec("hopfield_lab") is None:
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                          f"git+https://github.com/{{REPOSITORY}}"], capture_output=True, text=True)
    if pip.returncode:  # say why: no network, no such repository (a fork's name), or pip's own words
        why = "pip says:"
        if "resolve host" in pip.stderr:
            why = "this runtime cannot reach github.com (no network?)"
        elif "not found" in pip.stderr or "Username" in pip.stderr:
            why = f"no public repository github.com/{{REPOSITORY}}: set REPOSITORY to the course's OWNER/REPO"
        raise RuntimeError(f"Installing the course package failed: {{why}}\\n{{pip.stderr[-600:]}}")
try:
    import hopfield_lab as hl
except ModuleNotFoundError:
    raise ModuleNotFoundError(f"This kernel ({{sys.executable}}) has no hopfield_lab. Run `make lab` in the "
                              "course folder and open the notebook there, or pick the course's kernel "
                              "(Kernel > Change Kernel).") from None
hl.course.welcome()'''


def setup_cell(repository: str = REPOSITORY) -> str:
    """The source of the setup cell for the course hosted at ``repository`` ("owner/name")."""
    return SETUP_CELL.format(repository=repository)


def colab_url(notebook: str, repository: str = REPOSITORY, folder: str = "notebooks") -> str:
    """The "Open in Colab" link of ``notebook`` (a file name in ``folder``)."""
    return f"https://colab.research.google.com/github/{repository}/blob/{BRANCH}/{folder}/{notebook}"


def colab_badge(notebook: str, repository: str = REPOSITORY, folder: str = "notebooks") -> str:
    """Markdown for the "Open in Colab" badge of ``notebook``."""
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab_url(notebook, repository, folder)})")


def welcome() -> None:
    """Print which device runs and which problem sizes follow; on Colab without a GPU, how to get one."""
    hw = hardware()
    lines = [f"hopfield_lab ready. {hw}"]
    if on_colab() and hw.device.type != "cuda":
        lines.append("This Colab runtime has no GPU. For the large simulations switch to one: "
                     "Runtime > Change runtime type > Hardware accelerator: T4 GPU > Save, "
                     "then run this notebook again from the top.")
    print("\n".join(lines))
