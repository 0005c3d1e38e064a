"""Theme strings: one plural-aware translation file per language, so templates hold no Arabic text.

Files are `i18n/<locale>.toml` or `i18n/<language>.toml` in the site, the theme and its parents.
A more specific file wins key by key: site over theme, child theme over parent, `ar_SY` over `ar`.
A value is a string, or a table of CLDR plural forms (zero, one, two, few, many, other) chosen
with Babel's plural rules for the site locale, so Arabic gets «دقيقة واحدة», «دقيقتان»,
«3 دقائق», «11 دقيقة». `{n}` and other placeholders take numbers in the site's digits.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import SiteConfig
from .dates import babel_locale, format_number
from .diagnostics import ConfigError, Diagnostic, error
from .themes import Theme, display_template_path, load_theme_chain

I18N_DIR = "i18n"
PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")

Entry = str | Mapping[str, str]


class TranslationError(LookupError):
    """A template asked for a string the translation files do not have (or used it wrongly)."""


@dataclass(frozen=True)
class Translations:
    locale: str
    digits: str = "latn"
    strings: Mapping[str, Entry] = field(default_factory=dict)
    files: tuple[str, ...] = ()  # where the strings came from, for error messages

    def text(self, key: str, n: int | float | None = None, **values: Any) -> str:
        """The string for `key`; with `n`, the plural form for that number, `{n}` filled in."""
        entry = self.strings.get(key)
        if entry is None:
            looked = ", ".join(self.files) or f"{I18N_DIR}/{self.locale}.toml (none found)"
            raise TranslationError(f"translation '{key}' not found in {looked}")
        if not isinstance(entry, str):
            if n is None:
                raise TranslationError(f"translation '{key}' has plural forms: pass a number, "
                                       f"t('{key}', count)")
            entry = entry.get(self.plural_form(n)) or entry["other"]
        if n is not None:
            values["n"] = n
        shown = {name: self._show(value) for name, value in values.items()}
        try:
            return entry.format_map(shown)
        except (KeyError, IndexError, ValueError) as exc:
            raise TranslationError(f"translation '{key}': cannot fill in {exc}") from None

    def get(self, key: str, default: str) -> str:
        """A plain string, or `default` when a theme without translation files is in use."""
        entry = self.strings.get(key)
        return entry if isinstance(entry, str) else default

    def plural_form(self, n: int | float) -> str:
        return babel_locale(self.locale).plural_form(abs(n))

    def _show(self, value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format_number(value, self.locale, self.digits)
        return str(value)


def load_translations(config: SiteConfig, chain: list[Theme] | None = None) -> Translations:
    """Merge the translation files for the site's locale; raises ConfigError on a malformed file."""
    if chain is None:
        chain = load_theme_chain(config.root, config.theme)
    folders = [config.root / I18N_DIR] + [theme.path / I18N_DIR for theme in chain]
    names = dict.fromkeys([config.locale, config.locale.split("_")[0], config.language])
    found = [folder / f"{name}.toml" for folder in folders for name in names
             if (folder / f"{name}.toml").is_file()]
    strings: dict[str, Entry] = {}
    problems: list[Diagnostic] = []
    for path in reversed(found):  # lowest priority first, so later files override
        shown = display_template_path(str(path), config.root)
        table, file_problems = _read(path, shown)
        problems += file_problems
        strings.update(table)
    if problems:
        raise ConfigError(problems)
    shown_files = tuple(display_template_path(str(p), config.root) for p in found)
    return Translations(config.locale, config.digits, strings, shown_files)


def _read(path: Path, shown: str) -> tuple[dict[str, Entry], list[Diagnostic]]:
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        return {}, [error(shown, f"TOML syntax: {exc}")]
    problems = [error(shown, f"{key}: {problem}") for key, value in table.items()
                if (problem := _entry_problem(value))]
    return table, problems


def _entry_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return None
    if not isinstance(value, dict):
        return "expected a string or a table of plural forms"
    unknown = sorted(set(value) - set(PLURAL_FORMS))
    if unknown:
        return f"unknown plural form '{unknown[0]}' (expected {', '.join(PLURAL_FORMS)})"
    if "other" not in value:
        return "a plural table needs an 'other' form"
    if not all(isinstance(v, str) for v in value.values()):
        return "plural forms must be strings"
    return None
