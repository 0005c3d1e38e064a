"""«أخبار ذات صلة»: the related stories under each article (design §6, issue 3).

Editor pins (`related:` in front matter) come first, in their order. The rest are ranked by

    score = (tags · T + category · C + text · (X_tokens + X_stems)) × time

* T: shared tags weighted by rarity — each shared tag adds its IDF (over tag identities, so
  spelling variants count once), normalised so one tag shared by two articles adds 1, then
  saturated as 1 − e^(−sum): «عاجل» on half the site adds little, two rare tags add more than one;
* C: 1 when both are in the same section;
* X: cosine similarity of the Arabic text (sitegen.text_index), split into exact tokens and stems;
* time: floor + (1 − floor) · ½^(days apart / half_life), looking backwards *and* forwards, so an
  old story links to its follow-ups (unless `include_newer = false`).

Weights and thresholds come from `[related]` in site.toml. Never the article itself, drafts or
future articles. Ties: score, then the newer article, then slug. Candidates come from postings
lists (sitegen.postings), never from a loop over all pairs.
"""

from __future__ import annotations

import functools
import math
from array import array
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import NamedTuple

from . import workers
from .freshness import time_window, unwatched
from .lazy_numpy import np
from .model import Article
from .postings import FlatPostings, rank_in_group, rows_of
from .related_cache import (
    SCORES_PER_ROW,
    RankingRows,
    RankingStore,
    ranking_digest,
    ranking_frame,
    vectors_digest,
)
from .site import Site
from .taxonomy import Taxonomy
from .text_index import Numbering, TextIndex, Vectors, updated_vectors, vectors_of
from .textsim import article_features, forget_features

SECONDS_PER_DAY = 86400.0
SHORTLIST = 12  # candidates scored exactly per article (more changed nothing measurable)
TERM_WINDOW = 10  # articles visited per shared tag or section, nearest in time
RANK_BLOCK = 1024  # articles ranked together: ~50 MB of arrays at a time
SCORE_PLACES = 9  # scores equal to this many decimal places are ties
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class Score(NamedTuple):
    """A candidate's score and what it is made of (weighted), for `sitegen related`.

    A named tuple: made 50,000 times in a 10,000-article build, cheaper than a dataclass.
    """

    total: float
    tags: float
    category: float
    text: float
    stems: float
    time: float  # the multiplier, 0..1
    pinned: bool = False


class Related:
    """One story of the block and why it is there.

    The Score is made when first asked for: only `sitegen related` and tests ask, and a build
    would otherwise make 50,000 of them (and 300,000 floats) per 10,000 articles for nothing.
    """

    __slots__ = ("article", "_score", "_ranking", "_row")

    def __init__(self, article: Article, score: Score | None = None, ranking: Ranking | None = None,
                 row: int = -1):
        self.article = article
        self._score, self._ranking, self._row = score, ranking, row  # the score, or where it is

    @property
    def score(self) -> Score:
        if self._score is None:
            assert self._ranking is not None
            self._score = self._ranking.score(self._row)
        return self._score

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Related) and (self.article, self.score) == (other.article, other.score)

    def __hash__(self) -> int:
        return hash((self.article, self.score))

    def __repr__(self) -> str:
        return f"Related(article={self.article!r}, score={self.score!r})"


class Relater:
    """Everything the scorer needs about a site, built once, and every article's ranking.

    Ranking runs over arrays, a block of articles at a time (see sitegen.postings): candidates from
    the postings windows with a cheap partial score (no time decay), the SHORTLIST best of each
    then scored exactly.
    """

    def __init__(self, site: Site, tags: Taxonomy, categories: Taxonomy, jobs: int = 1,
                 store: RankingStore | None = None):
        self.site = site
        self.config = site.config.related
        self.articles = site.articles  # newest first: positions are time order
        self.position = {a.path: i for i, a in enumerate(self.articles)}
        with time_window() as clock:  # a future article (--future) becomes eligible when due
            # Compared with a plain datetime of the same moment: uses inside this window are
            # declared anyway, and each comparison with Site.now costs a Python call to notice it.
            now = unwatched(site.now)
            self.eligible = [not a.draft and a.date is not None and a.date <= now for a in self.articles]
            clock.valid_until(min((a.date for a in self.articles if a.date and a.date > now),
                                  default=None))
        self.features = [article_features(a) for a in self.articles]
        tag_key, category_key = _key_of(tags), _key_of(categories)
        self.tag_keys = [frozenset([tag_key[t] for t in a.tags if t in tag_key]) for a in self.articles]
        self.category_keys = [frozenset([category_key[a.category]] if a.category in category_key else ())
                              for a in self.articles]
        self.micros = [_micros(a) for a in self.articles]
        self._store = store
        self.ranking = self._stored_or_ranked(jobs)

    # The index and arrays, made only when something is ranked or scored (not when the ranking is
    # stored: then numpy is not even imported, see lazy_numpy.py).
    @functools.cached_property
    def _eligible_array(self) -> np.ndarray:
        return np.array(self.eligible, dtype=bool)

    @functools.cached_property
    def _micros_array(self) -> np.ndarray:
        return np.array(self.micros, dtype=np.int64)

    @functools.cached_property
    def text(self) -> TextIndex:
        return TextIndex.of(self.weighed[0])

    @functools.cached_property
    def weighed(self) -> tuple[Vectors, Numbering]:
        """Every article's text vector, and its features numbered: from the stored vectors where
        they can be updated (text_index.updated_vectors), else weighed afresh, numbering the
        features as the stored numbering did where they are the same."""
        store, encoded, stems = self._store, [found.encoded for found in self.features], self.config.stems
        if store is None:
            return vectors_of(encoded, stems)
        digests = [found.digest for found in self.features]
        stored = store.weighed(stems)
        updated = updated_vectors(*stored, encoded, digests, stems) if stored is not None else None
        return updated or vectors_of(encoded, stems, digests, store.numbering())

    @functools.cached_property
    def tags(self) -> _Terms:
        return _Terms(self.tag_keys, idf=True)

    @functools.cached_property
    def category(self) -> _Terms:
        return _Terms(self.category_keys, idf=False)

    def is_eligible(self, article: Article) -> bool:
        # An article's answer was worked out in __init__, inside a declared time window; asking
        # Site.now again here would make every build with a pinned story time-sensitive (never
        # known up to date). Static pages are not in the ranking: their answer is asked for now.
        doc = self.position.get(article.path)
        if doc is not None and self.articles[doc] is article:
            return self.eligible[doc]
        return not article.draft and article.date is not None and article.date <= self.site.now

    def related(self, article: Article) -> tuple[Related, ...]:
        """Pins, then the best ranked candidates."""
        doc, limit = self.position.get(article.path), self.config.max_items
        if doc is None or limit == 0:
            return ()
        chosen = self._pins(article, doc) if article.pins else []
        ranking, articles = self.ranking, self.articles
        rows: Sequence[int] = range(ranking.first[doc], ranking.first[doc + 1])
        if chosen:  # pinned stories are not listed twice
            taken = {self.position.get(r.article.path) for r in chosen}
            rows = [row for row in rows if ranking.others[row] not in taken]
        rows = rows[: max(0, limit - len(chosen))]
        ranked = [Related(articles[ranking.others[row]], None, ranking, row) for row in rows]
        return tuple(chosen + ranked)[:limit]

    def _stored_or_ranked(self, jobs: int) -> Ranking:
        store = self._store
        if store is None:
            return self._rank_all(jobs)
        frame = ranking_frame(self.config, self.articles, self.eligible, self.micros, self.tag_keys,
                              self.category_keys)
        digest = ranking_digest(frame, self.features)
        stored = store.load(digest)
        if stored is not None:
            return Ranking(*stored)
        # Words changed: the vectors are weighed again (only those that can have changed, when
        # the stored ones allow). If they came out as before (a word no other article uses, or
        # words too common to be among an article's strongest), so does the ranking; else only
        # the articles the change can reach are ranked again.
        by_vectors = vectors_digest(frame, self.weighed[0].digest)
        stored = store.load(by_vectors)
        ranking = Ranking(*stored) if stored is not None else self._ranked_again(store.previous(frame), jobs)
        store.save((digest, by_vectors), ranking, (frame, *self.weighed, self.config.stems))
        return ranking

    def _rank_all(self, jobs: int) -> Ranking:
        return Ranking.of(*self._rank(np.arange(len(self.articles)), jobs), len(self.articles))

    def _ranked_again(self, previous: tuple[RankingRows, Vectors] | None, jobs: int) -> Ranking:
        """Every article's ranking, given `previous`: the stored ranking of the same articles
        (the same frame) and the vectors it was made from. Only the articles whose candidates or
        scores can differ from then are ranked: those the text index reaches from a changed vector
        (TextIndex.affected_by), and those with a changed article in their tag or section windows.
        Every other article has the same candidates as then, none of them changed, with the same
        rough and exact scores, and keeps its rows."""
        if previous is None:
            return self._rank_all(jobs)
        rows, before = previous
        changed, reached = self.text.affected_by(before)
        # And those that can have a changed article among their candidates through a tag or the
        # section: its score with them can have changed.
        affected = np.union1d(reached, np.union1d(self.tags.near(changed), self.category.near(changed)))
        return _merged(rows, affected, self._rank(affected, jobs), len(self.articles))

    def _rank(self, docs: np.ndarray, jobs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ranked rows of `docs` (ascending), RANK_BLOCK articles at a time (bounding the
        arrays' memory), in `jobs` processes. Forked workers share the index without copying it:
        it is all numpy arrays, whose data reference counting never writes to."""
        blocks = [docs[start:start + RANK_BLOCK] for start in range(0, len(docs), RANK_BLOCK)]
        _ = self.text, self.tags, self.category, self._slug_order  # built once, before forking
        workers.state["relater"] = self
        try:
            parts = list(workers.map_chunks(_rank_blocks, blocks, jobs, chunk_size=1, min_items=2))
        finally:
            workers.state.pop("relater", None)
        doc, other, scores = zip(*parts, strict=True) if parts else ((), (), ())
        none = np.zeros(0, np.int64)
        return (np.concatenate(doc or [none]), np.concatenate(other or [none]),
                np.concatenate(scores or [np.zeros((SCORES_PER_ROW, 0))], axis=1))

    def rank_block(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ranked (doc, other) pairs of `docs`, sorted by doc then rank, and their scores."""
        doc, other = self._shortlist(docs)
        scores = self._scores(doc, other)
        good = scores[0] >= self.config.min_score
        doc, other, scores = doc[good], other[good], scores[:, good]
        # Best first: score (to 9 places, so float noise cannot reorder), then newer, then slug.
        rounded = rounded_as_python(scores[0], SCORE_PLACES)
        order = np.lexsort((self._slug_order[other], self._micros_array[other] * -1, -rounded, doc))
        return doc[order], other[order], scores[:, order]

    def _shortlist(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The SHORTLIST candidate pairs (doc, other) of each of `docs` with the best rough score.

        Rough: text similarity from the postings windows, plus the weight of each shared tag or
        section for the TERM_WINDOW articles nearest in time having it. Summed per pair in the
        order text, tags (sorted), section, as the per-article dictionaries of the first version
        did, so the sums are the same floats.
        """
        c, n = self.config, len(self.articles)
        older_only = not c.include_newer
        doc, other, similarity = self.text.neighbours(docs, older_only)
        text_pairs, inverse = np.unique(doc * n + other, return_inverse=True)
        pairs, values = [text_pairs], [c.text * np.bincount(inverse, weights=similarity)]
        for terms, gain in ((self.tags, c.tags), (self.category, c.category)):
            doc, other, weight = terms.windows(docs, older_only)
            pairs.append(doc * n + other)
            values.append(gain * weight)
        pairs_found, inverse = np.unique(np.concatenate(pairs), return_inverse=True)
        rough = np.bincount(inverse, weights=np.concatenate(values))
        doc, other = np.divmod(pairs_found, n)
        keep = (other != doc) & self._eligible_array[other]
        if older_only:
            keep &= self._micros_array[other] <= self._micros_array[doc]
        doc, other, rough = doc[keep], other[keep], rough[keep]
        # By document, best rough score first, then `other`: the pairs come sorted by document and
        # other (np.unique), and lexsort is stable, so equal scores stay in order of `other`.
        order = np.lexsort((-rough, doc))
        best = order[rank_in_group(doc[order]) < SHORTLIST]
        return doc[best], other[best]

    def _scores(self, doc: np.ndarray, other: np.ndarray) -> np.ndarray:
        """Score components of each pair, as rows: total, tags, category, tokens, stems, time."""
        c = self.config
        tokens, stems = self.text.explain(doc, other)
        shared = self.tags.shared_weight(doc, other)
        tags = c.tags * (1 - np.array([math.exp(-s) for s in shared.tolist()]))
        category = c.category * (self.category.shared_weight(doc, other) > 0)
        days = np.abs(self._micros_array[doc] - self._micros_array[other]) / 1e6 / SECONDS_PER_DAY
        # Python's pow, not numpy's: numpy may use a faster power that differs in the last bit.
        decay = np.array([0.5 ** (d / c.half_life_days) for d in days.tolist()])
        time = c.time_floor + (1 - c.time_floor) * decay
        total = (tags + category + c.text * tokens + c.text * stems) * time
        return np.array([total, tags, category, c.text * tokens, c.text * stems, time]).reshape(6, -1)

    def score(self, doc: int, other: int, pinned: bool = False) -> Score:
        row = self._scores(np.array([doc]), np.array([other]))[:, 0].tolist()
        return Score(*row, pinned=pinned)

    @functools.cached_property
    def _slug_order(self) -> np.ndarray:
        order = np.empty(len(self.articles), dtype=np.int64)
        order[sorted(range(len(self.articles)), key=lambda doc: self.articles[doc].slug)] = np.arange(
            len(self.articles))
        return order

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


class Ranking(RankingRows):
    """The rows as ranked or stored, and the Score of a row."""

    __slots__ = ()

    @classmethod
    def of(cls, doc: np.ndarray, other: np.ndarray, scores: np.ndarray, size: int) -> Ranking:
        """Rows sorted by `doc`, for articles 0..size-1."""
        first = np.searchsorted(doc, np.arange(size + 1)).tolist()
        flat = array("d")  # row after row, as related_cache keeps them
        flat.frombytes(np.ascontiguousarray(scores.T, dtype=np.float64).tobytes())
        return cls(first, other.tolist(), flat)

    def score(self, row: int) -> Score:
        start = row * SCORES_PER_ROW
        return Score(*self.scores[start:start + SCORES_PER_ROW])


class _Terms:
    """The terms of one taxonomy (tags, or sections) on each article, as arrays.

    Terms are numbered in order of their keys, and each article's are stored in that order, so
    sums over them add in the same order as sorting the keys did.
    """

    def __init__(self, keys: list[frozenset[str]], idf: bool):
        number = {key: i for i, key in enumerate(sorted(set().union(*keys)))}
        per_doc = [sorted(number[key] for key in found) for found in keys]
        self.count = np.fromiter(map(len, per_doc), dtype=np.int64, count=len(per_doc))
        self.first = np.cumsum(self.count) - self.count
        self.doc = np.repeat(np.arange(len(per_doc)), self.count)
        self.term = np.fromiter(chain.from_iterable(per_doc), dtype=np.int64, count=len(self.doc))
        self.postings = FlatPostings.build(self.term, self.doc, np.ones(len(self.doc)), len(number))
        self.weight = (np.array(_idf(self.postings.length.tolist(), len(per_doc))) if idf
                       else np.ones(len(number)))
        self.lookup = self.doc * len(number) + self.term  # ascending: by document, then term

    def windows(self, docs: np.ndarray, older_only: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(doc, other, term weight) for the TERM_WINDOW articles nearest in time having each term
        of each of `docs`, term by term (the document itself among them)."""
        _, entry = rows_of(self.first, self.count, docs)
        query, visited = self.postings.windows(self.term[entry], self.postings.position[entry],
                                               TERM_WINDOW, older_only)
        entry = entry[query]
        return self.doc[entry], self.postings.docs[visited], self.weight[self.term[entry]]

    def near(self, docs: np.ndarray) -> np.ndarray:
        """Every article that can have one of `docs` in its windows (`windows`): those fewer than
        TERM_WINDOW places from one of them in the list of a term it has."""
        _, entry = rows_of(self.first, self.count, docs)
        return self.postings.near(self.term[entry], self.postings.position[entry], 2 * TERM_WINDOW - 1)[1]

    def shared_weight(self, doc: np.ndarray, other: np.ndarray) -> np.ndarray:
        """Per pair, the summed weight of the terms both have."""
        pair, entry = rows_of(self.first, self.count, doc)
        wanted = other[pair] * len(self.weight) + self.term[entry]
        found = np.minimum(np.searchsorted(self.lookup, wanted), max(len(self.lookup) - 1, 0))
        shared = self.lookup[found] == wanted if len(self.lookup) else np.zeros(len(wanted), dtype=bool)
        return np.bincount(pair[shared], weights=self.weight[self.term[entry[shared]]], minlength=len(doc))


def relate(site: Site, tags: Taxonomy, categories: Taxonomy, jobs: int = 1,
           store: RankingStore | None = None) -> dict[str, tuple[Related, ...]]:
    """Related stories of every article, by article path, ranked in `jobs` processes (or as
    `store` kept them, when nothing ranking reads has changed)."""
    relater = Relater(site, tags, categories, jobs, store)
    forget_features()  # in the index now; ~20 KB per article that render workers need not inherit
    return {a.path: relater.related(a) for a in site.articles}


def _merged(rows: RankingRows, ranked_docs: np.ndarray, ranked: tuple[np.ndarray, np.ndarray, np.ndarray],
            size: int) -> Ranking:
    """`rows` with the rows of `ranked_docs` replaced by `ranked` (doc, other, scores)."""
    kept_doc = np.repeat(np.arange(size), np.diff(np.array(rows.first, dtype=np.int64)))
    kept = ~np.isin(kept_doc, ranked_docs)
    kept_scores = np.frombuffer(rows.scores, dtype=np.float64).reshape(-1, SCORES_PER_ROW).T
    doc, other, scores = ranked
    doc = np.concatenate([kept_doc[kept], doc])
    order = np.argsort(doc, kind="stable")  # by article; each article's rows come from one side
    other = np.concatenate([np.array(rows.others, dtype=np.int64)[kept], other])
    scores = np.concatenate([kept_scores[:, kept], scores], axis=1)
    return Ranking.of(doc[order], other[order], scores[:, order], size)


def _rank_blocks(blocks: Sequence[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    relater: Relater = workers.state["relater"]
    return [relater.rank_block(block) for block in blocks]


def _key_of(taxonomy: Taxonomy) -> dict[str, str]:
    """The identity of the term of each spelling (`taxonomy.term_for(spelling).key`)."""
    return {spelling: term.key for spelling, term in taxonomy.by_spelling.items()}


def _idf(df: list[int], n: int) -> list[float]:
    """BM25's IDF of each document frequency, relative to a tag only two articles share (which
    then adds exactly 1)."""

    def idf(count: int) -> float:
        return math.log((n - count + 0.5) / (count + 0.5) + 1)

    reference = idf(2) if n > 2 else 1.0
    return [idf(count) / reference for count in df]


def rounded_as_python(values: np.ndarray, places: int) -> np.ndarray:
    """[round(v, places) for v in values], bit for bit, without a Python call per value.

    Python rounds the exact decimal value, correctly; scaling, rounding to an integer and
    dividing back gives the same float (an integer below 2**53 divided by a power of ten is
    correctly rounded too) unless the scaled value lies next to a half, where the product's own
    rounding may tip it: those few, and large values, are left to Python. `places` up to 22,
    whose powers of ten are exact floats.
    """
    scale = 10.0 ** places
    with np.errstate(over="ignore", invalid="ignore"):  # huge values and NaN: Python's below
        scaled = values * scale
        result = np.rint(scaled) / scale
        # The exact product lies within half a last place of the float one, so both fall on the
        # same side of a half unless the float one is (about) the half itself. From 2**52 on a
        # float has no fraction left to judge by; NaN and infinities fail both tests.
        doubtful = ~(np.abs(scaled - np.floor(scaled) - 0.5) > 1e-3) | ~(np.abs(scaled) < 2.0 ** 52)
    for index in np.flatnonzero(doubtful).tolist():
        result[index] = round(float(values[index]), places)
    return result


def _micros(article: Article) -> int:
    """Microseconds since the epoch: exact, so differences are what timedelta gives."""
    return (article.date - EPOCH) // MICROSECOND if article.date else 0
