"""Turn a parsed TOML table into frozen dataclasses, validating every key against the type hints.

Each config section is a frozen dataclass; its annotations are the schema. A field may carry
`metadata={"check": fn}` where `fn(value)` returns an expectation message ("a positive integer")
when the value is wrong. Every problem is collected (MkDocs-style) rather than stopping at the first.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, did_you_mean, error

Check = Callable[[Any], str | None]


def read_toml(path: Path, shown: str) -> tuple[dict[str, Any] | None, str, list[Diagnostic]]:
    """(table, text, problems) of a TOML file; encoding and syntax problems carry line and column."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, "", [error(shown, f"not valid UTF-8: byte 0x{data[exc.start]:02x} cannot be "
                                "decoded (save the file as UTF-8)", line, col)]
    try:
        return tomllib.loads(text), text, []
    except tomllib.TOMLDecodeError as exc:
        # tomllib puts the position in the message: "Invalid value (at line 3, column 9)".
        message = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if not match:
            return None, text, [error(shown, f"TOML syntax: {message}")]
        message = message[: match.start()].strip()
        return None, text, [error(shown, f"TOML syntax: {message}", int(match.group(1)), int(match.group(2)))]


def check(fn: Check, default: Any = dataclasses.MISSING, **kwargs: Any) -> Any:
    """A dataclass field with a validator, e.g. `paginate: int = check(positive, 10)`."""
    return dataclasses.field(default=default, metadata={"check": fn}, **kwargs)


def build_section(cls: type, table: dict[str, Any], prefix: str,
                  source: SourceText) -> tuple[Any, list[Diagnostic]]:
    """Build `cls` from `table`; returns (instance or None, diagnostics)."""
    problems: list[Diagnostic] = []
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for key in table:
        if key not in fields:
            dotted = prefix + key
            hint = did_you_mean(key, fields)
            problems.append(source.error(dotted, f"{dotted}: unknown key{hint}"))
    values: dict[str, Any] = {}
    for name, field in fields.items():
        dotted = prefix + name
        if name not in table:
            if _is_required(field):
                problems.append(source.error(dotted, f"{dotted}: required key is missing"))
            continue
        value, field_problems = _convert(hints[name], table[name], dotted, source)
        if not field_problems and "check" in field.metadata:
            expectation = field.metadata["check"](value)
            if expectation:
                message = f"{dotted}: expected {expectation}, got {_show(value)}"
                field_problems = [source.error(dotted, message)]
        problems.extend(field_problems)
        values[name] = value
    if problems:
        return None, problems
    return cls(**values), []


def _is_required(field: dataclasses.Field) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _convert(hint: Any, value: Any, dotted: str, source: SourceText) -> tuple[Any, list[Diagnostic]]:
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            return None, [source.error(dotted, f"{dotted}: expected a table, got {_show(value)}")]
        return build_section(hint, value, dotted + ".", source)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple and args and dataclasses.is_dataclass(args[0]):
        return _convert_table_array(args[0], value, dotted, source)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        inner = next(a for a in args if a is not type(None))
        return _convert(inner, value, dotted, source)
    expectation = _type_mismatch(hint, value)
    if expectation:
        return None, [source.error(dotted, f"{dotted}: expected {expectation}, got {_show(value)}")]
    if origin is tuple:
        return tuple(value), []
    if origin is dict:
        return dict(value), []
    if hint is float:
        return float(value), []
    return value, []


def _convert_table_array(cls: type, value: Any, dotted: str,
                         source: SourceText) -> tuple[Any, list[Diagnostic]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return None, [source.error(dotted, f"{dotted}: expected an array of tables, got {_show(value)}")]
    items, problems = [], []
    for index, table in enumerate(value):
        item, item_problems = build_section(cls, table, f"{dotted}[{index}].", source)
        items.append(item)
        problems.extend(item_problems)
    return tuple(items), problems


def _type_mismatch(hint: Any, value: Any) -> str | None:
    """None when `value` fits `hint`, else a description of what was expected."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is bool:
        return None if isinstance(value, bool) else "true or false"
    if hint is int:
        return None if isinstance(value, int) and not isinstance(value, bool) else "an integer"
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "a number"
    if hint is str:
        return None if isinstance(value, str) else "a string"
    if origin is tuple:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if ok else "a list of strings"
    if origin is dict:
        value_type = args[1] if len(args) == 2 else str
        ok = isinstance(value, dict) and all(_type_mismatch(value_type, v) is None for v in value.values())
        return None if ok else f"a table of {'strings' if value_type is str else 'values'}"
    return None


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)


class SourceText:
    """The raw site.toml text, used to point a dotted key back at its line."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.\- ]+?)\s*=""")

    def __init__(self, path: str, text: str):
        self.path = path
        self.lines = text.splitlines()

    def error(self, dotted: str, message: str) -> Diagnostic:
        line, col = self.locate(dotted)
        return error(self.path, message, line, col)

    def locate(self, dotted: str) -> tuple[int | None, int | None]:
        """Best-effort (line, column) of a dotted key, else of its table. `menu[1].url` is looked
        for in the second [[menu]] table, then (nested arrays) anywhere under a [[menu]] header."""
        for wanted, indexed in ((dotted, True), (re.sub(r"\[\d+\]", "", dotted), False)):
            while wanted:
                found = self._find(wanted, indexed)
                if found[0] is not None:
                    return found
                wanted = wanted.rpartition(".")[0]
        return None, None

    def _find(self, wanted: str, indexed: bool = False) -> tuple[int | None, int | None]:
        table, arrays = "", Counter[str]()
        for number, raw in enumerate(self.lines, start=1):
            header = self._HEADER.match(raw)
            if header:
                table = header.group(1).replace(" ", "")
                if indexed and raw.lstrip().startswith("[["):  # the n-th table of an array
                    arrays[table] += 1
                    table = f"{table}[{arrays[table] - 1}]"
                if table == wanted:
                    return number, raw.index("[") + 1
                continue
            key = self._KEY.match(raw)
            if key:
                name = key.group(1).strip().strip("\"'").replace(" ", "")
                full = f"{table}.{name}" if table else name
                if full == wanted:
                    return number, raw.index(key.group(1)[0]) + 1
        return None, None
