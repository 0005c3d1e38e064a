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
    if b"\x00" in data:
        return None, [error(path, "this is a binary file, not UTF-8 Markdown text")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        return None, [error(path, f"not valid UTF-8: byte 0x{byte:02x} cannot be decoded "
                            "(save the file as UTF-8)", line, col)]
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
    loader = yaml.SafeLoader(fm_text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        return None, [_yaml_error(exc, path, first_line)]
    finally:
        loader.dispose()
    if node is None:
        return {}, []
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        return None, [error(path, f"front matter must be a mapping of keys to values, got {kind}",
                            first_line + node.start_mark.line + 1, node.start_mark.column + 1)]
    return _mapping_entries(loader, node, path, first_line)


def _mapping_entries(loader: yaml.SafeLoader, node: yaml.MappingNode, path: str, first_line: int):
    entries: dict[str, Entry] = {}
    problems: list[Diagnostic] = []
    for key_node, value_node in node.value:
        line = first_line + key_node.start_mark.line + 1
        key = str(key_node.value)
        if key in entries:
            problems.append(error(path, f"front matter: duplicate key '{key}' (first on line "
                                  f"{entries[key].line})", line, key_node.start_mark.column + 1))
            continue
        raw = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
        try:
            value = loader.construct_object(value_node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError):
            value = _Unconstructable(raw or "")
        entries[key] = Entry(key, value, line, key_node.start_mark.column + 1,
                             value_node.start_mark.column + 1, raw)
    return entries, problems


class _Unconstructable(str):
    """A scalar YAML recognised (e.g. a timestamp like 2025-13-45) but could not build."""


def _yaml_error(exc: yaml.YAMLError, path: str, first_line: int) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"front matter is not valid YAML: {problem}" + (f" ({context})" if context else "")
    if mark is None:
        return error(path, message)
    return error(path, message, first_line + mark.line + 1, mark.column + 1)
