"""Validate front-matter entries against the content model (design §3) into typed metadata."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from typing import Any
from urllib.parse import unquote, urlsplit

from .arabic import strip_harakat, strip_invisible, strip_tatweel, to_ascii_digits
from .diagnostics import Diagnostic, did_you_mean, error
from .frontmatter_yaml import Entry, Unreadable
from .model import Pin
from .slugs import check_explicit_slug

DATE_EXPECTATION = "expected a date like 2025-10-15 or 2025-10-15T14:05:00+03:00"
# A news archive's dates; anything outside is a typo (0225, 20225) and far-off years overflow
# when moved between time zones.
YEARS = range(1900, 2200)


@dataclass(frozen=True)
class Metadata:
    title: str
    date: datetime | None = None
    updated: datetime | None = None
    slug: str | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
    category: str | None = None
    authors: tuple[str, ...] = ()
    image: str | None = None
    image_alt: str | None = None
    draft: bool = False
    pins: tuple[Pin, ...] = ()
    aliases: tuple[str, ...] = ()
    template: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)


class _Invalid(Exception):
    """A value that does not fit its key; the message completes "front matter 'key': ..."."""


def _string(value: Any) -> str:
    if type(value) is str:  # nearly always: straight to the end
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Invalid(f"expected text, got {_describe(value)}")
    return unicodedata.normalize("NFC", str(value)).strip()


def _title(value: Any) -> str:
    title = _string(value)
    visible = strip_harakat(strip_tatweel(strip_invisible(title))).strip()
    if not visible:
        raise _Invalid("must not be empty" if not title else "has no visible letters")
    return title


def _string_list(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str | int | float) and not isinstance(value, bool) else value
    if not isinstance(items, list):
        raise _Invalid(f"expected a list of strings, got {_describe(value)}")
    result: list[str] = []
    for item in items:
        if type(item) is not str and (isinstance(item, list | dict | bool) or item is None):
            raise _Invalid(f"expected a list of strings, but one item is {_describe(item)}")
        text = _string(item)
        if not text:
            raise _Invalid("expected a list of strings, but one item is empty")
        if text not in result:
            result.append(text)
    return tuple(result)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {_describe(value)}")
    return value


def _slug(value: Any) -> str:
    text = _string(value)
    problem = check_explicit_slug(text)
    if problem:
        raise _Invalid(problem)
    return text


def _aliases(value: Any) -> tuple[str, ...]:
    """Old URL paths. One copied from a browser's address bar arrives percent-encoded: decoded
    (and NFC) here, so it names the same file as the Arabic spelling of the same path."""
    aliases = []
    for written in _string_list(value):
        alias = unicodedata.normalize("NFC", unquote(written))
        unsafe = any(unicodedata.category(c) == "Cc" for c in alias)  # NUL, newlines: not a file name
        if not alias.startswith("/") or ".." in alias.split("/") or "\\" in alias or unsafe:
            raise _Invalid(f"expected URL paths starting with '/', got '{written}'")
        if "?" in alias or "#" in alias:
            raise _Invalid(f"expected a URL path without '?query' or '#fragment' (a static host "
                           f"serves one file per path), got '{written}'")
        if alias not in aliases:
            aliases.append(alias)
    return tuple(aliases)


def _image(value: Any) -> str:
    image = _string(value)
    scheme = urlsplit(image).scheme.lower()
    if scheme not in ("", "http", "https"):
        # javascript: or data: would end up in src and og:image; a Windows path (C:\\...) too.
        raise _Invalid(f"expected a path like /images/x.jpg or an https:// URL, got '{image}'")
    return image


def _template(value: Any) -> str:
    name = _string(value)
    if not name.endswith(".html") or ".." in name.split("/") or name.startswith("/"):
        raise _Invalid(f"expected a template file name like 'article-wide.html', got '{name}'")
    return name


def _params(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"expected a mapping, got {_describe(value)}")
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime | date):
        return "a date"
    if isinstance(value, bytes):
        return "binary data"
    return f"'{value}'"


SIMPLE_KEYS: dict[str, Callable[[Any], Any]] = {
    "title": _title, "slug": _slug, "summary": _string, "tags": _string_list,
    "category": _string, "image": _image, "image_alt": _string, "draft": _bool,
    "aliases": _aliases, "template": _template, "params": _params,
}
KNOWN_KEYS = frozenset(SIMPLE_KEYS) | {"date", "updated", "author", "authors", "related"}


def to_datetime(value: Any, zone: tzinfo) -> datetime:
    """A YAML date, datetime or ISO string as an aware datetime; naive values take the site zone."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(to_ascii_digits(value.strip()))
        except ValueError:
            raise _Invalid(f"{DATE_EXPECTATION}, got '{value}'") from None
    if isinstance(value, Unreadable):
        raise _Invalid(f"{DATE_EXPECTATION}, got '{value.raw}' ({value.reason})")
    if not isinstance(value, date):
        raise _Invalid(f"{DATE_EXPECTATION}, got {_describe(value)}")
    if value.year not in YEARS:
        raise _Invalid(f"expected a year between {YEARS[0]} and {YEARS[-1]}, got {value.year}")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    return datetime.combine(value, time(0, 0), tzinfo=zone)


def validate(entries: dict[str, Entry], path: str, zone: tzinfo) -> tuple[Metadata | None, list[Diagnostic]]:
    problems: list[Diagnostic] = []
    values: dict[str, Any] = {}

    def report(entry: Entry, message: str) -> None:
        problems.append(error(path, f"front matter '{entry.key}': {message}", entry.line, entry.value_col))

    for key, entry in entries.items():
        if key not in KNOWN_KEYS:
            hint = did_you_mean(key, KNOWN_KEYS)
            message = f"front matter: unknown key '{key}'{hint}"
            problems.append(error(path, message, entry.line, entry.key_col))
            continue
        try:
            values.update(_convert(entry, zone))
        except _Invalid as exc:
            report(entry, str(exc))
    problems.extend(_cross_checks(entries, values, path))
    if "title" not in entries:
        problems.append(error(path, "front matter: missing required key 'title'", 1, 1))
    if problems:
        return None, problems
    values["key_lines"] = {key: entry.line for key, entry in entries.items()}
    return Metadata(**values), []


def _convert(entry: Entry, zone: tzinfo) -> dict[str, Any]:
    key, value = entry.key, entry.value
    if isinstance(value, Unreadable) and key not in ("date", "updated"):
        raise _Invalid(f"YAML could not read this value: {value.reason}")
    if key in ("date", "updated"):
        return {key: to_datetime(value, zone)}
    if key in ("author", "authors"):
        return {"authors": _string_list(value)}
    if key == "related":
        return {"pins": tuple(Pin(target, entry.line) for target in _string_list(value))}
    return {key: SIMPLE_KEYS[key](value)}


def _cross_checks(entries: dict[str, Entry], values: dict[str, Any], path: str) -> list[Diagnostic]:
    problems = []
    if "author" in entries and "authors" in entries:
        entry = entries["authors"]
        problems.append(error(path, "front matter: use either 'author' or 'authors', not both",
                              entry.line, entry.key_col))
    if values.get("image") and not values.get("image_alt"):
        entry = entries["image"]
        problems.append(error(path, "front matter 'image_alt': required when 'image' is set "
                              "(describe the picture for readers who cannot see it)",
                              entry.line, entry.key_col))
    date_value, updated = values.get("date"), values.get("updated")
    if date_value and updated and updated < date_value:
        entry = entries["updated"]
        problems.append(error(path, "front matter 'updated': is earlier than 'date'",
                              entry.line, entry.value_col))
    return problems
