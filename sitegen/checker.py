"""`sitegen check`: build the site in memory (nothing is written) and report what an editor should fix.

Errors: everything that fails a build, broken links between articles and to #anchors, missing
images. Warnings: images without alt text, tag spellings that were merged, near-duplicate
headlines, and the build's own warnings. Notes: articles scheduled for later. Every report is
`path:line:col: severity: message`, pointing into the Markdown source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .build import render_site
from .check_content import merged_spellings, near_duplicate_titles, scheduled
from .check_links import BuiltSite, check_bodies
from .config import SiteConfig, load_config
from .diagnostics import ContentError, Diagnostic
from .frontmatter_yaml import decode
from .model import Article, SourceFile
from .parse_cache import Parsed
from .site import BuildOptions
from .themes import load_theme_chain

_SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}


@dataclass(frozen=True)
class CheckReport:
    diagnostics: tuple[Diagnostic, ...]
    files: int  # source files parsed

    def count(self, severity: str) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    def failed(self, strict: bool = False) -> bool:
        return bool(self.count("error") or (strict and self.count("warning")))

    def text(self) -> str:
        lines = [d.format() for d in self.diagnostics]
        counts = ", ".join(_plural(self.count(s), s) for s in ("error", "warning", "note"))
        lines.append(f"checked {_plural(self.files, 'file')}: {counts}")
        return "\n".join(lines)

    def json(self) -> str:
        return json.dumps({
            "files": self.files,
            "errors": self.count("error"), "warnings": self.count("warning"), "notes": self.count("note"),
            "diagnostics": [{"path": d.path, "line": d.line, "col": d.col, "severity": d.severity,
                             "message": d.message} for d in self.diagnostics],
        }, ensure_ascii=False, indent=2)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass
class _Recorder:
    """A ParseCache that caches nothing but sees every parsed source (drafts and future ones too)."""

    parsed: list[Parsed] = field(default_factory=list)

    def lookup(self, source: SourceFile, config: SiteConfig) -> Parsed | None:
        return None

    def store(self, source: SourceFile, config: SiteConfig, digest: bytes, parsed: Parsed,
              encoded: bytes | None = None) -> None:
        self.parsed.append(parsed)

    @property
    def articles(self) -> list[Article]:
        return [p.article for p in self.parsed if p.article is not None]


def check(root: Path, options: BuildOptions | None = None, now: datetime | None = None) -> CheckReport:
    """Raises ConfigError for an unusable site.toml or theme, like a build; reports the rest."""
    now = now or datetime.now(UTC)
    config = load_config(root)
    chain = load_theme_chain(config.root, config.theme)
    recorder = _Recorder()
    locator = SourceLocator()
    try:
        rendered = render_site(config, chain, options or BuildOptions(), now, cache=recorder)
    except ContentError as exc:
        found = list(exc.diagnostics)
    else:
        built = BuiltSite({f.path: f.data for f in rendered.files}, {s.dest for s in rendered.static},
                          config.base_path)
        found = [*rendered.warnings, *check_bodies(rendered.site, built, locator.locate),
                 *near_duplicate_titles(rendered.site.articles, locator.locate)]
        if rendered.indexes is not None:
            found += merged_spellings(rendered.indexes, locator.locate)
    found += scheduled(recorder.articles, now, locator.locate)
    ordered = sorted(set(found), key=lambda d: (d.path, d.line or 0, d.col or 0,
                                                _SEVERITY_ORDER.get(d.severity, 3), d.message))
    return CheckReport(tuple(ordered), len(recorder.parsed))


class SourceLocator:
    """Finds where something is written in an article's source, for `path:line:col`."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def lines(self, article: Article) -> list[str]:
        if article.path not in self._lines:
            try:
                text, _ = decode(article.source.path.read_bytes(), article.path)
            except OSError:
                text = None
            self._lines[article.path] = (text or "").split("\n")
        return self._lines[article.path]

    def locate(self, article: Article, needles: list[str], key: str | None) -> tuple[int | None, int | None]:
        """Line and column of the first needle: in front matter `key`'s value, or else in the body."""
        lines = self.lines(article)
        if key is not None:
            start = article.key_lines.get(key)
            if start is None:
                return None, None
            end = _value_end(lines, start)
            found = _find(lines, needles, start - 1, end, skip_key=True)
            return found or (start, _value_col(lines[start - 1]) if start <= len(lines) else None)
        return _find(lines, needles, _body_start(lines), len(lines)) or (None, None)


def _find(lines: list[str], needles: list[str], first: int, end: int,
          skip_key: bool = False) -> tuple[int, int] | None:
    for needle in filter(None, needles):
        for index in range(first, min(end, len(lines))):
            offset = lines[index].find(":") + 1 if skip_key and index == first else 0
            col = lines[index].find(needle, offset)
            if col >= 0:
                return index + 1, col + 1
    return None


def _value_end(lines: list[str], start: int) -> int:
    """The index after a key's value: its line plus indented or '-' continuation lines."""
    end = start
    while end < len(lines) and lines[end].startswith((" ", "\t", "-")) and lines[end] != "---":
        end += 1
    return end


def _value_col(line: str) -> int | None:
    colon = line.find(":")
    if colon < 0:
        return None
    rest = line[colon + 1:]
    return colon + 2 + (len(rest) - len(rest.lstrip())) if rest.strip() else colon + 1


def _body_start(lines: list[str]) -> int:
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() in ("---", "..."):
                return index + 1
    return 0
