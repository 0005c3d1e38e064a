"""`{% include %}` texts kept per distinct input (include_cache.py): the same pages, fewer renders."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

from sitegen import include_cache
from sitegen.build import build
from sitegen.fingerprint import reads
from sitegen.model import Article, SourceFile
from sitegen.site import BuildOptions
from sitegen.themes import SiteEnvironment

from sitetools import NOW, SITE_TOML, article, snapshot

TEMPLATES = {
    "listing.html": """<h1>{{ heading }}</h1>
{% for item in items %}{% include "card.html" %}{% endfor %}
{% with item = items[0], lead = true %}{% include "card.html" %}{% endwith %}
{% set captured %}{% with item = items[-1] %}{% include "card.html" %}{% endwith %}{% endset %}[{{ captured|length }}]
{% include ["missing.html", "footer.html"] %}""",
    "card.html": """{% set lead = lead|default(false) %}<li{% if lead %} class="lead"{% endif %}>"""
                 """{{ counted(item.title) }} {{ item.url }}{% include "meta.html" %}</li>""",
    "meta.html": "<small>{{ item.slug }}</small>",
    "footer.html": "<footer>{{ heading }}</footer>",
    "loop.html": "{% set ns = namespace(n=0) %}{% for item in items %}{% set ns.n = ns.n + 1 %}"
                 "{% include 'count.html' %}{% endfor %}",
    "count.html": "{{ ns.n }} ",
    "value.html": "{% include 'show.html' %}",
    "show.html": "{{ value }}",
    "opaque.html": "{% include 'ticks.html' %}{% include 'ticks.html' %}",
    "ticks.html": "{{ tick() }} ",
}


def _article(slug: str, title: str) -> Article:
    source = SourceFile(Path(f"/site/content/articles/{slug}.md"), f"content/articles/{slug}.md", "article")
    return Article(source, title, slug, f"/articles/{slug}/", NOW, None, "<p>نص</p>", "<p>نص</p>", "نص", "", 1)


ARTICLES = [_article(f"a{n}", f"خبر <{n}> & «تحديث»") for n in range(4)]


def environment(cached: bool, renders: list[str] | None = None) -> jinja2.Environment:
    env = SiteEnvironment(loader=jinja2.DictLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                          autoescape=jinja2.select_autoescape(["html"], default_for_string=True))
    seen = renders if renders is not None else []
    # Declared to read nothing of its argument: a card calling it is not opaque, and each call is
    # one rendering of a card.
    env.globals["counted"] = reads()(lambda text: seen.append(text) or text)
    env.auto_reload = not cached
    return env


def pages(env: jinja2.Environment) -> list[str]:
    """Two listing pages that share articles, as a tag page and a section page do."""
    listing = env.get_template("listing.html")
    return [listing.render(heading="وسم", items=ARTICLES[:3]), listing.render(heading="قسم", items=ARTICLES[1:])]


def test_listings_are_the_same_with_the_texts_kept_and_without():
    expected = pages(environment(cached=False))
    assert 'class="lead"' in expected[0] and "&lt;1&gt; &amp; «تحديث»" in expected[0]
    assert "<small>a2</small>" in expected[1] and "<footer>قسم</footer>" in expected[1]
    assert pages(environment(cached=True)) == expected


def test_a_card_is_rendered_once_per_article_and_arguments():
    renders: list[str] = []
    pages(environment(True, renders))
    # a0..a2 as plain cards, then a1..a3 (a3 new); a0 and a1 as lead cards; the captured card
    # shows the last item with lead unset: a2 then a3, both already rendered.
    assert sorted(renders) == sorted(ARTICLES[n].title for n in (0, 1, 2, 3, 0, 1))
    renders.clear()
    pages(environment(False, renders))
    assert len(renders) == 2 * (3 + 1 + 1)


def test_values_known_neither_by_content_nor_by_identity_are_rendered_every_time():
    env = environment(cached=True)
    shown = {"text": "قبل"}
    template = env.get_template("value.html")
    assert template.render(value=shown) == "{&#39;text&#39;: &#39;قبل&#39;}"
    shown["text"] = "بعد"
    assert template.render(value=shown) == "{&#39;text&#39;: &#39;بعد&#39;}"
    assert env.get_template("loop.html").render(items=["أ", "ب"]) == "1 2 "  # the same namespace


@pytest.mark.parametrize("first, second", [("<b>", Markup("<b>")), (1, True), (1, 1.0), (None, "None")])
def test_values_equal_as_python_compares_them_are_told_apart_by_type(first, second):
    env = environment(cached=True)
    template = env.get_template("value.html")
    for value in (first, second):
        assert template.render(value=value) == environment(cached=False).get_template("value.html").render(value=value)


def test_an_include_calling_something_not_declared_is_rendered_every_time():
    env = environment(cached=True)
    ticks = iter(range(100))
    env.globals["tick"] = lambda: next(ticks)
    assert env.get_template("opaque.html").render() == "0 1 "


def test_texts_are_kept_only_while_auto_reload_is_off_and_started_again_when_it_is_set():
    env = environment(cached=True)
    show = env.get_template("value.html")
    assert show.render(value="أ") == "أ" and env.includes is not None
    TEMPLATES["show.html"] = "[{{ value }}]"
    try:
        assert show.render(value="أ") == "أ"  # templates cannot change while auto_reload is off
        env.auto_reload = True
        assert env.includes is None and env.get_template("value.html").render(value="أ") == "[أ]"
        env.auto_reload = False
        assert env.get_template("value.html").render(value="أ") == "[أ]"
        assert env.overlay().includes is not env.includes
    finally:
        TEMPLATES["show.html"] = "{{ value }}"


def test_the_kept_texts_are_bounded(monkeypatch):
    monkeypatch.setattr(include_cache, "MAX_TEXTS", 2)
    env = environment(cached=True)
    assert pages(env) == pages(environment(cached=False))
    assert 0 < len(env.includes._texts) <= 2


def _corpus() -> dict[str, str]:
    files = {}
    for n in range(1, 13):
        files[f"content/articles/2026-11-{n:02d}-n{n}.md"] = article(
            f"خبر رقم {n} عن «السوق»", date=f"2026-11-{n:02d}T09:00:00+03:00", body=f"نص الخبر {n}.",
            tags=f"[وسم {n % 3}, الاقتصاد]", category="اقتصاد", **({"image": "/img/a.jpg", "image_alt": "صورة"} if n % 2 else {}))
    return files


def test_the_default_theme_builds_the_same_site_with_the_texts_kept_and_without(site_factory, monkeypatch):
    kept = site_factory(_corpus(), config=SITE_TOML + "paginate = 4\n", name="kept")
    build(kept, BuildOptions(), None, NOW, jobs=1)
    plain = site_factory(_corpus(), config=SITE_TOML + "paginate = 4\n", name="plain")
    renders: list[str] = []

    def always_rendered(self, template, context, local_vars):
        renders.append(template.name)
        return include_cache._render(template, context, local_vars)

    monkeypatch.setattr(include_cache.IncludeCache, "events", always_rendered)
    build(plain, BuildOptions(), None, NOW, jobs=1)
    assert renders.count("partials/article_card.html") > 12 * 3  # home, section, two tags
    output = {path: data for path, (data, _) in snapshot(kept / "output").items()}
    assert output == {path: data for path, (data, _) in snapshot(plain / "output").items()}
    assert any(b'class="card card-lead' in data for data in output.values())
