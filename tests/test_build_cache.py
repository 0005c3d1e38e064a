"""The persistent build cache and dependency-aware rebuilds (issue 7): what is re-parsed,
re-rendered and re-written, and that a cache it cannot vouch for is ignored."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

import sitegen
from sitegen import build_cache, cache_format
from sitegen.build import build
from sitegen.build_cache import CACHE_DIR, BuildCache
from sitegen.diagnostics import ContentError
from sitegen.site import BuildOptions

from sitetools import NOW, SITE_TOML, article, run_cli, snapshot, soup

CONFIG = SITE_TOML + "paginate = 2\n"


def news() -> dict[str, str]:
    """Five articles, all tagged «عام», odd ones «فردي» too; n5 has a card showing n1's title."""
    files = {}
    for day in range(1, 6):
        body = f"مقدمة الخبر {day}.\n\n## تفاصيل\n\nفقرة ثانية عن الخبر {day}."
        if day == 5:
            body = "مقدمة الخبر 5.\n\n[[شاهد أيضاً: 2026-11-01-n1.md]]\n\nفقرة ثانية."
        files[f"content/articles/2026-11-0{day}-n{day}.md"] = article(
            f"خبر رقم {day}", date=f"2026-11-0{day}T10:00:00+03:00", body=body,
            tags="[عام, فردي]" if day % 2 else "[عام]")
    return files


def cached_build(root: Path, **kwargs):
    cache = BuildCache(root, fresh=kwargs.pop("fresh", False))
    result = build(root, BuildOptions(), None, NOW, cache=cache, **kwargs)
    return result, cache


def changed_files(before: dict, after: dict) -> set[str]:
    return {path for path in after.keys() | before.keys() if after.get(path) != before.get(path)}


def test_unchanged_rebuild_parses_renders_and_writes_nothing(site_factory):
    root = site_factory(news(), config=CONFIG)
    first, cache = cached_build(root)
    assert (cache.hits, cache.misses) == (0, 5)
    assert len(first.rendered) == first.pages
    before = snapshot(root / "output")
    second, cache = cached_build(root)
    assert second.up_to_date  # the whole build was known to be current: nothing even parsed
    assert (cache.hits, cache.misses, second.rendered) == (0, 0, ())
    assert (second.report.written, second.report.removed) == (0, 0)
    assert (second.pages, second.article_count) == (first.pages, 5)
    assert snapshot(root / "output") == before


def test_touching_a_source_without_changing_it_keeps_the_build_current(site_factory):
    root = site_factory(news(), config=CONFIG)
    cached_build(root)
    path = root / "content/articles/2026-11-02-n2.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    result, cache = cached_build(root)
    assert result.up_to_date and cache.misses == 0


def test_a_scheduled_article_ends_the_last_builds_validity(site_factory):
    files = {**news(), "content/articles/2026-12-01-later.md": article("خبر مجدول",
                                                                      date="2026-12-01T08:00:00+03:00")}
    root = site_factory(files, config=CONFIG)
    cached_build(root)
    assert cached_build(root)[0].up_to_date
    cache = BuildCache(root)
    later = build(root, BuildOptions(), None, NOW.replace(month=12, day=2), cache=cache)
    assert not later.up_to_date
    assert (root / "output/articles/later/index.html").is_file()


def test_a_page_that_uses_the_current_time_is_never_skipped(site_factory):
    from sitegen import planning
    from sitegen.rendering import PageJob

    def clock(site, indexes):
        yield PageJob("clock.txt", "clock.txt", {"moment": site.now - timedelta(hours=48)}, "clock")

    root = site_factory({**news(), "templates/clock.txt": "{{ moment.isoformat() }}\n"}, config=CONFIG)
    planning.PLANNERS.append(clock)
    try:
        cached_build(root)
        again = build(root, BuildOptions(), None, NOW + timedelta(hours=1), cache=BuildCache(root))
    finally:
        planning.PLANNERS.remove(clock)
    assert not again.up_to_date
    assert again.rendered == ("clock.txt",)
    assert (root / "output/clock.txt").read_text(encoding="utf-8").startswith("2026-11-27T13:00")


def test_an_edit_re_renders_only_the_pages_showing_that_article(site_factory):
    root = site_factory(news(), config=CONFIG)
    cached_build(root)
    before = snapshot(root / "output")
    path = root / "content/articles/2026-11-01-n1.md"
    path.write_text(path.read_text(encoding="utf-8").replace("خبر رقم 1", "عنوان مصحح للخبر الأول"),
                    encoding="utf-8")
    result, cache = cached_build(root)
    assert (cache.hits, cache.misses) == (4, 1)
    # n1 is on the last page of each listing it is in (2 per page, newest first) and in the 404
    # page's recent list; n5's card shows n1's title, and so do the site and tag feeds and the
    # «أخبار ذات صلة» blocks that list n1. The other articles' pages link the same tags (same names, same
    # counts), so they are not rendered for that.
    listing_n1 = {f"articles/{a.slug}/index.html" for a in result.site.articles
                  if "n1" in [r.article.slug for r in result.indexes.related[a.path]]}
    assert sorted(result.rendered) == sorted({
        "404.html", "articles/n1/index.html", "articles/n5/index.html", "page/3/index.html",
        "tags/عام/page/3/index.html", "tags/فردي/page/2/index.html", "atom.xml", "rss.xml",
        "tags/عام/atom.xml", "tags/عام/rss.xml", "tags/فردي/atom.xml", "tags/فردي/rss.xml"} | listing_n1)
    assert changed_files(before, snapshot(root / "output")) == set(result.rendered)
    assert soup(root / "output/articles/n5/index.html").select_one(".see-also a").text == "عنوان مصحح للخبر الأول"


def test_an_edit_that_does_not_change_a_listing_re_renders_it_but_does_not_rewrite_it(site_factory):
    # Without «أخبار ذات صلة» blocks, which would carry n2 onto the other article pages.
    root = site_factory(news(), config=CONFIG + "[related]\nmax_items = 0\n")
    cached_build(root)
    before = snapshot(root / "output")
    path = root / "content/articles/2026-11-02-n2.md"
    path.write_text(path.read_text(encoding="utf-8").replace("فقرة ثانية", "فقرة ثانية معدلة"),
                    encoding="utf-8")
    result, _cache = cached_build(root)
    feeds = {"atom.xml", "rss.xml"}
    assert set(result.rendered) == {"404.html", "articles/n2/index.html", "page/2/index.html",
                                    "tags/عام/page/2/index.html"} | feeds
    # The listings (and the tag's feeds) show n2's summary, its first paragraph, which did not
    # change; the site feeds carry the whole article.
    assert changed_files(before, snapshot(root / "output")) == {"articles/n2/index.html"} | feeds
    assert result.report.written == 3


def test_a_template_change_re_renders_everything_without_re_parsing(site_factory):
    root = site_factory({**news(), "templates/page.html": "<p>{{ title }}</p>\n",
                         "content/pages/about.md": '---\ntitle: "من نحن"\n---\nنص.\n'}, config=CONFIG)
    first, _cache = cached_build(root)
    before = snapshot(root / "output")
    (root / "templates/page.html").write_text("<h1>{{ title }}</h1>\n", encoding="utf-8")
    result, cache = cached_build(root)
    assert cache.misses == 0
    assert len(result.rendered) == first.pages
    assert changed_files(before, snapshot(root / "output")) == {"about/index.html"}


def test_deleting_an_article_removes_its_page_using_the_record_of_the_last_build(site_factory):
    root = site_factory(news(), config=CONFIG)
    cached_build(root)
    (root / "content/articles/2026-11-03-n3.md").unlink()
    result, _cache = cached_build(root)
    # Its page, and the last page of the home, «عام» and «فردي» listings, no longer needed.
    assert result.report.removed == 4
    assert not (root / "output/articles/n3").exists()
    assert not (root / "output/page/3").exists() and not (root / "output/tags/عام/page/3").exists()
    assert not (root / "output/tags/فردي/page/2").exists()


def test_a_template_that_lists_a_terms_articles_is_rendered_when_one_of_them_changes(site_factory):
    override = ('{% extends "default:article.html" %}{% block main %}{{ super() }}<ul class="same-tag">'
                "{% for item in terms.tags[0].articles %}<li>{{ item.title }}</li>{% endfor %}</ul>"
                "{% endblock %}\n")
    root = site_factory({**news(), "templates/article.html": override}, config=CONFIG)
    cached_build(root)
    path = root / "content/articles/2026-11-04-n4.md"
    path.write_text(path.read_text(encoding="utf-8").replace("خبر رقم 4", "عنوان جديد"), encoding="utf-8")
    result, _cache = cached_build(root)
    # Every article's first tag is «عام», which n4 is in: every article page shows its title.
    assert {f"articles/n{day}/index.html" for day in range(1, 6)} <= set(result.rendered)
    page = soup(root / "output/articles/n2/index.html")
    assert "عنوان جديد" in [li.text for li in page.select(".same-tag li")]


def test_an_output_file_changed_by_hand_is_rendered_again(site_factory):
    root = site_factory(news(), config=CONFIG)
    first, _cache = cached_build(root)
    page = root / "output/articles/n2/index.html"
    original = page.read_bytes()
    page.write_bytes(b"edited by hand")
    (root / "output/articles/n4/index.html").unlink()
    result, _cache = cached_build(root)
    assert sorted(result.rendered) == ["articles/n2/index.html", "articles/n4/index.html"]
    assert page.read_bytes() == original
    assert result.report.written == 2


def _poison(root: Path) -> None:
    """Rewrite every cached parse result with a title no source has."""
    db = sqlite3.connect(root / CACHE_DIR / build_cache.DATABASE)
    rows = db.execute("SELECT key, value FROM parsed").fetchall()
    for key, value in rows:
        parsed = cache_format.loads(value, None)  # entries do not store their SourceFile
        if parsed.article is not None:
            parsed = dataclasses.replace(parsed, article=dataclasses.replace(parsed.article, title="POISON"))
        db.execute("UPDATE parsed SET value = ? WHERE key = ?", (cache_format.dumps(parsed), key))
    db.commit()
    db.close()


def _titles(root: Path) -> set[str]:
    return {soup(p).h1.text.strip() for p in (root / "output/articles").rglob("index.html")}


@pytest.mark.parametrize("change", ["version", "markdown settings", "none"])
def test_a_cache_from_another_version_or_configuration_is_ignored(site_factory, monkeypatch, change):
    root = site_factory(news(), config=CONFIG)
    cached_build(root)
    _poison(root)
    if change == "version":
        monkeypatch.setattr(sitegen, "__version__", "99.0")
        cache_format.code_version.cache_clear()
    elif change == "markdown settings":
        (root / "site.toml").write_text(CONFIG + "[markdown]\ntoc_depth = 2\n", encoding="utf-8")
    try:
        result, cache = cached_build(root)
    finally:
        cache_format.code_version.cache_clear()
    if change == "none":  # the check is real: the same version does use the (poisoned) entries
        assert result.up_to_date and _titles_after_full_render(root) == {"POISON"}
    else:
        assert (cache.hits, cache.misses) == (0, 5)
        assert _titles(root) == {f"خبر رقم {day}" for day in range(1, 6)}
        assert "POISON" not in (root / "output/index.html").read_text(encoding="utf-8")


def _titles_after_full_render(root: Path) -> set[str]:
    import shutil

    shutil.rmtree(root / "output")
    cached_build(root)
    return _titles(root)


@pytest.mark.parametrize("damage", ["database", "outputs record", "one entry"])
def test_a_corrupt_cache_is_ignored(site_factory, damage):
    root = site_factory(news(), config=CONFIG)
    cached_build(root)
    folder = root / CACHE_DIR
    if damage == "database":
        (folder / build_cache.DATABASE).write_bytes(b"this is not a database" * 100)
    elif damage == "outputs record":
        for record in folder.glob("outputs-*.pickle"):
            record.write_bytes(b"\x80\x05garbage")
    else:
        db = sqlite3.connect(folder / build_cache.DATABASE)
        db.execute("UPDATE parsed SET value = ? WHERE rowid = (SELECT min(rowid) FROM parsed)", (b"\x80junk",))
        db.commit()
        db.close()
    page = root / "output/articles/n3/index.html"
    page.write_bytes(b"stale")
    os.utime(page, ns=(0, 0))
    result, cache = cached_build(root)
    assert soup(page).h1.text.strip() == "خبر رقم 3"
    assert _titles(root) == {f"خبر رقم {day}" for day in range(1, 6)}
    assert cache.misses == {"database": 5, "outputs record": 0, "one entry": 1}[damage]
    again, cache = cached_build(root)  # and the cache is whole again afterwards
    assert (cache.misses, again.rendered) == (0, ())


def test_a_cache_file_of_the_earlier_format_is_replaced_by_one_with_large_pages(site_factory):
    """Format 1 used 4 KiB pages (a parsed article spilled over four); its file is not read but
    replaced, and the new one keeps each article in one 64 KiB page."""
    root = site_factory(news(), config=CONFIG)
    folder = root / CACHE_DIR
    folder.mkdir()
    old = sqlite3.connect(folder / build_cache.DATABASE)
    old.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB)")
    old.execute("INSERT INTO meta VALUES ('format', ?)", (b"sitegen-cache-1",))
    old.commit()
    old.close()
    _result, cache = cached_build(root)
    assert (cache.hits, cache.misses) == (0, 5)
    db = sqlite3.connect(folder / build_cache.DATABASE)
    try:
        assert db.execute("PRAGMA page_size").fetchone()[0] == 65536
        assert db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()[0] == build_cache.FORMAT
    finally:
        db.close()
    edited = root / "content/articles/2026-11-02-n2.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nفقرة أخرى.\n", encoding="utf-8")
    _again, cache = cached_build(root)
    assert (cache.hits, cache.misses) == (4, 1)


def test_a_failed_build_keeps_the_last_good_record_and_output(site_factory):
    root = site_factory({**news(), "templates/article.html": "<h1>{{ article.title }}</h1>\n"}, config=CONFIG)
    cached_build(root)
    before = snapshot(root / "output")
    template = root / "templates/article.html"
    template.write_text("<h1>{{ article.title }</h1>\n", encoding="utf-8")
    with pytest.raises(ContentError):
        cached_build(root)
    assert snapshot(root / "output") == before
    template.write_text("<h1>{{ article.title }}</h1>\n", encoding="utf-8")
    result, cache = cached_build(root)
    assert (result.rendered, cache.misses) == ((), 0)
    assert snapshot(root / "output") == before


def test_no_cache_builds_everything_and_leaves_a_fresh_cache(site_factory, tmp_path):
    root = site_factory(news(), config=CONFIG)
    stats = tmp_path / "stats.json"
    now = ("--now", NOW.isoformat(), "--quiet", "--stats", str(stats))
    assert run_cli("build", "--site", str(root), *now).returncode == 0
    assert run_cli("build", "--site", str(root), *now).returncode == 0
    second = json.loads(stats.read_text(encoding="utf-8"))
    assert (second["parsed"], second["rendered"], second["written"]) == (0, 0, 0)
    result = run_cli("build", "--site", str(root), "--no-cache", *now)
    assert result.returncode == 0, result.stderr
    cold = json.loads(stats.read_text(encoding="utf-8"))
    assert (cold["parsed"], cold["checked"], cold["rendered"], cold["written"]) == (5, cold["pages"],
                                                                                 cold["pages"], 0)
    assert {"parse", "render", "write"} <= set(cold["stage_seconds"])
    assert run_cli("build", "--site", str(root), *now).returncode == 0
    assert json.loads(stats.read_text(encoding="utf-8"))["parsed"] == 0


def test_a_build_without_the_cache_invalidates_its_output_record(site_factory):
    root = site_factory(news(), config=CONFIG)
    cached_build(root)
    (root / "content/articles/2026-11-06-n6.md").write_text(article("خبر رقم 6", date="2026-11-06"),
                                                             encoding="utf-8")
    build(root, BuildOptions(), None, NOW)  # e.g. the dev server's in-memory cache
    (root / "content/articles/2026-11-06-n6.md").unlink()
    result, _cache = cached_build(root)
    assert not (root / "output/articles/n6").exists()
    assert "articles/n6/index.html" not in {p.relative_to(root / "output").as_posix()
                                            for p in (root / "output").rglob("*")}
    assert result.report.removed >= 1


def test_compiled_templates_are_not_reused_under_other_settings(site_factory):
    # Jinja folds `'/'|url` into the compiled template; a template compiled for one base URL
    # must not be reused for another.
    root = site_factory({**news(), "templates/404.html": "<a href=\"{{ '/'|url }}\">home</a>\n"},
                        config=CONFIG)
    for base in ("https://example.org/", "https://example.org/akhbar/"):
        result = run_cli("build", "--site", str(root), "--base-url", base, "-q", "--now", NOW.isoformat())
        assert result.returncode == 0, result.stderr
        assert soup(root / "output/404.html").a["href"] == base.removeprefix("https://example.org")
    assert list((root / CACHE_DIR / "templates").iterdir())  # the cache was used


def test_the_sitemap_is_rendered_again_only_when_a_page_or_a_last_change_is_new(site_factory):
    root = site_factory(news(), config=CONFIG)
    cached_build(root)
    path = root / "content/articles/2026-11-02-n2.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("فقرة ثانية", "فقرة معدلة"), encoding="utf-8")
    result, _cache = cached_build(root)
    assert "sitemap.xml" not in result.rendered  # same pages, same last changes
    path.write_text(text.replace("date:", "updated: 2026-11-20T09:00:00+03:00\ndate:"), encoding="utf-8")
    result, _cache = cached_build(root)
    assert "sitemap.xml" in result.rendered
    assert "2026-11-20T09:00:00+03:00" in (root / "output/sitemap.xml").read_text(encoding="utf-8")
    (root / "content/articles/2026-11-06-n6.md").write_text(
        article("خبر سادس", date="2026-11-06T10:00:00+03:00"), encoding="utf-8")
    result, _cache = cached_build(root)
    assert "sitemap.xml" in result.rendered
    assert "/articles/n6/" in (root / "output/sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("body", ["<p>نص عربي</p>", '<p><a href="sitegen-ref:x.md">x</a></p>',
                                  '<sitegen-card ref="x.md"></sitegen-card>', "<p>lone \ud800 surrogate</p>", ""])
def test_a_cached_article_decodes_its_html_when_first_read_and_equals_the_parsed_one(body):
    """Cached articles keep body and table of contents as UTF-8 until read (a rebuild renders few
    pages): they still equal the article as parsed, copy and pickle, and say whether the body
    has references without decoding it."""
    import copy

    from sitegen.model import Article, SourceFile, packed_field
    from sitegen.parse_cache import Parsed
    from sitegen.refs import body_has_refs, has_refs

    source = SourceFile(Path("/s/content/articles/a.md"), "content/articles/a.md", "article")
    parsed = Article(source, "عنوان", "a", "/articles/a/", None, None, body, "<p>م</p>", "م",
                     "<ul><li>ت</li></ul>", 3, tags=("وسم",), key_lines={"title": 2})
    cached = cache_format.loads(cache_format.dumps(Parsed(parsed, (), ("f", b"x"))), source).article
    assert packed_field(cached, "body_html") == body.encode("utf-8", "surrogatepass")
    assert body_has_refs(cached) == has_refs(body)
    assert packed_field(cached, "body_html") is not None  # still not decoded
    assert cached == parsed and hash(cached) == hash(parsed)
    assert cached.body_html == body and packed_field(cached, "body_html") is None
    again = cache_format.loads(cache_format.dumps(Parsed(cached)), source).article  # stored again
    for other in (again, copy.copy(again), pickle.loads(pickle.dumps(again)),
                  dataclasses.replace(again, title="عنوان")):
        assert (other.body_html, other.toc_html) == (body, "<ul><li>ت</li></ul>")
    assert again == parsed
    with pytest.raises(AttributeError):
        _ = cached.no_such_field


def test_the_record_of_the_last_build_is_read_once_per_build(site_factory, monkeypatch):
    root = site_factory(news(), config=CONFIG)
    cached_build(root)
    path = root / "content/articles/2026-11-02-n2.md"
    path.write_text(path.read_text(encoding="utf-8").replace("فقرة ثانية", "فقرة معدلة"), encoding="utf-8")
    real_load, loads = build_cache.build_record.load, []
    monkeypatch.setattr(build_cache.build_record, "load", lambda *a: loads.append(a) or real_load(*a))
    result, _cache = cached_build(root)
    assert len(loads) == 1 and "articles/n2/index.html" in result.rendered
    assert "tags/فردي/rss.xml" not in result.rendered  # the record was used


def test_articles_parsed_by_this_build_arrive_decoded_and_cached_ones_stay_packed(site_factory):
    """A freshly parsed article's page is rendered in this build: its HTML is decoded once, in the
    main process, so that render workers share it instead of each decoding its own copy."""
    from sitegen.build import StageTimer, discover_site
    from sitegen.config import load_config
    from sitegen.model import packed_field
    from sitegen.parsing import parse
    from sitegen.themes import load_theme_chain

    root = site_factory(news(), config=CONFIG)
    config = load_config(root)
    sources, _static = discover_site(config, load_theme_chain(config.root, config.theme), StageTimer())
    cache = BuildCache(root.resolve())
    fresh, _ = parse(sources, config, cache)
    cache.close()
    assert fresh and all("body_html" in a.__dict__ and packed_field(a, "toc_html") is None for a in fresh)
    again, _ = parse(sources, config, BuildCache(root.resolve()))
    assert all(packed_field(a, "body_html") is not None for a in again)
    assert [(a.body_html, a.toc_html) for a in again] == [(a.body_html, a.toc_html) for a in fresh]


def test_compiled_templates_of_earlier_settings_or_templates_are_deleted(site_factory):
    root = site_factory(news(), config=CONFIG)
    folder = root / CACHE_DIR / "templates"
    cached_build(root)
    first = {path.name for path in folder.iterdir()}
    (root / "templates").mkdir()
    (root / "templates/404.html").write_text("<p>{{ 'home'|t }}</p>\n", encoding="utf-8")
    cached_build(root)
    second = {path.name for path in folder.iterdir()}
    assert first and second and not first & second  # a new set, and none of the old one
    assert len({name.split("-")[0] for name in second}) == 1
    (root / "site.toml").write_text(CONFIG + "description = 'وصف آخر'\n", encoding="utf-8")
    cached_build(root)
    third = {path.name for path in folder.iterdir()}
    assert third and not third & second


def test_the_space_of_swept_entries_is_given_back(site_factory):
    count = 80  # the sweep waits until more than 64 entries are unused
    root = site_factory({f"content/articles/2026-11-01-n{n}.md": article(
        f"خبر {n}", date="2026-11-01T10:00:00+03:00", body=f"فقرة {n} " * 400)
        for n in range(count)}, config=CONFIG)
    database = root / CACHE_DIR / build_cache.DATABASE
    cached_build(root)
    size = database.stat().st_size
    (root / "site.toml").write_text(CONFIG + "[markdown]\ntoc_depth = 2\n", encoding="utf-8")
    result, cache = cached_build(root)  # every entry parsed again under new keys, the old swept
    assert cache.misses == count
    db = sqlite3.connect(database)
    assert db.execute("SELECT count(*) FROM parsed").fetchone()[0] == count
    assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0
    db.close()
    assert database.stat().st_size <= size
