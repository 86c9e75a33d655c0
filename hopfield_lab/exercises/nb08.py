"""Self-checks for Notebook 08: dense associative memory."""
from __future__ import annotations

__all__: list[str] = []
