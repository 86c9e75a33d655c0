"""Sphinx configuration of the course website (``make site``).

Every notebook of ``notebooks/`` is a page rendered from its stored outputs: nothing runs at
build time. The build reads copies of them in ``site/notebooks/`` (ignored by git, refreshed
from ``notebooks/`` at every build), so that a page's links to its neighbours resolve. The
launch buttons use ``hopfield_lab.course.REPOSITORY``, the one place the notebooks' badges and
setup cells take the repository from, and open the student version of a notebook where one
exists (``student/``), the course notebook otherwise.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from hopfield_lab import course  # noqa: E402


def sync_notebooks() -> list[str]:
    """Copy ``notebooks/NN_*.ipynb`` to ``site/notebooks/`` (only what changed), drop stale copies."""
    source, copies = ROOT / "notebooks", HERE / "notebooks"
    copies.mkdir(exist_ok=True)
    names = sorted(p.name for p in source.glob("[0-9][0-9]_*.ipynb"))
    for name in names:
        data = (source / name).read_bytes()
        if not (copies / name).exists() or (copies / name).read_bytes() != data:
            (copies / name).write_bytes(data)
    for stale in copies.glob("*.ipynb"):
        if stale.name not in names:
            stale.unlink()
    return names


NOTEBOOKS = sync_notebooks()

project = "hopfield-lab"
author = "the hopfield-lab authors"
copyright = "the hopfield-lab authors (MIT licence)"
root_doc = "index"

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.mathjax", "sphinx-mathjax-offline"]
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]

# --- notebooks: stored outputs only -----------------------------------------------------------
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
# The explorer widgets store a picture of their first setting beside the widget view; a static
# page shows that picture (the widget itself needs a kernel), and loads no widget JavaScript.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}

# --- math without network: MathJax 3 bundled by sphinx-mathjax-offline ------------------------
# (it copies MathJax into _static/mathjax and sets mathjax_path to it)

# --- API page ----------------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"

# --- theme and launch buttons ------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "hopfield-lab"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_context = {"default_mode": "light"}  # the notebooks' figures have white backgrounds
html_theme_options = {
    "repository_url": f"https://github.com/{course.REPOSITORY}",
    "repository_branch": course.BRANCH,
    "path_to_docs": "",  # page notebooks/NN_x -> notebooks/NN_x.ipynb in the repository
    "use_repository_button": True,
    "use_download_button": True,
    "launch_buttons": {
        "colab_url": "https://colab.research.google.com",
        "binderhub_url": "https://mybinder.org",
        "notebook_interface": "jupyterlab",
    },
    "show_navbar_depth": 1,
}


def launch_target(pagename: str) -> tuple[str, str] | None:
    """(folder, file) that a notebook page's launch buttons open: student/ where it exists."""
    if not pagename.startswith("notebooks/"):
        return None
    name = pagename.split("/", 1)[1] + ".ipynb"
    folder = "student" if (ROOT / "student" / name).exists() else "notebooks"
    return folder, name


def launch_urls(pagename: str) -> dict[str, str]:
    """The Colab and Binder URLs of a notebook page, from ``hopfield_lab.course``."""
    target = launch_target(pagename)
    if target is None:
        return {}
    folder, name = target
    return {"Colab": course.colab_url(name, course.REPOSITORY, folder),
            "Binder": f"https://mybinder.org/v2/gh/{course.REPOSITORY}/{course.BRANCH}"
                      f"?urlpath=lab/tree/{folder}/{name}"}


def _point_launch_buttons(app, pagename, templatename, context, doctree):
    """Runs after the theme built its launch buttons: point them at the student versions."""
    urls = launch_urls(pagename)
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group["buttons"]:
            if button.get("text") in urls:
                button["url"] = urls[button["text"]]


COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"


def _adapt_notebook_page(app, docname, source):
    """Two links of a notebook that mean something else on this site: its "course map" link
    (``../README.md``) is the home page, and its "Open in Colab" badge shows a copy of the
    badge shipped with the site, so that every page displays without network."""
    if docname.startswith("notebooks/"):
        source[0] = (source[0].replace("](../README.md)", "](../index.md)")
                     .replace(f"]({COLAB_BADGE})", "](../_static/colab-badge.svg)"))


def setup(app):
    app.connect("source-read", _adapt_notebook_page)
    app.connect("html-page-context", _point_launch_buttons, priority=600)
