"""Themes: where templates and static files come from, and the Jinja environment over them.

Lookup order (Zola/Pelican style): the site's own `templates/`, then the theme, then the parent
themes named by `extends` in theme.toml. Every theme is also reachable by name with a prefix
(`{% extends "default:article.html" %}`), so an override can extend the very file it replaces.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .config_schema import SourceText, build_section, read_toml
from .diagnostics import ConfigError, Diagnostic, error
from .discovery import display_path
from .include_cache import IncludeCache
from .template_speedups import SiteCodeGenerator

BUNDLED_THEMES = Path(__file__).resolve().parent.parent / "themes"


@dataclass(frozen=True)
class ThemeManifest:
    name: str = ""
    description: str = ""
    extends: str = ""
    license: str = ""
    author: str = ""


@dataclass(frozen=True)
class Theme:
    name: str
    path: Path
    manifest: ThemeManifest

    @property
    def templates(self) -> Path:
        return self.path / "templates"

    @property
    def static(self) -> Path:
        return self.path / "static"


def find_theme_dir(root: Path, name: str) -> Path | None:
    for folder in (root / "themes", BUNDLED_THEMES):
        if (folder / name / "templates").is_dir():
            return folder / name
    return None


def load_theme_chain(root: Path, name: str) -> list[Theme]:
    """The theme and its ancestors, child first; raises ConfigError for a missing or looping theme."""
    chain: list[Theme] = []
    wanted, asked_by = name, "site.toml"
    while wanted:
        if any(t.name == wanted for t in chain):
            raise ConfigError([error(asked_by, f"theme '{wanted}' extends itself in a loop")])
        folder = find_theme_dir(root, wanted)
        if folder is None:
            raise ConfigError([error(asked_by, f"theme: no theme named '{wanted}' (looked for "
                                     f"themes/{wanted}/templates/ in the site and in sitegen)")])
        manifest = _read_manifest(folder, root)
        chain.append(Theme(wanted, folder, manifest))
        wanted, asked_by = manifest.extends, display_path(folder / "theme.toml", root)
    return chain


def _read_manifest(folder: Path, root: Path) -> ThemeManifest:
    path = folder / "theme.toml"
    if not path.is_file():
        return ThemeManifest(name=folder.name)
    shown = display_path(path, root)
    table, text, problems = read_toml(path, shown)
    if table is None:
        raise ConfigError(problems)
    manifest, problems = build_section(ThemeManifest, table, "", SourceText(shown, text))
    if problems:
        raise ConfigError(problems)
    return manifest


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between builds: compiling every template costs more than a small
    site's whole rebuild in the dev server.

    Jinja checks an entry against its template's source, but compiled code can also hold values
    computed at compile time: Jinja folds a filter applied to a constant (`'/'|url`,
    `"home"|t`), and those depend on the settings, translations and sitegen's own code. So entries
    are also keyed by `salt`, a digest of all of those.

    File names start with the salt, and files of any other salt are deleted when the cache is
    opened: every settings change, template edit (the salt covers the templates) or sitegen
    version would otherwise leave a whole set behind, a new one at each save in the dev server.
    """

    def __init__(self, folder: Path, salt: str):
        prefix = hashlib.blake2b(salt.encode(), digest_size=8).hexdigest()  # of all of it
        super().__init__(str(folder), f"{prefix}-%s.cache")
        self.salt = salt
        try:
            for path in folder.iterdir():
                if not path.name.startswith(f"{prefix}-"):
                    path.unlink(missing_ok=True)
        except OSError:  # a cache: what cannot be deleted now only takes space
            pass

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.salt}\0{name}", filename)


class SiteEnvironment(jinja2.Environment):
    """A Jinja environment whose templates see its globals through a dict, not a ChainMap.

    Every page copies its template's globals into its context, and every `{% include %}` takes
    their names again: with Jinja's ChainMap over the environment's globals, both run in Python
    (a few percent of a listing page). Jinja asks that globals not change once templates are
    loaded (template_api.install sets them first), so a copy made at load time sees the same.

    Templates compile with SiteCodeGenerator: the same output, with cheaper escaping.
    """

    code_generator_class = SiteCodeGenerator

    def make_globals(self, d: dict | None) -> dict:  # type: ignore[override]
        return {**self.globals, **(d or {})}

    # Templates already found, by (name, parent), while templates cannot change (auto_reload off,
    # as during a build): `{% include %}` in a loop looks its template up once per item, some ten
    # times on every listing page, and Jinja's lookup makes a weak reference and a cache key for
    # each. Setting auto_reload starts again from Jinja's own lookup.
    # Likewise the texts of includes (include_cache.py): kept only while templates cannot change,
    # and started again whenever auto_reload is set (each build sets it).
    @property
    def auto_reload(self) -> bool:
        return self._auto_reload

    @auto_reload.setter
    def auto_reload(self, value: bool) -> None:
        self._auto_reload = value
        self._found: dict[tuple[str, str | None], jinja2.Template] = {}
        self.includes = None if value else IncludeCache(self)

    def get_template(self, name: str | jinja2.Template, parent: str | None = None,
                     globals: dict | None = None) -> jinja2.Template:
        if self._auto_reload or globals or type(name) is not str:
            return super().get_template(name, parent, globals)
        try:
            return self._found[name, parent]
        except KeyError:
            found = self._found[name, parent] = super().get_template(name, parent)
            return found

    def overlay(self, **options: object) -> jinja2.Environment:
        overlay = super().overlay(**options)  # type: ignore[arg-type]
        overlay.auto_reload = overlay.auto_reload  # it may have its own loader and globals
        return overlay


def create_environment(root: Path, chain: list[Theme],
                       compiled: CompiledTemplates | None = None) -> jinja2.Environment:
    """The Jinja environment of a site and its theme chain; `compiled`: see CompiledTemplates."""
    loaders: list[jinja2.BaseLoader] = []
    if (root / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(root / "templates"))
    loaders += [jinja2.FileSystemLoader(theme.templates) for theme in chain]
    by_name = {theme.name: jinja2.FileSystemLoader(theme.templates) for theme in chain}
    loaders.append(jinja2.PrefixLoader(by_name, delimiter=":"))
    return SiteEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        # Remembered per template name: Jinja asks again for every page and `{% include %}`.
        autoescape=functools.cache(jinja2.select_autoescape(["html", "xml"], default_for_string=True)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=compiled,
        # A plain dict (unbounded: a theme has a few dozen templates) instead of the LRU cache,
        # which takes a lock and reorders a queue on every lookup: `{% include %}` in a loop looks
        # its template up once per item, some fifteen times on every listing page.
        cache_size=-1,
    )


def display_template_path(filename: str | None, root: Path) -> str:
    return display_path(Path(filename), root) if filename else "<template>"


def check_template_exists(env: jinja2.Environment, name: str, path: str,
                          line: int | None) -> Diagnostic | None:
    try:
        env.get_template(name)
    except jinja2.TemplateNotFound:
        return error(path, f"template '{name}' not found in the site's templates/ or the theme", line)
    except jinja2.TemplateSyntaxError:
        return None  # reported with its own position when pages are rendered
    return None
