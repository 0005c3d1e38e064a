"""Tags, sections and authors: spelling variants merge, different words never do, pages list them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest

from sitegen.diagnostics import ConfigError
from sitegen.term_identity import identities

from sitetools import article, build_site, run_cli, soup

CONFIG = """\
title = "موقع الاختبار"
base_url = "https://example.org/"
timezone = "Asia/Riyadh"
paginate = 2
"""


def links(page, selector: str) -> list[str]:
    return [unquote(a["href"]) for a in page.select(selector)]


def texts(page, selector: str) -> list[str]:
    return [el.get_text(" ", strip=True) for el in page.select(selector)]


def day(n: int) -> str:
    return f"2026-11-{n:02d}T10:00:00+03:00"


@pytest.mark.parametrize(("spellings", "groups"), [
    (["الإنتخابات", "الانتخابات", "الانتخـابات"], 1),
    (["غزّة", "غزة", "غزَّة"], 1),  # partial vowelling: marks of one are a subset of the other's
    (["عُمان", "عمّان"], 2),  # Oman and Amman: harakat that contradict are different words
    (["عُمان", "عمّان", "عمان"], 3),  # the bare spelling could be either: kept apart
    (["مِصر", "مصر", "NovaTech", "novatech"], 2),
])
def test_identities_merge_variants_and_keep_different_words_apart(spellings, groups):
    identity, _ = identities(spellings)
    assert len(set(identity.values())) == groups


def test_a_bare_spelling_between_two_readings_is_reported():
    _, ambiguities = identities(["عُمان", "عمّان", "عمان"])
    assert [(a.spelling, a.readings) for a in ambiguities] == [("عمان", ("عمّان", "عُمان"))]


def test_spelling_variants_share_one_tag_page_named_by_the_most_used(site_factory):
    root = site_factory({
        "content/articles/a.md": article("الأول", day(1), tags="[الإنتخابات]"),
        "content/articles/b.md": article("الثاني", day(2), tags="[الانتخابات, اللاذقية]"),
        "content/articles/c.md": article("الثالث", day(3), tags="[الانتخـابات, الانتخابات]"),
    }, config=CONFIG.replace("paginate = 2", "paginate = 10"))
    result = build_site(root)
    tag_dirs = sorted(p.name for p in (root / "output/tags").iterdir() if p.is_dir())
    assert tag_dirs == ["الانتخابات", "اللاذقية"]
    page = soup(root / "output/tags/الانتخابات/index.html")
    assert texts(page, "h1") == ["الانتخابات"]
    assert texts(page, ".card-title") == ["الثالث", "الثاني", "الأول"]
    # Article c carries two spellings of the same tag: it links the tag once.
    assert links(soup(root / "output/articles/c/index.html"), ".tags a") == ["/tags/الانتخابات/"]
    merged = [(t.name, t.spellings) for t in result.indexes.tags.merged]
    assert merged == [("الانتخابات", (("الانتخابات", 2), ("الإنتخابات", 1), ("الانتخـابات", 1)))]


def test_oman_and_amman_never_share_a_page(site_factory):
    root = site_factory({
        "content/articles/a.md": article("مسقط", day(1), tags="[عُمان]"),
        "content/articles/b.md": article("الأردن", day(2), tags="[عمّان]"),
        "content/articles/c.md": article("غامض", day(3), tags="[عمان]"),
    }, config=CONFIG)
    result = build_site(root)
    terms = {t.name: t for t in result.indexes.tags.terms}
    assert sorted(terms) == ["عمان", "عمّان", "عُمان"]
    assert len({t.url for t in terms.values()}) == 3
    assert [a.title for a in terms["عُمان"].articles] == ["مسقط"]
    assert [a.title for a in terms["عمّان"].articles] == ["الأردن"]
    assert terms["عمان"].url == "/tags/عمان/"  # the bare spelling keeps the plain slug
    messages = [w.format() for w in result.warnings]
    assert ("content/articles/c.md:4: warning: tags: «عمان» could be «عمّان» or «عُمان»; it is kept "
            "apart — add harakat, or a [tags.aliases] entry in site.toml") in messages


def test_tag_pages_are_paginated_newest_first(site_factory):
    files = {f"content/articles/n{i}.md": article(f"خبر {i}", day(i), tags="[طرطوس]")
             for i in range(1, 6)}
    root = site_factory(files, config=CONFIG)
    build_site(root)
    out = root / "output/tags/طرطوس"
    pages = [soup(out / "index.html"), soup(out / "page/2/index.html"), soup(out / "page/3/index.html")]
    assert [texts(p, ".card-title") for p in pages] == [["خبر 5", "خبر 4"], ["خبر 3", "خبر 2"], ["خبر 1"]]
    assert links(pages[0], "a[rel=next]") == ["/tags/طرطوس/page/2/"]
    assert links(pages[1], "a[rel=prev]") == ["/tags/طرطوس/"]
    assert pages[2].select("a[rel=next]") == []
    assert not (out / "page/4").exists()
    canonical = pages[1].select_one("link[rel=canonical]")["href"]
    assert unquote(canonical) == "https://example.org/tags/طرطوس/page/2/"


def test_tags_index_counts_and_min_count(site_factory):
    root = site_factory({
        "content/articles/a.md": article("أ", day(1), tags="[اقتصاد, نفط]"),
        "content/articles/b.md": article("ب", day(2), tags="[الاقتصاد, اقتصاد, نفط]"),
        "content/articles/c.md": article("ج", day(3), tags="[اقتصاد, ذهب]"),
    }, config=CONFIG + "[tags]\nmin_count = 2\n")
    build_site(root)
    page = soup(root / "output/tags/index.html")
    assert texts(page, ".term a") == ["اقتصاد", "نفط"]
    assert texts(page, ".term-count") == ["3", "2"]
    assert links(page, ".term a") == ["/tags/اقتصاد/", "/tags/نفط/"]
    assert (root / "output/tags/ذهب/index.html").is_file()  # below min_count: page kept, not listed


def test_section_and_author_pages_and_article_links(site_factory):
    root = site_factory({
        "content/articles/a.md": article("ميزانية", day(1), category="اقتصاد", author="سارة الخطيب"),
        "content/articles/b.md": article("أسعار", day(2), category="إقتصاد",
                                         authors="[سارة الخطيب, كريم العطار]"),
        "content/articles/c.md": article("مباراة", day(3), category="رياضة"),
        "content/articles/d.md": article("تضخم", day(4), category="اقتصاد"),
    }, config=CONFIG)
    build_site(root)
    section = soup(root / "output/categories/اقتصاد/index.html")
    assert texts(section, "h1") == ["اقتصاد"]
    assert texts(section, ".card-title") == ["تضخم", "أسعار"]
    second = soup(root / "output/categories/اقتصاد/page/2/index.html")
    assert texts(second, ".card-title") == ["ميزانية"]
    author = soup(root / "output/authors/سارة-الخطيب/index.html")
    assert texts(author, ".card-title") == ["أسعار", "ميزانية"]
    page = soup(root / "output/articles/b/index.html")
    assert links(page, ".article-terms-section a") == ["/categories/اقتصاد/"]
    assert links(page, ".article-terms-authors a") == ["/authors/سارة-الخطيب/", "/authors/كريم-العطار/"]
    index = soup(root / "output/categories/index.html")
    assert texts(index, ".term a") == ["اقتصاد", "رياضة"]
    assert links(soup(root / "output/authors/index.html"), ".term a") == [
        "/authors/سارة-الخطيب/", "/authors/كريم-العطار/"]


def test_aliases_merge_synonyms_and_slugs_give_ascii_urls(site_factory):
    root = site_factory({
        "content/articles/a.md": article("أ", day(1), tags="[قطاع غزة]"),
        "content/articles/b.md": article("ب", day(2), tags="[غزة]"),
        "content/articles/c.md": article("ج", day(3), tags="[غزّة]"),
        "content/articles/d.md": article("د", day(4), tags="[غزة]"),
    }, config=CONFIG + '[tags]\naliases = { "قطاع غزة" = "غزة" }\nslugs = { "غزة" = "gaza" }\n')
    result = build_site(root)
    assert [(t.name, t.url, t.count) for t in result.indexes.tags.terms] == [("غزة", "/tags/gaza/", 4)]
    assert texts(soup(root / "output/articles/a/index.html"), ".tags a") == ["غزة"]


@pytest.mark.parametrize(("section", "message"), [
    ('[tags]\nslugs = { "غزة" = "Gaza!" }\n',
     'site.toml:7:1: error: tags.slugs: expected ASCII slugs of lowercase letters, digits and "-", '
     'like "gaza", got a table'),
    ('[tags]\naliases = { "غزه" = "غزة", "قطاع غزة" = "غزة" }\nmin_count = 0\n',
     "site.toml:8:1: error: tags.min_count: expected a positive integer, got 0"),
    ('[tags]\naliases = { "أ" = "ب", "ب" = "ج" }\n',
     "site.toml:7:1: error: tags.aliases: expected aliases that point at a final name, not at "
     "another alias ('ب'), got a table"),
    ("[related]\nmax_items = \"four\"\n",
     'site.toml:7:1: error: related.max_items: expected an integer, got "four"'),
])
def test_config_sections_are_validated(site_factory, section, message):
    root = site_factory({}, config=CONFIG + "\n" + section)
    with pytest.raises(ConfigError) as caught:
        build_site(root)
    assert [d.format() for d in caught.value.diagnostics] == [message]


def test_build_verbose_lists_merged_spellings(site_factory):
    root = site_factory({
        "content/articles/a.md": article("أ", day(1), tags="[الإقتصاد]"),
        "content/articles/b.md": article("ب", day(2), tags="[الاقتصاد]"),
        "content/articles/c.md": article("ج", day(3), tags="[الاقتصاد]"),
    }, config=CONFIG)
    done = run_cli("build", "--site", str(root), "-v", "--now", "2026-11-29T12:00:00+03:00")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-2:] == ["merged spelling variants of 1 tags, sections or authors:",
                          "  tags: «الاقتصاد» (2) + «الإقتصاد» (1) → «الاقتصاد»"]
    quiet = run_cli("build", "--site", str(root), "--now", "2026-11-29T12:00:00+03:00")
    assert quiet.stdout.splitlines()[-1] == (
        "merged spelling variants of 1 tags, sections or authors (sitegen build -v lists them)")


def test_sample_site_menu_points_at_real_section_pages(tmp_path: Path):
    from sitetools import REPO

    done = run_cli("build", "--site", str(REPO), "--output", str(tmp_path / "out"), "-q")
    assert done.returncode == 0, done.stderr
    home = soup(tmp_path / "out/index.html")
    for href in links(home, ".site-nav a"):
        assert (tmp_path / "out" / href.lstrip("/") / "index.html").is_file(), href
