"""Search and sharing metadata for page heads: Open Graph, Twitter cards, NewsArticle JSON-LD,
and the feeds a page advertises (design §7).

The theme's `partials/head_meta.html` lays these out; the data is built here so that every URL is
absolute and percent-encoded, every date carries its offset, and the JSON-LD stays valid JSON
inside <script> whatever a headline holds (quotes, `<`, `</script>`).
"""

from __future__ import annotations

import json
import re
from typing import Any

import jinja2
from markupsafe import Markup

from .config import SiteConfig
from .dates import iso
from .feeds import FeedLink, feed_links
from .fingerprint import reads
from .model import Article
from .urls import UrlBuilder

# Inside <script>, "</script>" or "<!--" would end or confuse the element; as \u escapes they are
# the same JSON string. U+2028/2029 are escaped for older JavaScript parsers.
_SCRIPT_SAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                "\u2029": "\\u2029"}


def install(env: jinja2.Environment, config: SiteConfig, urls: UrlBuilder) -> None:
    publisher = _publisher(config, urls)  # the same on every article page
    env.globals.update(
        og_locale=og_locale(config.locale),
        # What they read of the terms passed in, so pages are fingerprinted by that (fingerprint.py).
        news_article=reads("authors", "category", "tags", "name", "url")(
            lambda article, terms=None: json_ld(news_article(config, urls, article, terms, publisher))),
        alternate_feeds=reads("kind", "url", "name")(_feeds_by_term(config, urls)),
    )


def _feeds_by_term(config: SiteConfig, urls: UrlBuilder) -> Any:
    """alternate_feeds for templates, made once per term (every article page asks for the site's)."""
    made: dict[tuple[Any, ...], list[FeedLink]] = {}

    def feeds(term: Any = None) -> list[FeedLink]:
        # All that alternate_feeds reads of the term.
        key = (term is None, *(getattr(term, name, None) for name in ("kind", "url", "name")))
        try:
            found = made.get(key)
        except TypeError:  # not a term: unhashable parts
            return alternate_feeds(config, urls, term)
        if found is None:
            found = made[key] = alternate_feeds(config, urls, term)
        return list(found)  # a copy: a template may change its list

    return feeds


def og_locale(locale: str) -> str:
    """Open Graph wants language_TERRITORY: 'ar' → 'ar_AR' (Facebook's Arabic), 'ar_SY' stays."""
    language, _, territory = locale.replace("-", "_").partition("_")
    return f"{language}_{territory.upper() or language.upper()}"


# What json.dumps(data, ensure_ascii=False, separators=(",", ":")) makes on every call (one JSON-LD
# block per article page), made once.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


_SCRIPT_UNSAFE = re.compile("[" + "".join(_SCRIPT_SAFE) + "]")


def json_ld(data: Any) -> Markup:
    text = _JSON.encode(data)
    if _SCRIPT_UNSAFE.search(text):  # one look through the text instead of one per character
        for char, escaped in _SCRIPT_SAFE.items():
            text = text.replace(char, escaped)
    return Markup(text)


def news_article(config: SiteConfig, urls: UrlBuilder, article: Article, terms: Any = None,
                 publisher: dict[str, Any] | None = None) -> dict:
    """schema.org NewsArticle, as Google's article structured data documents it. `publisher`:
    _publisher(config, urls), when already made."""
    page = urls.absolute(article.url)
    modified = article.updated or article.date
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": page},
        "url": page,
        "headline": article.title,
        "description": article.summary_text,
        "inLanguage": config.language,
    }
    image = article.image or config.seo.image
    if image:
        data["image"] = [urls.absolute(image)]
    if article.date:
        data["datePublished"] = iso(article.date)
    if modified:
        data["dateModified"] = iso(modified)
    authors = _authors(urls, article, terms)
    if authors:
        data["author"] = authors
    data["publisher"] = publisher or _publisher(config, urls)
    if article.category:
        data["articleSection"] = getattr(getattr(terms, "category", None), "name", article.category)
    if article.tags:
        data["keywords"] = [t.name for t in getattr(terms, "tags", ())] or list(article.tags)
    return data


def _authors(urls: UrlBuilder, article: Article, terms: Any) -> list[dict[str, str]]:
    """Each author with the URL of their author page, when the site has author pages."""
    linked = getattr(terms, "authors", ())
    if linked:
        return [{"@type": "Person", "name": t.name, "url": urls.absolute(t.url)} for t in linked]
    return [{"@type": "Person", "name": name} for name in article.authors]


def _publisher(config: SiteConfig, urls: UrlBuilder) -> dict[str, Any]:
    publisher: dict[str, Any] = {"@type": "NewsMediaOrganization", "name": config.title,
                                 "url": urls.absolute("/")}
    if config.logo:
        publisher["logo"] = {"@type": "ImageObject", "url": urls.absolute(config.logo)}
    return publisher


def alternate_feeds(config: SiteConfig, urls: UrlBuilder, term: Any = None) -> list[FeedLink]:
    """The site's feeds, and on a tag or section page that term's own feeds first."""
    links = feed_links(config, urls, "/", config.title)
    if term is not None and config.feeds.per_term and getattr(term, "kind", "") in ("tags", "categories"):
        links = feed_links(config, urls, term.url, f"{term.name} | {config.title}") + links
    return links
