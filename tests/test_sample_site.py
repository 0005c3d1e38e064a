"""The repository's own sample site: complete, right to left, valid HTML, no broken links."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from sitegen.build import build
from sitegen.site import BuildOptions

from sitetools import NOW, REPO, soup

VNU_JAR = Path(os.environ.get("SITEGEN_VNU_JAR", REPO / ".ci/vnu/node_modules/vnu-jar/build/dist/vnu.jar"))


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample") / "output"
    build(REPO, BuildOptions(), {"output_dir": str(folder)}, NOW)
    return folder


def pages(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def test_sample_site_has_the_promised_content(output):
    articles = sorted((output / "articles").glob("*/index.html"))
    assert len(articles) >= 12
    sections = {soup(p).select_one(".article-section").get_text(strip=True) for p in articles}
    assert len(sections) >= 4
    assert any(soup(p).select_one("aside.see-also a") for p in articles)
    images = [img for p in articles for img in soup(p).select(".lead-image img")]
    assert images and all(img["alt"].strip() for img in images)
    assert (output / "about/index.html").is_file() and (output / "contact/index.html").is_file()
    assert not any("مسودة" in soup(p).h1.text for p in articles if soup(p).h1)


def test_every_page_is_lang_ar_dir_rtl(output):
    for path in pages(output):
        root = soup(path).html
        assert (root.get("lang"), root.get("dir")) == ("ar", "rtl"), path


def internal_targets(path: Path) -> list[str]:
    page = soup(path)
    refs = [tag.get("href") for tag in page.select("a[href], link[href]")]
    refs += [tag.get("src") for tag in page.select("img[src], script[src], source[src]")]
    return [r for r in refs if r and not urlsplit(r).scheme and not r.startswith(("//", "#"))]


def resolve(output: Path, href: str) -> Path:
    path = unquote(urlsplit(href).path)
    target = output / path.lstrip("/")
    return target / "index.html" if path.endswith("/") else target


def test_every_internal_link_and_asset_resolves(output):
    broken = [(p.relative_to(output).as_posix(), href) for p in pages(output)
              for href in internal_targets(p) if not resolve(output, href).is_file()]
    assert broken == []


def vnu_available() -> bool:
    return VNU_JAR.is_file() and shutil.which("java") is not None


@pytest.mark.skipif(not vnu_available() and not os.environ.get("CI"),
                    reason="the W3C Nu HTML checker needs Java and vnu.jar (.ci/run installs both)")
def test_every_page_passes_the_nu_html_checker(output):
    result = subprocess.run(["java", "-jar", str(VNU_JAR), "--format", "json", "--skip-non-html", str(output)],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr)["messages"]
    errors = [(m.get("url", "").rsplit("/output/", 1)[-1], m.get("lastLine"), m["message"])
              for m in messages if m["type"] == "error"]
    assert errors == []
