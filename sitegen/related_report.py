"""`sitegen related <slug-or-path>`: why these stories are under that article.

Runs the build's stages up to `derive` (nothing is rendered or written) and returns the chosen
items with their score broken down by signal, as the build would place them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .config import load_config
from .diagnostics import ConfigError, did_you_mean, error, raise_if_errors
from .discovery import discover
from .indexes import derive
from .model import Article
from .parsing import parse
from .related import Related
from .site import BuildOptions, Site, assemble


@dataclass(frozen=True)
class RelatedReport:
    article: Article
    items: tuple[Related, ...]
    max_items: int


def explain_related(root: Path, target: str, options: BuildOptions, now: datetime) -> RelatedReport:
    config = load_config(root)
    sources, problems = discover(config.root)
    raise_if_errors(problems)
    articles, problems = parse(sources, config)
    raise_if_errors(problems)
    site, problems = assemble(articles, config, now, options)
    raise_if_errors(problems)
    article = find_article(site, target, Path.cwd())
    indexes, _ = derive(site)
    return RelatedReport(article, indexes.related.get(article.path, ()), config.related.max_items)


def find_article(site: Site, target: str, cwd: Path) -> Article:
    """The published article named by slug, URL, or file path (site- or content-relative)."""
    wanted = unicodedata.normalize("NFC", target.strip())
    as_file = (cwd / wanted).resolve() if wanted.endswith(".md") else None
    for article in site.articles:
        names = {article.slug, article.url, article.url.strip("/"), article.path,
                 article.source.content_rel}
        if wanted in names or (as_file is not None and article.source.path.resolve() == as_file):
            return article
    if any(page.slug == wanted or page.path == wanted for page in site.pages):
        message = f"'{wanted}' is a static page; only articles have a related-news block"
    else:
        hint = did_you_mean(wanted, [a.slug for a in site.articles])
        message = f"no published article has the slug or path '{wanted}'{hint}"
    raise ConfigError([error("", message)])
