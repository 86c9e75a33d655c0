"""Self-checks for Notebook 07: learning rules beyond Hebb."""
from __future__ import annotations

__all__: list[str] = []
