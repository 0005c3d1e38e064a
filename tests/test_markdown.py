"""Markdown rendering: extensions, RTL details, summaries, links between articles and cards."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from sitegen.diagnostics import ContentError
from sitegen.markup import MarkdownRenderer, summary_of

from sitetools import article, build_site, soup


def render(text: str) -> BeautifulSoup:
    return BeautifulSoup(MarkdownRenderer().render(text).html, "lxml")


def test_code_blocks_and_inline_code_read_left_to_right():
    page = render('نص فيه `pip install x` داخل الجملة.\n\n```python\nprint("مرحبا")\n```\n')
    assert page.select_one("p code")["dir"] == "ltr"
    assert page.select_one("pre")["dir"] == "ltr"
    assert page.select_one("pre code")["class"] == ["language-python"]


def test_tables_footnotes_and_attribute_lists():
    page = render("| المدينة | السكان |\n|---|---|\n| حلب | 2 |\n\nنص[^1].\n\n[^1]: مصدر.\n\n"
                  "فقرة مميزة\n{: .lead }\n")
    assert [td.text for td in page.select("tbody td")] == ["حلب", "2"]
    assert page.select_one("div.footnote li").get_text(" ", strip=True).startswith("مصدر.")
    assert page.select_one("p.lead").text == "فقرة مميزة"


def test_heading_ids_keep_arabic_and_toc_lists_them():
    rendered = MarkdownRenderer().render("## بنود الاتفاق\n\nنص.\n\n## بنود الاتفاق\n\n### Apple و«سامسونج»\n")
    page = BeautifulSoup(rendered.html, "lxml")
    assert [h["id"] for h in page.select("h2, h3")] == ["بنود-الاتفاق", "بنود-الاتفاق_1", "apple-و-سامسونج"]
    toc = BeautifulSoup(rendered.toc_html, "lxml")
    assert [a["href"] for a in toc.select("a")][:2] == ["#بنود-الاتفاق", "#بنود-الاتفاق_1"]


def test_quotes_stay_as_typed():
    page = render('قال "نعم" و«لا» وهذا لا يعني \'شيئاً\'.')
    assert page.p.text == 'قال "نعم" و«لا» وهذا لا يعني \'شيئاً\'.'


def test_summary_is_text_before_more_marker_else_first_paragraph():
    html = MarkdownRenderer().render("أولى.\n\nثانية.\n\n<!--more-->\n\nثالثة.").html
    assert summary_of(html) == "<p>أولى.</p>\n<p>ثانية.</p>"
    assert summary_of(MarkdownRenderer().render("## عنوان\n\nأولى.\n\nثانية.").html) == "<p>أولى.</p>"


def test_renderer_is_reused_without_leaking_state():
    renderer = MarkdownRenderer()
    first = renderer.render("نص[^1].\n\n[^1]: حاشية.\n\n## عنوان")
    second = renderer.render("## عنوان\n\nنص بلا حواش.")
    assert "footnote" in first.html and "footnote" not in second.html
    assert 'id="عنوان"' in second.html  # not "عنوان_1": the id registry was reset


SITE = {
    "content/articles/2026-10-01-first.md": article("الخبر الأول", date="2026-10-01",
                                                  body="## الخلفية\n\nتفاصيل.", slug="اتفاق-الميناء"),
    "content/articles/sub/second.md": article(
        "Apple تعلن شيئاً", date="2026-10-02",
        body="تابع [الخبر الأول](../2026-10-01-first.md#الخلفية) والصفحة [من نحن](/pages/about.md).\n\n"
             "[[شاهد أيضاً: اتفاق-الميناء]]\n\n[[شاهد ايضا: ../2026-10-01-first.md]]\n"),
    "content/pages/about.md": '---\ntitle: "من نحن"\n---\nنحن فريق.\n',
}


def test_links_to_sources_resolve_to_urls_and_cards_show_current_titles(site_factory):
    root = site_factory(SITE)
    build_site(root)
    page = soup(root / "output/articles/second/index.html")
    body = page.select_one(".article-body")
    links = [a["href"] for a in body.select("p a")]
    # The #fragment is percent-encoded like the path (browsers decode it to find id="الخلفية").
    assert links == ["/articles/%D8%A7%D8%AA%D9%81%D8%A7%D9%82-%D8%A7%D9%84%D9%85%D9%8A%D9%86%D8%A7%D8%A1/"
                     "#%D8%A7%D9%84%D8%AE%D9%84%D9%81%D9%8A%D8%A9", "/about/"]
    cards = body.select("aside.see-also")
    assert [card.a.get_text() for card in cards] == ["الخبر الأول", "الخبر الأول"]
    assert cards[0].select_one(".see-also-label").text == "شاهد أيضاً"


def test_a_percent_encoded_link_as_copied_from_an_address_bar_resolves(site_factory):
    """`%D8%AE%D8%A8%D8%B1.md` is `خبر.md`: the check accepted it, and the page must link to it
    (it was left as plain text), as it does a link to `a b.md` written `a%20b.md`."""
    root = site_factory({
        "content/articles/خبر.md": article("خبر أول", date="2026-11-20"),
        "content/articles/a b.md": article("خبر بمسافة", date="2026-11-19", slug="spaced"),
        "content/articles/second.md": article("خبر ثان", date="2026-11-21", body=(
            "انظر [الأول](%D8%AE%D8%A8%D8%B1.md) و[مرة أخرى](خبر.md#نص) و[الثالث](a%20b.md).")),
    })
    build_site(root)
    body = soup(root / "output/articles/second/index.html").select_one(".article-body")
    assert [(a.get_text(), a["href"]) for a in body.select("p a")] == [
        ("الأول", "/articles/%D8%AE%D8%A8%D8%B1/"),
        ("مرة أخرى", "/articles/%D8%AE%D8%A8%D8%B1/#%D9%86%D8%B5"),
        ("الثالث", "/articles/spaced/"),
    ]


def test_unresolved_link_and_card_name_file_and_line(site_factory):
    source = article("خبر", body="سطر.\n\n[رابط](missing.md)\n\n[[شاهد أيضاً: لا-يوجد]]\n")
    root = site_factory({"content/articles/x.md": source})
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        "content/articles/x.md:7: error: link to 'missing.md': no published article or page has "
        "that path or slug",
        "content/articles/x.md:9: error: «شاهد أيضاً» card to 'لا-يوجد': no published article or page "
        "has that path or slug",
    ]


def test_link_to_a_draft_is_an_error_unless_drafts_are_built(site_factory):
    root = site_factory({"content/articles/a.md": article("أ", body="[ب](b.md)"),
                         "content/articles/b.md": article("ب", draft="true")})
    with pytest.raises(ContentError):
        build_site(root)
    build_site(root, drafts=True)
    assert soup(root / "output/articles/a/index.html").select_one(".article-body a")["href"] == "/articles/b/"


def test_a_link_whose_host_urlsplit_refuses_stays_a_link():
    # '<http://a[b>' once raised ValueError out of the reference collector (urlsplit refuses
    # the host): a traceback instead of a page.
    for text, href in [("<http://a[b>", "http://a[b"), ("<http://a[TOC]>", "http://a[TOC]"),
                       ("[x](http://[::1]/a.md)", "http://[::1]/a.md")]:
        rendered = MarkdownRenderer().render(text)
        assert [a["href"] for a in BeautifulSoup(rendered.html, "lxml").select("a")] == [href]
        assert rendered.refs == ()
