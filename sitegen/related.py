"""«أخبار ذات صلة»: the related stories under each article (design §6, issue 3).

Editor pins (`related:` in front matter) come first, in their order. The rest are ranked by

    score = (tags · T + category · C + text · (X_tokens + X_stems)) × time

* T: shared tags weighted by rarity — each shared tag adds its IDF (over tag identities, so
  spelling variants count once), normalised so one tag shared by two articles adds 1, then
  saturated as 1 − e^(−sum): «عاجل» on half the site adds little, two rare tags add more than one;
* C: 1 when both are in the same section;
* X: cosine similarity of the Arabic text (sitegen.textsim), split into exact tokens and stems;
* time: floor + (1 − floor) · ½^(days apart / half_life), looking backwards *and* forwards, so an
  old story links to its follow-ups (unless `include_newer = false`).

Weights and thresholds come from `[related]` in site.toml. Never the article itself, drafts or
future articles. Ties: score, then the newer article, then slug. Candidates come from postings
lists (textsim.window), never from a loop over all pairs.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from .freshness import time_window
from .model import Article
from .site import Site
from .taxonomy import Taxonomy
from .textsim import Postings, TextIndex, article_features, forget_features

SECONDS_PER_DAY = 86400.0
SHORTLIST = 12  # candidates scored exactly per article (more changed nothing measurable)
TERM_WINDOW = 10  # articles visited per shared tag or section, nearest in time


class Score(NamedTuple):
    """A candidate's score and what it is made of (weighted), for `sitegen related`.

    A named tuple: made 120,000 times in a 10,000-article build, cheaper than a dataclass.
    """

    total: float
    tags: float
    category: float
    text: float
    stems: float
    time: float  # the multiplier, 0..1
    pinned: bool = False


@dataclass(frozen=True)
class Related:
    article: Article
    score: Score


class Relater:
    """Everything the scorer needs about a site, built once; `related(article)` per article."""

    def __init__(self, site: Site, tags: Taxonomy, categories: Taxonomy):
        self.site = site
        self.config = site.config.related
        self.articles = site.articles  # newest first: positions are time order
        self.position = {a.path: i for i, a in enumerate(self.articles)}
        with time_window() as clock:  # a future article (--future) becomes eligible when due
            self.eligible = [self.is_eligible(a) for a in self.articles]
            clock.valid_until(min((a.date for a in self.articles if a.date and a.date > site.now),
                                  default=None))
        self.text = TextIndex.from_features([article_features(a) for a in self.articles],
                                            self.config.stems)
        self.tag_keys = [_keys(tags, a.tags) for a in self.articles]
        self.category = [_keys(categories, (a.category,) if a.category else ()) for a in self.articles]
        self.tag_postings = _postings(self.tag_keys)
        self.category_postings = _postings(self.category)
        self.tag_idf = _idf({key: len(docs) for key, docs in self.tag_postings.items()},
                            len(self.articles))

    def is_eligible(self, article: Article) -> bool:
        return not article.draft and article.date is not None and article.date <= self.site.now

    def related(self, article: Article) -> tuple[Related, ...]:
        """Pins, then the best ranked candidates."""
        doc = self.position.get(article.path)
        if doc is None or self.config.max_items == 0:
            return ()
        chosen = self._pins(article, doc)
        taken = {r.article.path for r in chosen} | {article.path}
        ranked = [r for r in self.ranked(doc) if r.article.path not in taken]
        return tuple(chosen + ranked)[: self.config.max_items]

    def ranked(self, doc: int, shortlist: int = SHORTLIST) -> list[Related]:
        """The best candidates above `min_score`, best first.

        Candidates come from postings lists; a cheap partial score (no time decay) keeps the
        `shortlist` most promising, which are then scored exactly.
        """
        c, article = self.config, self.articles[doc]
        older_only = not c.include_newer
        rough = {other: c.text * similarity
                 for other, similarity in self.text.neighbours(doc, older_only).items()}
        for keys, postings, weights in ((self.tag_keys[doc], self.tag_postings, self.tag_idf),
                                        (self.category[doc], self.category_postings, None)):
            for key in sorted(keys):
                gain = c.tags * weights[key] if weights else c.category
                for other, _ in postings[key].window(doc, older_only, TERM_WINDOW):
                    rough[other] = rough.get(other, 0.0) + gain
        eligible, articles = self.eligible, self.articles
        # (-rough, other) pairs compare in C: the same order as a key function, without its calls.
        candidates = [(-score, other) for other, score in rough.items() if other != doc and eligible[other]
                      and not (older_only and articles[other].date > article.date)]
        best = heapq.nsmallest(shortlist, candidates)
        found = [Related(articles[other], self.score(doc, other)) for _, other in best]
        found = [r for r in found if r.score.total >= c.min_score]
        found.sort(key=lambda r: (-round(r.score.total, 9), -r.article.date.timestamp(), r.article.slug))
        return found

    def score(self, doc: int, other: int, pinned: bool = False) -> Score:
        c = self.config
        text = self.text.explain(doc, other)
        shared = self.tag_keys[doc] & self.tag_keys[other]
        # Sorted: a set of strings iterates in an order that differs between processes (hash seed),
        # and float sums depend on order.
        tags = c.tags * (1 - math.exp(-sum(self.tag_idf[k] for k in sorted(shared))))
        category = c.category * bool(self.category[doc] & self.category[other])
        days = abs((self.articles[doc].date - self.articles[other].date).total_seconds()) / SECONDS_PER_DAY
        time = c.time_floor + (1 - c.time_floor) * 0.5 ** (days / c.half_life_days)
        tokens, stems = c.text * text[0], c.text * text[1]
        total = (tags + category + tokens + stems) * time
        return Score(total, tags, category, tokens, stems, time, pinned)

    def _pins(self, article: Article, doc: int) -> list[Related]:
        chosen: list[Related] = []
        for pin in article.pins:
            target = self.site.resolver.lookup(article, pin.target)
            if target is None or target is article or not self.is_eligible(target):
                continue
            if any(r.article is target for r in chosen):
                continue
            other = self.position.get(target.path)
            score = (self.score(doc, other, pinned=True) if other is not None
                     else Score(0, 0, 0, 0, 0, 0, True))
            chosen.append(Related(target, score))
        return chosen


def relate(site: Site, tags: Taxonomy, categories: Taxonomy) -> dict[str, tuple[Related, ...]]:
    """Related stories of every article, by article path.

    In this process, not in forked workers: ranking reads the whole index, so each worker ended
    up with its own copy of it (reference counts write to every object read), which at 10,000
    articles cost 600 MB for two workers to save about 4 seconds.
    """
    relater = Relater(site, tags, categories)
    forget_features()  # in the index now; ~20 KB per article that render workers need not inherit
    return {a.path: relater.related(a) for a in site.articles}


def _keys(taxonomy: Taxonomy, values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(term.key for v in values if (term := taxonomy.term_for(v)) is not None)


def _postings(keys: list[frozenset[str]]) -> dict[str, Postings]:
    postings: dict[str, Postings] = defaultdict(Postings)
    for doc, found in enumerate(keys):
        for key in sorted(found):
            postings[key].add(doc, 1.0)
    return dict(postings)


def _idf(df: dict[str, int], n: int) -> dict[str, float]:
    """BM25's IDF, relative to a tag only two articles share (which then adds exactly 1)."""

    def idf(count: int) -> float:
        return math.log((n - count + 0.5) / (count + 0.5) + 1)

    reference = idf(2) if n > 2 else 1.0
    return {key: idf(count) / reference for key, count in df.items()}
