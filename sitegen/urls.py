"""URL paths: permalinks, output file names, and percent-encoded links under `base_url`.

Inside the build every URL is a site-relative path in NFC, never encoded ('/articles/خبر/').
Encoding happens once, on the way out (href/absolute), so nothing is ever double-encoded.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from urllib.parse import quote, unquote, urlsplit

# RFC 3986 sub-delims and ':' '@' are legal in a path; everything else (Arabic too) is encoded.
_SAFE = "/:@!$&'()*+,;=-._~"
# What urllib's quote(path, safe=_SAFE) leaves alone: ASCII letters and digits, '_.-~' and _SAFE.
_UNSAFE_RUN = re.compile("[^A-Za-z0-9" + re.escape(_SAFE) + "]+")
# A root-relative href/src in rendered Markdown ('/images/x.svg', not '//cdn...' or 'https:...').
_ROOT_RELATIVE = re.compile(r'\b(href|src)="(/(?!/)[^"]*)"')


def permalink(pattern: str, slug: str, date: datetime | None) -> str:
    fields = {"slug": slug, "year": "", "month": "", "day": ""}
    if date is not None:
        fields.update(year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}")
    path = pattern.format(**fields)
    while "//" in path:
        path = path.replace("//", "/")
    return path


def output_file(url_path: str) -> str:
    """The file inside output/ that a static host serves for `url_path`."""
    relative = url_path.lstrip("/")
    if not relative or relative.endswith("/"):
        return relative + "index.html"
    return relative


def alias_url(alias: str) -> str:
    """The URL path an `aliases:` entry is served at: '/old' and '/old/' are both '/old/'
    (a folder with index.html); '/old.html' stays a file."""
    return alias if alias.endswith((".html", ".htm", "/")) else alias + "/"


# encode_path's results, shared by every UrlBuilder of the process: a page's URL is encoded for
# its canonical link, for the listings, related blocks and feeds that link to it, for its JSON-LD
# and for the sitemap. Bounded, for the long-running dev server.
_ENCODED: dict[str, str] = {}
_MAX_ENCODED = 200_000


def encode_path(path: str) -> str:
    """quote(path, safe=_SAFE), about five times faster on Arabic paths (tens of thousands per
    build): runs of characters that need encoding are encoded in one go instead of byte by byte,
    and each path once."""
    found = _ENCODED.get(path)
    if found is None:
        if len(_ENCODED) >= _MAX_ENCODED:
            _ENCODED.clear()
        found = _ENCODED[path] = _UNSAFE_RUN.sub(percent_encoded, path)
    return found


def percent_encoded(match: re.Match[str]) -> str:
    # UTF-8 bytes as %XX with upper-case hex digits, as quote() writes them; a lone surrogate
    # raises UnicodeEncodeError, as it does in quote().
    return "%" + match.group().encode("utf-8").hex("%").upper()


def encode_tail(tail: str) -> str:
    """A '?query' or '#fragment' (Arabic heading anchors are common) encoded like the path;
    existing %XX escapes are kept, so nothing is encoded twice."""
    return quote(tail, safe=_SAFE + "?#%")


@dataclass(frozen=True)
class UrlBuilder:
    base_url: str

    # Cached: every link of every page goes through them (cached_property writes the instance's
    # __dict__ directly, which a frozen dataclass allows).
    @cached_property
    def base_path(self) -> str:
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @cached_property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def href(self, path: str) -> str:
        """A root-relative, percent-encoded link that respects a sub-path base_url."""
        if path.startswith("/") and not path.startswith("//"):  # a site path: no scheme to look for
            return encode_path(self.base_path + path[1:])
        if urlsplit(path).scheme or path.startswith("//"):
            return path
        return encode_path(self.base_path + path.lstrip("/"))

    def absolute(self, path: str) -> str:
        if not path.startswith("/") and urlsplit(path).scheme:
            return path
        return self.origin + self.href(path)

    def rebase_html(self, body: str) -> str:
        """Root-relative links an editor wrote in Markdown ('/about/', '/images/x.svg'), moved under
        the base_url sub-path and percent-encoded like every other link (once: already-encoded
        input is decoded first)."""
        if '="/' not in body:  # every match has it; most bodies have none, and the regex is slow
            return body
        return _ROOT_RELATIVE.sub(lambda m: f'{m.group(1)}="{html.escape(self._rebase(m.group(2)))}"', body)

    def absolutize_html(self, body: str) -> str:
        """Root-relative href/src made absolute, for feed readers that show content off-site."""
        if '="/' not in body:
            return body
        return _ROOT_RELATIVE.sub(lambda m: f'{m.group(1)}="{self.origin}{m.group(2)}"', body)

    def _rebase(self, raw: str) -> str:
        value = html.unescape(raw)
        cut = min((i for i in (value.find("?"), value.find("#")) if i >= 0), default=len(value))
        return self.href(unquote(value[:cut])) + encode_tail(value[cut:])
