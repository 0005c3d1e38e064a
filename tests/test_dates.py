"""Dates and numbers for readers: Babel locale names, digits, the "both months" style, Hijri."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from sitegen.config import load_config
from sitegen.dates import format_date, format_hijri, format_number, iso
from sitegen.diagnostics import ConfigError

from sitetools import SITE_TOML

DAMASCUS = ZoneInfo("Asia/Damascus")
OCT_15 = datetime(2024, 10, 15, 14, 5, tzinfo=DAMASCUS)
JAN_5 = datetime(2025, 1, 5, 9, 0, tzinfo=DAMASCUS)


@pytest.mark.parametrize(("moment", "locale", "digits", "style", "months", "expected"), [
    (OCT_15, "ar", "latn", "long", "locale", "15 أكتوبر 2024"),
    (OCT_15, "ar_EG", "latn", "long", "locale", "15 أكتوبر 2024"),
    (OCT_15, "ar_SY", "latn", "long", "locale", "15 تشرين الأول 2024"),
    (JAN_5, "ar_SY", "latn", "long", "locale", "5 كانون الثاني 2025"),
    (JAN_5, "ar_DZ", "latn", "long", "locale", "5 جانفي 2025"),
    (JAN_5, "ar_MA", "latn", "long", "locale", "5 يناير 2025"),
    (OCT_15, "ar", "arab", "long", "locale", "١٥ أكتوبر ٢٠٢٤"),
    (OCT_15, "ar", "latn", "long", "both", "15 أكتوبر/ تشرين الأول 2024"),
    (OCT_15, "ar_SY", "arab", "long", "both", "١٥ أكتوبر/ تشرين الأول ٢٠٢٤"),
    (OCT_15, "ar", "latn", "full", "both", "الثلاثاء 15 أكتوبر/ تشرين الأول 2024"),
    (OCT_15, "ar", "arab", "time", "both", "١٤:٠٥"),
    (OCT_15, "ar", "latn", "short", "both", "15/10/2024"),
])
def test_format_date(moment, locale, digits, style, months, expected):
    assert format_date(moment, locale, digits, style, DAMASCUS, months) == expected


def test_format_date_uses_the_site_timezone_for_the_day():
    late_utc = datetime(2024, 10, 15, 22, 30, tzinfo=ZoneInfo("UTC"))  # 01:30 on the 16th in Damascus
    assert format_date(late_utc, "ar", zone=DAMASCUS) == "16 أكتوبر 2024"
    assert format_date(late_utc, "ar", zone=ZoneInfo("UTC")) == "15 أكتوبر 2024"


@pytest.mark.parametrize(("digits", "expected"), [
    ("latn", "12 ربيع الثاني 1446 هـ"),
    ("arab", "١٢ ربيع الثاني ١٤٤٦ هـ"),
])
def test_format_hijri(digits, expected):
    assert format_hijri(OCT_15, digits, DAMASCUS) == expected


def test_format_hijri_outside_the_calendar_tables_is_empty():
    assert format_hijri(datetime(1800, 1, 1, tzinfo=DAMASCUS)) == ""


@pytest.mark.parametrize(("value", "locale", "digits", "expected"), [
    (7, "ar", "latn", "7"),
    (7, "ar", "arab", "٧"),
    (12345, "ar", "latn", "12,345"),
    (12345, "ar", "arab", "١٢٬٣٤٥"),
])
def test_format_number(value, locale, digits, expected):
    assert format_number(value, locale, digits) == expected


def test_iso_keeps_the_offset():
    assert iso(OCT_15) == "2024-10-15T14:05:00+03:00"


def test_iso_remembers_each_moment_by_the_object_not_by_equality():
    # The same instant in another zone is equal as a datetime, and written with its own offset.
    same_instant = OCT_15.astimezone(UTC)
    assert same_instant == OCT_15
    assert [iso(OCT_15), iso(same_instant), iso(OCT_15)] == [
        "2024-10-15T14:05:00+03:00", "2024-10-15T11:05:00+00:00", "2024-10-15T14:05:00+03:00"]


def test_dates_section_is_validated(site_factory):
    root = site_factory({}, config=SITE_TOML + '\n[dates]\nmonths = "all"\nhijri = true\n')
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        'site.toml:6:1: error: dates.months: expected "locale" or "both", got "all"']
