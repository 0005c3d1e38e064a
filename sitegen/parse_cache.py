"""Parsed sources kept between builds, so a rebuild re-parses only the files that changed.

This is the seam between `parse` and any cache: `parse` asks `lookup` before reading a file and
hands every fresh result to `store`. `MemoryParseCache` is what the dev server keeps between
rebuilds; a persistent on-disk cache only has to implement the same two methods.

A cached result is valid for one file's bytes under one configuration: any change to site.toml
(time zone, Markdown settings, permalinks...) empties the cache, so a config change re-parses all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from .config import SiteConfig
from .diagnostics import Diagnostic
from .hashing import content_hash
from .model import Article, SourceFile

if TYPE_CHECKING:
    from .textsim import Features


@dataclass(frozen=True)
class Parsed:
    """What parsing one source produced: the article, or the problems that stopped it."""

    article: Article | None
    problems: tuple[Diagnostic, ...] = ()
    # The article's text features for related news (textsim.features), computed by the parse
    # workers so they are spread over the cores and kept in caches with the article.
    # Made by the workers as textsim.pack's tuple; a Features once written and read back.
    features: Features | tuple[str, bytes] | None = field(default=None, compare=False)


class ParseCache(Protocol):
    def lookup(self, source: SourceFile, config: SiteConfig) -> Parsed | None:
        """The result for this file as it is now on disk, or None when it must be parsed."""

    def store(self, source: SourceFile, config: SiteConfig, digest: bytes, parsed: Parsed,
              encoded: bytes | None = None) -> None:
        """Remember `parsed` as the result of parsing the bytes whose `content_hash` is `digest`
        under `config`; `encoded`: `parsed` in cache_format already, when the caller has it."""


@dataclass(frozen=True)
class _Entry:
    stamp: tuple[int, int, int]  # inode, mtime_ns, size: cheap "unchanged" test without reading
    digest: bytes  # the bytes' hash, for files touched or rewritten with the same content
    parsed: Parsed


class MemoryParseCache:
    """In-process cache keyed by source path; counts hits and misses for the build summary."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        # The stamp seen by `lookup`, before the file was read: if the file changes while it is
        # being parsed, the stored stamp is the old one, so the next build looks again.
        self._seen: dict[str, tuple[int, int, int] | None] = {}
        self._config: SiteConfig | None = None
        self.hits = 0
        self.misses = 0

    def lookup(self, source: SourceFile, config: SiteConfig) -> Parsed | None:
        self._use_config(config)
        entry = self._entries.get(source.rel_path)
        stamp = self._seen[source.rel_path] = _stamp(source)
        if entry is None or stamp is None:
            return self._miss()
        if entry.stamp != stamp:
            try:
                digest = content_hash(source.path.read_bytes())
            except OSError:
                return self._miss()
            if digest != entry.digest:
                return self._miss()
            self._entries[source.rel_path] = _Entry(stamp, digest, entry.parsed)
        self.hits += 1
        return entry.parsed

    def store(self, source: SourceFile, config: SiteConfig, digest: bytes, parsed: Parsed,
              encoded: bytes | None = None) -> None:
        self._use_config(config)
        stamp = self._seen.pop(source.rel_path, None)
        if stamp is not None:
            self._entries[source.rel_path] = _Entry(stamp, digest, parsed)

    def _use_config(self, config: SiteConfig) -> None:
        if config != self._config:
            self._entries.clear()
            self._config = config

    def _miss(self) -> None:
        self.misses += 1
        return None


def _stamp(source: SourceFile) -> tuple[int, int, int] | None:
    try:
        info = os.stat(source.path)
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size
