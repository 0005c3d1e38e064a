"""Speed-ups for Python-Markdown that leave its output byte for byte the same.

Markdown conversion is most of a cold build, and most of its time goes to work that cannot change
a typical news article: regexes looking for syntax the text does not contain. Each speed-up here
skips such work only when a cheap test proves it would have had no effect:

* inline patterns are not tried on text holding none of the characters they start with, and
  text without placeholders is put back in the tree without looking for them;
* a block processor is not asked about a block without the character its syntax needs (no '#',
  no ATX heading; no '|', no table), instead of a regex search over the whole block;
* a pass that looks for something the document does not contain is skipped: attribute lists
  without '{', fenced code without ``` or ~~~, raw HTML without '<' or '&', unescaping without
  '\\', and the table of contents does not look for its `[TOC]` marker;
* the processor registries keep their sorted order instead of making a new list on every pass
  (the block parser walks them once per block), and the block-level tag test uses a set;
* the table of contents takes a heading's inner HTML from its text when it is plain text (no
  child elements, attributes or placeholders), instead of serialising the heading and running
  every postprocessor over it, and skips tag stripping and unescaping for text without '<' or
  placeholders;
* whitespace normalisation skips its regex for lines of spaces when no line ends in a space;
* a block that only the paragraph processor can take (it starts with a letter and holds none of
  the characters the other block processors look for) goes straight to it, instead of being
  offered to a dozen processors in turn (most blocks of news prose are such paragraphs);
* the HTML serialiser walks elements with plain string tags recursively, without Markdown's
  work queue of elements and strings (a quarter of a conversion's time), and hands any other
  element (comment, processing instruction, tagless, QName) to Markdown's own.

Every shortcut knows the processors it shortcuts by name and class; if an extension we do not
know is registered, the affected shortcut is not installed (see `install`). tests/test_fast_paths
renders tricky documents with and without the speed-ups and compares.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import HTML_EMPTY, QName

import markdown
from markdown import util
from markdown.blockprocessors import (
    BlockProcessor,
    BlockQuoteProcessor,
    CodeBlockProcessor,
    EmptyBlockProcessor,
    HashHeaderProcessor,
    HRProcessor,
    ListIndentProcessor,
    OListProcessor,
    ParagraphProcessor,
    ReferenceProcessor,
    SetextHeaderProcessor,
    UListProcessor,
)
from markdown.extensions import toc as toc_module
from markdown.extensions.attr_list import AttrListTreeprocessor
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.extensions.footnotes import FootnoteBlockProcessor, FootnotePostprocessor
from markdown.extensions.tables import TableProcessor
from markdown.extensions.toc import TocTreeprocessor
from markdown.postprocessors import AndSubstitutePostprocessor, RawHtmlPostprocessor
from markdown.preprocessors import HtmlBlockPreprocessor, NormalizeWhitespace, Preprocessor
from markdown.serializers import (
    BOOLEAN_ATTRIBUTES,
    _escape_attrib_html,
    _escape_cdata,
    _serialize_html,
    to_html_string,
)
from markdown.treeprocessors import InlineProcessor, Treeprocessor, UnescapeTreeprocessor
from markdown.util import Registry

# The inline patterns Python-Markdown registers with our extensions (tables, footnotes,
# fenced_code, attr_list, toc add none of their own except footnotes), and what each needs to see.
KNOWN_PATTERNS = frozenset({
    "backtick",  # ` (or \ before it)
    "escape",  # \
    "footnote", "reference", "link", "short_reference",  # [
    "image_link", "image_reference", "short_image_ref",  # ![
    "autolink", "automail", "html",  # <
    "entity",  # &
    "linebreak",  # two spaces before a newline
    "em_strong", "em_strong2", "strong", "emphasis", "strong_em", "em_strong_", "not_strong",  # * _
})
# Any character that one of the patterns above can start at, besides the two-space line break.
# Looked for with `in`, one after the other: several times faster than one regex search.
_TRIGGERS = ("`", "\\", "[", "<", "&", "*", "_")

# Block processor (registered name, class) -> strings one of which a block must contain for the
# processor to accept it, read off each processor's regex or test.
BLOCK_NEEDLES: dict[str, tuple[type[BlockProcessor], tuple[str, ...]]] = {
    "hashheader": (HashHeaderProcessor, ("#",)),  # a line starting with '#'
    "setextheader": (SetextHeaderProcessor, ("\n=", "\n-")),  # a second line of '=' or '-'
    "hr": (HRProcessor, ("-", "_", "*")),  # a line of three of one of them
    "quote": (BlockQuoteProcessor, (">",)),  # a line starting with '>'
    "table": (TableProcessor, ("|",)),  # a header row needs '|' for two cells or a border
    # These two accept every block, and give it back from `run` when their regex finds nothing.
    "reference": (ReferenceProcessor, ("]:",)),  # [id]: url
    "footnote": (FootnoteBlockProcessor, ("[^",)),  # [^1]: text
}


# Block processors (name, class name) that can come before the paragraph processor, and what a
# block must not start with or contain for each of them to refuse it:
PARAGRAPH_RIVALS: dict[str, str] = {
    "empty": EmptyBlockProcessor.__name__,  # an empty block, or one starting with "\n"
    "sitegen_see_also": "SeeAlsoProcessor",  # "[[" (markup.py, not imported here)
    "indent": ListIndentProcessor.__name__,  # starts with tab_length spaces
    "code": CodeBlockProcessor.__name__,  # starts with tab_length spaces
    "table": TableProcessor.__name__,  # "|"
    "hashheader": HashHeaderProcessor.__name__,  # "#"
    "setextheader": SetextHeaderProcessor.__name__,  # a second line starting with "=" or "-"
    "hr": HRProcessor.__name__,  # a line starting with "-", "_" or "*" after up to 3 spaces
    "olist": OListProcessor.__name__,  # starts with a digit (re's \d: any decimal digit), or spaces
    "ulist": UListProcessor.__name__,  # starts with "*", "+" or "-", or spaces
    "quote": BlockQuoteProcessor.__name__,  # ">"
    "footnote": FootnoteBlockProcessor.__name__,  # "[^"
    "reference": ReferenceProcessor.__name__,  # "]:"
}
_RIVAL_STARTS = frozenset("\n -_*+")
_RIVAL_LINE_STARTS = ("\n=", "\n-", "\n_", "\n*", "\n ")


class PlainParagraphs(BlockProcessor):
    """First in line: hands a block that every processor before the paragraph one would refuse
    straight to the paragraph processor (see PARAGRAPH_RIVALS)."""

    def __init__(self, parser: Any, paragraph: ParagraphProcessor):
        super().__init__(parser)
        self.paragraph = paragraph

    def test(self, parent: Any, block: str) -> bool:
        # Written out rather than one loop over the strings: asked for every block. Most
        # paragraphs of prose are one line, without '[' or ']'.
        first = block[:1]
        if first == "" or first in _RIVAL_STARTS or first.isdecimal():
            return False
        if "|" in block or "#" in block or ">" in block:
            return False
        if ("[" in block or "]" in block) and ("[[" in block or "[^" in block or "]:" in block):
            return False
        return "\n" not in block or not any_in(_RIVAL_LINE_STARTS, block)

    def run(self, parent: Any, blocks: list[str]) -> Any:
        return self.paragraph.run(parent, blocks)


class QuickInlineProcessor(InlineProcessor):
    """InlineProcessor that skips the pattern loop for text no inline pattern can match, and the
    placeholder search for text without one."""

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        # "\n" first: most texts are one line, and one character is found faster than three.
        if any_in(_TRIGGERS, data) or ("\n" in data and "  \n" in data):
            return super()._InlineProcessor__handleInline(data, patternIndex)  # type: ignore[misc]
        return data

    def _InlineProcessor__processPlaceholders(self, data: Any, parent: Any, isText: bool = True) -> list:  # noqa: N802, N803
        # Text without a placeholder (most paragraphs) is only appended to the parent's text or
        # tail: what the original's loop does for it, after a search and a nested function.
        if type(data) is str and data and self._InlineProcessor__placeholder_prefix not in data:
            if isText:
                parent.text = parent.text + data if parent.text else data
            else:
                parent.tail = parent.tail + data if parent.tail else data
            return []
        return super()._InlineProcessor__processPlaceholders(data, parent, isText)  # type: ignore[misc]


class SortedRegistry(Registry):
    """A Registry that remembers its items in priority order until one is added or removed.

    Registry.__iter__ builds a new list on every call; the block parser iterates the block
    processors for every block of every document.
    """

    def __init__(self) -> None:
        super().__init__()
        self._in_order: tuple[Any, ...] | None = None

    def __iter__(self):
        if self._in_order is None:
            self._in_order = tuple(super().__iter__())
        return iter(self._in_order)

    def register(self, item: Any, name: str, priority: float) -> None:
        self._in_order = None
        super().register(item, name, priority)

    def deregister(self, name: str, strict: bool = True) -> None:
        self._in_order = None
        super().deregister(name, strict)


def _sorted_copy(registry: Registry) -> SortedRegistry:
    copy = SortedRegistry()
    registry._sort()  # registering in sorted order keeps the order of equal priorities
    for item in registry._priority:
        copy.register(registry[item.name], item.name, item.priority)
    return copy


def any_in(needles: tuple[str, ...], text: str) -> bool:
    """Whether one of `needles` is in `text` (a plain loop: `any(...)` costs more than it saves)."""
    for needle in needles:
        if needle in text:
            return True
    return False


def _needle_test(test: Callable[[Any, str], bool], needles: tuple[str, ...]) -> Callable[[Any, str], bool]:
    if len(needles) == 1:  # most: one `in`, without calling any_in (asked for every block)
        needle = needles[0]

        def quick_test_one(parent: Any, block: str) -> bool:
            return needle in block and test(parent, block)
        return quick_test_one

    def quick_test(parent: Any, block: str) -> bool:
        return any_in(needles, block) and test(parent, block)
    return quick_test


class SourceGates(Preprocessor):
    """Switches off, for one document, the passes that its source shows it cannot need.

    Runs right after NormalizeWhitespace, which deletes the STX/ETX characters Markdown keeps for
    its placeholders (so "[TO\x02C]" becomes "[TOC]"). Later passes only take text away (into
    the stashes, leaving placeholders made of letters and STX/ETX), so anything a pass looks for
    that is not in the text at this point never appears.
    """

    def __init__(self, md: markdown.Markdown, gates: list[tuple[tuple[str, ...], Gated]],
                 toc: TocTreeprocessor | None):
        super().__init__(md)
        self.gates = gates
        self.toc = toc
        self.toc_marker = toc.marker if toc is not None else ""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        for needles, gated in self.gates:
            gated.enabled = any_in(needles, source)
        if self.toc is not None and self.toc_marker:
            # The marker is found as the whole text of an element, so it is in the source too.
            self.toc.marker = self.toc_marker if self.toc_marker in source else ""
        return lines


class Gated:
    """A pre- or treeprocessor that SourceGates can switch off for a document."""

    def __init__(self, inner: Preprocessor | Treeprocessor):
        self.inner = inner
        self.enabled = True

    def __getattr__(self, name: str) -> Any:
        # Other processors reach into this one by name (inline patterns read `unescape`'s RE).
        return getattr(self.inner, name)

    def run(self, data: Any) -> Any:
        if self.enabled:
            return self.inner.run(data)
        # Unchanged: a preprocessor returns its lines, a treeprocessor None (the same root).
        return data if isinstance(self.inner, Preprocessor) else None


# Passes that SourceGates may switch off: (registry, name, class) -> strings one of which the
# document must contain for the pass to change anything.
SOURCE_GATES: dict[tuple[str, str, type], tuple[str, ...]] = {
    # An attribute list is `{...}` in some text: '{' cannot come from anywhere else (escapes and
    # entities are still placeholders when this pass runs).
    ("treeprocessors", "attr_list", AttrListTreeprocessor): ("{",),
    # Backslash escapes (and escaped backslashes in code spans) are the only STX<digits>ETX
    # placeholders this pass turns back into characters.
    ("treeprocessors", "unescape", UnescapeTreeprocessor): ("\\",),
    ("preprocessors", "fenced_code_block", FencedBlockPreprocessor): ("```", "~~~"),
    # Raw HTML starts with '<'; '&' starts an entity, which the HTML parser also handles apart
    # (to no effect outside raw HTML, it seems; kept to be safe). Without either, the parser
    # passes the whole text through as data.
    ("preprocessors", "html_block", HtmlBlockPreprocessor): ("<", "&"),
}


def install(md: markdown.Markdown) -> None:
    """Install every speed-up whose assumptions hold for `md`'s processors."""
    md.preprocessors = _sorted_copy(md.preprocessors)
    md.parser.blockprocessors = _sorted_copy(md.parser.blockprocessors)
    md.treeprocessors = _sorted_copy(md.treeprocessors)
    md.postprocessors = _sorted_copy(md.postprocessors)
    _install_block_level_set(md)
    _install_quick_inline(md)
    _install_block_needles(md)
    _install_source_gates(md)  # before _install_quick_normalize: it looks for the original class
    _install_quick_normalize(md)
    _install_quick_toc(md)
    _install_plain_paragraphs(md)
    _install_quick_serializer(md)


def _install_block_level_set(md: markdown.Markdown) -> None:
    # The list is final once the extensions are loaded; a set answers in one step, and the answer
    # for each tag name is remembered (asked ~90 times per document, about a dozen names).
    block_level = frozenset(md.block_level_elements)
    known: dict[str, bool] = {}

    def is_block_level(tag: Any) -> bool:
        if type(tag) is not str:
            return isinstance(tag, str) and tag.lower().rstrip("/") in block_level
        answer = known.get(tag)
        if answer is None:
            if len(known) > 1000:  # bounded, whatever the documents hold
                known.clear()
            answer = known[tag] = tag.lower().rstrip("/") in block_level
        return answer
    md.is_block_level = is_block_level  # type: ignore[method-assign]


def _install_quick_inline(md: markdown.Markdown) -> None:
    """Swap in the quick inline processor when every registered pattern is a known one."""
    names = {item.name for item in md.inlinePatterns._priority}
    inline = md.treeprocessors["inline"] if "inline" in md.treeprocessors else None
    if not names <= KNOWN_PATTERNS or type(inline) is not InlineProcessor:
        return
    md.treeprocessors.register(QuickInlineProcessor(md), "inline", _priority(md.treeprocessors, "inline"))


def _install_block_needles(md: markdown.Markdown) -> None:
    for processor_name in [item.name for item in md.parser.blockprocessors._priority]:
        processor: BlockProcessor = md.parser.blockprocessors[processor_name]
        kind, needles = BLOCK_NEEDLES.get(processor_name, (None, ()))
        if type(processor) is kind:
            processor.test = _needle_test(processor.test, needles)  # type: ignore[method-assign]


def _install_source_gates(md: markdown.Markdown) -> None:
    if type(_get(md.preprocessors, "normalize_whitespace")) is not NormalizeWhitespace:
        return
    at = _priority(md.preprocessors, "normalize_whitespace") - 0.5
    gates = []
    for (registry_name, name, kind), needles in SOURCE_GATES.items():
        registry = getattr(md, registry_name)
        processor = _get(registry, name)
        if type(processor) is kind and (registry_name != "preprocessors" or _priority(registry, name) < at):
            gated = Gated(processor)
            registry.register(gated, name, _priority(registry, name))
            gates.append((needles, gated))
    toc = _get(md.treeprocessors, "toc")
    md.preprocessors.register(SourceGates(md, gates, toc if type(toc) is TocTreeprocessor else None),
                              "sitegen_source_gates", at)


def _get(registry: Registry, name: str) -> Any:
    return registry[name] if name in registry else None


def _priority(registry: Registry, name: str) -> float:
    return next(item.priority for item in registry._priority if item.name == name)


# Postprocessors that change nothing in text without an STX character: each replaces
# placeholders that start with one (stashed HTML, '&' substitutes, footnote back-links).
# sitegen's LtrCode (markup.py, not imported here) looks for '<pre' or '<code'.
TEXT_SAFE_POSTPROCESSORS: dict[str, str] = {
    "raw_html": RawHtmlPostprocessor.__name__,
    "footnote": FootnotePostprocessor.__name__,
    "amp_substitute": AndSubstitutePostprocessor.__name__,
    "sitegen_ltr_code": "LtrCode",
}
_STX = "\x02"


def quick_render_inner_html(el: Any, md: markdown.Markdown) -> str:
    """toc.render_inner_html, for a plain-text heading of an instance with the quick TOC.

    Such a heading serialises as `<hN>` + escaped text + `</hN>` + escaped tail: the original
    cuts out the escaped text, and its unescape pass and postprocessors only replace
    placeholders, which start with STX. Anything else goes to the original function.
    """
    text = el.text or ""
    if (getattr(md, "sitegen_quick_toc", False) and not len(el) and not el.attrib
            and _STX not in text and _STX not in (el.tail or "")):
        return _escape_cdata(text).strip()
    return _plain_render_inner_html(el, md)


_plain_render_inner_html = toc_module.render_inner_html


def quick_strip_tags(text: str) -> str:
    """toc.strip_tags for any text: without a '<' there is no comment or tag to take out (both
    start with one), and what is left is its whitespace folding."""
    if "<" not in text:
        return " ".join(text.split())
    return _plain_strip_tags(text)


def quick_unescape(text: str) -> str:
    """toc.unescape (which makes an UnescapeTreeprocessor per call) for any text: backslash
    escapes are STX<digits>ETX placeholders, so text without STX is returned as it is."""
    return _plain_unescape(text) if _STX in text else text


_plain_strip_tags = toc_module.strip_tags
_plain_unescape = toc_module.unescape


def _install_quick_toc(md: markdown.Markdown) -> None:
    # TocTreeprocessor.run calls the module's render_inner_html for every heading; the function
    # put there passes every instance but this one (which says so) to the original.
    toc = _get(md.treeprocessors, "toc")
    postprocessors = {item.name: type(md.postprocessors[item.name]).__name__
                      for item in md.postprocessors._priority}
    if type(toc) is not TocTreeprocessor or not postprocessors.items() <= TEXT_SAFE_POSTPROCESSORS.items():
        return
    toc_module.render_inner_html = quick_render_inner_html
    # Equal to the originals for every input, so they serve every instance.
    toc_module.strip_tags = quick_strip_tags
    toc_module.unescape = quick_unescape
    md.sitegen_quick_toc = True  # type: ignore[attr-defined]


class QuickNormalizeWhitespace(NormalizeWhitespace):
    """NormalizeWhitespace.run (Python-Markdown 3.x, copied), whose last pass empties lines made
    of spaces: a regex with a look-behind tried at every character of the document, most of
    the pass's time. A line that ends in a space is the only thing it can change, so the pass
    is skipped when the text has no space before a newline."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        source = source.replace(util.STX, "").replace(util.ETX, "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        if " \n" in source:
            source = re.sub(r"(?<=\n) +\n", "\n", source)
        return source.split("\n")


def _install_quick_normalize(md: markdown.Markdown) -> None:
    if type(_get(md.preprocessors, "normalize_whitespace")) is NormalizeWhitespace:
        md.preprocessors.register(QuickNormalizeWhitespace(md), "normalize_whitespace",
                                  _priority(md.preprocessors, "normalize_whitespace"))


def _install_plain_paragraphs(md: markdown.Markdown) -> None:
    processors = md.parser.blockprocessors
    order = [(item.name, type(processors[item.name]).__name__) for item in processors._priority]
    if (md.tab_length < 1 or not order or order[-1] != ("paragraph", ParagraphProcessor.__name__)
            or not set(order[:-1]) <= PARAGRAPH_RIVALS.items()):
        return
    first = max(item.priority for item in processors._priority) + 1
    quick = PlainParagraphs(md.parser, processors["paragraph"])
    processors.register(quick, "sitegen_plain_paragraphs", first)


def _install_quick_serializer(md: markdown.Markdown) -> None:
    if md.serializer is to_html_string:
        md.serializer = quick_to_html_string


_EMPTY_HTML = frozenset(HTML_EMPTY)
_BOOLEAN_HTML = BOOLEAN_ATTRIBUTES["html"]
_RAW_TEXT = ("script", "style")
_MAX_DEPTH = 200  # deeper than this, Markdown's own serialiser (a loop, not recursion) goes on


def quick_to_html_string(element: Any) -> str:
    """markdown.serializers.to_html_string(element), the same string."""
    parts: list[str] = []
    _serialize(parts.append, element, 0)
    return "".join(parts)


def _serialize(write: Callable[[str], None], el: Any, depth: int) -> None:
    """One element, its children and its tail, as Markdown's _serialize_html writes them."""
    tag = el.tag
    if tag.__class__ is not str or depth > _MAX_DEPTH:
        _serialize_html(write, el, "html")  # writes the tail too
        return
    write(f"<{tag}")
    items = el.items()
    if items:
        for key, value in sorted(items):
            if isinstance(key, QName):  # as Markdown's own serialiser takes them
                key = key.text
            if value is None:
                write(f" {key}")
                continue
            if isinstance(value, QName):
                value = value.text
            value = _escape_attrib_html(value)
            if key == value and key in _BOOLEAN_HTML:
                write(f" {value}")
            else:
                write(f' {key}="{value}"')
    write(">")
    lowered = tag.lower()
    text = el.text
    if text:
        write(text if lowered in _RAW_TEXT else _escape_cdata(text))
    for child in el:
        _serialize(write, child, depth + 1)
    if lowered not in _EMPTY_HTML:
        write(f"</{tag}>")
    if el.tail:
        write(_escape_cdata(el.tail))
