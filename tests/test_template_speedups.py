"""Templates compiled by SiteCodeGenerator write exactly what Jinja's own code generator writes."""

from __future__ import annotations

import traceback

import jinja2
import markupsafe
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from sitegen.template_speedups import SiteCodeGenerator, escape_output


class Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


class Tagged(Markup):
    def __html__(self) -> str:
        return Markup("<i>own</i>")


class Text(str):
    pass


TRICKY = ["", "plain", "خبر «عاجل» & <تحديث>", "'\"&<>", "&amp;", "</script>", "a\x00b", "😀\u200f",
          Markup("<b>bold</b>"), Markup(""), Tagged("x"), Text("<text>"), Html(), 42, 1.5, True, None,
          ["<list>"], {"k": "<v>"}]


@pytest.mark.parametrize("value", TRICKY, ids=repr)
def test_escape_output_has_the_text_of_markupsafe_escape(value):
    assert escape_output(value) == str(markupsafe.escape(value))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escape_output_of_any_str(text):
    assert escape_output(text) == str(markupsafe.escape(text))
    assert escape_output(Markup(text)) == text


def test_escape_output_of_an_undefined_value_raises_as_escape_does():
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError):
        escape_output(env.undefined(name="missing"))


TEMPLATES = {
    "base.html": "<title>{% block title %}{{ title }}{% endblock %}</title>{% block main %}{% endblock %}",
    "page.html": """{% extends "base.html" %}
{% macro card(item, lead=false) %}<p{% if lead %} class="lead"{% endif %}>{{ item }}</p>{% endmacro %}
{% block title %}{{ super() }} | {{ site }}{% endblock %}
{% block main %}
{% set caption %}<em>{{ title }}</em>{% endset %}
{% set joined = title ~ " & " ~ body %}
{{ caption }} {{ caption|length }} {{ joined }} {{ joined|length }} {{ body }} {{ number }} {{ items }}
{% for item in items %}{{ card(item, loop.first) }}{% include "card.html" %}{% endfor %}
{% filter upper %}{{ title }}{% endfilter %}
{% autoescape false %}{{ title }}{% endautoescape %}
{% autoescape flag %}{{ title }}{% endautoescape %}
{{ "<const>" }} {{ "a" ~ "<b>" }} {{ self.title() }} {{ title|e }} {{ html }} {{ none }}
{% endblock %}""",
    "card.html": "<li>{{ item }} {{ title }}</li>",
    "plain.txt": "{{ title }} {{ body }}",
}
CONTEXT = {"title": "خبر <عاجل> & 'اقتباس'", "body": Markup("<p>نص &amp; صورة</p>"), "site": "موقع",
           "number": 3, "items": ["<a>", Markup("<b>"), 7], "flag": True, "html": Html()}


def environment(generator: type | None) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                             autoescape=jinja2.select_autoescape(["html"], default_for_string=True))
    if generator:
        env.code_generator_class = generator
    return env


@pytest.mark.parametrize("name", ["page.html", "plain.txt"])
def test_templates_render_the_same_as_with_jinjas_code_generator(name):
    expected = environment(None).get_template(name).render(CONTEXT)
    assert "&lt;عاجل&gt;" in expected or name == "plain.txt"
    assert environment(SiteCodeGenerator).get_template(name).render(CONTEXT) == expected


def test_errors_still_name_the_template_line():
    env = environment(SiteCodeGenerator)
    template = env.from_string("first\n{{ title }}\n{{ missing.attr }}\n")
    with pytest.raises(jinja2.UndefinedError) as caught:
        template.render(title="x")
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert [frame.lineno for frame in frames if frame.filename == "<template>"][-1] == 3


@pytest.mark.parametrize("zone", ["Asia/Riyadh", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"])
def test_clock_times_memoised_by_clock_show_what_babel_shows(zone):
    """Moments that share a clock time on other days, across daylight saving changes and offsets
    of 30 and 45 minutes, and different instants with the same local clock time."""
    import datetime as dt

    from sitegen.config import SiteConfig
    from sitegen.template_api import CLOCK_STYLES, _date, install
    from sitegen.urls import UrlBuilder

    assert "time" in CLOCK_STYLES
    config = SiteConfig(title="t", base_url="https://e.org/", timezone=zone, locale="ar", digits="arab")
    env = jinja2.Environment()
    install(env, config, UrlBuilder(config.base_url))
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    moments = [start + dt.timedelta(minutes=17 * n, seconds=n % 60) for n in range(0, 40000, 7)]
    moments += [m.astimezone(dt.timezone(dt.timedelta(hours=-7))) for m in moments[::50]]
    for moment in moments:
        assert env.filters["date"](moment, "time") == _date(moment, config, "time"), moment


def test_templates_found_while_auto_reload_is_off_are_the_ones_jinja_finds(tmp_path):
    from sitegen.themes import create_environment, load_theme_chain

    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("one {{ x }}", encoding="utf-8")
    env = create_environment(tmp_path, load_theme_chain(tmp_path, "default"))
    assert env.get_template("page.html").render(x="<") == "one &lt;"
    env.auto_reload = False
    found = env.get_template("page.html")
    assert env.get_template("page.html") is found
    assert env.get_template("page.html", "base.html") is found  # as {% include %} asks
    assert env.get_template(found) is found
    page.write_text("two {{ x }}", encoding="utf-8")
    assert env.get_template("page.html").render(x="<") == "one &lt;"  # off: not looked at again
    env.auto_reload = True
    assert env.get_template("page.html").render(x="<") == "two &lt;"
    env.auto_reload = False
    assert env.get_template("page.html").render(x="<") == "two &lt;"  # not the one found before
    assert env.get_template("default:partials/pagination.html") is env.get_template(
        "default:partials/pagination.html")
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("missing.html")
    assert env.overlay()._found == {}


@pytest.mark.parametrize("name, escaped", [("page.html", True), ("feed.XML", True), ("robots.txt", False),
                                           ("_redirects", False), (None, True)])
def test_autoescape_by_template_name_is_select_autoescapes(tmp_path, name, escaped):
    from sitegen.themes import create_environment, load_theme_chain

    env = create_environment(tmp_path, load_theme_chain(tmp_path, "default"))
    for _ in range(2):  # worked out, then remembered
        assert env.autoescape(name) is escaped


def test_encoded_paths_are_remembered_and_the_memory_is_bounded(monkeypatch):
    from urllib.parse import quote

    from sitegen import urls

    monkeypatch.setattr(urls, "_ENCODED", {})
    monkeypatch.setattr(urls, "_MAX_ENCODED", 3)
    paths = ["/أخبار/غزة/", "/a b/", "/أخبار/غزة/", "/x/", "/y%/", "/أخبار/غزة/"]
    for path in paths:
        assert urls.encode_path(path) == quote(path, safe=urls._SAFE)
        assert path in urls._ENCODED and len(urls._ENCODED) <= 3
    with pytest.raises(UnicodeEncodeError):
        urls.encode_path("/\ud800/")
    assert "/\ud800/" not in urls._ENCODED


@pytest.mark.parametrize("headline", ["عنوان", "a < b", "</script><!--", "x & y", "\u2028\u2029", "«>»", ""])
def test_json_ld_escapes_what_the_plain_replacements_escape(headline):
    import json

    from sitegen.seo import _SCRIPT_SAFE, json_ld

    data = {"headline": headline, "list": [headline, {"n": 1}]}
    expected = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _SCRIPT_SAFE.items():
        expected = expected.replace(char, escaped)
    assert json_ld(data) == expected and json.loads(json_ld(data)) == data
