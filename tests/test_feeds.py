"""RSS 2.0 and Atom feeds, read back by feedparser and lxml as a feed reader would."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import quote

import feedparser
import lxml.etree
import pytest

from sitetools import article, build_site

SUB_PATH_TOML = """\
title = "أخبار & <تجربة>"
description = "موقع اختبار"
base_url = "https://example.org/akhbar/"
timezone = "Asia/Riyadh"
"""

TRICKY_TITLE = 'أسعار "النفط" & <الغاز> ]]> ترتفع'
TRICKY = f"""---
title: '{TRICKY_TITLE}'
date: 2026-11-25T09:30:00+03:00
updated: 2026-11-26T08:00:00+03:00
category: اقتصاد
tags: [نفط, طاقة]
author: سارة الخطيب
image: /images/oil.svg
image_alt: برميل نفط
---
ارتفعت الأسعار، كما ورد في [صفحة من نحن](/about/).

## التفاصيل

![رسم](/images/oil.svg) نص إضافي في المتن.
"""


def feed_site(site_factory, config: str = SUB_PATH_TOML, extra: str = "") -> Path:
    files = {
        "content/articles/oil.md": TRICKY,
        # A decomposed (NFD) Arabic file name: links must carry the NFC spelling, encoded once.
        "content/articles/" + unicodedata.normalize("NFD", "مُباراة-الكأس") + ".md":
            article("نهائي الكأس", "2026-11-24T20:00:00+03:00", "فاز الفريق.", tags="[رياضة]"),
        "content/articles/old.md": article("خبر قديم", "2026-11-01T10:00:00+03:00"),
        "content/pages/about.md": "---\ntitle: من نحن\n---\nموقع.\n",
        "content/static/images/oil.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    }
    return site_factory(files, config=config + extra)


@pytest.fixture
def built(site_factory) -> Path:
    root = feed_site(site_factory)
    build_site(root)
    return root / "output"


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_feed_parses_without_bozo_and_lists_newest_first(built, name):
    parsed = feedparser.parse((built / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [e.title for e in parsed.entries] == [TRICKY_TITLE, "نهائي الكأس", "خبر قديم"]
    assert parsed.feed.title == "أخبار & <تجربة>"
    assert parsed.feed.language == "ar"


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_links_are_absolute_nfc_and_percent_encoded_once(built, name):
    parsed = feedparser.parse((built / name).read_bytes())
    slug = quote(unicodedata.normalize("NFC", "مُباراة-الكأس").replace("\u064f", ""))
    assert [e.link for e in parsed.entries] == [
        "https://example.org/akhbar/articles/oil/",
        f"https://example.org/akhbar/articles/{slug}/",
        "https://example.org/akhbar/articles/old/",
    ]
    assert "%25" not in (built / name).read_text("utf-8")  # never double-encoded


def test_rss_items_carry_dates_with_offsets_authors_and_categories(built):
    channel = lxml.etree.parse(built / "rss.xml").getroot().find("channel")
    assert channel.findtext("language") == "ar"
    assert channel.findtext("lastBuildDate") == "Thu, 26 Nov 2026 08:00:00 +0300"
    item = channel.find("item")
    assert item.findtext("pubDate") == "Wed, 25 Nov 2026 09:30:00 +0300"
    assert item.findtext("guid") == "https://example.org/akhbar/articles/oil/"
    assert [c.text for c in item.findall("category")] == ["اقتصاد", "نفط", "طاقة"]
    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "سارة الخطيب"
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link.get("href") == "https://example.org/akhbar/rss.xml"


def test_atom_has_xml_lang_and_rfc3339_dates(built):
    root = lxml.etree.parse(built / "atom.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    entry = root.find("a:entry", ns)
    assert entry.findtext("a:published", namespaces=ns) == "2026-11-25T09:30:00+03:00"
    assert entry.findtext("a:updated", namespaces=ns) == "2026-11-26T08:00:00+03:00"
    assert root.findtext("a:updated", namespaces=ns) == "2026-11-26T08:00:00+03:00"


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_titles_with_ampersand_angle_brackets_and_cdata_end_round_trip(built, name):
    titles = [t.text for t in lxml.etree.parse(built / name).iter("{*}title")]
    assert TRICKY_TITLE in titles
    assert "]]>" not in (built / name).read_text("utf-8")


def test_full_content_is_rtl_wrapped_with_absolute_links(built):
    entry = feedparser.parse((built / "rss.xml").read_bytes()).entries[0]
    content = lxml.etree.HTML(entry.content[0].value)
    wrapper = content.find(".//div")
    assert (wrapper.get("dir"), wrapper.get("lang")) == ("rtl", "ar")
    assert content.xpath("//a/@href") == ["https://example.org/akhbar/about/"]
    assert content.xpath("//img/@src") == ["https://example.org/akhbar/images/oil.svg"]
    assert content.xpath("//h2/text()") == ["التفاصيل"]
    summary = lxml.etree.HTML(entry.summary)
    assert summary.xpath("//div/@dir") == ["rtl"] and not summary.xpath("//h2")


def test_summary_only_and_item_limit_follow_config(site_factory):
    root = feed_site(site_factory, extra="\n[feeds]\nitems = 2\nfull_content = false\n")
    build_site(root)
    rss = lxml.etree.parse(root / "output" / "rss.xml").getroot()
    items = rss.findall("channel/item")
    assert [i.findtext("title") for i in items] == [TRICKY_TITLE, "نهائي الكأس"]
    assert rss.find(".//{http://purl.org/rss/1.0/modules/content/}encoded") is None
    atom = feedparser.parse((root / "output" / "atom.xml").read_bytes())
    assert len(atom.entries) == 2 and "content" not in atom.entries[0]


def test_feeds_can_be_switched_off(site_factory):
    root = feed_site(site_factory, extra="\n[feeds]\natom = false\n")
    build_site(root)
    assert (root / "output" / "rss.xml").is_file()
    assert not (root / "output" / "atom.xml").exists()


def test_empty_site_still_has_valid_feeds(site_factory):
    root = site_factory({}, config=SUB_PATH_TOML)
    build_site(root)
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((root / "output" / name).read_bytes())
        assert not parsed.bozo and parsed.entries == []


def test_every_tag_and_section_has_its_own_feeds(site_factory):
    root = site_factory({
        "content/articles/a.md": article("أ", "2026-11-20T10:00:00+03:00", tags="[الإنتخابات, عاجل]",
                                         category="سياسة"),
        "content/articles/b.md": article("ب", "2026-11-21T10:00:00+03:00", tags="[الانتخابات]"),
        "content/articles/c.md": article("ج", "2026-11-22T10:00:00+03:00", tags="[عاجل]",
                                         category="اقتصاد"),
        "content/articles/d.md": article("د", "2026-11-23T10:00:00+03:00", tags="[الانتخابات]"),
    }, config=SUB_PATH_TOML)
    build_site(root)
    out = root / "output"
    # «الإنتخابات» and «الانتخابات» are one tag, under its most used spelling: one feed for both.
    election = out / "tags" / "الانتخابات"
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((election / name).read_bytes())
        assert not parsed.bozo
        assert [e.title for e in parsed.entries] == ["د", "ب", "أ"]
        assert parsed.feed.link == "https://example.org/akhbar/tags/" + quote(election.name) + "/"
    section = feedparser.parse((out / "categories" / "سياسة" / "rss.xml").read_bytes())
    assert [e.title for e in section.entries] == ["أ"]
    assert section.feed.title == "سياسة | أخبار & <تجربة>"


def test_per_term_feeds_can_be_switched_off(site_factory):
    root = site_factory({"content/articles/a.md": article("أ", tags="[عاجل]")},
                        config=SUB_PATH_TOML + "\n[feeds]\nper_term = false\n")
    build_site(root)
    assert not list((root / "output" / "tags").rglob("*.xml"))
    assert (root / "output" / "rss.xml").is_file()


@pytest.mark.parametrize(("extra", "count", "full"), [("", 10, False),
                                                      ("term_items = 3\nterm_full_content = true\n", 3, True)])
def test_term_feeds_are_summaries_of_the_newest_ten_unless_configured(site_factory, extra, count, full):
    files = {f"content/articles/n{n:02d}.md": article(f"خبر {n}", f"2026-11-{n:02d}T10:00:00+03:00",
                                                      "مقدمة.\n\nمتن طويل.", tags="[عاجل]")
             for n in range(1, 13)}
    root = site_factory(files, config=SUB_PATH_TOML + "\n[feeds]\n" + extra)
    build_site(root)
    term = feedparser.parse((root / "output/tags/عاجل/rss.xml").read_bytes())
    assert [e.title for e in term.entries] == [f"خبر {n}" for n in range(12, 12 - count, -1)]
    assert ("content" in term.entries[0]) is full
    site_wide = feedparser.parse((root / "output/rss.xml").read_bytes())
    assert len(site_wide.entries) == 12 and "متن طويل" in site_wide.entries[0].content[0].value
