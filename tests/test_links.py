"""Every link in output/ works when a static host serves it, at a domain root or under a sub-path."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawl import crawl
from sitetools import REPO, article, build_site, run_cli

SUB_PATH = "https://example.org/akhbar/"


def linked_site(site_factory, base_url: str) -> Path:
    """Arabic slugs, links between articles (with an Arabic #fragment), a card, footnotes,
    root-relative links and images written by the editor, pagination, a lead image."""
    port = article(
        "اتفاق الميناء", "2026-11-20T10:00:00+03:00",
        body="""
        مقدمة الخبر.[^1]

        ## بنود الاتفاق

        تفاصيل، وانظر [من نحن](/about/) و[الشعار](/images/logo.svg "شعار").

        [^1]: مصدر الخبر.
        """,
        image="/images/logo.svg", image_alt="شعار")
    follow_up = article(
        "سفينة أولى تصل", "2026-11-24T10:00:00+03:00",
        body="""
        كما [أُعلن سابقاً](2026-11-20-اتفاق-الميناء.md#بنود-الاتفاق)، وصلت السفينة.

        [[شاهد أيضاً: 2026-11-20-اتفاق-الميناء.md]]
        """)
    files: dict[str, str | bytes] = {
        "content/articles/2026-11-20-اتفاق-الميناء.md": port,
        "content/articles/2026-11-24-سفينة-أولى.md": follow_up,
        "content/pages/about.md": "---\ntitle: من نحن\n---\n[الرئيسية](/)\n",
        "content/static/images/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    }
    for n in range(12):  # enough for a second home page
        files[f"content/articles/filler-{n}.md"] = article(f"خبر {n}", f"2026-11-{n + 1:02d}T08:00:00+03:00")
    config = f'title = "أخبار"\nbase_url = "{base_url}"\n\n[[menu]]\nname = "من نحن"\nurl = "/about/"\n'
    return site_factory(files, config=config)


@pytest.mark.parametrize("base_url", [SUB_PATH, "https://example.org/"])
def test_built_site_has_no_broken_links(site_factory, base_url):
    root = linked_site(site_factory, base_url)
    build_site(root)
    report = crawl(root / "output", base_url)
    assert report.broken == [], report.describe()
    assert report.checked > 150


def test_sub_path_site_never_links_outside_its_folder(site_factory):
    root = linked_site(site_factory, SUB_PATH)
    build_site(root)
    # The same output served at the domain root would break: every link carries /akhbar/.
    assert crawl(root / "output", "https://example.org/").broken


def test_base_url_override_moves_every_link(site_factory):
    root = linked_site(site_factory, "https://example.org/")
    build_site(root, base_url="https://preview.example.net/pr-7/")
    assert crawl(root / "output", "https://preview.example.net/pr-7/").broken == []


@pytest.mark.parametrize("base_url", ["https://example.org/", SUB_PATH])
def test_sample_site_has_no_broken_links(tmp_path, base_url):
    output = tmp_path / "out"
    result = run_cli("build", "--site", str(REPO), "--output", str(output), "--base-url", base_url,
                     "--now", "2026-11-29T12:00:00+03:00", "-q")
    assert result.returncode == 0, result.stderr
    report = crawl(output, base_url)
    assert report.broken == [], report.describe()
    assert report.checked > 200


# The crawler itself must catch what it is meant to catch.

def write_output(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def test_crawler_reports_broken_links_with_their_reason(tmp_path):
    output = write_output(tmp_path, {
        "index.html": """<html><body id="top">
            <a href="/akhbar/%D8%AE%D8%A8%D8%B1/">ok</a>
            <a href="%D8%AE%D8%A8%D8%B1/#top2">missing fragment</a>
            <a href="/akhbar/خبر/">raw arabic</a>
            <a href="/elsewhere/">outside</a>
            <a href="/akhbar/gone/">missing</a>
            <a href="https://other.example/x">external</a>
            <img src="logo.svg"></body></html>""",
        "خبر/index.html": "<html><body><p id='top'>x</p><a href='../#top'>up</a></body></html>",
        "sitemap.xml": "<urlset><url><loc>https://example.org/akhbar/nope.xml</loc></url></urlset>",
    })
    report = crawl(output, SUB_PATH)
    assert sorted((p.source, p.url, p.reason) for p in report.broken) == sorted([
        ("index.html", "%D8%AE%D8%A8%D8%B1/#top2", "no element with id 'top2'"),
        ("index.html", "/akhbar/خبر/", "not percent-encoded"),
        ("index.html", "/elsewhere/", "outside the site's base path /akhbar/"),
        ("index.html", "/akhbar/gone/", "no such file in the output"),
        ("index.html", "logo.svg", "no such file in the output"),
        ("sitemap.xml", "https://example.org/akhbar/nope.xml", "no such file in the output"),
    ])
    assert report.external == 1
