"""The course's notebook files as JupyterLab keeps them: setup cells, saved metadata, a pre-save hook.

Editor and instructor tooling (``make lab``'s Jupyter hook, ``make student``, the tests of the
stored notebooks); ``import hopfield_lab`` does not load it.
"""
from __future__ import annotations

from pathlib import Path

from ..course import REPOSITORY, WIDGET_VIEW, setup_cell


def refresh_setup_cells(folder: str | Path, repository: str = REPOSITORY) -> list[Path]:
    """Make the first code cell of every notebook in ``folder`` the current :func:`setup_cell`.

    Nothing else in the files changes. Returns the notebooks that changed.
    """
    import nbformat

    changed = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        cell = next((c for c in nb.cells if c.cell_type == "code"), None)
        if cell is None or cell.source == setup_cell(repository):
            continue
        cell.source = setup_cell(repository)
        _write_notebook(path, nb)
        changed.append(path)
    return changed


# What JupyterLab (4.x, with the kernel a `make lab` venv installs) writes back when it saves a
# notebook. A stored notebook that differs from it is marked modified as soon as it opens and
# autosave rewrites it, so `git status` lists every notebook a student merely looked at.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _as_javascript_writes(value):
    """``value`` after a trip through JavaScript, which has one number type: 1.0 comes back as 1."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {key: _as_javascript_writes(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_javascript_writes(item) for item in value]
    return value


def normalize_notebook(path: str | Path) -> bool:
    """Rewrite the notebook at ``path`` as JupyterLab would save it, so that opening it changes nothing.

    Three differences made JupyterLab 4 mark the course's notebooks modified on opening (found
    by opening each in JupyterLab in a browser and reading what autosave wrote):

    - ``kernelspec.display_name``: "Python 3" (Colab's) vs "Python 3 (ipykernel)", the name the
      kernel installed by ``make lab`` reports; JupyterLab records the running kernel's spec;
    - integral floats (``"max": 1.0`` in the stored widget state): JavaScript writes them as ``1``;
    - widget state kept in ``metadata.widgets`` although no output shows a widget: removed.

    ``language_info`` is left as the executing kernel wrote it; JupyterLab rewrites it only
    when the student's Python version differs. Returns True if the file changed.
    """
    import nbformat

    path = Path(path)
    nb = _as_javascript_writes(nbformat.read(path, as_version=nbformat.NO_CONVERT))
    metadata = nb.setdefault("metadata", {})
    if metadata.get("kernelspec", {}).get("language", "python") == "python":
        metadata["kernelspec"] = dict(KERNELSPEC)
    shows_widgets = any(WIDGET_VIEW in output.get("data", {})
                        for cell in nb["cells"] for output in cell.get("outputs", []))
    if not shows_widgets:
        metadata.pop("widgets", None)
    return _write_notebook(path, nbformat.from_dict(nb))


def _write_notebook(path: Path, nb) -> bool:
    """Write ``nb`` as nbformat (and the Jupyter server) does; True if the file's text changed."""
    import nbformat

    text = nbformat.writes(nb, version=nbformat.NO_CONVERT)
    text = text if text.endswith("\n") else text + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def keep_stored_kernel_metadata(model: dict, path: str, contents_manager=None, **kwargs) -> None:
    """A Jupyter server pre-save hook (``make lab`` installs it): a notebook keeps the
    ``kernelspec`` and ``language_info`` it has on disk.

    JupyterLab records the running kernel's Python version in ``language_info``; on a machine
    whose Python differs from the one that ran the stored outputs, merely opening a notebook
    would otherwise change it, and autosave would leave it modified for git.
    """
    import json

    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    stored = Path(getattr(contents_manager, "root_dir", ".")) / path.lstrip("/")
    try:
        on_disk = json.loads(stored.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return  # a new notebook, or one that is not JSON: nothing to keep
    metadata = model["content"].setdefault("metadata", {})
    for key in ("kernelspec", "language_info"):
        if key in on_disk:
            metadata[key] = on_disk[key]
