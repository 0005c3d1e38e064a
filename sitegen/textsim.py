"""The text features of an article, for «أخبار ذات صلة» (sitegen.text_index makes vectors of them).

Features are counted over an article's title (three times: headlines carry the names), summary and
body: matching-key tokens without stop words, plus their light stems as a secondary, lighter
feature (so «بالانتخابات» meets «الانتخابات» while proper nouns still have to match exactly to
count fully).
"""

from __future__ import annotations

import hashlib
import html
import re
from array import array
from collections import Counter
from collections.abc import Iterator

from .arabic import STOP_WORDS, light_stem, tokenize
from .model import Article

TITLE_REPEAT = 3  # a headline word weighs like three body words
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
_known: dict[int, tuple[Article, Features]] = {}

# Features as one string of the names (whitespace never occurs in one) and their counts as an
# array: they travel from the parse workers and live in the build cache, and a pickled dict of
# ~300 short strings costs several times more to write and read back.
PackedFeatures = tuple[str, bytes]


def pack(found: dict[str, int]) -> PackedFeatures:
    return "\n".join(found), array("I", found.values()).tobytes()


class Features:
    """An article's packed features, kept as UTF-8 names and counts inside the bytes they came
    in (a build cache entry) until read, with a digest of them.

    A rebuild whose related ranking is stored (related_cache.py) only needs the digests: reading
    10,000 articles' features back as strings cost more than the rest of their parse results.
    Unpacks like the PackedFeatures it stands for: `names, counts = features`.
    """

    __slots__ = ("_data", "_start", "_split", "_end", "_digest")

    def __init__(self, data: bytes, start: int, split: int, end: int, digest: bytes | None = None):
        # names: data[start:split] (UTF-8), counts: data[split:end]
        self._data, self._start, self._split, self._end = data, start, split, end
        self._digest = digest

    @classmethod
    def of(cls, packed: PackedFeatures) -> Features:
        names, counts = packed
        data = names.encode("utf-8", "surrogatepass")
        return cls(data + counts, 0, len(data), len(data) + len(counts))

    @property
    def names(self) -> str:
        return str(memoryview(self._data)[self._start:self._split], "utf-8", "surrogatepass")

    @property
    def counts(self) -> bytes:
        return self._data[self._split:self._end]

    @property
    def encoded(self) -> tuple[bytes, bytes]:
        """The names as UTF-8 and the counts, as stored."""
        return self._data[self._start:self._split], self.counts

    @property
    def digest(self) -> bytes:
        """Names and counts, summed up (16 bytes): equal digests, equal features."""
        if self._digest is None:
            self._digest = features_digest(*self.encoded)
        return self._digest

    def __iter__(self) -> Iterator[str | bytes]:
        return iter((self.names, self.counts))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Features) and self.encoded == other.encoded

    def __hash__(self) -> int:
        return hash(self.digest)


def features_digest(names: bytes, counts: bytes) -> bytes:
    # The length of the names first, so that no two (names, counts) run together the same way.
    return hashlib.blake2b(len(names).to_bytes(8, "little") + names + counts, digest_size=16).digest()


def remember_features(article: Article, found: Features) -> None:
    _known[id(article)] = (article, found)


def forget_features() -> None:
    _known.clear()


def article_features(article: Article) -> Features:
    """Features.of(pack(features(plain_text(article)))), computed at most once per article version."""
    entry = _known.get(id(article))
    if entry is not None and entry[0] is article:
        return entry[1]
    return Features.of(pack(features(plain_text(article))))
