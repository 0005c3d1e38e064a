"""Assemble parsed articles into a publishable Site (design §4, `assemble`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from .config import SiteConfig
from .diagnostics import Diagnostic, error
from .model import Article
from .refs import SEE_ALSO_LABEL, Resolver
from .urls import UrlBuilder, alias_url


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    articles: tuple[Article, ...]  # published articles, newest first
    pages: tuple[Article, ...]  # static pages, by slug
    now: datetime
    resolver: Resolver
    next_scheduled: datetime | None  # earliest future article left out, for scheduled rebuilds

    @property
    def everything(self) -> tuple[Article, ...]:
        return self.articles + self.pages

    @cached_property  # one per site, so its own cached base path and origin are reused
    def urls(self) -> UrlBuilder:
        return UrlBuilder(self.config.base_url)

    def resolve(self, article: Article, fragment: str, see_also: str = SEE_ALSO_LABEL) -> str:
        """Final HTML of a body or summary from `article`: the editor's root-relative links moved
        under base_url, and links/cards to other articles pointing at their current URL and title."""
        urls = self.urls
        return self.resolver.resolve_html(article, urls.rebase_html(fragment), urls.href, see_also)

    def ref_targets(self, article: Article, fragment: str) -> tuple[Article | None, ...]:
        """The articles `resolve` shows in `fragment` (their URL and title): with `fragment`,
        base_url and the label, everything its result is made from."""
        return self.resolver.targets(article, self.urls.rebase_html(fragment))


def newest_first(article: Article) -> tuple:
    # Newer first; ties broken by slug so the order never depends on the file system.
    return (-(article.date.timestamp() if article.date else 0.0), article.slug)


def assemble(articles: list[Article], config: SiteConfig, now: datetime,
             options: BuildOptions) -> tuple[Site, list[Diagnostic]]:
    kept = [a for a in articles if _publishable(a, now, options)]
    problems = _missing_dates(kept) + _url_collisions(kept)
    scheduled = [a for a in articles if a.date and a.date > now and not a.draft and not options.future]
    resolver = Resolver(kept, scheduled)
    problems += resolver.check(kept)
    future = [a.date for a in scheduled if a.date]
    site = Site(
        config=config,
        articles=tuple(sorted((a for a in kept if a.kind == "article"), key=newest_first)),
        pages=tuple(sorted((a for a in kept if a.kind == "page"), key=lambda p: p.slug)),
        now=now,
        resolver=resolver,
        next_scheduled=min(future) if future else None,
    )
    return site, problems


def _publishable(article: Article, now: datetime, options: BuildOptions) -> bool:
    if article.draft and not options.drafts:
        return False
    return options.future or article.date is None or article.date <= now


def _missing_dates(articles: list[Article]) -> list[Diagnostic]:
    return [error(a.path, "front matter: missing required key 'date' (articles need a publication "
                  "date; static pages go in content/pages/)", 1, 1)
            for a in articles if a.kind == "article" and a.date is None]


def _url_collisions(articles: list[Article]) -> list[Diagnostic]:
    owner: dict[str, str] = {}  # the first claim of each URL
    clashes: dict[str, list[str]] = defaultdict(list)  # the others, for URLs claimed twice or more
    for article in articles:
        claims = [(article.url, article.path)]
        claims += [(alias_url(alias), f"{article.path} (alias)") for alias in article.aliases]
        for url, claimant in claims:
            if owner.setdefault(url, claimant) is not claimant:
                clashes[url].append(claimant)
    return [error("", f"{url} is produced by both {' and '.join(sorted([owner[url], *others]))}")
            for url, others in sorted(clashes.items())]
