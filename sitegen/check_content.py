"""`sitegen check`: editorial problems a build accepts but an editor wants to hear about.

Tag (section, author) spellings that were merged into one term, near-duplicate headlines, and
articles scheduled for later. Terms come from the build's own taxonomy, so check and build agree
on what counts as one tag.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from .arabic import STOP_WORDS, matching_key, tokenize
from .check_links import Locate
from .diagnostics import Diagnostic, warning
from .indexes import Indexes
from .model import Article

SIMILAR_TITLES = 0.75  # share of distinct title words two headlines have in common
COMMON_WORD_CAP = 200  # a word in more titles than this says nothing about duplicates

_VALUES: dict[str, tuple[Callable[[Article], Iterable[str]], tuple[str, ...]]] = {
    "tags": (lambda a: a.tags, ("tags",)),
    "categories": (lambda a: (a.category,) if a.category else (), ("category",)),
    "authors": (lambda a: a.authors, ("author", "authors")),
}


def merged_spellings(indexes: Indexes, locate: Locate) -> Iterator[Diagnostic]:
    """One warning where an article uses a spelling other than the one the term is shown as."""
    for taxonomy in indexes.taxonomies:
        values, keys = _VALUES[taxonomy.kind]
        for term in taxonomy.merged:
            for spelling, uses in term.spellings:
                if spelling == term.name:
                    continue
                for article in term.articles:
                    if spelling not in values(article):
                        continue
                    key = next((k for k in keys if k in article.key_lines), None)
                    line, col = locate(article, [spelling], key)
                    yield warning(article.path, f"{taxonomy.kind}: «{spelling}» is merged with "
                                  f"«{term.name}» ({_articles(uses)} written this way, "
                                  f"{_articles(term.count)} in all); write it one way", line, col)


def near_duplicate_titles(articles: Iterable[Article], locate: Locate) -> Iterator[Diagnostic]:
    """Headlines sharing most of their words; the newer article gets the warning."""
    oldest_first = sorted(articles, key=lambda a: (a.date.timestamp() if a.date else 0.0, a.path))
    words = [frozenset(tokenize(a.title)) - STOP_WORDS for a in oldest_first]
    keys = [matching_key(a.title) for a in oldest_first]
    seen: dict[str, list[int]] = {}
    for i, article in enumerate(oldest_first):
        shared: Counter[int] = Counter()
        for word in words[i]:
            postings = seen.setdefault(word, [])
            if len(postings) <= COMMON_WORD_CAP:
                shared.update(postings)
                postings.append(i)
        match = _most_similar(i, shared, words, keys)
        if match is not None:
            other = oldest_first[match]
            line, col = locate(article, [article.title], "title")
            yield warning(article.path, f"title is nearly the same as {other.path} "
                          f"(«{other.title}»): a duplicate story?", line, col)


def _most_similar(i: int, shared: Counter[int], words: list[frozenset[str]],
                  keys: list[str]) -> int | None:
    best, best_score = None, 0.0
    for j, count in sorted(shared.items()):
        union = len(words[i] | words[j])
        score = 1.0 if keys[i] == keys[j] else count / union if union else 0.0
        if score >= SIMILAR_TITLES and score > best_score:
            best, best_score = j, score
    return best


def scheduled(articles: Iterable[Article], now: datetime, locate: Locate) -> Iterator[Diagnostic]:
    """A note for each article dated in the future: it stays out of the site until then."""
    for article in sorted(articles, key=lambda a: a.path):
        if article.date and article.date > now and not article.draft:
            line, col = locate(article, [], "date")
            yield Diagnostic(article.path, line, col, f"scheduled for {article.date.isoformat()}: "
                       "not published until then", "note")


def _articles(count: int) -> str:
    return f"{count} article" + ("" if count == 1 else "s")
