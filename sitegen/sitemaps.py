"""sitemap.xml (split into a sitemap index when large), news-sitemap.xml and robots.txt (design §7).

The sitemap lists every HTML page the build writes, whatever planner made it, so new kinds of
pages (tags, sections, authors ...) appear in it without being registered here. It is therefore a
*finisher*: it runs after the planners and reads their jobs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .dates import iso
from .feeds import xml_text
from .freshness import time_window, unwatched
from .indexes import Indexes
from .model import Article
from .rendering import Deferred, PageJob
from .site import Site

SITEMAP = "sitemap.xml"
NEWS_SITEMAP = "news-sitemap.xml"
# Google News reads only articles published in the last two days, and at most 1,000 per sitemap.
NEWS_WINDOW = timedelta(hours=48)
NEWS_MAX_ITEMS = 1000
# Pages that must not be indexed: they are not content, or they only point at another URL.
UNLISTED_KINDS = frozenset({"404", "redirect"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SitemapEntry:
    loc: str  # absolute, percent-encoded
    lastmod: str | None  # W3C datetime with offset


@dataclass(frozen=True)
class NewsEntry:
    loc: str
    publication_date: str
    title: str


def sitemap_jobs(site: Site, jobs: Sequence[PageJob]) -> Iterator[PageJob]:
    pages = listed_pages(jobs)
    limit = site.config.sitemap.max_urls
    # The entries (absolute URLs, last-modified dates) are made by the render worker that writes
    # the sitemap; here only the number of pages is needed, to know how many parts there are.
    if len(pages) <= limit:
        # Fingerprinted by what the entries are made from (found in the worker that needs them):
        # far cheaper than making 18,000 entries to learn that an edit left them as they were.
        inputs = (Deferred(entries_inputs, pages, reads_bodies_of=()),)
        yield PageJob(SITEMAP, "sitemaps/sitemap.xml",
                      {"entries": Deferred(page_entries, site, pages, inputs=inputs)}, "sitemap")
        return
    parts = []
    for number, start in enumerate(range(0, len(pages), limit), start=1):
        chunk = Deferred(page_entries, site, pages[start: start + limit], reads_bodies_of=())
        name = f"sitemap-{number}.xml"
        parts.append((name, chunk))
        yield PageJob(name, "sitemaps/sitemap.xml", {"entries": chunk}, f"sitemap part {number}")
    index = Deferred(_index_entries, site, parts, reads_bodies_of=())
    yield PageJob(SITEMAP, "sitemaps/sitemap-index.xml", {"sitemaps": index}, "sitemap index")


def listed_pages(jobs: Sequence[PageJob]) -> list[tuple[str, PageJob]]:
    """(URL path, job) of every HTML page the sitemap lists, the first job for each URL path.

    Distinct URL paths give distinct absolute URLs (percent-encoding is one to one), so this is
    the same list as one made by absolute URL, without encoding every URL in the parent process.
    """
    pages: dict[str, PageJob] = {}
    for job in jobs:
        if job.output.endswith(".html") and _listed(job):
            pages.setdefault(url_of_output(job.output), job)
    return list(pages.items())


def page_entries(site: Site, pages: Sequence[tuple[str, PageJob]]) -> list[SitemapEntry]:
    lastmod = LastChanges()
    return [SitemapEntry(site.urls.absolute(path), lastmod.of(job)) for path, job in pages]


def entries_inputs(pages: Sequence[tuple[str, PageJob]]) -> tuple[tuple[str, ...], tuple[str | None, ...]]:
    """What page_entries makes the entries from besides the site's settings (base_url): the URL
    paths and last changes, without making every absolute URL and entry."""
    lastmod = LastChanges()
    return tuple(path for path, _job in pages), tuple(lastmod.of(job) for _path, job in pages)


def _index_entries(site: Site, parts: Sequence[tuple[str, Deferred]]) -> list[SitemapEntry]:
    return [SitemapEntry(site.urls.absolute(name), _newest(e.lastmod for e in chunk.value))
            for name, chunk in parts]


def url_of_output(output: str) -> str:
    """The URL path a static host serves `output` at: 'x/index.html' → '/x/'."""
    if output == "index.html" or output.endswith("/index.html"):
        return "/" + output.removesuffix("index.html")
    return "/" + output


def _listed(job: PageJob) -> bool:
    context = job.context
    return context.get("page_kind") not in UNLISTED_KINDS and not context.get("noindex")


class LastChanges:
    """When pages last changed: an article's `updated`, else its `date`; a listing's newest such
    moment. Each article's moment (as a timestamp and ISO text) is worked out once, though it is
    on many pages (its own, a home page, a page of each of its tags, the index of tags...)."""

    def __init__(self) -> None:
        # Moments as time since the epoch: exact, and compared without time zone arithmetic.
        self._moments: dict[int, tuple[timedelta, str] | None] = {}

    def of(self, job: PageJob) -> str | None:
        context = job.context
        article = context.get("article")
        if isinstance(article, Article):
            return iso(article.last_modified) if article.last_modified else None
        newest = self._newest(context.get("articles") or (), None)
        for term in context.get("terms") or ():  # an index of terms: every article of each
            newest = self._newest(getattr(term, "articles", ()), newest)
        return newest[1] if newest else None

    def _newest(self, articles: Iterable[Any], newest: tuple[timedelta, str] | None
                ) -> tuple[timedelta, str] | None:
        moments = self._moments
        for item in articles:
            if not isinstance(item, Article):
                continue
            found = moments.get(id(item), False)
            if found is False:
                moment = item.last_modified
                found = moments[id(item)] = (moment - _EPOCH, iso(moment)) if moment else None
            if found and (newest is None or found[0] > newest[0]):  # the first of equals, as max()
                newest = found
        return newest


def _newest(values: Iterator[str | None]) -> str | None:
    moments = [datetime.fromisoformat(v) for v in values if v]
    return iso(max(moments)) if moments else None


def news_sitemap_jobs(site: Site, indexes: Indexes) -> Iterator[PageJob]:
    if not site.config.sitemap.news:
        return
    with time_window() as window:  # an unchanged site gets a new news sitemap as time passes
        recent, due = _recent(site.articles, site.now)
        # The list changes when its oldest article leaves the window or a future one falls due.
        window.valid_until(min((a.date + NEWS_WINDOW for a in recent if a.date), default=None))
        window.valid_until(due)
    entries = [NewsEntry(site.urls.absolute(a.url), iso(a.date), xml_text(a.title))
               for a in recent if a.date]
    context = {"entries": entries, "publication": xml_text(site.config.title),
               "language": site.config.language}
    yield PageJob(NEWS_SITEMAP, "sitemaps/news-sitemap.xml", context, "news sitemap")


def _recent(articles: Sequence[Article], now: datetime) -> tuple[list[Article], datetime | None]:
    """The articles of the last NEWS_WINDOW (at most NEWS_MAX_ITEMS), and the date of the next
    one to fall due (shown with --future). Articles come newest first: the walk stops at the
    window's start instead of comparing 10,000 dates with the (watched) current time."""
    plain_now = unwatched(now)
    since, recent, due = plain_now - NEWS_WINDOW, [], None
    for article in articles:
        if article.date is None:
            continue
        if article.date > plain_now:
            due = article.date  # the last of these is the soonest
        elif article.date > since and len(recent) < NEWS_MAX_ITEMS:
            recent.append(article)
        else:
            break
    return recent, due


def robots_jobs(site: Site, indexes: Indexes) -> Iterator[PageJob]:
    if not site.config.sitemap.robots:
        return
    names = [SITEMAP] + ([NEWS_SITEMAP] if site.config.sitemap.news else [])
    sitemaps = [site.urls.absolute(name) for name in names]
    yield PageJob("robots.txt", "robots.txt", {"sitemaps": sitemaps}, "robots.txt")
