import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture
def no_ci(monkeypatch):
    """Run as on a student's machine: CI unset."""
    monkeypatch.delenv("CI", raising=False)
