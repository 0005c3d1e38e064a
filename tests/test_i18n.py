"""Theme strings from translation files: plural forms, digits, overrides, and clear errors."""

from __future__ import annotations

import pytest

from sitegen.config import load_config
from sitegen.diagnostics import ConfigError, ContentError
from sitegen.i18n import TranslationError, Translations, load_translations

from sitetools import SITE_TOML, article, build_site, soup

READ_TIME = {"zero": "أقل من دقيقة", "one": "دقيقة واحدة", "two": "دقيقتان", "few": "{n} دقائق",
             "many": "{n} دقيقة", "other": "{n} دقيقة"}


@pytest.mark.parametrize(("n", "digits", "expected"), [
    (1, "latn", "دقيقة واحدة"),
    (2, "latn", "دقيقتان"),
    (3, "arab", "٣ دقائق"),
    (10, "latn", "10 دقائق"),
    (11, "arab", "١١ دقيقة"),
    (99, "latn", "99 دقيقة"),
    (100, "latn", "100 دقيقة"),
    (103, "arab", "١٠٣ دقائق"),
])
def test_arabic_plural_forms(n, digits, expected):
    strings = Translations("ar", digits, {"read_time": READ_TIME})
    assert strings.text("read_time", n) == expected


def test_placeholders_take_the_site_digits():
    strings = Translations("ar_SY", "arab", {"page_of": "الصفحة {n} من {total}"})
    assert strings.text("page_of", n=2, total=15) == "الصفحة ٢ من ١٥"


@pytest.mark.parametrize(("key", "n", "message"), [
    ("nope", None, "translation 'nope' not found in"),
    ("read_time", None, "translation 'read_time' has plural forms: pass a number"),
])
def test_misuse_is_a_clear_error(key, n, message):
    strings = Translations("ar", "latn", {"read_time": READ_TIME}, ("themes/default/i18n/ar.toml",))
    with pytest.raises(TranslationError, match=message):
        strings.text(key, n)


def test_the_default_theme_file_covers_reading_time(tmp_path):
    (tmp_path / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    strings = load_translations(load_config(tmp_path))
    assert strings.files == ("themes/default/i18n/ar.toml",)
    assert [strings.text("read_time", n) for n in (1, 2, 3, 11)] == [
        "دقيقة واحدة", "دقيقتان", "3 دقائق", "11 دقيقة"]


def test_site_and_dialect_files_override_the_theme_key_by_key(site_factory):
    root = site_factory({
        "i18n/ar.toml": 'see_also = "اقرأ أيضاً"\n',
        "i18n/ar_MA.toml": 'latest = "آخر المستجدات"\n',
    }, config=SITE_TOML + 'locale = "ar_MA"\n')
    strings = load_translations(load_config(root))
    assert strings.text("latest") == "آخر المستجدات"
    assert strings.text("see_also") == "اقرأ أيضاً"
    assert strings.text("newer") == "الأحدث"  # still from the theme


@pytest.mark.parametrize(("toml", "message"), [
    ('x = 3\n', "i18n/ar.toml: error: x: expected a string or a table of plural forms"),
    ('[x]\none = "a"\n', "i18n/ar.toml: error: x: a plural table needs an 'other' form"),
    ('[x]\nother = "a"\nmany2 = "b"\n', "i18n/ar.toml: error: x: unknown plural form 'many2'"),
])
def test_malformed_translation_files_are_config_errors(site_factory, toml, message):
    root = site_factory({"i18n/ar.toml": toml})
    with pytest.raises(ConfigError) as caught:
        build_site(root)
    assert caught.value.diagnostics[0].format().startswith(message)


def test_unknown_key_in_a_template_names_the_template_and_line(site_factory):
    root = site_factory({
        "content/articles/a.md": article("خبر"),
        "templates/page.html": "{% extends 'default:page.html' %}\n",
        "templates/article.html": "<p>\n{{ t('no_such_key') }}</p>\n",
    })
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        "templates/article.html:2: error: translation 'no_such_key' not found in "
        "themes/default/i18n/ar.toml (while rendering content/articles/a.md)"]


def test_see_also_label_comes_from_the_translation_file(site_factory):
    root = site_factory({
        "i18n/ar.toml": 'see_also = "اقرأ أيضاً"\n',
        "content/articles/a.md": article("الأول"),
        "content/articles/b.md": article("الثاني", body="نص.\n\n[[شاهد أيضاً: a.md]]\n"),
    })
    build_site(root)
    card = soup(root / "output/articles/b/index.html").select_one("aside.see-also")
    assert card.select_one(".see-also-label").get_text() == "اقرأ أيضاً"
    assert card.a.get_text() == "الأول"
