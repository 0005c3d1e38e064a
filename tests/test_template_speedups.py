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
