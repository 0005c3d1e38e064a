"""Speed-ups that must not change results: each fast path against the plain computation it
replaces, on tricky inputs."""

from __future__ import annotations

import unicodedata
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen import textsim
from sitegen.arabic import INVISIBLE, STOP_WORDS, light_stem, tokenize

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Letters with folds, harakat, tatweel, invisible and bidi characters, presentation forms and
# ligatures that NFKC expands to several words (ﷺ), every kind of whitespace, digits, punctuation.
TRICKY = list("أإآٱاىيةؤئءـًٌٍَُِّْٰ\u0301\u200b\u200c\u200d\u202b\u202e\u2066\u061c\ufeff\u00ad"
              "ﻻﷲﷺﺍ٠١٩۰۹0123 \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2002\u2028\u3000"
              "«»،؛؟!.-_:والمدارسالانتخاباتفيمنAbcΣσς")
TEXT = st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters()), max_size=60)


def plain_features(text: str) -> dict[str, int]:
    """textsim.features as first written: every token of the whole text, one by one."""
    counts = Counter(token for token in tokenize(text)
                     if len(token) > 1 and token not in STOP_WORDS and not token.isdigit())
    found = dict(counts)
    for token, count in counts.items():
        stem = textsim.STEM + light_stem(token)
        found[stem] = found.get(stem, 0) + count
    return found


@FUZZ
@given(st.lists(TEXT, max_size=6))
def test_features_per_word_equal_features_of_the_whole_text(parts):
    text = " ".join(parts)
    # Same features, same counts, in the same order.
    assert list(textsim.features(text).items()) == list(plain_features(text).items())


def test_features_of_arabic_prose_with_repeats_and_punctuation():
    text = ("«الانتخابات» بالانتخابات، والمدارس المدارس. في 2024 قال الوزير: الانتخابات\u200b"
            "الرئاسية ﷺ الاقتـصاد الإقتصاد")
    assert textsim.features(text) == plain_features(text)
    assert textsim.features(text) == plain_features(text)  # again, from the memo


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(textsim, "_MEMO_MAX", 3)
    for n in range(10):
        text = f"كلمة{n} أخرى{n} ثالثة{n}"
        assert textsim.features(text) == plain_features(text)
    assert len(textsim._word_tokens) <= 6


def test_whitespace_separates_tokens_whatever_matching_key_does():
    # What per-word tokenising relies on: no whitespace is deleted by matching_key's folding, and
    # NFKC turns no whitespace character into something that could join two words.
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert not set(spaces) & INVISIBLE
    for space in spaces:
        assert unicodedata.normalize("NFKC", space).isspace()
        assert tokenize(f"ب{space}ت") == ["ب", "ت"]
