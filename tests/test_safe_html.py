"""`markdown.safe_html = true` (issue 8): raw HTML in Markdown loses scripts, event handlers and
javascript:/data: URLs, and keeps what articles legitimately hold. Off by default: trusted editors'
embeds (video iframes, widgets) are published as written."""

from __future__ import annotations

import textwrap

import pytest

from sitetools import SITE_TOML, article, build_site, soup

ATTACKS = textwrap.dedent("""\
    الفقرة الأولى من الخبر.

    <script>alert("script")</script>

    <p onclick="alert('click')" onmouseover="alert('over')">فقرة بمعالج أحداث</p>

    <img src="x.png" alt="صورة" onerror="alert('img')">

    <a href="javascript:alert('a')">رابط خبيث</a> <a href=" JaVaScRiPt:alert('b')">آخر</a>
    <a href="java&#x09;script:alert('c')">ثالث</a> <a href="data:text/html,<script>alert('d')</script>">رابع</a>

    [رابط ماركداون](javascript:alert('md'))

    <svg onload="alert('svg')"><circle r="1"/></svg>

    <iframe src="javascript:alert('frame')"></iframe>

    <form action="javascript:alert('form')"><input onfocus="alert('input')" autofocus></form>

    <div style="background:url(javascript:alert('style'))">نمط</div>

    <style>body{display:none}</style>

    <object data="javascript:alert('object')"></object><embed src="javascript:alert('embed')">

    <meta http-equiv="refresh" content="0;url=javascript:alert('meta')"><base href="javascript:">
""")

LEGITIMATE = textwrap.dedent("""\
    مقدمة الخبر مع [رابط خارجي](https://example.com/a) و[رابط بريد](mailto:news@example.org).

    <!--more-->

    ## عنوان فرعي

    | المدينة | العدد |
    |---|---|
    | حلب | 3 |

    نص مع حاشية[^1] و<bdi>iPhone 16</bdi>.

    [^1]: مصدر الحاشية.

    <figure><img src="/images/a.svg" alt="رسم"><figcaption>تعليق الصورة</figcaption></figure>

    ```python
    print("code")
    ```

    [[شاهد أيضاً: other]]
""")

SAFE = SITE_TOML + "[markdown]\nsafe_html = true\n"


def body(root, slug: str = "x"):
    page = soup(root / f"output/articles/{slug}/index.html")
    return page, page.find("h1").find_parent(["article", "main"]) or page


def assert_nothing_runs(page) -> None:
    for script in page.find_all("script"):
        if script.get("type") == "application/ld+json":
            assert "<" not in script.string  # data that cannot close its element
        else:
            assert "alert" not in (script.string or "")
    assert [(t.name, a) for t in page.find_all(True) for a in t.attrs if a.lower().startswith("on")] == []
    for tag in page.find_all(True):
        for name in ("href", "src", "action", "data", "formaction", "style"):
            value = "".join(str(tag.get(name, "")).split()).lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag.name, name, value)
            assert "javascript:" not in value, (tag.name, name, value)


def test_safe_html_removes_every_way_of_running_code(site_factory):
    root = site_factory({"content/articles/x.md": article("خبر", body=ATTACKS)}, SAFE)
    build_site(root)
    page, main = body(root)
    assert_nothing_runs(page)
    assert main.find(["iframe", "object", "embed", "form", "input", "base", "style", "meta", "svg"]) is None
    text = main.get_text()
    assert "فقرة بمعالج أحداث" in text and "رابط خبيث" in text and "نمط" in text  # the words stay
    assert main.find("img", src="x.png")["alt"] == "صورة"


def test_safe_html_keeps_what_articles_are_made_of(site_factory):
    files = {"content/articles/x.md": article("خبر", body=LEGITIMATE),
             "content/articles/other.md": article("خبر آخر")}
    root = site_factory(files, SAFE)
    result = build_site(root)
    page, main = body(root)
    item = next(a for a in result.site.articles if a.slug == "x")
    assert item.summary_text == "مقدمة الخبر مع رابط خارجي ورابط بريد."  # <!--more--> survived
    assert main.find("a", href="https://example.com/a") and main.find("a", href="mailto:news@example.org")
    assert main.find("h2", id="عنوان-فرعي") is not None
    assert [td.get_text() for td in main.select("table td")] == ["حلب", "3"]
    assert main.find("bdi").get_text() == "iPhone 16"
    assert main.find("figcaption").get_text() == "تعليق الصورة"
    assert main.find("pre", dir="ltr") is not None
    assert main.select('a[href="/articles/other/"]')  # the «شاهد أيضاً» card still resolves
    assert main.select("sup a") and main.select("div.footnote li")


@pytest.mark.parametrize("safe", [False, True])
def test_embeds_are_kept_by_default_and_sanitised_when_asked(site_factory, safe):
    embed = ('<iframe src="https://www.youtube-nocookie.com/embed/abc" title="فيديو" allowfullscreen>'
             '</iframe>\n\n<script src="https://platform.twitter.com/widgets.js"></script>')
    root = site_factory({"content/articles/x.md": article("خبر", body="نص.\n\n" + embed)},
                        SAFE if safe else SITE_TOML)
    build_site(root)
    page, main = body(root)
    iframe = main.find("iframe")
    widget = main.find("script", src="https://platform.twitter.com/widgets.js")
    if safe:
        assert iframe is None and widget is None
    else:
        assert iframe["src"] == "https://www.youtube-nocookie.com/embed/abc" and widget is not None


def test_front_matter_text_is_never_html_whatever_the_setting(site_factory):
    source = article("<b>عنوان</b>", summary='"<img src=x onerror=alert(1)>"')
    root = site_factory({"content/articles/x.md": source})
    build_site(root)
    page, _main = body(root)
    assert page.h1.get_text() == "<b>عنوان</b>" and page.h1.find("b") is None
    assert_nothing_runs(page)
