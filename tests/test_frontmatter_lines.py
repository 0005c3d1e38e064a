"""The line reader for simple front matter (frontmatter_lines.py) against PyYAML itself: whenever
it reads a text, every entry (value, its type, line, columns, raw scalar) is what the YAML path
gives; whatever YAML reads otherwise or refuses, it leaves to YAML."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen import frontmatter_lines
from sitegen.frontmatter_yaml import _entries, _mapping_entries

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def by_yaml(text: str):
    """Entries as the pure-Python PyYAML path makes them, or None where YAML refuses the text."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    if not isinstance(node, yaml.MappingNode):
        return None
    entries, problems = _mapping_entries(loader, node, "x.md", 0)
    return entries, problems


def by_lines(text: str):
    found = frontmatter_lines.read(text, LOADER)
    if found is None:
        return None
    return {key: (value, line + 1, 1, col + 1, raw) for key, value, line, col, raw in found}


def same_as_yaml(text: str) -> bool:
    """Whether the line reader read `text`; if it did, asserts that YAML reads the same."""
    found = by_lines(text)
    if found is None:
        return False
    reference = by_yaml(text)
    assert reference is not None, f"YAML refuses {text!r}"
    entries, problems = reference
    assert not problems
    assert list(found) == list(entries)
    for key, entry in entries.items():
        value, line, key_col, value_col, raw = found[key]
        assert (value, type(value)) == (entry.value, type(entry.value)), key
        assert repr(value) == repr(entry.value)  # same time zone objects, same list items
        assert (line, key_col, value_col, raw) == (entry.line, entry.key_col, entry.value_col, entry.raw)
    return True


READ = [
    '\ntitle: "عنوان: مع نقطتين"\ndate: 2023-12-08T11:56:24+03:00\ncategory: سياسة\n'
    'tags: ["إصلاح دستوري", "انتخابات"]\nauthor: هالة بكري\n',
    "title: خبر\ndate: 2024-01-01\n",
    "date: 2024-01-01 10:00:00\nupdated: 2024-01-01T10:00:00Z\nx: 2024-01-01T10:00:00.5-03:30\n",
    "date: 2024-01-01T10:00:00+00:00\nother: 2024-1-1T1:00:00+3\n",
    "draft: true\nd2: no\nn: 12\nf: 1.5\no: 0o17\nh: 0x1f\ninf: .inf\n",
    "tags:\n  - أ\n  - \"ب: ج\"\n  - د هـ\ntitle: س\n",
    "tags:\n- أ\n- ب\n",
    'tags: []\nempty: ""\nsp: [ "أ" ,"ب" ]   \n',
    "title:    مسافات   قبل وبعد   \n\n   \nslug: a-b\n",
    "title: O'Brien يزور [المدينة] {اليوم} - 100%\n",
    "title: a:b c#d http://x.y/z?q=1\n",
    "title: ~x\nn: ~\n",
]
LEFT_TO_YAML = [
    "title: 'مفرد'\n",  # single quotes
    'title: "سطر \\" مع"\n',  # an escape
    "title: خبر # تعليق\n",  # a comment
    "# تعليق\ntitle: خبر\n",
    "title: خبر\ntitle: آخر\n",  # duplicate key: YAML's path reports it
    "title: عنوان\n  يتابع في السطر التالي\n",  # a plain scalar over two lines
    'title: "عنوان\n  يتابع"\n',
    "tags: [أ, ب]\n",  # plain items in a flow list
    'tags: ["أ",\n  "ب"]\n',
    "tags:\n  - أ\n\n  - ب\n",  # a blank line inside a list
    "tags:\n  - أ\n    - ب\n",
    "tags:\n  - 12\n",  # an item that is not text
    "tags:\n  - [أ]\n",
    "params:\n  a: b\n",  # nested mapping
    "title:\n",  # null
    "title: |\n  كتلة\n",
    "title: &a خبر\nb: *a\n",
    "title: !!str 12\n",
    "title: a: b\n",
    "title: خبر:\n",
    "bad: 2024-13-45\n",  # YAML reports it as unreadable
    "a: <<\n",  # the merge key's tag, no constructor for it as a value
    "a: =\n",
    "title: خبر\tمع جدولة\n",
    "title:خبر\n",
    "'key': قيمة\n",
    "key with space: قيمة\n",
    "- أ\n- ب\n",  # not a mapping
    "\n\n",
    "...\n",
    "title: خبر\n---\n",
    "n: -5\n",  # '-', '?' and ':' can start a plain scalar; these rules leave it to YAML
    "q: ?x\n",
]


@pytest.mark.parametrize("text", READ)
def test_simple_front_matter_is_read_as_yaml_reads_it(text):
    assert same_as_yaml(text)


@pytest.mark.parametrize("text", LEFT_TO_YAML)
def test_anything_else_is_left_to_yaml(text):
    assert by_lines(text) is None


def test_front_matter_entries_use_the_line_reader_and_keep_positions():
    text = "\ntitle: خبر\ndate: 2024-01-01\ntags:\n  - أ\n"
    entries, problems = _entries(text, "x.md", 3)
    assert not problems
    assert [(e.key, e.line, e.key_col, e.value_col, e.raw) for e in entries.values()] == [
        ("title", 5, 1, 8, "خبر"), ("date", 6, 1, 7, "2024-01-01"), ("tags", 7, 1, 3, None)]


def test_a_constructor_registered_for_text_sends_everything_to_yaml():
    class Custom(yaml.SafeLoader):
        pass

    Custom.add_constructor("tag:yaml.org,2002:str", lambda loader, node: "!")
    assert frontmatter_lines.read("title: خبر\n", Custom) is None
    Custom.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: "!")
    assert frontmatter_lines.read("date: 2024-01-01\n", Custom) is None


# Lines put together from pieces that YAML reads in many different ways.
KEYS = st.sampled_from(["title", "date", "tags", "a", "b_2", "yes", "- x", "#c", " title", "t:"])
WORDS = st.sampled_from([
    "خبر", "أ ب", "2024-01-01", "2024-01-01T10:00:00+03:00", "2024-13-45", "12", "1.5", "true",
    "null", "~", "", " ", "  ", ":", ": ", "#", " #", "-", "- ", "?", "'", '"', "[", "]", "{", "}",
    ",", "&a", "*a", "!", "|", ">", "%", "@", "`", "\\", "\t", "\u2028", "\xa0", "\ufeff", "x",
    "<<", "=", "0x1f", ".inf", "yes", "No", "a: b", "«مرحبا»",
])
VALUES = st.lists(WORDS, max_size=5).map("".join)
LINES = st.one_of(
    st.tuples(KEYS, st.sampled_from([": ", ":", ":  ", ": \"", ": [\""]), VALUES).map("".join),
    st.tuples(st.sampled_from(["- ", "  - ", "  -  ", "    - ", "-"]), VALUES).map("".join),
    VALUES,
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, min_size=1, max_size=6))
def test_whatever_the_line_reader_reads_yaml_reads_the_same(lines):
    same_as_yaml("\n".join(lines) + "\n")


# Mostly what the line reader takes, with a tricky piece now and then.
PLAIN_KEYS = st.sampled_from(["title", "date", "tags", "a", "b_2", "yes", "null"])
PLAIN_WORDS = st.one_of(st.sampled_from(["خبر", "أ ب", "2024-01-01", "12", "true", "x", "«م»", " "]),
                        WORDS)
PLAIN_VALUE = st.lists(PLAIN_WORDS, min_size=1, max_size=3).map("".join)
PLAIN_LINES = st.one_of(
    st.tuples(PLAIN_KEYS, st.just(": "), PLAIN_VALUE).map("".join),
    st.tuples(PLAIN_KEYS, st.just(': "'), PLAIN_VALUE, st.just('"')).map("".join),
    st.tuples(PLAIN_KEYS, st.just(': ["'), PLAIN_VALUE, st.sampled_from(['"]', '", "ب"]'])).map("".join),
    st.tuples(PLAIN_KEYS, st.just(":")).map("".join),
    st.tuples(st.sampled_from(["- ", "  - ", "  - \""]), PLAIN_VALUE).map("".join),
    st.just(""),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PLAIN_LINES, min_size=1, max_size=6))
def test_mostly_simple_lines(lines):
    same_as_yaml("\n".join(lines) + "\n")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(KEYS, WORDS, WORDS), min_size=1, max_size=5))
def test_key_value_lines_made_of_pieces(pairs):
    same_as_yaml("".join(f"{key}: {first}{second}\n" for key, first, second in pairs))


@pytest.mark.parametrize("zone", ["+03:00", "-03:30", "+00:00", "-00:00", "+05:45", "-12:00", "+14:00",
                                  "+23:59", "+24:00", "-24:00", "+99:00"])
@pytest.mark.parametrize("moment", ["2024-10-15T14:05:00", "2024-02-29T23:59:59", "2023-02-29T10:00:00",
                                    "2024-13-01T00:00:00", "2024-01-01T24:00:00", "2024-01-01T10:60:00",
                                    "0001-01-01T00:00:00", "9999-12-31T23:59:59"])
def test_iso_dates_read_as_yaml_reads_them(moment, zone):
    text = f"date: {moment}{zone}\n"
    if by_yaml(text)[0]["date"].value.__class__.__name__ == "Unreadable":
        assert by_lines(text) is None
    else:
        assert same_as_yaml(text)
