"""sitemap.xml (and its index), news-sitemap.xml and robots.txt, checked against their XML schemas."""

from __future__ import annotations

from pathlib import Path

import feedparser
import lxml.etree
import pytest

from sitegen import sitemaps
from sitegen.build import build
from sitegen.site import BuildOptions

from sitetools import NOW, REPO, article, build_site, run_cli

SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SM, "news": NEWS}

# The sitemaps.org 0.9 schema, trimmed to what matters: required <loc>, optional W3C <lastmod>,
# extension elements from other namespaces (Google News) allowed inside <url>.
SITEMAP_XSD = f"""<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{SM}" xmlns="{SM}"
           elementFormDefault="qualified">
  <xs:simpleType name="w3cDate"><xs:restriction base="xs:string">
    <xs:pattern
      value="\\d{{4}}-\\d{{2}}-\\d{{2}}(T\\d{{2}}:\\d{{2}}(:\\d{{2}})?(Z|[+\\-]\\d{{2}}:\\d{{2}}))?"/>
  </xs:restriction></xs:simpleType>
  <xs:simpleType name="loc"><xs:restriction base="xs:anyURI">
    <xs:pattern value="https?://[&#x21;-&#x7E;]+"/><xs:maxLength value="2048"/>
  </xs:restriction></xs:simpleType>
  <xs:element name="urlset"><xs:complexType><xs:sequence>
    <xs:element name="url" minOccurs="0" maxOccurs="50000"><xs:complexType><xs:sequence>
      <xs:element name="loc" type="loc"/>
      <xs:element name="lastmod" type="w3cDate" minOccurs="0"/>
      <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
  <xs:element name="sitemapindex"><xs:complexType><xs:sequence>
    <xs:element name="sitemap" maxOccurs="50000"><xs:complexType><xs:sequence>
      <xs:element name="loc" type="loc"/>
      <xs:element name="lastmod" type="w3cDate" minOccurs="0"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>
"""
SCHEMA = lxml.etree.XMLSchema(lxml.etree.fromstring(SITEMAP_XSD.encode()))

CONFIG = """\
title = "أخبار الاختبار"
base_url = "https://example.org/akhbar/"
timezone = "Asia/Riyadh"
paginate = 2
"""


def valid(path: Path) -> lxml.etree._Element:
    tree = lxml.etree.parse(path)
    SCHEMA.assertValid(tree)
    return tree.getroot()


def locs(root: lxml.etree._Element) -> list[str]:
    return root.xpath("//sm:loc/text()", namespaces=NS)


@pytest.fixture
def site(site_factory) -> Path:
    return site_factory({
        "content/articles/a.md": article("أ", "2026-11-20T10:00:00+03:00",
                                         updated="2026-11-22T09:00:00+03:00"),
        "content/articles/b.md": article("ب", "2026-11-21T10:00:00+03:00"),
        "content/articles/خبر-عاجل.md": article("ج", "2026-11-23T10:00:00+03:00"),
        "content/pages/about.md": "---\ntitle: من نحن\n---\nنص.\n",
    }, config=CONFIG)


def test_sitemap_lists_every_page_with_lastmod_from_updated_else_date(site):
    build_site(site)
    root = valid(site / "output" / "sitemap.xml")
    lastmods = {u.findtext("sm:loc", namespaces=NS): u.findtext("sm:lastmod", namespaces=NS)
                for u in root.findall("sm:url", NS)}
    base = "https://example.org/akhbar/"
    assert lastmods == {
        base + "articles/%D8%AE%D8%A8%D8%B1-%D8%B9%D8%A7%D8%AC%D9%84/": "2026-11-23T10:00:00+03:00",
        base + "articles/a/": "2026-11-22T09:00:00+03:00",  # updated wins over date
        base + "articles/b/": "2026-11-21T10:00:00+03:00",
        base + "about/": None,
        base: "2026-11-23T10:00:00+03:00",  # a listing: its newest item
        base + "page/2/": "2026-11-22T09:00:00+03:00",
        base + "tags/": None, base + "categories/": None, base + "authors/": None,  # no terms yet
    }


def test_404_is_not_in_the_sitemap(site):
    build_site(site)
    assert not [loc for loc in locs(valid(site / "output" / "sitemap.xml")) if "404" in loc]


def test_beyond_the_limit_sitemap_becomes_an_index_of_parts(site):
    full = build_site(site)
    every = locs(valid(full.config.output_path / "sitemap.xml"))
    with (site / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[sitemap]\nmax_urls = 4\n")
    build_site(site)
    index = valid(site / "output" / "sitemap.xml")
    assert index.tag == f"{{{SM}}}sitemapindex"
    parts = locs(index)
    count = -(-len(every) // 4)
    assert count >= 2 and parts == [f"https://example.org/akhbar/sitemap-{n}.xml" for n in range(1, count + 1)]
    sizes = [len(locs(valid(site / "output" / f"sitemap-{n}.xml"))) for n in range(1, count + 1)]
    listed = [loc for n in range(1, count + 1) for loc in locs(valid(site / "output" / f"sitemap-{n}.xml"))]
    assert listed == every and max(sizes) == 4
    assert index.xpath("//sm:lastmod/text()", namespaces=NS)[0] == "2026-11-23T10:00:00+03:00"


def test_robots_txt_names_both_sitemaps(site):
    build_site(site)
    lines = (site / "output" / "robots.txt").read_text("utf-8").splitlines()
    assert [line for line in lines if line.startswith("Sitemap:")] == [
        "Sitemap: https://example.org/akhbar/sitemap.xml",
        "Sitemap: https://example.org/akhbar/news-sitemap.xml"]
    assert "User-agent: *" in lines


NEWS_CONFIG = 'title = "صحيفة \\"الساحل\\" & شركاه"\nbase_url = "https://example.org/"\n'


def news_site(site_factory) -> Path:
    # NOW is 2026-11-29T12:00:00Z; the window is the 48 hours before it.
    return site_factory({
        "content/articles/fresh.md": article("خبر <جديد> & عاجل", "2026-11-29T14:30:00+03:00"),
        "content/articles/edge.md": article("قبل يومين تقريباً", "2026-11-27T12:30:00Z"),
        "content/articles/stale.md": article("خبر قديم", "2026-11-27T11:59:00Z"),
        "content/articles/future.md": article("خبر مجدول", "2026-11-29T12:01:00Z"),
    }, config=NEWS_CONFIG)


def test_news_sitemap_holds_only_the_last_48_hours(site_factory):
    root = news_site(site_factory)
    build_site(root)
    news = valid(root / "output" / "news-sitemap.xml")
    assert locs(news) == ["https://example.org/articles/fresh/", "https://example.org/articles/edge/"]
    first = news.find("sm:url/news:news", NS)
    assert first.findtext("news:publication/news:name", namespaces=NS) == 'صحيفة "الساحل" & شركاه'
    assert first.findtext("news:publication/news:language", namespaces=NS) == "ar"
    assert first.findtext("news:publication_date", namespaces=NS) == "2026-11-29T14:30:00+03:00"
    assert first.findtext("news:title", namespaces=NS) == "خبر <جديد> & عاجل"


def test_news_sitemap_is_capped(site_factory, monkeypatch):
    monkeypatch.setattr(sitemaps, "NEWS_MAX_ITEMS", 1)
    root = news_site(site_factory)
    build_site(root)
    assert locs(valid(root / "output" / "news-sitemap.xml")) == ["https://example.org/articles/fresh/"]


def test_news_window_follows_the_cli_now(site_factory, tmp_path):
    root = news_site(site_factory)
    result = run_cli("build", "--site", str(root), "--now", "2026-11-28T00:00:00+00:00", "-q")
    assert result.returncode == 0, result.stderr
    assert locs(valid(root / "output" / "news-sitemap.xml")) == [
        "https://example.org/articles/edge/", "https://example.org/articles/stale/"]


def test_an_empty_news_sitemap_is_still_well_formed(site_factory):
    root = site_factory({"content/articles/old.md": article("قديم", "2020-01-01")}, config=NEWS_CONFIG)
    build_site(root)
    assert locs(valid(root / "output" / "news-sitemap.xml")) == []


def test_every_feed_and_sitemap_of_the_sample_site_is_valid(tmp_path):
    output = tmp_path / "out"
    build(REPO, BuildOptions(), {"output_dir": str(output), "base_url": "https://example.org/akhbar/"}, NOW)
    feeds = sorted(output.rglob("rss.xml")) + sorted(output.rglob("atom.xml"))
    assert len(feeds) > 20  # the site's, and one pair per tag and section
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo and parsed.entries and parsed.feed.language == "ar", path
    for name in ("sitemap.xml", "news-sitemap.xml"):
        assert all(loc.startswith("https://example.org/akhbar/") for loc in locs(valid(output / name)))


@pytest.mark.parametrize("seed", range(20))
def test_the_news_window_walk_finds_what_checking_every_article_finds(seed, monkeypatch):
    """_recent stops at the window's start (articles come newest first): same articles, same next
    due date as comparing every article's date with the time, with a small cap to reach too."""
    import random
    from datetime import timedelta
    from types import SimpleNamespace

    rng = random.Random(seed)
    monkeypatch.setattr(sitemaps, "NEWS_MAX_ITEMS", rng.choice([3, 1000]))
    dates = sorted((NOW + timedelta(hours=rng.uniform(-100, 30)) for _ in range(rng.randint(0, 40))),
                   reverse=True)
    articles = [SimpleNamespace(date=d) for d in dates]
    since = NOW - sitemaps.NEWS_WINDOW
    expected = [a for a in articles if since < a.date <= NOW][:sitemaps.NEWS_MAX_ITEMS]
    due = min((a.date for a in articles if a.date > NOW), default=None)
    assert sitemaps._recent(articles, NOW) == (expected, due)
