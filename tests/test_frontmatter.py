"""Front matter: typed values, and exact diagnostics naming file, line, column and key."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from sitegen.diagnostics import ContentError

from sitetools import article, build_site

ARTICLE = "content/articles/x.md"


def diagnostics(site_factory, source: str, extra: dict[str, str] | None = None) -> list[str]:
    root = site_factory({ARTICLE: source, **(extra or {})})
    with pytest.raises(ContentError) as caught:
        build_site(root)
    return [d.format() for d in caught.value.diagnostics]


def test_arabic_word_as_date_names_line_column_and_key(site_factory):
    source = '---\ntitle: "خبر"\ndate: أمس\n---\nنص.\n'
    assert diagnostics(site_factory, source) == [
        "content/articles/x.md:3:7: error: front matter 'date': expected a date like 2025-10-15 "
        "or 2025-10-15T14:05:00+03:00, got 'أمس'"]


def test_unknown_key_suggests_the_right_one(site_factory):
    source = '---\ntitle: "خبر"\ndate: 2026-11-01\n\ntag: [غزة]\n---\nنص.\n'
    assert diagnostics(site_factory, source) == [
        "content/articles/x.md:5:1: error: front matter: unknown key 'tag' (did you mean 'tags'?)"]


def test_problems_in_several_files_are_reported_in_one_run(site_factory):
    bad_title = '---\ntitle: ""\ndate: 2026-11-01\n---\nنص.\n'
    bad_draft = article("خبر آخر", draft="ربما")
    assert diagnostics(site_factory, bad_title, {"content/articles/y.md": bad_draft}) == [
        "content/articles/x.md:2:8: error: front matter 'title': must not be empty",
        "content/articles/y.md:4:8: error: front matter 'draft': expected true or false, got 'ربما'",
    ]


def test_image_without_alt_text_is_an_error(site_factory):
    source = article("خبر", image="/images/a.png")
    assert diagnostics(site_factory, source) == [
        "content/articles/x.md:4:1: error: front matter 'image_alt': required when 'image' is set "
        "(describe the picture for readers who cannot see it)"]


def test_missing_title(site_factory):
    assert diagnostics(site_factory, "---\ndate: 2026-11-01\n---\nنص.\n") == [
        "content/articles/x.md:1:1: error: front matter: missing required key 'title'"]


def test_article_without_date_is_an_error(site_factory):
    assert diagnostics(site_factory, '---\ntitle: "خبر"\n---\nنص.\n') == [
        "content/articles/x.md:1:1: error: front matter: missing required key 'date' (articles need "
        "a publication date; static pages go in content/pages/)"]


def test_values_are_typed_and_normalised(site_factory):
    source = article("خبر\u064e عاجل", date="2026-11-01 09:30", tags="اقتصاد",
                     authors="[سارة, ليلى]", related="[y]")
    root = site_factory({ARTICLE: source, "content/articles/y.md": article("آخر")})
    result = build_site(root)
    [item] = [a for a in result.site.articles if a.slug == "x"]
    assert item.title == "خبر\u064e عاجل"  # harakat are kept for readers
    assert item.date == datetime(2026, 11, 1, 9, 30, tzinfo=timezone(timedelta(hours=3)))
    assert item.tags == ("اقتصاد",)
    assert item.authors == ("سارة", "ليلى")
    assert [pin.target for pin in item.pins] == ["y"]


def test_naive_date_takes_the_site_timezone(site_factory):
    root = site_factory({ARTICLE: article("خبر", date="2026-11-01")})
    [item] = build_site(root).site.articles
    assert item.date.isoformat() == "2026-11-01T00:00:00+03:00"


def test_bom_and_crlf_are_accepted(site_factory):
    source = "\ufeff" + article("خبر", body="سطر أول.\n\nسطر ثان.").replace("\n", "\r\n")
    root = site_factory({ARTICLE: source.encode("utf-8")})
    [item] = build_site(root).site.articles
    assert item.title == "خبر" and item.body_html == "<p>سطر أول.</p>\n<p>سطر ثان.</p>"


TRICKY_FRONT_MATTER = [
    'title: "عنوان: مع نقطتين"\ncategory: سياسة\nauthor: أحمد\n',
    "tags: [أ, 'ب', \"ج\", 12, 1.5, true, null, ~, 2024-01-01, [داخلي], {م: ن}]\n",
    "tags:\n  - أ\n  - !!str 12\n  - ''\nempty: []\nnested: [[أ]]\n",
    "a: &x [أ, ب]\nb: *x\nc: &y نص\nd: *y\n",
    "s: !!str 2024-01-01\nn: 12\nf: 1.5\nb: yes\no: on\nz: null\nd: 2024-01-01T10:00:00+03:00\n",
    "m: |\n  سطر أول\n  سطر ثان\nf: >\n  مطوي\n  نص\n",
    "bad: 2024-13-45\nworse: !foo بلا\nok: [2025-02-30]\n",
    "params: {caption: نص, list: [أ, 1]}\n'quoted key': قيمة\n? [مركب]\n: قيمة\n",
]


@pytest.mark.parametrize("text", TRICKY_FRONT_MATTER)
def test_front_matter_values_are_what_yaml_constructs(text):
    # The reference: PyYAML's own construct_object for every value, as _mapping_entries once did.
    import yaml

    from sitegen.frontmatter_yaml import Unreadable, _entries

    loader = yaml.SafeLoader(text)
    reference = {}
    for key_node, value_node in loader.get_single_node().value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value not in reference:
            try:
                reference[key_node.value] = loader.construct_object(value_node, deep=True)
            except (ValueError, OverflowError, yaml.YAMLError):
                reference[key_node.value] = Unreadable
    entries, _ = _entries(text, "x.md", 1)
    assert entries is not None and list(entries) == list(reference)
    for key, entry in entries.items():
        if reference[key] is Unreadable:
            assert isinstance(entry.value, Unreadable)
        else:
            assert entry.value == reference[key] and type(entry.value) is type(reference[key])
