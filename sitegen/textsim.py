"""The text features of an article, for «أخبار ذات صلة» (sitegen.text_index makes vectors of them).

Features are counted over an article's title (three times: headlines carry the names), summary and
body: matching-key tokens without stop words, plus their light stems as a secondary, lighter
feature (so «بالانتخابات» meets «الانتخابات» while proper nouns still have to match exactly to
count fully).
"""

from __future__ import annotations

import html
import re
from array import array
from collections import Counter

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
_known: dict[int, tuple[Article, PackedFeatures]] = {}

# Features as one string of the names (whitespace never occurs in one) and their counts as an
# array: they travel from the parse workers and live in the build cache, and a pickled dict of
# ~300 short strings costs several times more to write and read back.
PackedFeatures = tuple[str, bytes]


def pack(found: dict[str, int]) -> PackedFeatures:
    return "\n".join(found), array("I", found.values()).tobytes()


def remember_features(article: Article, packed: PackedFeatures) -> None:
    _known[id(article)] = (article, packed)


def forget_features() -> None:
    _known.clear()


def article_features(article: Article) -> PackedFeatures:
    """pack(features(plain_text(article))), computed at most once per article version."""
    entry = _known.get(id(article))
    if entry is not None and entry[0] is article:
        return entry[1]
    return pack(features(plain_text(article)))
