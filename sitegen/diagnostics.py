"""Compiler-style diagnostics shared by every build stage.

One format everywhere (design §8), relative to the site root, so editors can click through and
tests can pin the exact position:

    content/articles/x.md:3:7: error: front matter 'date': expected a date ...
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    CONTENT_ERROR = 1
    USAGE_ERROR = 2


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in one file; `line` and `col` are 1-based and optional."""

    path: str
    line: int | None
    col: int | None
    message: str
    severity: str = "error"

    def format(self) -> str:
        """One line, always: a key or file name holding a newline must not forge another line."""
        position = _one_line(self.path)
        if self.line is not None:
            position += f":{self.line}"
            if self.col is not None:
                position += f":{self.col}"
        if not position:
            return f"{self.severity}: {_one_line(self.message)}"
        return f"{position}: {self.severity}: {_one_line(self.message)}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple[str, int, int, str]:
        """File order, then position; a diagnostic without a line comes first in its file."""
        return (self.path, self.line or 0, self.col or 0, self.message)


def _one_line(text: str) -> str:
    """Control characters (newlines, escapes that recolour a terminal) shown as \\n, \\x1b."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or unicodedata.category(c) in ("Cf", "Zs")
                   else repr(c)[1:-1] for c in text)


def error(path: str, message: str, line: int | None = None, col: int | None = None) -> Diagnostic:
    return Diagnostic(path, line, col, message, "error")


def warning(path: str, message: str, line: int | None = None, col: int | None = None) -> Diagnostic:
    return Diagnostic(path, line, col, message, "warning")


class BuildError(Exception):
    """Raised between stages when a stage reported errors; carries every diagnostic at once."""

    def __init__(self, diagnostics: Iterable[Diagnostic], exit_code: ExitCode):
        self.diagnostics = tuple(diagnostics)
        self.exit_code = exit_code
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    def summary(self) -> str:
        count = sum(1 for d in self.diagnostics if d.is_error)
        return f"build failed: {count} error{'s' if count != 1 else ''}"


class ConfigError(BuildError):
    """Problems in site.toml or the command line: exit code 2."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        super().__init__(diagnostics, ExitCode.USAGE_ERROR)


class ContentError(BuildError):
    """Problems in content or templates: exit code 1."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        super().__init__(diagnostics, ExitCode.CONTENT_ERROR)


def raise_if_errors(diagnostics: Iterable[Diagnostic], kind: type[BuildError] = ContentError) -> None:
    """Stop the build between stages when any error was collected (warnings pass through)."""
    collected = sorted(diagnostics, key=Diagnostic.sort_key)
    if any(d.is_error for d in collected):
        raise kind(collected)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' hint for a misspelt key, or '' when nothing is close."""
    import difflib

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
