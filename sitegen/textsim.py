"""Arabic text similarity over sparse vectors and an inverted index (for «أخبار ذات صلة»).

Each article becomes a sparse TF-IDF vector of its title (counted three times: headlines carry
the names), summary and body: matching-key tokens without stop words, plus their light stems as a
secondary, lighter feature (so «بالانتخابات» meets «الانتخابات» while proper nouns still have to
match exactly to count fully). Vectors are L2-normalised and keep their strongest features only.

Similar articles are found through postings lists, never by comparing all pairs: an article's
strongest features are looked up, and for a feature so common that its list is long, only the
entries nearest in time are visited. Cost per article is bounded, so the whole is linear in the
number of articles.
"""

from __future__ import annotations

import html
import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .arabic import STOP_WORDS, light_stem, tokenize
from .model import Article

TITLE_REPEAT = 3  # a headline word weighs like three body words
INDEX_FEATURES = 64  # strongest features kept per article vector
QUERY_FEATURES = 20  # strongest features of an article used to look for neighbours
POSTINGS_WINDOW = 20  # entries visited per feature, nearest in time (all of them for rarer ones)
STEM = "~"  # prefix of stem features; tokens never start with it

_TAG = re.compile(r"<[^>]+>")


def plain_text(article: Article) -> str:
    body = html.unescape(_TAG.sub(" ", article.body_html))
    return " ".join([article.title] * TITLE_REPEAT + [article.summary_text, body])


def features(text: str) -> dict[str, int]:
    """Term frequencies of the tokens of `text` and (prefixed with STEM) of their light stems."""
    counts = Counter(token for token in tokenize(text)
                     if len(token) > 1 and token not in STOP_WORDS and not token.isdigit())
    found = dict(counts)
    for token, count in counts.items():
        stem = STEM + light_stem(token)
        found[stem] = found.get(stem, 0) + count
    return found


# Features computed while parsing (by the parse workers, and kept in the build cache with the
# parse result), so that a build does not tokenise every article again; cleared by each parse.
_known: dict[int, tuple[Article, dict[str, int]]] = {}


def remember_features(article: Article, found: dict[str, int]) -> None:
    _known[id(article)] = (article, found)


def forget_features() -> None:
    _known.clear()


def article_features(article: Article) -> dict[str, int]:
    """features(plain_text(article)), computed at most once per article version."""
    entry = _known.get(id(article))
    if entry is not None and entry[0] is article:
        return entry[1]
    return features(plain_text(article))


@dataclass(frozen=True)
class TextIndex:
    """Normalised vectors of documents 0..n-1 (in time order) and postings per feature."""

    vectors: list[dict[str, float]]
    postings: dict[str, list[tuple[int, float]]]  # feature -> [(doc, weight)], doc ascending
    queries: list[list[tuple[str, float]]]  # per document, its strongest features

    @classmethod
    def build(cls, texts: Sequence[str], stem_weight: float) -> TextIndex:
        return cls.from_features([features(text) for text in texts], stem_weight)

    @classmethod
    def from_features(cls, raw: Sequence[dict[str, int]], stem_weight: float) -> TextIndex:
        """The index of documents whose `features` are already known."""
        df: Counter[str] = Counter(f for doc in raw for f in doc)
        # A feature no other document has cannot link anything, and would only dilute the norm.
        idf = {f: math.log(1 + len(raw) / count) * (stem_weight if f[0] == STEM else 1.0)  # stems weigh less
               for f, count in df.items() if count > 1}
        ranked = [_ranked(doc, idf) for doc in raw]
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, strongest in enumerate(ranked):
            for feature, weight in strongest:
                postings[feature].append((number, weight))
        return cls([dict(r) for r in ranked], dict(postings), [r[:QUERY_FEATURES] for r in ranked])

    def neighbours(self, doc: int, older_only: bool = False) -> dict[int, float]:
        """Documents sharing a strong feature with `doc`, with their partial cosine similarity.

        Partial: over `doc`'s strongest features only, which are its most distinctive words (the
        names of the story's people, places and things); that is both cheaper and a better
        measure of "the same story" than the full cosine, where common words add noise.
        """
        found: dict[int, float] = {}
        for feature, weight in self.queries[doc]:
            for other, other_weight in window(self.postings[feature], doc, older_only):
                found[other] = found.get(other, 0.0) + weight * other_weight
        found.pop(doc, None)
        return found

    def explain(self, doc: int, other: int) -> tuple[float, float]:
        """The partial cosine of one pair over `doc`'s strongest features: (exact tokens, stems)."""
        theirs = self.vectors[other]
        parts = [0.0, 0.0]
        for feature, weight in self.queries[doc]:
            if feature in theirs:
                parts[feature.startswith(STEM)] += weight * theirs[feature]
        return parts[0], parts[1]


def window(postings: list[tuple[int, float]], doc: int, older_only: bool,
           size: int = POSTINGS_WINDOW) -> list[tuple[int, float]]:
    """The `size` postings nearest to `doc` in time order (documents are numbered newest first)."""
    if len(postings) <= size:
        return postings
    at = bisect_left(postings, (doc, -math.inf))
    if older_only:
        return postings[at: at + size]
    start = max(0, min(at - size // 2, len(postings) - size))
    return postings[start: start + size]


def _ranked(doc: dict[str, int], idf: dict[str, float]) -> list[tuple[str, float]]:
    """The document's strongest features with L2-normalised TF-IDF weights, strongest first."""
    weights = [(f, (1 + math.log(tf)) * idf[f]) for f, tf in doc.items() if f in idf]
    strongest = sorted(weights, key=lambda fw: (-fw[1], fw[0]))[:INDEX_FEATURES]
    norm = math.sqrt(sum(w * w for _, w in strongest)) or 1.0
    return [(f, w / norm) for f, w in strongest if w > 0]
