"""site.toml: the site's configuration as frozen dataclasses (design §4, `load_config`).

Every section is a dataclass whose annotations are the schema (see config_schema). Add a section
by adding a dataclass and a field on SiteConfig; validation and "did you mean" come for free.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .arabic import matching_key
from .config_schema import SourceText, build_section, check, read_toml
from .diagnostics import ConfigError, error

CONFIG_FILE = "site.toml"


def _positive(value: int) -> str | None:
    return None if value > 0 else "a positive integer"


def _non_negative(value: int) -> str | None:
    return None if value >= 0 else "a non-negative integer"


def _non_negative_number(value: float) -> str | None:
    return None if value >= 0 else "a non-negative number"


def _positive_number(value: float) -> str | None:
    return None if value > 0 else "a positive number"


def _fraction(value: float) -> str | None:
    return None if 0 <= value <= 1 else "a number between 0 and 1"


def _absolute_url(value: str) -> str | None:
    parts = urlsplit(value)
    ok = parts.scheme in ("http", "https") and parts.netloc and not parts.query and not parts.fragment
    return None if ok else "an absolute http(s) URL like https://example.org/"


def _timezone(value: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "an IANA time zone like Asia/Riyadh"
    return None


def _locale(value: str) -> str | None:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(value)
    except (UnknownLocaleError, ValueError):
        return "a locale known to Babel, like ar, ar_EG or ar_SY"
    return None


def _one_of(*choices: str):
    def validate(value: str) -> str | None:
        return None if value in choices else " or ".join(f'"{c}"' for c in choices)

    return validate


def _permalink(value: str) -> str | None:
    ok = value.startswith("/") and "{slug}" in value and ".." not in value
    return None if ok else 'a path starting with "/" containing {slug}'


@dataclass(frozen=True)
class PermalinkConfig:
    article: str = check(_permalink, "/articles/{slug}/")
    page: str = check(_permalink, "/{slug}/")


@dataclass(frozen=True)
class MarkdownConfig:
    safe_html: bool = False
    toc_depth: int = check(_positive, 3)


def _ascii_slugs(value: dict[str, str]) -> str | None:
    ok = all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) for slug in value.values())
    return None if ok else 'ASCII slugs of lowercase letters, digits and "-", like "gaza"'


def _no_alias_chains(value: dict[str, str]) -> str | None:
    # A target that is itself an alias would make the result depend on the order of the table.
    merging = {matching_key(s) for s, t in value.items() if matching_key(s) != matching_key(t)}
    chained = sorted(target for target in value.values() if matching_key(target) in merging)
    return f"aliases that point at a final name, not at another alias ({chained[0]!r})" if chained else None


@dataclass(frozen=True)
class TermsConfig:
    """`[tags]`, `[categories]`, `[authors]`: merge synonyms, pin URL slugs, trim the index page."""

    aliases: dict[str, str] = check(_no_alias_chains, default_factory=dict)  # synonym -> name
    slugs: dict[str, str] = check(_ascii_slugs, default_factory=dict)  # name -> ASCII slug
    min_count: int = check(_positive, 1)  # fewer articles than this: left off the index page


@dataclass(frozen=True)
class RelatedConfig:
    """`[related]`: the «أخبار ذات صلة» scorer (sitegen.related). Weights multiply signals in 0..1."""

    max_items: int = check(_non_negative, 5)
    include_newer: bool = True  # old stories link to their follow-ups
    tags: float = check(_non_negative_number, 0.5)
    category: float = check(_non_negative_number, 0.1)
    text: float = check(_non_negative_number, 2.0)
    stems: float = check(_non_negative_number, 0.5)  # weight of light stems next to exact tokens
    half_life_days: float = check(_positive_number, 30.0)
    time_floor: float = check(_fraction, 0.3)  # how much an old story keeps of its score
    min_score: float = check(_non_negative_number, 0.3)


def _sitemap_limit(value: int) -> str | None:
    # 50,000 URLs per sitemap file is the sitemaps.org protocol's hard limit.
    return None if 0 < value <= 50_000 else "an integer from 1 to 50000"


def _root_path_or_url(value: str) -> str | None:
    ok = value == "" or value.startswith("/") or urlsplit(value).scheme in ("http", "https")
    return None if ok else 'a path starting with "/" or an http(s) URL'


@dataclass(frozen=True)
class FeedsConfig:
    items: int = check(_positive, 20)  # the newest N articles in every feed
    full_content: bool = True  # the whole article, or only its summary
    rss: bool = True
    atom: bool = True
    per_term: bool = True  # feeds for every tag and category too
    # Term feeds are many (one per tag): summaries keep them small; whole articles are opt-in.
    term_items: int = check(_positive, 10)
    term_full_content: bool = False


@dataclass(frozen=True)
class SitemapConfig:
    max_urls: int = check(_sitemap_limit, 50_000)  # beyond this, sitemap.xml becomes an index
    news: bool = True  # news-sitemap.xml for Google News
    robots: bool = True  # write robots.txt naming the sitemaps


def _twitter_handle(value: str) -> str | None:
    return None if value == "" or re.fullmatch(r"@\w{1,15}", value) else 'a handle like "@akhbar"'


@dataclass(frozen=True)
class SeoConfig:
    image: str = check(_root_path_or_url, "")  # share image for pages without their own
    twitter_site: str = check(_twitter_handle, "")  # the site's @handle for Twitter/X cards


@dataclass(frozen=True)
class DatesConfig:
    """How the theme shows dates; `locale` and `digits` (top level) apply as well."""

    # "locale": the locale's own month names; "both": «15 أكتوبر/ تشرين الأول 2024».
    months: str = check(_one_of("locale", "both"), "locale")
    # A secondary Umm al-Qura Hijri date beside the article date («12 ربيع الثاني 1446 هـ»).
    hijri: bool = False
    # The time of day (HH:mm, site timezone) in article bylines.
    time: bool = True


@dataclass(frozen=True)
class MenuItem:
    name: str
    url: str


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str = check(_absolute_url)
    description: str = ""
    logo: str = ""  # URL path of the masthead logo, e.g. "/images/logo.svg"; empty for none
    language: str = "ar"
    locale: str = check(_locale, "ar")
    timezone: str = check(_timezone, "UTC")
    digits: str = check(_one_of("latn", "arab"), "latn")
    theme: str = "default"
    paginate: int = check(_positive, 10)
    output_dir: str = "output"
    permalinks: PermalinkConfig = field(default_factory=PermalinkConfig)
    markdown: MarkdownConfig = field(default_factory=MarkdownConfig)
    dates: DatesConfig = field(default_factory=DatesConfig)
    menu: tuple[MenuItem, ...] = ()
    tags: TermsConfig = field(default_factory=TermsConfig)
    categories: TermsConfig = field(default_factory=TermsConfig)
    authors: TermsConfig = field(default_factory=TermsConfig)
    related: RelatedConfig = field(default_factory=RelatedConfig)
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    sitemap: SitemapConfig = field(default_factory=SitemapConfig)
    seo: SeoConfig = field(default_factory=SeoConfig)
    # Not read from site.toml: where the site lives on disk.
    root: Path = field(default=Path("."), init=True, compare=False)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, always ending in '/', e.g. '/akhbar/'."""
        from .urls import UrlBuilder

        return UrlBuilder(self.base_url).base_path

    @property
    def output_path(self) -> Path:
        return (self.root / self.output_dir).resolve()


def load_config(root: Path, overrides: dict[str, Any] | None = None) -> SiteConfig:
    """Read and validate `root/site.toml`; raises ConfigError listing every problem at once."""
    path = root / CONFIG_FILE
    if not path.is_file():
        message = f"no {CONFIG_FILE} in {root} (is this a site folder? try --site DIR)"
        raise ConfigError([error(CONFIG_FILE, message)])
    table, text, problems = read_toml(path, CONFIG_FILE)
    if table is None:
        raise ConfigError(problems)
    source = SourceText(CONFIG_FILE, text)
    # `root` is the site folder (where site.toml is), never a setting: written in site.toml it
    # would otherwise be dropped without a word.
    unknown_root = [source.error("root", "root: unknown key (the site is the folder that holds "
                                 "site.toml; choose another with --site DIR)")] if "root" in table else []
    table.update(overrides or {})
    table.pop("root", None)
    config, problems = build_section(SiteConfig, table, "", source)
    problems = unknown_root + problems
    if problems:
        raise ConfigError(problems)
    config = replace(config, root=root.resolve())
    problems = _check_output_dir(config)
    if problems:
        raise ConfigError(problems)
    return config


def _check_output_dir(config: SiteConfig) -> list:
    """Refuse output folders whose replacement would destroy the site itself or anything above it."""
    out, root = config.output_path, config.root
    protected = [root / "content", root / "themes", root / "templates"]
    bad = out == root or out in root.parents or out == Path(out.anchor)
    bad = bad or any(out == p or p in out.parents or out in p.parents for p in protected)
    if not bad:
        return []
    source = SourceText(CONFIG_FILE, (root / CONFIG_FILE).read_bytes().decode("utf-8-sig"))
    return [source.error("output_dir", f"output_dir: refusing to build into {out}: it would replace "
                         "the site's own files; use a dedicated folder such as \"output\"")]
