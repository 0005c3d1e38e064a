"""URL slugs: readable NFC Arabic words joined by '-', safe to use as one path segment.

Unlike `arabic.matching_key`, a slug keeps letters as written (إ stays إ): it is shown to readers in
the address bar and shared links. It only loses what is invisible or unstable: harakat, tatweel,
zero-width and bidi characters, non-ASCII digits, Latin case, and punctuation.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from sitegen.arabic import find_words, nfc, strip_for_slug, to_ascii_digits

DEFAULT_MAX_LENGTH = 60

_DATE_PREFIX_RE = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}-")
_WINDOWS_DRIVE_RE = re.compile(r"[A-Za-z]:[\\/]")


def _clean(text: str) -> str:
    """NFC text without harakat, tatweel or invisible characters, ASCII digits, folded case."""
    # Recompose: deleting a character can bring a base letter and a combining mark together.
    return nfc(strip_for_slug(nfc(text)).casefold())


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Mc")


def _cap(slug: str, max_length: int) -> str:
    """Shorten `slug` to `max_length` characters, at a '-' when there is one in reach."""
    if len(slug) <= max_length:
        return slug
    # Searching up to max_length inclusive accepts a '-' right after the last kept character.
    cut = slug.rfind("-", 0, max_length + 1)
    if cut > 0:
        return slug[:cut]
    # One long word: cut inside it, but not between a letter and its combining marks.
    cut = max_length
    while cut > 1 and _is_mark(slug[cut]):
        cut -= 1
    return slug[:cut]


def slugify(text: str, max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """Slug for `text`: its words joined by '-', at most `max_length` characters.

    Returns "" when `text` has no letter or digit (an emoji-only title, say); callers then fall
    back to `stable_id`.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    # Joining the words turns every run of anything else into one '-', with none at either end.
    return _cap("-".join(find_words(_clean(text))), max_length)


def stable_id(text: str) -> str:
    """Deterministic, never-empty slug for a title that slugifies to nothing."""
    # surrogatepass: a lone surrogate (from a broken file name, say) must still give an id.
    digest = hashlib.sha1(nfc(text).encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()
    return "a-" + digest[:10]


def slug_from_filename(stem: str) -> str:
    """Slug for a content file named `stem` (no extension), without a `YYYY-MM-DD-` date prefix."""
    # Digits first so that a prefix typed with Arabic-Indic digits (٢٠٢٤-١٠-١٥-) is dropped too.
    stem = to_ascii_digits(nfc(stem))
    return slugify(_DATE_PREFIX_RE.sub("", stem, count=1))


def check_explicit_slug(slug: str) -> str | None:
    """Why a front-matter `slug` is unusable, or None. A usable slug still goes through slugify.

    These are refused rather than silently repaired because they look like an attempt to write
    outside the article's folder, which an editor should hear about.
    """
    if "\x00" in slug:
        return "slug must not contain a NUL byte"
    if slug.startswith(("/", "\\")) or _WINDOWS_DRIVE_RE.match(slug):
        return "slug must not be an absolute path"
    if "/" in slug:
        return "slug must not contain '/'"
    if "\\" in slug:
        return "slug must not contain a backslash"
    if ".." in slug:
        return "slug must not contain '..'"
    if not slugify(slug):
        return "slug is empty after normalisation"
    return None
