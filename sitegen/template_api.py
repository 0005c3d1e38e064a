"""What templates can call: URL helpers, translations, date and number filters, the site's settings.

Installed once per environment as Jinja globals and filters, so page contexts stay small. Every
number a template shows goes through `number`, `digits`, `date`, `hijri` or `t(key, n)`, so the
site's `digits` setting reaches all of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import jinja2
from markupsafe import Markup

from . import seo
from .config import SiteConfig
from .dates import DATE_FORMATS, DAY_STYLES, format_date, format_hijri, format_number, iso, localise_digits
from .i18n import TranslationError, Translations, load_translations
from .urls import UrlBuilder, percent_encoded


def install(env: jinja2.Environment, config: SiteConfig, urls: UrlBuilder,
            translations: Translations | None = None) -> None:
    strings = translations or load_translations(config)
    # Memoised: the same links, dates and strings recur on thousands of pages of one build, and
    # Babel and percent-encoding are slow. Every one is a pure function of its arguments here.
    helpers = dict(url=_memo(urls.href), abs_url=_memo(urls.absolute), t=_translator(strings))
    # Each also a filter ({{ "home"|t }}, {{ item.url|url }}), which the default theme uses: Jinja
    # calls a filter directly, but a function through Context.call, which costs more than the
    # memoised helper itself (about 15% of an article page's rendering, with some 40 calls).
    env.globals.update(site=config, **helpers)
    env.filters.update(helpers)
    env.filters.update(
        date=_by_day(lambda moment, style="long": _date(moment, config, style), config),
        hijri=_by_day(lambda moment: _hijri(moment, config), config),
        iso=iso,  # memoised itself
        digits=lambda value: localise_digits(str(value), config.digits),
        number=lambda value: format_number(value, config.locale, config.digits),  # memoised itself
        bdi=_bdi,
        # Share links encode each page's URL 4 times, its title 3 times.
        urlencode=_str_memo(env.filters["urlencode"], fast=urlencode_str),
    )
    seo.install(env, config, urls)  # Open Graph, JSON-LD and feed links for partials/head_meta.html


def _memo(function: Callable[..., Any], key: Callable[..., Any] | None = None) -> Callable[..., Any]:
    """Cache results by (hashable) arguments, or by what `key` makes of them (None: not cached);
    anything unhashable is computed each time."""
    results: dict[Any, Any] = {}

    def cached(*args: Any, **kwargs: Any) -> Any:
        if key is not None:
            found_key = key(*args, **kwargs)
            if found_key is None:
                return function(*args, **kwargs)
        else:
            found_key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
        try:
            return results[found_key]
        except KeyError:
            result = results[found_key] = function(*args, **kwargs)
            return result
        except TypeError:  # unhashable
            return function(*args, **kwargs)

    return cached


# Named styles that show only the hour and minute ("HH:mm"): the same for every moment at that
# clock time in the site's zone. Worked out from the patterns, so a pattern that shows more stops
# being memoised this way by itself.
CLOCK_STYLES = frozenset(style for style, pattern in DATE_FORMATS.items() if set(pattern) <= set("Hm:"))


def _by_day(function: Callable[..., str], config: SiteConfig) -> Callable[..., str]:
    """A date filter memoised by the day in the site's time zone when its style shows no time of
    day (many articles share a day: their date lines are made once), by the clock time when it
    shows only that (article pages show their time of publication and of update: Babel once per
    page without this), else by the moment."""
    zone, results = config.tz, {}

    def cached(moment: datetime | None, style: str = "long") -> str:
        if moment is None:
            return ""
        if style in DAY_STYLES:
            key: tuple = (moment.astimezone(zone).date(), style)
        elif style in CLOCK_STYLES:
            local = moment.astimezone(zone)
            key = (local.hour, local.minute, style)
        else:
            key = (moment, style)
        try:
            return results[key]
        except KeyError:
            found = results[key] = function(moment, style) if style != "long" else function(moment)
            return found
        except TypeError:  # an unhashable style
            return function(moment, style)

    return cached


def _str_memo(function: Callable[[Any], Any],
              fast: Callable[[str], Any] | None = None) -> Callable[[Any], Any]:
    """Cache results for plain str arguments only (1, 1.0 and True are equal keys, but not equal
    arguments to every filter); `fast`, when given, computes the same as `function` for a str."""
    results: dict[str, Any] = {}
    for_str = fast or function

    def cached(value: Any) -> Any:
        if type(value) is not str:
            return function(value)
        found = results.get(value)
        if found is None:
            found = results[value] = for_str(value)
        return found

    return cached


# What Jinja's urlencode leaves alone in a string: urllib's always-safe characters and '/'.
_URLENCODE_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9_.\-~/]+")


def urlencode_str(value: str) -> str:
    """Jinja's `urlencode` of a str (quote(value, safe="/")), run by run as urls.encode_path does,
    instead of byte by byte: a headline is almost all Arabic, so almost every byte is encoded."""
    return _URLENCODE_UNSAFE_RUN.sub(percent_encoded, value)


def _translator(strings: Translations) -> Callable[..., str]:
    """`t(key, n=None, **values)`, memoised by its arguments *and their types* (1, 1.0 and True
    are equal keys but show differently). Pagination's `page_of` and `page_n` pass keywords on
    every listing page, and each unmemoised call formats numbers with Babel."""

    def typed(key: str, n: Any = None, **values: Any) -> tuple:
        return (key, n, type(n), *((name, value, type(value)) for name, value in values.items()))

    return _memo(lambda key, n=None, **values: _translate(strings, key, n, values), key=typed)


def _translate(strings: Translations, key: str, n: Any, values: dict[str, Any]) -> str:
    try:
        return strings.text(key, n, **values)
    except TranslationError as exc:
        # A TemplateError carries the template file and line into the build's diagnostics.
        raise jinja2.TemplateRuntimeError(str(exc)) from None


def _date(moment: datetime | None, config: SiteConfig, style: str) -> str:
    if moment is None:
        return ""
    return format_date(moment, config.locale, config.digits, style, config.tz, config.dates.months)


def _hijri(moment: datetime | None, config: SiteConfig) -> str:
    return "" if moment is None else format_hijri(moment, config.digits, config.tz)


def _bdi(value: Any) -> Markup:
    """Isolate a run that may start with Latin letters or digits inside Arabic text."""
    return Markup("<bdi>{}</bdi>").format(value)
