"""Which pages an edit of article bodies can have changed, known without fingerprinting every page.

Fingerprinting all 18,000 pages of a 10,000-article site costs seconds, yet the usual edit (a
figure, a sentence, a link in one article's text) changes a handful of them. Every page's
fingerprint records the articles it took in (fingerprint.py: an article counts by its parse
key). A page that took in none of the edited articles can only have changed through what the
planners and the derive stage made from the site as a whole: the order and URLs of the articles,
their tags, dates, summaries... So when an edit changed nothing but BODY_FIELDS of some articles,
and everything else every page is made from is as the last build left it, only the pages that
recorded one of those articles are fingerprinted again. Related news is ranked from every
article's words: an article whose block changed counts as edited too (its page always records
its own article).

That rests on one rule, which the planners keep: a body field reaches a page only through the
Article object itself (read by its templates, or counted by a Deferred's `inputs`), or through a
Deferred that names the articles whose bodies it reads (`reads_bodies_of`); a Deferred without
either makes its pages untracked, fingerprinted on every build. tests/test_page_deps.py edits
each body field of articles of a test site and checks that the pages skipped are the same bytes
a full build makes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from .indexes import Indexes
from .model import Article
from .site import Site

# Fields that are an article's text and what is computed from it alone, read by no planner and
# by derive only through the related-news ranking (whose result is compared). The summary is not
# among them: listings and feeds show it.
BODY_FIELDS = frozenset({"body_html", "toc_html", "word_count", "refs"})
SHARED_FIELDS = tuple(f.name for f in dataclasses.fields(Article) if f.name not in BODY_FIELDS | {"source"})

OldArticle = Callable[[bytes, Article], Article | None]  # (parse key, the article now) -> as it was


@dataclass(frozen=True)
class SiteSnapshot:
    """What every page of a build was made from, besides its articles' bodies (and its own
    template-read values, which its fingerprint counts)."""

    base: bytes  # the fingerprinter's base: code, settings, templates, translations, globals
    paths: tuple[str, ...]  # every article and page, in the site's order
    keys: tuple[bytes, ...]  # each one's parse key (it determines every field)
    # Each one's «أخبار ذات صلة», by position: ranked from the words of every article, so an
    # edited text can change the block of any article (which then counts as edited).
    related: tuple[tuple[int, ...], ...]
    # What pages take from the articles left out (scheduled ones): the next one's date.
    next_scheduled: datetime | None = None

    def position(self) -> dict[str, int]:
        return {path: index for index, path in enumerate(self.paths)}


def snapshot(site: Site, indexes: Indexes, base: bytes,
             article_key: Callable[[Article], bytes | None]) -> SiteSnapshot | None:
    """This build's snapshot; None when some article has no parse key (then no page is skipped in
    the next build either)."""
    articles = site.everything
    keys = tuple(article_key(article) for article in articles)
    if None in keys:
        return None
    paths = tuple(a.path for a in articles)
    position = {id(article): index for index, article in enumerate(articles)}  # the same objects
    blocks = indexes.related
    related = tuple(tuple([position.get(id(r.article), -1) for r in blocks.get(path, ())]) for path in paths)
    return SiteSnapshot(base, paths, keys, related, site.next_scheduled)  # type: ignore[arg-type]


def only_body_changed(old: Article | None, new: Article) -> bool:
    """Whether `new` differs from `old` (None: unknown) in BODY_FIELDS alone. Read from the
    objects' state: the body of an article from the build cache may still be undecoded bytes."""
    return old is not None and all(old.__dict__[name] == new.__dict__[name] for name in SHARED_FIELDS)


def edited_bodies(previous: SiteSnapshot | None, current: SiteSnapshot | None,
                  articles: Sequence[Article], old_article: OldArticle) -> frozenset[int] | None:
    """Positions of the articles whose bodies alone changed since `previous`, or whose related
    news did; None when anything else changed (or either snapshot is unknown): then every page is
    fingerprinted. `articles` are this build's (in `current`'s order); an edited one is compared
    with the article its previous parse key gave (`old_article`; None if no longer known)."""
    if previous is None or current is None or previous.base != current.base \
            or previous.paths != current.paths or previous.next_scheduled != current.next_scheduled:
        return None
    edited = []
    pairs = zip(previous.keys, current.keys, previous.related, current.related, strict=True)
    for index, (old_key, key, old_related, related) in enumerate(pairs):
        if old_key != key:
            if not only_body_changed(old_article(old_key, articles[index]), articles[index]):
                return None
            edited.append(index)
        elif old_related != related:
            edited.append(index)
    return frozenset(edited)


def may_have_changed(recorded: frozenset[int] | tuple[int, ...] | None, edited: frozenset[int]) -> bool:
    """Whether a page that recorded these articles (None: not known which) can differ now."""
    return recorded is None or not edited.isdisjoint(recorded)
