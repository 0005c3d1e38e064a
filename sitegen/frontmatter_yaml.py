"""Split a source file into YAML front matter and Markdown, keeping every key's position.

python-frontmatter finds the boundaries; PyYAML's node marks give line and column of each key and
value, so every diagnostic can name `path:line:col` (design §8).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

import frontmatter
import yaml

from . import frontmatter_lines
from .diagnostics import Diagnostic, error


@dataclass(frozen=True)
class Entry:
    """One front-matter key with its constructed value and 1-based positions in the file."""

    key: str
    value: Any
    line: int
    key_col: int
    value_col: int
    raw: str | None  # the scalar as written, for messages about values YAML could not construct


@dataclass(frozen=True)
class SplitSource:
    entries: dict[str, Entry]
    body: str
    body_first_line: int


_HANDLER = frontmatter.YAMLHandler()


def decode(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes to NFC text with LF line endings; a BOM is accepted, other encodings are not."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [error(path, "the file is saved as UTF-16; save it as UTF-8 instead", 1, 1)]
    if b"\x00" in data:
        return None, [error(path, "this is a binary file, not UTF-8 Markdown text (images and other "
                            "files belong in content/static/)")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        return None, [error(path, f"not valid UTF-8: byte 0x{byte:02x} cannot be decoded (save the "
                            "file as UTF-8; older Arabic files are often Windows-1256)", line, col)]
    if "\r" in text:  # one scan for the usual case instead of two
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text), []


def split(text: str, path: str) -> tuple[SplitSource | None, list[Diagnostic]]:
    if not text.strip():
        return None, [error(path, "the file is empty: an article needs front matter with a title", 1, 1)]
    if not _HANDLER.detect(text):
        return None, [error(path, "missing front matter: start the file with a '---' line, "
                            "then 'title: ...', then '---'", 1, 1)]
    try:
        fm_text, body = _HANDLER.split(text)
    except ValueError:
        return None, [error(path, "front matter is not closed: add a '---' line after it", 1, 1)]
    body_first_line = text[: len(text) - len(body)].count("\n") + 1
    # 0-based line where the YAML text starts, so PyYAML's marks map back to file lines.
    first_line = text[: text.find(fm_text)].count("\n")
    entries, problems = _entries(fm_text, path, first_line)
    if entries is None:
        return None, problems
    return SplitSource(entries, body, body_first_line), problems


def _entries(fm_text: str, path: str, first_line: int) -> tuple[dict[str, Entry] | None, list[Diagnostic]]:
    fast = _fast_entries(fm_text, path, first_line)
    if fast is not None:
        return fast
    try:
        # The reader checks for control characters as soon as the loader is made.
        loader = yaml.SafeLoader(fm_text)
    except yaml.YAMLError as exc:
        return None, [_yaml_error(exc, path, first_line, fm_text)]
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        return None, [_yaml_error(exc, path, first_line, fm_text)]
    finally:
        loader.dispose()
    if node is None:
        return {}, []
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        return None, [error(path, f"front matter must be a mapping of keys to values, got {kind}",
                            first_line + node.start_mark.line + 1, node.start_mark.column + 1)]
    return _mapping_entries(loader, node, path, first_line)


def _fast_entries(fm_text: str, path: str,
                  first_line: int) -> tuple[dict[str, Entry] | None, list[Diagnostic]] | None:
    """libyaml (several times faster) for well-formed front matter; None sends anything else to the
    pure-Python loader, whose errors the diagnostics are written for. Both give the same nodes."""
    if _CLoader is None or _NON_PRINTABLE.search(fm_text):
        return None
    simple = frontmatter_lines.read(fm_text, _CLoader)
    if simple is not None:  # the usual shape, read without composing YAML nodes
        return {key: Entry(key, value, first_line + line + 1, 1, col + 1, raw)
                for key, value, line, col, raw in simple}, []
    loader = _CLoader(fm_text)
    try:
        node = loader.get_single_node()
        if not isinstance(node, yaml.MappingNode):
            return None
        return _mapping_entries(loader, node, path, first_line)
    except Exception:  # any doubt: the careful path decides
        return None
    finally:
        loader.dispose()


_CLoader = getattr(yaml, "CSafeLoader", None)
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


def _mapping_entries(loader: yaml.SafeLoader, node: yaml.MappingNode, path: str, first_line: int):
    entries: dict[str, Entry] = {}
    problems: list[Diagnostic] = []
    for key_node, value_node in node.value:
        line = first_line + key_node.start_mark.line + 1
        col = key_node.start_mark.column + 1
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(error(path, "front matter: a key must be a plain name like 'title', "
                                  "not a list or a mapping", line, col))
            continue
        key = str(key_node.value)
        if key in entries:
            problems.append(error(path, f"front matter: duplicate key '{key}' (first on line "
                                  f"{entries[key].line})", line, col))
            continue
        raw = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
        try:
            value = _construct(loader, value_node)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            value = Unreadable(raw or "", _reason(exc))
        entries[key] = Entry(key, value, line, col, value_node.start_mark.column + 1, raw)
    return entries, problems


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """loader.construct_object(node, deep=True), without its machinery for the common values: a
    string (title, category, author), or a list of strings (tags). The safe loaders' constructor
    for a string scalar returns the node's value, and for a list, a list of its items' values."""
    constructors = loader.yaml_constructors  # another library could register its own, globally
    if constructors.get(_STR) is _CONSTRUCT_STR and constructors.get(_SEQ) is _CONSTRUCT_SEQ:
        if type(node) is yaml.ScalarNode and node.tag == _STR:
            return node.value
        if type(node) is yaml.SequenceNode and node.tag == _SEQ and all(
                type(item) is yaml.ScalarNode and item.tag == _STR for item in node.value):
            return [item.value for item in node.value]
    return loader.construct_object(node, deep=True)


_CONSTRUCT_STR = yaml.constructor.SafeConstructor.construct_yaml_str
_CONSTRUCT_SEQ = yaml.constructor.SafeConstructor.construct_yaml_seq


@dataclass(frozen=True)
class Unreadable:
    """A value YAML parsed but could not build: a timestamp like 2025-13-45, or an unknown !tag."""

    raw: str
    reason: str


def _reason(exc: Exception) -> str:
    if isinstance(exc, yaml.constructor.ConstructorError) and exc.problem:
        # "could not determine a constructor for the tag '!!python/object:os.system'"
        return exc.problem
    return str(exc) or type(exc).__name__


def _yaml_error(exc: yaml.YAMLError, path: str, first_line: int, fm_text: str) -> Diagnostic:
    if isinstance(exc, yaml.reader.ReaderError):
        # Control characters: the reader gives a character offset, not a mark.
        before = fm_text[: exc.position]
        line, col = first_line + before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        return error(path, f"front matter contains the invisible control character U+{exc.character:04X}; "
                     "delete it (it often comes from copying text out of a word processor)", line, col)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark and mark and context_mark.line != mark.line:
        # The mistake is usually where the construct began: an unclosed [ or quote.
        context += f" that starts on line {first_line + context_mark.line + 1}"
    message = f"front matter is not valid YAML: {problem}" + (f" ({context})" if context else "")
    if mark is None:
        return error(path, message)
    return error(path, message, first_line + mark.line + 1, mark.column + 1)
