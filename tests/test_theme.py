"""The default theme's Arabic details, on parsed HTML: digits, dates, plurals, bidi, captions, assets."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from sitegen.themes import BUNDLED_THEMES

from sitetools import SITE_TOML, article, build_site, soup

THEME = BUNDLED_THEMES / "default"
WORDS = " ".join(["كلمة"] * 540)  # three minutes at 180 words a minute
ARAB_CONFIG = SITE_TOML + 'digits = "arab"\npaginate = 1\n\n[dates]\nmonths = "both"\nhijri = true\n'
LATIN_DIGIT = re.compile(r"[0-9]")


def arab_site(site_factory):
    root = site_factory({
        "content/articles/a.md": article("افتتاح المعرض", date="2024-10-15T14:05:00+03:00", body=WORDS,
                                         tags="[ثقافة, معارض]", category="ثقافة",
                                         authors="[سارة الخطيب, John Smith, كريم العطار]",
                                         updated="2024-10-16T09:30:00+03:00"),
        "content/articles/b.md": article("خبر ثان", date="2024-10-20T08:00:00+03:00", tags="[معارض]"),
    }, config=ARAB_CONFIG)
    build_site(root)
    return root / "output"


def visible_text(page) -> str:
    """Text a reader sees from the theme: the article body (the editor's own words) left out."""
    for node in page.select(".article-body, script, style, title"):
        node.decompose()
    return page.body.get_text(" ", strip=True)


def test_arabic_digits_reach_every_number_the_theme_shows(site_factory):
    out = arab_site(site_factory)
    pages = [out / "articles/a/index.html", out / "index.html", out / "page/2/index.html",
             out / "404.html", *sorted((out / "tags").rglob("index.html"))]
    for path in pages:
        text = visible_text(soup(path))
        assert not LATIN_DIGIT.search(text), f"{path.relative_to(out)}: {text}"
    home = soup(out / "index.html")
    assert home.select_one(".page-number").get_text() == "الصفحة ١ من ٢"


def test_article_dates_reading_time_and_hijri(site_factory):
    page = soup(arab_site(site_factory) / "articles/a/index.html")
    published, updated = page.select(".byline time")
    assert published["datetime"] == "2024-10-15T14:05:00+03:00"
    assert published.get_text() == "الثلاثاء ١٥ أكتوبر/ تشرين الأول ٢٠٢٤ - ١٤:٠٥"
    assert updated["datetime"] == "2024-10-16T09:30:00+03:00"
    assert updated.get_text() == "١٦ أكتوبر/ تشرين الأول ٢٠٢٤ - ٠٩:٣٠"
    assert page.select_one(".hijri").get_text() == "(الموافق ١٢ ربيع الثاني ١٤٤٦ هـ)"
    assert page.select_one(".reading-time").get_text() == "مدة القراءة: ٣ دقائق"


@pytest.mark.parametrize(("config", "date_text", "reading"), [
    ("", "الأحد 20 أكتوبر 2024 - 08:00", "مدة القراءة: دقيقة واحدة"),
    ('locale = "ar_SY"\n[dates]\ntime = false\n', "الأحد 20 تشرين الأول 2024", "مدة القراءة: دقيقة واحدة"),
])
def test_locale_month_names_and_latin_digits(site_factory, config, date_text, reading):
    root = site_factory({"content/articles/b.md": article("خبر", date="2024-10-20T08:00:00+03:00")},
                        config=SITE_TOML + config)
    build_site(root)
    page = soup(root / "output/articles/b/index.html")
    assert page.select_one(".byline time").get_text() == date_text
    assert page.select_one(".reading-time").get_text() == reading
    assert page.select(".hijri") == []


def test_bidi_isolation_without_auto_direction_on_headlines(site_factory):
    root = site_factory({
        "content/articles/a.md": article("NovaTech تطلق نموذجاً جديداً", tags="[AI, ذكاء اصطناعي]",
                                         author="John Smith"),
        "content/articles/b.md": article("متابعة", body="نص.\n\n[[شاهد أيضاً: a.md]]\n"),
    })
    build_site(root)
    page = soup(root / "output/articles/a/index.html")
    headline = page.select_one("h1.headline")
    assert headline.get_text() == "NovaTech تطلق نموذجاً جديداً"
    assert headline.get("dir") is None and headline.find("bdi") is None  # inherits rtl from <html>
    assert [b.get_text() for b in page.select(".byline-authors bdi")] == ["John Smith"]
    assert [b.get_text() for b in page.select(".tags li bdi")] == ["AI", "ذكاء اصطناعي"]
    card = soup(root / "output/articles/b/index.html").select_one("aside.see-also bdi")
    assert card["dir"] == "rtl" and card.get_text() == "NovaTech تطلق نموذجاً جديداً"
    for path in (root / "output").rglob("*.html"):
        assert not soup(path).select('[dir="auto"]'), path


def test_authors_are_joined_the_arabic_way(site_factory):
    page = soup(arab_site(site_factory) / "articles/a/index.html")
    assert page.select_one(".byline-authors").get_text() == "بقلم سارة الخطيب، John Smith وكريم العطار"


@pytest.mark.parametrize(("extra", "caption"), [
    ({}, "ميناء عند الغروب"),
    ({"params": "{caption: 'ميناء طرطوس (أرشيف)'}"}, "ميناء طرطوس (أرشيف)"),
])
def test_lead_image_has_alt_and_caption(site_factory, extra, caption):
    root = site_factory({"content/articles/a.md": article(
        "خبر", image="/images/x.svg", image_alt="ميناء عند الغروب", **extra),
        "content/static/images/x.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})
    build_site(root)
    figure = soup(root / "output/articles/a/index.html").select_one("figure.lead-image")
    assert figure.img["alt"] == "ميناء عند الغروب"
    assert figure.figcaption.get_text() == caption


def test_pages_need_no_javascript_and_share_without_third_party_scripts(site_factory):
    out = arab_site(site_factory)
    for path in out.rglob("*.html"):
        # JSON-LD structured data is a <script> element but data, not JavaScript.
        assert not soup(path).select('script:not([type="application/ld+json"]), iframe'), path
    links = [a["href"] for a in soup(out / "articles/a/index.html").select(".share a")]
    assert len(links) == 5 and all("https://example.org/articles/a/" in unquote(href) for href in links)


def test_theme_templates_hold_no_arabic_text():
    """Every string comes from i18n/ar.toml, so another dialect or language replaces one file."""
    arabic = re.compile(r"[\u0600-\u06FF]")
    for template in (THEME / "templates").rglob("*.html"):
        assert not arabic.search(template.read_text(encoding="utf-8")), template.name


CSS = (THEME / "static/css/style.css").read_text(encoding="utf-8")


@pytest.mark.parametrize("pattern", [
    r"(margin|padding|border)-(left|right)", r"(?<![-\w])(left|right)\s*:", r"text-align:\s*(left|right)",
    r"float:\s*(left|right)", r"letter-spacing:(?!\s*normal)", r"font-style:\s*italic",
    r"text-transform:(?!\s*none)",
])
def test_css_uses_logical_properties_and_leaves_arabic_letters_alone(pattern):
    assert not re.search(pattern, CSS), re.search(pattern, CSS)


def test_fonts_are_self_hosted_arabic_subsets_with_their_licences():
    faces = re.findall(r"@font-face\s*{([^}]*)}", CSS)
    assert len(faces) == 3
    fonts = THEME / "static/fonts"
    for face in faces:
        assert "font-display: swap" in face
        (url,) = re.findall(r'url\("\.\./fonts/([^"]+)"\)', face)
        assert url.endswith("-arabic-400-normal.woff2") or url.endswith("-arabic-700-normal.woff2")
        assert (fonts / url).is_file()
    assert sorted(p.name for p in fonts.glob("*.txt")) == ["OFL-IBMPlexSansArabic.txt", "OFL-NotoNaskhArabic.txt"]
    assert all("SIL Open Font License" in p.read_text() for p in fonts.glob("*.txt"))
    assert sum(p.stat().st_size for p in fonts.glob("*.woff2")) < 150_000
