"""Markdown to HTML: one configured Python-Markdown instance per process, reused with reset().

Cross-article references (links to other .md files and «شاهد أيضاً» cards) are left as
placeholders here and resolved once every article is known (see refs.py). That keeps a file's
rendered HTML a function of its own bytes, which is what makes it cacheable.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

import markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from . import markdown_speedups
from .arabic import matching_key
from .model import Ref
from .slugs import slugify

REF_SCHEME = "sitegen-ref:"
CARD_TAG = "sitegen-card"
MORE_MARKER = "<!--more-->"

# «شاهد أيضاً» with any hamza/tanween spelling, or the English "see also", as a card label.
_CARD_LABELS = {matching_key("شاهد أيضاً"), "see also"}
_CARD_LINE = re.compile(r"^\[\[\s*([^:：\]]+?)\s*[:：]\s*([^\]]+?)\s*\]\]$")


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    toc_html: str
    refs: tuple[Ref, ...]
    word_count: int


@lru_cache(maxsize=4096)  # sub-headings repeat across articles ("الخلفية", "ردود الفعل" ...)
def heading_id(value: str, separator: str = "-") -> str:
    """Arabic-safe heading ids: the slug rules keep Arabic letters readable in #anchors."""
    return slugify(value) or "section"


class SeeAlsoProcessor(BlockProcessor):
    """A paragraph that is exactly `[[شاهد أيضاً: target]]` becomes a card placeholder."""

    def test(self, parent: etree.Element, block: str) -> bool:
        if "[[" not in block:  # asked about every block: answer the common case cheaply
            return False
        match = _CARD_LINE.match(block.strip())
        return bool(match) and matching_key(match.group(1)) in _CARD_LABELS

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        match = _CARD_LINE.match(blocks.pop(0).strip())
        assert match is not None
        card = etree.SubElement(parent, CARD_TAG)
        card.set("ref", match.group(2).strip())


class RefCollector(Treeprocessor):
    """Rewrite links to other Markdown sources as placeholders and record every reference."""

    def run(self, root: etree.Element) -> None:
        found: list[tuple[str, str]] = []
        for element in root.iter():
            if element.tag == "a" and _is_source_link(element.get("href", "")):
                target, fragment = _split_fragment(element.get("href", ""))
                # The placeholder holds the target as recorded (unescaped), quoted once: a link
                # copied from an address bar, `%D8%AE%D8%A8%D8%B1.md`, must lead where the
                # check found it leads (it was quoted twice and left as plain text).
                target = unquote(target)
                element.set("href", REF_SCHEME + quote(target, safe="/") + fragment)
                found.append((target, "link"))
            elif element.tag == CARD_TAG:
                found.append((element.get("ref", ""), "card"))
        self.md.sitegen_refs = found  # type: ignore[attr-defined]


def _is_source_link(href: str) -> bool:
    try:
        parts = urlsplit(href)
    except ValueError:  # '<http://a[b>' has a host urlsplit refuses; it is no link to a .md file
        return False
    return not parts.scheme and not parts.netloc and parts.path.lower().endswith(".md")


def _split_fragment(href: str) -> tuple[str, str]:
    target, hash_mark, fragment = href.partition("#")
    return target, (hash_mark + fragment if hash_mark else "")


class LtrCode(Postprocessor):
    """Code reads left to right inside an RTL page; fenced blocks are stashed HTML, so do it here."""

    _OPEN = re.compile(r"<(pre|code)(?=[\s>])(?![^>]*\bdir=)")

    def run(self, text: str) -> str:
        if "<pre" not in text and "<code" not in text:  # most articles and every heading (toc)
            return text
        return self._OPEN.sub(r'<\1 dir="ltr"', text)


class SitegenExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API name)
        md.parser.blockprocessors.register(SeeAlsoProcessor(md.parser), "sitegen_see_also", 95)
        md.treeprocessors.register(RefCollector(md), "sitegen_refs", 1)
        md.postprocessors.register(LtrCode(md), "sitegen_ltr_code", 5)
        md.sitegen_refs = []  # type: ignore[attr-defined]


class MarkdownRenderer:
    """Holds one Markdown instance; `render` is called once per source file."""

    def __init__(self, toc_depth: int = 3, speedups: bool = True):
        self._md = markdown.Markdown(
            extensions=["tables", "footnotes", "fenced_code", "attr_list", "toc", SitegenExtension()],
            extension_configs={"toc": {"slugify": heading_id, "toc_depth": toc_depth},
                               "footnotes": {"BACKLINK_TEXT": "↩"}},
            output_format="html",
        )
        if speedups:  # tests compare against the plain instance
            markdown_speedups.install(self._md)

    def render(self, text: str, first_line: int = 1) -> RenderedMarkdown:
        self._md.reset()
        html = self._md.convert(text)
        toc_html = getattr(self._md, "toc", "")
        refs = tuple(Ref(target, _line_of(text, target, first_line), kind)
                     for target, kind in self._md.sitegen_refs)  # type: ignore[attr-defined]
        return RenderedMarkdown(html, toc_html if "<li" in toc_html else "", refs, _count_words(text))


def _line_of(text: str, target: str, first_line: int) -> int:
    index = text.find(target)
    if index < 0:
        index = text.find(quote(target, safe="/"))
    return first_line + (text.count("\n", 0, index) if index >= 0 else 0)


_WORD = re.compile(r"\w+")


class _WordsIn(dict):
    """Whitespace-separated chunk (UTF-8) -> its number of words (\\w+ runs), worked out once."""

    def __missing__(self, chunk: bytes) -> int:
        if len(self) > 100_000:  # bounded; a corpus repeats far fewer distinct chunks than this
            self.clear()
        count = self[chunk] = len(_WORD.findall(chunk.decode("utf-8", "surrogatepass")))
        return count


_words_in = _WordsIn()


def _count_words(text: str) -> int:
    """len(_WORD.findall(text)) in half the time: a word never spans whitespace, so the
    count is the sum over the whitespace-separated chunks, and news prose repeats its chunks a
    lot. The chunks are cut from the UTF-8 bytes, at ASCII whitespace only: bytes.split copies
    its pieces without str.split's scan of each for its widest character, and a chunk holding
    other whitespace (no-break space...) still counts right, as \\w+ runs never hold any."""
    return sum(map(_words_in.__getitem__, text.encode("utf-8", "surrogatepass").split()))


def summary_of(html: str) -> str:
    """The HTML before `<!--more-->`, else the first paragraph (design §3)."""
    if MORE_MARKER in html:
        return html.split(MORE_MARKER, 1)[0].strip()
    match = _FIRST_PARAGRAPH.search(html)
    return match.group(0) if match else ""


def plain_text(html: str) -> str:
    """Tags stripped and whitespace folded: for descriptions and feeds' summaries."""
    import html as html_lib

    text = _FOOTNOTE_REF.sub("", html) if "<sup" in html else html
    # Block tags separate words; inline ones do not: «و<a>رابط</a>» reads «ورابط», not «و رابط».
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", text))
    # split() and re's \s agree on what whitespace is (str.isspace): the same as replacing each
    # run of it by one space and stripping the ends, without the regex.
    return " ".join(html_lib.unescape(text).split())


_FIRST_PARAGRAPH = re.compile(r"<p\b[^>]*>.*?</p>", re.S)
_FOOTNOTE_REF = re.compile(r"<sup[^>]*>.*?</sup>", re.S)
_ANY_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|table|thead|tbody|tr|td|th|"
                        r"blockquote|pre|figure|figcaption|section|aside|header|footer|"
                        r"sitegen-card)\b[^>]*>", re.I)
