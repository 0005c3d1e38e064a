"""Rebuilds after edits of article bodies alone fingerprint only the pages those articles reached
(page_deps.py), and leave output/ exactly as a full build makes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_build_cache import cached_build

from sitegen import fingerprint
from sitegen.build_cache import BuildCache
from sitegen.fingerprint import Fingerprinter
from sitegen.model import Article, Pin, Ref
from sitegen.page_deps import BODY_FIELDS, SHARED_FIELDS, only_body_changed
from sitegen.rendering import Deferred, PageJob

from sitetools import NOW, SITE_TOML, article, snapshot

# Full-text feeds for tags too, so that feeds carry bodies; two articles per listing page.
CONFIG = SITE_TOML + "paginate = 2\n[feeds]\nterm_full_content = true\n"


def site_files() -> dict[str, str]:
    """Six articles; n6 links to n2 and shows a card of n1; n4 has two sub-headings."""
    files = {}
    for day in range(1, 7):
        body = f"مقدمة الخبر {day} عن الاقتصاد.\n\n## تفاصيل\n\nبلغت القيمة {day}0 مليون دولار في السوق."
        if day == 4:
            body += "\n\n## خلفية\n\nسبق أن أعلنت الشركة نتائجها."
        if day == 6:
            body += "\n\nاقرأ [الخبر الثاني](2026-11-02-n2.md).\n\n[[شاهد أيضاً: 2026-11-01-n1.md]]"
        files[f"content/articles/2026-11-0{day}-n{day}.md"] = article(
            f"خبر رقم {day}", date=f"2026-11-0{day}T10:00:00+03:00", body=body,
            tags="[اقتصاد, أسواق]" if day % 2 else "[اقتصاد]", category="اقتصاد")
    return files


def edit(root: Path, day: int, old: str, new: str) -> None:
    path = root / f"content/articles/2026-11-0{day}-n{day}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def count_fingerprints(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = Fingerprinter.job_and_articles

    def counted(self, job):
        seen.append(job.output)
        return real(self, job)

    monkeypatch.setattr(Fingerprinter, "job_and_articles", counted)
    return seen


BODY_EDITS = {
    "a figure": (3, "بلغت القيمة 30 مليون", "بلغت القيمة 35 مليون"),
    "a sub-heading's level": (4, "## خلفية", "### خلفية"),
    "a new link": (5, "في السوق.", "في [السوق](2026-11-03-n3.md)."),
    "a linked article's figure": (2, "بلغت القيمة 20 مليون", "بلغت القيمة 25 مليون"),
    "a carded article's figure": (1, "بلغت القيمة 10 مليون", "بلغت القيمة 15 مليون"),
    "a new word (related news ranked again)": (3, "في السوق.", "في السوق والبورصة."),
}


@pytest.mark.parametrize("change", BODY_EDITS.values(), ids=BODY_EDITS.keys())
def test_a_body_edit_fingerprints_few_pages_and_leaves_what_a_full_build_makes(site_factory, monkeypatch,
                                                                              change):
    root = site_factory(site_files(), config=CONFIG)
    first, _cache = cached_build(root)
    edit(root, *change)
    fingerprinted = count_fingerprints(monkeypatch)
    result, _cache = cached_build(root)
    assert set(result.rendered) <= set(fingerprinted)
    assert result.checked == len(fingerprinted)  # what `sitegen build --stats` reports
    assert f"articles/n{change[0]}/index.html" in fingerprinted
    # On six articles nearly every page shows each one (related news, listings, full-text feeds);
    # the sitemap, the news sitemap and the index of tags show no body.
    assert {"sitemap.xml", "news-sitemap.xml"}.isdisjoint(fingerprinted)
    assert len(fingerprinted) < first.pages
    incremental = snapshot(root / "output")
    monkeypatch.undo()
    assert cached_build(root)[0].up_to_date  # deciding what to skip did not make it time-sensitive
    cached_build(root, fresh=True)  # everything fingerprinted and rendered, nothing read from the cache
    assert snapshot(root / "output") == incremental


def test_the_pages_of_articles_linking_to_or_showing_an_edited_article_are_fingerprinted(site_factory,
                                                                                        monkeypatch):
    root = site_factory(site_files(), config=CONFIG)
    cached_build(root)
    edit(root, 2, "بلغت القيمة 20 مليون", "بلغت القيمة 25 مليون")
    fingerprinted = count_fingerprints(monkeypatch)
    cached_build(root)
    # n6 links to n2: its page counts n2 (a body edit cannot change n2's URL or title, which the
    # link shows, but the page counts n2 whole). The full-text feeds of n2's tag list it. The
    # first home page lists n6 and n5, not n2: it is skipped, though n6 links to n2.
    assert {"articles/n2/index.html", "articles/n6/index.html", "tags/اقتصاد/rss.xml"} <= set(fingerprinted)
    assert "index.html" not in fingerprinted


def test_an_article_whose_related_news_an_edited_text_changed_is_rendered_again(site_factory):
    # Blocks of two: an article's page did not count the articles its block did not show.
    root = site_factory(site_files(), config=CONFIG + "[related]\nmax_items = 2\n")
    first, _cache = cached_build(root)
    before = {a.slug: [r.slug for r in first.indexes.related_to(a)] for a in first.site.articles}
    # n1 now shares n4's background sentence: n4's block takes n1 in.
    edit(root, 1, "في السوق.", "في السوق.\n\nسبق أن أعلنت الشركة نتائجها.")
    result, _cache = cached_build(root)
    after = {a.slug: [r.slug for r in result.indexes.related_to(a)] for a in result.site.articles}
    gained = {slug for slug in after if "n1" in after[slug] and "n1" not in before[slug]}
    assert gained  # the edit brought n1 into a block that did not show it
    assert {f"articles/{slug}/index.html" for slug in gained} <= set(result.rendered)
    incremental = snapshot(root / "output")
    cached_build(root, fresh=True)
    assert snapshot(root / "output") == incremental


EVERYTHING_EDITS = {
    "a title": (3, "خبر رقم 3", "خبر رقم ثلاثة"),
    "the summary": (3, "مقدمة الخبر 3", "مقدمة معدلة للخبر 3"),
    "a tag": (3, "[اقتصاد, أسواق]", "[اقتصاد, أسواق, طاقة]"),
}


@pytest.mark.parametrize("change", EVERYTHING_EDITS.values(), ids=EVERYTHING_EDITS.keys())
def test_any_other_edit_fingerprints_every_page(site_factory, monkeypatch, change):
    root = site_factory(site_files(), config=CONFIG)
    first, _cache = cached_build(root)
    edit(root, *change)
    fingerprinted = count_fingerprints(monkeypatch)
    second, _cache = cached_build(root)
    assert len(fingerprinted) == second.pages >= first.pages
    incremental = snapshot(root / "output")
    monkeypatch.undo()
    cached_build(root, fresh=True)
    assert snapshot(root / "output") == incremental


def test_a_new_date_for_a_scheduled_article_is_not_taken_for_a_body_edit(site_factory):
    files = site_files() | {"content/articles/2026-12-05-later.md": article(
        "خبر مجدول", date="2026-12-05T10:00:00+03:00", body="نص لاحق.")}
    root = site_factory(files, config=CONFIG)
    cached_build(root)
    path = root / "content/articles/2026-12-05-later.md"
    path.write_text(path.read_text(encoding="utf-8").replace("2026-12-05", "2026-12-03"), encoding="utf-8")
    result, _cache = cached_build(root)
    assert ".sitegen/next-build.json" in result.rendered
    assert "2026-12-03" in (root / "output/.sitegen/next-build.json").read_text(encoding="utf-8")


def test_a_body_edit_whose_earlier_version_the_cache_no_longer_has_fingerprints_every_page(site_factory,
                                                                                          monkeypatch):
    root = site_factory(site_files(), config=CONFIG)
    first, _cache = cached_build(root)
    monkeypatch.setattr(BuildCache, "cached_article", lambda self, key, now: None)
    edit(root, 3, "بلغت القيمة 30 مليون", "بلغت القيمة 35 مليون")
    fingerprinted = count_fingerprints(monkeypatch)
    cached_build(root)
    assert len(fingerprinted) == first.pages


def test_a_body_edit_after_a_build_that_used_the_current_time_fingerprints_every_page(site_factory,
                                                                                     monkeypatch):
    root = site_factory(site_files(), config=CONFIG)
    first, _cache = cached_build(root)
    monkeypatch.setattr("sitegen.publishing.time_was_used", lambda: True)
    edit(root, 3, "بلغت القيمة 30 مليون", "بلغت القيمة 35 مليون")
    fingerprinted = count_fingerprints(monkeypatch)
    cached_build(root)
    assert len(fingerprinted) == first.pages


def test_an_output_file_changed_by_hand_is_rendered_again_after_a_body_edit(site_factory):
    root = site_factory(site_files(), config=CONFIG)
    cached_build(root)
    (root / "output/articles/n1/index.html").write_text("changed by hand", encoding="utf-8")
    edit(root, 3, "بلغت القيمة 30 مليون", "بلغت القيمة 35 مليون")
    result, _cache = cached_build(root)
    assert {"articles/n1/index.html", "articles/n3/index.html"} <= set(result.rendered)
    assert "changed by hand" not in (root / "output/articles/n1/index.html").read_text(encoding="utf-8")


# -- what a fingerprint records ----------------------------------------------------------------


def _article(slug: str) -> Article:
    from sitegen.model import SourceFile

    source = SourceFile(Path(f"/site/content/articles/{slug}.md"), f"content/articles/{slug}.md", "article")
    return Article(source, slug, slug, f"/articles/{slug}/", NOW, None, "<p>نص</p>", "<p>نص</p>", "نص", "", 1)


def _fingerprinter() -> Fingerprinter:
    from sitegen.config import SiteConfig

    return Fingerprinter(b"base", lambda a: a.path.encode(), SiteConfig(title="t", base_url="https://example.org/", root=Path("/site")))


def test_a_fingerprint_records_the_articles_it_took_in_also_from_values_shared_by_pages():
    a, b, c = _article("a"), _article("b"), _article("c")
    shared = tuple([a, b] * 10)  # long enough to be memoised, and shared by both pages
    fp = _fingerprinter()
    first = fp.job_and_articles(PageJob("1.html", "x.html", {"articles": shared, "other": c}, "one"))
    second = fp.job_and_articles(PageJob("2.html", "x.html", {"articles": shared}, "two"))
    assert first[1] == {a.path, b.path, c.path}
    assert second[1] == {a.path, b.path}  # from the memo of the first page's digest


def test_a_deferred_value_counts_the_articles_whose_bodies_it_declares_and_those_in_its_value():
    a, b = _article("a"), _article("b")
    fp = _fingerprinter()
    declared = Deferred(lambda: (b,), reads_bodies_of=(a,))
    assert fp.job_and_articles(PageJob("1.html", "x.html", {"v": declared}, "one"))[1] == {a.path, b.path}
    undeclared = Deferred(lambda: "made from anything")
    assert fp.job_and_articles(PageJob("2.html", "x.html", {"v": undeclared}, "two"))[1] is None
    assert fp.job_and_articles(PageJob("3.html", "x.html", {"v": (undeclared,) * 20}, "three"))[1] is None
    assert fp.job_and_articles(PageJob("4.html", "x.html", {"v": (undeclared,) * 20}, "four"))[1] is None


def test_an_article_counts_as_only_its_body_changed_when_every_other_field_is_the_same():
    base = _article("a")
    fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
    for name, value in [("title", "other"), ("summary_html", "<p>x</p>"), ("summary_text", "x"),
                        ("tags", ("t",)), ("date", None), ("image", "/i.jpg"), ("params", {"k": 1}),
                        ("key_lines", {"title": 3}), ("pins", (Pin("b.md", 4),))]:
        assert not only_body_changed(base, Article(**{**fields, name: value})), name
    for name, value in [("body_html", "<p>آخر</p>"), ("toc_html", "<ul></ul>"), ("word_count", 9),
                        ("refs", (Ref("b.md", 3, "link"),))]:
        assert only_body_changed(base, Article(**{**fields, name: value})), name
    assert set(BODY_FIELDS) | set(SHARED_FIELDS) | {"source"} == set(fields)
    assert not only_body_changed(None, base)  # the earlier version is no longer in the cache


def test_template_analyses_are_kept_for_the_next_build_and_an_edited_template_is_analysed_again(
        site_factory, monkeypatch):
    root = site_factory(site_files(), config=CONFIG)
    cached_build(root)
    fingerprint._analysed.clear()  # as in a new process
    parsed: list[str] = []
    real = fingerprint._analyse_tree
    monkeypatch.setattr(fingerprint, "_analyse_tree", lambda tree: parsed.append(tree) or real(tree))
    edit(root, 3, "بلغت القيمة 30 مليون", "بلغت القيمة 35 مليون")
    cached_build(root)
    assert parsed == []  # every template's analysis came from the cache folder
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates/404.html").write_text('{% extends "base.html" %}{% block main %}{{ title }}'
                                             '{% endblock %}', encoding="utf-8")
    cached_build(root)
    assert len(parsed) == 1  # only the new template
