"""Article metadata in page heads: Open Graph, Twitter cards, NewsArticle JSON-LD, feed autodiscovery."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from crawl import crawl
from sitetools import article, build_site, soup

BASE = "https://example.org/akhbar/"
CONFIG = f"""\
title = "أخبار الساحل"
base_url = "{BASE}"
timezone = "Asia/Riyadh"
logo = "/images/logo.svg"

[seo]
twitter_site = "@akhbar"
image = "/images/share.png"
"""
# Quotes, a closing script tag, an HTML comment opener and an ampersand: all must survive as data.
HOSTILE_TITLE = 'قال: "لا" </script><script>alert(1)</script> <!-- & \\u2028 مساء'
HOSTILE = f"""---
title: '{HOSTILE_TITLE}'
date: 2026-11-25T09:30:00+03:00
updated: 2026-11-26T08:00:00+03:00
category: سياسة
tags: [الإنتخابات, الانتخابات, غزة]
author: [سارة الخطيب, Omar Haddad]
image: /images/vote.svg
image_alt: صندوق اقتراع
---
مقدمة الخبر.
"""
FILES = {
    "content/articles/hostile.md": HOSTILE,
    "content/articles/plain.md": article("خبر بلا صورة", "2026-11-20T10:00:00+03:00"),
    "content/articles/other.md": article("خبر آخر", "2026-11-21T10:00:00+03:00", tags="[غزة]"),
    "content/static/images/vote.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "content/static/images/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "content/static/images/share.png": b"\x89PNG\r\n",
}


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    from sitetools import write_site

    root = write_site(tmp_path_factory.mktemp("seo") / "site", FILES, CONFIG)
    build_site(root)
    return root / "output"


def meta(page: BeautifulSoup, key: str) -> list[str]:
    return [m["content"] for m in page.find_all("meta", attrs={"property": key})
            + page.find_all("meta", attrs={"name": key})]


def json_ld(page: BeautifulSoup) -> dict:
    scripts = page.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def test_article_has_open_graph_and_twitter_card(output):
    page = soup(output / "articles/hostile/index.html")
    url = BASE + "articles/hostile/"
    assert meta(page, "og:type") == ["article"]
    assert meta(page, "og:locale") == ["ar_AR"]
    assert meta(page, "og:title") == [HOSTILE_TITLE]
    assert meta(page, "og:url") == [url]
    assert meta(page, "og:image") == [BASE + "images/vote.svg"]
    assert meta(page, "og:image:alt") == ["صندوق اقتراع"]
    assert meta(page, "og:description") == meta(page, "description") == ["مقدمة الخبر."]
    assert meta(page, "article:published_time") == ["2026-11-25T09:30:00+03:00"]
    assert meta(page, "article:modified_time") == ["2026-11-26T08:00:00+03:00"]
    assert meta(page, "article:section") == ["سياسة"]
    # Two spellings of one tag are one article:tag.
    assert sorted(meta(page, "article:tag")) == sorted(["الإنتخابات", "غزة"])
    assert meta(page, "twitter:card") == ["summary_large_image"]
    assert meta(page, "twitter:site") == ["@akhbar"]
    assert meta(page, "twitter:title") == [HOSTILE_TITLE]
    assert page.find("link", rel="canonical")["href"] == url


def test_news_article_json_ld_survives_a_hostile_headline(output):
    raw = (output / "articles/hostile/index.html").read_text("utf-8")
    script = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(script)  # the whole element: nothing in the title closed it early
    assert "<" not in script and ">" not in script and "&" not in script
    assert data["headline"] == HOSTILE_TITLE
    assert data["@type"] == "NewsArticle" and data["inLanguage"] == "ar"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": BASE + "articles/hostile/"}
    assert data["description"] == "مقدمة الخبر."
    assert data["image"] == [BASE + "images/vote.svg"]
    assert (data["datePublished"], data["dateModified"]) == ("2026-11-25T09:30:00+03:00",
                                                             "2026-11-26T08:00:00+03:00")
    assert [(a["name"], a["url"]) for a in data["author"]] == [
        ("سارة الخطيب", BASE + "authors/" + quote("سارة-الخطيب") + "/"),
        ("Omar Haddad", BASE + "authors/omar-haddad/")]
    assert data["publisher"] == {"@type": "NewsMediaOrganization", "name": "أخبار الساحل",
                                 "url": BASE, "logo": {"@type": "ImageObject",
                                                       "url": BASE + "images/logo.svg"}}


def test_author_pages_named_in_json_ld_exist(output):
    assert crawl(output, BASE).broken == []


def test_article_without_image_falls_back_to_the_site_share_image(output):
    page = soup(output / "articles/plain/index.html")
    assert meta(page, "og:image") == [BASE + "images/share.png"]
    assert meta(page, "og:image:alt") == []
    assert json_ld(page)["image"] == [BASE + "images/share.png"]
    assert "author" not in json_ld(page)


def test_home_is_a_website_with_feed_autodiscovery(output):
    page = soup(output / "index.html")
    assert meta(page, "og:type") == ["website"]
    assert not page.find_all("script", type="application/ld+json")
    assert [(link["type"], link["href"]) for link in page.find_all("link", rel="alternate")] == [
        ("application/rss+xml", BASE + "rss.xml"), ("application/atom+xml", BASE + "atom.xml")]


def test_tag_page_advertises_its_own_feeds_first(output):
    page = soup(output / "tags" / "غزة" / "index.html")
    hrefs = [link["href"] for link in page.find_all("link", rel="alternate")]
    tag = BASE + "tags/" + quote("غزة") + "/"
    assert hrefs == [tag + "rss.xml", tag + "atom.xml", BASE + "rss.xml", BASE + "atom.xml"]
    assert page.find("link", rel="alternate")["title"] == "غزة | أخبار الساحل"


@pytest.mark.parametrize(("locale", "expected"), [("ar", "ar_AR"), ("ar_SY", "ar_SY"), ("ar_EG", "ar_EG")])
def test_og_locale_follows_the_site_locale(site_factory, locale, expected):
    root = site_factory({"content/articles/a.md": article("خبر")},
                        config=f'title = "س"\nbase_url = "https://example.org/"\nlocale = "{locale}"\n')
    build_site(root)
    assert meta(soup(root / "output/articles/a/index.html"), "og:locale") == [expected]
