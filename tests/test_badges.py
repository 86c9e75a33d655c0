"""The badge command rewrites every badge and setup cell for a fork, and nothing else."""
import json
import re
import shutil

import pytest

from conftest import ROOT
from hopfield_lab import course
from hopfield_lab.__main__ import main


@pytest.fixture
def tree(tmp_path):
    for folder in ("notebooks", "student"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns(".*"))
    (tmp_path / "hopfield_lab").mkdir()
    shutil.copy(ROOT / "hopfield_lab" / "course.py", tmp_path / "hopfield_lab" / "course.py")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    return tmp_path


def test_every_badge_and_setup_cell_is_rewritten_and_nothing_else(tree, capsys):
    before = {p: p.read_text() for p in tree.rglob("*") if p.is_file()}
    assert main(["badges", "my-school/hopfield-fork", "--root", str(tree)]) == 0
    old, new = course.REPOSITORY, "my-school/hopfield-fork"
    for path, text in before.items():
        after = path.read_text()
        assert old not in after, f"{path.name} still names {old}"
        # line by line: a line changed only where it named the old repository, and only that
        for line_before, line_after in zip(text.splitlines(), after.splitlines(), strict=True):
            assert line_after == line_before.replace(old, new)
    for nb in (tree / "notebooks").glob("*.ipynb"):
        cells = json.loads(nb.read_text())["cells"]
        intro, setup = "".join(cells[0]["source"]), "".join(cells[1]["source"])
        assert course.colab_badge(nb.name, new) in intro
        assert setup == course.setup_cell(new)
    readme = (tree / "README.md").read_text()
    assert len(re.findall(re.escape(f"github/{new}/blob/"), readme)) >= 1
    assert f"/v2/gh/{new}/" in readme
    assert f'REPOSITORY = "{new}"' in (tree / "hopfield_lab" / "course.py").read_text()
    assert "rewrote" in capsys.readouterr().out


def test_bad_slug_is_refused(tree, capsys):
    assert main(["badges", "not a repo", "--root", str(tree)]) == 2
    assert "expected OWNER/REPO" in capsys.readouterr().err
