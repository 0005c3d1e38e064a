"""Arabic text normalisation: pure functions, no I/O.

Two audiences with different needs:

* display helpers (`nfc`, `strip_*`, digit conversion) change as little as possible;
* `matching_key` / `tokenize` fold every spelling variant that editors type for the same word, so
  tags, related news, search and duplicate detection compare like with like. A key is never shown.

Everything runs over tens of thousands of articles, so character work is done with precomputed
tables applied by compiled regexes (see `_translator`), not per-character Python loops.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache, partial

import snowballstemmer

TATWEEL = "\u0640"


def _chars(*spans: tuple[int, int]) -> frozenset[str]:
    """The characters of the inclusive code point ranges `spans`."""
    return frozenset(chr(c) for first, last in spans for c in range(first, last + 1))


# Diacritics and Quranic annotation. Only combining marks (Mn) are listed: U+06DD, U+06DE and
# U+06E9 are symbols and U+06E5/U+06E6 (small waw/yeh) are letters, so they are left alone here and
# become separators or stay letters later. Arabic Extended-A marks (U+08CA..) are Quranic too.
HARAKAT: frozenset[str] = _chars(
    (0x0610, 0x061A),  # honorifics and small high signs
    (0x064B, 0x065F),  # tanween, fatha, damma, kasra, shadda, sukun, hamza above/below ...
    (0x0670, 0x0670),  # dagger alef
    (0x06D6, 0x06DC),
    (0x06DF, 0x06E4),
    (0x06E7, 0x06E8),
    (0x06EA, 0x06ED),
    (0x08CA, 0x08E1),
    (0x08E3, 0x08FF),
)

# Characters with no glyph that editors paste in from Word, social media and CMS exports: they
# make identical-looking words compare unequal and would leak into URLs.
INVISIBLE: frozenset[str] = _chars(
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark (bidi)
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x200B, 0x200F),  # zero-width space/non-joiner/joiner, LRM, RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x206F),  # word joiner, invisible operators, bidi isolates, deprecated formats
    (0xFEFF, 0xFEFF),  # byte order mark / zero-width no-break space
)

ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"

_TO_ASCII_DIGITS = str.maketrans(ARABIC_INDIC_DIGITS + PERSIAN_DIGITS, "0123456789" * 2)
_TO_ARABIC_DIGITS = str.maketrans("0123456789", ARABIC_INDIC_DIGITS)
_DROP_TATWEEL = {ord(TATWEEL): None}
_DROP_HARAKAT = dict.fromkeys(map(ord, HARAKAT))
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))

# Letter folding for matching keys only. Beyond the design's list, ۀ and ۃ (Persian/Urdu heh and
# teh marbuta forms) fold to ه like their siblings.
_LETTER_FOLDS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ى": "ي", "ی": "ي", "ے": "ي",
    "ة": "ه", "ھ": "ه", "ہ": "ه", "ۀ": "ه", "ۃ": "ه",
    "ؤ": "ء", "ئ": "ء",
    "ک": "ك",
}  # fmt: skip
_MATCHING_TABLE: dict[int, str | int | None] = {
    **_DROP_TATWEEL,
    **_DROP_HARAKAT,
    **_DROP_INVISIBLE,
    **_TO_ASCII_DIGITS,
    **{ord(src): dst for src, dst in _LETTER_FOLDS.items()},
}


def _translator(table: dict[int, str | int | None]) -> Callable[[str], str]:
    """A function equal to `str.translate(table)`, much faster on Arabic text.

    CPython's translate looks every character up in the table, and for each one that is not
    there, which is nearly all of them, raises and catches a LookupError internally: about 0.3 µs
    a character. A regex finds the few characters that do change at C speed instead.
    """
    replacements = {chr(c): "" if v is None else chr(v) if isinstance(v, int) else v
                    for c, v in table.items()}
    pattern = re.compile("[" + "".join(re.escape(c) for c in sorted(replacements)) + "]")
    if not any(replacements.values()):  # only deletions
        return partial(pattern.sub, "")
    replace = replacements.__getitem__
    return partial(pattern.sub, lambda match: replace(match.group()))


_strip_invisible = _translator(_DROP_INVISIBLE)
_strip_tatweel = _translator(_DROP_TATWEEL)
_strip_harakat = _translator(_DROP_HARAKAT)
_to_ascii_digits = _translator(_TO_ASCII_DIGITS)
_fold_for_matching = _translator(_MATCHING_TABLE)
# strip_invisible(strip_tatweel(strip_harakat(text))) with ASCII digits (slugs.py), in one pass:
# each character is dropped, changed or kept on its own, so one table does the four.
_fold_for_slug = _translator({**_DROP_HARAKAT, **_DROP_TATWEEL, **_DROP_INVISIBLE, **_TO_ASCII_DIGITS})


@cache
def _combining_marks() -> str:
    """Regex class body of the BMP's combining marks (Mn, Mc) except variation selectors.

    `re`'s \\w has no marks, so without this Hindi or Yoruba words would be cut at every vowel
    sign. Variation selectors are excluded so that emoji such as ❤️ leave nothing behind. Scanning
    the BMP takes a few milliseconds, once; supplementary-plane marks are rare enough to ignore.
    Made when first needed, not on import: with the pattern's compilation it is ~30 ms of every
    `sitegen` command's start, and a build with nothing to parse never needs it.
    """
    marks = (
        chr(c)
        for c in range(0x0300, 0x10000)
        if unicodedata.category(chr(c)) in ("Mn", "Mc") and not 0xFE00 <= c <= 0xFE0F
    )
    return "".join(re.escape(m) for m in marks)


# A word: a letter or digit (not underscore), then letters, digits and the marks attached to them.
# Written as runs (letters, then marks and letters...) rather than `(?:[^\W_][marks]*)+`, which
# matches the same words but makes re enter a repeat per letter: three times slower.
@cache
def _word_pattern() -> re.Pattern[str]:
    return re.compile(rf"[^\W_]+(?:[{_combining_marks()}]+[^\W_]*)*")


_ARABIC_LETTER_RE = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")


def nfc(text: str) -> str:
    """Canonical composition, the form we store and publish (file names, URLs, HTML)."""
    return unicodedata.normalize("NFC", text)


def strip_invisible(text: str) -> str:
    """Remove zero-width characters, bidi controls and soft hyphens."""
    return _strip_invisible(text)


def strip_tatweel(text: str) -> str:
    """Remove tatweel (ـ), the purely typographic stretching of a letter joint."""
    return _strip_tatweel(text)


def strip_harakat(text: str) -> str:
    """Remove Arabic diacritics, dagger alef and Quranic marks, keeping all letters."""
    return _strip_harakat(text)


def to_ascii_digits(text: str) -> str:
    """Arabic-Indic (٠-٩) and Persian (۰-۹) digits to 0-9."""
    return _to_ascii_digits(text)


def strip_for_slug(text: str) -> str:
    """Harakat, tatweel and invisible characters removed, digits made ASCII (for slugs)."""
    return _fold_for_slug(text)


def to_arabic_digits(text: str) -> str:
    """0-9 to Arabic-Indic digits, for sites configured with `digits = "arab"`."""
    return text.translate(_TO_ARABIC_DIGITS)


def matching_key(text: str) -> str:
    """Fold `text` to the form used to compare words: tags, related news, search, duplicates.

    «الإقتصاد», «الاقتصاد» and «الاقتـصاد» share one key. Known limitation: words that differ
    only in harakat also share one, e.g. «عُمان» (Oman) and «عمّان» (Amman) are both «عمان», and
    «على» (on) equals the name «علي». Editors rarely vowel headlines, so we accept it.
    """
    # NFKC first so presentation forms (ﻻ, ﷲ, ﺍ ...) become ordinary letters before folding.
    key = _fold_for_matching(unicodedata.normalize("NFKC", text)).casefold()
    # Deleting characters can bring a base letter and a mark together: recompose so that the key
    # is itself NFKC, which keeps the function idempotent.
    key = unicodedata.normalize("NFKC", key)
    return " ".join(key.split())


def find_words(text: str) -> list[str]:
    """Runs of letters and digits (with their combining marks) in `text`, without normalising."""
    return _word_pattern().findall(text)


def tokenize(text: str) -> list[str]:
    """Matching-key word tokens of `text`; any non-letter, non-digit character separates them."""
    return find_words(matching_key(text))


def _stop_words(words: str) -> frozenset[str]:
    # Written as editors spell them and folded here, so the list cannot drift from matching_key.
    return frozenset(matching_key(word) for word in words.split())


ARABIC_STOP_WORDS: frozenset[str] = _stop_words(
    """
    في من على إلى عن أن إن أنّ إنّ آن لأن بأن وأن كأن لكن لكنّ ولكن بل أو أم ثم حتى كي لكي
    ما ماذا لماذا متى أين كيف هل كم أي أيّ أية إذ إذا إذن لو لولا لا لم لن ليس ليست قد لقد
    سوف كان كانت كانوا يكون تكون يكونوا أصبح أصبحت صار ظل مازال ما زال لايزال
    هو هي هم هن هما أنا نحن أنت أنتم ه ها هذا هذه هذان هاتان هؤلاء ذلك تلك ذاك أولئك هنا هناك
    الذي التي الذين اللذان اللتان اللواتي اللاتي اللائي من ما
    مع عند عندما لدى لدي بين بعد قبل خلال منذ أمام وراء فوق تحت حول دون ضد نحو عبر لدن
    كل بعض غير سوى جميع كلا كلتا أكثر أقل أحد إحدى نفس ذات عدة كثير قليل
    كما مثل أيضا أيضًا فقط حيث بينما إلا ألا غير عليه عليها عليهم فيه فيها فيهم منه منها منهم
    إليه إليها عنه عنها به بها بهم له لها لهم لنا معه معها
    و ف ب ل ك وفي ومن وعلى وإلى وعن وما ولا ولم ولن وقد وكان وكانت وهو وهي وهذا وهذه وذلك وتلك
    والتي والذي والذين وبين وبعد وقبل وخلال ومنذ ومع وكل فيما بما مما عما كما لما
    قال وقال قالت وقالت يقول تقول أضاف وأضاف أضافت وأضافت أكد وأكد أكدت وأكدت
    أشار وأشار أشارت وأشارت أوضح وأوضح أوضحت وأوضحت تابع وتابع ذكر وذكر ذكرت وذكرت
    أفاد وأفاد أفادت أعلن وأعلن أعلنت وأعلنت لفت ولفت بحسب وفق وفقا وفقًا حسب
    يوم اليوم يوما أمس غدا عام العام عاما سنة الساعة الأحد الاثنين الثلاثاء الأربعاء الخميس
    الجمعة السبت
    """
)

ENGLISH_STOP_WORDS: frozenset[str] = _stop_words(
    """
    a an the and or but if of in on at to for from by with about as into than then
    is are was were be been being it its this that these those he she they we you i
    not no has have had do does did will would can could said says
    """
)

STOP_WORDS: frozenset[str] = ARABIC_STOP_WORDS | ENGLISH_STOP_WORDS

# Snowball stemmers keep internal state, so one instance is reused (not thread-safe) and the
# results are memoised: news vocabulary is small and very repetitive.
_STEMMER = snowballstemmer.stemmer("arabic")


@lru_cache(maxsize=65536)
def light_stem(token: str) -> str:
    """Light Arabic stem of a matching-key token (والمدارس → مدارس); other tokens unchanged.

    A secondary similarity signal only: light stemming conflates some unrelated words.
    """
    if not _ARABIC_LETTER_RE.search(token):
        return token
    return _STEMMER.stemWord(token) or token
