"""Fingerprints of what a page is made from, so a rebuild can skip pages whose inputs are unchanged.

A page's bytes are a function of its template files, the site configuration, sitegen's own code
and the page's context. The context is hashed value by value: strings, numbers, dates, lists,
mappings and dataclasses by content; an Article by the key of the source it was parsed from (which
covers its every field, see build_cache.py); the SiteConfig by the build-wide fingerprint.
Anything else (an object the hasher does not know) makes the page unfingerprintable, and it is
always rendered: a new kind of context value costs speed, never correctness.

Listings, tag pages and related blocks carry the Articles they show, so an edited article changes
the fingerprint of exactly the pages it appears on.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import Any

from .config import SiteConfig
from .model import Article
from .rendering import PageJob

ArticleKey = Callable[[Article], bytes | None]


class Unfingerprintable(Exception):
    """A context value the hasher cannot vouch for."""


def _new() -> Any:
    return hashlib.blake2b(digest_size=16)


_SCALARS = (bool, int, float, type(None), date, datetime, time, timedelta, range, PurePath, enum.Enum)


class Fingerprinter:
    """Hashes page contexts; objects are hashed once per build (memoised by identity)."""

    def __init__(self, base: bytes, article_key: ArticleKey, config: SiteConfig):
        self.base = base
        self.article_key = article_key
        self.config = config
        self._memo: dict[int, bytes] = {}
        self._alive: list[Any] = []  # keeps memoised objects alive, so their ids stay theirs

    def job(self, job: PageJob) -> bytes | None:
        """The job's fingerprint, or None when its context holds something unknown."""
        h = _new()
        h.update(self.base)
        self._text(h, job.output)
        self._text(h, job.template)
        try:
            self._feed(h, job.context)
        except Unfingerprintable:
            return None
        return h.digest()

    def _text(self, h: Any, value: str) -> None:
        data = value.encode("utf-8", "surrogatepass")
        h.update(b"%s%d:" % (type(value).__name__.encode(), len(data)))
        h.update(data)

    def _feed(self, h: Any, value: Any) -> None:
        if isinstance(value, str):  # str and Markup (which renders differently: the type counts)
            self._text(h, value)
        elif isinstance(value, _SCALARS):
            h.update(repr(value).encode("utf-8"))
            h.update(b";")
        elif value is self.config:
            h.update(b"<config>")
        else:
            h.update(self._compound(value))

    def _compound(self, value: Any) -> bytes:
        key = id(value)
        found = self._memo.get(key)
        if found is not None:
            return found
        h = _new()
        if isinstance(value, Article):
            article_key = self.article_key(value)
            if article_key is None:
                self._fields(h, value)
            else:
                h.update(b"article:" + article_key)
        elif isinstance(value, Mapping):
            h.update(b"{")
            for item_key, item in value.items():
                self._feed(h, item_key)
                self._feed(h, item)
        elif isinstance(value, list | tuple):
            h.update(b"[")
            for item in value:
                self._feed(h, item)
        elif isinstance(value, set | frozenset):
            h.update(b"(")
            for digest in sorted(self.digest(item) for item in value):
                h.update(digest)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            self._fields(h, value)
        else:
            raise Unfingerprintable(type(value).__qualname__)
        digest = h.digest()
        self._memo[key] = digest
        self._alive.append(value)
        return digest

    def digest(self, value: Any) -> bytes:
        """Any value's digest; raises Unfingerprintable for values it cannot vouch for."""
        h = _new()
        self._feed(h, value)
        return h.digest()

    def _fields(self, h: Any, value: Any) -> None:
        h.update(type(value).__qualname__.encode())
        for item in dataclasses.fields(value):
            h.update(item.name.encode())
            self._feed(h, getattr(value, item.name))


def files_digest(paths: Iterable[Any]) -> bytes:
    """Content hash of files (templates, translation files), in the order given."""
    h = _new()
    for path in paths:
        h.update(str(path).encode("utf-8", "surrogatepass") + b"\0")
        try:
            h.update(digest_bytes(path.read_bytes()))
        except OSError:
            h.update(b"<missing>")
    return h.digest()


def stamps_digest(paths: Iterable[Any]) -> bytes:
    """Hash of files' sizes and modification times, for files too big to read on every build."""
    h = _new()
    for path in paths:
        try:
            info = path.stat()
            h.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
        except OSError:
            h.update(f"{path}\0<missing>\n".encode("utf-8", "surrogatepass"))
    return h.digest()


def digest_bytes(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def globals_digest(globals_: Mapping[str, Any], fingerprinter: Fingerprinter) -> bytes | None:
    """Template globals that are data (not functions) take part in every page; None if unknown."""
    h = _new()
    for name in sorted(globals_):
        value = globals_[name]
        if callable(value) or value is fingerprinter.config:
            continue
        h.update(name.encode())
        try:
            h.update(fingerprinter.digest(value))
        except Unfingerprintable:
            return None
    return h.digest()
