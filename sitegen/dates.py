"""Dates for readers (Babel, in the site locale) and for machines (ISO 8601 with offset)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from babel.dates import format_date as babel_format_date

from .arabic import to_arabic_digits

DATE_FORMATS = {"long": "d MMMM y", "short": "d/M/y", "month": "MMMM y"}


def localise_digits(text: str, digits: str) -> str:
    """Babel prints Latin digits for Arabic locales; `digits = "arab"` converts them afterwards."""
    return to_arabic_digits(text) if digits == "arab" else text


def format_date(moment: datetime, locale: str, digits: str = "latn", style: str = "long",
                zone: tzinfo | None = None) -> str:
    """'15 أكتوبر 2024' (ar), '15 تشرين الأول 2024' (ar_SY); digits converted as configured."""
    if zone is not None:
        moment = moment.astimezone(zone)
    pattern = DATE_FORMATS.get(style, style)
    return localise_digits(babel_format_date(moment, pattern, locale=locale), digits)


def iso(moment: datetime) -> str:
    """Machine-readable timestamp with offset, for <time datetime> and structured data."""
    return moment.isoformat(timespec="seconds")
