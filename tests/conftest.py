import contextlib
import os
import pathlib
import signal

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture
def no_ci(monkeypatch):
    """Run as on a student's machine: CI unset."""
    monkeypatch.delenv("CI", raising=False)

# property tests (hypothesis): under CI the same examples every run (a failure reproduces; no flaky landing),
# elsewhere fresh ones each run
from hypothesis import settings as _settings  # noqa: E402

_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}:
    _settings.load_profile("ci")


@contextlib.contextmanager
def ends_within(seconds):
    """Turn a hang into a failure (SIGALRM); not a timing assertion: the limit is generous."""
    def alarm(signum, frame):
        raise AssertionError(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
