"""Point the course at an instructor's fork: every badge, setup cell and ``course.REPOSITORY``.

    python -m hopfield_lab badges my-school/hopfield-lab
"""
from __future__ import annotations

import re
from pathlib import Path


def rewrite_repository(new: str, root: str | Path = ".") -> list[Path]:
    """Point the course at repository ``new`` ("OWNER/REPO"), for an instructor's fork.

    Rewrites, under ``root``, the Colab and Binder badges of every notebook (``notebooks/``,
    ``student/``) and of README.md, the setup cells' ``REPOSITORY`` and ``REPOSITORY`` in
    ``hopfield_lab/course.py``; nothing else changes. Returns the files that changed.
    """
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", new):
        raise ValueError(f"repository={new!r} is not allowed; expected OWNER/REPO, e.g. 'my-school/hopfield-lab'")
    root = Path(root)
    setting = root / "hopfield_lab" / "course.py"
    old = re.search(r'^REPOSITORY = "([^"]+)"', setting.read_text(), re.M).group(1)
    pairs = [(f"github/{old}/blob/", f"github/{new}/blob/"), (f"/v2/gh/{old}/", f"/v2/gh/{new}/"),
             (f'REPOSITORY = \\"{old}\\"', f'REPOSITORY = \\"{new}\\"'),  # inside notebook JSON
             (f'REPOSITORY = "{old}"', f'REPOSITORY = "{new}"')]
    files = [*sorted((root / "notebooks").glob("*.ipynb")), *sorted((root / "student").glob("*.ipynb")),
             root / "README.md", setting]
    changed = []
    for path in files:
        if not path.exists():
            continue
        text = path.read_text()
        new_text = text
        for before, after in pairs:
            new_text = new_text.replace(before, after)
        if new_text != text:
            path.write_text(new_text)
            changed.append(path)
    return changed
