"""URL paths: permalinks, output file names, and percent-encoded links under `base_url`.

Inside the build every URL is a site-relative path in NFC, never encoded ('/articles/خبر/').
Encoding happens once, on the way out (href/absolute), so nothing is ever double-encoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

# RFC 3986 sub-delims and ':' '@' are legal in a path; everything else (Arabic too) is encoded.
_SAFE = "/:@!$&'()*+,;=-._~"


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


def encode_path(path: str) -> str:
    return quote(path, safe=_SAFE)


@dataclass(frozen=True)
class UrlBuilder:
    base_url: str

    @property
    def base_path(self) -> str:
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def href(self, path: str) -> str:
        """A root-relative, percent-encoded link that respects a sub-path base_url."""
        if urlsplit(path).scheme or path.startswith("//"):
            return path
        return encode_path(self.base_path + path.lstrip("/"))

    def absolute(self, path: str) -> str:
        if urlsplit(path).scheme:
            return path
        return self.origin + self.href(path)
