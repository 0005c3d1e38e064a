"""What templates can call: URL helpers, date and digit filters, and the site's settings.

Installed once per environment as Jinja globals and filters, so page contexts stay small.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jinja2
from markupsafe import Markup

from .config import SiteConfig
from .dates import format_date, iso, localise_digits
from .urls import UrlBuilder


def install(env: jinja2.Environment, config: SiteConfig, urls: UrlBuilder) -> None:
    env.globals.update(site=config, url=urls.href, abs_url=urls.absolute)
    env.filters.update(
        date=lambda moment, style="long": _date(moment, config, style),
        iso=iso,
        digits=lambda value: localise_digits(str(value), config.digits),
        bdi=_bdi,
    )


def _date(moment: datetime | None, config: SiteConfig, style: str) -> str:
    if moment is None:
        return ""
    return format_date(moment, config.locale, config.digits, style, config.tz)


def _bdi(value: Any) -> Markup:
    """Isolate a run that may start with Latin letters or digits inside Arabic text."""
    return Markup("<bdi>{}</bdi>").format(value)
