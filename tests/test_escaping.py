"""Nothing escapes (issue 8): titles, summaries, tags, authors, sections, alt text and config strings
holding markup, quotes, `&`, `]]>` or `</script>` come out as the same text everywhere (HTML text
and attributes, JSON-LD, RSS, Atom, sitemaps, redirects) and never as markup of their own."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from sitetools import build_site, soup, write_site

EVIL = "عاجل <script>alert(\"x\")</script> & \"quoted\" 'single' ]]> </script><!-- end"
SITE_TITLE = "موقع " + EVIL
SUMMARY = "ملخص " + EVIL
TAGS = ["وسم " + EVIL, "<b>غزة</b>"]
AUTHOR = "<img src=x onerror=alert(1)> كاتب"
SECTION = "</script><script>alert(2)</script>"
ALT = '"><script>alert(3)</script>'


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    config = "\n".join([f"title = {json.dumps(SITE_TITLE)}", f"description = {json.dumps('وصف ' + EVIL)}",
                        'base_url = "https://example.org/"', 'timezone = "Asia/Riyadh"', ""])
    front = [f"title: {json.dumps(EVIL)}", "date: 2026-11-28T10:00:00+03:00",
             f"summary: {json.dumps(SUMMARY)}", f"tags: {json.dumps(TAGS)}", f"author: {json.dumps(AUTHOR)}",
             f"category: {json.dumps(SECTION)}", "image: /images/a.svg", f"image_alt: {json.dumps(ALT)}",
             "aliases: [/old/x/]"]
    files = {"content/articles/x.md": "---\n" + "\n".join(front) + "\n---\nنص الخبر.\n",
             "content/articles/y.md": "---\ntitle: خبر آخر\ndate: 2026-11-27\ntags: [غزة]\n---\nنص.\n",
             "content/static/images/a.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"}
    root = write_site(tmp_path_factory.mktemp("escaping") / "site", files, config)
    build_site(root)
    return root / "output"


def files_of(output: Path, *suffixes: str) -> list[Path]:
    found = [p for p in sorted(output.rglob("*")) if p.is_file() and p.suffix in suffixes]
    assert found
    return found


def test_no_page_runs_a_script_or_handler_from_content(output):
    for path in files_of(output, ".html"):
        page = soup(path)
        for script in page.find_all("script"):
            if script.get("type") == "application/ld+json":
                assert "<" not in script.string, path  # data, with every < escaped
                json.loads(script.string)
            else:
                assert "alert" not in (script.string or ""), path
        handlers = [(tag.name, name) for tag in page.find_all(True) for name in tag.attrs
                    if name.lower().startswith("on")]
        assert handlers == [], path
        assert page.find("img", src="x") is None and page.find("b", string="غزة") is None, path


def test_article_page_shows_every_string_as_written(output):
    page = soup(output / "articles/x/index.html")
    assert page.h1.get_text() == EVIL
    assert EVIL in page.title.string and SITE_TITLE in page.title.string
    meta = {m.get("property") or m.get("name"): m.get("content") for m in page.find_all("meta")}
    assert meta["og:title"] == EVIL and meta["og:image:alt"] == ALT
    assert meta["article:section"] == SECTION
    assert SUMMARY.startswith(meta["description"].rstrip("…"))  # may be shortened, never broken
    assert {a.get_text() for a in page.select("a[href*='/tags/']")} >= set(TAGS)
    assert AUTHOR in page.get_text() and SECTION in page.get_text()
    [data] = [json.loads(s.string) for s in page.find_all("script", type="application/ld+json")
              if "NewsArticle" in s.string]
    assert data["headline"] == EVIL and data["description"] == SUMMARY
    assert AUTHOR in json.dumps(data, ensure_ascii=False)


def test_json_ld_cannot_close_its_script_element(output):
    raw = (output / "articles/x/index.html").read_text(encoding="utf-8")
    start = raw.index('<script type="application/ld+json">')
    body = raw[start:raw.index("</script>", start)]
    assert "<!--" not in body and "<script" not in body.lower()[1:]


def test_listing_pages_show_the_site_title_and_names_as_text(output):
    for path in [output / "index.html", *files_of(output / "tags", ".html")]:
        page = soup(path)
        assert SITE_TITLE in page.title.string, path
    tags_index = soup(output / "tags/index.html").get_text()
    assert all(tag in tags_index for tag in TAGS)
    assert AUTHOR in soup(output / "authors/index.html").get_text()


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_feeds_are_well_formed_and_carry_the_same_text(output, name):
    raw = (output / name).read_bytes()
    etree.fromstring(raw)  # strict XML: a raw `]]>` or `&` would break it
    feed = feedparser.parse(raw)
    assert not feed.bozo
    assert feed.feed.title == SITE_TITLE
    entry = next(e for e in feed.entries if e.title == EVIL)
    assert {t.term for t in entry.tags} >= {SECTION, *TAGS}
    assert entry.author == AUTHOR
    # The summary is HTML: shown by a reader, it is the text as written, with no markup of its own.
    summary = BeautifulSoup(entry.summary, "lxml")
    assert summary.get_text() == SUMMARY and summary.find("script") is None


def test_every_xml_file_is_well_formed(output):
    for path in files_of(output, ".xml"):
        etree.fromstring(path.read_bytes())
    news = etree.parse(str(output / "news-sitemap.xml"))
    titles = news.xpath("//*[local-name()='title']/text()")
    names = news.xpath("//*[local-name()='name']/text()")
    assert titles == [EVIL] and set(names) == {SITE_TITLE}  # the other article is over 48 hours old


def test_redirects_file_has_one_rule_per_alias(output):
    assert (output / "_redirects").read_text(encoding="utf-8").splitlines()[1:] == [
        "/old/x/ /articles/x/ 301!"]
    redirect = soup(output / "old/x/index.html")
    assert all("alert" not in (s.string or "") for s in redirect.find_all("script"))


def test_config_strings_are_escaped_too(site_factory):
    config = f'title = "<i>موقع</i>"\ndescription = "{ALT.replace(chr(34), chr(92) + chr(34))}"\n' \
             'base_url = "https://example.org/"\n'
    root = site_factory({"content/articles/x.md": "---\ntitle: خبر\ndate: 2026-11-01\n---\nنص.\n"}, config)
    build_site(root)
    home = soup(root / "output/index.html")
    assert home.find("i") is None and "<i>موقع</i>" in home.title.string
    assert home.find("meta", attrs={"name": "description"})["content"] == ALT
