"""End-to-end builds of tiny sites: pages, ordering, atomicity, incremental writes, the CLI."""

from __future__ import annotations

import pytest

from sitegen import __version__
from sitegen.diagnostics import ContentError

from sitetools import article, build_site, run_cli, snapshot, soup

CONFIG = 'title = "أخبار الاختبار"\nbase_url = "https://example.org/akhbar/"\npaginate = 2\n'


def news(count: int) -> dict[str, str]:
    return {f"content/articles/2026-11-{day:02d}-n{day}.md": article(f"خبر رقم {day}", date=f"2026-11-{day:02d}")
            for day in range(1, count + 1)}


def html_pages(root):
    return sorted((root / "output").rglob("*.html"))


def test_every_page_is_arabic_rtl_with_head_essentials(site_factory):
    root = site_factory({**news(3), "content/pages/about.md": '---\ntitle: "من نحن"\n---\nنص.\n'},
                        config=CONFIG)
    build_site(root)
    pages = html_pages(root)
    assert {"404.html", "about/index.html", "articles/n1/index.html", "articles/n2/index.html",
            "articles/n3/index.html", "index.html", "page/2/index.html"} <= {
        p.relative_to(root / "output").as_posix() for p in pages}
    for path in pages:
        page = soup(path)
        assert (page.html["lang"], page.html["dir"]) == ("ar", "rtl"), path
        assert page.select_one("meta[charset]")["charset"] == "utf-8"
        assert page.select_one('meta[name="viewport"]') is not None
        assert page.title.text.strip()
        assert page.select_one('link[rel="canonical"]')["href"].startswith("https://example.org/akhbar/")
        assert page.select_one('link[rel="stylesheet"]')["href"] == "/akhbar/css/style.css"


def test_home_is_paginated_newest_first(site_factory):
    root = site_factory(news(5), config=CONFIG)
    build_site(root)
    titles = [[a.text for a in soup(root / f"output/{p}").select(".card-title a")]
              for p in ("index.html", "page/2/index.html", "page/3/index.html")]
    assert titles == [["خبر رقم 5", "خبر رقم 4"], ["خبر رقم 3", "خبر رقم 2"], ["خبر رقم 1"]]
    assert soup(root / "output/page/2/index.html").select_one('a[rel="next"]')["href"] == "/akhbar/page/3/"
    assert soup(root / "output/page/2/index.html").select_one('a[rel="prev"]')["href"] == "/akhbar/"


def test_arabic_slug_is_written_nfc_and_linked_percent_encoded(site_factory):
    root = site_factory({"content/articles/2026-11-01-خبر-عاجل.md": article("خبر")}, config=CONFIG)
    build_site(root)
    assert (root / "output/articles/خبر-عاجل/index.html").is_file()
    link = soup(root / "output/index.html").select_one(".card-title a")["href"]
    assert link == "/akhbar/articles/%D8%AE%D8%A8%D8%B1-%D8%B9%D8%A7%D8%AC%D9%84/"


def test_drafts_and_future_articles_are_left_out_unless_asked(site_factory):
    root = site_factory({"content/articles/d.md": article("مسودة", draft="true"),
                         "content/articles/f.md": article("قادم", date="2027-01-01"),
                         "content/articles/p.md": article("منشور")})
    result = build_site(root)
    assert [a.slug for a in result.site.articles] == ["p"]
    assert result.site.next_scheduled.isoformat() == "2027-01-01T00:00:00+03:00"
    assert [a.slug for a in build_site(root, drafts=True, future=True).site.articles] == ["f", "d", "p"]


def test_two_sources_with_one_url_name_both_files(site_factory):
    root = site_factory({"content/articles/x.md": article("أ"),
                         "content/articles/2024-01-01-x.md": article("ب")})
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        "error: /articles/x/ is produced by both content/articles/2024-01-01-x.md and content/articles/x.md"]


def test_failed_build_leaves_previous_output_untouched(site_factory):
    root = site_factory(news(3))
    build_site(root)
    before = snapshot(root / "output")
    (root / "content/articles/2026-11-02-n2.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    with pytest.raises(ContentError):
        build_site(root)
    assert snapshot(root / "output") == before
    assert sorted(p.name for p in root.iterdir()) == ["content", "output", "site.toml"]


def test_second_unchanged_build_writes_nothing(site_factory):
    root = site_factory(news(3))
    build_site(root)
    before = snapshot(root / "output")
    report = build_site(root).report
    assert (report.written, report.removed) == (0, 0)
    assert snapshot(root / "output") == before


def test_edit_rewrites_only_changed_files_and_removes_stale_ones(site_factory):
    root = site_factory(news(3))
    build_site(root)
    before = snapshot(root / "output")
    (root / "content/articles/2026-11-01-n1.md").write_text(article("عنوان مصحح", date="2026-11-01"),
                                                            encoding="utf-8")
    (root / "content/articles/2026-11-03-n3.md").unlink()
    report = build_site(root).report
    after = snapshot(root / "output")
    changed = sorted(p for p in after if p in before and after[p] != before[p])
    # Feeds and sitemaps may change too; among pages, only these show the edited title (n2 lists
    # n1, and listed n3, under «أخبار ذات صلة»).
    assert [p for p in changed if p.endswith(".html")] == [
        "404.html", "articles/n1/index.html", "articles/n2/index.html", "index.html"]
    assert sorted(set(before) - set(after)) == ["articles/n3/index.html"]
    assert (report.written, report.removed) == (len(changed), 1)
    assert after["css/style.css"] == before["css/style.css"]  # same inode, same mtime


def test_same_input_gives_identical_bytes(site_factory, tmp_path):
    first = site_factory(news(4), name="one")
    second = site_factory(news(4), name="two")
    build_site(first)
    build_site(second)
    strip = {path: data for path, (data, _mtime) in snapshot(first / "output").items()}
    assert strip == {path: data for path, (data, _mtime) in snapshot(second / "output").items()}


def test_cli_exit_codes_and_messages(site_factory):
    root = site_factory(news(2))
    ok = run_cli("build", "--site", str(root))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("built ") and "(2 articles, 0 pages)" in ok.stdout
    (root / "content/articles/2026-11-01-n1.md").write_text("---\ntitle: خبر\ndate: أمس\n---\n", encoding="utf-8")
    bad = run_cli("build", "--site", str(root))
    assert (bad.returncode, bad.stderr) == (1, (
        "content/articles/2026-11-01-n1.md:3:7: error: front matter 'date': expected a date like "
        "2025-10-15 or 2025-10-15T14:05:00+03:00, got 'أمس'\nbuild failed: 1 error\n"))
    (root / "site.toml").write_text('title = "س"\n', encoding="utf-8")
    config = run_cli("build", "--site", str(root))
    assert (config.returncode, config.stderr) == (2, "site.toml: error: base_url: required key is missing\n"
                                                     "build failed: 1 error\n")
    assert run_cli("build", "--bogus").returncode == 2
    assert run_cli("--version").stdout == f"sitegen {__version__}\n"


def test_a_reader_that_stops_reading_ends_the_command_quietly(site_factory):
    """`sitegen build | head -1`: no traceback, the status of a command stopped by SIGPIPE, and
    the site built all the same (the summary is printed after the build)."""
    import os
    import subprocess
    import sys

    from sitetools import REPO

    root = site_factory(news(2))
    read, write = os.pipe()
    os.close(read)  # nobody reads: every write to it fails
    try:
        done = subprocess.run([sys.executable, "-m", "sitegen", "build", "--site", str(root)], stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=120,
                              env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")
    assert (root / "output/index.html").is_file()


def test_output_option_and_base_url_override(site_factory, tmp_path):
    root = site_factory(news(1))
    result = run_cli("build", "--site", str(root), "--output", str(tmp_path / "preview"),
                     "--base-url", "https://preview.example.org/x/")
    assert result.returncode == 0, result.stderr
    assert not (root / "output").exists()
    page = soup(tmp_path / "preview/articles/n1/index.html")
    assert page.select_one('link[rel="canonical"]')["href"] == "https://preview.example.org/x/articles/n1/"



def test_diagnostics_with_and_without_lines_in_one_file_are_ordered():
    from sitegen.diagnostics import error, raise_if_errors

    with pytest.raises(ContentError) as caught:
        raise_if_errors([error("b.md", "late", 9), error("a.md", "x", 3, 2), error("b.md", "whole file")])
    assert [d.format() for d in caught.value.diagnostics] == [
        "a.md:3:2: error: x", "b.md: error: whole file", "b.md:9: error: late"]
