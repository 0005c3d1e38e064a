"""Speed-ups that must not change results: each fast path against the plain computation it
replaces, on tricky inputs."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen import arabic, markdown_speedups, markup, textsim
from sitegen.arabic import INVISIBLE, STOP_WORDS, light_stem, tokenize
from sitegen.markup import MarkdownRenderer

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Letters with folds, harakat, tatweel, invisible and bidi characters, presentation forms and
# ligatures that NFKC expands to several words (ﷺ), every kind of whitespace, digits, punctuation.
TRICKY = list("أإآٱاىيةؤئءـًٌٍَُِّْٰ\u0301\u200b\u200c\u200d\u202b\u202e\u2066\u061c\ufeff\u00ad"
              "ﻻﷲﷺﺍ٠١٩۰۹0123 \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u1680\u2002\u2028\u3000"
              "«»،؛؟!.-_:والمدارسالانتخاباتفيمنAbcΣσς")
TEXT = st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters()), max_size=60)


def plain_features(text: str) -> dict[str, int]:
    """textsim.features as first written: every token of the whole text, one by one."""
    counts = Counter(token for token in tokenize(text)
                     if len(token) > 1 and token not in STOP_WORDS and not token.isdigit())
    found = dict(counts)
    for token, count in counts.items():
        stem = textsim.STEM + light_stem(token)
        found[stem] = found.get(stem, 0) + count
    return found


@FUZZ
@given(st.lists(TEXT, max_size=6))
def test_features_per_word_equal_features_of_the_whole_text(parts):
    text = " ".join(parts)
    # Same features, same counts, in the same order.
    assert list(textsim.features(text).items()) == list(plain_features(text).items())


def test_features_of_arabic_prose_with_repeats_and_punctuation():
    text = ("«الانتخابات» بالانتخابات، والمدارس المدارس. في 2024 قال الوزير: الانتخابات\u200b"
            "الرئاسية ﷺ الاقتـصاد الإقتصاد")
    assert textsim.features(text) == plain_features(text)
    assert textsim.features(text) == plain_features(text)  # again, from the memo


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(textsim, "_MEMO_MAX", 3)
    for n in range(10):
        text = f"كلمة{n} أخرى{n} ثالثة{n}"
        assert textsim.features(text) == plain_features(text)
    assert len(textsim._word_tokens) <= 6


def test_whitespace_separates_tokens_whatever_matching_key_does():
    # What per-word tokenising relies on: no whitespace is deleted by matching_key's folding, and
    # NFKC turns no whitespace character into something that could join two words.
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    assert not set(spaces) & INVISIBLE
    for space in spaces:
        assert unicodedata.normalize("NFKC", space).isspace()
        assert tokenize(f"ب{space}ت") == ["ب", "ت"]


# Markdown: the configured instance with markdown_speedups against the same without them. One
# renderer of each renders every document in turn, so state left by one document (a switched-off
# pass, a cached order) would show in the next.
FAST, PLAIN = MarkdownRenderer(), MarkdownRenderer(speedups=False)

TRICKY_DOCUMENTS = [
    # Footnotes: references, a repeated one, one in a heading, definitions spanning lines.
    "نص[^1] وآخر[^note] ومكرر[^1].\n\n## عنوان[^1]\n\n[^1]: حاشية أولى.\n    تكملة.\n\n"
    "[^note]: حاشية {ثانية}.\n",
    "[^1]: تعريف بلا إشارة.\n\nفقرة.\n",
    # Attribute lists on a paragraph, a heading, inline elements, list items and table cells.
    "فقرة مميزة\n{: .lead #p1 }\n\n## عنوان {#custom-id}\n\n*مائل*{: .x } و`كود`{: dir=rtl }\n\n"
    "- بند {: .item }\n- بند آخر\n\n| أ | ب |\n|---|---|\n| خلية {: .c } | 2 |\n",
    "## عنوان\n\n## عنوان\n\n## عنوان_1\n\n### عنوان\n\n## Apple و«سامسونج» & co\n\n#### عميق\n",
    "## ذو معرف {#عنوان}\n\n## عنوان\n\n# رئيسي #\n\nعنوان سطري\n=====\n\nآخر\n---\n",
    # Raw HTML blocks and inline HTML, comments and the more marker.
    '<div class="box">\n<p>فقرة {خام}</p>\n</div>\n\nنص <span title="x>y">داخل</span> &amp; &#123;كيان&#125;.\n\n'
    "<!--more-->\n\n<pre>  [TOC]  </pre>\n",
    # Code: fenced, indented and inline, holding the characters the shortcuts look for.
    "```python\n# ليس عنواناً\n{'a': 1} | x > 0\n[TOC]\n```\n\n    مسافة بادئة {: .x }\n    # كود\n\n"
    "نص `{: .y }` و``[^1]`` و `|`.\n",
    # The table-of-contents marker, escaped, inside other text, and alone.
    "[TOC]\n\n## أول\n\nنص.\n\n## ثان\n",
    "\\[TOC\\] و [TOC] داخل جملة.\n\n## قسم\n",
    # Horizontal rules, quotes, lists, references, tables without borders, cards.
    "***\n\n- - -\n\n___\n\n> اقتباس\n> - بند\n>\n> > متداخل\n\n1. أول\n2. ثان\n\n* نجمة\n+ زائد\n",
    "رابط [مرجع][1] و[آخر].\n\n[1]: https://example.org/ \"عنوان\"\n[آخر]: <https://example.org/a>\n",
    "أ | ب\n--|--\n1 | 2\n\n| وحيد |\n|---|\n| صف |\n\nليس | جدولاً\n\n[[شاهد أيضاً: خبر-آخر]]\n\n"
    "[خبر](other.md#جزء)\n",
    "|أ|ب|\n|:-|-:|\n|1|2|\n\n[رابط][r]\n\n[r]:/a\n[s]:\n  /b 't'\n",
    "نص\twith\ttabs\r\nوسطر\r\n\r\n## عنوان \\# مهرب\n\nسطر  \nمكسور\n",
    "",
    "\n\n   \n",
    # Markdown deletes STX/ETX first, which can make a marker, a fence or an entity out of parts.
    "[TO\x02C]\n\n## قسم\n\n``\x03`\nكود\n`\x02``\n\nفقرة\n{\x02: .lead }\n\n&\x02amp; <\x03b>غامق</b>\n",
    "~~~\nكود {: .x }\n~~~\n\nنص & رمز و&copy; فقط\n",
    "<b>وسم</b> وحده\n",
]


def assert_same_rendering(text: str) -> None:
    assert FAST.render(text, 5) == PLAIN.render(text, 5)


def test_tricky_documents_render_the_same_with_the_speedups():
    for text in TRICKY_DOCUMENTS + TRICKY_DOCUMENTS[::-1]:
        assert_same_rendering(text)


MARKDOWN_BITS = ["#", "## ", "=", "-", "*", "_", ">", "|", "{", "}", ":", ".", "[", "]", "^", "(",
                 ")", "!", "`", "```", "~~~", "\\", "<", "</", "div>", "span>", "&", ";", "#123",
                 "[TOC]", "[^1]", "[^1]: ", "{: .x }", "{#i}", "[1]: /a", "[[شاهد أيضاً: س]]", "1. ",
                 "- ", "    ", "\t", " ", "  \n", "\n", "\n\n", "\r\n", "نص", "عنوان", "x.md", "http://a"]


@FUZZ
@given(st.lists(st.sampled_from(MARKDOWN_BITS), max_size=40))
def test_random_markdown_renders_the_same_with_the_speedups(bits):
    assert_same_rendering("".join(bits))


def test_an_unknown_inline_pattern_leaves_the_inline_shortcut_out():
    renderer = MarkdownRenderer()
    md = renderer._md
    assert type(md.treeprocessors["inline"]).__name__ == "QuickInlineProcessor"
    plain = MarkdownRenderer(speedups=False)._md
    plain.inlinePatterns.register(plain.inlinePatterns["em_strong"], "unknown", 1)
    markdown_speedups.install(plain)
    assert type(plain.treeprocessors["inline"]).__name__ == "InlineProcessor"


@FUZZ
@given(TEXT)
def test_arabic_translators_equal_str_translate(text):
    for table, translate in [(arabic._DROP_INVISIBLE, arabic.strip_invisible),
                             (arabic._DROP_TATWEEL, arabic.strip_tatweel),
                             (arabic._DROP_HARAKAT, arabic.strip_harakat),
                             (arabic._TO_ASCII_DIGITS, arabic.to_ascii_digits),
                             (arabic._MATCHING_TABLE, arabic._fold_for_matching)]:
        assert translate(text) == text.translate(table)


def test_arabic_translators_on_every_character_they_change():
    for table in [arabic._DROP_HARAKAT, arabic._MATCHING_TABLE, arabic._TO_ASCII_DIGITS]:
        text = "".join(map(chr, table)) + "نص ع" + "".join(map(chr, table))
        assert arabic._translator(table)(text) == text.translate(table)


@FUZZ
@given(st.lists(TEXT, max_size=6))
def test_word_count_by_chunks_equals_counting_the_whole_text(parts):
    text = " ".join(parts)
    assert markup._count_words(text) == len(re.findall(r"\w+", text))
    assert markup._count_words(text) == len(re.findall(r"\w+", text))  # again, from the memo


QUICK_TOC_HEADINGS = ["عنوان بسيط", "  مسافات  ", "Apple و«سامسونج» & co < 3 > 2", "a &amp; b &#123; &copy;",
                      "نص \\# مهرب \\\\ و\\*", "*مائل* و**غامق**", "`كود <b>`", "<b>خام</b> و<span>x</span>",
                      "رابط [هنا](/a) و<https://e.org>", "عنوان[^1]", "عنوان {#معرف}", "عنوان {: .x }",
                      "\"اقتباس\" و'مفرد'", "", "# #", "tab\tهنا", "  \n"]


def test_headings_render_the_same_with_the_quick_table_of_contents():
    assert FAST._md.sitegen_quick_toc and not hasattr(PLAIN._md, "sitegen_quick_toc")
    for level in ("#", "##", "###", "####"):
        text = "".join(f"{level} {heading}\n\nفقرة.\n\n" for heading in QUICK_TOC_HEADINGS) + "[^1]: ح.\n"
        assert_same_rendering(text)
        assert_same_rendering(text.replace("\n\nفقرة.\n\n", "\n"))  # headings back to back


def test_an_unknown_postprocessor_leaves_the_quick_table_of_contents_out():
    plain = MarkdownRenderer(speedups=False)._md
    plain.postprocessors.register(plain.postprocessors["amp_substitute"], "unknown", 1)
    markdown_speedups.install(plain)
    assert not hasattr(plain, "sitegen_quick_toc")


@pytest.mark.parametrize("text", ["أ\n   \nب\n", "أ\n\t\nب", "أ  \nب\n \n \n- ج\n    \n- د", "أ\r\n \r\nب",
                                  "    كود\n      \n    تكملة\n", "> أ\n>  \n> ب", "أ\nب\n\n\nج", "  ", " \n"])
def test_lines_of_spaces_and_trailing_spaces_render_the_same(text):
    assert type(FAST._md.preprocessors["normalize_whitespace"]).__name__ == "QuickNormalizeWhitespace"
    assert_same_rendering(text)


def plain_text_with_regexes(html: str) -> str:
    """markup.plain_text as first written."""
    import html as html_lib

    text = re.sub(r"<sup[^>]*>.*?</sup>", "", html, flags=re.S)
    text = markup._BLOCK_TAG.sub(" ", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()


HTML_BITS = ["<p>", "</p>", "<sup id=\"x\">", "</sup>", "<SUP>", "<a href=\"#\">", "</a>", "<br>",
             "&amp;", "&nbsp;", "&#x2028;", "&lt;b&gt;", "<!--more-->", "<", ">", "\n", " "]


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(HTML_BITS), TEXT), max_size=12))
def test_plain_text_equals_the_regex_version(bits):
    html = "".join(bits)
    assert markup.plain_text(html) == plain_text_with_regexes(html)


# Blocks that look like paragraphs until a later character, a later line or the first character
# says otherwise: each must reach the processor it reached before the plain-paragraph shortcut.
PARAGRAPH_LOOKALIKES = [
    "فقرة\n=====\n\nفقرة\n-----\n", "فقرة\n- بند\n- بند\n", "فقرة\n* * *\n", "فقرة\n___\n",
    "فقرة\n    مسافات\n", "فقرة\n> اقتباس\n", "٣. بند\n٤. بند\n", "3. بند\n", "+ بند\n", "١٢٣ رقم أولاً\n",
    "فقرة | عمود\n--- | ---\nأ | ب\n", "فقرة # ليست عنواناً\n", "فقرة\n# عنوان\n", "نص[^1]\n\n[^1]: ح\n",
    "[مرجع]: /a\n", "نص [مرجع]\n\n[مرجع]: /a\n", "[[شاهد أيضاً: خبر]]\n", "فقرة\n\n\n\nفقرة\n",
    "- بند\n\n    فقرة داخل البند\n\n    تكملة\n\nفقرة بعد القائمة\n", "1. أ\n\n2. ب\nتكملة كسولة\n",
    "> اقتباس\nتكملة كسولة\n\nفقرة\n", "- بند\nسطر تابع\n- بند\n", "نص\n\n    كود\n\nنص\n",
    "Apple تعلن\n\n«اقتباس» أول\n\n(قوس) أول\n\n_مائل_ أول\n\n*مائل* أول\n\n<b>خام</b>\n",
]


@pytest.mark.parametrize("text", PARAGRAPH_LOOKALIKES)
def test_blocks_that_only_look_like_paragraphs_render_the_same(text):
    assert "sitegen_plain_paragraphs" in FAST._md.parser.blockprocessors
    assert_same_rendering(text)
    assert_same_rendering(text.replace("\n\n", "\n"))


def test_an_unknown_block_processor_leaves_the_paragraph_shortcut_out():
    plain = MarkdownRenderer(speedups=False)._md
    plain.parser.blockprocessors.register(plain.parser.blockprocessors["quote"], "unknown", 25)
    markdown_speedups.install(plain)
    assert "sitegen_plain_paragraphs" not in plain.parser.blockprocessors


WORD_AS_FIRST_WRITTEN = re.compile(rf"(?:[^\W_][{arabic._combining_marks()}]*)+")


@FUZZ
@given(TEXT)
def test_words_are_the_runs_the_first_pattern_found(text):
    assert arabic.find_words(text) == WORD_AS_FIRST_WRITTEN.findall(text)
    nfkc = unicodedata.normalize("NFKC", text)
    assert arabic.find_words(nfkc) == WORD_AS_FIRST_WRITTEN.findall(nfkc)


@FUZZ
@given(TEXT)
def test_slug_folding_in_one_pass_equals_the_four_steps(text):
    steps = arabic.to_ascii_digits(arabic.strip_invisible(arabic.strip_tatweel(arabic.strip_harakat(text))))
    assert arabic.strip_for_slug(text) == steps


def test_words_with_marks_digits_and_underscores():
    for text in ["नमस्ते दुनिया", "مَدْرَسَة_الحيّ", "\u0301أ", "أ\u0301\u0301ب", "a_b__c", "x\ufe0f❤️", "٣٤٥ ۱۲"]:
        assert arabic.find_words(text) == WORD_AS_FIRST_WRITTEN.findall(text)


TOC_TEXT_BITS = ["<", ">", "<!--", "-->", "<b>", "</b>", "<a href='>'>", "\x02", "\x03", "\x0242\x03",
                 "\x02wzxhzdk:0\x03", "&amp;", " ", "\n", "\u2028", "\xa0"]


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(TOC_TEXT_BITS), TEXT), max_size=10))
def test_quick_tag_stripping_and_unescaping_equal_the_toc_functions(bits):
    text = "".join(bits)
    assert markdown_speedups.quick_strip_tags(text) == markdown_speedups._plain_strip_tags(text)
    assert markdown_speedups.quick_unescape(text) == markdown_speedups._plain_unescape(text)


@pytest.mark.parametrize("text", [
    "نص <b>خام</b> ذيل و`كود` ذيل *مائل* ذيل [رابط](/a) ذيل\n",
    "- بند *مائل* ذيل\n    - متداخل `كود`\n\n> اقتباس **غامق** و&amp; ذيل\n",
    "## عنوان *مائل* ذيل\n\nنص[^1] ذيل\n\n[^1]: حاشية *مائلة*\n",
    "<span>خام</span>\n\nنص \\*مهرب\\* ذيل\n",
])
def test_text_with_and_without_placeholders_renders_the_same(text):
    assert_same_rendering(text)


def test_block_level_answers_equal_markdowns_own():
    import xml.etree.ElementTree as etree

    import markdown

    tags = ["p", "P", "div", "DIV/", "pre", "code", "span", "a", "sitegen-card", "hr/", "", "x" * 50,
            etree.Comment, None, 3]
    for _ in range(2):  # the second time from what the quick test remembered
        for tag in tags:
            assert FAST._md.is_block_level(tag) == markdown.Markdown.is_block_level(PLAIN._md, tag), tag


def _tree_for_the_serializer():
    """Every kind of node Markdown's serializer knows: plain and QName tags and attributes,
    boolean and valueless attributes, comments, processing instructions, tagless elements,
    empty (void) elements with text and tails, raw-text elements, and nesting deeper than Python
    lets a function recurse."""
    from xml.etree.ElementTree import Comment, Element, ProcessingInstruction, QName, SubElement

    root = Element("div", {"class": "a&b <c>", "id": 'q"1'})
    root.text = "نص & <وسم> &amp; كيان"
    SubElement(root, "input", {"checked": "checked", "disabled": None, "value": "x\ny"}).tail = " ذيل <"
    SubElement(root, "br").tail = "بعد الفاصل"
    hr = SubElement(root, "hr")
    hr.text = "نص في عنصر فارغ"
    script = SubElement(root, "SCRIPT")
    script.text = "if (a < b && c > d) {}"
    style = SubElement(root, "style")
    style.text = "a > b { color: red }"
    root.append(Comment(" تعليق & <b> "))
    root[-1].tail = "بعد التعليق"
    root.append(ProcessingInstruction("php", "echo 1;"))
    tagless = SubElement(root, None)
    tagless.text = "بلا وسم & "
    SubElement(tagless, "em").text = "مائل"
    tagless.tail = "ذيل"
    SubElement(root, QName("{urn:x}svg"), {QName("title"): QName("قيمة")}).text = "مساحة أسماء"
    deep = SubElement(root, "blockquote")
    for level in range(sys.getrecursionlimit() + 100):  # the quick one hands it over in time
        deep = SubElement(deep, "span" if level % 2 else "q", {"data-n": str(level)})
        deep.text, deep.tail = f"{level} &", "<"
    return root


def test_the_quick_serializer_writes_what_markdowns_own_writes():
    from markdown.serializers import to_html_string

    tree = _tree_for_the_serializer()
    assert markdown_speedups.quick_to_html_string(tree) == to_html_string(tree)
    for child in tree:  # each kind of node at the top too
        assert markdown_speedups.quick_to_html_string(child) == to_html_string(child)


def test_the_quick_serializer_is_the_one_markdown_uses():
    assert FAST._md.serializer is markdown_speedups.quick_to_html_string
    assert PLAIN._md.serializer is not markdown_speedups.quick_to_html_string


@pytest.mark.parametrize("domain", [50, 1 << 30])  # a table of the keys, and np.unique itself
def test_unique_by_table_equals_numpys(domain):
    import numpy as np

    from sitegen import text_index

    keys = np.random.default_rng(7).integers(0, min(domain, 50), 1000) * (domain // 50)
    found, inverse = text_index._unique(keys, domain)
    expected, expected_inverse = np.unique(keys, return_inverse=True)
    assert found.tolist() == expected.tolist() and inverse.tolist() == expected_inverse.tolist()
    assert text_index._unique(keys[:0], domain)[0].tolist() == []
