"""Front matter in the plain shape nearly every article has, read line by line without YAML.

    title: "عنوان الخبر"
    date: 2024-10-15T14:05:00+03:00
    tags: ["أ", "ب"]            (or a block list: `tags:` then `  - أ` lines)
    category: سياسة

libyaml takes ~100 µs to compose such a mapping (it makes a Python node, two marks and a resolver
call per scalar); reading the lines takes a few. The rules here are PyYAML's for these shapes,
restricted to what is plainly unambiguous: anything else — comments, single quotes, escapes,
anchors, tags, block scalars, values over several lines, blank lines inside a list, duplicate
keys, a plain value YAML would build into something without a known constructor — gives None,
and YAML decides (frontmatter_yaml.py). tests/test_frontmatter.py compares both on tricky text.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import yaml

# (key, value, 0-based line in the YAML text, 0-based column of the value, scalar as written)
Line = tuple[str, Any, int, int, str | None]

# Characters that make YAML read a line otherwise than these rules say: tabs (indentation and
# separators), line breaks other than \n, a BOM, backslashes (escapes in double quotes). The
# caller has already sent text with non-printable characters to YAML.
_UNUSUAL = re.compile("[\t\r\x85\u2028\u2029\ufeff\\\\]")
# A key at the start of the line: a plain name, then ':' and a space or the end of the line.
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: +|\Z)")
_ITEM = re.compile(r"( *)- +(?=\S)")
_QUOTED = re.compile(r'"([^"]*)" *\Z')
_FLOW = re.compile(r'\[ *(?:"[^"]*" *(?:, *"[^"]*" *)*)?\] *\Z')
_FLOW_ITEM = re.compile(r'"([^"]*)"')
# A plain scalar may not start with an indicator (PyYAML's check_plain, minus the exceptions for
# '-', '?' and ':' before a non-space, which are simply left to YAML).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_ISO_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}\Z")
_SAFE = yaml.constructor.SafeConstructor


class _NotSimple(Exception):
    """This text is outside the shapes read here: YAML reads it."""


def read(text: str, loader: type[yaml.SafeLoader]) -> list[Line] | None:
    """The entries of a simple front matter `text` as `loader` would read them, or None."""
    constructors = loader.yaml_constructors
    if (_UNUSUAL.search(text) or loader.yaml_path_resolvers
            or constructors.get(_STR) is not _SAFE.construct_yaml_str
            or constructors.get(_SEQ) is not _SAFE.construct_yaml_seq):
        return None
    try:
        return _read(text.split("\n"), loader)
    except _NotSimple:
        return None


def _read(lines: list[str], loader: type[yaml.SafeLoader]) -> list[Line] | None:
    found: list[Line] = []
    keys: set[str] = set()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip(" "):
            continue
        match = _KEY.match(line)
        if match is None or match.group(1) in keys:
            raise _NotSimple
        key, col = match.group(1), match.end()
        keys.add(key)
        rest = line[col:].rstrip(" ")
        if rest:
            value, raw = _value(rest, loader)
            found.append((key, value, index - 1, col, raw))
            continue
        items, item_col, index = _block_list(lines, index, loader)
        found.append((key, items, index - len(items) - 1, item_col, None))
    return found or None


def _value(text: str, loader: type[yaml.SafeLoader]) -> tuple[Any, str | None]:
    """A value on the key's line: a double-quoted string, a flow list of them, or a plain scalar."""
    if text[0] == "[":
        if not _FLOW.match(text):
            raise _NotSimple
        return _FLOW_ITEM.findall(text), None
    scalar = _scalar(text)
    if text[0] == '"':
        return scalar, scalar
    return _construct(scalar, loader), scalar


def _block_list(lines: list[str], index: int, loader: type[yaml.SafeLoader]) -> tuple[list[str], int, int]:
    """`- item` lines right after a key with nothing after its ':', all at one indentation; items
    are text (a list holding anything else is YAML's business). Returns items, the column of the
    first '-' and the index of the line after the list."""
    items: list[str] = []
    indent = -1
    while index < len(lines):
        match = _ITEM.match(lines[index])
        if match is None or (indent >= 0 and len(match.group(1)) != indent):
            break
        indent = len(match.group(1))
        text = lines[index][match.end():].rstrip(" ")
        item = _scalar(text)
        if text[0] != '"' and _plain_tag(item, loader) != _STR:
            raise _NotSimple
        items.append(item)
        index += 1
    if not items:  # `key:` alone is null, or a nested mapping
        raise _NotSimple
    return items, indent, index


def _scalar(text: str) -> str:
    """The string a one-line double-quoted or plain scalar stands for."""
    if text[0] == '"':
        match = _QUOTED.match(text)
        if match is None:
            raise _NotSimple
        return match.group(1)
    # A plain scalar ends at ': ' or a final ':' (a mapping) and at ' #' (a comment).
    if text[0] in _INDICATORS or ": " in text or text.endswith(":") or " #" in text:
        raise _NotSimple
    return text


def _plain_tag(value: str, loader: type[yaml.SafeLoader]) -> str:
    """The tag `loader` resolves a plain scalar to (Resolver.resolve for a non-empty plain one)."""
    resolvers = loader.yaml_implicit_resolvers
    for tag, regexp in resolvers.get(value[0], []) + resolvers.get(None, []):
        if regexp.match(value):
            return tag
    return _STR


def _construct(value: str, loader: type[yaml.SafeLoader]) -> Any:
    """What `loader` constructs from a plain scalar: text, or a date, number, true/false..."""
    tag = _plain_tag(value, loader)
    constructor = loader.yaml_constructors.get(tag)
    if constructor is None or constructor is not _SAFE.yaml_constructors.get(tag):
        raise _NotSimple  # a constructor someone registered: leave it to the loader
    if tag == _STR:
        return value
    try:
        if tag == _TIMESTAMP and _ISO_DATETIME.match(value):
            # The usual way to write a date: fromisoformat gives the same datetime and time zone
            # as construct_yaml_timestamp (tested) at a tenth of its cost.
            return datetime.fromisoformat(value)
        return constructor(_SAFE(), yaml.ScalarNode(tag, value))
    except Exception:  # 2024-13-45 and the like: YAML reports them (as Unreadable values)
        raise _NotSimple from None
