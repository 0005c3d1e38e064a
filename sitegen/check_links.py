"""`sitegen check`: links, anchors and images in article bodies, against the site built in memory.

A link is broken when its target is not among the files the build would write (pages and static
files), or when its #fragment names no id on the target page. Positions point into the Markdown
source (see SourceLocator in checker.py).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from posixpath import splitext
from urllib.parse import unquote, urljoin, urlsplit

from .diagnostics import Diagnostic, error, warning
from .markup import REF_SCHEME
from .model import Article
from .site import Site
from .urls import output_file

Locate = Callable[[Article, list[str], str | None], tuple[int | None, int | None]]

_ID = re.compile(rb"""\bid=["']([^"']+)["']""")


@dataclass
class BuiltSite:
    """The output files of an in-memory build, with the ids of each HTML page (found on demand)."""

    files: dict[str, bytes]  # rendered pages by output path
    static: set[str]  # copied files by output path
    base_path: str = "/"
    _ids: dict[str, set[str]] = field(default_factory=dict)

    def page_for(self, url_path: str) -> str | None:
        """The output file a static host would serve for `url_path`, or None if there is none."""
        path = unicodedata.normalize("NFC", unquote(url_path))
        if self.base_path != "/" and path.startswith(self.base_path):
            path = "/" + path[len(self.base_path):]
        candidates = [output_file(path)]
        if not path.endswith("/") and not splitext(path)[1]:
            candidates.append(output_file(path + "/"))  # hosts redirect /x to /x/
        return next((c for c in candidates if c in self.files or c in self.static), None)

    def ids(self, page: str) -> set[str]:
        if page not in self._ids:
            found = _ID.findall(self.files.get(page, b""))
            self._ids[page] = {unicodedata.normalize("NFC", html.unescape(i.decode())) for i in found}
        return self._ids[page]


class _Elements(HTMLParser):
    """Every <a href> and <img> of a body, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and dict(attrs).get("href"):
            self.links.append(dict(attrs)["href"] or "")
        elif tag == "img":
            self.images.append(dict(attrs))


def check_bodies(site: Site, built: BuiltSite, locate: Locate) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for article in site.everything:
        elements = _Elements()
        elements.feed(article.body_html)
        for href in elements.links:
            problems.extend(_check_link(site, built, article, href, locate))
        for image in elements.images:
            problems.extend(_check_image(built, article, image, locate))
        problems.extend(_check_lead_image(built, article, locate))
    return problems


def _check_link(site: Site, built: BuiltSite, article: Article, href: str,
                locate: Locate) -> Iterator[Diagnostic]:
    target, _, fragment = href.partition("#")
    if target.startswith(REF_SCHEME):
        written = unquote(target.removeprefix(REF_SCHEME))
        other = site.resolver.lookup(article, written)
        if other is None:
            return  # reported by the build itself (assemble), with its line
        page, shown = output_file(other.url), f"{written}#{fragment}"
    elif not target:
        page, shown = output_file(article.url), href
    elif _external(target):
        return
    else:
        found = built.page_for(urljoin(article.url, urlsplit(target).path))
        if found is None:
            line, col = locate(article, [target, unquote(target)], None)
            yield error(article.path, f"link to '{href}': nothing in the built site has that address",
                        line, col)
            return
        page, shown = found, href
    anchor = unicodedata.normalize("NFC", unquote(fragment))
    if anchor and page.endswith(".html") and anchor not in built.ids(page):
        line, col = locate(article, [f"#{fragment}", f"#{anchor}"], None)
        where = "this page" if page == output_file(article.url) else "/" + page.removesuffix("index.html")
        yield error(article.path, f"link to '{shown}': no heading or element with id '{anchor}' on "
                    f"{where}", line, col)


def _check_image(built: BuiltSite, article: Article, image: dict[str, str | None],
                 locate: Locate) -> Iterator[Diagnostic]:
    src = image.get("src") or ""
    line, col = locate(article, [src, unquote(src)], None)
    if src and not _external(src) and built.page_for(urljoin(article.url, src)) is None:
        yield error(article.path, f"image '{src}': no such file in the built site (put it under "
                    "content/static/)", line, col)
    if not (image.get("alt") or "").strip():
        yield warning(article.path, f"image '{src}' has no alt text: describe it for readers who "
                      "cannot see it", line, col)


def _check_lead_image(built: BuiltSite, article: Article, locate: Locate) -> Iterator[Diagnostic]:
    if article.image and not _external(article.image) and built.page_for(article.image) is None:
        line, col = locate(article, [article.image], "image")
        yield error(article.path, f"front matter 'image': no file '{article.image}' in the built "
                    "site (put it under content/static/)", line, col)


def _external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc)
