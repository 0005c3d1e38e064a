"""How long-running stages report progress without printing (only the CLI and dev server print).

A stage calls `progress(stage, done, total)` as it goes, e.g. ("render", 120, 2400); the CLI turns
that into a progress bar on a terminal, tests can record it, and the default ignores it.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """The default: nobody is watching."""
