"""Speed-ups for Python-Markdown that leave its output byte for byte the same.

Markdown conversion is most of a cold build. Python-Markdown tries each of its ~15 inline patterns
on every run of text, one regex search after another, even when the text holds none of the
characters any of them starts with, which is most paragraphs of Arabic news prose. A text without
those characters cannot match, so it is passed through untouched: the same result, without the
searches. If any other inline pattern is registered (an extension we do not know), the shortcut
is not installed.
"""

from __future__ import annotations

import re

import markdown
from markdown.treeprocessors import InlineProcessor

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
# Any character (or the two-space line break) that one of the patterns above can start at.
_TRIGGER = re.compile(r"[`\\\[<&*_]|  \n")


class QuickInlineProcessor(InlineProcessor):
    """InlineProcessor that skips the pattern loop for text no inline pattern can match."""

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if _TRIGGER.search(data) is None:
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)  # type: ignore[misc]


def install(md: markdown.Markdown) -> bool:
    """Swap in the quick inline processor when every registered pattern is a known one."""
    names = {item.name for item in md.inlinePatterns._priority}
    inline = md.treeprocessors["inline"] if "inline" in md.treeprocessors else None
    if not names <= KNOWN_PATTERNS or type(inline) is not InlineProcessor:
        return False
    priority = next(item.priority for item in md.treeprocessors._priority if item.name == "inline")
    md.treeprocessors.register(QuickInlineProcessor(md), "inline", priority)
    return True
