"""Context values made by the render workers (rendering.Deferred): an article's resolved body, its
feeds, the sitemap. They are made once, only for pages that need them, and a page whose inputs
changed (here: the URL of an article that another one links to) is still rendered again."""

from __future__ import annotations

from pathlib import Path

import jinja2

from sitegen.build import build
from sitegen.build_cache import BuildCache
from sitegen.config import SiteConfig
from sitegen.fingerprint import Fingerprinter
from sitegen.rendering import Deferred, PageJob, render_job, template_context
from sitegen.site import BuildOptions, Site

from sitetools import NOW, SITE_TOML, article, soup


def counting(result: object) -> tuple[list[int], Deferred]:
    calls: list[int] = []

    def make(x: int) -> object:
        calls.append(x)
        return result

    return calls, Deferred(make, 7)


def test_a_deferred_value_is_made_once_when_first_read():
    calls, value = counting("قيمة")
    assert calls == []
    assert template_context({"a": value, "b": 1}) == {"a": "قيمة", "b": 1}
    assert value.value == "قيمة" and calls == [7]


def test_a_page_renders_its_deferred_values(tmp_path):
    env = jinja2.Environment(loader=jinja2.DictLoader({"p.html": "{{ a }}|{{ b.x }}"}), autoescape=True)
    _calls, value = counting({"x": "<ب>"})
    data, problem = render_job(PageJob("p.html", "p.html", {"a": Deferred(str.upper, "ok"), "b": value},
                                       "test"), env, tmp_path)
    assert problem is None and data.decode() == "OK|&lt;ب&gt;"


def fingerprinter() -> Fingerprinter:
    return Fingerprinter(b"base", lambda article: None, SiteConfig(title="t", base_url="https://e.org/"))


def test_a_fingerprint_counts_the_value_or_the_inputs_it_is_made_from():
    fp = fingerprinter()
    calls, value = counting("نص")
    assert fp.digest(value) == fp.digest("نص") and calls == [7]  # no inputs: made, and counted
    calls, value = counting("نص")
    with_inputs = Deferred(value._make, 7, inputs=("a", 1))
    assert fp.digest(with_inputs) == b"\x08" + fp.digest(("a", 1))
    assert with_inputs._value is Deferred._PENDING  # not made: its page may not be rendered
    assert fp.digest(Deferred(str, inputs=("a", 2))) != fp.digest(with_inputs)


def test_a_value_that_fails_to_be_made_leaves_its_page_unfingerprinted():
    fp = fingerprinter()
    job = PageJob("x.html", "x.html", {"a": Deferred(lambda: 1 / 0)}, "test")
    assert fp.job(job) is None  # rendered, where the error is reported with its template line


def news(n1_slug: str) -> dict[str, str]:
    """n2's summary (its first paragraph) links to n1; n3 has a card for n1. n1 has a tag of its
    own, so «عام»'s feeds change only through n2's link."""
    return {
        "content/articles/2026-11-01-n1.md": article("الخبر الأول", "2026-11-01T10:00:00+03:00",
                                                     tags="[أول]", slug=n1_slug),
        "content/articles/2026-11-02-n2.md": article(
            "الخبر الثاني", "2026-11-02T10:00:00+03:00", tags="[عام]",
            body="تابع [الخبر السابق](2026-11-01-n1.md#تفاصيل) اليوم.\n\nفقرة ثانية."),
        "content/articles/2026-11-03-n3.md": article(
            "الخبر الثالث", "2026-11-03T10:00:00+03:00", tags="[آخر]",
            body="مقدمة.\n\n[[شاهد أيضاً: 2026-11-01-n1.md]]"),
        "content/articles/2026-11-04-n4.md": article("الخبر الرابع", "2026-11-04T10:00:00+03:00",
                                                     tags="[آخر]"),
    }


def cached_build(root: Path):
    return build(root, BuildOptions(), None, NOW, cache=BuildCache(root))


def test_pages_whose_links_point_at_a_moved_article_are_rendered_again(site_factory):
    config = SITE_TOML + "[related]\nmax_items = 0\n"
    root = site_factory(news("first"), config=config)
    cached_build(root)
    path = root / "content/articles/2026-11-01-n1.md"
    path.write_text(path.read_text(encoding="utf-8").replace("slug: first", "slug: moved"), encoding="utf-8")
    result = cached_build(root)
    rendered = set(result.rendered)
    # n2's body and summary link to n1; n3's card does: their pages and the feeds that carry them
    # (the site's, and «عام»'s for n2) are made again. «آخر»'s feeds carry n3's summary, which
    # has no link, so they are not.
    assert {"articles/n2/index.html", "articles/n3/index.html", "rss.xml", "atom.xml",
            "tags/عام/rss.xml", "tags/عام/atom.xml"} <= rendered
    assert not {"tags/آخر/rss.xml", "tags/آخر/atom.xml", "articles/n4/index.html"} & rendered
    assert soup(root / "output/articles/n2/index.html").select_one(".article-body a")["href"] \
        == "/articles/moved/#%D8%AA%D9%81%D8%A7%D8%B5%D9%8A%D9%84"
    assert soup(root / "output/articles/n3/index.html").select_one(".see-also a")["href"] == "/articles/moved/"
    feed = (root / "output/tags/عام/rss.xml").read_text(encoding="utf-8")
    assert "https://example.org/articles/moved/#" in feed and "/articles/first/" not in feed


def test_a_feed_item_is_made_only_from_the_fields_its_inputs_list():
    """ItemMaker.inputs stands for the item in fingerprints: any other field of the article may
    change without changing the item (else an edit could leave a feed stale)."""
    import dataclasses
    from datetime import UTC, datetime

    from sitegen.feeds import ItemMaker
    from sitegen.model import Article, Pin, Ref, SourceFile
    from sitegen.refs import Resolver
    from sitegen.site import Site

    def make(**changes) -> Article:
        fields = dict(source=SourceFile(Path("content/articles/a.md"), "content/articles/a.md", "article"),
                      title="عنوان", slug="a", url="/articles/a/", date=datetime(2026, 1, 1, tzinfo=UTC),
                      updated=None, body_html='<p>نص <a href="/about/">من نحن</a></p>',
                      summary_html="<p>نص</p>", summary_text="نص", toc_html="", word_count=2,
                      tags=("وسم",), category="قسم", authors=("كاتب",), image="/i.png")
        return Article(**{**fields, **changes})

    others = dict(source=SourceFile(Path("content/pages/b.md"), "content/pages/b.md", "page"), slug="b",
                  summary_text="آخر", toc_html="<ul></ul>", word_count=9, image_alt="صورة", draft=True,
                  pins=(Pin("x", 1),), aliases=("/old/",), template="x.html", params={"k": 1},
                  refs=(Ref("x.md", 1, "link"),), key_lines={"title": 2})
    listed = {f.name for f in dataclasses.fields(Article)} - set(others)
    assert listed == {"title", "url", "date", "updated", "body_html", "summary_html", "category", "tags",
                      "authors", "image"}  # what ItemMaker.inputs lists
    site = Site(SiteConfig(title="t", base_url="https://e.org/sub/"), (), (), NOW, Resolver(()), None)
    for full_content in (True, False):
        item = ItemMaker(site).item(make(), full_content)
        for name, value in others.items():
            assert ItemMaker(site).item(make(**{name: value}), full_content) == item, name
        if not full_content:
            assert ItemMaker(site).item(make(body_html="<p>آخر</p>"), False) == item
    changed = dict(title="جديد", url="/articles/b/", date=datetime(2026, 1, 2, tzinfo=UTC),
                   updated=datetime(2026, 1, 3, tzinfo=UTC), body_html="<p>جديد</p>", summary_html="<p>جديد</p>",
                   category="آخر", tags=("آخر",), authors=("آخر",), image="/j.png")
    assert set(changed) == listed
    inputs = ItemMaker(site).inputs(make(), False)
    for name, value in changed.items():  # a feed of summaries: each field it shows counts, not the body
        assert (ItemMaker(site).inputs(make(**{name: value}), False) != inputs) == (name != "body_html"), name
    article = make()
    assert ItemMaker(site).inputs(article, True) == (article, True)  # full text: counted whole
    card = make(body_html="<p>[[x]] <sitegen-card ref=\"x\"></sitegen-card></p>")
    with_card = ItemMaker(site).inputs(card, True)  # the card shows another article: it counts too
    assert with_card[:2] == (card, True) and with_card[2].reads_bodies_of == (card,)


def test_ref_targets_are_the_articles_resolving_looks_up(monkeypatch):
    """A page with links counts the articles they lead to instead of its resolved body: the same
    lookups, in the same order, as resolving makes (escaped targets, fragments, cards, a link to a
    scheduled article, a root-relative card target, with and without a base_url sub-path)."""
    from sitegen.markup import CARD_TAG, REF_SCHEME
    from sitegen.model import Article, SourceFile
    from sitegen.refs import Resolver

    def make(name: str) -> Article:
        source = SourceFile(Path(f"/s/content/articles/{name}"), f"content/articles/{name}", "article")
        return Article(source, f"عنوان {name}", name.removesuffix(".md"), f"/articles/{name}/", None, None,
                       "", "", "", "", 1)

    here, a, b, later = make("here.md"), make("a&b.md"), make("x.md"), make("later.md")
    resolver = Resolver([here, a, b], [later])
    body = (f'<p><a href="{REF_SCHEME}a%26b.md#part" title="t">one</a> and '
            f'<a href="{REF_SCHEME}later.md">later</a> <a href="{REF_SCHEME}missing.md">gone</a></p>'
            f'<{CARD_TAG} ref="x.md"></{CARD_TAG}><{CARD_TAG} ref="/articles/a&amp;b.md"></{CARD_TAG}>'
            f'<p><a href="/about/">about</a> <code>{REF_SCHEME}</code></p>')
    seen = []
    real = Resolver.lookup

    def recording(self, referrer, target):
        found = real(self, referrer, target)
        seen.append(found)
        return found

    monkeypatch.setattr(Resolver, "lookup", recording)
    for base_url in ("https://example.org/", "https://example.org/sub/"):
        site = Site(SiteConfig(title="موقع", base_url=base_url), (here, a, b), (), NOW, resolver, None)
        seen.clear()
        site.resolve(here, body)
        resolved = list(seen)
        seen.clear()
        assert list(site.ref_targets(here, body)) == resolved
        assert resolved == [a, None, None, b, a]


def test_a_short_list_of_articles_or_records_has_one_digest_whatever_was_digested_before():
    """Short lists of articles or records are digested in place rather than memoised: their digest
    must still depend on the list alone, not on which of its items were digested first (pages are
    fingerprinted in any order, in any worker), and tell apart what differs."""
    from sitegen.model import Article, SourceFile

    def make(name: str, title: str) -> Article:
        source = SourceFile(Path(f"/s/content/articles/{name}.md"), f"content/articles/{name}.md", "article")
        return Article(source, title, name, f"/articles/{name}/", None, None, "<p>x</p>", "", "", "", 1)

    keyed = lambda article: article.title.encode()  # noqa: E731 (a stand-in for the cache's key)
    a, b, c = make("a", "أ"), make("b", "ب"), make("c", "ج")
    values = [[a, b], (a, b, c), [a] * 16, [a] * 17, (), [a, "نص"], ["نص", a], [a.source, b.source]]
    for key in (keyed, lambda article: None):
        cold = Fingerprinter(b"base", key, SiteConfig(title="t", base_url="https://e.org/"))
        warm = Fingerprinter(b"base", key, SiteConfig(title="t", base_url="https://e.org/"))
        for item in (c, b):
            warm.digest(item)
        digests = [cold.digest(value) for value in values]
        assert digests == [warm.digest(value) for value in values]
        assert len(set(digests)) == len(digests)
        assert cold.digest([a, b]) != cold.digest([make("a", "آ"), b]) and cold.digest([a, b]) != cold.digest([b, a])
