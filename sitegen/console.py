"""Terminal output for the CLI and the dev server: the progress bar and the build summary.

Library code only calls a progress callback (progress.py); this is the one place that draws it.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, TextIO

from .build import BuildResult

if TYPE_CHECKING:
    from tqdm import tqdm

SHOW_AFTER_SECONDS = 1.0  # quick builds finish before a bar would be any use; don't flash one


class TerminalProgress:
    """A progress callback that draws one bar per stage, once the build has run for a second.

    Nothing is drawn when the stream is not a terminal (CI logs, pipes) or when disabled (--quiet).
    """

    def __init__(self, enabled: bool = True, stream: TextIO | None = None):
        self._stream = stream or sys.stderr
        self._enabled = enabled and self._stream.isatty()
        self._started = time.monotonic()
        self._bar: tqdm | None = None
        self._stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self._enabled or time.monotonic() - self._started < SHOW_AFTER_SECONDS:
            return
        if self._bar is None:
            from tqdm import tqdm  # here: most builds end before a bar is drawn (40 ms to import)

            self._bar = tqdm(total=total, file=self._stream, leave=False, unit="file",
                             dynamic_ncols=True)
        if stage != self._stage:
            self._stage = stage
            self._bar.reset(total=total)
            self._bar.set_description(stage)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def summary(result: BuildResult) -> str:
    """Pages by kind, files written/unchanged/removed, and where the time went."""
    report = result.report
    seconds = sum(result.stage_seconds.values())
    lines = [f"built {result.pages} pages ({result.article_count} articles, "
             f"{result.page_count} pages) in {seconds:.2f}s: {report.written} written, "
             f"{report.unchanged} unchanged, {report.removed} removed"]
    if result.up_to_date:
        lines.append("nothing changed since the last build: every output file checked, none rendered")
    if result.pages_by_kind:
        lines.append("pages by kind: " + ", ".join(f"{kind} {count}"
                                                   for kind, count in result.pages_by_kind.items()))
    lines.append("time: " + ", ".join(f"{stage} {spent:.2f}s"
                                      for stage, spent in result.stage_seconds.items()))
    if result.site.next_scheduled:
        lines.append(f"next scheduled article due at {result.site.next_scheduled.isoformat()}")
    return "\n".join(lines)
