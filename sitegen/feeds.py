"""RSS 2.0 and Atom feeds: site-wide, and per tag and category (design §7).

The feed data (absolute, percent-encoded URLs, RFC 822 and RFC 3339 dates with offsets, HTML
wrapped for right-to-left readers) is prepared here; the theme's autoescaped XML templates
(`feeds/rss.xml`, `feeds/atom.xml`) only lay it out, so `&`, `<` and `]]>` in a title or body
always reach the XML escaped, and a site can still restyle its feeds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from .config import SiteConfig
from .dates import iso
from .i18n import load_translations
from .indexes import Indexes
from .model import Article
from .refs import SEE_ALSO_LABEL, has_refs
from .rendering import Deferred, PageJob
from .site import Site
from .urls import UrlBuilder, output_file

# Characters XML 1.0 forbids even as references; a stray one would make the whole feed unreadable.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Atom needs an <updated> even when a feed has no entries; a fixed date keeps builds reproducible.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FeedFormat:
    name: str  # "rss" or "atom"
    file_name: str  # inside the listing's folder: '/rss.xml', '/tags/غزة/rss.xml'
    template: str
    media_type: str


RSS = FeedFormat("rss", "rss.xml", "feeds/rss.xml", "application/rss+xml")
ATOM = FeedFormat("atom", "atom.xml", "feeds/atom.xml", "application/atom+xml")


@dataclass(frozen=True)
class FeedLink:
    """An autodiscovery `<link rel="alternate">` for a page head."""

    media_type: str
    title: str
    href: str  # absolute


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str  # absolute, percent-encoded
    published: str  # RFC 3339 with offset (Atom)
    updated: str
    pub_date: str  # RFC 822 with offset (RSS)
    summary: str  # HTML, wrapped in <div dir="rtl" lang="...">; plain str so templates escape it
    content: str | None  # HTML of the whole article, when full content is configured
    categories: tuple[str, ...]
    authors: tuple[str, ...]
    image: str | None  # absolute


@dataclass(frozen=True)
class Feed:
    format: FeedFormat
    title: str
    description: str
    language: str
    home: str  # absolute URL of the HTML listing this feed follows
    self_url: str  # absolute URL of the feed itself
    updated: str  # RFC 3339: the newest change among the items (never the build time)
    last_build: str | None  # RFC 822 of the same moment, for RSS; None for an empty feed
    items: tuple[FeedItem, ...]


@dataclass(frozen=True)
class Listing:
    """Something with feeds: the whole site, a tag or a category."""

    title: str
    url: str  # site-relative URL path of its HTML page, ending in '/'
    articles: Sequence[Article]  # newest first
    source: str  # for diagnostics: 'site feed', 'tag «غزة»'
    items: int  # the newest N go in the feed
    full_content: bool  # whole articles, or summaries only


def xml_text(text: str) -> str:
    return _XML_FORBIDDEN.sub("", text)


def formats(config: SiteConfig) -> list[FeedFormat]:
    return [f for f, on in ((RSS, config.feeds.rss), (ATOM, config.feeds.atom)) if on]


def site_listing(site: Site) -> Listing:
    feeds = site.config.feeds
    return Listing(site.config.title, "/", site.articles, "site feed", feeds.items, feeds.full_content)


def feed_url(listing_url: str, feed_format: FeedFormat) -> str:
    return listing_url + feed_format.file_name


def feed_links(config: SiteConfig, urls: UrlBuilder, listing_url: str, title: str) -> list[FeedLink]:
    """Autodiscovery links for the feeds of the listing at `listing_url`."""
    return [FeedLink(f.media_type, title, urls.absolute(feed_url(listing_url, f))) for f in formats(config)]


def listing_jobs(site: Site, listings: Iterable[Listing]) -> Iterator[PageJob]:
    items = ItemMaker(site)  # shared by the feeds a process makes: an article is in several
    for listing in listings:
        for feed_format in formats(site.config):
            # Made by the render worker that needs it, not here for every feed of the site.
            feed = Deferred(make_feed, site, listing, feed_format, items,
                            inputs=feed_inputs(listing, feed_format, items))
            yield PageJob(output_file(feed_url(listing.url, feed_format)), feed_format.template,
                          {"feed": feed}, f"{listing.source} ({feed_format.name})")


def feed_inputs(listing: Listing, feed_format: FeedFormat, items: ItemMaker) -> tuple[Any, ...]:
    """What make_feed makes the feed from, besides the site's settings and translations (which
    every page depends on), so the render worker makes it only when they changed."""
    newest = listing.articles[: listing.items]
    sources = tuple(items.inputs(article, listing.full_content) for article in newest)
    return (listing.title, listing.url, listing.full_content, feed_format, sources)


def feed_jobs(site: Site, indexes: Indexes) -> Iterator[PageJob]:
    yield from listing_jobs(site, [site_listing(site)] + term_listings(site, indexes))


def term_listings(site: Site, indexes: Indexes) -> list[Listing]:
    """One listing per tag and per section (category), under the term page's own URL."""
    feeds = site.config.feeds
    if not feeds.per_term:
        return []
    return [Listing(term.name, term.url, term.articles, f"{taxonomy.kind} «{term.name}» feed",
                    feeds.term_items, feeds.term_full_content)
            for taxonomy in (indexes.tags, indexes.categories) for term in taxonomy.terms]


def make_feed(site: Site, listing: Listing, feed_format: FeedFormat,
              items: ItemMaker | None = None) -> Feed:
    config, items = site.config, items or ItemMaker(site)
    newest = list(listing.articles[: listing.items])
    moments = [a.last_modified for a in newest if a.last_modified]
    latest = max(moments) if moments else None
    title = config.title if listing.url == "/" else f"{listing.title} | {config.title}"
    return Feed(
        format=feed_format, title=xml_text(title), description=xml_text(config.description or title),
        language=config.language, home=site.urls.absolute(listing.url),
        self_url=site.urls.absolute(feed_url(listing.url, feed_format)),
        updated=iso(latest or _EPOCH), last_build=format_datetime(latest) if latest else None,
        items=tuple(items.item(article, listing.full_content) for article in newest),
    )


class ItemMaker:
    """Feed items, made once per article (and content choice) however many feeds list it: an
    article sits in the site feed and in the feeds of each of its tags and its section."""

    def __init__(self, site: Site):
        self.site = site
        self.see_also = load_translations(site.config).get("see_also", SEE_ALSO_LABEL)
        self._made: dict[tuple[str, bool], FeedItem] = {}
        self._inputs: dict[tuple[str, bool], tuple[Any, ...] | None] = {}

    def item(self, article: Article, full_content: bool) -> FeedItem:
        key = (article.path, full_content)
        if key not in self._made:
            self._made[key] = self._make(article, full_content)
        return self._made[key]

    def inputs(self, article: Article, full_content: bool) -> tuple[Any, ...]:
        """Everything its item (and make_feed) reads of `article`: the same inputs make the same
        item. One tuple per article, however many feeds list it, so a fingerprint hashes it once.

        With the full text, the article itself (its every field counts; the body is the item's
        content). Else the fields the item shows, without the body: editing an article's text
        leaves a feed of summaries as it was. Articles that the HTML links to or shows a card of
        count too (their URL and title are in it)."""
        key = (article.path, full_content)
        found = self._inputs.get(key)
        if found is None:
            if full_content:
                found = (article, True)
            else:
                found = (article.title, article.url, article.date, article.updated, article.summary_html,
                         article.category, article.tags, article.authors, article.image)
            if has_refs(article.summary_html) or (full_content and has_refs(article.body_html)):
                # Reads the body only of an article already counted whole.
                found += (Deferred(self.targets, article, full_content,
                                   reads_bodies_of=(article,) if full_content else ()),)
            self._inputs[key] = found
        return found

    def targets(self, article: Article, full_content: bool) -> tuple[Article | None, ...]:
        """The articles the item's HTML shows (their URL and title)."""
        fragments = [article.summary_html] + ([article.body_html] if full_content else [])
        return tuple(target for fragment in fragments for target in self.site.ref_targets(article, fragment))

    def _make(self, article: Article, full_content: bool) -> FeedItem:
        # Reads only the fields `inputs` lists (and the article's path, to resolve links).
        urls = self.site.urls
        published = article.date or _EPOCH
        categories = ((article.category,) if article.category else ()) + article.tags
        return FeedItem(
            title=xml_text(article.title), link=urls.absolute(article.url),
            published=iso(published), updated=iso(article.last_modified or published),
            pub_date=format_datetime(published), summary=self._wrap(article, article.summary_html),
            content=self._wrap(article, article.body_html) if full_content else None,
            categories=tuple(xml_text(c) for c in categories),
            authors=tuple(xml_text(a) for a in article.authors),
            image=urls.absolute(article.image) if article.image else None,
        )

    def _wrap(self, article: Article, fragment: str) -> str:
        """Resolved HTML with absolute links (readers show it off-site), marked right to left."""
        site = self.site
        body = site.urls.absolutize_html(site.resolve(article, fragment, self.see_also))
        return xml_text(f'<div dir="rtl" lang="{site.config.language}">{body}</div>')
