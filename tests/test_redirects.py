"""Old URLs redirect (aliases), and scheduled articles tell CI when to rebuild (next-build.json)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from sitegen.diagnostics import ContentError

from crawl import crawl
from sitetools import article, build_site, run_cli, soup

BASE = "https://example.org/akhbar/"
CONFIG = f'title = "أخبار"\nbase_url = "{BASE}"\ntimezone = "Asia/Riyadh"\n'
MOVED = article("خبر نُقل", "2026-11-20T10:00:00+03:00", slug="خبر-جديد",
                aliases='["/old/path", "/2019/05/خبر-قديم.html", "/%D8%A7%D9%84%D9%82%D8%AF%D9%8A%D9%85/"]')


@pytest.fixture
def output(site_factory) -> Path:
    root = site_factory({"content/articles/moved.md": MOVED,
                         "content/articles/other.md": article("خبر آخر", tags="[غزة]")}, config=CONFIG)
    build_site(root)
    return root / "output"


@pytest.mark.parametrize("old", ["old/path/index.html", "2019/05/خبر-قديم.html", "القديم/index.html"])
def test_each_alias_is_a_redirect_page_with_refresh_and_canonical(output, old):
    page = soup(output / old)
    target = BASE + "articles/" + quote("خبر-جديد") + "/"
    assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == f"0; url={target}"
    assert page.find("link", rel="canonical")["href"] == target
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.a["href"] == "/akhbar/articles/" + quote("خبر-جديد") + "/"
    assert page.a.get_text() == "خبر نُقل"


def test_redirects_file_lists_every_alias_encoded_under_the_base_path(output):
    lines = [line for line in (output / "_redirects").read_text("utf-8").splitlines()
             if line and not line.startswith("#")]
    target = "/akhbar/articles/" + quote("خبر-جديد") + "/"
    assert lines == [  # sorted by the old path as written
        f"/akhbar/2019/05/{quote('خبر-قديم')}.html {target} 301!",
        f"/akhbar/old/path/ {target} 301!",
        f"/akhbar/{quote('القديم')}/ {target} 301!",
    ]


def test_redirect_pages_stay_out_of_the_sitemap_and_links_work(output):
    sitemap = (output / "sitemap.xml").read_text("utf-8")
    assert "old/path" not in sitemap and quote("القديم") not in sitemap
    assert crawl(output, BASE).broken == []


def test_no_aliases_no_redirects_file(site_factory):
    root = site_factory({"content/articles/a.md": article("خبر")}, config=CONFIG)
    build_site(root)
    assert not (root / "output" / "_redirects").exists()


def build_errors(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        build_site(root)
    return [d.format() for d in caught.value.diagnostics]


def test_alias_colliding_with_an_article_is_an_error(site_factory):
    root = site_factory({"content/articles/a.md": article("أ", aliases='["/articles/b/"]'),
                         "content/articles/b.md": article("ب")}, config=CONFIG)
    assert build_errors(root) == [
        "error: /articles/b/ is produced by both content/articles/a.md (alias) and content/articles/b.md"]
    assert not (root / "output").exists()


def test_alias_colliding_with_a_tag_page_is_an_error(site_factory):
    root = site_factory({"content/articles/a.md": article("أ", tags="[غزة]", aliases='["/tags/غزة"]')},
                        config=CONFIG)
    assert build_errors(root) == [
        "error: /tags/غزة/index.html is produced by both tags «غزة» page 1 and "
        "content/articles/a.md (alias /tags/غزة/)"]


def test_alias_with_a_query_is_refused_at_its_line(site_factory):
    root = site_factory({"content/articles/a.md": article("أ", aliases='["/x/?p=12"]')}, config=CONFIG)
    assert build_errors(root) == [
        "content/articles/a.md:4:10: error: front matter 'aliases': expected a URL path without "
        "'?query' or '#fragment' (a static host serves one file per path), got '/x/?p=12'"]


# Scheduled publishing. NOW (sitetools) is 2026-11-29T12:00:00Z.

SCHEDULED = {
    "content/articles/now.md": article("منشور", "2026-11-29T10:00:00+03:00"),
    "content/articles/soon.md": article("مجدول قريباً", "2026-11-30T08:00:00+03:00"),
    "content/articles/later.md": article("مجدول لاحقاً", "2026-12-05T08:00:00+03:00"),
    "content/articles/draft.md": article("مسودة", "2026-11-29T20:00:00+03:00", draft="true"),
}


def test_future_articles_are_left_out_and_the_next_one_is_announced(site_factory):
    root = site_factory(SCHEDULED, config=CONFIG)
    result = build_site(root)
    out = root / "output"
    assert [a.title for a in result.site.articles] == ["منشور"]
    assert not (out / "articles/soon").exists()
    for name in ("rss.xml", "sitemap.xml", "news-sitemap.xml"):
        assert "soon" not in (out / name).read_text("utf-8")
    # The draft is earlier, but drafts are never published by the clock.
    assert json.loads((out / ".sitegen/next-build.json").read_text("utf-8")) == {
        "next_build": "2026-11-30T08:00:00+03:00", "next_build_utc": "2026-11-30T05:00:00Z"}


def test_cli_prints_the_next_scheduled_article_and_the_file_follows_the_clock(site_factory):
    root = site_factory(SCHEDULED, config=CONFIG)
    result = run_cli("build", "--site", str(root), "--now", "2026-11-30T09:00:00+03:00")
    assert result.returncode == 0, result.stderr
    assert "next scheduled article due at 2026-12-05T08:00:00+03:00" in result.stdout
    assert (root / "output/articles/soon/index.html").is_file()
    result = run_cli("build", "--site", str(root), "--now", "2026-12-06T00:00:00+03:00")
    assert "next scheduled" not in result.stdout
    assert json.loads((root / "output/.sitegen/next-build.json").read_text("utf-8")) == {
        "next_build": None, "next_build_utc": None}


def test_links_cards_and_pins_to_a_scheduled_article_wait_for_it(site_factory):
    files = {
        "content/articles/2026-11-28-now.md": article(
            "منشور", "2026-11-28T10:00:00+03:00", related="[soon]",
            body="انظر [**الخبر المجدول**](2026-12-01-soon.md#التفاصيل) غداً.\n\n[[شاهد أيضاً: soon]]\n"),
        "content/articles/2026-12-01-soon.md": article("مجدول", "2026-12-01T08:00:00+03:00", slug="soon",
                                                       body="## التفاصيل\n\nنص."),
    }
    root = site_factory(files, config=CONFIG)
    build_site(root)  # NOW is before "soon": no error, no dangling link
    body = soup(root / "output/articles/now/index.html").select_one(".article-body")
    assert body.p.get_text() == "انظر الخبر المجدول غداً." and not body.select("a, aside.see-also")
    assert not soup(root / "output/articles/now/index.html").select("section.related-news a")
    result = run_cli("build", "--site", str(root), "--now", "2026-12-01T09:00:00+03:00", "-q")
    assert result.returncode == 0, result.stderr
    page = soup(root / "output/articles/now/index.html")
    link = page.select_one(".article-body p a")
    assert link["href"] == "/akhbar/articles/soon/#" + quote("التفاصيل") and link.strong.text == "الخبر المجدول"
    assert page.select_one("aside.see-also a").get_text() == "مجدول"


def test_a_link_to_a_draft_is_still_an_error(site_factory):
    files = {"content/articles/a.md": article("أ", body="[مسودة](b.md)"),
             "content/articles/b.md": article("ب", draft="true")}
    root = site_factory(files, config=CONFIG)
    assert build_errors(root) == ["content/articles/a.md:5: error: link to 'b.md': no published "
                                  "article or page has that path or slug"]
