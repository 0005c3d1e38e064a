"""The content model: immutable records passed from stage to stage (design §3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

Kind = Literal["article", "page"]


@dataclass(frozen=True)
class SourceFile:
    """A Markdown file found under content/. `rel_path` is relative to the site root, POSIX, NFC."""

    path: Path
    rel_path: str
    kind: Kind

    @property
    def content_rel(self) -> str:
        """Path relative to content/, e.g. 'articles/2024-x.md' (how other files refer to it)."""
        return self.rel_path.removeprefix("content/")


@dataclass(frozen=True)
class Ref:
    """A reference from one article's body to another source: a Markdown link or a «شاهد أيضاً» card.

    `target` is what the editor wrote (a path relative to the file, or a slug); resolution to a URL
    happens after every article is known, so rendered Markdown never depends on other files.
    """

    target: str
    line: int
    kind: Literal["link", "card"]


@dataclass(frozen=True)
class Pin:
    """An editor-pinned related story from the `related:` front matter key."""

    target: str
    line: int


@dataclass(frozen=True)
class Article:
    """One article or static page, fully parsed. Bodies hold unresolved ref placeholders."""

    source: SourceFile
    title: str
    slug: str
    url: str  # site-relative URL path, NFC, not percent-encoded, e.g. '/articles/خبر/'
    date: datetime | None
    updated: datetime | None
    body_html: str
    summary_html: str
    summary_text: str
    toc_html: str
    word_count: int
    tags: tuple[str, ...] = ()
    category: str | None = None
    authors: tuple[str, ...] = ()
    image: str | None = None
    image_alt: str | None = None
    draft: bool = False
    pins: tuple[Pin, ...] = ()
    aliases: tuple[str, ...] = ()
    template: str | None = None
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    refs: tuple[Ref, ...] = ()
    key_lines: dict[str, int] = field(default_factory=dict, hash=False, compare=False)

    def __getattr__(self, name: str) -> Any:
        # Called only for attributes that are not set: the HTML fields of an article loaded from
        # the build cache stay UTF-8 bytes, inside the cache entry as read, until first read
        # (cache_format.py). A rebuild after an edit loads every article but renders the pages of
        # a few; decoding every body was a third of loading the cache.
        packed = self.__dict__.get("_packed")
        if packed is None or name not in packed:
            raise AttributeError(f"'Article' object has no attribute '{name}'")
        return _decode_packed(self, name, packed[name])

    @property
    def kind(self) -> Kind:
        return self.source.kind

    @property
    def path(self) -> str:
        """The source path relative to the site root, for diagnostics."""
        return self.source.rel_path

    @property
    def last_modified(self) -> datetime | None:
        return self.updated or self.date

    @property
    def reading_minutes(self) -> int:
        # Arabic readers average roughly 180 words a minute for news prose.
        return max(1, round(self.word_count / 180))


PACKED_FIELDS = ("body_html", "toc_html")  # what the build cache may leave undecoded
# Where the build cache leaves whether an article's body has references (refs.body_has_refs), in
# the Article's __dict__: known when the entry was written, so no body is searched for them again.
BODY_HAS_REFS = "_body_has_refs"

# Where a packed field's UTF-8 bytes are: data[start:end] of the cache entry they were read with
# (slicing them out of it on every load was a copy of every body).
Packed = tuple[bytes, int, int]


def unpack_fields(article: Article) -> None:
    """Decode the fields still packed (see __getattr__) now, and drop their bytes."""
    packed = article.__dict__.pop("_packed", None) or {}
    for name, where in packed.items():
        if name not in article.__dict__ and where is not None:
            _decode_packed(article, name, where)


def _decode_packed(article: Article, name: str, where: Packed) -> str:
    data, start, end = where
    value = str(memoryview(data)[start:end], "utf-8", "surrogatepass")  # decoded without a copy
    object.__setattr__(article, name, value)  # frozen, but this field was never set
    return value


def _packed_where(article: Article, name: str) -> Packed | None:
    found = article.__dict__
    packed = found.get("_packed")
    return packed.get(name) if packed is not None and name not in found else None


def packed_field(article: Article, name: str) -> bytes | None:
    """The UTF-8 bytes of `article.<name>` while it is still undecoded (see __getattr__), else None."""
    where = _packed_where(article, name)
    return where[0][where[1]:where[2]] if where is not None else None
