"""Old URLs keep working: `aliases:` in front matter become redirect pages, plus `_redirects`.

Every host serves the redirect page at the old path (a meta refresh to the article, with a
canonical link so search engines move their ranking to the new URL). Hosts that read a Netlify-style
`_redirects` file (Netlify, Cloudflare Pages) answer with a real 301 instead; `301!` makes Netlify
prefer the rule over the redirect page that exists at the same path.

An alias that collides with another page is reported by assemble (against articles) and by the
planner's collision check (against every other output: listings, feeds, static files).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .indexes import Indexes
from .model import Article
from .rendering import PageJob
from .site import Site
from .urls import alias_url, output_file

REDIRECTS_FILE = "_redirects"


@dataclass(frozen=True)
class Redirect:
    source: str  # the old URL path, site-relative, NFC, unencoded
    target: Article


def redirects(site: Site) -> list[Redirect]:
    found = [Redirect(alias_url(alias), article) for article in site.everything for alias in article.aliases]
    return sorted(found, key=lambda r: r.source)


def redirect_jobs(site: Site, indexes: Indexes) -> Iterator[PageJob]:
    for redirect in redirects(site):
        article = redirect.target
        context = {"page_kind": "redirect", "target": article.url, "title": article.title,
                   "description": "", "canonical": article.url, "noindex": True}
        yield PageJob(output_file(redirect.source), "redirect.html", context,
                      f"{article.path} (alias {redirect.source})")


def redirects_file_job(site: Site, indexes: Indexes) -> Iterator[PageJob]:
    found = redirects(site)
    if not found:
        return
    urls = site.urls
    rules = [(urls.href(r.source), urls.href(r.target.url)) for r in found]
    yield PageJob(REDIRECTS_FILE, "redirects.txt", {"rules": rules}, "_redirects")
