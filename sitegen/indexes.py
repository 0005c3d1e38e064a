"""The derive stage (design §4): everything computed once from the whole Site, before planning.

Tags, sections and authors, the terms each article links to, and (see sitegen.related) the
«أخبار ذات صلة» of every article. Planners and templates only read these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic
from .gcpause import collector_paused
from .model import Article
from .site import Site
from .taxonomy import Taxonomy, Term, build_taxonomy

if TYPE_CHECKING:  # imported when deriving: they load numpy, which a no-change build never needs
    from .related import Related
    from .related_cache import RankingStore


@dataclass(frozen=True)
class ArticleTerms:
    """What an article page links to, each as a Term (display name, URL)."""

    tags: tuple[Term, ...] = ()
    category: Term | None = None
    authors: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Indexes:
    tags: Taxonomy
    categories: Taxonomy
    authors: Taxonomy
    # Related stories per article path, best first (pins, then by score), with their scores.
    related: Mapping[str, tuple[Related, ...]] = field(default_factory=dict)
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def taxonomies(self) -> tuple[Taxonomy, ...]:
        return (self.tags, self.categories, self.authors)

    def terms_of(self, article: Article) -> ArticleTerms:
        category = self.categories.term_for(article.category) if article.category else None
        return ArticleTerms(
            tags=_unique(self.tags.by_spelling, article.tags),
            category=category,
            authors=_unique(self.authors.by_spelling, article.authors),
        )

    def related_to(self, article: Article) -> tuple[Article, ...]:
        return tuple(r.article for r in self.related.get(article.path, ()))


def _unique(by_spelling: Mapping[str, Term], spellings: tuple[str, ...]) -> tuple[Term, ...]:
    """The terms of `spellings` (Taxonomy.term_for), in order. Asked for every article page."""
    terms = [term for spelling in spellings if (term := by_spelling.get(spelling)) is not None]
    if len(terms) < 2:
        return tuple(terms)
    # Two spellings of one tag on the same article are linked once.
    return tuple({t.key: t for t in terms}.values())


def derive(site: Site, jobs: int = 1, store: RankingStore | None = None
           ) -> tuple[Indexes, list[Diagnostic]]:
    """Build the indexes; returns them with warnings (nothing here can fail a build). Related news
    is ranked in `jobs` processes, or taken from `store` when nothing it reads has changed."""
    with collector_paused():
        return _derive(site, jobs, store)


def _derive(site: Site, jobs: int, store: RankingStore | None) -> tuple[Indexes, list[Diagnostic]]:
    config = site.config
    tags, problems = build_taxonomy("tags", site.articles, lambda a: a.tags, config.tags, ("tags",))
    categories, found = build_taxonomy("categories", site.articles,
                                       lambda a: (a.category,) if a.category else (),
                                       config.categories, ("category",))
    problems += found
    authors, found = build_taxonomy("authors", site.articles, lambda a: a.authors, config.authors,
                                    ("author", "authors"))
    problems += found
    from .related import relate

    related = relate(site, tags, categories, jobs, store)
    indexes = Indexes(tags, categories, authors, related, tuple(problems))
    return indexes, problems
