"""Theme lookup: site templates override the theme and can still extend the original."""

from __future__ import annotations

import pytest

from sitegen.diagnostics import ConfigError, ContentError

from sitetools import article, build_site, soup

ARTICLE = {"content/articles/x.md": article("خبر")}


def test_site_template_overrides_theme_and_extends_the_original(site_factory):
    override = ('{% extends "default:article.html" %}\n'
                '{% block main %}<p class="banner">تغطية خاصة</p>{{ super() }}{% endblock %}\n')
    root = site_factory({**ARTICLE, "templates/article.html": override})
    build_site(root)
    page = soup(root / "output/articles/x/index.html")
    assert page.select_one("main p.banner").text == "تغطية خاصة"
    assert page.select_one("main article h1").text == "خبر"  # the original block still renders


def test_child_theme_extends_parent_theme(site_factory):
    root = site_factory({
        **ARTICLE,
        "themes/child/theme.toml": 'name = "child"\nextends = "default"\n',
        "themes/child/templates/404.html": '{% extends "default:404.html" %}{% block title %}ضائع{% endblock %}',
        "themes/child/static/css/extra.css": "body { color: red; }\n",
    }, config='title = "س"\nbase_url = "https://e.org/"\ntheme = "child"\n')
    build_site(root)
    assert soup(root / "output/404.html").title.text == "ضائع"
    assert (root / "output/css/extra.css").is_file() and (root / "output/css/style.css").is_file()
    assert soup(root / "output/articles/x/index.html").h1.text == "خبر"  # inherited template


def test_missing_theme_is_a_config_error(site_factory):
    root = site_factory(ARTICLE, config='title = "س"\nbase_url = "https://e.org/"\ntheme = "nope"\n')
    with pytest.raises(ConfigError) as caught:
        build_site(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        "site.toml: error: theme: no theme named 'nope' (looked for themes/nope/templates/ in the site "
        "and in sitegen)"]


def test_template_error_names_template_line_and_page(site_factory):
    template = '{% extends "default:article.html" %}\n{% block main %}\n{{ article.auther }}\n{% endblock %}\n'
    root = site_factory({**ARTICLE, "templates/article.html": template})
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        "templates/article.html:3: error: 'Article' has no attribute 'auther' "
        "(while rendering content/articles/x.md)"]


def test_template_syntax_error_names_template_and_line(site_factory):
    root = site_factory({**ARTICLE, "templates/page.html": "ok\n{% if %}\n",
                         "content/pages/about.md": '---\ntitle: "من نحن"\n---\nنص.\n'})
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        "templates/page.html:2: error: template syntax: Expected an expression, got 'end of statement "
        "block' (while rendering content/pages/about.md)"]


def test_missing_template_named_in_front_matter(site_factory):
    root = site_factory({"content/articles/x.md": article("خبر", template="wide.html")})
    with pytest.raises(ContentError) as caught:
        build_site(root)
    assert [d.format() for d in caught.value.diagnostics] == [
        "content/articles/x.md:4: error: template 'wide.html' not found in the site's templates/ or the theme"]
