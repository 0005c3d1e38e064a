"""A link checker that reads output/ the way a static host serves it (reusable by any test).

Every file in the output is read: HTML pages (links, assets, srcset, meta refresh, Open Graph,
JSON-LD), XML (sitemaps and feeds), robots.txt and _redirects. Every URL on the site's own origin
is resolved against the page it appears on, must sit under the base_url path, is percent-decoded
and mapped to a file (`/akhbar/x/` → output/x/index.html) exactly as GitHub Pages, Netlify, S3
website hosting or nginx `try_files $uri $uri/index.html` would. `#fragments` must name an id.

    report = crawl(output_dir, "https://example.org/akhbar/")
    assert report.broken == [], report.describe()
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.etree
import lxml.html

# Where HTML keeps URLs: (element, attribute).
_HTML_URL_ATTRS = [("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"),
                   ("source", "src"), ("iframe", "src"), ("video", "src"), ("video", "poster"),
                   ("audio", "src"), ("form", "action")]
_META_URLS = {"og:url", "og:image", "twitter:image", "og:image:url", "og:image:secure_url"}
_FEED_HTML = {"description", "encoded", "content", "summary"}
_JSON_URL_KEYS = {"url", "@id", "image", "logo", "mainEntityOfPage", "contentUrl"}


@dataclass(frozen=True)
class Problem:
    source: str  # file inside output/ holding the link
    url: str  # as written
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.url}: {self.reason}"


@dataclass
class CrawlReport:
    checked: int = 0  # same-site links followed
    external: int = 0  # links to other origins (not fetched)
    broken: list[Problem] = field(default_factory=list)

    def describe(self) -> str:
        return "\n".join(str(p) for p in self.broken) or "no broken links"


def crawl(output: Path, base_url: str, check_fragments: bool = True) -> CrawlReport:
    base = urlsplit(base_url)
    base_path = base.path if base.path.endswith("/") else base.path + "/"
    crawler = _Crawler(output, f"{base.scheme}://{base.netloc}", base_path, check_fragments)
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        crawler.check_file(path)
    return crawler.report


def served_file(output: Path, url_path: str, base_path: str) -> Path | None:
    """The file a static host answers `url_path` (still percent-encoded) with, or None."""
    if not url_path.startswith(base_path):
        return None
    relative = unquote(url_path[len(base_path):], errors="strict")
    candidate = output / (relative + "index.html" if relative == "" or relative.endswith("/")
                          else relative)
    return candidate if candidate.is_file() else None


class _Crawler:
    def __init__(self, output: Path, origin: str, base_path: str, check_fragments: bool):
        self.output, self.origin, self.base_path = output, origin, base_path
        self.check_fragments = check_fragments
        self.report = CrawlReport()
        self._ids: dict[Path, set[str]] = {}

    def check_file(self, path: Path) -> None:
        rel = path.relative_to(self.output).as_posix()
        page_url = self.origin + self.base_path + (rel.removesuffix("index.html"))
        if path.suffix == ".html":
            urls = html_urls(path.read_bytes())
        elif path.suffix == ".xml":
            urls = xml_urls(path.read_bytes())
        elif path.name == "robots.txt":
            urls = [line.split(":", 1)[1].strip() for line in path.read_text("utf-8").splitlines()
                    if line.lower().startswith("sitemap:")]
        elif path.name == "_redirects":
            urls = [line.split()[1] for line in path.read_text("utf-8").splitlines()
                    if line.strip() and not line.startswith("#")]
        else:
            return
        for url in urls:
            self.check_url(rel, page_url, url)

    def check_url(self, source: str, page_url: str, raw: str) -> None:
        raw = raw.strip()
        if not raw or raw.startswith(("mailto:", "tel:", "data:", "javascript:")):
            return
        if not raw.isascii() or " " in raw:
            self._broken(source, raw, "not percent-encoded")
            return
        target = urlsplit(urljoin(page_url, raw))
        if target.scheme not in ("http", "https") or f"{target.scheme}://{target.netloc}" != self.origin:
            self.report.external += 1
            return
        self.report.checked += 1
        if not target.path.startswith(self.base_path):
            self._broken(source, raw, f"outside the site's base path {self.base_path}")
            return
        try:
            file = served_file(self.output, target.path, self.base_path)
        except UnicodeDecodeError:
            self._broken(source, raw, "percent-encoding is not UTF-8")
            return
        if file is None:
            self._broken(source, raw, "no such file in the output")
        elif self.check_fragments and target.fragment and file.suffix == ".html":
            if unquote(target.fragment) not in self._ids_of(file):
                self._broken(source, raw, f"no element with id '{unquote(target.fragment)}'")

    def _broken(self, source: str, raw: str, reason: str) -> None:
        self.report.broken.append(Problem(source, raw, reason))

    def _ids_of(self, file: Path) -> set[str]:
        if file not in self._ids:
            tree = lxml.html.fromstring(file.read_text("utf-8"))
            self._ids[file] = {str(v) for v in tree.xpath("//@id | //a/@name")}
        return self._ids[file]


def html_urls(data: bytes) -> list[str]:
    tree = lxml.html.fromstring(data.decode("utf-8"))  # host serves UTF-8; never guess latin-1
    urls = [str(v) for tag, attr in _HTML_URL_ATTRS for v in tree.xpath(f"//{tag}/@{attr}")]
    for srcset in tree.xpath("//img/@srcset | //source/@srcset"):
        urls += [part.split()[0] for part in str(srcset).split(",") if part.strip()]
    for content in tree.xpath("//meta[translate(@http-equiv,'REFSH','refsh')='refresh']/@content"):
        _delay, _sep, target = str(content).partition("=")
        urls.append(target.strip().strip("'\""))
    urls += [str(m.get("content", "")) for m in tree.xpath("//meta")
             if (m.get("property") or m.get("name")) in _META_URLS]
    for script in tree.xpath("//script[@type='application/ld+json']"):
        urls += list(_json_urls(json.loads(script.text_content())))
    return urls


def _json_urls(value: object, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [u for k, v in value.items() for u in _json_urls(v, k)]
    if isinstance(value, list):
        return [u for v in value for u in _json_urls(v, key)]
    if isinstance(value, str) and key in _JSON_URL_KEYS and value.startswith(("http:", "https:", "/")):
        return [value]
    return []


def xml_urls(data: bytes) -> list[str]:
    """<loc> in sitemaps, <link> text in RSS, href attributes in Atom."""
    tree = lxml.etree.fromstring(data)
    urls: list[str] = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        name = lxml.etree.QName(element).localname
        if name in ("loc", "link") and element.text and element.text.strip():
            urls.append(element.text.strip())
        if element.get("href"):
            urls.append(element.get("href"))
        if name in _FEED_HTML and element.text and "<" in element.text:
            urls += html_urls(element.text.encode("utf-8"))  # escaped HTML: feed readers follow it too
    return urls
