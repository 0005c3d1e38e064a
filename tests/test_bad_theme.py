"""The catalogue of broken templates (issue 8): each names the template file, its line and the page
being rendered, exits 1, and leaves the previous output/ untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.diagnostics import BuildError, ContentError

from sitetools import article, build_site, snapshot, write_site

GOOD = {"content/articles/good.md": article("خبر سليم")}
PAGE = "content/articles/good.md"


def override(body: str) -> dict[str, str]:
    """A site template replacing the theme's article page body with `body` (from line 3 on)."""
    return {"templates/article.html": "{% extends 'default:article.html' %}\n{% block main %}\n"
            + body + "\n{% endblock %}\n"}


def failed_build_keeps_output(root: Path, files: dict[str, str]) -> list[str]:
    build_site(root)
    before = snapshot(root / "output")
    write_site(root, files, (root / "site.toml").read_text(encoding="utf-8"))
    with pytest.raises(BuildError) as caught:
        build_site(root)
    assert isinstance(caught.value, ContentError)
    assert snapshot(root / "output") == before
    return [d.format() for d in caught.value.diagnostics]


TEMPLATE_CASES = {
    "syntax error": (
        override("<h1>{{ article.title }</h1>"),
        f"templates/article.html:3: error: template syntax: unexpected '}}' (while rendering {PAGE})"),
    "unclosed block": (
        override("{% if article.tags %}\n<p>وسوم</p>"),
        "templates/article.html:5: error: template syntax: Encountered unknown tag 'endblock'. You "
        "probably made a nesting mistake. Jinja is expecting this tag, but currently looking for 'elif' "
        "or 'else' or 'endif'. The innermost block that needs to be closed is 'if'. "
        f"(while rendering {PAGE})"),
    "undefined variable": (
        override("<p>{{ auther }}</p>"),
        f"templates/article.html:3: error: 'auther' is undefined (while rendering {PAGE})"),
    "misspelt attribute": (
        override("\n<p>{{ article.auther }}</p>"),
        f"templates/article.html:4: error: 'Article' has no attribute 'auther' (while rendering {PAGE})"),
    "division by zero": (
        override("{{ article.word_count // 0 }}"),
        f"templates/article.html:3: error: ZeroDivisionError: integer division or modulo by zero "
        f"(while rendering {PAGE})"),
    "filter given the wrong type": (
        override("<p>{{ article.title | date }}</p>"),
        "templates/article.html:3: error: AttributeError: 'str' object has no attribute 'astimezone' "
        f"(while rendering {PAGE})"),
    "include of a missing partial": (
        override("{% include 'partials/share.html' %}"),
        "templates/article.html:3: error: template 'partials/share.html' not found in the site's "
        f"templates/ or the theme (while rendering {PAGE})"),
    "raise in a partial": (
        {**override("{% include 'partials/box.html' %}"),
         "templates/partials/box.html": "<div>\n{{ article.title[1000] }}\n</div>\n"},
        f"templates/partials/box.html:2: error: str object has no element 1000 (while rendering {PAGE})"),
}


@pytest.mark.parametrize("files,expected", TEMPLATE_CASES.values(), ids=TEMPLATE_CASES.keys())
def test_broken_template_names_itself_its_line_and_the_page(site_factory, files, expected):
    assert failed_build_keeps_output(site_factory(GOOD), files) == [expected]


def test_one_broken_line_is_reported_once_for_many_pages(site_factory):
    root = site_factory({**GOOD, "content/articles/second.md": article("خبر ثان")})
    [message] = failed_build_keeps_output(root, override("{{ nothing }}"))
    assert message.startswith("templates/article.html:3: error: 'nothing' is undefined (while rendering ")


def test_broken_home_template_names_the_home_page(site_factory):
    files = {"templates/index.html": "{% extends 'default:index.html' %}\n{% block main %}\n"
             "{{ paginator.nope }}\n{% endblock %}\n"}
    [message] = failed_build_keeps_output(site_factory(GOOD), files)
    assert message == ("templates/index.html:3: error: 'Paginator' has no attribute 'nope' "
                       "(while rendering home page 1)")


def test_template_named_in_front_matter_that_does_not_exist(site_factory):
    files = {"content/articles/wide.md": article("خبر", template="wide.html")}
    assert failed_build_keeps_output(site_factory(GOOD), files) == [
        "content/articles/wide.md:4: error: template 'wide.html' not found in the site's templates/ or "
        "the theme"]
