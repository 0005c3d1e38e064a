"""Resolve references between sources: Markdown links to other .md files and «شاهد أيضاً» cards.

Markdown rendering leaves placeholders (markup.REF_SCHEME hrefs and CARD_TAG elements); once every
article is known, `Resolver.check` reports the ones that lead nowhere and `Resolver.resolve_html`
swaps in the target's current URL and title.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Iterable
from urllib.parse import unquote

from .diagnostics import Diagnostic, error
from .markup import CARD_TAG, REF_SCHEME
from .model import BODY_HAS_REFS, Article
from .urls import encode_tail

SEE_ALSO_LABEL = "شاهد أيضاً"
# Markdown writes href first: <a href="sitegen-ref:x.md#part" title="...">text</a>.
_REF_ANCHOR = re.compile(r'<a href="' + re.escape(REF_SCHEME) + r'([^"#]*)(#[^"]*)?"([^>]*)>(.*?)</a>', re.S)
_REF_SCHEME_BYTES, _CARD_TAG_BYTES = REF_SCHEME.encode(), CARD_TAG.encode()
_CARD = re.compile(r"<" + CARD_TAG + r' ref="([^"]*)"\s*>\s*</' + CARD_TAG + r">")


class Resolver:
    """Finds the article a reference names, by path relative to the referrer, content path, or slug."""

    def __init__(self, articles: Iterable[Article], scheduled: Iterable[Article] = ()):
        self._by_path: dict[str, Article] = {}
        self._by_slug: dict[str, Article] = {}
        for article in articles:
            self._by_path[article.source.content_rel] = article
            self._by_slug.setdefault(article.slug, article)
        # Future-dated articles, left out of this build: a reference to one is not an error but
        # waits (plain text, no card, no pin) until a build after its date publishes both.
        self._scheduled = Resolver(scheduled) if scheduled else None

    def is_scheduled(self, referrer: Article, target: str) -> bool:
        return self._scheduled is not None and self._scheduled.lookup(referrer, target) is not None

    def lookup(self, referrer: Article, target: str) -> Article | None:
        target = unquote(target).strip()
        if not target.lower().endswith(".md"):
            return self._by_slug.get(target)
        # Tried in order, each made only if the one before it names nothing (usually the first
        # does: every card and link of 10,000 articles is looked up when they are assembled).
        here = posixpath.dirname(referrer.source.content_rel)
        found = self._by_path.get(posixpath.normpath(posixpath.join(here, target)))
        if found is None:
            found = self._by_path.get(target.lstrip("/"))
        if found is None:
            found = self._by_path.get(posixpath.join("articles", target.lstrip("/")))
        return found

    def check(self, articles: Iterable[Article]) -> list[Diagnostic]:
        problems = []
        for article in articles:
            for ref in article.refs:
                if self.lookup(article, ref.target) is None and not self.is_scheduled(article, ref.target):
                    what = "link" if ref.kind == "link" else "«شاهد أيضاً» card"
                    problems.append(error(article.path, f"{what} to '{ref.target}': no published "
                                          "article or page has that path or slug", ref.line))
            for pin in article.pins:
                target = self.lookup(article, pin.target)
                if target is None and self.is_scheduled(article, pin.target):
                    continue
                if target is None:
                    problems.append(error(article.path, f"front matter 'related': unknown article "
                                          f"'{pin.target}'", pin.line))
                elif target is article:
                    problems.append(error(article.path, "front matter 'related': an article cannot "
                                          "be related to itself", pin.line))
        return problems

    def resolve_html(self, referrer: Article, body: str, href: Callable[[str], str],
                     card_label: str) -> str:
        """Replace placeholders with real links; `href` turns a URL path into a link."""

        def link(match: re.Match[str]) -> str:
            target = self.lookup(referrer, match.group(1))
            if target is None:  # a scheduled article: its words stay, the link comes when it is out
                return match.group(4)
            url = href(target.url) + encode_tail(html.unescape(match.group(2) or ""))
            return f'<a href="{html.escape(url)}"{match.group(3)}>{match.group(4)}</a>'

        def card(match: re.Match[str]) -> str:
            target = self.lookup(referrer, html.unescape(match.group(1)))
            if target is None:
                return ""
            return see_also_card(target, href(target.url), card_label)

        if REF_SCHEME in body:  # has_refs: keep the two in step
            body = _REF_ANCHOR.sub(link, body)
        if CARD_TAG in body:
            body = _CARD.sub(card, body)
        return body

    def targets(self, referrer: Article, body: str) -> tuple[Article | None, ...]:
        """The articles `resolve_html` puts into `body` (None: a link left as text), in order: all
        its result depends on besides `body`, `href` and the label, found with the same patterns.
        Linking can neither make nor unmake a card, so cards are looked for in `body` as given."""
        found = []
        if REF_SCHEME in body:
            found += [self.lookup(referrer, m.group(1)) for m in _REF_ANCHOR.finditer(body)]
        if CARD_TAG in body:
            found += [self.lookup(referrer, html.unescape(m.group(1))) for m in _CARD.finditer(body)]
        return tuple(found)


def body_has_refs(article: Article) -> bool:
    """has_refs(article.body_html); for an article from the build cache, as the cache entry says
    (cache_format.py), without decoding or even scanning a body it left as bytes."""
    known = article.__dict__.get(BODY_HAS_REFS)
    return has_refs(article.body_html) if known is None else known


def utf8_has_refs(fragment: bytes) -> bool:
    """has_refs of a fragment's UTF-8 bytes: the markers are ASCII, which UTF-8 never uses inside
    other characters."""
    return _REF_SCHEME_BYTES in fragment or _CARD_TAG_BYTES in fragment


def has_refs(fragment: str) -> bool:
    """Whether `fragment` has placeholders that resolve_html replaces (else it returns it as is)."""
    return REF_SCHEME in fragment or CARD_TAG in fragment


def see_also_card(target: Article, url: str, label: str) -> str:
    """The inline card; the theme styles `.see-also`.

    The title is isolated so Latin words keep their order, with dir="rtl" (not bdi's default auto)
    so a headline that starts with a Latin brand name still reads right to left.
    """
    return (f'<aside class="see-also"><span class="see-also-label">{html.escape(label)}</span> '
            f'<a href="{html.escape(url)}"><bdi dir="rtl">{html.escape(target.title)}</bdi></a></aside>')
