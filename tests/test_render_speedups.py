"""Speed-ups of planning and rendering give exactly what the straightforward code gives, on tricky inputs.

Each test compares a sped-up function with the plain implementation it replaced (kept here as the
reference), so a future edit to either side that changes output fails here, not in a site.
"""

from __future__ import annotations

import datetime as dt
import html
import zoneinfo
from urllib.parse import quote, unquote, urlsplit

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import nodes

from sitegen.config import SiteConfig, load_config
from sitegen.fingerprint import PURE_CALLABLES, Reads, _declared_reads, _union, names_set_locally
from sitegen.template_api import install
from sitegen.themes import create_environment, load_theme_chain
from sitegen.urls import _ROOT_RELATIVE, _SAFE, UrlBuilder, encode_path, encode_tail

from sitetools import REPO

TRICKY = list("/خبر-غزة٣۹ـًّ\u200c\u200f «»،؟!?#%&'()*+,;=:@$-._~ \t\"<>[]{}|\\^`\x00\x7f"
              "ABCxyz09é😀\u0301") + ["%D8%A7", "//", "https:", "mailto:x@y", "../", "%"]
PATHS = st.lists(st.sampled_from(TRICKY) | st.characters(blacklist_categories=("Cs",)),
                 max_size=25).map("".join)
BASES = ["https://example.org/", "https://example.org/akhbar/", "https://example.org/akhbar",
         "http://localhost:8000/sub/dir/", "https://example.org"]


def reference_href(base_url: str, path: str) -> str:
    """UrlBuilder.href as first written: urlsplit on every call, quote() byte by byte."""
    if urlsplit(path).scheme or path.startswith("//"):
        return path
    base = urlsplit(base_url).path or "/"
    base = base if base.endswith("/") else base + "/"
    return quote(base + path.lstrip("/"), safe=_SAFE)


def reference_absolute(base_url: str, path: str) -> str:
    if urlsplit(path).scheme:
        return path
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}" + reference_href(base_url, path)


@settings(max_examples=400, deadline=None)
@given(PATHS)
def test_encode_path_is_quote(path):
    assert encode_path(path) == quote(path, safe=_SAFE)


@pytest.mark.parametrize("path", ["", "/", "/tags/غزة/page/2/", "/a b/%41/", "٣/é/😀", "/x?y#z",
                                  "\u200f/خبر\u0301", "~user/_x.-", "/+,;=:@!$&'()*/"])
def test_encode_path_examples(path):
    assert encode_path(path) == quote(path, safe=_SAFE)


def test_encode_path_refuses_lone_surrogates_like_quote():
    with pytest.raises(UnicodeEncodeError):
        quote("/\ud800/", safe=_SAFE)
    with pytest.raises(UnicodeEncodeError):
        encode_path("/\ud800/")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(BASES), PATHS)
def test_href_and_absolute_match_the_plain_versions(base_url, path):
    urls = UrlBuilder(base_url)
    assert outcome(urls.href, path) == outcome(reference_href, base_url, path)
    assert outcome(urls.absolute, path) == outcome(reference_absolute, base_url, path)


def outcome(function, *args):
    """The result, or the kind of error ('//[' is not a URL urlsplit accepts)."""
    try:
        return function(*args)
    except ValueError as exc:
        return type(exc)


def reference_rebase(urls: UrlBuilder, body: str) -> str:
    def rebase(raw: str) -> str:
        value = html.unescape(raw)
        cut = min((i for i in (value.find("?"), value.find("#")) if i >= 0), default=len(value))
        return urls.href(unquote(value[:cut])) + encode_tail(value[cut:])

    return _ROOT_RELATIVE.sub(lambda m: f'{m.group(1)}="{html.escape(rebase(m.group(2)))}"', body)


BODIES = ['<p>نص <a href="/about/">من نحن</a> و<img src="/images/x.svg" alt=""></p>',
          '<p><a href="//cdn.example/x">x</a> <a href="https://x.org/">y</a> <a href="#fn">1</a></p>',
          '<p>data-href="/x/" and srcset="/a.png" and href = "/spaced/"</p>',
          '<p>no links at all, just ="/ in text and =" / spaced</p>',
          '<a href="/%D8%AE%D8%A8%D8%B1/?q=غزة&amp;p=2#فقرة">x</a>', ""]


@pytest.mark.parametrize("base_url", BASES[:3])
@pytest.mark.parametrize("body", BODIES)
def test_rebase_and_absolutize_match_the_regex_on_every_body(base_url, body):
    urls = UrlBuilder(base_url)
    assert urls.rebase_html(body) == reference_rebase(urls, body)
    assert urls.absolutize_html(body) == _ROOT_RELATIVE.sub(
        lambda m: f'{m.group(1)}="{urls.origin}{m.group(2)}"', body)


def reference_template_reads(env, name, seen=None):
    """fingerprint.template_reads as first written: every template parsed again per use."""
    seen = {} if seen is None else seen
    if name in seen:
        return seen[name]
    seen[name] = Reads(frozenset(), frozenset(), False)
    try:
        tree = env.parse(env.loader.get_source(env, name)[0])
    except Exception:
        seen[name] = Reads(None, frozenset(), True)
        return seen[name]
    names = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
    attributes = {n.attr for n in tree.find_all(nodes.Getattr)}
    for const in tree.find_all(nodes.Const):
        if isinstance(const.value, str):
            attributes.update(part for part in const.value.split(".") if part.isidentifier())
    called = {n.name for n in tree.find_all((nodes.Filter, nodes.Test))}
    called |= {n.node.name for n in tree.find_all(nodes.Call) if isinstance(n.node, nodes.Name)}
    opaque = False
    for function in called - PURE_CALLABLES - names_set_locally(tree):
        declared = _declared_reads(env, function)
        opaque = opaque or declared is None
        attributes |= declared or set()
    result = Reads(frozenset(names), frozenset(attributes), opaque)
    for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        target = node.template
        if not isinstance(target, nodes.Const) or not isinstance(target.value, str):
            result = Reads(None, result.attributes, True)
            continue
        result = _union(result, reference_template_reads(env, target.value, seen))
    seen[name] = result
    return result


TEMPLATES = {
    "a.html": "{% extends 'b.html' %}{% block x %}{{ one.name }}{% include 'c.html' %}{% endblock %}",
    "b.html": "{{ two }}{% block x %}{% endblock %}{% include 'a.html' %}",  # a loop through a
    "c.html": "{{ three|mystery }}{% include 'missing.html' %}",
    "d.html": "{% include name_of_it %}{{ four.attr }}",  # a computed name
    "e.html": "{% import 'm.html' as m %}{{ m.card(five) }}{{ six|known }}",
    "m.html": "{% macro card(x) %}{{ x.title }}{% endmacro %}",
    "f.html": "{% from 'e.html' import nothing %}{% include 'd.html' %}{{ 'x.y'|sort }}",
    "broken.html": "{% if %}",
}


def test_template_reads_are_what_they_were_when_each_file_was_parsed_per_use():
    from sitegen.fingerprint import reads, template_reads

    env = jinja2.Environment(loader=jinja2.DictLoader(TEMPLATES))
    env.filters.update(mystery=lambda x: x, known=reads("name")(lambda x: x))
    files: dict = {}
    for name in [*TEMPLATES, "missing.html"]:
        assert template_reads(env, name, files) == reference_template_reads(env, name), name
        assert template_reads(env, name) == reference_template_reads(env, name), name
    theme = create_environment(REPO, load_theme_chain(REPO, "default"))  # the sample site's
    install(theme, load_config(REPO), UrlBuilder("https://example.org/"))
    files = {}
    for name in theme.list_templates():
        assert template_reads(theme, name, files) == reference_template_reads(theme, name), name


MOMENTS = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2040, 1, 1),
                       timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=3)),
                                                  dt.timezone(dt.timedelta(hours=-11, minutes=-30)),
                                                  zoneinfo.ZoneInfo("America/New_York")]))


@pytest.mark.parametrize("zone", ["Asia/Riyadh", "America/New_York", "Pacific/Kiritimati", "UTC"])
@settings(max_examples=60, deadline=None)
@given(moments=st.lists(MOMENTS, min_size=1, max_size=12))
def test_date_filters_memoised_by_day_show_what_babel_shows(zone, moments):
    from sitegen.template_api import _date, _hijri

    config = SiteConfig(title="t", base_url="https://e.org/", timezone=zone, locale="ar_SY", digits="arab")
    env = jinja2.Environment()
    install(env, config, UrlBuilder(config.base_url))
    # Neighbours: the same day at other hours and the days either side, to share memo entries.
    moments = [m + dt.timedelta(hours=h) for m in moments for h in (-25, -3, 0, 5, 23)]
    for moment in moments:
        for style in ["long", "full", "short", "month", "time", "d MMM y HH:mm", "EEEE"]:
            assert env.filters["date"](moment, style) == _date(moment, config, style)
        assert env.filters["date"](moment) == _date(moment, config, "long")
        assert env.filters["hijri"](moment) == _hijri(moment, config)
    assert env.filters["date"](None) == env.filters["hijri"](None) == ""


def reference_lastmod(job):
    """sitemaps' last-modified date of a page as first written: max() over the listed moments."""
    from sitegen.dates import iso
    from sitegen.model import Article

    article = job.context.get("article")
    if isinstance(article, Article):
        return iso(article.last_modified) if article.last_modified else None
    listed = list(job.context.get("articles") or ())
    listed += [a for term in job.context.get("terms") or () for a in getattr(term, "articles", ())]
    moments = [a.last_modified for a in listed if isinstance(a, Article) and a.last_modified]
    return iso(max(moments)) if moments else None


MOMENT_OR_NONE = st.none() | st.datetimes(
    min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
    timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=3)), dt.timezone(dt.timedelta(hours=-5))]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(MOMENT_OR_NONE, MOMENT_OR_NONE), min_size=0, max_size=12), st.data())
def test_sitemap_last_changes_are_the_newest_moment_like_max(moments, data):
    from pathlib import Path

    from sitegen.model import Article, SourceFile
    from sitegen.rendering import PageJob
    from sitegen.sitemaps import LastChanges

    source = SourceFile(Path("a.md"), "content/articles/a.md", "article")
    articles = [Article(source, "t", "a", "/a/", date, updated, "", "", "", "", 0) for date, updated in moments]
    same_instant = [a for a in articles if a.date]  # equal instants, other offsets: the first counts
    articles += [Article(source, "t", "b", "/b/", a.date.astimezone(dt.timezone(dt.timedelta(hours=9))), None,
                         "", "", "", "", 0) for a in same_instant[:2]]
    split = data.draw(st.integers(0, len(articles)))

    class Term:
        def __init__(self, items):
            self.articles = items

    jobs = [PageJob("x.html", "x.html", {"articles": tuple(articles)}, "list"),
            PageJob("x.html", "x.html", {"articles": articles[:split], "terms": [Term(articles[split:]), Term(())]},
                    "index"),
            PageJob("x.html", "x.html", {"articles": ["not an article", *articles]}, "odd")]
    jobs += [PageJob("x.html", "x.html", {"article": a}, "article") for a in articles]
    changes = LastChanges()
    for job in jobs + jobs:  # the second time from what it worked out the first
        assert changes.of(job) == reference_lastmod(job)


@settings(max_examples=60, deadline=None)
@given(moments=st.lists(MOMENTS, min_size=1, max_size=8))
def test_iso_filter_memoised_writes_each_moment_with_its_own_offset(moments):
    from sitegen.dates import iso

    config = SiteConfig(title="t", base_url="https://e.org/")
    env = jinja2.Environment()
    install(env, config, UrlBuilder(config.base_url))
    # The same instants in other zones are equal datetimes, but must keep their own offsets; and
    # in New York's autumn hour, equal wall times with fold 0 and 1 are written differently.
    zones = [dt.UTC, dt.timezone(dt.timedelta(hours=3)), zoneinfo.ZoneInfo("America/New_York")]
    moments = [m.astimezone(zone) for m in moments for zone in zones]
    moments += [m.replace(fold=1) for m in moments] + [dt.datetime(2024, 11, 3, 1, 30, fold=f,
                tzinfo=zoneinfo.ZoneInfo("America/New_York")) for f in (0, 1, 0)]
    for moment in moments + moments[::-1]:
        assert env.filters["iso"](moment) == iso(moment)
    for not_a_datetime, error in [(dt.date(2024, 5, 1), TypeError), (None, AttributeError)]:
        with pytest.raises(error):  # as iso() itself fails
            env.filters["iso"](not_a_datetime)


def test_t_memoised_tells_apart_arguments_that_are_equal_but_show_differently():
    from sitegen.i18n import Translations

    strings = Translations("ar", "arab", {"n": "{n}", "count": {"one": "واحد", "other": "{n} عناصر"},
                                          "of": "{n} من {total}"})
    config = SiteConfig(title="t", base_url="https://e.org/", digits="arab")
    env = jinja2.Environment()
    install(env, config, UrlBuilder(config.base_url), strings)
    t = env.filters["t"]
    calls = [("n", (1,), {}), ("n", (1.0,), {}), ("n", (True,), {}), ("count", (1,), {}),
             ("count", (12,), {}), ("of", (), {"n": 2, "total": 10}), ("of", (), {"n": 2.0, "total": 10}),
             ("of", (), {"n": 2, "total": True}), ("of", (), {"total": 10, "n": 2}), ("of", (), {"n": [2], "total": 1})]
    for key, args, values in calls + calls[::-1]:
        assert t(key, *args, **values) == strings.text(key, *args, **values)
    assert env.globals["t"] is t


@settings(max_examples=400, deadline=None)
@given(PATHS)
def test_urlencode_of_a_str_is_jinjas(text):
    from jinja2.filters import do_urlencode

    from sitegen.template_api import urlencode_str

    assert urlencode_str(text) == do_urlencode(text)


def test_urlencode_filter_refuses_lone_surrogates_and_takes_other_values_like_jinjas():
    from jinja2.filters import do_urlencode

    config = SiteConfig(title="t", base_url="https://e.org/")
    env = jinja2.Environment()
    install(env, config, UrlBuilder(config.base_url))
    for value in ["خبر عاجل/2", "\u200fA b", "", 12, 1.5, {"q": "غزة", "n": 2}, [("a", "b c")]]:
        assert env.filters["urlencode"](value) == do_urlencode(value)
    with pytest.raises(UnicodeEncodeError):
        env.filters["urlencode"]("x\ud800")


def test_templates_see_the_environments_globals_through_a_dict_with_their_own_on_top(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("{{ a }} {{ b }} {% include 'part.html' %}", encoding="utf-8")
    (tmp_path / "templates" / "part.html").write_text("[{{ a }} {{ b }} {{ c|default('-') }}]", encoding="utf-8")
    env = create_environment(tmp_path, [])
    env.globals.update(a="1", b="2")  # as template_api.install does, before any template is loaded
    page = env.get_template("page.html")
    assert type(page.globals) is dict
    assert page.render() == "1 2 [1 2 -]"
    assert page.render(b="x", c="y") == "1 x [1 x y]"
    assert env.from_string("{{ a }}{{ b }}", globals={"b": "3"}).render() == "13"
    assert env.globals == {**jinja2.Environment().globals, "a": "1", "b": "2"}  # left as it was
