"""URL slugs: exact expectations on Arabic headlines, plus safety and idempotence properties."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.slugs import check_explicit_slug, slug_from_filename, slugify, stable_id

TRICKY = list(
    "أإآٱاىيةهؤئءیکےكـًٌٍَُِّْٰۭ\u0654\u200b\u200c\u200d\u202b\u202c\u2066\u2069\u061c"
    "\u00ad\ufeff\ufe0f\u20e3٠١٩۰۹09 \t\u00a0«»،؛؟!./\\\x00-_~:Iİße\u0301\u094d\u0947😀"
)
SLUG_INPUT = st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters()))

LONG_TITLE = "عاجل: سعر الدولار اليوم ٢٠٢٤/١٠/١٥ في البنوك المصرية بعد قرار البنك المركزي المفاجئ"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("آبل تطلق «آيفون 16» رسمياً", "آبل-تطلق-آيفون-16-رسميا"),
        ("الإقتصادُ الـمصري، إلى أين؟", "الإقتصاد-المصري-إلى-أين"),  # إ and ى stay as written
        ("مستشفى المدينة", "مستشفى-المدينة"),  # ى and ة are not folded in slugs
        ("كأس العالم 2026: المغرب يتأهل!", "كأس-العالم-2026-المغرب-يتأهل"),
        ("سعر الذهب اليوم ٢٠٢٤/١٠/١٥", "سعر-الذهب-اليوم-2024-10-15"),
        ("ميزانية ۱۴۰۳ في إيران", "ميزانية-1403-في-إيران"),
        ("Apple", "apple"),
        ("iPhone 16 Pro Max", "iphone-16-pro-max"),
        ("سامسونج Galaxy S24 تصل إلى الأسواق", "سامسونج-galaxy-s24-تصل-إلى-الأسواق"),
        ("غ\u200cزة \u202bتحت\u202c القصف", "غزة-تحت-القصف"),
        ("\ufeffخبر\u00ad عاجل", "خبر-عاجل"),
        ("«عاجل» ... ؛ ؟ ، خبر", "عاجل-خبر"),
        ("  --مرحبا--  ", "مرحبا"),
        ("a/b\\c..d", "a-b-c-d"),
        ("../../etc/passwd", "etc-passwd"),
        ("snake_case", "snake-case"),
        ("ا\u0654من", "أمن"),  # decomposed hamza is composed, not dropped
        ("Cafe\u0301 Beyrouth", "café-beyrouth"),
        ("नमस्ते दुनिया", "नमस्ते-दुनिया"),
        ("1️⃣ خبر", "1-خبر"),  # keycap: the digit stays, the emoji parts go
        ("🔥 عاجل 🔥", "عاجل"),
        ("😀🔥", ""),
        ("❤️", ""),
        ("؟!،", ""),
        ("", ""),
    ],
)
def test_slugify(title: str, expected: str) -> None:
    assert slugify(title) == expected


def test_long_title_is_cut_at_a_word_boundary() -> None:
    slug = slugify(LONG_TITLE)
    assert slug == "عاجل-سعر-الدولار-اليوم-2024-10-15-في-البنوك-المصرية-بعد-قرار"
    assert len(slug) == 60


@pytest.mark.parametrize(
    ("text", "max_length", "expected"),
    [
        ("abc def ghi", 7, "abc-def"),  # a '-' right after the limit is a clean cut
        ("abc def ghi", 6, "abc"),
        ("abc def ghi", 11, "abc-def-ghi"),
        ("abcdefghij", 4, "abcd"),  # no boundary in reach: hard cut
        ("الاقتصاديون", 5, "الاقت"),
        ("نمو الاقتصاديين", 10, "نمو"),
        ("नमस्ते", 3, "नम"),  # never split a letter from its vowel sign
    ],
)
def test_slugify_max_length(text: str, max_length: int, expected: str) -> None:
    assert slugify(text, max_length=max_length) == expected


def test_slugify_rejects_non_positive_max_length() -> None:
    with pytest.raises(ValueError, match="max_length"):
        slugify("خبر", max_length=0)


@given(SLUG_INPUT, st.integers(min_value=1, max_value=80))
def test_slugify_output_is_safe(text: str, max_length: int) -> None:
    slug = slugify(text, max_length=max_length)
    for forbidden in ("/", "\\", "..", "\x00"):
        assert forbidden not in slug
    assert unicodedata.is_normalized("NFC", slug)
    assert len(slug) <= max_length
    assert not slug.startswith("-") and not slug.endswith("-")
    assert "--" not in slug


@given(SLUG_INPUT, st.integers(min_value=1, max_value=80))
def test_slugify_is_idempotent(text: str, max_length: int) -> None:
    slug = slugify(text, max_length=max_length)
    assert slugify(slug, max_length=max_length) == slug
    assert slugify(slug) == slugify(slug, max_length=max(max_length, 60))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "a-da39a3ee5e"),  # sha1 of nothing
        ("😀🔥", "a-ba4bc0df50"),
    ],
)
def test_stable_id(text: str, expected: str) -> None:
    assert stable_id(text) == expected


def test_stable_id_is_the_same_for_canonically_equal_titles() -> None:
    assert stable_id("ا\u0654") == stable_id("أ")
    assert stable_id("😀") != stable_id("😀🔥")


@given(SLUG_INPUT)
def test_stable_id_is_never_empty_and_is_a_slug(text: str) -> None:
    sid = stable_id(text)
    assert re.fullmatch(r"a-[0-9a-f]{10}", sid)
    assert slugify(sid) == sid


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("2024-10-15-سعر-الذهب", "سعر-الذهب"),
        ("٢٠٢٤-١٠-١٥-سعر-الذهب", "سعر-الذهب"),
        ("2024-10-15-2024-10-16-x", "2024-10-16-x"),  # only one leading date
        ("2024-10-15", "2024-10-15"),  # a bare date is the whole name, keep it
        ("2024-1-15-x", "2024-1-15-x"),
        ("نتائج-الانتخابات-2024-10-15", "نتائج-الانتخابات-2024-10-15"),
        ("My Post", "my-post"),
    ],
)
def test_slug_from_filename(stem: str, expected: str) -> None:
    assert slug_from_filename(stem) == expected


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("سعر-الذهب", None),
        ("v1.2-release", None),
        ("a\x00b", "slug must not contain a NUL byte"),
        ("/articles/x", "slug must not be an absolute path"),
        ("\\\\server\\share", "slug must not be an absolute path"),
        ("C:/Windows", "slug must not be an absolute path"),
        ("c:\\x", "slug must not be an absolute path"),
        ("news/x", "slug must not contain '/'"),
        ("../x", "slug must not contain '/'"),
        ("news\\x", "slug must not contain a backslash"),
        ("a..b", "slug must not contain '..'"),
        ("..", "slug must not contain '..'"),
        ("", "slug is empty after normalisation"),
        ("~", "slug is empty after normalisation"),
        ("😀", "slug is empty after normalisation"),
        ("\u200f", "slug is empty after normalisation"),
    ],
)
def test_check_explicit_slug(slug: str, message: str | None) -> None:
    assert check_explicit_slug(slug) == message
