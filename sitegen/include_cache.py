"""`{% include %}` rendered once per distinct input: the article cards of listing pages.

A listing page includes its card template once per article it lists, and an article is listed on
several pages (the home page, its section, each of its tags): some 70,000 card renders at 10,000
articles, each with a context of its own, about half of a listing page's rendering.

An included template's text is a function of the variables it names (fingerprint.template_reads,
which follows what it extends, includes and imports in turn) and of the environment's globals,
filters and templates, which do not change while auto_reload is off (as during a build). Unless it
calls something that might read more than it is given (it is then `opaque`): such a template is
always rendered. So an include whose variables all hold values known by content or by identity is
rendered once per distinct set of values, and its text used again:

- by content: str (and Markup, apart from str: it is not escaped), int, float, bool, None, and a
  missing variable;
- by identity: articles, which are frozen and not changed during a build, and the environment's
  own globals (functions such as `alternate_feeds`); kept alive here, so an identity is never
  reused;
- anything else (a list, a loop, a term) means the include is rendered as Jinja would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import jinja2
from jinja2.runtime import Context
from jinja2.utils import missing
from markupsafe import Markup

from .model import Article

_BY_CONTENT = frozenset({str, Markup, int, float, bool, type(None)})
MAX_TEXTS = 100_000  # distinct renders kept (10,000 articles: about two per article); then emptied


class IncludeCache:
    """The texts of one environment's includes, while its templates cannot change."""

    def __init__(self, env: jinja2.Environment):
        self._env = env
        self._names: dict[str, tuple[str, ...] | None] = {}  # what each template reads; None: not kept
        self._files: dict = {}  # fingerprint.FileReads by template file, shared between templates
        # (template name, then per variable its type and value or identity) -> text, and the
        # objects known by identity, kept alive with it
        self._texts: dict[tuple, tuple[str, list[Any]]] = {}

    def events(self, template: jinja2.Template, context: Context, local_vars: Mapping[str, Any]
               ) -> Iterable[str]:
        names = self._names_read(template)
        key, kept = (None, []) if names is None else _key(template.name, names, context, local_vars,
                                                           self._env.globals)
        if key is None:
            return _render(template, context, local_vars)
        found = self._texts.get(key)
        if found is None:
            if len(self._texts) >= MAX_TEXTS:
                self._texts.clear()
            found = self._texts[key] = ("".join(_render(template, context, local_vars)), kept)
        return (found[0],)

    def _names_read(self, template: jinja2.Template) -> tuple[str, ...] | None:
        name = template.name
        if name is None:  # made from a string: nothing to analyse
            return None
        if name not in self._names:
            # Imported here: fingerprint needs rendering, which needs themes, which needs this.
            from .fingerprint import template_reads

            reads = template_reads(self._env, name, self._files)
            self._names[name] = None if reads.names is None or reads.opaque else tuple(sorted(reads.names))
        return self._names[name]


def included(environment: jinja2.Environment, template: jinja2.Template, context: Context,
             local_vars: Mapping[str, Any]) -> Iterable[str]:
    """What `{% include %}` (with context) writes: called by templates compiled with
    template_speedups.SiteCodeGenerator, in place of rendering the template every time."""
    cache: IncludeCache | None = getattr(environment, "includes", None)
    if cache is None:
        return _render(template, context, local_vars)
    return cache.events(template, context, local_vars)


def _render(template: jinja2.Template, context: Context, local_vars: Mapping[str, Any]) -> Iterable[str]:
    # As Jinja's own compiled code for an include with context.
    fresh = template.new_context(context.get_all(), True, local_vars)  # type: ignore[arg-type]
    return template.root_render_func(fresh)


def _key(name: str | None, names: tuple[str, ...], context: Context, local_vars: Mapping[str, Any],
         globals_: Mapping[str, Any]) -> tuple[tuple | None, list[Any]]:
    """The cache key of rendering template `name`, which reads `names`, here; None if a value is
    known neither by content nor by identity. Also the objects the key holds by identity."""
    key: list[Any] = [name]
    kept: list[Any] = []
    for variable in names:
        value = local_vars.get(variable, missing)
        if value is missing:  # as Jinja resolves it in the included template: locals, then context
            value = context.resolve_or_missing(variable)
        kind = type(value)
        if kind in _BY_CONTENT:
            key += (kind, value)
        elif value is missing:
            key.append(missing)
        elif isinstance(value, Article) or value is globals_.get(variable, missing):
            key += (id, id(value))
            kept.append(value)
        else:
            return None, []
    return tuple(key), kept
