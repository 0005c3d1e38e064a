"""Dates and numbers for readers (Babel, in the site locale) and for machines (ISO 8601 with offset).

Babel always prints Latin digits, so the site's `digits` setting is applied after formatting.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import lru_cache

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_decimal

from .arabic import to_arabic_digits

# Named styles; anything else is taken as a Babel (CLDR) pattern.
DATE_FORMATS = {
    "long": "d MMMM y",
    "full": "EEEE d MMMM y",
    "short": "d/M/y",
    "month": "MMMM y",
    "time": "HH:mm",
}
# The named styles that show only the day (no time of day): the same for every moment of a day.
DAY_STYLES = frozenset({"long", "full", "short", "month"})

# The "both" month style pairs the Egypt/Gulf names with the Levant/Iraq names, as pan-Arab news
# sites do: «15 أكتوبر/ تشرين الأول 2024». Only meaningful for Arabic locales.
BOTH_MONTHS_LOCALES = ("ar", "ar_SY")

# hijridate raises OverflowError outside the Umm al-Qura tables (1343–1500 AH).
HIJRI_SUFFIX = "هـ"


def localise_digits(text: str, digits: str) -> str:
    """Babel prints Latin digits for Arabic locales; `digits = "arab"` converts them afterwards."""
    return to_arabic_digits(text) if digits == "arab" else text


@lru_cache(maxsize=16)
def babel_locale(code: str) -> Locale:
    """The Locale for a code, made once: Babel would parse the code and look up its data files
    again on every call given a string, which costs more than formatting a date."""
    return Locale.parse(code)


@lru_cache(maxsize=4096)  # pages show the same few counts (reading minutes, articles per tag)
def format_number(value: int | float, locale: str, digits: str = "latn") -> str:
    """A count for readers: locale grouping (12,345 / 12٬345) in the configured digits."""
    text = format_decimal(value, locale=babel_locale(locale), numbering_system=digits)
    return localise_digits(text, digits)


def format_date(moment: datetime, locale: str, digits: str = "latn", style: str = "long",
                zone: tzinfo | None = None, months: str = "locale") -> str:
    """'15 أكتوبر 2024' (ar), '15 تشرين الأول 2024' (ar_SY), '15 أكتوبر/ تشرين الأول 2024' (both)."""
    if zone is not None:
        moment = moment.astimezone(zone)
    pattern = DATE_FORMATS.get(style, style)
    if months == "both" and "MMMM" in pattern:
        pattern = pattern.replace("MMMM", _quoted(both_month_names(moment.month)))
    return localise_digits(babel_format_datetime(moment, pattern, locale=babel_locale(locale)), digits)


@lru_cache(maxsize=12)
def both_month_names(month: int) -> str:
    names = [Locale.parse(code).months["format"]["wide"][month] for code in BOTH_MONTHS_LOCALES]
    return names[0] if names[0] == names[1] else "/ ".join(names)


def _quoted(literal: str) -> str:
    # A CLDR pattern literal: text inside single quotes ('' is a quote itself).
    return "'" + literal.replace("'", "''") + "'"


def format_hijri(moment: datetime, digits: str = "latn", zone: tzinfo | None = None) -> str:
    """The Umm al-Qura date, e.g. '12 ربيع الثاني 1446 هـ'; empty outside the supported range."""
    from hijridate import Gregorian

    if zone is not None:
        moment = moment.astimezone(zone)
    try:
        hijri = Gregorian(moment.year, moment.month, moment.day).to_hijri()
    except OverflowError:
        return ""
    text = f"{hijri.day} {hijri.month_name('ar')} {hijri.year} {HIJRI_SUFFIX}"
    return localise_digits(text, digits)


def iso(moment: datetime) -> str:
    """Machine-readable timestamp with offset, for <time datetime> and structured data."""
    found = _iso_texts.get(id(moment))
    if found is not None and found[0] is moment:
        return found[1]
    text = moment.isoformat(timespec="seconds")
    if len(_iso_texts) >= _ISO_TEXTS_MAX:
        _iso_texts.clear()
    _iso_texts[id(moment)] = (moment, text)
    return text


# What iso() gave for each datetime object, by identity (the object is kept here, so its id stays
# its own): an article's date is written on its page, its cards, feeds, sitemaps and structured
# data, tens of thousands of times in a build, and isoformat costs some thirty dict lookups.
_iso_texts: dict[int, tuple[datetime, str]] = {}
_ISO_TEXTS_MAX = 50_000  # about a 10,000-article site's dates, a few MB
