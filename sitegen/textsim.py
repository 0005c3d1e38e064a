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

import functools
import html
import math
import re
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
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
    """Term frequencies of the tokens of `text` and (prefixed with STEM) of their light stems.

    The same as counting `_kept_tokens(text)` and then their stems, but done per distinct
    whitespace-separated word: news prose repeats a small vocabulary, so each word is folded,
    tokenised, filtered and stemmed once per process (`_word_tokens`, `_stem_features`) instead
    of at every occurrence. Whitespace always separates tokens (matching_key neither deletes it
    nor joins across it), so the tokens of the words, in order, are the tokens of the text; and
    walking the words in order of first occurrence gives the features in the same order too.
    """
    if len(_word_tokens) > _MEMO_MAX:  # checked here, so that both stay whole during a call
        _word_tokens.clear()
        _stem_features.clear()
    counts: dict[str, int] = {}
    for word, count in Counter(text.split()).items():
        tokens = _word_tokens.get(word)
        if tokens is None:
            tokens = _remember_word(word)
        for token in tokens:
            counts[token] = counts.get(token, 0) + count
    found = dict(counts)
    for token, count in counts.items():
        stem = _stem_features[token]
        found[stem] = found.get(stem, 0) + count
    return found


def _kept_tokens(text: str) -> list[str]:
    """The tokens of `text` that count as features: no stop words, digits or single letters."""
    return [token for token in tokenize(text)
            if len(token) > 1 and token not in STOP_WORDS and not token.isdigit()]


# Per process: whitespace-separated word as written -> its kept tokens, and token -> its stem
# feature. Bounded: emptied together when full (a 10,000-article corpus has far fewer words).
_word_tokens: dict[str, tuple[str, ...]] = {}
_stem_features: dict[str, str] = {}
_MEMO_MAX = 100_000


def _remember_word(word: str) -> tuple[str, ...]:
    tokens = tuple(_kept_tokens(word))
    _word_tokens[word] = tokens
    for token in tokens:
        _stem_features[token] = STEM + light_stem(token)
    return tokens


# Features computed while parsing (by the parse workers, and kept in the build cache with the
# parse result), so that a build does not tokenise every article again; cleared by each parse.
_known: dict[int, tuple[Article, PackedFeatures]] = {}

# Features as one string of the names (whitespace never occurs in one) and their counts as an
# array: they travel from the parse workers and live in the build cache, and a pickled dict of
# ~300 short strings costs several times more to write and read back.
PackedFeatures = tuple[str, bytes]


def pack(found: dict[str, int]) -> PackedFeatures:
    return "\n".join(found), array("I", found.values()).tobytes()


def unpack(packed: PackedFeatures) -> dict[str, int]:
    names, counts = packed
    return dict(zip(names.split("\n"), array("I", counts), strict=True)) if names else {}


def remember_features(article: Article, packed: PackedFeatures) -> None:
    _known[id(article)] = (article, packed)


def forget_features() -> None:
    _known.clear()


def article_features(article: Article) -> dict[str, int]:
    """features(plain_text(article)), computed at most once per article version."""
    entry = _known.get(id(article))
    if entry is not None and entry[0] is article:
        return unpack(entry[1])
    return features(plain_text(article))


class Postings:
    """The documents having one feature, ascending (time order), with their weights.

    Two parallel lists rather than pairs: `bisect` then compares plain ints.
    """

    __slots__ = ("docs", "weights")

    def __init__(self) -> None:
        self.docs: list[int] = []
        self.weights: list[float] = []

    def __len__(self) -> int:
        return len(self.docs)

    def add(self, doc: int, weight: float) -> None:
        self.docs.append(doc)
        self.weights.append(weight)

    def window(self, doc: int, older_only: bool, size: int = POSTINGS_WINDOW) -> Iterable[tuple[int, float]]:
        """The `size` entries nearest to `doc` in time order (documents are numbered newest first)."""
        docs = self.docs
        if len(docs) <= size:
            return zip(docs, self.weights, strict=True)
        at = bisect_left(docs, doc)
        start = at if older_only else max(0, min(at - size // 2, len(docs) - size))
        return zip(docs[start: start + size], self.weights[start: start + size], strict=True)


@dataclass(frozen=True)
class TextIndex:
    """Normalised vectors of documents 0..n-1 (in time order) and postings per feature."""

    vectors: list[dict[str, float]]
    postings: dict[str, Postings]
    queries: list[list[tuple[str, float]]]  # per document, its strongest features

    @classmethod
    def build(cls, texts: Sequence[str], stem_weight: float) -> TextIndex:
        return cls.from_features([features(text) for text in texts], stem_weight)

    @classmethod
    def from_features(cls, raw: Sequence[dict[str, int]], stem_weight: float) -> TextIndex:
        """The index of documents whose `features` are already known."""
        df: Counter[str] = Counter(f for doc in raw for f in doc)
        # A feature no other document has cannot link anything, and would only dilute the norm.
        n = len(raw)
        idf = {f: math.log(1 + n / count) * (stem_weight if f[0] == STEM else 1.0)  # stems weigh less
               for f, count in df.items() if count > 1}
        ranked = [_ranked(doc, idf) for doc in raw]
        postings: dict[str, Postings] = defaultdict(Postings)
        for number, strongest in enumerate(ranked):
            for feature, weight in strongest:
                postings[feature].add(number, weight)
        return cls([dict(r) for r in ranked], dict(postings), [r[:QUERY_FEATURES] for r in ranked])

    def neighbours(self, doc: int, older_only: bool = False) -> dict[int, float]:
        """Documents sharing a strong feature with `doc`, with their partial cosine similarity.

        Partial: over `doc`'s strongest features only, which are its most distinctive words (the
        names of the story's people, places and things); that is both cheaper and a better
        measure of "the same story" than the full cosine, where common words add noise.
        """
        found: dict[int, float] = {}
        get = found.get
        for feature, weight in self.queries[doc]:
            for other, other_weight in self.postings[feature].window(doc, older_only):
                found[other] = get(other, 0.0) + weight * other_weight
        found.pop(doc, None)
        return found

    def explain(self, doc: int, other: int) -> tuple[float, float]:
        """The partial cosine of one pair over `doc`'s strongest features: (exact tokens, stems)."""
        find = self.vectors[other].get
        tokens = stems = 0.0
        for feature, weight in self.queries[doc]:
            their_weight = find(feature)
            if their_weight is not None:
                if feature[0] == STEM:
                    stems += weight * their_weight
                else:
                    tokens += weight * their_weight
        return tokens, stems


def _ranked(doc: dict[str, int], idf: dict[str, float]) -> list[tuple[str, float]]:
    """The document's strongest features with L2-normalised TF-IDF weights, strongest first."""
    # Sorted as (-weight, feature) tuples: the same order as a key function, compared in C.
    weights = sorted([(-(1 + _log(tf)) * idf[f], f) for f, tf in doc.items() if f in idf])[:INDEX_FEATURES]
    norm = math.sqrt(sum(w * w for w, _ in weights)) or 1.0
    return [(f, -w / norm) for w, f in weights if w < 0]


@functools.lru_cache(maxsize=4096)
def _log(tf: int) -> float:
    return math.log(tf)
