"""The sample site in a real browser: RTL, no horizontal overflow, fonts, accessibility, page weight.

Headless Chromium (Debian's) through Playwright; the site is built to tmp and served on 127.0.0.1.
Screenshots go to test-artifacts/ (git-ignored) for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from sitegen.build import build
from sitegen.site import BuildOptions

from browsertools import ARTIFACTS, AXE_JS, AXE_RUN_JS, CONTRAST_JS, launch_chromium, serve, unavailable
from sitetools import NOW, REPO

pytestmark = pytest.mark.browser

ARTICLE = "/articles/novatech-sawt-2/"  # a headline that starts with a Latin brand name, code, a card
PAGE_WEIGHT_LIMIT = 250_000  # bytes: article HTML + CSS + fonts
WIDTHS = (360, 390, 1280, 1440)


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("browser") / "output"
    build(REPO, BuildOptions(), {"output_dir": str(folder)}, NOW)
    return folder


@pytest.fixture(scope="module")
def base_url(output: Path) -> Iterator[str]:
    with serve(output) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def tag_page(output: Path) -> str:
    pages = sorted((output / "tags").glob("*/index.html")) if (output / "tags").is_dir() else []
    if not pages:
        pytest.skip("no tag pages in this build (tags and sections arrive with the taxonomies feature)")
    return "/" + quote(pages[0].parent.relative_to(output).as_posix()) + "/"


def page_paths(output: Path) -> dict[str, str]:
    return {"home": "/", "article": ARTICLE, "404": "/no-such-page/"}


@pytest.fixture(scope="module")
def contexts(browser) -> Iterator[dict]:
    """One browser context per colour scheme, shared: a new context costs about a second."""
    made = {scheme: browser.new_context(color_scheme=scheme) for scheme in ("light", "dark")}
    yield made
    for context in made.values():
        context.close()


def open_page(contexts, base_url: str, path: str, width: int, scheme: str = "light"):
    page = contexts[scheme].new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(base_url + path, wait_until="load")  # images, CSS and preloaded fonts are in
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["home", "article", "404"])
def test_pages_are_rtl_without_horizontal_overflow(contexts, base_url, output, name, width):
    page = open_page(contexts, base_url, page_paths(output)[name], width)
    try:
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert scroll <= client, f"{name} at {width}px scrolls sideways ({scroll} > {client})"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    finally:
        page.close()


def test_fonts_and_css_load(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    statuses: dict[str, int] = {}
    page.on("response", lambda r: statuses.__setitem__(r.url, r.status))
    try:
        page.goto(base_url + ARTICLE, wait_until="networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        fonts = page.evaluate("""() => [...document.fonts].filter(f => f.status === 'loaded')
                                        .map(f => f.family.replace(/"/g, '') + ' ' + f.weight)""")
        assert {"Noto Naskh Arabic 400", "IBM Plex Sans Arabic 700"} <= set(fonts)
        css = [url for url in statuses if url.endswith(".css")]
        assert css and all(statuses[url] == 200 for url in css)
        assert all(status == 200 for url, status in statuses.items() if url.endswith(".woff2"))
        body_font = page.evaluate("getComputedStyle(document.querySelector('.article-body p')).fontFamily")
        assert body_font.startswith('"Noto Naskh Arabic"')
        assert page.evaluate("getComputedStyle(document.body).fontSize") == "20px"
    finally:
        context.close()


def test_latin_led_headline_still_reads_right_to_left(contexts, base_url):
    page = open_page(contexts, base_url, ARTICLE, 1280)
    try:
        h1 = page.locator("h1.headline")
        assert h1.get_attribute("dir") is None and h1.evaluate("e => getComputedStyle(e).direction") == "rtl"
        # The leading Latin word sits at the right-hand (start) edge of the first line.
        word_right, line_right = h1.evaluate("""e => { const r = document.createRange();
            const t = e.firstChild; r.setStart(t, 0); r.setEnd(t, t.textContent.indexOf(' '));
            return [r.getBoundingClientRect().right, e.getBoundingClientRect().right]; }""")
        assert abs(word_right - line_right) < 2
        assert page.locator(".article-body pre").first.evaluate("e => getComputedStyle(e).direction") == "ltr"
    finally:
        page.close()


def test_article_page_weight_and_no_scripts(browser, base_url, output):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sizes: dict[str, tuple[str, int]] = {}

    def record(response) -> None:
        sizes[response.url] = (response.request.resource_type, len(response.body()))

    page.on("response", record)
    try:
        page.goto(base_url + ARTICLE, wait_until="networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.wait_for_load_state("networkidle")
        weight = sum(size for kind, size in sizes.values() if kind in ("document", "stylesheet", "font"))
        assert weight < PAGE_WEIGHT_LIMIT, f"article + CSS + fonts = {weight} bytes"
        assert not [url for url, (kind, _) in sizes.items() if kind == "script"]
        assert all(url.startswith(base_url) for url in sizes), "a request left the site"
        assert not page.locator('script:not([type="application/ld+json"])').count()  # JSON-LD is data
    finally:
        context.close()


@pytest.mark.parametrize("name", ["home", "article", "tag", "404"])
def test_no_serious_accessibility_violations(contexts, base_url, output, name):
    if not AXE_JS.is_file():
        unavailable(f"axe-core not found at {AXE_JS} (.ci/run installs it with npm)")
    path = tag_page(output) if name == "tag" else page_paths(output)[name]
    for scheme in ("light", "dark"):
        page = open_page(contexts, base_url, path, 1280, scheme)
        try:
            page.add_script_tag(path=str(AXE_JS))
            result = page.evaluate(AXE_RUN_JS)
            serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
            assert serious == [], f"{name} ({scheme}): {serious}"
            assert result["contrast"]["passes"] >= 10, f"axe hardly checked contrast: {result['contrast']}"
            contrast = page.evaluate(CONTRAST_JS)
            low = [c for c in contrast["checked"] if c["ratio"] < c["needed"]]
            assert low == [], f"{name} ({scheme}): low contrast {low}"
            assert len(contrast["checked"]) >= 10, f"{name}: contrast was hardly checked {contrast}"
        finally:
            page.close()


def test_the_contrast_checks_catch_low_contrast(contexts, base_url):
    """Both checks must fail on pale Arabic text, or their passing above would mean nothing."""
    if not AXE_JS.is_file():
        unavailable(f"axe-core not found at {AXE_JS} (.ci/run installs it with npm)")
    page = open_page(contexts, base_url, ARTICLE, 1280)
    try:
        page.add_style_tag(content=".article-body p { color: #c8c8c8 !important; }")
        page.add_script_tag(path=str(AXE_JS))
        result = page.evaluate(AXE_RUN_JS)
        assert "color-contrast" in {v["id"] for v in result["violations"]}
        low = [c for c in page.evaluate(CONTRAST_JS)["checked"] if c["ratio"] < c["needed"]]
        assert low and all(c["where"] == "p" for c in low)
    finally:
        page.close()


def test_print_style_keeps_the_story_only(contexts, base_url):
    page = open_page(contexts, base_url, ARTICLE, 1280)
    try:
        page.emulate_media(media="print")
        shown = page.evaluate("""() => Object.fromEntries(['.site-nav', '.site-footer', '.share', '.headline',
            '.article-body'].map(s => [s, getComputedStyle(document.querySelector(s)).display !== 'none']))""")
        assert shown == {".site-nav": False, ".site-footer": False, ".share": False, ".headline": True,
                         ".article-body": True}
    finally:
        page.close()


def test_body_text_measure_is_sixty_to_seventy_five_characters(contexts, base_url):
    page = open_page(contexts, base_url, "/articles/tartus-first-container-ship/", 1280)
    try:
        # Characters per line = column width / average advance of the body text set on one line.
        per_line = page.evaluate("""() => { let width = 0, chars = 0;
            const body = document.querySelector('.article-body');
            for (const p of body.querySelectorAll(':scope > p:not(:first-child)')) {
              const probe = p.cloneNode(true);
              probe.style.cssText = 'position: absolute; white-space: nowrap; inline-size: auto';
              body.appendChild(probe); width += probe.getBoundingClientRect().width; probe.remove();
              chars += p.textContent.length; }
            return body.querySelector('p').getBoundingClientRect().width / (width / chars); }""")
        assert 60 <= per_line <= 75, per_line
    finally:
        page.close()
