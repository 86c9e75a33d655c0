"""The course's own plumbing: where it lives, the setup cell every notebook starts with.

``REPOSITORY`` is the one place that names the course's GitHub repository; the notebooks'
"Open in Colab" badges and their setup cells carry the same slug, and a test checks that
they agree. An instructor who forks the course runs ``python -m hopfield_lab badges
OWNER/REPO`` once to point everything at the fork (``hopfield_lab.instructor.badges``).
"""
from __future__ import annotations

from .device import hardware, on_colab

REPOSITORY = "hopfield-lab/hopfield-lab"
BRANCH = "main"

SETUP_CELL = '''# @title Setup: run this cell first {{ display-mode: "form" }}
# On Google Colab this installs the course package `hopfield_lab` (and nothing else: torch,
# numpy and ipywidgets stay as Colab ships them). Anywhere else it does nothing: `make lab`
# has installed everything already.
import importlib.util, subprocess, sys

REPOSITORY = "{repository}"
if "google.colab" in sys.modules and importlib.util.find_spec("hopfield_lab") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    f"git+https://github.com/{{REPOSITORY}}"], check=True)

import hopfield_lab as hl
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
